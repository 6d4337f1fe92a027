"""The text-source format: one notebook as a jupytext percent script, sources/<assignment>.py.

A cell of a text source starts with a header line that says what the cell is, in this vocabulary
and nothing else (the kinds are those of `cells.Kind`; `given` is the default):

    # %% [markdown] id="sigmoid_neuron"                          a locked markdown cell
    # %% id="check_q3"                                           a locked code cell
    # %% id="q3_sigmoid_staged" kind="answer"                    an answer (solution) cell
    # %% id="q3_sigmoid_staged_test" kind="tests" points=3       a graded tests cell
    # %% [markdown] id="wq3_why" kind="written" points=2         a written answer, graded by hand

The id is both the notebook cell id and the nbgrader grade_id: 1-64 characters from a-z, 0-9 and _
(`ID`). Each version of a source is parsed once (by jupytext, the slow part); every caller gets
its own copy.
"""

import copy
import re
from functools import lru_cache
from pathlib import Path

import jupytext
import nbformat

from . import cells
from .errors import CourseError

# What jupytext reads as a cell marker in the percent format, and what we accept after it.
_MARKER = re.compile(r"^# %%(?:\s(?P<rest>.*))?$")
_OPTION = re.compile(r'(?P<key>[A-Za-z_][\w-]*)=(?:"(?P<text>[^"]*)"|(?P<number>-?\d+(?:\.\d+)?)'
                     r'|(?P<bare>[^\s"]+))(?:\s+|$)')
OPTIONS = ("id", "kind", "points")
ID = re.compile(r"[a-z0-9_]{1,64}")
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _header(rest):
    """(cell_type, {option: value}, problem) of the text after `# %%`."""
    rest = (rest or "").strip()
    cell_type = "code"
    if rest.startswith("["):
        tag, _, rest = rest.partition("]")
        if tag != "[markdown":
            return None, {}, (f"cell type {tag + ']'!r} is not supported "
                              "(write `# %% [markdown]` or nothing for a code cell)")
        cell_type, rest = "markdown", rest.strip()
    options, pos = {}, 0
    while pos < len(rest):
        m = _OPTION.match(rest, pos)
        if not m:
            return cell_type, options, (f"cannot read {rest[pos:]!r}: a header holds only "
                                        'id="...", kind="..." and points=N')
        key = m["key"]
        if key not in OPTIONS:
            return cell_type, options, (f"unknown header option {key!r}: a header holds only "
                                        'id="...", kind="..." and points=N')
        if key in options:
            return cell_type, options, f"header option {key!r} given twice"
        if key == "points":
            if m["number"] is None:
                return cell_type, options, (f"points must be a number (points=3), not "
                                            f"{m['text'] or m['bare']!r}")
            value = float(m["number"])
            options[key] = int(value) if value.is_integer() else value
        else:
            if m["text"] is None:
                return cell_type, options, f'{key} must be quoted: {key}="{m["number"] or m["bare"]}"'
            options[key] = m["text"]
        pos = m.end()
    return cell_type, options, None


def parse_source(path):
    """(notebook, lines, problems) of a text source; lines[i] is the header line of cell i.

    Never raises on a malformed header: the cell is kept without nbgrader metadata (and without
    an id when it has none) and the problem, naming file, line and cell, goes into `problems`.
    """
    path = Path(path).resolve()
    nb, lines, problems = _parse(path, path.read_text(encoding="utf-8"))
    return copy.deepcopy(nb), list(lines), list(problems)


def _cell_id(grade_id):
    """grade_id as a cell id: itself when it is a valid ID, else made into one (id_problems says so)."""
    if ID.fullmatch(grade_id):
        return grade_id
    return re.sub(r"[^a-z0-9_]+", "_", grade_id.lower()).strip("_")[:64] or "cell"


@lru_cache(maxsize=64)
def _parse(path, text):
    """parse_source of one version (text) of the file at path."""
    try:
        rel = path.relative_to(path.parents[1])
    except ValueError:
        rel = path
    all_lines = text.splitlines()
    lines = [i + 1 for i, line in enumerate(all_lines) if _MARKER.match(line)]
    headers = [_header(_MARKER.match(all_lines[line - 1])["rest"]) for line in lines]
    # jupytext reads the cell bodies; the headers are ours (it would take any option, or a title)
    plain = list(all_lines)
    for line, (cell_type, _, _) in zip(lines, headers, strict=True):
        plain[line - 1] = "# %% [markdown]" if cell_type == "markdown" else "# %%"
    parsed = jupytext.reads("\n".join(plain) + "\n", fmt="py:percent")
    problems = []
    if len(parsed.cells) != len(lines):
        raise CourseError(f"{rel}: jupytext reads {len(parsed.cells)} cells but there are "
                          f"{len(lines)} `# %%` lines: start every cell with a `# %%` line, and "
                          "put nothing between the `# ---` header and the first one")
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": dict(parsed.metadata.get("kernelspec") or KERNELSPEC),
                   "language_info": {"name": "python"}}
    for cell, line, (cell_type, options, problem) in zip(parsed.cells, lines, headers, strict=True):
        where = f"{rel}:{line}"
        if problem is None and cell_type != cell.cell_type:
            problem = f"jupytext reads a {cell.cell_type} cell here: check the `# %%` line"
        grade_id = options.get("id")
        if problem is None and not grade_id:
            problem = 'the cell has no id: add id="<semantic_name>" to its `# %%` line'
        meta = {}
        if problem is None:
            try:
                meta = cells.metadata(options.get("kind", cells.Kind.GIVEN.value), grade_id,
                                      options.get("points"))
            except ValueError as e:
                kinds = ", ".join(k.value for k in cells.Kind)
                problem = (f"unknown kind {options['kind']!r} (one of {kinds})"
                           if "is not a valid Kind" in str(e) else str(e).split(": ", 1)[-1])
        if problem:
            name = f" (cell {grade_id})" if grade_id else ""
            problems.append(f"{where}{name}: {problem}")
            meta = {}
        new = nbformat.v4.new_markdown_cell if cell.cell_type == "markdown" else nbformat.v4.new_code_cell
        new_cell = new(cell.source, metadata={"nbgrader": meta} if meta else {})
        new_cell.id = _cell_id(grade_id) if grade_id else f"line_{line}"
        nb.cells.append(new_cell)
    return nb, lines, problems


def id_problems(rel, nb, lines):
    """Cell ids that are not unique within the notebook or not made of [a-z0-9_] (1-64 chars)."""
    problems, first = [], {}
    for cell, line in zip(nb.cells, lines, strict=True):
        if not cells.nbgrader(cell):
            continue  # a malformed header, reported by parse_source
        key = cells.key(cell)
        if not ID.fullmatch(key):
            problems.append(f"{rel}:{line}: cell id {key!r} must be 1-64 characters from a-z, 0-9 "
                            f"and _ (e.g. {_cell_id(key)!r})")
        if key in first:
            problems.append(f"{rel}:{line}: cell id {key!r} is used twice (first at line "
                            f"{first[key]}): ids must be unique within a notebook, rename one")
        first.setdefault(key, line)
    return problems


def read_source(path):
    """The nbgrader source notebook built from the text source at `path`.

    Raises CourseError, naming the file and the line, when a cell header is malformed.
    """
    nb, _, problems = parse_source(path)
    if problems:
        raise CourseError("\n".join(problems))
    return nb
