"""A recorded change of tier applies from the first day of the next calendar month."""

from datetime import UTC, date, datetime

from bizline.models.businesses import Business, SizeFigures, TierChange
from bizline.rules.tier_changes import apply_due_tier_change
from bizline.rules.tiers import SizeClass, Tier


def _business(pending: TierChange | None) -> Business:
    now = datetime(2026, 3, 14, tzinfo=UTC)
    return Business(
        business_id="biz_1",
        display_name="Bakery",
        legal_name="Bakery GmbH",
        country="AT",
        contact_email="owner@bakery.example",
        size=SizeFigures(employees=300, annual_turnover_eur=60_000_000, balance_sheet_total_eur=50_000_000),
        size_class=SizeClass.LARGE,
        tier=Tier.FREE,
        pending_tier_change=pending,
        created_at=now,
        updated_at=now,
    )


CHANGE = TierChange(
    from_tier=Tier.FREE,
    to_tier=Tier.ENTERPRISE,
    recorded_on=date(2026, 3, 14),
    effective_from=date(2026, 4, 1),
)


def test_before_its_date_the_old_tier_is_billed():
    business = apply_due_tier_change(_business(CHANGE), date(2026, 3, 31))
    assert business.tier is Tier.FREE
    assert business.pending_tier_change == CHANGE
    assert business.tier_history == []


def test_from_its_date_the_new_tier_applies_and_the_change_is_history():
    business = apply_due_tier_change(_business(CHANGE), date(2026, 4, 1))
    assert business.tier is Tier.ENTERPRISE
    assert business.pending_tier_change is None
    assert business.tier_history == [CHANGE]


def test_without_a_pending_change_nothing_moves():
    business = _business(None)
    assert apply_due_tier_change(business, date(2030, 1, 1)) == business
