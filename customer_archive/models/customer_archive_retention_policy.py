from odoo import api, fields, models

from ..tools import retention

PERIOD_UNITS = [
    (retention.DAYS, "Days"),
    (retention.MONTHS, "Months"),
    (retention.YEARS, "Years"),
]
START_EVENTS = [
    (retention.FILING_DATE, "Filing Date"),
    (retention.DOCUMENT_DATE, "Document Date"),
    (retention.VALIDITY_END, "End of Validity"),
    (retention.ARCHIVE_CLOSURE, "Archive Closure"),
    (retention.LAST_ACTIVITY, "Customer's Last Activity"),
]
EXPIRY_ACTIONS = [
    ("destroy", "Review for Destruction"),
    ("anonymise", "Review for Destruction and Anonymise the Customer"),
]


class CustomerArchiveRetentionPolicy(models.Model):
    """How long documents are kept, counted from which event, and what follows."""

    _name = "customer.archive.retention.policy"
    _description = "Retention Policy"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    permanent = fields.Boolean(
        string="Keep Permanently",
        help="Documents under this policy never reach a retention date.",
    )
    period_count = fields.Integer(
        string="Retention Period",
        default=10,
        help="Length of the retention period, in the unit next to it.",
    )
    period_unit = fields.Selection(PERIOD_UNITS, required=True, default=retention.YEARS)
    start_event = fields.Selection(
        START_EVENTS,
        required=True,
        default=retention.FILING_DATE,
        help="Event from which the period is counted. Filing date and document "
        "date (the filing date when it is missing) are known at filing. End of "
        "validity waits for the document's Valid Until date, archive closure "
        "for a manager to close the customer's archive, and the customer's "
        "last activity moves with each new purchase or interaction. Until the "
        "event happens, documents have no retention date.",
    )
    expiry_action = fields.Selection(
        EXPIRY_ACTIONS,
        string="At Expiry",
        required=True,
        default="destroy",
        help="Review for destruction: expired documents are queued for a "
        "destruction batch. Anonymise: the customer is also marked for the "
        "erasure of their personal data once their archive is closed.",
    )
    legal_basis = fields.Text(
        translate=True,
        help="Law, regulation or internal rule behind the period, shown to the "
        "managers who approve destructions.",
    )
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to share the policy."
    )
    document_type_ids = fields.One2many(
        "customer.archive.document.type", "retention_policy_id", string="Document Types"
    )
    period_display = fields.Char(string="Period", compute="_compute_period_display")

    _period_count_positive = models.Constraint(
        "CHECK (COALESCE(permanent, FALSE) OR period_count > 0)",
        "A retention period must be at least one day, month or year; tick Keep "
        "Permanently to keep documents forever.",
    )

    @api.depends("permanent", "period_count", "period_unit", "start_event")
    def _compute_period_display(self):
        units = dict(self._fields["period_unit"]._description_selection(self.env))
        events = dict(self._fields["start_event"]._description_selection(self.env))
        for policy in self:
            if policy.permanent:
                policy.period_display = self.env._("Permanent")
            else:
                policy.period_display = self.env._(
                    "%(count)s %(unit)s after %(event)s",
                    count=policy.period_count,
                    unit=units.get(policy.period_unit, "").lower(),
                    event=events.get(policy.start_event, "").lower(),
                )

    def _retention_date(self, dates):
        """Return the retention date for the start-event ``dates``, or ``None``."""
        self.ensure_one()
        return retention.retention_date(
            self.start_event,
            dates,
            self.period_count,
            self.period_unit,
            permanent=self.permanent,
        )
