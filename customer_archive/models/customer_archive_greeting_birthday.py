from functools import partial

from odoo import api, models
from odoo.tools import SQL, format_date

from ..tools import birthdays, occasions
from .customer_archive_greeting import GreetingRule

BIRTHDAY_TEMPLATE_XMLID = "customer_archive.mail_template_birthday_greeting"


class CustomerArchiveGreeting(models.Model):
    """Birthday greetings (生日祝福), solar and lunar."""

    _inherit = "customer.archive.greeting"

    @api.model
    def _greeting_birthday_rules(self, company, today, days_ahead):
        """Return one rule per day from ``today`` to ``days_ahead`` days later.

        Customers are found through the stored birthday month and day index,
        which holds this year's solar date for lunar birthdays too; the pairs of
        ``occasions.birthday_index_keys`` select a small superset that
        ``_greeting_accept_birthdays`` narrows down. The occasion key is the
        year of the birthday, so a customer is greeted once a year even when a
        lunar birthday falls twice in one solar year.
        """
        rules = []
        for day in occasions.date_window(today, days_ahead):
            pairs = occasions.birthday_index_keys(
                birthdays.SOLAR, day
            ) | occasions.birthday_index_keys(birthdays.LUNAR, day)
            query = self._greeting_customer_query(
                company,
                [
                    ("archive_marketing_consent", "=", True),
                    ("archive_birthday", "!=", False),
                    ("archive_birthday_month", "in", sorted({m for m, _d in pairs})),
                    ("archive_birthday_day", "in", sorted({d for _m, d in pairs})),
                ],
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
    def _greeting_accept_birthdays(self, day, candidates):
        """Keep the candidates whose birthday, solar or lunar, falls on ``day``."""
        partners = self.env["res.partner"].browse([c.partner_id for c in candidates])
        born = {
            partner.id: (partner.archive_birthday, partner.archive_birthday_calendar)
            for partner in partners
        }
        return [
            candidate
            for candidate in candidates
            if birthdays.is_birthday(*born[candidate.partner_id], day)
        ]

    @api.model
    def _greeting_birthday_template(self):
        """Return the birthday template chosen in the settings, else the default."""
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

    @api.model
    def _greeting_send_birthdays(self):
        """Greet the customers whose birthday falls within the days-ahead window."""
        settings = self._greeting_settings()
        if settings["birthday_channel"] == "off":
            return True
        rules = []
        for company in self._greeting_companies():
            today = self._greeting_today(company)
            rules += self._greeting_birthday_rules(
                company, today, settings["birthday_days_ahead"]
            )
        return self._greeting_run(rules)

    @api.model
    def _cron_send_birthday_greetings(self):
        return self.sudo()._greeting_send_birthdays()
