from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

ENTRY_TYPES = [
    ("call", "Call"),
    ("usage", "Product Usage"),
    ("event", "Event"),
    ("service", "Service"),
    ("complaint", "Complaint"),
]
EVENT_KINDS = [("event", "Event"), ("tasting", "Tasting"), ("salon", "Salon")]
COMPLAINT_CHANNELS = [
    ("store", "In Store"),
    ("phone", "Phone"),
    ("email", "E-mail"),
    ("online", "Online"),
    ("letter", "Letter"),
    ("other", "Other"),
]
COMPLAINT_STATES = [
    ("received", "Received"),
    ("in_progress", "In Progress"),
    ("resolved", "Resolved"),
]
SATISFACTION_LEVELS = [
    ("1", "1 - Very Dissatisfied"),
    ("2", "2 - Dissatisfied"),
    ("3", "3 - Neutral"),
    ("4", "4 - Satisfied"),
    ("5", "5 - Very Satisfied"),
]
# A complaint resolved at or below this satisfaction gets a follow-up activity.
LOW_SATISFACTION = 2
SUMMARY_LENGTH = 80
# Changing these fields moves an entry's interaction date or customer.
INTERACTION_FIELDS = {"partner_id", "date", "resolved_date", "complaint_state"}


class CustomerArchiveJournalEntry(models.Model):
    """Call, product usage, event, service or complaint in a customer's journal.

    Every entry is an interaction with the customer, so creating, moving or
    deleting one reclassifies the customer's activity cycle. Purchases have their
    own model, ``customer.archive.purchase``.
    """

    _name = "customer.archive.journal.entry"
    _description = "Customer Journal Entry"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    # Messages, followers and activities follow the entry's record rules.
    _mail_record_access = True
    _order = "date desc, id desc"

    name = fields.Char(
        string="Summary",
        compute="_compute_name",
        store=True,
        help="Event name, product, service item or first line of the content.",
    )
    entry_type = fields.Selection(
        ENTRY_TYPES, string="Type", required=True, default="call", index=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('archive_number', '!=', False)]",
    )
    archive_number = fields.Char(related="partner_id.archive_number")
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    user_id = fields.Many2one(
        "res.users",
        string="Staff Member",
        default=lambda self: self.env.user,
        index=True,
        help="Who made the call, gave the service or handles the complaint.",
    )
    author_id = fields.Many2one(
        "res.users",
        string="Recorded By",
        related="create_uid",
        help="Archive users edit and delete only the entries they recorded.",
    )
    content = fields.Text(help="What was said in the call or in the complaint.")
    # Call
    next_followup_date = fields.Date(
        string="Next Follow-up",
        index="btree_not_null",
        help="Date of the next call or visit agreed with the customer.",
    )
    # Product usage
    product = fields.Char(help="Product the customer uses, as named on the label.")
    usage_since = fields.Date(string="Using Since")
    effect = fields.Text(help="Effect of the product as the customer describes it.")
    feedback = fields.Text(help="Customer's opinion, wishes or questions.")
    # Event, tasting or salon
    event_name = fields.Char()
    event_kind = fields.Selection(EVENT_KINDS, default="event")
    invited = fields.Boolean(default=True)
    attended = fields.Boolean()
    # Service
    service_item = fields.Char()
    # Service and complaint
    satisfaction = fields.Selection(
        SATISFACTION_LEVELS,
        help="Service: customer's rating of the service. Complaint: rating after "
        "the complaint was handled; 2 or lower schedules a follow-up.",
    )
    # Complaint
    channel = fields.Selection(COMPLAINT_CHANNELS, help="How the complaint came in.")
    cause = fields.Text()
    resolution = fields.Text(
        help="What was done for the customer; required to resolve."
    )
    complaint_state = fields.Selection(
        COMPLAINT_STATES,
        compute="_compute_complaint_state",
        store=True,
        readonly=False,
        index="btree_not_null",
        copy=False,
    )
    resolved_date = fields.Date(
        string="Resolved On",
        copy=False,
        help="Counts as an interaction with the customer, like the entry date.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )

    # Serves "last entries of a customer": ORDER BY date DESC, id DESC LIMIT n.
    _partner_date_idx = models.Index("(partner_id, date DESC, id DESC)")
    _open_complaint_idx = models.Index(
        "(partner_id, date DESC) "
        "WHERE entry_type = 'complaint' AND complaint_state != 'resolved'"
    )
    _resolved_date_check = models.Constraint(
        "CHECK (resolved_date IS NULL OR resolved_date >= date)",
        "A complaint cannot be resolved before the date it was received.",
    )

    @api.depends(
        "entry_type", "content", "product", "event_name", "service_item", "date"
    )
    def _compute_name(self):
        for entry in self:
            if entry.entry_type == "usage":
                text = entry.product
            elif entry.entry_type == "event":
                text = entry.event_name
            elif entry.entry_type == "service":
                text = entry.service_item
            else:
                text = (entry.content or "").strip().split("\n", 1)[0]
            text = (text or "").strip()
            if len(text) > SUMMARY_LENGTH:
                text = text[: SUMMARY_LENGTH - 1] + "…"
            entry.name = text or False

    @api.depends("entry_type")
    def _compute_complaint_state(self):
        for entry in self:
            if entry.entry_type != "complaint":
                entry.complaint_state = False
            elif not entry.complaint_state:
                entry.complaint_state = "received"

    @api.depends("entry_type", "name")
    def _compute_display_name(self):
        labels = dict(self._fields["entry_type"]._description_selection(self.env))
        for entry in self:
            label = labels.get(entry.entry_type, "")
            entry.display_name = (
                self.env._("%(type)s: %(summary)s", type=label, summary=entry.name)
                if entry.name
                else label
            )

    @api.constrains("partner_id", "company_id")
    def _check_archive_company(self):
        # An entry moves the customer's activity cycle and shows in the
        # customer's history, so only the company that keeps the archive may
        # record one.
        for entry in self:
            partner = entry.partner_id
            archive_company = partner._archive_foreign_company(entry.company_id)
            if archive_company:
                raise ValidationError(
                    self.env._(
                        "The archive of “%(customer)s” belongs to %(archive)s, so "
                        "its journal entries cannot be recorded in %(company)s; "
                        "switch to %(archive)s and record the entry there.",
                        customer=entry.partner_id.display_name,
                        archive=archive_company.name,
                        company=entry.company_id.name,
                    )
                )

    @api.constrains("complaint_state", "resolution")
    def _check_complaint_resolution(self):
        unresolved = self.filtered(
            lambda e: (
                e.complaint_state == "resolved" and not (e.resolution or "").strip()
            )
        )
        if unresolved:
            raise ValidationError(unresolved[0]._complaint_missing_resolution_message())

    @api.constrains("entry_type", "satisfaction")
    def _check_satisfaction_type(self):
        for entry in self:
            if entry.satisfaction and entry.entry_type not in ("service", "complaint"):
                raise ValidationError(
                    self.env._(
                        "A satisfaction rating belongs to a service or a complaint, "
                        "not to “%(entry)s”; clear the rating.",
                        entry=entry.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        today = fields.Date.context_today(self)
        for vals in vals_list:
            if vals.get("complaint_state") == "resolved":
                self._check_resolution_in_vals(vals, self.browse())
                vals.setdefault("resolved_date", vals.get("date") or today)
        entries = super().create(vals_list)
        entries.partner_id._archive_recompute_classification()
        entries.filtered(lambda e: e.complaint_state == "resolved")._complaint_notify()
        return entries

    def write(self, vals):
        resolving = self.browse()
        if vals.get("complaint_state") == "resolved":
            resolving = self.filtered(lambda e: e.complaint_state != "resolved")
            for entry in resolving:
                self._check_resolution_in_vals(vals, entry)
        elif "complaint_state" in vals:
            vals.setdefault("resolved_date", False)
        partners = self.partner_id
        result = super().write(vals)
        if resolving and "resolved_date" not in vals:
            today = fields.Date.context_today(self)
            for entry in resolving:
                # Resolved today, unless the complaint is dated later.
                entry.resolved_date = max(entry.date, today)
        if INTERACTION_FIELDS & vals.keys():
            (partners | self.partner_id)._archive_recompute_classification()
        resolving._complaint_notify()
        return result

    def unlink(self):
        partners = self.partner_id
        result = super().unlink()
        partners.exists()._archive_recompute_classification()
        return result

    # Complaints

    def _complaint_missing_resolution_message(self):
        self.ensure_one()
        return self.env._(
            "The complaint “%(complaint)s” of %(customer)s has no resolution: write "
            "what was done for the customer in Resolution, then resolve it.",
            complaint=self.name or format_date(self.env, self.date),
            customer=self.partner_id.display_name,
        )

    @api.model
    def _check_resolution_in_vals(self, vals, entry):
        """Raise unless ``vals`` or ``entry`` has a resolution to resolve with."""
        resolution = vals["resolution"] if "resolution" in vals else entry.resolution
        if (resolution or "").strip():
            return
        if not entry:
            entry = self.new(vals)
        raise UserError(entry._complaint_missing_resolution_message())

    def _check_is_complaint(self):
        others = self.filtered(lambda e: e.entry_type != "complaint")
        if others:
            raise UserError(
                self.env._(
                    "“%(entry)s” is not a complaint; only complaints have a "
                    "handling state.",
                    entry=others[0].display_name,
                )
            )

    def action_complaint_start(self):
        """Mark received complaints as being handled."""
        self._check_is_complaint()
        self.filtered(lambda e: e.complaint_state == "received").write(
            {"complaint_state": "in_progress"}
        )
        return True

    def action_complaint_resolve(self):
        """Resolve complaints; each needs a resolution first."""
        self._check_is_complaint()
        for entry in self:
            if not (entry.resolution or "").strip():
                raise UserError(entry._complaint_missing_resolution_message())
        self.filtered(lambda e: e.complaint_state != "resolved").write(
            {"complaint_state": "resolved"}
        )
        return True

    def action_complaint_reopen(self):
        """Put resolved complaints back in progress."""
        self._check_is_complaint()
        self.filtered(lambda e: e.complaint_state == "resolved").write(
            {"complaint_state": "in_progress"}
        )
        return True

    def _complaint_notify(self):
        """Note the resolution on the complaint and follow up low satisfaction.

        The note and the activity quote the complaint, so they go on the
        journal entry, whose access rules restrict them to archive users of its
        company. The customer's own chatter is readable by every internal user
        and gets nothing.
        """
        for entry in self:
            note = entry._complaint_resolution_note()
            entry.message_post(
                body=note,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
            if entry.satisfaction and int(entry.satisfaction) <= LOW_SATISFACTION:
                entry.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=fields.Date.context_today(self),
                    summary=self.env._(
                        "Follow up a complaint resolved with low satisfaction"
                    ),
                    note=note,
                    user_id=entry._complaint_followup_user().id,
                )

    def _complaint_followup_user(self):
        """Return who follows up the customer: the archive responsible first."""
        self.ensure_one()
        return self.partner_id.archive_user_id or self.user_id or self.env.user

    def _complaint_resolution_note(self):
        self.ensure_one()
        satisfaction = dict(
            self._fields["satisfaction"]._description_selection(self.env)
        ).get(self.satisfaction, self.env._("not rated"))
        lines = [
            self.env._(
                "Complaint of %(date)s resolved on %(resolved)s.",
                date=format_date(self.env, self.date),
                resolved=format_date(self.env, self.resolved_date),
            ),
            self.env._("Complaint: %(content)s", content=self.content or ""),
            self.env._("Resolution: %(resolution)s", resolution=self.resolution),
            self.env._(
                "Satisfaction after handling: %(satisfaction)s",
                satisfaction=satisfaction,
            ),
        ]
        # Markup escapes each line, so customer text cannot inject HTML.
        return Markup("").join(Markup("<p>%s</p>") % line for line in lines)
