from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.hash_chain import GENESIS_HASH, entry_hash, first_broken_entry

VERIFY_BATCH_SIZE = 10000


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
        """Chain and create entries under a lock so concurrent writers cannot fork.

        The transaction-level advisory lock makes a second writer wait until
        the first commits, then read the hash the first one appended.
        """
        self.env.cr.execute(
            SQL("SELECT pg_advisory_xact_lock(hashtext(%s))", self._table)
        )
        self.env.cr.execute(
            SQL(
                "SELECT entry_hash FROM %s ORDER BY id DESC LIMIT 1",
                SQL.identifier(self._table),
            )
        )
        row = self.env.cr.fetchone()
        previous_hash = row[0] if row else GENESIS_HASH
        for vals in vals_list:
            vals["previous_hash"] = previous_hash
            vals["entry_hash"] = entry_hash(previous_hash, self._hash_content(vals))
            previous_hash = vals["entry_hash"]
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
        """Return the id of the first entry breaking the hash chain, or 0."""
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
                return 0
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

    def _verification_notification(self, title, intact_message, broken_message):
        """Return the notification of a chain check; meant to be overridden.

        ``broken_message`` is called with the id of the first broken entry.
        """
        broken_id = self._first_broken_entry_id()
        notification_type = "danger" if broken_id else "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": broken_message(broken_id) if broken_id else intact_message,
                "type": notification_type,
                "sticky": bool(broken_id),
            },
        }
