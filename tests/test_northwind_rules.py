"""Rules of the Northwind-shaped customer import, without Odoo."""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from customer_archive.tools.northwind import (
    CATEGORIES,
    CUSTOMERS,
    FILE_ERROR_CODES,
    ORDER_DETAILS,
    ORDERS,
    PRODUCTS,
    REJECTION_CODES,
    FileFormatError,
    check_table_set,
    derive_folder_prefix,
    fold_name,
    is_valid_source_prefix,
    line_amount,
    parse_date,
    parse_number,
    pick_main_folder,
    read_csv_table,
    read_xlsx_tables,
    referenced_customer_codes,
    source_reference,
    validate_tables,
)

CUSTOMERS_CSV = """customer_id,company_name,contact_name,country,phone,fax
ALFKI,Alfreds Futterkiste,Maria Anders,Germany,030-0074321,
GREAL,Great Lakes Food Market,Howard Snyder,USA,(503) 555-7555,
NOCTR,Nowhere Company,,Atlantis,123,
ALFKI,Alfreds Again,,Germany,,
SHORT,Short Row
EMPTY,,,Germany,,
"""
ORDERS_CSV = """order_id,customer_id,order_date
10248,ALFKI,1996-07-04
10249,GREAL,1996-07-05 00:00:00
10250,GREAL,1996-02-30
10251,NOCTR,1996-07-08
10252,OTHER,1996-07-09
10253,OLDCU,1996-07-10
10248,GREAL,1996-07-11
"""
DETAILS_CSV = """order_id,product_id,unit_price,quantity,discount
10248,11,14,12,0
10248,42,9.8,10,0.15
10249,11,14,-1,0
10249,42,-9.8,1,0
10249,72,34.8,1,1.5
10249,11,14,2,0
10250,11,14,1,0
10249,99,14,1,0
10253,11,abc,1,0
10253,42,"1,5",1,0
10253,72,42.4,0,0
10249,51,42.4,3,
10248,51
10253,51,10,1,0
10251,51,10,1,0
"""
PRODUCTS_CSV = """product_id,product_name,category_id
11,Queso Cabrales,4
42,Singaporean Hokkien Fried Mee,5
51,Manjimup Dried Apples,7
72,Mozzarella di Giovanni,4
"""
CATEGORIES_CSV = """category_id,category_name,description
4,Dairy Products,Cheeses
5,Grains/Cereals,"Breads, crackers, pasta, and cereal"
7,Produce,Dried fruit and bean curd
"""


def _tables(**overrides):
    texts = {
        CUSTOMERS: CUSTOMERS_CSV,
        ORDERS: ORDERS_CSV,
        ORDER_DETAILS: DETAILS_CSV,
        PRODUCTS: PRODUCTS_CSV,
        CATEGORIES: CATEGORIES_CSV,
    }
    texts.update(overrides)
    return {
        name: read_csv_table(name, text.encode("utf-8"))
        for name, text in texts.items()
        if text is not None
    }


def _resolve_country(name):
    return {"germany": 1, "usa": 2}.get(name.lower())


def _reasons(data, table):
    for rejection in data.rejections:
        assert rejection.code in REJECTION_CODES
    return {
        rejection.row: (rejection.code, rejection.values)
        for rejection in data.rejections
        if rejection.table == table
    }


@pytest.fixture
def data():
    return validate_tables(_tables(), _resolve_country, known_customer_codes={"OLDCU"})


# Cells


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1996-07-04", date(1996, 7, 4)),
        (" 1996-07-04 ", date(1996, 7, 4)),
        ("1996-07-04 00:00:00", date(1996, 7, 4)),
        ("1996-07-04T10:30", date(1996, 7, 4)),
        ("1996-07-04 10:30:00.5", date(1996, 7, 4)),
        ("1996-02-29", date(1996, 2, 29)),
        ("1997-02-29", None),
        ("1996-13-01", None),
        ("04/07/1996", None),
        ("1996-7-4", None),
        ("19960704", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14", Decimal(14)),
        ("9.8", Decimal("9.8")),
        (" 0.15 ", Decimal("0.15")),
        ("-1", Decimal(-1)),
        ("+2.", Decimal(2)),
        (".5", Decimal("0.5")),
        ("1e3", Decimal(1000)),
        ("999999999999", Decimal(999999999999)),
        ("1000000000000", None),
        ("1e12", None),
        ("1,5", None),
        ("1 000", None),
        ("1_000", None),
        ("nan", None),
        ("inf", None),
        ("abc", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


def test_line_amount_applies_discount():
    assert line_amount(Decimal("9.8"), Decimal(10), Decimal("0.15")) == Decimal("83.30")


def test_line_amount_rounds_half_up_to_cent():
    assert line_amount(Decimal("0.125"), Decimal(1), Decimal(0)) == Decimal("0.13")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Québec", "quebec"),
        ("  São   Paulo ", "sao paulo"),
        ("MÉXICO", "mexico"),
        ("中国", "中国"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_name(text, expected):
    assert fold_name(text) == expected


def test_source_reference_joins_keys():
    assert source_reference("northwind", "10248", "11") == "northwind:10248:11"


@pytest.mark.parametrize(
    ("prefix", "valid"),
    [
        ("northwind", True),
        ("shop-2", True),
        ("erp_v1.0", True),
        ("", False),
        ("Northwind", False),
        ("north wind", False),
        ("north:wind", False),
        ("-north", False),
        ("a" * 30, True),
        ("a" * 31, False),
    ],
)
def test_source_prefix_validity(prefix, valid):
    assert is_valid_source_prefix(prefix) is valid


# Folders


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("Beverages", set(), "BEV"),
        ("Condiments", {"BEV"}, "CON"),
        ("Confections", {"CON"}, "COF"),
        ("Confections", {"con", "cof"}, "COE"),
        ("Dairy Products", set(), "DAI"),
        ("Grains/Cereals", set(), "GRA"),
        ("Crème brûlée", set(), "CRE"),
        ("2nd Hand", set(), "NDH"),
        ("Té", set(), "TE"),
        ("Tea", {"TEA"}, "TEA2"),
        ("Tea", {"TEA", "TEA2"}, "TEA3"),
        ("茶叶", set(), "CAT"),
        ("茶具", {"CAT"}, "CAT2"),
        ("", set(), "CAT"),
    ],
)
def test_derive_folder_prefix(name, taken, expected):
    assert derive_folder_prefix(name, taken) == expected


def test_pick_main_folder_highest_spend():
    assert pick_main_folder({1: 10, 2: 30, 3: 20}, {1: "A", 2: "B", 3: "C"}) == 2


def test_pick_main_folder_tie_by_name():
    names = {1: "seafood", 2: "Beverages", 3: "Condiments"}
    assert pick_main_folder({1: 50, 2: 50, 3: 10}, names) == 2


def test_pick_main_folder_tie_by_key():
    assert pick_main_folder({7: 5, 3: 5}, {7: "Tea", 3: "Tea"}) == 3


def test_pick_main_folder_without_spend():
    assert pick_main_folder({}, {}) is None


# Reading files


def test_read_csv_with_bom():
    table = read_csv_table(CATEGORIES, ("\ufeff" + CATEGORIES_CSV).encode("utf-8"))
    assert table.header == ["category_id", "category_name", "description"]


def test_read_csv_row_numbers():
    text = "category_id,category_name\n1,Tea\n\n2,Coffee\n"
    table = read_csv_table(CATEGORIES, text.encode("utf-8"))
    assert [row for row, _cells in table.rows] == [2, 4]


def test_read_csv_header_normalised():
    text = " Category_ID , CATEGORY_NAME\n1,Tea\n"
    table = read_csv_table(CATEGORIES, text.encode("utf-8"))
    assert table.header == ["category_id", "category_name"]


def test_read_csv_rejects_latin1():
    with pytest.raises(FileFormatError) as error:
        read_csv_table(CUSTOMERS, "customer_id,company_name\nA,Café\n".encode("cp1252"))
    assert error.value.code == "not_utf8"


def test_read_csv_reads_gbk_from_excel():
    text = "customer_id,company_name,city\nC001,茶香阁,杭州\nC002,品茗轩,北京\n"
    table = read_csv_table(CUSTOMERS, text.encode("gbk"))
    assert table.rows[0][1] == ["C001", "茶香阁", "杭州"]
    assert table.rows[1][1] == ["C002", "品茗轩", "北京"]


def test_read_csv_reads_gbk_name_outside_gb2312():
    # 喆 is in GBK but not in GB2312; the rest of the file is common text.
    text = "customer_id,company_name,city\nC001,王喆茶行,杭州市西湖区\n"
    table = read_csv_table(CUSTOMERS, text.encode("gbk"))
    assert table.rows[0][1][1] == "王喆茶行"


def test_read_csv_reads_gb18030_four_byte_character():
    text = "customer_id,company_name,city\nC001,𠀀记茶庄有限公司,杭州市西湖区龙井路\n"
    table = read_csv_table(CUSTOMERS, text.encode("gb18030"))
    assert table.rows[0][1][1] == "𠀀记茶庄有限公司"


def test_read_csv_rejects_cp1252_that_decodes_as_gb18030():
    # "é" followed by a letter forms a valid GB18030 pair of a rare character.
    text = "customer_id,company_name,city\nA,Québec Thés,Montréal\n"
    with pytest.raises(FileFormatError) as error:
        read_csv_table(CUSTOMERS, text.encode("cp1252"))
    assert error.value.code == "not_utf8"


def test_read_csv_prefers_utf8_with_and_without_bom():
    text = "customer_id,company_name\nC001,茶香阁\n"
    for data in (text.encode("utf-8"), text.encode("utf-8-sig")):
        assert read_csv_table(CUSTOMERS, data).rows[0][1] == ["C001", "茶香阁"]


def test_read_csv_rejects_empty_file():
    with pytest.raises(FileFormatError) as error:
        read_csv_table(CUSTOMERS, b"")
    assert error.value.code == "empty"


def test_read_csv_reports_missing_columns():
    with pytest.raises(FileFormatError) as error:
        read_csv_table(ORDERS, b"order_id,order_date\n1,1996-07-04\n")
    assert error.value.code == "missing_columns"
    assert error.value.values["columns"] == "customer_id"


def test_read_csv_reports_duplicate_columns():
    with pytest.raises(FileFormatError) as error:
        read_csv_table(CATEGORIES, b"category_id,category_name,category_id\n")
    assert error.value.code == "duplicate_columns"


def test_read_csv_reports_semicolon_separator():
    with pytest.raises(FileFormatError) as error:
        read_csv_table(CATEGORIES, b"category_id;category_name\n1;Tea\n")
    assert error.value.code == "semicolon_separator"


def test_read_csv_reports_broken_syntax():
    with pytest.raises(FileFormatError) as error:
        read_csv_table(CATEGORIES, b"category_id,category_name\n1," + b"x" * 200000)
    assert error.value.code == "bad_csv"
    assert error.value.values["row"] == 2


def _workbook_bytes(sheets):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_cached_values(data, cached):
    """Return the workbook ``data`` with ``cached`` values saved for formulas.

    openpyxl writes formulas without values; Excel saves the value it
    computed in ``<v>``, which ``cached`` maps from the formula's text.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                for formula, value in cached.items():
                    content = content.replace(
                        f"><f>{formula}</f><v></v>".encode(),
                        f' t="str"><f>{formula}</f><v>{value}</v>'.encode(),
                    )
            target.writestr(item, content)
    return buffer.getvalue()


def test_read_xlsx_rejects_formula_without_value():
    data = _workbook_bytes(
        {
            "customers": [
                ["customer_id", "company_name"],
                ["C1", '=HYPERLINK("http://example.com","Tea")'],
                ["C2", "Tea House"],
            ]
        }
    )
    table = read_xlsx_tables(data)[CUSTOMERS]
    assert table.problems == {
        2: (
            "formula_without_value",
            {
                "column": "company_name (B)",
                "value": '=HYPERLINK("http://example.com","Tea")',
            },
        )
    }
    data = validate_tables({CUSTOMERS: table}, lambda _country: 1)
    assert [(r.row, r.code) for r in data.rejections] == [(2, "formula_without_value")]
    assert list(data.customers) == ["C2"]


def test_read_xlsx_takes_saved_formula_value():
    data = _workbook_bytes(
        {"customers": [["customer_id", "company_name"], ["C1", '=UPPER("tea")']]}
    )
    data = _with_cached_values(data, {'UPPER("tea")': "TEA"})
    table = read_xlsx_tables(data)[CUSTOMERS]
    assert table.problems == {}
    assert table.rows == [(2, ["C1", "TEA"])]


def test_read_xlsx_keeps_text_that_looks_like_formula():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "customers"
    sheet.append(["customer_id", "company_name"])
    sheet.append(["C1", "x"])
    sheet["B2"].value = "=cmd|' /C calc'!A0"
    sheet["B2"].data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_xlsx_tables(buffer.getvalue())[CUSTOMERS]
    assert table.problems == {}
    assert table.rows == [(2, ["C1", "=cmd|' /C calc'!A0"])]


def test_read_xlsx_rejects_rows_of_merged_cells():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "customers"
    sheet.append(["customer_id", "company_name", "country"])
    sheet.append(["C1", "Tea House", "Germany"])
    sheet.append(["C2", "Tea Garden", None])
    sheet.append(["C3", "Tea Shop", "France"])
    sheet.merge_cells("C2:C3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_xlsx_tables(buffer.getvalue())[CUSTOMERS]
    assert table.problems == {
        2: ("merged_cells", {"value": "C2:C3"}),
        3: ("merged_cells", {"value": "C2:C3"}),
    }
    data = validate_tables({CUSTOMERS: table}, lambda _country: 1)
    assert [(r.row, r.code) for r in data.rejections] == [
        (2, "merged_cells"),
        (3, "merged_cells"),
    ]
    assert list(data.customers) == ["C3"]


def test_read_xlsx_converts_cells_to_text():
    data = _workbook_bytes(
        {
            "Orders": [
                ["order_id", "customer_id", "order_date"],
                [10248, "ALFKI", datetime(1996, 7, 4)],
                [10249.0, "ALFKI", date(1996, 7, 5)],
                [10250, "ALFKI", datetime(1996, 7, 8, 10, 30)],
            ],
            "order_details": [
                ["order_id", "product_id", "unit_price", "quantity", "discount"],
                [10248, 11, 14.4, 12, 0.15],
            ],
        }
    )
    tables = read_xlsx_tables(data)
    assert sorted(tables) == [ORDER_DETAILS, ORDERS]
    assert tables[ORDERS].rows[0] == (2, ["10248", "ALFKI", "1996-07-04"])
    assert tables[ORDERS].rows[1] == (3, ["10249", "ALFKI", "1996-07-05"])
    assert tables[ORDERS].rows[2][1][2] == "1996-07-08 10:30:00"
    assert tables[ORDER_DETAILS].rows[0][1] == ["10248", "11", "14.4", "12", "0.15"]


def test_read_xlsx_row_widths():
    data = _workbook_bytes(
        {
            "categories": [
                ["category_id", "category_name", "description"],
                [1, "Tea"],
                [2, "Coffee", None, "extra"],
                [None, None],
                [3, "Cocoa", None, None],
            ]
        }
    )
    rows = read_xlsx_tables(data)[CATEGORIES].rows
    assert rows == [
        (2, ["1", "Tea", ""]),
        (3, ["2", "Coffee", "", "extra"]),
        (5, ["3", "Cocoa", ""]),
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a workbook",
        b"PK\x03\x04broken",
        _workbook_bytes({"customers": [["customer_id"]]})[:200],
    ],
)
def test_read_xlsx_rejects_unreadable_bytes(data):
    with pytest.raises(FileFormatError) as error:
        read_xlsx_tables(data)
    assert error.value.code == "bad_xlsx"


def test_referenced_customer_codes():
    codes = referenced_customer_codes(_tables())
    assert codes == {"ALFKI", "GREAL", "NOCTR", "SHORT", "EMPTY", "OTHER", "OLDCU"}


@pytest.mark.parametrize(
    ("names", "code"),
    [
        (set(), "nothing_to_import"),
        ({PRODUCTS, CATEGORIES}, "nothing_to_import"),
        ({CUSTOMERS, ORDERS}, "missing_table"),
        ({ORDERS, ORDER_DETAILS, PRODUCTS}, "missing_table"),
        ({ORDER_DETAILS, PRODUCTS, CATEGORIES}, "missing_table"),
    ],
)
def test_check_table_set_rejects(names, code):
    with pytest.raises(FileFormatError) as error:
        check_table_set(names)
    assert error.value.code == code
    assert code in FILE_ERROR_CODES


@pytest.mark.parametrize(
    "names",
    [
        {CUSTOMERS},
        {CUSTOMERS, PRODUCTS, CATEGORIES},
        {ORDERS, ORDER_DETAILS, PRODUCTS, CATEGORIES},
        {CUSTOMERS, ORDERS, ORDER_DETAILS, PRODUCTS, CATEGORIES},
    ],
)
def test_check_table_set_accepts(names):
    check_table_set(names)


# Validation


def test_valid_customers(data):
    assert sorted(data.customers) == ["ALFKI", "GREAL"]
    assert data.customers["ALFKI"].company_name == "Alfreds Futterkiste"
    assert data.customers["ALFKI"].country_id == 1
    assert data.customers["ALFKI"].phone == "030-0074321"


def test_customer_rejections(data):
    assert _reasons(data, CUSTOMERS) == {
        4: ("unknown_country", {"value": "Atlantis"}),
        5: (
            "duplicate_key",
            {"column": "customer_id", "value": "ALFKI", "first_row": 2},
        ),
        6: ("column_count", {"expected": 6, "found": 2}),
        7: ("missing_value", {"column": "company_name"}),
    }


def test_customer_without_country_is_valid():
    text = "customer_id,company_name,country\nNOCO,No Country,\n"
    data = validate_tables(_tables(**{CUSTOMERS: text}), _resolve_country)
    assert data.customers["NOCO"].country_id is None


def test_valid_orders(data):
    assert sorted(data.orders) == ["10248", "10249", "10253"]
    assert data.orders["10249"].order_date == date(1996, 7, 5)
    assert data.last_order_date() == date(1996, 7, 10)
    assert data.first_order_dates() == {
        "ALFKI": date(1996, 7, 4),
        "GREAL": date(1996, 7, 5),
        "OLDCU": date(1996, 7, 10),
    }


def test_order_rejections(data):
    assert _reasons(data, ORDERS) == {
        4: ("bad_date", {"column": "order_date", "value": "1996-02-30"}),
        5: ("customer_rejected", {"value": "NOCTR", "target_row": 4}),
        6: ("unknown_customer", {"value": "OTHER"}),
        8: ("duplicate_key", {"column": "order_id", "value": "10248", "first_row": 2}),
    }


def test_valid_order_lines(data):
    lines = {(line.order_id, line.product_id): line for line in data.lines}
    assert sorted(lines) == [
        ("10248", "11"),
        ("10248", "42"),
        ("10249", "51"),
        ("10253", "51"),
    ]
    line = lines[("10248", "42")]
    assert line.customer_code == "ALFKI"
    assert line.order_date == date(1996, 7, 4)
    assert line.product_name == "Singaporean Hokkien Fried Mee"
    assert line.category_id == "5"
    assert line.quantity == Decimal(10)
    assert line.amount == Decimal("83.30")
    assert lines[("10249", "51")].amount == Decimal("127.20")
    assert lines[("10253", "51")].customer_code == "OLDCU"


def test_order_line_rejections(data):
    assert _reasons(data, ORDER_DETAILS) == {
        4: ("negative_quantity", {"value": "-1"}),
        5: ("negative_price", {"value": "-9.8"}),
        6: ("discount_out_of_range", {"value": "1.5"}),
        7: (
            "duplicate_key",
            {"column": "order_id, product_id", "value": "10249, 11", "first_row": 4},
        ),
        8: ("order_rejected", {"value": "10250", "target_row": 4}),
        9: ("unknown_product", {"value": "99"}),
        10: ("bad_number", {"column": "unit_price", "value": "abc"}),
        11: ("bad_number", {"column": "unit_price", "value": "1,5"}),
        12: ("zero_quantity", {"value": "0"}),
        14: ("column_count", {"expected": 5, "found": 2}),
        16: ("order_rejected", {"value": "10251", "target_row": 5}),
    }


def test_product_of_unknown_category_is_rejected():
    text = "product_id,product_name,category_id\n1,Chai,4\n2,Bad,9\n"
    data = validate_tables(_tables(**{PRODUCTS: text}), _resolve_country)
    assert sorted(data.products) == ["1"]
    assert _reasons(data, PRODUCTS) == {3: ("unknown_category", {"value": "9"})}


def test_product_without_category_is_valid():
    text = "product_id,product_name,category_id\n1,Tea,\n"
    data = validate_tables(_tables(**{PRODUCTS: text}), _resolve_country)
    assert data.products["1"].category_id == ""


def test_read_and_rejected_counts(data):
    assert data.read_counts == {
        CUSTOMERS: 6,
        ORDERS: 7,
        ORDER_DETAILS: 15,
        PRODUCTS: 4,
        CATEGORIES: 3,
    }
    assert data.rejected_count(CUSTOMERS) == 4
    assert data.rejected_count(ORDER_DETAILS) == 11


def test_northwind_sample_is_valid(module_dir):
    folder = module_dir / "data" / "northwind"
    tables = {
        name: read_csv_table(name, (folder / f"{name}.csv").read_bytes())
        for name in (CUSTOMERS, ORDERS, ORDER_DETAILS, PRODUCTS, CATEGORIES)
    }
    data = validate_tables(tables, lambda name: 1)
    assert data.rejections == []
    assert len(data.customers) == 91
    assert len(data.orders) == 830
    assert len(data.lines) == 2155
    assert data.last_order_date() == date(1998, 5, 6)
