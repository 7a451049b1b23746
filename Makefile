# Two commands do everything on a fresh machine: `make run` and `make test` (see README.md).
# Python 3.12 where the machine has it (python3 itself, python3.12, or pyenv's), else python3 (3.11 is the minimum):
# on 3.12 coverage measures through sys.monitoring instead of a tracer, which makes `make test` a quarter faster.
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for p in python3 python3.12 $$(ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | sort -rV); do \
  "$$p" -c 'import sys, venv; sys.exit(sys.version_info[:2] < (3, 12))' 2>/dev/null && { echo "$$p"; exit; }; done; echo python3)
endif
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VENV := .venv
BIN := $(VENV)/bin
CUNTONG := $(BIN)/cuntong
# One stamp per Python version: a checkout whose .venv was built with another Python gets a fresh one.
INSTALLED := $(VENV)/.installed-$(PYTHON_VERSION)

.PHONY: run test bench lint check install clean-db messages

install: $(INSTALLED) node_modules/.installed var/secrets.env

$(INSTALLED): pyproject.toml requirements/constraints.txt
	@# a venv of another Python is rebuilt, not upgraded in place
	$(BIN)/python -c 'import sys; sys.exit("%d.%d" % sys.version_info[:2] != "$(PYTHON_VERSION)")' 2>/dev/null \
	  || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e ".[dev,redis]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

var/secrets.env: | $(INSTALLED)
	$(CUNTONG) init_secrets

run: install
	$(CUNTONG) migrate --noinput
	$(CUNTONG) demo --if-empty
	$(CUNTONG) serve 127.0.0.1:8000

# Coverage ratchet: the suite fails if line coverage drops below this; raise it as coverage grows, never lower it.
COVERAGE_MIN := 95

# pytest-xdist: one worker per core where the machine has more than one (TEST_WORKERS=0 runs without workers).
TEST_WORKERS ?= $(shell [ "$$(nproc 2>/dev/null || echo 1)" -gt 1 ] && echo auto || echo 0)

test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --cov=cuntong --cov-report=term:skip-covered --cov-fail-under=$(COVERAGE_MIN)

# Benchmark data sizes: small (default, a few minutes), full (the sizes the issues quote), or tiny (every benchmark in
# well under a minute; CI runs it). PROVINCE=1 also measures the pages with Guangdong's 124 generated counties added.
SIZE ?= small
PROVINCE ?=

bench: install
	$(BIN)/python -m bench --size $(SIZE) $(if $(PROVINCE),--province)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

check: install
	$(CUNTONG) check
	$(CUNTONG) makemigrations --check --dry-run

clean-db:
	rm -f var/cuntong.sqlite3 var/cuntong.sqlite3-wal var/cuntong.sqlite3-shm

# Extract each app's Chinese source strings into its locale/en/LC_MESSAGES/django.po, then compile every .po.
messages: install
	@for app in cuntong/*/; do \
	  if ls $$app*.py >/dev/null 2>&1 && [ "$$app" != "cuntong/locale/" ]; then \
	    mkdir -p $$app/locale; \
	    (cd $$app && $(CURDIR)/$(CUNTONG) makemessages -l en --no-obsolete --no-location --ignore 'tests/*' -v 0); \
	  fi; \
	done
	$(CUNTONG) compilemessages -l en --ignore .venv --ignore node_modules -v 0
