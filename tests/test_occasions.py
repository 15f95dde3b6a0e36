"""Tests of customer_archive.tools.occasions, run without Odoo."""

from datetime import date, timedelta

import pytest

from customer_archive.tools import birthdays, occasions


def test_date_window_includes_both_ends():
    assert occasions.date_window(date(2026, 12, 30), 3) == [
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 2),
    ]


def test_date_window_zero_days_is_start_only():
    assert occasions.date_window(date(2026, 3, 5), 0) == [date(2026, 3, 5)]


def test_date_window_rejects_negative_days():
    with pytest.raises(ValueError):
        occasions.date_window(date(2026, 3, 5), -1)


def test_solar_date_feb_29_in_common_year():
    assert occasions.solar_dates_in_year(2, 29, 2026) == [date(2026, 2, 28)]
    assert occasions.solar_dates_in_year(2, 29, 2028) == [date(2028, 2, 29)]


def test_solar_date_rejects_impossible_day():
    with pytest.raises(ValueError):
        occasions.solar_dates_in_year(4, 31, 2026)


@pytest.mark.parametrize(
    ("month", "day", "year", "expected"),
    [
        (1, 1, 2026, [date(2026, 2, 17)]),  # Spring Festival
        (8, 15, 2026, [date(2026, 9, 25)]),  # Mid-Autumn
        (5, 5, 2026, [date(2026, 6, 19)]),  # Dragon Boat
        (1, 1, 2024, [date(2024, 2, 10)]),
    ],
)
def test_lunar_festival_dates(month, day, year, expected):
    assert occasions.lunar_dates_in_year(month, day, year) == expected


def test_lunar_date_twice_in_one_solar_year():
    # Lunar 12/8 (Laba) of lunar years 2021 and 2022 both fall in 2022.
    assert occasions.lunar_dates_in_year(12, 8, 2022) == [
        date(2022, 1, 10),
        date(2022, 12, 30),
    ]
    assert occasions.lunar_dates_in_year(12, 8, 2023) == []


def test_lunar_date_rejects_invalid_month():
    with pytest.raises(ValueError):
        occasions.lunar_dates_in_year(13, 1, 2026)


def test_holiday_dates_by_english_name():
    assert occasions.holiday_dates_in_year("CN", "Dragon Boat Festival", 2026) == [
        date(2026, 6, 19)
    ]


def test_holiday_name_ignores_case_and_spaces():
    assert occasions.holiday_dates_in_year("CN", "  mid-autumn   FESTIVAL ", 2026) == [
        date(2026, 9, 25)
    ]


def test_holiday_dates_by_local_name():
    assert occasions.holiday_dates_in_year("CN", "中秋节", 2026) == [date(2026, 9, 25)]


def test_holiday_of_several_days_counts_first_day():
    dates = occasions.holiday_dates_in_year(
        "CN", "Chinese New Year (Spring Festival)", 2026
    )
    assert dates == [date(2026, 2, 17)]


def test_holiday_unknown_name_has_no_date():
    assert occasions.holiday_dates_in_year("CN", "Christmas Day", 2026) == []


def test_holiday_unknown_country_raises_value_error():
    with pytest.raises(ValueError):
        occasions.holiday_dates_in_year("XX", "New Year's Day", 2026)


def test_holiday_names_lists_english_names():
    names = occasions.holiday_names("CN", 2026)
    assert "Mid-Autumn Festival" in names
    assert "Dragon Boat Festival" in names


@pytest.mark.parametrize(
    ("kind", "kwargs", "expected"),
    [
        ("solar", {"month": 1, "day": 1}, [date(2026, 1, 1)]),
        ("lunar", {"month": 8, "day": 15}, [date(2026, 9, 25)]),
        (
            "holiday",
            {"country": "CN", "holiday_name": "Dragon Boat Festival"},
            [date(2026, 6, 19)],
        ),
    ],
)
def test_occasion_dates_for_each_kind(kind, kwargs, expected):
    assert occasions.occasion_dates_in_year(kind, 2026, **kwargs) == expected


def test_occasion_dates_unknown_kind():
    with pytest.raises(ValueError):
        occasions.occasion_dates_in_year("weekly", 2026)


def test_due_occurrence_on_the_day():
    festival = date(2026, 9, 25)
    assert occasions.due_occurrence([festival], festival) == festival
    assert occasions.due_occurrence([festival], date(2026, 9, 24)) is None
    assert occasions.due_occurrence([festival], date(2026, 9, 26)) is None


def test_due_occurrence_days_before_window():
    festival = date(2026, 9, 25)
    assert occasions.due_occurrence([festival], date(2026, 9, 23), 2) == festival
    assert occasions.due_occurrence([festival], date(2026, 9, 22), 2) is None


def test_lunar_birth_specs_of_plain_day():
    # 2026-09-25 is lunar 8/15; lunar 2026 has no leap 8th month, so births
    # in a leap 8th month are celebrated on the regular 8/15 too.
    assert occasions.lunar_birth_specs_on(date(2026, 9, 25)) == {
        (8, 15, False),
        (8, 15, True),
    }


def test_lunar_birth_specs_short_month_day_30():
    # The 4th month of lunar 2024 has 29 days: its 29th (2024-06-05) is also
    # the birthday of people born on a 4th-month 30th.
    specs = occasions.lunar_birth_specs_on(date(2024, 6, 5))
    assert specs == {(4, 29, False), (4, 30, False), (4, 29, True), (4, 30, True)}


def test_lunar_birth_specs_leap_month_recurring():
    # 2020 has a leap 4th month: its 10th day is only for leap-month births.
    assert occasions.lunar_birth_specs_on(date(2020, 6, 1)) == {(4, 10, True)}


def test_lunar_birth_specs_leap_month_not_recurring():
    # 2021 has no leap 4th month: leap-month births share the regular month.
    assert occasions.lunar_birth_specs_on(date(2021, 5, 21)) == {
        (4, 10, False),
        (4, 10, True),
    }


def test_lunar_birth_specs_outside_library_range():
    assert occasions.lunar_birth_specs_on(date(1800, 1, 1)) == set()


def test_solar_index_keys_feb_28_common_year():
    assert occasions.birthday_index_keys(birthdays.SOLAR, date(2026, 2, 28)) == {
        (2, 28),
        (2, 29),
    }


def test_solar_index_keys_feb_28_leap_year():
    assert occasions.birthday_index_keys(birthdays.SOLAR, date(2028, 2, 28)) == {
        (2, 28)
    }


def test_solar_index_keys_feb_29():
    assert occasions.birthday_index_keys(birthdays.SOLAR, date(2028, 2, 29)) == {
        (2, 29),
        (2, 28),
    }


def test_lunar_index_keys_cover_neighbouring_years():
    day = date(2020, 6, 1)  # leap 4/10 of 2020
    keys = occasions.birthday_index_keys(birthdays.LUNAR, day)
    assert (6, 1) in keys  # computed in 2020
    assert (5, 14) in keys  # computed in 2019, regular 4/10
    assert (5, 21) in keys  # computed in 2021


def test_lunar_index_keys_cover_all_births():
    """Each lunar birthday in 2026 is found from its stored 2025 or 2026 pair."""
    for offset in range(0, 366, 7):
        birth = date(1980, 1, 1) + timedelta(days=offset)
        for year in (2025, 2026):
            stored = birthdays.birthday_in_year(birth, birthdays.LUNAR, year)
            pair = (stored.month, stored.day) if stored else (0, 0)
            for day in birthdays.lunar_birthdays_in_year(birth, 2026):
                assert pair in occasions.birthday_index_keys(birthdays.LUNAR, day)
