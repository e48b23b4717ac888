# Wuzhong Tracker — the two commands: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The embedded default: SQLite file under var/, Celery tasks inline (no broker), DEBUG on.
EMBEDDED := env -u DATABASE_URL -u CELERY_BROKER_URL DEBUG=true

.PHONY: run test lint format install clean

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (found " + sys.version.split()[0] + "); set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/.installed

run: $(BIN)/.installed
	$(EMBEDDED) $(BIN)/python manage.py migrate --noinput
	$(EMBEDDED) $(BIN)/python manage.py load_report
	$(EMBEDDED) $(BIN)/python manage.py create_demo_accounts
	@echo "后台地址：http://127.0.0.1:$(PORT)/admin/"
	$(EMBEDDED) $(BIN)/python manage.py runserver 0.0.0.0:$(PORT)

# Unit tests on SQLite, then the integration suite against the real PostgreSQL/Redis when reachable
# (skipped with a printed reason otherwise; under CI=true such a skip fails the run).
test: $(BIN)/.installed
	env -u DATABASE_URL -u CELERY_BROKER_URL DEBUG=true $(BIN)/pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var/db.sqlite3 .pytest_cache
