from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.hash_chain import GENESIS_HASH, entry_hash, first_broken_entry

VERIFY_BATCH_SIZE = 10000
# Returned by _first_broken_entry_id when every stored entry matches its hash
# but the newest entries are missing.
MISSING_NEWEST_ENTRIES = -1


class CustomerArchiveHashChain(models.AbstractModel):
    """Append-only records chained by SHA-256, so tampering can be detected.

    A model using it lists the fields covered by each entry's hash in
    ``_hashed_fields`` (date fields in ``_hashed_date_fields``), creates its
    entries only through ``_append_chained`` and refuses write and unlink.
    """

    _name = "customer.archive.hash.chain"
    _description = "Hash-Chained Record"

    _hashed_fields = ()
    _hashed_date_fields = ()

    previous_hash = fields.Char(readonly=True)
    entry_hash = fields.Char(string="Hash", readonly=True)

    @api.model
    def _append_chained(self, vals_list):
        """Chain and create entries so that concurrent writers cannot fork the chain.

        The chain's end is read from, and moved in, the locked row of
        ``customer.archive.hash.chain.head``; a concurrent writer fails to
        serialize and is run again on a snapshot that contains this append.
        """
        head = self.env["customer.archive.hash.chain.head"]
        previous_hash = head._lock_chain_head(self._table)
        for vals in vals_list:
            vals["previous_hash"] = previous_hash
            vals["entry_hash"] = entry_hash(previous_hash, self._hash_content(vals))
            previous_hash = vals["entry_hash"]
        entries = self._create_chained_entries(vals_list)
        head._move_chain_head(self._table, previous_hash)
        return entries

    @api.model
    def _create_chained_entries(self, vals_list):
        """Create the chained entries of ``vals_list``; meant to be overridden."""
        # sudo: entries are created only here; no group has create rights.
        return self.sudo().create(vals_list)

    @api.model
    def _hash_content(self, vals):
        """Return the hashed fields of ``vals`` as the text that is hashed."""
        content = {}
        for name in self._hashed_fields:
            value = vals.get(name)
            if isinstance(value, models.BaseModel):
                value = value.id
            if name == "logged_at" and value:
                value = fields.Datetime.to_string(value)
            elif name in self._hashed_date_fields and value:
                value = fields.Date.to_string(value)
            content[name] = value or None
        return content

    @api.model
    def _first_broken_entry_id(self):
        """Return the id of the first entry breaking the hash chain, or 0.

        Returns ``MISSING_NEWEST_ENTRIES`` when the stored entries chain up but
        the last one is not the chain head's, so newer entries were deleted.
        """
        columns = SQL(", ").join(SQL.identifier(name) for name in self._hashed_fields)
        last_id = 0
        previous_hash = GENESIS_HASH
        while True:
            self.env.cr.execute(
                SQL(
                    """SELECT id, previous_hash, entry_hash, %s
                         FROM %s
                        WHERE id > %s ORDER BY id LIMIT %s""",
                    columns,
                    SQL.identifier(self._table),
                    last_id,
                    VERIFY_BATCH_SIZE,
                )
            )
            rows = self.env.cr.fetchall()
            if not rows:
                break
            entries = (
                (
                    row[0],
                    row[1],
                    row[2],
                    self._hash_content(
                        dict(zip(self._hashed_fields, row[3:], strict=True))
                    ),
                )
                for row in rows
            )
            broken = first_broken_entry(entries, previous_hash)
            if broken:
                return broken
            last_id, previous_hash = rows[-1][0], rows[-1][2]
        head_hash = self.env["customer.archive.hash.chain.head"]._chain_head_hash(
            self._table
        )
        # NOTE: missing newest entries go unnoticed while the chain has no head
        # row, as when its entries were stored before the head existed and
        # nothing was appended since. The next append creates the row.
        if head_hash is not None and head_hash != previous_hash:
            return MISSING_NEWEST_ENTRIES
        return 0

    def _verification_notification(
        self, title, intact_message, broken_message, missing_message
    ):
        """Return the notification of a chain check; meant to be overridden.

        ``broken_message`` is called with the id of the first broken entry.
        ``missing_message`` is shown when the newest entries were deleted.
        """
        # The check reads the table in SQL, so the model's read right is
        # checked here: without it anyone could call the method over RPC.
        self.browse().check_access("read")
        broken_id = self._first_broken_entry_id()
        notification_type = "danger" if broken_id else "success"
        if broken_id == MISSING_NEWEST_ENTRIES:
            message = missing_message
        elif broken_id:
            message = broken_message(broken_id)
        else:
            message = intact_message
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": notification_type,
                "sticky": bool(broken_id),
            },
        }


class CustomerArchiveHashChainHead(models.Model):
    """Hash of a chain's last entry, in one row per chain that every append updates.

    Odoo runs transactions in REPEATABLE READ, so a transaction only sees the
    rows committed before its first query. Two requests appending at once both
    lock their chain's row: the second waits for the first to commit, then
    PostgreSQL raises a serialization failure, because the row changed after
    the second request's snapshot, and Odoo runs that request again on a new
    snapshot that contains the first append. A lock that does not update a row
    would let the second request read the chain's end from its old snapshot and
    fork the chain.
    """

    _name = "customer.archive.hash.chain.head"
    _description = "Hash Chain Head"

    chain = fields.Char(required=True, readonly=True, help="Table of the chain.")
    entry_hash = fields.Char(required=True, readonly=True)

    _chain_uniq = models.UniqueIndex("(chain)")

    def _reset_chain_head(self, chain):
        """Point the head of ``chain`` at its last entry, creating the row if needed."""
        self.env.cr.execute(
            SQL(
                """INSERT INTO customer_archive_hash_chain_head (chain, entry_hash)
                   VALUES (%s, COALESCE((SELECT entry_hash FROM %s
                                          ORDER BY id DESC LIMIT 1), %s))
                   ON CONFLICT (chain)
                   DO UPDATE SET entry_hash = EXCLUDED.entry_hash""",
                chain,
                SQL.identifier(chain),
                GENESIS_HASH,
            )
        )

    def _chain_head_hash(self, chain):
        """Return the hash of the last entry appended to ``chain``, or None."""
        self.env.cr.execute(
            SQL(
                "SELECT entry_hash FROM customer_archive_hash_chain_head "
                "WHERE chain = %s",
                chain,
            )
        )
        row = self.env.cr.fetchone()
        return row[0] if row else None

    def _lock_chain_head(self, chain):
        """Lock the head row of ``chain`` and return the hash the next entry chains to.

        :raises psycopg2.errors.SerializationFailure: when another transaction
            appended after this transaction's snapshot.
        """
        query = SQL(
            "SELECT entry_hash FROM customer_archive_hash_chain_head "
            "WHERE chain = %s FOR UPDATE",
            chain,
        )
        self.env.cr.execute(query)
        row = self.env.cr.fetchone()
        if row is None:
            self.env.cr.execute(
                SQL(
                    """INSERT INTO customer_archive_hash_chain_head (chain, entry_hash)
                       VALUES (%s, COALESCE((SELECT entry_hash FROM %s
                                              ORDER BY id DESC LIMIT 1), %s))
                       ON CONFLICT (chain) DO NOTHING""",
                    chain,
                    SQL.identifier(chain),
                    GENESIS_HASH,
                )
            )
            self.env.cr.execute(query)
            row = self.env.cr.fetchone()
        return row[0]

    def _move_chain_head(self, chain, new_hash):
        self.env.cr.execute(
            SQL(
                "UPDATE customer_archive_hash_chain_head SET entry_hash = %s "
                "WHERE chain = %s",
                new_hash,
                chain,
            )
        )
