"""The ID number: readable by archive managers only, on every path."""

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ArchiveCase

ID_NUMBER = "11010519491231002X"
INVALID_ID_NUMBER = "110105194912310021"


@tagged("post_install", "-at_install")
class TestIdNumberExposure(ArchiveCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.archive_id_number = ID_NUMBER
        cls.mistyped = cls._create_customer(
            "Li Lei", archive_id_number=INVALID_ID_NUMBER
        )
        cls.mistyped._archive_register(cls.folder, user=cls.user)

    @mute_logger("odoo.models")
    def test_issue_hidden_from_user(self):
        with self.assertRaises(AccessError):
            self.mistyped.with_user(self.user).read(["archive_id_number_issue"])

    def test_issue_shown_to_manager(self):
        issue = self.mistyped.with_user(self.manager).archive_id_number_issue
        self.assertIn(INVALID_ID_NUMBER, issue)

    def test_invalid_flag_shown_to_user(self):
        self.assertTrue(self.mistyped.with_user(self.user).archive_id_number_invalid)

    def test_user_form_shows_no_number(self):
        partner = self.mistyped.with_user(self.user)
        values = partner.web_read(
            {
                "archive_id_number_masked": {},
                "archive_id_number_invalid": {},
                "archive_duplicate_warning": {},
            }
        )[0]
        for value in values.values():
            self.assertNotIn(INVALID_ID_NUMBER, str(value))

    def test_user_form_view_loads(self):
        view = self.env["res.partner"].with_user(self.user).get_views([(False, "form")])
        arch = view["views"]["form"]["arch"]
        self.assertNotIn('name="archive_id_number_issue"', arch)
        self.assertNotIn('name="archive_id_number"', arch)

    def test_onchange_number_finds_nobody_for_user(self):
        # An unsaved form's ID number must not tell a user who holds it.
        result = (
            self.env["res.partner"]
            .with_user(self.user)
            .onchange(
                {"name": "Probe", "phone": False, "archive_id_number": ID_NUMBER},
                ["phone"],
                {"name": {}, "phone": {}},
            )
        )
        self.assertNotIn(self.customer.archive_number, str(result))

    def test_onchange_number_warns_manager(self):
        result = (
            self.env["res.partner"]
            .with_user(self.manager)
            .onchange(
                {"name": "Probe", "phone": False, "archive_id_number": ID_NUMBER},
                ["archive_id_number"],
                {"name": {}, "phone": {}, "archive_id_number": {}},
            )
        )
        self.assertIn(self.customer.archive_number, result["warning"]["message"])

    def test_saved_number_still_warns_user(self):
        twin = self._create_customer("Fang Wang", archive_id_number=ID_NUMBER)
        warning = twin.with_user(self.user).archive_duplicate_warning
        self.assertIn(self.customer.archive_number, warning)

    def test_duplicate_hides_other_company_archive(self):
        folder = self.env["customer.archive.folder"].create(
            {"name": "Jasmine", "code": "JAS", "company_id": self.other_company.id}
        )
        hidden = self._create_customer(
            "Hidden Twin", "138 0013 8000", company_id=self.other_company.id
        )
        hidden._archive_register(folder)
        twin = self._create_customer("Twin", "13800138000")
        warning = twin.with_user(self.user).archive_duplicate_warning
        self.assertIn(self.customer.archive_number, warning)
        self.assertNotIn(hidden.archive_number, warning)
        self.assertNotIn("Hidden Twin", warning)

    def test_masked_number_for_user(self):
        masked = self.customer.with_user(self.user).archive_id_number_masked
        self.assertEqual(masked, "**************002X")

    def test_masked_number_hides_region_and_birth_date(self):
        # The birthday field gives the birth date, so the masked number must
        # not add the region code or the date digits to it.
        masked = self.customer.with_user(self.user).archive_id_number_masked
        self.assertEqual(len(masked), len(ID_NUMBER))
        self.assertEqual(masked.strip("*"), ID_NUMBER[-4:])
        self.assertNotIn(ID_NUMBER[:6], masked)
        self.assertNotIn(ID_NUMBER[6:14], masked)

    def test_masked_short_number_hides_most(self):
        self.customer.archive_id_number = "E12345678"
        masked = self.customer.with_user(self.user).archive_id_number_masked
        self.assertEqual(masked, "*******78")


@tagged("post_install", "-at_install")
class TestFileNameExposure(ArchiveCase):
    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_refused_download_hides_file_name(self):
        document = self._file_document(
            self.customer, "customer_archive.document_type_con"
        )
        attachment = document.attachment_ids
        attachment.name = "OOL-00001_CON_divorce-settlement.pdf"
        # A public file gets past Odoo's own check to the module's.
        attachment.public = True
        binary = self.env["ir.binary"].with_user(self.user)
        # The refusal is logged through a second cursor, which test mode
        # runs inside this test's transaction. Not assertRaises: Odoo's
        # version rolls its block back, log entry included.
        message = None
        with self.enter_registry_test_mode():
            try:
                binary._find_record(res_model="ir.attachment", res_id=attachment.id)
            except AccessError as error:
                message = str(error)
        self.assertIsNotNone(message)
        self.assertNotIn("divorce", message)
        self.assertIn(str(attachment.id), message)
        denied = self.env["customer.archive.access.log"].search(
            [("document_id", "=", document.id), ("result", "=", "denied")]
        )
        self.assertEqual(len(denied), 1)
        self.assertEqual(denied.user_id, self.user)


@tagged("post_install", "-at_install")
class TestFileReadLogging(ArchiveCase):
    def _entries(self, document):
        return self.env["customer.archive.access.log"].search(
            [("document_id", "=", document.id), ("action", "=", "download")]
        )

    def test_rpc_read_of_file_content_is_logged(self):
        document = self._file_document(
            self.customer, "customer_archive.document_type_inf"
        )
        attachment = document.attachment_ids.with_user(self.user)
        self.assertTrue(attachment.read(["datas"])[0]["datas"])
        entry = self._entries(document)
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.user_id, self.user)
        self.assertEqual(entry.details, attachment.sudo().name)

    def test_rpc_read_of_file_name_not_logged(self):
        document = self._file_document(
            self.customer, "customer_archive.document_type_inf"
        )
        document.attachment_ids.with_user(self.user).read(["name", "mimetype"])
        self.assertFalse(self._entries(document))
