"""EventBridge Scheduler: one schedule per newsletter in the stack's schedule group, invoking the dispatcher.

The only code that calls Scheduler. A one-time newsletter is an `at()` schedule in its zone that
deletes itself after it fired; a recurring one a `cron()`. Each firing's input names the newsletter
and Scheduler's own scheduled time, so a repeated delivery of one firing is the same run.
"""

import json

from bizline.adapters.aws_clients import client
from bizline.rules.newsletter_schedule import SchedulerExpression
from bizline.settings import get_settings

# Scheduler delivers at least once; a firing it could not deliver goes to the dead-letter queue.
RETRY_ATTEMPTS = 5
MAX_EVENT_AGE_SECONDS = 3600
SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"


def _request(business_id: str, newsletter_id: str, expression: SchedulerExpression) -> dict:
    settings = get_settings()
    request = {
        "Name": newsletter_id,
        "GroupName": settings.newsletter_schedule_group,
        "ScheduleExpression": expression.expression,
        "ScheduleExpressionTimezone": expression.timezone,
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "State": "ENABLED",
        "Target": {
            "Arn": settings.newsletter_dispatcher_arn,
            "RoleArn": settings.newsletter_scheduler_role_arn,
            "Input": json.dumps(
                {"business_id": business_id, "newsletter_id": newsletter_id, "scheduled_time": SCHEDULED_TIME}
            ),
            "RetryPolicy": {
                "MaximumRetryAttempts": RETRY_ATTEMPTS,
                "MaximumEventAgeInSeconds": MAX_EVENT_AGE_SECONDS,
            },
            "DeadLetterConfig": {"Arn": settings.newsletter_schedule_dead_letter_arn},
        },
    }
    if expression.one_time:
        request["ActionAfterCompletion"] = "DELETE"
    return request


def put_schedule(business_id: str, newsletter_id: str, expression: SchedulerExpression) -> None:
    """Create the newsletter's schedule, or replace it when it has one."""
    scheduler = client("scheduler")
    request = _request(business_id, newsletter_id, expression)
    try:
        scheduler.update_schedule(**request)
    except scheduler.exceptions.ResourceNotFoundException:
        scheduler.create_schedule(**request)


def delete_schedule(newsletter_id: str) -> bool:
    """Delete the newsletter's schedule; False when it had none (fired and deleted itself, or never made)."""
    scheduler = client("scheduler")
    try:
        scheduler.delete_schedule(Name=newsletter_id, GroupName=get_settings().newsletter_schedule_group)
    except scheduler.exceptions.ResourceNotFoundException:
        return False
    return True
