# anjian — the two commands a new user needs: `make run` and `make test`.

CARGO ?= cargo
# Builds share one target folder; CI points it at a cache that survives between runs.
CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TARGET_DIR
BIN := $(CARGO_TARGET_DIR)/debug/anjian

.PHONY: run build test lint fmt openapi clean-data help

help:
	@echo "make run      build and start anjian with demo data on SQLite (http://127.0.0.1:8080)"
	@echo "make test     run every test (set ANJIAN_TEST_POSTGRES_URL to include PostgreSQL)"
	@echo "make lint     rustfmt and clippy checks"
	@echo "make openapi  regenerate openapi.json after changing the API"

build:
	$(CARGO) build -p anjian-server

## Build, seed the demo city (idempotent) and serve it. Data lives in ./data/anjian.db.
run: build
	$(BIN) demo

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## Every test: formatting and lints, unit tests, the storage conformance suite (SQLite, plus
## PostgreSQL when ANJIAN_TEST_POSTGRES_URL is set), API end-to-end tests and CLI tests.
test: lint
	$(CARGO) test --workspace --no-fail-fast

openapi: build
	$(BIN) export-openapi --output openapi.json

fmt:
	$(CARGO) fmt --all

clean-data:
	rm -rf data
