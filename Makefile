# ITPP Tracker: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# The tests always run on PostgreSQL: DATABASE_URL when set, else the local server.
TEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/itpp)
# ...and share the local Redis, in a database number of their own (tests/environment.py).
TEST_REDIS_URL ?= redis://127.0.0.1:6379/7

export DJANGO_SETTINGS_MODULE := itpp.settings

.PHONY: help install messages run serve worker beat migrate test lint format checks check-deploy backup restore bench \
	compose-up compose-down compose-logs clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@scripts/ensure-venv "$(PYTHON)" "$(VENV)"
	@scripts/ensure-system-packages
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed messages ## Create the virtualenv, install pinned dependencies, compile the catalogues

# The translation catalogues (docs/i18n.md): each .mo is remade when its .po is newer, so a
# changed or new catalogue is compiled by the next `make install`, `run` or `test`; with no
# .po in locale/ there is nothing to do. The .mo files are build output (.gitignore).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

messages: $(MO_FILES) ## Compile the translation catalogues (locale/*/LC_MESSAGES/*.po)

locale/%.mo: locale/%.po | $(VENV)/.installed
	DJANGO_SECRET_KEY=compilemessages $(PY) manage.py compilemessages --locale $(firstword $(subst /, ,$*)) --verbosity 0

.env:
	@scripts/write-dev-env > .env
	@echo "Wrote .env for local development (DEBUG on, a fresh random secret key, SQLite)."

migrate: install .env ## Apply database migrations
	$(PY) manage.py migrate --noinput

run: migrate ## Set everything up and serve the app on http://127.0.0.1:8000
	@$(PY) manage.py create_first_admin
	@echo "Serving on http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/). Ctrl-C stops it."
	$(PY) manage.py runserver $(HOST):$(PORT)

serve: migrate ## Serve with gunicorn (as in production) instead of the development server
	$(PY) manage.py collectstatic --noinput --verbosity 0
	GUNICORN_BIND=$(HOST):$(PORT) $(VENV)/bin/gunicorn itpp.wsgi

worker: migrate ## Run a Celery worker (needs REDIS_URL or CELERY_BROKER_URL in .env)
	$(VENV)/bin/celery -A itpp worker --loglevel INFO

beat: migrate ## Run Celery beat, the scheduler of periodic tasks (one per deployment)
	$(VENV)/bin/celery -A itpp beat --loglevel INFO --schedule "$${CELERY_BEAT_SCHEDULE_FILE:-/tmp/itpp-celerybeat-schedule}"

test: install ## Set everything up and run the whole test suite on PostgreSQL
	@DATABASE_URL="$(TEST_DATABASE_URL)" scripts/ensure-postgres "$(PY)"
	@REDIS_URL="$(TEST_REDIS_URL)" scripts/ensure-redis "$(PY)"
	@# The browser tests drive Debian's Chromium (skip them with PYTEST_ARGS="-m 'not browser'").
	@scripts/ensure-chromium
	@# The tests run with production settings, whose static storage needs the manifest.
	DJANGO_DEBUG=false DJANGO_SECRET_KEY="$$(scripts/random-secret)" \
		$(PY) manage.py collectstatic --noinput --verbosity 0
	DATABASE_URL="$(TEST_DATABASE_URL)" TEST_REDIS_URL="$(TEST_REDIS_URL)" $(PY) -m pytest $(PYTEST_ARGS)

lint: install ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## Format and fix what ruff can
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

checks: install ## Django system checks, missing migrations, and the deployment check
	@DATABASE_URL="$(TEST_DATABASE_URL)" scripts/ensure-postgres "$(PY)"
	DATABASE_URL="$(TEST_DATABASE_URL)" DJANGO_SECRET_KEY="$$(scripts/random-secret)" \
		$(PY) manage.py check --fail-level WARNING
	DATABASE_URL="$(TEST_DATABASE_URL)" DJANGO_SECRET_KEY="$$(scripts/random-secret)" \
		$(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-deploy

check-deploy: install ## manage.py check --deploy with production settings (no warnings allowed)
	env -u DJANGO_SECURE_SSL_REDIRECT -u DJANGO_SECURE_COOKIES -u DJANGO_SECURE_HSTS_SECONDS \
		DJANGO_DEBUG=false DJANGO_SECRET_KEY="$$(scripts/random-secret)" DJANGO_ALLOWED_HOSTS=itpp.example.org \
		DATABASE_URL="$(TEST_DATABASE_URL)" \
		$(PY) manage.py check --deploy --fail-level WARNING

backup: install ## Write a timestamped pg_dump of the configured database into backups/
	$(PY) manage.py backup_database

restore: install ## Restore a backup: make restore FILE=backups/itpp-YYYYmmdd-HHMMSS.dump
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/itpp-YYYYmmdd-HHMMSS.dump"; exit 2; }
	$(PY) manage.py restore_database "$(FILE)"

SIZES ?= 100000
bench: install ## Benchmark against PostgreSQL's floor (SIZES="100000 1000000" REPEATS=9); see docs/performance.md
	@command -v wrk >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || true
	@DATABASE_URL="$(TEST_DATABASE_URL)" scripts/ensure-postgres "$(PY)"
	BENCH_DATABASE_URL="$(or $(BENCH_DATABASE_URL),$(TEST_DATABASE_URL))" $(PY) bench/run.py --sizes $(SIZES) \
		$(if $(REPEATS),--repeats $(REPEATS))

compose-up: ## Build and start the production stack with docker compose (needs .env, see .env.example)
	docker compose up -d --build

compose-down: ## Stop the docker compose stack (the database volume is kept)
	docker compose down

compose-logs: ## Follow the docker compose logs
	docker compose logs -f

clean: ## Remove the virtualenv, collected static files and caches (keeps .env and db.sqlite3)
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
