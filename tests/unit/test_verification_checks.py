"""The automated checks on verification requests, one table per check."""

import pytest
from bizline.errors import ValidationFailed
from bizline.rules.phone_numbers import to_e164
from bizline.rules.verification_checks import (
    confusable,
    documents_attached,
    email_domain_matches_website,
    name_not_confusable,
    name_skeleton,
    registration_number_format,
    run_checks,
    with_document_count,
)


@pytest.mark.parametrize(
    ("email", "website", "passes"),
    [
        ("office@baeckerei-huber.at", "https://baeckerei-huber.at", True),
        ("office@baeckerei-huber.at", "https://www.baeckerei-huber.at/shop", True),
        ("office@mail.baeckerei-huber.at", "https://baeckerei-huber.at", True),
        ("OFFICE@Baeckerei-Huber.AT", "https://shop.baeckerei-huber.at", True),
        ("huber@gmail.com", "https://baeckerei-huber.at", False),
        ("office@huber.at", "https://baeckerei-huber.at", False),  # a suffix, not a subdomain
        ("office@baeckerei-huber.at.evil.example", "https://baeckerei-huber.at", False),
    ],
)
def test_the_contact_email_belongs_to_the_website(email, website, passes):
    assert email_domain_matches_website(email, website).passed is passes


@pytest.mark.parametrize(
    ("country", "number", "passes"),
    [
        ("AT", "FN 123456a", True),
        ("AT", "FN123456a", True),
        ("AT", "fn 12345 A", True),
        ("AT", "FN 1234567a", False),
        ("AT", "FN 123456", False),
        ("AT", "HRB 12345", False),
        ("DE", "HRB 12345", True),
        ("DE", "HRA 1234", True),
        ("DE", "HRB 12345 B", True),
        ("DE", "GnR 123", True),
        ("DE", "12345", False),
        ("DE", "FN 123456a", False),
        ("CH", "CHE-123.456.789", True),
        ("CH", "CHE-12.456.789", False),
        ("FR", "RCS Paris 123 456 789", True),
        ("FR", "123456789", True),
        ("FR", "12345678", False),
        ("NL", "12345678", True),
        ("BE", "0123.456.789", True),
        ("PL", "KRS 0000123456", True),
        ("IT", "MI-1234567", True),  # generic rule
        ("IT", "ABC", False),
        ("IT", "no digits here", False),
        ("ES", "B-12345678", True),
    ],
)
def test_registration_numbers_match_their_register(country, number, passes):
    check = registration_number_format(country, number)
    assert check.passed is passes, check.detail


@pytest.mark.parametrize(
    ("name", "verified", "close"),
    [
        ("Bäckerei Huber", "Bäckerei Huber GmbH", True),  # the legal form does not count
        ("BÄCKEREI HUBER", "Bäckerei Huber", True),  # case
        ("Baeckerei Huber", "Bäckerei Huber", True),  # accent spelled out
        ("B\u0430ckerei Huber", "Backerei Huber", True),  # Cyrillic a (U+0430)
        ("Erste B\u0430nk", "Erste Bank AG", True),
        ("PayPaI", "PayPal", True),  # capital I for l
        ("Austr1an Airlines", "Austrian Airlines", True),  # digit one for i/l
        ("0BB", "ÖBB", True),  # zero for O
        ("Bäckerei Huber", "Metzgerei Huber", False),
        ("Huber", "Hubertus Bräu", False),
        ("Spar", "Sparkasse Wien", False),
    ],
)
def test_look_alike_names(name, verified, close):
    assert confusable(name, verified) is close, (name_skeleton(name), name_skeleton(verified))


def test_the_name_check_names_the_verified_look_alike():
    check = name_not_confusable("Erste B\u0430nk", ["Bäckerei Huber", "Erste Bank AG"])
    assert not check.passed
    assert "Erste Bank AG" in check.detail
    assert name_not_confusable("Erste Bank", []).passed


def test_documents_must_be_attached_and_the_count_updates_the_check():
    assert not documents_attached(0).passed
    assert documents_attached(2).passed
    checks = run_checks(
        contact_email="office@huber.at",
        website="https://huber.at",
        country="AT",
        registration_number="FN 1a",
        display_name="Huber",
        verified_names=[],
        attached_documents=0,
    )
    assert [check.passed for check in checks] == [True, True, True, False]
    assert [check.passed for check in with_document_count(checks, 1)] == [True, True, True, True]


@pytest.mark.parametrize(
    ("asked", "e164"),
    [
        ("+43 1 5550100", "+4315550100"),
        ("+43-1-555-0100", "+4315550100"),
        ("0043 1 5550100", "+4315550100"),
        ("4315550100", "+4315550100"),
        ("+4315550100", "+4315550100"),
        ("+1 (415) 555-0100", "+14155550100"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(asked, e164):
    assert to_e164(asked) == e164


@pytest.mark.parametrize("asked", ["", "+", "abc", "+0431555", "12345", "+1234567890123456"])
def test_what_is_not_an_e164_number_is_refused(asked):
    with pytest.raises(ValidationFailed):
        to_e164(asked)
