import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.hash_chain import GENESIS_HASH, entry_hash, first_broken_entry
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
VERIFY_BATCH_SIZE = 10000


class CustomerArchiveDestructionRegister(models.Model):
    """Append-only, hash-chained register of destroyed documents and erasures.

    Entries keep the archive number, never the customer's name, so the
    register contains no personal data that an erasure would have to change.
    """

    _name = "customer.archive.destruction.register"
    _description = "Destruction Register"
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
    previous_hash = fields.Char(readonly=True)
    entry_hash = fields.Char(string="Hash", readonly=True)
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
        """Chain and create entries under a lock so concurrent writers cannot fork."""
        self.env.cr.execute(
            SQL("SELECT pg_advisory_xact_lock(hashtext(%s))", self._table)
        )
        self.env.cr.execute(
            SQL(
                "SELECT entry_hash FROM customer_archive_destruction_register "
                "ORDER BY id DESC LIMIT 1"
            )
        )
        row = self.env.cr.fetchone()
        previous_hash = row[0] if row else GENESIS_HASH
        now = fields.Datetime.now()
        for vals in vals_list:
            vals["logged_at"] = now
            vals["previous_hash"] = previous_hash
            vals["entry_hash"] = entry_hash(previous_hash, self._hash_content(vals))
            previous_hash = vals["entry_hash"]
        # sudo: register entries are created only here; no group has create
        # rights on the model.
        return self.sudo().create(vals_list)

    @api.model
    def _hash_content(self, vals):
        content = {}
        for name in HASHED_FIELDS:
            value = vals.get(name)
            if isinstance(value, models.BaseModel):
                value = value.id
            if name == "logged_at" and value:
                value = fields.Datetime.to_string(value)
            elif name in DATE_FIELDS and value:
                value = fields.Date.to_string(value)
            content[name] = value or None
        return content

    def action_verify_chain(self):
        """Check every entry's hash and name the first one that does not match."""
        broken_id = self._first_broken_entry_id()
        if broken_id:
            message = self.env._(
                "The destruction register has been tampered with: entry "
                "%(entry)s does not match its hash. Entries from this one on "
                "cannot be trusted.",
                entry=broken_id,
            )
            notification_type = "danger"
        else:
            message = self.env._(
                "The destruction register is intact: every entry matches its hash."
            )
            notification_type = "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Destruction Register Verification"),
                "message": message,
                "type": notification_type,
                "sticky": notification_type == "danger",
            },
        }

    @api.model
    def _first_broken_entry_id(self):
        """Return the id of the first entry breaking the hash chain, or 0."""
        columns = SQL(", ").join(SQL.identifier(name) for name in HASHED_FIELDS)
        last_id = 0
        previous_hash = GENESIS_HASH
        while True:
            self.env.cr.execute(
                SQL(
                    """SELECT id, previous_hash, entry_hash, %s
                         FROM customer_archive_destruction_register
                        WHERE id > %s ORDER BY id LIMIT %s""",
                    columns,
                    last_id,
                    VERIFY_BATCH_SIZE,
                )
            )
            rows = self.env.cr.fetchall()
            if not rows:
                return 0
            entries = (
                (
                    row[0],
                    row[1],
                    row[2],
                    self._hash_content(dict(zip(HASHED_FIELDS, row[3:], strict=True))),
                )
                for row in rows
            )
            broken = first_broken_entry(entries, previous_hash)
            if broken:
                return broken
            last_id, previous_hash = rows[-1][0], rows[-1][2]
