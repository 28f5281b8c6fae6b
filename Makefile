PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench fuzz clean

# Install again only when the project's dependencies change.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/parley

lint: $(STAMP)
	$(BIN)/ruff check store tui tests benchmarks
	$(BIN)/ruff format --check store tui tests benchmarks
	$(BIN)/mypy store tui

test: lint
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/store_bench.py
	$(BIN)/python benchmarks/tui_bench.py

# 10,000 damaged store and import files through `parley check` and `parley import`.
fuzz: $(STAMP)
	$(BIN)/python benchmarks/fuzz_check.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
