import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import birthdays, suggestions

_logger = logging.getLogger(__name__)

# Rows shown per list of the serve screen. Each list is one query ordered by
# an index and cut by LIMIT, so the screen costs the same for a customer with
# ten entries as for one with ten thousand.
SERVE_PURCHASE_LIMIT = 5
SERVE_STOCK_LIMIT = 10
SERVE_USAGE_LIMIT = 5
SERVE_COMPLAINT_LIMIT = 10
SERVE_CONTACT_LIMIT = 10
SUGGESTION_ICONS = {
    suggestions.OPEN_COMPLAINT: "fa-exclamation-triangle text-danger",
    suggestions.FOLLOWUP_DUE: "fa-phone text-warning",
    suggestions.PRODUCT_DEPLETED: "fa-battery-empty text-danger",
    suggestions.PRODUCT_DEPLETING: "fa-battery-quarter text-warning",
    suggestions.BIRTHDAY: "fa-birthday-cake text-success",
    suggestions.RENEWAL_DUE: "fa-id-card text-info",
    suggestions.NO_VISIT: "fa-calendar-times-o text-muted",
}


class ResPartner(models.Model):
    """Serve-the-customer screen: the customer's history and suggested actions."""

    _inherit = "res.partner"

    archive_next_birthday = fields.Date(
        string="Next Birthday",
        compute="_compute_archive_next_birthday",
        groups="customer_archive.group_archive_user",
    )
    archive_days_to_birthday = fields.Integer(
        string="Days Until Birthday",
        compute="_compute_archive_next_birthday",
        groups="customer_archive.group_archive_user",
    )
    archive_serve_purchase_ids = fields.Many2many(
        "customer.archive.purchase",
        string="Last Purchases",
        compute="_compute_archive_serve",
        groups="customer_archive.group_archive_user",
    )
    archive_serve_stock_ids = fields.Many2many(
        "customer.archive.purchase",
        string="Products in Use",
        compute="_compute_archive_serve",
        groups="customer_archive.group_archive_user",
        help="Latest purchase of each product with an estimated depletion date, "
        "soonest first; products that ran out long ago are left out.",
    )
    archive_serve_usage_ids = fields.Many2many(
        "customer.archive.journal.entry",
        string="Product Usage",
        compute="_compute_archive_serve",
        groups="customer_archive.group_archive_user",
    )
    archive_serve_complaint_ids = fields.Many2many(
        "customer.archive.journal.entry",
        string="Open Complaints",
        compute="_compute_archive_serve",
        groups="customer_archive.group_archive_user",
    )
    archive_serve_contact_ids = fields.Many2many(
        "customer.archive.journal.entry",
        string="Last Calls and Events",
        compute="_compute_archive_serve",
        groups="customer_archive.group_archive_user",
    )
    archive_serve_suggestions = fields.Html(
        string="Suggested Actions",
        compute="_compute_archive_serve",
        sanitize=False,
        groups="customer_archive.group_archive_user",
    )

    @api.depends("archive_birthday", "archive_birthday_calendar")
    def _compute_archive_next_birthday(self):
        today = fields.Date.context_today(self)
        for partner in self:
            next_date = partner.archive_birthday and birthdays.next_birthday(
                partner.archive_birthday, partner.archive_birthday_calendar, today
            )
            partner.archive_next_birthday = next_date or False
            partner.archive_days_to_birthday = (
                (next_date - today).days if next_date else 0
            )

    def _compute_archive_serve(self):
        today = fields.Date.context_today(self)
        settings = self._archive_suggestion_settings()
        entries = self.env["customer.archive.journal.entry"]
        purchases = self.env["customer.archive.purchase"]
        for partner in self:
            if not partner.id:
                partner.archive_serve_purchase_ids = purchases
                partner.archive_serve_stock_ids = purchases
                partner.archive_serve_usage_ids = entries
                partner.archive_serve_complaint_ids = entries
                partner.archive_serve_contact_ids = entries
                partner.archive_serve_suggestions = False
                continue
            own = [("partner_id", "=", partner.id)]
            stock = partner._archive_serve_stock(today, settings)
            complaints = entries.search(
                own
                + [
                    ("entry_type", "=", "complaint"),
                    ("complaint_state", "!=", "resolved"),
                ],
                limit=SERVE_COMPLAINT_LIMIT,
            )
            partner.archive_serve_purchase_ids = purchases.search(
                own, limit=SERVE_PURCHASE_LIMIT
            )
            partner.archive_serve_stock_ids = stock
            partner.archive_serve_usage_ids = entries.search(
                own + [("entry_type", "=", "usage")], limit=SERVE_USAGE_LIMIT
            )
            partner.archive_serve_complaint_ids = complaints
            partner.archive_serve_contact_ids = entries.search(
                own + [("entry_type", "in", ("call", "event"))],
                limit=SERVE_CONTACT_LIMIT,
            )
            open_count = len(complaints)
            if open_count >= SERVE_COMPLAINT_LIMIT:
                open_count = entries.search_count(
                    own
                    + [
                        ("entry_type", "=", "complaint"),
                        ("complaint_state", "!=", "resolved"),
                    ]
                )
            facts = suggestions.CustomerFacts(
                depletions=[(p.product, p.depletion_date) for p in stock],
                next_birthday=partner.archive_next_birthday or None,
                last_visit=partner._archive_last_visit(today),
                registration_date=partner.archive_registration_date or None,
                open_complaints=open_count,
                next_followup=partner._archive_next_followup(),
                renewal_date=(
                    partner.archive_is_member
                    and partner.archive_member_renewal_date
                    or None
                ),
            )
            partner.archive_serve_suggestions = partner._archive_render_suggestions(
                suggestions.suggest(facts, today, settings)
            )

    @api.model
    def _archive_suggestion_settings(self):
        """Return the day windows of the suggestions; meant to be overridden."""
        params = self.env["ir.config_parameter"].sudo()
        defaults = suggestions.SuggestionSettings()
        values = {}
        for name in (
            "depletion_days",
            "depleted_days",
            "birthday_days",
            "renewal_days",
            "no_visit_days",
        ):
            raw = params.get_param(f"customer_archive.suggest_{name}")
            try:
                values[name] = int(raw) if raw else getattr(defaults, name)
            except ValueError:
                _logger.warning(
                    "Invalid setting customer_archive.suggest_%s=%r", name, raw
                )
                values[name] = getattr(defaults, name)
        return suggestions.SuggestionSettings(**values)

    def _archive_serve_stock(self, today, settings):
        """Return the latest purchase of each product still in use, soonest first.

        Only purchases that ran out at most ``settings.depleted_days`` ago are
        scanned, and ``DISTINCT ON`` keeps the latest one per product. Record
        rules apply because the candidates come from ``_search``.
        """
        self.ensure_one()
        purchases = self.env["customer.archive.purchase"]
        cutoff = today - timedelta(days=settings.depleted_days)
        query = purchases._search(
            [("partner_id", "=", self.id), ("depletion_date", ">=", cutoff)]
        )
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT ON (product) id
                     FROM customer_archive_purchase
                    WHERE id IN %s
                 ORDER BY product, date DESC, id DESC""",
                query.subselect(),
            )
        )
        stock = purchases.browse(row[0] for row in self.env.cr.fetchall())
        return stock.sorted(lambda p: (p.depletion_date, p.product))[:SERVE_STOCK_LIMIT]

    def _archive_last_visit(self, today):
        """Return the last day the customer came: a purchase, service or event."""
        self.ensure_one()
        visit = self.env["customer.archive.journal.entry"].search(
            [
                ("partner_id", "=", self.id),
                ("date", "<=", today),
                "|",
                ("entry_type", "=", "service"),
                "&",
                ("entry_type", "=", "event"),
                ("attended", "=", True),
            ],
            limit=1,
        )
        dates = [d for d in (visit.date, self.archive_last_purchase_date) if d]
        return max(dates) if dates else None

    def _archive_next_followup(self):
        """Return the follow-up date agreed in the latest call, if any."""
        self.ensure_one()
        call = self.env["customer.archive.journal.entry"].search(
            [("partner_id", "=", self.id), ("entry_type", "=", "call")], limit=1
        )
        return call.next_followup_date or None

    def _archive_suggestion_text(self, suggestion):
        """Return the translated sentence of a suggestion."""
        _ = self.env._
        days = abs(suggestion.days)
        product = suggestion.subject
        kind = suggestion.kind
        if kind == suggestions.OPEN_COMPLAINT:
            if suggestion.count == 1:
                return _("An open complaint: settle it before offering anything.")
            return _(
                "%(count)s open complaints: settle them before offering anything.",
                count=suggestion.count,
            )

        if kind == suggestions.FOLLOWUP_DUE:
            if days == 0:
                return _("Follow-up call due today.")
            if days == 1:
                return _("Follow-up call overdue since yesterday.")
            return _("Follow-up call overdue by %(days)s days.", days=days)

        if kind == suggestions.PRODUCT_DEPLETED:
            if days == 1:
                return _(
                    "%(product)s ran out yesterday: offer a refill.", product=product
                )
            return _(
                "%(product)s ran out %(days)s days ago: offer a refill.",
                product=product,
                days=days,
            )

        if kind == suggestions.PRODUCT_DEPLETING:
            if days == 0:
                return _("%(product)s runs out today: offer a refill.", product=product)
            if days == 1:
                return _("%(product)s runs out tomorrow.", product=product)
            return _(
                "%(product)s runs out in %(days)s days.", product=product, days=days
            )

        if kind == suggestions.BIRTHDAY:
            if days == 0:
                return _("Birthday today: offer greetings.")
            if days == 1:
                return _("Birthday tomorrow.")
            return _("Birthday in %(days)s days.", days=days)

        if kind == suggestions.RENEWAL_DUE:
            if suggestion.days == -1:
                return _("Membership renewal overdue since yesterday.")
            if suggestion.days < 0:
                return _("Membership renewal overdue by %(days)s days.", days=days)
            if days == 0:
                return _("Membership renewal due today.")
            if days == 1:
                return _("Membership renewal due tomorrow.")
            return _("Membership renewal in %(days)s days.", days=days)

        if kind == suggestions.NO_VISIT:
            return _(
                "No visit for %(days)s days: invite the customer to a tasting or "
                "a salon.",
                days=days,
            )

        return kind

    def _archive_render_suggestions(self, items):
        """Return the suggestions as an HTML list; each text is escaped."""
        if not items:
            return Markup('<p class="text-muted mb-0">%s</p>') % self.env._(
                "Nothing to suggest: the archive is up to date."
            )
        rows = [
            Markup(
                '<li class="list-group-item"><i class="fa fa-fw me-2 %s"></i>%s</li>'
            )
            % (
                SUGGESTION_ICONS.get(item.kind, "fa-info"),
                self._archive_suggestion_text(item),
            )
            for item in items
        ]
        return Markup('<ul class="list-group">%s</ul>') % Markup("").join(rows)

    def action_archive_serve(self):
        """Open the serve-the-customer screen of this customer."""
        self.ensure_one()
        self._archive_check_report_access()
        self._archive_check_company_access()
        self._archive_log_access("serve")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Serve %(customer)s", customer=self.display_name),
            "res_model": "res.partner",
            "res_id": self.id,
            "view_mode": "form",
            "views": [
                (
                    self.env.ref("customer_archive.res_partner_view_form_serve").id,
                    "form",
                )
            ],
            "target": "current",
        }
