"""The course commands: grade survives bad submissions (build and check: test_authoring.py)."""

import json
import shutil

import pytest

from cs231n_course.cli import main
from cs231n_course.grading.submissions import notebook_problem

NB = "01_chain_rule"


@pytest.mark.parametrize("content, words", [
    (b"", "is empty"),
    (b"{not json", "is not valid JSON"),
    (b"\xff\xfe\x00garbage", "is not UTF-8"),
    (json.dumps({"nbformat": 3, "worksheets": []}).encode(), "not an nbformat 4 notebook"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": "x"}).encode(), "not a valid notebook"),
])
def test_notebook_problem_explains_each_kind_of_broken_file(tmp_path, content, words):
    path = tmp_path / "nb.ipynb"
    path.write_bytes(content)
    assert words in notebook_problem(path)


def test_grade_reports_broken_submissions_and_still_grades_the_others(course, tmp_path, capsys):
    subs = tmp_path / "subs"
    release = course.notebooks / NB / f"{NB}.ipynb"
    for student, content in [("ok_blank", release.read_bytes()), ("not_json", b"{oops"),
                             ("old_format", json.dumps({"nbformat": 3, "worksheets": []}).encode())]:
        (subs / student).mkdir(parents=True)
        (subs / student / f"{NB}.ipynb").write_bytes(content)
    (subs / "renamed").mkdir()
    shutil.copy(release, subs / "renamed" / f"{NB} (1).ipynb")
    (subs / "nothing").mkdir()

    status = main(["--course", str(course.root), "grade", str(subs), "--out", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert status == 0, "every submission got a grade (zero ones included)"
    reasons = {line.split(":")[0]: line for line in err.splitlines() if ": invalid: " in line}
    assert set(reasons) == {"not_json", "old_format", "renamed", "nothing"}
    assert "not valid JSON" in reasons["not_json"] and "nbformat 4" in reasons["old_format"]
    assert f"{NB}.ipynb not found" in reasons["renamed"] and f"{NB} (1).ipynb" in reasons["renamed"]
    rows = (tmp_path / "out" / "grades.csv").read_text().splitlines()
    assert rows[0] == "student,assignment,notebook,cell,score,max_score,status,reason"
    blank_rows = [r for r in rows if r.startswith("ok_blank,")]
    assert len(blank_rows) == 9 and all(",ok," in r for r in blank_rows)
    assert "NotImplementedError" in blank_rows[0]
    assert "ok_blank" in out and "total" in out


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
