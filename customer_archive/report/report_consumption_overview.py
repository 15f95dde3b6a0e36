from odoo import api, models
from odoo.exceptions import UserError

# QWeb builds the whole HTML document and wkhtmltopdf renders it in one
# process, so the PDF costs memory in proportion to its rows. Longer lists are
# rejected with a pointer to the xlsx export, which streams.
PDF_MAX_CUSTOMERS = 5000


class ReportConsumptionOverview(models.AbstractModel):
    """Values of the PDF consumption category overview, printed from its wizard."""

    _name = "report.customer_archive.report_consumption_overview"
    _description = "Consumption Category Overview (PDF)"

    @api.model
    def _get_report_values(self, docids, data=None):
        wizards = self.env["customer.archive.overview.wizard"].browse(docids)
        wizards.check_access("read")
        overview = self.env["customer.archive.overview"]
        reports = []
        for wizard in wizards:
            wizard._check_overview_access()
            domain = wizard._overview_domain()
            count = self.env["res.partner"].search_count(domain)
            if count > PDF_MAX_CUSTOMERS:
                raise UserError(
                    self.env._(
                        "The PDF overview lists at most %(max)s customers and "
                        "%(count)s are selected; export the spreadsheet instead, "
                        "or select fewer customers.",
                        max=PDF_MAX_CUSTOMERS,
                        count=count,
                    )
                )
            sections = []
            for folder, batches in overview._overview_sections(
                domain, log_action="overview_pdf"
            ):
                rows = [row for batch in batches for row in batch]
                if rows:
                    sections.append(
                        {
                            "folder": folder,
                            "rows": rows,
                            "total": sum(row["total"] for row in rows),
                            "purchases": sum(row["count"] for row in rows),
                        }
                    )
            reports.append(
                {
                    "wizard": wizard,
                    "sections": sections,
                    "count": sum(len(section["rows"]) for section in sections),
                    "total": sum(section["total"] for section in sections),
                    "purchases": sum(section["purchases"] for section in sections),
                }
            )
        return {
            "doc_ids": wizards.ids,
            "doc_model": "customer.archive.overview.wizard",
            "docs": wizards,
            "reports": reports,
            "currency": self.env.company.currency_id,
        }
