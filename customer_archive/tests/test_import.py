import base64
import csv
import io
from collections import Counter, defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from unittest.mock import patch

import openpyxl

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.misc import file_open

from odoo.addons.customer_archive.tools import classification, northwind
from odoo.addons.customer_archive.wizard.customer_archive_import_messages import (
    file_error_message,
    rejection_message,
)

SAMPLE_FOLDER = "customer_archive/data/northwind"
LAST_ORDER_DATE = date(1998, 5, 6)


def _read_sample(name):
    with file_open(f"{SAMPLE_FOLDER}/{name}.csv") as file:
        return list(csv.DictReader(file))


def _encode(text, bom=False):
    return base64.b64encode(("\ufeff" if bom else "").encode() + text.encode())


@tagged("post_install", "-at_install")
class TestNorthwindImport(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="ca_import_manager",
            groups="customer_archive.group_archive_manager,base.group_partner_manager",
        )
        cls.archive_user = new_test_user(
            cls.env,
            login="ca_import_user",
            groups="customer_archive.group_archive_user,base.group_partner_manager",
        )
        cls.Wizard = cls.env["customer.archive.import.wizard"].with_user(cls.manager)
        cls.fallback = cls.env.ref("customer_archive.folder_other")
        cls.sample_codes = [row["customer_id"] for row in _read_sample("customers")]
        cls.category_names = [
            row["category_name"] for row in _read_sample("categories")
        ]
        cls.report = cls.Wizard._import_northwind_sample()
        cls.customers = (
            cls.env["res.partner"]
            .with_context(active_test=False)
            .search([("archive_customer_code", "in", cls.sample_codes)])
        )
        cls.by_code = {p.archive_customer_code: p for p in cls.customers}
        cls.purchases = cls.env["customer.archive.purchase"].search(
            [("source_reference", "=like", "northwind:%")]
        )

    def _file_counts(self, report, name):
        return next(counts for counts in report["files"] if counts["file"] == name)

    def _expected_sample_figures(self):
        """Compute, straight from the sample CSVs, each customer's spend figures.

        Returns per customer code the spend by category name, the number of
        order lines, the total spend and the first and last order dates.
        """
        categories = {
            row["category_id"]: row["category_name"]
            for row in _read_sample("categories")
        }
        product_category = {
            row["product_id"]: categories[row["category_id"]]
            for row in _read_sample("products")
        }
        orders = {row["order_id"]: row for row in _read_sample("orders")}
        figures = defaultdict(
            lambda: {"spend": Counter(), "lines": 0, "total": Decimal(0), "dates": []}
        )
        for line in _read_sample("order_details"):
            order = orders[line["order_id"]]
            amount = (
                Decimal(line["unit_price"])
                * Decimal(line["quantity"])
                * (1 - Decimal(line["discount"]))
            ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            customer = figures[order["customer_id"]]
            customer["spend"][product_category[line["product_id"]]] += amount
            customer["lines"] += 1
            customer["total"] += amount
            customer["dates"].append(date.fromisoformat(order["order_date"]))
        return figures

    # First import

    def test_sample_counts(self):
        expected = {
            "customers": (91, 0),
            "orders": (830, 0),
            "order_details": (2155, 0),
            "products": (0, 0),
            "categories": (8, 0),
        }
        for name, (created, updated) in expected.items():
            with self.subTest(file=name):
                counts = self._file_counts(self.report, name)
                self.assertEqual(counts["created_count"], created)
                self.assertEqual(counts["updated_count"], updated)
                self.assertEqual(counts["rejected_count"], 0)
        self.assertEqual(self._file_counts(self.report, "products")["read_count"], 77)
        self.assertEqual(self.report["rejections"], [])
        self.assertEqual(len(self.customers), 91)
        self.assertEqual(len(self.purchases), 2155)
        self.assertEqual(len(set(self.purchases.mapped("source_reference"))), 2155)

    def test_sample_customers_are_companies(self):
        self.assertTrue(all(self.customers.mapped("is_company")))
        alfki = self.by_code["ALFKI"]
        self.assertEqual(alfki.name, "Alfreds Futterkiste")
        self.assertEqual(alfki.street, "Obere Str. 57")
        self.assertEqual(alfki.city, "Berlin")
        self.assertEqual(alfki.zip, "12209")
        contact = alfki.child_ids
        self.assertEqual(contact.name, "Maria Anders")
        self.assertEqual(contact.function, "Sales Representative")

    def test_sample_phones_kept_as_typed(self):
        typed = {row["customer_id"]: row["phone"] for row in _read_sample("customers")}
        for code, partner in self.by_code.items():
            with self.subTest(customer=code):
                self.assertEqual(partner.phone, typed[code])
        alfki = self.by_code["ALFKI"]
        self.assertEqual(alfki.archive_phone_normalized, "+49300074321")
        self.assertFalse(alfki.archive_phone_invalid)
        for partner in self.customers:
            with self.subTest(customer=partner.archive_customer_code):
                self.assertNotEqual(
                    bool(partner.archive_phone_normalized),
                    partner.archive_phone_invalid,
                )

    def test_sample_countries_resolved(self):
        self.assertFalse(self.customers.filtered(lambda p: not p.country_id))
        self.assertEqual(self.by_code["GREAL"].country_id, self.env.ref("base.us"))
        self.assertEqual(self.by_code["AROUT"].country_id, self.env.ref("base.uk"))
        self.assertEqual(self.by_code["ALFKI"].country_id, self.env.ref("base.de"))
        self.assertEqual(
            self.by_code["GREAL"].state_id, self.env.ref("base.state_us_32")
        )

    def test_sample_category_folders(self):
        folders = self.env["customer.archive.folder"].search(
            [
                ("company_id", "=", self.env.company.id),
                ("name", "in", self.category_names),
            ]
        )
        self.assertEqual(
            {folder.name: folder.code for folder in folders},
            {
                "Beverages": "BEV",
                "Condiments": "CON",
                "Confections": "COF",
                "Dairy Products": "DAI",
                "Grains/Cereals": "GRA",
                "Meat/Poultry": "MEA",
                "Produce": "PRO",
                "Seafood": "SEA",
            },
        )

    def test_sample_customer_folders(self):
        # Checked by hand against the CSVs: ALFKI spent the highest amount on Condiments
        # (1338.80 against 1255.00 on Dairy Products), QUICK on Beverages,
        # SAVEA on Meat/Poultry, VINET on Dairy Products.
        expected_by_hand = {
            "ALFKI": "Condiments",
            "QUICK": "Beverages",
            "SAVEA": "Meat/Poultry",
            "VINET": "Dairy Products",
        }
        for code, folder_name in expected_by_hand.items():
            with self.subTest(customer=code):
                self.assertEqual(self.by_code[code].archive_folder_id.name, folder_name)
        figures = self._expected_sample_figures()
        for code, partner in self.by_code.items():
            spend = figures[code]["spend"] if code in figures else {}
            expected = (
                min(spend, key=lambda name: (-spend[name], name.casefold()))
                if spend
                else self.fallback.name
            )
            with self.subTest(customer=code):
                self.assertEqual(partner.archive_folder_id.name, expected)

    def test_sample_customers_without_orders(self):
        for code in ("FISSA", "PARIS"):
            partner = self.by_code[code]
            with self.subTest(customer=code):
                self.assertEqual(partner.archive_folder_id, self.fallback)
                self.assertTrue(partner.archive_number.startswith("OTH-"))
                self.assertEqual(partner.archive_registration_date, fields.Date.today())
                self.assertEqual(partner.archive_tier, classification.TIER_NONE)
                self.assertEqual(
                    partner.archive_activity_cycle, classification.CYCLE_NEW
                )

    def test_sample_archive_numbers(self):
        numbers = self.customers.mapped("archive_number")
        self.assertEqual(len(numbers), 91)
        self.assertTrue(all(numbers))
        self.assertEqual(len(set(numbers)), 91)
        for partner in self.customers:
            with self.subTest(customer=partner.archive_customer_code):
                self.assertTrue(
                    partner.archive_number.startswith(
                        partner.archive_folder_id.code + "-"
                    )
                )
                dormant = partner.archive_activity_cycle in ("dormant", "lost")
                self.assertEqual(
                    partner.archive_state, "dormant" if dormant else "registered"
                )
                self.assertEqual(partner.archive_user_id, self.manager)

    def test_sample_registration_dates(self):
        figures = self._expected_sample_figures()
        self.assertEqual(
            self.by_code["ALFKI"].archive_registration_date, date(1997, 8, 25)
        )
        for code, customer in figures.items():
            with self.subTest(customer=code):
                self.assertEqual(
                    self.by_code[code].archive_registration_date, min(customer["dates"])
                )

    def test_sample_purchase_line(self):
        purchase = self.purchases.filtered(
            lambda p: p.source_reference == "northwind:10248:11"
        )
        self.assertEqual(purchase.partner_id, self.by_code["VINET"])
        self.assertEqual(purchase.date, date(1996, 7, 4))
        self.assertEqual(purchase.product, "Queso Cabrales")
        self.assertEqual(purchase.quantity, 12)
        self.assertAlmostEqual(purchase.amount, 168.0)
        self.assertEqual(purchase.folder_id.name, "Dairy Products")
        discounted = self.purchases.filtered(
            lambda p: p.source_reference == "northwind:10250:51"
        )
        # 42.4 * 35 * (1 - 0.15)
        self.assertAlmostEqual(discounted.amount, 1261.40)
        self.assertAlmostEqual(sum(self.purchases.mapped("amount")), 1265793.29)

    def test_sample_classification(self):
        self.assertEqual(self.report["reference_date"], LAST_ORDER_DATE)
        thresholds, dormant_days, lost_days = self.env[
            "res.partner"
        ]._archive_classification_settings()
        figures = self._expected_sample_figures()
        for code, partner in self.by_code.items():
            if code not in figures:
                continue
            customer = figures[code]
            last = max(customer["dates"])
            with self.subTest(customer=code):
                self.assertEqual(partner.archive_classified_on, LAST_ORDER_DATE)
                self.assertEqual(partner.archive_last_purchase_date, last)
                self.assertEqual(partner.archive_purchase_count, customer["lines"])
                self.assertAlmostEqual(
                    partner.archive_purchase_total, float(customer["total"]), 2
                )
                self.assertEqual(
                    partner.archive_tier,
                    classification.consumption_tier(
                        last,
                        customer["lines"],
                        float(customer["total"]),
                        LAST_ORDER_DATE,
                        thresholds,
                    ),
                )
                self.assertEqual(
                    partner.archive_activity_cycle,
                    classification.activity_cycle(
                        last, LAST_ORDER_DATE, dormant_days, lost_days
                    ),
                )
        self.assertEqual(self.by_code["QUICK"].archive_tier, classification.TIER_HIGH)
        self.assertEqual(
            self.by_code["QUICK"].archive_activity_cycle, classification.CYCLE_ACTIVE
        )

    # Second import

    def test_second_run_updates_only(self):
        numbers = {p.id: p.archive_number for p in self.customers}
        folder_count = self.env["customer.archive.folder"].search_count([])
        report = self.Wizard._import_northwind_sample()
        expected = {
            "customers": 91,
            "orders": 830,
            "order_details": 2155,
            "categories": 8,
        }
        for name, updated in expected.items():
            with self.subTest(file=name):
                counts = self._file_counts(report, name)
                self.assertEqual(counts["created_count"], 0)
                self.assertEqual(counts["updated_count"], updated)
        Partner = self.env["res.partner"].with_context(active_test=False)
        self.assertEqual(
            Partner.search_count([("archive_customer_code", "in", self.sample_codes)]),
            91,
        )
        self.assertEqual(
            Partner.search_count([("parent_id", "in", self.customers.ids)]),
            len(self.customers.child_ids),
        )
        self.assertEqual(
            self.env["customer.archive.purchase"].search_count(
                [("source_reference", "=like", "northwind:%")]
            ),
            2155,
        )
        self.assertEqual(
            self.env["customer.archive.folder"].search_count([]), folder_count
        )
        self.assertEqual({p.id: p.archive_number for p in self.customers}, numbers)

    def test_second_run_updates_changed_line(self):
        purchase = self.purchases.filtered(
            lambda p: p.source_reference == "northwind:10248:11"
        )
        purchase.amount = 1.0
        self.Wizard._import_northwind_sample()
        self.assertAlmostEqual(purchase.amount, 168.0)

    # User files

    def _import_files(self, **files):
        wizard = self.Wizard.create(
            {
                "source_prefix": "shop",
                **{f"{name}_file": content for name, content in files.items()},
            }
        )
        wizard.action_import()
        return wizard

    def _rejections(self, wizard):
        return {(line.file, line.row): line.reason for line in wizard.rejection_ids}

    def _results(self, wizard):
        return {
            line.file: (
                line.read_count,
                line.created_count,
                line.updated_count,
                line.rejected_count,
            )
            for line in wizard.result_ids
        }

    def test_user_csv_rejects_bad_rows(self):
        customers = (
            "customer_id,company_name,contact_name,country,phone\n"
            "NEWCO,New Company,Ann Lee,UK,(171) 555-0101\n"
            "SHORT,Short Row\n"
            "NOWHR,Nowhere Ltd,,Atlantis,555\n"
            "NEWCO,New Company Again,,UK,\n"
            "USACO,American Company,,usa,(503) 555-0199\n"
        )
        orders = (
            "order_id,customer_id,order_date\n"
            "1,NEWCO,2024-03-01\n"
            "2,NEWCO,01/03/2024\n"
            "3,USACO,2024-03-05\n"
            "4,GHOST,2024-03-06\n"
        )
        details = (
            "order_id,product_id,unit_price,quantity,discount\n"
            "1,1,10,2,0\n"
            "1,2,5,-3,0\n"
            "3,1,10,1,0.1\n"
            "2,1,10,1,0\n"
        )
        products = "product_id,product_name,category_id\n1,Green Tea,1\n2,Cup,2\n"
        categories = "category_id,category_name\n1,Tea\n2,Teaware\n"

        wizard = self._import_files(
            customers=_encode(customers),
            orders=_encode(orders),
            order_details=_encode(details),
            products=_encode(products),
            categories=_encode(categories),
        )

        self.assertEqual(wizard.state, "done")
        rejections = self._rejections(wizard)
        self.assertEqual(
            sorted(rejections),
            [
                ("customers", 3),
                ("customers", 4),
                ("customers", 5),
                ("order_details", 3),
                ("order_details", 5),
                ("orders", 3),
                ("orders", 5),
            ],
        )
        self.assertIn("2 columns but the header has 5", rejections["customers", 3])
        self.assertIn("Unknown country “Atlantis”", rejections["customers", 4])
        self.assertIn("Duplicate customer_id “NEWCO”", rejections["customers", 5])
        self.assertIn("already on row 2", rejections["customers", 5])
        self.assertIn("Invalid date “01/03/2024”", rejections["orders", 3])
        self.assertIn("Unknown customer “GHOST”", rejections["orders", 5])
        self.assertIn("Negative quantity -3", rejections["order_details", 3])
        self.assertIn("Order “2” was rejected on row 3", rejections["order_details", 5])

        self.assertEqual(wizard.rejection_count, 7)
        self.assertEqual(
            self._results(wizard),
            {
                "customers": (5, 2, 0, 3),
                "orders": (4, 2, 0, 2),
                "order_details": (4, 2, 0, 2),
                "products": (2, 0, 0, 0),
                "categories": (2, 2, 0, 0),
            },
        )

        Partner = self.env["res.partner"]
        newco = Partner.search([("archive_customer_code", "=", "NEWCO")])
        self.assertEqual(newco.name, "New Company")
        self.assertEqual(newco.country_id, self.env.ref("base.uk"))
        self.assertEqual(newco.phone, "(171) 555-0101")
        self.assertEqual(newco.archive_folder_id.name, "Tea")
        self.assertEqual(newco.archive_folder_id.code, "TEA")
        self.assertEqual(newco.archive_registration_date, date(2024, 3, 1))
        self.assertEqual(newco.archive_classified_on, date(2024, 3, 5))
        usaco = Partner.search([("archive_customer_code", "=", "USACO")])
        self.assertEqual(usaco.country_id, self.env.ref("base.us"))
        self.assertFalse(Partner.search([("archive_customer_code", "=", "NOWHR")]))

        purchases = self.env["customer.archive.purchase"].search(
            [("source_reference", "=like", "shop:%")]
        )
        self.assertEqual(
            sorted(purchases.mapped("source_reference")), ["shop:1:1", "shop:3:1"]
        )
        self.assertAlmostEqual(
            purchases.filtered(lambda p: p.source_reference == "shop:3:1").amount, 9.0
        )
        teaware = self.env["customer.archive.folder"].search([("name", "=", "Teaware")])
        self.assertEqual(teaware.code, "TEW")

    def test_user_orders_for_existing_customer(self):
        orders = "order_id,customer_id,order_date\n1,ALFKI,1998-06-01\n"
        details = "order_id,product_id,unit_price,quantity\n1,7,30,100\n"
        products = "product_id,product_name,category_id\n7,Uncle Bob's Pears,7\n"
        categories = "category_id,category_name\n7,Produce\n"
        wizard = self._import_files(
            orders=_encode(orders),
            order_details=_encode(details),
            products=_encode(products),
            categories=_encode(categories),
        )
        self.assertFalse(wizard.rejection_ids)
        alfki = self.by_code["ALFKI"]
        self.assertEqual(alfki.archive_folder_id.name, "Produce")
        self.assertEqual(alfki.archive_last_purchase_date, date(1998, 6, 1))
        self.assertEqual(
            self._results(wizard)["categories"], (1, 0, 1, 0), "Produce is reused"
        )

    def test_user_csv_with_bom(self):
        customers = (
            "customer_id,company_name,city,country,phone\n"
            "CAFE1,Crème Café,Zürich,Switzerland,01-555 12 34\n"
        )
        wizard = self._import_files(customers=_encode(customers, bom=True))
        self.assertFalse(wizard.rejection_ids)
        partner = self.env["res.partner"].search(
            [("archive_customer_code", "=", "CAFE1")]
        )
        self.assertEqual(partner.name, "Crème Café")
        self.assertEqual(partner.city, "Zürich")
        self.assertEqual(partner.country_id, self.env.ref("base.ch"))
        self.assertEqual(partner.archive_folder_id, self.fallback)
        self.assertTrue(partner.archive_number)

    def test_user_xlsx_workbook(self):
        workbook = openpyxl.Workbook()
        workbook.remove(workbook.active)
        sheets = {
            "Customers": [
                ["customer_id", "company_name", "country", "phone"],
                ["XLSX1", "Workbook Traders", "Germany", "030-1234567"],
                ["XLSX2", "Bad Country Traders", "Nowhere", None],
            ],
            "orders": [
                ["order_id", "customer_id", "order_date"],
                [501, "XLSX1", date(2024, 5, 2)],
            ],
            "order_details": [
                ["order_id", "product_id", "unit_price", "quantity", "discount"],
                [501, 3, 12.5, 4, 0.2],
                [501, 4, 2, -1, 0],
            ],
            "products": [
                ["product_id", "product_name", "category_id"],
                [3, "Oolong", 1],
                [4, "Kettle", 1],
            ],
            "categories": [["category_id", "category_name"], [1, "Oolong Tea"]],
        }

        for title, rows in sheets.items():
            sheet = workbook.create_sheet(title)
            for row in rows:
                sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)

        wizard = self.Wizard.create(
            {
                "file_format": "xlsx",
                "source_prefix": "xlsx",
                "workbook_file": base64.b64encode(buffer.getvalue()),
            }
        )
        wizard.action_import()

        rejections = self._rejections(wizard)
        self.assertEqual(sorted(rejections), [("customers", 3), ("order_details", 3)])
        self.assertIn("Unknown country “Nowhere”", rejections["customers", 3])
        self.assertIn("Negative quantity -1", rejections["order_details", 3])

        purchase = self.env["customer.archive.purchase"].search(
            [("source_reference", "=", "xlsx:501:3")]
        )
        self.assertEqual(purchase.date, date(2024, 5, 2))
        self.assertEqual(purchase.product, "Oolong")
        self.assertAlmostEqual(purchase.amount, 40.0)
        self.assertEqual(purchase.partner_id.archive_customer_code, "XLSX1")
        self.assertEqual(purchase.partner_id.phone, "030-1234567")
        self.assertEqual(purchase.partner_id.archive_folder_id.name, "Oolong Tea")

    # Errors

    def test_missing_column_raises(self):
        with self.assertRaisesRegex(UserError, "missing the column.*company_name"):
            self._import_files(customers=_encode("customer_id,name\nA,B\n"))

    def test_orders_without_lines_raise(self):
        orders = "order_id,customer_id,order_date\n1,ALFKI,1998-06-01\n"
        with self.assertRaisesRegex(UserError, "order_details file or sheet"):
            self._import_files(orders=_encode(orders))

    def test_nothing_to_import_raises(self):
        with self.assertRaisesRegex(UserError, "Nothing to import"):
            self._import_files()

    def test_invalid_source_raises(self):
        wizard = self.Wizard.create(
            {
                "source_prefix": "my shop",
                "customers_file": _encode("customer_id,company_name\nA1,B\n"),
            }
        )
        with self.assertRaisesRegex(UserError, "source “my shop” is invalid"):
            wizard.action_import()

    def test_write_error_rolls_back(self):
        customers = "customer_id,company_name\nROLL1,Rollback Ltd\n"
        orders = "order_id,customer_id,order_date\n1,ROLL1,2024-01-01\n"
        details = "order_id,product_id,unit_price,quantity\n1,1,10,1\n"
        products = "product_id,product_name,category_id\n1,Tea,1\n"
        categories = "category_id,category_name\n1,Rollback Category\n"
        Purchase = self.registry["customer.archive.purchase"]
        with (
            patch.object(
                Purchase, "create", side_effect=ValidationError("purchase rejected")
            ),
            self.assertRaisesRegex(
                UserError, "nothing was saved. Error: purchase rejected"
            ),
            mute_logger(
                "odoo.addons.customer_archive.wizard.customer_archive_importer"
            ),
        ):
            self._import_files(
                customers=_encode(customers),
                orders=_encode(orders),
                order_details=_encode(details),
                products=_encode(products),
                categories=_encode(categories),
            )
        self.assertFalse(
            self.env["res.partner"].search([("archive_customer_code", "=", "ROLL1")])
        )
        self.assertFalse(
            self.env["customer.archive.folder"].search(
                [("name", "=", "Rollback Category")]
            )
        )

    def test_every_code_has_message(self):
        for code in northwind.FILE_ERROR_CODES:
            with self.subTest(code=code):
                error = northwind.FileFormatError(
                    code,
                    file="orders",
                    columns="order_id",
                    row=7,
                    error="broken",
                    needed_by="orders, order_details",
                )
                self.assertTrue(file_error_message(self.env, error))
        for code in northwind.REJECTION_CODES:
            with self.subTest(code=code):
                rejection = northwind.Rejection(
                    "orders",
                    3,
                    code,
                    {
                        "value": "X-42",
                        "column": "order_id",
                        "expected": 3,
                        "found": 2,
                        "first_row": 2,
                        "target_row": 5,
                    },
                )
                message = rejection_message(self.env, rejection)
                if code not in ("column_count", "missing_value"):
                    self.assertIn("X-42", message)

    def test_archive_user_cannot_import(self):
        with self.assertRaises(AccessError):
            self.env["customer.archive.import.wizard"].with_user(
                self.archive_user
            ).create({"customers_file": _encode("customer_id,company_name\n")})
