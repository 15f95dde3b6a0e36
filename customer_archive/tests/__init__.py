from . import test_access_log
from . import test_classification
from . import test_consultation
from . import test_consultation_access
from . import test_documents
from . import test_download
from . import test_register
from . import test_security
