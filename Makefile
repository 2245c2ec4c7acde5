# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DATABASE ?= sqlite:///./portal.sqlite3
# `make run-cluster`: N workers on PostgreSQL and Redis (docs/deployment.md). CLUSTER_DATABASE is created if missing.
WORKERS ?= 2
POSTGRES ?= postgres://postgres@127.0.0.1:5432
CLUSTER_DATABASE ?= portal
BROKER ?= redis://127.0.0.1:6379/0

.PHONY: run run-cluster test test-postgres test-faults bench bench-mix schema clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Serve the portal on the embedded SQLite database, migrated and loaded with the demo catalog.
run: $(BIN)/.installed
	$(BIN)/portal serve --demo --host $(HOST) --port $(PORT) --database $(DATABASE)

# The deployment of a province in small: WORKERS uvicorn workers sharing one port (the kernel hands each new
# connection to one of them), on PostgreSQL and Redis. Migrated and seeded once, here, before any worker starts.
run-cluster: $(BIN)/.installed
	$(BIN)/portal migrate --create-database --database $(POSTGRES)/$(CLUSTER_DATABASE)
	$(BIN)/portal seed --demo --database $(POSTGRES)/$(CLUSTER_DATABASE)
	PORTAL_BROKER_URL=$(BROKER) $(BIN)/portal serve --workers $(WORKERS) --host $(HOST) --port $(PORT) \
		--database $(POSTGRES)/$(CLUSTER_DATABASE)

# The whole suite on SQLite (PORTAL_DATABASE_URL=postgres://... runs it on PostgreSQL).
test: $(BIN)/.installed
	$(BIN)/python -m pytest

test-postgres: $(BIN)/.installed
	PORTAL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(BIN)/python -m pytest

# The fault drills alone (tests/test_faults.py): a worker killed, PostgreSQL restarted, Redis down.
test-faults: $(BIN)/.installed
	PORTAL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(BIN)/python -m pytest -m faults tests/test_faults.py

bench: $(BIN)/.installed
	$(BIN)/python bench/catalog.py

# The mixed load against 1 and 2 workers on PostgreSQL (bench/mix.py).
bench-mix: $(BIN)/.installed
	$(BIN)/python bench/mix.py --postgres $(POSTGRES)

schema: $(BIN)/.installed
	$(BIN)/portal export-schema

clean:
	rm -rf $(VENV) portal.sqlite3 portal.sqlite3-* var/ *.egg-info
