"""The course commands: grade survives bad submissions (build and check: test_authoring.py)."""

import csv
import json
import os
import shutil

import nbformat
import pytest
from fixtures import make_submission

from cs231n_course import cells
from cs231n_course.cli import main
from cs231n_course.course import run_nbgrader
from cs231n_course.grading import pipeline, submissions
from cs231n_course.grading.feedback import CSP, render
from cs231n_course.grading.results import NotebookResult, printable, spreadsheet_row, student_id_problem
from cs231n_course.grading.submissions import notebook_problem
from cs231n_utils import mine

NB = "01_chain_rule"
DEEP = b"[" * 100_000 + b"]" * 100_000  # 200 KB that once stopped the grading of a whole class
DEEP_NOTEBOOK = (b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": '
                 + b"[" * 100_000 + b"]" * 100_000 + b"}")


FORMULAS = ["=cmd|' -C calc'!A0", "@SUM(1+1)", "+1", "-2+3"]  # folder names: no "/" in "/C"
HIDDEN = ["ana\x1b]0;pwned\x07", "\x1b[2Jbo", "right\u202eto_left", "two\nlines"]


@pytest.mark.parametrize("name", HIDDEN + ["\u2066isolate\u2069", "zero\u200bwidth", "bom\ufeff", "csi\x9b2J",
                                  "del\x7f", "line\u2028sep", "tab\tbed", "bad\udcffutf8"])
def test_student_ids_that_do_not_print_are_refused_and_shown_escaped(name):
    assert "do not print" in student_id_problem(name)
    shown = printable(name)
    assert shown.isprintable() and "\\" in shown


def test_printable_names_are_ids_and_formulas_are_neutralised_in_csv():
    for name in ["Ana Lee", "김민수", "José-María", *FORMULAS]:
        assert student_id_problem(name) is None and printable(name) == name
    assert spreadsheet_row({"reason": "=cmd|' /C calc'!A0"}) == {"reason": "'=cmd|' /C calc'!A0"}
    row = spreadsheet_row({"student": "=1+1", "reason": "\t=x", "cell": "\r\n=2", "score": -2.0})
    assert row == {"student": "'=1+1", "reason": "\\t=x", "cell": "\\r\\n=2", "score": -2.0}


@pytest.mark.parametrize("content, words", [
    (b"", "is empty"),
    (b"{not json", "is not valid JSON"),
    (b"\xff\xfe\x00garbage", "is not UTF-8"),
    (json.dumps({"nbformat": 3, "worksheets": []}).encode(), "not an nbformat 4 notebook"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": "x"}).encode(), "not a valid notebook"),
    (DEEP, "nested deeper"),
    (DEEP_NOTEBOOK, "nested deeper"),
])
def test_notebook_problem_explains_each_kind_of_broken_file(tmp_path, content, words):
    path = tmp_path / "nb.ipynb"
    path.write_bytes(content)
    assert words in notebook_problem(path)


def test_links_fifos_and_huge_files_are_refused_unread(tmp_path, monkeypatch):
    notebook = tmp_path / "real.ipynb"
    notebook.write_bytes(b"{}")
    (tmp_path / "link.ipynb").symlink_to(notebook)
    assert "symbolic link" in notebook_problem(tmp_path / "link.ipynb")
    os.mkfifo(tmp_path / "fifo.ipynb")  # opening it must not block the grader
    assert "not a regular file" in notebook_problem(tmp_path / "fifo.ipynb")
    monkeypatch.setattr(submissions, "MAX_BYTES", 1)
    assert "larger than" in notebook_problem(notebook)


def test_a_submission_is_read_once_and_graded_as_read(course, tmp_path, monkeypatch):
    """The bytes validated when the folder is listed are the bytes graded: a file swapped for
    something else afterwards changes nothing, and no file is opened twice."""
    folder = tmp_path / "subs" / "ana"
    folder.mkdir(parents=True)
    released = course.release_path(NB).read_bytes()
    (folder / f"{NB}.ipynb").write_bytes(released)
    reads = []
    real = submissions.read_submitted
    monkeypatch.setattr(submissions, "read_submitted", lambda path: reads.append(path) or real(path))
    [sub] = submissions.find_submissions(tmp_path / "subs", NB, cells.graded_cells(course.solution(NB)))
    assert sub.data == released and reads == [folder / f"{NB}.ipynb"]
    (folder / f"{NB}.ipynb").write_bytes(b"{ swapped")
    jobs = []

    def handed_out(todo, *args):  # what the workers would grade; then stop
        jobs.extend(todo)
        raise InterruptedError

    monkeypatch.setattr(pipeline, "_run_local", handed_out)
    with pytest.raises(InterruptedError):
        pipeline.grade_class(course, [sub], NB, tmp_path / "out")
    assert [job.submission for job in jobs] == [released] and len(reads) == 1


def test_grade_reports_broken_submissions_and_still_grades_the_others(course, tmp_path, capsys):
    """Broken notebooks, links, and folder names that attack a spreadsheet (formulas) or the
    instructor's terminal (escapes, bidi overrides, newlines): each its own row, the others graded."""
    subs = tmp_path / "subs"
    release = course.notebooks / NB / f"{NB}.ipynb"
    for student, content in [("ok_blank", release.read_bytes()), ("not_json", b"{oops"),
                             ("old_format", json.dumps({"nbformat": 3, "worksheets": []}).encode()),
                             ("deep", DEEP_NOTEBOOK)]:
        (subs / student).mkdir(parents=True)
        (subs / student / f"{NB}.ipynb").write_bytes(content)
    (subs / "renamed").mkdir()
    shutil.copy(release, subs / "renamed" / f"{NB} (1).ipynb")
    (subs / "nothing").mkdir()
    (subs / "links_to_a_classmate").mkdir()  # a notebook that is a link to someone else's
    (subs / "links_to_a_classmate" / f"{NB}.ipynb").symlink_to(subs / "ok_blank" / f"{NB}.ipynb")
    (subs / "folder_link").symlink_to(subs / "ok_blank")  # a whole folder that is someone else's
    for student in FORMULAS + HIDDEN:  # ids that attack a spreadsheet or the instructor's terminal
        (subs / student).mkdir()
        (subs / student / f"{NB}.ipynb").write_bytes(b"{oops")
    odd = subs / "escapes_in_a_file_name" / f"{NB}\x1b]0;pwned\x07\x1b[2J.ipynb"  # quoted in the reason
    odd.parent.mkdir()
    odd.write_bytes(b"{}")

    status = main(["--course", str(course.root), "grade", str(subs), "--out", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert status == 0, "every submission got a grade (zero ones included)"
    assert all(c.isprintable() for c in out + err if c != "\n"), "nothing raw on the terminal"
    reasons = {line.split(":")[0]: line for line in err.splitlines() if ": invalid: " in line}
    escaped = [printable(student) for student in HIDDEN]
    assert set(reasons) == {"not_json", "old_format", "renamed", "nothing", "deep", "links_to_a_classmate",
                            "folder_link", "escapes_in_a_file_name", *FORMULAS, *escaped}
    for shown in escaped:
        assert "folder name has characters that do not print" in reasons[shown]
    assert "\\x1b]0;pwned\\x07\\x1b[2J.ipynb" in reasons["escapes_in_a_file_name"]
    csv_bytes = b"".join((tmp_path / "out" / name).read_bytes() for name in ("grades.csv", "totals.csv"))
    for student in FORMULAS:
        assert f"\n\"'{student}\",".encode() in csv_bytes or f"\n'{student},".encode() in csv_bytes
        assert f"\n{student}".encode() not in csv_bytes and f'\n"{student}'.encode() not in csv_bytes
    assert b"\x1b" not in csv_bytes and "\u202e".encode() not in csv_bytes
    assert "symbolic link" in reasons["links_to_a_classmate"] and "symbolic link" in reasons["folder_link"]
    assert "not valid JSON" in reasons["not_json"] and "nbformat 4" in reasons["old_format"]
    assert f"{NB}.ipynb not found" in reasons["renamed"] and f"{NB} (1).ipynb" in reasons["renamed"]
    rows = (tmp_path / "out" / "grades.csv").read_text().splitlines()
    assert rows[0] == "student,assignment,notebook,cell,grading,score,max_score,status,reason,comment"
    blank_rows = [r for r in rows if r.startswith("ok_blank,")]
    graded = cells.graded_cells(course.solution(NB))
    assert len(blank_rows) == len(graded) and all(",ok," in r for r in blank_rows)
    assert "NotImplementedError" in blank_rows[0]
    assert "ok_blank" in out and "autograded" in out and "by hand  to grade" in out


def test_grade_says_what_to_do_with_an_empty_or_missing_folder(course, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["--course", str(course.root), "grade", str(tmp_path / "empty"),
                 "--assignment", NB, "--out", str(tmp_path / "out")]) == 2
    assert "no submissions in" in capsys.readouterr().err
    assert main(["--course", str(course.root), "grade", str(tmp_path / "missing"),
                 "--assignment", NB]) == 2
    assert "is not a folder of submissions" in capsys.readouterr().err
    assert main(["--course", str(course.root), "grade", str(tmp_path / "empty"),
                 "--assignment", "99_nope"]) == 2
    assert "unknown assignment '99_nope'" in capsys.readouterr().err


def test_feedback_pages_are_inert(course):
    """Student HTML, SVG, JavaScript and Markdown in a feedback page run nothing."""
    nb = nbformat.read(course.release_path(NB), as_version=4)
    hostile = '<script>alert("x")</script><img src=x onerror="alert(1)"><b>bold</b>'
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("My notes " + hostile))
    code = nbformat.v4.new_code_cell("display(HTML(...))")
    code.outputs = [nbformat.v4.new_output("display_data", data={
        "text/html": hostile, "application/javascript": 'alert("js")',
        "image/svg+xml": '<svg onload="alert(2)"></svg>', "text/plain": "<IPython.core.display.HTML>"})]
    nb.cells.insert(2, code)
    graded = cells.graded_cells(course.solution(NB))
    page = render(nb, NotebookResult.zero(graded), NB)
    assert f'content="{CSP}"' in page and "script-src" not in CSP and "default-src 'none'" in CSP
    for live in ('<script>alert("x")', "<img src=x onerror", 'alert("js")', "<svg onload"):
        assert live not in page, live  # dropped, or escaped into harmless text
    assert "My notes" in page and "<b>bold</b>" in page  # harmless markup survives


def test_notebook_02_is_graded_on_the_instructors_01_not_the_learners(course, tmp_path, monkeypatch, capsys):
    """02's tests check gradients with cs231n_utils.gradcheck, which computes with notebook 01: a
    learner's sign-flipped 01, beside the submission and where the grading process's own mine (the
    judge's) would look, changes nothing: 02's solution gets full marks."""
    nb1, nb2 = "01_chain_rule", "02_gate_patterns"
    student = tmp_path / "subs" / "ana"
    student.mkdir(parents=True)
    solved = dict.fromkeys(cells.questions(course.solution(nb2)), "solution")
    nbformat.write(make_submission(course, nb2, solved), student / f"{nb2}.ipynb")
    wrong = make_submission(course, nb1, {"q1_numerical_derivative": "sign flipped"})
    nbformat.write(wrong, student / f"{nb1}.ipynb")
    (tmp_path / "own" / nb1).mkdir(parents=True)
    nbformat.write(wrong, tmp_path / "own" / nb1 / f"{nb1}.ipynb")
    monkeypatch.setenv("CS231N_NOTEBOOKS", str(tmp_path / "own"))
    monkeypatch.setattr(mine, "NOTEBOOKS", str(tmp_path / "own"))
    assert main(["--course", str(course.root), "grade", str(tmp_path / "subs"), "--assignment", nb2,
                 "--out", str(tmp_path / "out")]) == 0
    rows = list(csv.DictReader((tmp_path / "out" / "grades.csv").open()))
    auto = [r for r in rows if r["grading"] == "auto"]
    assert auto and all(r["score"] == r["max_score"] for r in auto), capsys.readouterr().err


@pytest.mark.slow
def test_plain_nbgrader_grades_04_the_same_whatever_the_learners_own_03(course, tmp_path):
    """`nbgrader autograde 04_neural_networks` in a course folder whose config is the course's (and
    nothing else): 04's grade is the same whether the learner's own 03, in nbgrader's folders beside
    it, is right, wrong (the bias forgotten, which 04's first question shows) or missing."""
    from fixtures import make_submission
    from nbgrader.api import Gradebook

    from cs231n_course.grading.stock import nbgrader_workspace

    nb3, nb4 = "03_vectorized_backprop", "04_neural_networks"
    workspace, db = tmp_path / "nbgrader", tmp_path / "gradebook.db"
    nbgrader_workspace(course, [nb4], workspace, db)
    solved3 = dict.fromkeys(cells.questions(course.solution(nb3)), "solution")
    own = {"right": solved3, "wrong": {**solved3, "q3_affine_forward": "forgot the bias"}, "missing": None}
    for student, answers in own.items():
        (workspace / "submitted" / student / nb4).mkdir(parents=True)
        nbformat.write(make_submission(course, nb4, {"q1_linear_classifier": "solution"}),
                       workspace / "submitted" / student / nb4 / f"{nb4}.ipynb")
        for folder in ("submitted", "autograded") if answers else ():
            beside = workspace / folder / student / nb3
            beside.mkdir(parents=True)
            nbformat.write(make_submission(course, nb3, answers), beside / f"{nb3}.ipynb")
    proc = run_nbgrader(["autograde", nb4, "--log-level=WARN"], workspace)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with Gradebook(f"sqlite:///{db}") as gb:
        scores = {student: {g.name: g.score for g in gb.find_submission_notebook(nb4, nb4, student).grades}
                  for student in own}
    assert scores["right"] == scores["wrong"] == scores["missing"], scores
    assert scores["wrong"]["q1_linear_classifier_test"] > 0, scores["wrong"]


@pytest.mark.slow
def test_stock_nbgrader_says_why_it_could_not_grade_one_and_grades_the_others(course, tmp_path):
    """`--engine nbgrader` runs one `nbgrader autograde` for the class. A notebook that nbgrader
    refuses (its cells in an old nbgrader metadata format) is autograded again alone, and gets
    nbgrader's own reason; the rest of the class is graded. Graded again into the same folder, a
    refused notebook is not taken for the executed copy of the run before."""
    from cs231n_course.grading.stock import grade_class_with_nbgrader
    from cs231n_course.grading.submissions import find_submissions

    nb = "01_chain_rule"
    old = make_submission(course, nb, {})
    for cell in old.cells:
        if "nbgrader" in cell.metadata:
            cell.metadata.nbgrader["schema_version"] = 1
    for student, notebook in {"old_format": old, "blank": make_submission(course, nb, {})}.items():
        (tmp_path / "subs" / student).mkdir(parents=True)
        nbformat.write(notebook, tmp_path / "subs" / student / f"{nb}.ipynb")
    said = []
    subs = {s.student: s for s in grade_class_with_nbgrader(
        course, find_submissions(tmp_path / "subs", nb, cells.graded_cells(course.solution(nb))), nb,
        tmp_path / "out", progress=said.append)}
    assert said == [f"nbgrader autograde {nb}: 2 submissions"]
    assert subs["old_format"].status == "error"
    assert "old version of the nbgrader metadata format" in subs["old_format"].reason
    assert "nbgrader update" in subs["old_format"].reason
    assert subs["blank"].status == "ok" and subs["blank"].result.score == 0
    assert (tmp_path / "out" / "feedback" / "blank" / f"{nb}.html").exists()
    rows = list(csv.DictReader((tmp_path / "out" / "grades.csv").open()))
    assert {r["student"] for r in rows} == {"old_format", "blank"}

    nbformat.write(old, tmp_path / "subs" / "blank" / f"{nb}.ipynb")  # handed in again, refused now
    again = grade_class_with_nbgrader(course, find_submissions(tmp_path / "subs", nb, cells.graded_cells(
        course.solution(nb))), nb, tmp_path / "out", progress=said.append)
    assert [s.status for s in again] == ["error", "error"]  # not the first run's executed copy


def test_nbgrader_validate_and_formgrader_run_on_the_references(course, tmp_path, monkeypatch):
    """`nbgrader validate` run in the course (and the lab's Validate button, and Formgrader, which
    load the same configuration from the folder they start in) takes 03 from the references, not
    from the learner's 03 beside the notebook, whose affine_forward forgot the bias."""
    from fixtures import make_submission
    from nbgrader.apps import NbGrader
    from nbgrader.converters import Autograde

    from cs231n_course.nbgrader_hook import ReferencesExecute

    nb3, nb4 = "03_vectorized_backprop", "04_neural_networks"
    (tmp_path / nb3).mkdir()
    solved3 = dict.fromkeys(cells.questions(course.solution(nb3)), "solution")
    nbformat.write(make_submission(course, nb3, {**solved3, "q3_affine_forward": "forgot the bias"}),
                   tmp_path / nb3 / f"{nb3}.ipynb")
    test = nbformat.v4.new_code_cell(
        "import numpy as np\nfrom cs231n_utils.mine import affine_forward\n"
        "out, _ = affine_forward(np.ones((1, 2)), np.ones((2, 1)), np.ones(1))\n"
        "assert out[0, 0] == 3, f'the learner\\'s own 03: {out}'", id="q1_uses_mine_test")
    test.metadata["nbgrader"] = cells.metadata("tests", "q1_uses_mine_test", 1)
    (tmp_path / nb4).mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[test]), tmp_path / nb4 / f"{nb4}.ipynb")
    proc = run_nbgrader(["validate", str(tmp_path / nb4 / f"{nb4}.ipynb")], course.config_file.parent)
    assert "Success! Your notebook passes all the tests." in proc.stdout, proc.stdout + proc.stderr

    monkeypatch.chdir(course.config_file.parent)  # Formgrader: the nbgrader_config.py of where it starts
    app = NbGrader()
    app.load_config_file()
    assert ReferencesExecute in Autograde(config=app.config).autograde_preprocessors
    assert ReferencesExecute(config=app.config).course == str(course.root)


def test_a_grading_kernel_finds_only_code_in_the_references(course):
    """A submission of 02 that prints every file of the folder its cs231n_utils.mine reads (the
    references of 01, read-only at /references in the sandbox) shows 01's setup and answer code,
    and none of 01's tests, hidden tests, written answers, model answers or rubrics."""
    from cs231n_course.grading.notebook import Job, grade_notebook

    nb1, nb2 = "01_chain_rule", "02_gate_patterns"
    nb = nbformat.read(course.release_path(nb2), as_version=4)
    spy = next(c for c in nb.cells if cells.kind(c) is cells.Kind.ANSWER)
    spy.source = ("import os\nfor where, _, names in os.walk(os.environ['CS231N_NOTEBOOKS']):\n"
                  "    for name in names:\n        print(open(os.path.join(where, name)).read())")
    job = Job("spy", nb2, nbformat.writes(course.solution(nb2)), nbformat.writes(nb).encode(),
              earlier=course.earlier_solutions(nb2))
    graded = grade_notebook(job)
    shown = "".join(o.get("text", "") for c in nbformat.reads(graded.notebook, as_version=4).cells
                    if c.id == spy.id for o in c.outputs)
    for seen in (shown, graded.feedback):
        assert "def numerical_derivative" in seen  # 01's answer code, read by the spy
        for secret in ("BEGIN HIDDEN TESTS", "RUBRIC", "BEGIN SOLUTION", "Model answer"):
            assert secret not in seen, secret
    leaked = [cells.key(c) for c in course.solution(nb1).cells
              if (cells.kind(c) in (cells.Kind.TESTS, cells.Kind.WRITTEN) or c.cell_type == "markdown")
              and c.source.strip() and c.source.strip() in shown]
    assert not leaked, leaked
