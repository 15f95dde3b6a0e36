from odoo import http
from odoo.http import request

from odoo.addons.web.controllers.binary import Binary
from odoo.addons.web.controllers.report import ReportController


def _archive_file(model, record_id):
    """Return the archive file a binary route points to, if it is one."""
    record_id = record_id or request.httprequest.args.get("id")
    model = model or request.httprequest.args.get("model") or "ir.attachment"
    try:
        record_id = int(record_id or 0)
    except ValueError:
        return None
    return request.env["ir.binary"]._archive_attachment(model, record_id)


def _readonly_unless_archive_file(controller, rule, args):
    """Serve archive files in a read-write transaction, so the access log is kept."""
    return not _archive_file(args.get("model"), args.get("id"))


class CustomerArchiveBinary(Binary):
    """Binary routes that check and log archive files before streaming them.

    A denied file gets exactly the response of a missing one (404, or the
    placeholder image of ``/web/image``), so the response does not tell that
    the file exists.
    """

    @http.route(readonly=_readonly_unless_archive_file)
    def content_common(self, xmlid=None, model="ir.attachment", id=None, **kwargs):  # noqa: A002
        _log_archive_file_access(model, id)
        return super().content_common(xmlid=xmlid, model=model, id=id, **kwargs)

    @http.route(readonly=_readonly_unless_archive_file)
    def content_image(self, xmlid=None, model="ir.attachment", id=None, **kwargs):  # noqa: A002
        _log_archive_file_access(model, id)
        return super().content_image(xmlid=xmlid, model=model, id=id, **kwargs)


def _log_archive_file_access(model, record_id):
    """Write the access to an archive file to the access log before serving it.

    A denied entry is committed at once. ``ir.binary._find_record`` then
    raises the ``AccessError`` that Odoo turns into the response for a
    missing file, and on ``/web/content`` that response is a raised
    ``NotFound``, which rolls the request's transaction back.
    """
    attachment = _archive_file(model, record_id)
    if not attachment:
        return
    binary = request.env["ir.binary"]
    granted = binary._archive_can_read(attachment)
    binary._archive_log_download(attachment, granted=granted, keep_transaction=True)
    if not granted:
        _commit_denied_entry()
    request.update_context(archive_access_logged=True)


def _commit_denied_entry():
    """Commit the access-log entry of a denied download.

    The request then fails like a request for a missing file, which rolls
    its transaction back. The transaction has written nothing but the entry.
    """
    request.env.cr.commit()  # pylint: disable=invalid-commit


def _readonly_unless_archive_report(controller, rule, args):
    """Render the module's reports in a read-write transaction for the access log."""
    return not str(args.get("reportname", "")).startswith("customer_archive.")


class CustomerArchiveReportController(ReportController):
    """Report routes that keep the access-log entries written when printing."""

    @http.route(readonly=_readonly_unless_archive_report)
    def report_routes(self, reportname, docids=None, converter=None, **data):
        return super().report_routes(
            reportname, docids=docids, converter=converter, **data
        )


class CustomerArchiveController(http.Controller):
    @http.route(
        "/customer_archive/document/<int:document_id>/file/<int:attachment_id>",
        type="http",
        auth="user",
        methods=["GET"],
    )
    def download_document_file(self, document_id, attachment_id, download=True):
        """Stream one file of an archive document after checking and logging access.

        A denied file gets the same 404 response as a missing document or
        file, so the response does not tell that the file exists.
        """
        env = request.env
        document = env["customer.archive.document"].browse(document_id).exists()
        if not document:
            raise request.not_found()
        # sudo: only the list of file ids is read, to match the requested one.
        attachment = document.sudo().attachment_ids.filtered(
            lambda a: a.id == attachment_id
        )
        if not attachment:
            raise request.not_found()
        binary = env["ir.binary"]
        granted = binary._archive_can_read(attachment)
        binary._archive_log_download(attachment, granted=granted, keep_transaction=True)
        if not granted:
            _commit_denied_entry()
            raise request.not_found()
        stream = (
            env["ir.binary"]
            .with_context(archive_access_logged=True)
            ._get_stream_from(attachment.with_env(env))
        )
        return stream.get_response(as_attachment=bool(download))
