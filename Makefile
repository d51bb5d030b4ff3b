# Gongzhi — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
UV := $(shell command -v uv 2>/dev/null || echo .venv-bootstrap/bin/uv)
export UV_LINK_MODE := copy

.PHONY: run test install npm migrate seed serve lint typecheck importlint check bench clean messages

install: .venv/.installed gongzhi/web/vendor/.installed

$(UV):
	python3 -m venv .venv-bootstrap && .venv-bootstrap/bin/pip install -q uv

.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

gongzhi/web/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	node scripts/vendor-assets.mjs
	touch $@

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo --size small --if-empty

run: seed
	$(PY) manage.py demo_logins
	$(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: install
	.venv/bin/mypy gongzhi

importlint: install
	.venv/bin/lint-imports

check: lint importlint typecheck

bench: install
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

messages:
	$(PY) manage.py makemessages -l en -l zh_Hans --ignore=.venv --ignore=node_modules
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf var/ .venv/ node_modules/ gongzhi/web/vendor/
