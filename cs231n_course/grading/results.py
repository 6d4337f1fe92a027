"""What grading produces, as typed records: a status per notebook, a score and reason per graded
cell, and the one place where both engines' results become rows of grades.csv."""

from dataclasses import asdict, dataclass, field
from enum import Enum


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
    score: float
    max_score: float
    reason: str = ""


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

    @classmethod
    def zero(cls, graded, status=Status.OK, reason=""):
        """Every graded cell at 0. graded: [(grade_id, points)]."""
        return cls(Status(status), reason, {gid: CellResult(0.0, pts) for gid, pts in graded})

    def fail(self, status, reason):
        """The whole notebook at 0 with one reason (invalid, flagged, grader failure)."""
        self.status, self.reason = Status(status), reason
        for cell in self.cells.values():
            cell.score, cell.reason = 0.0, f"{self.status.value}: {reason}"
        return self

    @property
    def score(self):
        return sum(c.score for c in self.cells.values())

    @property
    def max_score(self):
        return sum(c.max_score for c in self.cells.values())

    def to_json(self):
        return {**asdict(self), "status": self.status.value}

    @classmethod
    def from_json(cls, data):
        data = dict(data)
        data["status"] = Status(data["status"])
        data["cells"] = {k: CellResult(**v) for k, v in data["cells"].items()}
        return cls(**data)


@dataclass
class Submission:
    """One student's hand-in of one assignment (one notebook per assignment)."""

    student: str
    path: object = None  # the submitted notebook (a Path), None when it was not found
    result: NotebookResult = None

    @property
    def status(self):
        return self.result.status

    @property
    def reason(self):
        return self.result.reason


CSV_FIELDS = ["student", "assignment", "notebook", "cell", "score", "max_score", "status", "reason"]


def grade_rows(assignment, subs):
    """The rows of grades.csv: one per student and graded cell, whichever engine graded them."""
    rows = []
    for sub in subs:
        result = sub.result
        for grade_id, cell in result.cells.items():
            why = cell.reason or (result.reason if result.status is not Status.OK else "")
            rows.append(dict(student=sub.student, assignment=assignment, notebook=assignment,
                             cell=grade_id, score=float(cell.score), max_score=float(cell.max_score),
                             status=result.status.value, reason=why))
    return rows
