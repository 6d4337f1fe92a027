"""The instructor's round on the folder `cs231n-course grade` writes (the course of record):
grade -> Formgrader -> hand grades -> regrade -> feedback -> export, and no command ever loses what
a person entered (a manual score, a comment), whatever the rerun.

One class of notebook 01 is graded once; the scenario test then plays the whole round on it. Hand
grades are entered through nbgrader's own API, as Formgrader's save button does
(nbgrader/server_extensions/formgrader/apihandlers.py); the browser test clicks through it.
"""

import contextlib
import copy
import csv
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import COURSE
from fixtures import load_bank, make_submission
from fixtures.workers import kills_its_worker, says_if_it_boots_ahead
from nbgrader.api import Gradebook

from cs231n_course import cells
from cs231n_course.cli import main
from cs231n_course.errors import CourseError
from cs231n_course.grading import gradebook, kernel, pipeline
from cs231n_course.grading.limits import Limits
from cs231n_course.grading.notebook import Job
from cs231n_course.grading.record import Record
from cs231n_course.grading.results import CellResult, NotebookResult, Submission
from cs231n_course.grading.submissions import find_submissions

NB = "01_chain_rule"
SOURCE = COURSE.solution(NB)
GRADED = cells.graded_cells(SOURCE)
MANUAL = next(iter(cells.written_cells(SOURCE)))  # the written answer graded by hand, 2 points
ALL = dict.fromkeys(load_bank(NB).BANK, "solution")  # every autograded question: 21 points
FIRST_FOUR = dict.fromkeys(list(ALL)[:4], "solution")
LIMITS = Limits(notebook_seconds=25, cell_seconds=8, memory_mb=3072)


def submission(answers, written=None):
    nb = make_submission(COURSE, NB, answers)
    for cell in nb.cells:
        if cells.key(cell) == MANUAL and written is not None:
            cell.source = f"**Your answer:**\n\n{written}"
    return nb


def hand_in(folder, student, nb):
    (folder / student).mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / student / f"{NB}.ipynb")


def grade(subs, out, notices=None, **kw):
    found = find_submissions(subs, NB, GRADED)
    kw.setdefault("workers", 2)
    return {s.student: s for s in pipeline.grade_class(
        COURSE, found, NB, out, limits=LIMITS, progress=False,
        notify=(notices.append if notices is not None else lambda text: None), **kw)}


def enter(out, student, cell, score=None, comment=None):
    """What Formgrader's save buttons do: a manual score on a grade, a manual comment."""
    with Gradebook(f"sqlite:///{Record(out).gradebook}") as gb:
        if score is not None:
            grade_ = gb.find_grade(cell, NB, NB, student)
            grade_.manual_score = score
            grade_.needs_manual_grade = grade_.manual_score is None and grade_.auto_score is None
        if comment is not None:
            gb.find_comment(cell, NB, NB, student).manual_comment = comment
        gb.db.commit()


def entered(out):
    """Everything people entered, from the gradebook: {(student, cell, manual score, comment)}."""
    query = """SELECT s.student_id, c.name, g.manual_score, NULL FROM grade g
               JOIN base_cell c ON g.cell_id = c.id JOIN submitted_notebook n ON g.notebook_id = n.id
               JOIN submitted_assignment s ON n.assignment_id = s.id WHERE g.manual_score IS NOT NULL
               UNION ALL
               SELECT s.student_id, c.name, NULL, m.manual_comment FROM comment m
               JOIN base_cell c ON m.cell_id = c.id JOIN submitted_notebook n ON m.notebook_id = n.id
               JOIN submitted_assignment s ON n.assignment_id = s.id WHERE m.manual_comment IS NOT NULL"""
    with sqlite3.connect(Record(out).gradebook) as db:
        return set(db.execute(query).fetchall())


def needs_grading(out, student, cell=MANUAL):
    with Gradebook(f"sqlite:///{Record(out).gradebook}") as gb:
        return gb.find_grade(cell, NB, NB, student).needs_manual_grade


def totals(out):
    return {r["student"]: r for r in csv.DictReader((out / "totals.csv").open())}


in_round = pytest.mark.xdist_group("graded round")  # these share one grading of the class


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """A class of three, graded once: a full solution with a written answer, the untouched release,
    four questions and a written answer."""
    base = tmp_path_factory.mktemp("round")
    subs, out = base / "subs", base / "out"
    hand_in(subs, "amara", submission(ALL, "A kink of the ReLU within $h$ of the point."))
    hand_in(subs, "ben", submission({}))
    hand_in(subs, "chen", submission(FIRST_FOUR, "The max gate is wrong."))
    grade(subs, out)
    return subs, out


@pytest.mark.slow
@in_round
def test_formgrader_sees_every_submission_with_the_rubric_beside_the_written_answer(graded_class):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    _, out = graded_class
    config = PyFileConfigLoader("nbgrader_config.py", str(out)).load_config()  # as Formgrader loads it
    course_dir = CourseDirectory(config=config, root=str(out))
    api = NbGraderAPI(course_dir, Authenticator(config=config), config=config)
    listed = {s["student"]: s for s in api.get_notebook_submissions(NB, NB)}
    assert set(listed) == {"amara", "ben", "chen"}
    assert listed["amara"]["needs_manual_grade"] and not listed["ben"]["needs_manual_grade"]
    assert all(api.get_submission(NB, s)["autograded"] for s in listed)
    executed = nbformat.read(Record(out).autograded("amara", NB), as_version=4)
    keys = [c.get("id") for c in executed.cells]
    rubric = executed.cells[keys.index(MANUAL) + 1]
    assert rubric.id == f"{MANUAL}-rubric" and "RUBRIC" in rubric.source and "Model answer" in rubric.source
    page = Record(out).feedback("amara", NB).read_text()
    assert "RUBRIC" not in page and "Model answer" not in page and "A kink of the ReLU" in page
    assert "<math" in page  # the learner's $h$, drawn offline


@pytest.mark.slow
@in_round
def test_hand_grades_survive_every_rerun_and_reach_feedback_totals_and_export(graded_class, tmp_path,
                                                                                monkeypatch, capsys):
    subs, first = graded_class
    out = tmp_path / "out"
    shutil.copytree(first, out)
    subs_now = tmp_path / "subs"
    shutil.copytree(subs, subs_now)
    enter(out, "amara", MANUAL, 1.5, "Right about the kink; say how to tell.")
    enter(out, "chen", MANUAL, 0.5)
    enter(out, "chen", "q3_sigmoid_staged", comment="Look at the exp gate again.")
    enter(out, "ben", "q1_numerical_derivative_test", score=1.0)  # an autograded cell, overridden
    by_hand = entered(out)
    assert len(by_hand) == 5

    assert main(["feedback", str(out)]) == 0
    table = capsys.readouterr().out
    assert "1.5 / 2" in table
    got = totals(out)
    assert (got["amara"]["total_score"], got["amara"]["manual_score"], got["amara"]["manual_pending"]) \
        == ("22.5", "1.5", "0.0")
    assert (got["ben"]["total_score"], got["chen"]["total_score"]) == ("1.0", "6.5")
    page = Record(out).feedback("amara", NB).read_text()
    assert "Score: 22.5 / 23" in page and "Right about the kink; say how to tell." in page
    assert page.count("Score: 22.5 / 23") == 2  # the header and the one score line agree
    assert "Look at the exp gate again." in Record(out).feedback("chen", NB).read_text()
    rows = {(r["student"], r["cell"]): r for r in csv.DictReader((out / "grades.csv").open())}
    assert rows["chen", "q3_sigmoid_staged_test"]["comment"] == "Look at the exp gate again."
    assert "set by hand" in rows["ben", "q1_numerical_derivative_test"]["reason"]

    ran = []  # the students whose notebooks each grading ran (in worker processes: seen here)
    real_run = pipeline._run_local
    monkeypatch.setattr(pipeline, "_run_local", lambda jobs, *a: ran.extend(j.student for j in jobs)
                        or real_run(jobs, *a))
    notices = []
    grade(subs_now, out, notices)  # a plain rerun: nothing changed, nothing runs
    assert ran == [] and entered(out) == by_hand and notices == []
    assert totals(out)["amara"]["total_score"] == "22.5"

    hand_in(subs_now, "chen", submission(FIRST_FOUR, "I changed my mind: a kink."))  # resubmitted
    hand_in(subs_now, "dora", submission(ALL, "Late, but here."))  # a late student
    real_save, saved = Record.save, []

    def interrupted_after_one(self, student, *args):
        if saved:
            raise KeyboardInterrupt  # Ctrl-C once the first of the two is saved
        saved.append(student)
        return real_save(self, student, *args)

    monkeypatch.setattr(Record, "save", interrupted_after_one)
    with pytest.raises(KeyboardInterrupt):
        grade(subs_now, out, notices)
    monkeypatch.setattr(Record, "save", real_save)
    assert sorted(ran) == ["chen", "dora"] and entered(out) == by_hand
    ran.clear()
    grade(subs_now, out, notices)  # resumed: only the one not saved runs again
    assert ran == sorted({"chen", "dora"} - set(saved)) and entered(out) == by_hand
    assert needs_grading(out, "chen") and needs_grading(out, "dora") and not needs_grading(out, "amara")
    assert notices and "chen" in notices[0] and "0.5 is kept" in notices[0]
    now = totals(out)
    assert (now["chen"]["manual_score"], now["chen"]["to_regrade"]) == ("0.5", MANUAL)
    assert (now["dora"]["manual_pending"], now["amara"]["total_score"]) == ("2.0", "22.5")
    # both graded in full, whichever of them the interrupted run had saved
    assert now["chen"]["autograded_score"] == got["chen"]["autograded_score"]  # the same four answers
    assert now["dora"]["autograded_score"] == got["amara"]["autograded_score"] == "21.0"

    ran.clear()
    grade(subs_now, out, force=True)  # everything graded again
    assert sorted(ran) == ["amara", "ben", "chen", "dora"]
    assert entered(out) == by_hand and needs_grading(out, "chen")

    calls = []

    def interrupted(self, *args):
        calls.append(args[0])
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C halfway through a forced regrade
        return real_save(self, *args)

    monkeypatch.setattr(Record, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        grade(subs_now, out, force=True)
    monkeypatch.setattr(Record, "save", real_save)
    assert entered(out) == by_hand
    grade(subs_now, out)  # resumed
    assert entered(out) == by_hand and totals(out)["amara"]["total_score"] == "22.5"
    assert len(list((out / "backups").glob("gradebook-*.db"))) >= 4  # one before each change

    assert main(["export", str(out), "--lms", "canvas"]) == 0
    waiting = capsys.readouterr().err
    assert "chen 01_chain_rule " + MANUAL in waiting and "dora 01_chain_rule " + MANUAL in waiting
    canvas = list(csv.reader((out / "final_grades_canvas.csv").open()))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", NB]
    assert canvas[1] == ["Points Possible", "", "", "", "", "23"]
    assert ["amara", "", "amara", "amara", "", "22.5"] in canvas
    assert main(["export", str(out), "--lms", "moodle", "--to", str(tmp_path / "m.csv")]) == 0
    moodle = list(csv.reader((tmp_path / "m.csv").open()))
    assert moodle[0] == ["Username", NB] and ["ben", "1"] in moodle and ["dora", "21"] in moodle


def _graded(student, written_text, score=None):
    result = NotebookResult.zero(GRADED)
    result.cells[MANUAL] = CellResult(score, 2.0, manual=True, answer_digest=written_text)
    return Submission(student, result=result)


def test_a_gradebook_of_another_course_or_grader_is_refused_and_left_as_it_was(tmp_path):
    book = tmp_path / "gradebook.db"
    for mark in (None, ("course_id", "another-course"), ("format", "0")):
        book.unlink(missing_ok=True)
        gradebook.create(book, COURSE.course_id)
        with sqlite3.connect(book) as db:
            if mark:
                db.execute("UPDATE cs231n_course SET value = ? WHERE key = ?", (mark[1], mark[0]))
            else:  # a plain nbgrader course's gradebook, or an older grader's
                db.execute("DROP TABLE cs231n_course")
        before = book.read_bytes()
        with pytest.raises(CourseError, match="Nothing was changed") as refused:
            pipeline.grade_class(COURSE, [_graded("ann", "x")], NB, tmp_path, progress=False)
        assert book.read_bytes() == before
        assert not (tmp_path / "results").exists()  # refused before any work
        said = str(refused.value)
        assert ("another-course" in said if mark and mark[0] == "course_id" else
                "another version" in said if mark else "not a gradebook this grader wrote" in said)


def test_a_changed_set_of_graded_cells_is_refused_without_dropping_a_hand_grade(tmp_path):
    book = tmp_path / "gradebook.db"
    gradebook.record(book, COURSE.course_id, NB, SOURCE, [_graded("ann", "a")])
    enter(tmp_path, "ann", MANUAL, 2.0, "Full marks.")
    fewer = copy.deepcopy(SOURCE)
    fewer.cells = [c for c in fewer.cells if cells.key(c) != MANUAL]  # the written question removed
    before = entered(tmp_path)
    with pytest.raises(CourseError, match="changed since its submissions were graded") as refused:
        gradebook.record(book, COURSE.course_id, NB, fewer, [_graded("ann", "a")])
    assert f"ann {MANUAL}: score 2, comment 'Full marks.'" in str(refused.value)  # reported, not dropped
    assert entered(tmp_path) == before == {("ann", MANUAL, 2.0, None), ("ann", MANUAL, None, "Full marks.")}


def test_a_changed_written_answer_keeps_its_score_and_is_marked_for_regrading(tmp_path):
    book = tmp_path / "gradebook.db"
    gradebook.record(book, COURSE.course_id, NB, SOURCE, [_graded("ann", "first"), _graded("bo", "x")])
    enter(tmp_path, "ann", MANUAL, 1.0)
    assert gradebook.record(book, COURSE.course_id, NB, SOURCE, [_graded("ann", "first")]) == []
    assert not needs_grading(tmp_path, "ann")
    notices = gradebook.record(book, COURSE.course_id, NB, SOURCE, [_graded("ann", "second")])
    assert len(notices) == 1 and "ann" in notices[0] and needs_grading(tmp_path, "ann")
    assert entered(tmp_path) == {("ann", MANUAL, 1.0, None)}
    hand = gradebook.hand_grades(book, NB)
    assert (hand["ann"][MANUAL].score, hand["ann"][MANUAL].needs_grading) == (1.0, True)
    assert needs_grading(tmp_path, "bo")  # never graded: still waiting


def test_one_command_at_a_time_on_a_folder(tmp_path, capsys):
    record = Record(tmp_path)
    record.save_result("ann", NB, "", _graded("ann", "x").result)
    with record.lock():
        assert main(["feedback", str(tmp_path)]) == 2
    assert "in use by another cs231n-course command" in capsys.readouterr().err
    assert main(["feedback", str(tmp_path)]) == 0


def test_export_and_feedback_say_what_to_do_with_an_ungraded_folder(tmp_path, capsys):
    assert main(["export", str(tmp_path)]) == 2
    assert "grade one with" in capsys.readouterr().err


def test_a_submission_that_kills_its_worker_costs_only_its_own_grade():
    jobs = [Job(s, NB, "", b"", LIMITS) for s in ("a", "bomb", "b")]
    done = {}
    pipeline._run_local(jobs, 2, lambda job, future: done.update({job.student: future.exception()}),
                        kills_its_worker)
    assert set(done) == {"a", "bomb", "b"}
    assert type(done.pop("bomb")).__name__ == "BrokenProcessPool"
    assert all(error is None for error in done.values())


def test_kernels_are_booted_ahead_only_for_submissions_still_to_come(monkeypatch):
    booted = []

    class Kernel:  # stands in for a sandboxed kernel: records its boot and its shutdown
        def __init__(self, limits, earlier):
            self.shut = False
            booted.append(self)

        def shutdown(self):
            self.shut = True

    monkeypatch.setattr(kernel, "SandboxedKernel", Kernel)
    supply = kernel.KernelSupply(LIMITS)
    assert booted == []  # nothing before a submission asks
    first = supply.take(boot_next=True)
    second = supply.take(boot_next=False)
    assert booted == [first, second]  # the second was booted while the first graded; no third
    supply.close()
    assert not any(k.shut for k in booted)  # the supply owns no kernel left unused
    # five submissions on two workers: the last two need no kernel after theirs
    jobs = [Job(s, NB, "", b"", LIMITS) for s in "abcde"]
    told = {}
    pipeline._run_local(jobs, 2, lambda job, future: told.update({job.student: future.result()}),
                        says_if_it_boots_ahead)
    assert told == {"a": True, "b": True, "c": True, "d": False, "e": False}


# the attacks of issue 22 that once made the grader's own process grow past a 3 GB cgroup: a test's
# callback asked to build a 3 GB string, and handles to ten times the objects the judge may hold
GROWS_THE_JUDGE = '''
class _Blob:
    pass

def numerical_derivative(f, x, h=1e-5):
    for _ in range(20):
        try:
            f("x", 3_000_000_000)
        except Exception:
            pass
    return [_Blob() for _ in range(100_000)]
'''
MEMORY_CGROUP = "/sys/fs/cgroup/memory"


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or not os.access(MEMORY_CGROUP, os.W_OK),
                    reason="needs root and a writable cgroup v1 memory controller")
def test_a_class_graded_in_a_3_gb_cgroup_survives_a_submission_that_grows_the_judge(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    hand_in(subs, "amara", submission(ALL))
    hand_in(subs, "ben", submission({}))
    attacker = submission(FIRST_FOUR)
    for cell in attacker.cells:
        if cells.key(cell) == "q1_numerical_derivative":
            cell.source = GROWS_THE_JUDGE
    hand_in(subs, "mallory", attacker)
    group = Path(MEMORY_CGROUP) / f"cs231n-test-{os.getpid()}"
    group.mkdir()
    try:
        (group / "memory.limit_in_bytes").write_text(str(3 * 1024**3))
        command = [sys.executable, "-m", "cs231n_course", "--course", str(COURSE.root), "grade", str(subs),
                   "--assignment", NB, "--out", str(out), "--workers", "2", "--timeout", "60"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600,
                              preexec_fn=lambda: (group / "cgroup.procs").write_text(str(os.getpid())))
        assert done.returncode == 0, done.stderr[-2000:]
        rows = list(csv.DictReader((out / "grades.csv").open()))
        assert {r["student"] for r in rows} == {"amara", "ben", "mallory"}
        assert len(rows) == 3 * len(GRADED)
        got = totals(out)
        assert got["amara"]["autograded_score"] == "21.0" and got["ben"]["total_score"] == "0.0"
        mallory = {r["cell"]: r for r in rows if r["student"] == "mallory"}
        assert mallory["q1_numerical_derivative_test"]["score"] == "0.0"
        assert "the channel's limits" in mallory["q1_numerical_derivative_test"]["reason"]
        assert all(Record(out).feedback(s, NB).exists() for s in ("amara", "ben", "mallory"))
        with Gradebook(f"sqlite:///{Record(out).gradebook}") as gb:
            assert sorted(s.student_id for s in gb.assignment_submissions(NB)) == ["amara", "ben", "mallory"]
    finally:
        for _ in range(500):  # what the grader's children leave dies within moments (on a busy machine)
            for pid in (group / "cgroup.procs").read_text().split():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), 9)
            try:
                group.rmdir()
                break
            except OSError:
                time.sleep(0.01)
