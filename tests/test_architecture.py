"""The parts and the direction of their imports (docs/architecture.md), and the cell vocabulary.

- cs231n_utils (what learners import) never imports cs231n_course (the course tools);
- no module of either package reads tests/ (fixtures are the tests' own);
- inside the grader, data flows one way: no module imports one that comes after it.
"""

import ast
import re
from pathlib import Path

import nbformat
import pytest

from cs231n_course import cells
from cs231n_course.grading.assemble import assemble
from cs231n_course.grading.results import NotebookResult, Status, Submission, grade_rows

ROOT = Path(__file__).resolve().parents[1]
GRADER_ORDER = ["limits", "results", "remote", "submissions", "assemble", "scan", "integrity", "kernel",
                "run", "judge", "feedback", "notebook", "outputs", "pipeline", "stock"]


def imports(path):
    """Absolute names a module imports (relative imports resolved against its package)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module) if p)
            names |= {module} | {f"{module}.{a.name}" for a in node.names}
    return names


def modules(package):
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", modules("cs231n_utils"), ids=lambda p: p.name)
def test_the_learner_package_never_imports_the_course_tools(path):
    assert not [n for n in imports(path) if n.split(".")[0] == "cs231n_course"]


@pytest.mark.parametrize("path", modules("cs231n_utils") + modules("cs231n_course"), ids=lambda p: p.name)
def test_no_package_module_reads_the_tests(path):
    reads_tests = re.compile(r"""tests/|/\s*["']tests["']|["']tests["']\s*/""")
    assert not reads_tests.search(path.read_text())


def test_the_grader_imports_only_what_comes_before_it():
    for position, name in enumerate(GRADER_ORDER):
        used = {n.split(".")[2] for n in imports(ROOT / "cs231n_course" / "grading" / f"{name}.py")
                if n.startswith("cs231n_course.grading.") and n.count(".") >= 2}
        later = used & set(GRADER_ORDER[position + 1:])
        assert not later, f"grading/{name}.py imports {sorted(later)}, which come after it"
    assert {p.stem for p in modules("cs231n_course/grading")} - {"__init__", "sandbox"} == set(GRADER_ORDER)


def test_cell_kinds_round_trip_through_nbgrader_metadata():
    for kind, points in [("given", None), ("answer", None), ("tests", 3), ("written", 2)]:
        cell = nbformat.v4.new_code_cell("x = 1")
        cell.metadata["nbgrader"] = cells.metadata(kind, "q1_x" if kind != "tests" else "q1_x_test", points)
        assert cells.kind(cell) is cells.Kind(kind)
        assert cells.points(cell) == (points or 0)
    with pytest.raises(ValueError, match="needs points"):
        cells.metadata("tests", "q1_x_test")
    with pytest.raises(ValueError, match="only tests and written"):
        cells.metadata("given", "intro", 2)
    assert cells.question_of("q3_sigmoid_staged_test") == "q3_sigmoid_staged"
    assert cells.kind(nbformat.v4.new_code_cell("mine")) is None  # a learner's own cell


def _nb(*specs):
    nb = nbformat.v4.new_notebook()
    for gid, kind, text in specs:
        cell = nbformat.v4.new_code_cell(text)
        cell.id = gid
        cell.metadata["nbgrader"] = cells.metadata(kind, gid, 2 if kind == "tests" else None)
        nb.cells.append(cell)
    return nb


def test_a_notebook_of_an_earlier_release_is_read_through_the_renamed_ids():
    source = _nb(("setup", "given", "import numpy as np"), ("q1_f", "answer", "# YOUR CODE"),
                 ("check_q1", "given", "print(f(1))"), ("q1_f_test", "tests", "assert f(1) == 2"))
    old = _nb(("cell-001", "given", "import numpy as np"), ("q1_f", "answer", "def f(x):\n    return 2 * x"),
              ("check-003", "given", "print(f(1))"), ("q1_f_test", "tests", "assert f(1) == 2"))
    nb, repairs = assemble(source, old, {"cell-001": "setup", "check-003": "check_q1"})
    assert [c.id for c in nb.cells] == ["setup", "q1_f", "check_q1", "q1_f_test"]
    assert nb.cells[1].source == "def f(x):\n    return 2 * x" and repairs == []
    nb, repairs = assemble(source, old)  # without the table, the old cells are strangers
    assert "restored deleted cell setup" in repairs


def test_one_row_builder_for_every_engine():
    result = NotebookResult.zero([("q1_f_test", 2.0), ("q2_g_test", 3.0)])
    result.cells["q1_f_test"].score = 2.0
    ok = Submission("ann", result=result)
    bad = Submission("bo", result=NotebookResult.zero([("q1_f_test", 2.0), ("q2_g_test", 3.0)]).fail(
        Status.INVALID, "is empty"))
    rows = grade_rows("01_x", [ok, bad])
    assert [(r["student"], r["cell"], r["score"], r["status"]) for r in rows] == [
        ("ann", "q1_f_test", 2.0, "ok"), ("ann", "q2_g_test", 0.0, "ok"),
        ("bo", "q1_f_test", 0.0, "invalid"), ("bo", "q2_g_test", 0.0, "invalid")]
    assert rows[2]["reason"] == "invalid: is empty"
    assert NotebookResult.from_json(result.to_json()) == result
