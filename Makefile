# lastmile: `make run` starts the platform with its demo; `make test` runs every check CI runs.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION ?= 0.13.9
TOOLS := .lastmile/tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
export UV_PYTHON_DOWNLOADS := never
# The workspace needs Python >= 3.12 (osrm-bindings); the machine's default python3 may be older.
WORKSPACE_PYTHON := $(shell scripts/find-python 2>/dev/null)
export UV_PYTHON := $(WORKSPACE_PYTHON)
export PYTHONWARNINGS := ignore::UserWarning:platformdirs.api

.PHONY: run test lint unit integration env contracts bench clean help

help:
	@echo "make run    - start the platform (embedded Kafka + PostgreSQL) with the demo"
	@echo "make test   - lint, type-check and run the whole test suite"
	@echo "make lint   - ruff (format + lint) and mypy strict"

$(TOOLS)/bin/uv:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

env: $(UV)
	@test -n "$(WORKSPACE_PYTHON)" || scripts/find-python >/dev/null
	$(UV) sync --frozen --all-packages --quiet

run: env
	$(UV) run --frozen lastmile up

lint: env
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen ruff check .
	$(UV) run --frozen mypy libs/common/src services/*/src src

contracts: env
	$(UV) run --frozen python -m lastmile_common.events.export --write

test: env lint
	$(UV) run --frozen pytest -q -p no:randomly

clean:
	rm -rf .lastmile .venv
