from odoo import fields, models

from ..tools.checksum import sha256_hex


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    archive_sha256 = fields.Char(
        string="SHA-256",
        readonly=True,
        copy=False,
        help="SHA-256 of the file, recorded when it is filed in a customer archive.",
    )

    def _archive_record_sha256(self):
        """Store the SHA-256 of each attachment's current content."""
        for attachment in self:
            attachment.archive_sha256 = sha256_hex(attachment.raw)
