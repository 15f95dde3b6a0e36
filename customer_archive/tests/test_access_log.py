from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

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
