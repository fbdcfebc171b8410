"""Which provider carries outbound messages: Meta's Graph API, unless the local platform installed its own.

A deployed stack has no setting that selects anything else; only code running in the same
process (the local platform, tests) can call `use_provider`.
"""

from bizline.rules.providers import MessagingProvider

_installed: MessagingProvider | None = None


def use_provider(provider: MessagingProvider | None) -> None:
    """Send through `provider` from now on; None goes back to Meta's Graph API."""
    global _installed
    _installed = provider


def get_provider() -> MessagingProvider:
    """The provider in force: the installed one, else Meta's Graph API."""
    if _installed is not None:
        return _installed
    from bizline.adapters.meta_graph import MetaGraphProvider

    return MetaGraphProvider()
