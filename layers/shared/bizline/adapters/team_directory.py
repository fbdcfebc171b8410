"""The team's Cognito user pool: a member's login, their business and their role group.

Inviting creates the user with `custom:business_id` (which members cannot write) and lets Cognito
send the invitation with a temporary password; the member chooses their own at the first sign-in.
"""

import contextlib
from typing import Any

from bizline.adapters.aws_clients import client
from bizline.errors import Conflict, ValidationFailed
from bizline.settings import get_settings


def _cognito() -> Any:
    return client("cognito-idp")


def invite(email: str, business_id: str, role: str) -> str:
    """Create the member's login and put it in its role's group; their `sub` (member id).

    Conflict `member_exists` when the address already has a login (of any business: not said whose).
    """
    cognito = _cognito()
    pool = get_settings().team_user_pool_id
    try:
        user = cognito.admin_create_user(
            UserPoolId=pool,
            Username=email,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "custom:business_id", "Value": business_id},
            ],
            DesiredDeliveryMediums=["EMAIL"],
        )["User"]
    except cognito.exceptions.UsernameExistsException as error:
        raise Conflict("This e-mail address already has a bizline login.", code="member_exists") from error
    except cognito.exceptions.InvalidParameterException as error:
        raise ValidationFailed(
            "The e-mail address cannot be a login.",
            details=[{"field": "email", "message": "is not a usable login", "type": "value_error"}],
        ) from error
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=role)
    attributes = {attribute["Name"]: attribute["Value"] for attribute in user.get("Attributes", [])}
    return attributes.get("sub") or user["Username"]


def remove(email: str) -> None:
    """Delete the member's login; a login already gone is no error."""
    cognito = _cognito()
    with contextlib.suppress(cognito.exceptions.UserNotFoundException):
        cognito.admin_delete_user(UserPoolId=get_settings().team_user_pool_id, Username=email)
