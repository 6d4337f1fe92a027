"""The course commands: `cs231n-course build | check | grade`.

build  solutions/ -> notebooks/ with nbgrader generate_assignment (deterministic)
check  fail, naming the files, when notebooks/ is stale or a notebook has outputs
grade  a folder of submissions -> gradebook, grades.csv, feedback HTML, a score table
"""

import argparse
import sys
from pathlib import Path

from .course import Course, CourseError, build, check, find_course
from .grade import grade, score_table


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
    names = {p.stem for p in Path(submissions).rglob("*.ipynb")}
    matches = [a for a in course.assignments()
               if {p.stem for p in course.source_notebooks(a)} & names]
    if len(matches) != 1:
        raise CourseError("cannot tell which assignment these submissions are for: pass "
                          f"--assignment (one of {', '.join(course.assignments())})")
    return matches[0]


def _grade(args):
    course = _course(args)
    assignment = args.assignment or _infer_assignment(course, args.submissions)
    out = Path(args.out)
    subs = grade(course, args.submissions, assignment, out,
                 progress=lambda msg: print(msg, file=sys.stderr))
    for sub in subs:
        if sub.status != "ok":
            print(f"{sub.student}: {sub.status}: {sub.reason}", file=sys.stderr)
    print(score_table(subs))
    print(f"\ngrades:   {out / 'grades.csv'}\nfeedback: {out / 'feedback'}/<student>/"
          f"\ngradebook: {out / 'gradebook.db'}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="cs231n-course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course", help="course folder (default: found from the working directory)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="generate notebooks/ from solutions/").set_defaults(func=_build)
    sub.add_parser("check", help="fail when notebooks/ is stale").set_defaults(func=_check)
    g = sub.add_parser("grade", help="autograde a folder of submissions")
    g.add_argument("submissions", help="folder with one sub-folder per student")
    g.add_argument("--assignment", help="assignment name, e.g. 01_chain_rule (default: inferred)")
    g.add_argument("--out", default="grading_out", help="output folder (default: grading_out)")
    g.set_defaults(func=_grade)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CourseError as e:
        print(f"cs231n-course: {e}", file=sys.stderr)
        return 2
