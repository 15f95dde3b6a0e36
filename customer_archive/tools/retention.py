"""Retention periods of archive documents.

A period counts from the day after its start event, and its retention date is
the last day of the period (PRC Civil Code, articles 201 and 202). For months
and years, that is the same day of the month in the final month. When the
final month is shorter, it is that month's last day: 31 January plus one month
ends on 28 (or 29) February, and 29 February plus one year on 28 February. A
document may be destroyed from the day after its retention date.
"""

import datetime

from dateutil.relativedelta import relativedelta

DAYS = "days"
MONTHS = "months"
YEARS = "years"
UNITS = (DAYS, MONTHS, YEARS)

FILING_DATE = "filing_date"
DOCUMENT_DATE = "document_date"
VALIDITY_END = "validity_end"
ARCHIVE_CLOSURE = "archive_closure"
LAST_ACTIVITY = "last_activity"
START_EVENTS = (
    FILING_DATE,
    DOCUMENT_DATE,
    VALIDITY_END,
    ARCHIVE_CLOSURE,
    LAST_ACTIVITY,
)


def add_period(start, count, unit):
    """Return the last day of a period of ``count`` ``unit`` starting at ``start``.

    Raises ``ValueError`` for a negative count or an unknown unit.
    """
    if count < 0:
        raise ValueError(f"retention period must not be negative, got {count}")
    if unit == DAYS:
        return start + datetime.timedelta(days=count)
    if unit == MONTHS:
        return start + relativedelta(months=count)
    if unit == YEARS:
        return start + relativedelta(years=count)
    raise ValueError(f"unknown retention unit {unit!r}, expected one of {UNITS}")


def start_date(event, dates):
    """Return the date on which ``event`` happened, or ``None`` if it has not.

    ``dates`` maps start events to dates (or ``None``). A document without a
    document date counts from its filing date, which usually comes later, so
    the fallback errs on the side of keeping the document longer. The last
    activity counts from the filing date when that is later, because filing a
    document for the customer is itself an activity.
    """
    if event not in START_EVENTS:
        raise ValueError(
            f"unknown start event {event!r}, expected one of {START_EVENTS}"
        )
    if event == DOCUMENT_DATE:
        return dates.get(DOCUMENT_DATE) or dates.get(FILING_DATE)
    if event == LAST_ACTIVITY:
        known = [
            day for day in (dates.get(LAST_ACTIVITY), dates.get(FILING_DATE)) if day
        ]
        return max(known) if known else None
    return dates.get(event)


def retention_date(event, dates, count, unit, permanent=False):
    """Return the retention date of a document, or ``None``.

    ``None`` means the document is kept: the policy is permanent or its start
    event has not happened yet (e.g. the archive is not closed).
    """
    if permanent:
        return None
    start = start_date(event, dates)
    if not start:
        return None
    return add_period(start, count, unit)


def is_expired(retention_end, today):
    """Return whether a document with this retention date may be destroyed today."""
    return retention_end is not None and retention_end < today


def warning_limit(today, days):
    """Return the last retention date that falls within ``days`` from ``today``."""
    return today + datetime.timedelta(days=max(days, 0))
