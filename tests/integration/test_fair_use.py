"""Fair-use caps: a cap that is reached answers 429 quota_exceeded, naming it and when it resets; nothing is kept."""

import json

import pytest
from bizline.clock import utc_now
from bizline.rules.billing import next_month, previous_month
from bizline.rules.metering import month_of

from tests.integration.test_metering import _life_of_a_reply, _meter
from tests.integration.test_replies import (  # noqa: F401 (fixture)
    TEMPLATE,
    TEMPLATE_DEFINITION,
    _customer_writes,
    _reply,
    bakery,
)
from tests.integration.test_usage import RATE_CARD, _publish
from tests.support import BANK_SIZE, add_number, approved_template, queue_bodies, scan, sign_up


def _card_capping(free_caps: dict[str, int]) -> dict:
    return {**RATE_CARD, "tiers": {**RATE_CARD["tiers"], "free": {"caps": free_caps}}}


def _sent_this_month(business_id: str, count: int) -> None:
    now = utc_now().isoformat()
    records = []
    for index in range(count):
        records += _life_of_a_reply(f"earlier{index}", now, "service", index * 10, business_id)
    _meter(records)


def _outbound(aws) -> list[dict]:
    return [item for item in scan(aws["dynamodb"], "MessagesTable") if item["direction"]["S"] == "outbound"]


@pytest.fixture
def capped_bakery(api, aws, bakery):  # noqa: F811 (the fixture imported above)
    # A card valid since last month that caps the free tier at 2 sends a month; the bakery sent 2
    month = month_of(utc_now())
    assert _publish(api, previous_month(month), _card_capping({"submitted": 2})).status == 201
    _sent_this_month(bakery["business"]["business_id"], 2)
    _customer_writes(api, bakery)
    return bakery


def test_a_send_past_the_cap_is_429_naming_the_cap_and_when_it_resets(api, aws, capped_bakery):
    # Given a bakery that used its 2 sends this month, and the send queue empty
    queued_before = queue_bodies(aws, "SendQueue")
    # When it replies once more
    response = _reply(api, capped_bakery["key"])
    # Then it is refused with 429 quota_exceeded naming the cap, what was used and when it resets
    assert response.status == 429, response.body
    error = response.json()["error"]
    month = month_of(utc_now())
    resets = f"{next_month(month)}-01T00:00:00Z"
    assert error["code"] == "quota_exceeded"
    assert "2 submitted per month" in error["message"]
    assert resets in error["message"]
    assert error["details"] == [
        {
            "field": None,
            "message": error["message"],
            "type": "quota_exceeded",
            "meter": "submitted",
            "cap": 2,
            "used": 2,
            "resets_at": f"{next_month(month)}-01T00:00:00+00:00",
        }
    ]
    # And nothing was stored or queued: the refusal is the whole answer
    assert _outbound(aws) == []
    assert queue_bodies(aws, "SendQueue") == queued_before


def test_a_refused_send_with_an_idempotency_key_is_refused_again_not_answered_from_a_stale_record(
    api, aws, capped_bakery
):
    # Given a bakery at its cap
    # When it sends with an Idempotency-Key, twice
    first = _reply(api, capped_bakery["key"], idempotency_key="order-17")
    again = _reply(api, capped_bakery["key"], idempotency_key="order-17")
    # Then both are 429 (the key keeps no answer for a refused request, so it may be used once the cap resets)
    assert (first.status, again.status) == (429, 429)
    assert _outbound(aws) == []


def test_a_cap_on_service_refuses_free_form_replies_but_not_templates(api, aws, bakery):  # noqa: F811
    # Given a free tier capped at 1 service message a month, and a bakery that sent one
    month = month_of(utc_now())
    assert _publish(api, previous_month(month), _card_capping({"service": 1})).status == 201
    _sent_this_month(bakery["business"]["business_id"], 1)
    _customer_writes(api, bakery)
    approved_template(api, aws, bakery["key"], TEMPLATE_DEFINITION)
    # When it replies free-form, then with a template (Meta prices templates by their own category)
    free_form = _reply(api, bakery["key"])
    template = _reply(api, bakery["key"], type="template", text=None, template=TEMPLATE)
    # Then the free-form reply is refused on the service cap, the template accepted and stored
    assert free_form.status == 429, free_form.body
    assert free_form.json()["error"]["details"][0]["meter"] == "service"
    assert template.status == 202, template.body
    assert [item["type"]["S"] for item in _outbound(aws)] == ["template"]


def test_a_business_under_its_cap_or_in_an_uncapped_tier_sends(api, aws, bakery):  # noqa: F811
    # Given the same card (free tier: 2 sends), a bakery that sent 1, and an enterprise (uncapped) that sent 5
    month = month_of(utc_now())
    assert _publish(api, previous_month(month), _card_capping({"submitted": 2})).status == 201
    _sent_this_month(bakery["business"]["business_id"], 1)
    _customer_writes(api, bakery)
    bank, bank_key = sign_up(api, display_name="Bank", legal_name="Bank AG", size=BANK_SIZE)
    _sent_this_month(bank["business_id"], 5)
    add_number(api, bank_key, "1098765499")
    approved_template(api, aws, bank_key, TEMPLATE_DEFINITION)
    # When the bakery replies, and the bank sends a template
    response = _reply(api, bakery["key"])
    banks = _reply(api, bank_key, from_phone_number_id="1098765499", type="template", text=None, template=TEMPLATE)
    # Then both are accepted and stored
    assert response.status == 202, response.body
    assert banks.status == 202, banks.body
    assert len(_outbound(aws)) == 2


def test_an_opt_out_is_confirmed_even_when_a_cap_is_reached(api, aws, bakery):  # noqa: F811
    from tests.integration.test_subscribers import _customer_writes as customer_writes
    from tests.integration.test_subscribers import _subscribe

    # Given a free tier capped at 1 send and 1 service message a month, a bakery that sent one, and Anna subscribed
    month = month_of(utc_now())
    assert _publish(api, previous_month(month), _card_capping({"submitted": 1, "service": 1})).status == 201
    _sent_this_month(bakery["business"]["business_id"], 1)
    assert _subscribe(api, bakery["key"]).status == 201
    # When Anna writes STOP
    customer_writes(api, bakery, "STOP", "wamid.1")
    # Then her opt-out is confirmed all the same: the customer asked for it, and opt-out always wins
    (confirmation,) = _outbound(aws)
    assert "keine Newsletter mehr" in json.loads(confirmation["content"]["S"])["text"]["body"]
    assert len(queue_bodies(aws, "SendQueue")) == 1
    # While the bakery's own free-form reply is refused on the cap
    assert _reply(api, bakery["key"]).status == 429
