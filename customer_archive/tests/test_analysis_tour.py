from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestAnalysisTour(HttpCase):
    """The dashboard and every analysis screen open in a browser without error."""

    def test_dashboard_and_analysis_tour(self):
        today = fields.Date.context_today(self.env["res.partner"])
        folder = self.env["customer.archive.folder"].create(
            {"name": "Oolong Tea", "code": "OOL"}
        )
        customer = self.env["res.partner"].create(
            {
                "name": "Tour Customer",
                # 1992 is a leap year, so any day of the year exists in it.
                "archive_birthday": today.replace(year=1992),
                "archive_marketing_consent": True,
            }
        )
        customer._archive_register(folder)
        self.env["customer.archive.purchase"].create(
            {
                "partner_id": customer.id,
                "date": today,
                "product": "Tieguanyin 250 g",
                "folder_id": folder.id,
                "amount": 120.0,
            }
        )
        self.env["customer.archive.document"].create(
            {
                "partner_id": customer.id,
                "type_id": self.env.ref("customer_archive.document_type_con").id,
                "retention_override_date": today + timedelta(days=90),
                "retention_override_reason": "Known retention date of the tour",
            }
        )
        self.env["customer.archive.journal.entry"].create(
            {
                "entry_type": "complaint",
                "partner_id": customer.id,
                "content": "Package arrived open",
                "channel": "phone",
            }
        )
        self.start_tour(
            "/odoo/customer-archive-dashboard",
            "customer_archive_analysis_tour",
            login="admin",
        )


@tagged("post_install", "-at_install")
class TestContactsTour(HttpCase):
    """Contacts open and save in a browser for employees without archive groups."""

    def test_contacts_tour_without_archive_group(self):
        folder = self.env["customer.archive.folder"].create(
            {"name": "Oolong Tea", "code": "OOL"}
        )
        customer = self.env["res.partner"].create(
            {
                "name": "Tour Customer",
                "archive_birthday": "1992-02-29",
                "archive_is_member": True,
                "archive_member_points": 120,
            }
        )
        customer._archive_register(folder)
        new_test_user(
            self.env,
            login="contact_clerk",
            groups="base.group_user,base.group_partner_manager",
        )
        self.start_tour(
            f"/odoo/contacts/{customer.id}",
            "customer_archive_contacts_tour",
            login="contact_clerk",
        )
        created = self.env["res.partner"].search([("name", "=", "Walk-in Visitor")])
        self.assertEqual(len(created), 1)
        self.assertEqual(created.archive_state, "not_registered")
