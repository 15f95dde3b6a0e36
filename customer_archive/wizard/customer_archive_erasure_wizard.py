from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class CustomerArchiveErasureWizard(models.TransientModel):
    """Confirmation listing the personal data an erasure removes."""

    _name = "customer.archive.erasure.wizard"
    _description = "Erase Personal Data"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade"
    )
    archive_number = fields.Char(related="partner_id.archive_number")
    erasure_due = fields.Boolean(related="partner_id.archive_erasure_due")
    plan = fields.Html(
        string="Erased", compute="_compute_plan", sanitize=True, readonly=True
    )
    early_reason = fields.Text(
        string="Reason for Erasing Early",
        help="Required when no retention policy has marked the customer for "
        "erasure yet, e.g. the customer withdrew consent or asked for deletion.",
    )

    @api.depends("partner_id")
    def _compute_plan(self):
        for wizard in self:
            if not wizard.partner_id:
                wizard.plan = False
                continue
            rows = Markup("").join(
                Markup("<tr><th>%s</th><td>%s</td></tr>") % (label, value)
                for label, value in wizard.partner_id._archive_erasure_plan()
            )
            wizard.plan = Markup('<table class="table table-sm">%s</table>') % rows

    def action_erase(self):
        self.ensure_one()
        reason = (self.early_reason or "").strip()
        if not self.erasure_due and not reason:
            raise UserError(
                self.env._(
                    "No retention policy has marked archive %(archive)s for "
                    "erasure yet: give the reason for erasing it early.",
                    archive=self.archive_number,
                )
            )
        self.partner_id._archive_erase_personal_data(
            reason=None if self.erasure_due else reason
        )
        return {"type": "ir.actions.act_window_close"}
