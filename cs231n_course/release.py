"""The student edition: what a class gets, and nothing else.

    EDITION/README.md        install, work, check your work (no instructor material)
    EDITION/Makefile         `make lab` sets up .venv on first use and opens JupyterLab
    EDITION/jupyter/         the lab's config: nbgrader's instructor parts (Formgrader, Create
                             Assignment, course list) switched off, Validate kept
    EDITION/pyproject.toml   the learner package and what the notebooks need
    EDITION/cs231n_utils/    the learner package, with its data sets
    EDITION/notebooks/NN_topic/NN_topic.ipynb   the student notebooks (through --through)

It is built in a temporary folder and leak-checked (leaks.py) before anything is written: an
edition that would show the solution or a hidden test of a graded exercise is never written.
"""

import json
import shutil
import tempfile
from pathlib import Path

from .course import CourseError
from .leaks import leaks

PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "cs231n-utils"
version = "{version}"
description = "Backpropagation from first principles: the notebooks and their helper package"
requires-python = ">=3.10"
dependencies = [{dependencies}]

[tool.setuptools.packages.find]
include = ["cs231n_utils*"]

[tool.setuptools.package-data]
cs231n_utils = ["datasets/**/*"]
"""

# what the notebooks import and what a learner runs them in (the course tools are not here)
DEPENDENCIES = ["numpy>=1.24", "matplotlib>=3.7", "tqdm>=4.60", "ipykernel>=6.20", "jupyterlab>=4.0",
                "nbgrader>=0.9,<0.10"]

MAKEFILE = """\
# `make lab`: create .venv on first use (Python 3.10 or newer), then open JupyterLab.
PYTHON ?= python3
BIN := .venv/bin

$(BIN)/jupyter:
\t$(PYTHON) -m venv .venv
\t$(BIN)/python -m pip install --quiet -e .

# the lab reads the edition's jupyter/ folder: nbgrader's instructor parts are off
lab: $(BIN)/jupyter
\tJUPYTER_CONFIG_DIR=jupyter $(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab
"""

README = """\
# Backpropagation from first principles: the notebooks

{count} notebooks that teach backpropagation the way Stanford's CS231n lectures do, in plain numpy.
You need Python 3.10 or newer and `make`; no GPU, and no network once installed.

```bash
make lab      # the first time: creates .venv and installs what the notebooks need
```

Open `notebooks/01_chain_rule/01_chain_rule.ipynb` and work through it:

1. fill in every `# YOUR CODE HERE` (delete the `raise NotImplementedError()` under it);
2. run the *check* cell under each exercise: when something is wrong it says which entry, by how
   much, and what kind of mistake it looks like;
3. the *test* cells are graded; your instructor's grader also runs hidden tests on other inputs;
4. before you hand in: **Kernel > Restart Kernel and Run All Cells**, then nbgrader's
   **Validate** button (or `.venv/bin/nbgrader validate notebooks/01_chain_rule/01_chain_rule.ipynb`),
   which runs the visible tests.

Notebooks: {names}.
"""


# nbgrader's instructor-only parts, off in the student's lab (nbgrader's documented switches);
# Validate (and the assignment list) stay
INSTRUCTOR_LAB_PARTS = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                        "@jupyter/nbgrader:course-list"]
INSTRUCTOR_SERVER_PARTS = ["nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list"]


def write_jupyter_config(folder):
    """The student lab's config folder (JUPYTER_CONFIG_DIR): the instructor parts switched off."""
    (folder / "labconfig").mkdir(parents=True)
    (folder / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": dict.fromkeys(INSTRUCTOR_LAB_PARTS, True)}, indent=2))
    (folder / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": dict.fromkeys(INSTRUCTOR_SERVER_PARTS, False)}}, indent=2))


def numbered(assignments, through):
    """The assignments up to and including number `through` (e.g. "04"), all when None."""
    if through is None:
        return list(assignments)
    chosen = [a for a in assignments if a.split("_")[0] <= str(through).zfill(2)]
    if not chosen:
        raise CourseError(f"no assignment numbered {through} or below (known: {', '.join(assignments)})")
    return chosen


def write_edition(course, folder, assignments):
    """Write the student edition of `assignments` into the empty folder `folder`."""
    import cs231n_utils

    folder = Path(folder)
    for assignment in assignments:
        target = folder / "notebooks" / assignment
        target.mkdir(parents=True)
        shutil.copyfile(course.release_path(assignment), target / f"{assignment}.ipynb")
    shutil.copytree(Path(cs231n_utils.__file__).parent, folder / "cs231n_utils",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (folder / "pyproject.toml").write_text(PYPROJECT.format(
        version=cs231n_utils.__version__, dependencies=", ".join(f'"{d}"' for d in DEPENDENCIES)))
    (folder / "Makefile").write_text(MAKEFILE)
    write_jupyter_config(folder / "jupyter")
    (folder / "README.md").write_text(README.format(count=len(assignments), names=", ".join(assignments)))


def release(course, out, through=None):
    """Write the leak-checked student edition into `out` (which must not exist yet).

    Returns (assignments, findings): when the edition would show the solution or hidden test of
    any graded exercise of the course (findings not empty), nothing is written.
    """
    out = Path(out)
    if out.exists():
        raise CourseError(f"{out} exists already: give a new folder for the student edition")
    assignments = numbered(course.assignments(), through)
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "edition"
        write_edition(course, staged, assignments)
        findings = leaks(course, staged)  # a later notebook's answer must not show either
        if not findings:
            shutil.copytree(staged, out)
    return assignments, findings
