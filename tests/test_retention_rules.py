from datetime import date

import pytest

from customer_archive.tools.retention import (
    ARCHIVE_CLOSURE,
    DAYS,
    DOCUMENT_DATE,
    FILING_DATE,
    LAST_ACTIVITY,
    MONTHS,
    VALIDITY_END,
    YEARS,
    add_period,
    is_expired,
    retention_date,
    start_date,
    warning_limit,
)


@pytest.mark.parametrize(
    ("start", "count", "unit", "expected"),
    [
        (date(2024, 1, 1), 30, DAYS, date(2024, 1, 31)),
        (date(2024, 2, 28), 1, DAYS, date(2024, 2, 29)),
        (date(2023, 2, 28), 1, DAYS, date(2023, 3, 1)),
        (date(2024, 12, 31), 1, DAYS, date(2025, 1, 1)),
        (date(2024, 1, 31), 1, MONTHS, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, MONTHS, date(2023, 2, 28)),
        (date(2024, 3, 31), 1, MONTHS, date(2024, 4, 30)),
        (date(2024, 4, 30), 1, MONTHS, date(2024, 5, 30)),
        (date(2024, 8, 31), 6, MONTHS, date(2025, 2, 28)),
        (date(2024, 11, 15), 3, MONTHS, date(2025, 2, 15)),
        (date(2024, 2, 29), 1, YEARS, date(2025, 2, 28)),
        (date(2024, 2, 29), 4, YEARS, date(2028, 2, 29)),
        (date(2024, 2, 29), 30, YEARS, date(2054, 2, 28)),
        (date(2024, 2, 29), 12, MONTHS, date(2025, 2, 28)),
        (date(2025, 12, 31), 10, YEARS, date(2035, 12, 31)),
        (date(2025, 6, 15), 0, YEARS, date(2025, 6, 15)),
    ],
)
def test_add_period(start, count, unit, expected):
    assert add_period(start, count, unit) == expected


def test_add_period_negative_count_rejected():
    with pytest.raises(ValueError, match="negative"):
        add_period(date(2024, 1, 1), -1, YEARS)


def test_add_period_unknown_unit_rejected():
    with pytest.raises(ValueError, match="unknown retention unit"):
        add_period(date(2024, 1, 1), 1, "weeks")


DATES = {
    FILING_DATE: date(2024, 3, 10),
    DOCUMENT_DATE: date(2024, 3, 1),
    VALIDITY_END: date(2026, 12, 31),
    ARCHIVE_CLOSURE: None,
    LAST_ACTIVITY: date(2025, 5, 20),
}


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (FILING_DATE, date(2024, 3, 10)),
        (DOCUMENT_DATE, date(2024, 3, 1)),
        (VALIDITY_END, date(2026, 12, 31)),
        (ARCHIVE_CLOSURE, None),
        (LAST_ACTIVITY, date(2025, 5, 20)),
    ],
)
def test_start_date_per_event(event, expected):
    assert start_date(event, DATES) == expected


def test_start_date_document_date_falls_back_to_filing():
    dates = {**DATES, DOCUMENT_DATE: None}
    assert start_date(DOCUMENT_DATE, dates) == date(2024, 3, 10)


def test_start_date_last_activity_not_before_filing():
    dates = {**DATES, LAST_ACTIVITY: date(2023, 1, 5)}
    assert start_date(LAST_ACTIVITY, dates) == date(2024, 3, 10)


def test_start_date_last_activity_missing_uses_filing():
    dates = {**DATES, LAST_ACTIVITY: None}
    assert start_date(LAST_ACTIVITY, dates) == date(2024, 3, 10)


def test_start_date_unknown_event_rejected():
    with pytest.raises(ValueError, match="unknown start event"):
        start_date("signature", DATES)


def test_retention_date_from_validity_end():
    assert retention_date(VALIDITY_END, DATES, 10, YEARS) == date(2036, 12, 31)


def test_retention_date_permanent_is_none():
    assert retention_date(FILING_DATE, DATES, 10, YEARS, permanent=True) is None


def test_retention_date_without_start_event_is_none():
    assert retention_date(ARCHIVE_CLOSURE, DATES, 3, YEARS) is None


def test_is_expired_only_after_retention_date():
    assert not is_expired(date(2025, 2, 28), date(2025, 2, 28))
    assert is_expired(date(2025, 2, 28), date(2025, 3, 1))


def test_is_expired_without_date_is_false():
    assert not is_expired(None, date(2025, 3, 1))


def test_warning_limit_counts_days_ahead():
    assert warning_limit(date(2024, 2, 1), 30) == date(2024, 3, 2)


def test_warning_limit_negative_days_is_today():
    assert warning_limit(date(2024, 2, 1), -5) == date(2024, 2, 1)
