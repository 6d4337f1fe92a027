"""The similarity report (grading/similarity.py): copies are found through renamed names, new
comments, other constants, padding and reordered statements; the stub, the solution, the bank's
common mistakes and short answers are never "shared"; hostile notebooks are left out or shown
escaped, and nothing in an answer runs."""

import csv
import os
import re

import nbformat
import pytest
from conftest import COURSE
from fixtures import load_bank, make_submission

from cs231n_course import cells
from cs231n_course.cli import main
from cs231n_course.grading.assemble import released
from cs231n_course.grading.feedback import CSP
from cs231n_course.grading.similarity import THRESHOLD, compare_class, page, similar_pairs, write_report

NB = "05_activations_init_batchnorm"
Q = "q8_batchnorm_backward"
WRITTEN = "wq1_dead_relu"
STUB = "    # YOUR CODE HERE\n    raise NotImplementedError()\n"

# a learner's own batchnorm_backward (not the solution's derivation), and what classmates make of it
OWN = """\
    xhat, xmu, var, eps, gamma = cache
    m = dout.shape[0]
    inv_std = 1.0 / np.sqrt(var + eps)
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(xhat * dout, axis=0)
    g = dout * gamma
    dvar = np.sum(g * xmu, axis=0) * -0.5 * inv_std**3
    dmean = np.sum(-g * inv_std, axis=0) + dvar * np.mean(-2.0 * xmu, axis=0)
    dx = g * inv_std + dvar * 2.0 * xmu / m + dmean / m
"""
RENAMED = """\
    a, b, c, d, e = cache  # unpack the cache
    n = dout.shape[0]
    s = 1 / np.sqrt(c + d)  # one over the standard deviation
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(a * dout, axis=0)
    grad = dout * e
    dv = np.sum(grad * b, axis=0) * -0.50 * s**3  # through the variance
    dm = np.sum(-grad * s, axis=0) + dv * np.mean(-2 * b, axis=0)
    dx = grad * s + dv * 2 * b / n + dm / n
"""
REORDERED = """\
    xhat, xmu, var, eps, gamma = cache
    g = dout * gamma
    m = dout.shape[0]
    dgamma = np.sum(xhat * dout, axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    dvar = np.sum(g * xmu, axis=0) * -0.5 * inv_std**3
    dbeta = np.sum(dout, axis=0)
    dmean = np.sum(-g * inv_std, axis=0) + dvar * np.mean(-2.0 * xmu, axis=0)
    dx = g * inv_std + dvar * 2.0 * xmu / m + dmean / m
"""
PADDED = "".join(line + "    unused = np.zeros((3, 4)).T.copy()\n" for line in RENAMED.splitlines())
JOINED = "    " + "; ".join(line.split("#")[0].strip() for line in RENAMED.splitlines()) + "\n"
INDEPENDENT = ["""\
    x_hat, x_centered, var, eps, gamma = cache
    N, D = dout.shape
    istd = 1.0 / np.sqrt(var + eps)
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dxhat = dout * gamma
    dx = istd / N * (N * dxhat - dxhat.sum(axis=0) - x_hat * (dxhat * x_hat).sum(axis=0))
""", """\
    xh, xc, v, e, g = cache
    n = len(dout)
    dbeta = np.sum(dout, 0)
    dgamma = np.sum(dout * xh, 0)
    dxh = dout * g
    sd = np.sqrt(v + e)
    dx = (1.0 / n) / sd * (n * dxh - np.sum(dxh, axis=0) - xh * np.sum(dxh * xh, axis=0))
"""]

PROSE = """A ReLU dies when its pre-activation is below zero for all training inputs; then its output
and its derivative vanish, the weights feeding it stop changing and it never recovers. Culprits I
found: an unlucky initialisation that puts the unit's hyperplane away from all the data, and steps
that are far too big, which throw the weights there. Fixes: start the bias slightly above zero,
lower the step size, or switch to a leaky variant."""
PROSE_COPIED = """a relu dies when its pre-activation is below zero for all training inputs;
then its output and its derivative vanish, the weights feeding it stop changing and it never
recovers. Culprits I found: an unlucky initialisation that puts the unit's hyperplane away from all
the data, and steps that are far too big, which throw the weights there. Fixes: start the bias
slightly above zero, lower the step size, or switch to a leaky variant."""
PROSE_OWN = """Dead units: every example gives a negative input, the unit outputs zero, no gradient flows
back so w and b are frozen forever. Reasons are a poor init or a huge learning rate; use a small
positive bias, a lower rate or Leaky ReLU to avoid it."""


def notebook(answers=None, code=None, written=None):
    """A learner's notebook of NB: make_submission's answers, then Q's body and WRITTEN's text."""
    nb = make_submission(COURSE, NB, answers or {})
    for cell in nb.cells:
        if code is not None and cells.key(cell) == Q:
            cell.source = cell.source.replace(STUB, code) if STUB in cell.source else code
        if written is not None and cells.key(cell) == WRITTEN:
            cell.source = f"**Your answer:**\n\n{written}"
    return nb


def hand_in(folder, student, nb):
    path = folder / student / f"{NB}.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    return path


def pairs_of(report, question=Q):
    return {(p.student_a, p.student_b): p for p in report.pairs if p.question == question}


@pytest.fixture(scope="module")
def solution_answers():
    return {q: "solution" for q in cells.questions(COURSE.solution(NB))}


@pytest.fixture(scope="module")
def class_report(tmp_path_factory, solution_answers):
    """A class with one copy ring on Q, every other learner honest."""
    folder = tmp_path_factory.mktemp("similar") / "submissions"
    learners = {"alice": notebook(code=OWN), "bob": notebook(code=RENAMED), "carol": notebook(code=REORDERED),
                "dan": notebook(code=PADDED), "kim": notebook(code=JOINED),
                "erin": notebook(code=INDEPENDENT[0]), "femi": notebook(code=INDEPENDENT[1]),
                "gus": notebook(solution_answers), "hana": notebook(solution_answers),
                "ivan": notebook({}), "jo": notebook({})}
    for student, nb in learners.items():
        hand_in(folder, student, nb)
    return compare_class(COURSE, folder, NB)


def test_a_copy_with_other_names_comments_and_numbers_is_found(class_report):
    found = pairs_of(class_report)
    copy = found["alice", "bob"]
    assert copy.score >= 0.95
    assert copy.shared_lines >= 8  # every line of the answer but the stub's


def test_reordered_statements_lower_the_score_but_do_not_hide_the_copy(class_report):
    found = pairs_of(class_report)
    assert THRESHOLD <= found["alice", "carol"].score < found["alice", "bob"].score
    assert ("bob", "carol") in found


def test_padding_a_copy_or_joining_its_lines_does_not_hide_it(class_report):
    found = pairs_of(class_report)
    assert found["bob", "dan"].score >= THRESHOLD  # a line of one's own after each copied line
    assert found["alice", "kim"].score >= 0.95  # the statements on one line, between semicolons
    assert found["alice", "kim"].shared_lines >= 8


def test_independent_answers_the_solution_and_the_stub_are_never_similar(class_report):
    ring = {"alice", "bob", "carol", "dan", "kim"}
    assert {s for pair in pairs_of(class_report) for s in pair} == ring
    # gus and hana wrote the solution everywhere, ivan and jo left the stubs: nothing shared
    assert not [p for p in class_report.pairs if p.question != Q]


def test_the_common_mistakes_of_the_bank_are_not_similar(tmp_path, solution_answers):
    """Every wrong answer of the bank, one learner each: they all share the solution, nothing else."""
    folder = tmp_path / "submissions"
    longest = max(len(entries) for entries in load_bank(NB).BANK.values())
    for i in range(longest):
        answers = {q: entries[i][0] if i < len(entries) else "solution"
                   for q, entries in load_bank(NB).BANK.items() if q in solution_answers}
        hand_in(folder, f"learner{i}", notebook({**solution_answers, **answers}))
    assert compare_class(COURSE, folder, NB).pairs == []


@pytest.mark.parametrize("answer", ["return (f(x + h) - f(x - h)) / h / 2",
                                    "return 0.5 * (f(x + h) - f(x - h)) / h"])
def test_two_independent_correct_one_line_answers_are_not_flagged(answer):
    """The same one-line answer (not the solution's) from two learners is no sign of copying."""
    source = cells.answer_cells(COURSE.solution("01_chain_rule"))["q1_numerical_derivative"]
    stub = released(source).source
    text = stub.replace("# YOUR CODE HERE\n    raise NotImplementedError()", answer)
    common = [source.source, stub]
    assert similar_pairs("q1", {"a": text, "b": text}, common, "code", THRESHOLD) == []
    # while a copied function of a few lines is
    longer = text.replace(answer, "fxph = f(x + h)\n    fxmh = f(x - h)\n    diff = fxph - fxmh\n"
                                  "    width = h + h\n    slope = diff / width\n    return slope")
    assert similar_pairs("q1", {"a": longer, "b": longer}, common, "code", THRESHOLD)


def test_written_answers_are_compared_as_text(tmp_path):
    """A reflowed, lowercased copy of prose is found; the model answer is common ground."""
    folder = tmp_path / "submissions"
    model = cells.written_cells(COURSE.solution(NB))[WRITTEN].source
    model = re.sub(r"### (BEGIN|END) SOLUTION\n", "", model.split("**Your answer:**\n\n", 1)[1])
    for student, text in {"ann": PROSE, "ben": PROSE_COPIED, "cy": PROSE_OWN, "di": model,
                          "ed": model}.items():
        hand_in(folder, student, notebook(written=text))
    report = compare_class(COURSE, folder, NB)
    assert list(pairs_of(report, WRITTEN)) == [("ann", "ben")]
    assert pairs_of(report, WRITTEN)["ann", "ben"].score >= 0.9


def test_hostile_notebooks_are_left_out_or_shown_escaped_and_nothing_runs(tmp_path):
    folder, out = tmp_path / "submissions", tmp_path / "report"
    ran = tmp_path / "ran"
    payload = (f"    # </pre><script>alert(1)</script><img src=x onerror=alert(2)>\n"
               f"    open({str(ran)!r}, 'w').write('ran')  # would write a file if it ran\n")
    hand_in(folder, "alice", notebook(code=OWN + payload))
    hand_in(folder, "<img src=x onerror=alert(3)>", notebook(code=RENAMED + payload))
    hand_in(folder, "=HYPERLINK(1)", notebook(code=OWN))
    hand_in(folder, "broken", notebook()).write_text('{"nbformat": 4, "cells": [')
    hand_in(folder, "huge", notebook(code="    x = 1\n" * 5000))
    odd = notebook(code=OWN)
    odd.cells[0].metadata["nbgrader"], odd.cells[1].metadata["nbgrader"] = "x", {"grade_id": [1]}
    hand_in(folder, "odd", odd)
    hand_in(folder, "eve\x1b]8;;", notebook(code=OWN))
    (folder / "linked").symlink_to(folder / "alice")
    (folder / "borrower").mkdir()
    (folder / "borrower" / f"{NB}.ipynb").symlink_to(folder / "alice" / f"{NB}.ipynb")

    report = compare_class(COURSE, folder, NB)
    csv_path, page_path = write_report(report, out)

    assert not ran.exists()
    why = dict(report.left_out)
    assert "not valid JSON" in why["broken"]
    assert "cannot be read as a notebook (AttributeError)" in why["odd"]
    assert "do not print" in why["eve\\x1b]8;;"]
    assert "symbolic link" in why["linked"] and "symbolic link" in why["borrower"]
    assert why["huge"].startswith(f"{Q}: the answer has 50,") and "over the 20,000 compared" in why["huge"]
    assert ("<img src=x onerror=alert(3)>", "alice") in pairs_of(report)
    html = page_path.read_text()
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in html
    assert not re.search(r"<\s*(script|img|iframe)", html, re.I)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(3)&gt;" in html
    rows = list(csv.DictReader(csv_path.open()))
    assert {r["student_a"] for r in rows} | {r["student_b"] for r in rows} >= {"'=HYPERLINK(1)", "alice"}


def test_the_page_of_an_empty_report_is_inert_too(tmp_path):
    folder = tmp_path / "submissions"
    hand_in(folder, "alice", notebook(code=OWN))
    text = page(compare_class(COURSE, folder, NB))
    assert "No similar pairs" in text and "<script" not in text and CSP in text


def test_the_command_reads_a_folder_of_submissions_or_a_graded_folder(tmp_path, capsys):
    graded = tmp_path / "course_of_record"
    for student, code in {"alice": OWN, "bob": RENAMED}.items():
        path = graded / "submitted" / student / NB / f"{NB}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(notebook(code=code), path)
    (graded / "results" / NB).mkdir(parents=True)  # what `grade --out` leaves: a graded folder
    assert main(["--course", str(COURSE.root), "similarity", str(graded), "--out", str(tmp_path / "r")]) == 0
    rows = list(csv.DictReader((tmp_path / "r" / "similarity.csv").open()))
    assert [(r["question"], r["student_a"], r["student_b"]) for r in rows] == [(Q, "alice", "bob")]
    assert "1 similar answer pair(s)" in capsys.readouterr().out
    assert os.path.exists(tmp_path / "r" / "similarity.html")
