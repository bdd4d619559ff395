# The one entry point: `make demo` to try the site, `make test` before pushing, `make lint` before
# committing. Needs only python3 with venv; the Debian packages WeasyPrint and the browser tests
# need are listed in the README (.ci/run installs them itself).

PYTHON ?= python3
# .ci/run sets VENV to a throwaway folder so a CI run never replaces a developer's .venv.
VENV ?= .venv
BIN := $(VENV)/bin
# Extra arguments for pytest: `make test ARGS="-k vote -x"`.
ARGS ?=

# The stamp lives inside the venv: deleting the venv forgets the install, editing pyproject.toml redoes it.
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv install demo test test-worker test-e2e lint

help:
	@echo "make install      create $(VENV) and install the project with its test and lint extras"
	@echo "make demo         migrate, load the demo data and serve on http://127.0.0.1:8000"
	@echo "make test         the test suite (SQLite and eager Celery unless DATABASE_URL/REDIS_URL are set)"
	@echo "make test-worker  the tests marked worker (need REDIS_URL and a running worker, see .ci/run)"
	@echo "make test-e2e     the browser tests (need Debian's chromium at /usr/bin/chromium)"
	@echo "make lint         ruff and djlint"

venv install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	touch $@

demo: $(INSTALLED)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo
	DEBUG=1 TWO_FACTOR_REQUIRED=0 $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(INSTALLED)
	$(BIN)/pytest $(ARGS)

test-worker: $(INSTALLED)
	$(BIN)/pytest -m worker $(ARGS)

test-e2e: $(INSTALLED)
	$(BIN)/pytest -m e2e $(ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint --check templates/
	$(BIN)/djlint --lint templates/
