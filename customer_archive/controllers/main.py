from werkzeug.exceptions import NotFound

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

    A refusal returns a 404 response instead of raising, so the transaction
    keeps the access-log entry that records it.
    """

    @http.route(readonly=_readonly_unless_archive_file)
    def content_common(self, xmlid=None, model="ir.attachment", id=None, **kwargs):  # noqa: A002
        response = _check_archive_file(model, id)
        if response is not None:
            return response
        return super().content_common(xmlid=xmlid, model=model, id=id, **kwargs)

    @http.route(readonly=_readonly_unless_archive_file)
    def content_image(self, xmlid=None, model="ir.attachment", id=None, **kwargs):  # noqa: A002
        response = _check_archive_file(model, id)
        if response is not None:
            return response
        return super().content_image(xmlid=xmlid, model=model, id=id, **kwargs)


def _check_archive_file(model, record_id):
    """Log the access to an archive file and return a 404 response when denied."""
    attachment = _archive_file(model, record_id)
    if not attachment:
        return None
    binary = request.env["ir.binary"]
    granted = binary._archive_can_read(attachment)
    binary._archive_log_download(attachment, granted=granted, keep_transaction=True)
    if not granted:
        # A response, not an exception, so the refusal's log entry is kept.
        return request.make_response(
            request.env._("This archive file was not found or may not be read."),
            status=404,
        )
    request.update_context(archive_access_logged=True)
    return None


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
        """Stream one file of an archive document after checking and logging access."""
        env = request.env
        document = env["customer.archive.document"].browse(document_id).exists()
        if not document:
            raise NotFound()
        # sudo: only the list of file ids is read, to match the requested one.
        attachment = document.sudo().attachment_ids.filtered(
            lambda a: a.id == attachment_id
        )
        if not attachment:
            raise NotFound()
        binary = env["ir.binary"]
        granted = binary._archive_can_read(attachment)
        binary._archive_log_download(attachment, granted=granted, keep_transaction=True)
        if not granted:
            # A response, not an exception, so the refusal's log entry is kept.
            return request.make_response(
                env._("You are not allowed to read this archive file."), status=403
            )
        stream = (
            env["ir.binary"]
            .with_context(archive_access_logged=True)
            ._get_stream_from(attachment.with_env(env))
        )
        return stream.get_response(as_attachment=bool(download))
