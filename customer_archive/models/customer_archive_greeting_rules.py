from datetime import date, timedelta
from functools import partial

from odoo import api, models
from odoo.fields import Domain
from odoo.tools import SQL, format_date

from ..tools import birthdays, classification, occasions
from .customer_archive_greeting import (
    GREETED_ARCHIVE_STATES,
    Candidate,
    GreetingRule,
)

BIRTHDAY_TEMPLATE_XMLID = "customer_archive.mail_template_birthday_greeting"
INACTIVE_CYCLES = (classification.CYCLE_DORMANT, classification.CYCLE_LOST)


class CustomerArchiveGreeting(models.Model):
    """Scheduled greetings and reminders: whom each finds and what it delivers."""

    _inherit = "customer.archive.greeting"

    # Birthdays (生日祝福), solar and lunar
    @api.model
    def _greeting_birthday_rules(self, company, today, days_ahead):
        """Return one rule per day from ``today`` to ``days_ahead`` days later.

        Customers are found through the stored birthday month and day index,
        which contains this year's solar date for lunar birthdays too; the pairs of
        ``occasions.birthday_index_keys`` select a small superset that
        ``_greeting_accept_birthdays`` narrows down. The occasion key is the
        year of the birthday, so a customer is greeted once a year even when a
        lunar birthday falls twice in one solar year.
        """
        rules = []
        for day in occasions.date_window(today, days_ahead):
            query = self._greeting_customer_query(
                company,
                Domain.AND(
                    [
                        [
                            ("archive_marketing_consent", "=", True),
                            ("archive_birthday", "!=", False),
                        ],
                        Domain.OR(
                            self._greeting_birthday_pairs_domain(calendar_kind, day)
                            for calendar_kind in (birthdays.SOLAR, birthdays.LUNAR)
                        ),
                    ]
                ),
            )
            rules.append(
                GreetingRule(
                    kind="birthday",
                    company_id=company.id,
                    query=query,
                    sort_key=SQL("res_partner.id"),
                    partner=SQL("res_partner.id"),
                    occasion_key=SQL("%s", f"birthday:{day.year}"),
                    date=SQL("%s", day),
                    accept=partial(self._greeting_accept_birthdays, day),
                )
            )
        return rules

    @api.model
    def _greeting_birthday_pairs_domain(self, calendar_kind, day):
        """Return the domain of ``calendar_kind`` birthdays stored on a pair of ``day``.

        Each month and day pair is matched as a pair and only for its own
        calendar. Lists of months and of days would also match their cross
        product, and the lunar pairs of the years around ``day`` would also
        match solar birthdays: in the benchmark, each doubled the candidates.
        """
        pairs = sorted(occasions.birthday_index_keys(calendar_kind, day))
        domain = Domain("archive_birthday_calendar", "=", calendar_kind) & Domain.OR(
            Domain("archive_birthday_month", "=", month)
            & Domain("archive_birthday_day", "=", month_day)
            for month, month_day in pairs
        )
        if calendar_kind == birthdays.LUNAR:
            domain &= self._greeting_lunar_date_domain(day)
        return domain

    @api.model
    def _greeting_lunar_date_domain(self, day):
        """Return the domain leaving out lunar birthdays stored on another day.

        The pairs of the years around ``day`` also match customers whose lunar
        birthday falls on that pair's date this year, and each of them would
        need a lunar calendar computation to be rejected. Their stored date of
        this year rejects them in SQL. A lunar birthday falls twice in one
        solar year only when the first date, the one stored, is in early
        January, so stored dates before March stay candidates.
        """
        return (
            Domain("archive_birthday_date", "=", False)
            | Domain("archive_birthday_date", "=", day)
            | Domain("archive_birthday_date", "<", date(day.year, 3, 1))
            | Domain("archive_birthday_date", ">", date(day.year, 12, 31))
        )

    @api.model
    def _greeting_accept_birthdays(self, day, candidates):
        """Keep the candidates whose birthday, solar or lunar, falls on ``day``.

        A stored date of this year equal to ``day`` is a birthday; the others
        are checked with the calendar rules.
        """
        partners = self.env["res.partner"].browse([c.partner_id for c in candidates])
        # Read only the fields the check needs, not every prefetched column.
        partners.fetch(
            ["archive_birthday", "archive_birthday_calendar", "archive_birthday_date"]
        )
        born = {
            partner.id: (
                partner.archive_birthday_date,
                partner.archive_birthday,
                partner.archive_birthday_calendar,
            )
            for partner in partners
        }
        accepted = []
        for candidate in candidates:
            stored_date, birth_date, calendar_kind = born[candidate.partner_id]
            if stored_date == day or birthdays.is_birthday(
                birth_date, calendar_kind, day
            ):
                accepted.append(candidate)
        return accepted

    @api.model
    def _greeting_birthday_template(self):
        """Return the birthday template chosen in the settings, else the default."""
        # sudo: archive users may not read ir.config_parameter; only the
        # template id is read.
        template_id = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("customer_archive.birthday_template_id")
        )
        template = self.env["mail.template"]
        if template_id and template_id.isdigit():
            template = template.browse(int(template_id)).exists()
        return template or self.env.ref(BIRTHDAY_TEMPLATE_XMLID, False)

    def _deliver_birthday(self):
        """Send the birthday e-mail, or schedule a call when e-mail is not possible."""
        self.ensure_one()
        settings = self._greeting_settings()
        if settings["birthday_channel"] == "email" and self._greeting_can_email():
            self._greeting_send_mail(self._greeting_birthday_template())
            return
        user = self._greeting_responsible_user()
        env = self._greeting_user_env(user)
        self._greeting_schedule_activity(
            env._("Wish %(customer)s a happy birthday", customer=self.partner_id.name),
            env._(
                "%(customer)s celebrates their birthday on %(date)s. Call to pass on "
                "the store's warm wishes.",
                customer=self.partner_id.name,
                date=format_date(env, self.date),
            ),
            deadline=self.date,
            user=user,
        )

    # Yesterday's customers (跟进昨天顾客)

    @api.model
    def _greeting_yesterday_interaction_queries(self, day):
        """Return SQL queries selecting the ids of customers who came on ``day``.

        Meant to be overridden: each journal model (purchases here; tastings,
        services…) adds a query returning one ``partner_id`` column.
        """
        return [
            SQL(
                "SELECT partner_id FROM customer_archive_purchase WHERE date = %s",
                day,
            )
        ]

    @api.model
    def _greeting_follow_up_rules(self, company, today):
        day = today - timedelta(days=1)
        queries = self._greeting_yesterday_interaction_queries(day)
        query = self._greeting_customer_query(company, [])
        query.add_where(SQL("res_partner.id IN (%s)", SQL(" UNION ").join(queries)))
        return [
            GreetingRule(
                kind="follow_up",
                company_id=company.id,
                query=query,
                sort_key=SQL("res_partner.id"),
                partner=SQL("res_partner.id"),
                occasion_key=SQL("%s", f"follow_up:{day.isoformat()}"),
                date=SQL("%s", day),
            )
        ]

    def _deliver_follow_up(self):
        self.ensure_one()
        user = self._greeting_responsible_user()
        env = self._greeting_user_env(user)
        self._greeting_schedule_activity(
            env._("Follow up with %(customer)s", customer=self.partner_id.name),
            env._(
                "%(customer)s came to the store on %(date)s. Call to ask how they "
                "are getting on with what they bought or tasted.",
                customer=self.partner_id.name,
                date=format_date(env, self.date),
            ),
            deadline=self.date + timedelta(days=1),
            user=user,
        )

    # Products about to run out

    @api.model
    def _greeting_depletion_rules(self, company, today, days):
        # sudo: the query feeds the scheduled action's SQL only, filtered by
        # the company in its domain.
        query = (
            self.env["customer.archive.purchase"]
            .sudo()
            ._search(
                [
                    ("depletion_date", ">=", today),
                    ("depletion_date", "<=", today + timedelta(days=days)),
                ]
            )
        )
        partner_alias = query.join(
            "customer_archive_purchase", "partner_id", "res_partner", "id", "partner"
        )
        query.add_where(
            SQL(
                """%(partner)s.active AND %(partner)s.archive_state IN %(states)s
                   AND %(partner)s.archive_company_id = %(company)s
                   AND NOT EXISTS (
                       SELECT 1 FROM customer_archive_purchase later
                        WHERE later.partner_id = customer_archive_purchase.partner_id
                          AND later.product = customer_archive_purchase.product
                          AND later.date > customer_archive_purchase.date)""",
                partner=SQL.identifier(partner_alias),
                states=GREETED_ARCHIVE_STATES,
                company=company.id,
            )
        )
        return [
            GreetingRule(
                kind="depletion",
                company_id=company.id,
                query=query,
                sort_key=SQL("customer_archive_purchase.id"),
                partner=SQL("customer_archive_purchase.partner_id"),
                occasion_key=SQL("'depletion:' || customer_archive_purchase.id"),
                date=SQL("customer_archive_purchase.depletion_date"),
                purchase=SQL("customer_archive_purchase.id"),
            )
        ]

    def _deliver_depletion(self):
        self.ensure_one()
        user = self._greeting_responsible_user()
        env = self._greeting_user_env(user)
        purchase = self.purchase_id
        self._greeting_schedule_activity(
            env._(
                "%(customer)s will run out of %(product)s",
                customer=self.partner_id.name,
                product=purchase.product,
            ),
            env._(
                "The %(product)s bought on %(purchase_date)s should run out around "
                "%(date)s. Call to offer a refill.",
                product=purchase.product,
                purchase_date=format_date(env, purchase.date),
                date=format_date(env, self.date),
            ),
            deadline=self._greeting_today(self.company_id),
            user=user,
        )

    # Membership renewals

    @api.model
    def _greeting_renewal_rules(self, company, today, days):
        query = self._greeting_customer_query(
            company,
            [
                ("archive_is_member", "=", True),
                ("archive_member_renewal_date", ">=", today),
                ("archive_member_renewal_date", "<=", today + timedelta(days=days)),
            ],
        )
        return [
            GreetingRule(
                kind="renewal",
                company_id=company.id,
                query=query,
                sort_key=SQL("res_partner.id"),
                partner=SQL("res_partner.id"),
                occasion_key=SQL(
                    "'renewal:' || to_char(res_partner.archive_member_renewal_date, "
                    "'YYYY-MM-DD')"
                ),
                date=SQL("res_partner.archive_member_renewal_date"),
            )
        ]

    def _deliver_renewal(self):
        self.ensure_one()
        user = self._greeting_responsible_user()
        env = self._greeting_user_env(user)
        self._greeting_schedule_activity(
            env._(
                "Renew the membership of %(customer)s", customer=self.partner_id.name
            ),
            env._(
                "The membership of %(customer)s is due for renewal on %(date)s. "
                "Call to offer the renewal.",
                customer=self.partner_id.name,
                date=format_date(env, self.date),
            ),
            deadline=self._greeting_today(self.company_id),
            user=user,
        )

    # Dormant and lost customers

    @api.model
    def _greeting_reinvitation_rules(self, company, today, reinvite):
        """Return the rule reclassifying customers past the dormant or lost limit.

        The candidates are the customers whose stored activity cycle is behind
        their last interaction date, found through the (cycle, last interaction)
        index. Every run reclassifies them; rows are not skipped when already in
        the register, because a customer re-invited as dormant must still become
        lost later.

        NOTE: a customer reclassified by another path first (editing or deleting
        a purchase recomputes the cycle) is no longer a candidate here, so it
        gets no re-invitation.
        """
        _thresholds, dormant_days, lost_days = self.env[
            "res.partner"
        ]._archive_classification_settings()
        query = self._greeting_customer_query(
            company,
            [
                "|",
                "&",
                (
                    "archive_activity_cycle",
                    "in",
                    (classification.CYCLE_NEW, classification.CYCLE_ACTIVE),
                ),
                (
                    "archive_last_interaction_date",
                    "<=",
                    today - timedelta(days=dormant_days),
                ),
                "&",
                ("archive_activity_cycle", "=", classification.CYCLE_DORMANT),
                (
                    "archive_last_interaction_date",
                    "<=",
                    today - timedelta(days=lost_days),
                ),
            ],
        )
        return [
            GreetingRule(
                kind="reinvitation",
                company_id=company.id,
                query=query,
                sort_key=SQL("res_partner.id"),
                partner=SQL("res_partner.id"),
                occasion_key=SQL("'reinvitation'"),
                date=SQL("%s", today),
                skip_done=False,
                accept=partial(self._greeting_accept_reclassified, today, reinvite),
            )
        ]

    @api.model
    def _greeting_accept_reclassified(self, today, reinvite, candidates):
        """Reclassify the candidates; return those to re-invite.

        The occasion key is the last interaction date: a customer is re-invited
        once per stretch of inactivity, when first found dormant or lost, and
        again only after a new interaction and a new lapse.
        """
        partners = self.env["res.partner"].browse([c.partner_id for c in candidates])
        partners._archive_recompute_classification(today)
        if not reinvite:
            return []
        return [
            Candidate(
                partner.id,
                partner.id,
                f"reinvitation:{partner.archive_last_interaction_date.isoformat()}",
                today,
                None,
            )
            for partner in partners
            if partner.archive_activity_cycle in INACTIVE_CYCLES
            and partner.archive_last_interaction_date
        ]

    def _deliver_reinvitation(self):
        self.ensure_one()
        user = self._greeting_responsible_user()
        env = self._greeting_user_env(user)
        self._greeting_schedule_activity(
            env._("Invite %(customer)s back", customer=self.partner_id.name),
            env._(
                "%(customer)s has not been in touch since %(date)s. Call to invite "
                "them back, for example to a tasting.",
                customer=self.partner_id.name,
                date=format_date(env, self.partner_id.archive_last_interaction_date),
            ),
            deadline=self.date,
            user=user,
        )

    # Scheduled actions: each runs its rules for every company, on the
    # company's own "today". They run in sudo mode because the greeting
    # register has no create right for anyone; nothing they read is returned
    # to a user.

    @api.model
    def _cron_send_birthday_greetings(self):
        greetings = self.sudo()
        settings = greetings._greeting_settings()
        if settings["birthday_channel"] == "off":
            return True
        return greetings._greeting_run_per_company(
            greetings._greeting_birthday_rules, settings["birthday_days_ahead"]
        )

    @api.model
    def _cron_schedule_follow_ups(self):
        greetings = self.sudo()
        if not greetings._greeting_settings()["follow_up_yesterday"]:
            return True
        return greetings._greeting_run_per_company(greetings._greeting_follow_up_rules)

    @api.model
    def _cron_remind_depletions(self):
        greetings = self.sudo()
        days = greetings._greeting_settings()["depletion_reminder_days"]
        if not days:
            return True
        return greetings._greeting_run_per_company(
            greetings._greeting_depletion_rules, days
        )

    @api.model
    def _cron_remind_renewals(self):
        greetings = self.sudo()
        days = greetings._greeting_settings()["renewal_reminder_days"]
        if not days:
            return True
        return greetings._greeting_run_per_company(
            greetings._greeting_renewal_rules, days
        )

    @api.model
    def _cron_reclassify_inactive(self):
        greetings = self.sudo()
        return greetings._greeting_run_per_company(
            greetings._greeting_reinvitation_rules,
            greetings._greeting_settings()["reinvitation"],
        )
