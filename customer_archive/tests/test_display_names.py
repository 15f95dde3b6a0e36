from datetime import date

from odoo.tests import TransactionCase, tagged

from ..models.customer_archive_greeting import Candidate


@tagged("post_install", "-at_install")
class TestDisplayNames(TransactionCase):
    """Names shown in breadcrumbs, links and lists, instead of technical keys.

    Uses its own folder prefix, so it also runs on databases with demo data.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        folder = cls.env["customer.archive.folder"].create(
            {"name": "Display Names", "code": "DSPNAME"}
        )
        cls.customer = cls.env["res.partner"].create({"name": "Wang Fang"})
        cls.customer._archive_register(folder)

    def test_purchase_named_after_product(self):
        purchase = self.env["customer.archive.purchase"].create(
            {"partner_id": self.customer.id, "product": "Tieguanyin 250g"}
        )
        self.assertEqual(purchase.display_name, "Tieguanyin 250g")

    def test_greeting_named_without_key(self):
        candidate = Candidate(
            self.customer.id, self.customer.id, "invitation:x", date(2026, 3, 1), None
        )
        greeting = self.env["customer.archive.greeting"]._greeting_claim(
            [candidate], "invitation", self.env.company.id, event_name="Spring Tasting"
        )
        self.assertEqual(
            greeting.display_name, "Invitation - Wang Fang - Spring Tasting"
        )

    def test_access_log_details_labelled(self):
        log = self.env["customer.archive.access.log"]
        serve = log._log("view", partners=self.customer, details="serve")
        export = log._log("export", partners=self.customer, details="res.partner")
        download = log._log("download", partners=self.customer, details="scan.pdf")
        self.assertEqual(serve.details_label, "Serve Customer")
        self.assertEqual(export.details_label, "Contact")
        self.assertEqual(download.details_label, "scan.pdf")
