"""Lint the text sources: what the build cannot see but the grader and the learners rely on.

(a) every cell has an id, unique within its notebook, made of [a-z0-9_]
(b) the id of every nbgrader cell of the committed release (notebooks/) still exists, unless the
    rename is recorded in sources/renamed_cells.json: the grader matches cells by id
(c) every tests cell carries points and hidden tests; every answer cell has tests cells and is
    followed by a locked check cell (check_...)
(d) points per exercise heading and per notebook agree with the README's notebook table
(e) a cell header holds nothing but id, kind and points
(f) a written cell is markdown: its question, then a solution region with a model answer and a
    RUBRIC whose items ("- 1 point: ...") add up to its points; "Written question N (P points)"
    headings agree with the points of the wqN_... cells

Every problem names the file (and the line and cell where there is one) and says how to fix it.
"""

import json
import re

import nbformat

from . import cells
from .source import id_problems, parse_source

RENAMED = "sources/renamed_cells.json"
_README_ROW = re.compile(r"^\|\s*\d+\s*\|\s*`(?P<name>[^`]+)`\s*\|.*\|\s*(?P<questions>\d+) questions?,"
                         r"\s*(?P<points>\d+(?:\.\d+)?) points?"
                         r"(?:\s*\((?P<manual>\d+(?:\.\d+)?) graded by hand\))?\s*\|\s*$")
_EXERCISE = re.compile(r"^#{1,6}\s*Exercise\s+(?P<n>\d+)\s*\((?P<points>\d+(?:\.\d+)?) points?\)",
                       re.MULTILINE)
_WRITTEN = re.compile(r"^#{1,6}\s*Written question\s+(?P<n>\d+)\s*\((?P<points>\d+(?:\.\d+)?) points?[,)]",
                      re.MULTILINE)
_SOLUTION = re.compile(r"^### BEGIN SOLUTION\n(?P<body>.*?)^### END SOLUTION", re.S | re.M)
_RUBRIC_ITEM = re.compile(r"^\s*[-*]\s*(?P<points>\d+(?:\.\d+)?) points?:", re.MULTILINE)


def _num(x):
    return f"{x:g}"


def readme_table(course):
    """{assignment: (questions, points, points graded by hand)} from the README's notebook table."""
    path = course.root / "README.md"
    if not path.is_file():
        return {}
    rows = (_README_ROW.match(line) for line in path.read_text(encoding="utf-8").splitlines())
    return {m["name"]: (int(m["questions"]), float(m["points"]), float(m["manual"] or 0))
            for m in rows if m}


def renamed_table(course):
    """(the "renamed" table of sources/renamed_cells.json, problems reading it)."""
    path = course.sources / "renamed_cells.json"
    if not path.is_file():
        return {}, []
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        return {}, [f"{RENAMED}: not valid JSON ({e})"]
    if not isinstance(table, dict) or not isinstance(table.get("renamed"), dict) or not all(
            isinstance(m, dict) for m in table["renamed"].values()):
        return {}, [f'{RENAMED}: must be {{"reason": "...", "renamed": {{"<assignment>": '
                    '{"<old id>": "<new id>"}}}']
    problems = [] if str(table.get("reason", "")).strip() else [
        f'{RENAMED}: say in "reason" why cells were renamed']
    return table["renamed"], problems


def _lint_release(course, name, rel, nb, renamed):
    """(b): ids of the committed release that the new build would lose."""
    release = course.notebooks / name / f"{name}.ipynb"
    if not release.is_file():
        return []
    try:
        old = nbformat.read(release, as_version=4)
    except Exception as e:  # an unreadable release is reported by check
        return [f"notebooks/{name}/{name}.ipynb: cannot read it ({e})"]
    new_ids = {cells.key(c) for c in nb.cells}
    table = renamed.get(name, {})
    problems = []
    for cell in old.cells:
        if cells.kind(cell) is None:
            continue
        key = cells.key(cell)
        if key in new_ids:
            continue
        if key in table:
            continue  # checked below, with the rest of the table
        what = cells.kind(cell).value
        problems.append(
            f"{rel}: the {what} cell {key!r} of the released notebooks/{name}/{name}.ipynb is gone: "
            "the grader matches cells by id, so keep the id, or record the rename in "
            f'{RENAMED} ("renamed" > "{name}" > "{key}": "<new id>") and say why in its "reason"')
    for old_id, new_id in table.items():
        if old_id in new_ids:
            problems.append(f"{RENAMED}: {name}: {old_id!r} is listed as renamed but {rel} still has "
                            "a cell with that id: an id must not be reused, rename the cell")
        if new_id not in new_ids:
            problems.append(f"{RENAMED}: {name}: {old_id!r} is renamed to {new_id!r}, which is not a "
                            f"cell of {rel}: point it at the cell's current id")
    return problems


def _lint_cells(rel, nb, lines):
    """(c): tests cells, answer cells, check cells; and (d) per exercise heading."""
    problems = []
    where = {id(c): line for c, line in zip(nb.cells, lines, strict=True)}
    answers = cells.answer_cells(nb)
    for i, cell in enumerate(nb.cells):
        kind, key, at = cells.kind(cell), cells.key(cell), f"{rel}:{where[id(cell)]}"
        if kind is cells.Kind.TESTS:
            if cells.points(cell) <= 0:
                problems.append(f"{at}: tests cell {key!r} needs points > 0 (points=N in its header)")
            if "### BEGIN HIDDEN TESTS" not in cell.source:
                problems.append(f"{at}: tests cell {key!r} has no hidden tests: add a block between "
                                "`### BEGIN HIDDEN TESTS` and `### END HIDDEN TESTS`")
            if cells.question_of(key) not in answers:
                problems.append(f"{at}: tests cell {key!r} grades no answer cell: name it "
                                "<answer id>_test (e.g. q3_sigmoid_staged_test)")
        elif kind is cells.Kind.ANSWER:
            if not cells.test_cells(nb, key):
                problems.append(f"{at}: answer cell {key!r} has no tests cell: add a cell "
                                f'`# %% id="{key}_test" kind="tests" points=N` after its check cell')
            after = next((c for c in nb.cells[i + 1:] if c.cell_type == "code"), None)
            if after is None or cells.kind(after) is not cells.Kind.GIVEN \
                    or not cells.key(after).startswith("check_"):
                got = f"{cells.key(after)!r}" if after is not None else "nothing"
                problems.append(f"{at}: answer cell {key!r} must be followed by a locked check cell "
                                f"(id check_..., the learner's feedback), not by {got}")
        elif kind is cells.Kind.WRITTEN:
            problems += _lint_written(at, key, cell)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for m in _WRITTEN.finditer(cell.source):
            at = f"{rel}:{where[id(cell)]}"
            prefix = f"wq{m['n']}_"
            graded = [c for c in nb.cells if cells.is_graded(c) and cells.key(c).startswith(prefix)]
            got = sum(cells.points(c) for c in graded)
            if not graded:
                problems.append(f"{at}: cell {cells.key(cell)!r}: Written question {m['n']} has no "
                                f"graded cell {prefix}...: fix the heading or the cell's id")
            elif got != float(m["points"]):
                problems.append(f"{at}: cell {cells.key(cell)!r}: Written question {m['n']} says "
                                f"{m['points']} points but its graded cells carry {_num(got)}: "
                                "fix the heading or their points=")
        for m in _EXERCISE.finditer(cell.source):
            at = f"{rel}:{where[id(cell)]}"
            qs = [q for q in answers if q.startswith(f"q{m['n']}_")]
            if not qs:
                problems.append(f"{at}: cell {cells.key(cell)!r}: Exercise {m['n']} has no answer "
                                f"cell q{m['n']}_...: fix the heading or the answer cell's id")
                continue
            got = sum(cells.points(t) for q in qs for t in cells.test_cells(nb, q))
            if got != float(m["points"]):
                problems.append(f"{at}: cell {cells.key(cell)!r}: Exercise {m['n']} says "
                                f"{m['points']} points but the tests cells of {qs[0]} carry "
                                f"{_num(got)}: fix the heading or their points=")
    return problems


def _lint_written(at, key, cell):
    """(f): one written cell."""
    if cell.cell_type != "markdown":
        return [f"{at}: written cell {key!r} must be a markdown cell (# %% [markdown] ...)"]
    m = _SOLUTION.search(cell.source)
    if m is None:
        return [f"{at}: written cell {key!r} needs its model answer and rubric between "
                "`### BEGIN SOLUTION` and `### END SOLUTION` (the release replaces them with "
                "YOUR ANSWER HERE)"]
    problems = []
    if not cell.source[:m.start()].strip():
        problems.append(f"{at}: written cell {key!r} must ask its question before ### BEGIN SOLUTION")
    if "RUBRIC" not in m["body"]:
        problems.append(f"{at}: written cell {key!r} has no RUBRIC in its solution region: add a "
                        "line RUBRIC and its items (- 1 point: what earns it)")
    got = sum(float(p) for p in _RUBRIC_ITEM.findall(m["body"]))
    if got != cells.points(cell):
        problems.append(f"{at}: written cell {key!r} has points={_num(cells.points(cell))} but its "
                        f"rubric items (- N points: ...) add up to {_num(got)}")
    if "RUBRIC" in cell.source[m.end():] + cell.source[:m.start()]:
        problems.append(f"{at}: written cell {key!r} shows RUBRIC outside its solution region")
    return problems


def _lint_readme(name, rel, nb, table):
    """(d): the README's row of this notebook (written cells count as questions graded by hand)."""
    graded = cells.graded_cells(nb)
    questions = len(cells.questions(nb)) + len(cells.written_cells(nb))
    total = sum(p for _, p, _ in graded)
    manual = sum(p for _, p, kind in graded if kind is cells.Kind.WRITTEN)
    row = f"{questions} questions, {_num(total)} points" + (
        f" ({_num(manual)} graded by hand)" if manual else "")
    if name not in table:
        return [f"README.md: the notebook table has no row for `{name}`: add one ending in | {row} |"]
    if table[name] != (questions, total, manual):
        return [f"README.md: the notebook table's row of `{name}` does not match {rel}: make it "
                f"end in | {row} | (or fix the points= of the graded cells)"]
    return []


def lint(course, assignments=None):
    """Problems of the text sources, as a list of strings (empty when all is well)."""
    names = list(assignments) if assignments is not None else course.assignments()
    renamed, problems = renamed_table(course)
    readme = readme_table(course)
    for name in names:
        rel = f"sources/{name}.py"
        try:
            nb, lines, header_problems = parse_source(course.sources / f"{name}.py")
        except Exception as e:  # unreadable as a whole: nothing else can be checked
            problems.append(str(e) if str(e).startswith(rel) else f"{rel}: {e}")
            continue
        problems += header_problems                      # (a) missing ids, (e) header syntax
        problems += id_problems(rel, nb, lines)          # (a)
        problems += _lint_release(course, name, rel, nb, renamed)  # (b)
        problems += _lint_cells(rel, nb, lines)          # (c), (d) per exercise
        problems += _lint_readme(name, rel, nb, readme)  # (d) per notebook
    return problems
