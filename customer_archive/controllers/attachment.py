from odoo import http
from odoo.http import request

from odoo.addons.mail.controllers.attachment import AttachmentController

from .main import _archive_file, _commit_denied_entry


def _readonly_unless_archive_attachment(controller, rule, args):
    """Serve archive files in a read-write transaction, so the access log is kept."""
    return not _archive_file("ir.attachment", args.get("attachment_id"))


class CustomerArchiveAttachmentController(AttachmentController):
    @http.route(readonly=_readonly_unless_archive_attachment)
    def mail_attachment_pdf_first_page(self, attachment_id, access_token=None):
        """Check and log the first page of an archive file as a download.

        The chatter's PDF preview reads this route, which hands out the page
        to any user with read access or an ownership token, and logs nothing.
        For an archive file, the download check applies and no token counts.
        The access is written to the access log, and a denied request gets
        the response of a missing file.
        """
        attachment = _archive_file("ir.attachment", attachment_id)
        if attachment:
            binary = request.env["ir.binary"]
            granted = binary._archive_can_read(attachment)
            binary._archive_log_download(
                attachment, granted=granted, keep_transaction=True
            )
            if not granted:
                _commit_denied_entry()
                raise request.not_found()
        return super().mail_attachment_pdf_first_page(
            attachment_id, access_token=access_token
        )

    @http.route()
    def mail_attachement_update_thumbnail(
        self, attachment_id, thumbnail=None, access_token=None
    ):
        """Skip storing the PDF thumbnail of an archive file the user may only read.

        The web client (mail's attachment model in Odoo 19) posts a thumbnail
        when it shows a PDF that has none. Odoo's route returns 404 (Not
        Found) to a user without write access to the file, such as a user
        who reads a confidential document through a consultation request.

        The thumbnail is not stored in that case, rather than stored in sudo
        mode: a reader would otherwise change a filed file they may not
        write, and the image they send would become the file's preview for
        every other user. The file's content is not touched either way, and
        the web client generates the thumbnail again the next time.
        """
        attachment = request.env["ir.attachment"].browse(int(attachment_id)).exists()
        if (
            attachment
            and attachment._archive_bound()
            and not attachment.has_access("write")
        ):
            # An access token does not open archive files, so a user who may
            # not read the file gets the response of a missing one.
            if not attachment.has_access("read"):
                raise request.not_found()
            return None
        return super().mail_attachement_update_thumbnail(
            attachment_id, thumbnail=thumbnail, access_token=access_token
        )
