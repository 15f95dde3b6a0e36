"""Dates of greeting occasions: solar and lunar dates, public holidays, windows.

Lunar dates come from ``lunardate`` (lunar years 1900-2099) with the fallbacks
of ``birthdays``: a missing leap month uses the regular month of the same
number and a 30th day falls on the 29th in a short month. Public holidays come
from the ``holidays`` library; its names vary between releases, so a holiday
name is checked against the library installed.
"""

import calendar
import datetime

import holidays
from lunardate import LunarDate

from . import birthdays

SOLAR = "solar"
LUNAR = "lunar"
HOLIDAY = "holiday"
LUNAR_FIRST_YEAR = 1900
LUNAR_LAST_YEAR = 2099
# First solar day of lunar year 1900, where lunardate's range starts.
LUNAR_FIRST_DAY = datetime.date(1900, 1, 31)
# Names are compared in English and in the country's own language, so
# "Mid-Autumn Festival" and "中秋节" both select the CN holiday.
HOLIDAY_NAME_LANGUAGE = "en_US"


def date_window(start, days_ahead):
    """Return the dates from ``start`` to ``days_ahead`` days later, both included."""
    if days_ahead < 0:
        raise ValueError(f"days ahead must not be negative, got {days_ahead}")
    return [start + datetime.timedelta(days=offset) for offset in range(days_ahead + 1)]


def solar_dates_in_year(month, day, year):
    """Return the solar date of ``month``/``day`` in ``year`` as a one-item list.

    February 29 falls on February 28 in common years. Raises ``ValueError`` for
    a day that no year has, such as April 31.
    """
    datetime.date(2000, month, day)  # 2000 is a leap year: validates Feb 29 too
    if month == 2 and day == 29 and not calendar.isleap(year):
        return [datetime.date(year, 2, 28)]
    return [datetime.date(year, month, day)]


def lunar_dates_in_year(month, day, year, is_leap=False):
    """Return the solar dates in ``year`` of the lunar ``month``/``day``.

    A lunar year overlaps two solar years, so the result has zero, one or two
    dates: a 12th-month date can fall both in early January and in late
    December of the same solar year.
    """
    if not 1 <= month <= 12 or not 1 <= day <= 30:
        raise ValueError(f"invalid lunar month and day: {month}/{day}")
    dates = []
    for lunar_year in (year - 1, year):
        if not LUNAR_FIRST_YEAR <= lunar_year <= LUNAR_LAST_YEAR:
            continue
        solar = birthdays._lunar_to_solar(lunar_year, month, day, is_leap)
        if solar and solar.year == year:
            dates.append(solar)
    return sorted(dates)


def _country_holidays(country, year, subdivision, language):
    try:
        return holidays.country_holidays(
            country, subdiv=subdivision or None, years=year, language=language
        )
    except NotImplementedError as error:
        raise ValueError(str(error)) from error


def _normalize_name(name):
    return " ".join((name or "").split()).casefold()


def holiday_names(country, year, subdivision=None):
    """Return the sorted holiday names of ``country`` in ``year``, in English."""
    calendar_days = _country_holidays(country, year, subdivision, HOLIDAY_NAME_LANGUAGE)
    names = set()
    for day in calendar_days:
        names.update(calendar_days.get_list(day))
    return sorted(names)


def holiday_dates_in_year(country, name, year, subdivision=None):
    """Return the first day of each holiday of ``country`` named ``name`` in ``year``.

    A holiday lasting several days (the Spring Festival lasts three in China)
    counts from its first day. Raises ``ValueError`` for an unknown country
    or subdivision code.
    """
    expected_name = _normalize_name(name)
    english = _country_holidays(country, year, subdivision, HOLIDAY_NAME_LANGUAGE)
    calendars = [english]
    local_language = english.default_language
    if local_language and local_language != HOLIDAY_NAME_LANGUAGE:
        calendars.append(_country_holidays(country, year, subdivision, local_language))
    days = set()
    for calendar_days in calendars:
        for day in calendar_days:
            names = calendar_days.get_list(day)
            if any(_normalize_name(holiday) == expected_name for holiday in names):
                days.add(day)
    first_days = []
    for day in sorted(days):
        if day - datetime.timedelta(days=1) not in days:
            first_days.append(day)
    return first_days


def occasion_dates_in_year(
    kind,
    year,
    month=None,
    day=None,
    country=None,
    holiday_name=None,
    subdivision=None,
):
    """Return the sorted solar dates of an occasion in ``year``.

    ``kind`` is ``solar`` or ``lunar`` (with ``month`` and ``day``) or
    ``holiday`` (with ``country`` code and ``holiday_name``).
    """
    if kind == SOLAR:
        return solar_dates_in_year(month, day, year)
    if kind == LUNAR:
        return lunar_dates_in_year(month, day, year)
    if kind == HOLIDAY:
        return holiday_dates_in_year(country, holiday_name, year, subdivision)
    raise ValueError(f"unknown occasion kind {kind!r}")


def due_occurrence(dates, today, days_before=0):
    """Return the first of ``dates`` whose greeting is due on ``today``, or None.

    A greeting is due from ``days_before`` days before the occasion to the
    occasion itself, so a run missed on the first day still sends it later.
    """
    for occasion in sorted(dates):
        if occasion - datetime.timedelta(days=days_before) <= today <= occasion:
            return occasion
    return None


def lunar_birth_specs_on(day):
    """Return the lunar ``(month, day, is_leap)`` births celebrated on ``day``.

    Besides the lunar date of ``day`` itself, this covers two fallbacks. A birth
    on day 30 is celebrated on the 29th of a short month. A birth in a leap
    month is celebrated in the regular month when the leap month does not recur.
    """
    if day < LUNAR_FIRST_DAY or day.year > LUNAR_LAST_YEAR:
        return set()
    lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
    is_leap = bool(lunar.is_leap_month)
    candidates = {
        (lunar.month, lunar_day, leap)
        for lunar_day in {lunar.day, 30}
        for leap in {is_leap, True}
    }
    return {
        spec
        for spec in candidates
        if day in lunar_dates_in_year(spec[0], spec[1], day.year, spec[2])
    }


def birthday_index_keys(calendar_kind, day):
    """Return the stored ``(month, day)`` pairs of customers with a birthday on ``day``.

    res.partner stores the solar month and day of the birthday in the year it
    was computed, and ``(0, 0)`` when a lunar birthday has no date in that
    year. The pairs cover a computation in the year of ``day`` or in the year
    before or after, so lunar birthdays refreshed yearly are all found. The
    pairs select a superset: the caller confirms each match with
    ``birthdays.is_birthday``.
    """
    if calendar_kind == birthdays.SOLAR:
        pairs = {(day.month, day.day)}
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            pairs.add((2, 29))
        if (day.month, day.day) == (2, 29):
            pairs.add((2, 28))
        return pairs
    pairs = set()
    for month, lunar_day, is_leap in lunar_birth_specs_on(day):
        for year in (day.year - 1, day.year, day.year + 1):
            dates = lunar_dates_in_year(month, lunar_day, year, is_leap)
            pairs.add((dates[0].month, dates[0].day) if dates else (0, 0))
    return pairs
