"""Fair-use caps as rules: which caps one more unit would pass, and when a month's caps reset."""

from datetime import UTC, datetime

from bizline.models.billing import TierTerms
from bizline.rules.fair_use import message, reached_caps, resets_at, send_meters

TERMS = TierTerms(caps={"submitted": 100, "service": 0})


def test_caps_reset_at_the_first_instant_of_the_next_month_utc():
    assert resets_at("2026-03") == datetime(2026, 4, 1, tzinfo=UTC)
    assert resets_at("2026-12") == datetime(2027, 1, 1, tzinfo=UTC)


def test_a_cap_is_reached_when_the_month_used_all_of_it():
    assert reached_caps(TERMS, ["submitted"], {"submitted": 99}, "2026-03") == []
    (reached,) = reached_caps(TERMS, ["submitted"], {"submitted": 100}, "2026-03")
    assert (reached.meter, reached.cap, reached.used) == ("submitted", 100, 100)
    assert message(reached) == (
        "The fair-use cap of 100 submitted per month for your tier is reached (100 used); "
        "it resets at 2026-04-01T00:00:00Z."
    )


def test_a_cap_of_zero_refuses_the_first_unit_and_uncapped_meters_never_refuse():
    assert [cap.meter for cap in reached_caps(TERMS, ["service", "marketing"], {}, "2026-03")] == ["service"]
    assert reached_caps(None, ["submitted"], {"submitted": 10**9}, "2026-03") == []


def test_a_free_form_reply_adds_to_service_a_template_only_to_submitted():
    assert send_meters("service") == ["submitted", "service"]
    assert send_meters("template") == ["submitted"]
