"""The gradebook of record: nbgrader's gradebook.db in the output folder, kept up to date in place.

The grader writes only what it computes: the autograded scores, which written answers need
manual grading, and a digest of each written answer. It never changes what a person entered in
Formgrader (a manual score, a comment, extra credit), on any cell, whatever the command: a plain
rerun, a resubmission, --force, a student added, a run interrupted and resumed. A written answer
whose text changed since it was graded by hand keeps its old score and is marked for regrading
(needs_manual_grade). Before each change the gradebook is copied to backups/ (SQLite's online
backup, safe while Formgrader has it open).

A gradebook is ours when it carries the `cs231n_course` table naming this course and this format
version; any other gradebook (another course's, an older grader's, a plain nbgrader one) is
refused with a message saying what to do, and never written.
"""

import copy
import os
import sqlite3
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from .. import cells
from ..errors import CourseError

FORMAT = "1"  # the layout of this folder and of our table; another version is refused
KEEP_BACKUPS = 10


@dataclass
class HandGrade:
    """What a person entered for one graded cell in Formgrader."""

    score: float | None  # the manual score, None when none was entered
    comment: str = ""
    needs_grading: bool = False  # nbgrader's needs_manual_grade (a changed answer: to regrade)


def _url(path):
    return f"sqlite:///{path}"


def check(path, course_id):
    """Refuse (CourseError) a gradebook at path that is not this course's, of this format."""
    if not Path(path).exists():
        return
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            mark = dict(db.execute("SELECT key, value FROM cs231n_course").fetchall())
    except sqlite3.DatabaseError as e:
        mark = {"problem": str(e)}
    other = mark.get("course_id") not in (None, course_id)
    what = (None if mark.get("course_id") == course_id and mark.get("format") == FORMAT
            else f"it belongs to course {mark['course_id']!r}" if other
            else f"it was written by another version of this grader (format {mark['format']}, this is "
                 f"{FORMAT})" if "format" in mark
            else "it is not a gradebook this grader wrote (an nbgrader course's own, or an older grader's)")
    if what:
        raise CourseError(f"{path}: {what}. Nothing was changed. Grade into another --out folder, or "
                          "move that gradebook away first (its hand grades stay in it).")


def create(path, course_id):
    """An empty gradebook at path, stamped with nbgrader's schema version (as `nbgrader db
    upgrade` makes it, without nbgrader's call of the `alembic` command) and with our mark."""
    import nbgrader
    from alembic.script import ScriptDirectory
    from nbgrader.api import Base
    from sqlalchemy import create_engine, text

    head = ScriptDirectory(os.path.join(os.path.dirname(nbgrader.__file__), "alembic")).get_current_head()
    tmp = Path(path).with_name(Path(path).name + ".new")
    tmp.unlink(missing_ok=True)
    engine = create_engine(_url(tmp))
    Base.metadata.create_all(bind=engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": head})
        conn.execute(text("CREATE TABLE cs231n_course (key TEXT PRIMARY KEY, value TEXT NOT NULL)"))
        conn.execute(text("CREATE TABLE cs231n_written_answer (assignment TEXT, student TEXT, cell TEXT, "
                          "digest TEXT, PRIMARY KEY (assignment, student, cell))"))
        for key, value in (("course_id", course_id), ("format", FORMAT)):
            conn.execute(text("INSERT INTO cs231n_course VALUES (:k, :v)"), {"k": key, "v": value})
    engine.dispose()
    os.replace(tmp, path)


def backup(path):
    """Copy the gradebook to backups/gradebook-<time>.db beside it; keep the last KEEP_BACKUPS."""
    folder = Path(path).parent / "backups"
    folder.mkdir(exist_ok=True)
    target = folder / f"gradebook-{time.strftime('%Y%m%d-%H%M%S')}-{time.monotonic_ns() % 10**6:06d}.db"
    with sqlite3.connect(path) as source, sqlite3.connect(target) as copy_:
        source.backup(copy_)
    for old in sorted(folder.glob("gradebook-*.db"))[:-KEEP_BACKUPS]:
        old.unlink()
    return target


def record(path, course_id, assignment, source_nb, subs):
    """Write the grades of subs (graded Submissions of one assignment) into the gradebook at path,
    creating it if need be. Returns notices for the instructor (answers changed since graded)."""
    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SAWarning

    check(path, course_id)
    if Path(path).exists():
        backup(path)
    else:
        create(path, course_id)
    notices = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's own ORM use; harmless
        _save_cells(path, assignment, source_nb)
        with Gradebook(_url(path)) as gb:
            for sub in subs:
                gb.update_or_create_student(sub.student)
                try:
                    gb.find_submission(assignment, sub.student)
                except MissingEntry:
                    gb.add_submission(assignment, sub.student)
                for grade_id, cell in sub.result.cells.items():
                    grade = gb.find_grade(grade_id, assignment, assignment, sub.student)
                    grade.auto_score = None if cell.manual and cell.score is None else cell.score
                    if not cell.manual:
                        grade.needs_manual_grade = False  # (nbgrader's default is True)
                        continue
                    notice = _written(gb.db, assignment, sub.student, grade_id, grade, cell)
                    if notice:
                        notices.append(notice)
                gb.db.commit()
    return notices


def _written(db, assignment, student, grade_id, grade, cell):
    """Mark a written answer for grading: when it waits for a grade, or when its text changed
    since a person graded it (their score is kept, and shown, until they regrade it).
    db: the gradebook's session (the digest is written in the same transaction as the grade)."""
    from sqlalchemy import text

    key = {"a": assignment, "s": student, "c": grade_id, "d": cell.answer_digest}
    row = db.execute(text("SELECT digest FROM cs231n_written_answer WHERE assignment = :a AND "
                          "student = :s AND cell = :c"), key).fetchone()
    changed = row is not None and row[0] != cell.answer_digest
    db.execute(text("INSERT OR REPLACE INTO cs231n_written_answer VALUES (:a, :s, :c, :d)"), key)
    if grade.manual_score is None:
        grade.needs_manual_grade = cell.score is None
    elif changed:
        grade.needs_manual_grade = True
        return (f"{student}: the written answer {grade_id} changed since it was graded by hand: its "
                f"score {grade.manual_score:g} is kept and it is marked for regrading in Formgrader")
    return None


def _save_cells(path, assignment, source_nb):
    """The assignment's cells in the gradebook (nbgrader's SaveCells). nbgrader refuses to add or
    remove cells of a notebook that has submissions: say what to do, having changed nothing."""
    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import SaveCells

    with Gradebook(_url(path)) as gb:
        gb.update_or_create_assignment(assignment)
    resources = {"nbgrader": {"db_url": _url(path), "assignment": assignment, "notebook": assignment}}
    try:
        SaveCells().preprocess(copy.deepcopy(source_nb), resources)
    except RuntimeError as e:
        if "Cannot add or remove cells" not in str(e):
            raise
        kept = {cells.key(c) for c in source_nb.cells}
        orphans = [f"{student} {cell}: " + ", ".join(
                       ([f"score {got.score:g}"] if got.score is not None else [])
                       + ([f"comment {got.comment[:60]!r}"] if got.comment else []))
                   for student, grades in hand_grades(path, assignment).items()
                   for cell, got in grades.items()
                   if cell not in kept and (got.score is not None or got.comment)]
        lost = (f" Entered by hand for cells the source no longer has: {'; '.join(orphans)}."
                if orphans else "")
        raise CourseError(
            f"{path}: the graded cells of {assignment} changed since its submissions were graded "
            "(a cell added, removed or renamed in its source), so the gradebook cannot take the new "
            f"grades without dropping old ones.{lost} Nothing was changed. Grade into another --out "
            "folder (hand grades stay in this one), or restore the source as it was (a renamed cell: "
            "sources/renamed_cells.json).") from None


def hand_grades(path, assignment):
    """{student: {grade_id: HandGrade}} of what people entered in Formgrader for an assignment:
    manual scores (on any graded cell), comments (on any answer cell) and the cells marked for
    grading."""
    if not Path(path).exists():
        return {}
    query = """
        SELECT student.id, cell.name, grade.manual_score, grade.needs_manual_grade, NULL
        FROM grade JOIN base_cell cell ON grade.cell_id = cell.id
        JOIN submitted_notebook sn ON grade.notebook_id = sn.id
        JOIN submitted_assignment sa ON sn.assignment_id = sa.id
        JOIN assignment ON sa.assignment_id = assignment.id JOIN student ON sa.student_id = student.id
        WHERE assignment.name = :a
        UNION ALL
        SELECT student.id, cell.name, NULL, 0, comment.manual_comment
        FROM comment JOIN base_cell cell ON comment.cell_id = cell.id
        JOIN submitted_notebook sn ON comment.notebook_id = sn.id
        JOIN submitted_assignment sa ON sn.assignment_id = sa.id
        JOIN assignment ON sa.assignment_id = assignment.id JOIN student ON sa.student_id = student.id
        WHERE assignment.name = :a AND comment.manual_comment IS NOT NULL AND comment.manual_comment != ''
    """
    found = {}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        for student, cell, score, needs, comment in db.execute(query, {"a": assignment}):
            hand = found.setdefault(student, {}).setdefault(cell, HandGrade(None))
            if comment is None:
                hand.score, hand.needs_grading = score, bool(needs)
            else:
                hand.comment = comment
    return found

