from odoo import api, models
from odoo.exceptions import AccessError


class ResPartner(models.Model):
    """Access checks and values shared by the archive reports and exports."""

    _inherit = "res.partner"

    # The consumption overview reads archives folder by folder, in number order.
    _archive_folder_number_idx = models.Index(
        "(archive_folder_id, archive_number, id) WHERE archive_number IS NOT NULL"
    )

    @api.model
    def _archive_check_report_access(self, all_customers=False):
        """Raise ``AccessError`` unless the user may print or export archives.

        Archive users print and export the customers they select; the lists of
        all customers are for archive managers. Superuser environments pass.
        """
        if self.env.su:
            return
        user = self.env.user
        if not user.has_group("customer_archive.group_archive_user"):
            raise AccessError(
                self.env._(
                    "%(user)s is not an archive user, so customer archives cannot "
                    "be shown, printed or exported; ask an archive manager for the "
                    "Archive User group.",
                    user=user.name,
                )
            )
        if all_customers and not user.has_group(
            "customer_archive.group_archive_manager"
        ):
            raise AccessError(
                self.env._(
                    "Only archive managers may list all customers, and %(user)s is "
                    "not one; select the customers in the contact list and export "
                    "those instead.",
                    user=user.name,
                )
            )

    def _archive_check_company_access(self):
        """Raise ``AccessError`` if an archive belongs to another company.

        Contacts without a company are visible in every company, but their
        archives are printed, exported, closed, held and erased only in the
        company that keeps them, among the companies the user works in.
        Superuser environments pass.
        """
        if self.env.su:
            return
        # sudo: reads the archive's company, which users without the archive
        # groups may not read, only to compare it and name it.
        foreign = self.sudo().filtered(
            lambda partner: (
                partner.archive_company_id
                and partner.archive_company_id not in self.env.companies
            )
        )
        if foreign:
            raise AccessError(
                self.env._(
                    "The archive of “%(customer)s” belongs to %(company)s, which "
                    "is not among your selected companies; select %(company)s "
                    "in the company switcher and try again.",
                    customer=foreign[0].display_name,
                    company=foreign[0].archive_company_id.name,
                )
            )

    def _archive_foreign_company(self, company):
        """Return the archive's company when it is not ``company``, else no company.

        The caller's error names the customer, so the user's read access to it
        is checked first. Constraints run in sudo mode, hence ``sudo(False)``.
        """
        self.ensure_one()
        archive_company = self.archive_company_id
        if not archive_company or archive_company == company:
            return self.env["res.company"]
        self.sudo(False).check_access("read")
        return archive_company

    def _archive_log_access(self, action):
        """Write one access-log entry per customer for a screen, report or export.

        ``action`` names it: ``serve`` is logged as a view, ``index_card`` and
        ``registration_form`` as prints, ``overview_xlsx`` and ``overview_pdf``
        as exports.
        """
        kinds = {
            "serve": "view",
            "index_card": "print",
            "registration_form": "print",
            "overview_xlsx": "export",
            "overview_pdf": "export",
        }
        self.env["customer.archive.access.log"]._log(
            kinds.get(action, "view"),
            partners=self._archive_registered(),
            details=action,
        )
        return True

    def _archive_registered(self):
        """Return the customers with an archive number, reading only that field.

        ``filtered`` without this read would load every column of the
        customers into the cache, where an overview of 100,000 customers
        kept them until its end.
        """
        self.fetch(["archive_number"])
        return self.filtered("archive_number")

    def _archive_product_lines(self):
        """Return ``{partner id: folders of the partner's purchases}``."""
        groups = self.env["customer.archive.purchase"]._read_group(
            [("partner_id", "in", self.ids), ("folder_id", "!=", False)],
            ["partner_id", "folder_id"],
        )
        lines = {partner.id: self.env["customer.archive.folder"] for partner in self}
        for partner, folder in groups:
            lines[partner.id] |= folder
        return {
            partner_id: folders.sorted(lambda f: (f.sequence, f.name))
            for partner_id, folders in lines.items()
        }

    def _archive_document_locations(self):
        """Return ``{partner id: sorted places of the paper documents}``.

        Only documents the user may read count, so a confidential document does
        not reveal where it is kept.
        """
        groups = self.env["customer.archive.document"]._read_group(
            [("partner_id", "in", self.ids), ("location", "!=", False)],
            ["partner_id", "location"],
        )
        locations = {partner.id: [] for partner in self}
        for partner, location in groups:
            locations[partner.id].append(location)
        return {key: sorted(values) for key, values in locations.items()}
