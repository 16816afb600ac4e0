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

# Front-end libraries (htmx) from the npm registry, exactly as package-lock.json pins them; never committed.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts

install: $(STAMP) node_modules/.package-lock.json

DEMO_DB ?= copark-demo.sqlite

## Set up, load the bundled demo (雨溆工业园, illustrative) into a fresh demo database, print the demo logins and
## serve the web workspace on http://127.0.0.1:8000 (Ctrl+C stops it).
demo: install
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/copark --database sqlite:///$(DEMO_DB) demo
	$(BIN)/copark --database sqlite:///$(DEMO_DB) serve --host 127.0.0.1 --port 8000

## Set up (Python deps, npm packages, a local PostgreSQL server) and run the whole test suite on SQLite and
## PostgreSQL, browser tests included (Debian's chromium: .ci/run installs it).
test: install
	$(BIN)/ruff check src tests bench
	COPARK_TEST_POSTGRES_URL="$$(./scripts/postgres-up.sh)" $(BIN)/pytest -n 2 -q

## The suite without PostgreSQL (quick local loop).
test-fast: install
	$(BIN)/pytest -n 2 -q -m "not postgres"

lint: install
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache copark.sqlite node_modules screenshots $(DEMO_DB)*
