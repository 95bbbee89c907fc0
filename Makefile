# wirestream — every target bootstraps what it needs, idempotently.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
UV_VERSION := 0.13.9

.DEFAULT_GOAL := help
.PHONY: help install jars run run-feeds stop test soak test-fast lint format lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP) ## create .venv with the pinned dependencies (requirements.lock)

jars: install ## fetch the pinned Kafka broker jars into the cache (checksums checked)
	$(BIN)/wirestream broker fetch

run: install ## start a local broker, a worker and the event service, replay the sample, print the events
	$(BIN)/wirestream demo samples/articles.jsonl

run-feeds: install ## like run, but poll the sample RSS/Atom/JSONL feeds from a local file server
	$(BIN)/wirestream demo --feeds samples/feeds/local.toml

stop: install ## stop the demo's event service, worker and broker
	$(BIN)/wirestream demo --stop

lint: install ## ruff, mypy on pipeline/ and schemas/, and the layering check
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python tools/check_layering.py

test: lint ## lint, then every test tier (pure, agents, integration with a real broker)
	$(BIN)/pytest -q -m "not soak"

soak: install ## the long scale runs: 10k hostile inputs through process and broker, full chaos
	$(BIN)/pytest -q -m "soak or chaos"

test-fast: install ## only the pure and agents tiers
	$(BIN)/pytest -q -m "pure or agents"

format: install ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: ## re-pin requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean: ## remove the virtualenv and caches (not the broker jar cache)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
