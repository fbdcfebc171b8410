"""Keeping the public lookup true: a badge item per proven number of a verified business, and no other.

Written when a verified business adds a number and when a business is approved; removed when its
badge is revoked, when it removes the number and when it disconnects the number's account.
"""

from bizline.adapters import accounts_store, phone_numbers_store, public_badges_store
from bizline.models.businesses import Badge
from bizline.models.phone_numbers import OwnedPhoneNumber, PublicBadge
from bizline.observability import logger


def show_badge(number: OwnedPhoneNumber, badge: Badge) -> None:
    """Publish the business's badge for one of its proven numbers."""
    shown = public_badges_store.put_badge(
        PublicBadge(
            phone_number=number.display_phone_number,
            phone_number_id=number.phone_number_id,
            business_id=number.business_id,
            verified_name=badge.verified_name,
            verified_since=badge.verified_since,
        )
    )
    if not shown:
        # Meta reports each display number under one id; another id holding it is an operator matter.
        logger.warning("public badge not shown: the display number is held by another phone number id")


def hide_badge(number: OwnedPhoneNumber) -> None:
    """Stop showing a badge for the number (whatever business it belongs to now)."""
    public_badges_store.remove_badge(number.display_phone_number, number.phone_number_id)


def show_if_verified(number: OwnedPhoneNumber) -> None:
    """Publish the badge for a newly proven number when its business holds one."""
    business = accounts_store.get_business(number.business_id)
    if business is not None and business.badge is not None:
        show_badge(number, business.badge)


def publish_business(business_id: str) -> None:
    """After an approval: show the badge on every proven number of the business."""
    business = accounts_store.get_business(business_id)
    if business is None or business.badge is None:
        return
    for number in phone_numbers_store.list_phone_numbers(business_id):
        if number.waba_id:
            show_badge(number, business.badge)


def withdraw_business(business_id: str) -> None:
    """After a revocation: the business's numbers answer `verified: false` again."""
    for number in phone_numbers_store.list_phone_numbers(business_id):
        hide_badge(number)
