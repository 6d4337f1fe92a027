"""Authoring the course: text sources -> build -> check, and the lint of the cell metadata.

Everything that builds works on a throw-away copy of the course (or a temporary release folder),
with notebook 01 only where one is enough: nbgrader takes seconds per build.
"""

import json
import shutil

import nbformat
import pytest

from cs231n_course import cells
from cs231n_course.build import build
from cs231n_course.check import check, stale_references
from cs231n_course.cli import main
from cs231n_course.course import Course
from cs231n_course.errors import CourseError
from cs231n_course.lint import lint
from cs231n_course.refgen import MODULES, module_text, reference_modules
from cs231n_course.source import read_source

NB = "01_chain_rule"
SRC = f"sources/{NB}.py"
RELEASE = f"notebooks/{NB}/{NB}.ipynb"
ROW = f"README.md: the notebook table's row of `{NB}` does not match {SRC}: make it end in | "


@pytest.fixture
def course_copy(course, tmp_path):
    """A copy of the course with notebook 01 only: its text source, committed release, README,
    rename table and nbgrader config (no solutions/: the build makes it)."""
    (tmp_path / "sources").mkdir()
    for rel in (SRC, "sources/renamed_cells.json", "README.md"):
        shutil.copy(course.root / rel, tmp_path / rel)
    shutil.copytree(course.notebooks / NB, tmp_path / "notebooks" / NB)
    (tmp_path / "assignments").mkdir()
    shutil.copy(course.config_file, tmp_path / "assignments" / "nbgrader_config.py")
    return Course(tmp_path)


def _edit(course, rel, old, new):
    path = course.root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {rel}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _cells(path):
    return {c.id: c for c in nbformat.read(path, as_version=4).cells}


# ---------------------------------------------------------------- the build


def _tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_build_is_deterministic(course, tmp_path):
    for run in ("a", "b"):
        build(course, [NB], release_dir=tmp_path / run / "notebooks",
              solutions_dir=tmp_path / run / "solutions")
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert set(a) == {RELEASE, f"solutions/{NB}/{NB}.ipynb"}
    assert a == b, "two builds are identical byte for byte"


def test_the_committed_course_passes_check(course):
    assert check(course) == []


def test_source_notebook_comes_from_the_text_source(course):
    assert course.assignments() == sorted(p.stem for p in course.sources.glob("*.py"))
    nb = course.solution(NB)
    ids = [c.id for c in nb.cells]
    assert ids[:2] == ["title", "setup"] and "check_q1" in ids and len(set(ids)) == len(ids)
    for cell in nb.cells:
        assert cell.id == cells.key(cell) and set(cell.metadata) == {"nbgrader"}
    test = next(c for c in nb.cells if c.id == "q1_numerical_derivative_test")
    assert cells.kind(test) is cells.Kind.TESTS and cells.points(test) == 2
    assert "### BEGIN HIDDEN TESTS" in test.source
    setup = nb.cells[1].source
    assert setup.startswith("%matplotlib inline\n"), \
        "magics survive the percent format (jupytext comments them out in the .py)"
    assert nb.metadata == {"kernelspec": {"display_name": "Python 3 (ipykernel)",
                                          "language": "python", "name": "python3"},
                           "language_info": {"name": "python"}}


def test_the_release_never_holds_the_text_source(course_copy):
    stray = course_copy.solutions / NB / f"{NB}.py"  # e.g. a jupytext pair a maintainer made
    stray.parent.mkdir(parents=True)
    stray.write_text("# a paired script with the solutions\n")
    build(course_copy)
    assert sorted(p.name for p in (course_copy.notebooks / NB).iterdir()) == [f"{NB}.ipynb"]
    assert sorted(p.name for p in (course_copy.solutions / NB).iterdir()) == [f"{NB}.ipynb"]
    text = (course_copy.root / RELEASE).read_text()
    assert "# %%" not in text and 'kind=\\"tests\\"' not in text and "BEGIN SOLUTION" not in text


def test_a_maintainers_round_trip(course_copy):
    """Edit a sentence, a check cell and a hidden test; check says build; the build changes the
    release in exactly those two cells, and the hidden test stays out of it."""
    before = _cells(course_copy.root / RELEASE)
    _edit(course_copy, SRC, "number. Use the `h` you are given.",
          "number. Use the `h` you are given, and no other.")
    _edit(course_copy, SRC, 'print(f"numerical {approx:.10f}   analytic 12',
          'print(f"numerical value {approx:.10f}   analytic 12')
    _edit(course_copy, SRC, "numerical_derivative(np.exp, -1.3, h=1e-4) - np.exp(-1.3)) < 1e-8",
          "numerical_derivative(np.exp, -1.3, h=1e-4) - np.exp(-1.3)) < 2e-8  # secret-edit")

    assert check(course_copy) == [f"{RELEASE}: out of date with {SRC} "
                                  "(run `cs231n-course build` and commit)"]
    assert main(["--course", str(course_copy.root), "build"]) == 0
    assert check(course_copy) == []

    after = _cells(course_copy.root / RELEASE)
    assert list(after) == list(before)
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {"exercise_q1", "check_q1"}
    assert "and no other." in after["exercise_q1"].source
    assert "numerical value" in after["check_q1"].source
    assert "secret-edit" not in (course_copy.root / RELEASE).read_text()
    assert "secret-edit" in (course_copy.solutions / NB / f"{NB}.ipynb").read_text()


def test_check_finds_outputs_extra_files_and_leaked_solutions(course_copy):
    path = course_copy.root / RELEASE
    nb = nbformat.read(path, as_version=4)
    next(c for c in nb.cells if c.cell_type == "code").outputs = [
        nbformat.v4.new_output("stream", text="hi\n")]
    nbformat.write(nb, path)
    (course_copy.notebooks / NB / "answers.txt").write_text("### BEGIN SOLUTION\n")
    problems = "\n".join(check(course_copy))
    assert f"{RELEASE}: stored with outputs" in problems
    assert f"{RELEASE}: out of date with {SRC}" in problems
    assert f"notebooks/{NB}/answers.txt: not generated from sources/ (remove it)" in problems
    assert f"notebooks/{NB}/answers.txt: contains 'BEGIN SOLUTION'" in problems


def test_check_names_a_missing_release(course_copy):
    shutil.rmtree(course_copy.notebooks / NB)
    assert check(course_copy) == [f"{RELEASE}: missing (run `cs231n-course build` and commit)"]


# ---------------------------------------------------------------- the headers


@pytest.mark.parametrize("old, new, words", [
    ('# %% id="check_q1"\n', "# %%\n", 'the cell has no id: add id="'),
    ('# %% id="check_q1"\n', '# %% id="check_q1" tags="x"\n', "unknown header option 'tags'"),
    ('# %% id="check_q1"\n', '# %% id="check_q1" points=1\n', "only tests and written cells carry points"),
    ('id="q1_numerical_derivative" kind="answer"', 'id="q1_numerical_derivative" kind="solution"',
     "unknown kind 'solution' (one of given, answer, tests, written)"),
    ('id="q1_numerical_derivative_test" kind="tests" points=2',
     'id="q1_numerical_derivative_test" kind="tests"', "a tests cell needs points > 0"),
    ('# %% id="check_q1"\n', "# %% id=check_q1\n", 'id must be quoted: id="'),
    ('# %% id="check_q1"\n', "# %% Check one\n", "cannot read 'Check one'"),
    ('# %% id="check_q1"\n', '# %% [raw] id="check_q1"\n', "cell type '[raw]' is not supported"),
])
def test_a_malformed_header_is_named_with_file_and_line(course_copy, old, new, words):
    _edit(course_copy, SRC, old, new)
    line = 1 + (course_copy.root / SRC).read_text().split(new)[0].count("\n")
    with pytest.raises(CourseError) as e:
        read_source(course_copy.root / SRC)
    assert str(e.value).startswith(f"{SRC}:{line}") and words in str(e.value)
    problems = lint(course_copy)  # lint reports it too (rule e), and goes on with the others
    assert any(p.startswith(f"{SRC}:{line}") and words in p for p in problems), problems


# ---------------------------------------------------------------- the lint rules


def test_the_lint_of_the_committed_course_is_clean(course):
    assert lint(course) == []


@pytest.mark.parametrize("rel, old, new, words", [
    # (a) ids: unique, [a-z0-9_]
    (SRC, 'id="check_q2"', 'id="check_q1"', ["cell id 'check_q1' is used twice (first at line"]),
    (SRC, 'id="step_size_h"', 'id="Step-Size"', ["cell id 'Step-Size' must be 1-64 characters",
                                                 "'step_size'"]),
    # (b) a released id is gone and the rename is not recorded
    (SRC, 'id="step_size_h"', 'id="step_size"',
     ["the given cell 'step_size_h' of the released notebooks/01_chain_rule/01_chain_rule.ipynb is "
      "gone", 'record the rename in sources/renamed_cells.json ("renamed" > "01_chain_rule" > '
      '"step_size_h": "<new id>") and say why in its "reason"']),
    (SRC, 'id="q1_numerical_derivative_test"', 'id="q1_numerical_derivative_tests"',
     ["the tests cell 'q1_numerical_derivative_test'"]),
    # (c) tests cells: hidden tests, an answer to grade; answers: tests and a check cell
    (SRC, "### BEGIN HIDDEN TESTS\nimport cs231n_utils.gradcheck as _gc\nfrom cs231n_utils.testing "
     "import reference_disabled\nwith reference_disabled(_gc.eval_numerical_gradient, "
     "_gc.eval_numerical_gradient_array, _gc.grad_check_sparse):",
     "import cs231n_utils.gradcheck as _gc\nfrom cs231n_utils.testing "
     "import reference_disabled\nwith reference_disabled(_gc.eval_numerical_gradient, "
     "_gc.eval_numerical_gradient_array, _gc.grad_check_sparse):",
     ["tests cell 'q1_numerical_derivative_test' has no hidden tests"]),
    (SRC, 'id="q1_numerical_derivative_test"', 'id="q1_derivative_test"',
     ["tests cell 'q1_derivative_test' grades no answer cell",
      "answer cell 'q1_numerical_derivative' has no tests cell"]),
    (SRC, 'id="check_q1"', 'id="demo_q1"',
     ["answer cell 'q1_numerical_derivative' must be followed by a locked check cell (id check_...,"
      " the learner's feedback), not by 'demo_q1'"]),
    # (d) points: the exercise heading, the README's table
    (SRC, "### Exercise 1 (2 points)", "### Exercise 1 (3 points)",
     ["cell 'exercise_q1': Exercise 1 says 3 points but the tests cells of "
      "q1_numerical_derivative carry 2"]),
    ("README.md", "23 points (2 graded by hand) |\n| 02 |", "24 points (2 graded by hand) |\n| 02 |",
     [ROW + "12 questions, 23 points (2 graded by hand) |"]),
    (SRC, 'id="q3_sigmoid_staged_test" kind="tests" points=3',
     'id="q3_sigmoid_staged_test" kind="tests" points=4',
     ["Exercise 3 says 3 points but the tests cells of q3_sigmoid_staged carry 4",
      ROW + "12 questions, 24 points (2 graded by hand) |"]),
    # (f) written cells: markdown, a model answer and a rubric that adds up, headings that agree
    (SRC, "# RUBRIC (2 points)", "# Grading (2 points)",
     ["written cell 'wq3_kinks_and_thresholds' has no RUBRIC in its solution region"]),
    (SRC, 'id="wq3_kinks_and_thresholds" kind="written" points=2',
     'id="wq3_kinks_and_thresholds" kind="written" points=3',
     ["written cell 'wq3_kinks_and_thresholds' has points=3 but its rubric items (- N points: ...) "
      "add up to 2", "Written question 3 says 2 points but its graded cells carry 3",
      ROW + "12 questions, 24 points (3 graded by hand) |"]),
    (SRC, "# ### BEGIN SOLUTION\n# *Model answer.* Not necessarily", "# *Model answer.* Not necessarily",
     ["written cell 'wq3_kinks_and_thresholds' needs its model answer and rubric between "
      "`### BEGIN SOLUTION` and `### END SOLUTION`"]),
    (SRC, '# %% [markdown] id="wq3_kinks_and_thresholds"', '# %% id="wq3_kinks_and_thresholds"',
     ["written cell 'wq3_kinks_and_thresholds' must be a markdown cell"]),
])
def test_each_lint_rule_fails_on_a_planted_violation(course_copy, rel, old, new, words):
    assert lint(course_copy) == []
    _edit(course_copy, rel, old, new)
    problems = lint(course_copy)
    for w in words:
        hits = [p for p in problems if w in p]
        assert hits, f"{w!r} not in {problems}"
        assert all(p.startswith((SRC, "README.md")) for p in hits)


def test_a_recorded_rename_passes_and_the_table_is_checked(course_copy):
    _edit(course_copy, SRC, 'id="step_size_h"', 'id="step_size"')
    table_path = course_copy.sources / "renamed_cells.json"
    table = json.loads(table_path.read_text())

    def lint_with(renamed):
        table["renamed"][NB].update(renamed)
        table_path.write_text(json.dumps(table))
        return "\n".join(lint(course_copy))

    # a chain of renames must be collapsed (cell-008 -> step_size_h -> step_size): the grader maps once
    assert ("sources/renamed_cells.json: 01_chain_rule: 'cell-008' is renamed to 'step_size_h', "
            "which is not a cell of sources/01_chain_rule.py: point it at the cell's current id"
            ) in lint_with({"step_size_h": "step_size"})
    assert lint_with({"cell-008": "step_size"}) == ""
    problems = lint_with({"step_size_h": "no_such_cell", "check_q2": "check_q1"})
    assert ("sources/renamed_cells.json: 01_chain_rule: 'step_size_h' is renamed to 'no_such_cell',"
            " which is not a cell of sources/01_chain_rule.py") in problems
    assert ("sources/renamed_cells.json: 01_chain_rule: 'check_q2' is listed as renamed but "
            "sources/01_chain_rule.py still has a cell with that id") in problems


def test_check_reports_lint_problems(course_copy):
    _edit(course_copy, SRC, 'id="check_q1"', 'id="check_q1" tags="x"')
    problems = check(course_copy)
    assert any(p.startswith(f"{SRC}:") and "unknown header option 'tags'" in p for p in problems)
    assert main(["--course", str(course_copy.root), "check"]) == 1


def test_the_reference_modules_are_the_sources_answers(course):
    """Each generated reference module is what the sources give, and an answer edited in its
    solution region is what the reference runs: one place for each answer."""
    for name, text in reference_modules(course).items():
        assert (course.reference / name).read_text() == text, f"run `cs231n-course build`: {name} is stale"
    solutions = {a: course.solution(a) for a, _ in MODULES["layers"].parts}
    cell = cells.answer_cells(solutions["03_vectorized_backprop"])["q3_affine_forward"]
    cell.source = cell.source.replace("@ w + b", "@ w - b")
    text = module_text("layers", solutions)
    assert "# sources/03_vectorized_backprop.py, cell q3_affine_forward\ndef affine_forward(" in text
    assert "@ w - b" in text and "BEGIN SOLUTION" not in text
    cell.source += "\n\ndef affine_forward(x, w, b):\n    return x\n"  # now defined twice
    with pytest.raises(CourseError, match="sources/03_vectorized_backprop.py: .*affine_forward"):
        module_text("layers", solutions)


def test_check_names_a_stale_reference_module(course, tmp_path):
    shutil.copytree(course.reference, tmp_path / "reference")
    (tmp_path / "reference" / "optim.py").write_text("# edited by hand\n")
    assert stale_references(course, tmp_path / "reference") == [
        "cs231n_course/reference/optim.py: out of date with sources/ (run `cs231n-course build` and "
        "commit; edit the sources, never this file)"]
