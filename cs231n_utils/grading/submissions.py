"""A folder of submissions: one sub-folder per student, the notebooks of one assignment inside.

SUBMISSIONS/<student>/<notebook>.ipynb, or nbgrader's SUBMISSIONS/<student>/<assignment>/...;
student ids are the folder names.
"""

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .assemble import notebook_problem_bytes
from .course import CourseError


@dataclass
class Submission:
    student: str
    files: dict  # notebook name (stem) -> Path
    status: str = "ok"  # ok | error | timeout | killed | invalid | flagged
    reason: str = ""
    rows: list = field(default_factory=list)


def notebook_problem(path):
    """Why a file is not a gradable notebook, or None when it is one."""
    try:
        return notebook_problem_bytes(path.read_bytes())
    except OSError as e:
        return f"cannot be read ({e.strerror})"


def find_submissions(folder, assignment, notebook_names):
    """Submissions of one assignment under folder, one per student folder, sorted by student."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CourseError(f"{folder} is not a folder of submissions "
                          "(expected SUBMISSIONS/<student>/<notebook>.ipynb)")
    subs = []
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        base = student_dir / assignment if (student_dir / assignment).is_dir() else student_dir
        found = {p.stem: p for p in sorted(base.glob("*.ipynb"))}
        sub = Submission(student_dir.name, {n: found[n] for n in notebook_names if n in found})
        missing = [n for n in notebook_names if n not in found]
        if missing:
            others = ", ".join(sorted(p.name for p in found.values())) or "no notebook"
            sub.status = "invalid"
            sub.reason = (f"{missing[0]}.ipynb not found in {base.name}/ (found: {others}); "
                          "submit the notebook under its original name")
        else:
            for name, path in sub.files.items():
                problem = notebook_problem(path)
                if problem:
                    sub.status, sub.reason = "invalid", f"{name}.ipynb {problem}"
                    break
        subs.append(sub)
    if not subs:
        raise CourseError(f"no submissions in {folder}: expected one folder per student, "
                          f"e.g. {folder}/<student>/{notebook_names[0]}.ipynb")
    return subs


def grade_cells(course, assignment):
    """(notebook, cell id, max points) of every graded cell, in notebook order."""
    cells = []
    for path in course.source_notebooks(assignment):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                cells.append((path.stem, meta["grade_id"], float(meta.get("points", 0))))
    return cells
