"""Who of a page gets the newsletter, with what values, within the number's messaging limit (no AWS)."""

from datetime import UTC, datetime, timedelta

from bizline.models.newsletters import Recipient
from bizline.rules import newsletter_dispatch as rules
from bizline.rules.templates import TemplateVariables


def _recipient(n: int, subscribed: bool = True, tags=("stammkunde",), **attributes: str) -> Recipient:
    return Recipient(f"cus_{n:020d}", f"4366{n:08d}", None, subscribed, list(tags), dict(attributes))


VARIABLES = {"first_name": {"attribute": "first_name", "default": "Kundschaft"}, "offer": {"text": "Kipferl"}}


def test_each_of_the_audience_is_queued_or_skipped_with_its_reason():
    # Given a page: two regulars, one who opted out, one of another tag, one without a needed attribute
    page = [
        _recipient(1, first_name="Anna"),
        _recipient(2),
        _recipient(3, subscribed=False),
        _recipient(4, tags=("neu",)),
        _recipient(5, first_name="Eva"),
    ]
    strict = {"first_name": {"attribute": "first_name"}, "offer": {"text": "Kipferl"}}
    # When the page is planned for the regulars
    plan = rules.plan_page(page, ["stammkunde"], strict, template_sendable=True, remaining=None)
    # Then those who can be sent are queued with their values, the others counted by reason
    assert [(r.customer_id[-1], values["first_name"]) for r, values in plan.queue] == [("1", "Anna"), ("5", "Eva")]
    assert plan.counts.audience == 4
    assert plan.counts.queued == 2
    assert plan.counts.skipped == {"opted_out": 1, "missing_variable": 1}


def test_a_default_fills_a_missing_attribute():
    assert rules.fill_variables(VARIABLES, {}) == {"first_name": "Kundschaft", "offer": "Kipferl"}


def test_a_paused_template_skips_everyone_subscribed_and_opt_out_still_counts_as_such():
    plan = rules.plan_page([_recipient(1), _recipient(2, subscribed=False)], [], VARIABLES, False, None)
    assert plan.queue == []
    assert plan.counts.skipped == {"template_paused": 1, "opted_out": 1}


def test_the_messaging_limit_stops_the_page_and_the_rest_waits_uncounted():
    assert rules.allowance("250", 249) == 1
    assert rules.allowance(None, 300) == 0  # Meta's starting tier until the business sets its own
    assert rules.allowance("unlimited", 10**9) is None
    # Given five subscribers, the second opted out, and room for two more customers
    page = [_recipient(0), _recipient(1, subscribed=False), *[_recipient(n) for n in range(2, 5)]]
    plan = rules.plan_page(page, [], VARIABLES, True, remaining=2)
    # Then two are queued, the opt-out counted, and the page stops at the third one to send: they wait
    assert [recipient.customer_id for recipient, _ in plan.queue] == [page[0].customer_id, page[2].customer_id]
    assert (plan.counts.audience, plan.counts.queued, plan.counts.skipped) == (3, 2, {"opted_out": 1})
    assert (plan.decided, plan.waits_for_limit) == (3, True)
    # And a page the limit does not reach is decided whole
    whole = rules.plan_page(page, [], VARIABLES, True, remaining=4)
    assert (whole.decided, whole.waits_for_limit, whole.counts.queued) == (5, False, 4)


def test_the_rolling_window_starts_on_the_hour_after_24_hours_ago():
    assert rules.window_start(datetime(2027, 3, 28, 9, 41, tzinfo=UTC)) == datetime(2027, 3, 27, 10, 0, tzinfo=UTC)


def test_named_and_numbered_variables_become_the_template_components():
    named = TemplateVariables("named", body=("first_name", "offer"))
    assert rules.variable_keys(named) == {"first_name", "offer"}
    content = rules.template_content("weekly_offer", "de", named, {"first_name": "Anna", "offer": "Kipferl"})
    assert content["template"]["components"] == [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "Anna", "parameter_name": "first_name"},
                {"type": "text", "text": "Kipferl", "parameter_name": "offer"},
            ],
        }
    ]
    numbered = TemplateVariables("positional", header=("1",), body=("1", "2"))
    assert rules.variable_keys(numbered) == {"header.1", "body.1", "body.2"}
    values = {"header.1": "Hallo", "body.1": "Anna", "body.2": "Kipferl"}
    components = rules.template_content("weekly_offer", "de", numbered, values)["template"]["components"]
    assert components == [
        {"type": "header", "parameters": [{"type": "text", "text": "Hallo"}]},
        {"type": "body", "parameters": [{"type": "text", "text": "Anna"}, {"type": "text", "text": "Kipferl"}]},
    ]


def test_a_recurring_firing_overlaps_only_a_run_sending_for_less_than_an_hour():
    # Given a recurring newsletter that started sending at 09:00
    started = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    # Then a firing at 09:30 would overlap it, one at 10:30 finds it stuck and goes ahead
    assert rules.overlaps_earlier_run("0 9 * * ? *", "sending", started, started + timedelta(minutes=30))
    assert not rules.overlaps_earlier_run("0 9 * * ? *", "sending", started, started + timedelta(minutes=90))
    # And a one-time newsletter, or one not sending, overlaps nothing
    assert not rules.overlaps_earlier_run(None, "sending", started, started)
    assert not rules.overlaps_earlier_run("0 9 * * ? *", "scheduled", started, started)


def test_a_customer_reached_in_the_window_already_takes_none_of_the_limit():
    # Given room for one new customer, and a page whose first subscriber the number reached today
    page = [_recipient(n) for n in range(3)]
    plan = rules.plan_page(page, [], VARIABLES, True, remaining=1, reached={page[0].customer_id})
    # Then the known one and one new one are queued, and the third waits for the window
    assert [recipient for recipient, _ in plan.queue] == page[:2]
    assert (plan.decided, plan.waits_for_limit) == (2, True)
