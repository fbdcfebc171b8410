"""Access tokens of connected WhatsApp Business Accounts, each a Secrets Manager secret of its own.

`bizline/<stage>/waba/<business_id>/<waba_id>`, encrypted by Secrets Manager, readable only by the
functions that speak to Meta for a business. Tokens are never logged nor returned by the API.
"""

import contextlib

from bizline.adapters.aws_clients import client
from bizline.settings import get_settings

# Rotated tokens reach every container within this long; the old one stays valid at Meta meanwhile.
_TOKEN_CACHE_SECONDS = 60


def secret_name(business_id: str, waba_id: str) -> str:
    """Where an account's access token lives."""
    return f"bizline/{get_settings().stage}/waba/{business_id}/{waba_id}"


def put_access_token(name: str, access_token: str) -> None:
    """Create the secret, or store a new version of it."""
    secrets = client("secretsmanager")
    try:
        secrets.put_secret_value(SecretId=name, SecretString=access_token)
    except secrets.exceptions.ResourceNotFoundException:
        secrets.create_secret(
            Name=name, SecretString=access_token, Description="A business's WhatsApp Business Account access token."
        )


def access_token(name: str) -> str | None:
    """The token in the secret; None when the secret is gone (the account was disconnected)."""
    from aws_lambda_powertools.utilities import parameters

    try:
        return str(parameters.get_secret(name, max_age=_TOKEN_CACHE_SECONDS))
    except parameters.exceptions.GetParameterError:
        return None


def delete_access_token(name: str) -> None:
    """Delete the secret at once (no recovery window: a revoked token must not come back)."""
    from aws_lambda_powertools.utilities import parameters

    secrets = client("secretsmanager")
    with contextlib.suppress(secrets.exceptions.ResourceNotFoundException):
        secrets.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    parameters.clear_caches()
