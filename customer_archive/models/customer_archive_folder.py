from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools.numbering import DEFAULT_PADDING, format_archive_number, is_valid_prefix


class CustomerArchiveFolder(models.Model):
    """Product line under which customers are filed, each numbering its archives."""

    _name = "customer.archive.folder"
    _description = "Customer Archive Folder"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        string="Number Prefix",
        required=True,
        help="Upper-case letters and digits put before each archive number of this "
        "folder, e.g. BEV gives BEV-00042.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    is_fallback = fields.Boolean(
        string="Fallback Folder",
        help="Folder of customers whose purchases match no other folder.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    sequence_id = fields.Many2one(
        "ir.sequence",
        string="Number Sequence",
        readonly=True,
        copy=False,
        help="Sequence giving the archive numbers of this folder; numbers are never "
        "reused, even when an archive is closed.",
    )
    description = fields.Text(translate=True)
    partner_ids = fields.One2many(
        "res.partner", "archive_folder_id", string="Customers"
    )
    partner_count = fields.Integer(
        string="Customer Count", compute="_compute_partner_count"
    )

    _code_company_uniq = models.Constraint(
        "UNIQUE(code, company_id)",
        "Another folder of this company already uses this number prefix.",
    )

    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("archive_folder_id", "in", self.ids)],
                ["archive_folder_id"],
                ["__count"],
            )
        )
        for folder in self:
            folder.partner_count = counts.get(folder, 0)

    @api.constrains("code")
    def _check_code(self):
        for folder in self:
            if not is_valid_prefix(folder.code):
                raise ValidationError(
                    self.env._(
                        "The number prefix “%(code)s” is invalid: use 1 to 10 "
                        "upper-case letters or digits, starting with a letter "
                        "(e.g. BEV).",
                        code=folder.code,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("code"):
                vals["code"] = vals["code"].strip().upper()
        folders = super().create(vals_list)
        for folder in folders.filtered(lambda f: not f.sequence_id):
            # sudo: managers who create folders may not create ir.sequence;
            # the sequence only numbers this folder's archives.
            folder.sequence_id = (
                self.env["ir.sequence"].sudo().create(folder._prepare_sequence_vals())
            )
        return folders

    def write(self, vals):
        if vals.get("code"):
            vals["code"] = vals["code"].strip().upper()
        return super().write(vals)

    def _prepare_sequence_vals(self):
        """Return the values of the folder's number sequence; meant to be overridden."""
        self.ensure_one()
        return {
            "name": self.env._("Archive numbers of %(folder)s", folder=self.name),
            "code": f"customer.archive.folder.{self.id}",
            "implementation": "standard",
            "padding": DEFAULT_PADDING,
            "number_increment": 1,
            "company_id": self.company_id.id,
        }

    def _next_archive_number(self):
        """Draw the next archive number of this folder.

        The standard implementation draws from a PostgreSQL sequence, so two
        concurrent transactions get different numbers and a number is never
        handed out twice, even when the drawing transaction rolls back.
        """
        self.ensure_one()
        # sudo: users registering archives may not read ir.sequence; the
        # sequence only yields a counter value.
        number = self.sequence_id.sudo()._next()
        return format_archive_number(self.code, int(number), DEFAULT_PADDING)

    def _next_archive_numbers(self, count):
        """Draw ``count`` archive numbers of this folder, in increasing order.

        A standard sequence gives them all in one query. Other sequences, such
        as one with date ranges or without gaps, draw each number through
        ``_next_archive_number``.
        """
        self.ensure_one()
        if count <= 0:
            return []
        # sudo: see _next_archive_number.
        sequence = self.sequence_id.sudo()
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [self._next_archive_number() for _index in range(count)]
        rows = self.env.execute_query(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        return [
            format_archive_number(
                self.code, int(sequence.get_next_char(value)), DEFAULT_PADDING
            )
            for value in sorted(row[0] for row in rows)
        ]

    def action_open_customers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_archive.res_partner_action_archive"
        )
        action["domain"] = [("archive_folder_id", "=", self.id)]
        action["context"] = {"default_archive_folder_id": self.id}
        return action
