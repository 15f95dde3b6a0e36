from . import customer_archive_register_wizard
from . import customer_archive_consultation_reject_wizard
from . import customer_archive_bulk_filing_line
from . import customer_archive_bulk_filing_wizard
from . import customer_archive_importer
from . import customer_archive_import_wizard
from . import customer_archive_import_result
from . import customer_archive_import_rejection
