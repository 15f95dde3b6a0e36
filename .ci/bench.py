"""Run bench/run_bench.py with the interpreter and addons folders of Odoo 19.

Arguments after the options are passed to the benchmark, e.g.
``python3 .ci/bench.py --size large -- --keep --json large.json``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import setup_env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size",
        default="small",
        help="small, large or a number of customers (default: small)",
    )
    parser.add_argument(
        "--module-dir",
        type=Path,
        default=setup_env.REPO_ROOT / "customer_archive",
        help="folder of the Odoo module (default: ./customer_archive)",
    )
    parser.add_argument("bench_args", nargs="*", help="options of run_bench.py")
    args = parser.parse_args(argv)
    try:
        odoo = setup_env.find_odoo()
        setup_env.ensure_postgres()
    except setup_env.SetupError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    addons_path = ",".join([*odoo.addons_paths, str(args.module_dir.resolve().parent)])
    command = [
        odoo.python,
        str(setup_env.REPO_ROOT / "bench" / "run_bench.py"),
        f"--size={args.size}",
        f"--addons-path={addons_path}",
        *args.bench_args,
    ]
    print(f"[bench] {' '.join(command)}", flush=True)
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
