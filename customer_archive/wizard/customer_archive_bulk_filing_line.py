from odoo import fields, models

LINE_STATUSES = [
    ("ready", "Ready to File"),
    ("rejected", "Rejected"),
    ("filed", "Filed"),
]


class CustomerArchiveBulkFilingLine(models.TransientModel):
    """Outcome of one zip entry in a bulk filing."""

    _name = "customer.archive.bulk.filing.line"
    _description = "Bulk Filing File"
    _order = "sequence, id"

    wizard_id = fields.Many2one(
        "customer.archive.bulk.filing.wizard",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(help="Position of the entry in the zip.")
    path = fields.Char(string="Path in Zip")
    file_name = fields.Char()
    size = fields.Integer(string="Size (Bytes)")
    status = fields.Selection(LINE_STATUSES, required=True, default="ready")
    reason_code = fields.Char(
        help="Technical code of the rejection reason, e.g. unknown_archive_number."
    )
    message = fields.Char(string="Reason")
    archive_number = fields.Char(help="Archive number read from the file name.")
    partner_id = fields.Many2one("res.partner", string="Customer")
    type_id = fields.Many2one("customer.archive.document.type", string="Document Type")
    document_date = fields.Date(help="Date read from the file name, if any.")
    document_id = fields.Many2one("customer.archive.document")
