"""Selection of today's birthday customers by the birthday greeting action."""

from odoo.tools import SQL

from odoo.addons.customer_archive.models.customer_archive_greeting import (
    GREETED_ARCHIVE_STATES,
)
from odoo.addons.customer_archive.tools import birthdays, occasions

from ..harness import Case, Measurement, Target, measurement


@measurement("birthday_selection", "today's birthday customers, solar and lunar")
def birthday_selection(bench):
    env = bench.env
    Greeting = env["customer.archive.greeting"].sudo()
    company = env.company
    today = Greeting._greeting_today(company)

    def module():
        # The greeting action's own steps: its rules, one query per rule, and
        # the lunar and Feb 29 check on each batch of candidates.
        batch_size = Greeting._greeting_settings()["greeting_batch_size"]
        selected = []
        for rule in Greeting._greeting_birthday_rules(company, today, 0):
            candidates = Greeting._greeting_fetch(rule)
            for start in range(0, len(candidates), batch_size):
                accepted = rule.accept(candidates[start : start + batch_size])
                selected.extend(candidate.partner_id for candidate in accepted)
        return selected

    def naive():
        rows = (
            env["res.partner"]
            .sudo()
            .search_read(
                [
                    ("archive_state", "in", GREETED_ARCHIVE_STATES),
                    ("archive_company_id", "=", company.id),
                    ("archive_marketing_consent", "=", True),
                    ("archive_birthday", "!=", False),
                ],
                ["archive_birthday", "archive_birthday_calendar"],
            )
        )
        return [
            row["id"]
            for row in rows
            if birthdays.is_birthday(
                row["archive_birthday"], row["archive_birthday_calendar"], today
            )
        ]

    def floor():
        solar_pairs = occasions.birthday_index_keys(birthdays.SOLAR, today)
        lunar_pairs = occasions.birthday_index_keys(birthdays.LUNAR, today)
        env.cr.execute(
            SQL(
                """SELECT id, archive_birthday, archive_birthday_calendar
                     FROM res_partner
                    WHERE ((archive_birthday_calendar = 'solar'
                            AND (archive_birthday_month, archive_birthday_day) IN %s)
                        OR (archive_birthday_calendar = 'lunar'
                            AND (archive_birthday_month, archive_birthday_day) IN %s))
                      AND archive_birthday IS NOT NULL
                      AND active AND archive_state IN %s
                      AND archive_company_id = %s AND archive_marketing_consent""",
                tuple(sorted(solar_pairs)),
                tuple(sorted(lunar_pairs)),
                GREETED_ARCHIVE_STATES,
                company.id,
            )
        )
        return [
            partner_id
            for partner_id, born, calendar_kind in env.cr.fetchall()
            if birthdays.is_birthday(born, calendar_kind, today)
        ]

    return Measurement(
        cases=[
            Case(
                "module",
                "greeting action: _greeting_birthday_rules, _greeting_fetch, accept",
                module,
            ),
            Case(
                "naive",
                "search_read of every greeted customer's birthday, "
                "birthdays.is_birthday in Python",
                naive,
            ),
            Case(
                "floor",
                "one SQL query on the (month, day) index per calendar, "
                "is_birthday on its rows",
                floor,
            ),
        ],
        targets=[
            Target("naive", "module", at_least=100),
            Target("module", "floor", at_most=3),
        ],
        compare=["module", "naive", "floor"],
        notes=[f"day {today.isoformat()}"],
    )
