import base64
import hashlib
from datetime import date

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common import ArchiveCase


@tagged("post_install", "-at_install")
class TestDocuments(ArchiveCase):
    def test_name_follows_type_rule(self):
        document = self._file_document(
            self.customer,
            "customer_archive.document_type_con",
            document_date=date(2026, 3, 8),
        )
        self.assertEqual(
            document.name, f"{self.customer.archive_number}_CON_20260308_001"
        )

    def test_sequence_counts_per_customer_and_type(self):
        first = self._file_document(self.customer, "customer_archive.document_type_inf")
        second = self._file_document(
            self.customer, "customer_archive.document_type_inf"
        )
        other_type = self._file_document(
            self.customer, "customer_archive.document_type_pay"
        )
        self.assertEqual(first.type_sequence, 1)
        self.assertEqual(second.type_sequence, 2)
        self.assertEqual(other_type.type_sequence, 1)
        self.assertTrue(second.name.endswith("_002"))

    def test_custom_rule_with_reference(self):
        doc_type = self.env.ref("customer_archive.document_type_con")
        doc_type.naming_rule = "{type_code}-{reference}-{archive_number}"
        document = self._file_document(
            self.customer, "customer_archive.document_type_con", reference="HT/2026/7"
        )
        # The slash of the reference is not allowed in a file name.
        self.assertEqual(document.name, f"CON-HT-2026-7-{self.customer.archive_number}")

    def test_unknown_placeholder_rejected(self):
        doc_type = self.env.ref("customer_archive.document_type_con")
        with self.assertRaises(ValidationError):
            doc_type.naming_rule = "{archive_number}_{customer_name}"

    def test_checksum_is_sha256_of_file(self):
        content = b"%PDF-1.4 contract"
        document = self._file_document(
            self.customer, "customer_archive.document_type_con", content=content
        )
        attachment = document.attachment_ids
        self.assertEqual(attachment.archive_sha256, hashlib.sha256(content).hexdigest())
        self.assertIn(hashlib.sha256(content).hexdigest(), document.checksums)

    def test_attachment_bound_to_document(self):
        document = self._file_document(
            self.customer, "customer_archive.document_type_srv"
        )
        self.assertEqual(document.attachment_ids.res_model, "customer.archive.document")
        self.assertEqual(document.attachment_ids.res_id, document.id)

    def test_foreign_attachment_rejected(self):
        foreign = self.env["ir.attachment"].create(
            {
                "name": "other.pdf",
                "datas": base64.b64encode(b"x"),
                "res_model": "res.partner",
                "res_id": self.customer.id,
            }
        )
        with self.assertRaises(UserError):
            self.env["customer.archive.document"].create(
                {
                    "partner_id": self.customer.id,
                    "type_id": self.env.ref("customer_archive.document_type_con").id,
                    "attachment_ids": [(6, 0, foreign.ids)],
                }
            )

    def test_default_confidentiality_from_type(self):
        document = self._file_document(
            self.customer, "customer_archive.document_type_con"
        )
        self.assertEqual(document.confidentiality, "confidential")

    def _create_as_user(self, user, type_xmlid, **vals):
        attachment = (
            self.env["ir.attachment"]
            .with_user(user)
            .create(
                {
                    "name": "scan.pdf",
                    "raw": b"%PDF-1.4 test",
                    "res_model": "customer.archive.document",
                }
            )
        )
        document = (
            self.env["customer.archive.document"]
            .with_user(user)
            .create(
                {
                    "partner_id": self.customer.id,
                    "type_id": self.env.ref(type_xmlid).id,
                    "attachment_ids": [Command.set(attachment.ids)],
                    **vals,
                }
            )
        )
        return document, attachment

    def test_user_filing_confidential_rejected(self):
        contract = self.env.ref("customer_archive.document_type_con")
        with self.assertRaises(UserError) as error:
            self._create_as_user(self.user, "customer_archive.document_type_con")
        self.assertNotIsInstance(error.exception, AccessError)
        message = str(error.exception)
        self.assertIn(contract.name, message)
        self.assertIn(self.customer.name, message)
        self.assertIn("Confidential", message)
        self.assertIn("ask an archive manager", message)
        documents = self.env["customer.archive.document"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertFalse(documents)

    def test_user_filing_contract_as_internal(self):
        document, attachment = self._create_as_user(
            self.user, "customer_archive.document_type_con", confidentiality="internal"
        )
        self.assertEqual(document.confidentiality, "internal")
        self.assertEqual(attachment.sudo().res_id, document.id)

    def test_other_customer_internal_rejected(self):
        with self.assertRaises(UserError) as error:
            self._create_as_user(self.user_2, "customer_archive.document_type_inf")
        self.assertNotIsInstance(error.exception, AccessError)
        message = str(error.exception)
        self.assertIn(self.customer.name, message)
        self.assertIn("Internal", message)

    def test_manager_files_confidential(self):
        document, _attachment = self._create_as_user(
            self.manager, "customer_archive.document_type_pay"
        )
        self.assertEqual(document.confidentiality, "confidential")

    def test_form_warns_user_about_confidential(self):
        warning = "Only archive managers can file confidential documents."
        for user, expected in ((self.user, True), (self.manager, False)):
            with self.subTest(user=user.login):
                arch = (
                    self.env["customer.archive.document"]
                    .with_user(user)
                    .get_views([(False, "form")])["views"]["form"]["arch"]
                )
                self.assertEqual(warning in arch, expected)

    def test_unregistered_customer_rejected(self):
        stranger = self._create_customer("No Archive")
        with self.assertRaises(ValidationError):
            self._file_document(stranger, "customer_archive.document_type_con")

    def test_type_change_after_filing_rejected(self):
        document = self._file_document(
            self.customer, "customer_archive.document_type_con"
        )
        with self.assertRaises(UserError):
            document.type_id = self.env.ref("customer_archive.document_type_inf")

    def test_location_joins_parts(self):
        document = self._file_document(
            self.customer,
            "customer_archive.document_type_con",
            location_cabinet="A",
            location_shelf="3",
            location_box="12",
        )
        self.assertEqual(document.location, "A / 3 / 12")

    def test_retention_date_from_type_years(self):
        document = self._file_document(
            self.customer,
            "customer_archive.document_type_fbk",
            filing_date=date(2024, 2, 29),
        )
        self.assertEqual(document.retention_date, date(2027, 2, 28))

    def test_invisible_character_in_file_name_rejected(self):
        for character in ("\u200e", "\u200f", "\u061c", "\u202e", "\u2028", "\ue000"):
            code_point = f"U+{ord(character):04X}"
            attachment = self.env["ir.attachment"].create(
                {"name": f"scan{character}fdp.exe", "raw": b"%PDF-1.4 scan"}
            )
            with self.subTest(code_point), self.assertRaises(UserError) as error:
                self.env["customer.archive.document"].create(
                    {
                        "partner_id": self.customer.id,
                        "type_id": self.env.ref(
                            "customer_archive.document_type_srv"
                        ).id,
                        "attachment_ids": [(6, 0, attachment.ids)],
                    }
                )
            self.assertIn(code_point, str(error.exception))

    def test_filed_file_rename_checks_characters(self):
        document = self._file_document(
            self.customer, "customer_archive.document_type_srv"
        )
        # A filed file keeps its name for users; the character check still
        # holds for the module's own writes, which run as superuser.
        attachment = document.attachment_ids.sudo()
        with self.assertRaises(UserError) as error:
            attachment.write({"name": "scan\u200f.pdf"})
        self.assertIn("U+200F", str(error.exception))
        self.assertEqual(attachment.name, "scan.pdf")
