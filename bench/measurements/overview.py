"""Consumption overview xlsx against Odoo's own list export of the same columns."""

import json
import tempfile
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
    """Return the case writing the module's overview xlsx of ``partner_ids``.

    As the export dialog opened on selected customers does, it creates the
    dialog as the archive manager and writes the file into an anonymous
    temporary file, which the controller then streams.
    """
    env = bench.env
    manager = env["res.users"].browse(bench.facts["manager_id"])

    def run():
        wizard = (
            env["customer.archive.overview.wizard"]
            .with_user(manager)
            .with_context(active_model="res.partner", active_ids=partner_ids)
            .create({"output_format": "xlsx"})
        )
        with tempfile.TemporaryFile() as output:
            wizard._overview_write_xlsx(output)
            return output.tell()

    return Case(
        "module",
        f"consumption overview xlsx of {len(partner_ids):,} selected customers "
        "as the archive manager (export dialog, then the file)",
        run,
        in_child=True,
        rows=lambda _result: len(partner_ids),
    )


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
