"""Feedback pages in nbgrader's format, without the hidden tests.

Stock nbgrader copies the hidden tests into the feedback (nbgrader issue #917), both as the test
cells' source and inside the tracebacks of failed tests. Here the hidden region is cut from every
test cell, a failed test shows only the grader's reason for it (its visible failing line, or that a
hidden test failed), and the run's status and reason stand at the top of the page.

Pages are inert: whatever HTML, SVG, JavaScript or Markdown the learner's cells and outputs carry
is sanitized (nbconvert's SanitizeHTML, bleach underneath), the drawn page's body is sanitized again
as a whole (nh3: the tags and attributes of the template, Markdown and MathML; links to http,
https, mailto or the page itself; data: URLs only as an image's source; image sizes only as
numbers), and a Content-Security-Policy forbids every script and every load from elsewhere, so
opening a page runs nothing a student wrote and nothing a student wrote can cover the page.

Pages are bounded: what the learner controls (their cells, every output) is cut to the caps below
before it is drawn, saying so at the top of the page, and a page with much of it is drawn in a
child process under a time limit. A page that cannot be drawn in time (or at all) becomes a plain
page with the scores and the reason.

Math is drawn when the page is built, not when it is opened: every `$...$`, `$$...$$` and
`\\begin{env}...\\end{env}` that nbconvert's Markdown parser finds (never inside code) becomes
MathML (latex2mathml), which browsers render natively, with no script and no network; a formula
that does not convert stays as its LaTeX text. The template's MathJax `<script>`s are gone.
"""

import copy
import html
import json
import os
import re
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET

import nbformat
import nbgrader
import nh3
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

    No xmlns: an HTML page puts <math> in MathML's namespace by itself, and with one nbconvert's
    heading anchors (ElementTree) wrote <ns0:math>, which browsers do not draw. Two mends of
    latex2mathml's output: an mpadded loses its MathML 3 sizes (width="+0.8em", which
    MathML Core does not read: \\xrightarrow's label was drawn over the next symbol), and text
    (\\text{pool\\_height}) loses the backslash of its escaped characters.
    """
    tag = element.tag.removeprefix(_MATHML)
    attrs = "".join(f' {k}="{html.escape(v)}"' for k, v in element.attrib.items() if tag != "mpadded")
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


MATH_FORMULAS = 2_000  # formulas drawn as MathML on one page (a notebook has a few hundred); the
# rest stay LaTeX text: 20 KB of "$a" are 10,000 formulas, and their MathML takes seconds


class _MathMLRenderer(IPythonRenderer):
    """nbconvert's Markdown renderer, with the math it found written as MathML while the page's
    exporter has formulas left."""

    def __init__(self, exporter, **kw):
        super().__init__(**kw)
        self.exporter = exporter

    def _mathml(self, latex, display=False):
        self.exporter.formulas_left -= 1
        return to_mathml(latex, display) if self.exporter.formulas_left >= 0 else None

    def inline_math(self, body):
        return self._mathml(body) or super().inline_math(body)

    def block_math(self, body):
        return self._mathml(body, display=True) or super().block_math(body)

    def latex_environment(self, name, body):
        got = self._mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)
        return got or super().latex_environment(name, body)


class _FeedbackExporter(HTMLExporter):
    def default_filters(self):
        """HTMLExporter's, but strip_files_prefix leaves the page as it is: a page handed out has no
        notebook server's files/ to link to, and nbconvert's regex takes time quadratic in a line's
        length (380 KB of "[a](" took minutes)."""
        yield from super().default_filters()
        yield "strip_files_prefix", lambda text: text

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
        self.formulas_left = MATH_FORMULAS
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return _NO_ALT.sub('<img alt="a figure the notebook drew" ', page), resources

    @pass_context
    def markdown2html(self, context, source):
        """HTMLExporter's markdown2html filter, with _MathMLRenderer."""
        cell = context.get("cell", {})
        renderer = _MathMLRenderer(self, escape=False, attachments=cell.get("attachments", {}),
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

# What of a page the learner controls is cut to (characters; a cut says so on the page). An honest
# notebook stays far below: written answers of a few hundred characters, figures of 20-100 KB.
CELL_CHARS = 20_000  # the source of one of the learner's markdown or code cells
OUTPUT_CHARS = 50_000  # one text output (stream, plain text, HTML, Markdown, LaTeX, SVG, traceback)
TEXT_CHARS = 250_000  # all of the learner's sources and text outputs on one page
IMAGE_CHARS = 8_000_000  # all of its images (PNG, JPEG, attachments; base64), one at most a quarter
ADDED_CELLS = 500  # cells the learner added
IN_PROCESS_CHARS = CELL_CHARS  # a page with more learner markup (_markup) is drawn in a child process...
RENDER_SECONDS = 30  # ...which gets this long: twice what the slowest page at the caps took on a
# busy 2-core machine (benchmarks/feedback.py); an honest page takes under a second
_IMAGES = ("image/png", "image/jpeg")


class _Budget:
    """The characters a page has left for the learner's text and images, and what was cut."""

    def __init__(self):
        self.text, self.images, self.cuts = TEXT_CHARS, IMAGE_CHARS, []

    def cut(self, text, cap, where):
        """text, cut to cap and to what the page has left."""
        keep = max(0, min(cap, self.text))
        if len(text) > keep:
            self.cuts.append(f"{where}: {len(text):,} characters, the first {keep:,} shown")
            text = text[:keep] + f"\n[... {len(text) - keep:,} characters cut here]\n"
        self.text -= min(len(text), keep)
        return text

    def fits(self, size, where):
        """Whether an image of size characters is shown (else it is left out, and noted)."""
        if size > min(self.images, IMAGE_CHARS // 4):
            self.cuts.append(f"{where}: an image of {size:,} characters left out")
            return False
        self.images -= size
        return True


def _bound(view):
    """Cut what the learner controls in view (in place) to the caps above; returns the _Budget
    (what is left of it, what was cut)."""
    budget, kept, added = _Budget(), [], 0
    for number, cell in enumerate(view.cells, 1):
        where = f"cell {number}"
        if cells.kind(cell) is None:  # a cell the learner added
            added += 1
            if added > ADDED_CELLS:
                continue
        kept.append(cell)
        if not cells.is_protected(cell):
            cell.source = budget.cut(cell.source, CELL_CHARS, where)
        for name, data in list(cell.get("attachments", {}).items()):
            if not budget.fits(len(json.dumps(data)), f"{where}, an attachment"):
                cell.attachments[name] = {"image/png": ""}  # empty: nbconvert stops at a missing one
        for out in cell.get("outputs", []):
            _bound_output(out, budget, f"{where}, an output")
    view.cells = kept
    if added > ADDED_CELLS:
        budget.cuts.append(f"{added - ADDED_CELLS:,} cells you added after the first {ADDED_CELLS}")
    return budget


_MARKUP = ("text/markdown", "text/html", "text/latex", "image/svg+xml")


def _markup(view):
    """Characters of the learner's markup on the page: its Markdown cells and its Markdown, HTML,
    LaTeX and SVG outputs, what can make drawing slow (code, streams and tracebacks are drawn in
    linear time: a blank notebook's tracebacks never need a child process)."""
    markdown = sum(len(c.source) for c in view.cells
                   if c.cell_type == "markdown" and not cells.is_protected(c))
    outputs = [out for c in view.cells for out in c.get("outputs", [])]
    return markdown + sum(len(data) for out in outputs for mime, data in out.get("data", {}).items()
                          if mime in _MARKUP and isinstance(data, str))


def _bound_output(out, budget, where):
    if out.output_type == "stream":
        out.text = budget.cut(out.text, OUTPUT_CHARS, where)
    elif out.output_type == "error":
        out.ename, out.evalue = (budget.cut(text, OUTPUT_CHARS, where) for text in (out.ename, out.evalue))
        out.traceback = [budget.cut("\n".join(out.traceback), OUTPUT_CHARS, where)]
    else:
        for mime, data in list(out.data.items()):
            if mime in _IMAGES and not budget.fits(len(data), where):  # half an image shows nothing
                del out.data[mime]
            elif mime not in _IMAGES:  # text, or JSON (which the page does not show)
                out.data[mime] = budget.cut(data, OUTPUT_CHARS, where) if isinstance(data, str) else {}
        if len(json.dumps(out.get("metadata", {}))) > 1000:  # sizes only are read (and checked)
            out.metadata = {}


def _inert(view):
    """Sanitize what the learner controls: every output, and every markdown cell not from the source."""
    sanitizer = SanitizeHTML()
    for index, cell in enumerate(view.cells):
        if cell.cell_type == "code" or not cells.is_protected(cell):
            sanitizer.preprocess_cell(cell, {}, index)


# what a drawn page's body may hold: the template's markup, Markdown's and MathML
_TAGS = _MATH_TAGS | frozenset(
    "a abbr b blockquote br code dd del details div dl dt em h1 h2 h3 h4 h5 h6 hr i img kbd li main "
    "ol p pre s samp small span strong sub summary sup table tbody td tfoot th thead tr u ul".split())
_TEXT_ALIGN = re.compile(r"\s*text-align\s*:\s*(left|right|center|justify)\s*;?\s*")  # Markdown's tables


def _url(value):
    """A URL as a browser reads its scheme: entities decoded (by the parser), lower case, without the
    characters a browser skips in it (controls, spaces, non-ASCII)."""
    return re.sub(r"[`\x00-\x20\x7f-\xa0\s]+|[^\x00-\x7f]", "", value).lower()


def _allowed(tag, name, value):
    """Whether a drawn page keeps an attribute (the sanitizer then drops URLs other than http,
    https, mailto, data and the page's own anchors)."""
    if tag == "img":  # nbconvert writes an output's sizes unquoted: `1 style=...` was a style
        if name in ("width", "height"):
            return re.fullmatch(r"[0-9]{1,5}", value) is not None
        return (name == "alt" or (name, value) == ("class", "unconfined")  # never the page's classes
                or (name == "src" and _url(value).startswith("data:image/")))
    if name in ("class", "id", "title"):
        return True
    if tag in _MATH_TAGS:
        return name in _MATH_ATTRS
    if tag == "a":
        return name == "name" or (name == "href" and not _url(value).startswith("data:"))
    if tag in ("td", "th") and name == "style":
        return _TEXT_ALIGN.fullmatch(value) is not None
    return (tag in ("td", "th") and name in ("colspan", "rowspan")
            or (tag, name) in (("ol", "start"), ("details", "open")))


_ATTRIBUTES = {tag: {"class", "id", "title", "width", "height", "alt", "src", "name", "href", "style",
                     "colspan", "rowspan", "start", "open", *_MATH_ATTRS} for tag in _TAGS}


def sanitized_page(page):
    """The drawn page with its body sanitized whole (nh3, the Rust sanitizer ammonia: linear, a few
    milliseconds a page); the head is the template's (styles, the CSP)."""
    head, found, body = page.partition("<body>")
    if not found:
        head, body = "", page
    clean = nh3.clean(body.rpartition("</body>")[0] or body, tags=set(_TAGS), attributes=_ATTRIBUTES,
                      attribute_filter=lambda tag, name, value: value if _allowed(tag, name, value) else None,
                      url_schemes={"http", "https", "mailto", "data"}, link_rel=None, strip_comments=True)
    return f"{head}<body>\n{clean}\n</body>\n</html>\n"


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


def _drawn(view, resources):
    """The page of view: what the learner controls made inert, drawn, sanitized whole."""
    _inert(view)
    return sanitized_page(_convert(view, resources)[0])


def _draw(view, resources, markup):
    """_drawn(view), here, or in a child process under RENDER_SECONDS when the learner's markup on
    the page (characters, _markup) is long; raises when it cannot be drawn."""
    if markup <= IN_PROCESS_CHARS:
        return _drawn(view, resources)
    job = json.dumps({"notebook": view, "resources": resources})
    return subprocess.run([sys.executable, "-I", "-m", __name__], input=job, capture_output=True,
                          text=True, timeout=RENDER_SECONDS, check=True).stdout


def _plain_page(notebook, result, why, cuts):
    """A page without the notebook: the scores, and why (escaped, nothing to draw)."""
    lines = [f"{key}: {'needs manual grading' if got.pending else format(got.score, 'g')} / "
             f"{got.max_score:g} {got.reason}" for key, got in result.cells.items()]
    lines += ["", score_line(result).replace("**", ""), f"status: {result.status.value} {result.reason}",
              "", why, *cuts[:20]]
    text = html.escape("\n".join(lines))
    return (f"<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>{html.escape(notebook)}"
            f"</title>\n</head>\n<body>\n<h3>{html.escape(notebook)}</h3>\n<pre>{text}</pre>\n</body>\n</html>\n")


def _cut_note(cuts):
    shown = "".join(f"\n- {html.escape(cut)}" for cut in cuts[:10])
    more = f"\n- and {len(cuts) - 10:,} more" if len(cuts) > 10 else ""
    return (f"**This page does not show all of your notebook**: a page shows at most {CELL_CHARS:,} "
            f"characters of a cell, {OUTPUT_CHARS:,} of an output, {TEXT_CHARS:,} in all, and "
            f"{ADDED_CELLS} cells you added. Cut:{shown}{more}\n\nYour grade is not affected.")


def render(nb, result, notebook):
    """The feedback page (HTML str) of one executed notebook and its NotebookResult."""
    view = student_view(nb, result)
    budget = _bound(view)
    score, max_score = result.score, result.max_score
    if budget.cuts:
        view.cells.insert(0, nbformat.v4.new_markdown_cell(_cut_note(budget.cuts)))
    view.cells.insert(0, nbformat.v4.new_markdown_cell(score_line(result)))
    if result.status is not Status.OK or result.reason:
        note = f"**Grading status: {result.status.value}.** {html.escape(result.reason)}"
        view.cells.insert(0, nbformat.v4.new_markdown_cell(note))
    resources = {"nbgrader": {"notebook": notebook, "score": score, "max_score": max_score,
                              "late_penalty": 0}}
    try:
        page = _draw(view, resources, _markup(view))
    except subprocess.TimeoutExpired:
        page = _plain_page(notebook, result, f"The page took over {RENDER_SECONDS} s to draw: only "
                           "the scores are shown.", budget.cuts)
    except Exception as e:  # a page that cannot be drawn must not cost the grade
        why = e.stderr.strip().splitlines()[-1:] if isinstance(e, subprocess.CalledProcessError) else [str(e)]
        page = _plain_page(notebook, result, f"The page could not be drawn ({type(e).__name__}: "
                           f"{''.join(why)[:300]}): only the scores are shown.", budget.cuts)
    return _with_csp(page)


if __name__ == "__main__":  # _draw's child process: a notebook and resources in, a page out
    job = json.load(sys.stdin)
    sys.stdout.write(_drawn(nbformat.from_dict(job["notebook"]), job["resources"]))
