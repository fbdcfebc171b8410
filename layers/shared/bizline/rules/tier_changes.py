"""How a business's tier moves: new size figures record a change, which applies from next month."""

from datetime import date

from bizline.models.businesses import Business, SizeFigures, TierChange
from bizline.models.tiers import SizeClass
from bizline.rules.tiers import classify_size, first_day_of_next_month, tier_for


def apply_due_tier_change(business: Business, today: date) -> Business:
    """A recorded tier change takes effect on its date; until then the old tier is billed."""
    change = business.pending_tier_change
    if change is None or today < change.effective_from:
        return business
    return business.model_copy(
        update={
            "tier": change.to_tier,
            "pending_tier_change": None,
            "tier_history": [*business.tier_history, change],
        }
    )


def resize(business: Business, size: SizeFigures, today: date, size_class: SizeClass | None = None) -> Business:
    """New size figures (and the class they give, unless a reviewer set it); a new tier waits a month."""
    size_class = size_class or classify_size(**size.model_dump())
    new_tier = tier_for(size_class)
    pending = None
    if new_tier != business.tier:
        unchanged = business.pending_tier_change and business.pending_tier_change.to_tier == new_tier
        pending = (
            business.pending_tier_change
            if unchanged
            else TierChange(
                from_tier=business.tier,
                to_tier=new_tier,
                recorded_on=today,
                effective_from=first_day_of_next_month(today),
            )
        )
    return business.model_copy(update={"size": size, "size_class": size_class, "pending_tier_change": pending})
