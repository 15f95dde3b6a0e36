from odoo import fields, models


class CustomerArchiveCategoryScheme(models.Model):
    """Axis along which customers are classified, such as industry or customer need."""

    _name = "customer.archive.category.scheme"
    _description = "Customer Category Scheme"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    category_ids = fields.One2many(
        "customer.archive.category", "scheme_id", string="Categories"
    )
