"""Create on the embedded AWS every resource template.yaml declares: nothing is declared twice.

moto's CloudFormation skips API Gateway and Scheduler resources and cannot build SAM-transformed
functions without Docker, so the local platform creates data resources itself from the template.
"""

import json
import secrets
from collections.abc import Callable
from typing import Any

from local.cognito import create_team_pool
from local.template import create_tables, physical_name, resolve, resources_of_type

_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
)


def create_queues(sqs: Any, template: dict[str, Any], endpoint: str) -> list[str]:
    queues = resources_of_type(template, "AWS::SQS::Queue")
    # Dead-letter queues first, so every redrive policy finds its target.
    ordered = sorted(queues, key=lambda logical_id: "RedrivePolicy" in queues[logical_id].get("Properties", {}))
    for logical_id in ordered:
        properties = queues[logical_id].get("Properties", {})
        attributes = {
            name: str(properties[name]).lower() if isinstance(properties[name], bool) else str(properties[name])
            for name in _QUEUE_ATTRIBUTES
            if name in properties
        }
        if "RedrivePolicy" in properties:
            policy = properties["RedrivePolicy"]
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": resolve(template, policy["deadLetterTargetArn"], endpoint),
                    "maxReceiveCount": str(policy["maxReceiveCount"]),
                }
            )
        sqs.create_queue(QueueName=physical_name(template, logical_id), Attributes=attributes)
    return [physical_name(template, logical_id) for logical_id in ordered]


def create_buckets(s3: Any, template: dict[str, Any]) -> list[str]:
    names = []
    for logical_id in resources_of_type(template, "AWS::S3::Bucket"):
        name = physical_name(template, logical_id)
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": s3.meta.region_name})
        names.append(name)
    return names


def create_schedule_groups(scheduler: Any, template: dict[str, Any]) -> list[str]:
    names = []
    for logical_id in resources_of_type(template, "AWS::Scheduler::ScheduleGroup"):
        name = physical_name(template, logical_id)
        scheduler.create_schedule_group(Name=name)
        names.append(name)
    return names


def create_parameters_and_secrets(ssm: Any, secretsmanager: Any, template: dict[str, Any], endpoint: str) -> None:
    for logical_id, resource in resources_of_type(template, "AWS::SSM::Parameter").items():
        properties = resource["Properties"]
        ssm.put_parameter(
            Name=resolve(template, properties.get("Name", logical_id), endpoint),
            Value=str(resolve(template, properties["Value"], endpoint)),
            Type=properties.get("Type", "String"),
            Overwrite=True,
        )
    for logical_id, resource in resources_of_type(template, "AWS::SecretsManager::Secret").items():
        properties = resource.get("Properties", {})
        value = properties.get("SecretString")
        if value is None:
            generate = properties.get("GenerateSecretString", {})
            generated = secrets.token_urlsafe(int(generate.get("PasswordLength", 32)))
            key = generate.get("GenerateStringKey")
            base = json.loads(generate.get("SecretStringTemplate", "{}")) if key else None
            value = json.dumps({**base, key: generated}) if key else generated
        secretsmanager.create_secret(
            Name=resolve(template, properties.get("Name", physical_name(template, logical_id)), endpoint),
            SecretString=resolve(template, value, endpoint),
        )


def provision(client: Callable[[str], Any], template: dict[str, Any], endpoint: str) -> dict[str, list[str]]:
    """Create every table, queue, bucket, schedule group, user pool, parameter and secret of the template.

    `client(service)` makes a boto3 client for the embedded AWS; `endpoint` is what queue URLs name.
    """
    created = {
        "tables": create_tables(client("dynamodb"), template),
        "queues": create_queues(client("sqs"), template, endpoint),
        "buckets": create_buckets(client("s3"), template),
        "schedule_groups": create_schedule_groups(client("scheduler"), template),
        "user_pools": list(create_team_pool(client("cognito-idp"), template).user_pools.values()),
    }
    create_parameters_and_secrets(client("ssm"), client("secretsmanager"), template, endpoint)
    return created
