"""The learner's flow, in a real browser: JupyterLab as `make lab` starts it, driven by Playwright.

1. A learner opens notebook 01, writes a wrong answer to exercise 1 (a one-sided difference), runs
   it and its check cell, and reads the diagnosis; fixes it (a centered difference), runs again and
   the check passes; then presses nbgrader's Validate button and reads its verdict.
2. Every notebook, with its solution filled in, runs top to bottom with Run > Run All Cells and
   shows no error (warnings on stderr are fine). The time of each Run All is printed.

JupyterLab serves a temporary copy of the course (the repository is never modified), on
127.0.0.1 with a token; the browser is the system's chromium (`apt-get install chromium`), so
`playwright install` is never needed. On a failure a screenshot is saved in
tests/browser/screenshots/ and its path is printed. Skips when playwright or chromium is missing.

    make test-browser        # or: .venv/bin/python -m pytest -q tests/browser
    CHROMIUM=/path/to/chrome make test-browser
"""

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from fixtures import make_submission
from labdriver import Notebook, expect, screenshot_on_failure, serve

from cs231n_course.cells import answer_cells
from cs231n_course.course import Course

REPO = Path(__file__).resolve().parents[2]
COURSE = Course(REPO)

# one JupyterLab for the whole module: under `pytest -n` keep these tests on one worker
pytestmark = pytest.mark.xdist_group("browser")

ONE_SIDED = "def numerical_derivative(f, x, h=1e-5):\n    return (f(x + h) - f(x)) / h"
CENTERED = "def numerical_derivative(f, x, h=1e-5):\n    return (f(x + h) - f(x - h)) / (2 * h)"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a temporary copy of the course, started from assignments/ as the course's
    Makefile does (nbgrader's extensions read its config)."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    (root / "assignments").mkdir()
    shutil.copy(COURSE.config_file, root / "assignments")
    home = tmp_path_factory.mktemp("jupyter")
    with serve(root, root / "assignments", home / "config", home) as lab:
        yield lab


# ---------------------------------------------------------------------------------------------
# the tests


def test_learner_sees_the_diagnosis_fixes_the_answer_and_validates(lab, page):
    with screenshot_on_failure(page, "learner_01_chain_rule"):
        nb = Notebook(page, lab, "notebooks/01_chain_rule/01_chain_rule.ipynb")
        expect(nb.cell("q1_numerical_derivative")).to_contain_text("def numerical_derivative")
        nb.run("setup")

        # a one-sided difference: the check cell says what is wrong, and by how much
        nb.type_into("q1_numerical_derivative", ONE_SIDED)
        nb.run("q1_numerical_derivative")
        nb.run("check_q1")
        check = nb.output("check_q1")
        expect(check).to_contain_text(re.compile(r"numerical 12\.00006\d+\s+analytic 12"))
        expect(check).to_contain_text("AssertionError")
        expect(check).to_contain_text("one-sided difference: it is off by about 3xh = 6e-5 here")

        # the centered difference: the check passes
        nb.type_into("q1_numerical_derivative", CENTERED)
        nb.run("q1_numerical_derivative")
        nb.run("check_q1")
        expect(check).to_contain_text(re.compile(r"numerical 12\.0000000\d+\s+analytic 12"))
        expect(check).not_to_contain_text("Error")

        # nbgrader's Validate: exercise 1 passes its tests now, exercise 2 is still to do
        dialog = nb.validate()
        message = dialog.locator("#validation-message")
        expect(message).to_contain_text("The following cell failed:")
        expect(message).to_contain_text("add_mul_forward_backward(-2.0, 5.0, -4.0)")
        expect(message).not_to_contain_text("numerical_derivative(lambda x: x**2, 3.0)")
        dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
        expect(dialog).to_have_count(0)


@pytest.mark.parametrize("assignment", COURSE.assignments())
def test_notebook_runs_all_cells_with_its_solution(lab, page, assignment, capsys):
    answers = dict.fromkeys(answer_cells(COURSE.solution(assignment)), "solution")
    path = Path("solved") / assignment / f"{assignment}.ipynb"
    (lab.root / path).parent.mkdir(parents=True)
    nbformat.write(make_submission(COURSE, assignment, answers), lab.root / path)

    with screenshot_on_failure(page, f"run_all_{assignment}"):
        nb = Notebook(page, lab, path.as_posix())
        seconds = nb.run_all()
        with capsys.disabled():
            print(f"\n  {assignment}: Run All Cells took {seconds:.1f} s in the browser")
        errors = nb.errors()
        assert not errors, "error output in the page:\n" + "\n\n".join(
            f"cell {e['index']} ({nb.ids[e['index']]}):\n{e['text']}" for e in errors)
        prompts = nb.panel.locator(".jp-CodeCell .jp-InputPrompt").all_text_contents()
        assert all(re.fullmatch(r"\[\d+\]:", p.strip()) for p in prompts), prompts

        # and what the learner would hand in, once saved: every code cell ran, none failed
        nb.save()
        saved = nbformat.read(lab.root / path, as_version=4)
        failed = [(cell.id, out.get("ename"), out.get("evalue")) for cell in saved.cells
                  for out in cell.get("outputs", []) if out.output_type == "error"]
        assert not failed, failed
        assert all(cell.execution_count for cell in saved.cells if cell.cell_type == "code")
