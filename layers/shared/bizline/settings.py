"""Typed settings read from the environment, once per container, on first use."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    stage: str = "dev"
    businesses_table: str
    api_keys_table: str
    phone_numbers_table: str = "PhoneNumbersTable"
    customers_table: str = "CustomersTable"
    messages_table: str = "MessagesTable"
    deliveries_table: str = "DeliveriesTable"
    unrouted_webhooks_table: str = "UnroutedWebhooksTable"
    idempotency_table: str = "IdempotencyTable"
    send_rate_table: str = "SendRateTable"
    verification_requests_table: str = "VerificationRequestsTable"
    verification_audit_table: str = "VerificationAuditTable"
    verification_documents_bucket: str = "verificationdocumentsbucket"
    delivery_queue_url: str = ""
    send_queue_url: str = ""
    status_queue_url: str = ""
    meta_secret_name: str = "bizline/meta"  # noqa: S105 - the name of a secret, not one
    meta_graph_api_version: str = "v21.0"
    meta_graph_api_url: str = "https://graph.facebook.com"
    # Meta's default throughput per business phone number.
    sends_per_second_per_number: float = 80.0
    callback_timeout_seconds: float = 15.0
    # Local development may deliver callbacks to http://127.0.0.1; never enable it in AWS.
    allow_http_callbacks: bool = False
    max_body_bytes: int = 64 * 1024
    # How long before an API key's last-used time is refreshed: bounds writes on hot keys.
    key_last_used_resolution_seconds: int = 300


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
