# The newcomer's entry points. `make run` serves the demo district; `make test` runs every test.
# Both create .venv, install the pinned requirements and, when DATABASE_URL is unset, start a
# private PostgreSQL under .local/ (see insights/localdb.py).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
ARGS ?=
PORT ?= 8000

# $(call with_database[,NAME]): start (or reuse) the private database, and in it the database NAME
# (default: insights), unless DATABASE_URL points elsewhere.
with_database = if [ -z "$$DATABASE_URL" ]; then DATABASE_URL=$$($(PYTHON) -m insights.localdb url $(1)) || exit 1; \
	export DATABASE_URL INSIGHTS_PRIVATE_DATABASE=1; fi;

# Local development: debug pages, plain HTTP, the fictional demo district with known passwords.
DEV_ENV = DEBUG=$${DEBUG:-true} HTTPS=$${HTTPS:-false} DEMO_MODE=$${DEMO_MODE:-true} \
	DEMO_PASSWORD="$${DEMO_PASSWORD:-insights-demo-password}" SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"

# Tests run with production settings except plain HTTP, fixed throwaway keys, and a longer statement
# limit (the shared test machine runs several suites at once; the 20 s default is tested on its own).
TEST_ENV = DEBUG=false HTTPS=false DEMO_MODE=true DEMO_PASSWORD=insights-demo-password \
	DATABASE_STATEMENT_TIMEOUT_SECONDS=60 \
	SECRET_KEY=test-only-secret-key-not-for-production-use-0123456789abcdef \
	FIELD_ENCRYPTION_KEYS=dGVzdC1vbmx5LWZpZWxkLWVuY3J5cHRpb24ta2V5LTE= \
	ALLOWED_HOSTS=testserver,localhost,127.0.0.1 SENTRY_DSN=

.PHONY: run test bench load lint manage install db-stop

install: $(INSTALLED)

# The locks carry a hash for every package, so pip installs exactly the locked files or stops.
$(INSTALLED): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
	touch $(INSTALLED)

run: $(INSTALLED)
	@$(call with_database) export $(DEV_ENV); \
	$(PY) manage.py migrate --no-input && \
	$(PY) manage.py createcachetable && \
	$(PY) manage.py seed_demo --if-empty && \
	echo "Serving the demo district at http://127.0.0.1:$(PORT) (demo logins: see README), with the job worker" && \
	{ $(PY) manage.py run_worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT); }

# The whole suite runs in one process per core (pytest-xdist; TEST_PROCESSES=1 for one), each with
# a test database of its own; pytest-cov combines their coverage and enforces pyproject's fail_under.
# `make test ARGS=...` runs what ARGS names, in one process unless ARGS says `-n`.
TEST_PROCESSES ?= auto

test: $(INSTALLED)
	@$(call with_database) export $(TEST_ENV); \
	if [ -z "$(ARGS)" ]; then $(PY) -m pytest -n $(TEST_PROCESSES) --cov --cov-report=term-missing:skip-covered; \
	else $(PY) -m pytest $(ARGS); fi

# Benchmarks seed a 50,000-student district: into their own database, never over the demo.
bench: $(INSTALLED)
	@$(call with_database,insights_bench) export $(TEST_ENV); $(PY) -m benchmarks $(ARGS)

# The load test serves a seeded district as production does (gunicorn, the job worker) in its own
# database, drives it with Locust and checks errors, audit rows and writes (benchmarks/load/);
# production's 20 s statement limit.
load: $(INSTALLED)
	@$(call with_database,insights_load) export $(TEST_ENV) DATABASE_STATEMENT_TIMEOUT_SECONDS=20; \
	$(PY) -m benchmarks.load $(ARGS)

# ruff, the layer contracts (pyproject's [tool.importlinter]) and mypy over the privacy core
# (pyproject's [tool.mypy]); mypy loads the settings, so it gets the test environment and an
# address for a database it never connects to.
lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	@export $(TEST_ENV) DATABASE_URL=$${DATABASE_URL:-postgres://localhost/unused}; $(VENV)/bin/mypy

# Any manage.py command, on a migrated database (a fresh clone has no tables yet).
manage: $(INSTALLED)
	@$(call with_database) export $(DEV_ENV); $(PY) manage.py migrate --no-input >/dev/null && $(PY) manage.py $(ARGS)

db-stop:
	$(PYTHON) -m insights.localdb stop
