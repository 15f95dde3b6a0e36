# Build and test targets for the customer_archive Odoo 19 module.
# The logic lives in the stdlib-only scripts in .ci/; run `make help`.

# Interpreter for the .ci/ scripts; any python3 works. Tools that need Odoo
# run with the interpreter that imports odoo, which the scripts find.
PYTHON ?= python3
# Folder of the module to check and test. Its parent joins the Odoo addons
# path, so point it at a copy elsewhere to test the tooling.
MODULE_DIR ?= $(CURDIR)/customer_archive
# Prefix of the throwaway database that `make test` creates and drops.
DB_PREFIX ?= ca_test
# Seconds before `make test` stops the Odoo test run.
ODOO_TIMEOUT ?= 2700
# Database, port and Northwind import entry point of `make demo`.
DB ?= customer_archive_demo
HTTP_PORT ?= 8069
IMPORT_MODEL ?= customer.archive.import.wizard
IMPORT_METHOD ?= _import_northwind_sample
# Size of `make bench`: small (50,000 customers, a few minutes), large
# (1,000,000 customers, hours) or a number of customers. BENCH_ARGS adds
# options of bench/run_bench.py, e.g. BENCH_ARGS="--keep --json out.json".
SIZE ?= small
BENCH_ARGS ?=

# Optional overrides read by .ci/setup_env.py: the Odoo command, its
# interpreter and the comma-separated Odoo addons folders.
export ODOO_BIN ODOO_PYTHON ODOO_ADDONS_PATH

.PHONY: help deps lint test demo demo-reset format i18n bench

help:
	@echo "make deps        install requirements-dev.txt into Odoo's interpreter"
	@echo "make lint        ruff, pylint-odoo and the pre-commit hooks"
	@echo "make test        deps, lint, pytest tests/ and the module's Odoo tests"
	@echo "make demo        database $(DB) with the Northwind sample, served on"
	@echo "                 http://127.0.0.1:$(HTTP_PORT) (admin / admin)"
	@echo "make demo-reset  the same on a new database (drops $(DB) first)"
	@echo "make format      apply ruff's fixes and formatting"
	@echo "make i18n        regenerate the .pot and merge it into the .po files"
	@echo "make bench       benchmark on a throwaway database (SIZE=small|large|N)"
	@echo "Variables: MODULE_DIR DB DB_PREFIX HTTP_PORT IMPORT_MODEL IMPORT_METHOD"
	@echo "           SIZE BENCH_ARGS"
	@echo "           ODOO_BIN ODOO_PYTHON ODOO_ADDONS_PATH ODOO_TIMEOUT PYTHON"

deps:
	$(PYTHON) .ci/setup_env.py deps

lint:
	$(PYTHON) .ci/run_tests.py lint --module-dir "$(MODULE_DIR)"

test: deps
	$(PYTHON) .ci/run_tests.py test --module-dir "$(MODULE_DIR)" \
		--db-prefix "$(DB_PREFIX)" --odoo-timeout "$(ODOO_TIMEOUT)"

DEMO_ARGS = --db "$(DB)" --module-dir "$(MODULE_DIR)" --http-port "$(HTTP_PORT)" \
	--import-model "$(IMPORT_MODEL)" --import-method "$(IMPORT_METHOD)"

demo: deps
	$(PYTHON) .ci/demo.py $(DEMO_ARGS)

demo-reset: deps
	$(PYTHON) .ci/demo.py $(DEMO_ARGS) --reset

format:
	$(PYTHON) .ci/run_tests.py format --module-dir "$(MODULE_DIR)"

i18n:
	tools/i18n_update.sh

bench: deps
	$(PYTHON) .ci/bench.py --size "$(SIZE)" --module-dir "$(MODULE_DIR)" -- $(BENCH_ARGS)
