"""Grade a folder of submissions with stock nbgrader: gradebook, grades.csv, feedback, a table.

SUBMISSIONS/<student>/<notebook>.ipynb, or nbgrader's SUBMISSIONS/<student>/<assignment>/...
OUT/grades.csv                         one row per student and graded cell
OUT/feedback/<student>/<notebook>.html nbgrader's feedback page
OUT/gradebook.db                       nbgrader's gradebook (SQLite)
OUT/nbgrader/                          the nbgrader workspace (submitted/, autograded/, ...)
"""

import shutil
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from .course import CourseError, run_nbgrader
from .report import write_csv
from .submissions import find_submissions, grade_cells


def _workspace_config(course, workspace, db):
    """An nbgrader_config.py for the grading workspace: the course's settings, our paths."""
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(course.config_file)!r})  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(workspace)!r}\n"
        f"c.CourseDirectory.source_directory = {str(course.solutions)!r}\n"
        "c.CourseDirectory.release_directory = 'release'\n"
        f"c.CourseDirectory.db_url = {'sqlite:///' + str(db)!r}\n")


def _last_error_line(text):
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if "Error" in ln or "error" in ln:
            return ln[:300]
    return lines[-1][:300] if lines else "nbgrader failed without a message"


def _failure_reasons(autograded_nb):
    """Graded cell id -> the first line of the error it raised (or its stderr)."""
    reasons = {}
    nb = nbformat.read(autograded_nb, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        for out in cell.outputs:
            if out.output_type == "error":
                reasons[meta["grade_id"]] = f"{out.ename}: {out.evalue}".splitlines()[0][:300]
                break
            if out.output_type == "stream" and out.name == "stderr":
                reasons[meta["grade_id"]] = "wrote to stderr: " + out.text.strip()[:200]
                break
    return reasons


def grade(course, submissions_dir, assignment, out_dir, progress=print):
    """Autograde every submission with stock nbgrader, one student at a time.

    Returns the list of Submission, each with its rows for grades.csv.
    """
    out_dir = Path(out_dir).resolve()
    cells = grade_cells(course, assignment)
    notebook_names = sorted({nb for nb, _, _ in cells})
    subs = find_submissions(submissions_dir, assignment, notebook_names)
    workspace, db = out_dir / "nbgrader", out_dir / "gradebook.db"
    _workspace_config(course, workspace, db)
    proc = run_nbgrader(["generate_assignment", assignment, "--force", "--log-level=WARN"], workspace)
    if proc.returncode != 0:
        raise CourseError(f"nbgrader could not set up {assignment}: {_last_error_line(proc.stderr)}")

    for i, sub in enumerate(subs, 1):
        progress(f"[{i}/{len(subs)}] {sub.student}: " + ("grading" if sub.status == "ok" else sub.reason))
        if sub.status != "ok":
            continue
        target = workspace / "submitted" / sub.student / assignment
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for name, path in sub.files.items():
            shutil.copyfile(path, target / f"{name}.ipynb")
        proc = run_nbgrader(["autograde", assignment, f"--student={sub.student}", "--force",
                             "--log-level=WARN"], workspace)
        if proc.returncode != 0:
            sub.status, sub.reason = "error", _last_error_line(proc.stderr)
            continue
        run_nbgrader(["generate_feedback", assignment, f"--student={sub.student}", "--force",
                      "--log-level=ERROR"], workspace)
        for name in sub.files:
            html = workspace / "feedback" / sub.student / assignment / f"{name}.html"
            if html.exists():
                dest = out_dir / "feedback" / sub.student / f"{name}.html"
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(html, dest)

    _collect_rows(subs, cells, assignment, workspace, db)
    write_csv(out_dir / "grades.csv", subs)
    return subs


def _collect_rows(subs, cells, assignment, workspace, db):
    scores = {}
    if db.exists():
        with Gradebook(f"sqlite:///{db}") as gb:
            for sub in subs:
                if sub.status != "ok":
                    continue
                for name in sub.files:
                    nb = gb.find_submission_notebook(name, assignment, sub.student)
                    for g in nb.grades:
                        scores[sub.student, name, g.name] = g.score
    for sub in subs:
        reasons = {}
        for name in sub.files if sub.status == "ok" else ():
            path = workspace / "autograded" / sub.student / assignment / f"{name}.ipynb"
            reasons.update(_failure_reasons(path) if path.exists() else {})
        for notebook, cell, max_score in cells:
            score = scores.get((sub.student, notebook, cell), 0.0) if sub.status == "ok" else 0.0
            reason = sub.reason if sub.status != "ok" else reasons.get(cell, "")
            sub.rows.append(dict(student=sub.student, assignment=assignment, notebook=notebook,
                                 cell=cell, score=score, max_score=max_score,
                                 status=sub.status, reason=reason))
