"""New size figures record a change of tier, which applies from the first day of the next calendar month."""

from datetime import UTC, date, datetime

from bizline.models.businesses import Business, SizeFigures, TierChange
from bizline.models.tiers import SizeClass, Tier
from bizline.rules.tier_changes import apply_due_tier_change, resize


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


SME_SIZE = SizeFigures(employees=4, annual_turnover_eur=350_000, balance_sheet_total_eur=120_000)
BANK_SIZE = SizeFigures(employees=300, annual_turnover_eur=60_000_000, balance_sheet_total_eur=50_000_000)


def _free_micro_business(pending: TierChange | None = None) -> Business:
    return _business(pending).model_copy(update={"size": SME_SIZE, "size_class": SizeClass.MICRO})


def test_growing_large_records_the_enterprise_tier_for_next_month():
    # Given a free micro business on 14 March
    business = _free_micro_business()
    # When it reports a bank's figures
    resized = resize(business, BANK_SIZE, date(2026, 3, 14))
    # Then its class changes at once, its tier only from 1 April
    assert (resized.size, resized.size_class, resized.tier) == (BANK_SIZE, SizeClass.LARGE, Tier.FREE)
    assert resized.pending_tier_change == CHANGE


def test_a_reviewer_s_size_class_wins_over_the_figures():
    resized = resize(_free_micro_business(), BANK_SIZE, date(2026, 3, 14), SizeClass.MEDIUM)
    assert (resized.size_class, resized.tier, resized.pending_tier_change) == (SizeClass.MEDIUM, Tier.FREE, None)


def test_the_same_change_reported_again_keeps_its_first_date():
    # Given a change to enterprise recorded on 14 March
    business = _free_micro_business(CHANGE).model_copy(update={"size": BANK_SIZE, "size_class": SizeClass.LARGE})
    # When large figures are reported again on 20 March
    resized = resize(business, BANK_SIZE, date(2026, 3, 20))
    # Then the change keeps the date it was first recorded
    assert resized.pending_tier_change == CHANGE


def test_shrinking_back_before_the_change_applies_cancels_it():
    business = _free_micro_business(CHANGE).model_copy(update={"size": BANK_SIZE, "size_class": SizeClass.LARGE})
    resized = resize(business, SME_SIZE, date(2026, 3, 20))
    assert (resized.size_class, resized.tier, resized.pending_tier_change) == (SizeClass.MICRO, Tier.FREE, None)
