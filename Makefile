# NIR avslutning — the two commands a new machine needs are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
# Playwright for Python drives Debian's chromium (make browser); it never downloads a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: help setup browser office run stop status test test-unit infra-up infra-down infra-status schemas lint fmt

help:
	@echo "make run     start Kafka, PostgreSQL, the identity provider, the four services and the web application (installs what is missing)"
	@echo "make test    run the whole test suite against real Kafka, PostgreSQL and identity provider (installs and starts them)"
	@echo "make stop    stop the services and the infrastructure (data and jar cache are kept)"
	@echo "make status  what is running"
	@echo "make lint    ruff (lint and format check), mypy and the AsyncAPI CLI's validation, as CI runs them before the tests"
	@echo "make fmt     format the code (ruff format) and apply ruff's safe fixes"

# Python dependencies from the lock file (uv is installed from PyPI if it is missing), npm packages from
# package-lock.json (again only when node_modules is missing or older than the lock).
setup: node_modules/.npm-ci
	@command -v uv >/dev/null 2>&1 && uv --version | grep -q "$(UV_VERSION)" || python3 -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@uv sync --frozen --quiet
	@echo "[setup] Python environment ready (.venv, from uv.lock)"

# --ignore-scripts: no package's install script runs (none may fetch anything from outside the registry).
node_modules/.npm-ci: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "[setup] npm missing: apt-get install -y nodejs npm" >&2; exit 1; }
	@npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@
	@echo "[setup] npm packages ready (node_modules, from package-lock.json)"

infra-up:
	@bash deploy/local/infra.sh up

infra-down:
	@bash deploy/local/infra.sh down

infra-status:
	@bash deploy/local/infra.sh status

run: setup infra-up
	@bash deploy/local/services.sh up
	@PYTHONPATH=. .venv/bin/python deploy/local/demo.py
	@echo
	@echo "NIR avslutning is running with demo data. Log in as a caseworker: http://127.0.0.1:8080"
	@echo "The APIs: http://127.0.0.1:8081/docs and http://127.0.0.1:8084/docs"
	@echo "(«Authorize» logs in at the identity provider's page). Stop it with: make stop"

stop:
	@bash deploy/local/services.sh down
	@bash deploy/local/infra.sh down

status:
	@bash deploy/local/infra.sh status
	@bash deploy/local/services.sh status

# Debian's chromium, the browser the tests drive with Playwright (installed once, as root).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] || { echo "[browser] chromium missing: apt-get install -y chromium" >&2; exit 1; }; \
	  echo "[browser] installing Debian's chromium (once) ..."; apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Debian's LibreOffice Calc (without the GUI) for the test that opens the report's CSV and Excel files as a
# user's spreadsheet program does (installed once, as root).
office:
	@command -v soffice >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] || { echo "[office] LibreOffice missing: apt-get install -y --no-install-recommends libreoffice-calc-nogui" >&2; exit 1; }; \
	  echo "[office] installing Debian's LibreOffice Calc (once) ..."; apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null; }

test: setup infra-up browser office
	@uv run --frozen pytest

test-unit: setup
	@uv run --frozen pytest tests/unit tests/contracts

# Zero findings is the bar: CI (.ci/run) runs this before the tests.
lint: setup
	@uv run --frozen ruff check .
	@uv run --frozen ruff format --check .
	@uv run --frozen mypy
	@uv run --frozen python -m services.plumbing.asyncapi --check

# Fixes first: an applied fix (import order, say) may leave lines the formatter then settles.
fmt: setup
	@uv run --frozen ruff check --fix .
	@uv run --frozen ruff format .

schemas: setup
	@uv run --frozen python -m shared.events.schema
