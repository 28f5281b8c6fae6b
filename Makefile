# The first Python 3.11 or newer on the PATH; `make PYTHON=/path/to/python3` picks another.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 \
	&& { echo "$$p"; break; }; done)
NO_PYTHON := Parley needs Python 3.11 or newer, and none was found: install one \
(e.g. apt install python3.11 python3.11-venv, or brew install python@3.12), \
or name it with make PYTHON=/path/to/python3
STALE_LOCK := the lock files lack a dependency pyproject.toml asks for \
(see $(BIN)/python -m pip check): run make lock
# Python keeps what it compiles (in __pycache__/, which git ignores) even where the
# environment says not to write bytecode: else each start of parley, each test worker
# and each process a test starts compiles the project, and pytest rewrites every test
# file's asserts, again (5 s a worker before the first test runs).
export PYTHONDONTWRITEBYTECODE :=
VENV := .venv
BIN := $(VENV)/bin
# The exact versions, with their hashes, that make run and make test install.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
# uv, only for make lock: it resolves and hashes in seconds where pip-compile takes minutes.
LOCK_TOOLS := .venv-lock
UV := $(LOCK_TOOLS)/bin/uv

.PHONY: run test lint bench fuzz lock clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "make: $(NO_PYTHON)" >&2; exit 1; }
	@echo "make: creating the virtual environment in $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)

# Install again only when a lock file or the project's metadata changes. Each
# requirement must match a hash in the lock, and nothing outside it is installed;
# Parley itself is then installed, editable, from the checkout with no dependencies.
$(VENV)/.run-installed: $(LOCK) pyproject.toml | $(BIN)/python
	@echo "make: installing the locked dependencies from $(LOCK) (a minute or so the first time)"
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	@echo "make: installing Parley from this checkout"
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/python -m pip check >/dev/null || { echo "make: $(STALE_LOCK)" >&2; exit 1; }
	@touch $@

$(VENV)/.dev-installed: $(DEV_LOCK) pyproject.toml | $(BIN)/python
	@echo "make: installing the locked dependencies and test tools from $(DEV_LOCK) (a minute or two the first time)"
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(DEV_LOCK)
	@echo "make: installing Parley from this checkout"
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/python -m pip check >/dev/null || { echo "make: $(STALE_LOCK)" >&2; exit 1; }
	@touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/parley

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check store tui tests benchmarks
	$(BIN)/ruff format --check store tui tests benchmarks
	$(BIN)/mypy store tui

# Two workers per core: an app test waits on the app's timers about a third of its time,
# and a second worker uses what the first leaves idle. Each worker takes the next test
# as it finishes one, and steals from the others' queues at the end: the tests differ a
# hundredfold in length, and none is left waiting behind a long one.
WORKERS = $(shell $(BIN)/python -c "import os; print(2 * (os.cpu_count() or 1))" 2>/dev/null || echo 2)
test: lint
	@echo "make: running the tests"
	$(BIN)/python -m pytest -q -n $(WORKERS) --dist worksteal --durations=15

bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/store_bench.py
	$(BIN)/python benchmarks/tui_bench.py
	$(BIN)/python benchmarks/sync_bench.py
	$(BIN)/python benchmarks/engine_bench.py
	$(BIN)/python benchmarks/sort_bench.py
	$(BIN)/python benchmarks/form_bench.py

# 10,000 damaged store and import files through `parley check` and `parley import`;
# 5,000 damaged JSON and CSV exports each through the import, the store checked after;
# three laptops syncing at random, longer than in make test; 200 syncs killed part-way;
# 20,000 random key sequences typed into the dashboard's and the reader's dialogs.
fuzz: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/fuzz_check.py
	PARLEY_IMPORT_EXAMPLES=5000 $(BIN)/python -m pytest -q tests/test_exchange.py -k fuzzed
	PARLEY_SYNC_EXAMPLES=200 $(BIN)/python -m pytest -q tests/test_sync_property.py --hypothesis-show-statistics
	$(BIN)/python benchmarks/sync_kills.py
	PARLEY_FUZZ_EXAMPLES=20000 $(BIN)/python -m pytest -q tests/test_slips_fuzz.py

# Pin every dependency in pyproject.toml (and setuptools, which builds Parley) to
# its newest allowed version, for every Python from 3.11 and every platform.
# A version already in a lock file is kept unless pyproject.toml now excludes it
# (`make lock UPGRADE=1` takes the newest of everything); a lock file left with
# merge conflict markers is pinned afresh. The run-time lock takes the development
# lock's versions, so that make run and make test run the same libraries.
UV_COMPILE := $(UV) pip compile pyproject.toml - --universal --python-version 3.11 \
	--generate-hashes --quiet --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
define pin
	@if grep -qE '^(<<<<<<<|=======|>>>>>>>)' $(1) 2>/dev/null; then \
		echo "make: $(1) has merge conflict markers; pinning afresh" >&2; rm -f $(1); fi
	echo "setuptools>=68" | $(UV_COMPILE) $(2) -o $(1)
endef

lock:
	@test -x $(UV) || { test -n "$(PYTHON)" || { echo "make: $(NO_PYTHON)" >&2; exit 1; }; \
		$(PYTHON) -m venv $(LOCK_TOOLS) && $(LOCK_TOOLS)/bin/python -m pip install --quiet "uv>=0.5,<1"; }
	$(call pin,$(DEV_LOCK),--extra dev)
	$(call pin,$(LOCK),--constraint $(DEV_LOCK))

clean:
	rm -rf $(VENV) $(LOCK_TOOLS) .pytest_cache .mypy_cache .ruff_cache
