# govshare: one task runner. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
GOVSHARE_DATA_DIR ?= var
export GOVSHARE_DATA_DIR
STAMPS := .stamps
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run install assets test test-sqlite test-postgres test-browser lint fix migrate migration bench i18n clean help

help:
	@echo "make run     install, migrate, load the demo on first start, serve http://127.0.0.1:$(PORT)"
	@echo "make test    lint, then the whole suite on SQLite and on PostgreSQL, then browser journeys"
	@echo "make bench   benchmarks, each beside its baseline"

$(STAMPS):
	@mkdir -p $(STAMPS)

$(STAMPS)/venv: pyproject.toml | $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

$(STAMPS)/npm: package.json package-lock.json | $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(STAMPS)/assets: $(STAMPS)/npm scripts/vendor_assets.py | $(STAMPS)
	$(PYTHON) scripts/vendor_assets.py
	@touch $@

install: $(STAMPS)/venv
assets: $(STAMPS)/assets

migrate: install
	$(BIN)/govshare db upgrade

run: install assets migrate
	$(BIN)/govshare demo --if-empty
	$(BIN)/govshare serve --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	GOVSHARE_DATA_DIR=$$(mktemp -d) bash -c '$(BIN)/govshare db upgrade >/dev/null && $(BIN)/govshare db check'

fix: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-sqlite: install assets
	bash scripts/ensure-packages.sh
	bash scripts/ensure-redis.sh
	$(BIN)/pytest -n 2 -m "not browser" -q

test-postgres: install assets
	bash scripts/ensure-postgres.sh
	GOVSHARE_TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 -m "not browser" -q

test-browser: install assets
	bash scripts/ensure-packages.sh
	$(BIN)/pytest -m browser -q

test: lint test-sqlite test-postgres test-browser

bench: install assets
	$(BIN)/python -m bench

i18n: install
	$(BIN)/python scripts/i18n.py

migration: install
	$(BIN)/alembic revision --autogenerate -m "$(m)"

clean:
	rm -rf $(STAMPS) $(VENV) node_modules src/govshare/static/vendor
