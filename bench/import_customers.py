"""Time a customer import of many rows, then roll it back.

Run in an Odoo shell on a database with customer_archive installed:

    ROWS=100000 odoo shell -d DB --no-http < bench/import_customers.py

The customers file has ROWS rows (100,000 by default). One row in about
every 330 is invalid (unknown country, extra column, empty company name,
repeated code), so the report lists rejections. The script prints the
reading and import times, the peak resident memory of the process, the
report's counts and the number of contacts written, and rolls everything
back. It creates a fallback folder when the company has none.
"""

import csv
import io
import os
import resource
import time
from collections import Counter

from odoo.addons.customer_archive.tools import northwind

ROWS = int(os.environ.get("ROWS", "100000"))
COUNTRIES = ("Germany", "China", "France", "Mexico", "UK", "USA", "Brazil", "Spain")


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def customers_csv(rows):
    """Return the CSV bytes of ``rows`` customers, with some invalid rows."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(
        [
            "customer_id",
            "company_name",
            "contact_name",
            "address",
            "city",
            "postal_code",
            "country",
            "phone",
        ]
    )
    for n in range(1, rows + 1):
        row = [
            f"C{n:06d}",
            f"Tea Customer {n}",
            f"Contact {n}",
            f"{n} Tea Street",
            "Hangzhou",
            f"{310000 + n % 999}",
            COUNTRIES[n % len(COUNTRIES)],
            f"+86 138 {n % 10000:04d} {n % 7919:04d}",
        ]
        if n % 1000 == 0:
            row[0] = f"C{n - 1:06d}"
        elif n % 997 == 0:
            row[6] = "Atlantis"
        elif n % 1999 == 0:
            row.append("extra")
        elif n % 2503 == 0:
            row[1] = ""
        writer.writerow(row)
    return output.getvalue().encode("utf-8")


data = customers_csv(ROWS)
print(f"rows {ROWS}, file {len(data) // 1024} KiB, peak RSS {peak_rss_mib()} MiB")
started = time.monotonic()
tables = {northwind.CUSTOMERS: northwind.read_csv_table(northwind.CUSTOMERS, data)}
print(f"read {time.monotonic() - started:.1f} s, peak RSS {peak_rss_mib()} MiB")
if not env["customer.archive.folder"].search(  # noqa: F821 - odoo shell global
    [("is_fallback", "=", True), ("company_id", "=", env.company.id)]  # noqa: F821
):
    env["customer.archive.folder"].create(  # noqa: F821
        {"name": "Bench Fallback", "code": "BENCH", "is_fallback": True}
    )
started = time.monotonic()
report = env["customer.archive.importer"]._import_tables(tables, "bench")  # noqa: F821
env.flush_all()  # noqa: F821
print(f"import {time.monotonic() - started:.1f} s, peak RSS {peak_rss_mib()} MiB")
print("files", report["files"])
reasons = Counter(
    rejection["reason"].split("“")[0] for rejection in report["rejections"]
)
print("rejections", len(report["rejections"]), dict(reasons))
Partner = env["res.partner"]  # noqa: F821
print(
    "registered contacts",
    Partner.search_count([("archive_customer_code", "like", "C%")]),
)
env.cr.rollback()  # noqa: F821
