from odoo import api, fields, models


class CustomerArchiveDestructionProposeWizard(models.TransientModel):
    """Dialog gathering due documents into a new destruction batch."""

    _name = "customer.archive.destruction.propose.wizard"
    _description = "Propose Destruction Batch"

    document_ids = fields.Many2many(
        "customer.archive.document",
        "customer_archive_destruction_propose_document_rel",
        "wizard_id",
        "document_id",
        string="Documents",
        domain="[('retention_state', '=', 'due'), ('is_held', '=', False)]",
    )
    document_count = fields.Integer(compute="_compute_document_count")
    note = fields.Text(help="Why these documents are proposed, or any remark.")

    @api.depends("document_ids")
    def _compute_document_count(self):
        for wizard in self:
            wizard.document_count = len(wizard.document_ids)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "document_ids" in fields_list and not values.get("document_ids"):
            documents = self.env["customer.archive.document"]
            domain = [
                ("retention_state", "=", "due"),
                ("is_held", "=", False),
                ("company_id", "=", self.env.company.id),
            ]
            context = self.env.context
            if context.get("active_model") == documents._name and context.get(
                "active_ids"
            ):
                domain.append(("id", "in", context["active_ids"]))
            values["document_ids"] = [fields.Command.set(documents.search(domain).ids)]
        return values

    @api.model
    def _action_open(self, documents):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Propose Destruction Batch"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {"default_document_ids": [fields.Command.set(documents.ids)]},
        }

    def action_propose(self):
        self.ensure_one()
        batch = self.env["customer.archive.destruction.batch"]._propose(
            self.document_ids, self.note
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": batch._name,
            "res_id": batch.id,
            "view_mode": "form",
            "target": "current",
        }
