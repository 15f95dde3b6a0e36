from odoo.addons.web.controllers.export import (
    CSVExport,
    ExcelExport,
    ExportXlsxWriter,
    GroupExportXlsxWriter,
)

# Leading characters that make Excel or LibreOffice read a cell as a formula.
# Odoo's CSV export already quotes cells starting with "=", "+" or "-".
CSV_FORMULA_PREFIXES = ("@", "\t", "\r", "＝", "＋", "－", "＠")


class _TextXlsxWriter(ExportXlsxWriter):
    """XLSX writer that writes every string as text.

    By default xlsxwriter writes a string starting with "=" as a formula and
    one starting with a URL scheme (http:, mailto:, external:...) as a
    hyperlink. A customer named =HYPERLINK(...), or one whose name starts
    with external: and a file path, would then become a live formula or
    link in the exported workbook.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.worksheet.strings_to_formulas = False
        self.worksheet.strings_to_urls = False


class _TextGroupXlsxWriter(GroupExportXlsxWriter, _TextXlsxWriter):
    """Grouped XLSX writer that writes every string as text."""


class CustomerArchiveExcelExport(ExcelExport):
    """XLSX export whose cells never hold a formula taken from the data."""

    def from_group_data(self, fields, columns_headers, groups):
        with _TextGroupXlsxWriter(fields, columns_headers, groups.count) as xlsx_writer:
            x, y = 1, 0
            for group_name, group in groups.children.items():
                x, y = xlsx_writer.write_group(x, y, group_name, group)
        return xlsx_writer.value

    def from_data(self, fields, columns_headers, rows):
        with _TextXlsxWriter(fields, columns_headers, len(rows)) as xlsx_writer:
            for row_index, row in enumerate(rows):
                for cell_index, cell_value in enumerate(row):
                    xlsx_writer.write_cell(row_index + 1, cell_index, cell_value)
        return xlsx_writer.value


class CustomerArchiveCSVExport(CSVExport):
    """CSV export that also quotes cells starting with "@", a tab or a return."""

    def from_data(self, fields, columns_headers, rows):
        quoted = [
            [
                "'" + value
                if isinstance(value, str) and value.startswith(CSV_FORMULA_PREFIXES)
                else value
                for value in row
            ]
            for row in rows
        ]
        return super().from_data(fields, columns_headers, quoted)
