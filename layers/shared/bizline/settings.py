"""Typed settings read from the environment, once per container, on first use."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    stage: str = "dev"
    businesses_table: str
    api_keys_table: str
    # Local development may deliver callbacks to http://127.0.0.1; never enable it in AWS.
    allow_http_callbacks: bool = False
    max_body_bytes: int = 64 * 1024
    # How long before an API key's last-used time is refreshed: bounds writes on hot keys.
    key_last_used_resolution_seconds: int = 300


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
