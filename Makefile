# The course's commands. Everything runs in .venv, created on first use from python3 (3.10+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# nbgrader runs `alembic` and `jupyter` by name: keep the venv's bin/ first on PATH
export PATH := $(CURDIR)/$(BIN):$(PATH)
export MPLBACKEND := Agg
# after each install: jsonschema imports this optional IRI checker when nbformat loads, and it
# compiles ~35 grammars, 1.3 s of CPU in every process that reads a notebook (each grading worker,
# each nbgrader command). No notebook or Jupyter schema checks IRIs (python-jsonschema/jsonschema#1428).
DROP_SLOW_IRI_CHECKER := $(BIN)/python -m pip uninstall --quiet --yes rfc3987-syntax

.PHONY: install demo test test-fast lint lab build check clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "Python 3.10 or newer is needed (found $$($(PYTHON) --version)); run: make PYTHON=python3.12"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(DROP_SLOW_IRI_CHECKER)
	touch $(STAMP)

install: $(STAMP)

build: $(STAMP)
	$(BIN)/cs231n-course build

check: $(STAMP)
	$(BIN)/cs231n-course check

demo: $(STAMP)
	$(BIN)/cs231n-course build
	$(BIN)/python demo/run_demo.py

lint: $(STAMP)
	$(BIN)/ruff check .

# one BLAS thread per notebook: the tests run notebooks in parallel on every core
test: lint
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n auto --dist loadgroup --durations=15

# while working: everything except the end-to-end runs of stock nbgrader
test-fast: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n auto --dist loadgroup -m "not slow"

# the unit tests that run no notebook (numerics, layers, the learner package, the architecture and
# glossary rules) on another Python, in a venv of its own that is removed after:
# `make test-python OTHER=python3.13` (CI runs it on 3.10 and 3.13 where they are installed).
# The course's own dependencies and pytest, no dev tools; not byte-compiled at install (Python
# compiles what the tests import, a small part of Jupyter's)
UNIT_TESTS := $(patsubst %,tests/test_%.py,gradcheck layers optim classifiers cnn fast_layers rnn_layers \
	data solver viz architecture glossary)
.PHONY: test-python
test-python:
	@$(OTHER) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "give a Python 3.10 or newer: make test-python OTHER=python3.13"; exit 2; }
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && $(OTHER) -m venv "$$tmp/venv" && \
		"$$tmp/venv/bin/python" -m pip install --quiet --no-compile -e . pytest && \
		OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider \
		$(UNIT_TESTS)

# the learner's flow in a real browser: JupyterLab on a temporary copy of the course, driven by
# Playwright with the system's chromium (skipped without them: apt-get install -y chromium,
# $(BIN)/pip install playwright; never `playwright install`); about 4 minutes on 2 cores
.PHONY: test-browser
test-browser: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[browser]'
	$(DROP_SLOW_IRI_CHECKER)
	$(BIN)/python -m pytest -q -rs tests/browser

# from assignments/, so that nbgrader's lab extensions find the course's nbgrader_config.py;
# as root (containers, cloud VMs) Jupyter needs --allow-root
lab: $(STAMP)
	cd assignments && $(CURDIR)/$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) \
		--LabApp.default_url=/lab/tree/notebooks \
		$(if $(filter 0,$(shell id -u)),--allow-root)

clean:
	rm -rf demo_out grading_out assignments/gradebook.db assignments/submitted \
		assignments/autograded assignments/feedback .pytest_cache
