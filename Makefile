# Space Inbox: run `make test` to test everything, `make help` for the rest.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: help test lint stack venv clean

help:
	@echo "make test    install what the tests need, then run every test"
	@echo "make lint    ruff on the Python code"
	@echo "make stack   install/start PHP, Debian's wordpress and MariaDB"
	@echo "make clean   remove the virtual environment and caches"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

stack:
	tools/ensure-stack

lint: venv
	$(VENV)/bin/ruff check bridge schema tests

test: stack venv lint
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .ruff_cache .pytest_cache .hypothesis *.egg-info
