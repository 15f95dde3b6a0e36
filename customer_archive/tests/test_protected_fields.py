"""Writes that the screens never send but an RPC caller can: each must be refused."""

import base64
import itertools
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, JsonRpcException, tagged
from odoo.tools import mute_logger

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


@tagged("post_install", "-at_install")
class TestPartnerSystemFields(ArchiveCase):
    def test_user_cannot_write_archive_number(self):
        with self.assertRaises(UserError):
            self.customer.with_user(self.user).write({"archive_number": "OOL-99999"})
        self.assertNotEqual(self.customer.archive_number, "OOL-99999")

    def test_nobody_writes_classification(self):
        for user in (self.user, self.manager):
            for name, value in (
                ("archive_tier", "high"),
                ("archive_activity_cycle", "active"),
                ("archive_purchase_total", 1e9),
                ("archive_state", "closed"),
                ("archive_registration_date", "2000-01-01"),
            ):
                with (
                    self.subTest(user=user.login, field=name),
                    self.assertRaises(UserError),
                ):
                    self.customer.with_user(user).write({name: value})

    def test_nobody_writes_archive_company(self):
        users = (self.user, self.manager, self.other_company_user)
        for user, value in itertools.product(users, (False, self.other_company.id)):
            # AccessError, for the other company's user, is a UserError.
            with (
                self.subTest(user=user.login, company=value),
                self.assertRaises(UserError),
            ):
                self.customer.with_user(user).write({"archive_company_id": value})
        self.assertEqual(self.customer.archive_company_id, self.env.company)

    def test_user_cannot_create_with_number(self):
        with self.assertRaises(UserError):
            self.env["res.partner"].with_user(self.user).create(
                {"name": "Forged", "archive_number": "OOL-00001"}
            )

    def test_create_accepts_default_state(self):
        partner = (
            self.env["res.partner"]
            .with_user(self.user)
            .create({"name": "Plain", "archive_state": "not_registered"})
        )
        self.assertEqual(partner.archive_state, "not_registered")

    def test_user_registers_customer(self):
        partner = self._create_customer("Song Li").with_user(self.user)
        partner._archive_register(self.folder.with_user(self.user))
        self.assertTrue(partner.archive_number.startswith("OOL-"))
        self.assertEqual(partner.archive_state, "registered")
        self.assertEqual(partner.archive_user_id, self.user)

    def test_user_cannot_take_over_customer(self):
        foreign = self._create_customer("Zhang San")
        foreign._archive_register(self.folder, user=self.user_2)
        with self.assertRaises(UserError):
            foreign.with_user(self.user).write({"archive_user_id": self.user.id})
        self.assertEqual(foreign.archive_user_id, self.user_2)

    def test_user_cannot_clear_responsible(self):
        with self.assertRaises(UserError):
            self.customer.with_user(self.user).write({"archive_user_id": False})

    def test_takeover_opens_no_internal_document(self):
        foreign = self._create_customer("Zhang San")
        foreign._archive_register(self.folder, user=self.user_2)
        internal = self._file_document(foreign, "customer_archive.document_type_inf")
        with self.assertRaises(UserError):
            foreign.with_user(self.user).archive_user_id = self.user
        Document = self.env["customer.archive.document"].with_user(self.user)
        self.assertFalse(Document.search([("id", "=", internal.id)]))

    def test_responsible_locked_for_user_only(self):
        self.assertTrue(self.customer.with_user(self.user).archive_user_locked)
        self.assertTrue(self.customer.with_user(self.user_2).archive_user_locked)
        self.assertFalse(self.customer.with_user(self.manager).archive_user_locked)
        unassigned = self._create_customer("Qian Hui").with_user(self.user)
        self.assertFalse(unassigned.archive_user_locked)

    def test_forms_make_locked_responsible_readonly(self):
        Partner = self.env["res.partner"].with_user(self.user)
        views = Partner.get_views([(False, "form"), (False, "list")])["views"]
        for view_type in ("form", "list"):
            with self.subTest(view=view_type):
                arch = views[view_type]["arch"]
                self.assertRegex(
                    arch,
                    r'<field name="archive_user_id"[^>]*readonly="archive_user_locked"',
                )

    def test_manager_reassigns_customer(self):
        self.customer.with_user(self.manager).write({"archive_user_id": self.user_2.id})
        self.assertEqual(self.customer.archive_user_id, self.user_2)

    def test_user_sets_missing_responsible(self):
        partner = self._create_customer("Qian Hui")
        partner.with_user(self.user).write({"archive_user_id": self.user.id})
        self.assertEqual(partner.archive_user_id, self.user)


@tagged("post_install", "-at_install")
class TestResponsibleOverRpc(ArchiveCase, HttpCase):
    """The responsible of an archive is guarded on the RPC routes of the web client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user.password = "archive-user-password"
        cls.foreign = cls._create_customer("Zhang San")
        cls.foreign._archive_register(cls.folder, user=cls.user_2)

    def _call(self, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/res.partner/{method}",
            {
                "model": "res.partner",
                "method": method,
                "args": args,
                "kwargs": kwargs or {},
            },
        )

    @mute_logger("odoo.http")
    def test_user_takeover_rejected_over_rpc(self):
        self.authenticate(self.user.login, "archive-user-password")
        calls = {
            "write": ([self.foreign.ids, {"archive_user_id": self.user.id}], {}),
            "web_save": (
                [self.foreign.ids, {"archive_user_id": self.user.id}],
                {"specification": {"archive_user_id": {}}},
            ),
        }
        for method, (args, kwargs) in calls.items():
            with (
                self.subTest(method=method),
                self.assertRaisesRegex(JsonRpcException, "UserError"),
            ):
                self._call(method, args, kwargs)
        self.assertEqual(self.foreign.archive_user_id, self.user_2)


@tagged("post_install", "-at_install")
class TestDocumentSystemFields(ArchiveCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.public_doc = cls._file_document(
            cls.customer, "customer_archive.document_type_srv"
        )
        cls.own_doc = cls._file_document(
            cls.customer, "customer_archive.document_type_inf"
        )

    def _upload(self, user, name="note.pdf", **vals):
        return (
            self.env["ir.attachment"]
            .with_user(user)
            .create({"name": name, "raw": b"%PDF-1.4 upload", **vals})
        )

    def test_user_cannot_rename_document(self):
        with self.assertRaises(UserError):
            self.public_doc.with_user(self.user).write({"name": "Forged"})

    def test_user_cannot_write_responsible(self):
        with self.assertRaises(UserError):
            self.public_doc.with_user(self.user).write(
                {"archive_user_id": self.user_2.id}
            )

    def test_user_cannot_file_other_users_upload(self):
        private = self._upload(self.user_2, "private.pdf")
        with self.assertRaises(UserError):
            self.env["customer.archive.document"].with_user(self.user).create(
                {
                    "partner_id": self.customer.id,
                    "type_id": self.env.ref("customer_archive.document_type_srv").id,
                    "attachment_ids": [(4, private.id)],
                }
            )
        self.assertFalse(private.sudo().res_model)

    def test_user_files_own_upload(self):
        upload = self._upload(self.user)
        document = (
            self.env["customer.archive.document"]
            .with_user(self.user)
            .create(
                {
                    "partner_id": self.customer.id,
                    "type_id": self.env.ref("customer_archive.document_type_srv").id,
                    "attachment_ids": [(4, upload.id)],
                }
            )
        )
        self.assertEqual(upload.sudo().res_id, document.id)
        self.assertTrue(upload.sudo().archive_sha256)

    def test_user_cannot_replace_filed_content(self):
        attachment = self.own_doc.attachment_ids.with_user(self.user)
        with self.assertRaises(UserError):
            attachment.write({"datas": base64.b64encode(b"%PDF-1.4 forged")})
        self.assertEqual(attachment.sudo().raw, b"%PDF-1.4 test")

    def test_user_cannot_move_filed_file(self):
        attachment = self.own_doc.attachment_ids.with_user(self.user)
        for vals in (
            {"res_model": "res.partner", "res_id": self.customer.id},
            {"public": True},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                attachment.write(vals)

    def test_user_cannot_write_checksum(self):
        attachment = self.own_doc.attachment_ids.with_user(self.user)
        with self.assertRaises(UserError):
            attachment.write({"archive_sha256": "0" * 64})

    def test_user_cannot_delete_filed_file(self):
        attachment = self.own_doc.attachment_ids
        with self.assertRaises(UserError):
            attachment.with_user(self.user).unlink()
        self.assertTrue(attachment.exists())

    def test_manager_deletes_filed_file(self):
        attachment = self.own_doc.attachment_ids
        attachment.with_user(self.manager).unlink()
        self.assertFalse(attachment.exists())

    def test_user_cannot_rename_filed_file(self):
        attachment = self.own_doc.attachment_ids.with_user(self.user)
        for vals in ({"name": "scan-2.html"}, {"mimetype": "text/html"}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                attachment.write(vals)
        self.assertEqual(attachment.sudo().mimetype, "application/pdf")

    def test_user_renames_unfiled_file(self):
        upload = (
            self.env["ir.attachment"]
            .with_user(self.user)
            .create({"name": "draft.pdf", "raw": b"%PDF-1.4 draft"})
        )
        upload.write({"name": "draft-2.pdf"})
        self.assertEqual(upload.name, "draft-2.pdf")


@tagged("post_install", "-at_install")
class TestAccessLogVerification(ArchiveCase):
    @mute_logger("odoo.addons.base.models.ir_model")
    def test_verify_chain_needs_read_right(self):
        for user in (self.internal_user, self.user):
            Log = self.env["customer.archive.access.log"].with_user(user)
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Log.action_verify_chain()

    def test_manager_verifies_chain(self):
        Log = self.env["customer.archive.access.log"].with_user(self.manager)
        result = Log.action_verify_chain()
        self.assertEqual(result["params"]["type"], "success")


@tagged("post_install", "-at_install")
class TestExportChecks(ArchiveCase):
    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_id_export_of_unreadable_document_denied(self):
        confidential = self._file_document(
            self.customer, "customer_archive.document_type_con"
        )
        Log = self.env["customer.archive.access.log"]
        before = Log.search_count([])
        with self.assertRaises(AccessError):
            confidential.with_user(self.user).export_data(["id"])
        self.assertEqual(Log.search_count([]), before)

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_id_export_of_unreadable_customer_denied(self):
        hidden = self._create_customer("Hidden", company_id=self.other_company.id)
        with self.assertRaises(AccessError):
            hidden.with_user(self.user).export_data(["id", "archive_number"])


@tagged("post_install", "-at_install")
class TestArchiveCompany(ArchiveCase):
    def test_other_company_cannot_file_document(self):
        Document = self.env["customer.archive.document"].with_user(
            self.other_company_user
        )
        with self.assertRaises(UserError):
            Document.create(
                {
                    "partner_id": self.customer.id,
                    "type_id": self.env.ref("customer_archive.document_type_srv").id,
                }
            )

    def test_other_company_cannot_record_purchase(self):
        Purchase = self.env["customer.archive.purchase"].with_user(
            self.other_company_user
        )
        with self.assertRaises(UserError):
            Purchase.create(
                {"partner_id": self.customer.id, "product": "Oolong", "amount": 999}
            )
        self.assertEqual(self.customer.archive_purchase_total, 0)


@tagged("post_install", "-at_install")
class TestDocumentConfidentiality(ArchiveCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.internal_doc = cls._file_document(
            cls.customer, "customer_archive.document_type_inf"
        )
        cls.confidential_doc = cls._file_document(
            cls.customer, "customer_archive.document_type_con"
        )

    def _grant(self, document):
        now = fields.Datetime.now()
        request = (
            self.env["customer.archive.consultation"]
            .with_user(self.manager)
            .create(
                {
                    "requester_id": self.user.id,
                    "document_ids": [(6, 0, document.ids)],
                    "purpose": "Answer a complaint",
                    "date_from": now - timedelta(hours=1),
                    "date_to": now + timedelta(days=1),
                }
            )
        )
        request.with_user(self.user).action_submit()
        request.with_user(self.manager_2).action_approve()

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_consulted_document_read_only(self):
        self._grant(self.confidential_doc)
        document = self.confidential_doc.with_user(self.user)
        self.assertTrue(document.read(["name"]))
        with self.assertRaises(AccessError):
            document.write({"notes": "Seen"})
        with self.assertRaises(UserError):
            document.write({"confidentiality": "public"})
        self.assertEqual(self.confidential_doc.confidentiality, "confidential")

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_consulted_document_copy_keeps_level(self):
        document = self.env["customer.archive.document"].create(
            {
                "partner_id": self.customer.id,
                "type_id": self.env.ref("customer_archive.document_type_con").id,
                "notes": "Payment dispute",
            }
        )
        self._grant(document)
        # The requester may read the document but not write it, so the write
        # check refuses the copy before the message would name the document.
        with self.assertRaises(AccessError):
            document.with_user(self.user).copy({"confidentiality": "public"})
        copies = self.env["customer.archive.document"].search(
            [("notes", "=", "Payment dispute"), ("id", "!=", document.id)]
        )
        self.assertFalse(copies)

    def test_user_cannot_copy_internal_as_public(self):
        with self.assertRaises(UserError):
            self.internal_doc.with_user(self.user).copy(
                {"confidentiality": "public", "attachment_ids": []}
            )

    def test_manager_copies_document_as_public(self):
        copy = self.internal_doc.with_user(self.manager).copy(
            {"confidentiality": "public", "attachment_ids": []}
        )
        self.assertEqual(copy.confidentiality, "public")

    def test_user_cannot_make_internal_public(self):
        with self.assertRaises(UserError):
            self.internal_doc.with_user(self.user).write({"confidentiality": "public"})
        self.assertEqual(self.internal_doc.confidentiality, "internal")

    def test_user_raises_confidentiality(self):
        self.internal_doc.with_user(self.user).write(
            {"confidentiality": "confidential"}
        )
        self.assertEqual(self.internal_doc.confidentiality, "confidential")

    def test_manager_makes_document_public(self):
        self.internal_doc.with_user(self.manager).write({"confidentiality": "public"})
        self.assertEqual(self.internal_doc.confidentiality, "public")
