from dataclasses import dataclass, field
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

# Figures of the archive dashboard, in display order. Adding a figure takes a
# line here and a ``_figure_<key>`` method returning its ``Figure``.
FIGURES = [
    ("consultations_to_decide", "Consultation Requests to Decide"),
    ("retention_ending", "Retention Ending Within 30 Days"),
    ("destruction_due", "Documents Due for Destruction"),
    ("legal_hold", "Documents Under Legal Hold"),
    ("turning_dormant", "Customers Turning Dormant This Month"),
    ("open_complaints", "Open Complaints"),
    ("birthdays_this_week", "Birthdays This Week"),
]
RETENTION_WINDOW_DAYS = 30


@dataclass
class Figure:
    """Records counted by a dashboard figure and the list that shows them."""

    model: str
    domain: list
    action: str
    icon: str
    context: dict = field(default_factory=dict)


class CustomerArchiveDashboardFigure(models.Model):
    """Figure of the archive dashboard: a count that opens the records counted.

    The rows come from ``FIGURES``, not from a table. Counts are computed when
    read, as the current user, so record rules and the selected companies
    apply.
    """

    _name = "customer.archive.dashboard.figure"
    _description = "Archive Dashboard Figure"
    _auto = False
    _log_access = False
    _order = "id"
    _rec_name = "key"
    _table_query = SQL(
        "SELECT * FROM (VALUES %s) AS figure(id, key)",
        SQL(", ").join(
            SQL("(%s, %s)", position, key)
            for position, (key, _label) in enumerate(FIGURES, start=1)
        ),
    )

    key = fields.Selection(FIGURES, string="Figure", readonly=True)
    value = fields.Integer(compute="_compute_figure")
    icon = fields.Char(compute="_compute_figure")

    @api.depends_context("uid", "allowed_company_ids", "tz")
    def _compute_figure(self):
        today = fields.Date.context_today(self)
        for figure in self:
            spec = figure._figure_spec(today)
            figure.value = self.env[spec.model].search_count(spec.domain)
            figure.icon = spec.icon

    def action_open(self):
        """Open the list of the records counted by the figure."""
        self.ensure_one()
        spec = self._figure_spec(fields.Date.context_today(self))
        action = self.env["ir.actions.act_window"]._for_xml_id(spec.action)
        label = dict(self._fields["key"]._description_selection(self.env))[self.key]
        action.update(
            name=label,
            display_name=label,
            domain=spec.domain,
            context={"create": False, **spec.context},
        )
        return action

    def _figure_spec(self, today):
        self.ensure_one()
        return getattr(self, f"_figure_{self.key}")(today)

    # Figures

    def _figure_consultations_to_decide(self, today):
        return Figure(
            model="customer.archive.consultation",
            domain=[("state", "=", "submitted")],
            action="customer_archive.customer_archive_consultation_action",
            icon="fa-key",
        )

    def _figure_retention_ending(self, today):
        """Documents kept until a day of the next 30 days, not under legal hold."""
        end = today + timedelta(days=RETENTION_WINDOW_DAYS)
        return Figure(
            model="customer.archive.document",
            domain=[
                ("retention_state", "=", "active"),
                ("retention_date", ">=", fields.Date.to_string(today)),
                ("retention_date", "<=", fields.Date.to_string(end)),
                ("is_held", "=", False),
            ],
            action="customer_archive.customer_archive_document_action",
            icon="fa-hourglass-end",
        )

    def _figure_destruction_due(self, today):
        return Figure(
            model="customer.archive.document",
            domain=[("retention_state", "=", "due")],
            action="customer_archive.customer_archive_document_action",
            icon="fa-trash",
        )

    def _figure_legal_hold(self, today):
        return Figure(
            model="customer.archive.document",
            domain=[("is_held", "=", True), ("retention_state", "!=", "destroyed")],
            action="customer_archive.customer_archive_document_action",
            icon="fa-gavel",
        )

    def _figure_turning_dormant(self, today):
        """Customers whose last interaction reaches the dormant limit this month.

        A customer becomes dormant on the day its last interaction is
        ``dormant_days`` old. The month's new dormant customers therefore had
        their last interaction between the month's first and last day, each
        minus ``dormant_days``. Those already reclassified this month count too.
        """
        _thresholds, dormant_days, _lost_days = self.env[
            "res.partner"
        ]._archive_classification_settings()
        first_day = today.replace(day=1)
        last_day = first_day + relativedelta(months=1, days=-1)
        return Figure(
            model="res.partner",
            domain=[
                ("archive_number", "!=", False),
                ("archive_state", "in", ("registered", "dormant")),
                (
                    "archive_last_interaction_date",
                    ">=",
                    fields.Date.to_string(first_day - timedelta(days=dormant_days)),
                ),
                (
                    "archive_last_interaction_date",
                    "<=",
                    fields.Date.to_string(last_day - timedelta(days=dormant_days)),
                ),
            ],
            action="customer_archive.res_partner_action_archive",
            icon="fa-moon-o",
        )

    def _figure_open_complaints(self, today):
        return Figure(
            model="customer.archive.journal.entry",
            domain=[
                ("entry_type", "=", "complaint"),
                ("complaint_state", "!=", "resolved"),
            ],
            action="customer_archive.customer_archive_journal_entry_action",
            icon="fa-exclamation-triangle",
        )

    def _figure_birthdays_this_week(self, today):
        """Customers with a birthday from Monday to Sunday of the current week."""
        monday = today - timedelta(days=today.weekday())
        return Figure(
            model="res.partner",
            domain=self.env["res.partner"]._archive_birthday_domain(
                monday, monday + timedelta(days=6)
            ),
            action="customer_archive.res_partner_action_archive",
            icon="fa-birthday-cake",
        )
