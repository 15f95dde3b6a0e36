"""Move registered archives' contacts without a company into the archive's company.

Odoo shares contacts without a company with every company, so these contacts
showed their archive fields to the users of other companies. Registration now
sets the company; this gives the archives registered before the same company.
"""

import logging

from odoo.tools import SQL

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    cr.execute(
        SQL(
            """UPDATE res_partner AS partner
                  SET company_id = folder.company_id
                 FROM customer_archive_folder AS folder
                WHERE partner.archive_folder_id = folder.id
                  AND partner.archive_number IS NOT NULL
                  AND partner.company_id IS NULL"""
        )
    )
    _logger.info(
        "Moved %s registered archive contacts into their archive's company",
        cr.rowcount,
    )
