import logging

from odoo import models
from odoo.exceptions import AccessError
from odoo.http import request

_logger = logging.getLogger(__name__)


class IrBinary(models.AbstractModel):
    _inherit = "ir.binary"

    def _find_record(
        self,
        xmlid=None,
        res_model="ir.attachment",
        res_id=None,
        access_token=None,
        field=None,
    ):
        """Check and log every read of an archive file by the binary routes.

        Archive files are never served on an access token or as public files:
        the current user must be allowed to read the document, and each
        download, granted or denied, is written to the access log.
        """
        try:
            record = super()._find_record(
                xmlid=xmlid,
                res_model=res_model,
                res_id=res_id,
                access_token=access_token,
                field=field,
            )
        except AccessError:
            attachment = self._archive_attachment(res_model, res_id)
            if attachment:
                self._archive_log_download(attachment, granted=False)
            raise
        attachment = self._archive_attachment(record._name, record.id)
        if not attachment:
            return record
        attachment = attachment.with_env(self.env)
        if not self._archive_can_read(attachment):
            self._archive_log_download(attachment, granted=False)
            raise AccessError(
                self.env._(
                    "You are not allowed to read the customer archive file "
                    "%(file_id)s; request a consultation first.",
                    # The id, not the name: a file's name often contains the
                    # archive number and the document type.
                    file_id=attachment.id,
                )
            )
        self._archive_log_download(attachment, granted=True)
        return attachment

    def _archive_attachment(self, res_model, res_id):
        """Return the attachment if it is a file of an archive document."""
        if res_model != "ir.attachment" or not res_id:
            return None
        # sudo: only the owner fields are read, to decide which check applies.
        attachment = self.env["ir.attachment"].sudo().browse(res_id).exists()
        if attachment.res_model != "customer.archive.document" or not attachment.res_id:
            return None
        return attachment

    def _archive_can_read(self, attachment):
        """Return whether the current user may read this archive file.

        The same check as the document's form: record rules, consultation
        period and company; an access token or public flag does not count.
        """
        document = self.env["customer.archive.document"].browse(attachment.res_id)
        try:
            attachment.with_env(self.env).check_access("read")
            document.check_access("read")
        except AccessError:
            return False
        return True

    def _archive_log_download(self, attachment, granted, keep_transaction=False):
        """Write the download to the access log.

        A refusal that the caller turns into an exception rolls the request's
        transaction back, so it is logged through a separate cursor unless
        ``keep_transaction`` is set because the caller returns a response
        without raising.
        """
        if self.env.context.get("archive_access_logged"):
            return
        if not granted and self.env.user._is_public():
            # An anonymous refusal names no user, and writing it would let
            # anyone grow the append-only log and hold its chain head's lock.
            _logger.info(
                "Anonymous download of archive file %s denied (address %s)",
                attachment.id,
                request.httprequest.remote_addr if request else None,
            )
            return
        # sudo: the log names the document even when the user may not read it.
        document = (
            self.env["customer.archive.document"].sudo().browse(attachment.res_id)
        )
        log = self.env["customer.archive.access.log"]
        # sudo: the file's name goes into the log entry, not to the user.
        details = attachment.sudo().name
        if (granted or keep_transaction) and not self.env.cr.readonly:
            log._log(
                "download",
                documents=document,
                details=details,
                result="granted" if granted else "denied",
            )
        else:
            log._log_separately(
                "download",
                document=document,
                details=details,
                result="granted" if granted else "denied",
            )
