"""The parts and the direction of their imports (docs/architecture.md), and the cell vocabulary.

- cs231n_utils (what learners import) never imports cs231n_course (the course tools);
- no module of either package reads tests/ (fixtures are the tests' own);
- inside the grader, data flows one way: no module imports one that comes after it;
- every import of a project module sits at the top of its module, and the course tools' imports
  form no cycle (errors <- cells <- source <- course <- lint, build, release <- check <- cli).
"""

import ast
import re
from pathlib import Path

import nbformat
import pytest

from cs231n_course import cells
from cs231n_course.grading.assemble import assemble, written_answers
from cs231n_course.grading.results import (
    CellResult,
    NotebookResult,
    Status,
    Submission,
    grade_rows,
    total_rows,
)

ROOT = Path(__file__).resolve().parents[1]
GRADER = ROOT / "cs231n_course" / "grading"
DOCS = (ROOT / "docs" / "architecture.md").read_text()


def grader_order():
    """The grader's modules in the order of grading/__init__.py's list (data flows down it)."""
    import cs231n_course.grading as grading

    return re.findall(r"^([a-z]+) {2,}", grading.__doc__, re.MULTILINE)


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


def name_of(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


PROJECT = ("cs231n_course", "cs231n_utils")


@pytest.mark.parametrize("path", modules("cs231n_utils") + modules("cs231n_course"), ids=lambda p: p.name)
def test_project_modules_are_imported_at_the_top(path):
    """An import inside a function hides a dependency (and, once, hid a cycle): none of the project's."""
    tree = ast.parse(path.read_text())
    top = set(tree.body)
    hidden = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
              and node not in top and (getattr(node, "level", 0) or any(
                  n.split(".")[0] in PROJECT for n in [getattr(node, "module", None) or ""]
                  + [a.name for a in node.names]))]
    assert not hidden, f"{path.name} imports project modules inside functions, at lines {hidden}"


def test_the_course_tools_import_one_way():
    graph = {}
    for path in modules("cs231n_course"):
        known = {name_of(p) for p in modules("cs231n_course")}
        graph[name_of(path)] = {n for n in imports(path) if n in known and n != name_of(path)}
    done, path = set(), []

    def visit(module):
        assert module not in path, f"an import cycle: {' -> '.join(path[path.index(module):] + [module])}"
        if module not in done:
            path.append(module)
            for used in sorted(graph[module]):
                visit(used)
            path.pop()
            done.add(module)

    for module in sorted(graph):
        visit(module)


@pytest.mark.parametrize("path", modules("cs231n_utils"), ids=lambda p: p.name)
def test_the_learner_package_never_imports_the_course_tools(path):
    assert not [n for n in imports(path) if n.split(".")[0] == "cs231n_course"]


@pytest.mark.parametrize("path", modules("cs231n_utils") + modules("cs231n_course"), ids=lambda p: p.name)
def test_no_package_module_reads_the_tests(path):
    reads_tests = re.compile(r"""tests/|/\s*["']tests["']|["']tests["']\s*/""")
    assert not reads_tests.search(path.read_text())


def test_the_grader_imports_only_what_comes_before_it():
    order = grader_order()
    for position, name in enumerate(order):
        used = {n.split(".")[2] for n in imports(GRADER / f"{name}.py")
                if n.startswith("cs231n_course.grading.") and n.count(".") >= 2}
        later = used & set(order[position + 1:])
        assert not later, f"grading/{name}.py imports {sorted(later)}, which come after it"
    assert sorted(p.stem for p in GRADER.glob("*.py") if p.stem != "__init__") == sorted(order)


def test_the_architecture_page_shows_the_graders_order_and_the_judges_words():
    section = DOCS[DOCS.index("## The grader"):]
    assert re.findall(r"^\| `([a-z]+)` \|", section, re.MULTILINE) == grader_order()
    import cs231n_course.grading.judge as judge
    from cs231n_course.grading.channel import LIMITS

    words = " ".join(DOCS.split())
    assert LIMITS in words
    for part in re.split(r"\n(?=\d\. |- )", judge.__doc__.split("Rules for test authors")[1]):
        part = " ".join(part.split("\n\n")[0].split())
        if part.startswith(tuple("123456-")):  # a rule, a guarantee or what is not guaranteed
            assert part in words, f"docs/architecture.md lacks, in the judge's words: {part}"


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


def test_a_deleted_answer_comes_back_as_released_never_with_its_solution():
    solution = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"
    source = _nb(("q1_f", "answer", solution), ("check_q1", "given", "print(f(1))"),
                 ("q1_f_test", "tests", "assert f(1) == 2"))
    written = nbformat.v4.new_markdown_cell("**Your answer:**\n\n### BEGIN SOLUTION\nModel answer.\n"
                                            "RUBRIC\n### END SOLUTION")
    written.id, written.metadata["nbgrader"] = "wq2_why", cells.metadata("written", "wq2_why", 2)
    source.cells.append(written)
    nb, repairs = assemble(source, _nb(("check_q1", "given", "print(f(1))")))
    got = {c.id: c.source for c in nb.cells}
    assert "restored deleted cell q1_f" in repairs and "restored deleted cell wq2_why" in repairs
    assert "2 * x" not in got["q1_f"] and "raise NotImplementedError()" in got["q1_f"]
    assert got["wq2_why"] == "**Your answer:**\n\nYOUR ANSWER HERE"
    verdict = written_answers(source, nb, repairs)["wq2_why"]
    assert (verdict.score, verdict.manual) == (0.0, True) and "deleted" in verdict.reason


def test_one_row_builder_for_every_engine():
    graded = [("q1_f_test", 2.0, "tests"), ("q2_g_test", 3.0, "tests"), ("wq1_why", 2.0, "written")]
    result = NotebookResult.zero(graded)
    result.cells["q1_f_test"].score = 2.0
    result.cells["wq1_why"] = CellResult(None, 2.0, "needs manual grading (2 points)", manual=True)
    ok = Submission("ann", result=result)
    bad = Submission("bo", result=NotebookResult.zero(graded).fail(Status.INVALID, "is empty"))
    rows = grade_rows("01_x", [ok, bad])
    assert [(r["student"], r["cell"], r["grading"], r["score"], r["status"]) for r in rows] == [
        ("ann", "q1_f_test", "auto", 2.0, "ok"), ("ann", "q2_g_test", "auto", 0.0, "ok"),
        ("ann", "wq1_why", "manual", "", "ok"),
        ("bo", "q1_f_test", "auto", 0.0, "invalid"), ("bo", "q2_g_test", "auto", 0.0, "invalid"),
        ("bo", "wq1_why", "manual", 0.0, "invalid")]
    assert rows[3]["reason"] == "invalid: is empty"
    assert (result.auto_score, result.auto_max_score, result.pending) == (2.0, 5.0, 2.0)
    totals = total_rows("01_x", [ok, bad])
    assert [(t["autograded_score"], t["autograded_max_score"], t["manual_pending"]) for t in totals] \
        == [(2.0, 5.0, 2.0), (0.0, 5.0, 0.0)]
    assert NotebookResult.from_json(result.to_json()) == result
