"""Rate cards, usage reports and invoices as the API shows them.

Money is integer cents (EUR) only. Prices are cents per 1,000 units, so fractions of a cent per
message can be priced without a float anywhere; each line is rounded half up to a whole cent
(see rules.billing).
"""

import re
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bizline.models.tiers import Tier

# Years 2000-2999: a month and the months either side of it are all calendar months (no year 0 or 10000).
MONTH_PATTERN = r"^2[0-9]{3}-(0[1-9]|1[0-2])$"
Month = Annotated[
    str, Field(pattern=MONTH_PATTERN, examples=["2026-03"], description="A calendar month (UTC), YYYY-MM.")
]
Meter = Annotated[str, Field(pattern=r"^[a-z_]{1,40}$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PriceBand(_Frozen):
    """Units past the allowance up to `up_to` (all the rest when null) cost `cents_per_thousand` per 1,000."""

    up_to: int | None = Field(default=None, ge=1)
    cents_per_thousand: int = Field(ge=0, le=10_000_000)


class TierTerms(_Frozen):
    """What one tier pays: free units per month, graduated prices per meter, and fair-use caps per month."""

    allowances: dict[Meter, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    prices: dict[Meter, list[PriceBand]] = Field(default_factory=dict)
    caps: dict[Meter, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)

    @field_validator("prices")
    @classmethod
    def _bands_ascend(cls, prices: dict[str, list[PriceBand]]) -> dict[str, list[PriceBand]]:
        for meter, bands in prices.items():
            limits = [band.up_to for band in bands]
            if not bands or None in limits[:-1] or limits != sorted(limits, key=lambda limit: limit or 2**63):
                raise ValueError(f"{meter}: bands must ascend, only the last may be open (up_to null)")
        return prices


class RateCardTerms(_Frozen):
    """A rate card's prices (PUT /admin/rate-cards/{valid_from} takes them; the path names the month)."""

    currency: str = Field(default="EUR", pattern="^EUR$")
    tiers: dict[Tier, TierTerms]

    @model_validator(mode="after")
    def _every_tier(self) -> "RateCardTerms":
        missing = set(Tier) - set(self.tiers)
        if missing:
            raise ValueError(f"terms for every tier are needed: missing {', '.join(sorted(missing))}")
        return self


class RateCard(RateCardTerms):
    """A version of bizline's prices, valid from a month until the next version's month."""

    valid_from: Month


class AllowanceUse(_Frozen):
    meter: str
    included: int
    used: int
    remaining: int


class DayUsage(_Frozen):
    day: str
    counts: dict[str, int]


class UsageReport(_Frozen):
    """A business's usage in a month: totals and days per meter, the tier that applied, allowances used."""

    business_id: str
    month: str
    tier: Tier
    rate_card: str | None = Field(description="The valid_from of the rate card that applies; null when none does.")
    totals: dict[str, int]
    days: list[DayUsage]
    allowances: list[AllowanceUse]
    caps: dict[str, int]


class UsageReportList(_Frozen):
    month: str
    items: list[UsageReport]
    next_cursor: str | None = Field(default=None, description="Pass as `cursor` for the next page; null on the last.")


class InvoiceLine(_Frozen):
    meter: str
    quantity: int
    amount_cents: int


class AdjustmentLine(InvoiceLine):
    """A late change to a closed month, booked on the next invoice (negative when the month billed too much)."""

    month: str


class Invoice(BaseModel):
    """A closed month's invoice: immutable once the month is closed."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    business_id: str
    month: str
    tier: Tier
    rate_card: str | None
    currency: str
    lines: list[InvoiceLine]
    adjustments: list[AdjustmentLine]
    total_cents: int
    closed_at: str
    rounding: str
    note: str = Field(description="Meta bills its own fees to the business's WhatsApp Business Account, separately.")


class InvoiceList(_Frozen):
    items: list[Invoice]


class InvoiceFileLink(_Frozen):
    """A short-lived link to a closed month's invoice file in S3: GET it (no API key) before it expires."""

    url: str = Field(description="A presigned S3 GET link, valid for 5 minutes.")
    expires_at: datetime
    filename: str = Field(examples=["bizline-invoice-2026-03.pdf"])
    content_type: str = Field(examples=["application/pdf", "text/csv; charset=utf-8"])


class CloseRequest(_Frozen):
    month: Month


class CloseResult(_Frozen):
    month: str
    closed: int = Field(description="Invoices frozen by this run.")
    already_closed: int = Field(description="Invoices a run before had frozen (left as they were).")


def is_month(value: str) -> bool:
    """Whether a text is a month as the API takes it (YYYY-MM)."""
    return re.fullmatch(MONTH_PATTERN, value) is not None
