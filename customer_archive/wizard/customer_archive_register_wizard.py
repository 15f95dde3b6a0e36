from odoo import api, fields, models


class CustomerArchiveRegisterWizard(models.TransientModel):
    """Dialog registering the archives of one or more contacts."""

    _name = "customer.archive.register.wizard"
    _description = "Register Customer Archives"

    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        default=lambda self: self._default_partner_ids(),
        required=True,
    )
    folder_id = fields.Many2one(
        "customer.archive.folder",
        required=True,
        default=lambda self: self._default_folder_id(),
        domain="[('company_id', 'in', allowed_company_ids)]",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    registration_date = fields.Date(default=fields.Date.context_today, required=True)
    duplicate_warning = fields.Text(compute="_compute_duplicate_warning")

    def _default_partner_ids(self):
        if self.env.context.get("active_model") == "res.partner":
            return [fields.Command.set(self.env.context.get("active_ids", []))]
        return []

    def _default_folder_id(self):
        partners = self.env["res.partner"].browse(
            self.env.context.get("active_ids", [])
            if self.env.context.get("active_model") == "res.partner"
            else []
        )
        return partners.archive_folder_id[:1] or self.env[
            "customer.archive.folder"
        ].search([("company_id", "=", self.env.company.id)], limit=1)

    @api.depends("partner_ids")
    def _compute_duplicate_warning(self):
        for wizard in self:
            messages = [
                f"{partner.display_name}: {partner.archive_duplicate_warning}"
                for partner in wizard.partner_ids
                if partner.archive_duplicate_warning
            ]
            wizard.duplicate_warning = "\n".join(messages) or False

    def action_register(self):
        self.ensure_one()
        self.partner_ids._archive_register(
            self.folder_id, user=self.user_id, registration_date=self.registration_date
        )
        return {"type": "ir.actions.act_window_close"}
