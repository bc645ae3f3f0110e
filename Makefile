# Kapabel's one entry point for people and CI. `make run` and `make test` are all a new user needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
APPS   := $(patsubst src/kapabel/%/apps.py,%,$(wildcard src/kapabel/*/apps.py))
PYTEST_ARGS ?=
export KAPABEL_VAR_DIR ?= $(CURDIR)/var

.PHONY: install run test test-both test-sqlite test-postgres lint fmt typecheck messages compile-messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed compile-messages

compile-messages: $(VENV)/.installed
	$(BIN)/kapabel compile_translations

run: install
	$(BIN)/kapabel migrate --noinput
	$(BIN)/kapabel demo --employees 400 --seed 1 --if-empty
	$(BIN)/kapabel runserver 127.0.0.1:8000

# The whole suite on SQLite; on PostgreSQL too when KAPABEL_TEST_POSTGRES=1 (a throwaway cluster
# is started on a free loopback port and removed afterwards). The two runs then go side by side, each
# with its own var directory, and their output is printed one after the other when both are done.
test: install
	@if [ "$$KAPABEL_TEST_POSTGRES" = "1" ]; then $(MAKE) --no-print-directory test-both; \
	else $(MAKE) --no-print-directory test-sqlite; fi

test-both:
	@mkdir -p var/test-sqlite var/test-postgres
	@KAPABEL_VAR_DIR=$(CURDIR)/var/test-sqlite $(MAKE) --no-print-directory test-sqlite \
	  >var/test-sqlite/output.log 2>&1 & sqlite=$$!; \
	KAPABEL_VAR_DIR=$(CURDIR)/var/test-postgres $(MAKE) --no-print-directory test-postgres \
	  >var/test-postgres/output.log 2>&1 & postgres=$$!; \
	wait $$sqlite; sqlite_rc=$$?; wait $$postgres; postgres_rc=$$?; \
	cat var/test-sqlite/output.log var/test-postgres/output.log; \
	echo "== SQLite: exit $$sqlite_rc; PostgreSQL: exit $$postgres_rc =="; \
	[ $$sqlite_rc -eq 0 ] && [ $$postgres_rc -eq 0 ]

test-sqlite:
	@echo "== Test suite on SQLite =="
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	@echo "== Test suite on PostgreSQL =="
	$(BIN)/python -m kapabel.testing.pgcluster -- $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src/kapabel
	$(BIN)/lint-imports

fmt: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

# Refresh the Danish catalogues from the source (needs GNU gettext: apt-get install gettext).
messages: install
	@for app in $(APPS); do (cd src/kapabel/$$app && mkdir -p locale && ../../../$(BIN)/kapabel makemessages -l da --no-obsolete --no-location --ignore='migrations/*' >/dev/null) || exit 1; done
	@echo "Catalogues updated: translate the new entries in src/kapabel/*/locale/da/LC_MESSAGES/django.po"

bench: install
	@for script in bench/*.py; do echo "== $$script =="; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
