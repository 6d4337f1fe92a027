"""Feedback pages in nbgrader's format, without the hidden tests.

Stock nbgrader copies the hidden tests into the feedback (nbgrader issue #917), both as the test
cells' source and inside the tracebacks of failed tests. Here the hidden region is cut from every
test cell, a failed test shows only its error line, and the grader's reason and the run's status
stand at the top of the page.

Pages are inert: whatever HTML, SVG, JavaScript or Markdown the learner's cells and outputs carry
is sanitized (nbconvert's SanitizeHTML, bleach underneath), and a Content-Security-Policy forbids
every script and every load from elsewhere, so opening a page runs nothing a student wrote.
"""

import copy
import html
import os
import threading

import nbformat
import nbgrader
from nbconvert.exporters import HTMLExporter
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


def _new_exporter():
    c = Config()
    c.HTMLExporter.template_name = "feedback"
    c.HTMLExporter.extra_template_basedirs = [os.path.join(_TEMPLATES, "templates")]
    c.HTMLExporter.extra_template_paths = [  # nbgrader's Bootstrap if it has one, else ours
        os.path.join(_TEMPLATES, "static", "node_modules", "bootstrap", "dist", "css"),
        os.path.join(os.path.dirname(__file__), "static")]
    return HTMLExporter(config=c)


def student_view(nb, result):
    """A copy of the executed notebook fit to hand back: scores in, hidden tests out.

    result: the NotebookResult of this notebook.
    """
    nb = copy.deepcopy(nb)
    hide = ClearHiddenTests()
    for cell in nb.cells:
        if cell.cell_type != "code" or cells.kind(cell) is not cells.Kind.TESTS:
            continue
        hide._remove_hidden_test_region(cell)
        got = result.cells.get(cells.key(cell))
        cells.nbgrader(cell).update(score=got.score if got else 0.0,
                                    points=got.max_score if got else cells.points(cell))
        outputs = []
        for out in cell.outputs:
            if out.output_type == "error":  # the traceback would show the hidden lines
                outputs.append(nbformat.v4.new_output(
                    "error", ename=out.ename, evalue=out.evalue,
                    traceback=[f"{out.ename}: {out.evalue}"]))
            else:
                outputs.append(out)
        cell.outputs = outputs
    return nb


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


def render(nb, result, notebook):
    """The feedback page (HTML str) of one executed notebook and its NotebookResult."""
    view = student_view(nb, result)
    score, max_score = result.score, result.max_score
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
