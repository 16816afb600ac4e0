# One task runner for people and CI alike. `make demo` and `make test` are the README's two commands.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install demo test test-fast lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

## Set up and run the main job on the bundled demo data (雨溆工业园, illustrative).
demo: install
	$(BIN)/copark demo

## Set up (Python deps, a local PostgreSQL server) and run the whole test suite on SQLite and PostgreSQL.
test: install
	$(BIN)/ruff check src tests bench
	COPARK_TEST_POSTGRES_URL="$$(./scripts/postgres-up.sh)" $(BIN)/pytest -n 2 -q

## The suite without PostgreSQL (quick local loop).
test-fast: install
	$(BIN)/pytest -n 2 -q -m "not postgres"

lint: install
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache copark.sqlite
