# Two commands do everything on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CUNTONG := $(BIN)/cuntong

.PHONY: run test bench lint check install clean-db

install: $(VENV)/.installed node_modules/.installed var/secrets.env

$(VENV)/.installed: pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e ".[dev,redis]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

var/secrets.env: | $(VENV)/.installed
	$(CUNTONG) init_secrets

run: install
	$(CUNTONG) migrate --noinput
	$(CUNTONG) demo --if-empty
	$(CUNTONG) serve 127.0.0.1:8000

test: install
	$(BIN)/pytest

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	$(CUNTONG) check
	$(CUNTONG) makemigrations --check --dry-run

clean-db:
	rm -f var/cuntong.sqlite3 var/cuntong.sqlite3-wal var/cuntong.sqlite3-shm
