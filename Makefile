# OCOP Tracer. `make run` serves the demo on http://127.0.0.1:8000; `make test` runs the test suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export PYTHONDONTWRITEBYTECODE := 1
# `make run` starts a witness beside the service (its own key and SQLite file under this folder)
WITNESS_DIR := $(or $(TRACER_INSTANCE_PATH),instance)/demo-witness
WITNESS_PORT ?= 8100

.PHONY: run test install install-dev lint typecheck bench translations clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

run: install
	$(PY) -m tracer init
	$(PY) -m tracer demo --once
	@mkdir -p $(WITNESS_DIR)
	@test -f $(WITNESS_DIR)/witness.toml || { key="$$($(PY) -m tracer ledger key)"; \
		printf 'name = "witness.demo.local/w1"\nlogs = ["%s"]\nverify_map = true\n[tiles]\n"%s" = "http://127.0.0.1:8000/log/"\n' \
		"$$key" "$${key%%+*}" > $(WITNESS_DIR)/witness.toml; }
	$(PY) -m tracer witness init --config $(WITNESS_DIR)/witness.toml
	@echo "OCOP Tracer is starting:"
	@echo "  home page      http://127.0.0.1:8000/"
	@echo "  health         http://127.0.0.1:8000/healthz"
	@echo "  scanner        http://127.0.0.1:8000/scan"
	@echo "  producer login http://127.0.0.1:8000/login"
	@echo "  API document   http://127.0.0.1:8000/api/v1/openapi.json"
	@echo "  log (tiles)    http://127.0.0.1:8000/log/checkpoint  (cosigned by the witness on :$(WITNESS_PORT),"
	@echo "                 which recomputes the verifiable map from the tiles before it cosigns)"
	@$(PY) -m tracer witness serve --config $(WITNESS_DIR)/witness.toml --port $(WITNESS_PORT) & witness=$$!; \
	trap 'kill $$witness 2>/dev/null' EXIT INT TERM; \
	TRACER_WITNESSES="$$($(PY) -m tracer witness key --config $(WITNESS_DIR)/witness.toml) \
	http://127.0.0.1:$(WITNESS_PORT)" $(VENV)/bin/gunicorn -c config/gunicorn.conf.py -b 127.0.0.1:8000 wsgi:app

# Two workers (a test file stays on one worker: some files write what their later tests read); 1 for none.
PYTEST_WORKERS ?= 2

# Tests marked exclusive (they restart PostgreSQL) run alone afterwards, writing junit-exclusive.xml when a
# junit file is asked for; exit 5 (none selected, e.g. PYTEST_ARGS naming other tests) is not a failure.
test: install-dev
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile -m "not exclusive" $(PYTEST_ARGS)
	$(PY) -m pytest -m exclusive $(subst junit.xml,junit-exclusive.xml,$(PYTEST_ARGS)) || [ $$? -eq 5 ]

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install-dev
	$(VENV)/bin/mypy

bench: install-dev
	bench/run

translations: install-dev
	$(PY) scripts/translate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
