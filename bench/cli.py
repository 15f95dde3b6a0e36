"""Command line of the benchmark: create the database, fill it, measure, report.

Run with the interpreter that imports Odoo 19, from any folder::

    python bench/run_bench.py --size small
    python bench/run_bench.py --size large --keep --json large.json
    python bench/run_bench.py --size large --reuse --only birthday_selection

The database (``ca_bench_<size>`` unless --db names another) is created, gets
customer_archive without demo data and the synthetic archive, and is dropped
at the end unless --keep or --reuse is given. --reuse measures an existing
database of the same size again; --update first updates the module in it.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import os
import platform
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

import psycopg2
import psycopg2.sql

from . import harness

REPO_ROOT = Path(__file__).resolve().parent.parent
MODULE = "customer_archive"
DATABASE_PREFIX = "ca_bench_"
CHILD_TIMEOUT_SECONDS = 3600


def log(message: str) -> None:
    print(message, flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Benchmark customer_archive on a synthetic archive."
    )
    parser.add_argument(
        "--size",
        default="small",
        help="small (50,000 customers), large (1,000,000) or a number of customers",
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs of each case (default: 5)"
    )
    parser.add_argument(
        "--db",
        help=f"database name, starting with {DATABASE_PREFIX} "
        "(default: ca_bench_<size>)",
    )
    parser.add_argument(
        "--addons-path",
        help="Odoo addons folders, comma-separated (default: Odoo's own folders "
        "and this repository)",
    )
    parser.add_argument(
        "--only", help="comma-separated measurement names to run (default: all)"
    )
    parser.add_argument("--json", type=Path, help="also write the results to FILE")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database after the run"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the existing database of this size again (implies --keep)",
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help=f"with --reuse: update {MODULE} in the database first",
    )
    parser.add_argument(
        "--list", action="store_true", help="print the measurement names and exit"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --------------------------------------------------------------------------
# Odoo and the database


def configure_odoo(addons_path: str | None) -> str:
    """Load Odoo's configuration for the given addons path; return that path."""
    from odoo.modules.module import initialize_sys_path  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    import odoo.addons  # noqa: PLC0415

    if not addons_path:
        folders = [path for path in odoo.addons.__path__ if os.path.isdir(path)]
        addons_path = ",".join([*folders, str(REPO_ROOT)])
    config.parse_config(
        [
            f"--addons-path={addons_path}",
            "--log-level=warn",
            "--max-cron-threads=0",
            "--http-interface=127.0.0.1",
        ],
        setup_logging=True,
    )
    initialize_sys_path()
    return addons_path


def _postgres_connection():
    from odoo import sql_db  # noqa: PLC0415

    _name, params = sql_db.connection_info_for("postgres")
    connection = psycopg2.connect(**params)
    connection.autocommit = True
    return connection


def database_exists(name: str) -> bool:
    connection = _postgres_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            return cursor.fetchone() is not None
    finally:
        connection.close()


def drop_database(name: str) -> None:
    from odoo import sql_db  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    Registry.delete(name)
    sql_db.close_db(name)
    connection = _postgres_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                psycopg2.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    psycopg2.sql.Identifier(name)
                )
            )
    finally:
        connection.close()


def create_database(name: str) -> None:
    """Create ``name`` and install the module in it without demo data."""
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.service.db import _create_empty_database  # noqa: PLC0415

    _create_empty_database(name)
    Registry.new(name, install_modules=[MODULE], new_db_demo=False)


def open_env(registry):
    """Return a superuser environment on a new cursor of ``registry``."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    cr = registry.cursor()
    env = api.Environment(cr, SUPERUSER_ID, {})
    return api.Environment(cr, SUPERUSER_ID, env["res.users"].context_get())


# --------------------------------------------------------------------------
# Machine


def machine_facts(env) -> dict:
    cpu_model = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    memory_kb = 0
    with open("/proc/meminfo", encoding="utf-8") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
                break
    env.cr.execute("SHOW server_version")
    server_version = env.cr.fetchone()[0]
    env.cr.execute("SHOW shared_buffers")
    shared_buffers = env.cr.fetchone()[0]
    from odoo import release  # noqa: PLC0415

    return {
        "cpu_model": cpu_model,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "postgresql": server_version,
        "shared_buffers": shared_buffers,
        "python": platform.python_version(),
        "odoo": release.version,
    }


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# --------------------------------------------------------------------------
# Runs


def _child_runner(args, database: str, addons_path: str):
    def run_child(measurement_name: str, case_name: str) -> dict:
        command = [
            sys.executable,
            str(Path(__file__).resolve().parent / "run_bench.py"),
            f"--db={database}",
            f"--size={args.size}",
            f"--addons-path={addons_path}",
            f"--child={measurement_name}:{case_name}",
        ]
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT_SECONDS,
            check=False,
        )
        lines = completed.stdout.strip().splitlines()
        if completed.returncode != 0 or not lines:
            raise RuntimeError(
                f"child run of {measurement_name} {case_name} failed with exit "
                f"code {completed.returncode}:\n{completed.stderr[-3000:]}"
            )
        return json.loads(lines[-1])

    return run_child


def run_child(args, size) -> int:
    """Run one case in this process and print its time and peak memory as JSON."""
    from odoo.modules.registry import Registry  # noqa: PLC0415

    from .fixture import load_facts  # noqa: PLC0415

    measurement_name, case_name = args.child.split(":", 1)
    registry = Registry(args.db)
    env = open_env(registry)
    try:
        bench = harness.Bench(env, size, load_facts(env))
        spec = harness.build_measurement(bench, measurement_name)
        case = next(case for case in spec.cases if case.name == case_name)
        report = harness.run_case_measuring_memory(env, case)
    finally:
        env.cr.rollback()
        env.cr.close()
    print(json.dumps(report), flush=True)
    return 0


def prepare_database(args, size, database):
    """Create and fill the database, or check the one to reuse, and return its facts."""
    from odoo.modules.registry import Registry  # noqa: PLC0415

    from .fixture import FixtureBuilder, check_consistency, load_facts  # noqa: PLC0415

    if args.reuse and database_exists(database):
        if args.update:
            log(f"updating {MODULE} in {database}")
            Registry.new(database, upgrade_modules=[MODULE])
        env = open_env(Registry(database))
        try:
            facts = load_facts(env)
        finally:
            env.cr.close()
        if not facts or facts.get("customers") != size.customers:
            raise SystemExit(
                f"ERROR: database {database} contains no benchmark data of "
                f"{size.customers:,} customers; run without --reuse to rebuild it"
            )
        log(f"reusing database {database} filled on {facts.get('today')}")
        return facts

    if database_exists(database):
        log(f"dropping the old database {database}")
        drop_database(database)
    started = time.perf_counter()
    log(f"creating database {database} with {MODULE} (no demo data)")
    create_database(database)
    log(f"   installed in {time.perf_counter() - started:.0f} s")
    log(
        f"filling {size.customers:,} customers, {size.documents:,} documents, "
        f"{size.purchases:,} purchases"
    )
    env = open_env(Registry(database))
    try:
        facts = FixtureBuilder(env, size, log).build()
        differences = check_consistency(env)
        env.cr.rollback()
    finally:
        env.cr.close()
    if differences:
        for difference in differences[:20]:
            log(f"   INCONSISTENT {difference}")
        raise SystemExit(
            f"ERROR: {len(differences)} stored computed values of the fixture "
            "differ from what the module computes"
        )
    log(
        "   fixture consistent with the module's computed fields (sample of 300 "
        "rows per model)"
    )
    return facts


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        size = harness.parse_size(args.size)
    except ValueError as error:
        log(f"ERROR: {error}")
        return 2
    database = args.db or f"{DATABASE_PREFIX}{size.label}"
    if not database.startswith(DATABASE_PREFIX):
        log(f"ERROR: the database name must start with {DATABASE_PREFIX}: {database}")
        return 2
    threading.current_thread().dbname = database
    addons_path = configure_odoo(args.addons_path)
    from . import measurements  # noqa: F401, PLC0415 - registers the measurements

    if args.list:
        for name, registered in harness.MEASUREMENTS.items():
            print(f"{name}\t{registered.title}")
        return 0
    if args.child:
        return run_child(args, size)

    names = list(harness.MEASUREMENTS)
    if args.only:
        names = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = [name for name in names if name not in harness.MEASUREMENTS]
        if unknown:
            known = ", ".join(harness.MEASUREMENTS)
            log(f"ERROR: unknown measurements {unknown}; known: {known}")
            return 2

    from odoo.modules.registry import Registry  # noqa: PLC0415

    from .fixture import vacuum_tables  # noqa: PLC0415

    started = time.perf_counter()
    log(
        f"benchmark {size.label}: {size.customers:,} customers, database {database}, "
        f"{args.repeat} runs per case, load {load_average()}"
    )
    facts = prepare_database(args, size, database)
    env = open_env(Registry(database))
    outcomes = []
    failed = False
    try:
        machine = machine_facts(env)
        log(
            f"machine: {machine['cores']} cores {machine['cpu_model']}, "
            f"{machine['memory_gb']} GB, PostgreSQL {machine['postgresql']} "
            f"(shared_buffers {machine['shared_buffers']}), Odoo {machine['odoo']}, "
            f"Python {machine['python']}"
        )
        bench = harness.Bench(env, size, facts)
        runner = _child_runner(args, database, addons_path)
        vacuum = functools.partial(vacuum_tables, database)
        loads = {}
        for name in names:
            loads[name] = load_average()
            log(f"-- {name} (load {loads[name]})")
            try:
                outcome = harness.run_measurement(
                    bench,
                    harness.MEASUREMENTS[name],
                    args.repeat,
                    runner,
                    vacuum,
                    log,
                )
            except Exception:  # noqa: BLE001 - reported, the others still run
                failed = True
                env.cr.rollback()
                env.invalidate_all()
                outcome = harness.MeasurementResult(
                    name, harness.MEASUREMENTS[name].title
                )
                outcome.skipped = "ERROR: " + traceback.format_exc(limit=8)
            if outcome.agreement and outcome.agreement.startswith("MISMATCH"):
                failed = True
            outcomes.append(outcome)
            for line in harness.report_lines(outcome, size):
                log(line)
    finally:
        env.cr.rollback()
        env.cr.close()
    for line in harness.summary_lines(outcomes, size):
        log(line)
    elapsed = time.perf_counter() - started
    log(f"finished in {elapsed / 60:.1f} min, load {load_average()}")
    if args.json:
        harness.dump_json(
            args.json,
            {
                "size": size.__dict__,
                "database": database,
                "date": datetime.datetime.now().isoformat(timespec="seconds"),
                "machine": machine,
                "loads": loads,
                "repeat": args.repeat,
                "elapsed_seconds": elapsed,
            },
            outcomes,
        )
        log(f"results written to {args.json}")
    if not (args.keep or args.reuse):
        log(f"dropping database {database}")
        drop_database(database)
    return 1 if failed else 0
