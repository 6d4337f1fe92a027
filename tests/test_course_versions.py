"""A visible check never passes an answer that calls the course's own version of what it asks for.

The wrong-answer banks hold such answers: every bank entry whose code imports from the package's
modules that hold exercise-shaped code (cs231n_utils.fast_layers, gradcheck, rnn_layers, solver,
mine, an unlocked reference) or from the instructor's references (cs231n_course.reference) is
found by its syntax tree, run in a live kernel in place of its question's answer, and then the
question's check cells are run: one of them must fail with a message saying that the course's
version was called (cs231n_utils.testing.course_versions_disabled and reference_disabled say
"the course's own ..." / "... without the package"). Whatever entries the banks hold.

course_version_problems does this in the kernel of test_notebooks.py's bank run, which has run
the solution notebook already (one run of each notebook serves both proofs).
"""

import ast
import re
import textwrap
from pathlib import Path

from fixtures import load_bank, wrong_answer
from notebook_harness import LiveNotebook

from cs231n_course import cells
from cs231n_course.course import Course

COURSE = Course(Path(__file__).resolve().parents[1])
PACKAGE = ("cs231n_utils.fast_layers", "cs231n_utils.gradcheck", "cs231n_utils.rnn_layers",
           "cs231n_utils.solver", "cs231n_utils.mine", "cs231n_utils.unlocked", "cs231n_course.reference")
SAYS_SO = re.compile(r"the course's own|without the package")


def calls_the_course(code):
    """Whether code imports anything from the course's own versions (by its syntax tree)."""
    for node in ast.walk(ast.parse(textwrap.dedent(code))):
        if isinstance(node, ast.Import) and any(alias.name.startswith(PACKAGE) for alias in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.module:
            inside = [f"{node.module}.{alias.name}" for alias in node.names]
            if node.module.startswith(PACKAGE) or any(name.startswith(PACKAGE) for name in inside):
                return True
    return False


def entries(course):
    """(assignment, question, description, new) of every bank entry that calls the course's versions."""
    found = []
    for assignment in course.assignments():
        for question, wrong in load_bank(assignment).BANK.items():
            found += [(assignment, question, description, new) for description, _, new in wrong
                      if calls_the_course(new)]
    return found


def check_cells(nb, question):
    """The check cells of a question: the code cells between its answer cell and the next answer or
    tests cell whose ids start with check_."""
    order = [c for c in nb.cells if c.cell_type == "code"]
    start = next(i for i, c in enumerate(order) if cells.key(c) == question)
    following = []
    for cell in order[start + 1:]:
        if cells.kind(cell) in (cells.Kind.ANSWER, cells.Kind.TESTS):
            break
        if cell.get("id", "").startswith("check"):
            following.append(cell)
    return following


def test_the_ast_rule_finds_imports_of_the_course_and_nothing_else():
    assert calls_the_course("from cs231n_utils.gradcheck import rel_error\nx = rel_error(a, b)")
    assert calls_the_course("import cs231n_course.reference.layers as layers")
    assert calls_the_course("from cs231n_course.reference import optim as ref")
    assert calls_the_course("from cs231n_utils import gradcheck")
    assert calls_the_course("def f(x):\n    from cs231n_utils.mine import affine_forward\n    return 1")
    assert not calls_the_course("from cs231n_utils.testing import in_place\nimport numpy as np")
    assert not calls_the_course("dx = dout @ w.T")


def course_version_problems(live, assignment):
    """Run every bank entry of assignment that calls the course's versions in the LiveNotebook
    live (which has run the solution), then its question's check cells, until one fails saying
    so; returns what is wrong (an entry no check refuses saying so). The solution is restored
    after each entry."""
    bank = load_bank(assignment)
    answers = cells.answer_cells(live.nb)
    problems = []
    for question, wrong in bank.BANK.items():
        for description, old, new in wrong:
            if not calls_the_course(new):
                continue
            cell = answers[question]
            live.run(cell, wrong_answer(cell.source, old, new, grade_id=question, description=description))
            shown = []
            for check in check_cells(live.nb, question):
                ran, _ = live.run(check)
                shown += [f"{o.ename}: {o.evalue}" for o in ran.outputs if o.output_type == "error"]
                if any(SAYS_SO.search(text) for text in shown):
                    break
            else:
                problems.append(f"{question}: '{description}': {shown or 'every check cell passed'}")
            live.run(cell)
    return problems


def test_every_notebook_with_checks_has_entries_that_call_the_course():
    """The proof above is only as good as the entries it is given: every notebook whose checks
    switch the course's versions off has bank entries that call them (33 today)."""
    with_entries = {assignment for assignment, *_ in entries(COURSE)}
    assert with_entries == set(COURSE.assignments())
    assert len(entries(COURSE)) >= 30


def test_the_proof_fails_when_a_check_lets_the_course_run(course):
    """course_version_problems can fail: with course_versions_disabled made a no-op in the kernel,
    01's checks pass (or fail without saying why) on every entry that calls the course."""
    with LiveNotebook(course.solution("01_chain_rule")) as live:
        live.execute("import contextlib\nfrom cs231n_utils import testing\n"
                     "testing.course_versions_disabled = lambda *names: contextlib.nullcontext()")
        problems = course_version_problems(live, "01_chain_rule")
    assert len(problems) == sum(a == "01_chain_rule" for a, *_ in entries(course)) > 0, problems


def test_the_learners_own_notebook_taken_through_mine_is_refused_by_01s_check(course):
    """01's check of Exercise 1 also refuses the learner's saved answer taken back through mine."""
    solution = course.solution("01_chain_rule")
    cell = cells.answer_cells(solution)["q1_numerical_derivative"]
    through_mine = ("def numerical_derivative(f, x, h=1e-5):\n"
                    "    from cs231n_utils.mine import numerical_derivative as saved\n"
                    "    return saved(f, x, h)\n")
    with LiveNotebook(solution) as live:
        live.run(cell, through_mine)
        (check,) = check_cells(live.nb, "q1_numerical_derivative")
        ran, _ = live.run(check)
    errors = [o for o in ran.outputs if o.output_type == "error"]
    assert errors and "reached numerical_derivative through cs231n_utils.mine" in errors[0].evalue

