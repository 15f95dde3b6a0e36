from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import retention
from ..tools.checksum import sha256_hex


class CustomerArchiveDestructionLine(models.Model):
    """Document of a destruction batch, checked during verification."""

    _name = "customer.archive.destruction.line"
    _description = "Destruction Batch Line"
    _order = "batch_id, sequence, id"

    batch_id = fields.Many2one(
        "customer.archive.destruction.batch",
        required=True,
        index=True,
        ondelete="cascade",
    )
    sequence = fields.Integer(default=10)
    document_id = fields.Many2one(
        "customer.archive.document",
        required=True,
        index=True,
        ondelete="restrict",
    )
    batch_state = fields.Selection(related="batch_id.state", string="Batch Status")
    partner_id = fields.Many2one(related="document_id.partner_id")
    archive_number = fields.Char(related="document_id.partner_id.archive_number")
    type_id = fields.Many2one(related="document_id.type_id")
    reference = fields.Char(related="document_id.reference")
    document_date = fields.Date(related="document_id.document_date")
    filing_date = fields.Date(related="document_id.filing_date")
    retention_date = fields.Date(related="document_id.retention_date")
    location = fields.Char(related="document_id.location")
    attachment_count = fields.Integer(related="document_id.attachment_count")
    is_held = fields.Boolean(related="document_id.is_held")
    state = fields.Selection(
        [
            ("pending", "To Check"),
            ("confirmed", "Confirmed"),
            ("removed", "Removed"),
        ],
        default="pending",
        required=True,
        readonly=True,
        help="Confirmed: the paper original and every file were found present "
        "and complete. Removed: the document left the batch, for the reason "
        "given.",
    )
    checked_by_id = fields.Many2one("res.users", readonly=True)
    checked_date = fields.Datetime(string="Checked On", readonly=True)
    removal_reason = fields.Text(readonly=True)

    _batch_document_uniq = models.UniqueIndex(
        "(batch_id, document_id)",
        "A document appears only once in a destruction batch.",
    )

    @api.depends("document_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = line.document_id.sudo().display_name or ""

    def action_confirm(self):
        self.batch_id._ensure_manager()
        for batch in self.batch_id:
            batch._lock_and_ensure_state("proposed")
        self.filtered(lambda line: line.state != "confirmed")._confirm()
        return True

    def action_remove(self):
        """Open the dialog asking why these documents leave the batch."""
        self.batch_id._ensure_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Remove from Batch"),
            "res_model": "customer.archive.destruction.remove.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_line_ids": self.ids},
        }

    def _confirm(self):
        """Record that each document's files are present and match their SHA-256."""
        for line in self:
            document = line.document_id.sudo()
            document._retention_check_destroyable()
            for attachment in document._destruction_attachments():
                content = attachment.raw or b""
                if attachment.file_size and not content:
                    raise UserError(
                        self.env._(
                            "The file “%(file)s” of %(document)s is missing from "
                            "storage; remove the document from the batch and say "
                            "what is missing.",
                            file=attachment.name,
                            document=document.display_name,
                        )
                    )
                recorded = attachment.archive_sha256
                if recorded and sha256_hex(content) != recorded:
                    raise UserError(
                        self.env._(
                            "The file “%(file)s” of %(document)s no longer matches "
                            "the SHA-256 recorded at filing; remove the document "
                            "from the batch and report the difference.",
                            file=attachment.name,
                            document=document.display_name,
                        )
                    )
        # sudo: archive managers only read lines, so the checks above decide.
        self.sudo().write(
            {
                "state": "confirmed",
                "checked_by_id": self.env.user.id,
                "checked_date": fields.Datetime.now(),
            }
        )

    def _remove(self, reason):
        """Take these lines out of their batch; the documents are due again."""
        reason = (reason or "").strip()
        if not reason:
            raise UserError(
                self.env._("Say why the documents are removed from the batch.")
            )
        self.batch_id._ensure_manager()
        for batch in self.batch_id:
            batch._lock_and_ensure_state("proposed")
        lines = self.filtered(lambda line: line.state != "removed")
        # sudo: archive managers only read lines, and the reason is checked above.
        lines.sudo().write(
            {
                "state": "removed",
                "removal_reason": reason,
                "checked_by_id": self.env.user.id,
                "checked_date": fields.Datetime.now(),
            }
        )
        lines._release_documents()
        for batch in lines.batch_id:
            batch.message_post(
                body=self.env._(
                    "Removed from the batch by %(manager)s: %(documents)s. "
                    "Reason: %(reason)s",
                    manager=self.env.user.name,
                    documents=", ".join(
                        lines.filtered(
                            lambda line, b=batch: line.batch_id == b
                        ).document_id.mapped("display_name")
                    ),
                    reason=reason,
                )
            )
        return True

    def _release_documents(self):
        """Return the documents to due, or to kept if no longer expired."""
        documents = self.document_id.sudo()
        today = fields.Date.context_today(self)
        expired = documents.filtered(
            lambda d: retention.is_expired(d.retention_date or None, today)
        )
        expired.write({"retention_state": "due", "destruction_batch_id": False})
        (documents - expired).write(
            {
                "retention_state": "active",
                "destruction_batch_id": False,
                "retention_warned": False,
            }
        )
