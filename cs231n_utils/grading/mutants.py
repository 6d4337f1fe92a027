"""Wrong-answer banks, and submissions made from them (for tests, the demo and benchmarks).

A notebook's bank, tests/banks/<assignment>.py, holds
  BANK    = {Q: [(description, old, new), ...]}  wrong answers to question Q: its solution cell
            with `old` (which must occur exactly once) replaced by `new`
  DEPENDS = {Q2: [Q1, ...]}                       questions whose tests use the answer to Q1
"""

import copy
import importlib.util
import re

import nbformat

_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n", re.MULTILINE)


def load_bank(course, assignment):
    path = course.root / "tests" / "banks" / f"{assignment}.py"
    spec = importlib.util.spec_from_file_location(f"bank_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mutate(source, old, new):
    """The cell source with the one occurrence of `old` replaced by `new`."""
    count = source.count(old)
    if count != 1:
        raise ValueError(f"bank entry out of date: {old!r} occurs {count} times in the solution cell")
    return source.replace(old, new)


def dependents(depends, question):
    """Questions whose tests (transitively) use the answer to `question`, itself included."""
    found, changed = {question}, True
    while changed:
        changed = False
        for q, needs in depends.items():
            if q not in found and found & set(needs):
                found.add(q)
                changed = True
    return found


def solution_sources(source_nb):
    """{grade_id: source} of the answer cells of an nbgrader source notebook."""
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in source_nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}


def make_submission(source_path, release_path, answers, bank):
    """A student's notebook: the release with some answers filled in.

    answers: {grade_id: "solution" | a wrong-answer description from bank.BANK[grade_id]};
    questions not named stay as released. Returns a NotebookNode.
    """
    solutions = solution_sources(nbformat.read(source_path, as_version=4))
    nb = copy.deepcopy(nbformat.read(release_path, as_version=4))
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id not in answers:
            continue
        text = solutions[grade_id]
        if answers[grade_id] != "solution":
            wrong = {d: (old, new) for d, old, new in bank.BANK[grade_id]}
            text = mutate(text, *wrong[answers[grade_id]])
        cell.source = _MARKER.sub("", text)
    return nb
