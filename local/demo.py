"""The demo business of the local platform and of the sample events: an SME bakery.

Its key is fixed so the README's quick start and `events/` work by copy and paste. It exists
only where this seed runs: locally and in tests, never in AWS.
"""

from datetime import UTC, datetime

DEMO_BUSINESS_ID = "biz_demobakery000000001"
DEMO_API_KEY = "bzl_demo_bakery_local_only_do_not_use_in_aws_000000000"
DEMO_KEY_ID = "key_demobakery00000001"
# A second key, so the sample revoke event has something it may revoke.
DEMO_SPARE_API_KEY = "bzl_demo_bakery_spare_local_only_do_not_use_in_aws_0000"
DEMO_SPARE_KEY_ID = "key_demobakery00000002"


def seed_demo_business(now: datetime | None = None) -> None:
    from bizline.adapters import accounts_store as store
    from bizline.domain.api_keys import hash_key
    from bizline.domain.tiers import classify_size, tier_for
    from bizline.models.businesses import Business, SizeFigures

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
        size=size,
        size_class=size_class,
        tier=tier_for(size_class),
        created_at=now,
        updated_at=now,
    )

    def key(plaintext: str, key_id: str, name: str) -> store.StoredApiKey:
        return store.StoredApiKey(
            key_hash=hash_key(plaintext),
            key_id=key_id,
            business_id=DEMO_BUSINESS_ID,
            name=name,
            prefix=plaintext[:12],
            created_at=now,
            last_used_at=None,
            revoked_at=None,
        )

    store.create_business(business, key(DEMO_API_KEY, DEMO_KEY_ID, "demo"))
    store.add_api_key(key(DEMO_SPARE_API_KEY, DEMO_SPARE_KEY_ID, "demo spare"))
