from . import customer_archive_register_wizard
from . import customer_archive_bulk_filing_line
from . import customer_archive_bulk_filing_wizard
