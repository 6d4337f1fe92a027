"""What a learner reads back: feedback pages with their math drawn offline, and the grader's reason
for a failed tests cell in place of its traceback."""

import html
import re
from html.parser import HTMLParser

import nbformat
import pytest

from cs231n_course import cells
from cs231n_course.grading import feedback
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


# ------------------------------------------------------------------------------ bounded pages
# What the learner controls is cut to the caps in feedback.py before it is drawn; the bound is
# those caps (a page at the caps draws in seconds: benchmarks/feedback.py), and a page drawn in a
# child process gets feedback.RENDER_SECONDS.


def _learner_text(page, pattern):
    """How many characters of the learner's pattern the drawn page shows."""
    return page.count(html.escape(pattern, quote=False)) * len(pattern)


def test_the_link_bomb_is_cut_before_it_is_drawn(course):
    """380 KB of "[a](" (nbconvert's files/ regex was quadratic in it: minutes) and 4 MB of it."""
    for size in (380_000, 4_000_000):
        bomb = nbformat.v4.new_markdown_cell("[a](" * (size // 4))
        _, page = _page(course, [bomb])
        assert 0.9 * feedback.CELL_CHARS <= _learner_text(page, "[a](") <= feedback.CELL_CHARS
        assert "This page does not show all of your notebook" in page
        assert f"cell 2: {size:,} characters, the first {feedback.CELL_CHARS:,} shown" in page
        assert drawn(FORMULA) in page  # the rest of the notebook is there, drawn


@pytest.mark.parametrize("pattern", [">" * 8, "> - " * 2, "*", "**a*", "_a", "[a]", "![a](", "$a", "|a",
                                     "<a ", "`a``", "\\"])
def test_pathological_markdown_is_cut_to_the_cell_cap(course, monkeypatch, pattern):
    """Deep nesting, runs of `*`, chains of links and emphasis: whatever mistune does with them, it
    does with CELL_CHARS of them at most (here 2,000, to keep the test fast)."""
    monkeypatch.setattr(feedback, "CELL_CHARS", 2_000)
    _, page = _page(course, [nbformat.v4.new_markdown_cell(pattern * (200_000 // len(pattern)))])
    assert "the first 2,000 shown" in page and drawn(FORMULA) in page


def test_a_page_draws_at_most_so_many_formulas(course, monkeypatch):
    """20 KB of "$a" are 10,000 formulas: past MATH_FORMULAS (here 200) they stay LaTeX text."""
    monkeypatch.setattr(feedback, "MATH_FORMULAS", 200)
    _, page = _page(course, [nbformat.v4.new_markdown_cell("$a$ " * 3_000)])  # drawn here
    assert page.count("<math") == 200 and page.count("$a$") > 2_000


def test_huge_outputs_and_thousands_of_cells_are_cut(course):
    png = "iVBORw0KGgo" + "A" * 3_000_000
    flood = nbformat.v4.new_code_cell("print('x' * 10**7)", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="0123456789" * 1_000_000),
        nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
        nbformat.v4.new_output("error", ename="E", evalue="v", traceback=["tb" * 1_000_000])])
    pasted = nbformat.v4.new_markdown_cell("![x](attachment:big.png)",
                                           attachments={"big.png": {"image/png": png}})
    many = [nbformat.v4.new_markdown_cell(f"note {i}") for i in range(3_000)]
    _, page = _page(course, [flood, pasted, *many])
    assert drawn(FORMULA) in page  # drawn, not the plain page
    assert _learner_text(page, "0123456789") <= feedback.OUTPUT_CHARS
    assert _learner_text(page, "tbtb") <= feedback.OUTPUT_CHARS and "A" * 1000 not in page
    assert f"cell 2, an output: an image of {len(png):,} characters left out" in page
    assert "cell 3, an attachment: an image of" in page
    last = feedback.ADDED_CELLS - 3  # the flood and the pasted image come first
    assert f"note {last}<" in page and f"note {last + 1}<" not in page
    assert f"{3_002 - feedback.ADDED_CELLS:,} cells you added after the first" in page


def test_the_text_cap_holds_for_the_whole_page(course, monkeypatch):
    monkeypatch.setattr(feedback, "TEXT_CHARS", 30_000)
    _, page = _page(course, [nbformat.v4.new_markdown_cell("lorem " * 3_000) for _ in range(20)])
    assert _learner_text(page, "lorem ") <= 30_000 and "the first 0 shown" in page


def test_a_long_page_is_drawn_in_a_child_process_the_same(course, monkeypatch):
    notes = nbformat.v4.new_markdown_cell("Some $\\frac{a}{b}$ and **bold**")
    _, here = _page(course, [notes])
    monkeypatch.setattr(feedback, "IN_PROCESS_CHARS", 0)
    _, there = _page(course, [notes])
    assert there == here


def test_a_page_that_takes_too_long_is_a_plain_page_with_the_scores(course, monkeypatch):
    monkeypatch.setattr(feedback, "IN_PROCESS_CHARS", 0)
    monkeypatch.setattr(feedback, "RENDER_SECONDS", 0.01)
    result = NotebookResult.zero(cells.graded_cells(course.solution(NB)))
    result.cells["q1_numerical_derivative_test"] = CellResult(1.5, 2.0, "<img src=x onerror=alert(1)>")
    _, page = _page(course, [nbformat.v4.new_markdown_cell("[a](" * 100_000)], result)
    assert "took over 0.01 s to draw: only the scores are shown" in page
    assert "q1_numerical_derivative_test: 1.5 / 2 &lt;img src=x onerror=alert(1)&gt;" in page
    assert f"Score: 1.5 / {result.max_score:g} = autograded 1.5 / {result.auto_max_score:g}" in page
    assert "cell 2: 400,000 characters, the first" in page  # what was cut, too
    assert "[a](" not in page and "<img" not in page and f'content="{CSP}"' in page


# ------------------------------------------------------------------------------ the page, sanitized
HOSTILE = [
    '<a href="javascript:alert(1)">x</a>', '<a href="jav&#x61;script:alert(1)">x</a>',
    '<a href="jav&#97;script&colon;alert(1)">x</a>', '<a href="java\tscript:alert(1)">x</a>',
    '<a href="&#x01; JaVaScRiPt:alert(1)">x</a>', '<a href="java\nscript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>', '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<a href="DATA:image/svg+xml,<svg onload=alert(1)>">x</a>', '<img src="javascript:alert(1)">',
    '<img src="data:text/html,<script>alert(1)</script>">', '<img srcset="javascript:alert(1) 1x">',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    '<math href="javascript:alert(1)"><mi>x</mi></math>',
    '<span style="background:url(javascript:alert(1))">x</span>',
    '<td style="text-align:left;background:url(javascript:alert(1));position:fixed">x</td>',
    '<img src="data:image/png;base64,AAAA" width=1 style=position:fixed;top:0;left:0>',
    '<img src="data:image/png;base64,AAAA" width="1 style=position:fixed" height="100%">',
    '<img src="data:image/png;base64,AAAA" width=1 class=navbar-fixed-top id=top>',  # Bootstrap's
    '<div onmouseover="alert(1)" onclick=alert(1)>x</div>', '<img src=x onerror=alert(1)>',
    '<base href="https://evil.example/">', '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<form action="https://evil.example/"><input name=p><button>go</button></form>',
    '<iframe src="https://evil.example/"></iframe>', '<object data="x.swf"></object>', '<embed src="x.swf">',
    '<link rel="stylesheet" href="https://evil.example/x.css">', '<style>body{display:none}</style>',
    '<script>alert(1)</script>', '<svg><script>alert(1)</script></svg>',
]
SAFE_SCHEMES = ("http:", "https:", "mailto:", "#")


class _Tags(HTMLParser):
    def __init__(self, page):
        super().__init__()
        self.tags = []
        self.feed(page.split("<body>", 1)[1])

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def live_parts(page):
    """What in a page's body could run, load, navigate somewhere or restyle the page."""
    found = []
    for tag, attrs in _Tags(page).tags:
        if tag in ("script", "style", "base", "meta", "link", "form", "input", "button", "iframe",
                   "object", "embed", "svg", "maction"):
            found.append(tag)
        for name, value in attrs.items():
            url = re.sub(r"[\x00-\x20\s]+", "", value or "").lower()  # entities decoded by the parser
            if name.startswith("on") or name in ("srcset", "xlink:href", "action", "formaction"):
                found.append(f"{tag} {name}")
            elif name == "style" and (tag not in ("td", "th") or re.sub(r"text-align:\w+;?", "", url)):
                found.append(f"{tag} style={value}")
            elif tag == "img" and name in ("width", "height") and not value.isdigit():
                found.append(f"{tag} {name}={value}")
            elif tag == "img" and name in ("class", "id") and value != "unconfined":
                found.append(f"{tag} {name}={value}")  # the page's CSS (position:fixed) on a figure
            elif name == "href" and ":" in url.split("/")[0] and not url.startswith(SAFE_SCHEMES):
                found.append(f"{tag} href={value}")
            elif name == "src" and not url.startswith("data:image/"):
                found.append(f"{tag} src={value}")
    return found


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_drawn_page_is_sanitized_whole(hostile):
    """The final page, not only the cells: whatever reached the body after drawing is cut down."""
    page = feedback.sanitized_page(f"<html><head><title>t</title></head><body>{hostile} tail</body></html>")
    assert live_parts(f"<body>{hostile}") and not live_parts(page), page
    assert "tail" in page


def test_sanitizing_keeps_figures_math_links_and_the_template(course):
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    figure = nbformat.v4.new_code_cell("plt.plot([1, 2])", outputs=[nbformat.v4.new_output(
        "display_data", data={"image/png": png}, metadata={"image/png": {"width": 320, "height": 240}})])
    notes = nbformat.v4.new_markdown_cell("[site](https://cs231n.github.io/) [up](#top) $x^2$\n\n"
                                          "|a|b|\n|:-|-:|\n|1|2|")
    _, page = _page(course, [figure, notes])
    assert f'src="data:image/png;base64,{png}"' in page and 'width="320"' in page and 'height="240"' in page
    assert '<a href="https://cs231n.github.io/">site</a>' in page and '<a href="#top">up</a>' in page
    assert drawn("x^2") in page and '<th style="text-align:left">a</th>' in page
    assert '<style type="text/css">' in page.split("<body>")[0] and f'content="{CSP}"' in page
    assert not live_parts(page)


def test_image_sizes_and_markdown_links_cannot_spoof_the_page(course):
    """An output's image metadata lands unquoted in <img> (a `style` covered the page), and Markdown
    links and images take any scheme."""
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    overlay = "1 style=position:fixed;top:0;left:0;width:100vw;height:100vh;z-index:9"
    spoof = nbformat.v4.new_code_cell("display(Image(...))", outputs=[
        nbformat.v4.new_output("display_data", data={"image/png": png}, metadata={
            "image/png": {"width": overlay, "height": '1" onload="alert(1)'}}),
        nbformat.v4.new_output("display_data", data={"image/jpeg": png}, metadata={
            "image/jpeg": {"width": "1 class=modal-backdrop onerror=alert(1)", "height": "100%"}})])
    links = nbformat.v4.new_markdown_cell(
        "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(2)) [c](jav&#x61;script:alert(3)) "
        "[d](data:text/html;base64,PHNjcmlwdD4=) ![e](javascript:alert(4)) [f](vbscript:x) "
        "[ok](https://ok.example/)")
    _, page = _page(course, [spoof, links])
    assert not live_parts(page) and "position:fixed" not in page.split("<body>")[1]
    assert page.count(f"base64,{png}") == 2 and '<a href="https://ok.example/">' in page
