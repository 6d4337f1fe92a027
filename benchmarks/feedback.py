"""Benchmark: drawing feedback pages of hostile notebooks, at the caps of grading/feedback.py.

Run: .venv/bin/python benchmarks/feedback.py   (a few minutes; prints, asserts nothing)

Each pattern fills one learner markdown cell (cut to CELL_CHARS), then enough cells to reach
TEXT_CHARS (drawn in a child process, under RENDER_SECONDS: "plain" when it ran out and the page
fell back to the scores). Before the caps, 380 KB of "[a](" took minutes (nbconvert's files/ regex).
The honest page (notebook 01's release) is the baseline. Timing: one run each (time.perf_counter).
"""

import copy
import os
import time
from pathlib import Path

import nbformat

from cs231n_course import cells
from cs231n_course.course import Course
from cs231n_course.grading import feedback
from cs231n_course.grading.results import NotebookResult

PATTERNS = {"link": "[a](", "math": "$a", "emphasis": "**a*", "stars": "*", "quote": ">",
            "nested list": "> - ", "table": "|a", "image": "![a](", "tag": "<a "}


def main():
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    course, name = Course(Path(__file__).resolve().parents[1]), "01_chain_rule"
    base = nbformat.read(course.release_path(name), as_version=4)
    result = NotebookResult.zero(cells.graded_cells(course.solution(name)))
    feedback.render(base, result, name)  # templates compiled

    def timed(label, extra):
        nb = copy.deepcopy(base)
        nb.cells[1:1] = extra
        start = time.perf_counter()
        page = feedback.render(nb, result, name)
        plain = "only the scores are shown" in page
        print(f"{label:28s} {time.perf_counter() - start:6.2f} s  {len(page):>11,} chars"
              + ("  plain" if plain else ""), flush=True)

    timed("honest (01 release)", [])
    for label, pattern in PATTERNS.items():
        cell = pattern * (4 * feedback.CELL_CHARS // len(pattern))
        timed(f"{label}: one cell", [nbformat.v4.new_markdown_cell(cell)])
        many = feedback.TEXT_CHARS // feedback.CELL_CHARS
        timed(f"{label}: {many} cells", [nbformat.v4.new_markdown_cell(cell) for _ in range(many)])


if __name__ == "__main__":
    main()
