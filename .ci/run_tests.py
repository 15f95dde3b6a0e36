"""Run the static checks, the root pytest suite and the module's Odoo tests.

Actions:
    format  apply ruff's fixes and formatting
    lint    run ruff, pylint-odoo and the other pre-commit hooks
    test    lint, run pytest on tests/, then install the module with its
            tests in a throwaway database, which is dropped afterwards

``lint`` and ``test`` end with one line ``N passed, N failed, N skipped``
that sums every source (ruff, pylint-odoo and the pre-commit hooks count as
one test each) and
exit with 1 when anything failed or nothing passed.

An Odoo run fails when a test fails, when Odoo logs an ERROR or CRITICAL line
that is not part of a test report, when no Odoo test ran, or when Odoo exits
non-zero.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import setup_env

REPO_ROOT = setup_env.REPO_ROOT

# Odoo's log format when stderr is not a terminal (odoo/netsvc.py):
# "%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s: %(message)s %(perf_info)s"
LOG_RECORD = re.compile(
    r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} \d+ "
    r"(?P<level>[A-Z_]+) (?P<db>\S+) (?P<logger>[^\s:]+): (?P<message>.*)$"
)
# Logged by OdooTestResult (odoo/tests/result.py) under the test module's
# logger: startTest, addSkip and logError.
TEST_START = re.compile(r"^Starting (?P<test>[\w.]+) \.\.\.\s*$")
TEST_SKIP = re.compile(r"^skipped (?P<test>.+?) : ")
TEST_PROBLEM = re.compile(r"^(?P<kind>FAIL|ERROR): (?P<test>.+?)\s*$")
SUBTEST = re.compile(r"^Subtest (?P<test>\S+) ")
# ThreadedServer.run (odoo/service/server.py) logs str(OdooTestResult) when
# --stop-after-init is set:
# "1 failed, 1 error(s) of 5 tests when loading database 'db'"
RUN_SUMMARY = re.compile(
    r"^(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests "
    r"when loading database"
)
# Repeats of failures that the test report lines already count
# (odoo/modules/loading.py).
LOADING_REPORTS = (
    re.compile(r"^Module \S+: \d+ failures, \d+ errors of \d+ tests"),
    re.compile(r"^At least one test failed when loading the modules\."),
)
MODULE_LOADED = re.compile(r"^Module (?P<module>\S+) loaded in ")
# INFO lines worth echoing while Odoo runs, next to every WARNING and above.
ECHOED_LEVELS = {"WARNING", "ERROR", "CRITICAL"}
ECHOED_INFO = re.compile(
    r"post-tests in|Starting post tests|\d+ modules loaded in|when loading database"
)
FAILING_LEVELS = {"ERROR", "CRITICAL"}


@dataclass
class Tally:
    """Test counts of one source, with a note for each failure."""

    name: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def fail(self, note: str) -> None:
        self.failed += 1
        self.notes.append(note)


# --------------------------------------------------------------------------
# Odoo log parsing


def _is_test_logger(logger: str) -> bool:
    return logger.startswith("odoo.addons.") and ".tests." in logger


def _is_test_report(logger: str, message: str) -> bool:
    """Tell whether an ERROR/CRITICAL record only repeats a counted test failure."""
    if _is_test_logger(logger) and TEST_PROBLEM.match(message):
        return True
    if logger == "odoo.tests.result" and RUN_SUMMARY.match(message):
        return True
    if logger == "odoo.modules.loading":
        return any(pattern.match(message) for pattern in LOADING_REPORTS)
    return False


@dataclass
class OdooLogReport:
    """Outcome of an Odoo test run, read from its log."""

    started: list[tuple[str, str]] = field(default_factory=list)
    skipped: set[tuple[str, str]] = field(default_factory=set)
    failed: set[tuple[str, str]] = field(default_factory=set)
    # FAIL/ERROR reports for something that never started, such as an
    # exception in setUpClass.
    unattached_problems: list[str] = field(default_factory=list)
    unexpected_errors: list[str] = field(default_factory=list)
    summary: dict[str, int] | None = None
    loaded_modules: list[str] = field(default_factory=list)

    def tally(self, exit_code: int | None) -> Tally:
        result = Tally("odoo")
        # Without the closing summary the run stopped early, and the last
        # test that started may be the one that never finished.
        unfinished = None
        if self.summary is None and self.started:
            last = self.started[-1]
            if last not in self.failed and last not in self.skipped:
                unfinished = last
        for index, key in enumerate(self.started):
            if key in self.skipped:
                result.skipped += 1
            elif key not in self.failed and not (
                key == unfinished and index == len(self.started) - 1
            ):
                result.passed += 1
        for module_logger, test in sorted(self.failed):
            result.fail(f"{test} ({module_logger})")
        for problem in self.unattached_problems:
            result.fail(problem)
        for line in self.unexpected_errors:
            result.fail(f"Odoo logged: {line}")

        if unfinished is not None:
            result.fail(
                f"{unfinished[1]} ({unfinished[0]}) started but did not finish, "
                "and Odoo's test summary line is missing"
            )
        elif self.summary is None:
            result.fail("Odoo's test summary line is missing: the run stopped early")
        else:
            if self.summary["run"] == 0:
                result.fail(
                    "no Odoo test ran: check that tests/__init__.py imports the test "
                    "files and that the test classes keep the 'standard' tag"
                )
            if self.summary["run"] != len(self.started):
                result.fail(
                    f"Odoo reported {self.summary['run']} tests but the log shows "
                    f"{len(self.started)} test starts"
                )
            summary_problems = self.summary["failed"] + self.summary["errors"]
            if summary_problems and not (self.failed or self.unattached_problems):
                result.fail(
                    f"Odoo reported {summary_problems} failures or errors that the log "
                    "does not attribute to a test"
                )
        if exit_code not in (0, None) and result.failed == 0:
            result.fail(f"Odoo exited with code {exit_code}")
        return result


def parse_odoo_log(lines: Iterable[str]) -> OdooLogReport:
    """Read test starts, skips, failures and stray errors from an Odoo log."""
    report = OdooLogReport()
    for raw_line in lines:
        match = LOG_RECORD.match(raw_line.rstrip("\n"))
        if not match:
            continue  # a traceback or other continuation line
        level, logger = match["level"], match["logger"]
        message = match["message"].rstrip()

        if _is_test_logger(logger):
            if level == "INFO" and (start := TEST_START.match(message)):
                report.started.append((logger, start["test"]))
                continue
            if level == "INFO" and (skip := TEST_SKIP.match(message)):
                report.skipped.add((logger, skip["test"]))
                continue
            if level in FAILING_LEVELS and (problem := TEST_PROBLEM.match(message)):
                test = problem["test"]
                if subtest := SUBTEST.match(test):
                    test = subtest["test"]
                key = (logger, test)
                if key in report.started:
                    report.failed.add(key)
                else:
                    report.unattached_problems.append(
                        f"{problem['kind']}: {test} ({logger})"
                    )
                continue

        if logger == "odoo.modules.loading" and (
            loaded := MODULE_LOADED.match(message)
        ):
            report.loaded_modules.append(loaded["module"])
        if logger == "odoo.tests.result" and (summary := RUN_SUMMARY.match(message)):
            report.summary = {
                key: int(value) for key, value in summary.groupdict().items()
            }
        if level in FAILING_LEVELS and not _is_test_report(logger, message):
            report.unexpected_errors.append(f"{level} {logger}: {message}")
    return report


# --------------------------------------------------------------------------
# Static checks and pytest


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def _ruff_paths(module_dir: Path) -> list[str]:
    """Return ruff's path arguments: the repository and the module folder.

    A module outside the repository replaces the repository's own copy.
    """
    paths = [str(REPO_ROOT)]
    if module_dir != REPO_ROOT / module_dir.name:
        paths += ["--extend-exclude", str(REPO_ROOT / module_dir.name)]
        if module_dir.is_dir():
            paths.append(str(module_dir))
    return paths


def format_code(odoo: setup_env.OdooInstall, module_dir: Path) -> int:
    """Apply ``ruff check --fix`` and ``ruff format`` and return the exit code."""
    config = ["--config", str(REPO_ROOT / "pyproject.toml")]
    paths = _ruff_paths(module_dir)
    fixed = setup_env.run_python(
        odoo, "-m", "ruff", "check", "--fix", *config, *paths, cwd=REPO_ROOT
    )
    formatted = setup_env.run_python(
        odoo, "-m", "ruff", "format", *config, *paths, cwd=REPO_ROOT
    )
    return fixed.returncode or formatted.returncode


def run_ruff(odoo: setup_env.OdooInstall, module_dir: Path) -> Tally:
    """Run ``ruff check`` and ``ruff format --check`` as one test."""
    result = Tally("ruff")
    paths = _ruff_paths(module_dir)
    config = ["--config", str(REPO_ROOT / "pyproject.toml")]
    print(f"== ruff: {' '.join(paths)}", flush=True)
    check = setup_env.run_python(
        odoo, "-m", "ruff", "check", *config, *paths, cwd=REPO_ROOT
    )
    formatting = setup_env.run_python(
        odoo, "-m", "ruff", "format", "--check", *config, *paths, cwd=REPO_ROOT
    )
    if check.returncode != 0:
        result.fail("ruff check reported problems (run `make format` to fix some)")
    if formatting.returncode != 0 and result.failed == 0:
        result.fail("ruff format --check: files need formatting (run `make format`)")
    if result.failed == 0:
        result.passed = 1
    return result


def run_pylint(odoo: setup_env.OdooInstall, module_dir: Path) -> Tally:
    """Run pylint with the pylint-odoo plugin and .pylintrc as one test."""
    result = Tally("pylint-odoo")
    if not module_dir.is_dir():
        print(f"== pylint-odoo: skipped, {module_dir} does not exist", flush=True)
        result.skipped = 1
        result.notes.append(f"{module_dir} does not exist")
        return result
    print(f"== pylint-odoo: {_relative(module_dir)}", flush=True)
    completed = setup_env.run_python(
        odoo,
        "-m",
        "pylint",
        f"--rcfile={REPO_ROOT / '.pylintrc'}",
        str(module_dir),
        cwd=module_dir.parent,
    )
    if completed.returncode != 0:
        result.fail(f"pylint exited with code {completed.returncode}")
    else:
        result.passed = 1
    return result


# Hooks of .pre-commit-config.yaml that run_ruff and run_pylint already cover
# with the same release and settings, on MODULE_DIR rather than on the files
# that git tracks.
PRE_COMMIT_SKIPPED_HOOKS = ("ruff", "ruff-format", "pylint_odoo")


def run_pre_commit(odoo: setup_env.OdooInstall) -> Tally:
    """Run the hooks of .pre-commit-config.yaml on every tracked file as one test.

    The OCA module and .po checks and the pre-commit-hooks checks run here.
    pre-commit installs each hook from the package index into its own cache
    (``~/.cache/pre-commit``) on the first run.
    """
    result = Tally("pre-commit hooks")
    if not (REPO_ROOT / ".git").exists():
        print("== pre-commit: skipped, not a git checkout", flush=True)
        result.skipped = 1
        result.notes.append("pre-commit needs a git checkout")
        return result
    print("== pre-commit run --all-files", flush=True)
    completed = setup_env.run_python(
        odoo,
        "-m",
        "pre_commit",
        "run",
        "--all-files",
        "--show-diff-on-failure",
        "--color=never",
        cwd=REPO_ROOT,
        env={**os.environ, "SKIP": ",".join(PRE_COMMIT_SKIPPED_HOOKS)},
    )
    if completed.returncode != 0:
        result.fail(
            f"pre-commit exited with code {completed.returncode}; the hooks "
            "above name the files (fixers have already changed them)"
        )
    else:
        result.passed = 1
    return result


def run_pytest(odoo: setup_env.OdooInstall, module_dir: Path, work_dir: Path) -> Tally:
    """Run the root tests/ suite and read its counts from the JUnit XML."""
    result = Tally("pytest")
    junit_file = work_dir / "pytest-junit.xml"
    environment = dict(
        os.environ,
        CUSTOMER_ARCHIVE_DIR=str(module_dir),
        ODOO_ADDONS_PATH=",".join(odoo.addons_paths),
    )
    print("== pytest: tests/", flush=True)
    completed = setup_env.run_python(
        odoo,
        "-m",
        "pytest",
        "tests",
        f"--junitxml={junit_file}",
        cwd=REPO_ROOT,
        env=environment,
    )
    if not junit_file.is_file():
        result.fail(
            f"pytest exited with code {completed.returncode} and wrote no report"
        )
        return result

    tests = failures = errors = skipped = 0
    root = ElementTree.parse(junit_file).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failures += int(suite.get("failures", 0))
        errors += int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    result.passed = tests - failures - errors - skipped
    result.skipped = skipped
    if failures or errors:
        result.failed = failures + errors
        result.notes.append(
            f"{failures} failed, {errors} errors (see pytest output above)"
        )
    # Exit code 5 only means that no test was collected; 2 to 4 are
    # interruptions and usage errors that the XML may not show.
    if completed.returncode not in (0, 1, 5) and result.failed == 0:
        result.fail(f"pytest exited with code {completed.returncode}")
    return result


# --------------------------------------------------------------------------
# Odoo tests


def _free_local_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _enterprise_modules(modules: list[str], addons_paths: list[str]) -> list[str]:
    """Return the modules whose manifest license is not LGPL-3.

    Odoo Community addons are LGPL-3, which is also the default for a
    manifest without a license. Enterprise addons are OEEL-1 or OPL-1.
    """
    found = []
    for module in modules:
        for addons_dir in addons_paths:
            manifest_path = Path(addons_dir, module, "__manifest__.py")
            if not manifest_path.is_file():
                continue
            try:
                manifest = ast.literal_eval(manifest_path.read_text(encoding="utf-8"))
            except (ValueError, SyntaxError, UnicodeDecodeError):
                break
            if manifest.get("license", "LGPL-3") != "LGPL-3":
                found.append(module)
            break
    return found


def _echo_log_line(line: str, echoing: bool) -> bool:
    """Print a log line if it matters on the console and return the echo state.

    WARNING and higher records are printed with their continuation lines
    (tracebacks). Lower records are printed only when they mark progress.
    """
    match = LOG_RECORD.match(line)
    if match is None:
        if echoing:
            print(line, flush=True)
        return echoing
    if match["level"] in ECHOED_LEVELS:
        print(line, flush=True)
        return True
    if ECHOED_INFO.search(match["message"]):
        print(line, flush=True)
    return False


class _Watchdog:
    """Stop a process group after a timeout: SIGTERM, then SIGKILL 30 s later."""

    def __init__(self, process: subprocess.Popen, timeout_seconds: float) -> None:
        self.process = process
        self.fired = False
        self._timer = threading.Timer(timeout_seconds, self._stop)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()

    def _stop(self) -> None:
        self.fired = True
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)

    def _signal(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass


def run_odoo_tests(
    odoo: setup_env.OdooInstall,
    module_dir: Path,
    database: str,
    log_file: Path,
    timeout_seconds: float,
) -> Tally:
    """Install the module in a new database with --test-tags and read the log."""
    module = module_dir.name
    if not (module_dir / "__manifest__.py").is_file():
        result = Tally("odoo")
        result.fail(
            f"module {module} not found: {module_dir}/__manifest__.py does not exist. "
            "Add the module, or set MODULE_DIR to its folder"
        )
        return result

    setup_env.check_database_name(database)
    addons_path = ",".join([*odoo.addons_paths, str(module_dir.parent)])
    exit_code: int | None = None
    with tempfile.TemporaryDirectory(prefix="odoo-data-") as data_dir:
        command = [
            *odoo.command,
            f"--database={database}",
            f"--addons-path={addons_path}",
            f"--init={module}",
            f"--test-tags=/{module}",
            "--stop-after-init",
            "--without-demo=True",
            "--http-interface=127.0.0.1",
            f"--http-port={_free_local_port()}",
            "--workers=0",
            "--max-cron-threads=0",
            f"--data-dir={data_dir}",
            "--log-level=info",
        ]
        print(f"== odoo: {' '.join(command)}", flush=True)
        print(f"   full log: {log_file}", flush=True)
        log_file.parent.mkdir(parents=True, exist_ok=True)
        started_at = time.monotonic()
        # Odoo gets its own process group so that a timeout or an interrupt
        # stops it with all its threads and children.
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        try:
            with _Watchdog(process, timeout_seconds) as watchdog:
                with log_file.open("w", encoding="utf-8") as log_handle:
                    echoing = False
                    assert process.stdout is not None
                    for line in process.stdout:
                        log_handle.write(line)
                        echoing = _echo_log_line(line.rstrip("\n"), echoing)
                exit_code = process.wait()
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    with log_file.open(encoding="utf-8", errors="replace") as log_handle:
        report = parse_odoo_log(log_handle)
    result = report.tally(exit_code)
    enterprise = _enterprise_modules(report.loaded_modules, odoo.addons_paths)
    if enterprise:
        # NOTE: Odoo always scans odoo/addons, so when Enterprise addons sit
        # there the tests run with those that auto-install next to our
        # dependencies. The module itself must not depend on them
        # (tests/test_static.py checks that).
        print(
            f"   note: Odoo also auto-installed {len(enterprise)} Enterprise "
            f"modules: {', '.join(enterprise)}",
            flush=True,
        )
    if watchdog.fired:
        result.fail(f"Odoo tests timed out after {timeout_seconds:.0f} s")
    elapsed = time.monotonic() - started_at
    print(f"   Odoo finished in {elapsed:.0f} s with exit code {exit_code}", flush=True)
    return result


# --------------------------------------------------------------------------
# Summary


def print_summary(tallies: list[Tally]) -> int:
    """Print each source's counts and the closing line and return the exit code."""
    print("\n== summary", flush=True)
    for tally in tallies:
        counts = (
            f"{tally.passed} passed, {tally.failed} failed, {tally.skipped} skipped"
        )
        print(f"{tally.name}: {counts}")
        for note in tally.notes:
            print(f"    - {note}")
    passed = sum(t.passed for t in tallies)
    failed = sum(t.failed for t in tallies)
    skipped = sum(t.skipped for t in tallies)
    print(f"{passed} passed, {failed} failed, {skipped} skipped", flush=True)
    return 1 if failed or passed == 0 else 0


def _drop_test_database(database: str) -> None:
    try:
        exists = setup_env.database_exists(database)
    except setup_env.SetupError as error:
        print(f"ERROR: {error}; drop {database} by hand", file=sys.stderr, flush=True)
        return
    if exists and setup_env.drop_database(database):
        print(f"   dropped database {database}", flush=True)


def _raise_on_sigterm(signum: int, _frame: object) -> None:
    # Turn SIGTERM into an exception so that the finally blocks drop the
    # database before exiting.
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["format", "lint", "test"])
    parser.add_argument(
        "--module-dir",
        type=Path,
        default=REPO_ROOT / "customer_archive",
        help="folder of the Odoo module to check (default: ./customer_archive)",
    )
    parser.add_argument(
        "--db-prefix",
        default="ca_test",
        help="prefix of the throwaway database name (default: ca_test)",
    )
    parser.add_argument(
        "--log-dir",
        type=Path,
        default=REPO_ROOT / "logs",
        help="folder for the Odoo test log (default: ./logs)",
    )
    parser.add_argument(
        "--odoo-timeout",
        type=float,
        default=2700.0,
        help="seconds before the Odoo test run is stopped (default: 2700)",
    )
    args = parser.parse_args(argv)
    module_dir = args.module_dir.resolve()
    signal.signal(signal.SIGTERM, _raise_on_sigterm)

    try:
        odoo = setup_env.find_odoo()
        if args.action == "test":
            setup_env.ensure_postgres()
    except setup_env.SetupError as error:
        print(f"ERROR: {error}", file=sys.stderr, flush=True)
        return 1

    if args.action == "format":
        return format_code(odoo, module_dir)
    tallies = [
        run_ruff(odoo, module_dir),
        run_pylint(odoo, module_dir),
        run_pre_commit(odoo),
    ]
    if args.action == "test":
        timestamp = time.strftime("%Y%m%d_%H%M%S")
        database = f"{args.db_prefix}_{timestamp}_{os.getpid()}"
        log_file = args.log_dir.resolve() / f"odoo-test-{database}.log"
        with tempfile.TemporaryDirectory(prefix="ca-tests-") as work_dir:
            tallies.append(run_pytest(odoo, module_dir, Path(work_dir)))
        try:
            tallies.append(
                run_odoo_tests(odoo, module_dir, database, log_file, args.odoo_timeout)
            )
        finally:
            _drop_test_database(database)
    return print_summary(tallies)


if __name__ == "__main__":
    sys.exit(main())
