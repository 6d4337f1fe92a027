"""The nbgrader cell vocabulary of the course: which kinds of cells a notebook has, their ids,
points and metadata. Every other module (build, lint, grader, tests) asks here.

kind     nbgrader metadata                        what it is
given    locked                                   instructions, provided code, check cells
answer   solution                                 the learner writes code (### BEGIN/END SOLUTION)
tests    grade, locked, points                    graded tests (visible, then ### BEGIN HIDDEN TESTS)
written  solution, grade, points (markdown)       a written answer, graded by hand: its solution
                                                  region holds a model answer and a RUBRIC, which
                                                  the release replaces with "YOUR ANSWER HERE"

A cell's key is its nbgrader grade_id; the build makes the notebook cell id the same, and both
are semantic (`q3_sigmoid_staged`, `q3_sigmoid_staged_test`, `check_q3`), never positional.
"""

from enum import Enum

SCHEMA_VERSION = 3


class Kind(str, Enum):
    GIVEN = "given"
    ANSWER = "answer"
    TESTS = "tests"
    WRITTEN = "written"


def metadata(kind, grade_id, points=None):
    """The nbgrader metadata dict of a cell of this kind."""
    kind = Kind(kind)
    graded = kind in (Kind.TESTS, Kind.WRITTEN)
    meta = {"grade": graded, "grade_id": grade_id, "locked": kind in (Kind.GIVEN, Kind.TESTS),
            "schema_version": SCHEMA_VERSION, "solution": kind in (Kind.ANSWER, Kind.WRITTEN),
            "task": False}
    if graded:
        if not points or points <= 0:
            raise ValueError(f"cell {grade_id}: a {kind.value} cell needs points > 0")
        meta["points"] = points
    elif points:
        raise ValueError(f"cell {grade_id}: only tests and written cells carry points")
    return meta


def nbgrader(cell):
    """The cell's nbgrader metadata ({} for a cell nbgrader does not know)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def kind(cell):
    """The Kind of a cell, or None for a cell without nbgrader metadata (e.g. the learner's own)."""
    meta = nbgrader(cell)
    if not meta:
        return None
    if meta.get("grade"):
        return Kind.WRITTEN if meta.get("solution") else Kind.TESTS
    if meta.get("solution"):
        return Kind.ANSWER
    return Kind.GIVEN if meta.get("locked") else None


def key(cell):
    """How a cell is recognised in a submission: its grade_id, else its notebook cell id."""
    return nbgrader(cell).get("grade_id") or cell.get("id")


def points(cell):
    return float(nbgrader(cell).get("points", 0) or 0)


def is_protected(cell):
    """Cells the learner may not change (given and tests): they always come from the source."""
    return kind(cell) in (Kind.GIVEN, Kind.TESTS)


def is_graded(cell):
    return kind(cell) in (Kind.TESTS, Kind.WRITTEN)


def is_manual(cell):
    """A written answer: graded by hand, never by the autograder."""
    return kind(cell) is Kind.WRITTEN


def written_cells(nb):
    """{grade_id: cell} of the written (manually graded) cells, in notebook order."""
    return {key(c): c for c in nb.cells if kind(c) is Kind.WRITTEN}


def graded_cells(nb):
    """[(grade_id, points, kind)] of every graded cell, in notebook order."""
    return [(key(c), points(c), kind(c)) for c in nb.cells if is_graded(c)]


def answer_cells(nb):
    """{grade_id: cell} of the autograded answer (code) cells, in notebook order."""
    return {key(c): c for c in nb.cells if kind(c) is Kind.ANSWER}


def is_written_question(grade_id):
    """Written question N's cells (a choice, a number, or prose graded by hand) are `wqN_...`."""
    return grade_id.startswith("wq")


def question_of(test_id):
    """The answer a tests cell grades: `q3_sigmoid_staged_test` -> `q3_sigmoid_staged`."""
    return test_id.rsplit("_test", 1)[0]


def test_cells(nb, question):
    """The tests cells that grade the answer `question` (grade_id QUESTION_test...)."""
    return [c for c in nb.cells if kind(c) is Kind.TESTS and key(c).startswith(question + "_test")]


def questions(nb):
    """Answer ids that have tests cells, in notebook order."""
    return [q for q in answer_cells(nb) if test_cells(nb, q)]
