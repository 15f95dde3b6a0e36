import logging

from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import SQL

from ..tools.hash_chain import GENESIS_HASH, entry_hash, first_broken_entry

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
)
VERIFY_BATCH_SIZE = 10000
# Transactions tried by _log_separately when concurrent appends conflict.
SEPARATE_LOG_TRIES = 3


class CustomerArchiveAccessLog(models.Model):
    """Append-only, hash-chained record of every consultation of archive content."""

    _name = "customer.archive.access.log"
    _description = "Archive Access Log"
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
    details = fields.Char(readonly=True, help="File, report or exported model.")
    previous_hash = fields.Char(readonly=True)
    entry_hash = fields.Char(string="Hash", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)

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
        any. The chain's end is read from, and moved in, the locked row of
        ``customer.archive.access.log.head``, so concurrent writers cannot fork
        the chain: the later one fails to serialize and is run again.
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
        # sudo: log entries are created only here; nobody holds create rights.
        log = self.sudo()
        head = self.env["customer.archive.access.log.head"]
        previous_hash = head._lock_chain_head()
        now = fields.Datetime.now()
        vals_list = []
        for partner, document in targets:
            consultation = consultations._covering(partner, document)
            vals = {
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
            }
            vals["previous_hash"] = previous_hash
            vals["entry_hash"] = entry_hash(previous_hash, self._hash_content(vals))
            previous_hash = vals["entry_hash"]
            vals_list.append(vals)
        entries = log.create(vals_list)
        head._move_chain_head(previous_hash)
        return entries

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
        read-only transaction.
        """
        # No request retries this transaction, so a serialization failure
        # from a concurrent append is retried here, on a new transaction.
        for attempt in range(1, SEPARATE_LOG_TRIES + 1):
            try:
                with self.env.registry.cursor() as cr:
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

    @api.model
    def _hash_content(self, vals):
        content = {}
        for name in HASHED_FIELDS:
            value = vals.get(name)
            if isinstance(value, models.BaseModel):
                value = value.id
            if name == "logged_at" and value:
                value = fields.Datetime.to_string(value)
            content[name] = value or None
        return content

    def action_verify_chain(self):
        """Check every entry's hash and name the first one that does not match."""
        # The check reads the table in SQL, so the model's read right is
        # checked here: without it anyone could call the method over RPC.
        self.browse().check_access("read")
        broken_id = self._first_broken_entry_id()
        if broken_id:
            message = self.env._(
                "The access log has been tampered with: entry %(entry)s does not "
                "match its hash. Entries from this one on cannot be trusted.",
                entry=broken_id,
            )
            notification_type = "danger"
        else:
            message = self.env._(
                "The access log is intact: every entry matches its hash."
            )
            notification_type = "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Access Log Verification"),
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
                         FROM customer_archive_access_log
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
