from datetime import datetime

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ArchiveCase


@tagged("post_install", "-at_install")
class ConsultationCase(ArchiveCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.confidential_doc = cls._file_document(
            cls.customer, "customer_archive.document_type_con"
        )

    def _request(
        self, user, start="2026-03-01 08:00:00", end="2026-03-03 18:00:00", **vals
    ):
        return (
            self.env["customer.archive.consultation"]
            .with_user(user)
            .create(
                {
                    "partner_ids": [(6, 0, self.customer.ids)],
                    "purpose": "Check the contract before renewing it",
                    "purpose_type": "service",
                    "date_from": start,
                    "date_to": end,
                    **vals,
                }
            )
        )

    def _approved_request(self, user, **vals):
        request = self._request(user, **vals)
        request.action_submit()
        request.with_user(self.manager).action_approve()
        return request


@tagged("post_install", "-at_install")
class TestConsultationWorkflow(ConsultationCase):
    def test_reference_from_sequence(self):
        request = self._request(self.user)
        self.assertRegex(request.name, r"^CR/\d{4}/\d{5}$")

    def test_submit_schedules_manager_activities(self):
        request = self._request(self.user)
        request.action_submit()
        self.assertEqual(request.state, "submitted")
        assigned = request.activity_ids.user_id
        self.assertIn(self.manager, assigned)
        self.assertIn(self.manager_2, assigned)
        self.assertNotIn(self.user, assigned)

    def test_requester_manager_gets_no_activity(self):
        request = self._request(self.manager)
        request.action_submit()
        self.assertNotIn(self.manager, request.activity_ids.user_id)

    def test_approve_notifies_requester(self):
        request = self._approved_request(self.user)
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.approver_id, self.manager)
        self.assertFalse(request.activity_ids)
        last_message = request.message_ids[0]
        self.assertIn(self.user.partner_id, last_message.partner_ids)
        self.assertIn("Approved", str(last_message.body))

    def test_manager_cannot_approve_own_request(self):
        request = self._request(self.manager)
        request.action_submit()
        with self.assertRaises(UserError):
            request.with_user(self.manager).action_approve()
        request.with_user(self.manager_2).action_approve()
        self.assertEqual(request.state, "approved")

    def test_user_cannot_approve(self):
        request = self._request(self.user_2)
        request.action_submit()
        with self.assertRaises(UserError):
            request.with_user(self.user).sudo(False).action_approve()

    def test_reject_requires_reason(self):
        request = self._request(self.user)
        request.action_submit()
        with self.assertRaises(UserError):
            request.with_user(self.manager)._reject("  ")
        self.assertEqual(request.state, "submitted")

    def test_reject_with_reason_notifies(self):
        request = self._request(self.user)
        request.action_submit()
        wizard = (
            self.env["customer.archive.consultation.reject.wizard"]
            .with_user(self.manager)
            .create(
                {
                    "consultation_ids": [(6, 0, request.ids)],
                    "reason": "The purpose does not need the contract.",
                }
            )
        )
        wizard.action_reject()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(
            request.rejection_reason, "The purpose does not need the contract."
        )
        self.assertIn(self.user.partner_id, request.message_ids[0].partner_ids)

    def test_decided_request_cannot_be_decided_again(self):
        request = self._approved_request(self.user)
        with self.assertRaises(UserError):
            request.with_user(self.manager_2).action_approve()

    def test_period_limited_by_setting(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "customer_archive.consultation_max_days", "7"
        )
        with self.assertRaises(ValidationError):
            self._request(self.user, end="2026-03-20 08:00:00")

    @mute_logger("odoo.sql_db")
    def test_period_end_after_start(self):
        with self.assertRaises(IntegrityError):
            self._request(
                self.user, start="2026-03-05 08:00:00", end="2026-03-01 08:00:00"
            )

    def test_empty_scope_rejected(self):
        with self.assertRaises(ValidationError):
            self._request(self.user, partner_ids=[])

    def test_scope_locked_after_submit(self):
        request = self._request(self.user)
        request.action_submit()
        with self.assertRaises(UserError):
            request.write({"date_to": "2026-03-04 18:00:00"})

    def test_user_cannot_request_for_someone_else(self):
        with self.assertRaises(UserError):
            self._request(self.user, requester_id=self.user_2.id)

    def test_preparer_cannot_approve(self):
        request = self._request(self.manager, requester_id=self.user.id)
        request.action_submit()
        with self.assertRaises(UserError):
            request.with_user(self.manager).action_approve()
        request.with_user(self.manager_2).action_approve()
        self.assertEqual(request.state, "approved")

    def test_close_early(self):
        request = self._approved_request(self.user)
        request.with_user(self.user).action_close()
        self.assertEqual(request.state, "closed")

    def test_users_see_only_own_requests(self):
        own = self._request(self.user)
        other = self._request(self.user_2)
        visible = (
            self.env["customer.archive.consultation"]
            .with_user(self.user)
            .search([("id", "in", (own | other).ids)])
        )
        self.assertEqual(visible, own)

    def test_approved_request_on_archive_page(self):
        request = self._approved_request(self.user)
        self.assertIn(
            request, self.customer.with_user(self.manager).archive_consultation_ids
        )

    def test_cron_expires_after_period(self):
        request = self._approved_request(self.user)
        with freeze_time(datetime(2026, 3, 3, 17, 0)):
            self.env["customer.archive.consultation"]._cron_expire()
        self.assertEqual(request.state, "approved")
        with freeze_time(datetime(2026, 3, 3, 18, 1)):
            self.env["customer.archive.consultation"]._cron_expire()
            self.assertEqual(request.state, "expired")
            # A second run finds nothing more to do.
            self.assertEqual(
                self.env["customer.archive.consultation"]._cron_expire(), 0
            )
