from odoo import fields, models
from odoo.tools import SQL

from ..tools.hash_chain import GENESIS_HASH


class CustomerArchiveAccessLogHead(models.Model):
    """Hash of the access log's last entry, in one row that every append updates.

    Odoo runs transactions in REPEATABLE READ, so a transaction only sees the
    rows committed before its first query. Two requests appending at once
    both lock this row: the second waits for the first to commit, then
    PostgreSQL raises a serialization failure, because the row changed after
    the second request's snapshot, and Odoo runs that request again on a new
    snapshot that contains the first append. A lock that does not update a
    row would let the second request read the chain's end from its old
    snapshot and fork the chain.
    """

    _name = "customer.archive.access.log.head"
    _description = "Access Log Chain Head"

    entry_hash = fields.Char(required=True, readonly=True)

    def init(self):
        self._reset_chain_head()

    def _reset_chain_head(self):
        """Point the head at the access log's last entry, creating the row if needed."""
        self.env.cr.execute(
            SQL(
                """INSERT INTO customer_archive_access_log_head (id, entry_hash)
                   VALUES (1, COALESCE((SELECT entry_hash
                                          FROM customer_archive_access_log
                                         ORDER BY id DESC LIMIT 1), %s))
                   ON CONFLICT (id) DO UPDATE SET entry_hash = EXCLUDED.entry_hash""",
                GENESIS_HASH,
            )
        )

    def _lock_chain_head(self):
        """Lock the head row and return the hash the next entry must chain to.

        :raises psycopg2.errors.SerializationFailure: when another transaction
            appended after this transaction's snapshot.
        """
        query = SQL(
            "SELECT entry_hash FROM customer_archive_access_log_head "
            "WHERE id = 1 FOR UPDATE"
        )
        self.env.cr.execute(query)
        row = self.env.cr.fetchone()
        if row is None:
            self._reset_chain_head()
            self.env.cr.execute(query)
            row = self.env.cr.fetchone()
        return row[0]

    def _move_chain_head(self, entry_hash):
        self.env.cr.execute(
            SQL(
                "UPDATE customer_archive_access_log_head SET entry_hash = %s "
                "WHERE id = 1",
                entry_hash,
            )
        )
