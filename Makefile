# Two entry points, each self-contained on a fresh machine with Python 3.11:
#   make demo   creates .venv, installs participatie, runs the Haaren demo on the embedded SQLite default
#   make test   creates .venv, installs with the dev extras, runs ruff, mypy --strict and pytest
#   make test-ha starts a PostgreSQL failover cluster on loopback (scripts/ha-cluster, installs
#               pg_auto_failover where missing), runs the tests marked ha against it (the fault
#               test HA_RUNS times), stops it; results are appended to build/ha-results.jsonl

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-ha lint typecheck pytest clean messages test-browser service browser-deps

HA_RUNS ?= 3

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/participatie demo --fresh

# The example web service (examples/service/) on http://127.0.0.1:8000/v1/docs, on the store
# PARTICIPATIE_STORE names (default: a SQLite file beside it). Without a configured key it makes
# one for this run and prints a token to try it with.
$(VENV)/.installed-service: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[service,report]"
	touch $@

service: $(VENV)/.installed-service
	$(BIN)/python -m examples.service

# axe-core for the browser tests (tests/browser, examples/service/tests), kept out of git.
browser-deps: $(AXE)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# The browser tests run within `make test` when Chromium is installed (see test-browser); axe-core
# is fetched here when npm is there, and a failed fetch only makes them skip, saying why.
pytest: $(VENV)/.installed-dev
	@test -f $(AXE) || ! command -v npm >/dev/null || $(MAKE) --no-print-directory $(AXE) \
		|| echo "axe-core could not be installed: the browser tests will be skipped"
	$(BIN)/pytest -n auto

test: lint typecheck pytest

# The browser tests (tests/browser, marker `browser`): the HTML report in headless Chromium, checked
# with axe-core at WCAG 2.1 AA. Installs what is missing: Debian's chromium (apt-get, as root or
# through sudo; about 30 s here), axe-core from npm into .cache/browser, and Playwright (the dev
# extra). Playwright's own browser download is never used. `make test` runs these tests too when
# all of that is there, and otherwise lists them as skipped with the reason.
CHROMIUM ?= /usr/bin/chromium
AXE := .cache/browser/node_modules/axe-core/axe.min.js
$(AXE):
	npm install --prefix .cache/browser --no-save --no-audit --no-fund --loglevel=error axe-core@4

test-browser: $(VENV)/.installed-dev $(AXE)
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" = 0 ]; then apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; \
		else sudo apt-get install -y chromium || { sudo apt-get update && sudo apt-get install -y chromium; }; fi; }
	PARTICIPATIE_BROWSER_REQUIRED=1 PARTICIPATIE_CHROMIUM=$(CHROMIUM) \
		$(BIN)/pytest -p no:cacheprovider -m browser tests/browser examples/service/tests

# Collect the messages of the code into the catalogues of every language (src/participatie/locale):
# a new message arrives untranslated, for a translator to fill in; tests/unit/test_catalogues.py
# fails until every message is in every catalogue and translated into Dutch.
LOCALE := src/participatie/locale
messages: $(VENV)/.installed-dev
	mkdir -p .cache
	$(BIN)/pybabel extract --no-location --sort-output --project=participatie \
		-o .cache/participatie.pot src/participatie
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete \
		-i .cache/participatie.pot -d $(LOCALE) -D participatie

test-ha: $(VENV)/.installed-dev
	mkdir -p build
	scripts/ha-cluster start
	PARTICIPATIE_HA_URL="$$(scripts/ha-cluster url)" PARTICIPATIE_HA_RUNS=$(HA_RUNS) \
		PARTICIPATIE_HA_RESULTS=build/ha-results.jsonl \
		$(BIN)/pytest -p no:cacheprovider -s -m ha tests/ha; \
		status=$$?; scripts/ha-cluster stop; exit $$status

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
