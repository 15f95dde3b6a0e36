"""Run the benchmark at a tiny size and check that every measurement reports.

The run creates and drops its own database, so the test needs Odoo 19
importable by this interpreter (``make test`` runs pytest with Odoo's) and a
PostgreSQL server that accepts the current user. It checks completeness only,
because timings at this size mean nothing, so no time is asserted.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
RUN_BENCH = REPO_ROOT / "bench" / "run_bench.py"
TINY_SIZE = "200"
TIMEOUT_SECONDS = 600


def _postgres_reachable():
    try:
        import psycopg2  # noqa: PLC0415
    except ImportError:
        return False
    try:
        psycopg2.connect(dbname="postgres", connect_timeout=5).close()
    except psycopg2.OperationalError:
        return False
    return True


pytestmark = [
    pytest.mark.skipif(
        importlib.util.find_spec("odoo") is None,
        reason="Odoo is not importable by this interpreter",
    ),
    pytest.mark.skipif(
        not _postgres_reachable(), reason="PostgreSQL does not accept connections"
    ),
]


def _bench_command(*args):
    """Return the run_bench.py command for the module that the suite tests.

    ``make test`` sets ODOO_ADDONS_PATH to Odoo's addons folders and
    CUSTOMER_ARCHIVE_DIR to the module, which may be a copy outside the
    repository.
    """
    command = [sys.executable, str(RUN_BENCH), *args]
    addons = os.environ.get("ODOO_ADDONS_PATH")
    if addons:
        module_dir = os.environ.get("CUSTOMER_ARCHIVE_DIR")
        module_parent = Path(module_dir).resolve().parent if module_dir else REPO_ROOT
        command.append(f"--addons-path={addons},{module_parent}")
    return command


def test_bench_tiny_run_reports_every_measurement():
    listed = subprocess.run(
        _bench_command("--list"),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    names = [line.split("\t")[0] for line in listed.stdout.splitlines() if line]
    assert names, "run_bench.py --list printed no measurement"

    database = f"ca_bench_pytest_{os.getpid()}"
    completed = subprocess.run(
        _bench_command(f"--size={TINY_SIZE}", "--repeat=1", f"--db={database}"),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
        cwd=REPO_ROOT,
    )
    output = completed.stdout
    assert completed.returncode == 0, output[-4000:] + completed.stderr[-4000:]
    for name in names:
        block = output.split(f"== {name}:", 1)
        assert len(block) == 2, f"no report block for {name}"
        body = block[1].split("\n== ", 1)[0]
        assert "median" in body or "skipped:" in body, f"{name}: {body}"
        assert "ERROR" not in body, f"{name}: {body}"
    assert "== summary" in output
