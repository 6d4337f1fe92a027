"""Put a submission back together with its source before it is run.

The source notebook decides which cells exist and in what order. Locked and graded cells
(instructions, provided code, tests with their hidden part) always come from the source; answer
cells and unlocked cells come from the submission; cells the learner added are kept after the
cell they followed. Deleted, edited, duplicated and reordered cells are repaired, and each repair
is recorded (as nbgrader's OverwriteCells does, but also for deleted and reordered cells).
"""

import copy

import nbformat
from nbgrader.utils import compute_checksum

from .. import cells


def _edited(cell):
    """Whether a released cell was changed: nbgrader stored a checksum of it in the release."""
    stored = cells.nbgrader(cell).get("checksum")
    return stored is not None and stored != compute_checksum(cell)


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
            cell = src
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
