# Two commands a newcomer needs: `make run` and `make test`. Both create the virtual
# environment in .venv and install the project on first use; later runs reuse it.
#
# They install the exact versions, checked by hash, of requirements-dev.lock (what CI
# tested), then the project itself without resolving anything more. After changing the
# dependencies in pyproject.toml, `make lock` writes the lock files again.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements-dev.lock
UV := $(VENV)/lock-tools/bin/uv
PIP := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: run test lint format lock clean

$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.12, say).")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --require-hashes -r $(LOCK)
	$(PIP) install --quiet --no-deps -e .
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python bot.py $(ARGS)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# uv resolves for every platform and Python at once (--universal) and writes plain
# requirements files that pip installs with --require-hashes: nothing but pip is needed
# to install. The runtime lock (the Docker image's) is held to the versions of the dev one.
lock:
	@test -x $(UV) || ($(PYTHON) -m venv $(VENV)/lock-tools && $(VENV)/lock-tools/bin/pip install --quiet uv)
	$(UV) pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --no-header --upgrade --quiet -o $(LOCK)
	$(UV) pip compile pyproject.toml --universal --python-version 3.11 \
		--generate-hashes --no-header --quiet -c $(LOCK) -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
