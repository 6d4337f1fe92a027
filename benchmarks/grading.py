"""Grading throughput: stock nbgrader vs the hardened grader, and its overhead over bare nbclient.

    .venv/bin/python benchmarks/grading.py [N]      (N = 20 submissions by default)

Builds a class of N submissions of notebook 01 (correct, partial, buggy, blank, one broken file),
then times, in one run:
- stock `nbgrader autograde` over the whole class (sequential, one command);
- bare nbclient: each submission executed in a fresh kernel, nothing else;
- the floor: the cells alone, each notebook in a kernel started beforehand (not timed);
- `cs231n-course grade` with 1 worker and with one worker per core
  (worker processes, each with its own kernels, judge and feedback rendering).
Each row also gives the CPU seconds the whole machine spent meanwhile (Linux: /proc/stat), kernels
and workers included; the floor's include its kernels' start-up, which its wall time leaves out.
Targets (docs: "Quality bars"), on 2 cores: with every protection on and all cores, at least 1.8x
faster than stock; one worker's CPU at most 1.15x the floor's (the cells plus a fresh kernel each).
(3x would take a fork server handing out kernels from one pre-imported process, so one sandbox
shared by students' kernels; each kernel keeps a bubblewrap sandbox of its own.) The machine should
be idle: the load average is printed before and after.
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
SPEEDUP = 1.8  # all cores vs stock nbgrader, wall time, on 2 cores
CPU_OVER_FLOOR = 1.15  # one worker's CPU seconds over the floor's (cells + a fresh kernel each)


def measured(run, *args, **kwargs):
    """Wall seconds of run(*args, **kwargs)."""
    start = time.perf_counter()
    run(*args, **kwargs)
    return time.perf_counter() - start


def machine_cpu():
    """CPU seconds the machine has spent busy since boot (all but idle and I/O wait), or None
    where /proc/stat is missing."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(t) for t in f.readline().split()[1:]]
    except OSError:
        return None
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def with_cpu(run, *args):
    """(wall seconds that run(*args) returns, CPU seconds the machine spent meanwhile or None)."""
    before = machine_cpu()
    wall = run(*args)
    after = machine_cpu()
    return wall, (after - before if before is not None and after is not None else None)


def against(name, ratio, bound, target):
    """One line: a ratio against its target ("at least" or "at most")."""
    met = ratio >= target if bound == "at least" else ratio <= target
    return f"{name}: {ratio:.2f}x (target {bound} {target}x: {'PASS' if met else 'FAIL'})"


def make_class(course, folder, n):
    bank = load_bank(NB)
    questions = [q for q in bank.BANK if not cells.is_written_question(q)]  # the code exercises
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


def stock(course, subs, out):
    workspace = out / "nbgrader"
    nbgrader_workspace(course, [NB], workspace, out / "gradebook.db")
    for student in subs.iterdir():
        target = workspace / "submitted" / student.name / NB
        target.mkdir(parents=True)
        shutil.copy(student / f"{NB}.ipynb", target)
    return measured(run_nbgrader, ["autograde", NB, "--force"], workspace)  # exits 1 on the broken file


def valid_notebooks(subs):
    for student in sorted(subs.iterdir()):
        try:
            yield nbformat.read(student / f"{NB}.ipynb", as_version=4)
        except Exception:
            continue


def bare(subs):
    """Each valid submission executed in a fresh kernel, nothing else."""
    def run():
        for nb in valid_notebooks(subs):
            NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120).execute()
    return measured(run)


def execute_cells(client, nb):
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            client.execute_cell(cell, i)


def floor(subs):
    """The notebooks' cells alone, each in a kernel started beforehand (not counted)."""
    wall = 0.0
    for nb in valid_notebooks(subs):
        client = NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120)
        with client.setup_kernel():
            wall += measured(execute_cells, client, nb)
    return wall


def ours(course, subs, out, workers):
    graded = cells.graded_cells(course.solution(NB))
    return measured(grade_class, course, find_submissions(subs, NB, graded), NB, out,
                    workers=workers, progress=False)


def main(n):
    course = find_course()
    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    subs = tmp / "submissions"
    make_class(course, subs, n)
    cores = os.cpu_count() or 1
    print(f"class: {n} submissions of {NB} (correct / partial / buggy / blank, every 10th broken); "
          f"{cores} cores; load average {os.getloadavg()[0]:.2f} before the run\n")
    rows = {"stock nbgrader autograde (sequential)": with_cpu(stock, course, subs, tmp / "stock"),
            "bare nbclient, a fresh kernel each": with_cpu(bare, subs),
            "floor: the cells alone, kernel started": with_cpu(floor, subs)}
    for workers in sorted({1, cores}):
        out = tmp / str(workers)
        rows[f"cs231n-course grade, {workers} worker(s)"] = with_cpu(ours, course, subs, out, workers)
    stock_wall = rows["stock nbgrader autograde (sequential)"][0]
    print(f"{'':40s} {'wall s':>7s} {'s/sub':>6s} {'CPU s':>6s}  vs stock")
    for name, (wall, cpu) in rows.items():
        used = f"{cpu:6.1f}" if cpu is not None else f"{'-':>6s}"
        print(f"{name:40s} {wall:7.1f} {wall / n:6.2f} {used}  {stock_wall / wall:5.2f}x")
    one, one_cpu = rows["cs231n-course grade, 1 worker(s)"]
    every = rows[f"cs231n-course grade, {cores} worker(s)"][0]
    floor_cpu = rows["floor: the cells alone, kernel started"][1]
    print(f"\n{against('all cores vs stock (wall)', stock_wall / every, 'at least', SPEEDUP)}"
          + ("" if cores == 2 else f" (the target is set for 2 cores; this machine has {cores})"))
    if one_cpu is not None and floor_cpu is not None:
        print(against("one worker's CPU vs the floor's", one_cpu / floor_cpu, "at most", CPU_OVER_FLOOR))
    print(f"{cores} workers vs 1 (wall): {one / every:.2f}x (ideal {cores}x)")
    print(f"load average {os.getloadavg()[0]:.2f} after the run (numbers hold on an idle machine); the "
          "grader also validates, sandboxes, judges, scans, renders feedback and writes the gradebook")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
