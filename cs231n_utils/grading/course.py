"""The course on disk: where sources, releases and the nbgrader config live; build and check.

solutions/<assignment>/<notebook>.ipynb  nbgrader source (solutions, hidden tests)
notebooks/<assignment>/<notebook>.ipynb  generated student version (committed)
assignments/nbgrader_config.py           the nbgrader course configuration
"""

import filecmp
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat


class CourseError(Exception):
    """A problem the user can fix; the message says how."""


@dataclass(frozen=True)
class Course:
    root: Path

    @property
    def solutions(self):
        return self.root / "solutions"

    @property
    def notebooks(self):
        return self.root / "notebooks"

    @property
    def config_file(self):
        return self.root / "assignments" / "nbgrader_config.py"

    def assignments(self):
        """Names of the assignments, in course order (one folder each under solutions/)."""
        return sorted(p.name for p in self.solutions.iterdir()
                      if p.is_dir() and any(p.glob("*.ipynb")))

    def source_notebooks(self, assignment):
        """Paths of the source notebooks of one assignment."""
        folder = self.solutions / assignment
        if not folder.is_dir():
            known = ", ".join(self.assignments()) or "none"
            raise CourseError(f"unknown assignment {assignment!r} (known: {known})")
        return sorted(folder.glob("*.ipynb"))


def find_course(start=None):
    """The course whose folder contains `start` (default: the working directory)."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "solutions").is_dir() and (folder / "assignments" / "nbgrader_config.py").is_file():
            return Course(folder)
    raise CourseError(f"no course found at or above {here}: run this inside the course folder "
                      "(the one with solutions/ and assignments/nbgrader_config.py), or pass --course")


def nbgrader_env():
    """Environment for nbgrader subprocesses: it runs `alembic` and `jupyter` by name."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env.setdefault("MPLBACKEND", "Agg")
    return env


def run_nbgrader(args, cwd, config_overrides=()):
    """Run `nbgrader ARGS` in cwd (where its nbgrader_config.py is); returns CompletedProcess."""
    cmd = [sys.executable, "-m", "nbgrader", *args, *config_overrides]
    return subprocess.run(cmd, cwd=cwd, env=nbgrader_env(), capture_output=True, text=True)


def _generate(course, assignment, release_dir):
    """nbgrader generate_assignment for one assignment into release_dir (no gradebook)."""
    proc = run_nbgrader(
        ["generate_assignment", assignment, "--force", "--no-db", "--log-level=WARN"],
        cwd=course.config_file.parent,
        config_overrides=[f"--CourseDirectory.source_directory={course.solutions}",
                          f"--CourseDirectory.release_directory={release_dir}"])
    if proc.returncode != 0:
        raise CourseError(f"nbgrader could not generate {assignment}:\n{proc.stderr[-3000:]}")


def _strip_outputs(path):
    """Rewrite a notebook without outputs or execution counts, in a stable format."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(nb, path)


def build(course, release_dir=None):
    """Generate the student notebooks of every assignment from solutions/ into notebooks/."""
    release_dir = Path(release_dir or course.notebooks)
    for assignment in course.assignments():
        _generate(course, assignment, release_dir)
        for path in (release_dir / assignment).glob("*.ipynb"):
            _strip_outputs(path)
    return release_dir


def _files(folder):
    return {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()
            and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts}


def check(course):
    """Problems that make the committed course inconsistent; an empty list when all is well.

    Stale or missing student notebooks, extra files under notebooks/, notebooks stored with
    outputs, and solution markers that leaked into a release.
    """
    problems = []
    for path in sorted(course.solutions.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        nb = nbformat.read(path, as_version=4)
        if any(c.cell_type == "code" and (c.outputs or c.execution_count) for c in nb.cells):
            problems.append(f"{path.relative_to(course.root)}: stored with outputs "
                            "(clear them: Kernel > Restart & Clear Output, or run `cs231n-course build`)")
    with tempfile.TemporaryDirectory() as tmp:
        fresh = build(course, Path(tmp))
        expected, actual = _files(fresh), _files(course.notebooks) if course.notebooks.is_dir() else set()
        for rel in sorted(expected - actual):
            problems.append(f"notebooks/{rel}: missing (run `cs231n-course build`)")
        for rel in sorted(actual - expected):
            problems.append(f"notebooks/{rel}: not generated from solutions/ (remove it)")
        for rel in sorted(expected & actual):
            if not filecmp.cmp(fresh / rel, course.notebooks / rel, shallow=False):
                problems.append(f"notebooks/{rel}: out of date with solutions/ "
                                "(run `cs231n-course build` and commit)")
    for path in sorted(course.notebooks.rglob("*")) if course.notebooks.is_dir() else []:
        if path.is_file() and path.suffix in {".ipynb", ".py", ".txt", ".md"}:
            text = path.read_text(errors="replace")
            for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS"):
                if marker in text:
                    problems.append(f"{path.relative_to(course.root)}: contains '{marker}'")
    return problems
