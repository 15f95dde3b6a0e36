"""The ID number: readable by archive managers only, on every path."""

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged
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
class TestArchiveFieldsOnContacts(ArchiveCase):
    """Archive fields of contacts: archive users only, contacts still usable."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write(
            {
                "archive_birthday": "1990-03-13",
                "archive_gender": "female",
                "archive_id_number": ID_NUMBER,
                "archive_is_member": True,
                "archive_member_points": 120,
            }
        )
        cls.contact_manager = new_test_user(
            cls.env,
            login="contact_manager",
            groups="base.group_user,base.group_partner_manager",
        )
        cls.administrator = new_test_user(
            cls.env, login="settings_admin", groups="base.group_user,base.group_system"
        )

    @mute_logger("odoo.models")
    def test_internal_user_cannot_read_archive_fields(self):
        partner = self.customer.with_user(self.internal_user)
        for name in sorted(self.env["res.partner"]._fields):
            if not name.startswith("archive_"):
                continue
            with self.subTest(field=name), self.assertRaises(AccessError):
                partner.read([name])

    @mute_logger("odoo.models")
    def test_internal_user_cannot_search_archive_fields(self):
        partners = self.env["res.partner"].with_user(self.internal_user)
        for domain in (
            [("archive_birthday", "=", "1990-03-13")],
            [("archive_purchase_total", ">", 0)],
            [("archive_number", "!=", False)],
        ):
            with self.subTest(domain=domain), self.assertRaises(AccessError):
                partners.search(domain)

    def test_archive_user_reads_archive_fields(self):
        values = self.customer.with_user(self.user).read(
            ["archive_birthday", "archive_gender", "archive_member_points"]
        )[0]
        self.assertEqual(str(values["archive_birthday"]), "1990-03-13")
        self.assertEqual(values["archive_gender"], "female")
        self.assertEqual(values["archive_member_points"], 120)

    def test_contact_views_load_without_group(self):
        for user in (self.internal_user, self.contact_manager):
            partners = self.env["res.partner"].with_user(user)
            views = partners.get_views(
                [(False, "form"), (False, "list"), (False, "kanban"), (False, "search")]
            )
            for view_type, view in views["views"].items():
                with self.subTest(user=user.login, view=view_type):
                    self.assertNotIn('name="archive_', view["arch"])
            fields = views["models"]["res.partner"]["fields"]
            self.assertFalse([name for name in fields if name.startswith("archive_")])

    def test_contact_form_read_without_group(self):
        partners = self.env["res.partner"].with_user(self.internal_user)
        view = partners.get_views([(False, "form")])
        fields = view["models"]["res.partner"]["fields"]
        values = self.customer.with_user(self.internal_user).web_read(
            {
                name: {}
                for name in fields
                if fields[name]["type"] not in ("one2many", "many2many")
            }
        )[0]
        self.assertEqual(values["name"], "Wang Fang")
        self.assertNotIn("archive_birthday", values)

    def test_contact_created_and_edited_without_group(self):
        # Tracking on: the archive fields tracked in the chatter must not
        # stop other users from saving the contact.
        partners = (
            self.env["res.partner"]
            .with_user(self.contact_manager)
            .with_context(tracking_disable=False)
        )
        with Form(partners) as form:
            form.name = "Walk-in Visitor"
            form.phone = "138 0013 8001"
        partner = form.record
        self.assertEqual(partner.sudo().archive_state, "not_registered")
        with Form(partners.browse(self.customer.id)) as form:
            form.phone = "138 0013 8002"
        self.assertIn("138 0013 8002", self.customer.phone)
        self.assertEqual(self.customer.archive_member_points, 120)

    @mute_logger("odoo.models")
    def test_contact_manager_cannot_write_archive_fields(self):
        partner = self.customer.with_user(self.contact_manager)
        with self.assertRaises(AccessError):
            partner.write({"archive_member_points": 9999})
        self.assertEqual(self.customer.archive_member_points, 120)

    def test_contacts_merged_without_group(self):
        first = self._create_customer("Li Lei", email="li.lei@example.com")
        second = self._create_customer("Li Lei", email="li.lei@example.com")
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_user(self.administrator)
            .create(
                {
                    "state": "selection",
                    "partner_ids": [(6, 0, (first | second).ids)],
                    "dst_partner_id": first.id,
                }
            )
        )
        wizard.action_merge()
        self.assertTrue(first.exists())
        self.assertFalse(second.exists())

    def test_user_preferences_without_group(self):
        user = self.internal_user.with_user(self.internal_user)
        view = user.get_views(
            [(self.env.ref("base.view_users_form_simple_modif").id, "form")]
        )
        self.assertNotIn('name="archive_', view["views"]["form"]["arch"])
        user.write({"signature": "<p>Best regards</p>"})
        self.assertIn("Best regards", str(self.internal_user.signature))

    def test_user_created_by_administrator_without_group(self):
        administrator = self.administrator
        self.assertFalse(administrator.has_group("customer_archive.group_archive_user"))
        created = (
            self.env["res.users"]
            .with_user(administrator)
            .create({"name": "New Clerk", "login": "new_clerk"})
        )
        self.assertEqual(created.partner_id.sudo().archive_state, "not_registered")


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
