"""Each function's environment and policies cover what its code can reach, and no more variables.

The analysis (tests/contract/code_reach.py) follows the import graph from each handler module,
imports inside functions included, and collects the settings those modules read and the table
models they reference. Reachability is by module, so it is coarse: a module that reads a setting
for one function counts for every function importing it. Read and write access are not told
apart: a policy must name the resource, of a kind that fits it.
"""

from typing import Any

import pytest

from local.template import declared_environment, functions, global_environment, load_template
from tests.contract.code_reach import (
    SETTINGS_FIELDS_BY_VARIABLE,
    SettingRead,
    function_settings_reads,
    import_graph,
    is_resource_setting,
    references,
)

TEMPLATE = load_template()
FUNCTIONS = functions(TEMPLATE)
HANDLER_PACKAGES = tuple(sorted(spec.handler.split(".")[0] for spec in FUNCTIONS.values()))
GLOBAL_VARIABLES = global_environment(TEMPLATE)
# A tunable the template sets for some function must reach every function that reads it, or
# that function silently runs on the default instead of the deployer's parameter.
CONFIGURED_VARIABLES = {name for logical_id in FUNCTIONS for name in declared_environment(TEMPLATE, logical_id)}
# The OpenAPI route imports every router to describe the whole API; it never calls their handlers.
DESCRIBED_NOT_CALLED = frozenset({("bizline.routes.openapi", "bizline.routes.catalog")})
POLICY_TEMPLATES_BY_RESOURCE_TYPE = {
    "AWS::DynamoDB::Table": {"DynamoDBReadPolicy", "DynamoDBCrudPolicy", "DynamoDBWritePolicy"},
    "AWS::SQS::Queue": {"SQSSendMessagePolicy", "SQSPollerPolicy"},
    "AWS::S3::Bucket": {"S3ReadPolicy", "S3CrudPolicy", "S3WritePolicy"},
    "AWS::SecretsManager::Secret": {"AWSSecretsManagerGetSecretValuePolicy"},
    "AWS::Cognito::UserPool": set(),  # no SAM policy template: inline statements only
    # No SAM policy template fits these: inline statements only (scheduler:*Schedule in the group, iam:PassRole).
    "AWS::Scheduler::ScheduleGroup": set(),
    "AWS::IAM::Role": set(),
}
# Resources a function names to another AWS service, never calling them itself: (function, variable) -> why.
HANDED_TO_ANOTHER_SERVICE = {
    ("NewslettersApiFunction", "NEWSLETTER_SCHEDULE_DEAD_LETTER_ARN"): (
        "each newsletter schedule names it as its dead-letter queue; EventBridge Scheduler sends there with "
        "NewsletterSchedulerRole, never the function"
    ),
}


def _reads(logical_id: str) -> list[SettingRead]:
    handler_module = FUNCTIONS[logical_id].handler.rpartition(".")[0]
    reads, unfollowed = function_settings_reads(handler_module, HANDLER_PACKAGES, DESCRIBED_NOT_CALLED)
    assert not unfollowed, f"{logical_id}: settings read in a way the contract cannot follow:\n" + "\n".join(unfollowed)
    return reads


def _needs_variable(read: SettingRead) -> bool:
    return is_resource_setting(read.field) or read.variable in CONFIGURED_VARIABLES


def _resources_named_by(value: Any) -> set[str]:
    """Resources a variable's value names: by !Ref/!GetAtt, or through the parameter that names them."""
    resources = TEMPLATE["Resources"]
    named = set()
    for target in references(value):
        if target in resources:
            named.add(target)
        elif target in TEMPLATE.get("Parameters", {}):
            named |= {
                logical_id
                for logical_id, resource in resources.items()
                if any(
                    key.endswith("Name") and prop == {"Ref": target}
                    for key, prop in resource.get("Properties", {}).items()
                )
            }
    return {logical_id for logical_id in named if resources[logical_id]["Type"] in POLICY_TEMPLATES_BY_RESOURCE_TYPE}


def _resources_allowed(logical_id: str) -> set[str]:
    """Resources a function's policies name, each by a policy that fits its kind."""
    resources = TEMPLATE["Resources"]
    allowed = set()
    for policy in FUNCTIONS[logical_id].properties.get("Policies", []):
        if not isinstance(policy, dict):
            continue
        for name, arguments in policy.items():
            if name == "Statement":
                # Inline statements: the resources of their Allow statements (a Deny grants nothing).
                allowed |= {
                    target
                    for statement in arguments
                    if statement.get("Effect") == "Allow"
                    for target in references(statement.get("Resource"))
                    if target in resources
                }
                continue
            for target in references(arguments):
                if target not in resources:
                    continue  # a parameter or pseudo parameter in an ARN pattern, e.g. the stage's secrets
                kind = resources[target].get("Type")
                if name == "Statement" or name in POLICY_TEMPLATES_BY_RESOURCE_TYPE.get(kind, ()):
                    allowed.add(target)
    return allowed


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_each_function_environment_names_every_setting_its_code_reads(logical_id):
    # Given the settings the function's code can read
    reads = _reads(logical_id)
    # When its environment is what Lambda gives it (Globals, then its own variables)
    environment = declared_environment(TEMPLATE, logical_id)
    # Then every resource name (and every tunable the template configures) is in it
    missing = sorted(
        {
            f"{logical_id}: {read.module} reads {read.field} (via {read.via}) but {read.variable} "
            "is not in its Environment"
            for read in reads
            if _needs_variable(read) and read.variable not in environment
        }
    )
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_each_function_gets_only_the_settings_its_code_reads(logical_id):
    # Given the variables the function declares itself, and the settings its code can read
    own = declared_environment(TEMPLATE, logical_id).keys() - GLOBAL_VARIABLES.keys()
    read_variables = {read.variable for read in _reads(logical_id)}
    # Then each variable that feeds a setting is one the code reads
    unused = sorted(own & SETTINGS_FIELDS_BY_VARIABLE.keys() - read_variables)
    assert not unused, f"{logical_id} declares {', '.join(unused)} but no module it reaches reads them"


def test_globals_name_no_resources():
    # Given the variables every function gets
    resource_variables = {
        name for name in GLOBAL_VARIABLES if is_resource_setting(SETTINGS_FIELDS_BY_VARIABLE.get(name, ""))
    }
    # Then none of them names a resource: each function names its own
    assert not resource_variables


def test_edges_left_unfollowed_are_imports_the_code_makes():
    # Given the import graph of the product
    graph = import_graph(HANDLER_PACKAGES)
    # Then each import the analysis does not follow still exists (a renamed module must not widen it)
    for importer, imported in DESCRIBED_NOT_CALLED:
        assert imported in graph.find_modules_directly_imported_by(importer), (importer, imported)


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_each_function_may_use_the_resources_its_code_reaches(logical_id):
    # Given the resources the function's code reaches through its settings
    environment = declared_environment(TEMPLATE, logical_id)
    allowed = _resources_allowed(logical_id)
    # Then its policies name each of them
    missing = sorted(
        {
            f"{logical_id}: {read.module} reads {read.field} (via {read.via}), {read.variable} names {resource}, "
            "which no policy of the function names"
            for read in _reads(logical_id)
            if read.variable in environment and (logical_id, read.variable) not in HANDED_TO_ANOTHER_SERVICE
            for resource in _resources_named_by(environment[read.variable])
            if resource not in allowed
        }
    )
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_each_policy_names_a_resource_the_code_reaches(logical_id):
    # Given the resources the function's code reaches through its settings
    environment = declared_environment(TEMPLATE, logical_id)
    reached = set()
    for read in _reads(logical_id):
        if read.variable in environment and (logical_id, read.variable) not in HANDED_TO_ANOTHER_SERVICE:
            reached |= _resources_named_by(environment[read.variable])
    # Then its policies grant nothing beyond them
    extra = sorted(_resources_allowed(logical_id) - reached)
    assert not extra, f"{logical_id} has policies on {', '.join(extra)} but no module it reaches uses them"
