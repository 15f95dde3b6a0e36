from odoo import fields, models
from odoo.exceptions import UserError


class CustomerArchiveLegalHoldWizard(models.TransientModel):
    """Dialog placing or lifting a legal hold on customers or documents."""

    _name = "customer.archive.legal.hold.wizard"
    _description = "Legal Hold"

    operation = fields.Selection(
        [("place", "Place a Legal Hold"), ("lift", "Lift the Legal Hold")],
        required=True,
        default="place",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        "customer_archive_legal_hold_partner_rel",
        "wizard_id",
        "partner_id",
        string="Customers",
    )
    document_ids = fields.Many2many(
        "customer.archive.document",
        "customer_archive_legal_hold_document_rel",
        "wizard_id",
        "document_id",
        string="Documents",
    )
    reason = fields.Text(
        required=True,
        help="The litigation, investigation or request behind the hold, or why "
        "it ends. Written to the chatter.",
    )

    def action_apply(self):
        self.ensure_one()
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for the legal hold."))
        if not self.partner_ids and not self.document_ids:
            raise UserError(
                self.env._("Choose the customers or documents to place on hold.")
            )
        if self.operation == "place":
            self.partner_ids._archive_place_legal_hold(reason)
            self.document_ids._retention_place_legal_hold(reason)
        else:
            self.partner_ids._archive_lift_legal_hold(reason)
            self.document_ids._retention_lift_legal_hold(reason)
        return {"type": "ir.actions.act_window_close"}
