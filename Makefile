# Okienko — two commands: `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# pip on these machines warns about missing local mirrors on every package; keep the log readable.
QUIET_PIP := 2>&1 | { grep -v '^WARNING: Location' || true; }
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
export DJANGO_SETTINGS_MODULE ?= okienko.conf.settings

.PHONY: run run-agency test install assets migrate demo worker lint typecheck format messages openapi backup restore bench clean browser services

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24,<26" $(QUIET_PIP)

$(STAMP): $(BIN)/python requirements-dev.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements-dev.txt $(QUIET_PIP)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e . $(QUIET_PIP)
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m okienko.manage vendor_assets
	$(BIN)/python -m okienko.manage compilemessages --ignore=.venv --ignore=node_modules -v 0

## make run: set up and start the whole product on embedded SQLite with demo data.
run: install
	$(BIN)/python -m okienko.manage migrate --noinput -v 0
	$(BIN)/python -m okienko.manage demo --once
	$(BIN)/python -m okienko.manage collectstatic --noinput -v 0
	$(BIN)/python -m okienko.manage runall

## make run-agency: a second installation in the agency edition (issue 18): only Kontraktor's
## desk and the exchange, its own database and files in var-agency/, on port 8001, with the demo
## agency Praca Plus (docs/contracting/agency-edition.md says how to pair it with `make run`'s PUP).
AGENCY_ENV := OKIENKO_EDITION=agency OKIENKO_VAR_DIR=$(CURDIR)/var-agency OKIENKO_SITE_URL=http://127.0.0.1:8001 OKIENKO_EMAIL_PORT=1026
run-agency: install
	mkdir -p var-agency
	$(AGENCY_ENV) $(BIN)/python -m okienko.manage migrate --noinput -v 0
	$(AGENCY_ENV) $(BIN)/python -m okienko.manage demo --once
	$(AGENCY_ENV) $(BIN)/python -m okienko.manage collectstatic --noinput -v 0
	$(AGENCY_ENV) $(BIN)/python -m okienko.manage runall --port 8001 --no-inbound-mail --no-telephony

## make test: install what the tests need and run the whole suite in parallel.
test: install browser services
	$(BIN)/python -m pytest -n auto -p no:cacheprovider --durations=25

# Browser tests drive Debian's chromium; install it when we are root and it is missing.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)) ; \
	  else echo "chromium missing: browser tests will be skipped"; fi; \
	fi

# The e-mail tests talk to a real IMAP server: Debian's dovecot, started by the tests on a loopback
# port with its configuration in a temporary folder; install it when we are root and it is missing.
services:
	@if [ ! -x /usr/sbin/dovecot ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -qq dovecot-imapd >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq dovecot-imapd)) ; \
	    systemctl disable --now dovecot >/dev/null 2>&1 || true; \
	  else echo "dovecot missing: the IMAP tests will be skipped"; fi; \
	fi
	@# Prompts' speech (espeak-ng), resampling (sox) and uploaded audio (ffmpeg/ffprobe): the audio tests.
	@if [ ! -x /usr/bin/espeak-ng ] || [ ! -x /usr/bin/sox ] || [ ! -x /usr/bin/ffmpeg ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -qq espeak-ng sox ffmpeg >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq espeak-ng sox ffmpeg)) ; \
	  else echo "espeak-ng, sox or ffmpeg missing: the telephony audio tests will be skipped"; fi; \
	fi
	@# Real SIP peers for the embedded SIP line's tests: baresip (caller and agent phone, in a network
	@# namespace made with iproute2) and SIPp (20 concurrent calls).
	@if [ ! -x /usr/bin/baresip ] || [ ! -x /usr/bin/sipp ] || ! command -v ip >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -qq baresip-core sip-tester iproute2 >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq baresip-core sip-tester iproute2)) ; \
	  else echo "baresip, sipp or ip missing: the SIP end-to-end tests will be skipped"; fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

## make messages: refresh every app's Polish and English catalogue, then compile them.
messages: $(STAMP)
	for app in src/okienko/*/; do \
	  if [ -f "$$app/apps.py" ]; then (cd $$app && mkdir -p locale && ../../../$(BIN)/django-admin makemessages -l pl -l en --no-obsolete -v 0); fi; \
	done
	$(BIN)/python -m okienko.manage compilemessages --ignore=.venv --ignore=node_modules -v 0

openapi: $(STAMP)
	$(BIN)/python -m okienko.manage spectacular --lang en --file docs/api/openapi.yaml --validate --fail-on-warn

backup: $(STAMP)
	$(BIN)/python -m okienko.manage backup_db

restore: $(STAMP)
	$(BIN)/python -m okienko.manage restore_db $(FILE)

worker: $(STAMP)
	$(BIN)/celery -A okienko.conf.celery worker -l info

clean:
	rm -rf $(VENV) node_modules var/static

openapi-check: $(STAMP)
	@$(BIN)/python -m okienko.manage spectacular --lang en --file var/openapi-check.yaml --validate --fail-on-warn
	@diff -u docs/api/openapi.yaml var/openapi-check.yaml || (echo "docs/api/openapi.yaml is out of date: run make openapi" && exit 1)
