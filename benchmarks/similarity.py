"""Benchmark: `cs231n-course similarity` on a class of 200 (target: under a minute on 2 cores).

Run: .venv/bin/python benchmarks/similarity.py [ASSIGNMENT]   (prints, asserts nothing)

The class (seeded): on each code question a learner hands in the solution (common ground), one of
the bank's wrong answers, or an answer of their own, here the solution region of another question
of the course (so that many learners share code that is not common ground: the worst case for the
number of pairs to compare); each written answer is five sentences of the course's own text (the
markdown of every release notebook), and one learner in twenty hands in the previous one's answers.
Timed: reading the 200 notebooks, comparing, writing the CSV and the page (time.perf_counter, one run).
"""

import os
import random
import re
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fixtures import load_bank, make_submission  # noqa: E402

from cs231n_course import cells  # noqa: E402
from cs231n_course.course import Course  # noqa: E402
from cs231n_course.grading.similarity import compare_class, write_report  # noqa: E402

STUDENTS = 200
STUB = re.compile(r"^([ \t]*)# YOUR CODE HERE\n[ \t]*raise NotImplementedError\(\)", re.M)
REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)\n[ \t]*### END SOLUTION", re.S)


def own_answers(course):
    """The solution region of every answer cell of the course, dedented."""
    return [textwrap.dedent(found) for a in course.assignments()
            for cell in cells.answer_cells(course.solution(a)).values()
            for found in REGION.findall(cell.source)]


def sentences(course):
    """The sentences of the course's release notebooks, of 40 characters or more."""
    text = " ".join(cell.source for a in course.assignments()
                    for cell in nbformat.read(course.release_path(a), as_version=4).cells
                    if cell.cell_type == "markdown")
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s) >= 40]


def learner(course, assignment, rng, pool, prose):
    questions = cells.questions(course.solution(assignment))
    bank = load_bank(assignment).BANK
    answers = {q: rng.choice(["solution", *(d for d, _, _ in bank.get(q, []))]) for q in questions}
    nb = make_submission(course, assignment, answers)
    for cell in nb.cells:
        if cells.key(cell) in questions and rng.random() < 0.3 and STUB.search(cell.source):
            code = rng.choice(pool)
            cell.source = STUB.sub(lambda m, code=code: textwrap.indent(code, m.group(1)), cell.source)
        elif cells.is_manual(cell):
            cell.source = "**Your answer:**\n\n" + " ".join(rng.sample(prose, 5))
    return nb


def main():
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    course = Course(ROOT)
    assignment = sys.argv[1] if len(sys.argv) > 1 else "05_activations_init_batchnorm"
    rng, pool, prose = random.Random(0), own_answers(course), sentences(course)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "submissions"
        for i in range(STUDENTS):
            path = folder / f"student{i:03d}" / f"{assignment}.ipynb"
            path.parent.mkdir(parents=True)
            if i % 20 != 1:  # else the previous learner's notebook, handed in again
                nb = learner(course, assignment, rng, pool, prose)
            nbformat.write(nb, path)
        start = time.perf_counter()
        report = compare_class(course, folder, assignment)
        compared = time.perf_counter()
        csv_path, page = write_report(report, Path(tmp) / "report")
        done = time.perf_counter()
        print(f"{assignment}: {STUDENTS} learners, {len(report.answers)} questions, "
              f"{len(report.pairs):,} similar pairs, {len(report.left_out)} left out")
        print(f"read and compared {compared - start:6.1f} s; CSV and page {done - compared:5.1f} s "
              f"({page.stat().st_size:,} bytes); total {done - start:6.1f} s")
        print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
