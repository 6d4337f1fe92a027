"""Feedback pages in nbgrader's format, without the hidden tests.

Stock nbgrader copies the hidden tests into the feedback (nbgrader issue #917), both as the test
cells' source and inside the tracebacks of failed tests. Here the hidden region is cut from every
test cell, a failed test shows only the grader's reason for it (its visible failing line, or that a
hidden test failed), and the run's status and reason stand at the top of the page.

Pages are inert: whatever HTML, SVG, JavaScript or Markdown the learner's cells and outputs carry
is sanitized (nbconvert's SanitizeHTML, bleach underneath), and a Content-Security-Policy forbids
every script and every load from elsewhere, so opening a page runs nothing a student wrote.

Math is drawn when the page is built, not when it is opened: every `$...$`, `$$...$$` and
`\\begin{env}...\\end{env}` that nbconvert's Markdown parser finds (never inside code) becomes
MathML (latex2mathml), which browsers render natively, with no script and no network; a formula
that does not convert stays as its LaTeX text. The template's MathJax `<script>`s are gone.
"""

import copy
import html
import os
import re
import threading
import xml.etree.ElementTree as ET

import nbformat
import nbgrader
from jinja2 import DictLoader, pass_context
from latex2mathml.converter import convert as latex_to_mathml
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbgrader.preprocessors import ClearHiddenTests
from traitlets.config import Config

from .. import cells
from .results import Status

_TEMPLATES = os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader")


_local = threading.local()
_first_use = threading.Lock()


def _convert(view, resources):
    """HTML of a notebook. One exporter per thread (an exporter is not thread-safe); its first
    use compiles the templates, which CPython 3.11 cannot do in two threads at once."""
    if hasattr(_local, "exporter"):
        return _local.exporter.from_notebook_node(view, resources=resources)
    with _first_use:
        _local.exporter = _new_exporter()
        return _local.exporter.from_notebook_node(view, resources=resources)


_MATHML = "{http://www.w3.org/1998/Math/MathML}"
# MathML Core's elements and the attributes latex2mathml writes: anything else (its \\href, raw
# text it passes through unescaped) makes the formula stay LaTeX text
_MATH_TAGS = frozenset(
    "math mrow mi mn mo ms mtext mspace mfrac msqrt mroot msub msup msubsup munder mover munderover "
    "mmultiscripts mprescripts none mtable mtr mtd mstyle mpadded mphantom menclose merror "
    "semantics annotation".split())
_MATH_ATTRS = frozenset(
    "display displaystyle scriptlevel mathvariant stretchy fence form separator symmetric largeop "
    "movablelimits accent accentunder lspace rspace minsize maxsize width height depth voffset linebreak "
    "columnalign rowalign columnspacing rowspacing columnlines rowlines frame framespacing notation "
    "mathcolor mathbackground mathsize linethickness".split())


def _xml(element):
    """MathML text of a checked element tree, every text and attribute escaped here.

    Two mends of latex2mathml's output: an mpadded loses its MathML 3 sizes (width="+0.8em", which
    MathML Core does not read: \\xrightarrow's label was drawn over the next symbol), and text
    (\\text{pool\\_height}) loses the backslash of its escaped characters.
    """
    tag = element.tag.removeprefix(_MATHML)
    attrs = "".join(f' {k}="{html.escape(v)}"' for k, v in element.attrib.items() if tag != "mpadded")
    if tag == "math":
        attrs = ' xmlns="http://www.w3.org/1998/Math/MathML"' + attrs
    text = re.sub(r"\\([_%#$&{}])", r"\1", element.text or "") if tag == "mtext" else element.text
    inner = html.escape(text or "", quote=False) + "".join(
        _xml(child) + html.escape(child.tail or "", quote=False) for child in element)
    return f"<{tag}{attrs}>{inner}</{tag}>"


def to_mathml(latex, display=False):
    """MathML (str) of one formula, or None when latex2mathml cannot convert it faithfully."""
    try:
        tree = ET.fromstring(latex_to_mathml(latex, display="block" if display else "inline"))
    except Exception:  # latex2mathml's errors, or output that is not well-formed XML
        return None
    for element in tree.iter():
        ns, _, tag = element.tag.rpartition("}")
        if ns + "}" != _MATHML or tag not in _MATH_TAGS or not set(element.attrib) <= _MATH_ATTRS:
            return None
    return _xml(tree)


class _MathMLRenderer(IPythonRenderer):
    """nbconvert's Markdown renderer, with the math it found written as MathML."""

    def inline_math(self, body):
        return to_mathml(body) or super().inline_math(body)

    def block_math(self, body):
        return to_mathml(body, display=True) or super().block_math(body)

    def latex_environment(self, name, body):
        got = to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)
        return got or super().latex_environment(name, body)


class _FeedbackExporter(HTMLExporter):
    def from_notebook_node(self, nb, resources=None, **kw):
        """HTMLExporter's, but for its final BeautifulSoup pass over the whole page (a third of
        the page's cost), which only adds alt texts and the lab template's tabindex: the alt
        texts are added here, on the template's own <img> tags; the classic template nbgrader's
        feedback extends has no lab cells to index."""
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name"))
        self.register_filter("highlight_code", self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return _NO_ALT.sub('<img alt="a figure the notebook drew" ', page), resources

    @pass_context
    def markdown2html(self, context, source):
        """HTMLExporter's markdown2html filter, with _MathMLRenderer."""
        cell = context.get("cell", {})
        renderer = _MathMLRenderer(escape=False, attachments=cell.get("attachments", {}),
                                   embed_images=self.embed_images,
                                   path=context.get("resources", {}).get("metadata", {}).get("path", ""),
                                   anchor_link_text=self.anchor_link_text,
                                   exclude_anchor_links=self.exclude_anchor_links, **self.lexer_options)
        return MarkdownWithMath(renderer=renderer).render(source)


_NO_ALT = re.compile(r"<img (?![^>]*\balt=)")

# the templates' MathJax loader (a CDN <script>) becomes a style: a font with a MATH table, when
# the system has one, stretches brackets and fraction bars properly
_MATH_STYLE = ('<style>math { font-family: "Latin Modern Math", "STIX Two Math", '
               '"DejaVu Math TeX Gyre", math; }</style>')
_NO_MATHJAX = DictLoader({"mathjax.html.j2": "{%- macro mathjax(url=None) -%}" + _MATH_STYLE
                          + "{%- endmacro %}"})


def _new_exporter():
    c = Config()
    c.HTMLExporter.template_name = "feedback"
    c.HTMLExporter.extra_template_basedirs = [os.path.join(_TEMPLATES, "templates")]
    c.HTMLExporter.extra_template_paths = [  # nbgrader's Bootstrap if it has one, else ours
        os.path.join(_TEMPLATES, "static", "node_modules", "bootstrap", "dist", "css"),
        os.path.join(os.path.dirname(__file__), "static")]
    return _FeedbackExporter(config=c, extra_loaders=[_NO_MATHJAX])


INSTRUCTOR_ONLY = "cs231n_instructor_only"  # cell metadata: a rubric in the instructor's copy


_MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)


def math_as_mathml(markdown):
    """Markdown with its $...$ and $$...$$ formulas as MathML (for instructor-written text, drawn
    offline wherever Markdown passes HTML through); a formula that does not convert stays."""
    def convert(found):
        display = found.group(1) is not None
        return to_mathml(found.group(1) if display else found.group(2), display) or found.group(0)
    return _MATH.sub(convert, markdown)


def student_view(nb, result):
    """A copy of the executed notebook fit to hand back: scores and comments in, hidden tests and
    the instructor's rubric cells out.

    result: the NotebookResult of this notebook (with_hand_grades: a person's scores and comments).
    """
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if not c.metadata.get(INSTRUCTOR_ONLY)]
    hide = ClearHiddenTests()
    for cell in nb.cells:
        comment = result.comments.get(cells.key(cell)) if cells.nbgrader(cell) else None
        if comment:
            cells.nbgrader(cell)["comment"] = comment
        if cells.is_manual(cell):
            _written(cell, result.cells.get(cells.key(cell)), comment)
        if cell.cell_type != "code" or cells.kind(cell) is not cells.Kind.TESTS:
            continue
        hide._remove_hidden_test_region(cell)
        got = result.cells.get(cells.key(cell))
        cells.nbgrader(cell).update(score=got.score if got else 0.0,
                                    points=got.max_score if got else cells.points(cell))
        outputs = []
        for out in cell.outputs:
            if out.output_type == "error":  # traceback and message may show the hidden tests:
                why = got.reason if got and got.reason else out.ename  # the grader's reason instead
                outputs.append(nbformat.v4.new_output("error", ename=out.ename, evalue=why,
                                                      traceback=[why]))
            else:
                outputs.append(out)
        cell.outputs = outputs
    return nb


def _written(cell, got, comment):
    """A written answer as the page shows it: the learner's text, and either its score or, while it
    needs manual grading, that note instead of a score (nbgrader's page would print 0)."""
    meta = cells.nbgrader(cell)
    points = got.max_score if got else cells.points(cell)
    if got is not None and got.pending:
        meta.update(grade=False, comment=f"**Needs manual grading, {points:g} points**: your "
                                         "instructor grades this answer by hand; it is not in the "
                                         "score yet.")
    else:
        meta.update(score=got.score if got else 0.0, points=points,
                    comment=comment or (got.reason if got else ""))


class ForStudents(Preprocessor):
    """For stock `nbgrader generate_feedback` in the course of record (its nbgrader_config.py):
    the rubric cells and the hidden tests out (nbgrader issue #917); a failed test shows only
    its exception's type, since its traceback may quote hidden lines."""

    def preprocess(self, nb, resources):
        nb.cells = [c for c in nb.cells if not c.metadata.get(INSTRUCTOR_ONLY)]
        for cell in nb.cells:
            if cell.cell_type == "code" and cells.kind(cell) is cells.Kind.TESTS:
                ClearHiddenTests()._remove_hidden_test_region(cell)
                cell.outputs = [nbformat.v4.new_output("error", ename=o.ename, evalue="", traceback=[o.ename])
                                if o.output_type == "error" else o for o in cell.outputs]
        return nb, resources


# images and styles inline; no script, no frame, no request to anywhere
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline' data:; font-src data:"


def _inert(view):
    """Sanitize what the learner controls: every output, and every markdown cell not from the source."""
    sanitizer = SanitizeHTML()
    for index, cell in enumerate(view.cells):
        if cell.cell_type == "code" or not cells.is_protected(cell):
            sanitizer.preprocess_cell(cell, {}, index)


def _with_csp(page):
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
    return page.replace("<head>", "<head>\n" + meta, 1) if "<head>" in page else meta + page


def score_line(result):
    """The one score line of a page: the total so far and its parts, as the header's score."""
    line = f"**Score: {result.score:g} / {result.max_score:g}**"
    if result.auto_max_score < result.max_score:
        line += (f" = autograded {result.auto_score:g} / {result.auto_max_score:g} + written answers "
                 f"graded by hand {result.manual_score:g} / {result.max_score - result.auto_max_score:g}")
    if result.pending:
        line += (f". Written answers worth {result.pending:g} points still need manual grading: "
                 "they are not in the score yet")
    return line + "."


def render(nb, result, notebook):
    """The feedback page (HTML str) of one executed notebook and its NotebookResult."""
    view = student_view(nb, result)
    score, max_score = result.score, result.max_score
    view.cells.insert(0, nbformat.v4.new_markdown_cell(score_line(result)))
    if result.status is not Status.OK or result.reason:
        note = f"**Grading status: {result.status.value}.** {html.escape(result.reason)}"
        view.cells.insert(0, nbformat.v4.new_markdown_cell(note))
    _inert(view)
    resources = {"nbgrader": {"notebook": notebook, "score": score, "max_score": max_score,
                              "late_penalty": 0}}
    try:
        body, _ = _convert(view, resources)
    except Exception as e:  # a page that cannot be drawn must not cost the grade
        body = (f"<html><body><h3>{html.escape(notebook)}: {score:g} / {max_score:g}</h3>"
                f"<p>The feedback page could not be rendered ({html.escape(type(e).__name__)}: "
                f"{html.escape(str(e))}).</p></body></html>")
    return _with_csp(body)
