from odoo import fields, models


class CustomerArchiveDestructionRemoveWizard(models.TransientModel):
    """Dialog asking why documents are removed from a destruction batch."""

    _name = "customer.archive.destruction.remove.wizard"
    _description = "Remove from Destruction Batch"

    line_ids = fields.Many2many(
        "customer.archive.destruction.line",
        "customer_archive_destruction_remove_line_rel",
        "wizard_id",
        "line_id",
        string="Documents",
        required=True,
    )
    reason = fields.Text(required=True)

    def action_remove(self):
        self.ensure_one()
        self.line_ids._remove(self.reason)
        return {"type": "ir.actions.act_window_close"}
