"""The output folder of `cs231n-course grade`: the course of record, an nbgrader course that
Formgrader opens as it is (`cs231n-course formgrader OUT`).

OUT/nbgrader_config.py                                   the course's nbgrader settings, OUT as its root
OUT/gradebook.db                                         the gradebook of record (gradebook.py)
OUT/source/<assignment>/<assignment>.ipynb               the instructor's source notebook
OUT/submitted/<student>/<assignment>/<assignment>.ipynb  the notebook as handed in
OUT/autograded/<student>/<assignment>/<assignment>.ipynb as run and judged; after each written
                                                         answer, its model answer and rubric (the
                                                         instructor's copy: never in feedback)
OUT/feedback/<student>/<assignment>/<assignment>.html    the student's page (outputs.publish)
OUT/results/<assignment>/<student>.json                  each NotebookResult, with the hash it was
                                                         graded at: a rerun skips what is unchanged
OUT/grades.csv, totals.csv, summary.png                  (outputs.py)
OUT/backups/                                             the gradebook before each change

One folder can hold several assignments (grade each with the same --out). One command at a time
works on a folder (a lock), and every file is replaced whole, never left half-written.
"""

import contextlib
import fcntl
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .. import cells
from ..errors import CourseError
from .feedback import INSTRUCTOR_ONLY, math_as_mathml
from .results import NotebookResult

CONFIG = """\
# The course of record written by `cs231n-course grade`: an nbgrader course rooted here.
# Formgrader: `cs231n-course formgrader {out}`; nbgrader commands: run them in this folder.
c = get_config()  # noqa: F821
load_subconfig({course_config!r})  # noqa: F821 (the course's settings)
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
# stock `nbgrader generate_feedback` here leaves out hidden tests and rubrics as ours does
c.GenerateFeedback.preprocessors = ["nbgrader.preprocessors.GetGrades",
                                    "cs231n_course.grading.feedback.ForStudents",
                                    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]
"""


@dataclass(frozen=True)
class Record:
    root: Path

    @property
    def gradebook(self):
        return self.root / "gradebook.db"

    def source(self, assignment):
        return self.root / "source" / assignment / f"{assignment}.ipynb"

    def submitted(self, student, assignment):
        return self.root / "submitted" / student / assignment / f"{assignment}.ipynb"

    def autograded(self, student, assignment):
        return self.root / "autograded" / student / assignment / f"{assignment}.ipynb"

    def feedback(self, student, assignment):
        return self.root / "feedback" / student / assignment / f"{assignment}.html"

    def result_path(self, student, assignment):
        return self.root / "results" / assignment / f"{student}.json"

    def prepare(self, course, assignment, source_nb):
        """The folder as an nbgrader course: its config and the assignment's source notebook."""
        self.root.mkdir(parents=True, exist_ok=True)
        write_atomically(self.root / "nbgrader_config.py",
                         CONFIG.format(out=self.root, course_config=str(course.config_file)))
        write_atomically(self.source(assignment), nbformat.writes(source_nb))

    @contextlib.contextmanager
    def lock(self):
        """Hold the folder for one command; refuse when another command holds it."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise CourseError(f"{self.root} is in use by another cs231n-course command: wait for "
                                  "it to finish") from None
            yield

    def save(self, student, assignment, digest, graded, submission, source_nb):
        """What grading one submission produced: the submitted bytes, the instructor's copy of the
        executed notebook, the feedback page, and (last: it marks the work done) the result."""
        path = self.submitted(student, assignment)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, submission)
        if graded.notebook:
            write_atomically(self.autograded(student, assignment),
                             instructor_copy(graded.notebook, source_nb))
        if graded.feedback:
            write_atomically(self.feedback(student, assignment), graded.feedback)
        self.save_result(student, assignment, digest, graded.result)

    def save_result(self, student, assignment, digest, result):
        """A submission's NotebookResult and the digest it was graded at ("": grade it again)."""
        write_atomically(self.result_path(student, assignment),
                         json.dumps({"hash": digest, "result": result.to_json()}))

    def cached(self, student, assignment, digest):
        """The saved result of a submission when it was graded at this digest, else None."""
        saved = self._load(self.result_path(student, assignment))
        return saved[1] if saved and saved[0] == digest else None

    def results(self, assignment):
        """{student: NotebookResult} of every submission of an assignment graded here."""
        found = {}
        for path in sorted((self.root / "results" / assignment).glob("*.json")):
            saved = self._load(path)
            if saved:
                found[path.stem] = saved[1]
        return found

    def assignments(self):
        """The assignments graded here, in course order."""
        folder = self.root / "results"
        return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []

    @staticmethod
    def _load(path):
        try:
            saved = json.loads(path.read_text())
            return saved["hash"], NotebookResult.from_json(saved["result"])
        except (OSError, ValueError, KeyError, TypeError):
            return None


def write_atomically(path, content):
    """Write str or bytes to path through a temporary file: a crash never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if isinstance(content, bytes):
        tmp.write_bytes(content)
    else:
        tmp.write_text(content)
    os.replace(tmp, path)


_SOLUTION = re.compile(r"### BEGIN SOLUTION\s*\n(.*?)\n\s*### END SOLUTION", re.S)


def instructor_copy(notebook_json, source_nb):
    """The executed notebook as the person grading it sees it in Formgrader: after each written
    answer, a cell with its model answer and rubric (from the source; math as MathML, drawn
    offline), marked instructor-only so that no feedback page shows it."""
    nb = nbformat.reads(notebook_json, as_version=4)
    keys = cells.written_cells(source_nb)
    out = []
    for cell in nb.cells:
        out.append(cell)
        source = keys.get(cells.key(cell)) if cells.is_manual(cell) else None
        found = _SOLUTION.search(source.source) if source is not None else None
        if found:
            text = ("**Model answer and rubric** (the instructor's copy: students never see this "
                    f"cell)\n\n{math_as_mathml(found.group(1))}")
            rubric = nbformat.v4.new_markdown_cell(text, id=f"{cells.key(cell)}-rubric")
            rubric.metadata[INSTRUCTOR_ONLY] = True
            out.append(rubric)
    nb.cells = out
    return nbformat.writes(nb)
