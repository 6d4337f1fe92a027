"""Driving JupyterLab in the browser tests: a lab server (`serve`) and a notebook open in it
(`Notebook`: cells found by their ids, run, Run All, Validate, errors shown)."""

import contextlib
import json
import os
import re
import secrets
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

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (.venv/bin/pip install playwright)")
expect = sync_api.expect

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

# generous limits: every wait below is for a condition, these only bound it
SERVER_START = 90     # s for JupyterLab to answer
CELL = 120            # s for one cell (the course's nbgrader per-cell limit)
VALIDATE = 300        # s for nbgrader's Validate (it runs the whole notebook in a new kernel)
RUN_ALL = 600         # s for Run All Cells of one notebook (07 and 08 take 15-60 s)
expect.set_options(timeout=60_000)

# an error output (JupyterLab renders tracebacks with the stderr mime type, like warnings)
TRACEBACK = r"Traceback \(most recent call last\)|^\s*\w*(Error|Exception|Interrupt)\b|^MissingExercise\b"
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
# JupyterLab, as `make lab` starts it


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


@contextlib.contextmanager
def serve(root_dir, cwd, config_dir, home):
    """JupyterLab serving root_dir, started in cwd with JUPYTER_CONFIG_DIR=config_dir (as `make lab`
    starts it), Jupyter's other folders under home (no user settings, kernels or workspaces leak
    in or out; no news or update check: no network). Yields a Lab."""
    settings = Path(config_dir) / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
               MPLBACKEND="Agg", JUPYTER_CONFIG_DIR=str(config_dir),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               IPYTHONDIR=str(home / "ipython"))
    env = {k: v for k, v in env.items() if not k.startswith("CS231N_")}
    port, token = free_port(), secrets.token_hex(16)
    command = [str(bin_dir / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root_dir}", "--LabApp.default_url=/lab/tree"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    with open(home / "lab.log", "w") as log:
        server = subprocess.Popen(command, cwd=cwd, env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    lab = Lab(f"http://127.0.0.1:{port}", token, Path(root_dir))
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


