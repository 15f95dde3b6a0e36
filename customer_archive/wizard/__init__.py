from . import customer_archive_register_wizard
