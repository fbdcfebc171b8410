"""A business's team: an owner (or the business's API key) invites members by e-mail, lists and removes them.

Each member gets a login in the team's user pool with their business and role; the console's
/team routes act as the signed-in member (API Gateway's JWT authorizer put their claims in the event).
"""

import boto3
import pytest

from local.template import REGION, load_template, physical_name
from tests.support import as_member, bearer, post_json, sign_up

POOL = physical_name(load_template(), "TeamUserPool")


def _cognito():
    return boto3.client("cognito-idp", region_name=REGION)


def _as_member(method, route, business_id, role, **kwargs):
    return as_member("BusinessApiFunction", method, route, business_id, role, **kwargs)


def test_a_business_invites_its_first_owner_with_its_api_key(api, aws):
    # Given a business that just signed up
    business, key = sign_up(api)
    business_id = business["business_id"]
    # When it invites its owner by e-mail
    response = post_json(api, "/v1/members", {"email": "Eva@Example.com", "role": "owner"}, api_key=key)
    # Then the owner has a login of that business in the owner group (Cognito mails the temporary password)
    assert response.status == 201, response.body
    member = response.json()
    assert (member["email"], member["role"], member["invited_by"]) == ("eva@example.com", "owner", None)
    user = _cognito().admin_get_user(UserPoolId=POOL, Username="eva@example.com")
    attributes = {attribute["Name"]: attribute["Value"] for attribute in user["UserAttributes"]}
    assert attributes["custom:business_id"] == business_id
    assert attributes["sub"] == member["member_id"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    groups = _cognito().admin_list_groups_for_user(UserPoolId=POOL, Username="eva@example.com")["Groups"]
    assert [group["GroupName"] for group in groups] == ["owner"]
    # And the team lists them
    listed = api.request("GET", "/v1/members", headers=bearer(key)).json()["items"]
    assert [item["member_id"] for item in listed] == [member["member_id"]]


def test_an_address_with_a_login_is_refused_without_saying_whose(api, aws):
    # Given a member of one business
    _, first = sign_up(api)
    post_json(api, "/v1/members", {"email": "sam@example.com", "role": "agent"}, api_key=first)
    # When another business invites the same address
    _, second = sign_up(api, display_name="Konditorei Zwei")
    response = post_json(api, "/v1/members", {"email": "sam@example.com", "role": "agent"}, api_key=second)
    # Then it is a conflict, and the other business's team stays its own
    assert response.status == 409
    assert response.json()["error"]["code"] == "member_exists"
    assert api.request("GET", "/v1/members", headers=bearer(second)).json()["items"] == []


def test_invitations_are_checked_like_every_request(api, aws):
    _, key = sign_up(api)
    too_long = "a" * 60 + "@" + "b" * 60 + ".example.com"  # a valid address, longer than a login may be
    for body in (
        {"email": "not-an-address", "role": "agent"},
        {"email": "a@example.com", "role": "admin"},
        {"email": too_long, "role": "agent"},
        {"email": "0@0.a", "role": "agent"},  # a top-level domain of one letter is no login
        {"email": "zoë@example.com", "role": "agent"},  # nor is an address beyond ASCII
        {},
    ):
        response = post_json(api, "/v1/members", body, api_key=key)
        assert response.status == 422, body
        assert response.json()["error"]["code"] == "validation_failed"


def test_an_owner_invites_and_removes_an_agent_in_the_console_and_cannot_remove_themselves(api, aws):
    # Given a business whose owner signs in to the console
    business_id = sign_up(api)[0]["business_id"]
    # When the owner invites an agent
    status, agent = _as_member(
        "POST",
        "/team/v1/members",
        business_id,
        "owner",
        body={"email": "al@example.com", "role": "agent"},
    )
    # Then the invitation names who invited
    assert status == 201
    assert agent["invited_by"] == "owner@example.com"
    # And the owner removes the agent: their login is gone
    route = "/team/v1/members/{member_id}"
    parameters = {"member_id": agent["member_id"]}
    assert _as_member("DELETE", route, business_id, "owner", parameters=parameters)[0] == 204
    assert _cognito().list_users(UserPoolId=POOL, Filter='email = "al@example.com"')["Users"] == []
    assert _as_member("DELETE", route, business_id, "owner", parameters=parameters)[0] == 404
    # And an owner cannot remove themselves
    status, owner = _as_member(
        "POST",
        "/team/v1/members",
        business_id,
        "owner",
        body={"email": "o2@example.com", "role": "owner"},
    )
    mine = {"member_id": owner["member_id"]}
    status, refused = _as_member(
        "DELETE",
        route,
        business_id,
        "owner",
        member_id=owner["member_id"],
        parameters=mine,
    )
    assert status == 409
    assert refused["error"]["code"] == "cannot_remove_yourself"


def test_an_agent_may_not_see_or_change_the_team(api, aws):
    business_id = sign_up(api)[0]["business_id"]
    status, refused = _as_member("GET", "/team/v1/members", business_id, "agent")
    assert status == 403
    assert refused["error"]["code"] == "role_not_allowed"
    body = {"email": "x@example.com", "role": "owner"}
    assert _as_member("POST", "/team/v1/members", business_id, "agent", body=body)[0] == 403


CONSOLE_READS = [
    ("BusinessApiFunction", "/team/v1/members"),
    ("MessagingApiFunction", "/team/v1/conversations"),
    ("NewslettersApiFunction", "/team/v1/newsletters"),
    ("VerificationApiFunction", "/team/v1/verification-requests"),
    ("BillingApiFunction", "/team/v1/invoices"),
]


@pytest.mark.parametrize(("function", "route"), CONSOLE_READS)
def test_a_removed_member_is_refused_at_once_while_their_token_is_still_valid(api, aws, function, route):
    # Given a second owner of the business, reading in the console
    business_id = sign_up(api)[0]["business_id"]
    status, colleague = _as_member(
        "POST", "/team/v1/members", business_id, "owner", body={"email": "o2@example.com", "role": "owner"}
    )
    assert status == 201

    def colleague_reads():
        member_id = colleague["member_id"]
        return as_member(function, "GET", route, business_id, "owner", member_id=member_id, on_the_team=False)

    assert colleague_reads()[0] == 200
    # When the first owner removes them
    removal = {"member_id": colleague["member_id"]}
    assert _as_member("DELETE", "/team/v1/members/{member_id}", business_id, "owner", parameters=removal)[0] == 204
    # Then their next request, with the same ID token (valid for up to an hour), is refused
    status, refused = colleague_reads()
    assert status == 401
    assert refused["error"]["code"] == "unauthorized"
    assert "no longer a member" in refused["error"]["message"]
