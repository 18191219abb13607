# causemap: `make run` and `make test` set everything up from nothing.
# Targets: run, test, lint, bench, compiled, schemas, docs, golden, screenshots, dist, clean.

SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
PY    := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# The release build: the wheel with mypyc-compiled modules, unpacked (scripts/compiled.sh).
COMPILED := build/compiled
SOURCES  := pyproject.toml $(shell find src schemas web -type f ! -path '*/__pycache__/*' ! -name '*.so')
# The tests that run a second time on the compiled build: those of the compiled modules.
COMPILED_TESTS := tests/test_compiled.py tests/test_patterns.py tests/test_patterns_cache.py \
	tests/test_patterns_typos.py tests/test_catalog.py tests/test_concepts.py tests/test_probes.py \
	tests/test_corpus.py tests/test_second_review.py tests/test_service_catalog.py

.PHONY: help setup run test lint typecheck pytest pytest-compiled compiled bench schemas docs golden screenshots dist clean

help:
	@echo "make run      set up, import the examples into the local store, serve http://127.0.0.1:8000"
	@echo "make test     set up, then ruff, mypy --strict and the whole pytest suite"
	@echo "make bench    print the benchmark table (of the compiled build, as released)"
	@echo "make compiled build the release wheel, mypyc-compiled, into build/compiled"
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

$(COMPILED)/.built: $(STAMP) $(SOURCES)
	@PYTHON=$(PY) scripts/system-deps.sh compiler
	scripts/compiled.sh

compiled: setup $(COMPILED)/.built

# The browser tests drive Debian's chromium (Playwright never downloads a browser here).
# The whole suite runs on the editable install (plain Python); then the compiled modules'
# tests run again on the release build, leaving out the few that patch module internals,
# which compiled code does not look up.
pytest: setup compiled
	@scripts/system-deps.sh postgresql chromium
	$(BIN)/pytest -q

pytest-compiled: setup compiled
	PYTHONPATH=$(COMPILED) CAUSEMAP_EXPECT_COMPILED=1 $(BIN)/pytest -q -p no:cacheprovider \
		-m "not patches_internals" $(COMPILED_TESTS)

test: lint typecheck pytest pytest-compiled

bench: setup compiled
	@scripts/system-deps.sh wrk chromium
	PYTHONPATH=$(COMPILED) $(PY) bench/run.py

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

# The sdist, the plain wheel (any platform) and the compiled one (this platform's).
dist: setup compiled
	rm -rf dist && $(PY) -m build --outdir dist . >/dev/null && cp build/wheel/*.whl dist/ && ls dist

clean:
	rm -rf $(VENV) dist build .mypy_cache .ruff_cache .pytest_cache src/*.egg-info
