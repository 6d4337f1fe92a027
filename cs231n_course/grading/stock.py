"""Grade a class with stock nbgrader (`nbgrader autograde`, one student at a time, unprotected):
the reference the hardened grader is compared with, and the end-to-end proof in the tests. Plain
nbgrader with the course's configuration and nothing else: its kernels get the references of the
earlier notebooks from the configuration (nbgrader_hook.py), as any instructor's nbgrader does.

OUT/nbgrader/                           the nbgrader workspace (source/, submitted/, autograded/, ...)
OUT/feedback/<student>/<assignment>.html  nbgrader's feedback page
OUT/grades.csv, OUT/gradebook.db, OUT/summary.png   as the hardened grader writes them
"""

import shutil
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from .. import cells
from ..course import run_nbgrader
from ..errors import CourseError
from .outputs import summary_plot, write_csvs
from .results import CellResult, NotebookResult, Status


def nbgrader_workspace(course, assignment, workspace, db):
    """An nbgrader course folder for grading one assignment: the course's settings, the source
    notebook built from its text source, our paths; the assignment generated in its gradebook."""
    source_dir = workspace / "source" / assignment
    source_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(course.solution(assignment), source_dir / f"{assignment}.ipynb")
    (workspace / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(course.config_file)!r})  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(workspace)!r}\n"
        "c.CourseDirectory.source_directory = 'source'\n"
        "c.CourseDirectory.release_directory = 'release'\n"
        f"c.CourseDirectory.db_url = {'sqlite:///' + str(db)!r}\n")
    proc = run_nbgrader(["generate_assignment", assignment, "--force", "--log-level=WARN"], workspace)
    if proc.returncode != 0:
        raise CourseError(f"nbgrader could not set up {assignment}: {_last_error_line(proc.stderr)}")


def _last_error_line(text):
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if "Error" in ln or "error" in ln:
            return ln[:300]
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
    """Autograde the submissions `subs` (from submissions.py) with stock nbgrader, in place."""
    out_dir = Path(out_dir).resolve()
    workspace, db = out_dir / "nbgrader", out_dir / "gradebook.db"
    nbgrader_workspace(course, assignment, workspace, db)
    for i, sub in enumerate(subs, 1):
        progress(f"[{i}/{len(subs)}] {sub.student}: " + ("grading" if sub.path else sub.reason))
        if sub.path is not None:
            _autograde(workspace, db, assignment, sub, out_dir)
    write_csvs(out_dir, {assignment: subs})
    summary_plot(out_dir / "summary.png", {assignment: subs})
    return subs


def _autograde(workspace, db, assignment, sub, out_dir):
    target = workspace / "submitted" / sub.student / assignment
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copyfile(sub.path, target / f"{assignment}.ipynb")
    proc = run_nbgrader(["autograde", assignment, f"--student={sub.student}", "--force",
                         "--log-level=WARN"], workspace)
    if proc.returncode != 0:
        sub.result.fail(Status.ERROR, _last_error_line(proc.stderr))
        return
    run_nbgrader(["generate_feedback", assignment, f"--student={sub.student}", "--force",
                  "--log-level=ERROR"], workspace)
    html = workspace / "feedback" / sub.student / assignment / f"{assignment}.html"
    if html.exists():
        dest = out_dir / "feedback" / sub.student / f"{assignment}.html"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(html, dest)
    executed = workspace / "autograded" / sub.student / assignment / f"{assignment}.ipynb"
    reasons = _failure_reasons(executed) if executed.exists() else {}
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
