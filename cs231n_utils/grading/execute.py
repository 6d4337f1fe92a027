"""Grade one submission in isolation: assemble, scan, run in a sandboxed kernel, judge.

`grade_submission(job)` is a plain function of plain data (it is what a Dask worker runs): the
source notebook, the submitted file's bytes and the limits go in; a dict with one score per
graded cell, a status (ok, error, timeout, killed, invalid, flagged), the reasons, and the
feedback HTML comes out. Nothing here touches the gradebook.

How a graded cell is judged: it passes when its code raised nothing, read from the kernel's
execute reply (which outputs cannot fake) as well as from its outputs, as nbgrader does; output
on stderr (a library's warning) does not fail it. A submission whose own code tampers with the
kernel (see scan.py) or whose integrity probe (integrity.py) reports a change is `flagged`
and scores 0 until someone has looked at it.
"""

import copy
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

import nbformat
from jupyter_client import KernelManager
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbgrader.utils import determine_grade

from .assemble import assemble, cell_key, is_protected, notebook_problem_bytes
from .feedback import render
from .scan import scan

WARMUP = ("import numpy, matplotlib, matplotlib.pyplot\n"
          "import cs231n_utils.gradcheck, cs231n_utils.testing\n"
          "from cs231n_utils.grading import integrity as _cs231n_integrity")


@dataclass
class Limits:
    notebook_seconds: float = 600.0  # wall clock for the whole notebook
    cell_seconds: float = 120.0  # wall clock for one cell
    memory_mb: int = 4096  # address space of the kernel
    processes: int = 64  # processes and threads of the kernel's user
    output_bytes: int = 1_000_000  # kept output of one cell; the rest is dropped
    file_mb: int = 256  # largest file the kernel may write
    isolate: bool = True  # namespaces (no network, hidden paths) where the OS allows


class _SandboxSpecs(KernelSpecManager):
    """The python3 kernel, started through `python -m cs231n_utils.grading.sandbox CONFIG`."""

    config_path = None

    def get_kernel_spec(self, kernel_name):
        argv = [sys.executable, "-m", "cs231n_utils.grading.sandbox", self.config_path, "--",
                sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        return KernelSpec(argv=argv, display_name="sandboxed python3", language="python")


class SandboxedKernel:
    """A fresh kernel in its own private directory; started ahead of need, used once."""

    def __init__(self, limits, hide=()):
        self.workdir = tempfile.mkdtemp(prefix="kernel-", dir=_kernels_dir())
        self.report_path = os.path.join(self.workdir, ".sandbox.json")
        config_dir = tempfile.mkdtemp(prefix="cs231n-sandbox-")
        config_path, stage = os.path.join(config_dir, "config.json"), os.path.join(config_dir, "stage")
        os.mkdir(stage)
        with open(config_path, "w") as f:
            json.dump({"workdir": self.workdir, "stage": stage, "report": self.report_path,
                       "hide": list(hide), "isolate": limits.isolate,
                       "limits": {"memory_mb": limits.memory_mb, "processes": limits.processes,
                                  "file_mb": limits.file_mb,
                                  "cpu_seconds": int(limits.notebook_seconds * 2 + 60)}}, f)
        specs = _SandboxSpecs()
        specs.config_path = config_path
        self._config_dir = os.path.dirname(config_path)
        self.km = KernelManager(kernel_name="sandboxed", kernel_spec_manager=specs,
                                transport="ipc", ip=os.path.join(self.workdir, "ipc"),
                                connection_file=os.path.join(self.workdir, "kernel.json"))
        self.km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        # as nbclient runs cells (allow_stdin off), so that the snapshot sees the same hooks
        self.kc.execute_interactive(WARMUP + "\n_cs231n_integrity.snapshot()", timeout=120,
                                    store_history=False, allow_stdin=False, output_hook=lambda m: None)
        self.kc.stop_channels()  # nbclient talks to the kernel through its own, async, client

    def isolation(self):
        try:
            with open(self.report_path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {"namespaces": "unknown (the sandbox did not report)"}

    def kill(self):
        """Kill the kernel and everything it started, from any thread."""
        try:
            os.kill(self.km.provisioner.pid, signal.SIGKILL)
        except (OSError, AttributeError, TypeError):
            pass

    def exit_signal(self):
        """The signal that ended the kernel process, if one did."""
        code = self.km.provisioner.process.poll() if self.km.provisioner else None
        return -code if code is not None and code < 0 else None

    def async_client(self):
        """A fresh asynchronous client of this kernel, as nbclient needs (channels started)."""
        kc = AsyncKernelClient(parent=self.km, connection_file=self.km.connection_file,
                               **self.km.get_connection_info(session=True))
        kc.start_channels()
        return kc

    def shutdown(self):
        try:
            self.km.shutdown_kernel(now=True)
        except Exception:  # the kernel may be long dead
            pass
        for cgroup in self.isolation().get("cgroups", []):
            _remove_cgroup(cgroup)
        shutil.rmtree(self.workdir, ignore_errors=True)
        shutil.rmtree(self._config_dir, ignore_errors=True)


_KERNELS_DIR = None


def _kernels_dir():
    """One folder for the private folders of all kernels of this process (each sees only its own)."""
    global _KERNELS_DIR
    if _KERNELS_DIR is None:
        _KERNELS_DIR = tempfile.mkdtemp(prefix="cs231n-kernels-")
    return _KERNELS_DIR


def _remove_cgroup(path):
    """Kill what is left in the kernel's cgroup (e.g. a fork bomb's survivors), then remove it."""
    for _ in range(50):
        try:
            with open(os.path.join(path, "cgroup.procs")) as f:
                pids = [int(p) for p in f.read().split()]
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
            os.rmdir(path)
            return
        except OSError:
            time.sleep(0.05)


class _Client(NotebookClient):
    """nbclient with bounded outputs and the execute reply of every cell recorded."""

    def __init__(self, nb, output_bytes, **kw):
        super().__init__(nb, **kw)
        self.output_bytes, self.sizes, self.replies = output_bytes, {}, {}
        self.on_cell_executed = self._record

    def _record(self, cell, cell_index, execute_reply):
        self.replies[cell_index] = execute_reply["content"].get("status")

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg["content"]))
        used = self.sizes.get(cell_index, 0)
        if used + size > self.output_bytes:
            if used <= self.output_bytes:
                outs.append(nbformat.v4.new_output(
                    "stream", name="stdout", text=f"\n[output over {self.output_bytes:,} bytes dropped]\n"))
                self.sizes[cell_index] = self.output_bytes + 1
            return None
        self.sizes[cell_index] = used + size
        return super().output(outs, msg, display_id, cell_index)


def _judge(cell, reply_status):
    """(score, max_score, reason) of one executed graded cell."""
    quiet = copy.deepcopy(cell)
    quiet.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
    score, max_score = determine_grade(quiet)
    errors = [o for o in cell.outputs if o.output_type == "error"]
    if errors:
        return 0.0, max_score, f"{errors[0].ename}: {errors[0].evalue}".splitlines()[0][:300]
    if reply_status != "ok":
        return 0.0, max_score, f"the cell did not finish normally ({reply_status or 'no reply'})"
    return float(score), max_score, ""


def _probe_result(cell, nonce):
    import hashlib

    want = hashlib.sha256(nonce.encode()).hexdigest()
    for out in cell.outputs:
        if out.output_type == "stream" and out.name == "stdout":
            for line in out.text.splitlines():
                try:
                    data = json.loads(line)
                except ValueError:
                    continue
                if isinstance(data, dict) and data.get("probe") == want:
                    return [f"changed {p}" for p in data.get("changed", [])]
    return ["the grader's integrity check did not run normally"]


def run_notebook(nb, kernel, limits):
    """Execute nb in kernel (in place); returns (status, reason, {cell index: reply status})."""
    client = _Client(nb, limits.output_bytes, km=kernel.km, kernel_name="sandboxed",
                     timeout=int(limits.cell_seconds), allow_errors=True, interrupt_on_timeout=True,
                     error_on_timeout={"ename": "TimeoutError",
                                       "evalue": f"the cell ran over {limits.cell_seconds:g} s"},
                     resources={"metadata": {"path": kernel.workdir}})
    client.kc = kernel.async_client()
    client.reset_execution_trackers()
    deadline = time.monotonic() + limits.notebook_seconds
    # a cell that ignores interrupts would outlive every timeout: the watchdog kills the kernel
    watchdog = threading.Timer(limits.notebook_seconds + 10, kernel.kill)
    watchdog.start()
    try:
        return _run_cells(nb, kernel, limits, client, deadline, watchdog)
    finally:
        watchdog.cancel()
        client.kc.stop_channels()


def _run_cells(nb, kernel, limits, client, deadline, watchdog):
    status, reason = "ok", ""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            status, reason = "timeout", (f"the notebook's time limit ({limits.notebook_seconds:g} s) "
                                         f"ran out before cell {cell_key(cell)}")
            break
        client.timeout = max(1, int(min(limits.cell_seconds, left)))
        try:
            client.execute_cell(cell, index)
        except DeadKernelError:
            sig = kernel.exit_signal()
            if watchdog.finished.is_set():
                status = "timeout"
                reason = (f"cell {cell_key(cell)} ignored the time limit "
                          f"({limits.notebook_seconds:g} s for the notebook): the kernel was killed")
            elif sig in (signal.SIGKILL, signal.SIGXCPU):
                status = "killed"
                reason = f"the kernel was killed ({signal.Signals(sig).name}) in cell {cell_key(cell)}"
            else:
                status = "error"
                reason = (f"the kernel died in cell {cell_key(cell)} (os._exit, sys.exit in a "
                          "thread, or a crash); later cells were not run")
            break
        if any(o.output_type == "error" and o.ename == "MemoryError" for o in cell.outputs):
            reason = reason or f"cell {cell_key(cell)} ran out of memory (limit {limits.memory_mb} MB)"
    return status, reason, client.replies


def grade_submission(job):
    """Grade one submission. job: dict with source (notebook JSON str), submission (bytes),
    limits (dict), hide (paths), kernel (a SandboxedKernel to use, optional).
    """
    limits = Limits(**job.get("limits", {}))
    source = nbformat.reads(job["source"], as_version=4)
    graded = [(cell_key(c), float(c.metadata["nbgrader"].get("points", 0))) for c in source.cells
              if c.metadata.get("nbgrader", {}).get("grade")]
    result = {"status": "ok", "reason": "", "repairs": [], "findings": [], "isolation": {},
              "cells": {key: {"score": 0.0, "max_score": pts, "reason": ""} for key, pts in graded},
              "feedback": None, "seconds": 0.0}
    started = time.monotonic()
    problem = notebook_problem_bytes(job["submission"])
    if problem:
        result.update(status="invalid", reason=f"the notebook {problem}")
        return result
    submitted = nbformat.reads(job["submission"].decode("utf-8"), as_version=4)
    nb, result["repairs"] = assemble(source, submitted)
    own_cells = [(cell_key(c), c.source) for c in nb.cells
                 if c.cell_type == "code" and not is_protected(c)]
    is_answer = lambda c: bool(c.metadata.get("nbgrader", {}).get("solution"))  # noqa: E731
    result["findings"] = [f"cell {key}: {what}" for key, what in scan(own_cells, source, is_answer)]

    kernel = job.get("kernel") or SandboxedKernel(limits, job.get("hide", ()))
    try:
        result["isolation"] = kernel.isolation()
        nonce = secrets.token_hex(16)  # the probe runs last, after all the submission's cells
        nb.cells.append(nbformat.v4.new_code_cell(f"_cs231n_integrity.verify({nonce!r})"))
        status, reason, replies = run_notebook(nb, kernel, limits)
        probe = nb.cells.pop()
        if status == "ok":
            result["findings"] += _probe_result(probe, nonce)
    finally:
        kernel.shutdown()

    for index, cell in enumerate(nb.cells):
        key = cell_key(cell)
        if key in result["cells"] and cell.cell_type == "code":
            executed = index in replies
            score, max_score, why = (_judge(cell, replies[index]) if executed
                                     else (0.0, result["cells"][key]["max_score"], "not run: " + reason))
            result["cells"][key].update(score=score, reason=why)
    result.update(status=status, reason=reason)
    if result["findings"]:
        result["status"] = "flagged"
        result["reason"] = "tampering suspected, for review: " + "; ".join(result["findings"][:5])
        for cell in result["cells"].values():
            cell.update(score=0.0, reason="flagged: " + result["reason"])
    result["notebook"] = nbformat.writes(nb)
    result["feedback"] = render(nb, result["cells"], job.get("notebook", "notebook"),
                                result["status"], result["reason"])
    result["seconds"] = time.monotonic() - started
    return result


class KernelSupply:
    """Kernels started ahead of need: while one submission runs, the next kernel boots.

    Each kernel serves exactly one submission, so no state is shared between submissions.
    """

    def __init__(self, limits, hide=()):
        self.limits, self.hide = limits, hide
        self._next, self._thread = None, None
        self._start_next()

    def _start_next(self):
        def boot():
            try:
                self._next = SandboxedKernel(self.limits, self.hide)
            except Exception as e:  # reported when the kernel is asked for
                self._next = e

        self._thread = threading.Thread(target=boot, daemon=True)
        self._thread.start()

    def take(self):
        self._thread.join()
        kernel = self._next
        self._start_next()
        if isinstance(kernel, Exception):
            raise kernel
        return kernel

    def close(self):
        self._thread.join()
        if isinstance(self._next, SandboxedKernel):
            self._next.shutdown()
