"""`cs231n-course check`: is the committed course consistent with its text sources?"""

import filecmp
import tempfile
from pathlib import Path

import nbformat

from .build import build
from .errors import CourseError
from .lint import lint
from .refgen import reference_modules
from .release import edition_leaks


def _files(folder):
    return {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()
            and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts}


def stale_references(course, folder):
    """A problem for each reference module in folder that is not what the sources give."""
    return [f"cs231n_course/reference/{name}: out of date with sources/ (run `cs231n-course build` and "
            "commit; edit the sources, never this file)" for name, text in reference_modules(course).items()
            if not (folder / name).is_file() or (folder / name).read_text() != text]


def check(course):
    """Problems that make the committed course inconsistent; an empty list when all is well.

    Every lint problem of the text sources (see `lint.lint`), stale, missing or extra files under
    notebooks/, stale reference modules (refgen.py), notebooks stored with outputs, solution
    markers that leaked into a release, and
    then every finding of the leak check on the student edition of the whole course (leaks.py).
    Each problem names the file and says how to fix it.
    """
    problems = lint(course)
    with tempfile.TemporaryDirectory(prefix="cs231n-check-") as tmp:
        try:
            fresh = build(course, release_dir=Path(tmp) / "notebooks",
                          solutions_dir=Path(tmp) / "solutions")
        except CourseError as e:  # a malformed header or id: lint has said so already
            problems += [line for line in str(e).splitlines() if line not in problems]
            fresh = None
        if fresh is not None:
            expected = _files(fresh)
            actual = _files(course.notebooks) if course.notebooks.is_dir() else set()
            for rel in sorted(expected - actual):
                problems.append(f"notebooks/{rel}: missing (run `cs231n-course build` and commit)")
            for rel in sorted(actual - expected):
                problems.append(f"notebooks/{rel}: not generated from sources/ (remove it)")
            for rel in sorted(expected & actual):
                if not filecmp.cmp(fresh / rel, course.notebooks / rel, shallow=False):
                    problems.append(f"notebooks/{rel}: out of date with sources/{rel.parts[0]}.py "
                                    "(run `cs231n-course build` and commit)")
    if course.reference.is_dir() and fresh is not None:
        problems += stale_references(course, course.reference)
    for path in sorted(course.notebooks.rglob("*")) if course.notebooks.is_dir() else []:
        if not path.is_file() or ".ipynb_checkpoints" in path.parts:
            continue
        rel = path.relative_to(course.root)
        if path.suffix == ".ipynb":
            try:
                nb = nbformat.read(path, as_version=4)
            except Exception as e:  # any unreadable notebook is a problem to report
                problems.append(f"{rel}: not a readable notebook ({e}); run `cs231n-course build`")
                continue
            if any(c.cell_type == "code" and (c.outputs or c.execution_count) for c in nb.cells):
                problems.append(f"{rel}: stored with outputs (run `cs231n-course build`, or clear "
                                "them: Kernel > Restart & Clear Output)")
        if path.suffix in {".ipynb", ".py", ".txt", ".md"}:
            text = path.read_text(errors="replace")
            for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "RUBRIC"):
                if marker in text:
                    problems.append(f"{rel}: contains '{marker}' (a solution, hidden test or written "
                                    "answer's rubric leaked into a release: remove the file or run "
                                    "`cs231n-course build`)")
    if not problems:  # the student edition of the whole course shows no answer
        problems += [f"{finding} (leak check of the student edition: teach the principle, not the "
                     "statement)" for finding in edition_leaks(course)]
    return problems
