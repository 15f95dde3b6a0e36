from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CustomerArchiveCategory(models.Model):
    """Hierarchical customer category within a classification scheme."""

    _name = "customer.archive.category"
    _description = "Customer Category"
    _parent_store = True
    _order = "complete_name"
    _rec_names_search = ["complete_name", "name"]

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(
        compute="_compute_complete_name", recursive=True, store=True
    )
    scheme_id = fields.Many2one(
        "customer.archive.category.scheme",
        required=True,
        ondelete="restrict",
        index=True,
    )
    parent_id = fields.Many2one(
        "customer.archive.category",
        string="Parent Category",
        index=True,
        ondelete="restrict",
        domain="[('scheme_id', '=', scheme_id)]",
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many(
        "customer.archive.category", "parent_id", string="Subcategories"
    )
    active = fields.Boolean(default=True)
    color = fields.Integer()
    company_id = fields.Many2one(related="scheme_id.company_id", store=True, index=True)

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            if category.parent_id:
                category.complete_name = (
                    f"{category.parent_id.complete_name} / {category.name}"
                )
            else:
                category.complete_name = category.name

    @api.depends("name", "parent_id")
    @api.depends_context("lang")
    def _compute_display_name(self):
        # The path of translated names, in the user's language: the stored
        # complete_name is computed once, in the language of the install.
        for category in self:
            names = []
            current = category
            while current:
                names.append(current.name or "")
                current = current.parent_id
            category.display_name = " / ".join(reversed(names))

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(
                self.env._(
                    "A category cannot be its own ancestor; pick another parent."
                )
            )
        for category in self.filtered("parent_id"):
            if category.parent_id.scheme_id != category.scheme_id:
                raise ValidationError(
                    self.env._(
                        "The category “%(category)s” and its parent “%(parent)s” "
                        "belong to different schemes; pick a parent of scheme "
                        "“%(scheme)s”.",
                        category=category.name,
                        parent=category.parent_id.name,
                        scheme=category.scheme_id.name,
                    )
                )
