"""Recomputation of consumption tiers and activity cycles."""

import datetime

from odoo.tools import SQL

from odoo.addons.customer_archive.tools import classification

from ..harness import Case, Measurement, Target, measurement

ONE_DAY = datetime.timedelta(days=1)


def classified_partner_ids(bench):
    """Return the customers whose purchases the fixture made for this measurement."""
    first, last = bench.facts["classify_range"]
    bench.env.cr.execute(
        SQL(
            """SELECT id FROM res_partner
                WHERE archive_number IS NOT NULL AND id BETWEEN %s AND %s
             ORDER BY id""",
            first,
            last,
        )
    )
    return [row[0] for row in bench.env.cr.fetchall()]


def _state_after(state, cycle):
    """Return the archive state that the module's recomputation gives."""
    if state == "registered" and cycle in ("dormant", "lost"):
        return "dormant"
    if state == "dormant" and cycle in ("active", "new"):
        return "registered"
    return state


@measurement("classification", "tier and activity recomputation")
def classification_recompute(bench):
    env = bench.env
    Partner = env["res.partner"]
    Purchase = env["customer.archive.purchase"]
    # The fixture classified every customer as of its day. Recomputing as of
    # the next day changes at least each customer's classification date, so
    # every row is written, as in a daily run.
    reference_date = datetime.date.fromisoformat(bench.facts["today"]) + ONE_DAY
    partner_ids = classified_partner_ids(bench)
    sample_ids = partner_ids[: bench.size.loop_sample]
    env.cr.execute(
        SQL(
            "SELECT COUNT(*) FROM customer_archive_purchase WHERE partner_id = ANY(%s)",
            partner_ids,
        )
    )
    purchase_count = env.cr.fetchone()[0]

    def module():
        Partner.browse(partner_ids)._archive_recompute_classification(reference_date)

    def loop():
        thresholds, dormant_days, lost_days = Partner._archive_classification_settings()
        for partner in Partner.browse(sample_ids):
            purchases = Purchase.search(
                [("partner_id", "=", partner.id), ("date", "<=", reference_date)]
            )
            last = max(purchases.mapped("date"), default=None)
            total = sum(purchases.mapped("amount"))
            tier = classification.consumption_tier(
                last, len(purchases), total, reference_date, thresholds
            )
            cycle = classification.activity_cycle(
                last, reference_date, dormant_days, lost_days
            )
            partner.write(
                {
                    "archive_tier": tier,
                    "archive_activity_cycle": cycle,
                    "archive_last_purchase_date": last,
                    "archive_last_interaction_date": last,
                    "archive_purchase_count": len(purchases),
                    "archive_purchase_total": total,
                    "archive_classified_on": reference_date,
                    "archive_state": _state_after(partner.archive_state, cycle),
                }
            )

    scale = len(partner_ids) / max(len(sample_ids), 1)
    return Measurement(
        cases=[
            Case(
                "module",
                f"_archive_recompute_classification of {len(partner_ids):,} "
                f"customers with {purchase_count:,} purchases",
                module,
                rows=lambda _result: len(partner_ids),
                vacuum=("res_partner",),
            ),
            Case(
                "loop",
                f"per-customer ORM loop (search, classification rules, write) on "
                f"{len(sample_ids):,} customers, extrapolated to {len(partner_ids):,}",
                loop,
                scale=scale,
                max_runs=3,
                rows=lambda _result: len(sample_ids),
                vacuum=("res_partner",),
            ),
        ],
        targets=[Target("loop", "module", at_least=20)],
    )
