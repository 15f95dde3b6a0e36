from odoo import fields, models


class CustomerArchiveImportRejection(models.TransientModel):
    """Row left out of an import, with the reason and the fix."""

    _name = "customer.archive.import.rejection"
    _description = "Customer Import Rejected Row"
    _order = "id"

    wizard_id = fields.Many2one(
        "customer.archive.import.wizard", required=True, ondelete="cascade"
    )
    file = fields.Char(required=True)
    row = fields.Integer(
        required=True, help="Row number in the file, where the header is row 1."
    )
    reason = fields.Char(required=True)
