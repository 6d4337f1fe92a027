"""Build and check the course: text sources -> solution notebooks -> student notebooks.

sources/<a>.py                 the text source (jupytext percent format), committed, edited by authors
solutions/<a>/<a>.ipynb        the nbgrader source notebook built from it (generated, not committed)
notebooks/<a>/<a>.ipynb        the student notebook, nbgrader generate_assignment (generated, committed)

A cell of a text source starts with a header line that says what the cell is, in this vocabulary
and nothing else (the kinds are those of `cells.Kind`; `given` is the default):

    # %% [markdown] id="sigmoid_neuron"                          a locked markdown cell
    # %% id="check_q3"                                           a locked code cell
    # %% id="q3_sigmoid_staged" kind="answer"                    an answer (solution) cell
    # %% id="q3_sigmoid_staged_test" kind="tests" points=3       a graded tests cell
    # %% [markdown] id="wq3_why" kind="written" points=2            a written answer, graded by hand

The id is both the notebook cell id and the nbgrader grade_id.
"""

import filecmp
import re
import shutil
import tempfile
from pathlib import Path

import jupytext
import nbformat

from . import cells
from .course import CourseError, run_nbgrader

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
    path = Path(path)
    text = path.read_text(encoding="utf-8")
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
        if grade_id and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", grade_id):
            new_cell.id = grade_id
        elif grade_id:
            new_cell.id = re.sub(r"[^A-Za-z0-9_-]", "-", grade_id)[:64] or "invalid"
        else:
            new_cell.id = f"line-{line}"
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
            fixed = re.sub(r"[^a-z0-9_]+", "_", key.lower()).strip("_")[:64] or "cell"
            problems.append(f"{rel}:{line}: cell id {key!r} must be 1-64 characters from a-z, 0-9 "
                            f"and _ (e.g. {fixed!r})")
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


def _strip_outputs(path):
    """Rewrite a notebook without outputs or execution counts, in a stable format."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(nb, path)


def _replace(src, dest):
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)


def build(course, assignments=None, release_dir=None, solutions_dir=None):
    """Build solutions/<a>/<a>.ipynb and notebooks/<a>/<a>.ipynb from sources/<a>.py.

    assignments: the ones to build (default: all). The notebooks go to solutions_dir and
    release_dir (default: the course's solutions/ and notebooks/). Each assignment folder is
    replaced whole; a full build also drops solutions/ folders whose text source is gone.
    Returns release_dir.
    """
    names = list(assignments) if assignments is not None else course.assignments()
    release_dir = Path(release_dir or course.notebooks)
    solutions_dir = Path(solutions_dir or course.solutions)
    with tempfile.TemporaryDirectory(prefix="cs231n-build-") as tmp:
        # nbgrader copies every file of a source folder into the release: the staging folder
        # holds exactly one notebook per assignment, never the text source
        stage_src, stage_rel = Path(tmp) / "source", Path(tmp) / "release"
        for name in names:
            nb, lines, problems = parse_source(course.sources / f"{name}.py")
            problems = problems or id_problems(f"sources/{name}.py", nb, lines)
            if problems:  # nbgrader would fail on them, less clearly
                raise CourseError("\n".join(problems))
            (stage_src / name).mkdir(parents=True)
            nbformat.write(nb, stage_src / name / f"{name}.ipynb")
        if names:
            proc = run_nbgrader(
                ["generate_assignment", "*", "--force", "--no-db", "--log-level=WARN"],
                cwd=course.config_file.parent,
                config_overrides=[f"--CourseDirectory.source_directory={stage_src}",
                                  f"--CourseDirectory.release_directory={stage_rel}"])
            if proc.returncode != 0:
                raise CourseError(f"nbgrader could not generate {', '.join(names)}:\n"
                                  f"{proc.stderr[-3000:]}")
        for name in names:
            for path in (stage_rel / name).glob("*.ipynb"):
                _strip_outputs(path)
            _replace(stage_src / name, solutions_dir / name)
            _replace(stage_rel / name, release_dir / name)
    if assignments is None and solutions_dir.is_dir():
        for stale in solutions_dir.iterdir():
            if stale.is_dir() and stale.name not in names:
                shutil.rmtree(stale)
    return release_dir


def _files(folder):
    return {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()
            and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts}


def check(course):
    """Problems that make the committed course inconsistent; an empty list when all is well.

    Every lint problem of the text sources (see `lint.lint`), stale, missing or extra files under
    notebooks/, notebooks stored with outputs, solution markers that leaked into a release, and
    then every finding of the leak check on the student edition of the whole course (leaks.py).
    Each problem names the file and says how to fix it.
    """
    from .lint import lint

    problems = lint(course)
    with tempfile.TemporaryDirectory(prefix="cs231n-check-") as tmp:
        try:
            fresh = build(course, release_dir=Path(tmp) / "notebooks",
                          solutions_dir=Path(tmp) / "solutions")
        except CourseError as e:  # a malformed header or id: lint has said so already
            problems += [line for line in str(e).splitlines() if line not in problems]
            fresh = None
        if fresh is not None:
            expected = _files(fresh)
            actual = _files(course.notebooks) if course.notebooks.is_dir() else set()
            for rel in sorted(expected - actual):
                problems.append(f"notebooks/{rel}: missing (run `cs231n-course build` and commit)")
            for rel in sorted(actual - expected):
                problems.append(f"notebooks/{rel}: not generated from sources/ (remove it)")
            for rel in sorted(expected & actual):
                if not filecmp.cmp(fresh / rel, course.notebooks / rel, shallow=False):
                    problems.append(f"notebooks/{rel}: out of date with sources/{rel.parts[0]}.py "
                                    "(run `cs231n-course build` and commit)")
    for path in sorted(course.notebooks.rglob("*")) if course.notebooks.is_dir() else []:
        if not path.is_file() or ".ipynb_checkpoints" in path.parts:
            continue
        rel = path.relative_to(course.root)
        if path.suffix == ".ipynb":
            try:
                nb = nbformat.read(path, as_version=4)
            except Exception as e:  # any unreadable notebook is a problem to report
                problems.append(f"{rel}: not a readable notebook ({e}); run `cs231n-course build`")
                continue
            if any(c.cell_type == "code" and (c.outputs or c.execution_count) for c in nb.cells):
                problems.append(f"{rel}: stored with outputs (run `cs231n-course build`, or clear "
                                "them: Kernel > Restart & Clear Output)")
        if path.suffix in {".ipynb", ".py", ".txt", ".md"}:
            text = path.read_text(errors="replace")
            for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "RUBRIC"):
                if marker in text:
                    problems.append(f"{rel}: contains '{marker}' (a solution, hidden test or written "
                                    "answer's rubric leaked into a release: remove the file or run "
                                    "`cs231n-course build`)")
    if not problems:  # the student edition of the whole course shows no answer
        from .release import edition_leaks

        problems += [f"{finding} (leak check of the student edition: teach the principle, not the "
                     "statement)" for finding in edition_leaks(course)]
    return problems
