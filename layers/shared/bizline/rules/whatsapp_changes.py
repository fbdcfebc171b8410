"""What bizline keeps of Meta's non-message webhooks, and for how long.

Pure decisions: which changes carry template state or customer preferences, how long records
kept for operators live, and when a status for an unknown wamid stops waiting for its send.
"""

from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from bizline.models.message_templates import TemplateUpdate
from bizline.models.whatsapp import TemplateChange, UserPreference

TEMPLATE_FIELDS = frozenset(
    {"message_template_status_update", "message_template_quality_update", "template_category_update"}
)
USER_PREFERENCES = "user_preferences"
MARKETING_MESSAGES = "marketing_messages"
PREFERENCE_VALUES = frozenset({"stop", "resume"})

# Records of changes, per business, for the business's history and for operators.
KEEP_CHANGES_FOR = timedelta(days=90)
# Items kept only for operators: unreadable items, unmatched statuses and revisions.
KEEP_FOR_OPERATORS = timedelta(days=30)
# A status whose wamid no send has recorded is retried this many times (a status can overtake its
# send by seconds), then kept as unmatched: an echo or another client's message is never ours.
STATUS_ATTEMPTS_BEFORE_UNMATCHED = 4


def callback_type(field: str) -> str:
    """The callback event a change of `field` reaches the business as."""
    return f"whatsapp.{field}"


def template_update(field: str, value: Any) -> TemplateUpdate | None:
    """The template state a template webhook reports; None for other fields or a value naming no template."""
    if field not in TEMPLATE_FIELDS:
        return None
    try:
        change = TemplateChange.model_validate(value)
    except ValidationError:
        return None
    return TemplateUpdate(
        template_id=change.message_template_id,
        name=change.message_template_name,
        language=change.message_template_language,
        status=change.event,
        reason=change.reason,
        quality=change.new_quality_score,
        category=change.new_category or change.message_template_category,
    )


def marketing_preferences(field: str, value: Any) -> list[UserPreference]:
    """The marketing stop/resume preferences a `user_preferences` change reports (others are skipped)."""
    if field != USER_PREFERENCES or not isinstance(value, dict):
        return []
    found = []
    for item in value.get("user_preferences") or []:
        try:
            preference = UserPreference.model_validate(item)
        except ValidationError:
            continue
        if (
            preference.category == MARKETING_MESSAGES
            and preference.value in PREFERENCE_VALUES
            and (preference.wa_id or preference.user_id)
        ):
            found.append(preference)
    return found


def stop_waiting_for_send(attempt: int) -> bool:
    """True when a status for an unknown wamid has waited long enough and is kept as unmatched."""
    return attempt >= STATUS_ATTEMPTS_BEFORE_UNMATCHED
