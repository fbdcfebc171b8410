"""The 24-hour customer service window, and how replies are billed inside and outside it.

Free-form messages may go out only within 24 hours of the customer's last message; outside it,
only approved templates.
"""

from datetime import datetime, timedelta

SERVICE_WINDOW = timedelta(hours=24)
# Customer-initiated traffic, and free-form replies within the window.
SERVICE_CATEGORY = "service"
# Templates are billed by their category, which the metering work settles.
TEMPLATE_CATEGORY = "template"


def expires_at(last_inbound_at: datetime | None) -> datetime | None:
    """When the window closes: 24 hours after the customer's last message; None if they never wrote."""
    if last_inbound_at is None:
        return None
    return last_inbound_at + SERVICE_WINDOW


def is_open(last_inbound_at: datetime | None, now: datetime) -> bool:
    """Whether a free-form message may go out now."""
    closes = expires_at(last_inbound_at)
    return closes is not None and now < closes


def may_send(message_type: str, last_inbound_at: datetime | None, now: datetime) -> bool:
    """Templates go out at any time; everything else only while the window is open."""
    return message_type == "template" or is_open(last_inbound_at, now)


def reply_billing_category(message_type: str) -> str:
    """The billing category of a reply the business sends."""
    return TEMPLATE_CATEGORY if message_type == "template" else SERVICE_CATEGORY


def unread_since_read(last_inbound_at: datetime | None, last_read_at: datetime | None) -> bool:
    """Whether the customer wrote after the team last opened the conversation (or it was never opened)."""
    return last_inbound_at is not None and (last_read_at is None or last_inbound_at > last_read_at)
