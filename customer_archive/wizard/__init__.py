from . import customer_archive_register_wizard
from . import customer_archive_overview_wizard
