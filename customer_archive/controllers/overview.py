import tempfile

from werkzeug.exceptions import NotFound
from werkzeug.wsgi import wrap_file

from odoo import http
from odoo.http import content_disposition, request

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CustomerArchiveOverviewController(http.Controller):
    @http.route(
        "/customer_archive/overview/<int:wizard_id>/xlsx",
        type="http",
        auth="user",
        methods=["GET"],
    )
    def overview_xlsx(self, wizard_id):
        """Stream the xlsx overview prepared in an export dialog of this user.

        The file is built in an anonymous temporary file and sent from disk, so
        the response does not hold the spreadsheet in memory.
        """
        wizard = request.env["customer.archive.overview.wizard"].browse(wizard_id)
        if not wizard.exists():
            raise NotFound()
        # Export dialogs are private to their creator; AccessError gives 403.
        wizard.check_access("read")
        output = tempfile.TemporaryFile()
        try:
            filename = wizard._overview_write_xlsx(output)
            size = output.tell()
            output.seek(0)
        except Exception:
            output.close()
            raise
        response = request.make_response(
            wrap_file(request.httprequest.environ, output),
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Length", str(size)),
                ("Content-Disposition", content_disposition(filename)),
                ("Cache-Control", "no-store"),
            ],
        )
        response.direct_passthrough = True
        return response
