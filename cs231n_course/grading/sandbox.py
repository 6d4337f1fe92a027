"""Start a Jupyter kernel in a bubblewrap sandbox: `python -m cs231n_course.grading.sandbox CONFIG -- CMD...`.

The sandbox is bubblewrap (`bwrap`, Debian's `bubblewrap`, the one Flatpak uses), run as an
unprivileged user. This launcher only prepares what bwrap cannot and passes on how the kernel ended:

- as root: cgroups (at most `limits.processes` processes, one CPU core), a uid of its own for the
  kernel (UID_BASE + this launcher's pid: never 0, not shared with another kernel, so that its
  process limit and files are its own), the work dir and connection file handed to that uid, and
  the paths bwrap must bind but that uid cannot reach (e.g. a Python under /root) bind-mounted, in a
  mount namespace of this launcher only, where it can; then setgroups/setgid/setuid, no_new_privs;
- rlimits (memory, file size, CPU time, no core dumps, processes), inherited by bwrap and the kernel;
- then `bwrap` (see bwrap_argv): every namespace unshared (no network: the kernel talks to the
  grader over IPC sockets in its work dir, and with the judge over a socket in the grader's
  channel folder), an allow-list file view (system directories, the Python installation, the
  virtual environment and the two packages read-only, but for the instructor's reference modules
  and debugpy, which are hidden; the earlier notebooks' solutions the grader hands
  `cs231n_utils.mine` read-only at /references; the channel folder read-only; the work dir
  read-write, a size-limited tmpfs as root (kernel.py); fresh /dev, /proc, size-limited /tmp and
  /dev/shm), no capabilities, killed with this launcher;
- this launcher stays as the kernel's supervisor: it kills the sandbox when the grader goes away
  (and unmounts the work dir's tmpfs, which the dead grader cannot), and ends with the kernel's
  exit signal (bwrap reports a signal as exit status 128 + n), which the grader reads
  (SandboxedKernel.exit_signal).

Where bwrap is missing or cannot create namespaces, the kernel runs with the rlimits only (as an
unprivileged user when that user can reach the interpreter). What was in force is written to the
config's `report` file, which the grader keeps with the results.
"""

import ctypes
import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from importlib.util import find_spec

from cs231n_course.course import reference_env
from cs231n_course.grading.limits import Limits

UID_BASE = 0x70000000  # kernel uid = UID_BASE + launcher pid: above systemd's container ranges
CLONE_NEWNS, MS_BIND, MS_REC, MS_SLAVE, MS_NOSUID, MS_NODEV = 0x20000, 4096, 0x4000, 1 << 19, 2, 4
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 1, 4, 38
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime")  # the rest of /etc is not needed
KEPT_ENV = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ")  # the rest of the grader's is not passed
REFERENCES = "/references"  # where the kernel finds the earlier notebooks' solutions
NOT_FOUND = "bubblewrap (bwrap) not found"
INSTALL_HINT = "install Debian/Ubuntu package `bubblewrap`"

_libc = ctypes.CDLL(None, use_errno=True)
_status, _status_lock = None, threading.Lock()


def _call(fn, *args):
    if fn(*args) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


# ---- in the grader: is bubblewrap usable here? -------------------------------------------------

def bwrap_status():
    """(path of bwrap, "") if it can sandbox a kernel here, else (None, why not). Tried once."""
    global _status
    with _status_lock:
        if _status is None:
            _status = _probe(shutil.which("bwrap"))
        return _status


def use_status(status):
    """In a grading worker process: take the grading process's bwrap_status() as this one's."""
    global _status
    with _status_lock:
        _status = tuple(status)


def _probe(bwrap):
    if not bwrap:
        return None, NOT_FOUND
    user = {"user": UID_BASE, "group": UID_BASE, "extra_groups": []} if os.getuid() == 0 else {}
    argv = [bwrap, *_namespace_options(), *_system_binds(), "--proc", "/proc", "--dev", "/dev",
            "--size", "65536", "--tmpfs", "/tmp", "--remount-ro", "/", "--",
            shutil.which("true", path="/usr/bin:/bin") or "/bin/true"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd="/",
                              env={"PATH": "/usr/bin:/bin"}, **user)
    except (OSError, subprocess.SubprocessError) as e:
        return None, f"bubblewrap ({bwrap}) cannot be run ({e})"
    if done.returncode == 0:
        return bwrap, ""
    said = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
    return None, f"bubblewrap ({bwrap}) cannot sandbox here ({said}; {_userns_sysctls()})"


def _userns_sysctls():
    found = []
    for path in ("/proc/sys/kernel/unprivileged_userns_clone", "/proc/sys/user/max_user_namespaces",
                 "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"):
        try:
            with open(path) as f:
                found.append(f"{path[len('/proc/sys/'):].replace('/', '.')} = {f.read().strip()}")
        except OSError:
            pass
    return ", ".join(found) or "no user namespace sysctls"


# ---- the bwrap command line ----------------------------------------------------------------------

def _namespace_options():
    return ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
            "--new-session", "--cap-drop", "ALL"]


def _system_binds():
    """The system directories, read-only (merged-/usr symlinks as symlinks), and from /etc only
    the dynamic linker's cache and the time zone."""
    args = []
    for path in (*SYSTEM_DIRS, *ETC_FILES):
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            args += ["--ro-bind", path, path]
    return args


def python_paths():
    """What the kernel needs besides the system: the Python installation, the virtual environment
    and the two packages' folders (never the repository: it holds the answer key and tests).
    Each as named and as resolved (symlinks in the venv point to the installation)."""
    wanted = [sys.base_prefix, sys.base_exec_prefix, sys.prefix, sys.exec_prefix,
              os.path.dirname(os.path.realpath(sys.executable))]
    for package in ("cs231n_utils", "cs231n_course"):
        wanted += find_spec(package).submodule_search_locations or []
    paths = {p for w in wanted for p in (os.path.abspath(w), os.path.realpath(w)) if os.path.isdir(p)}

    def inside(path, root):
        return path == root or path.startswith(root.rstrip("/") + "/")

    return sorted(p for p in paths if not any(inside(p, d) for d in SYSTEM_DIRS)
                  and not any(q != p and inside(p, q) for q in paths))


def hidden_paths():
    """Folders of the packages the kernel must not see: the instructor's reference modules, and
    debugpy (ipykernel imports it at start for a debugger that grading never uses)."""
    found = list(find_spec("cs231n_course.reference").submodule_search_locations or [])
    debugpy = find_spec("debugpy")
    return found + list(debugpy.submodule_search_locations or []) if debugpy else found


def bwrap_argv(bwrap, workdir, limits, cmd, binds, sources, data_fds, references, channel):
    """The whole bwrap command line. binds: python_paths(); sources: {path: where bwrap finds it}
    for the staged ones (see _stage); data_fds: fds holding /etc/passwd and /etc/group;
    references: the folder of earlier notebooks' solutions, shown at REFERENCES; channel: the
    grader's folder of the judge's sockets, shown read-only where it is."""
    tmp_size = str(limits.file_mb * 1024 * 1024)
    args = [bwrap, *_namespace_options(),  # fresh file systems first: the binds may lie below /tmp
            "--dev", "/dev", "--size", tmp_size, "--tmpfs", "/dev/shm", "--proc", "/proc",
            "--size", tmp_size, "--tmpfs", "/tmp", *_system_binds()]
    for fd, path in zip(data_fds, ("/etc/passwd", "/etc/group"), strict=True):
        args += ["--perms", "0444", "--ro-bind-data", str(fd), path]
    for path in binds:
        args += ["--ro-bind", sources.get(path, path), path]
    for path in hidden_paths():  # an empty, read-only folder in their place
        args += ["--size", "4096", "--tmpfs", path, "--remount-ro", path]
    args += ["--ro-bind", sources.get(references, references), REFERENCES,
             "--bind", sources.get(workdir, workdir), workdir,
             "--ro-bind", sources.get(channel, channel), channel,
             "--remount-ro", "/dev", "--remount-ro", "/", "--chdir", workdir, "--", *cmd]
    return args


def kernel_env(workdir):
    """The kernel's environment: its own HOME and caches in the work dir, one BLAS thread, and
    nothing of the grader's but the locale (no tokens, no NBGRADER_/JPY_/CS231N_ variables)."""
    env = {k: v for k, v in os.environ.items() if k in KEPT_ENV or k.startswith("LC_")}
    env.update(PATH=os.pathsep.join([os.path.join(sys.prefix, "bin"), "/usr/local/bin", "/usr/bin", "/bin"]),
               HOME=workdir, TMPDIR=workdir, IPYTHONDIR=os.path.join(workdir, ".ipython"),
               MPLCONFIGDIR=os.path.join(workdir, ".matplotlib"), MPLBACKEND="Agg",
               PYTHONDONTWRITEBYTECODE="1", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    return env


# ---- in the launcher, as root: what needs privileges -------------------------------------------

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


def _give(workdir, uid, gid):
    """The work dir and what the grader put in it (the connection file) to the kernel's user."""
    os.chown(workdir, uid, gid)
    os.chmod(workdir, 0o700)
    for name in os.listdir(workdir):
        os.chown(os.path.join(workdir, name), uid, gid, follow_symlinks=False)


def reachable(path, uid, gid):
    """Whether user uid (group gid, no other groups) can look up path: search permission on
    every directory above it (ACLs aside: an ACL that allows more only costs a staged bind)."""
    parts = os.path.realpath(path).split("/")[1:-1]
    for i in range(len(parts) + 1):
        st = os.stat("/" + "/".join(parts[:i]))
        bits = 0o100 if st.st_uid == uid else 0o010 if st.st_gid == gid else 0o001
        if not st.st_mode & bits:
            return False
    return True


def _mount(source, target, fstype, flags, data=None):
    _call(_libc.mount, source and source.encode(), target.encode(), fstype and fstype.encode(),
          ctypes.c_ulong(flags), data and data.encode())


def mount_tmpfs(path, mb):
    """As root, in the grader: a tmpfs of mb MB on path (a fresh folder), private to root until
    the launcher hands it to the kernel's user."""
    _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={mb}m,mode=0700")


def detach(path):
    """Unmount what is mounted on path, at once (MNT_DETACH: even while something holds it)."""
    try:
        _call(_libc.umount2, path.encode(), MNT_DETACH)
    except OSError:
        pass


def _stage(paths, stage_dir):
    """Make paths that the kernel's user cannot reach (a Python installed under /root) reachable
    by bwrap: in a mount namespace of this launcher only, bind each under a fresh 0755 tmpfs on
    stage_dir. Nothing of this is visible to the kernel, which sees bwrap's allow-list only.
    Returns {path: its staged source}."""
    if not paths:
        return {}
    _call(_libc.unshare, CLONE_NEWNS)
    _mount(None, "/", None, MS_REC | MS_SLAVE)  # nothing done here reaches the host
    _mount("tmpfs", stage_dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k")
    staged = {}
    for i, path in enumerate(paths):
        target = os.path.join(stage_dir, str(i))
        os.mkdir(target)
        _mount(path, target, None, MS_BIND | MS_REC)
        staged[path] = target
    return staged


def _set_limits(limits, report, uid, own_uid):
    """The rlimits, inherited by bwrap and the kernel. RLIMIT_NPROC counts every process of the
    user: the kernel's own uid starts with none, a shared one with what it already runs."""
    wanted = limits.rlimits()
    mine = 0 if own_uid else sum(1 for p in os.listdir("/proc") if p.isdigit() and _owner(p) == uid)
    wanted["processes"] = (resource.RLIMIT_NPROC, mine + limits.processes)
    report["limits"] = {}
    for name, (which, value) in wanted.items():
        try:
            resource.setrlimit(which, (value, value))
            report["limits"][name] = value
        except (ValueError, OSError) as e:
            report["limits"][name] = f"unavailable ({e})"


def _owner(pid):
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def _data_fd(text):
    """A pipe holding text, for bwrap's --ro-bind-data."""
    r, w = os.pipe()
    os.write(w, text.encode())
    os.close(w)
    os.set_inheritable(r, True)
    return r


def _identity_files(uid, gid, workdir):
    passwd = (f"root:x:0:0:root:/:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:"
              f"/usr/sbin/nologin\nstudent:x:{uid}:{gid}:student:{workdir}:/usr/sbin/nologin\n")
    group = f"root:x:0:\nnogroup:x:65534:\nstudent:x:{gid}:\n"
    return _data_fd(passwd), _data_fd(group)


# ---- the launcher -------------------------------------------------------------------------------

def _plan(config, limits, report):
    """Decide who runs the kernel and how; returns (uid or None for this process's, gid, argv)."""
    workdir, cmd, bwrap = config["workdir"], config["cmd"], config.get("bwrap")
    root = os.getuid() == 0
    uid, gid = (UID_BASE + os.getpid(),) * 2 if root else (os.getuid(), os.getgid())
    if root:
        make_cgroups(os.path.basename(workdir), limits.processes, report)
        _give(workdir, uid, gid)
    binds = python_paths()
    if bwrap and limits.isolate:
        try:
            references, channel = config["references"], config["channel"]
            blocked = [p for p in [*binds, workdir, references, channel]
                       if root and not reachable(p, uid, gid)]
            sources = _stage(blocked, os.path.dirname(config["report"]))
            argv = bwrap_argv(bwrap, workdir, limits, cmd, binds, sources,
                              _identity_files(uid, gid, workdir), references, channel)
            report.update(
                sandbox=f"bubblewrap ({bwrap})", network="none", capabilities="all dropped",
                namespaces="user, mount, pid, network, ipc, uts, cgroup; no nested user namespaces",
                file_system={"read-only": [*(d for d in SYSTEM_DIRS if os.path.lexists(d)),
                                           *(f for f in ETC_FILES if os.path.lexists(f)),
                                           "/etc/passwd", "/etc/group", *binds, REFERENCES, channel],
                             "hidden": hidden_paths(),
                             "read-write": [workdir, "/tmp", "/dev/shm"], "fresh": ["/dev", "/proc"],
                             "staged by root": blocked})
            return uid, gid, argv
        except OSError as e:
            config["bwrap_problem"] = f"bubblewrap could not be prepared ({e})"
    why = config.get("bwrap_problem") or ("isolation is off (Limits.isolate)" if not limits.isolate
                                          else NOT_FOUND)
    report.update(sandbox=f"none: resource limits only ({why})", problem=why, namespaces="none",
                  network="the host's", file_system="the host's")
    if root and not all(reachable(p, uid, gid) for p in [*binds, workdir]):
        report["user"] = "root (the Python installation is not reachable by an unprivileged user)"
        return None, None, cmd
    return uid, gid, cmd


def _become(uid, gid):
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


def _supervise(child, grader):
    """Wait for the child; kill it if the grader goes away first (even killed). Its wait status."""
    fds = []
    try:
        fds = [os.pidfd_open(child), os.pidfd_open(grader)]
    except (AttributeError, OSError):
        pass
    while True:
        pid, status = os.waitpid(child, os.WNOHANG)
        if pid:
            return status
        if os.getppid() != grader:
            os.kill(child, signal.SIGKILL)
            return os.waitpid(child, 0)[1]
        if fds:
            select.select(fds, [], [], 5)
        else:
            time.sleep(0.2)


def _end_like(status, through_bwrap):
    """Exit as the kernel did: by its signal (bwrap says 128 + n), else with its exit status."""
    code = os.waitstatus_to_exitcode(status)
    sig = -code if code < 0 else code - 128 if through_bwrap and 128 < code <= 128 + 64 else 0
    if sig and sig not in (signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU,
                           signal.SIGCONT, signal.SIGCHLD, signal.SIGURG, signal.SIGWINCH):
        _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # no core dump of the launcher, whatever the pipe
        if sig != signal.SIGKILL:  # (whose action cannot be set)
            signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    os._exit(code & 0xFF)


def main(argv):
    config_path, cmd = argv[0], argv[argv.index("--") + 1:]
    with open(config_path) as f:
        config = json.load(f)
    config["cmd"] = cmd
    workdir, limits, report = config["workdir"], Limits(**config["limits"]), {}
    grader, launcher = os.getppid(), os.getpid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the kernel is interrupted by message
    report_fd = os.open(config["report"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    host_mounts = os.open("/proc/self/ns/mnt", os.O_RDONLY) if os.getuid() == 0 else None
    uid, gid, kernel_argv = _plan(config, limits, report)  # (may cover the config's folder)
    through_bwrap = kernel_argv is not cmd
    if uid is not None:
        report.setdefault("user", f"uid {uid}" + (" (its own)" if os.getuid() == 0 else ""))
    _set_limits(limits, report, uid if uid is not None else 0, own_uid=os.getuid() == 0)
    os.write(report_fd, json.dumps(report).encode())
    os.close(report_fd)
    env = kernel_env(workdir)
    env.update(reference_env(REFERENCES if through_bwrap else config["references"]))
    child = os.fork()
    if child == 0:
        try:
            if uid is not None and os.getuid() == 0:
                _become(uid, gid)
            _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
            _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # after setuid, which clears it
            if os.getppid() != launcher:
                os._exit(1)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.chdir("/" if through_bwrap else workdir)
            os.execve(kernel_argv[0], kernel_argv, env)
        except BaseException:
            os._exit(127)
    status = _supervise(child, grader)
    if host_mounts is not None and os.getppid() != grader:  # the grader died: no one else unmounts
        _detach_on_the_host(host_mounts, workdir)
    _end_like(status, through_bwrap)


def _detach_on_the_host(host_mounts, workdir):
    """The kernel's tmpfs (kernel.py), unmounted from the host's mount namespace, which this
    launcher may have left for its own (_stage)."""
    try:
        _call(_libc.setns, host_mounts, CLONE_NEWNS)
    except OSError:
        return
    detach(workdir)


if __name__ == "__main__":
    main(sys.argv[1:])
