import logging

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools import classification, occasions
from .customer_archive_greeting import GreetingRule

_logger = logging.getLogger(__name__)

MINIMUM_TIERS = {
    classification.TIER_LOW: (
        classification.TIER_LOW,
        classification.TIER_MEDIUM,
        classification.TIER_HIGH,
    ),
    classification.TIER_MEDIUM: (classification.TIER_MEDIUM, classification.TIER_HIGH),
    classification.TIER_HIGH: (classification.TIER_HIGH,),
}


class CustomerArchiveOccasion(models.Model):
    """Festival (节日) whose greeting e-mail goes to the targeted customers yearly."""

    _name = "customer.archive.occasion"
    _description = "Festival Greeting"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        [
            (occasions.SOLAR, "Solar Date"),
            (occasions.LUNAR, "Lunar Date"),
            (occasions.HOLIDAY, "Public Holiday"),
        ],
        required=True,
        default=occasions.SOLAR,
        help="Solar Date: the same month and day every year. Lunar Date: a month "
        "and day of the Chinese lunar calendar. Public Holiday: a holiday of the "
        "country's calendar from the holidays library.",
    )
    month = fields.Integer(help="Month, 1 to 12, of a solar or lunar date.")
    day = fields.Integer(help="Day of the month of a solar or lunar date.")
    country_id = fields.Many2one(
        "res.country",
        string="Holiday Country",
        default=lambda self: self.env.ref("base.cn", False),
    )
    holiday_subdivision = fields.Char(
        help="Optional code of a state or province with its own holidays, e.g. HK.",
    )
    holiday_name = fields.Char(
        help="Name of the holiday in English or in the country's language, as "
        "the holidays library spells it, e.g. Dragon Boat Festival or 端午节.",
    )
    days_before = fields.Integer(
        string="Send Days Before",
        default=0,
        help="Number of days before the festival from which the greeting is sent; "
        "0 sends it on the day.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        required=True,
        domain=[("model", "=", "res.partner")],
        ondelete="restrict",
    )
    folder_ids = fields.Many2many(
        "customer.archive.folder",
        "customer_archive_occasion_folder_rel",
        "occasion_id",
        "folder_id",
        string="Folders",
        help="Only customers of these folders; empty for every folder.",
    )
    category_ids = fields.Many2many(
        "customer.archive.category",
        "customer_archive_occasion_category_rel",
        "occasion_id",
        "category_id",
        string="Categories",
        help="Only customers in one of these categories or their subcategories; "
        "empty for every customer.",
    )
    minimum_tier = fields.Selection(
        [
            (classification.TIER_LOW, "Low and Above"),
            (classification.TIER_MEDIUM, "Medium and Above"),
            (classification.TIER_HIGH, "High Only"),
        ],
        string="Consumption Tier",
        help="Only customers of this consumption tier or above; empty for every "
        "customer, including those without purchases.",
    )
    members_only = fields.Boolean()
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    next_date = fields.Date(
        compute="_compute_next_date",
        help="Next date of the festival, in the company's time zone.",
    )
    greeting_count = fields.Integer(
        string="Greetings", compute="_compute_greeting_count"
    )

    _days_before_not_negative = models.Constraint(
        "CHECK (days_before >= 0)", "The days before a festival must not be negative."
    )

    @api.depends("kind", "month", "day", "country_id", "holiday_name", "days_before")
    def _compute_next_date(self):
        greeting = self.env["customer.archive.greeting"]
        for occasion in self:
            today = greeting._greeting_today(occasion.company_id or self.env.company)
            try:
                dates = occasion._occasion_dates(today.year) + occasion._occasion_dates(
                    today.year + 1
                )
            except ValueError:
                dates = []
            upcoming = [date for date in dates if date >= today]
            occasion.next_date = upcoming[0] if upcoming else False

    def _compute_greeting_count(self):
        counts = dict(
            self.env["customer.archive.greeting"]._read_group(
                [("occasion_id", "in", self.ids)], ["occasion_id"], ["__count"]
            )
        )
        for occasion in self:
            occasion.greeting_count = counts.get(occasion, 0)

    @api.constrains(
        "kind", "month", "day", "country_id", "holiday_name", "holiday_subdivision"
    )
    def _check_date(self):
        for occasion in self:
            if occasion.kind in (occasions.SOLAR, occasions.LUNAR):
                occasion._check_month_day()
            else:
                occasion._check_holiday()

    def _check_month_day(self):
        try:
            self._occasion_dates(2000)  # a leap year: every valid date exists
        except ValueError as error:
            raise ValidationError(
                self.env._(
                    "The date %(month)s/%(day)s of the festival “%(name)s” is "
                    "invalid: enter a month from 1 to 12 and a day that exists in "
                    "that month (lunar days go up to 30).",
                    month=self.month,
                    day=self.day,
                    name=self.name,
                )
            ) from error

    def _check_holiday(self):
        if not self.country_id or not self.holiday_name:
            raise ValidationError(
                self.env._(
                    "The festival “%(name)s” is a public holiday: choose its country "
                    "and enter the holiday name.",
                    name=self.name,
                )
            )
        year = fields.Date.context_today(self).year
        try:
            found = self._occasion_dates(year) or self._occasion_dates(year + 1)
            names = occasions.holiday_names(
                self.country_id.code, year, self.holiday_subdivision
            )
        except ValueError as error:
            raise ValidationError(
                self.env._(
                    "The holidays of %(country)s%(subdivision)s are not available: "
                    "%(error)s. Choose another country or clear the subdivision.",
                    country=self.country_id.name,
                    subdivision=(
                        f" ({self.holiday_subdivision})"
                        if self.holiday_subdivision
                        else ""
                    ),
                    error=error,
                )
            ) from error
        if not found:
            raise ValidationError(
                self.env._(
                    "No holiday of %(country)s is named “%(holiday)s” in %(year)s "
                    "or the year after. Use one of: %(names)s.",
                    country=self.country_id.name,
                    holiday=self.holiday_name,
                    year=year,
                    names=", ".join(names),
                )
            )

    def _occasion_dates(self, year):
        """Return the dates of the festival in ``year``; raise ValueError if invalid."""
        self.ensure_one()
        return occasions.occasion_dates_in_year(
            self.kind,
            year,
            month=self.month,
            day=self.day,
            country=self.country_id.code,
            holiday_name=self.holiday_name,
            subdivision=self.holiday_subdivision,
        )

    def _occasion_due_date(self, today):
        """Return the festival date whose greeting is due on ``today``, or None."""
        self.ensure_one()
        dates = self._occasion_dates(today.year) + self._occasion_dates(today.year + 1)
        return occasions.due_occurrence(dates, today, self.days_before)

    def _occasion_customer_domain(self):
        """Return the domain of the customers this festival greets.

        Meant to be overridden to add targeting criteria.
        """
        self.ensure_one()
        domain = [
            ("archive_marketing_consent", "=", True),
            ("email_normalized", "!=", False),
        ]
        if self.folder_ids:
            domain.append(("archive_folder_id", "in", self.folder_ids.ids))
        if self.category_ids:
            domain.append(("archive_category_ids", "child_of", self.category_ids.ids))
        if self.minimum_tier:
            domain.append(("archive_tier", "in", MINIMUM_TIERS[self.minimum_tier]))
        if self.members_only:
            domain.append(("archive_is_member", "=", True))
        return domain

    def _occasion_greeting_rules(self):
        """Return a rule for each festival whose greeting is due today."""
        greeting = self.env["customer.archive.greeting"]
        rules = []
        for occasion in self:
            today = greeting._greeting_today(occasion.company_id)
            try:
                due = occasion._occasion_due_date(today)
            except ValueError:
                _logger.exception(
                    "Festival %s (%s) has an invalid date; no greeting sent",
                    occasion.id,
                    occasion.name,
                )
                continue
            if not due:
                continue
            query = greeting._greeting_customer_query(
                occasion.company_id, occasion._occasion_customer_domain()
            )
            query.add_where(greeting._greeting_not_blacklisted_sql())
            rules.append(
                GreetingRule(
                    kind="festival",
                    company_id=occasion.company_id.id,
                    query=query,
                    sort_key=SQL("res_partner.id"),
                    partner=SQL("res_partner.id"),
                    occasion_key=SQL("%s", f"festival:{occasion.id}:{due.year}"),
                    date=SQL("%s", due),
                    occasion_id=occasion.id,
                )
            )
        return rules

    def action_open_greetings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_archive.customer_archive_greeting_action"
        )
        action["domain"] = [("occasion_id", "=", self.id)]
        action["context"] = {}
        return action

    @api.model
    def _cron_send_festival_greetings(self):
        # sudo: the scheduled action serves the festivals of every company;
        # nothing it reads is returned to a user.
        rules = self.sudo().search([])._occasion_greeting_rules()
        return self.env["customer.archive.greeting"].sudo()._greeting_run(rules)
