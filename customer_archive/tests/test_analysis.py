from datetime import date

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from lxml import etree

from odoo.fields import Domain
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import ArchiveCase

# Actions of the analysis screens and the view types each one opens.
ANALYSIS_ACTIONS = {
    "customer_archive.res_partner_action_archive_analysis": "res.partner",
    "customer_archive.customer_archive_purchase_action_analysis": (
        "customer.archive.purchase"
    ),
    "customer_archive.customer_archive_document_action_forecast": (
        "customer.archive.document"
    ),
    "customer_archive.res_partner_action_birthday_calendar": "res.partner",
    "customer_archive.customer_archive_dashboard_figure_action": (
        "customer.archive.dashboard.figure"
    ),
    "customer_archive.customer_archive_import_job_action": (
        "customer.archive.import.job"
    ),
}


class AnalysisCase(ArchiveCase):
    """Three customers with known folders, tiers, cycles, purchases and dates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.high = cls._analysed_customer(
            "High Spender", cls.folder, date(2026, 1, 15), member=True
        )
        cls.low = cls._analysed_customer(
            "Low Spender", cls.folder, date(2026, 2, 3), member=False
        )
        cls.newcomer = cls._analysed_customer(
            "Newcomer", cls.other_folder, date(2026, 2, 20), member=True
        )
        cls.customers = cls.high | cls.low | cls.newcomer
        # Creating purchases classifies their customers on the day: all of
        # them count when it is after the last purchase.
        with freeze_time("2026-03-01"):
            cls.purchases = cls.env["customer.archive.purchase"].create(
                [
                    cls._purchase_vals(cls.high, date(2026, 1, 20), 100.0, cls.folder),
                    cls._purchase_vals(cls.high, date(2026, 2, 10), 200.0, cls.folder),
                    cls._purchase_vals(
                        cls.low, date(2026, 2, 5), 50.0, cls.other_folder
                    ),
                ]
            )
        # The RFM rules set the tier and cycle against a reference date. They
        # are fixed here, so the figures do not depend on the day tests run.
        cls.high.write({"archive_tier": "high", "archive_activity_cycle": "active"})
        cls.low.write({"archive_tier": "low", "archive_activity_cycle": "dormant"})
        cls.newcomer.write({"archive_tier": "none", "archive_activity_cycle": "new"})
        cls.domain = [("id", "in", cls.customers.ids)]

    @classmethod
    def _analysed_customer(cls, name, folder, registered, member):
        partner = cls._create_customer(name, archive_is_member=member)
        partner._archive_register(folder, registration_date=registered)
        return partner

    @classmethod
    def _purchase_vals(cls, partner, day, amount, folder):
        return {
            "partner_id": partner.id,
            "date": day,
            "product": "Tieguanyin 250 g",
            "folder_id": folder.id,
            "amount": amount,
        }


@tagged("post_install", "-at_install")
class TestAnalysisViews(AnalysisCase):
    def _action_views(self, xmlid):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        views = [list(view) for view in action["views"]]
        search_view = action.get("search_view_id") or [False]
        views.append([search_view[0], "search"])
        return action, views

    def test_every_analysis_view_loads(self):
        for xmlid, model in ANALYSIS_ACTIONS.items():
            action, views = self._action_views(xmlid)
            with self.subTest(action=xmlid):
                result = (
                    self.env[model]
                    .with_user(self.manager)
                    .get_views(views, {"action_id": action["id"], "load_filters": True})
                )
                for _view_id, view_type in views:
                    self.assertIn(view_type, result["views"])

    def test_pivot_opens_on_folder_by_tier(self):
        arch = self._arch("res.partner", "res_partner_view_pivot_archive_analysis")
        self.assertEqual(
            arch.xpath("//field[@type='row']/@name"), ["archive_folder_id"]
        )
        self.assertEqual(arch.xpath("//field[@type='col']/@name"), ["archive_tier"])
        self.assertEqual(
            arch.xpath("//field[@type='measure']/@name"), ["archive_purchase_total"]
        )
        self.assertEqual(arch.get("display_quantity"), "1")

    def test_purchase_graph_over_months_by_folder(self):
        arch = self._arch(
            "customer.archive.purchase", "customer_archive_purchase_view_graph_analysis"
        )
        self.assertEqual(arch.get("type"), "line")
        self.assertEqual(arch.xpath("//field[1]/@interval"), ["month"])
        self.assertEqual(arch.xpath("//field/@name")[:2], ["date", "folder_id"])

    def test_forecast_graph_by_month_and_type(self):
        arch = self._arch(
            "customer.archive.document", "customer_archive_document_view_graph_forecast"
        )
        self.assertEqual(arch.xpath("//field/@name"), ["retention_date", "type_id"])
        self.assertEqual(arch.xpath("//field[1]/@interval"), ["month"])

    def test_calendar_on_birthday_date_by_folder(self):
        arch = self._arch("res.partner", "res_partner_view_calendar_birthday")
        self.assertEqual(arch.get("date_start"), "archive_birthday_date")
        self.assertEqual(arch.get("color"), "archive_folder_id")

    def test_analysis_lists_registered_archives_only(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_archive.res_partner_action_archive_analysis"
        )
        unregistered = self._create_customer("Walk-in")
        found = self.env["res.partner"].search(safe_eval(action["domain"]))
        self.assertIn(self.high, found)
        self.assertNotIn(unregistered, found)

    def _arch(self, model, view_xmlid):
        view = self.env.ref(f"customer_archive.{view_xmlid}")
        result = self.env[model].get_views([(view.id, view.type)])
        return etree.fromstring(result["views"][view.type]["arch"])


@tagged("post_install", "-at_install")
class TestAnalysisFigures(AnalysisCase):
    def _groups(self, model, domain, groupby, aggregates):
        """Return ``formatted_read_group`` rows keyed by their group values.

        A many2one value is keyed by its id, a date group by its first day.
        """
        rows = (
            self.env[model]
            .with_user(self.manager)
            .formatted_read_group(domain, groupby, aggregates)
        )
        groups = {}
        for row in rows:
            key = []
            for spec in groupby:
                value = row[spec]
                if isinstance(value, tuple | list):
                    value = value[0]
                key.append(value)
            groups[tuple(key)] = row
        return groups

    def test_customers_and_spend_by_folder_and_tier(self):
        groups = self._groups(
            "res.partner",
            self.domain,
            ["archive_folder_id", "archive_tier"],
            ["__count", "archive_purchase_total:sum"],
        )
        expected = {
            (self.folder.id, "high"): (1, 300.0),
            (self.folder.id, "low"): (1, 50.0),
            (self.other_folder.id, "none"): (1, 0.0),
        }
        self.assertEqual(set(groups), set(expected))
        for key, (count, total) in expected.items():
            with self.subTest(group=key):
                self.assertEqual(groups[key]["__count"], count)
                self.assertEqual(groups[key]["archive_purchase_total:sum"], total)

    def test_cell_domain_lists_its_customers(self):
        """Clicking a pivot cell searches the view's domain and the cell's."""
        groups = self._groups(
            "res.partner",
            self.domain,
            ["archive_folder_id", "archive_tier"],
            ["__count"],
        )
        cell = groups[(self.folder.id, "high")]
        found = self.env["res.partner"].search(
            Domain.AND([self.domain, cell["__extra_domain"]])
        )
        self.assertEqual(found, self.high)

    def test_customers_by_activity_cycle(self):
        groups = self._groups(
            "res.partner", self.domain, ["archive_activity_cycle"], ["__count"]
        )
        counts = {key[0]: row["__count"] for key, row in groups.items()}
        self.assertEqual(counts, {"active": 1, "dormant": 1, "new": 1})

    def test_customers_and_spend_by_member_status(self):
        groups = self._groups(
            "res.partner",
            self.domain,
            ["archive_is_member"],
            ["__count", "archive_purchase_total:sum"],
        )
        self.assertEqual(groups[(True,)]["__count"], 2)
        self.assertEqual(groups[(True,)]["archive_purchase_total:sum"], 300.0)
        self.assertEqual(groups[(False,)]["__count"], 1)
        self.assertEqual(groups[(False,)]["archive_purchase_total:sum"], 50.0)

    def test_customers_by_registration_month(self):
        rows = (
            self.env["res.partner"]
            .with_user(self.manager)
            ._read_group(self.domain, ["archive_registration_date:month"], ["__count"])
        )
        self.assertEqual(dict(rows), {date(2026, 1, 1): 1, date(2026, 2, 1): 2})

    def test_purchases_by_month_and_folder(self):
        rows = (
            self.env["customer.archive.purchase"]
            .with_user(self.manager)
            ._read_group(
                [("id", "in", self.purchases.ids)],
                ["date:month", "folder_id"],
                ["amount:sum"],
            )
        )
        self.assertEqual(
            {(month, folder): amount for month, folder, amount in rows},
            {
                (date(2026, 1, 1), self.folder): 100.0,
                (date(2026, 2, 1), self.folder): 200.0,
                (date(2026, 2, 1), self.other_folder): 50.0,
            },
        )

    def test_purchases_by_customer_tier(self):
        rows = (
            self.env["customer.archive.purchase"]
            .with_user(self.manager)
            ._read_group(
                [("id", "in", self.purchases.ids)], ["partner_tier"], ["amount:sum"]
            )
        )
        self.assertEqual(dict(rows), {"high": 300.0, "low": 50.0})

    @freeze_time("2026-03-10")
    def test_forecast_fills_24_months(self):
        documents = self.env["customer.archive.document"]
        for retention_day, type_xmlid in (
            (date(2026, 4, 2), "customer_archive.document_type_con"),
            (date(2026, 4, 20), "customer_archive.document_type_pay"),
            (date(2027, 1, 5), "customer_archive.document_type_con"),
        ):
            documents |= self._file_document(
                self.high,
                type_xmlid,
                retention_override_date=retention_day,
                retention_override_reason="Known retention date of the forecast test",
            )
        today = date(2026, 3, 10)
        domain = [
            ("id", "in", documents.ids),
            ("retention_state", "=", "active"),
            ("retention_date", ">=", today),
            ("retention_date", "<", today + relativedelta(months=24, day=1)),
        ]
        rows = (
            self.env["customer.archive.document"]
            .with_user(self.manager)
            .with_context(
                fill_temporal={"fill_from": "2026-03-01", "fill_to": "2028-02-01"}
            )
            .formatted_read_group(domain, ["retention_date:month"], ["__count"])
        )
        self.assertEqual(len(rows), 24)
        counts = [row["__count"] for row in rows]
        self.assertEqual(counts[1], 2)  # April 2026
        self.assertEqual(counts[10], 1)  # January 2027
        self.assertEqual(sum(counts), 3)
        by_type = dict(
            self.env["customer.archive.document"]._read_group(
                domain, ["type_id"], ["__count"]
            )
        )
        self.assertEqual(
            by_type,
            {
                self.env.ref("customer_archive.document_type_con"): 2,
                self.env.ref("customer_archive.document_type_pay"): 1,
            },
        )
