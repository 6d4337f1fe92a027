"""Put a submission back together with its source before it is run.

The source notebook decides which cells exist and in what order. Locked and graded cells
(instructions, provided code, tests with their hidden part) always come from the source; answer
cells and unlocked cells come from the submission; cells the learner added are kept after the
cell they followed. Deleted, edited, duplicated and reordered cells are repaired, and each repair
is recorded (as nbgrader's OverwriteCells does, but also for deleted and reordered cells).
"""

import copy
import json
import warnings

import nbformat
from nbgrader.utils import compute_checksum


def notebook_problem_bytes(raw):
    """Why these bytes are not a gradable notebook, or None when they are one."""
    if not raw.strip():
        return "is empty"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "is not UTF-8 text: save the notebook from Jupyter and submit it again"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        return f"is not valid JSON (line {e.lineno}): the file is damaged, re-download it from Jupyter"
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        version = data.get("nbformat") if isinstance(data, dict) else None
        return f"is not an nbformat 4 notebook (nbformat={version!r}): save it with Jupyter 4 or later"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. cells without ids, from older Jupyter versions
            nbformat.validate(nbformat.from_dict(data))
    except nbformat.ValidationError as e:
        return f"is not a valid notebook ({e.message[:120]})"
    except Exception as e:  # the validator itself can choke on malformed structures
        return f"is not a valid notebook ({type(e).__name__})"
    return None


def _meta(cell):
    return cell.metadata.get("nbgrader", {})


def cell_key(cell):
    """How a cell is recognised in a submission: its nbgrader grade_id, else its cell id."""
    return _meta(cell).get("grade_id") or cell.get("id")


def is_protected(cell):
    """Cells the learner may not change: graded (tests) or locked (read-only)."""
    return bool(_meta(cell).get("grade") or _meta(cell).get("locked")) and not _meta(cell).get("solution")


def _edited(cell):
    """Whether a released cell was changed: nbgrader stored a checksum of it in the release."""
    stored = _meta(cell).get("checksum")
    return stored is not None and stored != compute_checksum(cell)


def assemble(source_nb, submitted_nb):
    """Returns (notebook to run, list of repairs), built from copies of both."""
    source_keys = [cell_key(c) for c in source_nb.cells]
    known = set(source_keys)
    theirs, added_after, repairs, order = {}, {}, [], []
    previous = None  # key of the last source cell met in the submission
    for cell in submitted_nb.cells:
        key = cell_key(cell)
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
    cells = list(added_after.get(None, []))
    for src in source_nb.cells:
        key = cell_key(src)
        mine = theirs.get(key)
        if mine is None:
            repairs.append(f"restored deleted cell {key}")
            cell = src
        elif is_protected(src):
            if _edited(mine):
                repairs.append(f"restored edited cell {key}")
            cell = src
        else:
            cell = copy.deepcopy(src)
            cell.source = mine.source
        cells.append(cell)
        cells.extend(added_after.get(key, []))

    nb = nbformat.v4.new_notebook(metadata=copy.deepcopy(source_nb.metadata))
    used = set()
    for i, cell in enumerate(cells):
        cell = copy.deepcopy(cell)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if cell.get("id") in used or not cell.get("id"):
            cell.id = f"added-{i}"
        used.add(cell.id)
        nb.cells.append(cell)
    return nb, repairs
