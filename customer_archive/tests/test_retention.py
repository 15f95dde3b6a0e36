import uuid
from contextlib import contextmanager
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ArchiveCase


class RetentionCase(ArchiveCase):
    """Documents with distinct contents and helpers for the expiry run."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Document = cls.env["customer.archive.document"]
        cls.Review = cls.env["customer.archive.retention.review"]

    @classmethod
    def _document(cls, type_code, partner=None, **vals):
        """File a document of type ``type_code`` with a unique file content."""
        content = f"%PDF-1.4 {uuid.uuid4()}".encode()
        return cls._file_document(
            partner or cls.customer,
            f"customer_archive.document_type_{type_code}",
            content=content,
            **vals,
        )

    @classmethod
    def _policy(cls, count, unit, start_event, **vals):
        return cls.env["customer.archive.retention.policy"].create(
            {
                "name": f"{count} {unit} after {start_event}",
                "period_count": count,
                "period_unit": unit,
                "start_event": start_event,
                **vals,
            }
        )

    @classmethod
    def _type_with_policy(cls, code, policy):
        return cls.env["customer.archive.document.type"].create(
            {"name": f"Type {code}", "code": code, "retention_policy_id": policy.id}
        )

    @contextmanager
    def _counting_commits(self):
        """Let the expiry run commit its batches, counting the commits.

        Tests cannot commit their cursor, so the commit is replaced by a mock
        and the whole test still rolls back.
        """
        with patch.object(self.env.cr, "commit") as commit:
            yield commit

    def _run_expiry(self, **kwargs):
        with self._counting_commits() as commit:
            result = self.Document._retention_mark_due(**kwargs)
        return result, commit.call_count

    def _new_reviews(self, before):
        return self.Review.search([("id", ">", before.id or 0)], order="id")


@tagged("post_install", "-at_install")
class TestRetentionDates(RetentionCase):
    def test_filing_date_years_feb29(self):
        document = self._document("fbk", filing_date=date(2024, 2, 29))
        self.assertEqual(document.retention_date, date(2027, 2, 28))

    def test_document_date_thirty_years(self):
        document = self._document(
            "pay", filing_date=date(2024, 3, 5), document_date=date(2024, 2, 29)
        )
        self.assertEqual(document.retention_date, date(2054, 2, 28))

    def test_document_date_missing_uses_filing(self):
        document = self._document("srv", filing_date=date(2024, 3, 5))
        self.assertEqual(document.retention_date, date(2029, 3, 5))

    def test_validity_end_month_end(self):
        document = self._document(
            "con", valid_from=date(2020, 2, 1), valid_to=date(2024, 2, 29)
        )
        self.assertEqual(document.retention_date, date(2034, 2, 28))

    def test_validity_end_missing_no_date(self):
        document = self._document("con")
        self.assertFalse(document.retention_date)

    def test_validity_end_entered_later(self):
        document = self._document("con")
        document.valid_to = date(2025, 12, 31)
        self.assertEqual(document.retention_date, date(2035, 12, 31))

    def test_archive_closure_before_and_after(self):
        document = self._document("inf")
        self.assertFalse(document.retention_date)
        with freeze_time("2025-08-31"):
            self.customer.with_user(self.manager).action_archive_close()
        self.assertEqual(self.customer.archive_closed_date, date(2025, 8, 31))
        self.assertEqual(document.retention_date, date(2028, 8, 31))

    def test_archive_reopen_clears_date(self):
        document = self._document("inf")
        self.customer.with_user(self.manager).action_archive_close()
        self.customer.with_user(self.manager).action_archive_reopen()
        self.assertEqual(self.customer.archive_state, "registered")
        self.assertFalse(self.customer.archive_closed_date)
        self.assertFalse(document.retention_date)

    def test_archive_close_by_user_rejected(self):
        with self.assertRaises(UserError):
            self.customer.with_user(self.user).action_archive_close()

    def test_last_activity_follows_interaction(self):
        document = self._document("cmp", filing_date=date(2024, 1, 10))
        self.assertEqual(document.retention_date, date(2027, 1, 10))
        self.customer.archive_last_interaction_date = date(2025, 5, 31)
        self.assertEqual(document.retention_date, date(2028, 5, 31))

    def test_last_activity_after_classification(self):
        document = self._document("cmp", filing_date=date(2024, 1, 10))
        self.env["customer.archive.purchase"].create(
            {
                "partner_id": self.customer.id,
                "date": date(2025, 11, 30),
                "product": "Tieguanyin 250 g",
                "amount": 380.0,
            }
        )
        self.customer._archive_recompute_classification(date(2025, 12, 1))
        self.assertEqual(
            self.customer.archive_last_interaction_date, date(2025, 11, 30)
        )
        self.assertEqual(document.retention_date, date(2028, 11, 30))

    def test_months_unit_month_end(self):
        policy = self._policy(1, "months", "filing_date")
        doc_type = self._type_with_policy("MON", policy)
        document = self.Document.create(
            {
                "partner_id": self.customer.id,
                "type_id": doc_type.id,
                "filing_date": date(2024, 1, 31),
            }
        )
        self.assertEqual(document.retention_date, date(2024, 2, 29))

    def test_days_unit_over_year_end(self):
        policy = self._policy(45, "days", "filing_date")
        doc_type = self._type_with_policy("DAY", policy)
        document = self.Document.create(
            {
                "partner_id": self.customer.id,
                "type_id": doc_type.id,
                "filing_date": date(2024, 12, 1),
            }
        )
        self.assertEqual(document.retention_date, date(2025, 1, 15))

    def test_permanent_policy_no_date(self):
        permanent = self.env.ref("customer_archive.retention_policy_permanent")
        doc_type = self._type_with_policy("PRM", permanent)
        document = self.Document.create(
            {"partner_id": self.customer.id, "type_id": doc_type.id}
        )
        self.assertFalse(document.retention_date)

    def test_type_without_policy_no_date(self):
        doc_type = self.env["customer.archive.document.type"].create(
            {"name": "Unclassified", "code": "UNC"}
        )
        document = self.Document.create(
            {"partner_id": self.customer.id, "type_id": doc_type.id}
        )
        self.assertFalse(document.retention_date)

    def test_policy_change_moves_dates(self):
        document = self._document("fbk", filing_date=date(2024, 2, 29))
        self.env.ref("customer_archive.retention_policy_feedback").period_count = 4
        self.assertEqual(document.retention_date, date(2028, 2, 29))

    @mute_logger("odoo.sql_db")
    def test_zero_period_rejected(self):
        with self.assertRaises(IntegrityError):
            self._policy(0, "years", "filing_date")

    def test_policy_write_by_user_rejected(self):
        policy = self.env.ref("customer_archive.retention_policy_feedback")
        with self.assertRaises(AccessError):
            policy.with_user(self.user).period_count = 1

    def test_shipped_policies_cover_standard_types(self):
        codes = ["inf", "con", "pay", "srv", "cor", "cmp", "fbk", "oth"]
        for code in codes:
            with self.subTest(code=code):
                doc_type = self.env.ref(f"customer_archive.document_type_{code}")
                self.assertTrue(doc_type.retention_policy_id)


@tagged("post_install", "-at_install")
class TestRetentionOverride(RetentionCase):
    def test_override_replaces_policy_date(self):
        document = self._document("fbk", filing_date=date(2024, 2, 29))
        document.with_user(self.manager).write(
            {
                "retention_override_date": date(2030, 6, 30),
                "retention_override_reason": "Kept for the 2029 product recall",
            }
        )
        self.assertEqual(document.retention_date, date(2030, 6, 30))
        self.assertEqual(document.retention_policy_date, date(2027, 2, 28))

    def test_override_without_reason_rejected(self):
        document = self._document("fbk")
        with self.assertRaises(ValidationError):
            document.with_user(self.manager).retention_override_date = date(2030, 1, 1)

    def test_override_by_user_rejected(self):
        document = self._document("srv")
        with self.assertRaises(UserError):
            document.with_user(self.user).write(
                {
                    "retention_override_date": date(2030, 1, 1),
                    "retention_override_reason": "Asked by the customer",
                }
            )

    def test_override_tracked_in_chatter(self):
        document = self._document("fbk").with_context(tracking_disable=False)
        # Changes to a record created in the same transaction are not tracked,
        # so end the creation's tracking first.
        self.env.cr.precommit.run()
        document.with_user(self.manager).write(
            {
                "retention_override_date": date(2031, 3, 31),
                "retention_override_reason": "Evidence in a warranty dispute",
            }
        )
        self.env.cr.precommit.run()
        tracked = document.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("retention_override_date", tracked)
        self.assertIn("retention_override_reason", tracked)
        reasons = document.message_ids.tracking_value_ids.mapped("new_value_text")
        self.assertIn("Evidence in a warranty dispute", reasons)

    def test_override_clear_restores_policy_date(self):
        document = self._document("fbk", filing_date=date(2024, 2, 29))
        document.with_user(self.manager).write(
            {
                "retention_override_date": date(2030, 6, 30),
                "retention_override_reason": "Recall",
            }
        )
        document.with_user(self.manager).retention_override_date = False
        self.assertEqual(document.retention_date, date(2027, 2, 28))
        self.assertFalse(document.retention_override_reason)

    @freeze_time("2028-01-15")
    def test_override_moves_due_back_to_kept(self):
        document = self._document("fbk", filing_date=date(2024, 2, 29))
        self._run_expiry()
        self.assertEqual(document.retention_state, "due")
        document.with_user(self.manager).write(
            {
                "retention_override_date": date(2030, 6, 30),
                "retention_override_reason": "Recall",
            }
        )
        self.assertEqual(document.retention_state, "active")


@tagged("post_install", "-at_install")
class TestRetentionExpiry(RetentionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Feedback policy: 3 years after filing.
        cls.expired = cls._document("fbk", filing_date=date(2022, 1, 10))
        cls.expiring = cls._document("fbk", filing_date=date(2023, 1, 20))
        cls.later = cls._document("fbk", filing_date=date(2023, 6, 1))

    @freeze_time("2026-01-11")
    def test_expiry_marks_only_expired(self):
        (due, _warned), _commits = self._run_expiry()
        self.assertEqual(due, 1)
        self.assertEqual(self.expired.retention_state, "due")
        self.assertEqual(self.expiring.retention_state, "active")
        self.assertEqual(self.later.retention_state, "active")

    @freeze_time("2025-01-10")
    def test_expiry_not_on_retention_date(self):
        self._run_expiry()
        self.assertEqual(self.expired.retention_state, "active")

    @freeze_time("2026-01-11")
    def test_expiry_warns_ahead(self):
        (_due, warned), _commits = self._run_expiry()
        self.assertEqual(warned, 1)
        self.assertTrue(self.expiring.retention_warned)
        self.assertFalse(self.later.retention_warned)

    @freeze_time("2026-01-11")
    def test_expiry_warning_days_setting(self):
        self.env["ir.config_parameter"].set_param(
            "customer_archive.retention_warning_days", "200"
        )
        (_due, warned), _commits = self._run_expiry()
        self.assertEqual(warned, 2)
        self.assertTrue(self.later.retention_warned)

    @freeze_time("2026-01-11")
    def test_expiry_one_review_one_activity(self):
        before = self.Review.search([], order="id desc", limit=1)
        self._run_expiry()
        review = self._new_reviews(before)
        self.assertEqual(len(review), 1)
        self.assertEqual(review.due_document_ids, self.expired)
        self.assertEqual(review.warned_document_ids, self.expiring)
        self.assertEqual(len(review.activity_ids), 1)
        self.assertTrue(
            review.activity_ids.user_id.has_group(
                "customer_archive.group_archive_manager"
            )
        )

    @freeze_time("2026-01-11")
    def test_expiry_reviewer_setting(self):
        self.env["ir.config_parameter"].set_param(
            "customer_archive.retention_reviewer_id", str(self.manager_2.id)
        )
        before = self.Review.search([], order="id desc", limit=1)
        self._run_expiry()
        review = self._new_reviews(before)
        self.assertEqual(review.activity_ids.user_id, self.manager_2)

    @freeze_time("2026-01-11")
    def test_expiry_second_run_does_nothing(self):
        before = self.Review.search([], order="id desc", limit=1)
        self._run_expiry()
        (due, warned), commits = self._run_expiry()
        self.assertEqual(due, 0)
        self.assertEqual(warned, 0)
        self.assertEqual(commits, 0)
        self.assertEqual(len(self._new_reviews(before)), 1)

    @freeze_time("2026-01-11")
    def test_expiry_more_documents_than_batch(self):
        extra = self.Document
        for day in range(1, 6):
            extra |= self._document("fbk", filing_date=date(2021, 3, day))
        before = self.Review.search([], order="id desc", limit=1)
        (due, _warned), commits = self._run_expiry(batch_size=2)
        self.assertEqual(due, 6)
        # Six due documents in batches of two, then one warned document.
        self.assertEqual(commits, 4)
        self.assertEqual(set(extra.mapped("retention_state")), {"due"})
        review = self._new_reviews(before)
        self.assertEqual(len(review), 1)
        self.assertEqual(len(review.due_document_ids), 6)
        self.assertEqual(len(review.activity_ids), 1)
        self.assertIn("6", str(review.activity_ids.note))

    @freeze_time("2026-01-11")
    def test_expiry_runs_from_cron_entry(self):
        cron = self.env.ref("customer_archive.ir_cron_retention_mark_due")
        self.assertEqual(cron.code.strip(), "model._cron_mark_due()")
        with self._counting_commits():
            self.Document._cron_mark_due()
        self.assertEqual(self.expired.retention_state, "due")

    @freeze_time("2026-01-11")
    def test_expiry_skips_document_hold(self):
        self.expired.with_user(self.manager)._retention_place_legal_hold(
            "Evidence in case 2025-17"
        )
        self._run_expiry()
        self.assertEqual(self.expired.retention_state, "active")
        self.expired.with_user(self.manager)._retention_lift_legal_hold("Case closed")
        self._run_expiry()
        self.assertEqual(self.expired.retention_state, "due")

    @freeze_time("2026-01-11")
    def test_expiry_skips_customer_hold(self):
        self.customer.with_user(self.manager)._archive_place_legal_hold(
            "Tax inspection"
        )
        self._run_expiry()
        self.assertEqual(self.expired.retention_state, "active")

    def test_expiry_flags_customer_for_erasure(self):
        information = self._document("inf")
        with freeze_time("2022-06-30"):
            self.customer.with_user(self.manager).action_archive_close()
        with freeze_time("2025-07-01"):
            self._run_expiry()
        self.assertEqual(information.retention_state, "due")
        self.assertTrue(self.customer.archive_erasure_due)

    def test_expiry_keeps_customer_not_yet_due(self):
        self._document("inf")
        with freeze_time("2022-06-30"):
            self.customer.with_user(self.manager).action_archive_close()
        with freeze_time("2025-06-30"):
            self._run_expiry()
        self.assertFalse(self.customer.archive_erasure_due)

    @freeze_time("2026-01-11")
    def test_expiry_releases_due_no_longer_expired(self):
        self._run_expiry()
        self.expired.sudo().write(
            {
                "retention_override_date": date(2027, 1, 1),
                "retention_override_reason": "Audit",
            }
        )
        self.assertEqual(self.expired.retention_state, "active")


@tagged("post_install", "-at_install")
class TestLegalHold(RetentionCase):
    def _hold_wizard(self, user, operation, reason, **targets):
        return (
            self.env["customer.archive.legal.hold.wizard"]
            .with_user(user)
            .create({"operation": operation, "reason": reason, **targets})
        )

    def test_place_and_lift_customer_hold(self):
        partner = self.customer.with_context(tracking_disable=False)
        self._hold_wizard(
            self.manager, "place", "Lawsuit 2026-3", partner_ids=[(6, 0, partner.ids)]
        ).action_apply()
        self.assertTrue(partner.archive_legal_hold)
        self.assertEqual(partner.archive_legal_hold_user_id, self.manager)
        self._hold_wizard(
            self.manager_2, "lift", "Settled", partner_ids=[(6, 0, partner.ids)]
        ).action_apply()
        self.assertFalse(partner.archive_legal_hold)
        bodies = " ".join(str(body) for body in partner.message_ids.mapped("body"))
        self.assertIn("Legal hold placed", bodies)
        self.assertIn("Legal hold lifted", bodies)
        history = partner.archive_legal_hold_history
        self.assertIn("Lawsuit 2026-3", history)
        self.assertIn("Settled", history)

    def test_hold_reason_not_in_customer_chatter(self):
        self._hold_wizard(
            self.manager,
            "place",
            "Lawsuit 2026-3",
            partner_ids=[(6, 0, self.customer.ids)],
        ).action_apply()
        bodies = " ".join(
            str(body) for body in self.customer.message_ids.mapped("body")
        )
        self.assertIn("Legal hold placed", bodies)
        self.assertNotIn("Lawsuit", bodies)
        Message = self.env["mail.message"].with_user(self.internal_user)
        self.assertFalse(Message.search([("body", "ilike", "Lawsuit")]))

    def test_place_and_lift_document_hold(self):
        document = self._document("con")
        self._hold_wizard(
            self.manager, "place", "Disputed", document_ids=[(6, 0, document.ids)]
        ).action_apply()
        self.assertTrue(document.is_held)
        self._hold_wizard(
            self.manager, "lift", "Dispute over", document_ids=[(6, 0, document.ids)]
        ).action_apply()
        self.assertFalse(document.is_held)
        self.assertIn("Dispute over", str(document.message_ids[0].body))

    def test_customer_hold_covers_documents(self):
        document = self._document("con")
        self.customer.with_user(self.manager)._archive_place_legal_hold("Audit")
        self.assertTrue(document.is_held)
        held = self.Document.search([("is_held", "=", True)])
        self.assertIn(document, held)

    def test_hold_wizard_by_user_rejected(self):
        with self.assertRaises(AccessError):
            self._hold_wizard(
                self.user, "place", "Reason", partner_ids=[(6, 0, self.customer.ids)]
            )

    def test_hold_by_user_rejected(self):
        with self.assertRaises(UserError):
            self.customer.with_user(self.user)._archive_place_legal_hold("Reason")

    def test_hold_field_write_by_user_rejected(self):
        document = self._document("srv")
        with self.assertRaises(UserError):
            document.with_user(self.user).legal_hold = True


@tagged("post_install", "-at_install")
class TestRetentionSystemFields(RetentionCase):
    """The retention state and destruction record change only through the workflow."""

    def test_user_cannot_mark_document_destroyed(self):
        document = self._document("srv")
        with self.assertRaises(UserError):
            document.with_user(self.user).write(
                {"retention_state": "destroyed", "destruction_checksums": "forged"}
            )
        self.assertEqual(document.retention_state, "active")
        self.assertFalse(document.destruction_checksums)

    def test_user_cannot_mark_document_due(self):
        document = self._document("srv")
        with self.assertRaises(UserError):
            document.with_user(self.user).write({"retention_state": "due"})
        self.assertEqual(document.retention_state, "active")

    def test_manager_cannot_mark_document_due(self):
        document = self._document("srv")
        with self.assertRaises(UserError):
            document.with_user(self.manager).write({"retention_state": "due"})
        self.assertEqual(document.retention_state, "active")

    def test_user_cannot_write_destruction_record(self):
        document = self._document("srv")
        cases = {
            "retention_warned": True,
            "destruction_date": "2024-01-01 10:00:00",
            "destruction_method": "shred",
        }
        for name, value in cases.items():
            with self.subTest(field=name), self.assertRaises(UserError):
                document.with_user(self.user).write({name: value})
        self.assertFalse(document.retention_warned)
        self.assertFalse(document.destruction_date)
        self.assertFalse(document.destruction_method)

    def test_user_cannot_create_destroyed_document(self):
        with self.assertRaises(UserError):
            self.Document.with_user(self.user).create(
                {
                    "partner_id": self.customer.id,
                    "type_id": self.env.ref("customer_archive.document_type_srv").id,
                    "retention_state": "destroyed",
                }
            )

    def test_user_creates_document_kept(self):
        document = self.Document.with_user(self.user).create(
            {
                "partner_id": self.customer.id,
                "type_id": self.env.ref("customer_archive.document_type_srv").id,
                "retention_state": "active",
                "retention_warned": False,
            }
        )
        self.assertEqual(document.retention_state, "active")

    def test_user_cannot_backdate_filing_date(self):
        document = self._document("fbk")
        with self.assertRaises(UserError):
            document.with_user(self.user).filing_date = date(2015, 1, 1)
        self.assertEqual(document.filing_date, date.today())

    def test_user_cannot_backdate_document_date(self):
        document = self._document("fbk", document_date=date(2024, 5, 1))
        with self.assertRaises(UserError):
            document.with_user(self.user).document_date = date(2015, 1, 1)
        self.assertEqual(document.document_date, date(2024, 5, 1))

    def test_manager_corrects_filing_date(self):
        document = self._document("fbk")
        document.with_user(self.manager).filing_date = date(2020, 3, 1)
        self.assertEqual(document.retention_date, date(2023, 3, 1))

    def test_user_enters_validity_end(self):
        document = self._document("con", confidentiality="internal")
        document.with_user(self.user).valid_to = date(2025, 12, 31)
        self.assertEqual(document.retention_date, date(2035, 12, 31))

    def test_user_expired_validity_end_rejected(self):
        document = self._document("con", confidentiality="internal")
        with self.assertRaises(UserError):
            document.with_user(self.user).valid_to = date(2000, 12, 31)
        self.assertFalse(document.valid_to)

    def test_manager_enters_expired_validity_end(self):
        document = self._document("con")
        document.with_user(self.manager).valid_to = date(2000, 12, 31)
        self.assertEqual(document.retention_date, date(2010, 12, 31))
