"""Consumption tier (RFM) and activity cycle rules."""

from dataclasses import dataclass

TIER_NONE = "none"
TIER_LOW = "low"
TIER_MEDIUM = "medium"
TIER_HIGH = "high"

CYCLE_NEW = "new"
CYCLE_ACTIVE = "active"
CYCLE_DORMANT = "dormant"
CYCLE_LOST = "lost"


@dataclass(frozen=True)
class RfmThresholds:
    """Limits of the recency, frequency and monetary scores.

    Each axis scores 2 at or past its ``high`` limit, 1 at or past its ``medium``
    limit and 0 otherwise; recency limits are days since the last purchase, so
    fewer days score higher. The tier is high from ``high_score`` points, medium
    from ``medium_score`` points and low below that.
    """

    recency_high_days: int = 90
    recency_medium_days: int = 365
    frequency_high: int = 12
    frequency_medium: int = 3
    monetary_high: float = 10000.0
    monetary_medium: float = 2000.0
    high_score: int = 5
    medium_score: int = 3

    def validate(self):
        """Raise ``ValueError`` when a limit is negative or the pairs are inverted."""
        pairs = (
            ("recency", self.recency_high_days, self.recency_medium_days),
            ("frequency", self.frequency_medium, self.frequency_high),
            ("monetary", self.monetary_medium, self.monetary_high),
            ("score", self.medium_score, self.high_score),
        )
        for axis, lower, upper in pairs:
            if lower < 0 or upper < 0:
                raise ValueError(f"{axis} limits must not be negative")
            if lower > upper:
                raise ValueError(f"{axis} limits are inverted: {lower} > {upper}")


def rfm_score(days_since_last, frequency, monetary, thresholds):
    """Return the RFM score (0 to 6) of a customer with at least one purchase."""
    recency = 0
    if days_since_last <= thresholds.recency_high_days:
        recency = 2
    elif days_since_last <= thresholds.recency_medium_days:
        recency = 1
    frequency_score = 0
    if frequency >= thresholds.frequency_high:
        frequency_score = 2
    elif frequency >= thresholds.frequency_medium:
        frequency_score = 1
    monetary_score = 0
    if monetary >= thresholds.monetary_high:
        monetary_score = 2
    elif monetary >= thresholds.monetary_medium:
        monetary_score = 1
    return recency + frequency_score + monetary_score


def consumption_tier(last_purchase, frequency, monetary, reference_date, thresholds):
    """Return the consumption tier on ``reference_date``.

    Only purchases made on or before ``reference_date`` must be counted by the
    caller; a customer without any such purchase has tier ``none``.
    """
    if not last_purchase or frequency <= 0:
        return TIER_NONE
    days = max((reference_date - last_purchase).days, 0)
    score = rfm_score(days, frequency, monetary, thresholds)
    if score >= thresholds.high_score:
        return TIER_HIGH
    if score >= thresholds.medium_score:
        return TIER_MEDIUM
    return TIER_LOW


def activity_cycle(last_interaction, reference_date, dormant_days, lost_days):
    """Return the activity cycle on ``reference_date`` from the last interaction date.

    A customer with no interaction yet is ``new``; ``dormant_days`` and
    ``lost_days`` are the days without interaction after which the customer is
    dormant and lost.
    """
    if dormant_days <= 0 or lost_days < dormant_days:
        raise ValueError(
            f"invalid activity thresholds: dormant {dormant_days}, lost {lost_days}"
        )
    if not last_interaction:
        return CYCLE_NEW
    days = (reference_date - last_interaction).days
    if days >= lost_days:
        return CYCLE_LOST
    if days >= dormant_days:
        return CYCLE_DORMANT
    return CYCLE_ACTIVE
