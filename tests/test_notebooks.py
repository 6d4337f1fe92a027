"""Course-wide invariants of every notebook: well formed and graded fairly (in sync with sources/:
test_authoring).

- every question has graded tests with hidden tests and at least three wrong answers in its bank;
- every notebook asks 2-4 written questions (wqN_...): autograded ones, and ones graded by hand whose
  model answer and rubric never reach the release;
- under stock nbgrader the solution scores full marks on every autograded cell and its written answers
  need manual grading; the untouched release scores zero;
- every wrong answer loses points on its question; unrelated questions keep theirs; an answer that
  destroys the tests' inputs scores nothing; a visible check refuses, saying so, every answer that
  calls the course's own version (test_course_versions).
"""

import shutil
import types

import nbformat
import pytest
from conftest import COURSE
from fixtures import load_bank
from notebook_harness import LiveNotebook, bank_problems
from test_course_versions import course_version_problems
from test_inputs_attack import IN_PLACE, NO_ARRAY_GIVEN, attack_problems

from cs231n_course import cells
from cs231n_course.grading.stock import grade_classes_with_nbgrader
from cs231n_course.grading.submissions import find_submissions

ASSIGNMENTS = COURSE.assignments()


def source(assignment, folder):
    """The nbgrader source notebook of an assignment, written to folder (for tools that read files)."""
    path = folder / f"{assignment}.ipynb"
    nbformat.write(COURSE.solution(assignment), path)
    return path


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_question_is_graded_with_hidden_tests_and_a_bank(assignment):
    nb = COURSE.solution(assignment)
    bank = load_bank(assignment)
    questions = cells.questions(nb)
    assert set(cells.answer_cells(nb)) == set(questions), "a solution cell without graded tests"
    assert set(bank.BANK) == set(questions), "the bank must cover exactly the graded questions"
    for q in questions:
        tests = cells.test_cells(nb, q)
        assert all(cells.points(c) > 0 for c in tests), q
        assert any("### BEGIN HIDDEN TESTS" in c.source for c in tests), f"{q}: no hidden tests"
        assert len(bank.BANK[q]) >= 3, f"{q}: fewer than three wrong answers"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_written_questions_are_asked_and_their_rubric_stays_out_of_the_release(assignment):
    nb = COURSE.solution(assignment)
    written = {key.split("_")[0] for key, _, _ in cells.graded_cells(nb) if cells.is_written_question(key)}
    assert 2 <= len(written) <= 4, f"{assignment}: {sorted(written)}"
    manual = cells.written_cells(nb)
    assert manual, f"{assignment}: no question graded by hand"
    release = {cells.key(c): c for c in nbformat.read(COURSE.release_path(assignment), as_version=4).cells}
    for key, cell in manual.items():
        assert "RUBRIC" in cell.source and cells.points(cell) > 0
        assert release[key].source.endswith("YOUR ANSWER HERE"), release[key].source
        assert "RUBRIC" not in release[key].source and "Model answer" not in release[key].source


@pytest.fixture(scope="session")  # once per test process, however the tests are scheduled
def stock_graded(tmp_path_factory):
    """Every notebook's solution and untouched release, graded by stock nbgrader as an instructor
    runs it, all in one course folder (one generate_assignment, autograde and generate_feedback);
    returns ({assignment: {student: Submission}}, the output folder)."""
    base = tmp_path_factory.mktemp("stock")
    classes = {}
    for assignment in ASSIGNMENTS:
        release = COURSE.release_path(assignment)
        for student, notebook in (("solution", source(assignment, base)), ("blank", release)):
            (base / "subs" / assignment / student).mkdir(parents=True)
            shutil.copy(notebook, base / "subs" / assignment / student / release.name)
        graded = cells.graded_cells(COURSE.solution(assignment))
        classes[assignment] = find_submissions(base / "subs" / assignment, assignment, graded)
    grade_classes_with_nbgrader(COURSE, classes, base / "out", progress=lambda msg: None)
    return {a: {s.student: s for s in subs} for a, subs in classes.items()}, base / "out"


@pytest.mark.slow
@pytest.mark.xdist_group("stock nbgrader")  # these share one grading of every notebook
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_stock_nbgrader_gives_solution_full_marks_and_blank_zero(stock_graded, assignment):
    classes, out = stock_graded
    subs = classes[assignment]
    for student in ("solution", "blank"):
        assert subs[student].status == "ok", subs[student].reason
        assert (out / "feedback" / student / f"{assignment}.html").exists()
    solution, blank = subs["solution"].result, subs["blank"].result
    full = [(gid, c.score, c.max_score, c.reason) for gid, c in solution.cells.items() if not c.manual]
    assert all(score == max_score > 0 for _, score, max_score, _ in full), full
    manual = [gid for gid, c in solution.cells.items() if c.manual]
    assert manual == list(cells.written_cells(COURSE.solution(assignment)))
    assert all(solution.cells[gid].pending for gid in manual)  # an answer: needs manual grading
    assert solution.pending == solution.max_score - solution.auto_max_score > 0
    scores = {gid: c.score for gid, c in blank.cells.items()}
    assert all(score == 0 for score in scores.values()), scores  # "YOUR ANSWER HERE" included


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_trusted_judge_gives_the_blank_release_zero(assignment):
    with LiveNotebook(nbformat.read(COURSE.release_path(assignment), as_version=4)) as live:
        scores = live.scores(cells.questions(COURSE.solution(assignment)))
    assert all(got == 0 < possible for got, possible in scores.values()), scores


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_wrong_answer_loses_points(assignment):
    """Under the trusted judge, as the grader judges: the solution scores full marks, each wrong
    answer loses points on its own question, and none on the questions that do not use it (judged
    with the first wrong answer of each question: see LiveNotebook.try_wrong_answers). First, in
    the same kernel: the bank entries that call the course's own versions are refused by a visible
    check (test_course_versions), and an answer that destroys the tests' inputs scores nothing
    (test_inputs_attack)."""
    bank = load_bank(assignment)
    with LiveNotebook(COURSE.solution(assignment)) as live:
        questions = cells.questions(live.nb)
        baseline = live.scores(questions)
        assert all(s == m > 0 for s, m in baseline.values()), baseline
        problems = course_version_problems(live, assignment)
        problems += attack_problems(live, NO_ARRAY_GIVEN.get(assignment, {}), IN_PLACE.get(assignment, {}))
        outcomes = live.try_wrong_answers(bank)
    problems += bank_problems(bank, outcomes)
    assert not problems, "\n".join(problems)


def test_the_bank_check_finds_a_wrong_answer_that_keeps_its_points_and_an_undeclared_dependency():
    """The check above can fail. In a notebook whose second question's tests also call the first
    question's answer: a wrong answer that computes the same thing keeps its points, and a wrong
    first answer costs the second question points while DEPENDS does not say it uses the first."""
    def cell(kind, grade_id, source, points=None):
        made = nbformat.v4.new_code_cell(source, id=grade_id)
        made.metadata["nbgrader"] = cells.metadata(kind, grade_id, points)
        return made

    nb = nbformat.v4.new_notebook(cells=[
        cell("given", "setup", "import numpy as np"),
        cell("answer", "q1_double", "def double(x):\n    return 2 * x"),
        cell("tests", "q1_double_test", "assert double(3) == 6", 1),
        cell("answer", "q2_quadruple", "def quadruple(x):\n    return 4 * x"),
        cell("tests", "q2_quadruple_test", "assert quadruple(1) == 4 and double(2) == 4", 1)])
    bank = types.SimpleNamespace(DEPENDS={}, BANK={
        "q2_quadruple": [("adds 4", "return 4 * x", "return x + 4")],
        "q1_double": [("triples", "return 2 * x", "return 3 * x"),
                      ("the same sum", "return 2 * x", "return x + x")]})
    with LiveNotebook(nb) as live:
        assert bank_problems(bank, live.try_wrong_answers(bank)) == [
            "q1_double: 'triples' also loses points on ['q2_quadruple'] "
            "(declare the dependency in DEPENDS, or make those tests independent)",
            "q1_double: 'the same sum' keeps all 1 points"]
        bank.DEPENDS = {"q2_quadruple": ["q1_double"]}
        assert bank_problems(bank, live.try_wrong_answers(bank)) == [
            "q1_double: 'the same sum' keeps all 1 points"]
