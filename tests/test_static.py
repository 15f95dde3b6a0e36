"""Checks on the customer_archive module's files that need no database.

Each check mirrors a rule that Odoo enforces at install time or that the
project relies on, so a failure here points at the file before a slow Odoo
run does. Every test skips while customer_archive/ does not exist.
"""

import ast
import csv
import importlib.metadata
import os
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ACCESS_CSV_HEADER = [
    "id",
    "name",
    "model_id:id",
    "group_id:id",
    "perm_read",
    "perm_write",
    "perm_create",
    "perm_unlink",
]
# Odoo Community addons are LGPL-3, which is also the default when a manifest
# has no license. Odoo Enterprise addons are OEEL-1 and a few OPL-1.
COMMUNITY_LICENSES = {"LGPL-3"}
MODEL_BASES = {"Model", "TransientModel"}


def _module_files(module_dir, suffix):
    return sorted(
        path
        for path in module_dir.rglob(f"*{suffix}")
        if "__pycache__" not in path.parts
    )


def _access_rows(module_dir):
    path = module_dir / "security" / "ir.model.access.csv"
    if not path.is_file():
        pytest.skip("security/ir.model.access.csv does not exist")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [dict(zip(header, row, strict=False)) for row in reader if row]
    return header, rows


def _class_attribute(class_node, name):
    """Return the literal value assigned to ``name`` in a class body, or None."""
    for statement in class_node.body:
        if not isinstance(statement, ast.Assign):
            continue
        for target in statement.targets:
            if isinstance(target, ast.Name) and target.id == name:
                try:
                    return ast.literal_eval(statement.value)
                except ValueError:
                    return None
    return None


def _base_names(class_node):
    names = set()
    for base in class_node.bases:
        if isinstance(base, ast.Attribute):
            names.add(base.attr)
        elif isinstance(base, ast.Name):
            names.add(base.id)
    return names


def _declared_models(module_dir):
    """Map each model name set by ``_name`` to its class's base class names.

    A class whose ``_name`` also appears in ``_inherit`` extends an existing
    model and is left out.
    """
    models = {}
    for path in _module_files(module_dir, ".py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            name = _class_attribute(node, "_name")
            if not isinstance(name, str):
                continue
            inherit = _class_attribute(node, "_inherit") or []
            if isinstance(inherit, str):
                inherit = [inherit]
            if name in inherit:
                continue
            models[name] = _base_names(node)
    return models


def _xml_record_ids(module_dir, model):
    ids = set()
    for path in _module_files(module_dir, ".xml"):
        root = ElementTree.parse(path).getroot()
        for record in root.iter("record"):
            if record.get("model") == model and record.get("id"):
                ids.add(record.get("id"))
    return ids


def _model_external_id(model_name):
    return "model_" + model_name.replace(".", "_")


def test_manifest_has_required_keys(manifest):
    for key in ("name", "version", "license", "depends"):
        assert key in manifest, f"__manifest__.py has no {key!r} key"


def test_manifest_data_files_exist(module_dir, manifest):
    for key in ("data", "demo"):
        for relative_path in manifest.get(key, []):
            path = module_dir / relative_path
            assert path.is_file(), f"manifest {key!r} lists {relative_path}: not found"


def test_xml_files_parse(module_dir):
    for path in _module_files(module_dir, ".xml"):
        try:
            ElementTree.parse(path)
        except ElementTree.ParseError as error:
            pytest.fail(f"{path.relative_to(module_dir)}: {error}")


def test_python_files_parse(module_dir):
    for path in _module_files(module_dir, ".py"):
        source = path.read_text(encoding="utf-8")
        try:
            ast.parse(source, filename=str(path))
        except SyntaxError as error:
            pytest.fail(f"{path.relative_to(module_dir)}: {error}")


def test_tools_package_avoids_odoo(module_dir):
    tools_dir = module_dir / "tools"
    if not tools_dir.is_dir():
        pytest.skip("customer_archive/tools/ does not exist")
    for path in _module_files(tools_dir, ".py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] != "odoo", (
                    f"{path.relative_to(module_dir)}:{node.lineno} imports {name}; "
                    "tools/ must stay importable without Odoo"
                )


def test_access_csv_header(module_dir):
    header, _rows = _access_rows(module_dir)
    assert header == ACCESS_CSV_HEADER


def test_access_csv_ids_unique(module_dir):
    _header, rows = _access_rows(module_dir)
    seen = set()
    for row in rows:
        assert row["id"] not in seen, f"duplicate access rule id {row['id']}"
        seen.add(row["id"])


def test_access_csv_permissions_are_flags(module_dir):
    _header, rows = _access_rows(module_dir)
    for row in rows:
        for column in ("perm_read", "perm_write", "perm_create", "perm_unlink"):
            assert row[column] in ("0", "1"), (
                f"{row['id']}: {column} is {row[column]!r}, expected 0 or 1"
            )


def test_access_csv_local_models_exist(module_dir):
    _header, rows = _access_rows(module_dir)
    local_ids = {_model_external_id(name) for name in _declared_models(module_dir)}
    for row in rows:
        reference = row["model_id:id"]
        if "." in reference:
            continue  # a model of another module, such as base.model_res_partner
        assert reference in local_ids, (
            f"{row['id']}: model_id {reference} matches no _name in the module"
        )


def test_access_csv_local_groups_exist(module_dir):
    _header, rows = _access_rows(module_dir)
    group_ids = _xml_record_ids(module_dir, "res.groups")
    for row in rows:
        reference = row["group_id:id"]
        if not reference or "." in reference:
            continue
        assert reference in group_ids, (
            f"{row['id']}: group_id {reference} is not a res.groups record "
            "of the module"
        )


def test_new_models_have_access_rules(module_dir):
    _header, rows = _access_rows(module_dir)
    covered = {row["model_id:id"].split(".")[-1] for row in rows}
    for name, bases in sorted(_declared_models(module_dir).items()):
        if not bases & MODEL_BASES:
            continue  # AbstractModel, or a base class this check cannot resolve
        assert _model_external_id(name) in covered, (
            f"model {name} has no line in security/ir.model.access.csv"
        )


def test_external_python_dependencies_installed(manifest):
    dependencies = manifest.get("external_dependencies", {}).get("python", [])
    requirements = (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8")
    listed = {
        re.sub(r"[-_.]+", "-", match.group(0)).lower()
        for match in re.finditer(r"(?m)^[A-Za-z0-9][A-Za-z0-9._-]*", requirements)
    }
    for dependency in dependencies:
        name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", dependency).group(0)
        assert re.sub(r"[-_.]+", "-", name).lower() in listed, (
            f"external dependency {dependency} is missing from requirements.txt"
        )
        try:
            importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pytest.fail(f"external dependency {dependency} is not installed")


def _find_addon(name, addons_dirs):
    for addons_dir in addons_dirs:
        manifest_path = addons_dir / name / "__manifest__.py"
        if manifest_path.is_file():
            return ast.literal_eval(manifest_path.read_text(encoding="utf-8"))
    return None


def test_depends_only_on_community_addons(module_dir, manifest):
    addons_path = os.environ.get("ODOO_ADDONS_PATH")
    if not addons_path:
        pytest.skip("ODOO_ADDONS_PATH is not set (make test sets it)")
    addons_dirs = [Path(p) for p in addons_path.split(",") if p] + [module_dir.parent]

    pending = list(manifest["depends"])
    visited = set()
    while pending:
        name = pending.pop()
        if name in visited:
            continue
        visited.add(name)
        dependency = _find_addon(name, addons_dirs)
        assert dependency is not None, f"dependency {name} not found in {addons_path}"
        license_name = dependency.get("license", "LGPL-3")
        assert license_name in COMMUNITY_LICENSES, (
            f"dependency {name} has license {license_name}: it is not an Odoo "
            "Community addon"
        )
        pending.extend(dependency.get("depends", []))
