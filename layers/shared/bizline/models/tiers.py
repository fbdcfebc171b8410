"""Size classes (Commission Recommendation 2003/361/EC) and the billing tiers they give."""

from enum import StrEnum


class SizeClass(StrEnum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class Tier(StrEnum):
    FREE = "free"
    ENTERPRISE = "enterprise"
