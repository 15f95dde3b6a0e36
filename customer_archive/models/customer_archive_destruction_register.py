import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from .customer_archive_document_retention import DESTRUCTION_METHODS

_logger = logging.getLogger(__name__)

# Fields covered by each entry's hash, in the form they are stored.
HASHED_FIELDS = (
    "logged_at",
    "kind",
    "batch_id",
    "document_id",
    "partner_id",
    "archive_number",
    "document_name",
    "document_type",
    "reference",
    "document_date",
    "filing_date",
    "retention_date",
    "location",
    "checksums",
    "method",
    "verified_by_id",
    "approved_by_id",
    "executed_by_id",
    "details",
    "company_id",
)
DATE_FIELDS = ("document_date", "filing_date", "retention_date")


class CustomerArchiveDestructionRegister(models.Model):
    """Append-only, hash-chained register of destroyed documents and erasures.

    Entries keep the archive number, never the customer's name, so the
    register contains no personal data that an erasure would have to change.
    """

    _name = "customer.archive.destruction.register"
    _inherit = ["customer.archive.hash.chain"]
    _description = "Destruction Register"
    _hashed_fields = HASHED_FIELDS
    _hashed_date_fields = DATE_FIELDS
    _order = "id desc"
    _rec_name = "id"

    logged_at = fields.Datetime(string="Date", required=True, readonly=True, index=True)
    kind = fields.Selection(
        [
            ("destruction", "Document Destroyed"),
            ("erasure", "Personal Data Erased"),
        ],
        required=True,
        readonly=True,
    )
    batch_id = fields.Many2one(
        "customer.archive.destruction.batch",
        string="Destruction Batch",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )
    document_id = fields.Many2one(
        "customer.archive.document",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    archive_number = fields.Char(readonly=True)
    document_name = fields.Char(readonly=True)
    document_type = fields.Char(readonly=True)
    reference = fields.Char(readonly=True)
    document_date = fields.Date(readonly=True)
    filing_date = fields.Date(readonly=True)
    retention_date = fields.Date(readonly=True)
    location = fields.Char(string="Paper Original Location", readonly=True)
    checksums = fields.Text(
        string="SHA-256 Checksums",
        readonly=True,
        help="SHA-256 and name of each destroyed file.",
    )
    method = fields.Selection(DESTRUCTION_METHODS, readonly=True)
    verified_by_id = fields.Many2one("res.users", readonly=True, ondelete="restrict")
    approved_by_id = fields.Many2one("res.users", readonly=True, ondelete="restrict")
    executed_by_id = fields.Many2one("res.users", readonly=True, ondelete="restrict")
    details = fields.Text(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "Destruction register entries cannot be changed; record a "
                "correction as a new entry instead."
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_always(self):
        raise UserError(
            self.env._(
                "Destruction register entries cannot be deleted, not even by managers."
            )
        )

    @api.model
    def _record_destruction(self, batch, documents, checksums):
        """Append one entry per destroyed document of ``batch``.

        ``checksums`` maps each document to the text listing its files'
        SHA-256, taken before the files are deleted.
        """
        vals_list = [
            {
                "kind": "destruction",
                "batch_id": batch.id,
                "document_id": document.id,
                "partner_id": document.partner_id.id,
                "archive_number": document.partner_id.archive_number,
                "document_name": document.name,
                "document_type": f"{document.type_id.code} {document.type_id.name}",
                "reference": document.reference,
                "document_date": document.document_date,
                "filing_date": document.filing_date,
                "retention_date": document.retention_date,
                "location": document.location,
                "checksums": checksums.get(document),
                "method": batch.method,
                "verified_by_id": batch.verified_by_id.id,
                "approved_by_id": batch.approved_by_id.id,
                "executed_by_id": self.env.user.id,
                "company_id": batch.company_id.id,
            }
            for document in documents
        ]
        return self._append(vals_list)

    @api.model
    def _record_erasure(self, partner, details):
        """Append the entry recording the erasure of ``partner``'s personal data."""
        return self._append(
            [
                {
                    "kind": "erasure",
                    "partner_id": partner.id,
                    "archive_number": partner.archive_number,
                    "details": details,
                    "executed_by_id": self.env.user.id,
                    "company_id": (partner.archive_company_id or self.env.company).id,
                }
            ]
        )

    @api.model
    def _append(self, vals_list):
        """Stamp and chain new register entries."""
        now = fields.Datetime.now()
        for vals in vals_list:
            vals["logged_at"] = now
        return self._append_chained(vals_list)

    def action_verify_chain(self):
        """Check every entry's hash and name the first one that does not match."""
        return self._verification_notification(
            self.env._("Destruction Register Verification"),
            self.env._(
                "The destruction register is intact: every entry matches its hash."
            ),
            lambda entry: self.env._(
                "The destruction register has been tampered with: entry "
                "%(entry)s does not match its hash. Entries from this one on "
                "cannot be trusted.",
                entry=entry,
            ),
            self.env._(
                "The destruction register has been tampered with: its newest "
                "entries were deleted, because the last entry stored is not the "
                "last one appended."
            ),
        )
