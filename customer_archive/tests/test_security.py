from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ArchiveCase


@tagged("post_install", "-at_install")
class TestSecurity(ArchiveCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The customer of archive_user; another customer belongs to archive_user_2.
        cls.customer.archive_id_number = "11010519491231002X"
        cls.foreign_customer = cls._create_customer("Zhang San")
        cls.foreign_customer._archive_register(cls.folder, user=cls.user_2)
        cls.public_doc = cls._file_document(
            cls.foreign_customer, "customer_archive.document_type_srv"
        )
        cls.own_internal_doc = cls._file_document(
            cls.customer, "customer_archive.document_type_inf"
        )
        cls.foreign_internal_doc = cls._file_document(
            cls.foreign_customer, "customer_archive.document_type_inf"
        )
        cls.confidential_doc = cls._file_document(
            cls.customer, "customer_archive.document_type_con"
        )
        cls.documents = (
            cls.public_doc
            | cls.own_internal_doc
            | cls.foreign_internal_doc
            | cls.confidential_doc
        )

    def _visible_documents(self, user):
        return (
            self.env["customer.archive.document"]
            .with_user(user)
            .search([("id", "in", self.documents.ids)])
        )

    def test_user_sees_public_and_own_internal(self):
        self.assertEqual(
            self._visible_documents(self.user),
            self.public_doc | self.own_internal_doc,
        )

    def test_user_search_read_hides_confidential(self):
        rows = (
            self.env["customer.archive.document"]
            .with_user(self.user)
            .search_read([("id", "in", self.documents.ids)], ["name"])
        )
        self.assertNotIn(self.confidential_doc.id, [row["id"] for row in rows])

    def test_user_read_group_counts_visible_only(self):
        groups = (
            self.env["customer.archive.document"]
            .with_user(self.user)
            ._read_group([("id", "in", self.documents.ids)], [], ["__count"])
        )
        self.assertEqual(groups[0][0], 2)

    def test_manager_sees_every_document(self):
        self.assertEqual(self._visible_documents(self.manager), self.documents)

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_user_cannot_read_confidential(self):
        with self.assertRaises(AccessError):
            self.confidential_doc.with_user(self.user).read(["name"])

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_user_cannot_read_confidential_file(self):
        attachment = self.confidential_doc.attachment_ids.with_user(self.user)
        with self.assertRaises(AccessError):
            attachment.read(["datas"])

    def test_user_reads_own_internal_file(self):
        attachment = self.own_internal_doc.attachment_ids.with_user(self.user)
        self.assertTrue(attachment.read(["datas"])[0]["datas"])

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_user_cannot_read_foreign_internal(self):
        with self.assertRaises(AccessError):
            self.foreign_internal_doc.with_user(self.user).read(["name"])

    def test_responsible_change_moves_internal_access(self):
        self.foreign_customer.archive_user_id = self.user
        self.assertIn(self.foreign_internal_doc, self._visible_documents(self.user))

    def test_user_files_document(self):
        document = self._file_document(
            self.customer.with_user(self.user), "customer_archive.document_type_srv"
        )
        self.assertTrue(document.name)

    @mute_logger("odoo.addons.base.models.ir_model")
    def test_user_cannot_unlink_document(self):
        with self.assertRaises(AccessError):
            self.public_doc.with_user(self.user).unlink()

    def test_manager_unlinks_document(self):
        self.public_doc.with_user(self.manager).unlink()
        self.assertFalse(self.public_doc.exists())

    @mute_logger("odoo.addons.base.models.ir_model")
    def test_user_cannot_configure(self):
        with self.assertRaises(AccessError):
            self.env["customer.archive.folder"].with_user(self.user).create(
                {"name": "Jasmine", "code": "JAS"}
            )
        with self.assertRaises(AccessError):
            self.env.ref("customer_archive.document_type_con").with_user(
                self.user
            ).write({"naming_rule": "{seq}"})

    def test_manager_configures(self):
        folder = (
            self.env["customer.archive.folder"]
            .with_user(self.manager)
            .create({"name": "Jasmine", "code": "JAS"})
        )
        self.assertTrue(folder.sequence_id)

    @mute_logger("odoo.addons.base.models.ir_model")
    def test_internal_user_without_group_denied(self):
        for model in (
            "customer.archive.document",
            "customer.archive.purchase",
            "customer.archive.folder",
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.internal_user).search([])

    @mute_logger("odoo.addons.base.models.ir_model")
    def test_portal_user_denied(self):
        with self.assertRaises(AccessError):
            self.env["customer.archive.document"].with_user(self.portal_user).search([])

    def test_other_company_user_sees_nothing(self):
        self.assertFalse(self._visible_documents(self.other_company_user))
        folders = (
            self.env["customer.archive.folder"]
            .with_user(self.other_company_user)
            .search([("id", "=", self.folder.id)])
        )
        self.assertFalse(folders)

    def test_id_number_readable_by_manager(self):
        self.assertEqual(
            self.customer.with_user(self.manager).archive_id_number,
            "11010519491231002X",
        )

    @mute_logger("odoo.models")
    def test_id_number_hidden_from_user(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.user).read(["archive_id_number"])

    def test_id_number_masked_for_user(self):
        self.assertEqual(
            self.customer.with_user(self.user).archive_id_number_masked,
            "**************002X",
        )

    @mute_logger("odoo.models")
    def test_id_number_not_searchable_by_user(self):
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.user).search(
                [("archive_id_number", "=", "11010519491231002X")]
            )


@tagged("post_install", "-at_install")
class TestNamesAfterAccessCheck(ArchiveCase):
    """Errors name no file or document that the user may not read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.confidential_doc = cls._file_document(
            cls.customer, "customer_archive.document_type_con"
        )
        cls.secret_file = cls.confidential_doc.attachment_ids
        cls.secret_file.name = "secret-merger-contract.pdf"
        cls.secret_names = (cls.secret_file.name, cls.confidential_doc.name)

    def _assert_names_hidden(self, error):
        for name in self.secret_names:
            self.assertNotIn(name, str(error.exception))

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_content_write_checks_access_first(self):
        attachment = self.secret_file.with_user(self.user)
        with self.assertRaises(AccessError) as error:
            attachment.write({"datas": "Zm9yZ2Vk"})
        self._assert_names_hidden(error)

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_rename_checks_access_first(self):
        attachment = self.secret_file.with_user(self.user)
        with self.assertRaises(AccessError) as error:
            attachment.write({"name": "renamed\u200e.pdf"})
        self._assert_names_hidden(error)
        self.assertNotIn("U+200E", str(error.exception))

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_unlink_checks_access_first(self):
        with self.assertRaises(AccessError) as error:
            self.secret_file.with_user(self.user).unlink()
        self._assert_names_hidden(error)
        self.assertTrue(self.secret_file.exists())

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_confidentiality_write_checks_access_first(self):
        document = self.confidential_doc.with_user(self.user)
        with self.assertRaises(AccessError) as error:
            document.write({"confidentiality": "public"})
        self._assert_names_hidden(error)
        self.assertEqual(self.confidential_doc.confidentiality, "confidential")

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_destroyed_document_write_checks_access_first(self):
        self.confidential_doc.sudo().retention_state = "destroyed"
        document = self.confidential_doc.with_user(self.user)
        with self.assertRaises(AccessError) as error:
            document.write({"reference": "HT-2026-01"})
        self._assert_names_hidden(error)

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_filing_foreign_file_checks_access_first(self):
        Document = self.env["customer.archive.document"].with_user(self.user)
        with self.assertRaises(AccessError) as error:
            Document.create(
                {
                    "partner_id": self.customer.id,
                    "type_id": self.env.ref("customer_archive.document_type_srv").id,
                    "attachment_ids": [(4, self.secret_file.id)],
                }
            )
        self._assert_names_hidden(error)
        self.assertEqual(self.secret_file.res_id, self.confidential_doc.id)


@tagged("post_install", "-at_install")
class TestArchiveContactCompany(ArchiveCase):
    """A registered archive's contact belongs to the archive's company."""

    def _as_other_company(self):
        return self.env["res.partner"].with_user(self.other_company_user)

    def test_registration_sets_archive_company(self):
        self.assertEqual(self.customer.company_id, self.folder.company_id)

    def test_unregistered_contact_stays_shared(self):
        walk_in = self._create_customer("Walk-in Guest")
        self.assertFalse(walk_in.company_id)
        rows = self._as_other_company().search_read([("id", "=", walk_in.id)], ["name"])
        self.assertEqual([row["id"] for row in rows], walk_in.ids)

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_other_company_cannot_read_archive(self):
        Partner = self._as_other_company()
        with self.assertRaises(AccessError):
            self.customer.with_user(self.other_company_user).read(["archive_number"])
        rows = Partner.search_read([("id", "=", self.customer.id)], ["archive_number"])
        self.assertEqual(rows, [])
        found = Partner.name_search(self.customer.name)
        self.assertNotIn(self.customer.id, [partner_id for partner_id, _name in found])
        groups = Partner._read_group(
            [("archive_number", "=", self.customer.archive_number)], [], ["__count"]
        )
        self.assertEqual(groups[0][0], 0)
        formatted = Partner.formatted_read_group(
            [("id", "=", self.customer.id)], ["archive_folder_id"], ["__count"]
        )
        self.assertEqual(formatted, [])

    def test_own_company_reads_archive(self):
        rows = (
            self.env["res.partner"]
            .with_user(self.user)
            .search_read([("id", "=", self.customer.id)], ["archive_number"])
        )
        self.assertEqual(rows[0]["archive_number"], self.customer.archive_number)

    def test_company_cannot_be_cleared_or_changed(self):
        for user in (self.user, self.manager):
            for company in (False, self.other_company.id):
                with (
                    self.subTest(user=user.login, company=company),
                    self.assertRaises(UserError),
                ):
                    self.customer.with_user(user).write({"company_id": company})
        self.assertEqual(self.customer.company_id, self.folder.company_id)

    def test_folder_of_other_company_rejected(self):
        folder = self.env["customer.archive.folder"].create(
            {"name": "Black Tea", "code": "BLK", "company_id": self.other_company.id}
        )
        self.manager.company_ids |= self.other_company
        with self.assertRaises(UserError):
            self.customer.with_user(self.manager).write(
                {"archive_folder_id": folder.id}
            )

    def test_contact_of_other_company_not_registered(self):
        contact = self._create_customer("Sun Li", company_id=self.other_company.id)
        with self.assertRaises(UserError):
            contact._archive_register(self.folder)
        self.assertFalse(contact.archive_number)

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_other_company_filing_error_names_nobody(self):
        Document = self.env["customer.archive.document"].with_user(
            self.other_company_user
        )
        with self.assertRaises(AccessError) as error:
            Document.create(
                {
                    "partner_id": self.customer.id,
                    "type_id": self.env.ref("customer_archive.document_type_srv").id,
                    "company_id": self.other_company.id,
                }
            )
        self.assertNotIn(self.customer.name, str(error.exception))

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_other_company_purchase_error_names_nobody(self):
        Purchase = self.env["customer.archive.purchase"].with_user(
            self.other_company_user
        )
        with self.assertRaises(AccessError) as error:
            Purchase.create(
                {"partner_id": self.customer.id, "product": "Oolong", "amount": 99}
            )
        self.assertNotIn(self.customer.name, str(error.exception))


@tagged("post_install", "-at_install")
class TestDocumentChatterAccess(ArchiveCase):
    """Messages, followers and activities follow the document's record rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        foreign_customer = cls._create_customer("Zhang San")
        foreign_customer._archive_register(cls.folder, user=cls.user_2)
        cls.public_doc = cls._file_document(
            cls.customer, "customer_archive.document_type_srv"
        )
        cls.confidential_doc = cls._file_document(
            cls.customer, "customer_archive.document_type_con"
        )
        cls.foreign_internal_doc = cls._file_document(
            foreign_customer, "customer_archive.document_type_inf"
        )
        cls.hidden_docs = cls.confidential_doc | cls.foreign_internal_doc

    def _post(self, document, body, **kwargs):
        return document.with_user(self.manager).message_post(
            body=body, message_type="comment", subtype_xmlid="mail.mt_comment", **kwargs
        )

    def _messages_found(self, text):
        return (
            self.env["mail.message"]
            .with_user(self.user)
            .search_read([("body", "ilike", text)], ["body", "record_name"])
        )

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_follower_loses_chatter_when_confidential(self):
        self.public_doc.message_subscribe(partner_ids=self.user.partner_id.ids)
        self.public_doc.with_user(self.manager).confidentiality = "confidential"
        message = self._post(self.public_doc, "SECRET NOTE")
        self.assertFalse(self._messages_found("SECRET NOTE"))
        found = (
            self.env["mail.message"]
            .with_user(self.user)
            .search([("id", "=", message.id)])
        )
        self.assertFalse(found)
        with self.assertRaises(AccessError):
            message.with_user(self.user).read(["body"])

    def test_raising_confidentiality_unsubscribes_follower(self):
        self.public_doc.message_subscribe(
            partner_ids=(self.user | self.manager_2).partner_id.ids
        )
        self.public_doc.with_user(self.manager).confidentiality = "confidential"
        followers = self.public_doc.message_partner_ids
        self.assertNotIn(self.user.partner_id, followers)
        self.assertIn(self.manager_2.partner_id, followers)

    def test_follower_without_access_not_notified(self):
        for document in self.hidden_docs:
            with self.subTest(document=document.name):
                document.message_subscribe(partner_ids=self.user.partner_id.ids)
                message = self._post(document, f"Notice on {document.name}")
                notified = message.sudo().notification_ids.res_partner_id
                self.assertNotIn(self.user.partner_id, notified)

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_mention_does_not_open_hidden_message(self):
        for document in self.hidden_docs:
            with self.subTest(document=document.name):
                text = f"Mention on {document.name}"
                message = self._post(
                    document, text, partner_ids=self.user.partner_id.ids
                )
                self.assertFalse(self._messages_found(text))
                with self.assertRaises(AccessError):
                    message.with_user(self.user).read(["body"])

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_followers_of_hidden_documents_hidden(self):
        for document in self.hidden_docs:
            with self.subTest(document=document.name):
                document.message_subscribe(partner_ids=self.manager.partner_id.ids)
                followers = (
                    self.env["mail.followers"]
                    .sudo()
                    .search(
                        [
                            ("res_model", "=", document._name),
                            ("res_id", "=", document.id),
                        ]
                    )
                )
                self.assertTrue(followers)
                found = (
                    self.env["mail.followers"]
                    .with_user(self.user)
                    .search(
                        [
                            ("res_model", "=", document._name),
                            ("res_id", "=", document.id),
                        ]
                    )
                )
                self.assertFalse(found)
                with self.assertRaises(AccessError):
                    followers.with_user(self.user).read(["partner_id"])

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.models")
    def test_assigned_activity_on_hidden_document_hidden(self):
        for document in self.hidden_docs:
            with self.subTest(document=document.name):
                summary = f"Call about {document.name}"
                activity = document.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=summary,
                    user_id=self.user.id,
                )
                found = (
                    self.env["mail.activity"]
                    .with_user(self.user)
                    .search_read([("summary", "=", summary)], ["summary", "note"])
                )
                self.assertFalse(found)
                with self.assertRaises(AccessError):
                    activity.with_user(self.user).read(["summary"])

    def test_public_document_chatter_visible(self):
        self.public_doc.message_subscribe(partner_ids=self.manager.partner_id.ids)
        self._post(self.public_doc, "Public remark")
        self.public_doc.activity_schedule(
            "mail.mail_activity_data_todo", summary="Public call", user_id=self.user.id
        )
        self.assertTrue(self._messages_found("Public remark"))
        followers = (
            self.env["mail.followers"]
            .with_user(self.user)
            .search(
                [
                    ("res_model", "=", self.public_doc._name),
                    ("res_id", "=", self.public_doc.id),
                ]
            )
        )
        self.assertIn(self.manager.partner_id, followers.partner_id)
        activities = (
            self.env["mail.activity"]
            .with_user(self.user)
            .search([("summary", "=", "Public call")])
        )
        self.assertEqual(len(activities), 1)


@tagged("post_install", "-at_install")
class TestSettingsMenu(ArchiveCase):
    def test_settings_menu_for_administrators_only(self):
        menu = self.env.ref("customer_archive.menu_customer_archive_settings")
        Menu = self.env["ir.ui.menu"]
        self.assertNotIn(menu.id, Menu.with_user(self.manager)._visible_menu_ids())
        self.assertIn(
            menu.id, Menu.with_user(self.env.ref("base.user_admin"))._visible_menu_ids()
        )
        folders = self.env.ref("customer_archive.menu_customer_archive_folders")
        self.assertIn(folders.id, Menu.with_user(self.manager)._visible_menu_ids())
