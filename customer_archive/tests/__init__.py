from . import test_classification
from . import test_documents
from . import test_register
from . import test_security
from . import test_journal
from . import test_serve_view
from . import test_reports
from . import test_overview_xlsx
