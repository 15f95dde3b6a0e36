"""Make ``customer_archive.tools`` importable without Odoo.

``customer_archive/__init__.py`` imports the Odoo models, so a plain
``import customer_archive.tools.x`` would need Odoo and a registry. This file
registers a bare package object for ``customer_archive`` whose ``__path__`` is
the module folder: Python then finds the subpackages there without running
``customer_archive/__init__.py``. ``customer_archive/tools/`` must not import
odoo (test_static.py checks that).

CUSTOMER_ARCHIVE_DIR selects another module folder; the default is the one in
this repository.
"""

import ast
import importlib.machinery
import os
import sys
import types
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
MODULE_NAME = "customer_archive"
MODULE_DIR = Path(
    os.environ.get("CUSTOMER_ARCHIVE_DIR") or REPO_ROOT / MODULE_NAME
).resolve()

if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def _register_module_package():
    """Put a package for customer_archive in sys.modules without importing it."""
    if MODULE_NAME in sys.modules or not MODULE_DIR.is_dir():
        return
    spec = importlib.machinery.ModuleSpec(MODULE_NAME, loader=None, is_package=True)
    spec.submodule_search_locations = [str(MODULE_DIR)]
    package = types.ModuleType(MODULE_NAME)
    package.__spec__ = spec
    package.__path__ = [str(MODULE_DIR)]
    package.__package__ = MODULE_NAME
    sys.modules[MODULE_NAME] = package


_register_module_package()


@pytest.fixture(scope="session")
def module_dir():
    """Folder of the customer_archive module; skips the test if it is absent."""
    if not (MODULE_DIR / "__manifest__.py").is_file():
        pytest.skip(f"{MODULE_DIR}/__manifest__.py does not exist yet")
    return MODULE_DIR


@pytest.fixture(scope="session")
def manifest(module_dir):
    """The module's __manifest__.py as a dict."""
    source = (module_dir / "__manifest__.py").read_text(encoding="utf-8")
    return ast.literal_eval(source)
