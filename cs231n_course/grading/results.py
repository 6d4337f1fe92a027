"""What grading produces, as typed records: a status per notebook, a score and reason per graded
cell, and the one place where both engines' results become rows of grades.csv.

A written (manually graded) cell is never scored by the autograder: its score is None, "needs
manual grading", until an instructor grades it (in Formgrader); only an answer left as released
("YOUR ANSWER HERE") or deleted scores 0 at once, as stock nbgrader scores it. What people entered
in Formgrader (gradebook.hand_grades) joins a result through with_hand_grades.

Text from learners (folder names, file names and error messages quoted in reasons) is made safe
where the instructor reads it: a folder name with a character that does not print (controls,
newlines, ANSI/OSC escapes, bidi overrides such as U+202E, zero-width and other format characters)
is no student id; a terminal line or a CSV cell has such characters written as escapes, and a CSV
cell that a spreadsheet would read as a formula gets a leading `'` (OWASP's advice against CSV
injection).
"""

import copy
import hashlib
from dataclasses import asdict, dataclass, field
from enum import Enum

from ..cells import question_of


class Status(str, Enum):
    """How the grading of one notebook ended (the `status` column of grades.csv)."""

    OK = "ok"  # it ran to the end; each graded cell scored on its own
    ERROR = "error"  # the kernel died (os._exit, a crash), or the grader failed on it
    TIMEOUT = "timeout"  # the notebook's time limit ran out
    KILLED = "killed"  # the kernel was killed by a limit (memory, CPU time)
    INVALID = "invalid"  # not a gradable notebook: missing, renamed, damaged, not nbformat 4
    FLAGGED = "flagged"  # tampering with the grading suspected: 0 points until reviewed


@dataclass
class CellResult:
    score: float | None  # None: a written answer that needs manual grading
    max_score: float
    reason: str = ""
    manual: bool = False  # a written answer, graded by hand
    answer_digest: str = ""  # a written answer's text, digested (answer_digest)
    by_hand: bool = False  # the score is a person's (entered in Formgrader)
    regrade: bool = False  # graded by hand, but the answer changed since: the old score stands

    @property
    def pending(self):
        """A written answer waiting for the instructor's grade."""
        return self.manual and self.score is None


@dataclass
class NotebookResult:
    """The grade of one submitted notebook: what the grader learned, nothing it rendered."""

    status: Status = Status.OK
    reason: str = ""
    cells: dict = field(default_factory=dict)  # grade_id -> CellResult, in notebook order
    repairs: list = field(default_factory=list)  # cells restored from the source
    findings: list = field(default_factory=list)  # tampering suspected, for review
    isolation: dict = field(default_factory=dict)  # which protections were in force
    seconds: float = 0.0
    comments: dict = field(default_factory=dict)  # cell id -> a person's comment (Formgrader)

    @classmethod
    def zero(cls, graded, status=Status.OK, reason=""):
        """Every graded cell at 0. graded: cells.graded_cells()'s [(grade_id, points, kind)]; a
        written cell is marked manual."""
        return cls(Status(status), reason, {gid: CellResult(0.0, pts, manual=kind == "written")
                                            for gid, pts, kind in graded})

    def fail(self, status, reason):
        """The whole notebook at 0 with one reason (invalid, flagged, grader failure)."""
        self.status, self.reason = Status(status), reason
        for cell in self.cells.values():
            cell.score, cell.reason = 0.0, f"{self.status.value}: {reason}"
        return self

    @property
    def score(self):
        """Points given so far: autograded, and written answers already graded."""
        return sum(c.score or 0.0 for c in self.cells.values())

    @property
    def max_score(self):
        return sum(c.max_score for c in self.cells.values())

    @property
    def auto_score(self):
        return sum(c.score for c in self.cells.values() if not c.manual)

    @property
    def manual_score(self):
        """Points of the written answers graded so far."""
        return sum(c.score or 0.0 for c in self.cells.values() if c.manual)

    @property
    def auto_max_score(self):
        return sum(c.max_score for c in self.cells.values() if not c.manual)

    @property
    def pending(self):
        """Points of the written answers that still need manual grading."""
        return sum(c.max_score for c in self.cells.values() if c.pending)

    @property
    def to_regrade(self):
        """Written answers graded by hand whose text changed since."""
        return [k for k, c in self.cells.items() if c.regrade]

    def to_json(self):
        return {**asdict(self), "status": self.status.value}

    @classmethod
    def from_json(cls, data):
        data = dict(data)
        data["status"] = Status(data["status"])
        data["cells"] = {k: CellResult(**v) for k, v in data["cells"].items()}
        return cls(**data)


def answer_digest(text):
    """Digest of a written answer's text (whitespace at the ends ignored): the gradebook sees
    whether an answer changed since a person graded it."""
    return hashlib.sha256(text.strip().encode()).hexdigest()


def with_hand_grades(result, hand):
    """A copy of result with what people entered in Formgrader. hand: {cell id: HandGrade} of one
    student (gradebook.hand_grades). A manual score replaces the grader's on any graded cell; a
    written answer marked for grading after it was graded keeps its score, flagged `regrade`;
    comments are kept by cell (answer cells included)."""
    result = copy.deepcopy(result)
    for key, got in hand.items():
        if got.comment:
            result.comments[key] = got.comment
        cell = result.cells.get(key)
        if cell is None or got.score is None:
            continue
        before = "needs manual grading" if cell.score is None else f"{cell.score:g} from the grader"
        cell.score, cell.by_hand, cell.regrade = float(got.score), True, cell.manual and got.needs_grading
        cell.reason = ("graded by hand; the answer changed since, to regrade" if cell.regrade
                       else "graded by hand" if cell.manual else f"set by hand (was {before})")
    return result


@dataclass
class Submission:
    """One student's hand-in of one assignment (one notebook per assignment)."""

    student: str
    path: object = None  # the submitted notebook (a Path), None when it was not found
    result: NotebookResult = None
    data: bytes = None  # the notebook as read and validated when it was found: grading reads it once

    @property
    def status(self):
        return self.result.status

    @property
    def reason(self):
        return self.result.reason


CSV_FIELDS = ["student", "assignment", "notebook", "cell", "grading", "score", "max_score", "status",
              "reason", "comment"]
TOTALS_FIELDS = ["student", "assignment", "status", "total_score", "max_score", "autograded_score",
                 "autograded_max_score", "manual_score", "manual_max_score", "manual_pending",
                 "to_regrade", "reason"]


def grade_rows(assignment, subs):
    """The rows of grades.csv: one per student and graded cell, whichever engine graded them.

    grading is "auto" or "manual" (a written answer); a written answer that needs manual grading
    has an empty score (not 0) and says so in its reason; comment is a person's comment on the cell
    (for a tests cell, on the answer it grades).
    """
    rows = []
    for sub in subs:
        result = sub.result
        for grade_id, cell in result.cells.items():
            why = cell.reason or (result.reason if result.status is not Status.OK else "")
            comment = result.comments.get(grade_id) or result.comments.get(question_of(grade_id), "")
            rows.append(dict(student=sub.student, assignment=assignment, notebook=assignment,
                             cell=grade_id, grading="manual" if cell.manual else "auto",
                             score="" if cell.score is None else float(cell.score),
                             max_score=float(cell.max_score), status=result.status.value,
                             reason=why, comment=comment))
    return rows


def total_rows(assignment, subs):
    """The rows of totals.csv: one per student, the total so far and its parts: the autograded
    cells and the written answers graded by hand, with the points still to grade by hand and the
    answers to regrade (changed since they were graded)."""
    rows = []
    for sub in subs:
        result = sub.result
        rows.append(dict(student=sub.student, assignment=assignment, status=result.status.value,
                         total_score=float(result.score), max_score=float(result.max_score),
                         autograded_score=float(result.auto_score),
                         autograded_max_score=float(result.auto_max_score),
                         manual_score=float(result.manual_score),
                         manual_max_score=float(result.max_score - result.auto_max_score),
                         manual_pending=float(result.pending), to_regrade=" ".join(result.to_regrade),
                         reason=result.reason))
    return rows


FORMULA_STARTS = ("=", "+", "-", "@")  # and a tab or a carriage return, written as escapes here


def printable(text):
    """text with every character that does not print written as its escape (\\x1b, \\u202e, \\n)."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def student_id_problem(name):
    """Why a folder name cannot be a student id, or None when it can."""
    hidden = sorted({f"U+{ord(c):04X}" for c in name if not c.isprintable()})
    if hidden:
        return (f"the folder name has characters that do not print ({', '.join(hidden[:5])}: controls, "
                "terminal escapes, bidi overrides or other invisible ones); rename the folder")
    return None


def spreadsheet_row(row):
    """row (a dict) with its text cells safe in a spreadsheet (and printed): escapes for what does
    not print, a leading ' before what starts like a formula; numbers stay numbers."""
    return {k: _cell(printable(v)) if isinstance(v, str) else v for k, v in row.items()}


def _cell(text):
    return "'" + text if text.startswith(FORMULA_STARTS) else text
