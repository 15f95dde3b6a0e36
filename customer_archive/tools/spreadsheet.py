"""Spreadsheet-safe cells and locale formats for the xlsx exports.

Formula injection: a spreadsheet program may run text that starts with ``=``,
``+``, ``-`` or ``@`` as a formula, and a leading tab or carriage return can hide
such a prefix. ``write_text`` therefore writes every text as an xlsx string cell
with ``write_string``, which is stored as text and never evaluated, instead of
``write``, which turns text starting with ``=`` into a formula.

The text is not prefixed with an apostrophe. The apostrophe Excel shows in
front of such text is a cell style flag (``quotePrefix``), not part of the
value. A stored ``'`` would therefore become part of the text, and readers
such as openpyxl would return ``'=1+1`` in place of ``=1+1``. Where the
xlsxwriter version supports the ``quote_prefix`` format property, the caller
may also pass a format with it, so that editing the cell in Excel keeps it
text.

Number and date formats: xlsx format codes are stored in one notation (``.`` as
decimal point, ``,`` as grouping) and each spreadsheet program shows them with
the reader's own separators. The locale decides the order of day, month and
year and whether digits are grouped, which these functions take from the
Unicode LDML patterns that babel provides.
"""

import datetime

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Excel's limit on the characters in one cell.
MAX_CELL_LENGTH = 32767
MAX_SHEET_NAME_LENGTH = 31
SHEET_NAME_FORBIDDEN = set("[]:*?/\\")
# Characters that Excel date format codes show as they are without quotes.
DATE_LITERALS = set("/-: ")


def is_formula_like(text):
    """Return whether a spreadsheet program could read ``text`` as a formula."""
    return isinstance(text, str) and text.startswith(FORMULA_PREFIXES)


def cell_text(value):
    """Return ``value`` as the text of one cell: ``""`` for empty values.

    Text longer than Excel accepts in a cell is cut to ``MAX_CELL_LENGTH``.
    """
    if value is None or value is False:
        return ""
    return str(value)[:MAX_CELL_LENGTH]


def write_text(worksheet, row, col, value, cell_format=None, formula_format=None):
    """Write ``value`` as a string cell of an xlsxwriter worksheet.

    ``formula_format`` is used in place of ``cell_format`` for formula-like
    text (see the module docstring). Empty values become blank cells.
    """
    text = cell_text(value)
    if not text:
        return worksheet.write_blank(row, col, None, cell_format)
    if formula_format is not None and is_formula_like(text):
        cell_format = formula_format
    return worksheet.write_string(row, col, text, cell_format)


def write_date(worksheet, row, col, value, cell_format):
    """Write a date as a spreadsheet date number, or a blank cell."""
    if not value:
        return worksheet.write_blank(row, col, None, cell_format)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return worksheet.write_datetime(row, col, value, cell_format)


def write_number(worksheet, row, col, value, cell_format):
    """Write a number, or a blank cell for ``None``."""
    if value is None:
        return worksheet.write_blank(row, col, None, cell_format)
    return worksheet.write_number(row, col, value, cell_format)


def safe_sheet_name(name, fallback="Sheet1"):
    """Return ``name`` without the characters and length Excel rejects."""
    cleaned = "".join(c for c in (name or "") if c not in SHEET_NAME_FORBIDDEN)
    cleaned = cleaned.strip().strip("'")[:MAX_SHEET_NAME_LENGTH].strip()
    return cleaned or fallback


def _ldml_tokens(pattern):
    """Split an LDML pattern into ``(is_field, text)`` tokens.

    Fields are runs of one ASCII letter (``yyyy``, ``MM``); literals are other
    characters and quoted text (``'at'``, with ``''`` for an apostrophe).
    """
    tokens = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            end = i + 1
            literal = ""
            while end < len(pattern):
                if pattern[end] == "'":
                    if end + 1 < len(pattern) and pattern[end + 1] == "'":
                        literal += "'"
                        end += 2
                        continue
                    break
                literal += pattern[end]
                end += 1
            tokens.append((False, literal or "'"))
            i = end + 1
        elif char.isascii() and char.isalpha():
            end = i
            while end < len(pattern) and pattern[end] == char:
                end += 1
            tokens.append((True, pattern[i:end]))
            i = end
        else:
            tokens.append((False, char))
            i += 1
    return tokens


def _excel_literal(text):
    if all(c in DATE_LITERALS for c in text):
        return text
    return '"' + text.replace('"', "") + '"'


def excel_date_format(ldml_pattern, four_digit_year=True):
    """Return the Excel number format code of an LDML date pattern.

    ``y/M/d`` (zh_CN) gives ``yyyy/m/d``, ``M/d/yy`` (en_US) gives
    ``m/d/yyyy`` and ``dd.MM.yy`` (de_DE) gives ``dd"."mm"."yyyy``. Two-digit
    years become four digits unless ``four_digit_year`` is false. Fields other
    than era-free years, months, days and weekdays are dropped.
    """
    parts = []
    literal = ""
    for is_field, text in _ldml_tokens(ldml_pattern):
        if not is_field:
            literal += text
            continue
        letter, width = text[0], len(text)
        if letter in "yYu":
            code = "yy" if width == 2 and not four_digit_year else "yyyy"
        elif letter in "ML":
            code = ("m", "mm", "mmm", "mmmm")[min(width, 4) - 1]
        elif letter == "d":
            code = "dd" if width >= 2 else "d"
        elif letter in "Ec":
            code = "dddd" if width >= 4 else "ddd"
        else:
            continue
        if literal:
            parts.append(_excel_literal(literal))
            literal = ""
        parts.append(code)
    if literal and parts:
        parts.append(_excel_literal(literal))
    return "".join(parts) or "yyyy-mm-dd"


def excel_number_format(ldml_pattern, decimal_places):
    """Return the Excel format code of an amount with ``decimal_places`` digits.

    Digits are grouped when the LDML decimal pattern of the locale groups them
    (``#,##0.###``). Excel groups by thousands only, so Indian grouping
    (``#,##,##0``) also becomes ``#,##0``.
    """
    positive = (ldml_pattern or "").split(";", 1)[0]
    integer_part = positive.split(".", 1)[0]
    code = "#,##0" if "," in integer_part else "0"
    if decimal_places > 0:
        code += "." + "0" * decimal_places
    return code
