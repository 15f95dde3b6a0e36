"""Selection of the documents whose retention period is over."""

import datetime

from odoo.tools import SQL

from ..harness import Case, Measurement, Target, measurement

ONE_DAY = datetime.timedelta(days=1)


@measurement("retention_due", "documents due for destruction (retention date passed)")
def retention_due(bench):
    # The fixture's documents whose retention date passed before its day are
    # already due, as the daily expiry leaves them. The measured day is the
    # next one, so the selection finds the documents that expired since, as
    # the expiry's daily run does.
    env = bench.env
    Document = env["customer.archive.document"].sudo()
    day = datetime.date.fromisoformat(bench.facts["today"]) + ONE_DAY

    def module():
        Document.flush_model()
        env.cr.execute(Document._retention_candidates_query("due", day, day))
        return [row[0] for row in env.cr.fetchall()]

    def naive():
        held_partner_ids = set(
            env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("archive_legal_hold", "=", True)])
            .ids
        )
        # load=None reads the customer's id without its display name.
        rows = Document.search_read(
            [],
            ["retention_date", "retention_state", "legal_hold", "partner_id"],
            load=None,
        )
        return [
            row["id"]
            for row in rows
            if row["retention_state"] == "active"
            and row["retention_date"]
            and row["retention_date"] < day
            and not row["legal_hold"]
            and row["partner_id"] not in held_partner_ids
        ]

    def floor():
        env.cr.execute(
            SQL(
                """SELECT document.id FROM customer_archive_document document
                    WHERE document.retention_state = 'active'
                      AND document.retention_date < %s
                      AND document.legal_hold IS NOT TRUE
                      AND NOT EXISTS (
                          SELECT 1 FROM res_partner partner
                           WHERE partner.id = document.partner_id
                             AND partner.archive_legal_hold)""",
                day,
            )
        )
        return [row[0] for row in env.cr.fetchall()]

    return Measurement(
        cases=[
            Case(
                "module",
                "the retention expiry's candidate query "
                "(_retention_candidates_query, partial index on active documents)",
                module,
            ),
            Case(
                "naive",
                "search_read of every document's retention fields, filter in Python",
                naive,
            ),
            Case(
                "floor", "one SQL query on the active documents' retention date", floor
            ),
        ],
        targets=[
            Target("naive", "module", at_least=100),
            Target("module", "floor", at_most=3),
        ],
        compare=["module", "naive", "floor"],
        notes=[f"day {day.isoformat()}"],
    )
