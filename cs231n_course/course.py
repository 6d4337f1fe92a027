"""The course on disk: where the text sources, the student notebooks and the nbgrader config live.

sources/<assignment>.py                  the text source of each notebook (solutions, hidden tests)
notebooks/<assignment>/<assignment>.ipynb  the generated student notebook (committed)
solutions/<assignment>/<assignment>.ipynb  the generated nbgrader source notebook (not committed)
assignments/nbgrader_config.py           the nbgrader course configuration

One notebook per assignment: the notebook is named after its assignment.
"""

import copy
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from traitlets.config.loader import PyFileConfigLoader

from . import cells
from .errors import CourseError
from .source import read_source

_SOLUTION_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)


@dataclass(frozen=True)
class Course:
    root: Path

    @property
    def sources(self):
        return self.root / "sources"

    @property
    def solutions(self):
        return self.root / "solutions"

    @property
    def notebooks(self):
        return self.root / "notebooks"

    @property
    def reference(self):
        """The instructor's reference modules, generated from the sources (refgen.py); a course
        without this folder (a copy of some of its notebooks) has none."""
        return self.root / "cs231n_course" / "reference"

    @property
    def config_file(self):
        return self.root / "assignments" / "nbgrader_config.py"

    @property
    def course_id(self):
        """The nbgrader course id of its config (names the course in its gradebooks)."""
        config = PyFileConfigLoader(self.config_file.name, str(self.config_file.parent)).load_config()
        return config.CourseDirectory.get("course_id") or self.root.name

    def assignments(self):
        """Names of the assignments, in course order."""
        return sorted(p.stem for p in self.sources.glob("*.py"))

    def _check(self, assignment):
        if assignment not in self.assignments():
            known = ", ".join(self.assignments()) or "none"
            raise CourseError(f"unknown assignment {assignment!r} (known: {known})")

    def solution(self, assignment):
        """The nbgrader source notebook of an assignment (solutions and hidden tests), built from
        its text source (solutions/ need not exist)."""
        self._check(assignment)
        return read_source(self.sources / f"{assignment}.py")

    def earlier_solutions(self, assignment):
        """{assignment: notebook JSON} of the references (`references`) of every assignment before
        this one: what grading gives cs231n_utils.mine in place of the learner's earlier notebooks."""
        self._check(assignment)
        return {a: nbformat.writes(references(self.solution(a)))
                for a in self.assignments() if a < assignment}

    def renamed_cells(self, assignment):
        """{old cell id: new cell id} of an assignment's cells renamed since an earlier release
        (sources/renamed_cells.json), so that the grader understands notebooks made from it."""
        try:
            table = json.loads((self.sources / "renamed_cells.json").read_text())
        except FileNotFoundError:
            return {}
        return table["renamed"].get(assignment, {})

    def release_path(self, assignment):
        """The committed student notebook of an assignment."""
        self._check(assignment)
        return self.notebooks / assignment / f"{assignment}.ipynb"


def find_course(start=None):
    """The course whose folder contains `start` (default: the working directory)."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "sources").is_dir() and (folder / "assignments" / "nbgrader_config.py").is_file():
            return Course(folder)
    raise CourseError(f"no course found at or above {here}: run this inside the course folder "
                      "(the one with sources/ and assignments/nbgrader_config.py), or pass --course")


def nbgrader_env():
    """Environment for nbgrader subprocesses: it runs `alembic` and `jupyter` by name."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env.setdefault("MPLBACKEND", "Agg")
    return env


def references(solution):
    """What cs231n_utils.mine runs of a solution notebook, all that a later notebook's kernel gets
    of it: the `setup` cell and the code answer cells (nbgrader metadata kept, the solution markers
    dropped); no tests, hidden tests, markdown, written answers, model answers or rubrics."""
    kept = [copy.deepcopy(c) for c in solution.cells if c.get("id") == "setup" or (
        cells.kind(c) is cells.Kind.ANSWER and not cells.is_written_question(cells.key(c)))]
    for cell in kept:
        cell.source = _SOLUTION_MARKER.sub("", cell.source)
    return nbformat.v4.new_notebook(cells=kept, metadata=solution.metadata)


def reference_env(folder):
    """The environment in which a graded notebook's `cs231n_utils.mine` reads the earlier notebooks
    from folder (write_references), the instructor's, not the learner's: no grade depends on
    another notebook's."""
    return {"CS231N_NOTEBOOKS": str(folder)}


def write_references(earlier, folder):
    """Write earlier ({assignment: notebook JSON}, Course.earlier_solutions) into
    folder/<assignment>/<assignment>.ipynb, the layout cs231n_utils.mine reads, readable by all
    (a sandboxed kernel runs as a user of its own)."""
    os.makedirs(folder, exist_ok=True)
    os.chmod(folder, 0o755)
    for assignment, text in earlier.items():
        os.makedirs(os.path.join(folder, assignment), mode=0o755, exist_ok=True)
        path = os.path.join(folder, assignment, f"{assignment}.ipynb")
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)


def run_nbgrader(args, cwd, config_overrides=()):
    """Run `nbgrader ARGS` in cwd (where its nbgrader_config.py is); returns CompletedProcess."""
    cmd = [sys.executable, "-m", "nbgrader", *args, *config_overrides]
    return subprocess.run(cmd, cwd=cwd, env=nbgrader_env(), capture_output=True, text=True)
