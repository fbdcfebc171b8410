"""IAM as production enforces it, for the calls the tests saw: record each call a function makes, judge it.

moto does not enforce IAM, so a policy that is too narrow only shows in production. Here every
AWS call made while a handler runs in the test process is recorded as (function, IAM action,
resource ARN), and judged against that function's role in the template after the SAM transform
(policy templates expanded): an explicit Deny wins, then an Allow must match action and resource.

Recording hooks botocore itself (`BaseClient._make_api_call`, and presigned URLs and POSTs, which
are signed with the role and so need its permission too), so boto3's clients, PynamoDB's botocore
client and Powertools' clients are all seen; a secret read from Powertools' process-wide cache
counts too, since on Lambda each function's container fetches it itself. The running function is
the handler module on the call's stack, so a handler invoked through `local.lambda_runtime.invoke`,
the gateway, the pollers or called directly is attributed alike; AWS calls a test makes itself
(setup, assertions) are not. Work a handler submits to a thread pool (the callback attempts of a
batch) carries the submitting function into the pool's thread, so its calls are attributed too.
"""

import contextvars
import fnmatch
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from local.template import ACCOUNT_ID, REGION, TEMPLATE_PATH, arn_of, functions, load_template, physical_name

SECRET_SUFFIX = "AbCdEf"  # Secrets Manager appends six random characters to a secret's ARN


@dataclass(frozen=True, order=True)
class Call:
    """One IAM-checked request a function made: `conditioned` when a DynamoDB write carried a condition."""

    function: str
    action: str
    resource: str
    conditioned: bool = False


# ---------------------------------------------------------------------------------------------
# Recording
# ---------------------------------------------------------------------------------------------

RECORDED: set[Call] = set()

# API operations whose IAM action has another name, or that IAM checks as several actions.
_ACTION_OF = {
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("sqs", "SendMessageBatch"): "sqs:SendMessage",
    ("dynamodb", "TransactGetItems"): "dynamodb:GetItem",
}
_TRANSACT_ACTIONS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
}
_PRESIGNED_ACTIONS = {"get_object": "s3:GetObject", "put_object": "s3:PutObject"}


@cache
def _handler_functions() -> dict[str, str]:
    """Handler module -> the logical id of the function that runs it."""
    return {spec.handler.rpartition(".")[0]: logical_id for logical_id, spec in functions().items()}


# The function that handed the running thread its work (a thread pool's task), when no handler is on its stack.
_HANDED_OVER_BY: contextvars.ContextVar[str | None] = contextvars.ContextVar("handed_over_by", default=None)


def running_function() -> str | None:
    """The function whose handler is on the current stack, or that submitted the thread's current task."""
    handlers = _handler_functions()
    frame = sys._getframe(1)
    while frame is not None:
        function = handlers.get(frame.f_globals.get("__name__", ""))
        if function:
            return function
        frame = frame.f_back
    return _HANDED_OVER_BY.get()


def _attributed(function: str, work: Callable[..., Any]) -> Callable[..., Any]:
    """`work`, run in a pool's thread with `function` as the function making its calls."""

    def run(*args: Any, **kwargs: Any) -> Any:
        token = _HANDED_OVER_BY.set(function)
        try:
            return work(*args, **kwargs)
        finally:
            _HANDED_OVER_BY.reset(token)

    return run


def table_arn(table: str, index: str | None = None) -> str:
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{table}"
    return f"{arn}/index/{index}" if index else arn


def _secret_arn(secret_id: str) -> str:
    return (
        secret_id
        if secret_id.startswith("arn:")
        else f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:{secret_id}-{SECRET_SUFFIX}"
    )


def _s3_arn(params: dict[str, Any]) -> str:
    bucket = params.get("Bucket", "")
    return f"arn:aws:s3:::{bucket}/{params['Key']}" if "Key" in params else f"arn:aws:s3:::{bucket}"


def calls_of(function: str, service: str, operation: str, params: dict[str, Any]) -> Iterator[Call]:
    """The IAM requests one API call makes: one per item of a transaction, one per table of a batch."""
    action = _ACTION_OF.get((service, operation), f"{service}:{operation}")
    if service == "dynamodb":
        if operation in {"TransactWriteItems", "TransactGetItems"}:
            for item in params.get("TransactItems", []):
                for kind, request in item.items():
                    transact_action = action if operation == "TransactGetItems" else _TRANSACT_ACTIONS[kind]
                    conditioned = "ConditionExpression" in request or kind == "ConditionCheck"
                    yield Call(function, transact_action, table_arn(request["TableName"]), conditioned)
        elif "RequestItems" in params:
            for table in params["RequestItems"]:
                yield Call(function, action, table_arn(table))
        else:
            table = params.get("TableName", "")
            yield Call(function, action, table_arn(table, params.get("IndexName")), "ConditionExpression" in params)
    elif service == "sqs":
        queue = params.get("QueueUrl", "").rstrip("/").rsplit("/", 1)[-1] or params.get("QueueName", "")
        yield Call(function, action, f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{queue}")
    elif service == "s3":
        yield Call(function, action, _s3_arn(params))
    elif service == "secretsmanager":
        yield Call(function, action, _secret_arn(params.get("SecretId") or params.get("Name", "")))
    elif service == "scheduler":
        group = params.get("GroupName") or "default"
        yield Call(
            function, action, f"arn:aws:scheduler:{REGION}:{ACCOUNT_ID}:schedule/{group}/{params.get('Name', '')}"
        )
        # A schedule runs as the role its target names: the caller must be allowed to pass that role.
        role = (params.get("Target") or {}).get("RoleArn")
        if role:
            yield Call(function, "iam:PassRole", role)
    elif service == "cognito-idp" and "UserPoolId" in params:
        yield Call(function, action, f"arn:aws:cognito-idp:{REGION}:{ACCOUNT_ID}:userpool/{params['UserPoolId']}")
    else:
        yield Call(function, action, "*")


def _record(service: str, operation: str, params: dict[str, Any]) -> None:
    function = running_function()
    if function:
        RECORDED.update(calls_of(function, service, operation, params))


def install_recorder() -> None:
    """Record every botocore call (and presigned request) made while a handler runs. Idempotent."""
    import botocore.signers
    from botocore.client import BaseClient

    if getattr(BaseClient._make_api_call, "_records_iam", False):
        return
    make_api_call = BaseClient._make_api_call
    presigned_url = botocore.signers.generate_presigned_url
    presigned_post = botocore.signers.generate_presigned_post

    def recording_api_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        _record(self.meta.service_model.service_name, operation_name, api_params)
        return make_api_call(self, operation_name, api_params)

    def recording_presigned_url(self: Any, ClientMethod: str, Params: Any = None, **kwargs: Any) -> Any:
        service = self.meta.service_model.service_name
        action = _PRESIGNED_ACTIONS.get(ClientMethod)
        function = running_function()
        if function and action:
            RECORDED.add(Call(function, action, _s3_arn(Params or {})))
        elif function:
            _record(service, self.meta.method_to_api_mapping.get(ClientMethod, ClientMethod), Params or {})
        return presigned_url(self, ClientMethod, Params, **kwargs)

    def recording_presigned_post(self: Any, Bucket: str, Key: str, *args: Any, **kwargs: Any) -> Any:
        function = running_function()
        if function:
            RECORDED.add(Call(function, "s3:PutObject", _s3_arn({"Bucket": Bucket, "Key": Key})))
            if "tagging" in (kwargs.get("Fields") or {}):
                RECORDED.add(Call(function, "s3:PutObjectTagging", _s3_arn({"Bucket": Bucket, "Key": Key})))
        return presigned_post(self, Bucket, Key, *args, **kwargs)

    # Powertools keeps a fetched secret for the whole process; on Lambda each function's container
    # fetches it itself, so every read counts, cached or not.
    from aws_lambda_powertools.utilities.parameters.secrets import SecretsProvider

    get_secret = SecretsProvider.get

    def recording_get_secret(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        _record("secretsmanager", "GetSecretValue", {"SecretId": name})
        return get_secret(self, name, *args, **kwargs)

    SecretsProvider.get = recording_get_secret

    # A handler's work handed to a thread pool (the callback attempts of a batch) is still its function's:
    # the submitting function travels with the task into the pool's thread.
    from concurrent.futures import ThreadPoolExecutor

    submit = ThreadPoolExecutor.submit

    def attributed_submit(self: Any, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        function = running_function()
        return submit(self, _attributed(function, fn) if function else fn, *args, **kwargs)

    ThreadPoolExecutor.submit = attributed_submit
    recording_api_call._records_iam = True  # type: ignore[attr-defined]
    BaseClient._make_api_call = recording_api_call
    botocore.signers.generate_presigned_url = recording_presigned_url
    botocore.signers.generate_presigned_post = recording_presigned_post


def save(path: Path, calls: Iterable[Call]) -> None:
    path.write_text(json.dumps([asdict(call) for call in sorted(calls)], indent=1))


def load(path: Path) -> set[Call]:
    return {Call(**call) for call in json.loads(path.read_text())}


# ---------------------------------------------------------------------------------------------
# Policies after the SAM transform
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    sid: str
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    def matches(self, action: str, resource: str) -> bool:
        return any(fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in self.actions) and any(
            fnmatch.fnmatchcase(resource, pattern) for pattern in self.resources
        )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _resolve(template: dict[str, Any], value: Any, variables: dict[str, Any] | None = None) -> str:
    """The concrete value of an intrinsic in the expanded template, as the test platform names things."""
    variables = variables or {}
    if isinstance(value, str):
        return value
    (function, argument), *_ = value.items()
    if function == "Ref":
        return _resolve_ref(template, argument, variables)
    if function == "Fn::GetAtt":
        logical_id, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
        if attribute in {"QueueName", "Name"}:
            return physical_name(template, logical_id)
        if attribute == "StreamArn":
            return f"{arn_of(template, logical_id)}/stream/*"
        return arn_of(template, logical_id)
    if function == "Fn::Sub":
        text, sub_variables = (argument, {}) if isinstance(argument, str) else argument
        resolved = {name: _resolve(template, inner, variables) for name, inner in sub_variables.items()}
        while "${" in text:
            start = text.index("${")
            end = text.index("}", start)
            name = text[start + 2 : end]
            if name in resolved:
                replacement = resolved[name]
            elif "." in name:
                replacement = _resolve(template, {"Fn::GetAtt": name.split(".", 1)})
            else:
                replacement = _resolve_ref(template, name, variables)
            text = text[:start] + replacement + text[end + 1 :]
        return text
    if function == "Fn::Join":
        separator, parts = argument
        return separator.join(_resolve(template, part, variables) for part in parts)
    raise ValueError(f"cannot resolve {value!r}")


def _resolve_ref(template: dict[str, Any], name: str, variables: dict[str, Any]) -> str:
    pseudo = {
        "AWS::Region": REGION,
        "AWS::AccountId": ACCOUNT_ID,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
    }
    if name in pseudo:
        return pseudo[name]
    if name in variables:
        return variables[name]
    parameters = template.get("Parameters", {})
    if name in parameters:
        return str(parameters[name].get("Default", ""))
    resource = template["Resources"][name]
    if resource["Type"] == "AWS::SecretsManager::Secret":
        # A secret without a Name gets one from CloudFormation; locally it is named by its logical id.
        named = resource["Properties"].get("Name")
        secret_name = _resolve(template, named) if named else physical_name(template, name)
        return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:{secret_name}-{SECRET_SUFFIX}"
    if resource["Type"] == "AWS::SQS::Queue":
        return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{physical_name(template, name)}"
    return physical_name(template, name)


@cache
def expanded_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    from local.lint_template import expanded

    return expanded(path)


@cache
def role_statements() -> dict[str, tuple[Statement, ...]]:
    """Each function's inline policy statements after the SAM transform, resolved to concrete ARNs.

    The managed policies SAM attaches (logs, and the stream/queue read the Lambda service itself
    does for an event source) grant nothing the code calls and are left out.
    """
    expanded = expanded_template()
    source = load_template()
    by_function: dict[str, tuple[Statement, ...]] = {}
    for logical_id in functions():
        role = expanded["Resources"][f"{logical_id}Role"]["Properties"]
        statements = []
        for policy in role.get("Policies", []):
            for statement in _as_list(policy["PolicyDocument"]["Statement"]):
                statements.append(
                    Statement(
                        sid=statement.get("Sid", policy["PolicyName"]),
                        effect=statement["Effect"],
                        actions=tuple(_as_list(statement["Action"])),
                        resources=tuple(_resolve(source, resource) for resource in _as_list(statement["Resource"])),
                    )
                )
        by_function[logical_id] = tuple(statements)
    return by_function


def allowed(function: str, action: str, resource: str) -> bool:
    """IAM's verdict for an identity policy: an explicit Deny wins; otherwise an Allow must match."""
    statements = role_statements()[function]
    if any(statement.effect == "Deny" and statement.matches(action, resource) for statement in statements):
        return False
    return any(statement.effect == "Allow" and statement.matches(action, resource) for statement in statements)


def refused(calls: Iterable[Call]) -> list[Call]:
    """The recorded calls the function's role would refuse in production."""
    return sorted(call for call in calls if not allowed(call.function, call.action, call.resource))


@dataclass(frozen=True, order=True)
class Grant:
    """One action on one resource pattern, as a function's Allow statement (by Sid) grants it."""

    function: str
    sid: str
    action: str
    resource: str

    def used_by(self, call: Call) -> bool:
        return (
            call.function == self.function
            and fnmatch.fnmatchcase(call.action.lower(), self.action.lower())
            and fnmatch.fnmatchcase(call.resource, self.resource)
        )


def grants() -> Iterator[Grant]:
    """Every (action, resource pattern) the functions' Allow statements grant, one per pair."""
    for function, statements in sorted(role_statements().items()):
        for statement in statements:
            if statement.effect == "Allow":
                for action in statement.actions:
                    for resource in statement.resources:
                        yield Grant(function, statement.sid, action, resource)


def unused(calls: Iterable[Call]) -> list[Grant]:
    """Grants no recorded call used."""
    calls = list(calls)
    return sorted({grant for grant in grants() if not any(grant.used_by(call) for call in calls)})


# ---------------------------------------------------------------------------------------------
# What the suite must show
# ---------------------------------------------------------------------------------------------

AUDIT_TABLE = table_arn(physical_name(load_template(), "VerificationAuditTable"))

# test_function_environment.py asks every function's policies to name each table its modules
# reference, and reachability by module over-approximates (one store module serves several
# functions). Statements whose Sid ends so grant the least read for that alone; the suite must show
# they stay unused, or they are real grants and need a real name.
REACHED_BY_IMPORT = "ReachedByImport"

# Granted on purpose though no test exercises it: (function, action, resource logical id) and why.
# Keep it short: a grant belongs here only when no test can drive the call through moto.
UNEXERCISED_GRANTS: dict[tuple[str, str, str], str] = {
    ("MessagingApiFunction", "dynamodb:DeleteItem", "IdempotencyTable"): (
        "Powertools deletes the in-progress record of a request that raised, so a retry may run; "
        "no reply raises after its record is saved"
    ),
    ("WhatsAppIngestFunction", "dynamodb:GetItem", "CustomersTable"): (
        "two first messages of one customer racing: the loser reads the winner's customer id; "
        "the concurrent webhook tests reach it only when two consumers race and the timing makes one lose"
    ),
    ("NewslettersApiFunction", "dynamodb:GetItem", "CustomersTable"): (
        "two subscriptions of one new customer racing: the loser reads the winner's customer id, "
        "as in the ingest consumer"
    ),
    ("VerificationEventsFunction", "sqs:SendMessage", "VerificationEventsDeadLetterQueue"): (
        "SAM grants it for the stream's on-failure destination: Lambda's poller sends there with the "
        "role, never the code (test_the_function_may_send_to_its_on_failure_destination)"
    ),
    ("MeteringFunction", "sqs:SendMessage", "MeteringDeadLetterQueue"): (
        "SAM grants it for the streams' on-failure destination: Lambda's poller sends there with the "
        "role, never the code (test_every_metered_stream_sends_its_failures_to_the_dead_letter_queue)"
    ),
}


def unconditioned_audit_writes(calls: Iterable[Call]) -> list[Call]:
    """Writes to the audit table that could overwrite an entry: every one must be a conditional put."""
    return sorted(
        call
        for call in calls
        if call.resource == AUDIT_TABLE and call.action == "dynamodb:PutItem" and not call.conditioned
    )


def _explained(grant: Grant) -> bool:
    if grant.sid.endswith(REACHED_BY_IMPORT):
        return True
    return any(
        (function, action) == (grant.function, grant.action) and _arn_of_logical_id(logical_id) in grant.resource
        for function, action, logical_id in UNEXERCISED_GRANTS
    )


def _arn_of_logical_id(logical_id: str) -> str:
    template = load_template()
    if template["Resources"][logical_id]["Type"] == "AWS::SecretsManager::Secret":
        return _resolve_ref(template, logical_id, {})
    return arn_of(template, logical_id)


def unexpected_unused(calls: Iterable[Call]) -> list[Grant]:
    """Grants no recorded call used that neither their Sid nor UNEXERCISED_GRANTS explains."""
    return [grant for grant in unused(calls) if not _explained(grant)]


def used_reached_by_import(calls: Iterable[Call]) -> list[Grant]:
    """Grants marked as reached by import alone that a recorded call did use."""
    calls = list(calls)
    return sorted(
        grant
        for grant in grants()
        if grant.sid.endswith(REACHED_BY_IMPORT) and any(grant.used_by(call) for call in calls)
    )
