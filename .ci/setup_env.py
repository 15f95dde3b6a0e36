"""Locate Odoo 19 and PostgreSQL for the build targets and install Python deps.

The scripts in .ci/ use only the standard library, so any ``python3`` can run
them. They run every Odoo-side tool (pip, pytest, ruff, pylint) with the
interpreter that has Odoo importable.

Environment overrides:
    ODOO_BIN          Odoo command (default: ``odoo`` on PATH, then ``odoo-bin``,
                      then ``python3 -m odoo``)
    ODOO_PYTHON       interpreter that imports odoo (default: the shebang of
                      ODOO_BIN, else ``python3``)
    ODOO_ADDONS_PATH  comma-separated Odoo addons folders (default: derived
                      from the location of the ``odoo`` package)

Command line:
    python3 .ci/setup_env.py deps   install requirements-dev.txt
    python3 .ci/setup_env.py info   print what was found
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ODOO_SERIES = "19.0"

ODOO_INSTALL_HINT = f"""\
Odoo {ODOO_SERIES} was not found.
Install it, then run this target again:
  1. Get the Odoo {ODOO_SERIES} source, for example
     git clone --depth 1 --branch {ODOO_SERIES} https://github.com/odoo/odoo /opt/odoo19
     or extract a {ODOO_SERIES} source archive into /opt/odoo19.
  2. With the Python that will run Odoo (3.10 to 3.13), install its
     requirements: python3 -m pip install -r /opt/odoo19/requirements.txt
  3. Put `odoo` on PATH, for example `python3 -m pip install -e /opt/odoo19`
     (it installs the `odoo` script), or point the build at it with
     ODOO_BIN=/opt/odoo19/odoo-bin ODOO_PYTHON=/path/to/python3.
Set ODOO_ADDONS_PATH if the Odoo addons folders are not next to the odoo
package."""

# Printed by the Odoo interpreter: release series, package folders and the
# addons folders that the odoo.addons namespace package covers. Odoo 19 has
# no odoo/__init__.py, so odoo.__file__ is None and __path__ must be used.
_ODOO_PROBE = """
import json, odoo, odoo.addons, odoo.release
print(json.dumps({
    "version": odoo.release.version,
    "series": odoo.release.serie,
    "package_dirs": list(odoo.__path__),
    "addons_dirs": list(odoo.addons.__path__),
}))
"""


class SetupError(RuntimeError):
    """A required tool is missing or failed. The message states the fix."""


@dataclass
class OdooInstall:
    """Odoo command line, its interpreter and its addons folders."""

    command: list[str]
    python: str
    version: str
    addons_paths: list[str]
    requirements_file: Path | None


def log(message: str) -> None:
    print(f"[setup] {message}", flush=True)


def _shebang_interpreter(script: str) -> str | None:
    """Return the Python interpreter named in a script's shebang line."""
    try:
        with open(script, "rb") as handle:
            first_line = handle.readline().decode("utf-8", "replace").strip()
    except OSError:
        return None
    if not first_line.startswith("#!"):
        return None
    parts = first_line[2:].split()
    if not parts:
        return None
    if os.path.basename(parts[0]) == "env":
        # "#!/usr/bin/env python3" or "#!/usr/bin/env -S python3 -X ..."
        names = [part for part in parts[1:] if not part.startswith("-")]
        return shutil.which(names[0]) if names else None
    if "python" in os.path.basename(parts[0]):
        return parts[0]
    return None


def _probe_odoo(python: str) -> dict | None:
    """Import odoo with ``python`` and return the probe data, or None on failure."""
    try:
        completed = subprocess.run(
            [python, "-c", _ODOO_PROBE],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if completed.returncode != 0:
        return None
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _candidate_commands() -> list[tuple[list[str], str | None]]:
    """List (Odoo command, interpreter) pairs to try, most specific first."""
    python_override = os.environ.get("ODOO_PYTHON") or None
    candidates: list[tuple[list[str], str | None]] = []
    bin_override = os.environ.get("ODOO_BIN")
    if bin_override:
        found = shutil.which(bin_override) or bin_override
        candidates.append(([found], python_override or _shebang_interpreter(found)))
        return candidates
    for name in ("odoo", "odoo-bin"):
        found = shutil.which(name)
        if found:
            interpreter = python_override or _shebang_interpreter(found)
            candidates.append(([found], interpreter))
    python = python_override or shutil.which("python3")
    if python:
        candidates.append(([python, "-m", "odoo"], python))
    return candidates


def _odoo_cli_version(command: list[str]) -> str | None:
    try:
        completed = subprocess.run(
            [*command, "--version"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"Odoo Server (\S+)", completed.stdout)
    return match.group(1) if match else None


def _default_addons_paths(probe: dict) -> list[str]:
    paths = [p for p in probe["addons_dirs"] if os.path.isdir(p)]
    # A git checkout keeps most addons in <source>/addons beside odoo/addons.
    for package_dir in probe["package_dirs"]:
        sibling = os.path.join(os.path.dirname(package_dir), "addons")
        if os.path.isdir(sibling) and sibling not in paths:
            paths.append(sibling)
    return paths


def find_odoo() -> OdooInstall:
    """Find an Odoo 19.0 command and the interpreter that runs it.

    Raises SetupError with installation instructions when none is found.
    """
    rejected: list[str] = []
    for command, python in _candidate_commands():
        if not python:
            rejected.append(f"{command[0]}: interpreter unknown, set ODOO_PYTHON")
            continue
        probe = _probe_odoo(python)
        if probe is None:
            rejected.append(f"{python}: cannot import odoo")
            continue
        if probe["series"] != ODOO_SERIES:
            rejected.append(f"{python}: odoo {probe['version']} is not {ODOO_SERIES}")
            continue
        cli_version = _odoo_cli_version(command)
        if cli_version is None or not cli_version.startswith(ODOO_SERIES):
            rejected.append(f"{' '.join(command)} --version: {cli_version or 'failed'}")
            continue

        override = os.environ.get("ODOO_ADDONS_PATH")
        if override:
            addons_paths = [p.strip() for p in override.split(",") if p.strip()]
        else:
            addons_paths = _default_addons_paths(probe)
        if not any(
            os.path.isfile(os.path.join(p, "base", "__manifest__.py"))
            for p in addons_paths
        ):
            raise SetupError(
                f"No Odoo addons folder with the base module in {addons_paths}; "
                "set ODOO_ADDONS_PATH to the folders that contain base, web, mail ..."
            )

        requirements = None
        for package_dir in probe["package_dirs"]:
            candidate = Path(package_dir).parent / "requirements.txt"
            if candidate.is_file():
                requirements = candidate
                break
        return OdooInstall(command, python, cli_version, addons_paths, requirements)

    details = (
        "\n".join(f"  - {reason}" for reason in rejected) or "  - no candidate found"
    )
    raise SetupError(f"{ODOO_INSTALL_HINT}\nChecked:\n{details}")


def run_python(odoo: OdooInstall, *args: str, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python -m ...`` or a script with the Odoo interpreter."""
    return subprocess.run([odoo.python, *args], check=False, **kwargs)


# --------------------------------------------------------------------------
# Python dependencies


def _installed_versions(odoo: OdooInstall) -> dict[str, str]:
    completed = run_python(
        odoo,
        "-c",
        "import json, importlib.metadata as m; "
        "print(json.dumps([[d.metadata['Name'], d.version] "
        "for d in m.distributions() if d.metadata['Name']]))",
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise SetupError(
            f"Listing packages of {odoo.python} failed:\n{completed.stderr}"
        )
    return {
        normalize_name(name): version for name, version in json.loads(completed.stdout)
    }


def normalize_name(name: str) -> str:
    """Normalize a distribution name as PEP 503 does."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_names(requirements_file: Path) -> set[str]:
    names = set()
    for line in requirements_file.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
        if match:
            names.add(normalize_name(match.group(1)))
    return names


def _write_fallback_constraints(
    odoo: OdooInstall, versions: dict[str, str]
) -> Path | None:
    """Pin the installed versions of the odoo distribution's requirements."""
    completed = run_python(
        odoo,
        "-c",
        "import importlib.metadata as m; print('\\n'.join(m.requires('odoo') or []))",
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        return None
    lines = []
    for requirement in completed.stdout.splitlines():
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
        if not match or ";" in requirement:
            continue
        name = normalize_name(match.group(1))
        if name in versions:
            lines.append(f"{name}=={versions[name]}")
    if not lines:
        return None
    handle = tempfile.NamedTemporaryFile(
        "w", prefix="odoo-constraints-", suffix=".txt", delete=False
    )
    with handle:
        handle.write("\n".join(lines) + "\n")
    return Path(handle.name)


def install_deps(odoo: OdooInstall, requirements: Path) -> None:
    """Install ``requirements`` into the Odoo interpreter under Odoo's pins.

    Raises SetupError if pip fails or if it changed the version of a package
    that Odoo itself requires.
    """
    before = _installed_versions(odoo)
    constraints = odoo.requirements_file
    fallback = None
    if constraints is None:
        fallback = constraints = _write_fallback_constraints(odoo, before)
    if constraints is None:
        log("WARNING: no Odoo requirements.txt found; installing without constraints")
    pip_command = [
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-r",
        str(requirements),
    ]
    if constraints is not None:
        pip_command += ["-c", str(constraints)]
    log(f"{odoo.python} {' '.join(pip_command)}")
    try:
        # PIP_ROOT_USER_ACTION silences pip's warning about running as root
        # (CI runs as root); pip releases without the option ignore it.
        completed = run_python(
            odoo, *pip_command, env=dict(os.environ, PIP_ROOT_USER_ACTION="ignore")
        )
    finally:
        if fallback is not None:
            fallback.unlink()
    if completed.returncode != 0:
        raise SetupError(
            f"pip install -r {requirements} failed (exit code {completed.returncode}); "
            "read pip's message above"
        )

    after = _installed_versions(odoo)
    changed = {
        name: (before.get(name), version)
        for name, version in after.items()
        if before.get(name) != version
    }
    for name, (old, new) in sorted(changed.items()):
        log(f"installed {name} {new}" + (f" (was {old})" if old else ""))
    if odoo.requirements_file is not None:
        odoo_names = _requirement_names(odoo.requirements_file)
        broken = sorted(
            name for name, (old, _new) in changed.items() if old and name in odoo_names
        )
        if broken:
            raise SetupError(
                "pip changed packages that Odoo pins: "
                + ", ".join(
                    f"{name} {changed[name][0]} -> {changed[name][1]}"
                    for name in broken
                )
                + f"; reinstall them from {odoo.requirements_file}"
            )
    if not changed:
        log("Python dependencies already installed")


# --------------------------------------------------------------------------
# PostgreSQL


def _postgres_ready() -> bool:
    if not shutil.which("pg_isready"):
        return False
    return subprocess.run(["pg_isready", "-q"], check=False).returncode == 0


def _cluster_port(config_file: Path) -> int:
    match = re.search(
        r"^\s*port\s*=\s*(\d+)", config_file.read_text(errors="replace"), re.MULTILINE
    )
    return int(match.group(1)) if match else 5432


def _clusters() -> list[tuple[str, str]]:
    """Return the (version, name) of each Debian PostgreSQL cluster to start.

    Only clusters on the port that clients use (PGPORT, default 5432) are
    listed, newest version first and ``main`` first within a version.
    """
    root = Path("/etc/postgresql")
    if not root.is_dir():
        return []
    port = int(os.environ.get("PGPORT") or 5432)
    found = []
    for version in root.iterdir():
        for cluster in version.iterdir() if version.is_dir() else []:
            config_file = cluster / "postgresql.conf"
            if config_file.is_file() and _cluster_port(config_file) == port:
                found.append((version.name, cluster.name))

    def sort_key(item: tuple[str, str]) -> tuple[float, bool]:
        try:
            number = float(item[0])
        except ValueError:
            number = 0.0
        return number, item[1] == "main"

    return sorted(found, key=sort_key, reverse=True)


def _apt_install_postgres() -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SetupError(
            "PostgreSQL is not installed and cannot be installed here "
            "(apt-get as root is needed); install PostgreSQL 12 or later and start it"
        )
    log("PostgreSQL is not installed; installing it with apt-get")
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "postgresql"],
    ):
        if subprocess.run(command, env=environment, check=False).returncode != 0:
            raise SetupError(f"{' '.join(command)} failed; read apt's message above")


def _ensure_database_role() -> None:
    """Create a superuser role for the current OS user if it has none.

    Odoo connects over the Unix socket as the OS user; a fresh Debian install
    only has the ``postgres`` role, which Odoo refuses to use.
    """
    check = subprocess.run(
        ["psql", "-d", "postgres", "-tAc", "SELECT 1"],
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode == 0:
        return
    user = os.environ.get("PGUSER") or os.environ.get("USER") or "root"
    if os.geteuid() != 0 or not shutil.which("runuser"):
        raise SetupError(
            f"Cannot connect to PostgreSQL as {user}: {check.stderr.strip()}; "
            f"create the role with: sudo -u postgres createuser --superuser {user}"
        )
    log(f"creating PostgreSQL superuser role {user}")
    subprocess.run(
        ["runuser", "-u", "postgres", "--", "createuser", "--superuser", user],
        check=True,
    )


def ensure_postgres(timeout_seconds: float = 60.0) -> None:
    """Make sure a local PostgreSQL server accepts connections.

    Starts the newest Debian cluster on the client port (PGPORT, default
    5432) when it is down, installs the ``postgresql`` package with apt-get
    when no server is installed, and creates a role for the current user.
    """
    if _postgres_ready():
        _ensure_database_role()
        return
    if not shutil.which("pg_ctlcluster"):
        _apt_install_postgres()
    clusters = _clusters()
    if not clusters:
        port = os.environ.get("PGPORT") or 5432
        raise SetupError(
            f"No PostgreSQL cluster under /etc/postgresql uses port {port}; "
            "create one with pg_createcluster or set PGPORT to a cluster's port"
        )
    version, name = clusters[0]
    log(f"starting PostgreSQL cluster {version}/{name}")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start"],
        check=False,
    )
    deadline = time.monotonic() + timeout_seconds
    while not _postgres_ready():
        if time.monotonic() > deadline:
            raise SetupError(
                f"PostgreSQL cluster {version}/{name} did not accept connections "
                f"within {timeout_seconds:.0f} s; check /var/log/postgresql/"
            )
        time.sleep(1)
    _ensure_database_role()


_DATABASE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}$")


def check_database_name(name: str) -> str:
    if not _DATABASE_NAME.match(name):
        raise SetupError(
            f"Invalid database name {name!r}: use letters, digits, '_', '.' or '-' "
            "(at most 63 characters)"
        )
    return name


def database_exists(name: str) -> bool:
    check_database_name(name)
    completed = subprocess.run(
        [
            "psql",
            "-d",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SetupError(
            f"Querying PostgreSQL for database {name} failed: {completed.stderr}"
        )
    return completed.stdout.strip() == "1"


def drop_database(name: str) -> bool:
    """Drop database ``name`` and close its connections. Return True on success."""
    check_database_name(name)
    completed = subprocess.run(
        ["dropdb", "--if-exists", "--force", name],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        log(f"ERROR: dropping database {name} failed: {completed.stderr.strip()}")
        return False
    return True


# --------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["deps", "info"])
    parser.add_argument(
        "--requirements",
        type=Path,
        default=REPO_ROOT / "requirements-dev.txt",
        help="requirements file to install (default: requirements-dev.txt)",
    )
    args = parser.parse_args(argv)
    try:
        odoo = find_odoo()
        if args.action == "info":
            print(f"odoo command: {' '.join(odoo.command)}")
            print(f"odoo version: {odoo.version}")
            print(f"interpreter:  {odoo.python}")
            print(f"addons path:  {','.join(odoo.addons_paths)}")
            print(f"constraints:  {odoo.requirements_file or '-'}")
        else:
            install_deps(odoo, args.requirements)
    except SetupError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
