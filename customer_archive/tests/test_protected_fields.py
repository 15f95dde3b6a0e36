"""Writes that the screens never send but an RPC caller can: each must be refused."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ArchiveCase


@tagged("post_install", "-at_install")
class TestConsultationWorkflowFields(ArchiveCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.confidential_doc = cls._file_document(
            cls.customer, "customer_archive.document_type_con"
        )

    def _request(self, user, **vals):
        return (
            self.env["customer.archive.consultation"]
            .with_user(user)
            .create(
                {
                    "partner_ids": [(6, 0, self.customer.ids)],
                    "purpose": "Check the contract",
                    "date_from": "2026-03-01 08:00:00",
                    "date_to": "2026-03-03 18:00:00",
                    **vals,
                }
            )
        )

    def test_requester_cannot_write_approved_state(self):
        request = self._request(self.user)
        with self.assertRaises(UserError):
            request.write({"state": "approved", "approver_id": self.manager.id})
        self.assertEqual(request.state, "draft")

    def test_requester_cannot_create_approved(self):
        with self.assertRaises(UserError):
            self._request(self.user, state="approved")

    def test_requester_cannot_set_approver(self):
        request = self._request(self.user)
        with self.assertRaises(UserError):
            request.write({"approver_id": self.manager.id})

    def test_manager_cannot_write_state(self):
        request = self._request(self.user)
        request.action_submit()
        with self.assertRaises(UserError):
            request.with_user(self.manager).write({"state": "approved"})

    def test_approved_request_cannot_reopen_draft(self):
        request = self._request(self.user)
        request.action_submit()
        request.with_user(self.manager).action_approve()
        with self.assertRaises(UserError):
            request.write({"state": "draft"})
        self.assertEqual(request.state, "approved")

    def test_approved_request_keeps_requester(self):
        request = self._request(self.user)
        request.action_submit()
        request.with_user(self.manager).action_approve()
        with self.assertRaises(UserError):
            request.with_user(self.manager_2).write({"requester_id": self.user_2.id})

    def test_user_cannot_hand_draft_to_other_user(self):
        request = self._request(self.user)
        with self.assertRaises(UserError):
            request.write({"requester_id": self.user_2.id})

    def test_written_state_grants_nothing(self):
        request = self._request(self.user)
        with self.assertRaises(UserError):
            request.write({"state": "approved"})
        Document = self.env["customer.archive.document"].with_user(self.user)
        self.assertFalse(Document.search([("id", "=", self.confidential_doc.id)]))

    def test_workflow_still_decides(self):
        request = self._request(self.user)
        request.action_submit()
        request.with_user(self.manager).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.approver_id, self.manager)
        request.action_close()
        self.assertEqual(request.state, "closed")
