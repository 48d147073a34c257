# The two commands of the README:
#   make run    set up, ingest the bundled example articles into ./flashpoint.db, then serve
#               the dashboard at http://127.0.0.1:8000 (Ctrl-C stops it)
#   make test   set up (system packages too), run the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DB ?= flashpoint.db

.PHONY: run test test-slow bench lint system-deps docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/flashpoint ingest --examples --db $(DB)
	$(BIN)/flashpoint stats --db $(DB)
	$(BIN)/flashpoint articles --db $(DB) --limit 30
	$(BIN)/flashpoint serve --db $(DB)

system-deps:
	bash scripts/system-deps.sh

test: $(STAMP) system-deps
	$(BIN)/python -m pytest

test-slow: $(STAMP) system-deps
	$(BIN)/python -m pytest -m slow || [ $$? -eq 5 ]  # 5: no slow test collected

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

docs: $(STAMP)
	$(BIN)/flashpoint schema > docs/schema.json
	$(BIN)/python -m flashpoint.cli_docs > docs/cli.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
