# causemap: `make run` and `make test` set everything up from nothing.
# Targets: run, test, lint, bench, schemas, docs, golden, screenshots, dist, clean.

SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
PY    := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: help setup run test lint typecheck pytest bench schemas docs golden screenshots dist clean

help:
	@echo "make run      set up, import the examples into the local store, serve http://127.0.0.1:8000"
	@echo "make test     set up, then ruff, mypy --strict and the whole pytest suite"
	@echo "make bench    print the benchmark table"
	@echo "make schemas  regenerate schemas/ from the models"
	@echo "make docs     regenerate the CLI reference in README.md and the example diagram"
	@echo "make golden   regenerate the golden DOT, Mermaid and Markdown files in tests/golden/"
	@echo "make screenshots  regenerate the web editor screenshots in docs/screenshots/"

$(BIN)/python:
	@py=$$(scripts/python.sh) && "$$py" -m venv $(VENV)
	@$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)
	@scripts/system-deps.sh graphviz

run: setup
	$(BIN)/causemap import examples/
	@echo "causemap: open http://127.0.0.1:8000 (API docs: http://127.0.0.1:8000/docs); Ctrl-C stops"
	$(BIN)/causemap serve --host 127.0.0.1 --port 8000

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: setup
	$(BIN)/mypy

# The browser tests drive Debian's chromium (Playwright never downloads a browser here).
pytest: setup
	@scripts/system-deps.sh postgresql chromium
	$(BIN)/pytest -q

test: lint typecheck pytest

bench: setup
	@scripts/system-deps.sh wrk chromium
	$(PY) bench/run.py

schemas: setup
	$(BIN)/causemap schema --out schemas

docs: setup
	$(PY) scripts/gen_cli_reference.py
	$(PY) scripts/gen_example_diagram.py

golden: setup
	$(PY) scripts/regen_golden.py

screenshots: setup
	@scripts/system-deps.sh chromium
	$(PY) scripts/screenshots.py

dist: setup
	rm -rf dist && $(PY) -m build --outdir dist . >/dev/null && ls dist

clean:
	rm -rf $(VENV) dist build .mypy_cache .ruff_cache .pytest_cache src/*.egg-info
