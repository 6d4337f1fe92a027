"""A folder of submissions: one sub-folder per student, the assignment's notebook inside.

SUBMISSIONS/<student>/<assignment>.ipynb, or nbgrader's SUBMISSIONS/<student>/<assignment>/...;
student ids are the folder names. A single notebook is a class of one.

A folder name with characters that do not print (controls, terminal escapes, bidi overrides:
results.py) is no student id: that submission is `invalid`, under its name with those characters
escaped, and the others are graded.

Submissions are read as untrusted input: a symbolic link (a notebook, or a student's folder,
pointing at the answer key or a classmate's work) or anything but a regular file is refused,
files over MAX_BYTES are refused, and whatever a file holds (damaged JSON, JSON nested 100,000
deep, a schema the validator chokes on) makes that one submission `invalid`, never the run.
Each file is read and validated once, when it is found: grading gets those bytes (Submission.data).
"""

import json
import os
import stat
import warnings
from pathlib import Path

import nbformat

from ..errors import CourseError
from .results import NotebookResult, Status, Submission, printable, student_id_problem

MAX_BYTES = 64 * 1024 * 1024  # far above any honest notebook (outputs included)


def read_submitted(path):
    """The bytes of a submitted file; OSError/ValueError saying why it cannot be used.

    Never follows a symbolic link and never blocks on a FIFO or device.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("is not a regular file")
        if info.st_size > MAX_BYTES:
            raise ValueError(f"is larger than {MAX_BYTES // 2**20} MB: clear the outputs "
                             "(Kernel > Restart & Clear Output) and submit it again")
        return f.read(MAX_BYTES + 1)


def notebook_problem_bytes(raw):
    """Why these bytes are not a gradable notebook, or None when they are one."""
    if not raw.strip():
        return "is empty"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "is not UTF-8 text: save the notebook from Jupyter and submit it again"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        return f"is not valid JSON (line {e.lineno}): the file is damaged, re-download it from Jupyter"
    except RecursionError:
        return "is not a notebook: its JSON is nested deeper than any notebook's"
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        version = data.get("nbformat") if isinstance(data, dict) else None
        return f"is not an nbformat 4 notebook (nbformat={version!r}): save it with Jupyter 4 or later"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. cells without ids, from older Jupyter versions
            nbformat.validate(nbformat.from_dict(data))
    except nbformat.ValidationError as e:
        return f"is not a valid notebook ({e.message[:120]})"
    except Exception as e:  # the validator itself can choke on malformed structures
        return f"is not a valid notebook ({type(e).__name__})"
    return None


def read_notebook(path):
    """(its bytes, None) when the file at path is a gradable notebook, else (None, why not)."""
    path = Path(path)
    if path.is_symlink():
        return None, "is a symbolic link: submit the notebook file itself"
    try:
        raw = read_submitted(path)
    except OSError as e:
        return None, f"cannot be read ({e.strerror})"
    except ValueError as e:
        return None, str(e)
    problem = notebook_problem_bytes(raw)
    return (None, problem) if problem else (raw, None)


def notebook_problem(path):
    """Why a file is not a gradable notebook, or None when it is one."""
    return read_notebook(path)[1]


def _submission(student, base, assignment, graded):
    """The Submission found in folder base: its notebook, or an invalid result saying why not."""
    sub = Submission(student, result=NotebookResult.zero(graded))
    found = sorted(base.glob("*.ipynb"))
    path = base / f"{assignment}.ipynb"
    if path not in found:
        others = ", ".join(p.name for p in found) or "no notebook"
        sub.result.fail(Status.INVALID, f"{assignment}.ipynb not found in {base.name}/ (found: {others}); "
                                        "submit the notebook under its original name")
        return sub
    sub.data, problem = read_notebook(path)
    if problem:
        sub.result.fail(Status.INVALID, f"{assignment}.ipynb {problem}")
    else:
        sub.path = path
    return sub


def find_submissions(folder, assignment, graded):
    """Submissions of one assignment under folder, one per student folder, sorted by student.

    graded: cells.graded_cells() of the assignment (grade_id, points, kind).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CourseError(f"{folder} is not a folder of submissions "
                          f"(expected SUBMISSIONS/<student>/{assignment}.ipynb)")
    subs = []
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        base = student_dir / assignment if (student_dir / assignment).is_dir() else student_dir
        if problem := student_id_problem(student_dir.name):
            sub = Submission(printable(student_dir.name), result=NotebookResult.zero(graded))
            subs.append(sub)
            sub.result.fail(Status.INVALID, problem)
        elif student_dir.is_symlink() or base.is_symlink():
            link = base if base.is_symlink() else student_dir
            sub = Submission(student_dir.name, result=NotebookResult.zero(graded))
            subs.append(sub)
            sub.result.fail(Status.INVALID, f"{link.relative_to(folder)}/ is a symbolic link, "
                                            "not a folder of the student's own")
        else:
            subs.append(_submission(student_dir.name, base, assignment, graded))
    if not subs:
        raise CourseError(f"no submissions in {folder}: expected one folder per student, "
                          f"e.g. {folder}/<student>/{assignment}.ipynb")
    return subs


def single_submission(path, assignment, graded):
    """One notebook graded on its own (a learner checking their work): a class of one."""
    path = Path(path)
    sub = _submission(path.stem, path.parent, assignment, graded) if path.stem == assignment else None
    if sub is None:
        raise CourseError(f"{path.name} is not the notebook of {assignment} ({assignment}.ipynb)")
    return sub
