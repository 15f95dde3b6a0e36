import base64
import io
import random
import stat
import zipfile
from unittest.mock import patch

from odoo import api, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.customer_archive.models.customer_archive_document import (
    CustomerArchiveDocument,
)
from odoo.addons.customer_archive.tools.checksum import sha256_hex

from .common import ArchiveCase

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def make_zip(*members):
    """Build a zip in memory; each member is ``(name_or_zipinfo, data)``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


@tagged("post_install", "-at_install")
class TestBulkFiling(ArchiveCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_2 = cls._create_customer("Zhao Lei")
        cls.customer_2._archive_register(cls.folder, user=cls.user)
        cls.type_inf = cls.env.ref("customer_archive.document_type_inf")
        cls.type_srv = cls.env.ref("customer_archive.document_type_srv")
        cls.type_con = cls.env.ref("customer_archive.document_type_con")
        cls.number = cls.customer.archive_number
        cls.number_2 = cls.customer_2.archive_number
        cls.params = cls.env["ir.config_parameter"].sudo()

    def _wizard(self, data, user=None):
        return (
            self.env["customer.archive.bulk.filing.wizard"]
            .with_user(user or self.user)
            .create({"zip_file": base64.b64encode(data), "zip_filename": "batch.zip"})
        )

    def _check(self, data, user=None):
        wizard = self._wizard(data, user)
        wizard.action_check()
        return wizard

    def _documents(self):
        return self.env["customer.archive.document"].search(
            [("partner_id", "in", (self.customer | self.customer_2).ids)]
        )

    def _assert_rejected(self, wizard, code):
        self.assertEqual(len(wizard.line_ids), 1)
        line = wizard.line_ids
        self.assertEqual(line.status, "rejected")
        self.assertEqual(line.reason_code, code)
        self.assertTrue(line.message)
        return line

    # Filing

    def test_file_two_documents(self):
        contract = PDF + b"% signed\n"
        photo = PNG
        data = make_zip(
            (f"scans/{self.number}_inf_id-card_2024-03-15.pdf", contract),
            (f"{self.number_2}_SRV_tasting.png", photo),
        )
        wizard = self._check(data)
        self.assertEqual(wizard.state, "checked")
        self.assertEqual(wizard.line_ids.mapped("status"), ["ready", "ready"])
        self.assertEqual(wizard.line_ids.partner_id, self.customer | self.customer_2)

        wizard.action_file()

        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.filed_count, 2)
        documents = self._documents()
        self.assertEqual(documents, wizard.document_ids)
        first = documents.filtered(lambda d: d.partner_id == self.customer)
        second = documents.filtered(lambda d: d.partner_id == self.customer_2)
        self.assertEqual(first.type_id, self.type_inf)
        self.assertEqual(second.type_id, self.type_srv)
        self.assertEqual(first.document_date, fields.Date.to_date("2024-03-15"))
        self.assertEqual(first.name, f"{self.number}_INF_20240315_001")
        filed_on = second.filing_date.strftime("%Y%m%d")
        self.assertEqual(second.name, f"{self.number_2}_SRV_{filed_on}_001")
        self.assertEqual(first.company_id, self.folder.company_id)
        self.assertEqual(first.create_uid, self.user)
        for document, content in ((first, contract), (second, photo)):
            attachment = document.attachment_ids
            self.assertEqual(len(attachment), 1)
            self.assertEqual(attachment.raw, content)
            self.assertEqual(attachment.archive_sha256, sha256_hex(content))
            self.assertEqual(attachment.res_model, "customer.archive.document")
            self.assertEqual(attachment.res_id, document.id)
        self.assertEqual(
            first.attachment_ids.name, f"{self.number}_inf_id-card_2024-03-15.pdf"
        )
        self.assertEqual(wizard.line_ids.mapped("status"), ["filed", "filed"])
        self.assertEqual(wizard.line_ids.document_id, documents)

    def test_file_skips_rejected_files(self):
        data = make_zip(
            (f"{self.number}_INF.pdf", PDF),
            ("notes.txt", b"no convention"),
        )
        wizard = self._check(data)
        self.assertEqual(wizard.ready_count, 1)
        self.assertEqual(wizard.rejected_count, 1)
        wizard.action_file()
        self.assertEqual(len(self._documents()), 1)
        self.assertEqual(wizard.filed_count, 1)
        self.assertEqual(wizard.rejected_count, 1)

    def test_file_twice_raises(self):
        wizard = self._check(make_zip((f"{self.number}_INF.pdf", PDF)))
        wizard.action_file()
        with self.assertRaises(UserError):
            wizard.action_file()
        self.assertEqual(len(self._documents()), 1)

    def test_file_nothing_valid_raises(self):
        wizard = self._check(make_zip(("scan.pdf", PDF)))
        with self.assertRaises(UserError):
            wizard.action_file()
        self.assertFalse(self._documents())

    def test_file_open_documents_action(self):
        wizard = self._check(make_zip((f"{self.number}_INF.pdf", PDF)))
        wizard.action_file()
        action = wizard.action_open_documents()
        self.assertEqual(action["res_model"], "customer.archive.document")
        self.assertEqual(action["domain"], [("id", "in", self._documents().ids)])

    def test_file_failure_rolls_back_everything(self):
        data = make_zip(
            (f"{self.number}_INF_first.pdf", PDF),
            (f"{self.number_2}_INF_second.pdf", PDF),
        )
        wizard = self._check(data)
        original_create = CustomerArchiveDocument.create
        calls = []

        @api.model_create_multi
        def failing_create(model, vals_list):
            calls.append(vals_list)
            if len(calls) == 2:
                raise UserError(model.env._("The document store is unavailable."))
            return original_create(model, vals_list)

        with (
            patch.object(CustomerArchiveDocument, "create", failing_create),
            self.assertRaises(UserError) as error,
        ):
            wizard.action_file()

        self.assertEqual(len(calls), 2)
        message = str(error.exception)
        self.assertIn(f"{self.number_2}_INF_second.pdf", message)
        self.assertIn("The document store is unavailable.", message)
        self.assertFalse(self._documents())
        attachments = self.env["ir.attachment"].search(
            [("name", "in", [f"{self.number}_INF_first.pdf"])]
        )
        self.assertFalse(attachments)
        self.assertEqual(wizard.state, "checked")

    def test_check_rejects_type_user_may_not_file(self):
        # Archive users may not file confidential documents such as contracts.
        contract_name = f"{self.number}_CON_contract.pdf"
        data = make_zip(
            (f"{self.number}_INF.pdf", PDF),
            (contract_name, PDF),
        )
        wizard = self._check(data)
        self.assertEqual(wizard.ready_count, 1)
        self.assertEqual(wizard.rejected_count, 1)
        line = wizard.line_ids.filtered(lambda ln: ln.file_name == contract_name)
        self.assertEqual(line.status, "rejected")
        self.assertEqual(line.reason_code, "filing_not_allowed")
        self.assertIn(self.type_con.name, line.message)
        self.assertIn(self.customer.name, line.message)
        self.assertIn("archive manager", line.message)

        wizard.action_file()

        documents = self._documents()
        self.assertEqual(documents.type_id, self.type_inf)
        self.assertEqual(wizard.filed_count, 1)
        self.assertEqual(wizard.rejected_count, 1)
        self.assertFalse(
            self.env["ir.attachment"].search([("name", "=", contract_name)])
        )

    def test_check_rejects_other_users_internal(self):
        # customer_2's responsible is self.user, so user_2 may not file its
        # internal documents.
        data = make_zip(
            (f"{self.number_2}_INF.pdf", PDF),
            (f"{self.number_2}_FBK.pdf", PDF),
        )
        wizard = self._check(data, self.user_2)
        statuses = {line.type_id.code: line.status for line in wizard.line_ids}
        self.assertEqual(statuses, {"INF": "rejected", "FBK": "ready"})

    def test_file_rechecks_user_rights(self):
        # Filing checks the zip again, so a customer that changed responsible
        # after the check gets its file rejected, and the others are filed.
        data = make_zip(
            (f"{self.number}_INF_first.pdf", PDF),
            (f"{self.number_2}_INF_second.pdf", PDF),
        )
        wizard = self._check(data)
        self.assertEqual(wizard.ready_count, 2)
        self.customer_2.archive_user_id = self.user_2
        wizard.action_file()
        self.assertEqual(self._documents().partner_id, self.customer)
        self.assertEqual(wizard.filed_count, 1)
        line = wizard.line_ids.filtered(lambda ln: ln.status == "rejected")
        self.assertEqual(line.partner_id, self.customer_2)
        self.assertEqual(line.reason_code, "filing_not_allowed")

    def test_file_contract_as_manager(self):
        wizard = self._check(make_zip((f"{self.number}_CON.pdf", PDF)), self.manager)
        wizard.action_file()
        document = self._documents()
        self.assertEqual(document.type_id, self.type_con)
        self.assertEqual(document.confidentiality, "confidential")

    # Rejections

    def test_check_rejects_unsafe_paths(self):
        data = make_zip(
            (f"../{self.number}_INF_evil.pdf", PDF),
            (f"/{self.number}_INF_abs.pdf", PDF),
        )
        wizard = self._check(data)
        self.assertEqual(wizard.line_ids.mapped("status"), ["rejected", "rejected"])
        self.assertEqual(
            wizard.line_ids.mapped("reason_code"),
            ["parent_directory", "absolute_path"],
        )
        with self.assertRaises(UserError):
            wizard.action_file()
        self.assertFalse(self._documents())

    def test_check_rejects_symlink(self):
        info = zipfile.ZipInfo(f"{self.number}_INF_link.pdf")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        wizard = self._check(make_zip((info, "/etc/passwd")))
        self._assert_rejected(wizard, "symlink")

    def test_check_rejects_file_over_size_limit(self):
        self.params.set_param("customer_archive.max_file_size_mb", "1")
        content = PDF + random.Random(0).randbytes(1024 * 1024)
        wizard = self._check(make_zip((f"{self.number}_INF_big.pdf", content)))
        line = self._assert_rejected(wizard, "too_large")
        self.assertIn("1 MB", line.message)

    def test_check_rejects_invisible_character(self):
        name = f"{self.number}_INF_invoice\u200efdp.exe.pdf"
        wizard = self._check(make_zip((name, PDF)))
        line = self._assert_rejected(wizard, "unsafe_character")
        self.assertIn("U+200E", line.message)

    def test_check_rejects_unknown_archive_number(self):
        wizard = self._check(make_zip(("OOL-99999_INF.pdf", PDF)))
        line = self._assert_rejected(wizard, "unknown_archive_number")
        self.assertIn("OOL-99999", line.message)

    def test_check_rejects_other_company_customer(self):
        folder = self.env["customer.archive.folder"].create(
            {"name": "Black Tea", "code": "BLK", "company_id": self.other_company.id}
        )
        customer = self._create_customer("Sun Li")
        customer._archive_register(folder)
        data = make_zip((f"{customer.archive_number}_INF.pdf", PDF))
        wizard = self._check(data)
        self._assert_rejected(wizard, "unknown_archive_number")

    def test_check_rejects_unknown_type(self):
        wizard = self._check(make_zip((f"{self.number}_XYZ.pdf", PDF)))
        line = self._assert_rejected(wizard, "unknown_type")
        self.assertIn("XYZ", line.message)
        self.assertIn("INF", line.message)
        self.assertEqual(line.partner_id, self.customer)

    def test_check_rejects_bad_name(self):
        wizard = self._check(make_zip(("contract.pdf", PDF)))
        line = self._assert_rejected(wizard, "bad_name")
        self.assertIn("BEV-00042_CON_signed-contract.pdf", line.message)

    def test_check_rejects_content_mismatch(self):
        wizard = self._check(make_zip((f"{self.number}_INF.pdf", PNG)))
        line = self._assert_rejected(wizard, "content_mismatch")
        self.assertIn("PDF", line.message)

    def test_check_rejects_pdf_polyglot(self):
        # A PNG with a PDF header later on opens as an image and as a PDF.
        wizard = self._check(make_zip((f"{self.number}_INF.pdf", PNG + PDF)))
        line = self._assert_rejected(wizard, "content_mismatch")
        self.assertIn("PDF", line.message)

    def test_check_rejects_compression_bomb(self):
        self.params.set_param("customer_archive.max_file_size_mb", "64")
        self.params.set_param("customer_archive.bulk_max_total_mb", "64")
        self.params.set_param("customer_archive.bulk_max_ratio", "50")
        zeros = bytes(50 * 1024 * 1024)
        data = make_zip((f"{self.number}_INF_zeros.txt", zeros))
        self.assertLess(len(data), 1024 * 1024)
        wizard = self._check(data)
        self._assert_rejected(wizard, "ratio_too_high")

    def test_check_rejects_zip_over_total_limit(self):
        self.params.set_param("customer_archive.max_file_size_mb", "1")
        self.params.set_param("customer_archive.bulk_max_total_mb", "1")
        rng = random.Random(0)
        data = make_zip(
            (f"{self.number}_INF_a.pdf", PDF + rng.randbytes(600 * 1024)),
            (f"{self.number}_INF_b.pdf", PDF + rng.randbytes(600 * 1024)),
        )
        wizard = self._wizard(data)
        with self.assertRaisesRegex(UserError, "1 MB"):
            wizard.action_check()

    def test_check_rejects_too_many_files(self):
        self.params.set_param("customer_archive.bulk_max_files", "2")
        data = make_zip(
            *((f"{self.number}_INF_{index}.pdf", PDF) for index in range(3))
        )
        with self.assertRaisesRegex(UserError, "3 entries"):
            self._wizard(data).action_check()

    def test_check_rejects_non_zip(self):
        with self.assertRaisesRegex(UserError, "batch.zip"):
            self._wizard(PDF).action_check()

    def test_check_rejects_invalid_setting(self):
        self.params.set_param("customer_archive.bulk_max_ratio", "0")
        with self.assertRaisesRegex(UserError, "bulk_max_ratio"):
            self._wizard(make_zip((f"{self.number}_INF.pdf", PDF))).action_check()

    def test_wizard_requires_archive_group(self):
        data = make_zip((f"{self.number}_INF.pdf", PDF))
        with self.assertRaises(AccessError):
            self._wizard(data, self.internal_user)
