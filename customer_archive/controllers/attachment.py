from odoo import http
from odoo.http import request

from odoo.addons.mail.controllers.attachment import AttachmentController


class CustomerArchiveAttachmentController(AttachmentController):
    @http.route()
    def mail_attachement_update_thumbnail(
        self, attachment_id, thumbnail=None, access_token=None
    ):
        """Skip storing the PDF thumbnail of an archive file the user may only read.

        The web client (mail's attachment model in Odoo 19) posts a thumbnail
        when it shows a PDF that has none, and Odoo's route returns 404 (Not
        Found) to a user without write access to the file, such as a user
        reading a confidential document through a consultation request.

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
