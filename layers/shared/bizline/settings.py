"""Typed settings read from the environment, once per container, on first use.

Resource names (tables, queues, the bucket, the secret) have no defaults: each function's
environment in template.yaml names the resources it uses, and reading one the environment does
not name raises `MissingSetting` with the variable to set, instead of pointing at a resource
that does not exist.

Each field is read from the variable of its name in upper case (MESSAGES_TABLE for
messages_table; the name is matched regardless of case) and parsed by pydantic as the field's
type. A plain pydantic model does that: pydantic-settings, with its dotenv, CLI and cloud sources
bizline does not use, cost more import time than all of bizline's own settings code.
"""

import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict


class MissingSetting(RuntimeError):
    """A resource name the code needs is not in this function's environment."""

    def __init__(self, field: str):
        self.field = field
        self.variable = environment_variable(field)
        super().__init__(f"{self.variable} is not set: this function's environment must name the resource")


class _ResourceName:
    """Marks a setting as the name of an AWS resource: required when read, never defaulted."""


ResourceName = Annotated[str | None, _ResourceName()]


def _from_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables named like a field (of any case), keyed by the field."""
    by_name = {name.lower(): value for name, value in environ.items()}
    return {field: by_name[field] for field in Settings.model_fields if field in by_name}


class Settings(BaseModel):
    """Read from the environment when created; values given as arguments take precedence."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    stage: str = "dev"
    businesses_table: ResourceName = None
    api_keys_table: ResourceName = None
    phone_numbers_table: ResourceName = None
    whatsapp_accounts_table: ResourceName = None
    public_badges_table: ResourceName = None
    customers_table: ResourceName = None
    messages_table: ResourceName = None
    deliveries_table: ResourceName = None
    unrouted_webhooks_table: ResourceName = None
    whatsapp_events_table: ResourceName = None
    idempotency_table: ResourceName = None
    team_members_table: ResourceName = None
    team_user_pool_id: ResourceName = None
    send_rate_table: ResourceName = None
    subscribers_table: ResourceName = None
    newsletters_table: ResourceName = None
    newsletter_schedule_group: ResourceName = None
    newsletter_dispatcher_arn: ResourceName = None
    newsletter_scheduler_role_arn: ResourceName = None
    newsletter_schedule_dead_letter_arn: ResourceName = None
    newsletter_dispatch_queue_url: ResourceName = None
    verification_requests_table: ResourceName = None
    verification_audit_table: ResourceName = None
    usage_table: ResourceName = None
    verification_documents_bucket: ResourceName = None
    invoices_bucket: ResourceName = None
    delivery_queue_url: ResourceName = None
    send_queue_url: ResourceName = None
    status_queue_url: ResourceName = None
    ingest_queue_url: ResourceName = None
    meta_secret_name: ResourceName = None
    # Signs pagination cursors (adapters/cursors.py); the stack generates it.
    cursor_secret_name: ResourceName = None
    meta_graph_api_version: str = "v21.0"
    meta_graph_api_url: str = "https://graph.facebook.com"
    # Meta's default throughput per business phone number.
    sends_per_second_per_number: float = 80.0
    callback_timeout_seconds: float = 15.0
    # Local development may deliver callbacks to http://127.0.0.1; never enable it in AWS.
    allow_http_callbacks: bool = False
    max_body_bytes: int = 64 * 1024
    # Meta's webhook notifications may be up to 3 MB: a signed one refused would be retried for days.
    max_webhook_body_bytes: int = 3 * 1024 * 1024
    # How deep arrays and objects may nest in a request body (Meta's webhooks nest about ten deep).
    max_body_depth: int = 32
    # How long before an API key's last-used time is refreshed: bounds writes on hot keys.
    key_last_used_resolution_seconds: int = 300
    # How many active API keys and phone numbers one business may have (409 limit_reached beyond).
    max_active_api_keys: int = 10
    max_phone_numbers_per_business: int = 20
    # Messages and customers are kept this long after their last activity, then expire (DynamoDB TTL).
    retention_days: int = 400
    # The newsletter dispatcher hands its cursor on when less than this is left of its invocation.
    dispatch_handoff_seconds: float = 30.0

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**_from_environment(os.environ), **values})

    def __getattribute__(self, name: str) -> Any:
        value = super().__getattribute__(name)
        # Only an unset value pays for the membership check; a set name is returned as read.
        if (value is None or value == "") and name in RESOURCE_FIELDS:
            raise MissingSetting(name)
        return value


RESOURCE_FIELDS: frozenset[str] = frozenset(
    name
    for name, field in Settings.model_fields.items()
    if any(isinstance(marker, _ResourceName) for marker in field.metadata)
)


def environment_variable(field: str) -> str:
    """The environment variable a settings field is read from."""
    return field.upper()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    return Settings()
