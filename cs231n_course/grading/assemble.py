"""Put a submission back together with its source before it is run.

The source notebook decides which cells exist and in what order. Locked and graded cells
(instructions, provided code, tests with their hidden part) always come from the source; answer
cells and unlocked cells come from the submission; cells the learner added are kept after the
cell they followed. Deleted, edited, duplicated and reordered cells are repaired, and each repair
is recorded (as nbgrader's OverwriteCells does, but also for deleted and reordered cells). A deleted
answer or written cell comes back as released ("YOUR CODE HERE", "YOUR ANSWER HERE"), never with
the source's solution in it.
"""

import copy

import nbformat
from nbgrader.preprocessors import ClearSolutions
from nbgrader.utils import compute_checksum

from .. import cells
from .results import CellResult, answer_digest


def _edited(cell):
    """Whether a released cell was changed: nbgrader stored a checksum of it in the release."""
    stored = cells.nbgrader(cell).get("checksum")
    return stored is not None and stored != compute_checksum(cell)


def released(cell):
    """A source cell as the student notebook has it: solution regions replaced by the stubs (those
    of assignments/nbgrader_config.py)."""
    cell = copy.deepcopy(cell)
    stubs = ClearSolutions(code_stub={"python": "# YOUR CODE HERE\nraise NotImplementedError()"},
                           text_stub="YOUR ANSWER HERE")
    cell, _ = stubs.preprocess_cell(cell, {"language": "python"}, 0)
    return cell


def assemble(source_nb, submitted_nb, renamed=None):
    """Returns (notebook to run, list of repairs), built from copies of both.

    renamed: {old cell id: new cell id}, so that a notebook of an earlier release is understood.
    """
    renamed = renamed or {}
    source_keys = [cells.key(c) for c in source_nb.cells]
    known = set(source_keys)
    theirs, added_after, repairs, order = {}, {}, [], []
    previous = None  # key of the last source cell met in the submission
    for cell in submitted_nb.cells:
        key = renamed.get(cells.key(cell), cells.key(cell))
        if key in theirs:
            repairs.append(f"removed a duplicate of cell {key}")
        elif key in known:
            theirs[key] = cell
            order.append(key)
            previous = key
        else:  # the learner's own cell: it runs, but is never graded
            cell = copy.deepcopy(cell)
            cell.metadata.pop("nbgrader", None)
            added_after.setdefault(previous, []).append(cell)

    if [k for k in source_keys if k in theirs] != order:
        repairs.append("restored the original order of the assignment's cells")
    merged = list(added_after.get(None, []))
    for src in source_nb.cells:
        key = cells.key(src)
        mine = theirs.get(key)
        if mine is None:
            repairs.append(f"restored deleted cell {key}")
            cell = src if cells.is_protected(src) else released(src)
        elif cells.is_protected(src):
            if _edited(mine):
                repairs.append(f"restored edited cell {key}")
            cell = src
        else:
            cell = copy.deepcopy(src)
            cell.source = mine.source
        merged.append(cell)
        merged.extend(added_after.get(key, []))

    nb = nbformat.v4.new_notebook(metadata=copy.deepcopy(source_nb.metadata))
    used = set()
    for i, cell in enumerate(merged):
        cell = copy.deepcopy(cell)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if cell.get("id") in used or not cell.get("id"):
            cell.id = f"added-{i}"
        used.add(cell.id)
        nb.cells.append(cell)
    return nb, repairs


def written_answers(source_nb, nb, repairs):
    """{grade_id: CellResult} of the written cells of an assembled notebook: each needs manual
    grading (score None), except one deleted or left as released, which scores 0 at once (as
    stock nbgrader scores an unchanged answer cell) with a reason that says which."""
    got = {cells.key(c): c for c in nb.cells}
    verdicts = {}
    for key, src in cells.written_cells(source_nb).items():
        points = cells.points(src)
        verdicts[key] = _written_verdict(key, src, got[key], points, repairs)
        verdicts[key].answer_digest = answer_digest(got[key].source)
    return verdicts


def _written_verdict(key, src, cell, points, repairs):
    if f"restored deleted cell {key}" in repairs:
        return CellResult(0.0, points, "written answer deleted: 0 points", manual=True)
    if cell.source.strip() == released(src).source.strip():
        return CellResult(0.0, points, "no written answer (the cell still says YOUR ANSWER HERE): "
                          "0 points", manual=True)
    return CellResult(None, points, f"needs manual grading ({points:g} points)", manual=True)
