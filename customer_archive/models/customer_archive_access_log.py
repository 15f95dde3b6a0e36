import logging

from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import MissingError, UserError
from odoo.http import request
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Fields covered by each entry's hash, in the form they are stored.
HASHED_FIELDS = (
    "logged_at",
    "user_id",
    "partner_id",
    "document_id",
    "action",
    "result",
    "consultation_id",
    "purpose",
    "ip_address",
    "details",
    "company_id",
    "hash_version",
)
# Version of the hashed content that _log writes.
# NOTE: version 2 added the company and the version to the hash. Entries
# without a version were hashed without them and are still verified that way,
# so a change of their company goes unnoticed.
HASH_VERSION = 2
VERSION_2_FIELDS = ("company_id", "hash_version")
# Transactions tried by _log_separately when concurrent appends conflict.
SEPARATE_LOG_TRIES = 3
# Time _log_separately waits for the lock on the chain's end. The caller's own
# transaction holds that lock when it appended to the log before, and then
# without this timeout the separate transaction would wait for it forever.
SEPARATE_LOG_LOCK_TIMEOUT = "5s"
# Columns that _create_chained_entries inserts, besides create_uid, create_date,
# write_uid and write_date.
INSERTED_COLUMNS = (*HASHED_FIELDS, "previous_hash", "entry_hash")
INSERT_BATCH_SIZE = 1000


class CustomerArchiveAccessLog(models.Model):
    """Append-only, hash-chained record of every consultation of archive content."""

    _name = "customer.archive.access.log"
    _inherit = ["customer.archive.hash.chain"]
    _description = "Archive Access Log"
    _hashed_fields = HASHED_FIELDS
    _order = "id desc"
    _rec_name = "id"

    logged_at = fields.Datetime(string="Date", required=True, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    document_id = fields.Many2one(
        "customer.archive.document",
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    action = fields.Selection(
        [
            ("view", "View"),
            ("download", "Download"),
            ("print", "Print"),
            ("export", "Export"),
        ],
        required=True,
        readonly=True,
    )
    result = fields.Selection(
        [("granted", "Granted"), ("denied", "Denied")],
        required=True,
        default="granted",
        readonly=True,
    )
    consultation_id = fields.Many2one(
        "customer.archive.consultation",
        string="Consultation Request",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )
    purpose = fields.Text(readonly=True)
    ip_address = fields.Char(string="IP Address", readonly=True)
    details = fields.Char(
        string="Recorded Details",
        readonly=True,
        help="File, report or exported model, as recorded in the hash chain.",
    )
    details_label = fields.Char(
        string="Details",
        compute="_compute_details_label",
        help="File name, screen, report or exported records, in the user's language.",
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    hash_version = fields.Integer(
        readonly=True,
        help="Version of the hashed content, empty for entries whose hash does "
        "not cover the company.",
    )

    @api.model
    def _hash_content(self, vals):
        content = super()._hash_content(vals)
        if not vals.get("hash_version"):
            for name in VERSION_2_FIELDS:
                del content[name]
        return content

    def _compute_details_label(self):
        labels = {
            "serve": self.env._("Serve Customer"),
            "index_card": self.env._("Index Card"),
            "registration_form": self.env._("Registration Form"),
            "overview_xlsx": self.env._("Consumption Category Overview (xlsx)"),
            "overview_pdf": self.env._("Consumption Category Overview (PDF)"),
        }
        for entry in self:
            details = entry.details
            if details in labels:
                entry.details_label = labels[details]
            elif details and details in self.env:
                # Exports store the technical model name, so show its description.
                entry.details_label = self.env["ir.model"]._get(details).name
            else:
                entry.details_label = details

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "Access log entries cannot be changed; record a correction as a new "
                "entry instead."
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_always(self):
        raise UserError(
            self.env._("Access log entries cannot be deleted, not even by managers.")
        )

    @api.model
    def _log(
        self, action, partners=None, documents=None, details=None, result="granted"
    ):
        """Append one entry per document, or per customer when no document is given.

        Each entry names the consultation request that allowed the access, if
        any. Entries are chained through ``_append_chained``, so concurrent
        writers cannot fork the chain.
        """
        user = self.env.user
        targets = []
        for document in documents or []:
            targets.append((document.partner_id, document))
        if not documents:
            for partner in partners or []:
                targets.append((partner, self.env["customer.archive.document"]))
        if not targets:
            return self.browse()
        ip_address = None
        if request and getattr(request, "httprequest", None):
            ip_address = request.httprequest.remote_addr
        consultations = self.env["customer.archive.consultation"]._active_for_user(user)
        now = fields.Datetime.now()
        vals_list = []
        for partner, document in targets:
            consultation = consultations._covering(partner, document)
            vals_list.append(
                {
                    "logged_at": now,
                    "user_id": user.id,
                    "partner_id": partner.id or False,
                    "document_id": document.id or False,
                    "action": action,
                    "result": result,
                    "consultation_id": consultation.id or False,
                    "purpose": consultation.purpose or False,
                    "ip_address": ip_address or False,
                    "details": details or False,
                    "company_id": (document.company_id or self.env.company).id,
                    "hash_version": HASH_VERSION,
                }
            )
        return self._append_chained(vals_list)

    @api.model
    def _create_chained_entries(self, vals_list):
        """Insert the entries with SQL, in batches, and return them.

        An export or an overview logs one entry per customer, and creating
        100,000 entries through the ORM took longer than writing the file.
        ``_log`` fills every column and the model has no stored computed
        field, so the rows are those the ORM would write.
        """
        uid = self.env.uid
        now = self.env.cr.now()
        ids = []
        for start in range(0, len(vals_list), INSERT_BATCH_SIZE):
            rows = [
                SQL(
                    "(%s)",
                    SQL(", ").join(
                        [
                            *(vals.get(name) or None for name in INSERTED_COLUMNS),
                            uid,
                            now,
                            uid,
                            now,
                        ]
                    ),
                )
                for vals in vals_list[start : start + INSERT_BATCH_SIZE]
            ]
            self.env.cr.execute(
                SQL(
                    """INSERT INTO %s
                              (%s, create_uid, create_date, write_uid, write_date)
                       VALUES %s RETURNING id""",
                    SQL.identifier(self._table),
                    SQL(", ").join(SQL.identifier(name) for name in INSERTED_COLUMNS),
                    SQL(", ").join(rows),
                )
            )
            ids.extend(row[0] for row in self.env.cr.fetchall())
        return self.browse(ids)

    @api.model
    def _log_denied(self, action, partner=None, document=None, details=None):
        """Record a refused access; see ``_log_separately``."""
        self._log_separately(action, partner, document, details, result="denied")

    @api.model
    def _log_separately(
        self, action, partner=None, document=None, details=None, result="granted"
    ):
        """Record an access in its own transaction.

        Used where the request's transaction cannot keep the entry: a refusal
        raises an error that rolls it back, and file downloads run in a
        read-only transaction. When the lock on the chain's end is still taken
        after ``SEPARATE_LOG_LOCK_TIMEOUT``, as when the caller's transaction
        holds it, the entry is written once the caller's transaction ends.
        """
        try:
            self._append_separately(action, partner, document, details, result)
        except errors.LockNotAvailable:
            _logger.info(
                "Access log append of %s by user %s timed out on the log's lock; "
                "it is written when the current transaction ends",
                action,
                self.env.uid,
            )

            def append():
                self._append_separately(action, partner, document, details, result)

            # A commit clears the rollback hooks and a rollback the commit
            # hooks, so the entry is written once.
            self.env.cr.postcommit.add(append)
            self.env.cr.postrollback.add(append)

    @api.model
    def _append_separately(self, action, partner, document, details, result):
        # No request retries this transaction, so a serialization failure
        # from a concurrent append is retried here, on a new transaction.
        for attempt in range(1, SEPARATE_LOG_TRIES + 1):
            try:
                with self.env.registry.cursor() as cr:
                    cr.execute(
                        SQL("SET LOCAL lock_timeout = %s", SEPARATE_LOG_LOCK_TIMEOUT)
                    )
                    env = self.env(cr=cr)
                    # sudo: a refused access names a document or customer that
                    # the user may not read; the entry is written, not returned.
                    env[self._name]._log(
                        action,
                        partners=env["res.partner"]
                        .sudo()
                        .browse(partner.ids if partner else []),
                        documents=env["customer.archive.document"]
                        .sudo()
                        .browse(document.ids if document else []),
                        details=details,
                        result=result,
                    )
                return
            except (MissingError, errors.ForeignKeyViolation):
                # The separate transaction does not see records that the
                # caller's transaction created and has not committed. That
                # transaction is rolled back by the refusal, so the records
                # it created are rolled back as well.
                _logger.warning(
                    "Access log entry of %s by user %s not written: document %s "
                    "or customer %s is not committed",
                    action,
                    self.env.uid,
                    document.ids if document else [],
                    partner.ids if partner else [],
                )
                return
            except errors.SerializationFailure:
                if attempt == SEPARATE_LOG_TRIES:
                    raise
                _logger.info(
                    "Access log append of %s by user %s conflicted with another "
                    "append, trying again (%s of %s)",
                    action,
                    self.env.uid,
                    attempt + 1,
                    SEPARATE_LOG_TRIES,
                )

    def action_verify_chain(self):
        """Check every entry's hash and name the first one that does not match."""
        return self._verification_notification(
            self.env._("Access Log Verification"),
            self.env._("The access log is intact: every entry matches its hash."),
            lambda entry: self.env._(
                "The access log has been tampered with: entry %(entry)s does not "
                "match its hash. Entries from this one on cannot be trusted.",
                entry=entry,
            ),
            self.env._(
                "The access log has been tampered with: its newest entries were "
                "deleted, because the last entry stored is not the last one "
                "appended."
            ),
        )
