from odoo import api, fields, models

from ..models.customer_archive_document_retention import DESTRUCTION_METHODS


class CustomerArchiveDestructionExecuteWizard(models.TransientModel):
    """Dialog recording how an approved destruction batch is carried out."""

    _name = "customer.archive.destruction.execute.wizard"
    _description = "Execute Destruction Batch"

    batch_id = fields.Many2one(
        "customer.archive.destruction.batch", required=True, ondelete="cascade"
    )
    method = fields.Selection(
        DESTRUCTION_METHODS,
        required=True,
        help="How the paper originals were destroyed; the electronic files are "
        "deleted in every case.",
    )
    note = fields.Text(
        help="Where and by whom the destruction was carried out, witnesses, "
        "service provider."
    )
    document_count = fields.Integer(compute="_compute_summary")
    file_count = fields.Integer(compute="_compute_summary")

    @api.depends("batch_id")
    def _compute_summary(self):
        for wizard in self:
            documents = wizard.batch_id.line_ids.filtered(
                lambda line: line.state == "confirmed"
            ).document_id
            wizard.document_count = len(documents)
            wizard.file_count = len(documents._destruction_attachments())

    def action_execute(self):
        self.ensure_one()
        self.batch_id._execute(self.method, self.note)
        return {"type": "ir.actions.act_window_close"}
