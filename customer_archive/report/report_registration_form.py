from odoo import api, models


class ReportRegistrationForm(models.AbstractModel):
    """Values of the registration form (档案登记表) with the filed documents."""

    _name = "report.customer_archive.report_registration_form"
    _description = "Customer Archive Registration Form"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"]
        partners._archive_check_report_access()
        docs = partners.browse(docids)
        docs.check_access("read")
        docs._archive_check_company_access()
        docs._archive_log_access("registration_form")
        # Record rules leave out the documents this user may not read.
        documents = self.env["customer.archive.document"].search(
            [("partner_id", "in", docs.ids)], order="filing_date, id"
        )
        by_partner = {partner.id: documents.browse() for partner in docs}
        for document in documents:
            by_partner[document.partner_id.id] |= document
        return {
            "doc_ids": docs.ids,
            "doc_model": "res.partner",
            "docs": docs,
            "documents": by_partner,
        }
