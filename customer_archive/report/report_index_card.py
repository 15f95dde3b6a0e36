from odoo import api, models


class ReportIndexCard(models.AbstractModel):
    """Values of the index card (档案索引卡), one card per customer."""

    _name = "report.customer_archive.report_index_card"
    _description = "Customer Archive Index Card"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"]
        partners._archive_check_report_access()
        docs = partners.browse(docids)
        docs.check_access("read")
        docs._archive_check_company_access()
        docs._archive_log_access("index_card")
        return {
            "doc_ids": docs.ids,
            "doc_model": "res.partner",
            "docs": docs,
            "product_lines": docs._archive_product_lines(),
            "locations": docs._archive_document_locations(),
        }
