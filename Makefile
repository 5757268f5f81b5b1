# The commands a newcomer and CI run (README.md). Everything runs from the repo root.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-12)

.PHONY: dev test lint format bench lock system-packages venv clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

system-packages:
	@bash tools/ensure_system_packages.sh

dev: system-packages venv
	$(BIN)/python -m tools.devstack

test: system-packages venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the locks after editing requirements.in / requirements-dev.in: every transitive
# dependency pinned with hashes (pip then installs exactly these files, nothing else).
# Existing pins are kept unless an .in file asks otherwise; `make lock UPGRADE=--upgrade`
# moves everything to the newest allowed versions.
LOCK := $(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 --custom-compile-command "make lock" $(UPGRADE)
lock: venv
	$(LOCK) requirements.in -o requirements.txt
	$(LOCK) requirements-dev.in -o requirements-dev.txt

bench: system-packages venv
	$(BIN)/python -m tools.bench

clean:
	rm -rf .local $(VENV)
