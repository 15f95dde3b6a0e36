from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ArchiveCase

TODAY = date(2026, 3, 10)
SERVE_FIELDS = [
    "archive_next_birthday",
    "archive_days_to_birthday",
    "archive_serve_purchase_ids",
    "archive_serve_stock_ids",
    "archive_serve_usage_ids",
    "archive_serve_complaint_ids",
    "archive_serve_contact_ids",
    "archive_serve_suggestions",
]


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestServeView(ArchiveCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write(
            {
                "archive_birthday": date(1990, 3, 13),
                "archive_is_member": True,
                "archive_member_level": "gold",
                "archive_member_renewal_date": date(2026, 12, 31),
            }
        )
        purchases = cls.env["customer.archive.purchase"]
        cls.tea = purchases.create(
            {
                "partner_id": cls.customer.id,
                "date": TODAY - timedelta(days=25),
                "product": "Tieguanyin 250 g",
                "folder_id": cls.folder.id,
                "amount": 300,
                "days_of_use": 30,
            }
        )
        cls.old_tea = purchases.create(
            {
                "partner_id": cls.customer.id,
                "date": TODAY - timedelta(days=55),
                "product": "Tieguanyin 250 g",
                "folder_id": cls.folder.id,
                "amount": 300,
                "days_of_use": 30,
            }
        )
        cls.herb = purchases.create(
            {
                "partner_id": cls.customer.id,
                "date": TODAY - timedelta(days=200),
                "product": "Chrysanthemum",
                "amount": 40,
                "days_of_use": 30,
            }
        )
        entries = cls.env["customer.archive.journal.entry"]
        cls.complaint = entries.create(
            {
                "partner_id": cls.customer.id,
                "entry_type": "complaint",
                "date": TODAY - timedelta(days=3),
                "content": "Tin was dented",
            }
        )
        cls.resolved = entries.create(
            {
                "partner_id": cls.customer.id,
                "entry_type": "complaint",
                "date": TODAY - timedelta(days=30),
                "content": "Late delivery",
                "resolution": "Apologised",
                "complaint_state": "resolved",
            }
        )
        cls.usage = entries.create(
            {
                "partner_id": cls.customer.id,
                "entry_type": "usage",
                "date": TODAY - timedelta(days=20),
                "product": "Tieguanyin 250 g",
                "effect": "Sleeps better",
            }
        )
        cls.tasting = entries.create(
            {
                "partner_id": cls.customer.id,
                "entry_type": "event",
                "event_name": "Spring salon",
                "event_kind": "salon",
                "date": TODAY - timedelta(days=8),
                "attended": True,
            }
        )

    def _serve(self, partner=None, user=None):
        partner = (partner or self.customer).with_user(user or self.user)
        partner.invalidate_recordset()
        return partner

    def test_birthday_and_days_until_it(self):
        partner = self._serve()
        self.assertEqual(partner.archive_next_birthday, date(2026, 3, 13))
        self.assertEqual(partner.archive_days_to_birthday, 3)

    def test_stock_keeps_latest_purchase_per_product(self):
        partner = self._serve()
        # The herb ran out 170 days ago: no longer in use.
        self.assertEqual(partner.archive_serve_stock_ids, self.tea)
        self.assertEqual(
            partner.archive_serve_stock_ids.depletion_date, TODAY + timedelta(days=5)
        )

    def test_last_purchases_newest_first(self):
        partner = self._serve()
        self.assertEqual(
            partner.archive_serve_purchase_ids.ids,
            [self.tea.id, self.old_tea.id, self.herb.id],
        )

    def test_open_complaints_only(self):
        self.assertEqual(self._serve().archive_serve_complaint_ids, self.complaint)

    def test_calls_and_events_only(self):
        call = self.env["customer.archive.journal.entry"].create(
            {
                "partner_id": self.customer.id,
                "entry_type": "call",
                "content": "Invited to the salon",
                "date": TODAY - timedelta(days=12),
            }
        )
        self.assertEqual(
            self._serve().archive_serve_contact_ids.ids, [self.tasting.id, call.id]
        )

    def test_usage_listed(self):
        self.assertEqual(self._serve().archive_serve_usage_ids, self.usage)

    def test_suggestions_on_fixed_date(self):
        html = str(self._serve().archive_serve_suggestions)
        self.assertIn("An open complaint", html)
        self.assertIn("Tieguanyin 250 g runs out in 5 days.", html)
        self.assertIn("Birthday in 3 days.", html)
        self.assertNotIn("Chrysanthemum", html)
        self.assertNotIn("No visit", html)
        self.assertNotIn("Membership renewal", html)
        self.assertLess(html.index("open complaint"), html.index("runs out"))
        self.assertLess(html.index("runs out"), html.index("Birthday"))

    def test_suggestion_no_visit_for_sixty_days(self):
        partner = self._create_customer("Absent Customer")
        partner._archive_register(self.folder, registration_date=date(2025, 1, 1))
        self.env["customer.archive.purchase"].create(
            {
                "partner_id": partner.id,
                "date": TODAY - timedelta(days=60),
                "product": "Oolong 100 g",
                "amount": 50,
            }
        )
        # A call is contact, but not a visit.
        self.env["customer.archive.journal.entry"].create(
            {"partner_id": partner.id, "entry_type": "call", "content": "Hello"}
        )
        html = str(self._serve(partner).archive_serve_suggestions)
        self.assertIn("No visit for 60 days", html)

    def test_suggestion_followup_and_renewal(self):
        self.customer.archive_member_renewal_date = TODAY + timedelta(days=20)
        self.env["customer.archive.journal.entry"].create(
            {
                "partner_id": self.customer.id,
                "entry_type": "call",
                "content": "Call back about the gift box",
                "date": TODAY - timedelta(days=7),
                "next_followup_date": TODAY - timedelta(days=2),
            }
        )
        html = str(self._serve().archive_serve_suggestions)
        self.assertIn("Follow-up call overdue by 2 days.", html)
        self.assertIn("Membership renewal in 20 days.", html)

    def test_suggestion_text_escaped(self):
        self.env["customer.archive.purchase"].create(
            {
                "partner_id": self.customer.id,
                "product": "<img src=x onerror=alert(1)>",
                "amount": 1,
                "days_of_use": 2,
            }
        )
        html = str(self._serve().archive_serve_suggestions)
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", html)
        self.assertNotIn("<img", html)

    def test_nothing_to_suggest(self):
        partner = self._create_customer("Quiet Customer")
        partner._archive_register(self.folder)
        html = str(self._serve(partner).archive_serve_suggestions)
        self.assertIn("Nothing to suggest", html)

    def test_queries_do_not_grow_with_entries(self):
        busy = self._create_customer("Busy Customer")
        busy._archive_register(self.folder, user=self.user)
        quiet = self._create_customer("Quiet Customer")
        quiet._archive_register(self.folder, user=self.user)
        entries = self.env["customer.archive.journal.entry"]
        entries.create(
            [
                {
                    "partner_id": partner.id,
                    "entry_type": ("call", "event", "usage", "service")[i % 4],
                    "content": f"Entry {i}",
                    "event_name": f"Event {i}",
                    "product": f"Product {i}",
                    "service_item": f"Service {i}",
                    "date": TODAY - timedelta(days=i % 400),
                }
                for partner, count in ((busy, 600), (quiet, 4))
                for i in range(count)
            ]
        )

        def count_queries(partner):
            partner = self._serve(partner)
            start = self.env.cr.sql_log_count
            partner.read(SERVE_FIELDS)
            return self.env.cr.sql_log_count - start

        count_queries(quiet)  # warm the caches of settings and views
        self.assertEqual(count_queries(busy), count_queries(quiet))
        self.assertEqual(len(self._serve(busy).archive_serve_contact_ids), 10)
        self.assertEqual(len(self._serve(busy).archive_serve_usage_ids), 5)

    def test_action_opens_serve_view(self):
        action = self.customer.with_user(self.user).action_archive_serve()
        view = self.env.ref("customer_archive.res_partner_view_form_serve")
        self.assertEqual(action["views"], [(view.id, "form")])
        self.assertEqual(action["res_id"], self.customer.id)

    def test_serve_view_loads_for_user(self):
        view = self.env.ref("customer_archive.res_partner_view_form_serve")
        partner = self.customer.with_user(self.user)
        views = partner.get_views([(view.id, "form")])
        self.assertIn("archive_serve_suggestions", views["views"]["form"]["arch"])
        values = partner.web_read(
            {
                "archive_serve_suggestions": {},
                "archive_serve_contact_ids": {"fields": {"name": {}, "date": {}}},
            }
        )
        self.assertEqual(
            values[0]["archive_serve_contact_ids"][0]["name"], "Spring salon"
        )

    def test_action_rejected_for_non_archive_user(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.internal_user).action_archive_serve()
