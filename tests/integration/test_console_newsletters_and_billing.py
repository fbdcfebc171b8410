"""The console's newsletters, usage and WhatsApp connection: the /team twins of the /v1 routes, as a member calls them.

An owner imports subscribers, sends newsletters, reads usage and connects numbers; an agent follows
newsletters and their runs but changes nothing; another business's newsletter is not found.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.integration.test_newsletters import NUMBER, VARIABLES, WEEKLY
from tests.support import add_number, approved_template, as_member, bearer, sign_up

CONSENT = {"source": "console:csv_import", "at": "2026-11-23T09:30:00+01:00", "text": "Ja, Newsletter bitte."}


def _newsletters(method, route, business_id, role, **kwargs):
    return as_member("NewslettersApiFunction", method, route, business_id, role, **kwargs)


def test_an_owner_imports_subscribers_with_one_consent_and_sees_each_rows_result(api, aws):
    # Given a business whose owner imports three CSV rows, one with a number that is no wa_id
    business, key = sign_up(api)
    items = [
        {"wa_id": "436601111111", "tags": ["stammkunde"], "attributes": {"first_name": "Anna"}},
        {"wa_id": "not-a-number"},
        {"user_id": "AT.1234567890", "tags": ["neu"]},
    ]
    # When the console sends them as one batch
    status, answer = _newsletters(
        "POST",
        "/team/v1/subscribers/batch",
        business["business_id"],
        "owner",
        body={"consent": CONSENT, "items": items},
    )
    # Then each row has its own result, the bad one its reason
    assert status == 200, answer
    assert [item["status"] for item in answer["items"]] == [201, 422, 201]
    assert answer["items"][1]["error"]["code"] == "validation_failed"
    # And the two good rows are subscribed with the owner's stated consent
    listed = api.request("GET", "/v1/subscribers", headers=bearer(key)).json()["items"]
    assert sorted(s["wa_id"] or s["user_id"] for s in listed) == ["436601111111", "AT.1234567890"]
    assert {s["consent"]["source"] for s in listed} == {"console:csv_import"}
    # And an agent may not import
    status, refused = _newsletters(
        "POST", "/team/v1/subscribers/batch", business["business_id"], "agent", body={"items": items[:1]}
    )
    assert (status, refused["error"]["code"]) == (403, "role_not_allowed")


def test_an_owner_schedules_a_newsletter_an_agent_follows_it_and_another_business_cannot_see_it(api, aws):
    # Given a business with a number and an approved template
    business, key = sign_up(api)
    business_id = business["business_id"]
    add_number(api, key, NUMBER)
    approved_template(api, aws, key, WEEKLY)
    local_time = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT09:00:00")
    body = {
        "name": "Wochenangebot",
        "from_phone_number_id": NUMBER,
        "template": {"name": "weekly_offer", "language": "de"},
        "variables": VARIABLES,
        "audience": {"type": "tags", "tags": ["stammkunde"]},
        "send_at": local_time,
        "timezone": "Europe/Vienna",
    }
    # When the owner schedules it at a local time in Vienna
    status, created = _newsletters("POST", "/team/v1/newsletters", business_id, "owner", body=body)
    # Then it is scheduled for that time in that zone
    assert status == 201, created
    assert created["state"] == "scheduled"
    vienna = datetime.fromisoformat(local_time).replace(tzinfo=ZoneInfo("Europe/Vienna"))
    assert datetime.fromisoformat(created["send_at"]) == vienna
    one = {"newsletter_id": created["newsletter_id"]}
    # And an agent lists it and reads it with its runs, but may neither create nor cancel
    status, listed = _newsletters("GET", "/team/v1/newsletters", business_id, "agent")
    assert (status, [n["newsletter_id"] for n in listed["items"]]) == (200, [created["newsletter_id"]])
    status, shown = _newsletters("GET", "/team/v1/newsletters/{newsletter_id}", business_id, "agent", parameters=one)
    assert (status, shown["state"], shown["runs"]) == (200, "scheduled", [])
    assert _newsletters("POST", "/team/v1/newsletters", business_id, "agent", body=body)[0] == 403
    cancel = "/team/v1/newsletters/{newsletter_id}/cancel"
    assert _newsletters("POST", cancel, business_id, "agent", parameters=one)[0] == 403
    # And another business's owner does not find it
    other_id = sign_up(api, display_name="Konditorei Zwei")[0]["business_id"]
    assert _newsletters("GET", "/team/v1/newsletters/{newsletter_id}", other_id, "owner", parameters=one)[0] == 404
    assert _newsletters("POST", cancel, other_id, "owner", parameters=one)[0] == 404
    # And the owner cancels it
    status, cancelled = _newsletters("POST", cancel, business_id, "owner", parameters=one)
    assert (status, cancelled["state"]) == (200, "cancelled")
    # And an agent may not delete it; the owner does, and it is gone
    one_route = "/team/v1/newsletters/{newsletter_id}"
    assert _newsletters("DELETE", one_route, business_id, "agent", parameters=one)[0] == 403
    assert _newsletters("DELETE", one_route, business_id, "owner", parameters=one)[0] == 204
    assert _newsletters("GET", one_route, business_id, "owner", parameters=one)[0] == 404


def test_usage_invoices_and_numbers_are_the_owners(api, aws):
    # Given a business with a number
    business, key = sign_up(api)
    business_id = business["business_id"]
    add_number(api, key, NUMBER)
    # When its owner opens usage, invoices and the numbers in the console
    status, usage = as_member("BillingApiFunction", "GET", "/team/v1/usage", business_id, "owner")
    assert status == 200, usage
    assert (usage["business_id"], usage["tier"]) == (business_id, "free")
    status, invoices = as_member("BillingApiFunction", "GET", "/team/v1/invoices", business_id, "owner")
    assert (status, invoices["items"]) == (200, [])
    status, numbers = as_member("BusinessApiFunction", "GET", "/team/v1/phone-numbers", business_id, "owner")
    assert (status, [n["phone_number_id"] for n in numbers["items"]]) == (200, [NUMBER])
    # Then an agent sees none of them
    for function, route in (
        ("BillingApiFunction", "/team/v1/usage"),
        ("BillingApiFunction", "/team/v1/invoices"),
        ("BusinessApiFunction", "/team/v1/phone-numbers"),
        ("BusinessApiFunction", "/team/v1/whatsapp-accounts"),
    ):
        status, refused = as_member(function, "GET", route, business_id, "agent")
        assert (status, refused["error"]["code"]) == (403, "role_not_allowed"), route


def test_an_owner_sends_a_draft_now_from_the_console(api, aws):
    # Given a business with a number, an approved template and a newsletter created without a time (a draft)
    business, key = sign_up(api)
    business_id = business["business_id"]
    add_number(api, key, NUMBER)
    approved_template(api, aws, key, WEEKLY)
    body = {
        "name": "Heute frisch",
        "from_phone_number_id": NUMBER,
        "template": {"name": "weekly_offer", "language": "de"},
        "variables": VARIABLES,
    }
    status, draft = _newsletters("POST", "/team/v1/newsletters", business_id, "owner", body=body)
    assert (status, draft["state"]) == (201, "draft")
    one = {"newsletter_id": draft["newsletter_id"]}
    send_now = "/team/v1/newsletters/{newsletter_id}/send-now"
    # When an agent tries to send it, and then the owner sends it now
    assert _newsletters("POST", send_now, business_id, "agent", parameters=one)[0] == 403
    status, sending = _newsletters("POST", send_now, business_id, "owner", parameters=one)
    # Then it is sending, as every member reads it
    assert (status, sending["state"]) == (202, "sending")
    status, shown = _newsletters("GET", "/team/v1/newsletters/{newsletter_id}", business_id, "agent", parameters=one)
    assert (status, shown["state"]) == (200, "sending")
