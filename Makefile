# Two entry points, each self-contained on a fresh machine with Python 3.11:
#   make demo   creates .venv, installs participatie, runs the Haaren demo on the embedded SQLite default
#   make test   creates .venv, installs with the dev extras, runs ruff, mypy --strict and pytest

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck pytest clean service browser-deps

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

# axe-core for the browser tests (examples/service/tests/test_browser.py), kept out of git.
browser-deps:
	mkdir -p .cache/browser
	cd .cache/browser && npm install --silent --no-audit --no-fund --prefix . axe-core@4

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
