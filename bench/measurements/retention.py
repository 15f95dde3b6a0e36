"""Selection of the documents whose retention period is over."""

import datetime

from odoo.tools import SQL

from ..harness import Case, Measurement, Target, measurement


@measurement("retention_due", "documents due for destruction (retention date passed)")
def retention_due(bench):
    # NOTE: the module has no destruction state or legal hold yet, so "due"
    # means a retention date up to today. When they land, the module case
    # calls the retention expiry's own selection, and the naive and floor
    # cases leave out destroyed and held documents too.
    env = bench.env
    Document = env["customer.archive.document"].sudo()
    today = datetime.date.fromisoformat(bench.facts["today"])

    def module():
        return Document.search([("retention_date", "<=", today)], order="id").ids

    def naive():
        rows = Document.search_read([], ["retention_date"])
        return [
            row["id"]
            for row in rows
            if row["retention_date"] and row["retention_date"] <= today
        ]

    def floor():
        env.cr.execute(
            SQL(
                "SELECT id FROM customer_archive_document WHERE retention_date <= %s",
                today,
            )
        )
        return [row[0] for row in env.cr.fetchall()]

    return Measurement(
        cases=[
            Case("module", "ORM search on the stored, indexed retention_date", module),
            Case(
                "naive",
                "search_read of every document's retention date, filter in Python",
                naive,
            ),
            Case("floor", "one SQL query on retention_date", floor),
        ],
        targets=[
            Target("naive", "module", at_least=100),
            Target("module", "floor", at_most=3),
        ],
        compare=["module", "naive", "floor"],
        notes=[f"day {today.isoformat()}"],
    )
