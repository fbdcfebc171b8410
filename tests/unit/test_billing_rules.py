"""Pricing by a rate card: allowances, graduated bands, integer cents rounded half up once per line."""

from datetime import UTC, date, datetime

import pytest
from bizline.models.billing import RateCard, TierTerms
from bizline.models.businesses import Business, SizeFigures, TierChange
from bizline.models.tiers import SizeClass, Tier
from bizline.rules.billing import (
    card_for,
    charge_cents,
    line_amounts,
    next_month,
    previous_month,
    tier_in_month,
)

TERMS = TierTerms(
    allowances={"service": 1000},
    prices={
        "service": [{"cents_per_thousand": 50}],
        "marketing": [{"up_to": 1000, "cents_per_thousand": 400}, {"cents_per_thousand": 300}],
        "utility": [{"cents_per_thousand": 1}],
    },
)


def _card(valid_from: str, utility: int = 1) -> RateCard:
    enterprise = TERMS.model_copy(update={"prices": {**TERMS.prices, "utility": [{"cents_per_thousand": utility}]}})
    return RateCard(valid_from=valid_from, tiers={Tier.FREE: TierTerms(), Tier.ENTERPRISE: enterprise})


def test_the_allowance_is_free_and_the_rest_is_priced():
    assert charge_cents(TERMS, "service", 1000) == 0
    assert charge_cents(TERMS, "service", 3000) == 100  # 2,000 x 50/1000


def test_graduated_bands_price_each_unit_at_its_band():
    # 1,000 at 0.4 cents, 500 at 0.3 cents: 400 + 150
    assert charge_cents(TERMS, "marketing", 1500) == 550


@pytest.mark.parametrize(("count", "cents"), [(499, 0), (500, 1), (1499, 1), (1500, 2)])
def test_a_line_is_rounded_half_up_to_a_whole_cent_once(count, cents):
    # utility costs 1 cent per 1,000: 0.499 rounds down, 0.5 rounds up
    assert charge_cents(TERMS, "utility", count) == cents


def test_the_free_tier_is_never_charged_whatever_the_card_says():
    card = RateCard(valid_from="2026-01", tiers={Tier.FREE: TERMS, Tier.ENTERPRISE: TERMS})
    assert line_amounts(card, Tier.FREE, {"marketing": 10_000}) == {"marketing": 0}
    assert line_amounts(card, Tier.ENTERPRISE, {"marketing": 10_000}) == {"marketing": 3100}


def test_the_card_of_a_month_is_the_latest_valid_from_not_after_it():
    cards = [_card("2026-01"), _card("2026-04", utility=2)]
    assert card_for(cards, "2025-12") is None
    assert card_for(cards, "2026-03").valid_from == "2026-01"
    assert card_for(cards, "2026-04").valid_from == "2026-04"


def test_bands_must_ascend_and_only_the_last_may_be_open():
    with pytest.raises(ValueError, match="ascend"):
        TierTerms(prices={"marketing": [{"cents_per_thousand": 1}, {"up_to": 10, "cents_per_thousand": 1}]})


def test_months_step_across_years():
    assert next_month("2026-12") == "2027-01"
    assert previous_month("2026-01") == "2025-12"
    assert next_month("2026-03") == "2026-04"


def test_a_tier_change_recorded_mid_month_applies_from_the_next_month():
    now = datetime(2026, 3, 14, tzinfo=UTC)
    change = TierChange(
        from_tier=Tier.FREE, to_tier=Tier.ENTERPRISE, recorded_on=date(2026, 3, 14), effective_from=date(2026, 4, 1)
    )
    business = Business(
        business_id="biz_1",
        display_name="Bakery",
        legal_name="Bakery GmbH",
        country="AT",
        contact_email="owner@bakery.example",
        size=SizeFigures(employees=300, annual_turnover_eur=60_000_000, balance_sheet_total_eur=50_000_000),
        size_class=SizeClass.LARGE,
        tier=Tier.FREE,
        pending_tier_change=change,
        created_at=now,
        updated_at=now,
    )
    assert tier_in_month(business, "2026-03") is Tier.FREE
    assert tier_in_month(business, "2026-04") is Tier.ENTERPRISE
    applied = business.model_copy(
        update={"tier": Tier.ENTERPRISE, "pending_tier_change": None, "tier_history": [change]}
    )
    assert tier_in_month(applied, "2026-03") is Tier.FREE
    assert tier_in_month(applied, "2026-05") is Tier.ENTERPRISE
