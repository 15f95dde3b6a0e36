"""Create a demo database with the module and the Northwind sample, then serve it.

A new database gets the module installed without Odoo demo data, then the
sample import runs through ``odoo shell``. An existing database is reused:
the module is updated and the import is skipped, because a second import
would duplicate the sample. Pass --reset to start from a new database. Odoo
then serves the database on 127.0.0.1 until it is stopped (Ctrl-C). The
login is admin / admin.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import setup_env

# Run by `odoo shell`, which executes standard input with `env` defined.
# Exit code 3 means that the import model or method does not exist yet.
IMPORT_SNIPPET = """
import sys
model_name, method_name = {model!r}, {method!r}
if model_name not in env:
    print(f"[demo] model {{model_name}} does not exist in this database")
    sys.exit(3)
model = env[model_name]
if not hasattr(model, method_name):
    print(f"[demo] model {{model_name}} has no method {{method_name}}")
    sys.exit(3)
getattr(model, method_name)()
env.cr.commit()
print(f"[demo] {{model_name}}.{{method_name}}() finished")
"""
MISSING_IMPORT_EXIT_CODE = 3


def log(message: str) -> None:
    print(f"[demo] {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="customer_archive_demo", help="database name")
    parser.add_argument(
        "--module-dir",
        type=Path,
        default=setup_env.REPO_ROOT / "customer_archive",
        help="folder of the Odoo module (default: ./customer_archive)",
    )
    parser.add_argument(
        "--http-port", type=int, default=8069, help="HTTP port on 127.0.0.1"
    )
    parser.add_argument(
        "--import-model",
        default="customer.archive.import.wizard",
        help="model whose method imports the Northwind sample",
    )
    parser.add_argument(
        "--import-method",
        default="_import_northwind_sample",
        help="method called on --import-model without arguments",
    )
    parser.add_argument(
        "--reset", action="store_true", help="drop the database first if it exists"
    )
    args = parser.parse_args(argv)
    module_dir = args.module_dir.resolve()
    module = module_dir.name

    try:
        setup_env.check_database_name(args.db)
        if not (module_dir / "__manifest__.py").is_file():
            raise setup_env.SetupError(
                f"module not found: {module_dir}/__manifest__.py does not exist"
            )
        odoo = setup_env.find_odoo()
        setup_env.ensure_postgres()
        exists = setup_env.database_exists(args.db)
    except setup_env.SetupError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1

    if exists and args.reset:
        log(f"dropping database {args.db}")
        if not setup_env.drop_database(args.db):
            return 1
        exists = False

    base_options = [
        f"--database={args.db}",
        f"--addons-path={','.join([*odoo.addons_paths, str(module_dir.parent)])}",
        "--without-demo=True",
    ]
    if exists:
        log(f"database {args.db} exists: updating {module}, skipping the import")
        install_option = f"--update={module}"
    else:
        log(f"creating database {args.db} with {module} (no demo data)")
        install_option = f"--init={module}"
    install = subprocess.run(
        [
            *odoo.command,
            *base_options,
            install_option,
            "--stop-after-init",
            "--no-http",
            "--max-cron-threads=0",
        ],
        check=False,
    )
    if install.returncode != 0:
        log(f"installing {module} failed (exit code {install.returncode})")
        return 1

    if not exists:
        entry_point = f"{args.import_model}.{args.import_method}()"
        log(f"importing the Northwind sample: {entry_point}")
        snippet = IMPORT_SNIPPET.format(
            model=args.import_model, method=args.import_method
        )
        imported = subprocess.run(
            [*odoo.command, "shell", *base_options, "--no-http"],
            input=snippet,
            text=True,
            check=False,
        )
        if imported.returncode == MISSING_IMPORT_EXIT_CODE:
            log(
                f"WARNING: the Northwind import is not available yet "
                f"({args.import_model}.{args.import_method}); serving without it. "
                "Set IMPORT_MODEL and IMPORT_METHOD to the module's import entry point."
            )
        elif imported.returncode != 0:
            log(f"the Northwind import failed (exit code {imported.returncode})")
            return 1

    log(f"serving http://127.0.0.1:{args.http_port}/odoo (login admin / admin)")
    serve = [
        *odoo.command,
        *base_options,
        "--http-interface=127.0.0.1",
        f"--http-port={args.http_port}",
        f"--db-filter=^{args.db}$",
    ]
    sys.stdout.flush()
    os.execv(serve[0], serve)


if __name__ == "__main__":
    sys.exit(main())
