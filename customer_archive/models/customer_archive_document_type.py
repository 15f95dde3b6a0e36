from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.naming import DEFAULT_RULE, rule_placeholders

CONFIDENTIALITY_LEVELS = [
    ("public", "Public"),
    ("internal", "Internal"),
    ("confidential", "Confidential"),
]


class CustomerArchiveDocumentType(models.Model):
    """Directory of the standard filing structure, such as contracts or complaints."""

    _name = "customer.archive.document.type"
    _description = "Archive Document Type"
    _order = "sequence, code"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Short code used in document names and in the file names of bulk "
        "filing, e.g. CON for contracts.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    naming_rule = fields.Char(
        required=True,
        default=DEFAULT_RULE,
        help="Pattern of the names given to documents of this type. Placeholders: "
        "{archive_number}, {type_code}, {document_date} (YYYYMMDD), {seq} (three "
        "digits, counted per customer and type) and {reference}.",
    )
    default_confidentiality = fields.Selection(
        CONFIDENTIALITY_LEVELS, required=True, default="internal"
    )
    retention_policy_id = fields.Many2one(
        "customer.archive.retention.policy",
        index=True,
        ondelete="restrict",
        domain="[('company_id', 'in', [company_id, False])]",
        help="How long documents of this type are kept. Without a policy they "
        "get no retention date and are kept until one is set.",
    )
    description = fields.Text(translate=True)
    company_id = fields.Many2one("res.company", index=True)
    document_count = fields.Integer(compute="_compute_document_count")

    _code_company_uniq = models.UniqueIndex(
        "(code, COALESCE(company_id, 0))",
        "Another document type already uses this code.",
    )

    def _compute_document_count(self):
        counts = dict(
            self.env["customer.archive.document"]._read_group(
                [("type_id", "in", self.ids)], ["type_id"], ["__count"]
            )
        )
        for doc_type in self:
            doc_type.document_count = counts.get(doc_type, 0)

    @api.constrains("naming_rule")
    def _check_naming_rule(self):
        for doc_type in self:
            try:
                rule_placeholders(doc_type.naming_rule)
            except ValueError:
                raise ValidationError(
                    self.env._(
                        "The naming rule “%(rule)s” is invalid: use only the "
                        "placeholders {archive_number}, {type_code}, "
                        "{document_date}, {seq} and {reference}, each in braces.",
                        rule=doc_type.naming_rule,
                    )
                ) from None

    @api.constrains("code")
    def _check_code(self):
        for doc_type in self:
            if not doc_type.code.isalnum() or not doc_type.code.isascii():
                raise ValidationError(
                    self.env._(
                        "The document type code “%(code)s” is invalid: use ASCII "
                        "letters and digits only (e.g. CON).",
                        code=doc_type.code,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("code"):
                vals["code"] = vals["code"].strip().upper()
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("code"):
            vals["code"] = vals["code"].strip().upper()
        return super().write(vals)
