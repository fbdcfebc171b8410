"""Who a signed-in member is, and which console routes their role may call (rules.team_roles)."""

import pytest
from bizline.rules.team_roles import (
    CONSOLE_ROUTES,
    api_path,
    console_methods,
    groups_of,
    may_call,
    member_from_claims,
    role_of,
)

CLAIMS = {
    "sub": "3f1c-owner",
    "email": "owner@example.com",
    "custom:business_id": "biz_1",
    "cognito:groups": "[owner]",
    "token_use": "id",
}


@pytest.mark.parametrize(
    ("claim", "groups"),
    [("[owner agent]", ["owner", "agent"]), (["agent"], ["agent"]), ("[]", []), (None, []), ("agent", ["agent"])],
)
def test_groups_arrive_flattened_by_api_gateway_or_as_a_list(claim, groups):
    assert groups_of(claim) == groups


def test_an_owner_outranks_an_agent_and_a_reviewer_has_no_business_role():
    assert role_of(["agent", "owner"]) == "owner"
    assert role_of(["agent"]) == "agent"
    assert role_of(["reviewers"]) is None


def test_an_id_token_of_a_business_member_names_them():
    member = member_from_claims(CLAIMS)
    assert (member.member_id, member.email, member.business_id, member.role) == (
        "3f1c-owner",
        "owner@example.com",
        "biz_1",
        "owner",
    )


@pytest.mark.parametrize(
    "change",
    [{"token_use": "access"}, {"custom:business_id": ""}, {"sub": ""}],
    ids=["an access token", "no business", "no subject"],
)
def test_a_token_that_names_no_member_of_a_business_is_no_member(change):
    assert member_from_claims({**CLAIMS, **change}) is None


def test_an_owner_may_call_every_console_route_and_an_agent_the_inbox_and_reading_newsletters():
    agent_routes = {route for route in CONSOLE_ROUTES if may_call("agent", *route)}
    assert agent_routes == {
        ("GET", "/v1/conversations"),
        ("GET", "/v1/conversations/{customer_id}/messages"),
        ("POST", "/v1/conversations/{customer_id}/read"),
        ("PUT", "/v1/conversations/{customer_id}/assignee"),
        ("POST", "/v1/messages"),
        ("GET", "/v1/templates"),
        ("GET", "/v1/subscribers"),
    }
    assert all(may_call("owner", *route) for route in CONSOLE_ROUTES)
    assert not any(may_call(None, *route) for route in CONSOLE_ROUTES)
    # A console route is named with or without its /team prefix; a route the console lacks is no one's
    assert may_call("agent", "GET", "/team/v1/conversations")
    assert not may_call("owner", "GET", "/v1/openapi.json")


def test_a_405_under_team_names_the_methods_of_the_console_routes_only():
    assert api_path("/team/v1/api-keys") == "/v1/api-keys"
    assert console_methods("/team/v1/api-keys") == {"GET", "POST"}
    assert console_methods("/team/v1/templates") == {"GET"}
    assert console_methods("/team/v1/members/abc") == {"DELETE"}
    assert console_methods("/team/v1/nothing") == set()
