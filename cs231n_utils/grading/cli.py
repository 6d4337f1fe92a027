"""The course commands: `cs231n-course build | check | grade` (also `python -m cs231n_utils.grading`).

build  solutions/ -> notebooks/ with nbgrader generate_assignment (deterministic)
check  fail, naming the files, when notebooks/ is stale or a notebook has outputs
grade  a folder of submissions -> gradebook, grades.csv, feedback HTML, a score table
"""

import argparse
import sys
from dataclasses import asdict
from pathlib import Path

from .course import Course, CourseError, build, check, find_course
from .execute import Limits, grade_submission
from .grade import grade, hidden_paths
from .report import score_table
from .stock import grade as grade_with_nbgrader


def _course(args):
    return Course(Path(args.course).resolve()) if args.course else find_course()


def _build(args):
    course = _course(args)
    build(course)
    print(f"built {len(course.assignments())} assignment(s) into {course.notebooks}")
    return 0


def _check(args):
    problems = check(_course(args))
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("notebooks/ is up to date with solutions/; no notebook is stored with outputs")
    return 1 if problems else 0


def _infer_assignment(course, submissions):
    path = Path(submissions)
    names = {path.stem} if path.is_file() else {p.stem for p in path.rglob("*.ipynb")}
    matches = [a for a in course.assignments()
               if {p.stem for p in course.source_notebooks(a)} & names]
    if len(matches) != 1:
        raise CourseError("cannot tell which assignment these submissions are for: pass "
                          f"--assignment (one of {', '.join(course.assignments())})")
    return matches[0]


def _limits(args):
    return Limits(notebook_seconds=args.timeout, memory_mb=args.memory)


def _grade_one(course, path, assignment, limits):
    """A learner grading their own notebook: scores and reasons, feedback next to it."""
    (source,) = [p for p in course.source_notebooks(assignment) if p.stem == path.stem]
    result = grade_submission({"source": source.read_text(), "submission": path.read_bytes(),
                               "notebook": path.stem, "limits": asdict(limits),
                               "hide": hidden_paths(course, path.parent, path.parent)})
    for key, cell in (result["cells"] or {}).items():
        mark = "ok " if cell["score"] >= cell["max_score"] else "-- "
        print(f"{mark}{key:<40} {cell['score']:g} / {cell['max_score']:g}  {cell['reason']}")
    total = sum(c["score"] for c in result["cells"].values())
    print(f"total {total:g} / {sum(c['max_score'] for c in result['cells'].values()):g}"
          + (f"   [{result['status']}: {result['reason']}]" if result["status"] != "ok" else ""))
    if result.get("feedback"):
        page = path.with_suffix(".feedback.html")
        page.write_text(result["feedback"])
        print(f"feedback: {page}")
    return 0


def _grade(args):
    course = _course(args)
    assignment = args.assignment or _infer_assignment(course, args.submissions)
    if Path(args.submissions).is_file():
        return _grade_one(course, Path(args.submissions), assignment, _limits(args))
    out = Path(args.out)
    if args.engine == "nbgrader":
        subs = grade_with_nbgrader(course, args.submissions, assignment, out,
                                   progress=lambda msg: print(msg, file=sys.stderr))
    else:
        subs = grade(course, args.submissions, assignment, out, workers=args.workers,
                     scheduler=args.scheduler, limits=_limits(args), force=args.force)
    for sub in subs:
        if sub.status != "ok":
            print(f"{sub.student}: {sub.status}: {sub.reason}", file=sys.stderr)
    print(score_table(subs))
    print(f"\ngrades:    {out / 'grades.csv'}\nfeedback:  {out / 'feedback'}/<student>/"
          f"\ngradebook: {out / 'gradebook.db'}\nsummary:   {out / 'summary.png'}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="cs231n-course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course", help="course folder (default: found from the working directory)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="generate notebooks/ from solutions/").set_defaults(func=_build)
    sub.add_parser("check", help="fail when notebooks/ is stale").set_defaults(func=_check)
    g = sub.add_parser("grade", help="autograde a folder of submissions, or one notebook")
    g.add_argument("submissions", help="folder with one sub-folder per student, or one .ipynb")
    g.add_argument("--assignment", help="assignment name, e.g. 01_chain_rule (default: inferred)")
    g.add_argument("--out", default="grading_out", help="output folder (default: grading_out)")
    g.add_argument("--workers", type=int, help="parallel kernels (default: number of cores)")
    g.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    g.add_argument("--timeout", type=float, default=600, help="seconds per notebook (default 600)")
    g.add_argument("--memory", type=int, default=4096, help="MB per kernel (default 4096)")
    g.add_argument("--force", action="store_true", help="regrade unchanged submissions too")
    g.add_argument("--engine", choices=["sandbox", "nbgrader"], default="sandbox",
                   help="sandbox (default): the hardened parallel grader; nbgrader: stock "
                        "`nbgrader autograde`, one student at a time, unprotected (for comparison)")
    g.set_defaults(func=_grade)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CourseError as e:
        print(f"cs231n-course: {e}", file=sys.stderr)
        return 2
