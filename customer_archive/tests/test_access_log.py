from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from ..models.customer_archive_access_log import HASHED_FIELDS
from ..models.customer_archive_hash_chain import MISSING_NEWEST_ENTRIES
from ..tools.hash_chain import entry_hash
from .test_consultation import ConsultationCase
from .test_consultation_access import DURING


@tagged("post_install", "-at_install")
class TestAccessLog(ConsultationCase):
    def setUp(self):
        super().setUp()
        self.log = self.env["customer.archive.access.log"]
        self.start_id = self.log.search([], limit=1).id or 0

    def _new_entries(self):
        return self.log.search([("id", ">", self.start_id)], order="id")

    def test_form_open_logged_with_request(self):
        request = self._approved_request(self.user)
        with freeze_time(DURING):
            self.confidential_doc.with_user(self.user).web_read({"name": {}})
        entry = self._new_entries()
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.action, "view")
        self.assertEqual(entry.user_id, self.user)
        self.assertEqual(entry.document_id, self.confidential_doc)
        self.assertEqual(entry.partner_id, self.customer)
        self.assertEqual(entry.consultation_id, request)
        self.assertEqual(entry.purpose, request.purpose)

    def test_rpc_read_logged_with_request(self):
        request = self._approved_request(self.user)
        with freeze_time(DURING):
            self.confidential_doc.with_user(self.user).read(["name", "notes"])
        entry = self._new_entries()
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.action, "view")
        self.assertEqual(entry.document_id, self.confidential_doc)
        self.assertEqual(entry.consultation_id, request)

    def test_search_read_logged(self):
        self.env["customer.archive.document"].with_user(self.manager).search_read(
            [("id", "=", self.confidential_doc.id)], ["name", "notes"]
        )
        entry = self._new_entries()
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.action, "view")
        self.assertEqual(entry.document_id, self.confidential_doc)

    def test_form_open_logged_once(self):
        self.confidential_doc.with_user(self.manager).web_read(
            {"name": {}, "notes": {}}
        )
        self.assertEqual(len(self._new_entries()), 1)

    def test_list_not_logged(self):
        self.env["customer.archive.document"].with_user(self.manager).web_search_read(
            [("id", "=", self.confidential_doc.id)], {"name": {}}
        )
        self.assertFalse(self._new_entries())

    def test_public_document_read_not_logged(self):
        public = self._file_document(
            self.customer, "customer_archive.document_type_srv"
        )
        public.with_user(self.user).read(["name"])
        self.assertFalse(self._new_entries())

    def test_public_document_open_not_logged(self):
        public = self._file_document(
            self.customer, "customer_archive.document_type_srv"
        )
        public.with_user(self.user).web_read({"name": {}})
        self.assertFalse(self._new_entries())

    def test_manager_open_logged_without_request(self):
        self.confidential_doc.with_user(self.manager).web_read({"name": {}})
        entry = self._new_entries()
        self.assertEqual(entry.user_id, self.manager)
        self.assertFalse(entry.consultation_id)

    def test_export_logged(self):
        self.confidential_doc.with_user(self.manager).export_data(["name"])
        entry = self._new_entries()
        self.assertEqual(entry.action, "export")
        self.assertEqual(entry.document_id, self.confidential_doc)

    def test_partner_export_of_archive_fields_logged(self):
        self.customer.with_user(self.user).export_data(["name", "archive_number"])
        entry = self._new_entries()
        self.assertEqual(entry.action, "export")
        self.assertEqual(entry.partner_id, self.customer)

    def test_partner_export_logs_registered_customers_only(self):
        unregistered = self._create_customer("Not Registered")
        (self.customer | unregistered).with_user(self.manager).export_data(
            ["name", "archive_number"]
        )
        self.assertEqual(self._new_entries().partner_id, self.customer)

    def test_partner_export_without_archive_fields_not_logged(self):
        self.customer.with_user(self.user).export_data(["name"])
        self.assertFalse(self._new_entries())

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_refused_content_read_logged(self):
        attachment = self.confidential_doc.attachment_ids.with_user(self.user)
        for fields in (["datas"], ["raw"], ["db_datas"], None):
            # assertRaises would roll back to a savepoint, and with it the
            # entry that the refusal writes through a test cursor.
            refused = False
            with self.subTest(fields=fields), self.enter_registry_test_mode():
                try:
                    attachment.read(fields)
                except AccessError:
                    refused = True
            self.assertTrue(refused)
        entries = self._new_entries()
        self.assertEqual(len(entries), 4)
        self.assertEqual(set(entries.mapped("result")), {"denied"})
        self.assertEqual(set(entries.mapped("action")), {"download"})
        self.assertEqual(entries.document_id, self.confidential_doc)
        self.assertEqual(entries.user_id, self.user)

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_refused_name_read_not_logged(self):
        attachment = self.confidential_doc.attachment_ids.with_user(self.user)
        with self.enter_registry_test_mode(), self.assertRaises(AccessError):
            attachment.read(["name"])
        self.assertFalse(self._new_entries())

    def test_hidden_content_search_read_logged(self):
        attachment = self.confidential_doc.attachment_ids
        Attachment = self.env["ir.attachment"].with_user(self.user)
        with self.enter_registry_test_mode():
            rows = Attachment.search_read([("id", "=", attachment.id)], ["datas"])
        self.assertEqual(rows, [])
        entry = self._new_entries()
        self.assertEqual(len(entry), 1)
        self.assertEqual((entry.action, entry.result), ("download", "denied"))
        self.assertEqual(entry.document_id, self.confidential_doc)

    def test_granted_content_search_read_logged(self):
        internal = self._file_document(
            self.customer, "customer_archive.document_type_inf"
        )
        Attachment = self.env["ir.attachment"].with_user(self.user)
        rows = Attachment.search_read(
            [("id", "=", internal.attachment_ids.id)], ["datas"]
        )
        self.assertEqual(len(rows), 1)
        entry = self._new_entries()
        self.assertEqual(len(entry), 1)
        self.assertEqual((entry.action, entry.result), ("download", "granted"))
        self.assertEqual(entry.document_id, internal)

    def test_granted_content_read_logged_once(self):
        internal = self._file_document(
            self.customer, "customer_archive.document_type_inf"
        )
        internal.attachment_ids.with_user(self.user).read(["datas"])
        entry = self._new_entries()
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.result, "granted")

    def test_entries_chain_hashes(self):
        self.confidential_doc.with_user(self.manager).web_read({"name": {}})
        self.confidential_doc.with_user(self.manager).web_read({"name": {}})
        first, second = self._new_entries()
        self.assertEqual(second.previous_hash, first.entry_hash)
        self.assertEqual(len(second.entry_hash), 64)

    def test_entries_of_many_customers_chained(self):
        customers = self.env["res.partner"].browse(
            self._create_customer(f"Log Customer {index}").id for index in range(3)
        )
        customers._archive_register(self.folder)
        customers.with_user(self.manager)._archive_log_access("overview_xlsx")
        entries = self._new_entries()
        self.assertEqual(entries.partner_id, customers)
        self.assertEqual(set(entries.mapped("action")), {"export"})
        self.assertEqual(set(entries.mapped("details")), {"overview_xlsx"})
        self.assertEqual(entries.create_uid, self.manager)
        self.assertTrue(all(entries.mapped("create_date")))
        self.assertEqual(entries[1].previous_hash, entries[0].entry_hash)
        self.assertEqual(entries[2].previous_hash, entries[1].entry_hash)
        self.assertEqual(self.log._first_broken_entry_id(), 0)

    def test_write_refused_for_manager_and_admin(self):
        self.confidential_doc.with_user(self.manager).web_read({"name": {}})
        entry = self._new_entries()
        for user in (self.manager, self.env.ref("base.user_admin")):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                entry.with_user(user).write({"purpose": "changed"})
        with self.assertRaises(UserError):
            entry.sudo().write({"purpose": "changed"})

    @mute_logger("odoo.addons.base.models.ir_model")
    def test_unlink_refused_for_manager_and_admin(self):
        self.confidential_doc.with_user(self.manager).web_read({"name": {}})
        entry = self._new_entries()
        for user in (self.manager, self.env.ref("base.user_admin")):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                entry.with_user(user).unlink()
        with self.assertRaises(UserError):
            entry.sudo().unlink()

    @mute_logger("odoo.addons.base.models.ir_model")
    def test_create_refused_through_orm(self):
        for user in (self.user, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.log.with_user(user).create(
                    {"user_id": user.id, "action": "view", "logged_at": "2026-01-01"}
                )

    @mute_logger("odoo.addons.base.models.ir_model")
    def test_user_cannot_read_log(self):
        with self.assertRaises(AccessError):
            self.log.with_user(self.user).search([])

    def test_chain_intact(self):
        self.confidential_doc.with_user(self.manager).web_read({"name": {}})
        self.assertEqual(self.log._first_broken_entry_id(), 0)
        action = self.log.with_user(self.manager).action_verify_chain()
        self.assertEqual(action["params"]["type"], "success")

    def test_tampered_entry_found(self):
        for _i in range(3):
            self.confidential_doc.with_user(self.manager).web_read({"name": {}})
        _first, second, _third = self._new_entries()
        self.env.cr.execute(
            SQL(
                "UPDATE customer_archive_access_log SET purpose = %s WHERE id = %s",
                "rewritten",
                second.id,
            )
        )
        self.assertEqual(self.log._first_broken_entry_id(), second.id)
        action = self.log.with_user(self.manager).action_verify_chain()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn(str(second.id), action["params"]["message"])

    def test_deleted_entry_found(self):
        for _i in range(3):
            self.confidential_doc.with_user(self.manager).web_read({"name": {}})
        _first, second, third = self._new_entries()
        self.env.cr.execute(
            SQL("DELETE FROM customer_archive_access_log WHERE id = %s", second.id)
        )
        self.assertEqual(self.log._first_broken_entry_id(), third.id)

    def test_changed_company_found(self):
        self.confidential_doc.with_user(self.manager).web_read({"name": {}})
        entry = self._new_entries()
        self.assertEqual(entry.hash_version, 2)
        self.env.cr.execute(
            SQL(
                "UPDATE customer_archive_access_log SET company_id = %s WHERE id = %s",
                self.other_company.id,
                entry.id,
            )
        )
        self.assertEqual(self.log._first_broken_entry_id(), entry.id)

    def test_cleared_hash_version_found(self):
        self.confidential_doc.with_user(self.manager).web_read({"name": {}})
        entry = self._new_entries()
        self.env.cr.execute(
            SQL(
                "UPDATE customer_archive_access_log SET hash_version = NULL, "
                "company_id = %s WHERE id = %s",
                self.other_company.id,
                entry.id,
            )
        )
        self.assertEqual(self.log._first_broken_entry_id(), entry.id)

    def test_unversioned_entry_verifies(self):
        self.confidential_doc.with_user(self.manager).web_read({"name": {}})
        entry = self._new_entries()
        # Rewrite the entry as _log stored it before the company was hashed.
        content = self.log._hash_content(
            {name: entry[name] for name in HASHED_FIELDS} | {"hash_version": 0}
        )
        legacy_hash = entry_hash(entry.previous_hash, content)
        self.env.cr.execute(
            SQL(
                "UPDATE customer_archive_access_log SET hash_version = NULL, "
                "entry_hash = %s WHERE id = %s",
                legacy_hash,
                entry.id,
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE customer_archive_hash_chain_head SET entry_hash = %s "
                "WHERE chain = 'customer_archive_access_log'",
                legacy_hash,
            )
        )
        self.assertEqual(self.log._first_broken_entry_id(), 0)

    def test_unversioned_content_leaves_company_out(self):
        vals = {"action": "view", "company_id": self.company.id}
        unversioned = self.log._hash_content(vals)
        versioned = self.log._hash_content({**vals, "hash_version": 2})
        self.assertNotIn("company_id", unversioned)
        self.assertNotIn("hash_version", unversioned)
        self.assertEqual(versioned["company_id"], self.company.id)
        self.assertEqual(versioned["hash_version"], 2)

    def test_deleted_newest_entry_found(self):
        for _i in range(2):
            self.confidential_doc.with_user(self.manager).web_read({"name": {}})
        _first, second = self._new_entries()
        self.env.cr.execute(
            SQL("DELETE FROM customer_archive_access_log WHERE id = %s", second.id)
        )
        self.assertEqual(self.log._first_broken_entry_id(), MISSING_NEWEST_ENTRIES)
        action = self.log.with_user(self.manager).action_verify_chain()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("newest entries were deleted", action["params"]["message"])
