# Gongzhi — the two commands: `make run` and `make test`.
#
# A fresh Debian machine needs only python3 (with python3-venv) and node/npm. uv is
# used if it is on PATH, else installed with pip into .venv-bootstrap/.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
UV := $(shell command -v uv 2>/dev/null || echo .venv-bootstrap/bin/uv)
export UV_LINK_MODE := copy

HOST ?= 127.0.0.1
PORT ?= 8000
SIZE ?= small
# Extra arguments for pytest, e.g. make test PYTEST_ARGS="-m 'not browser' -x gongzhi/core"
PYTEST_ARGS ?=
# Workers for pytest-xdist.
JOBS ?= 2
# Set to 0 to report mypy errors without failing (e.g. while trying out a change).
MYPY_STRICT ?= 1

.PHONY: help run test browser-deps install npm migrate seed logins serve lint typecheck importlint check bench clean messages

help:
	@echo "make run    install, migrate the embedded SQLite database, seed the demo district, serve http://$(HOST):$(PORT)"
	@echo "make test   install, then run the whole test suite (pytest -n $(JOBS))"
	@echo "make check  ruff, import-linter, mypy      make bench  benchmarks      make clean  remove var/, .venv/, node_modules/"

install: .venv/.installed gongzhi/web/vendor/.installed

$(UV):
	@python3 -m venv .venv-bootstrap || { echo "python3 -m venv failed: on Debian run 'sudo apt-get install python3-venv'"; exit 1; }
	.venv-bootstrap/bin/pip install --quiet --disable-pip-version-check uv

.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

gongzhi/web/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	node scripts/vendor-assets.mjs
	touch $@

npm: gongzhi/web/vendor/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo --size $(SIZE) --if-empty

logins:
	$(PY) manage.py demo_logins --host http://$(HOST):$(PORT)

serve:
	@echo "Serving the demo at http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

run: seed
	$(PY) manage.py demo_logins --host http://$(HOST):$(PORT)
	@echo "Serving the demo at http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

# Browser tests drive Debian's chromium; a CJK font keeps Chinese legible in screenshots.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy"; then \
		echo "installing chromium and fonts-wqy-microhei (Debian packages) for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei; \
	fi

test: install browser-deps
	$(PY) -m pytest -n $(JOBS) --dist loadgroup $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: install
	.venv/bin/mypy gongzhi || [ "$(MYPY_STRICT)" = 0 ]

importlint: install
	.venv/bin/lint-imports

check: lint importlint typecheck

bench: install
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

messages:
	$(PY) manage.py makemessages -l en -l zh_Hans --ignore=.venv --ignore=node_modules
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf var/ .venv/ .venv-bootstrap/ node_modules/ gongzhi/web/vendor/
