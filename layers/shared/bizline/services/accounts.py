"""Business accounts and their API keys: sign-up, tiers over time, key life cycle (checks: authentication)."""

from datetime import date, datetime, timedelta

from bizline.adapters import accounts_store as store
from bizline.adapters import api_keys_store as key_store
from bizline.clock import utc_now
from bizline.errors import NotFound, ValidationFailed
from bizline.models.api_keys import ApiKeyList, ApiKeyView, StoredApiKey
from bizline.models.businesses import Business, BusinessUpdate, NewApiKeyView, SignUpRequest, SignUpResponse
from bizline.models.messaging import WebhookSecret
from bizline.rules.api_keys import generate_key, new_id
from bizline.rules.signatures import new_webhook_secret
from bizline.rules.tier_changes import apply_due_tier_change, resize
from bizline.rules.tiers import classify_size, tier_for
from bizline.settings import get_settings

WEBHOOK_SECRET_OVERLAP = timedelta(hours=24)


def _require_allowed_callback(url: object | None) -> None:
    if url is not None and str(url).startswith("http:") and not get_settings().allow_http_callbacks:
        raise ValidationFailed(
            "The request has invalid fields.",
            details=[{"field": "callback_url", "message": "must be an https URL", "type": "url_scheme"}],
        )


def _issue_key(business_id: str, name: str | None, now: datetime) -> tuple[StoredApiKey, NewApiKeyView]:
    material = generate_key()
    stored = StoredApiKey(
        key_hash=material.key_hash,
        key_id=new_id("key"),
        business_id=business_id,
        name=name,
        prefix=material.display_prefix,
        created_at=now,
        last_used_at=None,
        revoked_at=None,
    )
    shown = NewApiKeyView(
        key_id=stored.key_id, name=name, prefix=stored.prefix, api_key=material.plaintext, created_at=now
    )
    return stored, shown


def sign_up(request: SignUpRequest, now: datetime | None = None) -> SignUpResponse:
    """A new business with its size class, tier, first API key and callback signing secret."""
    now = now or utc_now()
    _require_allowed_callback(request.callback_url)
    size_class = classify_size(**request.size.model_dump())
    business = Business(
        business_id=new_id("biz"),
        display_name=request.display_name,
        legal_name=request.legal_name,
        country=request.country,
        contact_email=str(request.contact_email),
        website=str(request.website) if request.website else None,
        callback_url=str(request.callback_url) if request.callback_url else None,
        size=request.size,
        size_class=size_class,
        tier=tier_for(size_class),
        created_at=now,
        updated_at=now,
    )
    stored_key, shown_key = _issue_key(business.business_id, "default", now)
    webhook_secret = new_webhook_secret()
    store.create_business(business, stored_key, webhook_secret)
    return SignUpResponse(business=business, api_key=shown_key, webhook_secret=webhook_secret)


def get_business(business_id: str, today: date | None = None) -> Business:
    """The business as of `today`: a recorded tier change applies from its date."""
    business = store.get_business(business_id)
    if business is None:
        raise NotFound("No such business.")
    return apply_due_tier_change(business, today or utc_now().date())


def update_business(business_id: str, update: BusinessUpdate, now: datetime | None = None) -> Business:
    """Change the named fields; new size figures record a tier change for next month."""
    now = now or utc_now()
    stored = get_business(business_id, now.date())
    # `null` clears an optional field; the model refuses it for the name and size figures.
    changes = update.model_dump(exclude_unset=True, exclude={"size"})
    if "callback_url" in changes:
        _require_allowed_callback(update.callback_url)
    for field in ("website", "callback_url"):
        if changes.get(field) is not None:
            changes[field] = str(changes[field])
    business = stored.model_copy(update=changes)
    if update.size is not None:
        business = resize(business, update.size, now.date())
    business = business.model_copy(update={"updated_at": now})
    store.update_business(business, expected_updated_at=stored.updated_at)
    if business.callback_url and business.callback_url != stored.callback_url:
        store.reenable_callbacks(business_id, business.callback_url)
    return business


def rotate_webhook_secret(business_id: str, now: datetime | None = None) -> WebhookSecret:
    """A new callback signing secret; the old one keeps signing alongside it for 24 hours."""
    now = now or utc_now()
    settings = store.get_callback_settings(business_id)
    if settings is None:
        raise NotFound("No such business.")
    valid_until = now + WEBHOOK_SECRET_OVERLAP if settings.webhook_secret else None
    secret = new_webhook_secret()
    store.set_webhook_secret(business_id, secret, valid_until)
    return WebhookSecret(webhook_secret=secret, previous_secret_valid_until=valid_until)


def create_api_key(business_id: str, name: str | None, now: datetime | None = None) -> NewApiKeyView:
    """A new key for the business, shown this once; 409 limit_reached beyond its active keys' limit."""
    stored, shown = _issue_key(business_id, name, now or utc_now())
    key_store.add_api_key(stored, limit=get_settings().max_active_api_keys)
    return shown


def list_api_keys(business_id: str) -> ApiKeyList:
    """The business's active keys (never more than it may have), oldest first, without the keys themselves."""
    keys = key_store.list_active_api_keys(business_id, limit=get_settings().max_active_api_keys)
    keys = sorted(keys, key=lambda key: key.created_at)
    return ApiKeyList(items=[ApiKeyView.model_validate(key) for key in keys])


def revoke_api_key(business_id: str, key_id: str, now: datetime | None = None) -> None:
    """Revoke one of the business's keys, never its last active one."""
    key = key_store.find_api_key(business_id, key_id)
    if key is None or key.revoked_at is not None:
        raise NotFound("No such API key.")
    key_store.revoke_api_key(key, now or utc_now())
