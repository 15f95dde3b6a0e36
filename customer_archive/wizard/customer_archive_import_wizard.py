import base64
import logging

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools.misc import file_open

from ..tools import northwind
from .customer_archive_import_messages import file_error_message

_logger = logging.getLogger(__name__)

SAMPLE_FOLDER = "customer_archive/data/northwind"
# Key of the XLSX workbook among the uploaded files, which are keyed by table.
WORKBOOK = "workbook"
SAMPLE_SOURCE = "northwind"
COLUMNS_HELP = {
    name: ", ".join(
        northwind.REQUIRED_COLUMNS[name]
        + tuple(f"[{column}]" for column in northwind.OPTIONAL_COLUMNS[name])
    )
    for name in northwind.TABLE_NAMES
}


def read_tables(env, file_format, files):
    """Return the tables of uploaded files, keyed by table name.

    ``files`` maps table names, or ``WORKBOOK`` in the XLSX format, to the
    files' bytes. Raises ``UserError`` naming the file and the fix when a file
    cannot be read.
    """
    try:
        if file_format == "xlsx":
            tables = northwind.read_xlsx_tables(files[WORKBOOK])
        else:
            tables = {
                name: northwind.read_csv_table(name, files[name])
                for name in northwind.TABLE_NAMES
                if name in files
            }
        northwind.check_table_set(tables)
    except northwind.FileFormatError as error:
        raise UserError(file_error_message(env, error)) from error
    return tables


class CustomerArchiveImportWizard(models.TransientModel):
    """Dialog importing customers, orders and order lines in the Northwind shape."""

    _name = "customer.archive.import.wizard"
    _description = "Import Customers and Orders"

    state = fields.Selection(
        [("upload", "Upload"), ("done", "Done")], default="upload", required=True
    )
    file_format = fields.Selection(
        [("csv", "CSV Files"), ("xlsx", "XLSX Workbook")],
        default="csv",
        required=True,
        help="CSV: one UTF-8 file per table. XLSX: one workbook with a sheet per "
        "table, named customers, orders, order_details, products and categories.",
    )
    customers_file = fields.Binary(
        string="Customers",
        attachment=False,
        help="Columns: " + COLUMNS_HELP[northwind.CUSTOMERS],
    )
    customers_filename = fields.Char()
    orders_file = fields.Binary(
        string="Orders",
        attachment=False,
        help="Columns: " + COLUMNS_HELP[northwind.ORDERS],
    )
    orders_filename = fields.Char()
    order_details_file = fields.Binary(
        string="Order Lines",
        attachment=False,
        help="Columns: " + COLUMNS_HELP[northwind.ORDER_DETAILS],
    )
    order_details_filename = fields.Char()
    products_file = fields.Binary(
        string="Products",
        attachment=False,
        help="Columns: " + COLUMNS_HELP[northwind.PRODUCTS],
    )
    products_filename = fields.Char()
    categories_file = fields.Binary(
        string="Categories",
        attachment=False,
        help="Columns: " + COLUMNS_HELP[northwind.CATEGORIES],
    )
    categories_filename = fields.Char()
    workbook_file = fields.Binary(string="Workbook", attachment=False)
    workbook_filename = fields.Char()
    source_prefix = fields.Char(
        string="Source",
        default=SAMPLE_SOURCE,
        required=True,
        help="Name of the system the files come from, which starts the source "
        "reference of each purchase (source:order_id:product_id). Import the "
        "same files with the same source to update them. Use another source for "
        "another system, so that its order numbers do not collide.",
    )
    classification_date = fields.Date(
        string="Classify On",
        help="Date against which consumption tiers and activity cycles are "
        "computed. Empty: the last order date in the files, or today when they "
        "contain no order.",
    )
    classified_on = fields.Date(readonly=True)
    result_ids = fields.One2many(
        "customer.archive.import.result", "wizard_id", string="Results", readonly=True
    )
    rejection_ids = fields.One2many(
        "customer.archive.import.rejection",
        "wizard_id",
        string="Rejected Rows",
        readonly=True,
    )
    rejection_count = fields.Integer(readonly=True)

    def action_import(self):
        """Import the uploaded files and show the report in the same dialog."""
        self.ensure_one()
        tables = self._read_uploaded_tables()
        report = self.env["customer.archive.importer"]._import_tables(
            tables,
            source_prefix=self.source_prefix,
            reference_date=self.classification_date,
        )
        self.write(
            {
                "state": "done",
                "classified_on": report["reference_date"],
                "result_ids": [
                    Command.clear(),
                    *(Command.create(vals) for vals in report["files"]),
                ],
                "rejection_ids": [
                    Command.clear(),
                    *(Command.create(vals) for vals in report["rejections"]),
                ],
                "rejection_count": len(report["rejections"]),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import Report"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_import_background(self):
        """Queue the import of the uploaded files and open its job.

        The files are read now, so an unreadable file is reported in this
        dialog. A scheduled action then writes the rows and records its
        progress on the job.
        """
        self.ensure_one()
        self._read_uploaded_tables()
        job = self.env["customer.archive.import.job"].create(
            {
                "file_format": self.file_format,
                "source_prefix": self.source_prefix,
                "classification_date": self.classification_date,
            }
        )
        job._attach_files(self._uploaded_files(), self._uploaded_file_names())
        job._enqueue()
        return job._action_open()

    # Reading

    def _uploaded_files(self):
        """Return the content of each uploaded file, keyed by table name.

        The workbook is keyed ``WORKBOOK`` and given only in the XLSX format.
        """
        self.ensure_one()
        if self.file_format == "xlsx":
            if not self.workbook_file:
                raise UserError(self.env._("Upload the XLSX workbook to import."))
            return {WORKBOOK: base64.b64decode(self.workbook_file)}
        return {
            name: base64.b64decode(self[f"{name}_file"])
            for name in northwind.TABLE_NAMES
            if self[f"{name}_file"]
        }

    def _uploaded_file_names(self):
        self.ensure_one()
        if self.file_format == "xlsx":
            return {WORKBOOK: self.workbook_filename}
        return {name: self[f"{name}_filename"] for name in northwind.TABLE_NAMES}

    def _read_uploaded_tables(self):
        """Return the tables of the uploaded files, keyed by table name."""
        return read_tables(self.env, self.file_format, self._uploaded_files())

    @api.model
    def _import_northwind_sample(self):
        """Import the Northwind sample of ``data/northwind`` and return the report.

        Running it again updates the same records. Tiers and activity cycles
        are computed against the sample's last order date, 1998-05-06, because
        against today every customer would be lost.
        """
        tables = {}
        try:
            for name in northwind.TABLE_NAMES:
                with file_open(f"{SAMPLE_FOLDER}/{name}.csv", "rb") as file:
                    tables[name] = northwind.read_csv_table(name, file.read())
        except northwind.FileFormatError as error:
            raise UserError(file_error_message(self.env, error)) from error
        responsible = None
        if self.env.uid == SUPERUSER_ID:
            # odoo shell runs as the superuser, who should not own the archives.
            responsible = self.env.ref("base.user_admin", raise_if_not_found=False)
        report = self.env["customer.archive.importer"]._import_tables(
            tables, source_prefix=SAMPLE_SOURCE, responsible=responsible
        )
        _logger.info(
            "Imported the Northwind sample (created, updated, rejected rows): %s; "
            "customers per folder: %s",
            {
                counts["file"]: (
                    counts["created_count"],
                    counts["updated_count"],
                    counts["rejected_count"],
                )
                for counts in report["files"]
            },
            report["folders"],
        )
        return report
