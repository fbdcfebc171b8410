"""`make invoke`: one handler, one sample event, the response printed."""

import json

import pytest

from local import invoke


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
