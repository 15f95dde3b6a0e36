"""Tests for the Odoo log parsing in .ci/run_tests.py.

The test start, FAIL, ERROR, skip and summary lines are copied from Odoo
19.0 runs of a stand-in module. The subtest and setUpClass lines follow the
formats in odoo/tests/result.py.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

CI_DIR = Path(__file__).resolve().parent.parent / ".ci"


@pytest.fixture(scope="module")
def run_tests():
    sys.path.insert(0, str(CI_DIR))
    try:
        spec = importlib.util.spec_from_file_location(
            "ci_run_tests", CI_DIR / "run_tests.py"
        )
        module = importlib.util.module_from_spec(spec)
        # dataclasses look the module up in sys.modules while it executes.
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(CI_DIR))
    return module


PREFIX = "2026-12-04 16:06:48,498 11054"
TEST_LOGGER = "odoo.addons.customer_archive.tests.test_entry"


def record(level, logger, message, db="ca_db"):
    return f"{PREFIX} {level} {db} {logger}: {message} \n"


def start(test):
    return record("INFO", TEST_LOGGER, f"Starting {test} ...")


def summary(failed, errors, run, level="INFO"):
    message = (
        f"{failed} failed, {errors} error(s) of {run} tests "
        "when loading database 'ca_db'"
    )
    return record(level, "odoo.tests.result", message)


def tally_of(run_tests, lines, exit_code=0):
    return run_tests.parse_odoo_log(lines).tally(exit_code)


def test_all_passing(run_tests):
    lines = [
        record("INFO", "odoo.service.server", "Starting post tests"),
        start("TestEntry.test_create_entry"),
        start("TestEntry.test_search_entry"),
        record("INFO", "odoo.service.server", "2 post-tests in 0.05s, 24 queries"),
        summary(0, 0, 2),
    ]
    tally = tally_of(run_tests, lines)
    assert tally.passed == 2
    assert tally.failed == 0
    assert tally.skipped == 0
    assert tally.notes == []


def test_failures_errors_and_skips(run_tests):
    lines = [
        start("TestEntry.test_create_entry"),
        start("TestEntry.test_raises"),
        record("INFO", TEST_LOGGER, "=" * 70),
        record("ERROR", TEST_LOGGER, "ERROR: TestEntry.test_raises"),
        "Traceback (most recent call last):\n",
        '  File "test_entry.py", line 19, in test_raises\n',
        "ValueError: boom\n",
        start("TestEntry.test_skipped"),
        record("INFO", TEST_LOGGER, "skipped TestEntry.test_skipped : not relevant"),
        start("TestEntry.test_wrong_expectation"),
        record("ERROR", TEST_LOGGER, "FAIL: TestEntry.test_wrong_expectation"),
        record(
            "ERROR",
            "odoo.modules.loading",
            "Module customer_archive: 1 failures, 1 errors of 4 tests",
        ),
        record(
            "ERROR",
            "odoo.modules.loading",
            "At least one test failed when loading the modules.",
        ),
        summary(1, 1, 4, level="ERROR"),
    ]
    tally = tally_of(run_tests, lines, exit_code=1)
    assert tally.passed == 1
    assert tally.failed == 2
    assert tally.skipped == 1


def test_stray_error_line_counts_as_failure(run_tests):
    lines = [
        start("TestEntry.test_create_entry"),
        record("ERROR", "odoo.addons.customer_archive.models.x", "simulated error"),
        summary(0, 0, 1),
    ]
    tally = tally_of(run_tests, lines)
    assert tally.passed == 1
    assert tally.failed == 1
    assert "simulated error" in tally.notes[0]


def test_critical_without_summary(run_tests):
    lines = [
        record(
            "CRITICAL",
            "odoo.service.server",
            "Failed to initialize database `ca_db`.",
        ),
        "Traceback (most recent call last):\n",
        "RuntimeError: broken on import\n",
    ]
    tally = tally_of(run_tests, lines, exit_code=255)
    assert tally.passed == 0
    assert tally.failed == 2  # the CRITICAL line and the missing summary


def test_unfinished_test_not_passed(run_tests):
    lines = [start("TestEntry.test_create_entry"), start("TestEntry.test_hangs")]
    tally = tally_of(run_tests, lines, exit_code=-15)
    assert tally.passed == 1
    assert tally.failed == 1
    assert "TestEntry.test_hangs" in tally.notes[0]


def test_no_test_ran_fails(run_tests):
    tally = tally_of(run_tests, [summary(0, 0, 0, level="WARNING")])
    assert tally.passed == 0
    assert tally.failed == 1
    assert "no Odoo test ran" in tally.notes[0]


def test_setup_class_error_counts_once(run_tests):
    setup_logger = "odoo.addons.customer_archive.tests.test_setup"
    lines = [
        start("TestEntry.test_create_entry"),
        record(
            "ERROR",
            setup_logger,
            f"ERROR: setUpClass ({setup_logger}.TestBroken)",
        ),
        summary(0, 1, 1, level="ERROR"),
    ]
    tally = tally_of(run_tests, lines, exit_code=1)
    assert tally.passed == 1
    assert tally.failed == 1
    assert "setUpClass" in tally.notes[0]


def test_failing_subtest_counts_its_test(run_tests):
    lines = [
        start("TestEntry.test_cases"),
        record("ERROR", TEST_LOGGER, "FAIL: Subtest TestEntry.test_cases (case=1)"),
        record("ERROR", TEST_LOGGER, "FAIL: Subtest TestEntry.test_cases (case=2)"),
        summary(2, 0, 1, level="ERROR"),
    ]
    tally = tally_of(run_tests, lines, exit_code=1)
    assert tally.passed == 0
    assert tally.failed == 1


def test_start_count_mismatch_fails(run_tests):
    tally = tally_of(run_tests, [start("TestEntry.test_a"), summary(0, 0, 2)])
    assert tally.failed == 1
    assert "2 tests" in tally.notes[0]


def test_nonzero_exit_without_other_failure(run_tests):
    tally = tally_of(run_tests, [start("TestEntry.test_a"), summary(0, 0, 1)], 3)
    assert tally.passed == 1
    assert tally.failed == 1
    assert "exit" in tally.notes[0]


def test_summary_line_format(run_tests, capsys):
    tallies = [
        run_tests.Tally("ruff", passed=1),
        run_tests.Tally("odoo", passed=3, failed=1, skipped=2),
    ]
    exit_code = run_tests.print_summary(tallies)
    last_line = capsys.readouterr().out.rstrip("\n").splitlines()[-1]
    assert last_line == "4 passed, 1 failed, 2 skipped"
    assert exit_code == 1
