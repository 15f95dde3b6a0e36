from datetime import timedelta
from functools import partial

from odoo import api, models
from odoo.tools import SQL, format_date

from ..tools import classification
from .customer_archive_greeting import (
    GREETED_ARCHIVE_STATES,
    Candidate,
    GreetingRule,
)

INACTIVE_CYCLES = (classification.CYCLE_DORMANT, classification.CYCLE_LOST)


class CustomerArchiveGreeting(models.Model):
    """Follow-ups and reminders for the customers' responsible users."""

    _inherit = "customer.archive.greeting"

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

    # Scheduled actions

    @api.model
    def _greeting_schedule_follow_ups(self):
        """Schedule follow-ups of yesterday's customers in every company."""
        if not self._greeting_settings()["follow_up_yesterday"]:
            return True
        rules = []
        for company in self._greeting_companies():
            rules += self._greeting_follow_up_rules(
                company, self._greeting_today(company)
            )
        return self._greeting_run(rules)

    @api.model
    def _greeting_remind_depletions(self):
        """Remind the responsible users of purchases about to run out."""
        days = self._greeting_settings()["depletion_reminder_days"]
        if not days:
            return True
        rules = []
        for company in self._greeting_companies():
            rules += self._greeting_depletion_rules(
                company, self._greeting_today(company), days
            )
        return self._greeting_run(rules)

    @api.model
    def _greeting_remind_renewals(self):
        """Remind the responsible users of memberships due for renewal."""
        days = self._greeting_settings()["renewal_reminder_days"]
        if not days:
            return True
        rules = []
        for company in self._greeting_companies():
            rules += self._greeting_renewal_rules(
                company, self._greeting_today(company), days
            )
        return self._greeting_run(rules)

    @api.model
    def _greeting_reclassify_inactive(self):
        """Reclassify customers who became dormant or lost and re-invite them once."""
        reinvite = self._greeting_settings()["reinvitation"]
        rules = []
        for company in self._greeting_companies():
            rules += self._greeting_reinvitation_rules(
                company, self._greeting_today(company), reinvite
            )
        return self._greeting_run(rules)

    @api.model
    def _cron_schedule_follow_ups(self):
        return self.sudo()._greeting_schedule_follow_ups()

    @api.model
    def _cron_remind_depletions(self):
        return self.sudo()._greeting_remind_depletions()

    @api.model
    def _cron_remind_renewals(self):
        return self.sudo()._greeting_remind_renewals()

    @api.model
    def _cron_reclassify_inactive(self):
        return self.sudo()._greeting_reclassify_inactive()
