from odoo.exceptions import AccessError
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
