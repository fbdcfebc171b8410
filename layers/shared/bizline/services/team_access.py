"""Whether a signed-in console member is still on their business's team."""

from bizline.adapters import team_members_store
from bizline.errors import Unauthorized


def authenticate_member(business_id: str, member_id: str) -> None:
    """Refuse a console request from someone no longer on the business's team.

    API Gateway accepts a member's ID token until it expires (up to an hour), also after an owner
    removed them: their membership is read on each request (one GetItem), so removal ends their
    access at once, as revoking ends an API key's.
    """
    if team_members_store.get_member(business_id, member_id) is None:
        raise Unauthorized("This login is no longer a member of the business's team: ask an owner to invite you again.")
