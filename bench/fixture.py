"""Synthetic customer archive for the benchmark, written with COPY.

Configuration records (users, folders, consultation requests) go through the
ORM. The bulk rows (customers, category links, documents and purchases) are
generated with Faker (zh_CN and en_US) and written with PostgreSQL COPY on a
separate psycopg2 connection, with the table's plain indexes dropped during
the load and rebuilt after it. Every stored computed column gets the value the
module would compute, through the module's own rule functions: birthday month
and day, normalised phone, retention date, depletion date and document names.
Tiers and activity cycles come from the module's
``_archive_recompute_classification``. ``check_consistency`` recomputes a
sample with the ORM and reports any column that differs.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import itertools
import json
import random
import time
from collections import Counter, defaultdict
from functools import cache

import psycopg2
import psycopg2.sql
from dateutil.relativedelta import relativedelta
from faker import Faker

from odoo import Command, sql_db
from odoo.tools import SQL, email_normalize

from odoo.addons.customer_archive.tools import birthdays
from odoo.addons.customer_archive.tools.naming import render_document_name
from odoo.addons.customer_archive.tools.numbering import (
    DEFAULT_PADDING,
    format_archive_number,
)
from odoo.addons.customer_archive.tools.phone import normalize_phone
from odoo.addons.phone_validation.tools import phone_validation

FACTS_KEY = "customer_archive_bench.facts"
SEED = 20260101
COPY_CHUNK_ROWS = 50_000
SALESPEOPLE = 20
# Product lines created next to the module's fallback folder "Other" (OTH),
# with the share of customers filed in each; "Other" gets the rest.
FOLDERS = [
    ("Oolong Tea", "OOL", 0.35),
    ("Pu'er Tea", "PUE", 0.30),
    ("Health Products", "HLT", 0.25),
]
PRODUCTS = {
    "OOL": [
        ("Tieguanyin 250 g", 168),
        ("Da Hong Pao 100 g", 298),
        ("Dan Cong 50 g", 88),
    ],
    "PUE": [("Raw Pu'er Cake 357 g", 420), ("Ripe Pu'er Brick 250 g", 180)],
    "HLT": [("Ginseng Tonic 30 x 10 ml", 260), ("Goji Berry 500 g", 75)],
    "OTH": [("Tea Set", 560), ("Gift Box", 128), ("Tasting Ticket", 50)],
}
# Share of each document type among the documents, by type code.
DOCUMENT_TYPE_SHARES = {
    "INF": 0.25,
    "CON": 0.05,
    "PAY": 0.20,
    "SRV": 0.15,
    "COR": 0.10,
    "CMP": 0.05,
    "FBK": 0.10,
    "OTH": 0.10,
}
HISTORY_YEARS = 10
# Journal entries: 0 to 6 per customer, 3 on average, by type share.
JOURNAL_ENTRIES_PER_CUSTOMER = [0, 1, 2, 3, 3, 4, 5, 6]
JOURNAL_TYPES = ["call", "usage", "event", "service", "complaint"]
JOURNAL_WEIGHTS = [0.40, 0.15, 0.20, 0.20, 0.05]
JOURNAL_CALL_TEXTS = [
    "Asked about the new spring harvest.",
    "Reminded of the tasting on Saturday.",
    "Wants a gift box for the Mid-Autumn Festival.",
    "Asked when the Tieguanyin is back in stock.",
]
JOURNAL_EVENT_NAMES = ["Spring Tasting", "Pu'er Salon", "Mid-Autumn Tea Party"]
JOURNAL_SERVICE_ITEMS = ["Tea set cleaning", "Brewing lesson", "Gift wrapping"]
JOURNAL_COMPLAINT_TEXTS = [
    "The cake arrived broken.",
    "The tea tasted stale.",
    "Waited too long at the counter.",
]
# Columns of a journal entry that only some types fill.
JOURNAL_EMPTY_ROW = dict.fromkeys(
    [
        "name",
        "content",
        "next_followup_date",
        "product",
        "usage_since",
        "effect",
        "feedback",
        "event_name",
        "service_item",
        "satisfaction",
        "channel",
        "cause",
        "resolution",
        "complaint_state",
        "resolved_date",
    ]
)
JOURNAL_EMPTY_ROW.update(event_kind="event", invited=True, attended=False)
LOADED_TABLES = (
    "res_partner",
    "res_partner_customer_archive_category_rel",
    "customer_archive_document",
    "customer_archive_purchase",
    "customer_archive_journal_entry",
)
CN_MOBILE_PREFIXES = [130, 131, 135, 136, 137, 138, 139, 150, 158, 177, 186, 189]
US_AREA_CODES = [206, 212, 312, 415, 617, 702, 713]


# --------------------------------------------------------------------------
# COPY helpers


def _copy_text(value) -> str:
    """Return ``value`` in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.date | datetime.datetime | int | float):
        return str(value)
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def copy_rows(cursor, table: str, rows) -> int:
    """Write ``rows`` into ``table`` with COPY; return the number of rows.

    Each row is a dict of column values, and every row has the keys of the
    first one.
    """
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    columns = list(first)
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    buffer = io.StringIO()
    pending = total = 0
    for row in itertools.chain([first], rows):
        buffer.write("\t".join(_copy_text(row[column]) for column in columns))
        buffer.write("\n")
        pending += 1
        if pending == COPY_CHUNK_ROWS:
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)
            total += pending
            buffer = io.StringIO()
            pending = 0
    if pending:
        buffer.seek(0)
        cursor.copy_expert(statement, buffer)
        total += pending
    return total


@contextlib.contextmanager
def indexes_dropped(cursor, table: str):
    """Drop the table's indexes that back no constraint, and rebuild them after.

    Loading millions of rows and building each index once is several times
    faster than updating the indexes row by row. Unique indexes are rebuilt
    too, so a duplicate in the generated data fails the load.
    """
    cursor.execute(
        """SELECT index_class.relname, pg_get_indexdef(pg_index.indexrelid)
             FROM pg_index
             JOIN pg_class index_class ON index_class.oid = pg_index.indexrelid
            WHERE pg_index.indrelid = %s::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint
                               WHERE pg_constraint.conindid = pg_index.indexrelid)""",
        (table,),
    )
    definitions = cursor.fetchall()
    for name, _definition in definitions:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    for _name, definition in definitions:
        cursor.execute(definition)


def _allocate_ids(cursor, table: str, count: int) -> int:
    """Reserve ``count`` ids of ``table``'s sequence; return the first one."""
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", (table,))
    first = cursor.fetchone()[0]
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
        (table, first + count - 1),
    )
    return first


# --------------------------------------------------------------------------
# Value rules shared with the module


@cache
def birthday_parts(birth_date, calendar_kind, year):
    """Return the stored (month, day) of a birthday, as the module computes it."""
    birthday = birthdays.birthday_in_year(birth_date, calendar_kind, year)
    return (birthday.month, birthday.day) if birthday else (0, 0)


def _random_date(rng, start, end):
    span = (end - start).days
    return start + datetime.timedelta(days=rng.randint(0, max(span, 0)))


class FixtureBuilder:
    """Build the synthetic archive of one benchmark size in a new database."""

    def __init__(self, env, size, log):
        self.env = env
        self.size = size
        self.log = log
        self.rng = random.Random(SEED)
        Faker.seed(SEED)
        self.faker_cn = Faker("zh_CN")
        self.faker_us = Faker("en_US")
        self.today = datetime.date.today()
        self.company = env.ref("base.main_company")
        self.facts = {}

    # Configuration through the ORM

    def _create_users(self):
        Users = self.env["res.users"].with_context(
            no_reset_password=True, tracking_disable=True
        )
        user_group = self.env.ref("customer_archive.group_archive_user")
        manager_groups = (
            self.env.ref("customer_archive.group_archive_manager")
            | self.env.ref("base.group_allow_export")
            | self.env.ref("base.group_partner_manager")
        )
        salespeople = Users.create(
            [
                {
                    "name": self.faker_cn.name(),
                    "login": f"bench_sales_{number:02d}",
                    "group_ids": [Command.set(user_group.ids)],
                    "tz": "Asia/Shanghai",
                }
                for number in range(1, SALESPEOPLE + 1)
            ]
        )
        manager, approver = Users.create(
            [
                {
                    "name": name,
                    "login": login,
                    "group_ids": [Command.set(manager_groups.ids)],
                    "tz": "Asia/Shanghai",
                }
                for name, login in (
                    ("Bench Manager", "bench_manager"),
                    ("Bench Approver", "bench_approver"),
                )
            ]
        )
        self.salespeople = salespeople.ids
        self.facts.update(
            user_id=salespeople[0].id,
            manager_id=manager.id,
            approver_id=approver.id,
            salespeople=salespeople.ids,
        )

    def _create_folders(self):
        Folder = self.env["customer.archive.folder"]
        folders = Folder.create(
            [{"name": name, "code": code} for name, code, _share in FOLDERS]
        )
        fallback = self.env.ref("customer_archive.folder_other")
        self.folders = [
            (folder.id, folder.code, share)
            for folder, (_n, _c, share) in zip(folders, FOLDERS, strict=True)
        ]
        self.folders.append(
            (fallback.id, fallback.code, 1 - sum(share for *_x, share in FOLDERS))
        )
        self.folder_records = folders | fallback

    # Customers

    def _name_pools(self):
        self.log("   generating name and address pools with Faker")
        pools = {}
        for key, faker, count in (
            ("cn", self.faker_cn, 20_000),
            ("us", self.faker_us, 8_000),
        ):
            pools[key] = {
                "names": [faker.name() for _ in range(count)],
                "companies": [faker.company() for _ in range(count // 10)],
                "streets": [faker.street_address() for _ in range(count // 2)],
                "cities": [faker.city() for _ in range(200)],
                "zips": [faker.postcode() for _ in range(500)],
            }
        pools["cn"]["id_numbers"] = [self.faker_cn.ssn() for _ in range(20_000)]
        return pools

    def _phone(self, country):
        rng = self.rng
        if country == "CN":
            digits = f"{rng.choice(CN_MOBILE_PREFIXES)}{rng.randint(0, 99_999_999):08d}"
            return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
        area = rng.choice(US_AREA_CODES)
        return f"({area}) {rng.randint(200, 989)}-{rng.randint(0, 9999):04d}"

    def _fill_partners(self, raw):
        size, rng = self.size, self.rng
        pools = self._name_pools()
        countries = {
            code: self.env.ref(f"base.{code.lower()}") for code in ("CN", "US")
        }
        registration_start = self.today - relativedelta(years=HISTORY_YEARS)
        registration_dates = sorted(
            _random_date(rng, registration_start, self.today)
            for _ in range(size.customers)
        )
        first_id = _allocate_ids(raw, "res_partner", size.customers)
        folder_choices = list(self.folders)
        folder_weights = [share for *_x, share in self.folders]
        numbers = Counter()
        now = datetime.datetime.now().replace(microsecond=0)
        birth_start, birth_end = datetime.date(1945, 1, 1), datetime.date(2006, 12, 31)
        phone_cache = {}
        self.partners = {}

        def rows():
            for offset, registered_on in enumerate(registration_dates):
                partner_id = first_id + offset
                country = "CN" if rng.random() < 0.8 else "US"
                pool = pools[country.lower()]
                kind = rng.random()
                is_company = kind < 0.03
                customer_type = "company" if is_company else "individual"
                if kind < 0.005:
                    customer_type = "government"
                name = rng.choice(pool["companies" if is_company else "names"])
                registered = rng.random() >= 0.02
                folder_id = code = number = None
                state = "not_registered"
                user_id = None
                if registered:
                    folder_id, code, _share = rng.choices(
                        folder_choices, folder_weights
                    )[0]
                    numbers[code] += 1
                    number = format_archive_number(code, numbers[code], DEFAULT_PADDING)
                    state = "closed" if rng.random() < 0.01 else "registered"
                    user_id = rng.choice(self.salespeople)
                phone = self._phone(country) if rng.random() < 0.95 else None
                if phone:
                    if (phone, country) not in phone_cache:
                        phone_cache[phone, country] = (
                            normalize_phone(phone, country),
                            _sanitize_phone(phone, countries[country]),
                        )
                    normalized, sanitized = phone_cache[phone, country]
                else:
                    normalized = sanitized = None
                email = None
                if rng.random() < 0.6:
                    email = (
                        f"{rng.randint(10_000, 9_999_999_999)}@qq.com"
                        if country == "CN"
                        else f"{name.split()[0].lower()}{partner_id}@example.com"
                    )
                birthday = calendar_kind = None
                month = day = 0
                gender = None
                if not is_company:
                    gender = rng.choices(
                        ["female", "male", "other"], [0.55, 0.44, 0.01]
                    )[0]
                    if rng.random() < 0.92:
                        birthday = _random_date(rng, birth_start, birth_end)
                        calendar_kind = (
                            birthdays.LUNAR if rng.random() < 0.2 else birthdays.SOLAR
                        )
                        month, day = birthday_parts(
                            birthday, calendar_kind, self.today.year
                        )
                member = registered and rng.random() < 0.3
                join_date = renewal_date = level = None
                points = 0
                if member:
                    join_date = _random_date(rng, registered_on, self.today)
                    years = max(self.today.year - join_date.year, 0)
                    renewal_date = join_date + relativedelta(years=years)
                    if renewal_date < self.today:
                        renewal_date += relativedelta(years=1)
                    level = rng.choices(
                        ["regular", "silver", "gold", "platinum"],
                        [0.5, 0.3, 0.15, 0.05],
                    )[0]
                    points = rng.randint(0, 20_000)
                referrer = None
                if registered and offset > 100 and rng.random() < 0.05:
                    referrer = first_id + rng.randrange(offset)
                id_number = None
                if country == "CN" and not is_company and rng.random() < 0.4:
                    id_number = rng.choice(pool["id_numbers"])
                if registered:
                    self.partners[partner_id] = (user_id, number, registered_on, code)
                created = datetime.datetime.combine(registered_on, datetime.time(10))
                yield {
                    "id": partner_id,
                    "name": name,
                    "complete_name": name,
                    "type": "contact",
                    "active": True,
                    "is_company": is_company,
                    "lang": "en_US",
                    "color": 0,
                    "message_bounce": 0,
                    "partner_share": True,
                    "commercial_partner_id": partner_id,
                    "commercial_company_name": name if is_company else None,
                    "country_id": countries[country].id,
                    "street": rng.choice(pool["streets"]),
                    "city": rng.choice(pool["cities"]),
                    "zip": rng.choice(pool["zips"]),
                    "phone": phone,
                    "phone_sanitized": sanitized,
                    "email": email,
                    "email_normalized": email_normalize(email) if email else None,
                    "create_uid": self.env.uid,
                    "write_uid": self.env.uid,
                    "create_date": created,
                    "write_date": now,
                    "archive_number": number,
                    "archive_state": state,
                    "archive_registration_date": registered_on if registered else None,
                    "archive_user_id": user_id,
                    "archive_folder_id": folder_id,
                    "archive_company_id": self.company.id if registered else None,
                    "archive_customer_type": customer_type,
                    "archive_referrer_id": referrer,
                    "archive_marketing_consent": rng.random() < 0.7,
                    "archive_gender": gender,
                    "archive_birthday": birthday,
                    "archive_birthday_calendar": calendar_kind or birthdays.SOLAR,
                    "archive_birthday_month": month,
                    "archive_birthday_day": day,
                    "archive_birthday_date": datetime.date(self.today.year, month, day)
                    if month
                    else None,
                    "archive_id_number": id_number,
                    "archive_phone_normalized": normalized,
                    "archive_phone_invalid": bool(phone) and not normalized,
                    "archive_is_member": member,
                    "archive_member_level": level,
                    "archive_member_join_date": join_date,
                    "archive_member_renewal_date": renewal_date,
                    "archive_member_points": points,
                    "archive_tier": "none",
                    "archive_activity_cycle": "new",
                }

        with indexes_dropped(raw, "res_partner"):
            count = copy_rows(raw, "res_partner", rows())
        self.log(f"   {count:,} customers")
        self.numbers = numbers
        self._fill_categories(raw)

    def _fill_categories(self, raw):
        categories = self.env["customer.archive.category"].search([]).ids
        if not categories:
            return
        rng = self.rng

        def rows():
            for partner_id in self.partners:
                for category in rng.sample(categories, rng.choice([0, 1, 1, 2])):
                    yield {"partner_id": partner_id, "category_id": category}

        count = copy_rows(raw, "res_partner_customer_archive_category_rel", rows())
        self.log(f"   {count:,} category links")

    # Documents

    def _fill_documents(self, raw):
        rng = self.rng
        types = {
            doc_type.code: doc_type
            for doc_type in self.env["customer.archive.document.type"].search([])
        }
        codes = [code for code in DOCUMENT_TYPE_SHARES if code in types]
        weights = [DOCUMENT_TYPE_SHARES[code] for code in codes]
        levels = ["public", "internal", "confidential"]
        partner_ids = list(self.partners)
        first_id = _allocate_ids(raw, "customer_archive_document", self.size.documents)
        sequences = defaultdict(int)
        now = datetime.datetime.now().replace(microsecond=0)

        def rows():
            for offset in range(self.size.documents):
                partner_id = rng.choice(partner_ids)
                user_id, number, registered_on, _code = self.partners[partner_id]
                doc_type = types[rng.choices(codes, weights)[0]]
                sequences[partner_id, doc_type.id] += 1
                sequence = sequences[partner_id, doc_type.id]
                filing_date = _random_date(rng, registered_on, self.today)
                document_date = None
                if rng.random() < 0.9:
                    document_date = filing_date - datetime.timedelta(
                        days=rng.randint(0, 30)
                    )
                reference = None
                if doc_type.code == "CON" or rng.random() < 0.1:
                    reference = f"HT-{filing_date.year}-{rng.randint(1, 99_999):05d}"
                cabinet = shelf = box = location = None
                if rng.random() < 0.4:
                    cabinet = rng.choice("ABCDEF")
                    shelf = str(rng.randint(1, 8))
                    box = f"B{rng.randint(1, 60):02d}"
                    location = f"{cabinet} / {shelf} / {box}"
                confidentiality = doc_type.default_confidentiality
                if rng.random() < 0.1:
                    confidentiality = rng.choice(levels)
                # Approximates each type's policy from the filing date; the
                # selections measured only need realistic, indexed dates.
                policy = doc_type.retention_policy_id
                retention_date = None
                if policy and not policy.permanent:
                    retention_date = filing_date + relativedelta(
                        **{policy.period_unit: policy.period_count}
                    )
                name = render_document_name(
                    doc_type.naming_rule,
                    archive_number=number,
                    type_code=doc_type.code,
                    document_date=document_date or filing_date,
                    seq=sequence,
                    reference=reference,
                )
                yield {
                    "id": first_id + offset,
                    "name": name,
                    "partner_id": partner_id,
                    "archive_user_id": user_id,
                    "type_id": doc_type.id,
                    "type_sequence": sequence,
                    "document_date": document_date,
                    "filing_date": filing_date,
                    "reference": reference,
                    "location_cabinet": cabinet,
                    "location_shelf": shelf,
                    "location_box": box,
                    "location": location,
                    "confidentiality": confidentiality,
                    "retention_date": retention_date,
                    # The daily expiry has marked the documents of earlier
                    # days as due; the measured day finds the next ones.
                    "retention_state": "due"
                    if retention_date and retention_date < self.today
                    else "active",
                    "company_id": self.company.id,
                    "create_uid": self.env.uid,
                    "write_uid": self.env.uid,
                    "create_date": now,
                    "write_date": now,
                }

        with indexes_dropped(raw, "customer_archive_document"):
            count = copy_rows(raw, "customer_archive_document", rows())
        self.log(f"   {count:,} documents")

    # Purchases

    def classify_partner_ids(self):
        """Return the registered customers whose classification is measured."""
        return sorted(self.partners)[: self.size.classify_customers]

    def _fill_purchases(self, raw):
        rng, size = self.rng, self.size
        classified = self.classify_partner_ids()
        others = sorted(set(self.partners) - set(classified)) or classified
        per_classified = size.classify_purchases // max(len(classified), 1)
        folder_codes = [code for _id, code, _share in self.folders]
        folder_ids = {code: folder_id for folder_id, code, _share in self.folders}
        currency_id = self.company.currency_id.id
        now = datetime.datetime.now().replace(microsecond=0)

        def purchase(partner_id):
            user_id, _number, registered_on, code = self.partners[partner_id]
            if rng.random() < 0.2:
                code = rng.choice(folder_codes)
            product, unit_price = rng.choice(PRODUCTS[code])
            quantity = rng.choices([1, 2, 3, 5], [0.6, 0.25, 0.1, 0.05])[0]
            day = _random_date(rng, registered_on, self.today)
            days_of_use = rng.randint(15, 120) if rng.random() < 0.6 else None
            depletion = None
            if days_of_use:
                depletion = day + datetime.timedelta(days=days_of_use)
            return {
                "partner_id": partner_id,
                "date": day,
                "folder_id": folder_ids[code],
                "product": product,
                "quantity": float(quantity),
                "amount": float(quantity * unit_price),
                "currency_id": currency_id,
                "days_of_use": days_of_use,
                "depletion_date": depletion,
                "user_id": user_id,
                "company_id": self.company.id,
                "create_uid": self.env.uid,
                "write_uid": self.env.uid,
                "create_date": now,
                "write_date": now,
            }

        def rows():
            for partner_id in classified:
                for _index in range(per_classified):
                    yield purchase(partner_id)
            remaining = size.purchases - per_classified * len(classified)
            for _index in range(max(remaining, 0)):
                yield purchase(rng.choice(others))

        with indexes_dropped(raw, "customer_archive_purchase"):
            count = copy_rows(raw, "customer_archive_purchase", rows())
        self.log(
            f"   {count:,} purchases ({per_classified * len(classified):,} of the "
            f"{len(classified):,} customers whose classification is measured)"
        )

    def _journal_entry(self, partner_id, day):
        """Return one journal entry row of ``partner_id`` dated ``day``."""
        rng = self.rng
        user_id = self.partners[partner_id][0]
        entry_type = rng.choices(JOURNAL_TYPES, JOURNAL_WEIGHTS)[0]
        row = dict(JOURNAL_EMPTY_ROW)
        row.update(
            entry_type=entry_type,
            partner_id=partner_id,
            date=day,
            user_id=user_id,
            create_uid=user_id,
            write_uid=user_id,
        )
        if entry_type == "call":
            row["content"] = rng.choice(JOURNAL_CALL_TEXTS)
            row["name"] = row["content"]
            if rng.random() < 0.3:
                row["next_followup_date"] = day + datetime.timedelta(
                    days=rng.randint(3, 60)
                )
        elif entry_type == "usage":
            row["product"] = rng.choice(self.product_names)
            row["name"] = row["product"]
            row["usage_since"] = day
            row["feedback"] = "Drinks it every morning."
        elif entry_type == "event":
            row["event_name"] = rng.choice(JOURNAL_EVENT_NAMES)
            row["name"] = row["event_name"]
            row["event_kind"] = rng.choice(["event", "tasting", "salon"])
            row["attended"] = rng.random() < 0.6
        elif entry_type == "service":
            row["service_item"] = rng.choice(JOURNAL_SERVICE_ITEMS)
            row["name"] = row["service_item"]
            row["satisfaction"] = str(rng.randint(3, 5))
        else:
            row["content"] = rng.choice(JOURNAL_COMPLAINT_TEXTS)
            row["name"] = row["content"]
            row["channel"] = rng.choice(["store", "phone", "online"])
            state = rng.choices(["received", "in_progress", "resolved"], [1, 1, 8])[0]
            row["complaint_state"] = state
            if state == "resolved":
                row["resolution"] = "Replaced the product."
                row["resolved_date"] = day + datetime.timedelta(days=rng.randint(0, 7))
                row["satisfaction"] = str(rng.randint(2, 5))
        return row

    def _fill_journal_entries(self, raw):
        """Write about 3 journal entries per customer, and many on one customer.

        The customer with ``size.journal_entries`` entries belongs to the
        measured archive user and is stored as ``facts["journal_partner_id"]``.
        """
        rng = self.rng
        self.product_names = [
            product for products in PRODUCTS.values() for product, _price in products
        ]
        user_id = self.facts["user_id"]
        served_id = next(
            partner_id
            for partner_id, data in self.partners.items()
            if data[0] == user_id
        )
        now = datetime.datetime.now().replace(microsecond=0)

        def rows():
            for partner_id, data in self.partners.items():
                count = self.size.journal_entries if partner_id == served_id else None
                if count is None:
                    count = rng.choice(JOURNAL_ENTRIES_PER_CUSTOMER)
                registered_on = data[2]
                for _index in range(count):
                    day = _random_date(rng, registered_on, self.today)
                    row = self._journal_entry(partner_id, day)
                    row["create_date"] = row["write_date"] = now
                    row["company_id"] = self.company.id
                    yield row

        with indexes_dropped(raw, "customer_archive_journal_entry"):
            count = copy_rows(raw, "customer_archive_journal_entry", rows())
        self.facts["journal_partner_id"] = served_id
        self.log(
            f"   {count:,} journal entries ({self.size.journal_entries:,} on "
            f"customer {served_id})"
        )

    # After the bulk load

    def _update_sequences(self):
        for folder in self.folder_records:
            folder.sequence_id.sudo().number_next = self.numbers[folder.code] + 1

    def _classify(self):
        """Fill tiers, cycles and purchase figures with the module's recomputation."""
        Partner = self.env["res.partner"]
        ids = sorted(self.partners)
        chunk = 50_000
        started = time.perf_counter()
        for start in range(0, len(ids), chunk):
            partners = Partner.browse(ids[start : start + chunk])
            partners._archive_recompute_classification(self.today)
            self.env.cr.commit()
        self.log(
            f"   classified {len(ids):,} customers in "
            f"{time.perf_counter() - started:.0f} s"
        )

    def _create_consultations(self):
        """Give the measured archive user three approved consultation requests."""
        env = self.env
        user = env["res.users"].browse(self.facts["user_id"])
        approver = env["res.users"].browse(self.facts["approver_id"])
        others = [pid for pid, data in self.partners.items() if data[0] != user.id]
        Consultation = env["customer.archive.consultation"].with_user(user)
        for index in range(3):
            consultation = Consultation.create(
                {
                    "partner_ids": [Command.set(self.rng.sample(others, 5))],
                    "purpose": f"Prepare the renewal offer {index + 1}",
                    "date_to": datetime.datetime.now() + datetime.timedelta(days=14),
                }
            )
            consultation.action_submit()
            consultation.with_user(approver).action_approve()

    def build(self):
        """Fill the database and commit; return the facts stored for measurements."""
        started = time.perf_counter()
        env = self.env(context=dict(self.env.context, tracking_disable=True))
        self.env = env

        self._create_users()
        self._create_folders()
        env.cr.commit()
        dbname, params = sql_db.connection_info_for(env.cr.dbname)
        connection = psycopg2.connect(**params)
        try:
            with connection, connection.cursor() as raw:
                self._fill_partners(raw)
                self._fill_documents(raw)
                self._fill_purchases(raw)
                self._fill_journal_entries(raw)
        finally:
            connection.close()

        env.invalidate_all()
        env.registry.clear_cache()
        self._update_sequences()
        self._classify()
        self._create_consultations()

        classified = self.classify_partner_ids()
        self.facts.update(
            classify_range=[classified[0], classified[-1]],
            size=self.size.label,
            customers=self.size.customers,
            today=self.today.isoformat(),
            company_id=self.company.id,
        )
        env["ir.config_parameter"].sudo().set_param(FACTS_KEY, json.dumps(self.facts))
        env.cr.commit()
        vacuum_tables(dbname, LOADED_TABLES)
        self.log(f"   fixture built in {time.perf_counter() - started:.0f} s")
        return self.facts


def vacuum_tables(dbname, tables):
    """Run VACUUM ANALYZE on ``tables``, as autovacuum would in time.

    The benchmark does not rely on autovacuum, which may be off or late, so
    the dead rows of the load and of rolled-back runs are removed here.
    """
    _name, params = sql_db.connection_info_for(dbname)
    connection = psycopg2.connect(**params)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(
                    psycopg2.sql.SQL("VACUUM ANALYZE {}").format(
                        psycopg2.sql.Identifier(table)
                    )
                )
    finally:
        connection.close()


def _sanitize_phone(phone, country):
    """Return phone_sanitized as phone_validation computes it for a partner."""
    try:
        return phone_validation.phone_format(
            phone,
            country.code,
            country.phone_code,
            force_format="E164",
            raise_exception=True,
        )
    except Exception:  # noqa: BLE001 - phone_validation raises UserError
        return None


def load_facts(env):
    value = env["ir.config_parameter"].sudo().get_param(FACTS_KEY)
    return json.loads(value) if value else None


# --------------------------------------------------------------------------
# Consistency of the generated rows


CHECKED_FIELDS = {
    "res.partner": [
        "complete_name",
        "commercial_partner_id",
        "commercial_company_name",
        "partner_share",
        "email_normalized",
        "phone_sanitized",
        "archive_company_id",
        "archive_customer_type",
        "archive_birthday_month",
        "archive_birthday_day",
        "archive_birthday_date",
        "archive_phone_normalized",
        "archive_phone_invalid",
    ],
    # NOTE: retention dates are approximated from the filing date (see
    # _fill_documents), so they are not compared with the policies' start events.
    "customer.archive.document": ["archive_user_id", "location"],
    "customer.archive.purchase": ["depletion_date"],
    "customer.archive.journal.entry": ["name", "complaint_state"],
}


def check_consistency(env, sample_size=300):
    """Recompute stored computed fields of a sample; return the differences.

    Each difference is ``(model, field, record id, stored, recomputed)``. The
    recomputation runs in a savepoint that is rolled back.
    """
    differences = []
    rng = random.Random(SEED)
    for model_name, names in CHECKED_FIELDS.items():
        Model = env[model_name].with_context(active_test=False)
        env.cr.execute(
            SQL(
                "SELECT id FROM %s ORDER BY id DESC LIMIT %s",
                SQL.identifier(Model._table),
                sample_size * 20,
            )
        )
        ids = [row[0] for row in env.cr.fetchall()]
        records = Model.browse(rng.sample(ids, min(sample_size, len(ids))))
        stored = {
            record.id: {name: record[name] for name in names} for record in records
        }
        with contextlib.closing(env.cr.savepoint()):
            records.invalidate_recordset(names)
            for name in names:
                env.add_to_compute(Model._fields[name], records)
            records._recompute_recordset(names)
            for record in records:
                for name in names:
                    if record[name] != stored[record.id][name]:
                        differences.append(
                            (
                                model_name,
                                name,
                                record.id,
                                stored[record.id][name],
                                record[name],
                            )
                        )
        env.invalidate_all()
    return differences
