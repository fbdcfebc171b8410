"""Meta's app credentials, from Secrets Manager, read once per container (Powertools caches them)."""

from dataclasses import dataclass

from bizline.settings import get_settings

_CACHE_SECONDS = 300


@dataclass(frozen=True)
class MetaCredentials:
    """The Meta app's secret (signs webhooks), the handshake's verify token and the Graph API token."""

    app_secret: str
    verify_token: str
    access_token: str


def meta_credentials() -> MetaCredentials:
    """The credentials in force; missing values are empty strings, which match nothing."""
    from aws_lambda_powertools.utilities import parameters

    secret = parameters.get_secret(get_settings().meta_secret_name, transform="json", max_age=_CACHE_SECONDS)
    return MetaCredentials(
        app_secret=str(secret.get("app_secret", "")),
        verify_token=str(secret.get("verify_token", "")),
        access_token=str(secret.get("access_token", "")),
    )
