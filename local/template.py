"""Read template.yaml: the one source of tables, functions, routes and environment."""

import re
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = PROJECT_ROOT / "template.yaml"


class _CloudFormationLoader(yaml.SafeLoader):
    """Understands the short intrinsic-function tags (!Ref, !GetAtt, !Sub, ...)."""


def _intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


@lru_cache(maxsize=4)
def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_CloudFormationLoader)  # noqa: S506 - SafeLoader subclass


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


REGION = "eu-central-1"
ACCOUNT_ID = "123456789012"
LOCAL_ENDPOINT = "http://127.0.0.1:5000"


def physical_name(template: dict[str, Any], logical_id: str) -> str:
    """Locally every resource is named by its logical id (buckets lower-cased, as S3 demands)."""
    resource = template["Resources"].get(logical_id, {})
    if resource.get("Type") == "AWS::S3::Bucket":
        return logical_id.lower()
    if resource.get("Type") == "AWS::SQS::Queue" and resource.get("Properties", {}).get("FifoQueue"):
        return f"{logical_id}.fifo"
    if resource.get("Type") == "AWS::Cognito::UserPool":
        return f"{REGION}_{logical_id}"  # Cognito's shape: <region>_<id>
    if resource.get("Type") == "AWS::Cognito::UserPoolClient":
        return logical_id.lower()
    if resource.get("Type") == "AWS::Cognito::IdentityPool":
        # Cognito's shape: <region>:<uuid>, the same on every start.
        return f"{REGION}:{uuid.uuid5(uuid.NAMESPACE_URL, f'bizline-local/{logical_id}')}"
    return logical_id


def arn_of(template: dict[str, Any], logical_id: str) -> str:
    name = physical_name(template, logical_id)
    resource_type = template["Resources"][logical_id]["Type"]
    return {
        "AWS::Serverless::Function": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}",
        "AWS::SQS::Queue": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{name}",
        "AWS::DynamoDB::Table": f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}",
        "AWS::S3::Bucket": f"arn:aws:s3:::{name}",
        "AWS::Scheduler::ScheduleGroup": f"arn:aws:scheduler:{REGION}:{ACCOUNT_ID}:schedule-group/{name}",
        "AWS::Cognito::UserPool": f"arn:aws:cognito-idp:{REGION}:{ACCOUNT_ID}:userpool/{name}",
    }.get(resource_type, f"arn:aws:local:{REGION}:{ACCOUNT_ID}:{name}")


def resolve(template: dict[str, Any], value: Any, endpoint: str = LOCAL_ENDPOINT) -> Any:
    """Resolve the intrinsics the local platform needs, with the values CloudFormation would give."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        target = value["Ref"]
        parameters = template.get("Parameters", {})
        if target in parameters:
            return str(parameters[target].get("Default", ""))
        pseudo = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": "aws"}
        if target in pseudo:
            return pseudo[target]
        if template["Resources"].get(target, {}).get("Type") == "AWS::SQS::Queue":
            return f"{endpoint}/{ACCOUNT_ID}/{physical_name(template, target)}"
        return physical_name(template, target)
    if isinstance(value, dict) and set(value) == {"Fn::GetAtt"}:
        logical_id, attribute = value["Fn::GetAtt"]
        if attribute == "Arn":
            return arn_of(template, logical_id)
        if attribute in {"QueueName", "Name"}:
            return physical_name(template, logical_id)
        if attribute == "QueueUrl":
            return f"{endpoint}/{ACCOUNT_ID}/{physical_name(template, logical_id)}"
        return f"{physical_name(template, logical_id)}.{attribute}"
    if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        return re.sub(
            r"\$\{([\w:.]+)\}",
            lambda match: str(
                resolve(template, {"Fn::GetAtt": match.group(1).split(".", 1)}, endpoint)
                if "." in match.group(1)
                else resolve(template, {"Ref": match.group(1)}, endpoint)
            ),
            value["Fn::Sub"],
        )
    return value


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    handler: str
    environment: dict[str, str]
    properties: dict[str, Any]


def global_environment(template: dict[str, Any]) -> dict[str, Any]:
    """The variables Globals give every function, unresolved (!Ref ... as written)."""
    return template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})


def declared_environment(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """A function's variables as Lambda gets them (Globals, then its own), unresolved."""
    own = template["Resources"][logical_id]["Properties"].get("Environment", {}).get("Variables", {})
    return {**global_environment(template), **own}


def functions(template: dict[str, Any] | None = None, endpoint: str = LOCAL_ENDPOINT) -> dict[str, FunctionSpec]:
    template = template or load_template()
    specs = {}
    for logical_id, resource in resources_of_type(template, "AWS::Serverless::Function").items():
        properties = resource["Properties"]
        variables = declared_environment(template, logical_id)
        specs[logical_id] = FunctionSpec(
            logical_id=logical_id,
            handler=properties["Handler"],
            environment={name: str(resolve(template, value, endpoint)) for name, value in variables.items()},
            properties=properties,
        )
    return specs


@dataclass(frozen=True)
class HttpRoute:
    function: str
    method: str
    path: str
    authorizer: str | None

    @property
    def catch_all(self) -> bool:
        """`ANY /prefix/{proxy+}`: takes what no route serves under a prefix (a wrong method answers 405)."""
        return self.method == "ANY" and self.path.endswith("{proxy+}")


def http_routes(template: dict[str, Any] | None = None, *, include_catch_all: bool = False) -> list[HttpRoute]:
    """The template's HTTP routes; the catch-all routes only when asked (they serve no operation)."""
    template = template or load_template()
    apis = resources_of_type(template, "AWS::Serverless::HttpApi")
    routes = []
    for spec in functions(template).values():
        for event in spec.properties.get("Events", {}).values():
            if event["Type"] != "HttpApi":
                continue
            properties = event["Properties"]
            api_id = properties.get("ApiId", {}).get("Ref")
            default_authorizer = apis.get(api_id, {}).get("Properties", {}).get("Auth", {}).get("DefaultAuthorizer")
            authorizer = properties.get("Auth", {}).get("Authorizer", default_authorizer)
            routes.append(
                HttpRoute(
                    function=spec.logical_id,
                    method=properties["Method"].upper(),
                    path=properties["Path"],
                    authorizer=None if authorizer == "NONE" else authorizer,
                )
            )
    return [route for route in routes if include_catch_all or not route.catch_all]


def table_definitions(template: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """create_table arguments for every DynamoDB table, exactly as the template declares them."""
    template = template or load_template()
    definitions = {}
    for logical_id, resource in resources_of_type(template, "AWS::DynamoDB::Table").items():
        properties = resource["Properties"]
        arguments: dict[str, Any] = {
            "TableName": physical_name(template, logical_id),
            "BillingMode": properties.get("BillingMode", "PAY_PER_REQUEST"),
            "AttributeDefinitions": properties["AttributeDefinitions"],
            "KeySchema": properties["KeySchema"],
        }
        for optional in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes", "StreamSpecification"):
            if optional in properties:
                arguments[optional] = properties[optional]
        if "StreamSpecification" in arguments:
            arguments["StreamSpecification"] = {"StreamEnabled": True, **arguments["StreamSpecification"]}
        definitions[logical_id] = {
            "create": arguments,
            "ttl": properties.get("TimeToLiveSpecification"),
        }
    return definitions


def create_tables(dynamodb_client: Any, template: dict[str, Any] | None = None) -> list[str]:
    names = []
    for definition in table_definitions(template).values():
        name = definition["create"]["TableName"]
        dynamodb_client.create_table(**definition["create"])
        if definition["ttl"]:
            dynamodb_client.update_time_to_live(TableName=name, TimeToLiveSpecification=definition["ttl"])
        names.append(name)
    return names


@dataclass(frozen=True)
class EventSource:
    function: str
    name: str
    type: str
    properties: dict[str, Any]


def event_sources(template: dict[str, Any] | None = None, types: set[str] | None = None) -> list[EventSource]:
    """Every non-HTTP event a function declares (SQS, DynamoDB, Schedule, ScheduleV2, ...)."""
    template = template or load_template()
    found = []
    for logical_id, resource in resources_of_type(template, "AWS::Serverless::Function").items():
        for name, event in resource["Properties"].get("Events", {}).items():
            if event["Type"] == "HttpApi" or (types and event["Type"] not in types):
                continue
            found.append(EventSource(logical_id, name, event["Type"], event.get("Properties", {})))
    return found
