# Nexo — `make run` serves the demo, `make test` runs every check. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
CHROMIUM ?= /usr/bin/chromium
# axe-core, pinned in tests-js/package-lock.json: the accessibility test injects it into the pages it checks.
AXE_DIR := $(VENV)/axe
AXE := $(AXE_DIR)/node_modules/axe-core/axe.min.js

.PHONY: run test lint unit-sqlite unit-postgres bench screenshots messages clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Nexo needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/nexo run

test: $(DEV_STAMP) lint unit-sqlite unit-postgres

# Fetched from the npm registry at install time only; the pages never serve it.
$(AXE): tests-js/package.json tests-js/package-lock.json
	@if command -v npm >/dev/null; then \
		mkdir -p $(AXE_DIR) && cp tests-js/package.json tests-js/package-lock.json $(AXE_DIR)/ && \
		npm ci --no-audit --no-fund --prefix $(AXE_DIR) && touch $@; \
	elif [ "$$CI" = "true" ]; then \
		echo "CI: npm is missing; the accessibility test needs axe-core." >&2; exit 1; \
	else \
		echo "npm not found: running without the accessibility test (apt-get install npm)"; \
	fi

lint: $(DEV_STAMP)
	$(BIN)/ruff check nexo bench tools
	$(BIN)/lint-imports
	$(BIN)/nexo makemigrations --check --dry-run --verbosity 0 || (echo "Models changed without a migration: run 'nexo makemigrations'." && exit 1)

# The SQLite pass runs everything but the PostgreSQL-only tests: first the tests without a browser on every
# core (pytest-xdist, one database per worker), then the browser tests, two at a time (each worker starts
# its own chromium and live server on its own database; a test mostly waits on the page, so two overlap
# well on two cores). The browser tests need Debian's chromium.
PYTEST := $(BIN)/pytest -p no:cacheprovider
WORKERS ?= auto
BROWSER_WORKERS ?= 2

unit-sqlite: $(DEV_STAMP) $(AXE)
	$(PYTEST) -n $(WORKERS) -m "not postgres and not browser"
	@if [ -x "$(CHROMIUM)" ] && [ -f "$(AXE)" ]; then \
		$(PYTEST) -n $(BROWSER_WORKERS) -m "browser and not postgres"; \
	elif [ -x "$(CHROMIUM)" ]; then \
		$(PYTEST) -n $(BROWSER_WORKERS) -m "browser and not postgres" --ignore=nexo/tests/test_accessibility_browser.py; \
	elif [ "$$CI" = "true" ]; then \
		echo "CI: $(CHROMIUM) is missing; the browser tests are required." >&2; exit 1; \
	else \
		echo "chromium not found: the browser tests did not run (apt-get install chromium)"; \
	fi

# The PostgreSQL pass runs every test but the browser ones (they ran against SQLite).
unit-postgres: $(DEV_STAMP)
	@if [ -n "$$NEXO_TEST_POSTGRES_URL" ]; then \
		NEXO_DATABASE_URL="$$NEXO_TEST_POSTGRES_URL" $(PYTEST) -n $(WORKERS) -m "not browser"; \
	elif [ "$$CI" = "true" ]; then \
		echo "CI: NEXO_TEST_POSTGRES_URL is not set; the PostgreSQL pass is required." >&2; exit 1; \
	else \
		echo "NEXO_TEST_POSTGRES_URL not set: skipping the PostgreSQL pass."; \
	fi

bench: $(DEV_STAMP)
	$(BIN)/python -m bench

# The README's pictures, from the demo in a throw-away database: `make screenshots SCREENS_LANGUAGE=en`
# writes the English ones to docs/screens/en/.
SCREENS_LANGUAGE ?= es
screenshots: $(DEV_STAMP)
	CHROMIUM=$(CHROMIUM) $(BIN)/python tools/screenshots.py --language $(SCREENS_LANGUAGE)

messages: $(DEV_STAMP)
	cd nexo && ../$(BIN)/nexo makemessages -l es --no-location --ignore 'tests/*' && ../$(BIN)/nexo compilemessages -l es

clean:
	rm -rf $(VENV) var/static
