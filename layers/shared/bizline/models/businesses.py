"""Business accounts: sign-up, the account view, changes, and the callback settings stored with them."""

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import Field

from bizline.models.common import (
    CallbackUrl,
    ContactEmail,
    CountryCode,
    HttpsUrl,
    Integer,
    Name,
    RequestModel,
    ResponseModel,
    ShortName,
)
from bizline.models.tiers import SizeClass, Tier


class SizeFigures(RequestModel):
    """The figures the EU uses to tell an SME from a large enterprise (2003/361/EC)."""

    employees: Integer = Field(ge=0, le=10_000_000, description="Staff headcount in annual work units.")
    annual_turnover_eur: Integer = Field(ge=0, le=10**15, description="Whole euros.")
    balance_sheet_total_eur: Integer = Field(ge=0, le=10**15, description="Whole euros.")


class SignUpRequest(RequestModel):
    display_name: ShortName = Field(description="The name customers see.")
    legal_name: Name
    country: CountryCode
    contact_email: ContactEmail
    website: HttpsUrl | None = None
    callback_url: CallbackUrl | None = None
    size: SizeFigures


class BusinessUpdate(RequestModel):
    """Fields to change; an absent field is kept, `null` clears an optional one (website, callback_url).

    `display_name` and `size` cannot be cleared: `null` for either is refused with 422.
    """

    # Optional but not nullable: the default None means "absent" and is never validated, so `null`
    # is refused by the type itself, as the document (no `null` in the schema) says.
    display_name: ShortName = Field(default=None, description="Cannot be null.")
    website: HttpsUrl | None = Field(default=None, description="`null` removes the website.")
    callback_url: CallbackUrl | None = Field(default=None, description="`null` removes the callback URL.")
    size: SizeFigures = Field(
        default=None, description="New size figures (a tier they change applies next month). Cannot be null."
    )


class TierChange(ResponseModel):
    from_tier: Tier
    to_tier: Tier
    recorded_on: date
    effective_from: date


class Badge(ResponseModel):
    """bizline's reviewers checked who this business is."""

    verified_name: str
    verified_since: datetime


class Business(ResponseModel):
    business_id: str
    display_name: str
    legal_name: str
    country: str
    contact_email: str
    website: str | None = None
    callback_url: str | None = None
    size: SizeFigures
    size_class: SizeClass
    tier: Tier = Field(description="The tier billed this month.")
    pending_tier_change: TierChange | None = Field(
        default=None, description="A recorded change of tier that applies from the start of next month."
    )
    tier_history: list[TierChange] = Field(default_factory=list)
    badge: Badge | None = Field(default=None, description="The verified badge, once a reviewer approved a request.")
    created_at: datetime
    updated_at: datetime


class NewApiKeyView(ResponseModel):
    key_id: str
    name: str | None = None
    prefix: str
    api_key: str = Field(description="The key itself. Shown this once: bizline keeps only its hash.")
    created_at: datetime


class SignUpResponse(ResponseModel):
    business: Business
    api_key: NewApiKeyView
    webhook_secret: str = Field(
        description="Signs the callbacks bizline sends (Standard Webhooks, `whsec_...`). Shown this once."
    )


@dataclass(frozen=True)
class CallbackSettings:
    """Where a business's callbacks go, the secrets that sign them, and whether they are disabled."""

    callback_url: str | None
    webhook_secret: str | None
    previous_webhook_secret: str | None
    previous_webhook_secret_expires_at: datetime | None
    callback_disabled_at: datetime | None
