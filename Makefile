# Two entry points, each self-contained on a fresh machine with Python 3.11:
#   make demo   creates .venv, installs participatie, runs the Haaren demo on the embedded SQLite default
#   make test   creates .venv, installs with the dev extras, runs ruff, mypy --strict and pytest
#   make test-ha starts a PostgreSQL failover cluster on loopback (scripts/ha-cluster, installs
#               pg_auto_failover where missing), runs the tests marked ha against it (the fault
#               test HA_RUNS times), stops it; results are appended to build/ha-results.jsonl

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-ha lint typecheck pytest clean

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

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest

test: lint typecheck pytest

test-ha: $(VENV)/.installed-dev
	mkdir -p build
	scripts/ha-cluster start
	PARTICIPATIE_HA_URL="$$(scripts/ha-cluster url)" PARTICIPATIE_HA_RUNS=$(HA_RUNS) \
		PARTICIPATIE_HA_RESULTS=build/ha-results.jsonl \
		$(BIN)/pytest -p no:cacheprovider -s -m ha tests/ha; \
		status=$$?; scripts/ha-cluster stop; exit $$status

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
