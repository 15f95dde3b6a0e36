"""Birthdays on the solar (Gregorian) and the Chinese lunar calendar.

Lunar dates come from the ``lunardate`` library (valid for 1900-2099). A lunar
birthday is kept on its lunar month and day: in years where the birth month is a
leap month that does not recur, the regular month of the same number is used,
and a 30th day falls back to the 29th in a short month.
"""

import calendar
import datetime

from lunardate import LunarDate

SOLAR = "solar"
LUNAR = "lunar"


def lunar_birthday(birth_date):
    """Return ``(lunar_month, lunar_day, is_leap_month)`` of a solar birth date."""
    lunar = LunarDate.from_solar_date(birth_date.year, birth_date.month, birth_date.day)
    return lunar.month, lunar.day, bool(lunar.is_leap_month)


def _lunar_to_solar(lunar_year, month, day, is_leap):
    """Return the solar date of a lunar month and day in ``lunar_year``.

    Falls back from a missing leap month to the regular month and from day 30 to
    day 29 when the month is short; returns ``None`` outside the library's range.
    """
    for leap in (True, False) if is_leap else (False,):
        for candidate_day in (day, day - 1) if day == 30 else (day,):
            try:
                return LunarDate(lunar_year, month, candidate_day, leap).to_solar_date()
            except ValueError:
                continue
    return None


def solar_birthday_in_year(birth_date, year):
    """Return the solar birthday in ``year``; Feb 29 becomes Feb 28 in common years."""
    if birth_date.month == 2 and birth_date.day == 29 and not calendar.isleap(year):
        return datetime.date(year, 2, 28)
    return birth_date.replace(year=year)


def lunar_birthdays_in_year(birth_date, year):
    """Return the solar dates in ``year`` on which the lunar birthday falls.

    A lunar year overlaps two solar years, so a birthday late in the lunar year
    (e.g. the 12th month) may fall in January of the next solar year; the result
    therefore has zero, one or, rarely, two dates.
    """
    month, day, is_leap = lunar_birthday(birth_date)
    dates = []
    for lunar_year in (year - 1, year):
        solar = _lunar_to_solar(lunar_year, month, day, is_leap)
        if solar and solar.year == year:
            dates.append(solar)
    return sorted(dates)


def birthday_in_year(birth_date, calendar_kind, year):
    """Return the first solar date of the birthday in ``year``, or ``None``."""
    if calendar_kind == LUNAR:
        dates = lunar_birthdays_in_year(birth_date, year)
        return dates[0] if dates else None
    return solar_birthday_in_year(birth_date, year)


def next_birthday(birth_date, calendar_kind, today):
    """Return the first birthday on or after ``today``."""
    for year in (today.year, today.year + 1, today.year + 2):
        if calendar_kind == LUNAR:
            candidates = lunar_birthdays_in_year(birth_date, year)
        else:
            candidates = [solar_birthday_in_year(birth_date, year)]
        for candidate in candidates:
            if candidate >= today:
                return candidate
    return None


def is_birthday(birth_date, calendar_kind, day):
    """Return whether ``day`` is a birthday of someone born on ``birth_date``."""
    if calendar_kind == LUNAR:
        return day in lunar_birthdays_in_year(birth_date, day.year)
    return solar_birthday_in_year(birth_date, day.year) == day
