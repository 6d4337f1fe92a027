"""Build the course: text sources -> solution notebooks -> student notebooks.

sources/<a>.py                 the text source (jupytext percent format), committed, edited by authors
solutions/<a>/<a>.ipynb        the nbgrader source notebook built from it (generated, not committed)
notebooks/<a>/<a>.ipynb        the student notebook, nbgrader generate_assignment (generated, committed)
cs231n_course/reference/*.py   the instructor's reference modules, from the solution regions (refgen.py)

The text-source format is source.py's; `check` (check.py) builds into a temporary folder and compares.
"""

import shutil
import tempfile
from pathlib import Path

import nbformat

from .course import run_nbgrader
from .errors import CourseError
from .refgen import reference_modules
from .source import id_problems, parse_source


def _strip_outputs(path):
    """Rewrite a notebook without outputs or execution counts, in a stable format."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(nb, path)


def _replace(src, dest):
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)


def build(course, assignments=None, release_dir=None, solutions_dir=None):
    """Build solutions/<a>/<a>.ipynb and notebooks/<a>/<a>.ipynb from sources/<a>.py, and the
    course's reference modules (refgen.py).

    assignments: the ones to build (default: all). The notebooks go to solutions_dir and
    release_dir (default: the course's solutions/ and notebooks/). Each assignment folder is
    replaced whole; a full build also drops solutions/ folders whose text source is gone.
    Returns release_dir.
    """
    names = list(assignments) if assignments is not None else course.assignments()
    release_dir = Path(release_dir or course.notebooks)
    solutions_dir = Path(solutions_dir or course.solutions)
    with tempfile.TemporaryDirectory(prefix="cs231n-build-") as tmp:
        # nbgrader copies every file of a source folder into the release: the staging folder
        # holds exactly one notebook per assignment, never the text source
        stage_src, stage_rel = Path(tmp) / "source", Path(tmp) / "release"
        for name in names:
            nb, lines, problems = parse_source(course.sources / f"{name}.py")
            problems = problems or id_problems(f"sources/{name}.py", nb, lines)
            if problems:  # nbgrader would fail on them, less clearly
                raise CourseError("\n".join(problems))
            (stage_src / name).mkdir(parents=True)
            nbformat.write(nb, stage_src / name / f"{name}.ipynb")
        if names:
            proc = run_nbgrader(
                ["generate_assignment", "*", "--force", "--no-db", "--log-level=WARN"],
                cwd=course.config_file.parent,
                config_overrides=[f"--CourseDirectory.source_directory={stage_src}",
                                  f"--CourseDirectory.release_directory={stage_rel}"])
            if proc.returncode != 0:
                raise CourseError(f"nbgrader could not generate {', '.join(names)}:\n"
                                  f"{proc.stderr[-3000:]}")
        for name in names:
            for path in (stage_rel / name).glob("*.ipynb"):
                _strip_outputs(path)
            _replace(stage_src / name, solutions_dir / name)
            _replace(stage_rel / name, release_dir / name)
    if course.reference.is_dir():  # the references follow the sources, however few were built
        for name, text in reference_modules(course).items():
            path = course.reference / name
            if not path.is_file() or path.read_text() != text:
                path.write_text(text)
    if assignments is None and solutions_dir.is_dir():
        for stale in solutions_dir.iterdir():
            if stale.is_dir() and stale.name not in names:
                shutil.rmtree(stale)
    return release_dir
