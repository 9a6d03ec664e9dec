# amazon-jobs — `make demo` to see it run, `make test` to check it.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_ENV := AMAZON_JOBS_HOME=$(CURDIR)/.demo AMAZON_JOBS_DATABASE_URL=sqlite:///$(CURDIR)/.demo/demo.db

.PHONY: help install dev demo demo-quick test soak check lint format bench clean

help:  ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed  ## Create .venv and install amazon-jobs.

dev: $(VENV)/.dev  ## Also install the test and lint tools.

demo: install  ## Set everything up and run the demo: dashboard on http://127.0.0.1:8000/.
	@mkdir -p .demo
	$(DEMO_ENV) $(BIN)/amazon-jobs init
	$(DEMO_ENV) $(BIN)/amazon-jobs demo

demo-quick: install  ## The demo without the dashboard: run the jobs to the end, print a summary.
	@mkdir -p .demo
	$(DEMO_ENV) $(BIN)/amazon-jobs init
	$(DEMO_ENV) $(BIN)/amazon-jobs demo --until-idle

test: dev  ## Run the whole test suite (PostgreSQL tests need 127.0.0.1:5432).
	@# Two pytest processes side by side: the PostgreSQL tests in one, in turn (they share
	@# the database and some restart the server), everything else in the other.
	@$(BIN)/pytest -m postgres -p no:cacheprovider > .pytest-postgres.log 2>&1 & pg=$$!; \
	$(BIN)/pytest -m "not postgres"; rest=$$?; \
	wait $$pg; pgs=$$?; \
	echo "--- PostgreSQL tests ---"; cat .pytest-postgres.log; \
	exit $$(( rest || pgs ))

soak: dev  ## The long soak: workers killed, PostgreSQL restarted, invariants checked (~10 min).
	AMAZON_JOBS_SOAK=large $(BIN)/pytest -s tests/processes/test_soak.py

$(VENV)/.bench: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[bench]'
	@touch $@

bench: $(VENV)/.bench  ## Run every benchmark (tables printed, JSON in bench/results/; ~1 h).
	$(BIN)/python -m bench.quota
	$(BIN)/python -m bench.peers
	$(BIN)/python -m bench.feeds_used
	$(BIN)/python -m bench.local_work
	$(BIN)/python -m bench.engine
	$(BIN)/python -m bench.dashboard

check: dev  ## Lint, format check and type check.
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: dev  ## Format the code.
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:  ## Remove the virtualenv and demo data.
	rm -rf $(VENV) .demo .pytest_cache .ruff_cache .mypy_cache
