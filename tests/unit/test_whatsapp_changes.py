"""What bizline takes from non-message webhooks: template states, marketing preferences, when to stop waiting."""

from bizline.models.message_templates import TemplateUpdate
from bizline.rules.whatsapp_changes import (
    STATUS_ATTEMPTS_BEFORE_UNMATCHED,
    callback_type,
    marketing_preferences,
    stop_waiting_for_send,
    template_update,
)


def test_a_template_status_update_reports_name_language_status_reason_and_category():
    value = {
        "event": "REJECTED",
        "message_template_id": 1234567,
        "message_template_name": "offer",
        "message_template_language": "de",
        "reason": "INVALID_FORMAT",
        "message_template_category": "MARKETING",
    }
    assert template_update("message_template_status_update", value) == TemplateUpdate(
        "1234567", "offer", "de", "REJECTED", "INVALID_FORMAT", None, "MARKETING"
    )


def test_quality_and_category_updates_report_only_what_they_change():
    quality = {"message_template_id": "1", "previous_quality_score": "GREEN", "new_quality_score": "RED"}
    assert template_update("message_template_quality_update", quality) == TemplateUpdate("1", quality="RED")
    category = {"message_template_id": "1", "previous_category": "UTILITY", "new_category": "MARKETING"}
    assert template_update("template_category_update", category) == TemplateUpdate("1", category="MARKETING")


def test_other_fields_and_values_naming_no_template_carry_no_template_state():
    assert template_update("account_update", {"message_template_id": "1"}) is None
    assert template_update("message_template_status_update", {"event": "APPROVED"}) is None
    assert template_update("message_template_status_update", "not an object") is None


def test_marketing_preferences_are_stop_or_resume_of_marketing_messages_only():
    value = {
        "user_preferences": [
            {"wa_id": "4366011", "category": "marketing_messages", "value": "stop", "timestamp": 1},
            {"wa_id": "4366022", "category": "marketing_messages", "value": "maybe"},
            {"wa_id": "4366033", "category": "something_else", "value": "stop"},
            {"category": "marketing_messages", "value": "resume"},
            "not an object",
        ]
    }
    (preference,) = marketing_preferences("user_preferences", value)
    assert (preference.wa_id, preference.value, preference.timestamp) == ("4366011", "stop", "1")
    assert marketing_preferences("account_update", value) == []


def test_a_status_for_an_unknown_wamid_waits_a_few_deliveries_then_is_kept():
    assert not stop_waiting_for_send(1)
    assert not stop_waiting_for_send(STATUS_ATTEMPTS_BEFORE_UNMATCHED - 1)
    assert stop_waiting_for_send(STATUS_ATTEMPTS_BEFORE_UNMATCHED)


def test_changes_reach_the_business_as_whatsapp_field_callbacks():
    assert callback_type("account_update") == "whatsapp.account_update"
