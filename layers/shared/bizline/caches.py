"""The one public way to forget what a process cached: settings, AWS clients and connections.

Tests and the local platform call it when they point bizline at another (embedded) AWS.
"""


def reset_caches() -> None:
    """Forget settings, boto3 clients, PynamoDB connections, cached secrets, idempotency config and usage rosters."""
    from aws_lambda_powertools.utilities import parameters

    from bizline.adapters.aws_clients import reset_clients
    from bizline.adapters.conditional import reset_connection
    from bizline.adapters.tables import reset_connections
    from bizline.adapters.usage_store import forget_rosters
    from bizline.services.idempotent_replies import reset_idempotency
    from bizline.settings import get_settings

    get_settings.cache_clear()
    reset_connections()
    reset_connection()
    reset_clients()
    parameters.clear_caches()
    reset_idempotency()
    forget_rosters()
