# Two set-up commands for a fresh machine with Python 3.11: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := run.py

.PHONY: run test venv db lint translations ci-services

$(BIN)/.installed: requirements.txt
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

venv: $(BIN)/.installed

translations: venv
	$(BIN)/pybabel compile -f -d translations 2>/dev/null || true

db: venv translations
	$(BIN)/flask db upgrade
	$(BIN)/flask portal seed-demo --if-empty

# Portal on http://127.0.0.1:5000 plus the Huey consumer (jobs) in one command; Ctrl-C stops both.
run: db
	bash scripts/run.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: venv translations
	bash scripts/test.sh
