# Intercampus: the everyday commands. Needs only Python 3.11+ (with venv) and make.
#
#   make demo          set up .venv, load the demo consortium on SQLite, serve http://127.0.0.1:8000 (PORT=8001 for another port)
#   make test          set up .venv with the test extras and run the whole suite on SQLite
#   make test-postgres the same suite on PostgreSQL (POSTGRES_URL=postgres://...)
#   make lint          ruff check and ruff format --check
#   make format        ruff format and ruff check --fix
#   make lock          pin the dependencies of pyproject.toml again into requirements/*.txt
#   make messages      extract new messages into the four catalogues and compile them (needs gettext)
#   make clean         remove .venv, caches and collected static files (keeps the database in var/)

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/intercampus
# Extra arguments for pytest, e.g. make test PYTEST_ARGS="-k workgroup -x"
PYTEST_ARGS ?=
# Test processes: one per core (pytest-xdist); JOBS=0 runs in this process, e.g. to use pdb.
JOBS ?= auto

BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check
LOCK := requirements/base.txt
LOCK_TEST := requirements/test.txt
# Stamps: the project is (re)installed only when pyproject.toml is newer than the last install.
INSTALLED := $(VENV)/.installed
INSTALLED_TEST := $(VENV)/.installed-test

.PHONY: demo test test-postgres lint format messages lock clean help

help:
	@sed -n 's/^#   //p' Makefile

demo: $(INSTALLED)
	$(BIN)/intercampus demo --port $(PORT)

# `make test` runs on SQLite whatever DATABASE_URL the shell has; test-postgres sets it.
test: $(INSTALLED_TEST)
	env -u DATABASE_URL -u INTERCAMPUS_ENV $(BIN)/pytest -n $(JOBS) $(PYTEST_ARGS)

test-postgres: $(INSTALLED_TEST)
	env -u INTERCAMPUS_ENV DATABASE_URL='$(POSTGRES_URL)' $(BIN)/pytest -n $(JOBS) $(PYTEST_ARGS)

lint: $(INSTALLED_TEST)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED_TEST)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Translators then fill the new entries of intercampus/locale/*/LC_MESSAGES/django.po and run
# it again; core/tests/test_translations.py fails while any message lacks a translation.
messages: $(INSTALLED_TEST)
	$(BIN)/python -m django makemessages --settings intercampus.settings \
		--locale ru --locale fr --locale pt_BR --locale zh_Hans --no-obsolete \
		--ignore '*/tests/*' --ignore tests --ignore benchmarks --ignore var
	cd intercampus && ../$(BIN)/python -m django compilemessages --settings intercampus.settings

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis test-results var/static
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "Intercampus needs Python 3.11 or newer as '$(PYTHON)'."; \
		echo "Install it, or run: make PYTHON=/path/to/python3.11 ..."; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
		echo "Python's venv module is missing. On Debian or Ubuntu install it with:"; \
		echo "    sudo apt-get install python3-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Every machine installs the exact versions of the lock files (made by `make lock` from
# pyproject.toml), then the project itself without resolving anything again.
$(INSTALLED): pyproject.toml $(LOCK) | $(BIN)/python
	$(PIP) install --quiet -r $(LOCK)
	$(PIP) install --quiet --no-deps -e .
	@touch $@

# The test lock holds the runtime lock's versions too, so this install also satisfies `make demo`.
$(INSTALLED_TEST): pyproject.toml $(LOCK_TEST) | $(BIN)/python
	$(PIP) install --quiet -r $(LOCK_TEST)
	$(PIP) install --quiet --no-deps -e .
	@touch $@ $(INSTALLED)

# After changing the dependencies in pyproject.toml: pin them again (pip-tools), commit both files.
lock: | $(BIN)/python
	$(PIP) install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links --extra test --constraint $(LOCK) \
		--output-file $(LOCK_TEST) pyproject.toml
