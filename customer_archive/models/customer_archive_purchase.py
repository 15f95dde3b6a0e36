from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CustomerArchivePurchase(models.Model):
    """Purchase in a customer's journal, feeding the tier and the activity cycle."""

    _name = "customer.archive.purchase"
    _description = "Customer Purchase"
    _order = "date desc, id desc"
    _rec_name = "product"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
    )
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    folder_id = fields.Many2one(
        "customer.archive.folder",
        string="Product Line",
        index=True,
        ondelete="restrict",
    )
    product = fields.Char(required=True)
    quantity = fields.Float(default=1.0)
    amount = fields.Monetary(currency_field="currency_id")
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
    )
    days_of_use = fields.Integer(
        string="Expected Days of Use",
        help="Days the purchased quantity is expected to last, giving the estimated "
        "depletion date.",
    )
    depletion_date = fields.Date(
        string="Estimated Depletion Date",
        compute="_compute_depletion_date",
        store=True,
        index="btree_not_null",
    )
    user_id = fields.Many2one(
        "res.users", string="Salesperson", default=lambda self: self.env.user
    )
    source_reference = fields.Char(
        readonly=True,
        copy=False,
        help="Key of the order line this purchase was imported from; importing the "
        "same line again updates this purchase instead of duplicating it.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )

    _quantity_positive = models.Constraint(
        "CHECK (quantity > 0)", "The quantity of a purchase must be positive."
    )
    _amount_not_negative = models.Constraint(
        "CHECK (amount >= 0)", "The amount of a purchase must not be negative."
    )
    _days_of_use_not_negative = models.Constraint(
        "CHECK (days_of_use IS NULL OR days_of_use >= 0)",
        "The expected days of use must not be negative.",
    )
    _source_reference_uniq = models.UniqueIndex(
        "(company_id, source_reference) WHERE source_reference IS NOT NULL",
        "This order line was already imported.",
    )
    _partner_date_idx = models.Index("(partner_id, date DESC)")

    @api.depends("date", "days_of_use")
    def _compute_depletion_date(self):
        for purchase in self:
            if purchase.date and purchase.days_of_use:
                purchase.depletion_date = fields.Date.add(
                    purchase.date, days=purchase.days_of_use
                )
            else:
                purchase.depletion_date = False

    @api.constrains("partner_id", "company_id")
    def _check_archive_company(self):
        # A purchase moves the customer's tier and cycle, so only the company
        # that holds the archive may record one.
        for purchase in self:
            partner = purchase.partner_id
            archive_company = partner._archive_foreign_company(purchase.company_id)
            if archive_company:
                raise ValidationError(
                    self.env._(
                        "The archive of “%(customer)s” belongs to %(archive)s, so "
                        "its purchases cannot be recorded in %(company)s; switch "
                        "to %(archive)s and record the purchase there.",
                        customer=purchase.partner_id.display_name,
                        archive=archive_company.name,
                        company=purchase.company_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        purchases = super().create(vals_list)
        purchases.partner_id._archive_recompute_classification()
        return purchases

    def write(self, vals):
        partners = self.partner_id
        result = super().write(vals)
        if {"partner_id", "date", "amount", "quantity"} & vals.keys():
            (partners | self.partner_id)._archive_recompute_classification()
        return result

    def unlink(self):
        partners = self.partner_id
        result = super().unlink()
        partners.exists()._archive_recompute_classification()
        return result
