"""The instructor's round, in a real browser: Formgrader on the folder `cs231n-course grade` wrote.

A class of notebook 01 is graded; `cs231n-course formgrader OUT` serves it; in Chromium the
instructor opens Manual Grading, finds every submission, opens one, reads the written answer with
its formulas drawn and the rubric beside it, enters a score and a comment; `cs231n-course
feedback OUT` puts them in the student's page and totals.csv; a late student is graded into the
same folder, and the hand grade is still there, in the gradebook and in Formgrader.

    make test-browser        # or: .venv/bin/python -m pytest -q tests/browser/test_formgrader.py
"""

import csv
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from fixtures import load_bank, make_submission

from cs231n_course import cells
from cs231n_course.cli import main
from cs231n_course.course import Course
from cs231n_course.grading.gradebook import hand_grades
from cs231n_course.grading.record import Record

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (.venv/bin/pip install playwright)")
expect = sync_api.expect

COURSE = Course(Path(__file__).resolve().parents[2])
NB = "01_chain_rule"
MANUAL = next(iter(cells.written_cells(COURSE.solution(NB))))
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
expect.set_options(timeout=60_000)
pytestmark = pytest.mark.xdist_group("browser")


def hand_in(folder, student, answers, written=None):
    nb = make_submission(COURSE, NB, answers)
    for cell in nb.cells:
        if cells.key(cell) == MANUAL and written:
            cell.source = f"**Your answer:**\n\n{written}"
    (folder / student).mkdir(parents=True)
    nbformat.write(nb, folder / student / f"{NB}.ipynb")


def grade(subs, out):
    args = ["--course", str(COURSE.root), "grade", str(subs), "--assignment", NB, "--out", str(out),
            "--timeout", "60"]
    assert main(args) == 0


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("round")
    subs, out = base / "subs", base / "out"
    hand_in(subs, "amara", dict.fromkeys(load_bank(NB).BANK, "solution"),
            "The kink of a ReLU at $x = 0$ may lie within $h$ of the input.")
    hand_in(subs, "ben", {})
    grade(subs, out)
    return subs, out


@pytest.fixture(scope="module")
def formgrader(graded, tmp_path_factory):
    """`cs231n-course formgrader OUT` on 127.0.0.1 with a token; its Jupyter folders temporary."""
    _, out = graded
    home = tmp_path_factory.mktemp("jupyter")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), IPYTHONDIR=str(home / "ipython"))
    command = [str(Path(sys.executable).parent / "cs231n-course"), "formgrader", str(out),
               "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}"]
    with open(home / "server.log", "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("Formgrader did not start:\n" + (home / "server.log").read_text()[-3000:])
                time.sleep(0.3)
        yield url, token
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    yield context.new_page()
    context.close()


def test_the_instructor_grades_a_written_answer_in_formgrader_and_it_survives_a_regrade(
        graded, formgrader, page):
    try:
        play_the_round(graded, formgrader, page)
    except Exception as error:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "formgrader.png", full_page=True)
        error.add_note(f"screenshot of the browser: {SCREENSHOTS / 'formgrader.png'}")
        raise


def play_the_round(graded, formgrader, page):
    subs, out = graded
    url, token = formgrader
    page.goto(f"{url}/login?next=/formgrader/gradebook/{NB}/{NB}")  # Manual Grading, notebook 01
    page.locator("#password_input").fill(token)  # (Formgrader's own requests need the login cookie)
    page.locator("#login_submit").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Submission #")
    page.goto(f"{url}/formgrader/submissions/{_submission_ids(url, token)['amara']}/")
    answer = page.locator(".nbgrader_cell", has=page.locator(f"#{MANUAL}"))
    expect(answer).to_contain_text("may lie within")
    rubric = page.locator(".text_cell_render", has_text="Model answer and rubric")
    expect(rubric).to_contain_text("RUBRIC (2 points)")
    expect(answer.locator(".MathJax, .MathJax_Display, mjx-container").first).to_be_visible()  # offline

    score = page.locator(f"#{MANUAL}")
    score.fill("1.5")
    score.press("Tab")  # its change event saves it
    comment = page.locator(f"#{MANUAL}-comment")
    comment.fill("Right about the kink; now say how you would find out.")
    comment.press("Tab")
    record = Record(out)
    _wait_for(lambda: hand_grades(record.gradebook, NB).get("amara", {}).get(MANUAL))
    _wait_for(lambda: hand_grades(record.gradebook, NB)["amara"][MANUAL].comment)
    assert hand_grades(record.gradebook, NB)["amara"][MANUAL].score == 1.5

    assert main(["feedback", str(out)]) == 0
    feedback = record.feedback("amara", NB).read_text()
    assert "Score: 22.5 / 23" in feedback and "now say how you would find out" in feedback
    assert "RUBRIC" not in feedback
    assert _totals(out)["amara"]["total_score"] == "22.5"

    hand_in(subs, "chen", {})  # a late submission, graded into the same folder
    grade(subs, out)
    assert _totals(out)["amara"]["total_score"] == "22.5" and "chen" in _totals(out)
    page.reload()
    expect(page.locator(f"#{MANUAL}")).to_have_value("1.5")
    expect(page.locator(f"#{MANUAL}-comment")).to_have_value(
        "Right about the kink; now say how you would find out.")


def _submission_ids(url, token):
    import json

    request = urllib.request.Request(f"{url}/formgrader/api/submitted_notebooks/{NB}/{NB}",
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return {s["student"]: s["id"] for s in json.load(response)}


def _totals(out):
    return {r["student"]: r for r in csv.DictReader((out / "totals.csv").open())}


def _wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "Formgrader did not save in time"
        time.sleep(0.2)
