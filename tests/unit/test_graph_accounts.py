"""Reading Meta's Graph API answers about a WhatsApp Business Account's phone numbers."""

from bizline.models.whatsapp_accounts import MetaPhoneNumber
from bizline.rules.providers import classify_graph_error, next_page, phone_numbers_from_graph


def test_the_phone_numbers_answer_becomes_meta_phone_numbers():
    # Given Meta's answer to GET /{waba-id}/phone_numbers, with an entry missing its display number
    answer = {
        "data": [
            {
                "verified_name": "Bäckerei Huber",
                "display_phone_number": "+43 1 234-5678",
                "id": "106540352242922",
                "quality_rating": "GREEN",
            },
            {"id": "106540352242923"},
            "not an object",
        ],
        "paging": {"cursors": {"before": "QVFIUk", "after": "QVFIUl"}},
    }
    # When read / Then only complete numbers count, exactly as Meta wrote them, and there is no next page
    assert phone_numbers_from_graph(answer) == [
        MetaPhoneNumber("106540352242922", "+43 1 234-5678", "Bäckerei Huber", "GREEN")
    ]
    assert next_page(answer) is None


def test_a_next_page_is_followed_by_its_after_cursor():
    answer = {"data": [], "paging": {"cursors": {"after": "QVFIUl"}, "next": "https://graph.facebook.com/..."}}
    assert next_page(answer) == "QVFIUl"
    assert phone_numbers_from_graph({}) == []


def test_an_invalid_token_is_final_and_a_busy_meta_passes():
    # Given Meta's errors for a token that cannot see the account, and for its own trouble
    invalid = classify_graph_error(401, {"error": {"message": "Invalid OAuth access token.", "code": 190}})
    busy = classify_graph_error(503, {"error": {"message": "Service temporarily unavailable", "code": 2}})
    # Then the first is final, the second may be tried again
    assert (invalid.retryable, invalid.code) == (False, 190)
    assert busy.retryable is True
