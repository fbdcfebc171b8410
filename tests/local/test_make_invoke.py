"""`make invoke`: one handler, one sample event, the response printed."""

import json
from pathlib import Path

import pytest

from local import invoke

pytestmark = pytest.mark.slow  # starts local platforms or waits on real time: `make test-fast` skips it


def test_invoke_runs_a_sample_event_against_a_fresh_embedded_aws(capsys):
    # When the sample "get own business" event is invoked by function folder name
    code = invoke.main(["invoke", "business_api", "events/business_api/get_own_business.json"])
    # Then the demo business comes back as the handler's response
    assert code == 0
    response = json.loads(capsys.readouterr().out)
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["business_id"] == "biz_demobakery000000001"


def test_invoke_by_logical_id_and_an_authorizer_event(capsys):
    code = invoke.main(["invoke", "AuthorizerFunction", "events/authorizer/deny.json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out) == {"isAuthorized": False}


def test_an_unknown_function_is_named_in_the_error():
    with pytest.raises(SystemExit, match=r"NoSuchFunction.*BusinessApiFunction"):
        invoke.main(["invoke", "NoSuchFunction", "events/authorizer/deny.json"])


@pytest.mark.parametrize(
    ("function", "event", "status", "state"),
    [
        ("verification_admin", "events/verification_admin/claim.json", 200, "in_review"),
        ("verification_admin", "events/verification_admin/decide.json", 200, "approved"),
        ("verification_api", "events/verification_api/withdraw.json", 200, "withdrawn"),
    ],
)
def test_sample_events_find_the_verification_request_they_name(function, event, status, state, capsys):
    # Given a fresh platform, and a sample event acting on the demo verification request
    # When it is invoked
    code = invoke.main(["invoke", function, event])
    # Then the request was seeded in the state the event needs, and the event moved it on
    response = json.loads(capsys.readouterr().out)
    assert code == 0
    assert response["statusCode"] == status, response["body"]
    assert json.loads(response["body"])["state"] == state


def test_sample_events_that_need_more_than_a_fresh_platform_say_so_in_their_folder():
    # The three events a fresh platform answers with 4xx are explained beside them
    for folder, event in [
        ("messaging_api", "retry_delivery.json"),
        ("verification_api", "attach_document.json"),
        ("verification_admin", "revoke_badge.json"),
    ]:
        assert event in (Path("events") / folder / "README.md").read_text()
