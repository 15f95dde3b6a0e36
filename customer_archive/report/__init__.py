from . import report_index_card
from . import report_registration_form
from . import customer_archive_overview
from . import report_consumption_overview
