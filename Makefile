# The two commands: `make demo` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist), each taking whole modules; the browser tests all run in one of them.
TEST_WORKERS ?= auto

.PHONY: demo test lint install install-dev migrate seed serve clean messages

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	DEBUG=1 $(PY) manage.py migrate --no-input -v 0

seed: migrate
	DEBUG=1 $(PY) manage.py seed_demo

## Run the product on its embedded defaults with demo data: http://127.0.0.1:8000
demo: seed
	@HOST=$(HOST) PORT=$(PORT) DEBUG=1 bash scripts/run-demo.sh

## Lint and run the whole test suite, browser tests included.
test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(TEST_WORKERS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Refresh the translation catalogue after changing user-facing strings (needs GNU gettext).
messages: install-dev
	DEBUG=1 $(PY) manage.py makemessages -l nb --no-obsolete --ignore='.venv/*' --ignore='bench/*' --ignore='tests/*'
	DEBUG=1 $(PY) manage.py compile_translations

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
