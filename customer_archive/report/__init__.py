from . import report_index_card
from . import report_registration_form
