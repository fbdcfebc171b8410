"""The local identity pool decides as AWS would from the template: which role a token maps to, what it may invoke."""

import copy

import pytest

from local.cognito import team_pool
from local.identity_pool import IdentityError, IdentityPool, TemporaryCredentials
from local.template import load_template

TEMPLATE = load_template()
EVERY_ROUTE = [{"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*"}]


def _pool(template=TEMPLATE):
    return IdentityPool(template, "TeamIdentityPool", team_pool(template), "http://127.0.0.1:1")


def _claims(groups):
    pool = _pool()
    ((provider, authorizer),) = pool.providers.items()
    return {"_provider": provider, "aud": next(iter(authorizer.audiences)), "sub": "m-1", "cognito:groups": groups}


def _credentials(role="ReviewerRole"):
    return TemporaryCredentials("ASIA1", "secret", "token", 0.0, role, "eu-central-1:x", "eu-central-1:pool")


def test_only_the_reviewers_group_maps_to_a_role():
    pool = _pool()
    assert pool._role_for(_claims(["reviewers"])) == "ReviewerRole"
    assert pool._role_for(_claims(["agent", "reviewers"])) == "ReviewerRole"
    for groups in (["owner"], ["agent"], [], None):
        with pytest.raises(IdentityError) as refused:
            pool._role_for(_claims(groups))
        assert refused.value.kind == "NotAuthorizedException"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/admin/verification-requests", True),
        ("GET", "/admin/verification-requests/vrq_1", True),
        ("GET", "/admin/verification-requests/vrq_1/audit", True),
        ("POST", "/admin/verification-requests/vrq_1/claim", True),
        ("POST", "/admin/verification-requests/vrq_1/decision", True),
        ("POST", "/admin/verification-requests/vrq_1/audit", False),
        ("POST", "/admin/businesses/biz_1/badge/revoke", False),
        ("GET", "/admin/usage", False),
        ("PUT", "/admin/rate-cards/2026-01", False),
    ],
)
def test_the_reviewer_role_invokes_the_review_routes_alone(method, path, allowed):
    assert _pool().may_invoke(_credentials(), "HttpApi", method, path) is allowed


def test_an_explicit_deny_wins_over_an_allow():
    # Given a role that also denies the decision route
    template = copy.deepcopy(TEMPLATE)
    policy = template["Resources"]["ReviewerRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    policy["Statement"].append(
        {
            "Sid": "NoDecisions",
            "Effect": "Deny",
            "Action": ["execute-api:Invoke"],
            "Resource": EVERY_ROUTE,
        }
    )
    # Then nothing it allowed is allowed any more
    assert _pool(template).may_invoke(_credentials(), "HttpApi", "GET", "/admin/verification-requests") is False


def test_a_role_that_does_not_trust_the_pool_gets_no_credentials():
    template = copy.deepcopy(TEMPLATE)
    trust = template["Resources"]["ReviewerRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    trust["Condition"]["StringEquals"]["cognito-identity.amazonaws.com:aud"] = "eu-central-1:another-pool"
    assert _pool(template)._trusts_this_pool("ReviewerRole") is False
    assert _pool()._trusts_this_pool("ReviewerRole") is True


def test_calls_the_pool_cannot_read_are_client_errors_in_cognitos_shape():
    pool = _pool()
    target = "AWSCognitoIdentityService.GetId"
    for body in (b"not json", b"[1, 2]", b'{"IdentityPoolId": "x", "Logins": ["token"]}'):
        assert pool.handle(target, body)[1]["__type"] == "InvalidParameterException", body
    assert pool.handle("AWSCognitoIdentityService.DeleteIdentityPool", b"{}")[0] == 400
    unknown_pool = pool.handle(target, b'{"IdentityPoolId": "eu-central-1:nope", "Logins": {}}')
    assert unknown_pool[0] == 400
    assert unknown_pool[1]["__type"] == "ResourceNotFoundException"
