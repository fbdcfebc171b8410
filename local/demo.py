"""The demo business of the local platform and of the sample events: an SME bakery.

Its key is fixed so the README's quick start and `events/` work by copy and paste. It exists
only where this seed runs: locally and in tests, never in AWS.
"""

import json
from datetime import UTC, datetime
from typing import Any

DEMO_BUSINESS_ID = "biz_demobakery000000001"
DEMO_API_KEY = "bzl_demo_bakery_local_only_do_not_use_in_aws_000000000"
DEMO_KEY_ID = "key_demobakery00000001"
# Signs the demo bakery's callbacks; the local callback receiver verifies with it.
DEMO_WEBHOOK_SECRET = "whsec_" + "Yml6bGluZS1sb2NhbC1kZW1vLXdlYmhvb2stc2VjcmV0IQ=="
# A second key, so the sample revoke event has something it may revoke.
DEMO_SPARE_API_KEY = "bzl_demo_bakery_spare_local_only_do_not_use_in_aws_0000"
DEMO_SPARE_KEY_ID = "key_demobakery00000002"
DEMO_PHONE_NUMBER_ID = "100000000000001"
DEMO_DISPLAY_NUMBER = "+43 1 5550100"
# The demo bakery's WhatsApp Business Account at the sandbox provider, and the token Embedded Signup
# would have handed over. A second account (another business's) lets tests prove refusals.
DEMO_WABA_ID = "200000000000001"
DEMO_WABA_ACCESS_TOKEN = "EAAsandbox-demo-bakery-local-only-token"  # noqa: S105 - local only, never in AWS
# A second line of the bakery's account, not added at seed time (the sample event adds it).
DEMO_SECOND_PHONE_NUMBER_ID = "100000000000003"
DEMO_SECOND_DISPLAY_NUMBER = "+43 1 5550101"
OTHER_WABA_ID = "200000000000002"
OTHER_WABA_ACCESS_TOKEN = "EAAsandbox-other-business-local-only-token"  # noqa: S105 - local only
DEMO_CUSTOMER_WA_ID = "436601234567"
DEMO_INBOUND_WAMID = "wamid.demo.inbound.0001"
# The local Meta app secret: the platform signs sandbox statuses and `make customer` messages with it.
DEMO_META_APP_SECRET = "bizline-local-meta-app-secret"  # noqa: S105 - local only, never in AWS
DEMO_VERIFY_TOKEN = "bizline-verify-token"  # noqa: S105 - the template's default, local only


# The demo bakery's team: an owner and an agent, signing in to the console (local only, never in AWS).
DEMO_OWNER_EMAIL = "owner@baeckerei-demo.example"
DEMO_OWNER_PASSWORD = "Demo-Owner-2026"  # noqa: S105 - local only, never in AWS
DEMO_AGENT_EMAIL = "agent@baeckerei-demo.example"
DEMO_AGENT_PASSWORD = "Demo-Agent-2026"  # noqa: S105 - local only, never in AWS
# bizline's own reviewer (the verification queue): in the pool's reviewers group, of no business.
DEMO_REVIEWER_EMAIL = "reviewer@bizline.example"
DEMO_REVIEWER_PASSWORD = "Demo-Reviewer-2026"  # noqa: S105 - local only, never in AWS


def seed_event_member(event: dict[str, Any], now: datetime | None = None) -> None:
    """Put the team member a console event's ID token names on their business's team, unless there already.

    Each console request's member is checked against the team (a removed member stops at once); the
    sample events carry fixed claims, so `make invoke` and the tests seed the member they name.
    """
    from bizline.adapters import team_members_store
    from bizline.models.team import StoredMember
    from bizline.rules.team_roles import member_from_claims

    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt", {}).get("claims")
    member = member_from_claims(claims or {})
    if member is None or team_members_store.get_member(member.business_id, member.member_id) is not None:
        return
    role = member.role or "agent"
    team_members_store.put_member(
        StoredMember(member.business_id, member.member_id, member.email, role, now or datetime.now(UTC))
    )


def seed_demo_team(cognito: Any, user_pool_id: str, now: datetime | None = None) -> None:
    """The bakery's owner and one agent in the team's user pool, with passwords they can sign in with."""
    from bizline.adapters import team_members_store
    from bizline.models.team import StoredMember

    for email, password, group in (
        (DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD, "owner"),
        (DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD, "agent"),
    ):
        user = cognito.admin_create_user(
            UserPoolId=user_pool_id,
            Username=email,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "custom:business_id", "Value": DEMO_BUSINESS_ID},
            ],
            MessageAction="SUPPRESS",
        )
        cognito.admin_set_user_password(UserPoolId=user_pool_id, Username=email, Password=password, Permanent=True)
        cognito.admin_add_user_to_group(UserPoolId=user_pool_id, Username=email, GroupName=group)
        sub = next(a["Value"] for a in user["User"]["Attributes"] if a["Name"] == "sub")
        team_members_store.put_member(StoredMember(DEMO_BUSINESS_ID, sub, email, group, now or datetime.now(UTC)))
    seed_demo_reviewer(cognito, user_pool_id)


def seed_demo_reviewer(cognito: Any, user_pool_id: str) -> None:
    """A bizline reviewer: signs in to the console's reviewer view, which trades the token for IAM credentials."""
    cognito.admin_create_user(
        UserPoolId=user_pool_id,
        Username=DEMO_REVIEWER_EMAIL,
        UserAttributes=[{"Name": "email", "Value": DEMO_REVIEWER_EMAIL}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=user_pool_id, Username=DEMO_REVIEWER_EMAIL, Password=DEMO_REVIEWER_PASSWORD, Permanent=True
    )
    cognito.admin_add_user_to_group(UserPoolId=user_pool_id, Username=DEMO_REVIEWER_EMAIL, GroupName="reviewers")


def seed_demo_business(now: datetime | None = None, callback_url: str | None = None) -> None:
    from bizline.adapters import accounts_store, api_keys_store
    from bizline.models.api_keys import StoredApiKey
    from bizline.models.businesses import Business, SizeFigures
    from bizline.rules.api_keys import hash_key
    from bizline.rules.tiers import classify_size, tier_for

    now = now or datetime.now(UTC)
    size = SizeFigures(employees=4, annual_turnover_eur=350_000, balance_sheet_total_eur=120_000)
    size_class = classify_size(**size.model_dump())
    business = Business(
        business_id=DEMO_BUSINESS_ID,
        display_name="Bäckerei Demo",
        legal_name="Bäckerei Demo GmbH",
        country="AT",
        contact_email="office@baeckerei-demo.example",
        website="https://baeckerei-demo.example",
        callback_url=callback_url,
        size=size,
        size_class=size_class,
        tier=tier_for(size_class),
        created_at=now,
        updated_at=now,
    )

    def key(plaintext: str, key_id: str, name: str) -> StoredApiKey:
        return StoredApiKey(
            key_hash=hash_key(plaintext),
            key_id=key_id,
            business_id=DEMO_BUSINESS_ID,
            name=name,
            prefix=plaintext[:12],
            created_at=now,
            last_used_at=None,
            revoked_at=None,
        )

    accounts_store.create_business(business, key(DEMO_API_KEY, DEMO_KEY_ID, "demo"), webhook_secret=DEMO_WEBHOOK_SECRET)
    api_keys_store.add_api_key(key(DEMO_SPARE_API_KEY, DEMO_SPARE_KEY_ID, "demo spare"), limit=2)
    seed_demo_conversation(now)


def seed_demo_whatsapp_account(now: datetime) -> None:
    """The demo bakery connects its sandbox WhatsApp Business Account and adds its number, as a business would."""
    from bizline.adapters.providers import get_provider, use_provider
    from bizline.models.messaging import AddPhoneNumberRequest
    from bizline.models.whatsapp_accounts import ConnectWhatsAppAccountRequest
    from bizline.services.number_registration import add_phone_number
    from bizline.services.whatsapp_accounts import connect

    from local.sandbox_provider import SandboxProvider

    if not isinstance(get_provider(), SandboxProvider):
        # The demo's account exists at the sandbox only: the seed speaks to it.
        use_provider(SandboxProvider())
    connect(
        DEMO_BUSINESS_ID,
        ConnectWhatsAppAccountRequest(waba_id=DEMO_WABA_ID, access_token=DEMO_WABA_ACCESS_TOKEN),
        now,
    )
    add_phone_number(DEMO_BUSINESS_ID, AddPhoneNumberRequest(phone_number_id=DEMO_PHONE_NUMBER_ID), now)


def seed_demo_conversation(now: datetime) -> None:
    """The demo bakery's account and number, and one customer who wrote this morning (the window is open)."""
    from bizline.models.customers import CustomerIdentity
    from bizline.rules.envelope import CustomerMessage
    from bizline.services.customer_messages import receive_customer_message

    seed_demo_whatsapp_account(now)
    content = {
        "from": DEMO_CUSTOMER_WA_ID,
        "id": DEMO_INBOUND_WAMID,
        "type": "text",
        "timestamp": str(int(now.timestamp())),
        "text": {"body": "Habt ihr heute Kipferl?"},
    }
    message = CustomerMessage(
        phone_number_id=DEMO_PHONE_NUMBER_ID,
        wamid=DEMO_INBOUND_WAMID,
        customer=CustomerIdentity(DEMO_CUSTOMER_WA_ID, None, "Anna"),
        sent_at=now,
        type="text",
        content=content,
    )
    # Seeded, not delivered: the demo business hears of the messages that arrive after it.
    receive_customer_message(DEMO_BUSINESS_ID, message, now)


# The local platform's rate card: rate-cards/starter.json, valid from a month before any demo data, so
# every month the platform runs in is priced (the sample event publishes a later version, 2026-01).
STARTER_RATE_CARD_FROM = "2025-01"


def seed_starter_rate_card() -> None:
    """Publish rate-cards/starter.json as the first rate card, as an operator does after a deploy."""
    from bizline.models.billing import RateCard
    from bizline.services.usage import publish_rate_card

    from local.template import PROJECT_ROOT

    terms = json.loads((PROJECT_ROOT / "rate-cards" / "starter.json").read_text())
    publish_rate_card(RateCard(valid_from=STARTER_RATE_CARD_FROM, **terms))


def seed_demo_meta_secret(secretsmanager: Any, secret_name: str = "bizline/meta") -> None:  # noqa: S107
    """Known local values for the Meta secret the template generates (signing stays real)."""
    secretsmanager.put_secret_value(
        SecretId=secret_name,
        SecretString=json.dumps(
            {"app_secret": DEMO_META_APP_SECRET, "verify_token": DEMO_VERIFY_TOKEN, "access_token": ""}
        ),
    )


# The verification request the sample events under events/verification_* act on.
DEMO_REQUEST_ID = "vrq_0000000000000000demo"


def seed_demo_verification_request(in_review: bool = False, now: datetime | None = None) -> None:
    """The demo bakery's request DEMO_REQUEST_ID, submitted (or claimed by a reviewer), for `make invoke`."""
    from bizline.adapters import verification_store
    from bizline.models.businesses import SizeFigures
    from bizline.models.verification import StoredVerificationRequest, VerificationState
    from bizline.rules.verification_checks import run_checks
    from bizline.services.verification_review import claim

    now = now or datetime.now(UTC)
    website, email = "https://baeckerei-demo.example", "office@baeckerei-demo.example"
    checks = run_checks(
        contact_email=email,
        website=website,
        country="AT",
        registration_number="FN 123456a",
        display_name="Bäckerei Demo",
        verified_names=[],
        attached_documents=0,
    )
    request = StoredVerificationRequest(
        request_id=DEMO_REQUEST_ID,
        business_id=DEMO_BUSINESS_ID,
        state=VerificationState.SUBMITTED,
        legal_name="Bäckerei Demo GmbH",
        display_name="Bäckerei Demo",
        registration_number="FN 123456a",
        register_name="Firmenbuch, Handelsgericht Wien",
        country="AT",
        registered_address="Hauptstraße 1, 1010 Wien",
        website=website,
        contact_email=email,
        size=SizeFigures(employees=4, annual_turnover_eur=350_000, balance_sheet_total_eur=120_000),
        checks=tuple(checks),
        documents=(),
        submitted_at=now,
        updated_at=now,
    )
    verification_store.open_request(request, "business")
    if in_review:
        claim(DEMO_REQUEST_ID, "arn:aws:iam::123456789012:user/bizline-local", now)
