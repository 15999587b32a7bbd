# Everything runs inside .venv, made from pyproject.toml on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
# make test's parallel workers (pytest-xdist): one per core
TEST_WORKERS ?= auto
FLASK := $(BIN)/flask --app storefront

.PHONY: run test lint install install-test migrate-check clean lighthouse screenshots \
	prod-check worker

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Node tools from package-lock.json: axe-core (the browser accessibility tests) and
# Lighthouse. npm writes node_modules/.package-lock.json on every install. Without npm the
# accessibility tests are skipped, with the reason.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the axe accessibility tests will be skipped"; fi

## Install, migrate, load the demo shop and serve it on http://127.0.0.1:$(PORT)
## The US shop (USD, sales tax by state); SHOP_PRESET=eu make run: the EU shop (EUR, VAT
## included), in its own database file (README: "Where the shop sells")
run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

## Install and run the whole test suite (PostgreSQL too when TEST_DATABASE_URL is set)
## The browser tests need Chromium at /usr/bin/chromium (apt-get install chromium), else skip
test: install-test lint node_modules/.package-lock.json
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

## ruff, mypy (its settings and the modules it leaves out: pyproject.toml), then the
## import contracts: the layers of docs/architecture.md, no page imported by the rules
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

## Lighthouse (mobile) on the main pages: bench/lighthouse.md; fails below the score targets
lighthouse: install-test node_modules/.package-lock.json
	$(BIN)/python scripts/lighthouse.py

## Screenshots of the main pages, desktop and phone, into docs/screenshots/
screenshots: install-test
	$(BIN)/python scripts/screenshots.py

## The production shape on this machine (docs/deploy.md): PostgreSQL, Redis, two gunicorn
## app hosts, nginx with TLS, an RQ worker; a purchase through each. PASS/FAIL per check.
prod-check: install-test
	$(BIN)/python scripts/prod_check.py

## Run background jobs and the periodic ones (needs REDIS_URL, the same as the web's)
worker: install
	$(FLASK) worker

## Benchmark (about 5 minutes): throwaway shops of 5,000 and 500 products under gunicorn,
## loaded with wrk beside a bare Flask app and nginx; writes bench/results.md and always
## exits 0. SQLite by default; BENCH_DATABASE_URL=postgresql://... for PostgreSQL.
## Installs wrk and nginx-light with apt-get when they are missing and this is root.
.PHONY: bench
bench: install
	@missing=""; command -v wrk >/dev/null || missing="$$missing wrk"; \
	{ command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } || missing="$$missing nginx-light"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Missing:$$missing. Not root, so not installed: run apt-get install$$missing."; \
	  fi; \
	fi
	$(BIN)/python -m bench.run

## Load with correctness (about a minute): 200 shoppers race for 10 units, then for a code
## of 3 uses, on two gunicorn stores sharing a throwaway PostgreSQL database, paying through
## the fake Stripe; prints the figures, fails if one unit or use too many is sold or on a 5xx.
## PostgreSQL: TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
.PHONY: stress
stress: install-test
	$(BIN)/python scripts/stress.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
