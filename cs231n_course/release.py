"""The student edition: what a class gets, and nothing else.

    EDITION/README.md        install, work, check your work (no instructor material)
    EDITION/Makefile         `make lab` sets up .venv on first use and opens JupyterLab;
                             `make check [NB=04]` runs check.py
    EDITION/check.py         edition_check.py: Validate from a terminal, one line per failing cell,
                             non-zero exit status when a notebook fails
    EDITION/jupyter/         the lab's config: nbgrader's instructor parts (Formgrader, Create
                             Assignment, course list), the Assignment List (the edition has no
                             exchange to list from) and the Nbgrader menu switched off, Validate kept
    EDITION/pyproject.toml   the learner package and what the notebooks need
    EDITION/cs231n_utils/    the learner package, with its data sets
    EDITION/cs231n_utils/unlocked/NN_topic.py   the reference of a past-due notebook, when the
                             instructor unlocks it (--unlock): cs231n_utils.mine falls back on it
    EDITION/notebooks/NN_topic/NN_topic.ipynb   the student notebooks (through --through)

It is built in a temporary folder and leak-checked (leaks.py) before anything is written: an
edition that would show the solution or a hidden test of a graded exercise (other than those of
the unlocked notebooks) is never written. Only notebooks before the last one of the edition can be
unlocked, and unlocking one that no notebook imports through cs231n_utils.mine gets a warning.
"""

import ast
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

import cs231n_utils
from cs231n_utils.mine import INDEX, _definitions  # what mine runs of a notebook's cells

from . import cells
from .errors import CourseError
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
# `make check NB=04`: run notebook 04 top to bottom and its visible tests (all notebooks without NB);
# it names each failing cell, and fails (exit status 1) when a notebook does.
PYTHON ?= python3
BIN := .venv/bin
NB ?=

$(BIN)/jupyter:
\t$(PYTHON) -m venv .venv
\t$(BIN)/python -m pip install --quiet -e .
\t@# an optional IRI checker that costs every notebook reader (cs231n_utils.mine too) 0.8 s to import
\t$(BIN)/python -m pip uninstall --quiet --yes rfc3987-syntax

# the lab reads the edition's jupyter/ folder: nbgrader's instructor parts are off
lab: $(BIN)/jupyter
\tJUPYTER_CONFIG_DIR=jupyter $(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

# as nbgrader's Validate: the notebook restarted and run in order, its visible tests run
check: $(BIN)/jupyter
\t$(BIN)/python check.py "notebooks/$(NB)*/*.ipynb"

.PHONY: lab check
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
   **Validate** button, or from a terminal `make check NB=01` (all notebooks: `make check`).

## Checking your work

`make check NB=01` (like Validate) restarts notebook 01, runs it top to bottom and runs its
*visible* tests: it names each failing cell with its message, one line each, and fails (exit status
1) when any cell does. It cannot run the hidden tests, which only your instructor has, so a notebook
that passes here can still lose points; your grade comes from your instructor's grader, with a
feedback page per notebook.

## Your own library

Later notebooks run on the functions you wrote in earlier ones (`from cs231n_utils.mine import
affine_forward` reads your saved notebook 03): keep the notebooks' folders side by side, save a
notebook after you change an exercise, and restart the kernel of the notebook that uses it. When an
earlier exercise is missing or unfinished, the import says which notebook and which exercise.
{unlocked}
Notebooks: {names}.
"""

UNLOCKED_NOTE = """
Unlocked by your instructor: the reference answers of {names}, in `cs231n_utils/unlocked/`. When an
exercise of yours from one of these notebooks is missing or unfinished, its reference stands in
(the import says so).
"""


# nbgrader's parts that are off in the student's lab (nbgrader's documented switches): the
# instructor's, the Assignment List, which fetches from an nbgrader exchange that the edition does
# not configure ("Error fetching courses!"), and the Nbgrader menu, which only opens these; the
# Validate button stays. A class that hands out through an exchange uses its JupyterHub's lab.
OFF_LAB_PARTS = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                 "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:assignment-list",
                 "@jupyter/nbgrader:menu"]
OFF_SERVER_PARTS = ["nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list",
                    "nbgrader.server_extensions.assignment_list"]


NBGRADER_CONFIG = """\
\"\"\"nbgrader in this edition: Validate stops at an earlier notebook's missing exercise and names it
alone, as `make check` (../check.py) does.\"\"\"
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from check import use_in_validate  # noqa: E402

use_in_validate(c)  # noqa: F821 (c: the configuration nbgrader reads this file into)
"""


def write_jupyter_config(folder):
    """The student lab's config folder (JUPYTER_CONFIG_DIR): the parts above switched off, and
    Validate as `make check`."""
    (folder / "labconfig").mkdir(parents=True)
    (folder / "nbgrader_config.py").write_text(NBGRADER_CONFIG)
    (folder / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": dict.fromkeys(OFF_LAB_PARTS, True)}, indent=2))
    (folder / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": dict.fromkeys(OFF_SERVER_PARTS, False)}}, indent=2))


def _number(assignment):
    return int(assignment.split("_")[0])


def unlocked_assignments(assignments, spec):
    """The released `assignments` that `spec` names ("01-03", "02", "01,03"): past-due ones, before
    the last of the edition (the one being handed out, --through)."""
    if not spec:
        return []
    numbers = set()
    for part in spec.split(","):
        found = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        if not found:
            raise CourseError(f"--unlock {spec}: give notebook numbers like 01-03 or 01,03")
        first, last = int(found[1]), int(found[2] or found[1])
        numbers |= set(range(first, last + 1))
    current = _number(assignments[-1])
    if late := sorted(n for n in numbers if n >= current):
        late = ", ".join(f"{n:02d}" for n in late)
        raise CourseError(
            f"--unlock {spec}: unlocking {late} would ship the answers of work handed out now or later (this "
            f"edition hands out notebooks up to {assignments[-1]}, --through). Unlock only notebooks before "
            f"{current:02d}; unlock {late} in a later edition, once past due")
    chosen = [a for a in assignments if _number(a) in numbers]
    if missing := numbers - {_number(a) for a in chosen}:
        missing = ", ".join(f"{n:02d}" for n in sorted(missing))
        raise CourseError(f"--unlock {spec}: no released notebook numbered {missing} "
                          f"(released: {', '.join(assignments)})")
    return chosen


def imported_through_mine(notebook):
    """The notebooks whose functions `notebook` takes through cs231n_utils.mine: by its imports, by
    the update rules it names to the Solver, and by cs231n_utils.gradcheck (both read them through
    mine)."""
    names = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(re.sub(r"^[ \t]*[%!].*$", "", cell.source, flags=re.M))):
            if isinstance(node, ast.ImportFrom) and node.module == "cs231n_utils.mine":
                names |= {alias.name for alias in node.names}
            elif isinstance(node, (ast.Import, ast.ImportFrom)) and "cs231n_utils.gradcheck" in (
                    [getattr(node, "module", None)] + [alias.name for alias in node.names]):
                names |= {"numerical_derivative", "relative_error"}  # what gradcheck computes with
            elif (isinstance(node, ast.keyword) and node.arg == "update_rule"
                  and isinstance(node.value, ast.Constant)):
                names.add(node.value.value)
    return {INDEX[name][0] for name in names if name in INDEX}


def unused_unlocks(course, assignments, unlocked):
    """The unlocked notebooks that no notebook of the edition imports through cs231n_utils.mine:
    their answers would ship without standing in for anything."""
    used = set().union(*(imported_through_mine(nbformat.read(course.release_path(a), as_version=4))
                         for a in assignments))
    return [a for a in unlocked if a not in used]


def reference_module(solution, assignment):
    """The unlocked reference of one notebook, as a module: the imports, functions and classes of
    its given and answer cells (a learner's class may build on a given one), in notebook order,
    from the instructor's solution notebook; no test cell."""
    parts = [f'"""The reference answers of notebook {assignment}, unlocked by your instructor."""']
    parts += [code for cell in solution.cells
              if cell.cell_type == "code" and cells.kind(cell) in (cells.Kind.GIVEN, cells.Kind.ANSWER)
              and (code := _definitions(cell.source))]
    return "\n\n\n".join(parts) + "\n"


def numbered(assignments, through):
    """The assignments up to and including number `through` (e.g. "04"), all when None."""
    if through is None:
        return list(assignments)
    chosen = [a for a in assignments if a.split("_")[0] <= str(through).zfill(2)]
    if not chosen:
        raise CourseError(f"no assignment numbered {through} or below (known: {', '.join(assignments)})")
    return chosen


def write_edition(course, folder, assignments, unlocked=()):
    """Write the student edition of `assignments` into the empty folder `folder`, with the
    references of the `unlocked` ones."""
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
    shutil.copyfile(Path(__file__).with_name("edition_check.py"), folder / "check.py")
    write_jupyter_config(folder / "jupyter")
    for assignment in unlocked:
        path = folder / "cs231n_utils" / "unlocked" / f"{assignment}.py"
        path.parent.mkdir(exist_ok=True)
        path.write_text(reference_module(course.solution(assignment), assignment))
    note = UNLOCKED_NOTE.format(names=", ".join(unlocked)) if unlocked else ""
    (folder / "README.md").write_text(README.format(count=len(assignments), names=", ".join(assignments),
                                                    unlocked=note))


def edition_leaks(course, assignments=None, unlocked=(), keep=None):
    """Findings of the leak check on the student edition of `assignments` (all by default), staged
    in a temporary folder; copied to the new folder `keep` when there are none."""
    assignments = assignments or course.assignments()
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "edition"
        write_edition(course, staged, assignments, unlocked)
        findings = leaks(course, staged, unlocked=unlocked)  # a later notebook's answer must not show either
        if keep is not None and not findings:
            shutil.copytree(staged, keep)
    return findings


def release(course, out, through=None, unlock=None):
    """Write the leak-checked student edition into `out` (which must not exist yet), with the
    references of the notebooks `unlock` names ("01-03").

    Returns (assignments, findings): when the edition would show the solution or hidden test of
    any graded exercise of the course that is not unlocked (findings not empty), nothing is written.
    """
    out = Path(out)
    if out.exists():
        raise CourseError(f"{out} exists already: give a new folder for the student edition")
    assignments = numbered(course.assignments(), through)
    unlocked = unlocked_assignments(assignments, unlock)
    for assignment in unused_unlocks(course, assignments, unlocked):
        print(f"warning: --unlock {unlock}: no notebook of this edition imports {assignment} through "
              "cs231n_utils.mine, so its reference stands in for nothing and only shows its answers; "
              "leave it out of --unlock unless you mean to publish them", file=sys.stderr)
    return assignments, edition_leaks(course, assignments, unlocked, keep=out)
