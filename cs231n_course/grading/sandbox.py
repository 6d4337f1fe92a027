"""Start a Jupyter kernel in a sandbox: `python -m cs231n_course.grading.sandbox CONFIG -- CMD...`.

Each step is tried and what worked is written to CONFIG's `report` file, so that the grade report
can say what the operating system did not allow:
- namespaces (Linux): a network namespace (no network; the kernel talks to the grader over IPC
  sockets in its private directory, and sees no other kernel's), a PID namespace (it sees and
  can signal only its own processes, and all of them die with it, and with the grader) and a
  mount namespace in which the root file system is read-only, /proc is its own, and the paths to
  hide (answer key, other submissions, gradebook) are covered by empty file systems;
- as root: cgroups limiting the number of processes (fork bombs) and the CPU to one core, then
  every capability dropped, so that nothing above can be undone; as another user: a user
  namespace makes the same possible;
- resource limits: address space (memory), file size, CPU time, no core dumps, processes;
- a private HOME / TMPDIR / working directory and an environment without grader variables.
"""

import ctypes
import json
import os
import resource
import signal
import sys
import threading
import time

from cs231n_course.grading.limits import Limits

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x20000, 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 32, 4096, 0x4000, 1 << 18
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
CGROUP_ROOTS = ("/sys/fs/cgroup/pids", "/sys/fs/cgroup")  # cgroup v1, v2

_libc = ctypes.CDLL(None, use_errno=True)


def _call(fn, *args):
    if fn(*args) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def _mount(source, target, fstype, flags, data=None):
    _call(_libc.mount, source and source.encode(), target.encode(), fstype and fstype.encode(),
          ctypes.c_ulong(flags), data and data.encode())


def make_cgroups(name, max_processes, report):
    """As root: cgroups for this process and its children: at most max_processes processes
    (fork bombs) and one CPU core (busy loops cannot starve the other submissions)."""
    wanted = {"processes": [("pids", "pids.max", str(max_processes))],
              "cpu": [("cpu", "cpu.cfs_quota_us", "100000"), ("", "cpu.max", "100000 100000")]}
    report["cgroups"] = []
    for what, options in wanted.items():
        report[what] = "unavailable (no writable cgroup)"
        for controller, knob, value in options:
            root = os.path.join("/sys/fs/cgroup", controller)
            if not os.path.exists(os.path.join(root, knob if not controller else "")):
                continue
            path = os.path.join(root, "cs231n-grader", name)
            try:
                os.makedirs(path, exist_ok=True)
                report["cgroups"].append(path)
                with open(os.path.join(path, knob), "w") as f:
                    f.write(value)
                with open(os.path.join(path, "cgroup.procs"), "w") as f:
                    f.write(str(os.getpid()))
                report[what] = f"{knob} = {value}"
                break
            except OSError:
                continue


def _enter_namespaces(report):
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | (CLONE_NEWUSER if uid != 0 else 0)
    try:
        _call(_libc.unshare, flags)
    except OSError as e:
        report["namespaces"] = f"unavailable ({e.strerror}): the kernel has network access"
        return False
    if uid != 0:  # become root of the new user namespace, so that we may mount
        for name, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"), ("gid_map", f"0 {gid} 1")):
            with open(f"/proc/self/{name}", "w") as f:
                f.write(text)
    report["namespaces"] = "network, pid, mount" + (", user" if uid != 0 else "")
    return True


def _build_file_system(workdir, stage, hide, report):
    """Inside the new mount namespace: read-only root, own /proc and /dev/shm, hidden paths,
    and of the kernels' shared parent folder only this kernel's own (writable) workdir."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    parent = os.path.dirname(workdir)
    _mount(workdir, stage, None, MS_BIND)  # keep a handle on the workdir...
    _mount("tmpfs", parent, "tmpfs", 0, "size=64k,mode=755")  # ...hide its siblings...
    os.mkdir(workdir)
    _mount(stage, workdir, None, MS_BIND)  # ...and put it back, writable, at the same path
    _mount(None, parent, None, MS_REMOUNT | MS_RDONLY, "size=64k,mode=755")
    _mount("proc", "/proc", "proc", 0)
    if os.path.isdir("/dev/shm"):
        _mount("tmpfs", "/dev/shm", "tmpfs", 0, "size=64m,mode=1777")
    hidden, failed = [], []
    for path in [*hide, "/sys/fs/cgroup"]:
        if os.path.isdir(path):
            try:
                _mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=4k,mode=000")
                hidden.append(path)
            except OSError as e:
                failed.append(f"{path}: {e.strerror}")
    try:
        _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY)
        report["read_only_root"] = True
    except OSError as e:
        report["read_only_root"] = f"no ({e.strerror})"
    report["hidden"], report["not_hidden"] = hidden, failed


def _drop_capabilities(report):
    for cap in range(64):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable x 2: all empty
    try:
        _call(_libc.capset, ctypes.byref(Header(0x20080522, 0)), data)
        report["capabilities"] = "all dropped"
    except OSError as e:
        report["capabilities"] = f"kept ({e.strerror})"
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def _set_limits(limits, report):
    wanted = limits.rlimits()
    if os.getuid() != 0:  # counted per user, so allow for the user's other processes
        mine = sum(1 for p in os.listdir("/proc") if p.isdigit() and _owner(p) == os.getuid())
        wanted["processes"] = (resource.RLIMIT_NPROC, mine + limits.processes)
    for name, (which, value) in wanted.items():
        try:
            resource.setrlimit(which, (value, value))
            report.setdefault("limits", {})[name] = value
        except (ValueError, OSError) as e:
            report.setdefault("limits", {})[name] = f"unavailable ({e})"


def _owner(pid):
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def _exec_kernel(cmd, workdir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER", "JPY_", "CS231N_"))}
    env.update(HOME=workdir, TMPDIR=workdir, IPYTHONDIR=os.path.join(workdir, ".ipython"),
               MPLCONFIGDIR=os.path.join(workdir, ".matplotlib"), MPLBACKEND="Agg",
               PYTHONDONTWRITEBYTECODE="1", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    os.chdir(workdir)
    os.execvpe(cmd[0], cmd, env)


def _die_with(grader, kernel):
    """If the grader goes away (even killed), take the kernel and all it started with it."""
    while os.getppid() == grader:
        time.sleep(0.5)
    if kernel:
        os.kill(kernel[0], signal.SIGKILL)
    os._exit(1)


def main(argv):
    config_path, cmd = argv[0], argv[argv.index("--") + 1:]
    with open(config_path) as f:
        config = json.load(f)
    workdir, report, limits = config["workdir"], {}, Limits(**config["limits"])
    if os.getuid() == 0:
        make_cgroups(os.path.basename(workdir), limits.processes, report)
    kernel = []  # the watcher starts now: no thread can be started after unshare(CLONE_NEWPID)
    threading.Thread(target=_die_with, args=(os.getppid(), kernel), daemon=True).start()
    isolated = limits.isolate and sys.platform.startswith("linux") \
        and _enter_namespaces(report)
    if not isolated:
        report.setdefault("namespaces", "not used")
        _set_limits(limits, report)
        with open(config["report"], "w") as f:
            json.dump(report, f)
        _exec_kernel(cmd, workdir)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # interrupts reach the kernel through its group
    child = os.fork()  # the first child is pid 1 of the new pid namespace
    if child:  # pass on how the kernel ended: the grader reads it (e.g. killed by SIGKILL)
        kernel.append(child)
        _, status = os.waitpid(child, 0)
        if os.WIFSIGNALED(status):
            signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
            os.kill(os.getpid(), os.WTERMSIG(status))
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        _build_file_system(workdir, config["stage"], config["hide"], report)
    except OSError as e:
        report["file_system"] = f"not isolated ({e.strerror})"
    _set_limits(limits, report)
    if os.getuid() == 0:
        _drop_capabilities(report)
    with open(config["report"], "w") as f:
        json.dump(report, f)
    _exec_kernel(cmd, workdir)


if __name__ == "__main__":
    main(sys.argv[1:])
