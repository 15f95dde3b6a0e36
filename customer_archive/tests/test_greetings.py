import contextlib
from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from ..models.customer_archive_greeting import Candidate
from .common_greeting import GreetingCase

MODULE_LOGGER = "odoo.addons.customer_archive.models.customer_archive_greeting"
# Renders for every customer but "Broken Template", whose rendering raises.
BROKEN_FOR_ONE_CUSTOMER = (
    "<p><t t-out=\"object.name if object.name != 'Broken Template' "
    'else object.no_such_field"/></p>'
)


@tagged("post_install", "-at_install")
class TestBirthdayGreetings(GreetingCase):
    def _send(self):
        return self._run("_cron_send_birthday_greetings")

    def test_solar_birthday_sends_email(self):
        with freeze_time("2026-03-05 02:00:00"):
            customer = self._customer("Li Na", date(1990, 3, 5))
            other = self._customer("Zhao Lei", date(1990, 3, 6))
            self._send()
        greeting = self._greetings_of(customer)
        self.assertEqual(greeting.occasion_key, "birthday:2026")
        self.assertEqual(greeting.state, "done")
        self.assertEqual(greeting.channel, "email")
        self.assertEqual(greeting.date, date(2026, 3, 5))
        self.assertEqual(greeting.mail_id.recipient_ids, customer)
        self.assertIn("Li Na", greeting.mail_id.subject)
        self.assertFalse(self._greetings_of(other))

    def test_lunar_birthday_on_lunar_date(self):
        # Born on lunar 8/15, celebrated on 2026-09-25 and not on September 29.
        with freeze_time("2026-09-25 02:00:00"):
            lunar = self._customer(
                "Chen Jie", date(1985, 9, 29), archive_birthday_calendar="lunar"
            )
            self._send()
        self.assertEqual(self._greetings_of(lunar).date, date(2026, 9, 25))

    def test_lunar_birthday_not_on_solar_date(self):
        with freeze_time("2026-09-29 02:00:00"):
            lunar = self._customer(
                "Chen Jie", date(1985, 9, 29), archive_birthday_calendar="lunar"
            )
            self._send()
        self.assertFalse(self._greetings_of(lunar))

    def test_lunar_leap_month_birthday(self):
        # 2001-06-01 is the 10th of the leap 4th month. 2020 also has a leap
        # 4th month (its 10th is 2020-06-01); 2023 has none, so the birthday
        # falls on the regular 4th month's 10th, 2023-05-28.
        cases = [
            ("2020-05-02", False),  # regular 4/10 of 2020
            ("2020-06-01", True),
            ("2023-05-28", True),
        ]
        for day, greeted in cases:
            with self.subTest(day=day), freeze_time(f"{day} 02:00:00"):
                customer = self._customer(
                    f"Leap {day}", date(2001, 6, 1), archive_birthday_calendar="lunar"
                )
                self._send()
                self.assertEqual(bool(self._greetings_of(customer)), greeted)

    def test_lunar_birthday_stored_last_year(self):
        """A lunar birthday computed last year is found before its yearly refresh."""
        with freeze_time("2025-06-01 02:00:00"):
            customer = self._customer(
                "Lunar Stale", date(1985, 9, 29), archive_birthday_calendar="lunar"
            )
        self.assertEqual(customer.archive_birthday_month, 10)  # 2025-10-06
        with freeze_time("2026-09-25 02:00:00"):
            self._send()
        self.assertEqual(self._greetings_of(customer).date, date(2026, 9, 25))

    def test_birthday_rule_skips_solar_on_lunar_pair(self):
        """Lunar pairs of other years select lunar birthdays only."""
        day = date(2026, 9, 25)  # lunar 8/15, which was 2025-10-06 last year
        with freeze_time("2026-09-25 02:00:00"):
            lunar = self._customer(
                "Chen Jie", date(1985, 9, 29), archive_birthday_calendar="lunar"
            )
            solar = self._customer("Solar October", date(1990, 10, 6))
            (rule,) = self.greetings._greeting_birthday_rules(self.company, day, 0)
            candidates = {c.partner_id for c in self.greetings._greeting_fetch(rule)}
        self.assertIn(lunar.id, candidates)
        self.assertNotIn(solar.id, candidates)

    def test_birthday_rule_skips_lunar_stored_later(self):
        """A lunar birthday stored later this year is not a candidate today."""
        day = date(2026, 9, 25)  # lunar 8/15, which was 2025-10-06 last year
        with freeze_time("2026-09-25 02:00:00"):
            # Lunar 8/26 falls on 2026-10-06, the pair of last year's 8/15.
            later = self._customer(
                "Lunar Later", date(1990, 10, 14), archive_birthday_calendar="lunar"
            )
            (rule,) = self.greetings._greeting_birthday_rules(self.company, day, 0)
            candidates = {c.partner_id for c in self.greetings._greeting_fetch(rule)}
        self.assertEqual(later.archive_birthday_date, date(2026, 10, 6))
        self.assertNotIn(later.id, candidates)

    def test_lunar_birthday_twice_in_one_year(self):
        # The lunar birthday of 1990-12-29 falls on 2026-01-01 and again on
        # 2026-12-21; the stored date of 2026 is the first one.
        with freeze_time("2026-06-01 02:00:00"):
            customer = self._customer(
                "Lunar Twice", date(1990, 12, 29), archive_birthday_calendar="lunar"
            )
        self.assertEqual(customer.archive_birthday_date, date(2026, 1, 1))
        with freeze_time("2026-12-21 02:00:00"):
            self._send()
        self.assertEqual(self._greetings_of(customer).date, date(2026, 12, 21))

    def test_feb_29_common_year_on_feb_28(self):
        with freeze_time("2026-02-28 02:00:00"):
            leapling = self._customer("Leapling", date(2000, 2, 29))
            self._send()
        self.assertEqual(self._greetings_of(leapling).date, date(2026, 2, 28))

    def test_feb_29_leap_year_on_feb_29(self):
        with freeze_time("2027-06-01 02:00:00"):
            leapling = self._customer("Leapling", date(2000, 2, 29))
        with freeze_time("2028-02-28 02:00:00"):
            self._send()
        self.assertFalse(self._greetings_of(leapling))
        with freeze_time("2028-02-29 02:00:00"):
            self._send()
        self.assertEqual(self._greetings_of(leapling).date, date(2028, 2, 29))

    def test_days_ahead_across_year_end(self):
        self._set("birthday_days_ahead", 3)
        with freeze_time("2026-12-30 02:00:00"):
            within = self._customer("Within", date(1990, 1, 2))
            beyond = self._customer("Beyond", date(1990, 1, 3))
            self._send()
        greeting = self._greetings_of(within)
        self.assertEqual(greeting.occasion_key, "birthday:2027")
        self.assertEqual(greeting.date, date(2027, 1, 2))
        self.assertFalse(self._greetings_of(beyond))
        # On the birthday itself the customer is not greeted again.
        with freeze_time("2027-01-02 02:00:00"):
            self._send()
        self.assertEqual(len(self._greetings_of(within)), 1)
        self.assertEqual(len(self._greetings_of(beyond)), 1)

    def test_consent_required(self):
        with freeze_time("2026-03-05 02:00:00"):
            customer = self._customer("No Consent", date(1990, 3, 5), consent=False)
            self._send()
        self.assertFalse(self._greetings_of(customer))
        self.assertFalse(self._activities_of(customer))

    def test_activity_without_email(self):
        with freeze_time("2026-03-05 02:00:00"):
            customer = self._customer("No Email", date(1990, 3, 5), email=False)
            self._send()
        greeting = self._greetings_of(customer)
        self.assertEqual(greeting.channel, "activity")
        self.assertEqual(greeting.activity_id.user_id, self.user)
        self.assertEqual(greeting.activity_id.date_deadline, date(2026, 3, 5))
        self.assertEqual(
            greeting.activity_id.activity_type_id,
            self.env.ref("mail.mail_activity_data_call"),
        )
        self.assertFalse(greeting.mail_id)

    def test_activity_channel_setting(self):
        self._set("birthday_channel", "activity")
        with freeze_time("2026-03-05 02:00:00"):
            customer = self._customer("By Phone", date(1990, 3, 5))
            self._send()
        greeting = self._greetings_of(customer)
        self.assertEqual(greeting.channel, "activity")
        self.assertTrue(greeting.activity_id)
        self.assertFalse(greeting.mail_id)

    def test_channel_off_sends_nothing(self):
        self._set("birthday_channel", "off")
        with freeze_time("2026-03-05 02:00:00"):
            customer = self._customer("Quiet", date(1990, 3, 5))
            self._send()
        self.assertFalse(self._greetings_of(customer))

    def test_today_in_company_time_zone(self):
        # 18:00 UTC on March 4 is already March 5 in Asia/Shanghai.
        with freeze_time("2026-03-04 18:00:00"):
            today = self._customer("Today Local", date(1990, 3, 5))
            yesterday = self._customer("Yesterday Local", date(1990, 3, 4))
            self._send()
        self.assertTrue(self._greetings_of(today))
        self.assertFalse(self._greetings_of(yesterday))

    def test_email_in_customer_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        template = self.env.ref("customer_archive.mail_template_birthday_greeting")
        template.with_context(lang="zh_CN").write(
            {
                "subject": "生日快乐，{{ object.name }}！",
                "body_html": "<p>生日快乐！</p>",
            }
        )
        with freeze_time("2026-03-05 02:00:00"):
            chinese = self._customer("Wu Mei", date(1990, 3, 5), lang="zh_CN")
            english = self._customer("Ann Lee", date(1990, 3, 5), lang="en_US")
            self._send()
        chinese_mail = self._greetings_of(chinese).mail_id
        english_mail = self._greetings_of(english).mail_id
        self.assertIn("生日快乐", chinese_mail.subject)
        self.assertIn("生日快乐", chinese_mail.body_html)
        self.assertIn("Happy birthday", english_mail.subject)

    def test_second_run_adds_nothing(self):
        with freeze_time("2026-03-05 02:00:00"):
            customers = self._customer("Once A", date(1990, 3, 5)) | self._customer(
                "Once B", date(1990, 3, 5), email=False
            )
            self._send()
            mails = self.env["mail.mail"].search_count([])
            activities = self.env["mail.activity"].search_count([])
            self._send()
        self.assertEqual(len(self._greetings_of(customers)), 2)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        self.assertEqual(self.env["mail.activity"].search_count([]), activities)

    def test_interrupted_run_resumes_once(self):
        self._set("greeting_batch_size", 2)
        with freeze_time("2026-03-05 02:00:00"):
            customers = self.env["res.partner"]
            for index in range(5):
                customers |= self._customer(f"Batch {index}", date(1990, 3, 5))
            # Commit 1 reports the remaining count, commit 2 ends the first
            # batch; the worker dies at commit 3, before the second batch.
            with self._commits(stop_at=3) as run:
                self.greetings._cron_send_birthday_greetings()
            self.assertTrue(run.stopped)
            self.assertEqual(len(self._greetings_of(customers)), 2)
            self._send()
        greetings = self._greetings_of(customers)
        self.assertEqual(len(greetings), 5)
        self.assertEqual(greetings.partner_id, customers)
        self.assertEqual(set(greetings.mapped("state")), {"done"})
        self.assertEqual(set(greetings.mapped("attempt_count")), {1})
        mails = self.env["mail.mail"].search([("recipient_ids", "in", customers.ids)])
        self.assertEqual(len(mails), 5)

    def test_render_failure_spares_others(self):
        template = self.env.ref("customer_archive.mail_template_birthday_greeting")
        template = template.copy({"body_html": BROKEN_FOR_ONE_CUSTOMER})
        self._set("birthday_template_id", template.id)
        with freeze_time("2026-03-05 02:00:00"):
            first = self._customer("First Fine", date(1990, 3, 5))
            broken = self._customer("Broken Template", date(1990, 3, 5))
            last = self._customer("Last Fine", date(1990, 3, 5))
            with self.assertLogs(MODULE_LOGGER, level="ERROR") as logs:
                self._send()
            failed = self._greetings_of(broken)
            self.assertEqual(failed.state, "failed")
            self.assertTrue(failed.error_message)
            self.assertFalse(failed.mail_id)
            self.assertEqual(len(logs.records), 1)
            self.assertIn(f"customer {broken.id} failed", logs.output[0])
            for fine in first | last:
                self.assertEqual(self._greetings_of(fine).state, "done")
            # The next run retries the failed greeting only.
            with self.assertLogs(MODULE_LOGGER, level="ERROR"):
                self._send()
        self.assertEqual(failed.attempt_count, 2)
        self.assertEqual(self._greetings_of(first).attempt_count, 1)

    def test_progress_counts_candidates(self):
        cron = self.env.ref("customer_archive.ir_cron_send_birthday_greetings")
        with freeze_time("2026-03-05 02:00:00"):
            for index in range(3):
                self._customer(f"Progress {index}", date(1990, 3, 5))
            progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
            with self._commits():
                self.greetings.with_context(
                    cron_id=cron.id, ir_cron_progress_id=progress.id
                )._cron_send_birthday_greetings()
        self.assertEqual(progress.done, 3)
        self.assertEqual(progress.remaining, 0)

    def test_time_out_stops_after_batch(self):
        self._set("greeting_batch_size", 2)
        cron = self.env.ref("customer_archive.ir_cron_send_birthday_greetings")
        with freeze_time("2026-03-05 02:00:00"):
            customers = self.env["res.partner"]
            for index in range(5):
                customers |= self._customer(f"Slow {index}", date(1990, 3, 5))
            progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
            # cron_end_time 0 is long past: the time is up after any batch.
            with self._commits():
                finished = self.greetings.with_context(
                    cron_id=cron.id, ir_cron_progress_id=progress.id, cron_end_time=0
                )._cron_send_birthday_greetings()
            self.assertFalse(finished)
            self.assertEqual(progress.done, 2)
            self.assertEqual(progress.remaining, 3)
            self.assertEqual(len(self._greetings_of(customers)), 2)
            self._send()
        self.assertEqual(len(self._greetings_of(customers)), 5)


@tagged("post_install", "-at_install")
class TestGreetingRegister(GreetingCase):
    def test_claim_is_exclusive(self):
        candidate = Candidate(
            self.customer.id, self.customer.id, "birthday:2026", date(2026, 3, 5), None
        )
        first = self.greetings._greeting_claim([candidate], "birthday", self.company.id)
        second = self.greetings._greeting_claim(
            [candidate], "birthday", self.company.id
        )
        self.assertEqual(len(first), 1)
        self.assertFalse(second)

    def test_claim_retries_failed_row(self):
        candidate = Candidate(
            self.customer.id, self.customer.id, "birthday:2026", date(2026, 3, 5), None
        )
        first = self.greetings._greeting_claim([candidate], "birthday", self.company.id)
        first.write({"state": "failed", "error_message": "Template missing"})
        retried = self.greetings._greeting_claim(
            [candidate], "birthday", self.company.id
        )
        self.assertEqual(retried, first)
        self.assertEqual(retried.state, "pending")
        self.assertEqual(retried.attempt_count, 2)
        self.assertFalse(retried.error_message)


@tagged("post_install", "-at_install")
class TestFestivalGreetings(GreetingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.new_year = cls.env.ref("customer_archive.occasion_new_year")
        cls.mid_autumn = cls.env.ref("customer_archive.occasion_mid_autumn")
        cls.dragon_boat = cls.env.ref("customer_archive.occasion_dragon_boat")
        (cls.new_year | cls.mid_autumn | cls.dragon_boat).active = True

    def _send(self):
        return self._run(
            "_cron_send_festival_greetings", model="customer.archive.occasion"
        )

    def _festival_greetings(self, occasion):
        return self.greetings.search([("occasion_id", "=", occasion.id)])

    def test_solar_festival_on_its_day(self):
        with freeze_time("2027-01-01 02:00:00"):
            customer = self._customer("New Year Fan")
            self._send()
        greeting = self._festival_greetings(self.new_year)
        self.assertEqual(greeting.partner_id, customer)
        self.assertEqual(greeting.occasion_key, f"festival:{self.new_year.id}:2027")
        self.assertEqual(greeting.channel, "email")
        self.assertFalse(self._festival_greetings(self.mid_autumn))

    def test_lunar_festival_on_lunar_date(self):
        with freeze_time("2026-09-25 02:00:00"):
            customer = self._customer("Moon Fan")
            self._send()
        self.assertEqual(self._festival_greetings(self.mid_autumn).partner_id, customer)

    def test_holiday_festival_from_library(self):
        with freeze_time("2026-06-19 02:00:00"):
            customer = self._customer("Boat Fan")
            self._send()
        greeting = self._festival_greetings(self.dragon_boat)
        self.assertEqual(greeting.partner_id, customer)
        self.assertEqual(greeting.date, date(2026, 6, 19))

    def test_days_before_window(self):
        self.mid_autumn.days_before = 2
        with freeze_time("2026-09-22 02:00:00"):
            customer = self._customer("Early Moon")
            self._send()
        self.assertFalse(self._festival_greetings(self.mid_autumn))
        with freeze_time("2026-09-23 02:00:00"):
            self._send()
        self.assertEqual(self._festival_greetings(self.mid_autumn).partner_id, customer)

    def test_once_per_year(self):
        self.mid_autumn.days_before = 2
        with freeze_time("2026-09-23 02:00:00"):
            self._customer("Moon Once")
            self._send()
        with freeze_time("2026-09-25 02:00:00"):
            self._send()
        self.assertEqual(len(self._festival_greetings(self.mid_autumn)), 1)

    def test_targets_consent_email_and_blacklist(self):
        with freeze_time("2026-09-25 02:00:00"):
            welcome = self._customer("Welcome Moon")
            no_consent = self._customer("No Consent Moon", consent=False)
            no_email = self._customer("No Email Moon", email=False)
            blacklisted = self._customer("Blacklisted Moon")
            self.env["mail.blacklist"]._add(blacklisted.email)
            self._send()
        greeted = self._festival_greetings(self.mid_autumn).partner_id
        self.assertIn(welcome, greeted)
        self.assertNotIn(no_consent, greeted)
        self.assertNotIn(no_email, greeted)
        self.assertNotIn(blacklisted, greeted)

    def test_targets_members_folders_tiers_categories(self):
        scheme = self.env["customer.archive.category.scheme"].create(
            {"name": "Customer Need"}
        )
        parent = self.env["customer.archive.category"].create(
            {"name": "Health", "scheme_id": scheme.id}
        )
        child = self.env["customer.archive.category"].create(
            {"name": "Sleep", "scheme_id": scheme.id, "parent_id": parent.id}
        )
        self.mid_autumn.write(
            {
                "members_only": True,
                "folder_ids": [(6, 0, self.folder.ids)],
                "category_ids": [(6, 0, parent.ids)],
                "minimum_tier": "low",
            }
        )
        with freeze_time("2026-09-24 02:00:00"):
            target_vals = {
                "archive_is_member": True,
                "archive_category_ids": [(6, 0, child.ids)],
            }
            target = self._customer("Target Moon", **target_vals)
            not_member = self._customer(
                "Not Member Moon", archive_category_ids=[(6, 0, child.ids)]
            )
            no_category = self._customer("No Category Moon", archive_is_member=True)
            other_folder = self._customer("Other Folder Moon", **target_vals)
            other_folder.archive_folder_id = self.other_folder
            no_purchase = self._customer("No Purchase Moon", **target_vals)
            self.env["customer.archive.purchase"].create(
                [
                    {"partner_id": partner.id, "product": "Oolong", "amount": 100}
                    for partner in target | not_member | no_category | other_folder
                ]
            )
        with freeze_time("2026-09-25 02:00:00"):
            self._send()
        greeted = self._festival_greetings(self.mid_autumn).partner_id
        self.assertEqual(greeted, target)
        self.assertNotIn(no_purchase, greeted)

    def test_invalid_holiday_name_rejected(self):
        with self.assertRaises(ValidationError) as error:
            self.dragon_boat.holiday_name = "Dragon Festival"
        self.assertIn("Dragon Boat Festival", str(error.exception))


@tagged("post_install", "-at_install")
class TestInvitations(GreetingCase):
    def _invite(self, partners, name="Spring Tea Tasting"):
        wizard = (
            self.env["customer.archive.invitation.wizard"]
            .with_user(self.manager)
            .with_context(active_model="res.partner", active_ids=partners.ids)
            .create({"event_name": name, "event_date": datetime(2026, 4, 18, 7, 0)})
        )
        return wizard.action_invite()

    def test_invitation_by_email_and_activity(self):
        by_email = self._customer("Guest Mail")
        by_phone = self._customer("Guest Phone", email=False)
        refused = self._customer("Guest Refused", consent=False)
        recorded = []
        with patch.object(
            type(self.greetings),
            "_record_invitation_in_journal",
            lambda model, partners, name, when: recorded.append(partners),
        ):
            self._invite(by_email | by_phone | refused)
        mail = self._greetings_of(by_email).mail_id
        self.assertIn("Spring Tea Tasting", mail.subject)
        self.assertIn("Spring Tea Tasting", mail.body_html)
        self.assertEqual(self._greetings_of(by_phone).channel, "activity")
        self.assertFalse(self._greetings_of(refused))
        self.assertEqual(recorded, [by_email | by_phone])

    def test_invitation_refused_for_other_company_archive(self):
        guest = self._customer("Guest Elsewhere")
        other_manager = new_test_user(
            self.env,
            login="archive_manager_other_company",
            groups="customer_archive.group_archive_manager",
            company_id=self.other_company.id,
            company_ids=[self.other_company.id],
        )
        wizard = (
            self.env["customer.archive.invitation.wizard"]
            .with_user(other_manager)
            .create(
                {
                    "partner_ids": [(6, 0, guest.ids)],
                    "event_name": "Spring Tea Tasting",
                    "event_date": datetime(2026, 4, 18, 7, 0),
                }
            )
        )
        # The record rules hide the guest from the other company's manager,
        # so the wizard either finds no guest or raises AccessError.
        with contextlib.suppress(AccessError):
            wizard.action_invite()
        self.assertFalse(self._greetings_of(guest))

    def test_invitation_once_per_event(self):
        guest = self._customer("Guest Twice")
        self._invite(guest)
        result = self._invite(guest, name="  spring tea   TASTING ")
        self.assertEqual(len(self._greetings_of(guest)), 1)
        self.assertIn("1 already invited", result["params"]["message"])
        self._invite(guest, name="Autumn Salon")
        self.assertEqual(len(self._greetings_of(guest)), 2)
