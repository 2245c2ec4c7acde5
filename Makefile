# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DATABASE ?= sqlite:///./portal.sqlite3

.PHONY: run test test-postgres bench schema clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Serve the portal on the embedded SQLite database, migrated and loaded with the demo catalog.
run: $(BIN)/.installed
	$(BIN)/portal serve --demo --host $(HOST) --port $(PORT) --database $(DATABASE)

# The whole suite on SQLite (PORTAL_DATABASE_URL=postgres://... runs it on PostgreSQL).
test: $(BIN)/.installed
	$(BIN)/python -m pytest

test-postgres: $(BIN)/.installed
	PORTAL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(BIN)/python -m pytest

bench: $(BIN)/.installed
	$(BIN)/python bench/catalog.py

schema: $(BIN)/.installed
	$(BIN)/portal export-schema

clean:
	rm -rf $(VENV) portal.sqlite3 portal.sqlite3-* var/ *.egg-info
