"""Grade a class with stock nbgrader (`nbgrader autograde`, unprotected): the reference the
hardened grader is compared with, and the end-to-end proof in the tests. Plain nbgrader with the
course's configuration and nothing else, run as an instructor runs it: one `autograde` and one
`generate_feedback` for the whole class. Its kernels get the references of the earlier notebooks
from the configuration (nbgrader_hook.py), as any instructor's nbgrader does.

OUT/nbgrader/                           the nbgrader workspace (source/, submitted/, autograded/, ...)
OUT/feedback/<student>/<assignment>.html  nbgrader's feedback page
OUT/grades.csv, OUT/gradebook.db, OUT/summary.png   as the hardened grader writes them
"""

import re
import shutil
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from .. import cells
from ..course import run_nbgrader
from ..errors import CourseError
from .outputs import summary_plot, write_csvs
from .results import CellResult, NotebookResult, Status


def nbgrader_workspace(course, assignments, workspace, db):
    """An nbgrader course folder for grading `assignments`: the course's settings, their source
    notebooks built from the text sources, our paths; the assignments generated in its gradebook."""
    shutil.rmtree(workspace / "source", ignore_errors=True)  # built again from the text sources
    for assignment in assignments:
        source_dir = workspace / "source" / assignment
        source_dir.mkdir(parents=True)
        nbformat.write(course.solution(assignment), source_dir / f"{assignment}.ipynb")
    (workspace / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(course.config_file)!r})  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(workspace)!r}\n"
        "c.CourseDirectory.source_directory = 'source'\n"
        "c.CourseDirectory.release_directory = 'release'\n"
        f"c.CourseDirectory.db_url = {'sqlite:///' + str(db)!r}\n")
    proc = run_nbgrader(["generate_assignment", _every(assignments), "--force", "--log-level=WARN"],
                        workspace)
    if proc.returncode != 0:
        raise CourseError(f"nbgrader could not set up {', '.join(assignments)}: "
                          f"{_last_error_line(proc.stderr)}")


def _every(assignments):
    """The assignment argument of an nbgrader command for all of `assignments` (nbgrader takes a
    glob: source/ and submitted/ hold these assignments only)."""
    return assignments[0] if len(assignments) == 1 else "*"


def _last_error_line(text):
    """What nbgrader's output says went wrong: the last exception of a traceback, else its first
    ERROR record (with the lines it continues on), else its last line."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    exceptions = [ln for ln in lines if re.match(r"[\w.]*(Error|Exception)\b.*:", ln)]
    if exceptions:
        return exceptions[-1][:300]
    records = re.split(r"\n(?=\[\w+ \| )", text)
    errors = [r for r in records if re.match(r"\s*\[\w+ \| (ERROR|CRITICAL)\]", r)]
    if errors:
        return " ".join(errors[0].split())[:300]
    return lines[-1][:300] if lines else "nbgrader failed without a message"


def _failure_reasons(autograded_nb):
    """Graded cell id -> the first line of the error it raised (or its stderr)."""
    reasons = {}
    for cell in nbformat.read(autograded_nb, as_version=4).cells:
        if cell.cell_type != "code" or not cells.is_graded(cell):
            continue
        for out in cell.outputs:
            if out.output_type == "error":
                reasons[cells.key(cell)] = f"{out.ename}: {out.evalue}".splitlines()[0][:300]
                break
            if out.output_type == "stream" and out.name == "stderr":
                reasons[cells.key(cell)] = "wrote to stderr: " + out.text.strip()[:200]
                break
    return reasons


def grade_class_with_nbgrader(course, subs, assignment, out_dir, progress=print):
    """Autograde the submissions `subs` (from submissions.py) of assignment with stock nbgrader,
    in place."""
    return grade_classes_with_nbgrader(course, {assignment: subs}, out_dir, progress)[assignment]


def grade_classes_with_nbgrader(course, classes, out_dir, progress=print):
    """Autograde the submissions of several assignments ({assignment: [Submission]}) with stock
    nbgrader, in place: one `autograde` and one `generate_feedback` for them all. A submission
    nbgrader fails on is autograded again alone, for its own error message."""
    out_dir = Path(out_dir).resolve()
    workspace, db = out_dir / "nbgrader", out_dir / "gradebook.db"
    assignments = list(classes)
    nbgrader_workspace(course, assignments, workspace, db)
    shutil.rmtree(workspace / "submitted", ignore_errors=True)  # copies of an earlier run's class
    handed_in = []
    for assignment, subs in classes.items():
        for sub in subs:
            if sub.path is None:
                progress(f"{sub.student}: {sub.reason}")
                continue
            target = workspace / "submitted" / sub.student / assignment
            target.mkdir(parents=True)
            shutil.copyfile(sub.path, target / f"{assignment}.ipynb")
            # an earlier run's executed copy must not pass for this run's
            shutil.rmtree(_executed(workspace, assignment, sub).parent, ignore_errors=True)
            handed_in.append((assignment, sub))
    progress(f"nbgrader autograde {', '.join(assignments)}: {len(handed_in)} submissions")
    run_nbgrader(["autograde", _every(assignments), "--force", "--log-level=WARN"], workspace)
    for assignment, sub in handed_in:
        if not _executed(workspace, assignment, sub).exists():  # nbgrader removes what it failed on
            proc = run_nbgrader(["autograde", assignment, f"--student={sub.student}", "--force",
                                 "--log-level=WARN"], workspace)
            if not _executed(workspace, assignment, sub).exists():
                sub.result.fail(Status.ERROR, _last_error_line(proc.stderr))
    graded = [(a, sub) for a, sub in handed_in if _executed(workspace, a, sub).exists()]
    if graded:
        run_nbgrader(["generate_feedback", _every(assignments), "--force", "--log-level=ERROR"], workspace)
    for assignment, sub in graded:
        _collect(workspace, db, assignment, sub, out_dir)
    write_csvs(out_dir, classes)
    summary_plot(out_dir / "summary.png", classes)
    return classes


def _executed(workspace, assignment, sub):
    return workspace / "autograded" / sub.student / assignment / f"{assignment}.ipynb"


def _collect(workspace, db, assignment, sub, out_dir):
    """sub's result from nbgrader's gradebook, and its feedback page into out_dir/feedback/."""
    html = workspace / "feedback" / sub.student / assignment / f"{assignment}.html"
    if html.exists():
        dest = out_dir / "feedback" / sub.student / f"{assignment}.html"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(html, dest)
    reasons = _failure_reasons(_executed(workspace, assignment, sub))
    with Gradebook(f"sqlite:///{db}") as gb:
        notebook = gb.find_submission_notebook(assignment, assignment, sub.student)
        scores = {g.name: (g.score, g.needs_manual_grade) for g in notebook.grades}
    sub.result = NotebookResult(Status.OK, cells={
        gid: _cell_result(scores.get(gid, (0.0, False)), cell, reasons.get(gid, ""))
        for gid, cell in sub.result.cells.items()})


def _cell_result(grade, cell, reason):
    """Our CellResult of nbgrader's grade (score, needs_manual_grade) of a cell: a written answer
    nbgrader left to the instructor needs manual grading, one it scored 0 had no answer."""
    score, needs_manual = grade
    if not cell.manual:
        return CellResult(score, cell.max_score, reason)
    if needs_manual:
        return CellResult(None, cell.max_score, f"needs manual grading ({cell.max_score:g} points)",
                          manual=True)
    return CellResult(score, cell.max_score, "no written answer (the cell still says YOUR ANSWER "
                      "HERE): 0 points", manual=True)
