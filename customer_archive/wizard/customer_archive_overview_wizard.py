from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL


class CustomerArchiveOverviewWizard(models.TransientModel):
    """Dialog exporting the consumption category overview as xlsx or PDF."""

    _name = "customer.archive.overview.wizard"
    _description = "Export Consumption Category Overview"

    scope = fields.Selection(
        [("selected", "Selected Customers"), ("all", "All Customers")],
        required=True,
        default=lambda self: self._default_scope(),
        help="All Customers lists every registered archive the user may read; "
        "only archive managers may choose it.",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        "customer_archive_overview_wizard_partner_rel",
        "wizard_id",
        "partner_id",
        string="Customers",
        default=lambda self: self._default_partner_ids(),
    )
    output_format = fields.Selection(
        [("xlsx", "Spreadsheet (xlsx)"), ("pdf", "PDF")],
        string="Format",
        required=True,
        default="xlsx",
    )
    customer_count = fields.Integer(
        string="Registered Customers", compute="_compute_customer_count"
    )

    def _default_partner_ids(self):
        if self.env.context.get("active_model") == "res.partner":
            return [fields.Command.set(self.env.context.get("active_ids", []))]
        return []

    def _default_scope(self):
        if self.env.context.get(
            "active_model"
        ) == "res.partner" and self.env.context.get("active_ids"):
            return "selected"
        return "all"

    @api.depends("scope", "partner_ids")
    def _compute_customer_count(self):
        partners = self.env["res.partner"]
        for wizard in self:
            wizard.customer_count = partners.search_count(wizard._overview_domain())

    def _overview_domain(self):
        """Return the domain of the customers listed.

        Only registered archives of the selected companies count. The record
        rules of ``res.partner`` let every company read a contact without a
        company, so they alone would not leave out such a contact's archive
        when another company keeps it.
        """
        self.ensure_one()
        domain = Domain("archive_number", "!=", False) & Domain(
            "archive_company_id", "in", self.env.companies.ids
        )
        if self.scope == "all":
            return domain
        # A subquery on the dialog's own rows: reading 100,000 selected
        # customers through partner_ids took 560 MB. Record rules still
        # apply, because the overview searches the customers as the user.
        self.flush_recordset(["partner_ids"])
        return domain & Domain(
            "id",
            "any!",
            SQL(
                """SELECT partner_id
                     FROM customer_archive_overview_wizard_partner_rel
                    WHERE wizard_id = %s""",
                self.id,
            ),
        )

    def _check_overview_access(self):
        self.ensure_one()
        # Archives of other companies need no check of their own: the domain
        # leaves them out, so the export never names them.
        self.env["res.partner"]._archive_check_report_access(
            all_customers=self.scope == "all"
        )
        if self.scope != "all" and not self.customer_count:
            raise UserError(
                self.env._(
                    "None of the selected contacts has a registered archive; "
                    "select registered customers or choose All Customers."
                )
            )

    def _overview_filename(self, extension):
        self.ensure_one()
        return "{title} {date}.{extension}".format(
            title=self.env._("Consumption Category Overview"),
            date=fields.Date.context_today(self).isoformat(),
            extension=extension,
        )

    def _overview_write_xlsx(self, output):
        """Write the xlsx overview to ``output`` and return the file name."""
        self.ensure_one()
        self._check_overview_access()
        self.env["customer.archive.overview"]._overview_write_xlsx(
            self._overview_domain(), output, log_action="overview_xlsx"
        )
        return self._overview_filename("xlsx")

    def action_export(self):
        self.ensure_one()
        self._check_overview_access()
        if self.output_format == "pdf":
            return self.env.ref(
                "customer_archive.action_report_consumption_overview"
            ).report_action(self)
        return {
            "type": "ir.actions.act_url",
            "url": f"/customer_archive/overview/{self.id}/xlsx",
            "target": "download",
        }
