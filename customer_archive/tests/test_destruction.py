import base64
import os
from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL, mute_logger

from ..models.customer_archive_hash_chain import MISSING_NEWEST_ENTRIES
from .test_retention import RetentionCase


class DestructionCase(RetentionCase):
    """Due documents and a third manager, so every four-eyes case can be run."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Batch = cls.env["customer.archive.destruction.batch"]
        cls.Register = cls.env["customer.archive.destruction.register"]
        cls.manager_3 = new_test_user(
            cls.env,
            login="archive_manager_3",
            groups="customer_archive.group_archive_manager",
        )
        # Feedback policy, 3 years after filing: kept until 2023.
        cls.documents = cls.Document
        for index, box in enumerate(("B-1", "B-2")):
            cls.documents |= cls._document(
                "fbk",
                filing_date=date(2020, 3, 1 + index),
                location_cabinet="C",
                location_box=box,
                reference=f"SURVEY-{index}",
            )
        cls.documents.write({"retention_state": "due"})

    def _propose(self, user=None, documents=None):
        return self.Batch.with_user(user or self.manager)._propose(
            documents if documents is not None else self.documents
        )

    def _verified(self, verifier=None):
        batch = self._propose()
        batch.with_user(verifier or self.manager).action_confirm_all()
        batch.with_user(verifier or self.manager).action_verify()
        return batch

    def _approved(self):
        batch = self._verified()
        batch.with_user(self.manager_2).action_approve()
        return batch


@tagged("post_install", "-at_install")
class TestDestructionWorkflow(DestructionCase):
    def test_propose_puts_documents_in_batch(self):
        batch = self._propose()
        self.assertRegex(batch.name, r"^DB/\d{4}/\d{5}$")
        self.assertEqual(batch.state, "proposed")
        self.assertEqual(batch.proposed_by_id, self.manager)
        self.assertEqual(batch.line_ids.document_id, self.documents)
        self.assertEqual(set(batch.line_ids.mapped("state")), {"pending"})
        self.assertEqual(set(self.documents.mapped("retention_state")), {"in_batch"})
        self.assertEqual(self.documents.destruction_batch_id, batch)

    def test_propose_wizard_defaults_to_due(self):
        wizard = (
            self.env["customer.archive.destruction.propose.wizard"]
            .with_user(self.manager)
            .create({})
        )
        self.assertEqual(wizard.document_ids, self.documents)
        action = wizard.action_propose()
        batch = self.Batch.browse(action["res_id"])
        self.assertEqual(batch.line_ids.document_id, self.documents)

    def test_propose_not_due_rejected(self):
        kept = self._document("fbk")
        with self.assertRaises(UserError):
            self._propose(documents=self.documents | kept)
        self.assertEqual(set(self.documents.mapped("retention_state")), {"due"})

    def test_propose_twice_rejected(self):
        self._propose()
        with self.assertRaises(UserError):
            self._propose(user=self.manager_2)

    def test_propose_document_hold_rejected(self):
        self.documents[0].with_user(self.manager)._retention_place_legal_hold(
            "Litigation"
        )
        with self.assertRaises(UserError):
            self._propose()

    def test_propose_customer_hold_rejected(self):
        self.customer.with_user(self.manager)._archive_place_legal_hold("Audit")
        with self.assertRaises(UserError):
            self._propose()

    def test_propose_wizard_leaves_held_out(self):
        self.documents[0].with_user(self.manager)._retention_place_legal_hold(
            "Litigation"
        )
        wizard = (
            self.env["customer.archive.destruction.propose.wizard"]
            .with_user(self.manager)
            .create({})
        )
        self.assertEqual(wizard.document_ids, self.documents[1])

    def test_propose_by_user_rejected(self):
        with self.assertRaises(UserError):
            self._propose(user=self.user)

    def test_batch_read_by_user_rejected(self):
        batch = self._propose()
        with self.assertRaises(AccessError):
            batch.with_user(self.user).read(["name"])

    def test_verify_with_pending_rejected(self):
        batch = self._propose()
        batch.line_ids[0].with_user(self.manager).action_confirm()
        with self.assertRaises(UserError):
            batch.with_user(self.manager).action_verify()

    def test_verify_records_verifier(self):
        batch = self._verified()
        self.assertEqual(batch.state, "verified")
        self.assertEqual(batch.verified_by_id, self.manager)
        self.assertEqual(set(batch.line_ids.mapped("state")), {"confirmed"})

    def test_verify_schedules_approval_for_others(self):
        batch = self._verified()
        assigned = batch.activity_ids.user_id
        self.assertIn(self.manager_2, assigned)
        self.assertIn(self.manager_3, assigned)
        self.assertNotIn(self.manager, assigned)

    def test_confirm_detects_changed_file(self):
        batch = self._propose()
        attachment = self.documents[0].attachment_ids
        attachment.sudo().write({"raw": b"%PDF-1.4 replaced"})
        with self.assertRaises(UserError):
            batch.line_ids[0].with_user(self.manager).action_confirm()

    def test_remove_line_needs_reason(self):
        batch = self._propose()
        with self.assertRaises(UserError):
            batch.line_ids[0].with_user(self.manager)._remove("  ")

    def test_remove_line_returns_document(self):
        batch = self._propose()
        line = batch.line_ids[0]
        wizard = (
            self.env["customer.archive.destruction.remove.wizard"]
            .with_user(self.manager)
            .create({"line_ids": [(6, 0, line.ids)], "reason": "Original not in box"})
        )
        wizard.action_remove()
        self.assertEqual(line.state, "removed")
        self.assertEqual(line.removal_reason, "Original not in box")
        self.assertEqual(line.document_id.retention_state, "due")
        self.assertFalse(line.document_id.destruction_batch_id)
        self.assertIn("Original not in box", str(batch.message_ids[0].body))

    def test_verify_all_removed_rejected(self):
        batch = self._propose()
        batch.line_ids.with_user(self.manager)._remove("Still needed")
        with self.assertRaises(UserError):
            batch.with_user(self.manager).action_verify()

    def test_verifier_cannot_approve(self):
        batch = self._verified(verifier=self.manager_2)
        with self.assertRaises(UserError):
            batch.with_user(self.manager_2).action_approve()
        self.assertEqual(batch.state, "verified")

    def test_proposer_cannot_approve(self):
        batch = self._verified(verifier=self.manager_2)
        with self.assertRaises(UserError):
            batch.with_user(self.manager).action_approve()
        batch.with_user(self.manager_3).action_approve()
        self.assertEqual(batch.state, "approved")
        self.assertEqual(batch.approved_by_id, self.manager_3)

    def test_line_checker_cannot_approve(self):
        batch = self._propose()
        batch.line_ids[0].with_user(self.manager_2).action_confirm()
        batch.line_ids[1].with_user(self.manager).action_confirm()
        batch.with_user(self.manager).action_verify()
        with self.assertRaises(UserError):
            batch.with_user(self.manager_2).action_approve()

    def test_second_approval_rejected(self):
        batch = self._approved()
        with self.assertRaises(UserError):
            batch.with_user(self.manager_3).action_approve()
        self.assertEqual(batch.approved_by_id, self.manager_2)

    def test_approve_closes_activities(self):
        batch = self._approved()
        self.assertFalse(batch.activity_ids)

    def test_execute_before_approval_rejected(self):
        batch = self._verified()
        with self.assertRaises(UserError):
            batch.with_user(self.manager_2)._execute("shred")

    def test_cancel_returns_documents(self):
        batch = self._approved()
        batch.with_user(self.manager).action_cancel()
        self.assertEqual(batch.state, "cancelled")
        self.assertEqual(set(self.documents.mapped("retention_state")), {"due"})
        self.assertFalse(self.documents.destruction_batch_id)

    def test_cancel_after_execution_rejected(self):
        batch = self._approved()
        batch.with_user(self.manager)._execute("shred")
        with self.assertRaises(UserError):
            batch.with_user(self.manager).action_cancel()

    def test_delete_proposed_batch_returns_documents(self):
        batch = self._propose()
        batch.with_user(self.manager).unlink()
        self.assertEqual(set(self.documents.mapped("retention_state")), {"due"})

    def test_delete_verified_batch_rejected(self):
        batch = self._verified()
        with self.assertRaises(UserError):
            batch.with_user(self.manager).unlink()


@tagged("post_install", "-at_install")
class TestDestructionWorkflowFields(DestructionCase):
    """Batches and lines change state only through the workflow buttons."""

    def test_batch_created_approved_rejected(self):
        document = self._document("fbk", filing_date=date(2020, 5, 1))
        document.retention_state = "due"
        with self.assertRaises(UserError):
            self.Batch.with_user(self.manager).create(
                {
                    "state": "approved",
                    "proposed_by_id": self.manager_2.id,
                    "verified_by_id": self.manager_2.id,
                    "approved_by_id": self.manager_3.id,
                    "line_ids": [
                        (
                            0,
                            0,
                            {
                                "document_id": document.id,
                                "state": "confirmed",
                                "checked_by_id": self.manager_2.id,
                            },
                        )
                    ],
                }
            )
        self.assertFalse(
            self.Batch.search([("line_ids.document_id", "=", document.id)])
        )
        self.assertEqual(document.retention_state, "due")

    def test_proposer_cannot_write_batch_state(self):
        batch = self._propose()
        with self.assertRaises(UserError):
            batch.with_user(self.manager).write(
                {"state": "approved", "approved_by_id": self.manager_2.id}
            )
        self.assertEqual(batch.state, "proposed")
        self.assertFalse(batch.approved_by_id)

    def test_other_manager_cannot_write_approver(self):
        batch = self._verified()
        with self.assertRaises(UserError):
            batch.with_user(self.manager_2).write({"approved_by_id": self.manager_3.id})
        self.assertFalse(batch.approved_by_id)

    def test_batch_method_write_rejected(self):
        batch = self._approved()
        with self.assertRaises(UserError):
            batch.with_user(self.manager).write({"method": "shred"})

    @mute_logger("odoo.addons.base.models.ir_model")
    def test_batch_line_added_by_write_rejected(self):
        batch = self._propose()
        document = self._document("fbk", filing_date=date(2020, 6, 1))
        with self.assertRaises(UserError):
            batch.with_user(self.manager).write(
                {"line_ids": [(0, 0, {"document_id": document.id})]}
            )
        self.assertEqual(batch.line_ids.document_id, self.documents)

    def test_batch_note_stays_editable(self):
        batch = self._propose()
        batch.with_user(self.manager).note = "Boxes B-1 and B-2"
        self.assertEqual(batch.note, "Boxes B-1 and B-2")

    @mute_logger("odoo.addons.base.models.ir_model")
    def test_line_create_rejected(self):
        batch = self._propose()
        document = self._document("fbk", filing_date=date(2020, 6, 1))
        with self.assertRaises(UserError):
            self.env["customer.archive.destruction.line"].with_user(
                self.manager
            ).create({"batch_id": batch.id, "document_id": document.id})

    @mute_logger("odoo.addons.base.models.ir_model")
    def test_line_state_write_rejected(self):
        batch = self._propose()
        line = batch.line_ids[0]
        with self.assertRaises(UserError):
            line.with_user(self.manager).write(
                {"state": "confirmed", "checked_by_id": self.manager_2.id}
            )
        self.assertEqual(line.state, "pending")
        self.assertFalse(line.checked_by_id)

    @mute_logger("odoo.addons.base.models.ir_model")
    def test_line_removal_reason_write_rejected(self):
        batch = self._propose()
        line = batch.line_ids[0]
        line.with_user(self.manager)._remove("Original not in box")
        with self.assertRaises(UserError):
            line.with_user(self.manager).removal_reason = "Lost"
        self.assertEqual(line.removal_reason, "Original not in box")

    def test_execute_needs_approval_by_other_manager(self):
        batch = self._verified()
        # A batch approved by its own verifier, as a direct database change
        # would leave it.
        batch.sudo().write({"state": "approved", "approved_by_id": self.manager.id})
        with self.assertRaises(UserError):
            batch.with_user(self.manager)._execute("shred")
        self.assertEqual(set(self.documents.mapped("retention_state")), {"in_batch"})


@tagged("post_install", "-at_install")
class TestDestructionExecution(DestructionCase):
    def _execute(self, batch, method="shred"):
        wizard = (
            self.env["customer.archive.destruction.execute.wizard"]
            .with_user(self.manager)
            .create({"batch_id": batch.id, "method": method, "note": "Shredded"})
        )
        self.assertEqual(wizard.document_count, 2)
        self.assertEqual(wizard.file_count, 2)
        wizard.action_execute()

    def test_execute_deletes_files_for_good(self):
        # Own documents: deleting files shared with the class fixture would
        # break the other tests, which roll back the database but not the disk.
        documents = self.Document
        for day in (10, 11):
            documents |= self._document("fbk", filing_date=date(2020, 4, day))
        documents.write({"retention_state": "due"})

        batch = self._propose(documents=documents)
        batch.with_user(self.manager).action_confirm_all()
        batch.with_user(self.manager).action_verify()
        batch.with_user(self.manager_2).action_approve()
        attachments = documents.attachment_ids.sudo()
        store_fnames = attachments.mapped("store_fname")
        paths = [attachments._full_path(name) for name in store_fnames]
        self.assertTrue(all(os.path.exists(path) for path in paths))

        batch.with_user(self.manager)._execute("erase")
        self.assertFalse(attachments.exists())
        remaining = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self.Document._name),
                    ("res_id", "in", documents.ids),
                ]
            )
        )
        self.assertFalse(remaining)

        # The files are deleted once the transaction commits; run that step
        # on this test's transaction.
        purge = next(
            func
            for func in reversed(self.env.cr.postcommit._funcs)
            if func.__name__ == "purge"
        )
        with self.enter_registry_test_mode():
            purge()
        for path in paths:
            self.assertFalse(os.path.exists(path), path)

    def test_purge_keeps_referenced_file(self):
        attachment = self.documents[0].attachment_ids.sudo()
        path = attachment._full_path(attachment.store_fname)
        removed = self.env["ir.attachment"]._archive_purge_files(
            [attachment.store_fname]
        )
        self.assertEqual(removed, 0)
        self.assertTrue(os.path.exists(path))

    def test_execute_keeps_metadata(self):
        document = self.documents[0]
        expected = {
            "name": document.name,
            "type_id": document.type_id,
            "partner_id": document.partner_id,
            "reference": document.reference,
            "filing_date": document.filing_date,
            "retention_date": document.retention_date,
            "location": document.location,
        }
        sha256 = document.attachment_ids.sudo().archive_sha256
        batch = self._approved()
        self._execute(batch, method="incinerate")
        for field_name, value in expected.items():
            with self.subTest(field=field_name):
                self.assertEqual(document[field_name], value)
        self.assertEqual(document.retention_state, "destroyed")
        self.assertEqual(document.destruction_method, "incinerate")
        self.assertIn(sha256, document.destruction_checksums)
        self.assertIn("scan.pdf", document.destruction_checksums)
        self.assertEqual(batch.state, "executed")
        self.assertEqual(batch.executed_by_id, self.manager)

    def test_execute_writes_register(self):
        batch = self._approved()
        sha256 = self.documents[0].attachment_ids.sudo().archive_sha256
        self._execute(batch)
        entries = self.Register.search([("batch_id", "=", batch.id)])
        self.assertEqual(entries.document_id, self.documents)
        entry = entries.filtered(lambda e: e.document_id == self.documents[0])
        self.assertEqual(entry.kind, "destruction")
        self.assertEqual(entry.document_name, self.documents[0].name)
        self.assertEqual(entry.archive_number, self.customer.archive_number)
        self.assertIn(sha256, entry.checksums)
        self.assertEqual(entry.verified_by_id, self.manager)
        self.assertEqual(entry.approved_by_id, self.manager_2)
        self.assertEqual(entry.executed_by_id, self.manager)
        self.assertEqual(entry.method, "shred")
        self.assertEqual(entry.location, "C / B-1")
        self.assertEqual(self.Register._first_broken_entry_id(), 0)

    def test_execute_document_hold_rejected(self):
        batch = self._approved()
        self.documents[1].with_user(self.manager)._retention_place_legal_hold(
            "New claim"
        )
        with self.assertRaises(UserError):
            batch.with_user(self.manager)._execute("shred")
        self.assertEqual(batch.state, "approved")
        self.assertTrue(self.documents[0].attachment_ids)

    def test_execute_customer_hold_rejected(self):
        batch = self._approved()
        self.customer.with_user(self.manager)._archive_place_legal_hold("Tax audit")
        with self.assertRaises(UserError):
            batch.with_user(self.manager)._execute("shred")
        self.assertEqual(set(self.documents.mapped("retention_state")), {"in_batch"})

    def test_execute_shared_content_rejected(self):
        batch = self._approved()
        original = self.documents[0].attachment_ids.sudo()
        self.env["ir.attachment"].create(
            {
                "name": "copy.pdf",
                "datas": base64.b64encode(original.raw),
                "res_model": "res.partner",
                "res_id": self.customer.id,
            }
        )
        with self.assertRaises(UserError):
            batch.with_user(self.manager)._execute("shred")
        self.assertTrue(original.exists())
        self.assertEqual(batch.state, "approved")

    def test_destroyed_document_frozen(self):
        batch = self._approved()
        self._execute(batch)
        document = self.documents[0]
        with self.assertRaises(UserError):
            document.with_user(self.manager).filing_date = date(2021, 1, 1)
        with self.assertRaises(UserError):
            document.with_user(self.manager).unlink()

    def test_destroyed_keeps_retention_date(self):
        batch = self._approved()
        self._execute(batch)
        retention_date = self.documents[0].retention_date
        self.env.ref("customer_archive.retention_policy_feedback").period_count = 10
        self.assertEqual(self.documents[0].retention_date, retention_date)

    def test_certificate_lists_batch(self):
        batch = self._approved()
        self._execute(batch)
        html, _format = self.env["ir.actions.report"]._render_qweb_html(
            "customer_archive.report_destruction_certificate", batch.ids
        )
        html = html.decode()
        self.assertIn("Destruction Certificate", html)
        self.assertIn(batch.name, html)
        for document in self.documents:
            self.assertIn(document.name, html)

    def test_list_before_execution(self):
        batch = self._propose()
        html, _format = self.env["ir.actions.report"]._render_qweb_html(
            "customer_archive.report_destruction_certificate", batch.ids
        )
        self.assertIn("Destruction List", html.decode())


@tagged("post_install", "-at_install")
class TestDestructionRegister(DestructionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        batch = cls.Batch.with_user(cls.manager)._propose(cls.documents)
        batch.with_user(cls.manager).action_confirm_all()
        batch.with_user(cls.manager).action_verify()
        batch.with_user(cls.manager_2).action_approve()
        batch.with_user(cls.manager)._execute("erase")
        cls.entry = cls.Register.search([("batch_id", "=", batch.id)], limit=1)

    def test_register_write_by_manager_rejected(self):
        with self.assertRaises(UserError):
            self.entry.with_user(self.manager).write({"method": "shred"})

    def test_register_write_by_admin_rejected(self):
        with self.assertRaises(UserError):
            self.entry.sudo().write({"method": "shred"})

    def test_register_unlink_by_manager_rejected(self):
        with self.assertRaises(AccessError):
            self.entry.with_user(self.manager).unlink()

    def test_register_unlink_by_admin_rejected(self):
        with self.assertRaises(UserError):
            self.entry.sudo().unlink()

    def test_register_create_by_manager_rejected(self):
        with self.assertRaises(AccessError):
            self.Register.with_user(self.manager).create(
                {"kind": "destruction", "logged_at": "2026-01-01 00:00:00"}
            )

    def test_register_read_by_user_rejected(self):
        with self.assertRaises(AccessError):
            self.entry.with_user(self.user).read(["document_name"])

    def test_register_tampering_detected(self):
        self.assertEqual(self.Register._first_broken_entry_id(), 0)
        self.env.cr.execute(
            SQL(
                "UPDATE customer_archive_destruction_register SET checksums = %s "
                "WHERE id = %s",
                "forged",
                self.entry.id,
            )
        )
        self.assertEqual(self.Register._first_broken_entry_id(), self.entry.id)

    def test_register_deleted_newest_entry_detected(self):
        newest = self.Register.search([], order="id desc", limit=1)
        self.env.cr.execute(
            SQL(
                "DELETE FROM customer_archive_destruction_register WHERE id = %s",
                newest.id,
            )
        )
        self.assertEqual(self.Register._first_broken_entry_id(), MISSING_NEWEST_ENTRIES)
        action = self.Register.with_user(self.manager).action_verify_chain()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("newest entries were deleted", action["params"]["message"])

    def test_register_all_entries_deleted_detected(self):
        self.env.cr.execute(SQL("DELETE FROM customer_archive_destruction_register"))
        self.assertEqual(self.Register._first_broken_entry_id(), MISSING_NEWEST_ENTRIES)
