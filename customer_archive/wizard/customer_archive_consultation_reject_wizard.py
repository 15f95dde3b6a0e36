from odoo import fields, models


class CustomerArchiveConsultationRejectWizard(models.TransientModel):
    """Dialog asking the manager why a consultation request is rejected."""

    _name = "customer.archive.consultation.reject.wizard"
    _description = "Reject Consultation Request"

    consultation_ids = fields.Many2many(
        "customer.archive.consultation",
        "customer_archive_consultation_reject_rel",
        "wizard_id",
        "consultation_id",
        string="Requests",
        required=True,
    )
    reason = fields.Text(required=True)

    def action_reject(self):
        self.ensure_one()
        self.consultation_ids._reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
