"""Grade a folder of submissions with stock nbgrader: gradebook, grades.csv, feedback, a table.

SUBMISSIONS/<student>/<notebook>.ipynb, or nbgrader's SUBMISSIONS/<student>/<assignment>/...
OUT/grades.csv                         one row per student and graded cell
OUT/feedback/<student>/<notebook>.html nbgrader's feedback page
OUT/gradebook.db                       nbgrader's gradebook (SQLite)
OUT/nbgrader/                          the nbgrader workspace (submitted/, autograded/, ...)
"""

import csv
import json
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from .course import CourseError, run_nbgrader

CSV_FIELDS = ["student", "assignment", "notebook", "cell", "score", "max_score", "status", "reason"]


@dataclass
class Submission:
    student: str
    files: dict  # notebook name (stem) -> Path
    status: str = "ok"  # ok | error | invalid
    reason: str = ""
    rows: list = field(default_factory=list)


def notebook_problem(path):
    """Why a file is not a gradable notebook, or None when it is one."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        return f"cannot be read ({e.strerror})"
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


def write_csv(path, subs):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for sub in subs:
            writer.writerows(sub.rows)


def score_table(subs):
    """A plain-text table: one row per student, one column per graded cell, and the total."""
    if not subs:
        return ""
    cells = [r["cell"] for r in subs[0].rows]
    short = [c.split("_")[0] for c in cells]  # "q3_sigmoid_staged_test" -> "q3"
    labels = short if len(set(short)) == len(short) else [c[:10] for c in cells]
    width = max(7, *(len(s.student) for s in subs))
    col = max(len(label) for label in labels) + 1
    header = f"{'student':<{width}} " + " ".join(f"{c:>{col}}" for c in labels) + "      total"
    lines = [header, "-" * len(header)]
    for sub in subs:
        got = sum(r["score"] for r in sub.rows)
        possible = sum(r["max_score"] for r in sub.rows)
        line = f"{sub.student:<{width}} " + " ".join(f"{r['score']:>{col}g}" for r in sub.rows)
        line += f"  {got:>4g} / {possible:g}"
        if sub.status != "ok":
            line += f"  [{sub.status}: {sub.reason}]"
        lines.append(line)
    return "\n".join(lines)
