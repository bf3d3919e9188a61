# Space Inbox: run `make test` to test everything, `make help` for the rest.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
PYTEST_ARGS ?=
# Test processes (pytest-xdist), each taking whole files; 0 runs everything in this one.
TEST_WORKERS ?= 3

.PHONY: help demo demo-stop test load bench lint lint-php lint-js screens stack venv plugin-zip pot limits clean

help:
	@echo "make demo    run WordPress + the plugin + the bridge with demo Spaces (make demo-stop)"
	@echo "make test    install what the tests need, then run every test"
	@echo "make load    load + kill -9 test of the whole stack (~2.5 min), writes docs/load-results.json"
	@echo "make bench   the bridge against WordPress and bare Flask (bench/results/)"
	@echo "make lint    ruff and the bridge's layers on the Python code, php -l on the plugin, then make lint-js"
	@echo "make lint-js ESLint and stylelint, the WordPress way, on the plugin's scripts and styles"
	@echo "make screens refresh the README's screenshots (docs/screenshots/) from the browser tests"
	@echo "make plugin-zip  build dist/space-inbox.zip, installable from wp-admin"
	@echo "make pot     regenerate the plugin's translation template (needs gettext)"
	@echo "make limits  regenerate the plugin's copy of the API limits from bridge/limits.py"
	@echo "make stack   install/start PHP, Debian's wordpress and MariaDB"
	@echo "make clean   remove the virtual environment and caches"

# The development tools (devstack, bench) are used from the checkout, not installed: a
# .pth file puts the checkout on the environment's path.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	$(PY) -c "import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()['purelib'], 'space-inbox-dev.pth').write_text('$(CURDIR)')"
	touch $@

venv: $(VENV)/.installed

stack:
	tools/ensure-stack

demo: stack venv
	$(PY) tools/demo.py start

demo-stop:
	$(PY) tools/demo.py stop

LOAD_ARGS ?=
load: stack venv
	$(PY) tools/load.py $(LOAD_ARGS)

BENCH_ARGS ?=
bench: stack venv
	$(PY) -m bench.run $(BENCH_ARGS)

lint: venv lint-php lint-js
	$(VENV)/bin/ruff check bridge schema devstack tests tools tools/make-limits bench
	$(VENV)/bin/lint-imports

lint-php:
	@find wp_plugin -name '*.php' -print0 | xargs -0 -n1 php -l >/dev/null && echo "php -l: ok"
	@if command -v node >/dev/null 2>&1; then \
	  for f in wp_plugin/assets/*.js wp_plugin/admin/*.js; do \
	    if [ -f "$$f" ]; then node --check "$$f" || exit 1; fi; done; fi

# The plugin's scripts and stylesheets, the WordPress way: ESLint with @wordpress/eslint-plugin
# (Prettier's formatting included) and stylelint with @wordpress/stylelint-config, the
# versions pinned by package.json and package-lock.json (installed again when they change).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint-js: node_modules/.installed
	node_modules/.bin/eslint eslint.config.mjs stylelint.config.mjs wp_plugin/assets/*.js wp_plugin/admin/*.js
	node_modules/.bin/stylelint 'wp_plugin/assets/*.css'
	@echo "eslint, stylelint: ok"

# The README's screenshots: every surface at 1280 and 390 px, taken by the browser tests of
# tests/browser/test_accessibility.py and written over docs/screenshots/.
screens: stack venv
	SPACE_INBOX_SCREENSHOTS=1 $(PY) -m pytest tests/browser/test_accessibility.py -n 0 -q

plugin-zip:
	rm -rf build/plugin && mkdir -p build/plugin dist
	cp -r wp_plugin build/plugin/space-inbox
	rm -rf build/plugin/space-inbox/node_modules build/plugin/space-inbox/package*.json build/plugin/space-inbox/*.config.mjs
	rm -f dist/space-inbox.zip
	cd build/plugin && $(PYTHON) -m zipfile -c ../../dist/space-inbox.zip space-inbox
	@echo "dist/space-inbox.zip: upload it in wp-admin, Plugins, Add New, Upload Plugin"

pot:
	tools/make-pot

limits: venv
	$(PY) tools/make-limits

test: stack venv lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=10 $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .ruff_cache .pytest_cache .hypothesis *.egg-info build dist
