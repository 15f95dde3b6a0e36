import io
from datetime import date, datetime
from unittest.mock import patch

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..report import report_consumption_overview
from .common import ArchiveCase

TODAY = date(2026, 3, 10)
HEADER = [
    "Folder",
    "Archive Number",
    "Name",
    "Phone",
    "Birthday",
    "Member",
    "Consumption Tier",
    "Total Spend",
    "Purchases",
    "Last Purchase",
    "Next Birthday",
    "Archive Responsible",
]
COL = {name: index for index, name in enumerate(HEADER)}


class OverviewCase(ArchiveCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write(
            {"archive_birthday": date(1990, 3, 13), "archive_is_member": True}
        )
        cls.formula = cls._registered("=1+1", cls.folder, phone="+86 139 0000 0000")
        cls.at_sign = cls._registered("@SUM(A1:A2)", cls.folder)
        cls.puer_one = cls._registered("Li Lei", cls.other_folder)
        cls.puer_two = cls._registered("Han Meimei", cls.other_folder)
        cls.unregistered = cls._create_customer("Walk-in Visitor")
        cls._purchase(cls.customer, date(2026, 2, 1), 300)
        cls._purchase(cls.customer, date(2026, 3, 1), 120.5)
        cls._purchase(cls.puer_one, date(2025, 12, 24), 1000)
        cls.all_customers = (
            cls.customer | cls.formula | cls.at_sign | cls.puer_one | cls.puer_two
        )

    @classmethod
    def _registered(cls, name, folder, **vals):
        partner = cls._create_customer(name, **vals)
        partner._archive_register(folder, user=cls.user)
        return partner

    @classmethod
    def _purchase(cls, partner, day, amount):
        cls.env["customer.archive.purchase"].create(
            {
                "partner_id": partner.id,
                "date": day,
                "product": "Tea",
                "amount": amount,
            }
        )

    def _wizard(self, user, scope="selected", partners=None):
        wizard_model = self.env["customer.archive.overview.wizard"].with_user(user)
        return wizard_model.create(
            {
                "scope": scope,
                "partner_ids": [(6, 0, (partners or self.env["res.partner"]).ids)],
            }
        )


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestOverviewXlsx(OverviewCase):
    def _export(self, wizard, batch_size=None):
        output = io.BytesIO()
        if batch_size:
            wizard.env["customer.archive.overview"]._overview_write_xlsx(
                wizard._overview_domain(), output, batch_size=batch_size
            )
        else:
            wizard._overview_write_xlsx(output)
        output.seek(0)
        return openpyxl.load_workbook(output).active

    def _rows(self, sheet):
        return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]

    def _row_of(self, sheet, partner):
        for row in self._rows(sheet):
            if row[COL["Archive Number"]] == partner.archive_number:
                return row
        self.fail(f"{partner.name} is not in the overview")

    def test_header_frozen_and_filtered(self):
        sheet = self._export(self._wizard(self.manager, "all"))
        self.assertEqual([cell.value for cell in sheet[1]], HEADER)
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertTrue(sheet.auto_filter.ref.startswith("A1:L"))

    def test_values_and_types(self):
        sheet = self._export(self._wizard(self.manager, "all"))
        row = self._row_of(sheet, self.customer)
        self.assertEqual(row[COL["Folder"]], "Oolong Tea")
        self.assertEqual(row[COL["Name"]], "Wang Fang")
        self.assertEqual(row[COL["Phone"]], "138 0013 8000")
        self.assertEqual(row[COL["Birthday"]], datetime(1990, 3, 13))
        self.assertEqual(row[COL["Member"]], "Yes")
        self.assertEqual(row[COL["Consumption Tier"]], "Low")
        self.assertEqual(row[COL["Total Spend"]], 420.5)
        self.assertIsInstance(row[COL["Total Spend"]], float)
        self.assertEqual(row[COL["Purchases"]], 2)
        self.assertEqual(row[COL["Last Purchase"]], datetime(2026, 3, 1))
        self.assertEqual(row[COL["Next Birthday"]], datetime(2026, 3, 13))
        self.assertEqual(row[COL["Archive Responsible"]], self.user.name)

    def test_empty_values_are_blank(self):
        sheet = self._export(self._wizard(self.manager, "all"))
        row = self._row_of(sheet, self.puer_two)
        self.assertIsNone(row[COL["Birthday"]])
        self.assertIsNone(row[COL["Last Purchase"]])
        self.assertEqual(row[COL["Member"]], "No")
        self.assertEqual(row[COL["Total Spend"]], 0)

    def test_cell_formats(self):
        sheet = self._export(self._wizard(self.manager, "all"))
        for cell in sheet[2]:
            if cell.column - 1 == COL["Birthday"]:
                self.assertTrue(cell.is_date)
                self.assertEqual(cell.number_format, "m/d/yyyy")
            if cell.column - 1 == COL["Total Spend"]:
                self.assertEqual(cell.number_format, "#,##0.00")

    def test_date_format_follows_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        wizard = self._wizard(self.manager, "all").with_context(lang="zh_CN")
        sheet = self._export(wizard)
        self.assertEqual(
            sheet.cell(row=2, column=COL["Birthday"] + 1).number_format, "yyyy/m/d"
        )

    def test_grouped_by_folder_with_subtotals(self):
        sheet = self._export(self._wizard(self.manager, "all"))
        rows = self._rows(sheet)
        labels = [row[0] for row in rows]
        self.assertEqual(
            labels,
            [
                "Oolong Tea",
                "Oolong Tea",
                "Oolong Tea",
                "Subtotal Oolong Tea (customers: 3)",
                "Pu'er Tea",
                "Pu'er Tea",
                "Subtotal Pu'er Tea (customers: 2)",
                "Total (customers: 5)",
            ],
        )
        numbers = [row[COL["Archive Number"]] for row in rows[:3]]
        self.assertEqual(numbers, sorted(numbers))
        self.assertEqual(rows[3][COL["Total Spend"]], 420.5)
        self.assertEqual(rows[3][COL["Purchases"]], 2)
        self.assertEqual(rows[6][COL["Total Spend"]], 1000)
        self.assertEqual(rows[6][COL["Purchases"]], 1)
        self.assertEqual(rows[7][COL["Total Spend"]], 1420.5)
        self.assertEqual(rows[7][COL["Purchases"]], 3)

    def test_small_batches_give_same_rows(self):
        wizard = self._wizard(self.manager, "all")
        self.assertEqual(
            self._rows(self._export(wizard, batch_size=1)),
            self._rows(self._export(wizard)),
        )

    def test_formula_names_stored_as_text(self):
        sheet = self._export(self._wizard(self.manager, "all"))
        for partner in (self.formula, self.at_sign):
            for cell_row in sheet.iter_rows(min_row=2):
                if cell_row[COL["Archive Number"]].value == partner.archive_number:
                    name = cell_row[COL["Name"]]
                    with self.subTest(name=partner.name):
                        self.assertEqual(name.value, partner.name)
                        self.assertEqual(name.data_type, "s")
        row = self._row_of(sheet, self.formula)
        self.assertEqual(row[COL["Phone"]], "+86 139 0000 0000")

    def test_selected_customers_only(self):
        wizard = self._wizard(
            self.user, partners=self.puer_one | self.customer | self.unregistered
        )
        self.assertEqual(wizard.customer_count, 2)
        rows = self._rows(self._export(wizard))
        names = [row[COL["Name"]] for row in rows]
        self.assertEqual(
            names,
            ["Wang Fang", None, "Li Lei", None, None],
        )

    def test_other_company_archive_left_out(self):
        folder = self.env["customer.archive.folder"].create(
            {"name": "Jasmine", "code": "JAS", "company_id": self.other_company.id}
        )
        elsewhere = self._registered("Zhao Min", folder)
        wizard = self._wizard(self.user, partners=elsewhere | self.customer)
        self.assertEqual(wizard.customer_count, 1)
        names = [row[COL["Name"]] for row in self._rows(self._export(wizard))]
        self.assertIn("Wang Fang", names)
        self.assertNotIn("Zhao Min", names)
        everyone = self._wizard(self.manager, "all")
        names = [row[COL["Name"]] for row in self._rows(self._export(everyone))]
        self.assertIn("Wang Fang", names)
        self.assertNotIn("Zhao Min", names)

    def test_other_company_user_lists_nothing(self):
        wizard = self._wizard(self.other_company_user, partners=self.all_customers)
        # Refused either by the record rules (AccessError, a UserError) or as
        # a selection without any archive the user may list.
        with self.assertRaises(UserError):
            wizard.action_export()

    def test_selection_from_contact_list(self):
        wizard = (
            self.env["customer.archive.overview.wizard"]
            .with_user(self.user)
            .with_context(active_model="res.partner", active_ids=self.customer.ids)
            .create({})
        )
        self.assertEqual(wizard.scope, "selected")
        self.assertEqual(wizard.partner_ids, self.customer)

    def test_all_customers_for_managers_only(self):
        with self.assertRaises(AccessError):
            self._export(self._wizard(self.user, "all"))

    @mute_logger("odoo.addons.base.models.ir_model")
    def test_non_archive_user_cannot_open_export(self):
        with self.assertRaises(AccessError):
            self._wizard(self.internal_user, partners=self.customer)

    def test_access_check_rejects_internal_user(self):
        partners = self.env["res.partner"].with_user(self.internal_user)
        with self.assertRaises(AccessError):
            partners._archive_check_report_access()

    @mute_logger("odoo.addons.base.models.ir_rule")
    def test_other_users_export_hidden(self):
        wizard = self._wizard(self.user, partners=self.customer)
        with self.assertRaises(AccessError):
            wizard.with_user(self.user_2).check_access("read")

    def test_export_action_without_customers_raises(self):
        wizard = self._wizard(self.user, partners=self.unregistered)
        with self.assertRaises(UserError):
            wizard.action_export()

    def test_export_action_returns_download(self):
        wizard = self._wizard(self.user, partners=self.customer)
        action = wizard.action_export()
        self.assertEqual(action["url"], f"/customer_archive/overview/{wizard.id}/xlsx")
        wizard.output_format = "pdf"
        self.assertEqual(wizard.action_export()["type"], "ir.actions.report")

    def test_export_logs_each_customer(self):
        logged = []
        partner_class = type(self.env["res.partner"])

        def log(partners, action):
            logged.append((set(partners.ids), action))

        self.patch(partner_class, "_archive_log_access", log)
        self._export(self._wizard(self.manager, "all"))
        logged_ids = set().union(*(ids for ids, _action in logged))
        self.assertEqual(logged_ids, set(self.all_customers.ids))
        self.assertEqual({action for _ids, action in logged}, {"overview_xlsx"})

    # PDF

    def test_pdf_overview_html(self):
        wizard = self._wizard(self.manager, "all")
        html, _report_type = (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            ._render_qweb_html(
                "customer_archive.action_report_consumption_overview", wizard.ids
            )
        )
        html = html.decode()
        self.assertIn("Subtotal", html)
        self.assertIn("Pu&#39;er Tea", html)
        self.assertIn("=1+1", html)
        self.assertIn("Total (", html)

    def test_pdf_overview_rejects_large_lists(self):
        wizard = self._wizard(self.manager, "all")
        with (
            patch.object(report_consumption_overview, "PDF_MAX_CUSTOMERS", 2),
            self.assertRaises(UserError),
        ):
            self.env["ir.actions.report"].with_user(self.manager)._render_qweb_html(
                "customer_archive.action_report_consumption_overview", wizard.ids
            )


@tagged("post_install", "-at_install")
class TestOverviewDownload(HttpCase, OverviewCase):
    def test_download_xlsx(self):
        wizard = self._wizard(self.user, partners=self.customer)
        self.authenticate(self.user.login, self.user.login)
        response = self.url_open(f"/customer_archive/overview/{wizard.id}/xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        self.assertIn(".xlsx", response.headers["Content-Disposition"])
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        self.assertEqual(sheet.cell(row=2, column=3).value, "Wang Fang")

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_rule")
    def test_download_of_other_users_wizard_forbidden(self):
        wizard = self._wizard(self.user, partners=self.customer)
        self.authenticate(self.user_2.login, self.user_2.login)
        response = self.url_open(f"/customer_archive/overview/{wizard.id}/xlsx")
        self.assertEqual(response.status_code, 403)

    @mute_logger("odoo.http")
    def test_download_all_forbidden_for_user(self):
        wizard = self._wizard(self.user, "all")
        self.authenticate(self.user.login, self.user.login)
        response = self.url_open(f"/customer_archive/overview/{wizard.id}/xlsx")
        self.assertEqual(response.status_code, 403)

    @mute_logger("odoo.http")
    def test_download_missing_wizard(self):
        self.authenticate(self.user.login, self.user.login)
        response = self.url_open("/customer_archive/overview/999999/xlsx")
        self.assertEqual(response.status_code, 404)
