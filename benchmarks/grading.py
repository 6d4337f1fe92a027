"""Grading throughput: stock nbgrader vs the hardened grader, and its overhead over bare nbclient.

    .venv/bin/python benchmarks/grading.py [N]      (N = 20 submissions by default)

Builds a class of N submissions of notebook 01 (correct, partial, buggy, blank, one broken file),
then times, in one run:
- stock `nbgrader autograde` over the whole class (sequential, one command);
- bare nbclient: each submission executed in a fresh kernel, nothing else (the floor);
- `cs231n-course grade` with 1 worker and with one worker per core.
Targets (2 cores): hardened with all cores >= 1.8x faster than stock; per-submission overhead of
the hardened grader (1 worker) over bare execution <= 20%.
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from cs231n_course import cells
from cs231n_course.course import find_course, run_nbgrader
from cs231n_course.grading.pipeline import grade_class
from cs231n_course.grading.stock import nbgrader_workspace
from cs231n_course.grading.submissions import find_submissions

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from fixtures import load_bank, make_submission  # noqa: E402 (the wrong-answer banks)

NB = "01_chain_rule"


def make_class(course, folder, n):
    bank = load_bank(NB)
    questions = list(bank.BANK)
    plans = [dict.fromkeys(questions, "solution"),  # correct
             dict.fromkeys(questions[:4], "solution"),  # partial
             {**dict.fromkeys(questions, "solution"), questions[2]: bank.BANK[questions[2]][0][0],
              questions[5]: bank.BANK[questions[5]][0][0]},  # buggy
             {}]  # blank
    for i in range(n):
        student = folder / f"student{i:03d}"
        student.mkdir(parents=True)
        if i % 10 == 9:
            (student / f"{NB}.ipynb").write_text("{ broken")
        else:
            nbformat.write(make_submission(course, NB, plans[i % 4]), student / f"{NB}.ipynb")


def time_stock(course, subs, out):
    workspace = out / "nbgrader"
    nbgrader_workspace(course, NB, workspace, out / "gradebook.db")
    for student in subs.iterdir():
        target = workspace / "submitted" / student.name / NB
        target.mkdir(parents=True)
        shutil.copy(student / f"{NB}.ipynb", target)
    start = time.perf_counter()
    run_nbgrader(["autograde", NB, "--force"], workspace)  # exits 1 on the broken file: expected
    return time.perf_counter() - start


def time_bare(subs):
    start = time.perf_counter()
    for student in sorted(subs.iterdir()):
        try:
            nb = nbformat.read(student / f"{NB}.ipynb", as_version=4)
        except Exception:
            continue
        NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120).execute()
    return time.perf_counter() - start


def main(n):
    course = find_course()
    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    subs = tmp / "submissions"
    make_class(course, subs, n)
    cores = os.cpu_count() or 1
    print(f"class: {n} submissions of {NB} (correct / partial / buggy / blank, every 10th broken); "
          f"{cores} cores; load average {os.getloadavg()[0]:.2f} before the run")
    stock = time_stock(course, subs, tmp / "stock")
    bare = time_bare(subs)
    timings = {}
    for workers in sorted({1, cores}):
        start = time.perf_counter()
        graded = [(gid, pts) for gid, pts, _ in cells.graded_cells(course.solution(NB))]
        grade_class(course, find_submissions(subs, NB, graded), NB, tmp / f"ours{workers}",
                    workers=workers, progress=False)
        timings[workers] = time.perf_counter() - start
    valid = n - n // 10
    print(f"stock nbgrader autograde (sequential):  {stock:7.1f} s   {stock / n:5.2f} s/submission")
    print(f"bare nbclient execution (sequential):   {bare:7.1f} s   {bare / valid:5.2f} s/notebook")
    for workers, seconds in timings.items():
        print(f"hardened grader, {workers} worker(s):          {seconds:7.1f} s   "
              f"{seconds / n:5.2f} s/submission   {stock / seconds:4.2f}x stock")
    speedup = stock / timings[cores]
    overhead = timings[1] / bare - 1
    print(f"\nall cores vs stock: {speedup:.2f}x   target >= 1.8x   {'PASS' if speedup >= 1.8 else 'FAIL'}")
    print(f"overhead of 1 worker over bare nbclient: {overhead:+.0%}   target <= +20%   "
          f"{'PASS' if overhead <= 0.2 else 'FAIL'}")
    print("(the hardened grader also validates, sandboxes, scans, checks integrity, renders feedback "
          "and writes the gradebook; it starts each next kernel while the current one runs)")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
