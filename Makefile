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

# Which benchmarks `make bench` runs (bench/README.md), and the planner's instances.
BENCH ?= orders planner tracking notifier routing
PLANNER_BENCH_ARGS ?= bench/data/solomon_100/*.txt --time-limit 30
PYTEST := $(UV) run --frozen pytest -q -p no:randomly

help:
	@echo "make run         - start the platform (embedded Kafka + PostgreSQL) with the demo"
	@echo "make test        - lint, type-check and run the whole test suite (what CI runs)"
	@echo "make lint        - ruff, mypy strict, import contracts, module and function sizes"
	@echo "make unit        - unit tests on fakes and the contract tests (no broker or database)"
	@echo "make integration - every test on the real broker and database (services, runner, faults)"
	@echo "make bench       - the benchmarks (BENCH='orders planner tracking notifier routing')"

$(TOOLS)/bin/uv:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

# Bytecode compiled once: with PYTHONDONTWRITEBYTECODE (set on CI machines and here) every
# process would otherwise compile each module it imports, every time it starts (a service
# process, schemathesis: seconds each).
env: $(UV)
	@test -n "$(WORKSPACE_PYTHON)" || scripts/find-python >/dev/null
	$(UV) sync --frozen --all-packages --quiet --compile-bytecode
	$(UV) run --frozen python -m compileall -q -j 0 libs/common/src services/*/src src >/dev/null
	@# The planner's compiled search into numba's cache (about a minute once per version of its
	@# sources; then a planner is ready, see its /readyz, within seconds of starting).
	$(UV) run --frozen python -c "from planner.domain.ruin_recreate import warm_up; warm_up()"

run: env
	$(UV) run --frozen lastmile up

lint: env
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen ruff check .
	$(UV) run --frozen mypy libs/common/src services/*/src src
	$(UV) run --frozen lint-imports
	$(UV) run --frozen python scripts/check_sizes.py
	@for member in . libs/common services/*; do \
		(cd $$member && $(CURDIR)/.venv/bin/deptry . --no-ansi) || exit 1; \
	done

contracts: env
	$(UV) run --frozen python -m lastmile_common.events.export --write

test: env lint
	$(PYTEST)

# Layers as conftest.py marks them: `integration` lives in tests/integration or uses `infra`.
unit: env
	$(PYTEST) -m "not integration" libs services tests/contract

integration: env
	$(PYTEST) -m integration libs services tests/faults

bench: env
	@for name in $(BENCH); do \
		echo "== bench.$$name"; \
		if [ "$$name" = planner ]; then \
			$(UV) run --frozen python -m bench.planner $(PLANNER_BENCH_ARGS) || exit 1; \
		else \
			$(UV) run --frozen python -m bench.$$name || exit 1; \
		fi; \
	done

clean:
	rm -rf .lastmile .venv
