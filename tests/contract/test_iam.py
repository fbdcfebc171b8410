"""IAM as production would enforce it: the evaluator the session check uses, and what the roles grant.

The session check itself (tests/conftest.py) judges every AWS call the suite's handlers made; these
tests pin the pieces it stands on: how a call becomes IAM requests, how a role answers, and that
the recorder sees a real handler's calls.
"""

import json

import pytest

from local.template import PROJECT_ROOT, functions, load_template, physical_name
from tests.contract import iam

FUNCTIONS = sorted(functions())
AUDIT = iam.AUDIT_TABLE
DOCUMENT = "arn:aws:s3:::verificationdocumentsbucket/biz_1/vrq_1/doc_1"


def test_a_transaction_is_checked_item_by_item():
    # Given a transaction that puts an audit entry and updates a request
    params = {
        "TransactItems": [
            {
                "Put": {
                    "TableName": "VerificationAuditTable",
                    "Item": {},
                    "ConditionExpression": "attribute_not_exists(x)",
                }
            },
            {"Update": {"TableName": "VerificationRequestsTable", "Key": {}, "UpdateExpression": "SET a = :a"}},
        ]
    }
    # When it becomes IAM requests
    calls = list(iam.calls_of("VerificationAdminFunction", "dynamodb", "TransactWriteItems", params))
    # Then each item is its own action on its own table, conditions kept
    assert calls == [
        iam.Call("VerificationAdminFunction", "dynamodb:PutItem", AUDIT, conditioned=True),
        iam.Call("VerificationAdminFunction", "dynamodb:UpdateItem", iam.table_arn("VerificationRequestsTable")),
    ]


def test_a_query_on_an_index_is_a_request_on_the_index():
    # Given a query of a table's index
    calls = list(iam.calls_of("F", "dynamodb", "Query", {"TableName": "PhoneNumbersTable", "IndexName": "by_business"}))
    # Then IAM sees the index's ARN
    assert calls == [iam.Call("F", "dynamodb:Query", iam.table_arn("PhoneNumbersTable", "by_business"))]


def test_an_explicit_deny_wins_over_an_allow():
    # Given the reviewers' function, allowed to append to the audit trail
    assert iam.allowed("VerificationAdminFunction", "dynamodb:PutItem", AUDIT)
    # Then it may not rewrite or remove an entry
    assert not iam.allowed("VerificationAdminFunction", "dynamodb:UpdateItem", AUDIT)
    assert not iam.allowed("VerificationAdminFunction", "dynamodb:DeleteItem", AUDIT)


def test_an_unconditioned_audit_put_is_reported():
    # Given a put on the audit trail without a condition (it could overwrite an entry)
    calls = {iam.Call("VerificationApiFunction", "dynamodb:PutItem", AUDIT, conditioned=False)}
    # Then the session check reports it
    assert iam.unconditioned_audit_writes(calls) == sorted(calls)


def test_a_call_outside_the_role_is_refused():
    # Given the public lookup, which reads the public badges only
    calls = {
        iam.Call("PublicVerificationFunction", "dynamodb:PutItem", iam.table_arn("PublicBadgesTable")),
        iam.Call("PublicVerificationFunction", "dynamodb:GetItem", iam.table_arn("PublicBadgesTable")),
        iam.Call("PublicVerificationFunction", "dynamodb:GetItem", iam.table_arn("BusinessesTable")),
    }
    # Then the write and the read of another table are refused, and the badge read allowed
    assert iam.refused(calls) == sorted(
        [
            iam.Call("PublicVerificationFunction", "dynamodb:GetItem", iam.table_arn("BusinessesTable")),
            iam.Call("PublicVerificationFunction", "dynamodb:PutItem", iam.table_arn("PublicBadgesTable")),
        ]
    )


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_no_role_scans_or_changes_a_bucket(logical_id):
    # Given what the function's role grants
    actions = {grant.action for grant in iam.grants() if grant.function == logical_id}
    # Then nobody scans a table, and nobody may change a bucket's ACLs, lifecycle or policy
    assert "dynamodb:Scan" not in actions
    assert not {action for action in actions if action.startswith("s3:") and "Object" not in action}
    assert not {action for action in actions if "Acl" in action or "Lifecycle" in action}


def test_verification_documents_are_read_written_and_deleted_as_objects_only():
    # Given the function businesses upload documents through
    # Then it may get, put and delete a document, and nothing on the bucket itself
    for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"):
        assert iam.allowed("VerificationApiFunction", action, DOCUMENT)
    assert not iam.allowed("VerificationApiFunction", "s3:PutObjectAcl", DOCUMENT)
    assert not iam.allowed(
        "VerificationApiFunction", "s3:PutLifecycleConfiguration", "arn:aws:s3:::verificationdocumentsbucket"
    )
    # and reviewers may only read them
    assert iam.allowed("VerificationAdminFunction", "s3:GetObject", DOCUMENT)
    assert not iam.allowed("VerificationAdminFunction", "s3:DeleteObject", DOCUMENT)


def test_each_unexercised_grant_is_still_granted():
    # Given the short list of grants no test exercises
    for function, action, logical_id in iam.UNEXERCISED_GRANTS:
        # Then each is still granted (a stale entry would hide nothing, but mislead)
        assert any(
            grant.function == function and grant.action == action and logical_id.lower() in grant.resource.lower()
            for grant in iam.grants()
        ), (function, action, logical_id)


def test_the_recorder_sees_the_calls_a_handler_makes(api):
    # Given the recorder, installed for the session, and not yet holding the read below (a test that ran
    # earlier in this process, in any order, may have recorded it: this one must see it recorded anew)
    read = iam.Call("PublicVerificationFunction", "dynamodb:GetItem", iam.table_arn("PublicBadgesTable"))
    iam.RECORDED.discard(read)
    before = set(iam.RECORDED)
    # When the public lookup runs for a number nobody registered
    response = api.request("GET", "/v1/public/verified/+4315550100")
    # Then its one read of the public badges table is recorded, attributed to its function
    assert response.status == 200, response
    new = iam.RECORDED - before
    assert read in new
    assert not iam.refused(new)


def test_the_recorder_sees_the_calls_a_handler_makes_in_its_thread_pool(api, aws, monkeypatch):
    # Given a callback whose host turns out private when it is sent: its attempt settles in the
    # delivery function's thread pool, with no handler on that thread's stack
    from bizline.adapters import http_callbacks
    from bizline.services import deliveries

    from local.lambda_runtime import invoke
    from tests.support import queue_bodies, sign_up

    monkeypatch.setattr(http_callbacks, "resolve_all", lambda host, port: ["10.0.0.7"])
    business, _key = sign_up(api, callback_url="https://hooks.rebinding.example/in")
    deliveries.create_deliveries([deliveries.NewDelivery(business["business_id"], "message.received", "wamid.T", {})])
    (task,) = queue_bodies(aws, "DeliveryQueue")
    before = set(iam.RECORDED)
    # When the delivery function handles its task
    record = {"messageId": "msg-0", "body": json.dumps(task), "eventSource": "aws:sqs"}
    sample = json.loads((PROJECT_ROOT / "events/callback_delivery/delivery.json").read_text())["Records"][0]
    assert invoke(functions()["CallbackDeliveryFunction"], {"Records": [{**sample, **record}]}) == {
        "batchItemFailures": []
    }
    # Then the outcome written from the pool's thread is attributed to the delivery function
    new = iam.RECORDED - before
    deliveries_table = iam.table_arn(physical_name(load_template(), "DeliveriesTable"))
    assert iam.Call("CallbackDeliveryFunction", "dynamodb:UpdateItem", deliveries_table, conditioned=True) in new
    assert not iam.refused(new)
