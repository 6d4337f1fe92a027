"""Sandboxed Jupyter kernels: each one fresh, in its own private folder, used for one notebook.

The kernel's work dir is its own (as root, a tmpfs of `Limits.file_mb` MB, so that its files
cannot fill the host's disk); beside it, the channel folder where the judge makes its sockets is
the grader's, which the kernel can reach but not change. The grader writes in the work dir only
before the kernel starts, and removes it with shutil.rmtree, which never follows a link.

A kernel is started through `python -m cs231n_course.grading.sandbox CONFIG -- ipykernel ...`,
which runs it in bubblewrap as an unprivileged user, under the limits (sandbox.py), and reports
what the OS allowed. Where bubblewrap cannot be used, one line on stderr says so, once.
KernelSupply boots the next kernel while the current one runs, so a worker rarely waits.
"""

import atexit
import hashlib
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

from ..course import write_references
from . import sandbox

# imported before the submission runs: the heavy modules, the kernel's half of the judge's
# channel, and the integrity snapshot (a second line of defence that reads the kernel's state
# before and after the learner's code)
WARMUP = ("import numpy, matplotlib, matplotlib.pyplot\n"
          "import cs231n_utils.gradcheck, cs231n_utils.testing\n"
          "import cs231n_course.grading.remote as _cs231n_remote\n"
          "__import__('cs231n_course.grading.integrity', fromlist=['snapshot']).snapshot()")


# the In/Out history stays in memory: no SQLite database or saving thread per kernel
KERNEL_OPTIONS = ("--HistoryManager.enabled=False",)


class _SandboxSpecs(KernelSpecManager):
    """The python3 kernel, started through the sandbox with one kernel's config file.

    Interrupted by message (ipykernel signals itself): the kernel is in a session of its own
    inside the sandbox, out of reach of the signals jupyter_client sends to the launcher's group."""

    config_path = None

    def get_kernel_spec(self, kernel_name):
        argv = [sys.executable, "-m", "cs231n_course.grading.sandbox", self.config_path, "--",
                sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", *KERNEL_OPTIONS]
        return KernelSpec(argv=argv, display_name="sandboxed python3", language="python",
                          interrupt_mode="message")


class SandboxedKernel:
    """A fresh kernel in its own private directory; started ahead of need, used once.

    earlier: {assignment: notebook JSON} of the references of the notebooks before the one it will
    run (Course.earlier_solutions: their code only), which `cs231n_utils.mine` hands the notebook
    in place of the learner's own (read-only in the sandbox; the instructor's reference modules
    are not in its view)."""

    def __init__(self, limits, earlier=None):
        bwrap, problem = sandbox.bwrap_status() if limits.isolate else (None, "")
        self.references = _references_dir(earlier or {})  # also what the judge's own gradcheck reads
        self.workdir = tempfile.mkdtemp(prefix="kernel-", dir=_kernels_dir())
        # the judge's sockets: the grader's folder, which the kernel reaches but cannot change
        self.channel_dir = self.workdir + ".judge"
        os.mkdir(self.channel_dir)
        os.chmod(self.channel_dir, 0o711)
        self.workdir_size = _size_limited(self.workdir, limits.file_mb)
        _copy_font_cache(self.workdir)
        # out of the kernel's reach: its config, and the report the grader trusts (cgroups to remove)
        self._config_dir = tempfile.mkdtemp(prefix="cs231n-sandbox-")
        self.report_path = os.path.join(self._config_dir, "report.json")
        config_path = os.path.join(self._config_dir, "config.json")
        with open(config_path, "w") as f:
            json.dump({"workdir": self.workdir, "channel": self.channel_dir, "report": self.report_path,
                       "bwrap": bwrap,
                       "bwrap_problem": problem, "limits": limits.to_json(),
                       "references": self.references}, f)
        specs = _SandboxSpecs()
        specs.config_path = config_path
        self.km = KernelManager(kernel_name="sandboxed", kernel_spec_manager=specs,
                                transport="ipc", ip=os.path.join(self.workdir, "ipc"),
                                connection_file=os.path.join(self.workdir, "kernel.json"))
        self.client = None
        try:
            self.km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            kc = self.km.client()
            kc.start_channels()
            try:
                kc.wait_for_ready(timeout=60)
                # the launcher wrote its report before it started the kernel, which is up now (read
                # earlier, a slow launcher under load could leave the warning unsaid)
                warn_once(self.isolation())
                # as nbclient runs cells (allow_stdin off), so that the snapshot sees the same hooks
                kc.execute_interactive(WARMUP, timeout=120, store_history=False, allow_stdin=False,
                                       output_hook=lambda m: None)
            finally:
                kc.stop_channels()  # nbclient talks to the kernel through its own, async, client
            # the judge's, ready now rather than when the submission is waiting for it
            self.client = self.km.blocking_client()
            self.client.start_channels()
            self.client.wait_for_ready(timeout=60)
        except BaseException:
            self.shutdown()
            raise

    def isolation(self):
        """What the sandbox reported it could do (sandbox, user, namespaces, cgroups, limits),
        and what bounds the work dir."""
        for _ in range(100):  # written by the launcher before the kernel starts
            try:
                with open(self.report_path) as f:
                    return {**json.load(f), "work dir": self.workdir_size}
            except (OSError, ValueError):
                if not self.km.is_alive():
                    break
                time.sleep(0.02)
        return {"sandbox": "unknown (the sandbox did not report)"}

    def kill(self):
        """Kill the kernel and everything it started, from any thread: the launcher and bwrap
        (its process group); the sandbox dies with bwrap, its processes with the sandbox."""
        pid = getattr(self.km.provisioner, "pid", None)
        for kill, target in ((os.killpg, pid), (os.kill, pid)):
            try:
                kill(target, signal.SIGKILL)
                return
            except (OSError, TypeError):
                continue

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
        if self.client is not None:
            self.client.stop_channels()
        self.kill()  # at once: jupyter_client would poll for the end every 0.1 s
        try:
            self.km.provisioner.process.wait(timeout=10)
        except Exception:  # never started, or already reaped
            pass
        try:
            self.km.shutdown_kernel(now=True)
        except Exception:  # the kernel may be long dead
            pass
        for cgroup in self.isolation().get("cgroups", []):
            _remove_cgroup(cgroup)
        if self.workdir_size.startswith("tmpfs"):
            sandbox.detach(self.workdir)
        # (rmtree removes links, never what they point to)
        for folder in (self.workdir, self.channel_dir, self._config_dir):
            shutil.rmtree(folder, ignore_errors=True)


_KERNELS_DIR = None
_FONT_CACHE = None
_REFERENCES = {}  # digest of the earlier notebooks -> the folder they are written in
_WARNED = False
_lock = threading.Lock()


def _kernels_dir():
    """One folder for the private folders of all kernels of this process (each sees only its own).
    As root, others may pass through it (not list it) to their own work dir, owned by them."""
    global _KERNELS_DIR
    with _lock:
        if _KERNELS_DIR is None:
            _KERNELS_DIR = tempfile.mkdtemp(prefix="cs231n-kernels-")
            if os.getuid() == 0:
                os.chmod(_KERNELS_DIR, 0o711)
            atexit.register(_remove_kernels_dir, _KERNELS_DIR)
        return _KERNELS_DIR


def _remove_kernels_dir(folder):
    """At exit: the work dirs of kernels never shut down are unmounted first (their tmpfs)."""
    for name in os.listdir(folder):
        sandbox.detach(os.path.join(folder, name))
    shutil.rmtree(folder, ignore_errors=True)


def font_cache(paths=None):
    """matplotlib's font list for the kernels (their MPLCONFIGDIR is in their work dir), built once
    per grading process by a trusted child with the kernels' environment, else each kernel would
    scan the system's fonts again (a tenth of a second of CPU). paths: a list built by another
    grading process (a worker's parent), taken as this one's."""
    global _FONT_CACHE
    with _lock:
        if paths is not None:
            _FONT_CACHE = list(paths)
        if _FONT_CACHE is None:
            folder = tempfile.mkdtemp(prefix="cs231n-fonts-")
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            env = sandbox.kernel_env(folder)
            subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, cwd=folder,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=False)
            built = env["MPLCONFIGDIR"]
            _FONT_CACHE = [os.path.join(built, n) for n in os.listdir(built) if n.startswith("fontlist")] \
                if os.path.isdir(built) else []
        return _FONT_CACHE


def _size_limited(workdir, mb):
    """As root, a tmpfs of mb MB on the work dir, so that the kernel's files cannot fill the host's
    disk (without root: RLIMIT_FSIZE bounds each file, not their total). What holds, as a phrase."""
    if os.getuid() == 0:
        try:
            sandbox.mount_tmpfs(workdir, mb)
            return f"tmpfs of {mb} MB"
        except OSError as e:
            return f"the host's disk, files of at most {mb} MB each (no tmpfs: {e})"
    return f"the host's disk, files of at most {mb} MB each (a tmpfs needs root)"


def _copy_font_cache(workdir):
    """The kernel's own copy of the font list, in its MPLCONFIGDIR."""
    mine = os.path.join(workdir, ".matplotlib")
    os.mkdir(mine)
    for path in font_cache():
        shutil.copy(path, mine)


def _references_dir(earlier):
    """The folder of the earlier notebooks' references ({assignment: JSON}), written once per
    grading process and shared, read-only, by the kernels that need it (not in a config dir, which
    the launcher may cover with its staging folder)."""
    key = hashlib.sha256(json.dumps(earlier, sort_keys=True).encode()).hexdigest()
    with _lock:
        if key not in _REFERENCES:
            folder = tempfile.mkdtemp(prefix="cs231n-references-")
            write_references(earlier, folder)
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            _REFERENCES[key] = folder
        return _REFERENCES[key]


def leave_warnings_to_the_grader():
    """In a grading worker process: the grading process warns (once), not each of its workers."""
    global _WARNED
    _WARNED = True


def warn_once(report):
    """One line on stderr, once per grading process, when bubblewrap cannot sandbox the kernels
    (report: SandboxedKernel.isolation(), also kept in each result)."""
    global _WARNED
    why = report.get("problem")
    if not why or "Limits.isolate" in why:
        return
    with _lock:
        if _WARNED:
            return
        _WARNED = True
    hint = sandbox.INSTALL_HINT if why == sandbox.NOT_FOUND else \
        "it needs bubblewrap 0.8 or newer and unprivileged user namespaces"
    as_root = ", as root" if report.get("user", "").startswith("root") else ""
    print(f"{why}: kernels run with resource limits only{as_root}; {hint}", file=sys.stderr, flush=True)


def _remove_cgroup(path):
    """Kill what is left in the kernel's cgroup (e.g. a fork bomb's survivors), then remove it."""
    for _ in range(250):  # (killed processes take milliseconds to leave it)
        try:
            with open(os.path.join(path, "cgroup.procs")) as f:
                pids = [int(p) for p in f.read().split()]
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
            os.rmdir(path)
            return
        except OSError:
            time.sleep(0.01)


class KernelSupply:
    """Kernels started ahead of need: while one submission runs, the next kernel boots.

    Each kernel serves exactly one submission, so no state is shared between submissions.
    """

    def __init__(self, limits, earlier=None):
        self.limits, self.earlier = limits, earlier
        self._next, self._thread = None, None

    def _start_next(self):
        def boot():
            try:
                self._next = SandboxedKernel(self.limits, self.earlier)
            except Exception as e:  # reported when the kernel is asked for
                self._next = e

        self._thread = threading.Thread(target=boot, daemon=True)
        self._thread.start()

    def take(self, boot_next=True):
        """The next kernel; then, when boot_next, the one after it starts booting (no kernel is
        booted that no submission will use: the last ones of a class say boot_next=False)."""
        if self._thread is None:
            self._start_next()
        self._thread.join()
        kernel, self._next, self._thread = self._next, None, None
        if boot_next:
            self._start_next()
        if isinstance(kernel, Exception):
            raise kernel
        return kernel

    def close(self):
        if self._thread is not None:
            self._thread.join()
        if isinstance(self._next, SandboxedKernel):
            self._next.shutdown()
