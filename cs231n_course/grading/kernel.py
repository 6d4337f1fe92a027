"""Sandboxed Jupyter kernels: each one fresh, in its own private folder, used for one notebook.

A kernel is started through `python -m cs231n_course.grading.sandbox CONFIG -- ipykernel ...`,
which applies the limits and isolation (sandbox.py) and reports what the OS allowed.
KernelSupply boots the next kernel while the current one runs, so a worker rarely waits.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from jupyter_client import KernelManager
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

# imported before the submission runs: the heavy modules, the kernel's half of the judge's
# channel, and the integrity snapshot (a second line of defence that reads the kernel's state
# before and after the learner's code)
WARMUP = ("import numpy, matplotlib, matplotlib.pyplot\n"
          "import cs231n_utils.gradcheck, cs231n_utils.testing\n"
          "import cs231n_course.grading.remote as _cs231n_remote\n"
          "from cs231n_course.grading import integrity as _cs231n_integrity\n"
          "_cs231n_integrity.snapshot()")


class _SandboxSpecs(KernelSpecManager):
    """The python3 kernel, started through the sandbox with one kernel's config file."""

    config_path = None

    def get_kernel_spec(self, kernel_name):
        argv = [sys.executable, "-m", "cs231n_course.grading.sandbox", self.config_path, "--",
                sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        return KernelSpec(argv=argv, display_name="sandboxed python3", language="python")


class SandboxedKernel:
    """A fresh kernel in its own private directory; started ahead of need, used once."""

    def __init__(self, limits, hide=()):
        self.workdir = tempfile.mkdtemp(prefix="kernel-", dir=_kernels_dir())
        self.report_path = os.path.join(self.workdir, ".sandbox.json")
        self._config_dir = tempfile.mkdtemp(prefix="cs231n-sandbox-")
        config_path = os.path.join(self._config_dir, "config.json")
        stage = os.path.join(self._config_dir, "stage")
        os.mkdir(stage)
        with open(config_path, "w") as f:
            json.dump({"workdir": self.workdir, "stage": stage, "report": self.report_path,
                       "hide": list(hide), "limits": limits.to_json()}, f)
        specs = _SandboxSpecs()
        specs.config_path = config_path
        self.km = KernelManager(kernel_name="sandboxed", kernel_spec_manager=specs,
                                transport="ipc", ip=os.path.join(self.workdir, "ipc"),
                                connection_file=os.path.join(self.workdir, "kernel.json"))
        self.km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kc = self.km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            # as nbclient runs cells (allow_stdin off), so that the snapshot sees the same hooks
            kc.execute_interactive(WARMUP, timeout=120, store_history=False, allow_stdin=False,
                                   output_hook=lambda m: None)
        finally:
            kc.stop_channels()  # nbclient talks to the kernel through its own, async, client

    def isolation(self):
        """What the sandbox reported it could do (namespaces, cgroups, limits)."""
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
