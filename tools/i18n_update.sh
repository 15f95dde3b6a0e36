#!/usr/bin/env bash
# Regenerate customer_archive/i18n/customer_archive.pot and merge it into the
# module's .po files.
#
# The template is exported by Odoo from a throwaway database where the module
# is installed without demo data, so it contains exactly the terms Odoo loads:
# field labels and help, selection values, views, actions, menus, reports,
# mail templates, scheduled actions and the messages of the Python code. Each
# i18n/<lang>.po is then updated with msgmerge: new terms arrive untranslated,
# changed terms arrive as fuzzy entries with the previous source, and terms
# that left the code are removed. Translate those entries, then run
# `pytest tests/test_translations.py`.
#
# Usage: tools/i18n_update.sh [--keep-db]
#   --keep-db  keep the database for a later run (then set I18N_DB to reuse it)
#
# Environment:
#   ODOO_BIN          Odoo command (default: odoo on PATH)
#   ODOO_ADDONS_PATH  comma-separated Odoo addons folders (default: what
#                     .ci/setup_env.py finds)
#   I18N_DB           database name (default: ca_i18n_update_<pid>, dropped at
#                     the end); an existing database with the module installed
#                     is updated instead of recreated
#   PGHOST, PGPORT, PGUSER  PostgreSQL connection, as for psql
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODULE=customer_archive
MODULE_DIR="$REPO_ROOT/$MODULE"
POT="$MODULE_DIR/i18n/$MODULE.pot"
ODOO_BIN=${ODOO_BIN:-odoo}
DB=${I18N_DB:-ca_i18n_update_$$}
KEEP_DB=0

for argument in "$@"; do
    case "$argument" in
        --keep-db) KEEP_DB=1 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "Unknown argument: $argument (see --help)" >&2; exit 2 ;;
    esac
done

for tool in msgmerge msgattrib msgfmt psql; do
    if ! command -v "$tool" >/dev/null; then
        echo "$tool not found: install gettext and the PostgreSQL client" \
            "(apt-get install -y gettext postgresql-client)" >&2
        exit 1
    fi
done
if ! command -v "$ODOO_BIN" >/dev/null; then
    echo "Odoo command '$ODOO_BIN' not found: put odoo on PATH or set ODOO_BIN" >&2
    exit 1
fi

if [[ -z "${ODOO_ADDONS_PATH:-}" ]]; then
    ODOO_ADDONS_PATH=$(python3 "$REPO_ROOT/.ci/setup_env.py" info |
        sed -n 's/^addons path: *//p' | tr -d ' ')
fi
ADDONS_PATH="$ODOO_ADDONS_PATH,$REPO_ROOT"

existing=$(psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")
if [[ -z "$existing" && "$KEEP_DB" == 0 ]]; then
    trap 'dropdb --if-exists --force "$DB" || echo "Dropping database $DB failed" >&2' EXIT
fi
if [[ -n "$existing" ]]; then
    module_option=(--update="$MODULE")
else
    module_option=(--init="$MODULE")
fi

echo "== installing $MODULE in database $DB"
log_file=$(mktemp --tmpdir i18n-update-XXXXXX.log)
if ! "$ODOO_BIN" --addons-path="$ADDONS_PATH" --database="$DB" "${module_option[@]}" \
    --without-demo=True --stop-after-init --no-http --workers=0 \
    --max-cron-threads=0 --log-level=warn >"$log_file" 2>&1; then
    tail -n 40 "$log_file" >&2
    echo "Installing $MODULE failed; full log: $log_file" >&2
    exit 1
fi
rm -f "$log_file"

echo "== exporting $POT"
"$ODOO_BIN" --addons-path="$ADDONS_PATH" i18n export --database="$DB" \
    --output="$POT" "$MODULE" 2>&1 | grep -v ' INFO ' || true
if [[ ! -s "$POT" ]]; then
    echo "Odoo wrote no template to $POT" >&2
    exit 1
fi

shopt -s nullglob
for po in "$MODULE_DIR"/i18n/*.po; do
    echo "== merging into $po"
    # --previous keeps the old source next to each fuzzy entry, so the
    # translator can compare it with the new one.
    msgmerge --quiet --previous --update --backup=none "$po" "$POT"
    msgattrib --no-obsolete --output-file="$po" "$po"
    msgfmt --statistics --output-file=/dev/null "$po"
done
echo "Translate the untranslated and fuzzy entries (remove the fuzzy flag when"
echo "done), then run: pytest tests/test_translations.py"
