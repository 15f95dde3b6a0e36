"""Import of customers in the Northwind shape, against Odoo's standard import."""

import base64
import csv
import io
import random

from faker import Faker

from ..harness import Case, Measurement, Skip, Target, measurement

COLUMNS = [
    "customer_id",
    "company_name",
    "contact_name",
    "contact_title",
    "address",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
]
# Fields of a plain contact that Odoo's import maps the same columns to. The
# region is left out because the generated rows have none.
PLAIN_FIELDS = [
    "ref",
    "name",
    "child_ids/name",
    "child_ids/function",
    "street",
    "city",
    False,
    "zip",
    "country_id",
    "phone",
]
# Tables that both imports fill, vacuumed after each rolled-back run.
WRITTEN_TABLES = ("res_partner", "mail_message", "mail_tracking_value")
IMPORT_OPTIONS = {
    "has_headers": True,
    "quoting": '"',
    "separator": ",",
    "encoding": "utf-8",
    "date_format": "",
    "datetime_format": "",
    "float_thousand_separator": ",",
    "float_decimal_separator": ".",
    "fallback_values": {},
    "name_create_enabled_fields": {},
    "import_set_empty_fields": [],
    "import_skip_records": [],
    "skip": 0,
}


def northwind_customers_csv(count, seed=7):
    """Return ``count`` customers as the CSV bytes of Northwind's customers table."""
    rng = random.Random(seed)
    fakers = {"China": Faker("zh_CN"), "United States": Faker("en_US")}
    for offset, faker in enumerate(fakers.values()):
        faker.seed_instance(seed + offset)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for number in range(1, count + 1):
        country = "China" if rng.random() < 0.8 else "United States"
        faker = fakers[country]
        digits = f"{rng.choice([135, 138, 139, 186])}{rng.randint(0, 99_999_999):08d}"
        phone = (
            f"{digits[:3]} {digits[3:7]} {digits[7:]}"
            if country == "China"
            else f"({rng.choice([212, 415, 617])}) {rng.randint(200, 989)}-"
            f"{rng.randint(0, 9999):04d}"
        )
        writer.writerow(
            [
                f"BN{number:06d}",
                faker.company(),
                faker.name(),
                faker.job(),
                faker.street_address(),
                faker.city(),
                "",
                faker.postcode(),
                country,
                phone,
            ]
        )
    return buffer.getvalue().encode()


@measurement("import", "import of customers in the Northwind shape")
def import_customers(bench):
    env = bench.env
    if "base_import.import" not in env:
        raise Skip("base_import is not installed, so Odoo's standard import is missing")
    count = bench.size.import_rows
    manager = env["res.users"].browse(bench.facts["manager_id"])
    data = northwind_customers_csv(count)

    def module():
        wizard = (
            env["customer.archive.import.wizard"]
            .with_user(manager)
            .create(
                {
                    "file_format": "csv",
                    "customers_file": base64.b64encode(data),
                    "customers_filename": "customers.csv",
                    "source_prefix": "bench",
                }
            )
        )
        wizard.action_import()
        if wizard.rejection_count:
            raise RuntimeError(
                f"the module's import rejected {wizard.rejection_count} rows: "
                f"{wizard.rejection_ids[:3].mapped('reason')}"
            )
        return wizard.result_ids.mapped("created_count")

    def plain():
        importer = (
            env["base_import.import"]
            .with_user(manager)
            .create(
                {
                    "res_model": "res.partner",
                    "file": data,
                    "file_name": "customers.csv",
                    "file_type": "text/csv",
                }
            )
        )
        result = importer.execute_import(PLAIN_FIELDS, COLUMNS, dict(IMPORT_OPTIONS))
        errors = [m for m in result.get("messages", []) if m.get("type") == "error"]
        if errors:
            raise RuntimeError(f"Odoo's import reported errors: {errors[:3]}")
        return len(result["ids"])

    return Measurement(
        cases=[
            Case(
                "module",
                f"customer.archive.import.wizard with {count:,} customers: "
                "contact, contact person, registration, classification",
                module,
                max_runs=3,
                rows=lambda _result: count,
                vacuum=WRITTEN_TABLES,
            ),
            Case(
                "plain",
                f"base_import.import of the same {count:,} rows as plain contacts "
                "with their contact person (res.partner.load)",
                plain,
                max_runs=3,
                rows=lambda _result: count,
                vacuum=WRITTEN_TABLES,
            ),
        ],
        # Import speed is rows per second, so the ratio of speeds is the
        # inverse ratio of times.
        targets=[Target("plain", "module", at_least=0.8)],
    )
