from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from lunardate import LunarDate

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

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


@tagged("post_install", "-at_install")
class TestBirthdayCalendarActions(ArchiveCase):
    """Greeting and call buttons of the birthday calendar, and birthday periods."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-06-01"):
            cls.consenting = cls._create_customer(
                "Chen Jing",
                email="chen.jing@example.com",
                archive_birthday="1985-06-20",
                archive_marketing_consent=True,
            )
            cls.refusing = cls._create_customer(
                "Zhao Lei", archive_birthday="1985-06-21"
            )
            (cls.consenting | cls.refusing)._archive_register(cls.folder, user=cls.user)
            cls.env.flush_all()

    @freeze_time("2026-06-10")
    def test_greeting_sends_birthday_email_once(self):
        result = self.consenting.with_user(self.user).action_archive_birthday_greeting()
        self.assertEqual(result["params"]["type"], "success")
        greeting = self.env["customer.archive.greeting"].search(
            [("partner_id", "=", self.consenting.id)]
        )
        self.assertEqual(greeting.occasion_key, "birthday:2026")
        self.assertEqual(greeting.state, "done")
        self.assertEqual(greeting.channel, "email")
        self.assertTrue(greeting.mail_id)
        again = self.consenting.with_user(self.user).action_archive_birthday_greeting()
        self.assertEqual(again["params"]["type"], "warning")

    @freeze_time("2026-06-10")
    @mute_logger("odoo.models")
    def test_greeting_needs_archive_group(self):
        with self.assertRaisesRegex(AccessError, "Archive User"):
            self.consenting.with_user(
                self.internal_user
            ).action_archive_birthday_greeting()
        greetings = self.env["customer.archive.greeting"].search(
            [("partner_id", "=", self.consenting.id)]
        )
        self.assertFalse(greetings)

    @freeze_time("2026-06-10")
    def test_greeting_refused_for_other_company_archive(self):
        partner = self.consenting.with_user(self.other_company_user)
        with self.assertRaises(AccessError):
            partner.action_archive_birthday_greeting()
        greetings = self.env["customer.archive.greeting"].search(
            [("partner_id", "=", self.consenting.id)]
        )
        self.assertFalse(greetings)

    @freeze_time("2026-06-10")
    def test_greeting_without_consent_raises(self):
        with self.assertRaisesRegex(UserError, "Zhao Lei"):
            self.refusing.with_user(self.user).action_archive_birthday_greeting()

    @freeze_time("2026-06-10")
    def test_greeting_without_birthday_raises(self):
        self.customer.archive_marketing_consent = True
        with self.assertRaisesRegex(UserError, "no birthday"):
            self.customer.with_user(self.user).action_archive_birthday_greeting()

    @freeze_time("2026-06-10")
    def test_call_schedules_activity_on_birthday(self):
        action = self.refusing.with_user(self.user).action_archive_birthday_call()
        self.assertEqual(action["res_model"], "mail.activity.schedule")
        scheduler = (
            self.env["mail.activity.schedule"]
            .with_user(self.user)
            .with_context(**action["context"])
            .create({})
        )
        scheduler.action_schedule_activities()
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.refusing.id)]
        )
        self.assertEqual(
            activity.activity_type_id, self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual(activity.date_deadline, date(2026, 6, 21))
        self.assertEqual(activity.user_id, self.user)
        self.assertIn("Zhao Lei", activity.summary)

    def test_birthday_domain_across_new_year(self):
        # The lunar birth whose birthday falls on 2027-01-01.
        lunar_day = LunarDate.from_solar_date(2027, 1, 1)
        lunar_birth = LunarDate(1990, lunar_day.month, lunar_day.day).to_solar_date()
        with freeze_time("2026-12-30"):
            december = self._create_customer("December", archive_birthday="1980-12-28")
            january = self._create_customer("January", archive_birthday="1980-01-02")
            outside = self._create_customer("Outside", archive_birthday="1980-12-27")
            lunar = self._create_customer(
                "Lunar",
                archive_birthday=lunar_birth.isoformat(),
                archive_birthday_calendar=birthdays.LUNAR,
            )
            partners = december | january | outside | lunar
            partners._archive_register(self.folder)
            self.env.flush_all()
            domain = self.env["res.partner"]._archive_birthday_domain(
                date(2026, 12, 28), date(2027, 1, 3)
            )
        found = self.env["res.partner"].search(domain) & partners
        self.assertEqual(found, december | january | lunar)
