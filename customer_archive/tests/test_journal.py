from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ArchiveCase

TODAY = date(2026, 3, 10)
ENTRY_VALUES = {
    "call": {"content": "Asked about the spring harvest", "next_followup_date": TODAY},
    "usage": {"product": "Tieguanyin 250 g", "usage_since": date(2026, 1, 1)},
    "event": {"event_name": "Spring tasting", "event_kind": "tasting"},
    "service": {"service_item": "Tea set cleaning", "satisfaction": "4"},
    "complaint": {"content": "Package arrived open", "channel": "phone"},
}


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestJournal(ArchiveCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Entry = cls.env["customer.archive.journal.entry"]
        cls.foreign_customer = cls._create_customer("Zhang San")
        cls.foreign_customer._archive_register(cls.folder, user=cls.user_2)

    @classmethod
    def _lost_customer(cls, name):
        """Return a registered customer whose only contact is 400 days old."""
        partner = cls._create_customer(name)
        partner._archive_register(cls.folder, user=cls.user)
        cls.env["customer.archive.purchase"].create(
            {
                "partner_id": partner.id,
                "date": TODAY - timedelta(days=400),
                "product": "Oolong 100 g",
                "amount": 80,
            }
        )
        return partner

    def _entry(self, entry_type, partner=None, user=None, **vals):
        values = {
            "partner_id": (partner or self.customer).id,
            "entry_type": entry_type,
            **ENTRY_VALUES[entry_type],
            **vals,
        }
        return self.Entry.with_user(user or self.user).create(values)

    # Activity cycle

    def test_each_type_makes_lost_customer_active(self):
        for entry_type in ENTRY_VALUES:
            with self.subTest(entry_type=entry_type):
                partner = self._lost_customer(f"Customer {entry_type}")
                self.assertEqual(partner.archive_activity_cycle, "lost")
                self._entry(entry_type, partner, date=TODAY - timedelta(days=10))
                self.assertEqual(partner.archive_activity_cycle, "active")
                self.assertEqual(
                    partner.archive_last_interaction_date,
                    TODAY - timedelta(days=10),
                )

    def test_entry_after_reference_date_ignored(self):
        partner = self._lost_customer("Future Visit")
        self._entry("event", partner, date=TODAY + timedelta(days=20))
        self.assertEqual(partner.archive_activity_cycle, "lost")

    def test_entry_does_not_change_tier(self):
        partner = self._lost_customer("Tier Kept")
        tier = partner.archive_tier
        self._entry("call", partner)
        self.assertEqual(partner.archive_tier, tier)
        self.assertEqual(partner.archive_purchase_count, 1)

    def test_unlink_entry_reclassifies(self):
        partner = self._lost_customer("Deleted Call")
        entry = self._entry("call", partner)
        self.assertEqual(partner.archive_activity_cycle, "active")
        entry.with_user(self.user).unlink()
        self.assertEqual(partner.archive_activity_cycle, "lost")

    def test_moving_entry_date_reclassifies(self):
        partner = self._lost_customer("Moved Call")
        entry = self._entry("call", partner)
        entry.with_user(self.user).date = TODAY - timedelta(days=300)
        self.assertEqual(partner.archive_activity_cycle, "dormant")

    def test_resolution_date_counts_as_interaction(self):
        partner = self._lost_customer("Old Complaint")
        complaint = self._entry("complaint", partner, date=TODAY - timedelta(days=390))
        self.assertEqual(partner.archive_activity_cycle, "lost")
        complaint.resolution = "Sent a new package"
        complaint.action_complaint_resolve()
        self.assertEqual(complaint.resolved_date, TODAY)
        self.assertEqual(partner.archive_last_interaction_date, TODAY)
        self.assertEqual(partner.archive_activity_cycle, "active")

    # Entries

    def test_summary_per_type(self):
        expected = {
            "call": "Asked about the spring harvest",
            "usage": "Tieguanyin 250 g",
            "event": "Spring tasting",
            "service": "Tea set cleaning",
            "complaint": "Package arrived open",
        }
        for entry_type, name in expected.items():
            with self.subTest(entry_type=entry_type):
                self.assertEqual(self._entry(entry_type).name, name)

    def test_summary_first_line_shortened(self):
        entry = self._entry("call", content="x" * 200 + "\nsecond line")
        self.assertEqual(len(entry.name), 80)
        self.assertTrue(entry.name.endswith("…"))

    def test_complaint_starts_received(self):
        self.assertEqual(self._entry("complaint").complaint_state, "received")
        self.assertFalse(self._entry("call").complaint_state)

    def test_satisfaction_rejected_on_call(self):
        with self.assertRaises(ValidationError):
            self._entry("call", satisfaction="3")

    def test_journal_count_and_action(self):
        self._entry("call")
        self._entry("event")
        self.assertEqual(self.customer.archive_journal_count, 2)
        action = self.customer.action_archive_open_journal()
        self.assertEqual(action["domain"], [("partner_id", "=", self.customer.id)])
        self.assertEqual(action["context"]["default_partner_id"], self.customer.id)

    def test_new_entry_action_sets_type(self):
        action = self.customer.with_context(
            archive_entry_type="complaint"
        ).action_archive_new_journal_entry()
        self.assertEqual(action["context"]["default_entry_type"], "complaint")
        self.assertEqual(action["target"], "new")

    # Complaints

    def test_resolve_without_resolution_raises(self):
        complaint = self._entry("complaint")
        with self.assertRaises(UserError) as caught:
            complaint.with_user(self.user).action_complaint_resolve()
        self.assertIn("Wang Fang", str(caught.exception))
        self.assertIn("Resolution", str(caught.exception))
        self.assertEqual(complaint.complaint_state, "received")

    def test_write_resolved_without_resolution_raises(self):
        complaint = self._entry("complaint", resolution="   ")
        with self.assertRaises(UserError):
            complaint.with_user(self.user).complaint_state = "resolved"
        self.assertEqual(complaint.complaint_state, "received")

    def test_create_resolved_without_resolution_raises(self):
        with self.assertRaises(UserError):
            self._entry("complaint", complaint_state="resolved")

    def test_clearing_resolution_of_resolved_raises(self):
        complaint = self._entry("complaint", resolution="Refunded")
        complaint.action_complaint_resolve()
        with self.assertRaises(ValidationError):
            complaint.resolution = False

    def test_resolve_posts_note_on_complaint(self):
        complaint = self._entry(
            "complaint", resolution="Sent a <b>new</b> package", satisfaction="4"
        )
        complaint.with_user(self.user).action_complaint_start()
        self.assertEqual(complaint.complaint_state, "in_progress")
        complaint.with_user(self.user).action_complaint_resolve()
        self.assertEqual(complaint.complaint_state, "resolved")
        message = complaint.message_ids[:1]
        self.assertIn("Sent a &lt;b&gt;new&lt;/b&gt; package", message.body)
        self.assertIn("4 - Satisfied", message.body)
        self.assertEqual(message.author_id, self.user.partner_id)
        self.assertFalse(complaint.activity_ids)

    def test_resolve_leaves_customer_chatter_empty(self):
        complaint = self._entry("complaint", resolution="Refunded", satisfaction="1")
        complaint.action_complaint_resolve()
        self.env.flush_all()
        for text in ("Refunded", "Package arrived open"):
            with self.subTest(text=text):
                messages = self.env["mail.message"].search(
                    [("model", "=", "res.partner"), ("body", "ilike", text)]
                )
                self.assertFalse(messages)
        self.assertFalse(self.customer.activity_ids)

    def test_resolution_hidden_from_non_archive_users(self):
        complaint = self._entry("complaint", resolution="Refunded", satisfaction="1")
        complaint.action_complaint_resolve()
        self.env.flush_all()
        users = (self.internal_user, self.other_company_user)
        for user in users:
            with self.subTest(user=user.login):
                messages = (
                    self.env["mail.message"]
                    .with_user(user)
                    .search_read([("body", "ilike", "Refunded")], ["body"])
                )
                self.assertFalse(messages)
                activities = (
                    self.env["mail.activity"]
                    .with_user(user)
                    .search_read([("note", "ilike", "Refunded")], ["note"])
                )
                self.assertFalse(activities)

    def test_low_satisfaction_schedules_followup(self):
        complaint = self._entry(
            "complaint", resolution="Apologised", satisfaction="2", user=self.user_2
        )
        complaint.with_user(self.user_2).action_complaint_resolve()
        activity = complaint.activity_ids
        self.assertEqual(len(activity), 1)
        # The customer's archive responsible follows up, not the handler.
        self.assertEqual(activity.user_id, self.user)
        self.assertEqual(activity.date_deadline, TODAY)
        self.assertIn("Apologised", activity.note)

    def test_create_resolved_complaint_notifies(self):
        complaint = self._entry(
            "complaint",
            complaint_state="resolved",
            resolution="Replaced",
            satisfaction="1",
            date=TODAY - timedelta(days=2),
        )
        self.assertEqual(complaint.resolved_date, TODAY - timedelta(days=2))
        self.assertEqual(len(complaint.activity_ids), 1)

    def test_resolve_twice_notifies_once(self):
        complaint = self._entry("complaint", resolution="Replaced", satisfaction="1")
        complaint.action_complaint_resolve()
        complaint.action_complaint_resolve()
        complaint.write({"complaint_state": "resolved"})
        self.assertEqual(len(complaint.activity_ids), 1)

    def test_reopen_clears_resolution_date(self):
        complaint = self._entry("complaint", resolution="Replaced")
        complaint.action_complaint_resolve()
        complaint.action_complaint_reopen()
        self.assertEqual(complaint.complaint_state, "in_progress")
        self.assertFalse(complaint.resolved_date)

    def test_state_actions_rejected_on_call(self):
        call = self._entry("call")
        for action in ("action_complaint_start", "action_complaint_resolve"):
            with self.subTest(action=action), self.assertRaises(UserError):
                getattr(call, action)()

    # Access

    def test_user_reads_entries_of_others(self):
        entry = self._entry("call", self.foreign_customer, user=self.user_2)
        found = self.Entry.with_user(self.user).search([("id", "=", entry.id)])
        self.assertEqual(found, entry)

    def test_author_edits_and_deletes_own_entry(self):
        entry = self._entry("call")
        entry.with_user(self.user).content = "Corrected"
        self.assertEqual(entry.name, "Corrected")
        entry.with_user(self.user).unlink()
        self.assertFalse(entry.exists())

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_user_cannot_edit_or_delete_others_entry(self):
        entry = self._entry("call", user=self.user_2)
        with self.assertRaises(AccessError):
            entry.with_user(self.user).content = "Changed"
        with self.assertRaises(AccessError):
            entry.with_user(self.user).unlink()

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_user_cannot_resolve_others_complaint(self):
        complaint = self._entry("complaint", resolution="Done", user=self.user_2)
        with self.assertRaises(AccessError):
            complaint.with_user(self.user).action_complaint_resolve()

    def test_manager_edits_and_deletes_any_entry(self):
        entry = self._entry("call", user=self.user_2)
        entry.with_user(self.manager).content = "Checked by manager"
        self.assertEqual(entry.name, "Checked by manager")
        entry.with_user(self.manager).unlink()
        self.assertFalse(entry.exists())

    def test_author_shown(self):
        self.assertEqual(self._entry("call", user=self.user_2).author_id, self.user_2)

    @mute_logger("odoo.addons.base.models.ir_model")
    def test_non_archive_users_have_no_access(self):
        entry = self._entry("call")
        for user in (self.internal_user, self.portal_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                entry.with_user(user).read(["name"])

    def test_other_company_user_sees_nothing(self):
        entry = self._entry("call")
        found = self.Entry.with_user(self.other_company_user).search(
            [("id", "=", entry.id)]
        )
        self.assertFalse(found)
