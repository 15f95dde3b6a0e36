"""Consumption overview xlsx against Odoo's own list export of the same columns."""

import json
from types import SimpleNamespace

from odoo import http
from odoo.tools import SQL

from ..harness import Case, Measurement, Target, measurement

# The overview's columns that are stored on the customer, grouped by folder.
# The next birthday is left out because it is not a stored field.
EXPORT_FIELDS = [
    "archive_number",
    "name",
    "phone",
    "archive_birthday",
    "archive_is_member",
    "archive_tier",
    "archive_purchase_total",
    "archive_last_purchase_date",
]


def overview_partner_ids(bench):
    bench.env.cr.execute(
        SQL(
            """SELECT id FROM res_partner WHERE archive_number IS NOT NULL
             ORDER BY id LIMIT %s""",
            bench.size.overview_customers,
        )
    )
    return [row[0] for row in bench.env.cr.fetchall()]


def builtin_export(env, partner_ids):
    """Run the xlsx export of the web client's list view grouped by folder.

    ``ExcelExport.base`` is the handler of /web/export/xlsx. It and the
    module's export log read the HTTP request only for its environment, the
    client address and the response, which a stand-in request provides.
    """
    from odoo.addons.web.controllers.export import ExcelExport  # noqa: PLC0415

    Partner = env["res.partner"]
    params = {
        "model": "res.partner",
        "fields": [
            {
                "name": name,
                "label": Partner._fields[name].string,
                "type": Partner._fields[name].type,
            }
            for name in EXPORT_FIELDS
        ],
        "ids": partner_ids,
        "domain": [],
        "import_compat": False,
        "groupby": ["archive_folder_id"],
        "context": {},
    }
    request = SimpleNamespace(
        env=env,
        httprequest=SimpleNamespace(
            environ={"REMOTE_ADDR": "127.0.0.1"}, remote_addr="127.0.0.1"
        ),
        make_response=lambda data, headers=None: data,
    )
    http._request_stack.push(request)
    try:
        return ExcelExport().base(json.dumps(params))
    finally:
        http._request_stack.pop()


def module_overview_case(bench, partner_ids):
    """Return the case writing the module's overview xlsx, or None while it is missing.

    TODO: when the consumption overview lands, return a ``Case`` that writes
    the overview of ``partner_ids`` as the archive manager, with
    ``in_child=True`` so that its peak memory is measured.
    """
    return None


@measurement("consumption_overview", "consumption overview xlsx of customers")
def consumption_overview(bench):
    env = bench.env
    partner_ids = overview_partner_ids(bench)
    manager = env["res.users"].browse(bench.facts["manager_id"])
    cases = [
        Case(
            "builtin",
            f"Odoo's list export to xlsx of {len(partner_ids):,} customers grouped "
            f"by folder, {len(EXPORT_FIELDS)} stored columns, as the archive manager",
            lambda: len(builtin_export(env(user=manager), partner_ids)),
            in_child=True,
            rows=lambda _result: len(partner_ids),
        )
    ]
    missing = []
    module_case = module_overview_case(bench, partner_ids)
    if module_case is None:
        missing.append(
            (
                "module",
                "the consumption overview is not in the module yet; write its "
                "case in bench/measurements/overview.py",
            )
        )
    else:
        cases.insert(0, module_case)
    return Measurement(
        cases=cases,
        targets=[
            Target("builtin", "module", at_least=3),
            Target("module", at_most=100),
        ],
        missing=missing,
    )
