"""Grade one submitted notebook: assemble it with its source, scan it, run it in a sandboxed
kernel, judge its graded cells, render its feedback page.

`grade_notebook(job)` is a function of plain data (it is what a Dask worker runs): the source
notebook, the submitted bytes and the limits go in; a Graded record comes out. Nothing here
touches the gradebook or the output folder.
"""

import secrets
import time
from dataclasses import dataclass, field

import nbformat

from cs231n_utils import mine

from .. import cells
from .assemble import assemble, written_answers
from .feedback import render
from .integrity import probe_code, probe_findings
from .judge import Judge
from .kernel import SandboxedKernel
from .limits import Limits
from .results import NotebookResult, Status
from .run import run_notebook
from .scan import scan


@dataclass
class Job:
    student: str
    assignment: str
    source: str  # the nbgrader source notebook, JSON
    submission: bytes  # the submitted file, as read and validated (submissions.read_notebook)
    limits: Limits = field(default_factory=Limits)
    renamed: dict = field(default_factory=dict)  # old cell id -> new, for earlier releases
    earlier: dict = field(default_factory=dict)  # {assignment: notebook JSON}: references of those before
    digest: str = ""  # content hash of everything above: a result is reused while it matches


@dataclass
class Graded:
    result: NotebookResult
    notebook: str = ""  # the executed notebook, JSON (for the instructor)
    feedback: str = ""  # the feedback page, HTML (for the student)


def grade_notebook(job, kernel=None):
    """Grade one submission; kernel: a fresh SandboxedKernel for job.assignment (one is started
    if None)."""
    started = time.monotonic()
    source = nbformat.reads(job.source, as_version=4)
    result = NotebookResult.zero(cells.graded_cells(source))
    submitted = nbformat.reads(job.submission.decode("utf-8"), as_version=4)
    nb, result.repairs = assemble(source, submitted, job.renamed)
    result.cells.update(written_answers(source, nb, result.repairs))  # for the instructor to grade
    own = [(cells.key(c), c.source) for c in nb.cells if c.cell_type == "code" and not cells.is_protected(c)]
    result.findings = [f"cell {key}: {what}" for key, what in scan(own, source)]

    kernel = kernel or SandboxedKernel(job.limits, job.earlier)
    judge, verdicts = None, {}
    # the judge's own cs231n_utils.gradcheck computes with the references, as the kernel's mine does
    outer, mine.NOTEBOOKS = mine.NOTEBOOKS, kernel.references
    try:
        result.isolation = kernel.isolation()
        judge = Judge(kernel.km, source, job.limits.cell_seconds, kernel.client, kernel.channel_dir)
        nonce = secrets.token_hex(16)  # the probe runs last, after all the submission's cells
        nb.cells.append(nbformat.v4.new_code_cell(probe_code(nonce)))
        run = run_notebook(nb, kernel, job.limits,
                           judge=lambda cell: verdicts.update({cells.key(cell): judge.run(cell)}))
        probe = nb.cells.pop()
        if run.status is Status.OK:
            result.findings += probe_findings(probe, nonce)
    finally:
        mine.NOTEBOOKS = outer
        if judge is not None:
            judge.close()
        kernel.shutdown()

    result.status, result.reason = run.status, run.reason
    for key, got in result.cells.items():
        if key in verdicts:
            result.cells[key] = verdicts[key]
        elif not got.manual:
            got.reason = "not run: " + run.reason
    if result.findings:
        result.fail(Status.FLAGGED, "tampering suspected, for review: " + "; ".join(result.findings[:5]))
    result.seconds = time.monotonic() - started
    return Graded(result, nbformat.writes(nb), render(nb, result, job.assignment))
