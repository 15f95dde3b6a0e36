from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from .common_greeting import GreetingCase


@tagged("post_install", "-at_install")
class TestReminders(GreetingCase):
    def _purchase(self, partner, day, product="Tieguanyin 250 g", days_of_use=0):
        with freeze_time(f"{day} 02:00:00"):
            return self.env["customer.archive.purchase"].create(
                {
                    "partner_id": partner.id,
                    "date": day,
                    "product": product,
                    "amount": 200,
                    "days_of_use": days_of_use,
                }
            )

    # Yesterday's customers

    def test_follow_up_of_yesterdays_buyers(self):
        yesterday = self._customer("Bought Yesterday")
        earlier = self._customer("Bought Earlier")
        self._purchase(yesterday, "2026-03-04")
        self._purchase(earlier, "2026-03-03")
        with freeze_time("2026-03-05 01:00:00"):
            self._run("_cron_schedule_follow_ups")
        greeting = self._greetings_of(yesterday, "follow_up")
        self.assertEqual(greeting.occasion_key, "follow_up:2026-03-04")
        self.assertEqual(greeting.activity_id.user_id, self.user)
        self.assertEqual(greeting.activity_id.date_deadline, date(2026, 3, 5))
        self.assertFalse(self._greetings_of(earlier, "follow_up"))

    def test_follow_up_rerun_adds_nothing(self):
        customer = self._customer("Follow Once")
        self._purchase(customer, "2026-03-04")
        self._purchase(customer, "2026-03-04", product="Pu'er cake")
        with freeze_time("2026-03-05 01:00:00"):
            self._run("_cron_schedule_follow_ups")
            self._run("_cron_schedule_follow_ups")
        self.assertEqual(len(self._greetings_of(customer, "follow_up")), 1)
        self.assertEqual(len(self._activities_of(customer)), 1)

    def test_follow_up_hook_adds_interactions(self):
        taster = self._customer("Tasted Yesterday")
        greeting_class = type(self.greetings)
        original = greeting_class._greeting_yesterday_interaction_queries

        def with_tastings(model, day):
            return [
                *original(model, day),
                SQL("SELECT id FROM res_partner WHERE id = %s", taster.id),
            ]

        with (
            patch.object(
                greeting_class, "_greeting_yesterday_interaction_queries", with_tastings
            ),
            freeze_time("2026-03-05 01:00:00"),
        ):
            self._run("_cron_schedule_follow_ups")
        self.assertTrue(self._greetings_of(taster, "follow_up"))

    def test_follow_up_switch_off(self):
        customer = self._customer("Not Followed")
        self._purchase(customer, "2026-03-04")
        self._set("follow_up_yesterday", False)
        with freeze_time("2026-03-05 01:00:00"):
            self._run("_cron_schedule_follow_ups")
        self.assertFalse(self._greetings_of(customer, "follow_up"))

    # Products running out

    def test_depletion_within_reminder_days(self):
        soon = self._customer("Runs Out Soon")
        later = self._customer("Runs Out Later")
        purchase = self._purchase(soon, "2026-02-10", days_of_use=30)  # March 12
        self._purchase(later, "2026-02-10", days_of_use=40)  # March 22
        with freeze_time("2026-03-05 01:00:00"):
            self._run("_cron_remind_depletions")
            self._run("_cron_remind_depletions")
        greeting = self._greetings_of(soon, "depletion")
        self.assertEqual(len(greeting), 1)
        self.assertEqual(greeting.purchase_id, purchase)
        self.assertEqual(greeting.date, date(2026, 3, 12))
        self.assertIn("Tieguanyin", greeting.activity_id.summary)
        self.assertFalse(self._greetings_of(later, "depletion"))

    def test_depletion_skipped_after_repurchase(self):
        customer = self._customer("Restocked")
        self._purchase(customer, "2026-02-10", days_of_use=30)
        self._purchase(customer, "2026-03-01")
        with freeze_time("2026-03-05 01:00:00"):
            self._run("_cron_remind_depletions")
        self.assertFalse(self._greetings_of(customer, "depletion"))

    def test_depletion_days_zero_turns_off(self):
        customer = self._customer("Reminders Off")
        self._purchase(customer, "2026-02-10", days_of_use=30)
        self._set("depletion_reminder_days", 0)
        with freeze_time("2026-03-05 01:00:00"):
            self._run("_cron_remind_depletions")
        self.assertFalse(self._greetings_of(customer, "depletion"))

    # Membership renewals

    def test_renewal_within_reminder_days(self):
        due = self._customer(
            "Renews Soon",
            archive_is_member=True,
            archive_member_renewal_date=date(2026, 3, 25),
        )
        far = self._customer(
            "Renews Later",
            archive_is_member=True,
            archive_member_renewal_date=date(2026, 4, 20),
        )
        former = self._customer(
            "Former Member", archive_member_renewal_date=date(2026, 3, 25)
        )
        with freeze_time("2026-03-05 01:00:00"):
            self._run("_cron_remind_renewals")
            self._run("_cron_remind_renewals")
        greeting = self._greetings_of(due, "renewal")
        self.assertEqual(len(greeting), 1)
        self.assertEqual(greeting.occasion_key, "renewal:2026-03-25")
        self.assertEqual(greeting.activity_id.user_id, self.user)
        self.assertFalse(self._greetings_of(far, "renewal"))
        self.assertFalse(self._greetings_of(former, "renewal"))

    # Dormant and lost customers

    def test_dormant_then_lost_single_reinvitation(self):
        customer = self._customer("Drifting Away")
        self._purchase(customer, "2026-01-05")
        self.assertEqual(customer.archive_activity_cycle, "active")
        with freeze_time("2026-07-10 01:00:00"):  # 186 days later
            self._run("_cron_reclassify_inactive")
        self.assertEqual(customer.archive_activity_cycle, "dormant")
        self.assertEqual(customer.archive_state, "dormant")
        reinvitation = self._greetings_of(customer, "reinvitation")
        self.assertEqual(reinvitation.occasion_key, "reinvitation:2026-01-05")
        self.assertEqual(reinvitation.activity_id.user_id, self.user)
        with freeze_time("2026-07-11 01:00:00"):
            self._run("_cron_reclassify_inactive")
        with freeze_time("2027-01-10 01:00:00"):  # 370 days later
            self._run("_cron_reclassify_inactive")
        self.assertEqual(customer.archive_activity_cycle, "lost")
        self.assertEqual(len(self._greetings_of(customer, "reinvitation")), 1)
        self.assertEqual(len(self._activities_of(customer)), 1)

    def test_new_lapse_after_return_reinvites(self):
        customer = self._customer("Comes Back")
        self._purchase(customer, "2026-01-05")
        with freeze_time("2026-07-10 01:00:00"):
            self._run("_cron_reclassify_inactive")
        self._purchase(customer, "2026-07-20")
        self.assertEqual(customer.archive_activity_cycle, "active")
        with freeze_time("2027-01-20 01:00:00"):
            self._run("_cron_reclassify_inactive")
        keys = self._greetings_of(customer, "reinvitation").mapped("occasion_key")
        self.assertEqual(
            sorted(keys), ["reinvitation:2026-01-05", "reinvitation:2026-07-20"]
        )

    def test_reinvitation_switch_off_still_reclassifies(self):
        customer = self._customer("Quietly Dormant")
        self._purchase(customer, "2026-01-05")
        self._set("reinvitation", False)
        with freeze_time("2026-07-10 01:00:00"):
            self._run("_cron_reclassify_inactive")
        self.assertEqual(customer.archive_activity_cycle, "dormant")
        self.assertFalse(self._greetings_of(customer, "reinvitation"))

    def test_active_customer_untouched(self):
        customer = self._customer("Still Active")
        self._purchase(customer, "2026-06-01")
        with freeze_time("2026-07-10 01:00:00"):
            self._run("_cron_reclassify_inactive")
        self.assertEqual(customer.archive_activity_cycle, "active")
        self.assertFalse(self._greetings_of(customer))
