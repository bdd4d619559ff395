# The one entry point: `make demo` to try the site, `make test` before pushing, `make lint` before
# committing. Needs only python3 with venv; the Debian libraries WeasyPrint needs are installed by
# `make install` when it runs as root, otherwise it prints the one command to run (the browser tests'
# packages are listed in the README; .ci/run installs everything itself).

PYTHON ?= python3
# .ci/run sets VENV to a throwaway folder so a CI run never replaces a developer's .venv.
VENV ?= .venv
BIN := $(VENV)/bin
# Extra arguments for pytest: `make test ARGS="-k vote -x"`.
ARGS ?=
# The demo's port (`make demo PORT=8080`); the links in its e-mails follow.
PORT ?= 8000
# What WeasyPrint (the letters and minutes in PDF) needs from Debian, as .ci/run installs it.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

# The stamp lives inside the venv: deleting the venv forgets the install, a new lock redoes it.
INSTALLED := $(VENV)/.installed

# The locks (requirements/*.txt): every package pinned with its hashes, resolved by pip-tools for Python 3.11
# from the ranges in pyproject.toml. base = runtime; dev = runtime, test and lint; bench = dev and gunicorn.
# `make lock` re-resolves after a range changed, keeping the other pins; `make lock LOCK_ARGS=--upgrade`
# takes the newest releases the ranges allow. pip-tools lives in a venv of its own, outside the locks.
LOCK_VENV ?= .tools
LOCK_ARGS ?=
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --build-deps-for editable $(LOCK_ARGS)

.DEFAULT_GOAL := help
.PHONY: help venv install system-packages lock demo test test-worker test-e2e lint bench

help:
	@echo "make install      the Debian libraries WeasyPrint needs (as root), then $(VENV) with the locked"
	@echo "                  test and lint dependencies, then the project"
	@echo "make lock         regenerate the locks in requirements/ from pyproject.toml (pip-tools, with hashes)"
	@echo "make demo         migrate, load the demo data and serve on http://127.0.0.1:$(PORT) (PORT=8000)"
	@echo "make test         the test suite (SQLite and eager Celery unless DATABASE_URL/REDIS_URL are set)"
	@echo "make test-worker  the tests marked worker (need REDIS_URL and a running worker, see .ci/run)"
	@echo "make test-e2e     the browser tests (need Debian's chromium at /usr/bin/chromium)"
	@echo "make lint         ruff and djlint"
	@echo "make bench        national-size dataset on PostgreSQL, then the measures (see README, Performance)"

venv install: $(INSTALLED)

# Every package comes from the lock and must match one of its hashes (setuptools too, which builds the
# project itself without reaching the network).
$(INSTALLED): requirements/dev.txt pyproject.toml | system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# Checked before every install, demo and test run (order-only: a check never reinstalls the venv).
# As root it installs what is missing with apt-get; otherwise it prints the command and stops. Outside
# Debian (no dpkg-query) it says what to look for and goes on.
system-packages:
	@if ! command -v dpkg-query >/dev/null; then \
		echo "Not a Debian system: WeasyPrint needs Pango 1.44+, HarfBuzz (with its subset library) and a font."; \
	else \
		missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null \
			| grep -q 'install ok installed' || echo $$p; done | xargs); \
		if [ -n "$$missing" ]; then \
			if [ "$$(id -u)" = 0 ]; then \
				echo "Installing the Debian libraries WeasyPrint needs: $$missing"; \
				DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
			else \
				echo "WeasyPrint needs Debian libraries; run, then make again:"; \
				echo "  sudo apt-get install -y --no-install-recommends $$missing"; \
				exit 1; \
			fi; \
		fi; \
	fi

lock:
	test -x $(LOCK_VENV)/bin/pip-compile || \
		($(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/python -m pip install --quiet 'pip-tools>=7.4,<8')
	$(PIP_COMPILE) -o requirements/base.txt pyproject.toml
	$(PIP_COMPILE) --extra test --extra lint -c requirements/base.txt -o requirements/dev.txt pyproject.toml
	$(PIP_COMPILE) --extra test --extra lint --extra bench -c requirements/dev.txt -o requirements/bench.txt \
		pyproject.toml

# The demo's e-mails go to the console of runserver, their links to this port. Its output: the
# logins, one line, then the server's.
DEMO_ENV = DEBUG=1 SITE_URL=http://127.0.0.1:$(PORT)

demo: $(INSTALLED)
	@$(DEMO_ENV) LOG_LEVEL=WARNING $(BIN)/python manage.py migrate --noinput -v 0
	@$(DEMO_ENV) LOG_LEVEL=WARNING $(BIN)/python manage.py load_demo
	@$(DEMO_ENV) TWO_FACTOR_REQUIRED=0 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

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

# The benchmark of a national deployment (README, "Performance"): PostgreSQL and Redis as .ci/run starts
# them, a database of its own (psp_bench, generated once; `make bench ARGS=--regenerate` rebuilds it).
BENCH_DB_NAME ?= psp_bench
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/$(BENCH_DB_NAME)
BENCH_ENV = DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=$(BENCH_DB) \
	REDIS_URL=redis://127.0.0.1:6379/8 SECRET_KEY=bench-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz \
	FILES_ENCRYPTION_KEYS=YmVuY2gtb25seS1rZXktbm90LWZvci1wcm9kdWN0aW8= TWO_FACTOR_REQUIRED=0 \
	ALLOW_WITHOUT_TWO_FACTOR=1 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 LOG_LEVEL=WARNING \
	EMAIL_URL=smtp://127.0.0.1:25 SITE_URL=http://127.0.0.1:8000 \
	PRIVATE_FILES_ROOT=$(CURDIR)/var/bench-private

bench: $(INSTALLED)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/bench.txt
	command -v wrk >/dev/null || (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk \
		|| echo "wrk could not be installed: the load test will be reported as missing")
	pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
	redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG || redis-server --daemonize yes \
		--bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
	for i in $$(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && break; sleep 1; done
	psql postgres://postgres@127.0.0.1:5432/postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$(BENCH_DB_NAME)'" \
		| grep -q 1 || psql postgres://postgres@127.0.0.1:5432/postgres -qc 'CREATE DATABASE $(BENCH_DB_NAME)'
	$(BENCH_ENV) $(BIN)/python manage.py migrate --noinput -v 0
	$(BENCH_ENV) $(BIN)/python manage.py bench $(ARGS)

# Backups (README, "Backups"): run with the environment of the deployment, DATABASE_URL naming the owner
# of the tables. `make backup` writes BACKUP_DIR/psp-<UTC date>/ (database.dump, files.tar, manifest.json);
# `make restore BACKUP=<that folder>` checks it and the targets (an empty database and files folder),
# `make restore BACKUP=<that folder> ARGS=--wet-run` restores.
BACKUP_DIR ?= var/backups
BACKUP ?=
.PHONY: backup restore

backup:
	$(BIN)/python manage.py backup $(BACKUP_DIR)

restore:
	@test -n "$(BACKUP)" || (echo "Name the backup folder: make restore BACKUP=$(BACKUP_DIR)/psp-..." && exit 2)
	$(BIN)/python manage.py restore $(BACKUP) $(ARGS)
