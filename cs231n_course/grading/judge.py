"""The verdict on each graded cell of an executed notebook.

A tests cell passes when its code raised nothing, read from the kernel's execute reply as well as
from its outputs (as nbgrader does); output on stderr (a library's warning) does not fail it.
The integrity probe's line, printed last, says whether the learner's code changed the kernel's
hooks or the helpers the tests use: a second line of defence that marks a submission `flagged`.
"""

import copy
import hashlib
import json

from nbgrader.utils import determine_grade

from .results import CellResult


def judge_cell(cell, reply_status, max_score):
    """CellResult of one executed tests cell; reply_status None when it was never run."""
    quiet = copy.deepcopy(cell)
    quiet.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
    score, _ = determine_grade(quiet)
    errors = [o for o in cell.outputs if o.output_type == "error"]
    if errors:
        return CellResult(0.0, max_score, f"{errors[0].ename}: {errors[0].evalue}".splitlines()[0][:300])
    if reply_status != "ok":
        return CellResult(0.0, max_score, f"the cell did not finish normally ({reply_status or 'no reply'})")
    return CellResult(float(score), max_score)


def probe_code(nonce):
    """The last cell run in the kernel: it prints what changed since the snapshot."""
    return f"_cs231n_integrity.verify({nonce!r})"


def probe_findings(cell, nonce):
    """What the integrity probe found changed; a finding too when it did not answer properly."""
    want = hashlib.sha256(nonce.encode()).hexdigest()
    for out in cell.outputs:
        if out.output_type == "stream" and out.name == "stdout":
            for line in out.text.splitlines():
                try:
                    data = json.loads(line)
                except ValueError:
                    continue
                if isinstance(data, dict) and data.get("probe") == want:
                    return [f"changed {p}" for p in data.get("changed", [])]
    return ["the grader's integrity check did not run normally"]
