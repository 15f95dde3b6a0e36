import datetime
import io

import openpyxl
import pytest
import xlsxwriter

from customer_archive.tools.spreadsheet import (
    MAX_CELL_LENGTH,
    cell_text,
    excel_date_format,
    excel_number_format,
    is_formula_like,
    safe_sheet_name,
    write_date,
    write_number,
    write_text,
)

FORMULA_TEXTS = [
    "=1+1",
    '=HYPERLINK("http://127.0.0.1/x","click")',
    "+86 138 0013 8000",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", FORMULA_TEXTS)
def test_formula_like_detected(text):
    assert is_formula_like(text)


@pytest.mark.parametrize("text", ["Wang Fang", "1+1", " =1", "", "王芳=1"])
def test_plain_text_not_formula_like(text):
    assert not is_formula_like(text)


def test_non_text_not_formula_like():
    assert not is_formula_like(None)
    assert not is_formula_like(12)


def test_cell_text_empty_values():
    assert cell_text(None) == ""
    assert cell_text(False) == ""
    assert cell_text(0) == "0"


def test_cell_text_cut_to_excel_limit():
    assert len(cell_text("x" * (MAX_CELL_LENGTH + 5))) == MAX_CELL_LENGTH


def _write_and_read(write, constant_memory=False):
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"constant_memory": constant_memory})
    sheet = workbook.add_worksheet()
    write(workbook, sheet)
    workbook.close()
    output.seek(0)
    return openpyxl.load_workbook(output).active


@pytest.mark.parametrize("constant_memory", [False, True])
def test_formula_text_reads_back_as_string(constant_memory):
    def write(workbook, sheet):
        for row, text in enumerate(FORMULA_TEXTS):
            write_text(sheet, row, 0, text)

    sheet = _write_and_read(write, constant_memory)
    for row, text in enumerate(FORMULA_TEXTS, start=1):
        cell = sheet.cell(row=row, column=1)
        # xlsx stores a carriage return as the escape _x000D_, which openpyxl
        # 3.0 returns as it is.
        assert cell.value == text.replace("\r", "_x000D_")
        assert cell.data_type == "s"


def test_formula_text_uses_formula_format():
    def write(workbook, sheet):
        formula_format = workbook.add_format({"italic": True})
        write_text(sheet, 0, 0, "=1+1", None, formula_format)
        write_text(sheet, 1, 0, "plain", None, formula_format)

    sheet = _write_and_read(write)
    assert sheet["A1"].font.i
    assert not sheet["A2"].font.i


def test_empty_text_written_blank():
    sheet = _write_and_read(lambda workbook, ws: write_text(ws, 0, 0, None))
    assert sheet["A1"].value is None


def test_dates_and_numbers_read_back_typed():
    def write(workbook, sheet):
        date_format = workbook.add_format({"num_format": excel_date_format("y/M/d")})
        number_format = workbook.add_format({"num_format": "#,##0.00"})
        write_date(sheet, 0, 0, datetime.date(1990, 2, 28), date_format)
        write_date(sheet, 0, 1, None, date_format)
        write_number(sheet, 0, 2, 1234.5, number_format)
        write_number(sheet, 0, 3, None, number_format)

    sheet = _write_and_read(write)
    assert sheet["A1"].value == datetime.datetime(1990, 2, 28)
    assert sheet["A1"].number_format == "yyyy/m/d"
    assert sheet["B1"].value is None
    assert sheet["C1"].value == 1234.5
    assert sheet["D1"].value is None


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("y/M/d", "yyyy/m/d"),
        ("M/d/yy", "m/d/yyyy"),
        ("dd.MM.yy", 'dd"."mm"."yyyy'),
        ("dd/MM/y", "dd/mm/yyyy"),
        ("y-MM-dd", "yyyy-mm-dd"),
        ("y年M月d日", 'yyyy"年"m"月"d"日"'),
        ("d MMM y", "d mmm yyyy"),
        ("EEEE d 'de' MMMM", 'dddd d" de "mmmm'),
    ],
)
def test_excel_date_format_from_ldml(pattern, expected):
    assert excel_date_format(pattern) == expected


def test_excel_date_format_two_digit_year():
    assert excel_date_format("M/d/yy", four_digit_year=False) == "m/d/yy"


def test_excel_date_format_fallback_for_empty_pattern():
    assert excel_date_format("") == "yyyy-mm-dd"


@pytest.mark.parametrize(
    ("pattern", "decimals", "expected"),
    [
        ("#,##0.###", 2, "#,##0.00"),
        ("#,##0.###", 0, "#,##0"),
        ("#,##,##0.###", 2, "#,##0.00"),
        ("0.###", 3, "0.000"),
        ("#,##0.###;(#,##0.###)", 2, "#,##0.00"),
    ],
)
def test_excel_number_format(pattern, decimals, expected):
    assert excel_number_format(pattern, decimals) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Consumption Overview", "Consumption Overview"),
        ("a/b:c*d?[e]\\f", "abcdef"),
        ("'quoted'", "quoted"),
        ("x" * 40, "x" * 31),
        ("", "Sheet1"),
        ("///", "Sheet1"),
    ],
)
def test_safe_sheet_name(name, expected):
    assert safe_sheet_name(name) == expected
