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

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from fixtures import make_submission

from cs231n_course.cells import answer_cells
from cs231n_course.course import Course

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (.venv/bin/pip install playwright)")
expect = sync_api.expect

REPO = Path(__file__).resolve().parents[2]
COURSE = Course(REPO)
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

# generous limits: every wait below is for a condition, these only bound it
SERVER_START = 90     # s for JupyterLab to answer
CELL = 120            # s for one cell (the course's nbgrader per-cell limit)
VALIDATE = 300        # s for nbgrader's Validate (it runs the whole notebook in a new kernel)
RUN_ALL = 600         # s for Run All Cells of one notebook (07 and 08 take 15-60 s)
expect.set_options(timeout=60_000)

# one JupyterLab for the whole module: under `pytest -n` keep these tests on one worker
pytestmark = pytest.mark.xdist_group("browser")

ONE_SIDED = "def numerical_derivative(f, x, h=1e-5):\n    return (f(x + h) - f(x)) / h"
CENTERED = "def numerical_derivative(f, x, h=1e-5):\n    return (f(x + h) - f(x - h)) / (2 * h)"

# an error output (JupyterLab renders tracebacks with the stderr mime type, like warnings)
TRACEBACK = r"Traceback \(most recent call last\)|^\s*\w*(Error|Exception|Interrupt)\b"
_ERRORS_JS = """(panel, pattern) => {
    const traceback = new RegExp(pattern, "m");
    const cells = [...panel.querySelectorAll(".jp-Notebook .jp-Cell")];
    return cells.flatMap((cell, index) => [...cell.querySelectorAll(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
        .filter(out => traceback.test(out.textContent))
        .map(out => ({index, text: out.textContent.slice(-1500)})));
}"""
# Run All is over when no cell is queued or running ([*]) and the kernel is idle, and either every
# code cell ran or one failed (JupyterLab then drops the cells queued after it)
_RUN_ALL_DONE_JS = """([panel, pattern]) => {
    const prompts = [...panel.querySelectorAll(".jp-Notebook .jp-CodeCell .jp-InputPrompt")]
        .map(p => p.textContent.trim());
    const idle = panel.querySelector(".jp-Notebook-ExecutionIndicator")
        ?.getAttribute("data-status") === "idle";
    if (!idle || prompts.includes("[*]:")) return false;
    const traceback = new RegExp(pattern, "m");
    const failed = [...panel.querySelectorAll(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
        .some(out => traceback.test(out.textContent));
    return failed || prompts.every(p => /^\\[\\d+\\]:$/.test(p));
}"""


# ---------------------------------------------------------------------------------------------
# JupyterLab, as `make lab` starts it, on a temporary copy of the course


@dataclass
class Lab:
    url: str
    token: str
    root: Path  # the copy of the course JupyterLab serves (its ServerApp.root_dir)

    def api(self, method, path):
        request = urllib.request.Request(self.url + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self):
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    (root / "assignments").mkdir()
    shutil.copy(COURSE.config_file, root / "assignments")
    # Jupyter's own folders in the temp dir too: no user settings, kernels or workspaces leak in
    # or out; no news or update check (no network)
    home = tmp_path_factory.mktemp("jupyter")
    settings = home / "config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
               MPLBACKEND="Agg", JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               IPYTHONDIR=str(home / "ipython"))
    port, token = free_port(), secrets.token_hex(16)
    # the Makefile's `lab` target: from assignments/ (nbgrader's extensions read its config)
    command = [str(bin_dir / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", "--LabApp.default_url=/lab/tree/notebooks"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    with open(home / "lab.log", "w") as log:
        server = subprocess.Popen(command, cwd=root / "assignments", env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    lab = Lab(f"http://127.0.0.1:{port}", token, root)
    try:
        deadline = time.monotonic() + SERVER_START
        while True:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited ({server.returncode}):\n{_tail(home / 'lab.log')}")
            try:
                lab.api("GET", "/api/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer in {SERVER_START} s:\n"
                                f"{_tail(home / 'lab.log')}")
                time.sleep(0.2)
        yield lab
    finally:
        server.send_signal(signal.SIGTERM)  # Jupyter shuts its kernels down on SIGTERM
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _tail(path, lines=40):
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# ---------------------------------------------------------------------------------------------
# the browser


@pytest.fixture
def page(browser, lab):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()
    lab.shut_down_kernels()


@contextlib.contextmanager
def screenshot_on_failure(page, name):
    try:
        yield
    except Exception as error:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        try:
            page.screenshot(path=path, full_page=True)
            where = f"screenshot of the browser: {path}"
        except Exception as e:  # the page itself may be gone
            where = f"no screenshot ({e})"
        print(where)
        if hasattr(error, "add_note"):
            error.add_note(where)
        raise


class Notebook:
    """A notebook open in JupyterLab; cells are found by their cell id (via the notebook file)."""

    def __init__(self, page, lab, path):
        self.page, self.path = page, lab.root / path
        self.ids = [cell.id for cell in nbformat.read(self.path, as_version=4).cells]
        page.goto(f"{lab.url}/lab/tree/{path}?reset&token={lab.token}")  # reset: no other tabs
        self.panel = page.locator(".jp-NotebookPanel:visible")
        # every cell is in the page, in the file's order (so a cell's index is its position)
        expect(self.panel.locator(".jp-Notebook .jp-Cell")).to_have_count(len(self.ids))
        # the kernel has started
        expect(page.locator("#jp-main-statusbar")).to_contain_text("| Idle")
        expect(self.indicator).to_have_attribute("data-status", "idle")

    @property
    def indicator(self):
        return self.panel.locator(".jp-Notebook-ExecutionIndicator")

    def cell(self, cell_id):
        return self.panel.locator(".jp-Notebook .jp-Cell").nth(self.ids.index(cell_id))

    def output(self, cell_id):
        return self.cell(cell_id).locator(".jp-OutputArea")

    def type_into(self, cell_id, text):
        """Replace the cell's code by `text`, typed key by key as a learner would."""
        editor = self.cell(cell_id).locator(".jp-InputArea-editor .cm-content")
        editor.click()
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.press("Backspace")
        for n, line in enumerate(text.split("\n")):
            if n:
                self.page.keyboard.press("Enter")
                self.page.keyboard.press("Shift+Home")  # our own indentation, not the editor's
            self.page.keyboard.type(line)
        assert editor.inner_text() == text

    def run(self, cell_id):
        """Select the cell, Shift+Enter, and wait until it has run (a new execution count)."""
        prompt = self.cell(cell_id).locator(".jp-InputPrompt")
        before = prompt.inner_text().strip()
        self.page.keyboard.press("Escape")  # leave the editor (command mode)
        prompt.click()
        self.page.keyboard.press("Shift+Enter")
        expect(prompt).not_to_have_text(before, timeout=CELL * 1000)
        expect(prompt).to_have_text(re.compile(r"^\[\d+\]:$"), timeout=CELL * 1000)
        expect(self.indicator).to_have_attribute("data-status", "idle", timeout=CELL * 1000)

    def run_all(self):
        """Run > Run All Cells; wait until it is over; return the seconds it took."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        start = time.monotonic()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        first = self.panel.locator(".jp-CodeCell .jp-InputPrompt").first
        expect(first).not_to_have_text("[ ]:")  # it has started
        self.page.wait_for_function(_RUN_ALL_DONE_JS, arg=[self.panel.element_handle(), TRACEBACK],
                                    timeout=RUN_ALL * 1000, polling=250)
        return time.monotonic() - start

    def errors(self):
        """[{index, text}] of the error outputs (tracebacks) shown in the page."""
        return self.panel.evaluate(_ERRORS_JS, TRACEBACK)

    def save(self):
        self.page.keyboard.press("ControlOrMeta+s")
        expect(self.page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty")).to_have_count(0)

    def validate(self):
        """nbgrader's Validate button (notebook toolbar); returns its result dialog."""
        self.panel.locator(".validate-button").click()
        dialog = self.page.locator(".jp-Dialog")
        expect(dialog.locator(".jp-Dialog-header")).to_have_text("Validation Results",
                                                                 timeout=VALIDATE * 1000)
        return dialog


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
        expect(check).to_contain_text(re.compile(r"analytic 12\s+relative error 2\.5e-06"))
        expect(check).to_contain_text("AssertionError")
        expect(check).to_contain_text("a relative error near 2.5e-6 means a one-sided difference")

        # the centered difference: the check passes
        nb.type_into("q1_numerical_derivative", CENTERED)
        nb.run("q1_numerical_derivative")
        nb.run("check_q1")
        expect(check).to_contain_text(re.compile(r"analytic 12\s+relative error \d\.\de-1\d"))
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
