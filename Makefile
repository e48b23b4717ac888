# Wuzhong Tracker — the two commands: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The embedded default: SQLite file under var/, Celery tasks inline (no broker), DEBUG on.
EMBEDDED := env -u DATABASE_URL -u CELERY_BROKER_URL DEBUG=true

# What `make install` installs: the project with its test tools ([dev]); the Docker image sets EXTRAS= .
EXTRAS ?= [dev]

.PHONY: run test lint format install clean init web worker beat stack bench loadtest

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (found " + sys.version.split()[0] + "); set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.$(EXTRAS)'
	@touch $@

install: $(BIN)/.installed

# `make run`: the demo clock at DEMO_TODAY (default 3 July 2020; `make run DEMO_TODAY=` for the real
# clock), a database per demo date under var/ with the demo year lived up to that date, the day's scheduled
# jobs run once inline (so the outbox shows the day's reminders, alerts and digest; mail goes to var/mail/),
# then the development server on HOST:PORT (127.0.0.1: the demo passwords are public).
DEMO_TODAY ?= 2020-07-03
HOST ?= 127.0.0.1
RUN_DATABASE := var/$(if $(strip $(DEMO_TODAY)),demo-$(strip $(DEMO_TODAY)),db).sqlite3
RUN_ENV := $(EMBEDDED) DEMO_TODAY=$(strip $(DEMO_TODAY)) DATABASE_URL=sqlite:///$(CURDIR)/$(RUN_DATABASE) \
	SITE_URL=http://127.0.0.1:$(PORT) EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend \
	$(if $(filter 127.0.0.1 localhost,$(HOST)),,'ALLOWED_HOSTS=*')
run: $(BIN)/.installed
	@mkdir -p var
	@echo "== 数据库 $(RUN_DATABASE)$(if $(strip $(DEMO_TODAY)),（演示日期 $(strip $(DEMO_TODAY))）,（真实日期）)"
	@$(RUN_ENV) $(BIN)/python manage.py migrate --noinput --verbosity 0
	@$(RUN_ENV) $(BIN)/python manage.py load_report
	@$(RUN_ENV) $(BIN)/python manage.py create_demo_accounts
ifneq ($(strip $(DEMO_TODAY)),)
	@$(RUN_ENV) $(BIN)/python manage.py load_demo_progress
	@$(RUN_ENV) $(BIN)/python manage.py sweep_statuses
	@$(RUN_ENV) $(BIN)/python manage.py send_alerts
	@$(RUN_ENV) $(BIN)/python manage.py send_reminders
	@$(RUN_ENV) $(BIN)/python manage.py send_digest
else
	@$(RUN_ENV) $(BIN)/python manage.py sweep_statuses
endif
ifeq ($(filter 127.0.0.1 localhost,$(HOST)),)
	@echo "警告：HOST=$(HOST) 使服务器对其他计算机开放，而演示账号的密码是公开的。仅在可信网络中这样做。"
endif
	@$(BIN)/python -m wuzhong_tracker.announce $(PORT) "$(strip $(DEMO_TODAY))" &
	@$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# ---- The full stack: each process has exactly one way to start, used by docker-compose.yml, `make stack`
# and the integration suite alike. They read their configuration from the environment (README,
# "Configuration"): DATABASE_URL and CELERY_BROKER_URL at least.

# Once per deploy, before the processes start: schema, the report (idempotent), static files for the admin,
# and a first evaluation of every target so that /healthz and the lists are right from the start.
init: $(BIN)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_report
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py sweep_statuses

web: $(BIN)/.installed
	exec $(BIN)/gunicorn wuzhong_tracker.wsgi --bind 0.0.0.0:$(PORT) --workers $${WEB_CONCURRENCY:-3} \
		--timeout 60 --graceful-timeout 30 --access-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}" --no-control-socket

worker: $(BIN)/.installed
	exec $(BIN)/celery -A wuzhong_tracker worker --loglevel $${LOG_LEVEL:-INFO} --concurrency $${WORKER_CONCURRENCY:-2} \
		--without-gossip --without-mingle

beat: $(BIN)/.installed
	exec $(BIN)/celery -A wuzhong_tracker beat --loglevel $${LOG_LEVEL:-INFO}

# web + worker + beat on this host (no Docker), against the PostgreSQL and Redis in the environment.
stack: $(BIN)/.installed
	@test -n "$$DATABASE_URL" || { echo "make stack: set DATABASE_URL (postgres://…) first" >&2; exit 2; }
	@test -n "$$CELERY_BROKER_URL" || { echo "make stack: set CELERY_BROKER_URL (redis://…) first" >&2; exit 2; }
	$(MAKE) init
	exec $(BIN)/honcho --procfile Procfile start --port $(PORT)

# Stages, each timed (.ci/stage): lint; then (.ci/suites) the integration suite against the real
# PostgreSQL, Redis, worker, beat and SMTP receiver, run alongside the others since it mostly waits, its
# output printed whole at the end; meanwhile the unit suite once, in 2 processes (pytest-xdist), on
# PostgreSQL (TEST_POSTGRES_URL, the production database) when it is reachable, then the tests marked
# `sqlite` again on SQLite, the embedded default (when PostgreSQL is unreachable: the whole unit suite on
# SQLite, a failure under CI=true); the browser suite driving the system chromium (integration and browser
# tests are skipped with a printed reason when their service or browser is missing; a failure under
# CI=true); the fuzz suite (schemathesis against the live test server).
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/wuzhong
STAGE := .ci/stage
test: $(BIN)/.installed
	@$(STAGE) lint $(MAKE) --no-print-directory lint
	@.ci/suites $(TEST_POSTGRES_URL)

# The benchmark (benchmarks/run.py, docs/benchmarks.md): generates data at each size in a dedicated PostgreSQL
# database, which it creates and drops, and measures the sweep, the reports, the lists, the digest and the
# import against their SQL floor. BENCH_SIZES=2000 for a quick run; the JSON goes to var/bench/results.json.
BENCH_SIZES ?= 2000,20000
BENCH_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/wuzhong_bench
bench: $(BIN)/.installed
	env -u DATABASE_URL -u CELERY_BROKER_URL BENCH_SIZES=$(BENCH_SIZES) BENCH_POSTGRES_URL=$(BENCH_POSTGRES_URL) \
		$(BIN)/python benchmarks/run.py

# The load test (benchmarks/loadtest.py, docs/benchmarks.md): fifty officials at once for a minute against
# `make web` and `make worker` on a dedicated PostgreSQL database (created and dropped) and Redis db 12, then
# a check that every acknowledged entry exists once and every stored status equals a fresh evaluation.
loadtest: $(BIN)/.installed
	env -u DATABASE_URL -u CELERY_BROKER_URL -u DEMO_TODAY $(BIN)/python benchmarks/loadtest.py

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var/*.sqlite3* var/mail .pytest_cache
