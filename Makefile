# anjian — the two commands a new user needs: `make run` and `make test`.

CARGO ?= cargo
NPM ?= npm
# Builds share one target folder; CI points it at a cache that survives between runs.
CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TARGET_DIR
BIN := $(CARGO_TARGET_DIR)/debug/anjian
HAVE_NPM := $(shell command -v $(NPM) >/dev/null 2>&1 && echo yes)
WEB_SRC := $(shell find web/src web/index.html web/vite.config.ts web/tsconfig*.json -type f 2>/dev/null)

.PHONY: run build console test test-rust test-web test-browser lint fmt openapi clean-data help bench bench-situation

help:
	@echo "make run      build the console and anjian, start it with demo data on SQLite (http://127.0.0.1:8080)"
	@echo "make test     run every test (set ANJIAN_TEST_POSTGRES_URL to include PostgreSQL)"
	@echo "make lint     rustfmt and clippy checks"
	@echo "make openapi  regenerate openapi.json after changing the API"
	@echo "make bench    end-to-end telemetry benchmark (minutes; needs Mosquitto, optional PostgreSQL) -> docs/benchmarks.md"
	@echo "make bench-situation  dashboard endpoints on 10k enterprises / 1M hidden dangers / 10M readings, SQLite + PostgreSQL -> docs/benchmarks.md"

## The web console (Vue 3 + Element Plus) into web/dist. Without Node.js the server still runs and
## shows a page at / that says how to build the console.
console:
ifeq ($(HAVE_NPM),yes)
	@$(MAKE) --no-print-directory web/dist/index.html
else
	@echo "npm not found: skipping the web console (install Node.js 20 to build it); the API still works"
endif

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && $(NPM) ci --no-audit --no-fund

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && $(NPM) run build

build: console
	$(CARGO) build -p anjian-server

## Build, seed the demo city (idempotent) and serve it. Data lives in ./data/anjian.db.
run: build
	$(BIN) demo

## The telemetry benchmark (release build, alarm-engine bench, MQTT load runs); not part of `make test`.
## Writes docs/benchmarks.md. Settings: see scripts/bench.sh (BENCH_RATES, BENCH_PATHS, BENCH_POSTGRES ...).
bench:
	CARGO="$(CARGO)" scripts/bench.sh

## The dashboard benchmark of issue 7 (release build, SQLite and PostgreSQL, tens of minutes).
bench-situation:
	CARGO="$(CARGO)" scripts/bench-situation.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## Every test: formatting and lints, Rust unit and property tests, the storage conformance suite
## (SQLite, plus PostgreSQL when ANJIAN_TEST_POSTGRES_URL is set), API end-to-end and CLI tests,
## the console's unit tests (vitest) and the browser tests (playwright-core + Debian's chromium).
test: lint test-rust test-web test-browser

test-rust: console
	$(CARGO) test --workspace --no-fail-fast

test-web: console
ifeq ($(HAVE_NPM),yes)
	cd web && $(NPM) test
else
	@echo "npm not found: console unit tests skipped"
endif

test-browser: build
ifeq ($(HAVE_NPM),yes)
	@if [ -f tests/browser/package.json ]; then \
	  cd tests/browser && \
	  ( [ node_modules/.package-lock.json -nt package-lock.json ] || $(NPM) ci --no-audit --no-fund ) && \
	  ANJIAN_BIN=$(BIN) $(NPM) test; \
	fi
else
	@echo "npm not found: browser tests skipped"
endif

openapi: build
	$(BIN) export-openapi --output openapi.json

fmt:
	$(CARGO) fmt --all

clean-data:
	rm -rf data
