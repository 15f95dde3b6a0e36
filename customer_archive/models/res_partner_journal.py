from odoo import api, fields, models
from odoo.tools import SQL


class ResPartner(models.Model):
    """Customer journal of calls, usage, events, services and complaints."""

    _inherit = "res.partner"

    archive_journal_entry_ids = fields.One2many(
        "customer.archive.journal.entry",
        "partner_id",
        string="Journal",
        groups="customer_archive.group_archive_user",
    )
    archive_journal_count = fields.Integer(
        string="Journal Entries",
        compute="_compute_archive_journal_count",
        groups="customer_archive.group_archive_user",
    )

    def _compute_archive_journal_count(self):
        counts = dict(
            self.env["customer.archive.journal.entry"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.archive_journal_count = counts.get(partner, 0)

    @api.model
    def _archive_interaction_queries(self, partner_ids, reference_date):
        """Count every journal entry, and each complaint resolution, as contact."""
        queries = super()._archive_interaction_queries(partner_ids, reference_date)
        self.env["customer.archive.journal.entry"].flush_model(
            ["partner_id", "date", "resolved_date"]
        )
        queries.append(
            SQL(
                """SELECT partner_id, MAX(date) FROM customer_archive_journal_entry
                    WHERE partner_id = ANY(%s) AND date <= %s GROUP BY partner_id""",
                partner_ids,
                reference_date,
            )
        )
        queries.append(
            SQL(
                """SELECT partner_id, MAX(resolved_date)
                     FROM customer_archive_journal_entry
                    WHERE partner_id = ANY(%s) AND resolved_date <= %s
                 GROUP BY partner_id""",
                partner_ids,
                reference_date,
            )
        )
        return queries

    def action_archive_open_journal(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_archive.customer_archive_journal_entry_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def action_archive_new_journal_entry(self):
        """Open a new journal entry of the type in context ``archive_entry_type``."""
        self.ensure_one()
        entry_type = self.env.context.get("archive_entry_type") or "call"
        labels = dict(
            self.env["customer.archive.journal.entry"]
            ._fields["entry_type"]
            ._description_selection(self.env)
        )
        return {
            "type": "ir.actions.act_window",
            "name": labels.get(entry_type, entry_type),
            "res_model": "customer.archive.journal.entry",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_partner_id": self.id,
                "default_entry_type": entry_type,
            },
        }

    def action_archive_new_purchase(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record a Purchase"),
            "res_model": "customer.archive.purchase",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_partner_id": self.id,
                "default_folder_id": self.archive_folder_id.id,
            },
        }
