# Two commands: `make run` (set up and serve the demo on SQLite) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint-imports install setup messages bench-import bench-exam bench-coverage bench-coverage-asof bench-autosave clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The demo (and makemessages) run with DEBUG on, and so with the built-in development SECRET_KEY;
# with DEBUG off config/settings.py refuses to start without a key of its own (the tests make one: tests/settings.py).
setup run messages: export DEBUG ?= true
# The public address links and certificate QR codes point at: the host and port this server answers on, unless
# SITE_URL is given (behind a proxy, or HOST=0.0.0.0 served to other machines: their address for this one).
run: export SITE_URL ?= http://$(HOST):$(PORT)

setup: install
	$(PY) manage.py compile_translations > /dev/null
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

run: setup
	@echo ""
	@echo "  Trang web: http://$(HOST):$(PORT)/   (quản trị nội dung: http://$(HOST):$(PORT)/admin/)"
	@echo "  Địa chỉ công khai (SITE_URL, mã QR của chứng nhận): $(SITE_URL)"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install lint-imports
	$(PY) manage.py compile_translations --settings=tests.settings > /dev/null
	$(PY) -m pytest $(PYTEST_ARGS)

# The layers of ../shared/ARCHITECTURE.md (contracts in pyproject.toml): an import against the direction fails.
lint-imports: install
	$(VENV)/bin/lint-imports --no-cache

# Regenerate the catalogue after adding strings (needs GNU gettext), then translate the new entries.
messages: install
	$(PY) manage.py makemessages -l vi --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles --no-obsolete

bench-import: install
	$(PY) bench/import_roster.py

# The exam engine under load (needs PostgreSQL and Redis on 127.0.0.1, Debian's nginx; locust in its own venv):
# bench/README.md.
bench-exam: install
	test -x .venv-bench/bin/locust || ($(PYTHON) -m venv .venv-bench && .venv-bench/bin/pip install -q -r requirements-bench.txt)
	$(PY) bench/exam_setup.py
	$(PY) bench/exam_run.py
	$(PY) bench/exam_deadline.py

bench-coverage: install
	-createdb -h 127.0.0.1 -U postgres cchc_cov 2>/dev/null
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cchc_cov} $(PY) bench/coverage.py

# Coverage as of a past date from the dated history, next to one hand-written SQL query (bench/README.md).
bench-coverage-asof: install
	-createdb -h 127.0.0.1 -U postgres cchc_asof 2>/dev/null
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cchc_asof} $(PY) bench/coverage_asof.py

# The autosave's cost before and after issue 12, side by side (PostgreSQL and Redis on 127.0.0.1; git history).
bench-autosave: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cchc_save_bench} $(PY) bench/autosave_cost.py
	$(PY) bench/autosave_request.py

clean:
	rm -rf $(VENV) db.sqlite3* staticfiles media
