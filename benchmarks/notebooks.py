"""How long each notebook takes to run top to bottom with its solution, kernel start included.

    .venv/bin/python benchmarks/notebooks.py [NN ...]      (all notebooks by default)

The student notebooks with every answer filled in from the solution, side by side in a temporary
folder (later notebooks import the earlier ones' answers through cs231n_utils.mine), each run
headless in a fresh kernel from its own folder, as Restart and Run All does, in notebook order.
Prints the seconds of each and the total (quality bar: the whole series in under 4 minutes on 2
cores) with the load average before and after: run it on an idle machine.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from cs231n_course import cells
from cs231n_course.course import find_course

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from fixtures import make_submission  # noqa: E402 (the release with answers filled in)


def solved(course, assignment, folder):
    """The release of `assignment` with every answer from its solution, saved in folder/NN_topic/."""
    nb = make_submission(course, assignment, dict.fromkeys(cells.answer_cells(course.solution(assignment)),
                                                           "solution"))
    path = folder / assignment / f"{assignment}.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    return path


def run_seconds(path):
    """Wall seconds to start a kernel and run every cell of the notebook at `path`, in its folder."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, kernel_name="python3", timeout=600,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def main(numbers):
    course = find_course()
    chosen = [a for a in course.assignments() if not numbers or a[:2] in numbers]
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} before the run")
    with tempfile.TemporaryDirectory(prefix="bench-notebooks-") as tmp:
        paths = [solved(course, a, Path(tmp)) for a in course.assignments()]  # all: later ones import
        total = 0.0
        for path in paths:
            if path.stem in chosen:
                seconds = run_seconds(path)
                total += seconds
                print(f"{path.stem:32s} {seconds:6.1f} s", flush=True)
    print(f"{'total':32s} {total:6.1f} s (quality bar for all eight: under 240 s on 2 cores)")
    print(f"load average {os.getloadavg()[0]:.2f} after the run (numbers hold on an idle machine)")


if __name__ == "__main__":
    main([n.zfill(2) for n in sys.argv[1:]])
