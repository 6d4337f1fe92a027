"""The course commands (also `python -m cs231n_course`).

build       sources/*.py -> solutions/ and notebooks/ (nbgrader generate_assignment, deterministic)
check       fail, naming the files, when notebooks/ is stale or a source breaks the cell rules
release     the student edition: notebooks, the learner package, a student README; leak-checked
grade       a folder of submissions (or one notebook) -> OUT, the course of record: an nbgrader
            course with the gradebook, executed notebooks, feedback, grades.csv, a score table
formgrader  open OUT in nbgrader's Formgrader, to grade written answers by hand
feedback    after hand grading: rebuild the CSVs, the summary and every feedback page from OUT
export      final points per student and assignment, as a CSV Canvas or Moodle imports
similarity  which students' answers to each question are alike: a CSV and a page to look at
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

from . import cells
from .build import build
from .check import check
from .course import Course, find_course
from .errors import CourseError
from .grading import similarity
from .grading.limits import Limits
from .grading.outputs import LMS_FORMATS, export, publish, score_table
from .grading.pipeline import grade_class
from .grading.record import Record
from .grading.results import Status, printable
from .grading.stock import grade_class_with_nbgrader
from .grading.submissions import find_submissions, single_submission
from .release import release


def _course(args):
    return Course(Path(args.course).resolve()) if args.course else find_course()


def _build(args):
    course = _course(args)
    build(course)
    print(f"built {len(course.assignments())} assignment(s) into {course.notebooks} and {course.solutions}")
    return 0


def _check(args):
    problems = check(_course(args))
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("notebooks/ is up to date with sources/, and every source follows the cell rules")
    return 1 if problems else 0


def _release(args):
    assignments, findings = release(_course(args), args.out, args.through, args.unlock)
    if findings:
        for finding in findings:
            print(finding, file=sys.stderr)
        print(f"not written: the student edition would show {len(findings)} solution or hidden-test "
              "statement(s) (listed above); remove them from the notebooks and the package", file=sys.stderr)
        return 1
    print(f"student edition of {len(assignments)} notebook(s) in {args.out}")
    return 0


def _infer_assignment(course, submissions):
    path = Path(submissions)
    names = {path.stem} if path.is_file() else {p.stem for p in path.rglob("*.ipynb")}
    matches = [a for a in course.assignments() if a in names]
    if len(matches) != 1:
        raise CourseError("cannot tell which assignment these submissions are for: pass "
                          f"--assignment (one of {', '.join(course.assignments())})")
    return matches[0]


def _print_one(sub, path, out):
    """A learner grading their own notebook: every graded cell with its reason; the feedback page."""
    result = sub.result
    for grade_id, cell in result.cells.items():
        if cell.pending:
            print(f"?? {grade_id:<40} - / {cell.max_score:g}  {printable(cell.reason)}")
            continue
        mark = "ok " if cell.score >= cell.max_score else "-- "
        print(f"{mark}{grade_id:<40} {cell.score:g} / {cell.max_score:g}  {printable(cell.reason)}")
    status = "" if sub.status is Status.OK else f"   [{sub.status.value}: {printable(sub.reason)}]"
    print(f"autograded total {result.auto_score:g} / {result.auto_max_score:g}{status}")
    if result.pending:
        print(f"written answers: {result.pending:g} points need manual grading")
    page = Record(out).feedback(sub.student, path.stem)
    if page.exists():
        target = path.with_suffix(".feedback.html")
        target.write_text(page.read_text())
        print(f"feedback: {target}")


def _grade(args):
    course = _course(args)
    assignment = args.assignment or _infer_assignment(course, args.submissions)
    graded = cells.graded_cells(course.solution(assignment))
    limits = Limits(notebook_seconds=args.timeout, memory_mb=args.memory)
    path = Path(args.submissions)
    if path.is_file():
        sub = single_submission(path, assignment, graded)
        with tempfile.TemporaryDirectory() as tmp:
            grade_class(course, [sub], assignment, tmp, workers=1, limits=limits, force=True,
                        progress=False)
            _print_one(sub, path, Path(tmp))
        return 0
    out = Path(args.out)
    subs = find_submissions(path, assignment, graded)
    if args.engine == "nbgrader":
        grade_class_with_nbgrader(course, subs, assignment, out,
                                  progress=lambda msg: print(printable(msg), file=sys.stderr))
    else:
        grade_class(course, subs, assignment, out, workers=args.workers, scheduler=args.scheduler,
                    limits=limits, force=args.force)
    for sub in subs:
        if sub.status is not Status.OK:
            print(printable(f"{sub.student}: {sub.status.value}: {sub.reason}"), file=sys.stderr)
    print(score_table(subs))
    _where(out, assignment)
    return 0


def _where(out, assignment):
    record = Record(out)
    print(f"\ncourse of record: {out} (nbgrader's layout; grade written answers by hand with "
          f"`cs231n-course formgrader {out}`, then `cs231n-course feedback {out}`)"
          f"\ngrades:    {out / 'grades.csv'}\ntotals:    {out / 'totals.csv'}"
          f"\nfeedback:  {record.feedback('<student>', assignment)}\ngradebook: {record.gradebook}"
          f"\nsummary:   {out / 'summary.png'}")


def _graded_folder(path):
    record = Record(Path(path).resolve())
    if not record.assignments():
        raise CourseError(f"{path} holds no graded assignment: grade one with "
                          f"`cs231n-course grade SUBMISSIONS --out {path}` first")
    return record


def _feedback(args):
    record = _graded_folder(args.out)
    with record.lock():
        everything = publish(record, [args.assignment] if args.assignment else None)
    for assignment, subs in everything.items():
        print(f"{assignment}\n{score_table(subs)}\n")
    print(f"rebuilt from {record.gradebook} and {record.root / 'results'}: grades.csv, totals.csv, "
          f"summary.png and the feedback pages in {record.root / 'feedback'}")
    return 0


def _export(args):
    record = _graded_folder(args.out)
    target = Path(args.to or record.root / f"final_grades_{args.lms}.csv")
    with record.lock():
        waiting = export(record, target, args.lms)
    if waiting:
        shown = "; ".join(waiting[:10]) + (" ..." if len(waiting) > 10 else "")
        print(f"{len(waiting)} written answer(s) still need a grade by hand (their points are not in "
              f"the file): {shown}", file=sys.stderr)
    print(f"final points for {args.lms}: {target}")
    return 0


def _similarity(args):
    course = _course(args)
    assignment = args.assignment or _infer_assignment(course, similarity.submissions_in(args.submissions))
    threshold = similarity.THRESHOLD if args.threshold is None else args.threshold
    report = similarity.compare_class(course, args.submissions, assignment, threshold)
    for student, why in report.left_out:
        print(printable(f"{student}: left out: {why}"), file=sys.stderr)
    csv_path, page = similarity.write_report(report, args.out)
    print(f"{len(report.pairs)} similar answer pair(s), a place to look, not a verdict:\n{page}\n{csv_path}")
    return 0


def _formgrader(args):
    record = _graded_folder(args.out)
    argv = [os.path.join(os.path.dirname(sys.executable), "jupyter"), "lab", "--no-browser",
            f"--ServerApp.root_dir={record.root}", "--LabApp.default_url=/formgrader",
            *args.jupyter]
    if os.getuid() == 0:
        argv.append("--allow-root")  # (containers, cloud VMs)
    print(f"Formgrader on {record.root}: open the URL below, then Manual Grading", file=sys.stderr)
    os.chdir(record.root)  # nbgrader reads the nbgrader_config.py of the folder it starts in
    # formulas drawn offline: nbconvert's MathJax macro, loading the MathJax that the Jupyter
    # server itself serves (jupyter-server-mathjax) rather than a CDN's, comes first on this path
    templates = Path(__file__).parent / "grading" / "static" / "jupyter"
    path = os.pathsep.join(p for p in (str(templates), os.environ.get("JUPYTER_PATH")) if p)
    os.execve(argv[0], argv, {**os.environ, "JUPYTER_PATH": path})


def main(argv=None):
    parser = argparse.ArgumentParser(prog="cs231n-course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course", help="course folder (default: found from the working directory)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="generate notebooks/ from sources/").set_defaults(func=_build)
    sub.add_parser("check", help="fail when notebooks/ is stale or a source breaks the rules"
                   ).set_defaults(func=_check)
    r = sub.add_parser("release", help="write the leak-checked student edition")
    r.add_argument("--out", required=True, help="a new folder for the student edition")
    r.add_argument("--through", help="last notebook number to include, e.g. 04 (default: all)")
    r.add_argument("--unlock", help="past-due notebooks whose reference the edition ships, e.g. 01-03 "
                   "(stands in for a learner's missing exercise)")
    r.set_defaults(func=_release)
    g = sub.add_parser("grade", help="autograde a folder of submissions, or one notebook")
    g.add_argument("submissions", help="folder with one sub-folder per student, or one .ipynb")
    g.add_argument("--assignment", help="assignment name, e.g. 01_chain_rule (default: inferred)")
    g.add_argument("--out", default="grading_out", help="output folder (default: grading_out)")
    g.add_argument("--workers", type=int, help="parallel kernels (default: number of cores)")
    g.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    g.add_argument("--timeout", type=float, default=Limits.notebook_seconds,
                   help=f"seconds per notebook (default {Limits.notebook_seconds:g})")
    g.add_argument("--memory", type=int, default=Limits.memory_mb,
                   help=f"MB per kernel (default {Limits.memory_mb})")
    g.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    g.add_argument("--engine", choices=["sandbox", "nbgrader"], default="sandbox",
                   help="sandbox (default): the hardened parallel grader; nbgrader: stock "
                        "`nbgrader autograde`, one student at a time, unprotected (for comparison)")
    g.set_defaults(func=_grade)
    f = sub.add_parser("feedback", help="rebuild grades.csv, totals.csv, summary.png and the feedback "
                       "pages of a graded folder, with the grades entered by hand")
    f.add_argument("out", help="the folder `grade --out` wrote")
    f.add_argument("--assignment", help="redraw only this assignment's feedback pages")
    f.set_defaults(func=_feedback)
    e = sub.add_parser("export", help="final points per student and assignment, for an LMS")
    e.add_argument("out", help="the folder `grade --out` wrote")
    e.add_argument("--lms", choices=LMS_FORMATS, default="canvas", help="the CSV's columns (default canvas)")
    e.add_argument("--to", help="the CSV file to write (default OUT/final_grades_<lms>.csv)")
    e.set_defaults(func=_export)
    s = sub.add_parser("similarity", help="pairs of students whose answers are alike, question by question")
    s.add_argument("submissions", help="a folder of submissions, as `grade` takes it, or a graded folder")
    s.add_argument("--assignment", help="assignment name, e.g. 01_chain_rule (default: inferred)")
    s.add_argument("--out", default="similarity_out", help="folder for similarity.csv and similarity.html")
    s.add_argument("--threshold", type=float, help="the lowest score (0-1) reported (default 0.5)")
    s.set_defaults(func=_similarity)
    fg = sub.add_parser("formgrader", help="open a graded folder in nbgrader's Formgrader (JupyterLab)")
    fg.add_argument("out", help="the folder `grade --out` wrote")
    fg.add_argument("jupyter", nargs=argparse.REMAINDER,
                    help="options for `jupyter lab` (e.g. --port=8890 --ip=0.0.0.0)")
    fg.set_defaults(func=_formgrader)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CourseError as e:
        print(f"cs231n-course: {e}", file=sys.stderr)
        return 2
