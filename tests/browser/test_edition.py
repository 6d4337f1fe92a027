"""The student edition in a real browser: JupyterLab as the edition's `make lab` starts it (its own
jupyter/ config, nbgrader's Validate as `make check`), driven by Playwright.

The edition holds notebooks 01-04: 01 and 04 finished, 03 as released (unfinished).
1. In 01, an answer that calls the package's numerical gradient fails its check, which says so; a
   sign error gets "sign flipped".
2. Validate on 04 names 03's missing exercise, and nothing else.
3. Run All on 04 stops at the setup cell with that message alone: no frames from the package.

    make test-browser        # or: .venv/bin/python -m pytest -q tests/browser/test_edition.py
"""

from pathlib import Path

import nbformat
import pytest
from fixtures import make_submission
from labdriver import Notebook, expect, screenshot_on_failure, serve

from cs231n_course import cells
from cs231n_course.course import Course
from cs231n_course.release import write_edition

COURSE = Course(Path(__file__).resolve().parents[2])
NB1, NB3, NB4 = "01_chain_rule", "03_vectorized_backprop", "04_neural_networks"

# one JupyterLab for the whole module: under `pytest -n` keep these tests on one worker
pytestmark = pytest.mark.xdist_group("browser")

WITH_THE_PACKAGE = ("def numerical_derivative(f, x, h=1e-5):\n"
                    "    from cs231n_utils.gradcheck import eval_numerical_gradient\n"
                    "    return float(eval_numerical_gradient(lambda a: f(a[0]), np.array([x]), h=h)[0])")
SIGN_FLIPPED = "def numerical_derivative(f, x, h=1e-5):\n    return (f(x - h) - f(x + h)) / (2 * h)"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    edition = tmp_path_factory.mktemp("edition") / "e"
    write_edition(COURSE, edition, [NB1, "02_gate_patterns", NB3, NB4])
    for assignment in (NB1, NB4):
        answers = dict.fromkeys(cells.answer_cells(COURSE.solution(assignment)), "solution")
        nb = make_submission(COURSE, assignment, answers)
        nbformat.write(nb, edition / "notebooks" / assignment / f"{assignment}.ipynb")
    home = tmp_path_factory.mktemp("jupyter")
    with serve(edition / "notebooks", edition, edition / "jupyter", home) as lab:  # `make lab`
        yield lab


def test_a_check_in_01_names_the_package_used_as_the_answer_and_a_flipped_sign(lab, page):
    with screenshot_on_failure(page, "edition_01_package_as_answer"):
        nb = Notebook(page, lab, f"{NB1}/{NB1}.ipynb")
        nb.run("setup")
        nb.type_into("q1_numerical_derivative", WITH_THE_PACKAGE)
        nb.run("q1_numerical_derivative")
        nb.run("check_q1")
        check = nb.output("check_q1")
        expect(check).to_contain_text("AssertionError")
        expect(check).to_contain_text("reached numerical_derivative through cs231n_utils.mine")
        expect(check).to_contain_text("without the package")

        nb.type_into("q1_numerical_derivative", SIGN_FLIPPED)
        nb.run("q1_numerical_derivative")
        nb.run("check_q1")
        expect(check).to_contain_text("sign flipped: f(x + h) comes first in the difference")


def test_validate_names_the_unfinished_earlier_notebook_alone(lab, page):
    with screenshot_on_failure(page, "edition_04_validate"):
        nb = Notebook(page, lab, f"{NB4}/{NB4}.ipynb")
        message = nb.validate().locator("#validation-message")
        expect(message).to_contain_text("MissingExercise: This notebook builds on your exercise")
        expect(message).to_contain_text(f"of notebook {NB3}, but it is not finished yet")
        expect(message).not_to_contain_text("NameError")
        assert message.inner_text().count("MissingExercise") == 1, message.inner_text()


def test_run_all_stops_at_the_missing_exercise_with_its_message_alone(lab, page):
    with screenshot_on_failure(page, "edition_04_run_all"):
        nb = Notebook(page, lab, f"{NB4}/{NB4}.ipynb")
        nb.run_all()
        errors = nb.errors()
        assert [nb.ids[e["index"]] for e in errors] == ["setup"], errors
        shown = errors[0]["text"]
        assert "MissingExercise: This notebook builds on your exercise" in shown and NB3 in shown, shown
        assert "mine.py" not in shown and "Traceback" not in shown and "skipping hidden" not in shown, shown
