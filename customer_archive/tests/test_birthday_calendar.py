from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from ..tools import birthdays
from .common import ArchiveCase


@tagged("post_install", "-at_install")
class TestBirthdayDate(ArchiveCase):
    """The stored birthday of the year and its yearly refresh."""

    def _birthday_customer(self, name, birthday, calendar=birthdays.SOLAR, **vals):
        partner = self._create_customer(
            name,
            archive_birthday=birthday,
            archive_birthday_calendar=calendar,
            **vals,
        )
        partner._archive_register(self.folder, user=self.user)
        # Stored birthday fields are computed at flush, with the date of then.
        self.env.flush_all()
        return partner

    def _refresh(self):
        # The refresh commits after each batch, as the cron's progress.
        with patch.object(self.env.cr, "commit", self.env.flush_all):
            return self.env["res.partner"]._cron_refresh_lunar_birthdays()

    @freeze_time("2026-03-01")
    def test_solar_birthday_date_this_year(self):
        partner = self._birthday_customer("Solar", "1990-06-15")
        self.assertEqual(partner.archive_birthday_date, date(2026, 6, 15))

    @freeze_time("2026-03-01")
    def test_feb_29_on_feb_28_in_common_year(self):
        partner = self._birthday_customer("Leap", "1992-02-29")
        self.assertEqual(partner.archive_birthday_date, date(2026, 2, 28))
        self.assertEqual(partner.archive_birthday_day, 28)

    @freeze_time("2026-03-01")
    def test_lunar_birthday_date_is_solar_date(self):
        # Born 1990-06-15 = lunar 5th month, 23rd day; in 2026 that is July 7.
        partner = self._birthday_customer("Lunar", "1990-06-15", birthdays.LUNAR)
        self.assertEqual(partner.archive_birthday_date, date(2026, 7, 7))

    @freeze_time("2026-03-01")
    def test_birthday_date_cleared_with_birthday(self):
        partner = self._birthday_customer("Cleared", "1990-06-15")
        partner.archive_birthday = False
        self.env.flush_all()
        self.assertFalse(partner.archive_birthday_date)
        self.assertEqual(partner.archive_birthday_month, 0)

    def test_refresh_moves_every_birthday_to_new_year(self):
        with freeze_time("2026-03-01"):
            solar = self._birthday_customer("Solar", "1990-06-15")
            lunar = self._birthday_customer("Lunar", "1990-06-15", birthdays.LUNAR)
            leap = self._birthday_customer("Leap", "1992-02-29")
        with freeze_time("2028-01-01 00:05:00"):
            self._refresh()
        self.assertEqual(solar.archive_birthday_date, date(2028, 6, 15))
        self.assertEqual(leap.archive_birthday_date, date(2028, 2, 29))
        self.assertEqual(leap.archive_birthday_day, 29)
        self.assertEqual(
            lunar.archive_birthday_date,
            birthdays.birthday_in_year(date(1990, 6, 15), birthdays.LUNAR, 2028),
        )
        self.assertEqual(lunar.archive_birthday_month, 6)

    def test_refresh_sql_matches_python_rule(self):
        """The SQL of solar birthdays follows ``solar_birthday_in_year``."""
        born = [
            date(1980, 1, 1),
            date(1984, 2, 28),
            date(1988, 2, 29),
            date(1990, 3, 1),
            date(1999, 12, 31),
        ]
        with freeze_time("2026-03-01"):
            partners = [
                self._birthday_customer(f"Born {day}", day.isoformat()) for day in born
            ]
        partner_model = self.env["res.partner"]
        for year in (2027, 2028, 2100):
            partner_model._archive_refresh_solar_birthdays(year)
            for partner, day in zip(partners, born, strict=True):
                expected = birthdays.solar_birthday_in_year(day, year)
                with self.subTest(year=year, born=day):
                    self.assertEqual(partner.archive_birthday_date, expected)
                    self.assertEqual(partner.archive_birthday_month, expected.month)
                    self.assertEqual(partner.archive_birthday_day, expected.day)

    def test_refresh_twice_writes_nothing(self):
        with freeze_time("2026-03-01"):
            self._birthday_customer("Solar", "1990-06-15")
            self._birthday_customer("Lunar", "1990-06-15", birthdays.LUNAR)
        partner_model = self.env["res.partner"]
        with freeze_time("2027-01-01 00:05:00"):
            self._refresh()
            self.assertEqual(partner_model._archive_refresh_solar_birthdays(2027), 0)
            self.assertEqual(
                partner_model._archive_lunar_birthdays_to_refresh(2027), []
            )

    def test_refresh_reports_cron_progress(self):
        with freeze_time("2026-03-01"):
            self._birthday_customer("Solar", "1990-06-15")
            lunar = self._birthday_customer("Lunar", "1990-06-15", birthdays.LUNAR)
        progress = []

        def record(_cron, processed=0, remaining=None):
            progress.append((processed, remaining))
            return 60.0

        with (
            freeze_time("2027-01-01 00:05:00"),
            patch.object(type(self.env["ir.cron"]), "_commit_progress", record),
        ):
            self.assertTrue(self.env["res.partner"]._cron_refresh_lunar_birthdays())
        solar_moved, lunar_remaining = progress[0]
        self.assertGreaterEqual(solar_moved, 1)
        self.assertEqual(lunar_remaining, 1)
        self.assertEqual(progress[-1], (1, None))
        self.assertEqual(lunar.archive_birthday_date, date(2027, 6, 27))
