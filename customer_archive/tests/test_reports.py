import io
from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools.pdf import PdfFileReader

from .common import ArchiveCase

INDEX_CARD = "customer_archive.action_report_index_card"
INDEX_CARD_HTML = "customer_archive.action_report_index_card_html"
REGISTRATION_FORM = "customer_archive.action_report_registration_form"
MM_PER_POINT = 25.4 / 72


@tagged("post_install", "-at_install")
class TestReports(ArchiveCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("en_US")
        cls.customer.write(
            {
                "archive_birthday": date(1988, 7, 21),
                "archive_is_member": True,
                "archive_member_level": "gold",
                "email": "wang.fang@example.com",
            }
        )
        cls.env["customer.archive.purchase"].create(
            [
                {
                    "partner_id": cls.customer.id,
                    "product": "Tieguanyin 250 g",
                    "folder_id": cls.folder.id,
                    "amount": 300,
                },
                {
                    "partner_id": cls.customer.id,
                    "product": "Pu'er cake",
                    "folder_id": cls.other_folder.id,
                    "amount": 500,
                },
            ]
        )
        cls.contract = cls._file_document(
            cls.customer,
            "customer_archive.document_type_inf",
            location_cabinet="Cabinet A",
            location_shelf="Shelf 2",
            reference="REG-2026-01",
        )
        cls.secret = cls._file_document(
            cls.customer,
            "customer_archive.document_type_con",
            location_cabinet="Safe",
        )
        cls.script_customer = cls._create_customer("<script>alert(1)</script>")
        cls.script_customer._archive_register(cls.folder, user=cls.user)

    def _html(self, report_ref, partners, user=None):
        html, report_type = (
            self.env["ir.actions.report"]
            .with_user(user or self.user)
            ._render_qweb_html(report_ref, partners.ids)
        )
        self.assertEqual(report_type, "html")
        return html.decode()

    # Index card

    def test_index_card_values(self):
        html = self._html(INDEX_CARD, self.customer)
        expected = [
            self.customer.archive_number,
            "Oolong Tea",
            "Wang Fang",
            "138 0013 8000",
            "07/21/1988",
            "Gold",
            "Low",
            "Oolong Tea, Pu&#39;er Tea",
            self.customer.archive_registration_date.strftime("%m/%d/%Y"),
            self.user.name,
            "Cabinet A / Shelf 2",
        ]
        for value in expected:
            with self.subTest(value=value):
                self.assertIn(value, html)

    def test_index_card_hides_unreadable_locations(self):
        html = self._html(INDEX_CARD, self.customer)
        self.assertNotIn("Safe", html)
        self.assertIn("Safe", self._html(INDEX_CARD, self.customer, self.manager))

    def test_index_card_one_card_per_customer(self):
        html = self._html(INDEX_CARD, self.customer | self.script_customer)
        self.assertEqual(html.count('class="page o_ca_card'), 2)

    def test_index_card_preview_outlined(self):
        html = self._html(INDEX_CARD_HTML, self.customer)
        self.assertIn("o_ca_card_preview", html)

    def test_index_card_escapes_name(self):
        html = self._html(INDEX_CARD, self.script_customer)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
        self.assertNotIn("<script>alert(1)</script>", html)

    def test_index_card_unregistered_placeholders(self):
        partner = self._create_customer("No Archive Yet")
        html = self._html(INDEX_CARD, partner)
        self.assertIn("No Archive Yet", html)
        self.assertIn("—", html)

    def test_index_card_logs_access(self):
        logged = []
        partner_class = type(self.env["res.partner"])

        def log(partners, action):
            logged.append((partners.ids, action))

        self.patch(partner_class, "_archive_log_access", log)
        self._html(INDEX_CARD, self.customer)
        self.assertEqual(logged, [(self.customer.ids, "index_card")])

    # Registration form

    def test_registration_form_values(self):
        html = self._html(REGISTRATION_FORM, self.customer)
        expected = [
            "Customer Archive Registration Form",
            self.customer.archive_number,
            "Wang Fang",
            "wang.fang@example.com",
            "07/21/1988",
            "Gold",
            self.contract.name,
            "REG-2026-01",
            "Cabinet A / Shelf 2",
        ]
        for value in expected:
            with self.subTest(value=value):
                self.assertIn(value, html)
        # The user may not read the confidential document.
        self.assertNotIn(self.secret.name, html)

    def test_registration_form_lists_all_for_manager(self):
        html = self._html(REGISTRATION_FORM, self.customer, self.manager)
        self.assertIn(self.secret.name, html)

    def test_registration_form_masks_id_number(self):
        self.customer.archive_id_number = "11010519491231002X"
        html = self._html(REGISTRATION_FORM, self.customer, self.manager)
        self.assertNotIn("11010519491231002X", html)
        self.assertIn("**************002X", html)

    def test_registration_form_escapes_name(self):
        html = self._html(REGISTRATION_FORM, self.script_customer)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
        self.assertNotIn("<script>alert(1)</script>", html)

    # Access

    def test_reports_rejected_for_non_archive_users(self):
        for report_ref in (INDEX_CARD, INDEX_CARD_HTML, REGISTRATION_FORM):
            for user in (self.internal_user, self.portal_user):
                with (
                    self.subTest(report=report_ref, user=user.login),
                    self.assertRaises(AccessError),
                ):
                    self._html(report_ref, self.customer, user)

    def test_report_actions_restricted_to_archive_users(self):
        group = self.env.ref("customer_archive.group_archive_user")
        for report_ref in (INDEX_CARD, INDEX_CARD_HTML, REGISTRATION_FORM):
            with self.subTest(report=report_ref):
                self.assertEqual(self.env.ref(report_ref).group_ids, group)

    def test_index_card_binding_needs_group(self):
        def bound_reports(user):
            bindings = (
                self.env["ir.actions.actions"]
                .with_user(user)
                .get_bindings("res.partner")
            )
            return {action["id"] for action in bindings.get("report", [])}

        card = self.env.ref(INDEX_CARD).id
        self.assertIn(card, bound_reports(self.user))
        self.assertNotIn(card, bound_reports(self.internal_user))


@tagged("post_install", "-at_install")
class TestReportsPdf(HttpCase, ArchiveCase):
    """PDF rendering, where wkhtmltopdf loads the report assets over HTTP.

    An HttpCase shares its transaction with the test server, so those requests
    see the test data instead of waiting on its locks.
    """

    def _pdf(self, report_ref, partners):
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() != "ok":
            self.skipTest("wkhtmltopdf is not installed or does not run")
        content, report_type = (
            self.env["ir.actions.report"]
            .with_user(self.user)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report_ref, partners.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(content.startswith(b"%PDF"))
        return PdfFileReader(io.BytesIO(content))

    def test_index_card_pdf_card_size(self):
        other = self._create_customer("Li Lei")
        other._archive_register(self.folder, user=self.user)
        pdf = self._pdf(INDEX_CARD, self.customer | other)
        self.assertEqual(len(pdf.pages), 2)
        box = pdf.pages[0].mediabox
        self.assertAlmostEqual(float(box.width) * MM_PER_POINT, 127, delta=1)
        self.assertAlmostEqual(float(box.height) * MM_PER_POINT, 76, delta=1)

    def test_registration_form_pdf_a4(self):
        pdf = self._pdf(REGISTRATION_FORM, self.customer)
        self.assertEqual(len(pdf.pages), 1)
        box = pdf.pages[0].mediabox
        self.assertAlmostEqual(float(box.width) * MM_PER_POINT, 210, delta=1)
        self.assertAlmostEqual(float(box.height) * MM_PER_POINT, 297, delta=1)
