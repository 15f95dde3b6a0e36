import calendar
import logging

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import birthdays

_logger = logging.getLogger(__name__)

BIRTHDAY_FIELDS = [
    "archive_birthday_month",
    "archive_birthday_day",
    "archive_birthday_date",
]
LUNAR_REFRESH_BATCH_SIZE = 1000


class ResPartner(models.Model):
    """Birthdays of the year and their yearly refresh."""

    _inherit = "res.partner"

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
