"""template.yaml, the PynamoDB models, the handlers and their routes must agree."""

import importlib
import re
import tomllib

import pytest
from bizline.adapters.tables import ALL_MODELS, table_setting
from bizline.rules.team_roles import CONSOLE_ROUTES, api_path, is_team_path
from bizline.settings import environment_variable

from local.template import (
    PROJECT_ROOT,
    declared_environment,
    functions,
    http_routes,
    load_template,
    resources_of_type,
    table_definitions,
)
from tests.contract import iam
from tests.contract.code_reach import references

TEMPLATE = load_template()
FUNCTIONS = functions(TEMPLATE)
TABLES = resources_of_type(TEMPLATE, "AWS::DynamoDB::Table")


def _table_of(model) -> str:
    """The template table a model is bound to: Meta.table_name -> env var -> !Ref, the same in every function."""
    variable = environment_variable(table_setting(model))
    targets = {
        declared_environment(TEMPLATE, logical_id)[variable]["Ref"]
        for logical_id in FUNCTIONS
        if variable in declared_environment(TEMPLATE, logical_id)
    }
    assert len(targets) == 1, (model.__name__, variable, targets)
    return targets.pop()


def _keys(key_schema):
    return {entry["KeyType"]: entry["AttributeName"] for entry in key_schema}


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_each_model_matches_its_table(model):
    # Given a PynamoDB model and the table the template declares for it
    logical_id = _table_of(model)
    declared = table_definitions(TEMPLATE)[logical_id]["create"]
    schema = model._get_schema()
    # Then key schema, attribute types and indexes are the same
    assert _keys(schema["key_schema"]) == _keys(declared["KeySchema"])
    model_types = {item["AttributeName"]: item["AttributeType"] for item in schema["attribute_definitions"]}
    template_types = {item["AttributeName"]: item["AttributeType"] for item in declared["AttributeDefinitions"]}
    assert model_types == template_types
    model_indexes = {
        index["index_name"]: (_keys(index["key_schema"]), index["projection"]["ProjectionType"])
        for index in schema.get("global_secondary_indexes", [])
    }
    template_indexes = {
        index["IndexName"]: (_keys(index["KeySchema"]), index["Projection"]["ProjectionType"])
        for index in declared.get("GlobalSecondaryIndexes", [])
    }
    assert model_indexes == template_indexes
    # And the TTL attribute, if any, is the one the template expires on
    ttl_attribute = next(
        (name for name, attribute in model.get_attributes().items() if type(attribute).__name__ == "TTLAttribute"),
        None,
    )
    ttl = TABLES[logical_id]["Properties"].get("TimeToLiveSpecification")
    assert ttl_attribute == (ttl["AttributeName"] if ttl else None)


def test_every_table_has_a_model():
    assert {_table_of(model) for model in ALL_MODELS} == set(TABLES)


@pytest.mark.parametrize("logical_id", sorted(TABLES))
def test_tables_are_on_demand_recoverable_and_encrypted(logical_id):
    table = TABLES[logical_id]
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert table["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_each_handler_string_names_a_unique_handler_module(logical_id):
    spec = FUNCTIONS[logical_id]
    module_name, _, attribute = spec.handler.rpartition(".")
    package, _, module = module_name.partition(".")
    # Handlers live at functions/<name>/handler.py and are called lambda_handler
    assert module == "handler"
    assert attribute == "lambda_handler"
    assert spec.properties["CodeUri"] == "functions/"
    assert (PROJECT_ROOT / "functions" / package / "handler.py").is_file()
    assert callable(getattr(importlib.import_module(module_name), attribute))


def test_handler_packages_are_not_shared_between_functions():
    packages = [spec.handler.split(".")[0] for spec in FUNCTIONS.values()]
    assert len(packages) == len(set(packages))


def _resolver_routes(module_name: str) -> set[tuple[str, str]]:
    app = importlib.import_module(module_name).app
    return {(route.method, route.openapi_path) for route in app._static_routes + app._dynamic_routes}


@pytest.mark.parametrize(
    "logical_id",
    sorted({route.function for route in http_routes(TEMPLATE)}),
)
def test_template_routes_and_resolver_routes_are_the_same(logical_id):
    # Given the HTTP routes the template sends to a function
    # (a console route, /team/..., is served by the same resolver route as its /v1 twin)
    declared = {(route.method, api_path(route.path)) for route in http_routes(TEMPLATE) if route.function == logical_id}
    # Then the function's resolver serves exactly those
    module_name = FUNCTIONS[logical_id].handler.rpartition(".")[0]
    assert _resolver_routes(module_name) == declared


def test_only_public_routes_skip_the_authorizer():
    public = {(route.method, route.path) for route in http_routes(TEMPLATE) if route.authorizer is None}
    assert public == {
        ("POST", "/v1/businesses"),
        ("GET", "/v1/health"),
        ("GET", "/v1/openapi.json"),
        ("GET", "/webhooks/whatsapp"),
        ("POST", "/webhooks/whatsapp"),
        ("GET", "/v1/public/verified/{phone_number}"),
    }


def test_the_console_routes_are_the_team_roles_ones_each_behind_the_jwt_authorizer_beside_its_twin():
    # Given the console's routes (/team/...) the template declares
    console = [route for route in http_routes(TEMPLATE) if is_team_path(route.path)]
    twins = {(route.method, route.path): route for route in http_routes(TEMPLATE)}
    # Then they are exactly the routes whose roles rules.team_roles decides
    assert {(route.method, api_path(route.path)) for route in console} == set(CONSOLE_ROUTES)
    for route in console:
        # each checked by API Gateway's JWT authorizer of the team's user pool
        assert route.authorizer == "TeamMemberAuthorizer", route
        # and served by the same function as its /v1 twin, which machine clients call with an API key
        twin = twins[(route.method, api_path(route.path))]
        assert (twin.function, twin.authorizer) == (route.function, "ApiKeyAuthorizer"), route
    jwt = TEMPLATE["Resources"]["HttpApi"]["Properties"]["Auth"]["Authorizers"]["TeamMemberAuthorizer"]
    assert jwt["JwtConfiguration"]["audience"] == [{"Ref": "TeamUserPoolClient"}]
    assert "${TeamUserPool}" in jwt["JwtConfiguration"]["issuer"]["Fn::Sub"]


def test_members_cannot_change_their_business_and_the_console_keeps_no_secret():
    client = TEMPLATE["Resources"]["TeamUserPoolClient"]["Properties"]
    assert client["GenerateSecret"] is False
    assert "custom:business_id" in client["ReadAttributes"]
    assert "custom:business_id" not in client["WriteAttributes"]
    pool = TEMPLATE["Resources"]["TeamUserPool"]["Properties"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    groups = {
        r["Properties"]["GroupName"]
        for r in TEMPLATE["Resources"].values()
        if r["Type"] == "AWS::Cognito::UserPoolGroup"
    }
    assert groups == {"owner", "agent", "reviewers"}


def test_admin_routes_and_only_they_are_signed_with_iam():
    signed = {route.path for route in http_routes(TEMPLATE) if route.authorizer == "AWS_IAM"}
    assert signed
    assert all(path.startswith("/admin/") for path in signed)
    assert {route.path for route in http_routes(TEMPLATE) if route.path.startswith("/admin/")} == signed


def test_the_documents_bucket_is_private_encrypted_and_cleans_up_incomplete_uploads():
    bucket = TEMPLATE["Resources"]["VerificationDocumentsBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    rules = bucket["LifecycleConfiguration"]["Rules"]
    assert any("AbortIncompleteMultipartUpload" in rule for rule in rules)


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_each_function_has_its_own_log_group_with_retention(logical_id):
    groups = resources_of_type(TEMPLATE, "AWS::Logs::LogGroup").values()
    names = [group["Properties"]["LogGroupName"] for group in groups]
    assert {"Fn::Sub": f"/aws/lambda/${{{logical_id}}}"} in names
    assert all(group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"} for group in groups)


WABA_TOKEN_SECRETS = (
    "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:bizline/${Stage}/waba/*"
)


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_policies_are_statements_naming_actions_and_resources_of_this_template(logical_id):
    # Given the function's policies
    for policy in FUNCTIONS[logical_id].properties.get("Policies", []):
        # Then each is a list of inline statements, never a broad SAM policy template (CRUD, S3Crud, ...)
        assert isinstance(policy, dict)
        assert list(policy) == ["Statement"], (logical_id, list(policy))
        for statement in policy["Statement"]:
            # each with a Sid, explicit actions (no wildcard) and resources of this template only
            assert statement["Sid"], (logical_id, statement)
            assert statement["Effect"] in {"Allow", "Deny"}, (logical_id, statement)
            assert all("*" not in action for action in statement["Action"]), (logical_id, statement["Sid"])
            for resource in statement["Resource"]:
                if resource == {"Fn::Sub": WABA_TOKEN_SECRETS}:
                    # The one pattern: businesses' WhatsApp account tokens, one secret each, made at run time
                    assert all(action.startswith("secretsmanager:") for action in statement["Action"]), logical_id
                    continue
                ((function, _target),) = resource.items()
                assert function in {"Ref", "Fn::GetAtt", "Fn::Sub"}, (logical_id, statement["Sid"])
                # Pseudo parameters (AWS::Region, ...) may complete an ARN pattern around a resource's name.
                named = [name for name in references(resource) if not name.startswith("AWS::")]
                assert named, (logical_id, statement["Sid"])
                assert all(name in TEMPLATE["Resources"] for name in named), (logical_id, statement["Sid"])


def test_the_layer_ships_exactly_the_runtime_dependencies():
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())
    requirements = [
        line.strip()
        for line in (PROJECT_ROOT / "layers/shared/requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert sorted(requirements) == sorted(pyproject["project"]["dependencies"])


def test_template_sections_come_in_the_agreed_order():
    text = (PROJECT_ROOT / "template.yaml").read_text()
    positions = [text.index(f"\n{section}:") for section in ("Parameters", "Globals", "Resources", "Outputs")]
    assert positions == sorted(positions)
    assert list(TEMPLATE["Parameters"])[:3] == ["Stage", "LogLevel", "LogRetentionDays"]
    globals_ = TEMPLATE["Globals"]["Function"]
    assert (globals_["Runtime"], globals_["Architectures"]) == ("python3.13", ["arm64"])


def test_no_handler_is_named_app_or_utils():
    names = {path.name for path in (PROJECT_ROOT / "functions").rglob("*.py")}
    names |= {path.name for path in (PROJECT_ROOT / "layers").rglob("*.py")}
    assert not names & {"app.py", "utils.py"}


def test_boto3_is_imported_only_by_adapters():
    for path in (PROJECT_ROOT / "layers/shared/bizline").rglob("*.py"):
        if "adapters" in path.parts:
            continue
        assert not re.search(r"^\s*(import boto3|from boto3)", path.read_text(), re.MULTILINE), path


def test_every_route_and_function_has_a_sample_event():
    events = {path.parent.name: [] for path in (PROJECT_ROOT / "events").glob("*/*.json")}
    for path in (PROJECT_ROOT / "events").glob("*/*.json"):
        events[path.parent.name].append(path.read_text())
    for spec in FUNCTIONS.values():
        assert spec.handler.split(".")[0] in events, spec.logical_id
    for route in http_routes(TEMPLATE):
        package = FUNCTIONS[route.function].handler.split(".")[0]
        assert any(f'"routeKey": "{route.method} {route.path}"' in text for text in events[package]), route


def test_the_audit_trail_is_append_only_for_every_function():
    # Given every function's role as SAM expands it
    audit = iam.AUDIT_TABLE
    for logical_id in FUNCTIONS:
        # Then none may update, delete or batch-write an audit entry
        for action in ("dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"):
            assert not iam.allowed(logical_id, action, audit), (logical_id, action)
        # and a function that may put one is also explicitly denied the rest (a later broad grant cannot widen it)
        if iam.allowed(logical_id, "dynamodb:PutItem", audit):
            denied = [
                statement
                for statement in iam.role_statements()[logical_id]
                if statement.effect == "Deny" and audit in statement.resources
            ]
            assert {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"} <= {
                action for statement in denied for action in statement.actions
            }, logical_id


def test_only_reviewers_get_credentials_and_only_for_the_verification_review_routes():
    resources = TEMPLATE["Resources"]
    # Given the identity pool the console trades a member's ID token at
    pool = resources["TeamIdentityPool"]["Properties"]
    assert pool["AllowUnauthenticatedIdentities"] is False
    assert pool["CognitoIdentityProviders"] == [
        {
            "ClientId": {"Ref": "TeamUserPoolClient"},
            "ProviderName": {"Fn::GetAtt": ["TeamUserPool", "ProviderName"]},
            "ServerSideTokenCheck": True,
        }
    ]
    # Then only the reviewers group maps to a role, and no one else gets any (no default role, Deny)
    attachment = resources["TeamIdentityPoolRoles"]["Properties"]
    assert "Roles" not in attachment
    (mapping,) = attachment["RoleMappings"].values()
    assert (mapping["Type"], mapping["AmbiguousRoleResolution"]) == ("Rules", "Deny")
    (rule,) = mapping["RulesConfiguration"]["Rules"]
    assert (rule["Claim"], rule["MatchType"], rule["Value"]) == ("cognito:groups", "Contains", "reviewers")
    assert rule["RoleARN"] == {"Fn::GetAtt": ["ReviewerRole", "Arn"]}
    # And that role trusts this pool's authenticated identities and may invoke the review routes, nothing else
    role = resources["ReviewerRole"]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Federated": "cognito-identity.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"cognito-identity.amazonaws.com:aud": {"Ref": "TeamIdentityPool"}}
    assert trust["Condition"]["ForAnyValue:StringLike"] == {"cognito-identity.amazonaws.com:amr": "authenticated"}
    statements = [statement for policy in role["Policies"] for statement in policy["PolicyDocument"]["Statement"]]
    assert {(statement["Effect"], tuple(statement["Action"])) for statement in statements} == {
        ("Allow", ("execute-api:Invoke",))
    }
    prefix = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*/"
    resources_granted = [resource for statement in statements for resource in statement["Resource"]]
    granted = {resource["Fn::Sub"].removeprefix(prefix) for resource in resources_granted}
    assert granted == {
        "GET/admin/verification-requests",
        "GET/admin/verification-requests/*",
        "POST/admin/verification-requests/*/claim",
        "POST/admin/verification-requests/*/decision",
    }
