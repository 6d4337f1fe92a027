"""What a learner reads back: feedback pages with their math drawn offline, and the grader's reason
for a failed tests cell in place of its traceback."""

import nbformat

from cs231n_course import cells
from cs231n_course.grading.feedback import CSP, render, to_mathml
from cs231n_course.grading.results import CellResult, NotebookResult

NB = "01_chain_rule"
FORMULA = r"\nabla_W L"  # in notebook 01's "Why gradients?"


def drawn(latex):
    """What a formula's MathML looks like in a page (nbconvert re-serializes the <math> tag)."""
    mathml = to_mathml(latex)
    return mathml[mathml.index(">") + 1:]


def _page(course, extra_cells=(), result=None):
    nb = nbformat.read(course.release_path(NB), as_version=4)
    nb.cells[1:1] = list(extra_cells)
    graded = cells.graded_cells(course.solution(NB))
    return nb, render(nb, result or NotebookResult.zero(graded), NB)


def test_math_is_mathml_drawn_offline_without_script(course):
    nb, page = _page(course)
    assert any(f"${FORMULA}$" in c.source for c in nb.cells if c.cell_type == "markdown")
    assert drawn(FORMULA) in page and "<math" in page
    assert f"${FORMULA}$" not in page
    lowered = page.lower()
    assert "<script" not in lowered and "mathjax.js" not in lowered and "mathjax.hub" not in lowered
    assert "cdnjs" not in lowered and "latest.js" not in lowered
    assert CSP == "default-src 'none'; img-src data:; style-src 'unsafe-inline' data:; font-src data:"
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page


def test_figures_have_alt_text(course):
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    figure = nbformat.v4.new_code_cell("plt.plot([1, 2])", outputs=[nbformat.v4.new_output(
        "display_data", data={"image/png": png, "text/plain": "<Figure>"})])
    _, page = _page(course, [figure])
    assert page.count("<img ") >= 1 and page.count("<img ") == page.count('<img alt="')


def test_math_in_code_and_math_that_fails_stay_text(course):
    notes = nbformat.v4.new_markdown_cell(
        "Inline code `$x_1$`, then\n\n```\ny = $z_2$\n```\n\nand $\\style{q}$ and $\\frac{a}{b}$.")
    _, page = _page(course, [notes])
    assert "<code>$x_1$</code>" in page and "y = $z_2$" in page  # code is left alone
    assert "$\\style{q}$" in page  # latex2mathml cannot: the LaTeX text stays
    assert drawn(r"\frac{a}{b}") in page


def test_a_learners_math_cannot_carry_markup(course):
    hostile = nbformat.v4.new_markdown_cell(  # not from the source: the learner's own cell
        "$\\text{<img src=x onerror=alert(1)>}$ $\\href{javascript:alert(2)}{x}$ $a & b$ $\\text{x</math>}$")
    _, page = _page(course, [hostile])
    for live in ("<img src=x onerror", "javascript:alert(2)\"", 'href="javascript', "<script"):
        assert live not in page, live
    assert to_mathml(r"\text{<b>}") is None  # latex2mathml passes it through unescaped: refused
    assert to_mathml(r"\href{javascript:x}{y}") is None


# ------------------------------------------------------------------------------ failure reasons
# (how the judge words them: tests/test_judge.py)

HIDDEN_FAILS = """\
assert double(1) == 2
### BEGIN HIDDEN TESTS
_secret = 1234
assert double(_secret) == 0, f"double({_secret}) should be 0"
### END HIDDEN TESTS
"""


def test_the_feedback_page_shows_the_reason_not_the_hidden_tests(course):
    tests = nbformat.v4.new_code_cell(HIDDEN_FAILS, metadata={
        "nbgrader": cells.metadata("tests", "extra_test", points=2)})
    why = "a hidden test (other inputs) failed: AssertionError"
    tests.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue=why, traceback=[why])]
    graded = cells.graded_cells(course.solution(NB))
    result = NotebookResult.zero(graded)
    result.cells["extra_test"] = CellResult(0.0, 2.0, why)
    _, page = _page(course, [tests], result)
    assert why in page
    assert "1234" not in page and "should be 0" not in page and "BEGIN HIDDEN" not in page


# ------------------------------------------------------------------------------ written answers


def test_a_written_answer_shows_as_needing_manual_grading_not_as_zero(course):
    nb = nbformat.read(course.release_path(NB), as_version=4)
    written = next(c for c in nb.cells if cells.is_manual(c))
    written.source = "**Your answer:**\n\nA kink of the ReLU lies within h of the point."
    result = NotebookResult.zero(cells.graded_cells(course.solution(NB)))
    key = cells.key(written)
    result.cells[key] = CellResult(None, 2.0, "needs manual grading (2 points)", manual=True)
    page = render(nb, result, NB)
    assert "A kink of the ReLU lies within h of the point." in page  # the learner's answer
    assert "Needs manual grading, 2 points" in page and "Written answers worth 2 points" in page
    assert "Written response</a> (Score: 0.0 / 2.0)" not in page  # never a zero while pending
    result.cells[key] = CellResult(0.0, 2.0, "no written answer (the cell still says YOUR ANSWER "
                                   "HERE): 0 points", manual=True)
    page = render(nb, result, NB)
    assert "Written response</a> (Score: 0.0 / 2.0)" in page and "no written answer" in page
    assert "Needs manual grading" not in page
