"""Reading and validation of customer files in the Northwind shape.

The files are the tables of Microsoft's Northwind sample database: customers,
orders, order_details, products and categories, each with a header row. This
module reads them from CSV or XLSX, checks every row and every reference
between the tables, and returns the valid rows with a list of rejections. It
writes nothing: the import wizard turns the valid rows into records.

Rejections and file errors carry a code and the values for the message, so the
caller can word them in the user's language.
"""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import zip_longest
from xml.etree import ElementTree

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

CUSTOMERS = "customers"
ORDERS = "orders"
ORDER_DETAILS = "order_details"
PRODUCTS = "products"
CATEGORIES = "categories"
TABLE_NAMES = (CUSTOMERS, ORDERS, ORDER_DETAILS, PRODUCTS, CATEGORIES)

# Columns that must be in the header. A row with an empty required cell is
# rejected. Other columns of the Northwind tables (fax, employee_id,
# ship_address, ...) are allowed and ignored.
REQUIRED_COLUMNS = {
    CUSTOMERS: ("customer_id", "company_name"),
    ORDERS: ("order_id", "customer_id", "order_date"),
    ORDER_DETAILS: ("order_id", "product_id", "unit_price", "quantity"),
    PRODUCTS: ("product_id", "product_name"),
    CATEGORIES: ("category_id", "category_name"),
}
# Columns that are read when the header has them; an empty cell is allowed.
OPTIONAL_COLUMNS = {
    CUSTOMERS: (
        "contact_name",
        "contact_title",
        "address",
        "city",
        "region",
        "postal_code",
        "country",
        "phone",
    ),
    ORDERS: (),
    ORDER_DETAILS: ("discount",),
    PRODUCTS: ("category_id",),
    CATEGORIES: ("description",),
}
# Tables imported together, because order lines need their orders, their
# products and the products' categories, which give each purchase its folder.
ORDER_TABLES = (ORDERS, ORDER_DETAILS, PRODUCTS, CATEGORIES)

# Number cells whose absolute value reaches this limit are rejected as invalid.
# Below it, a value with cents fits in the 15 significant digits that a float
# stores exactly.
MAX_NUMBER = Decimal(10) ** 12
CENT = Decimal("0.01")

DATE_PATTERN = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
NUMBER_PATTERN = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
SOURCE_PREFIX_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,29}$")
# Share of the non-ASCII characters of a file read as GB18030 that must be
# common Chinese characters (GB2312) for the reading to be trusted. Names
# with rare characters outside GB2312, such as 喆 or 堃, stay far below the
# other 10% in a real customer file.
GB2312_MIN_SHARE = 0.9
PREFIX_LENGTH = 3
DEFAULT_PREFIX = "CAT"
# Exceptions of openpyxl on bytes that are not a readable workbook, such as
# bytes that are not a zip, a zip without the workbook parts, or broken XML.
XLSX_ERRORS = (
    InvalidFileException,
    zipfile.BadZipFile,
    KeyError,
    OSError,
    ValueError,
    ElementTree.ParseError,
)


# Codes of FileFormatError and of Rejection, each with its own message.
FILE_ERROR_CODES = (
    "not_utf8",
    "empty",
    "duplicate_columns",
    "missing_columns",
    "semicolon_separator",
    "bad_csv",
    "bad_xlsx",
    "missing_table",
    "nothing_to_import",
)
REJECTION_CODES = (
    "formula_without_value",
    "merged_cells",
    "column_count",
    "missing_value",
    "bad_number",
    "bad_date",
    "negative_quantity",
    "zero_quantity",
    "negative_price",
    "discount_out_of_range",
    "duplicate_key",
    "unknown_country",
    "unknown_customer",
    "customer_rejected",
    "unknown_order",
    "order_rejected",
    "unknown_product",
    "product_rejected",
    "unknown_category",
    "category_rejected",
)


class FileFormatError(Exception):
    """A file or sheet that cannot be imported at all.

    ``code`` names the problem and ``values`` contains the values for its
    message, e.g. ``FileFormatError("missing_columns", file="orders",
    columns="order_id")``.
    """

    def __init__(self, code, **values):
        super().__init__(code, values)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class Rejection:
    """Row left out of the import, with the reason code and its message values."""

    table: str
    row: int
    code: str
    values: dict = field(default_factory=dict)


@dataclass
class Table:
    """Header and non-empty data rows of one file or sheet.

    Each row is ``(row_number, cells)``, and the header is row 1. The numbers
    match the lines a text editor shows unless a quoted cell contains a line
    break, and they always match the rows a spreadsheet shows.
    """

    name: str
    header: list
    rows: list
    # Rows to reject whatever their cells say: row number -> (code, values).
    problems: dict = field(default_factory=dict)


@dataclass
class Customer:
    row: int
    code: str
    company_name: str
    contact_name: str
    contact_title: str
    street: str
    city: str
    region: str
    zip: str
    country: str
    country_id: int | None
    phone: str


@dataclass
class Order:
    row: int
    order_id: str
    customer_code: str
    order_date: date


@dataclass
class Category:
    row: int
    category_id: str
    name: str
    description: str


@dataclass
class Product:
    row: int
    product_id: str
    name: str
    category_id: str


@dataclass
class OrderLine:
    row: int
    order_id: str
    product_id: str
    customer_code: str
    order_date: date
    product_name: str
    category_id: str
    quantity: Decimal
    amount: Decimal


@dataclass
class ValidatedData:
    """Valid rows of every table and the rejected rows.

    Customers, orders, products and categories are keyed by their id column.
    """

    customers: dict = field(default_factory=dict)
    orders: dict = field(default_factory=dict)
    lines: list = field(default_factory=list)
    products: dict = field(default_factory=dict)
    categories: dict = field(default_factory=dict)
    rejections: list = field(default_factory=list)
    read_counts: dict = field(default_factory=dict)

    def rejected_count(self, table):
        return sum(1 for rejection in self.rejections if rejection.table == table)

    def last_order_date(self):
        """Return the latest order date among the valid orders, or ``None``."""
        return max((order.order_date for order in self.orders.values()), default=None)

    def first_order_dates(self):
        """Return the first valid order date of each customer code."""
        first = {}
        for order in self.orders.values():
            first_date = first.get(order.customer_code)
            if first_date is None or order.order_date < first_date:
                first[order.customer_code] = order.order_date
        return first


# Cell parsing


def parse_date(text):
    """Return the date of an ISO ``YYYY-MM-DD`` cell, or ``None`` when invalid.

    A time part (``1996-07-04 00:00:00`` or ``1996-07-04T10:30``) is allowed
    and dropped, because order dates have no time in the archive.
    """
    match = DATE_PATTERN.match((text or "").strip())
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_number(text):
    """Return the ``Decimal`` of a cell such as ``14``, ``9.8`` or ``1e3``.

    Returns ``None`` for anything else, including a comma decimal separator,
    thousands separators, ``nan`` and ``inf``, and numbers whose absolute
    value reaches ``MAX_NUMBER``.
    """
    text = (text or "").strip()
    if not NUMBER_PATTERN.match(text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if abs(number) >= MAX_NUMBER:
        return None
    return number


def line_amount(unit_price, quantity, discount):
    """Return ``unit_price * quantity * (1 - discount)`` rounded to the cent."""
    amount = unit_price * quantity * (1 - discount)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def is_valid_source_prefix(prefix):
    """Return whether ``prefix`` can start a purchase's source reference.

    A prefix is 1 to 30 lower-case letters, digits, dots, dashes or
    underscores, starting with a letter or digit, e.g. ``northwind``.
    """
    return bool(prefix) and bool(SOURCE_PREFIX_PATTERN.match(prefix))


def fold_name(text):
    """Return ``text`` without accents, case or repeated spaces, to match names.

    ``Québec`` and ``quebec`` give the same result. Characters without a
    decomposition, such as Chinese ones, are kept.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.split()).casefold()


def source_reference(prefix, order_id, product_id):
    """Return the key of an order line, e.g. ``northwind:10248:11``."""
    return f"{prefix}:{order_id}:{product_id}"


# Folders


def _prefix_letters(name):
    """Return the ASCII upper-case letters and digits of ``name``, letter first."""
    ascii_text = (
        unicodedata.normalize("NFKD", name or "")
        .encode("ascii", "ignore")
        .decode("ascii")
        .upper()
    )
    letters = "".join(char for char in ascii_text if char.isalnum())
    return letters.lstrip("0123456789")


def derive_folder_prefix(category_name, used_prefixes):
    """Return a folder number prefix for ``category_name`` not in ``used_prefixes``.

    The prefix is the first three letters of the name (Beverages gives BEV).
    When that prefix is in use, the third letter is replaced by each later
    letter of the name in turn (Confections gives COF after Condiments took
    CON), then a number 2, 3, ... is appended. Names without ASCII letters
    use CAT. ``used_prefixes`` is compared without regard to case.
    """
    used = {code.upper() for code in used_prefixes}
    letters = _prefix_letters(category_name) or DEFAULT_PREFIX
    base = letters[:PREFIX_LENGTH]
    candidates = [base]
    candidates += [base[:-1] + letter for letter in letters[PREFIX_LENGTH:]]
    for candidate in candidates:
        if candidate not in used:
            return candidate
    suffix = 2
    while f"{base}{suffix}" in used:
        suffix += 1
    return f"{base}{suffix}"


def pick_main_folder(spend_by_folder, folder_names):
    """Return the folder with the highest spend, or ``None`` when there is none.

    ``spend_by_folder`` maps a folder key to the amount spent in it and
    ``folder_names`` maps the key to the folder's name. A tie goes to the
    name first in case-insensitive alphabetical order, then to the lowest key,
    so the result does not depend on the order of the purchases.
    """
    if not spend_by_folder:
        return None
    return min(
        spend_by_folder,
        key=lambda key: (
            -spend_by_folder[key],
            (folder_names.get(key) or "").casefold(),
            key,
        ),
    )


# Reading files


def _cell_text(value):
    """Return the text that a CSV export would contain for a spreadsheet cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _build_table(name, records, problems=None):
    """Build a ``Table`` from ``(row_number, cells)`` pairs, the header first.

    ``problems`` maps row numbers to the ``(code, values)`` rejection of rows
    that cannot be read as they look, such as merged cells.

    :raises FileFormatError: when the header is missing, repeats a column or
        lacks a required column.
    """
    header = None
    rows = []
    for row_number, cells in records:
        if header is None:
            header = [
                unicodedata.normalize("NFKC", cell).strip().lower() for cell in cells
            ]
            continue
        if any(cell.strip() for cell in cells):
            rows.append((row_number, cells))
    if not header or not any(header):
        raise FileFormatError(
            "empty", file=name, columns=", ".join(REQUIRED_COLUMNS[name])
        )
    duplicates = sorted(
        {column for column in header if column and header.count(column) > 1}
    )
    if duplicates:
        raise FileFormatError(
            "duplicate_columns", file=name, columns=", ".join(duplicates)
        )
    missing = [column for column in REQUIRED_COLUMNS[name] if column not in header]
    if missing:
        if len(header) == 1 and ";" in header[0]:
            raise FileFormatError("semicolon_separator", file=name)
        raise FileFormatError("missing_columns", file=name, columns=", ".join(missing))
    return Table(name=name, header=header, rows=rows, problems=problems or {})


def decode_csv_bytes(name, data):
    """Return the text of a CSV file in UTF-8 (BOM or not), GBK or GB18030.

    Excel on Chinese Windows saves "CSV (Comma delimited)" in GBK. Bytes that
    are not UTF-8 are read as GB18030, a superset of GBK, when most of their
    non-ASCII characters fall in the GB2312 set of common Chinese characters.
    Text in a Western code page such as Windows-1252 also decodes as GB18030
    at times, but into rare characters outside GB2312, so it is rejected
    rather than imported as nonsense.

    :raises FileFormatError: ``not_utf8`` when neither reading applies.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        utf8_error = error
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileFormatError("not_utf8", file=name) from utf8_error
    non_ascii = [char for char in text if not char.isascii()]
    common = sum(1 for char in non_ascii if _is_gb2312(char))
    if common < len(non_ascii) * GB2312_MIN_SHARE:
        raise FileFormatError("not_utf8", file=name) from utf8_error
    return text


def _is_gb2312(char):
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def read_csv_table(name, data):
    """Read the CSV file of table ``name`` from ``data``.

    ``data`` is UTF-8, with or without BOM, or GBK / GB18030 as Excel on
    Chinese Windows writes it; see ``decode_csv_bytes``.

    :raises FileFormatError: when the encoding is not one of these, the CSV
        syntax is broken or the header is unusable.
    """
    text = decode_csv_bytes(name, data)
    reader = csv.reader(io.StringIO(text, newline=""))
    records = []
    row_number = 0
    try:
        for row_number, cells in enumerate(reader, start=1):
            records.append((row_number, cells))
    except csv.Error as error:
        raise FileFormatError(
            "bad_csv", file=name, row=row_number + 1, error=str(error)
        ) from error
    return _build_table(name, records)


def read_xlsx_tables(data, names=TABLE_NAMES):
    """Read the sheets of an XLSX workbook whose names are in ``names``.

    Sheet names are matched without regard to case, and the returned dict
    leaves out the tables that have no sheet. Cells become the text a CSV
    export would contain, with dates as ``YYYY-MM-DD`` and whole numbers
    without ``.0``. Trailing empty cells are dropped and short rows padded to
    the header's width, so only a row with values beyond the header's last
    column has the wrong column count.

    A formula cell gives the value the spreadsheet computed and saved with
    it. A row with a formula saved without its value (files written by
    scripts rather than by Excel or LibreOffice), or with a merged cell,
    would look empty where the sheet shows a value, so it is listed in the
    table's ``problems`` and rejected. The workbook is read twice, once for
    values and once for formulas, both in read-only mode.

    :raises FileFormatError: when the bytes are not a readable XLSX workbook or
        a sheet's header is unusable.
    """
    workbooks = []
    try:
        for data_only in (True, False):
            workbooks.append(
                openpyxl.load_workbook(
                    io.BytesIO(data), read_only=True, data_only=data_only
                )
            )
        return _read_sheets(*workbooks, names)
    except XLSX_ERRORS as error:
        raise FileFormatError("bad_xlsx", error=str(error) or repr(error)) from error
    finally:
        for workbook in workbooks:
            workbook.close()


def _read_sheets(values_workbook, formulas_workbook, names):
    tables = {}
    formula_sheets = {sheet.title: sheet for sheet in formulas_workbook.worksheets}
    sheets = {
        sheet.title.strip().lower(): sheet for sheet in values_workbook.worksheets
    }
    for name in names:
        sheet = sheets.get(name)
        if sheet is None:
            continue
        formula_sheet = formula_sheets[sheet.title]
        # The dimension stored in the file may be missing or wrong, and
        # read-only mode would then cut rows short.
        sheet.reset_dimensions()
        formula_sheet.reset_dimensions()
        problems = _merged_cell_problems(sheet)
        records = []
        header = None
        width = None
        rows = zip_longest(
            sheet.iter_rows(values_only=True),
            formula_sheet.iter_rows(values_only=True),
            fillvalue=(),
        )
        for row_number, (values, formulas) in enumerate(rows, start=1):
            problem = _formula_problem(values, formulas, header)
            if problem and row_number > 1:
                problems.setdefault(row_number, problem)
            cells = [_cell_text(value) for value in values]
            while cells and not cells[-1].strip():
                cells.pop()
            if width is None:
                width = len(cells)
                header = cells
            cells += [""] * (width - len(cells))
            records.append((row_number, cells))
        tables[name] = _build_table(name, records, problems)
    return tables


def _formula_problem(values, formulas, header):
    """Return the rejection of a row with a formula saved without its value."""
    for index, (value, formula) in enumerate(
        zip_longest(values, formulas, fillvalue=None)
    ):
        if value is None and formula is not None and str(formula).startswith("="):
            column = get_column_letter(index + 1)
            if header and index < len(header) and header[index].strip():
                column = f"{header[index].strip()} ({column})"
            return "formula_without_value", {"column": column, "value": formula}
    return None


def _merged_cell_problems(sheet):
    """Return the rejection of each data row that a merged range covers.

    Read-only worksheets do not expose their merged ranges, so the
    ``mergeCell`` elements are read from the sheet's XML. Returns no problem
    when openpyxl does not give that XML.
    """
    # NOTE: _get_source is a private method of openpyxl's read-only worksheet
    # (3.0 and 3.1); without it merged cells are not detected.
    get_source = getattr(sheet, "_get_source", None)
    if get_source is None:
        return {}
    problems = {}
    source = get_source()
    try:
        for _event, element in ElementTree.iterparse(source):
            if element.tag.rsplit("}", 1)[-1] == "mergeCell":
                reference = element.get("ref", "")
                _min_col, min_row, _max_col, max_row = range_boundaries(reference)
                for row_number in range(max(min_row, 2), max_row + 1):
                    problems.setdefault(
                        row_number, ("merged_cells", {"value": reference})
                    )
            element.clear()
    finally:
        source.close()
    return problems


def referenced_customer_codes(tables):
    """Return the customer codes written in the customers and orders tables."""
    codes = set()
    for name in (CUSTOMERS, ORDERS):
        table = tables.get(name)
        if table is None:
            continue
        column = table.header.index("customer_id")
        codes.update(
            cells[column].strip() for _row, cells in table.rows if len(cells) > column
        )
    codes.discard("")
    return codes


def check_table_set(names):
    """Check that the given tables can be imported together.

    :raises FileFormatError: when neither customers nor orders are given, or
        when one of the order tables is given without the others.
    """
    names = set(names)
    if CUSTOMERS not in names and not names & {ORDERS, ORDER_DETAILS}:
        raise FileFormatError("nothing_to_import")
    if names & {ORDERS, ORDER_DETAILS}:
        for name in ORDER_TABLES:
            if name not in names:
                raise FileFormatError(
                    "missing_table", file=name, needed_by=", ".join(ORDER_TABLES)
                )


# Validation


class _TableValidator:
    """Checks of one table's rows, recording the rejections in ``data``."""

    def __init__(self, table, data):
        self.table = table
        self.data = data
        self.index = {column: i for i, column in enumerate(table.header)}
        self.first_rows = {}

    def reject(self, row, code, **values):
        self.data.rejections.append(Rejection(self.table.name, row, code, values))

    def rows(self):
        """Yield ``(row_number, values)`` for rows of the right shape.

        ``values`` maps each required and optional column in the header to its
        stripped cell text. Rows with the wrong column count or an empty
        required cell are rejected here.
        """
        name = self.table.name
        expected = len(self.table.header)
        columns = REQUIRED_COLUMNS[name] + OPTIONAL_COLUMNS[name]
        for row, cells in self.table.rows:
            problem = self.table.problems.get(row)
            if problem:
                code, values = problem
                self.reject(row, code, **values)
                continue
            if len(cells) != expected:
                self.reject(row, "column_count", expected=expected, found=len(cells))
                continue
            values = {
                column: cells[self.index[column]].strip()
                for column in columns
                if column in self.index
            }
            missing = next(
                (column for column in REQUIRED_COLUMNS[name] if not values[column]),
                None,
            )
            if missing:
                self.reject(row, "missing_value", column=missing)
                continue
            yield row, values

    def is_duplicate(self, row, column, key):
        """Reject ``row`` when ``key`` was already on an earlier row."""
        first_row = self.first_rows.setdefault(key, row)
        if first_row != row:
            self.reject(
                row, "duplicate_key", column=column, value=key, first_row=first_row
            )
            return True
        return False

    def number(self, row, values, column, default=None):
        """Return the number in ``column``, rejecting the row when it is invalid.

        Returns ``default`` for an empty optional cell and ``None`` after a
        rejection.
        """
        text = values.get(column, "")
        if not text and default is not None:
            return default
        number = parse_number(text)
        if number is None:
            self.reject(row, "bad_number", column=column, value=text)
        return number


def _validate_categories(table, data):
    validator = _TableValidator(table, data)
    for row, values in validator.rows():
        key = values["category_id"]
        if validator.is_duplicate(row, "category_id", key):
            continue
        data.categories[key] = Category(
            row, key, values["category_name"], values.get("description", "")
        )
    return validator.first_rows


def _validate_products(table, data, category_rows):
    validator = _TableValidator(table, data)
    for row, values in validator.rows():
        key = values["product_id"]
        if validator.is_duplicate(row, "product_id", key):
            continue
        category_id = values.get("category_id", "")
        if category_id and category_id not in data.categories:
            _reject_reference(validator, row, "category", category_id, category_rows)
            continue
        data.products[key] = Product(row, key, values["product_name"], category_id)
    return validator.first_rows


def _validate_customers(table, data, resolve_country):
    validator = _TableValidator(table, data)
    for row, values in validator.rows():
        code = values["customer_id"]
        if validator.is_duplicate(row, "customer_id", code):
            continue
        country = values.get("country", "")
        country_id = None
        if country:
            country_id = resolve_country(country)
            if not country_id:
                validator.reject(row, "unknown_country", value=country)
                continue
        data.customers[code] = Customer(
            row=row,
            code=code,
            company_name=values["company_name"],
            contact_name=values.get("contact_name", ""),
            contact_title=values.get("contact_title", ""),
            street=values.get("address", ""),
            city=values.get("city", ""),
            region=values.get("region", ""),
            zip=values.get("postal_code", ""),
            country=country,
            country_id=country_id,
            phone=values.get("phone", ""),
        )
    return validator.first_rows


def _validate_orders(table, data, known_customer_codes, customer_rows):
    validator = _TableValidator(table, data)
    for row, values in validator.rows():
        order_id = values["order_id"]
        if validator.is_duplicate(row, "order_id", order_id):
            continue
        order_date = parse_date(values["order_date"])
        if order_date is None:
            validator.reject(
                row, "bad_date", column="order_date", value=values["order_date"]
            )
            continue
        code = values["customer_id"]
        if code not in data.customers and code not in known_customer_codes:
            _reject_reference(validator, row, "customer", code, customer_rows)
            continue
        data.orders[order_id] = Order(row, order_id, code, order_date)
    return validator.first_rows


def _validate_order_lines(table, data, order_rows, product_rows):
    validator = _TableValidator(table, data)
    zero = Decimal(0)
    for row, values in validator.rows():
        order_id, product_id = values["order_id"], values["product_id"]
        if validator.is_duplicate(
            row, "order_id, product_id", f"{order_id}, {product_id}"
        ):
            continue
        unit_price = validator.number(row, values, "unit_price")
        if unit_price is None:
            continue
        quantity = validator.number(row, values, "quantity")
        if quantity is None:
            continue
        discount = validator.number(row, values, "discount", default=zero)
        if discount is None:
            continue
        if quantity < 0:
            validator.reject(row, "negative_quantity", value=values["quantity"])
            continue
        if quantity == 0:
            validator.reject(row, "zero_quantity", value=values["quantity"])
            continue
        if unit_price < 0:
            validator.reject(row, "negative_price", value=values["unit_price"])
            continue
        if not zero <= discount <= 1:
            validator.reject(row, "discount_out_of_range", value=values["discount"])
            continue
        order = data.orders.get(order_id)
        if order is None:
            _reject_reference(validator, row, "order", order_id, order_rows)
            continue
        product = data.products.get(product_id)
        if product is None:
            _reject_reference(validator, row, "product", product_id, product_rows)
            continue
        data.lines.append(
            OrderLine(
                row=row,
                order_id=order_id,
                product_id=product_id,
                customer_code=order.customer_code,
                order_date=order.order_date,
                product_name=product.name,
                category_id=product.category_id,
                quantity=quantity,
                amount=line_amount(unit_price, quantity, discount),
            )
        )


def _reject_reference(validator, row, kind, key, rows_by_key):
    """Reject a row that refers to ``key`` of another table, which is not valid.

    The code is ``<kind>_rejected``, with the row of the rejected target, when
    the key is in the other file, else ``unknown_<kind>``.
    """
    if key in rows_by_key:
        validator.reject(
            row, f"{kind}_rejected", value=key, target_row=rows_by_key[key]
        )
    else:
        validator.reject(row, f"unknown_{kind}", value=key)


def validate_tables(tables, resolve_country, known_customer_codes=()):
    """Check every row of ``tables`` and return the valid rows and rejections.

    ``tables`` maps table names to ``Table`` objects, and tables left out are
    skipped. ``resolve_country`` takes a country cell and returns the
    country's id, or ``None`` when the country is unknown.
    ``known_customer_codes`` are the customer codes already in the archive,
    which orders may use without a customers row.

    Each rejected row is reported with its first problem only. When a key
    repeats, the first row keeps it and the later rows are rejected, even if
    the first row is rejected for another reason.
    """
    data = ValidatedData()
    for name, table in tables.items():
        data.read_counts[name] = len(table.rows)
    known_customer_codes = set(known_customer_codes)
    category_rows = product_rows = customer_rows = order_rows = {}
    if CATEGORIES in tables:
        category_rows = _validate_categories(tables[CATEGORIES], data)
    if PRODUCTS in tables:
        product_rows = _validate_products(tables[PRODUCTS], data, category_rows)
    if CUSTOMERS in tables:
        customer_rows = _validate_customers(tables[CUSTOMERS], data, resolve_country)
    if ORDERS in tables:
        order_rows = _validate_orders(
            tables[ORDERS], data, known_customer_codes, customer_rows
        )
    if ORDER_DETAILS in tables:
        _validate_order_lines(tables[ORDER_DETAILS], data, order_rows, product_rows)
    return data
