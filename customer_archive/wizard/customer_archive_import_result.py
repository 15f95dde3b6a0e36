from odoo import fields, models


class CustomerArchiveImportResult(models.TransientModel):
    """Row counts of one imported file, shown in the import report."""

    _name = "customer.archive.import.result"
    _description = "Customer Import Result"
    _order = "id"

    wizard_id = fields.Many2one(
        "customer.archive.import.wizard", required=True, ondelete="cascade"
    )
    file = fields.Char(required=True)
    read_count = fields.Integer(string="Rows", help="Data rows in the file.")
    accepted_count = fields.Integer(
        string="Accepted", help="Rows that passed every check."
    )
    created_count = fields.Integer(
        string="Created",
        help="Records created: contacts for customers, purchases for order "
        "lines and folders for categories. For orders, the orders whose lines "
        "were all new.",
    )
    updated_count = fields.Integer(
        string="Updated",
        help="Existing records matched by the rows and updated from the file: "
        "contacts by customer_id and purchases by source reference. Folders "
        "matched by category name are left as they are. For orders, the orders "
        "with a line imported before.",
    )
    rejected_count = fields.Integer(
        string="Rejected", help="Rows left out, listed under Rejected Rows."
    )
