from datetime import timedelta

from odoo.tests import TransactionCase, tagged

DEMO_FOLDERS = {
    "customer_archive.demo_folder_oolong": "OOL",
    "customer_archive.demo_folder_puer": "PUE",
    "customer_archive.demo_folder_green": "GRN",
    "customer_archive.demo_folder_teaware": "TEA",
    "customer_archive.folder_other": "OTH",
}


def _within(day, start, days):
    """Return whether ``day`` falls from ``start`` to ``days`` days after it."""
    return bool(day) and start <= day <= start + timedelta(days=days)


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """Tea-shop demo data, which must give every screen something to show.

    Runs only on databases installed with Odoo's demo data. Dates relative to
    the install are compared with the day the demo customers were created, so
    the checks hold on a demo database installed earlier.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lin_xiaoyu = cls.env.ref(
            "customer_archive.demo_customer_lin_xiaoyu", raise_if_not_found=False
        )
        if not cls.lin_xiaoyu:
            return
        cls.load_day = cls.lin_xiaoyu.create_date.date()
        cls.customers = (
            cls.env["res.partner"]
            .with_context(active_test=False)
            .search([("archive_number", "!=", False)])
        )
        cls.clerk = cls.env.ref("customer_archive.demo_user_clerk")
        cls.manager = cls.env.ref("customer_archive.demo_user_manager")

    def setUp(self):
        super().setUp()
        if not self.lin_xiaoyu:
            self.skipTest("the demo data of customer_archive is not loaded")

    def test_demo_customers_registered(self):
        self.assertGreaterEqual(len(self.customers), 28)
        self.assertLessEqual(len(self.customers), 40)
        for xmlid, prefix in DEMO_FOLDERS.items():
            with self.subTest(folder=prefix):
                folder = self.env.ref(xmlid)
                numbers = self.customers.filtered(
                    lambda p, f=folder: p.archive_folder_id == f
                ).mapped("archive_number")
                self.assertTrue(numbers)
                self.assertIn(f"{prefix}-00001", numbers)
        self.assertFalse(
            self.env.ref("customer_archive.demo_contact_deng_xiao").archive_number
        )

    def test_demo_classification_spread(self):
        tiers = set(self.customers.mapped("archive_tier"))
        cycles = set(self.customers.mapped("archive_activity_cycle"))
        self.assertEqual(tiers, {"none", "low", "medium", "high"})
        self.assertEqual(cycles, {"new", "active", "dormant", "lost"})
        self.assertIn("closed", self.customers.mapped("archive_state"))
        self.assertTrue(all(self.customers.mapped("archive_classified_on")))

    def test_demo_birthdays_and_membership(self):
        next_month = (self.load_day.replace(day=1) + timedelta(days=32)).month
        months = self.customers.mapped("archive_birthday_month")
        self.assertIn(self.load_day.month, months)
        self.assertIn(next_month, months)
        birthdays = self.customers.filtered("archive_birthday").mapped(
            "archive_birthday"
        )
        self.assertIn((2, 29), {(day.month, day.day) for day in birthdays})
        self.assertIn("lunar", self.customers.mapped("archive_birthday_calendar"))
        members = self.customers.filtered("archive_is_member")
        self.assertTrue(members)
        self.assertTrue(self.customers - members)
        renewing = members.filtered(
            lambda p: _within(p.archive_member_renewal_date, self.load_day, 30)
        )
        self.assertTrue(renewing)
        self.assertTrue(self.customers.filtered("archive_marketing_consent"))
        self.assertTrue(self.customers.filtered("archive_referrer_id"))
        self.assertTrue(self.customers.filtered("archive_category_ids"))

    def test_demo_journal_and_purchases(self):
        purchases = self.env["customer.archive.purchase"].search(
            [("partner_id", "in", self.customers.ids)]
        )
        depleting = purchases.filtered(
            lambda p: _within(p.depletion_date, self.load_day, 7)
        )
        self.assertTrue(depleting)
        entries = self.env["customer.archive.journal.entry"].search(
            [("partner_id", "in", self.customers.ids)]
        )
        self.assertEqual(
            set(entries.mapped("entry_type")),
            {"call", "usage", "event", "service", "complaint"},
        )
        yesterday_events = entries.filtered(
            lambda e: (
                e.entry_type == "event"
                and e.attended
                and e.date == self.load_day - timedelta(days=1)
            )
        )
        self.assertTrue(yesterday_events)
        self.assertIn("tasting", entries.mapped("event_kind"))
        self.assertIn("salon", entries.mapped("event_kind"))
        complaints = entries.filtered(lambda e: e.entry_type == "complaint")
        self.assertIn("resolved", complaints.mapped("complaint_state"))
        self.assertTrue(complaints.filtered(lambda e: e.complaint_state != "resolved"))

    def test_demo_documents_in_every_directory(self):
        documents = self.env["customer.archive.document"].search([])
        types = self.env["customer.archive.document.type"].search([])
        for doc_type in types:
            with self.subTest(type=doc_type.code):
                self.assertIn(doc_type, documents.type_id)
        kept = documents.filtered(lambda d: d.retention_state != "destroyed")
        for document in kept:
            with self.subTest(document=document.name):
                self.assertTrue(document.attachment_ids)
                self.assertNotIn("-  ", document.checksums)

    def test_demo_retention_and_destruction(self):
        documents = self.env["customer.archive.document"]
        due = documents.search([("retention_state", "=", "due")])
        self.assertTrue(due)
        for document in due:
            with self.subTest(document=document.name):
                self.assertLess(document.retention_date, self.load_day)
        self.assertTrue(documents.search([("legal_hold", "=", True)]))
        batch = self.env["customer.archive.destruction.batch"].search(
            [("state", "=", "executed")]
        )
        self.assertEqual(len(batch), 1)
        self.assertNotEqual(batch.approved_by_id, batch.verified_by_id)
        self.assertTrue(batch.register_ids)
        self.assertEqual(
            self.env["customer.archive.destruction.register"]._first_broken_entry_id(),
            0,
        )
        closed = self.env.ref("customer_archive.demo_customer_wu_jianhua")
        self.assertEqual(closed.archive_state, "closed")
        self.assertTrue(closed.archive_erasure_due)
        self.assertTrue(
            self.env["customer.archive.retention.review"].search(
                [("due_document_ids", "in", due.ids)]
            )
        )

    def test_demo_consultation_and_access_log(self):
        submitted = self.env.ref("customer_archive.demo_consultation_submitted")
        self.assertEqual(submitted.state, "submitted")
        self.assertEqual(submitted.requester_id, self.clerk)
        deciders = submitted.activity_ids.user_id
        self.assertIn(self.manager, deciders)
        self.assertNotIn(self.clerk, deciders)
        approved = self.env.ref("customer_archive.demo_consultation_approved")
        self.assertEqual(approved.approver_id, self.manager)
        log = self.env["customer.archive.access.log"].search([])
        self.assertTrue(log.filtered(lambda e: e.consultation_id == approved))
        self.assertEqual(log._first_broken_entry_id(), 0)

    def test_demo_users_and_invitations(self):
        self.assertTrue(self.clerk.has_group("customer_archive.group_archive_user"))
        self.assertFalse(self.clerk.has_group("customer_archive.group_archive_manager"))
        self.assertTrue(
            self.manager.has_group("customer_archive.group_archive_manager")
        )
        invitations = self.env["customer.archive.greeting"].search(
            [("kind", "=", "invitation")]
        )
        self.assertEqual(set(invitations.mapped("state")), {"done"})
        self.assertEqual(set(invitations.mapped("channel")), {"email", "activity"})
        self.assertFalse(
            invitations.partner_id.filtered(lambda p: not p.archive_marketing_consent)
        )
