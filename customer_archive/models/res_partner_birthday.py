import calendar
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import birthdays, occasions
from .customer_archive_greeting import Candidate

_logger = logging.getLogger(__name__)

BIRTHDAY_FIELDS = [
    "archive_birthday_month",
    "archive_birthday_day",
    "archive_birthday_date",
]
LUNAR_REFRESH_BATCH_SIZE = 1000


class ResPartner(models.Model):
    """Birthdays of the year: the yearly refresh, the calendar and its buttons."""

    _inherit = "res.partner"

    # Calendar buttons

    def action_archive_birthday_greeting(self):
        """Greet the customer for this year's birthday, once per year.

        The greeting goes through the greeting register like the scheduled
        birthday greetings: by e-mail when the settings choose e-mail and the
        customer has a usable address, otherwise as a call activity. A customer
        already greeted this year is not greeted again.
        """
        self.ensure_one()
        # The greeting machinery below runs in sudo mode and uses up the
        # customer's greeting of the year.
        self._archive_check_caller()
        if not self.archive_birthday_date:
            raise UserError(
                self.env._(
                    "%(customer)s has no birthday in %(year)s; enter the birthday "
                    "on the Archive tab first.",
                    customer=self.display_name,
                    year=fields.Date.context_today(self).year,
                )
            )
        if not self.archive_marketing_consent:
            raise UserError(
                self.env._(
                    "%(customer)s has not agreed to be contacted for greetings. "
                    "Record their marketing consent first, or schedule a call "
                    "instead.",
                    customer=self.display_name,
                )
            )
        day = self.archive_birthday_date
        occasion_key = f"birthday:{day.year}"
        # sudo: archive users may only read the greeting register, whose rows
        # the greeting machinery writes on their behalf.
        greetings = self.env["customer.archive.greeting"].sudo()
        claimed = greetings._greeting_claim(
            [Candidate(self.id, self.id, occasion_key, day, None)],
            "birthday",
            (self.archive_company_id or self.env.company).id,
        )
        if not claimed:
            return self._archive_notification(
                self.env._(
                    "%(customer)s was already greeted for the birthday of %(year)s.",
                    customer=self.display_name,
                    year=day.year,
                ),
                "warning",
            )
        claimed._greeting_deliver()
        if claimed.state != "done":
            return self._archive_notification(
                self.env._(
                    "The birthday greeting to %(customer)s failed: %(error)s",
                    customer=self.display_name,
                    error=claimed.error_message,
                ),
                "danger",
            )
        if claimed.channel == "email":
            message = self.env._(
                "A birthday e-mail to %(customer)s is queued.",
                customer=self.display_name,
            )
        else:
            message = self.env._(
                "A birthday call to %(customer)s is scheduled for %(user)s.",
                customer=self.display_name,
                user=claimed.activity_id.user_id.name or self.env.user.name,
            )
        return self._archive_notification(message, "success")

    def action_archive_birthday_call(self):
        """Open the activity dialog with a birthday call to the customer."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        deadline = self.archive_birthday_date or today
        user = self.archive_user_id or self.user_id or self.env.user
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Schedule a Birthday Call"),
            "res_model": "mail.activity.schedule",
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "new",
            "context": {
                "active_model": self._name,
                "active_id": self.id,
                "active_ids": self.ids,
                "default_activity_type_id": self.env.ref(
                    "mail.mail_activity_data_call"
                ).id,
                "default_summary": self.env._(
                    "Wish %(customer)s a happy birthday", customer=self.name
                ),
                "default_date_deadline": fields.Date.to_string(max(deadline, today)),
                "default_activity_user_id": user.id,
            },
        }

    def _archive_notification(self, message, notification_type):
        """Return an action showing ``message`` and closing the birthday dialog."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": notification_type,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # Birthdays in a period

    @api.model
    def _archive_birthday_domain(self, start, end):
        """Return a domain of the registered customers with a birthday in a period.

        ``start`` and ``end`` are included. The stored month and day select a
        superset through their index; each candidate is then checked with
        ``birthdays.is_birthday``, so lunar birthdays, February 29 and periods
        across the new year are exact. The domain lists the matching ids.
        """
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        pairs = set()
        for day in days:
            pairs |= occasions.birthday_index_keys(birthdays.SOLAR, day)
            pairs |= occasions.birthday_index_keys(birthdays.LUNAR, day)
        candidates = self.search(
            [
                ("archive_number", "!=", False),
                ("archive_birthday", "!=", False),
                ("archive_birthday_month", "in", sorted({m for m, _d in pairs})),
                ("archive_birthday_day", "in", sorted({d for _m, d in pairs})),
            ]
        )
        matching = candidates.filtered(
            lambda partner: any(
                birthdays.is_birthday(
                    partner.archive_birthday, partner.archive_birthday_calendar, day
                )
                for day in days
            )
        )
        return [("id", "in", matching.ids)]

    # Yearly refresh

    @api.model
    def _cron_refresh_lunar_birthdays(self):
        """Move every stored birthday to this year's solar date.

        Solar birthdays move in one SQL UPDATE; lunar birthdays are converted
        in Python, batch by batch, with the cron's progress committed after
        each batch. Rows already on this year are left alone, so a second run
        costs one scan and writes nothing.
        """
        year = fields.Date.context_today(self).year
        cron = self.env["ir.cron"]
        solar_count = self._archive_refresh_solar_birthdays(year)
        lunar_ids = self._archive_lunar_birthdays_to_refresh(year)
        _logger.info(
            "Birthdays of %s: %s solar birthdays moved, %s lunar birthdays to convert",
            year,
            solar_count,
            len(lunar_ids),
        )
        cron._commit_progress(solar_count, remaining=len(lunar_ids))
        done = 0
        for start in range(0, len(lunar_ids), LUNAR_REFRESH_BATCH_SIZE):
            batch = self.browse(lunar_ids[start : start + LUNAR_REFRESH_BATCH_SIZE])
            for name in BIRTHDAY_FIELDS:
                self.env.add_to_compute(self._fields[name], batch)
            batch._recompute_recordset(BIRTHDAY_FIELDS)
            done += len(batch)
            _logger.info(
                "Birthdays of %s: %s/%s lunar birthdays converted",
                year,
                done,
                len(lunar_ids),
            )
            if not cron._commit_progress(len(batch)):
                return False
        return True

    @api.model
    def _archive_refresh_solar_birthdays(self, year):
        """Set the stored birthday of every solar birthday to ``year``.

        February 29 becomes February 28 in common years, as in
        ``birthdays.solar_birthday_in_year``. Returns the number of rows moved.
        """
        self.flush_model(
            ["archive_birthday", "archive_birthday_calendar", *BIRTHDAY_FIELDS]
        )
        birth_month = SQL("EXTRACT(MONTH FROM partner.archive_birthday)::int")
        birth_day = SQL("EXTRACT(DAY FROM partner.archive_birthday)::int")
        this_year = SQL(
            """CASE WHEN %(month)s = 2 AND %(day)s = 29 AND NOT %(leap)s
                    THEN make_date(%(year)s, 2, 28)
                    ELSE make_date(%(year)s, %(month)s, %(day)s) END""",
            month=birth_month,
            day=birth_day,
            leap=calendar.isleap(year),
            year=year,
        )
        self.env.cr.execute(
            SQL(
                """UPDATE res_partner
                      SET archive_birthday_date = refreshed.birthday,
                          archive_birthday_month
                              = EXTRACT(MONTH FROM refreshed.birthday),
                          archive_birthday_day = EXTRACT(DAY FROM refreshed.birthday)
                     FROM (SELECT partner.id, %(this_year)s AS birthday
                             FROM res_partner partner
                            WHERE partner.archive_birthday IS NOT NULL
                              AND partner.archive_birthday_calendar = %(solar)s
                          ) AS refreshed
                    WHERE res_partner.id = refreshed.id
                      AND res_partner.archive_birthday_date
                          IS DISTINCT FROM refreshed.birthday""",
                this_year=this_year,
                solar=birthdays.SOLAR,
            )
        )
        count = self.env.cr.rowcount
        self.invalidate_model(BIRTHDAY_FIELDS)
        return count

    @api.model
    def _archive_lunar_birthdays_to_refresh(self, year):
        """Return the ids of lunar birthdays whose stored date is not in ``year``.

        A lunar birthday without a date in ``year`` stays empty and is
        converted again by every run; a few customers a year are concerned.
        """
        self.flush_model(
            ["archive_birthday", "archive_birthday_calendar", *BIRTHDAY_FIELDS]
        )
        self.env.cr.execute(
            SQL(
                """SELECT id FROM res_partner
                    WHERE archive_birthday IS NOT NULL
                      AND archive_birthday_calendar = %s
                      AND (archive_birthday_date IS NULL
                           OR EXTRACT(YEAR FROM archive_birthday_date) != %s)
                 ORDER BY id""",
                birthdays.LUNAR,
                year,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]
