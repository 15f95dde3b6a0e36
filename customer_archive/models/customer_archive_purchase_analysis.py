from odoo import fields, models


class CustomerArchivePurchase(models.Model):
    """Customer classification on purchases, to group the purchase analysis by."""

    _inherit = "customer.archive.purchase"

    # Not stored: the classification is rewritten in SQL, so grouping reads the
    # customer's current values through a join.
    partner_folder_id = fields.Many2one(
        related="partner_id.archive_folder_id", string="Customer Folder"
    )
    partner_tier = fields.Selection(
        related="partner_id.archive_tier", string="Customer Tier"
    )
    partner_activity_cycle = fields.Selection(
        related="partner_id.archive_activity_cycle", string="Customer Activity Cycle"
    )
    partner_is_member = fields.Boolean(
        related="partner_id.archive_is_member", string="Customer Is Member"
    )
