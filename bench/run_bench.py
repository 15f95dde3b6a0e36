"""Run the customer_archive benchmark; see bench/cli.py for the options.

Run it with the interpreter that imports Odoo 19, e.g. ``make bench SIZE=small``.
"""

import sys
from pathlib import Path

# Run as a script, Python puts bench/ first on sys.path; the package needs the
# repository root instead.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
