# amazon-jobs — `make demo` to see it run, `make test` to check it.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The suite starts hundreds of Python processes (commands, workers, simulators, xdist
# workers): they reuse compiled modules in __pycache__ (ignored by git). A machine that
# sets PYTHONDONTWRITEBYTECODE would have each of them compile the project anew and
# pytest rewrite every test module again: 12 s of CPU per test process instead of 5.
unexport PYTHONDONTWRITEBYTECODE
DEMO_ENV := AMAZON_JOBS_HOME=$(CURDIR)/.demo AMAZON_JOBS_DATABASE_URL=sqlite:///$(CURDIR)/.demo/demo.db
# Every package comes from a lock with hashes (requirements/*.lock, written by `make lock`);
# the project itself goes in on top without resolving anything (--no-deps, and the build
# backend from the lock: --no-build-isolation). `pip check` fails on a lock that lags
# pyproject.toml (a dependency added there but not locked yet: run `make lock`).
PIP_LOCKED := pip install --quiet --require-hashes -r
TOOLS := .venv-tools
TBIN := $(TOOLS)/bin
UV_COMPILE = $(TBIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)

.PHONY: help install dev demo demo-quick test test-long soak check lint format bench lock audit clean

help:  ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml requirements/runtime.lock | $(BIN)/python
	$(BIN)/python -m $(PIP_LOCKED) requirements/runtime.lock
	$(BIN)/pip install --quiet --no-build-isolation --no-deps -e .
	$(BIN)/pip check
	@touch $@

$(VENV)/.dev: pyproject.toml requirements/dev.lock $(VENV)/.installed
	$(BIN)/python -m $(PIP_LOCKED) requirements/dev.lock
	$(BIN)/pip check
	@touch $@

install: $(VENV)/.installed  ## Create .venv and install amazon-jobs.

dev: $(VENV)/.dev  ## Also install the test and lint tools.

# `make demo PORT=8001` when 8000 is taken; `make demo FRESH=1` empties the earlier demo
# and starts over (without it, the demo continues where it stopped).
PORT ?= 8000
DEMO_ARGS = $(if $(filter-out 0,$(FRESH)),--fresh)

demo: install  ## Set everything up and run the demo: dashboard on http://127.0.0.1:8000/.
	@$(DEMO_ENV) $(BIN)/amazon-jobs demo --port $(PORT) $(DEMO_ARGS)

demo-quick: install  ## The demo without the dashboard: run the jobs to the end, print a summary.
	@$(DEMO_ENV) $(BIN)/amazon-jobs demo --until-idle $(DEMO_ARGS)

test: dev  ## Run the test suite but the long tests (PostgreSQL tests need 127.0.0.1:5432).
	@# Two lines of work side by side (much of the suite waits on servers, subprocesses
	@# and the clock): the tests that do not use PostgreSQL on four xdist workers; beside
	@# them the PostgreSQL tests on three (each worker has its own schema). The PostgreSQL
	@# output follows when both are done. The long tests are `make test-long`'s.
	@$(BIN)/pytest -m "postgres and not long" -n 3 -p no:cacheprovider --durations=15 \
		> .pytest-postgres.log 2>&1 & postgres=$$!; \
	$(BIN)/pytest -m "not postgres and not long" -n 4 --durations=15; rest=$$?; \
	wait $$postgres; pg=$$?; \
	echo "=== the PostgreSQL tests ==="; cat .pytest-postgres.log; \
	exit $$(( rest || pg ))

test-long: dev  ## The long tests: soaks, restarts, whole demos, CLI walks (CI runs them too).
	@# The PostgreSQL ones one after another (some restart the server), beside the others
	@# on two xdist workers; the PostgreSQL output follows.
	@$(BIN)/pytest -m "long and postgres" -p no:cacheprovider --durations=10 \
		> .pytest-long-postgres.log 2>&1 & postgres=$$!; \
	$(BIN)/pytest -m "long and not postgres" -n 2 -p no:cacheprovider --durations=10; \
	rest=$$?; wait $$postgres; pg=$$?; \
	echo "=== the long PostgreSQL tests ==="; cat .pytest-long-postgres.log; \
	exit $$(( rest || pg ))

soak: dev  ## The long soak: workers killed, PostgreSQL restarted, invariants checked (~10 min).
	AMAZON_JOBS_SOAK=large $(BIN)/pytest -s tests/processes/test_soak.py

$(VENV)/.bench: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[bench]'
	@touch $@

bench: $(VENV)/.bench  ## Run every benchmark (tables printed, JSON in bench/results/; ~1 h).
	$(BIN)/python -m bench.quota
	$(BIN)/python -m bench.peers
	$(BIN)/python -m bench.feeds_used
	$(BIN)/python -m bench.freshness
	$(BIN)/python -m bench.local_work
	$(BIN)/python -m bench.engine
	$(BIN)/python -m bench.aged_step
	$(BIN)/python -m bench.dashboard
	$(BIN)/python -m bench.capacity

$(TBIN)/python:
	$(PYTHON) -m venv $(TOOLS)

$(TOOLS)/.installed: requirements/tools.lock | $(TBIN)/python
	$(TBIN)/python -m $(PIP_LOCKED) requirements/tools.lock
	@touch $@

lock: $(TOOLS)/.installed  ## Rewrite requirements/*.lock from pyproject.toml (UPGRADE=1: newest releases).
	$(UV_COMPILE) -o requirements/runtime.lock pyproject.toml requirements/build.in
	$(UV_COMPILE) -o requirements/dev.lock --extra dev -c requirements/runtime.lock \
		pyproject.toml requirements/build.in
	$(UV_COMPILE) -o requirements/tools.lock requirements/tools.in

audit: $(TOOLS)/.installed  ## Check the locked packages against published advisories (needs the network).
	@PIP_AUDIT=$(TBIN)/pip-audit bash requirements/audit.sh \
		requirements/runtime.lock requirements/dev.lock requirements/tools.lock

check: dev  ## Lint, format check and type check.
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: dev  ## Format the code.
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:  ## Remove the virtualenv and demo data.
	rm -rf $(VENV) $(TOOLS) .demo .pytest_cache .ruff_cache .mypy_cache
