# The commands a newcomer and CI run (README.md). Everything runs from the repo root.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-12)

.PHONY: dev test test-random lint format bench lock system-packages test-system-packages venv clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

system-packages:
	@bash tools/ensure_system_packages.sh

test-system-packages:
	@bash tools/ensure_system_packages.sh --browser

dev: system-packages venv
	$(BIN)/python -m tools.devstack

# The suite under coverage (child processes included), the same locally and in CI: property
# tests use the pinned Hypothesis profile; the floor applies to branch coverage of mathvidya/
# (only for the whole suite: PYTEST_ARGS selecting a part still prints the report).
# TEST_WORKERS pytest-xdist processes share the tests (0: one process); each starts its own
# servers, and coverage follows each as a child process (docs/development.md).
BRANCH_FLOOR ?= 92
TEST_WORKERS ?= 2
test: test-system-packages venv
	rm -rf .local/coverage && mkdir -p .local/coverage
	COVERAGE_RCFILE=tests/coverage.ini $(BIN)/coverage run -m pytest -n $(TEST_WORKERS) --dist load --durations=30 $(PYTEST_ARGS)
	$(BIN)/python -m tests.coverage_gate --branch-floor $(if $(PYTEST_ARGS),0,$(BRANCH_FLOOR))

# Exploration: fresh Hypothesis examples from a printed seed (no coverage). A failure is
# replayed with `make test-random SEED=<the printed seed>`.
test-random: test-system-packages venv
	@seed="$(SEED)"; seed="$${seed:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"; \
	echo "hypothesis seed: $$seed  (rerun: make test-random SEED=$$seed)"; \
	HYPOTHESIS_PROFILE=explore $(BIN)/python -m pytest --hypothesis-seed=$$seed $(PYTEST_ARGS)

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
