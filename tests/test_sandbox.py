"""The grading sandbox (bubblewrap, an unprivileged user), attacked from inside a kernel.

Each test starts a SandboxedKernel as the grader does and runs an attacker's code in it: what it
can see, write, reach and kill. .ci/run installs bubblewrap; without it these tests are skipped,
except the one that proves the grader still grades (resource limits only) and says so.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
from conftest import COURSE

from cs231n_course import cells
from cs231n_course.grading import kernel as kernel_module
from cs231n_course.grading import sandbox
from cs231n_course.grading.judge import Judge
from cs231n_course.grading.kernel import SandboxedKernel, _remove_cgroup
from cs231n_course.grading.limits import Limits
from cs231n_course.grading.pipeline import grade_class
from cs231n_course.grading.submissions import find_submissions

BWRAP, PROBLEM = sandbox.bwrap_status()
needs_bwrap = pytest.mark.skipif(BWRAP is None and PROBLEM == sandbox.NOT_FOUND,
                                 reason="bubblewrap is not installed (.ci/run installs it)")
pytestmark = pytest.mark.xdist_group("sandbox")  # the kernels below are shared by the tests
LIMITS = Limits(notebook_seconds=30, cell_seconds=20, processes=64)


def run(kernel, code, timeout=30):
    """Run code in the kernel; the JSON it printed on its last line."""
    out = []

    def keep(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append("\n".join(msg["content"]["traceback"]))

    kc = kernel.km.client()
    kc.start_channels()
    try:
        kc.execute_interactive(textwrap.dedent(code), timeout=timeout, output_hook=keep)
    finally:
        kc.stop_channels()
    text = "".join(out).strip()
    try:
        return json.loads(text.splitlines()[-1])
    except (IndexError, ValueError):
        raise AssertionError(f"no JSON from the kernel: {text}") from None


def processes_under(pid):
    """Host pids of pid's descendants (the sandbox's processes, seen from the host)."""
    children = {}
    for p in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{p}/stat") as f:
                children.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(int(p))
        except (OSError, ValueError, IndexError):
            continue
    found, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def uids(pid):
    with open(f"/proc/{pid}/status") as f:
        return [int(u) for u in next(ln for ln in f if ln.startswith("Uid:")).split()[1:]]


@pytest.fixture(scope="module")
def kernel():
    k = SandboxedKernel(LIMITS)
    yield k
    k.shutdown()


@pytest.fixture(scope="module")
def other():
    """Another student's kernel, running at the same time, with a secret in its work dir."""
    k = SandboxedKernel(LIMITS)
    run(k, "open('secret.txt', 'w').write('42'); print('{}')")
    yield k
    k.shutdown()


CAN = """
import json, os
def can(path):
    '''What the attacker got: read what (a listing, bytes), and whether it could write there.'''
    got = {}
    try:
        got["read"] = sorted(os.listdir(path)) if os.path.isdir(path) else len(open(path, "rb").read(64))
    except Exception as e:
        got["read"] = type(e).__name__
    try:
        target = os.path.join(path, "x") if os.path.isdir(path) else path
        with open(target, "ab"):
            got["write"] = "written"
    except Exception as e:
        got["write"] = type(e).__name__
    return got
"""


@needs_bwrap
def test_the_kernel_is_an_unprivileged_user_without_capabilities(kernel):
    got = run(kernel, """
        import json, os
        status = dict(line.split(":\\t", 1) for line in open("/proc/self/status").read().splitlines())
        print(json.dumps({"uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(),
                          "groups": os.getgroups(), "cap": {k: status[k].strip() for k in status
                          if k.startswith("Cap")}, "no_new_privs": status["NoNewPrivs"].strip()}))
    """)
    assert got["uid"] != 0 and got["euid"] != 0 and got["gid"] != 0, got
    assert set(got["cap"].values()) == {"0000000000000000"}, got["cap"]  # CapEff, CapPrm, CapBnd...
    assert got["no_new_privs"] == "1"
    # and seen from the host: no process of the sandbox runs as root (the launcher, outside, may)
    inside = processes_under(kernel.km.provisioner.pid)
    assert inside and all(0 not in uids(p) for p in inside)
    report = kernel.isolation()
    assert report["sandbox"].startswith("bubblewrap") and report["network"] == "none"
    assert report["limits"]["core"] == 0 and report["limits"]["processes"] >= LIMITS.processes


def host_state(paths):
    """What the host has at paths: a file's size and time, a folder's names."""
    state = {}
    for p in map(str, paths):
        try:
            state[p] = sorted(os.listdir(p)) if os.path.isdir(p) else os.stat(p)[6:9]
        except OSError as e:
            state[p] = type(e).__name__
    return state


@needs_bwrap
def test_the_host_files_are_out_of_reach(kernel, other, tmp_path_factory):
    out = tmp_path_factory.mktemp("grading_out")  # the grader's output folder
    (out / "gradebook.db").write_text("grades")
    shm = Path("/dev/shm") / f"cs231n-test-{os.getpid()}"  # the host's /dev/shm
    shm.write_text("left by someone")
    devices = [f"/dev/{d}" for d in os.listdir("/dev") if d[:2] in ("sd", "vd", "nv", "xv", "hd")]
    home = [p for p in Path("/root").iterdir() if p.name != ".pyenv"] if os.access("/root", os.R_OK) else []
    secrets = [COURSE.sources / "01_chain_rule.py", COURSE.root / "tests" / "test_sandbox.py",
               COURSE.root / "tests", COURSE.root / "sources", COURSE.root / ".git" / "HEAD",
               out / "gradebook.db", out, Path(other.workdir) / "secret.txt",
               Path(other.workdir) / "kernel.json", Path(other.workdir), kernel.report_path,
               Path(kernel.report_path).parent / "config.json", "/etc/shadow", "/etc/hostname",
               "/sys/kernel", "/sys", "/dev/kmsg", "/dev/mem", shm, *devices, "/root/.bashrc",
               *home]  # the grader's home, all but the Python installation
    # what the kernel needs is there, read-only; the repository shows the two packages, no more
    # (probed first: the probe below may create files in the sandbox's own /tmp, where a
    # repository cloned under /tmp appears)
    roots = [COURSE.root, "/root", "/usr/lib", "/", "/etc"]
    assert not any(os.path.exists(os.path.join(p, "x")) for p in roots)
    got = run(kernel, CAN + f"print(json.dumps([can(p) for p in {[str(p) for p in roots]!r}]))")
    assert not any(os.path.exists(os.path.join(p, "x")) for p in roots)  # no write reached the host
    assert set(got[0]["read"]) <= {".venv", "cs231n_course", "cs231n_utils"}, got[0]
    assert {"cs231n_course", "cs231n_utils"} <= set(got[0]["read"]), got[0]
    assert got[1]["read"] in ("FileNotFoundError", [".pyenv"]), got[1]  # at most the way to Python
    assert set(got[4]["read"]) <= {"ld.so.cache", "localtime", "passwd", "group"}, got[4]
    under_tmp = str(COURSE.root).startswith("/tmp/")  # then the sandbox's own, writable /tmp holds it
    assert all(g["write"] in ("OSError", "FileNotFoundError") for g in got[1 if under_tmp else 0:]), got
    before = host_state(secrets)
    try:
        got = run(kernel, CAN + f"print(json.dumps({{p: can(p) for p in {[str(p) for p in secrets]!r}}}))")
        after = host_state(secrets)
    finally:
        shm.unlink()
    assert {p: a["read"] for p, a in got.items()} == dict.fromkeys(got, "FileNotFoundError"), got
    assert after == before  # a write, where one was allowed, went to the sandbox's own /tmp, /dev/shm
    assert (out / "gradebook.db").read_text() == "grades"


@needs_bwrap
def test_sysctls_cannot_be_written(kernel):
    names = [n for n in ["/proc/sys/kernel/core_pattern", "/proc/sys/kernel/modprobe",
                         "/proc/sys/fs/suid_dumpable", "/proc/sys/vm/overcommit_memory",
                         "/proc/sys/kernel/hostname"] if os.path.exists(n)]
    assert "/proc/sys/kernel/core_pattern" in names and len(names) >= 3
    before = {n: Path(n).read_text() for n in names}
    got = run(kernel, f"""
        import json
        tried = {{}}
        for name in {names!r}:
            try:
                value = open(name).read()
                with open(name, "w") as f:  # the same value, as the attacker did
                    f.write(value)
                tried[name] = "written"
            except OSError as e:
                tried[name] = type(e).__name__
        try:
            open("/proc/sysrq-trigger", "w").write("h")
            tried["sysrq"] = "written"
        except OSError as e:
            tried["sysrq"] = type(e).__name__
        print(json.dumps(tried))
    """)
    assert "written" not in got.values(), got
    assert {n: Path(n).read_text() for n in names} == before


@needs_bwrap
def test_nothing_a_kernel_leaves_behind_is_seen_by_the_next():
    first = SandboxedKernel(LIMITS)
    left = run(first, """
        import json, os
        left = {}
        for path in ["/dev/shm/note", "/dev/note", "/tmp/note", os.path.join(os.getcwd(), "note")]:
            try:
                open(path, "w").write("from the first kernel")
                left[path] = "written"
            except OSError as e:
                left[path] = type(e).__name__
        print(json.dumps(left))
    """)
    assert left["/dev/shm/note"] == left["/tmp/note"] == "written"  # these work, privately
    first.shutdown()
    assert not os.path.exists(first.workdir) and not os.path.exists(first.report_path)
    assert not os.path.exists("/dev/shm/note") and not os.path.exists("/tmp/note")
    second = SandboxedKernel(LIMITS)
    try:
        seen = run(second, f"""
            import json, os
            print(json.dumps({{"exists": [p for p in {list(left)!r} if os.path.exists(p)],
                              "tmp": os.listdir("/tmp"), "shm": os.listdir("/dev/shm")}}))
        """)
    finally:
        second.shutdown()
    assert seen["exists"] == [] and seen["shm"] == [], seen
    assert "note" not in seen["tmp"], seen


@needs_bwrap
def test_there_is_no_network(kernel):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    abstract = socket.socket(socket.AF_UNIX)  # abstract unix sockets live in the network namespace
    abstract.bind(f"\0cs231n-test-{os.getpid()}")
    abstract.listen()
    try:
        got = run(kernel, f"""
            import json, socket
            tried = {{"interfaces": [name for _, name in socket.if_nameindex()]}}
            for name, family, address in [("tcp", socket.AF_INET, ("127.0.0.1", {listener.getsockname()[1]})),
                                          ("abstract", socket.AF_UNIX, "\\0cs231n-test-{os.getpid()}"),
                                          ("internet", socket.AF_INET, ("1.1.1.1", 53))]:
                s = socket.socket(family)
                s.settimeout(3)
                try:
                    s.connect(address)
                    tried[name] = "connected"
                except OSError as e:
                    tried[name] = type(e).__name__
            print(json.dumps(tried))
        """)
    finally:
        listener.close()
        abstract.close()
    assert got["interfaces"] == ["lo"], got
    assert "connected" not in got.values(), got


@needs_bwrap
def test_the_kernel_sees_and_signals_only_its_own_processes(kernel):
    grader = os.getpid()
    got = run(kernel, f"""
        import json, os, signal
        pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
        names = [open(f"/proc/{{p}}/cmdline", "rb").read().split(b"\\0")[0].decode() for p in pids]
        tried = {{}}
        for name, pid in [("grader", {grader}), ("init", 1)]:
            try:
                os.kill(pid, signal.SIGKILL)
                tried[name] = "sent"
            except OSError as e:
                tried[name] = type(e).__name__
        print(json.dumps({{"pids": pids, "names": names, "me": os.getpid(), "tried": tried}}))
    """)
    assert len(got["pids"]) <= 3 and got["me"] in got["pids"], got  # bwrap's init, the kernel
    assert all(re.fullmatch(r"bwrap|python(3(\.\d+)?)?", os.path.basename(n)) for n in got["names"]), got
    assert got["tried"]["grader"] == "ProcessLookupError"  # the grader is not in its world
    assert run(kernel, "print(1)") == 1  # pid 1 ignores SIGKILL from inside: the sandbox lives on


@needs_bwrap
def test_an_interrupt_reaches_the_kernel(kernel):
    """The kernel has a session of its own in the sandbox: it is interrupted by message."""
    kc = kernel.km.client()
    kc.start_channels()
    try:
        msg_id = kc.execute("while True:\n    pass")
        time.sleep(1)
        kernel.km.interrupt_kernel()
        reply = kc.get_shell_msg(timeout=20)
        assert reply["parent_header"]["msg_id"] == msg_id
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
    finally:
        kc.stop_channels()


@needs_bwrap
def test_a_fork_loop_is_stopped_by_the_process_limit():
    k = SandboxedKernel(LIMITS)
    try:
        got = run(k, """
            import json, os, time
            pids, error = [], None
            for _ in range(10_000):
                try:
                    pid = os.fork()
                except OSError as e:
                    error = type(e).__name__
                    break
                if pid == 0:
                    time.sleep(60)
                    os._exit(0)
                pids.append(pid)
            for pid in pids:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            print(json.dumps({"forked": len(pids), "error": error}))
        """, timeout=60)
        assert got["error"] == "BlockingIOError" and got["forked"] < LIMITS.processes, got
        assert run(k, "print(2)") == 2  # the kernel itself survives
    finally:
        k.shutdown()


@needs_bwrap
@pytest.mark.parametrize("how", ["SIGKILL", "SIGXCPU", "kill"])
def test_the_grader_sees_how_a_kernel_ended_and_kill_ends_the_whole_sandbox(how):
    k = SandboxedKernel(LIMITS)
    try:
        run(k, "import os, subprocess, sys\n"  # a child of the kernel, which must die with it
               "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\nprint(0)")
        inside = processes_under(k.km.provisioner.pid)
        kc = k.km.client()
        kc.start_channels()
        if how == "kill":
            k.kill()
        else:
            kc.execute(f"import os, signal; os.kill(os.getpid(), signal.{how})")
        for _ in range(200):
            if not k.km.is_alive() and not any(os.path.exists(f"/proc/{p}") for p in inside):
                break
            time.sleep(0.05)
        assert not any(os.path.exists(f"/proc/{p}") for p in inside)
        assert k.exit_signal() == (signal.SIGKILL if how == "kill" else getattr(signal, how))
        kc.stop_channels()
    finally:
        k.shutdown()


GRADER = """
import json, sys, time
from cs231n_course.grading.kernel import SandboxedKernel
from cs231n_course.grading.limits import Limits
k = SandboxedKernel(Limits())
print(json.dumps([k.km.provisioner.pid, k.workdir, k.report_path, k.isolation().get("cgroups", [])]),
      flush=True)
time.sleep(120)
"""


@needs_bwrap
def test_a_kernel_dies_with_the_grader():
    grader = subprocess.Popen([sys.executable, "-c", GRADER], stdout=subprocess.PIPE, text=True)
    launcher, workdir, report, cgroups = json.loads(grader.stdout.readline())
    sandboxed = [launcher, *processes_under(launcher)]
    try:
        assert len(sandboxed) >= 3  # launcher, bwrap, its init, the kernel
        grader.kill()  # SIGKILL: no clean-up of any kind
        grader.wait()
        for _ in range(200):
            if not any(os.path.exists(f"/proc/{p}") for p in sandboxed):
                break
            time.sleep(0.05)
        assert not [p for p in sandboxed if os.path.exists(f"/proc/{p}")]
        assert os.getuid() != 0 or not os.path.ismount(workdir)  # the launcher unmounted its tmpfs
    finally:
        for cgroup in cgroups:
            _remove_cgroup(cgroup)
        for path in (os.path.dirname(workdir), os.path.dirname(report)):
            shutil.rmtree(path, ignore_errors=True)


def test_the_bwrap_command_line_is_an_allow_list(tmp_path):
    argv = sandbox.bwrap_argv("bwrap", str(tmp_path), LIMITS, ["python"], sandbox.python_paths(),
                              {}, (7, 8), "/tmp/earlier-solutions", "/tmp/kernel-1.judge")
    for option in ("--unshare-all", "--die-with-parent", "--new-session", "--disable-userns"):
        assert option in argv
    assert argv[argv.index("--cap-drop") + 1] == "ALL"
    bound = {argv[i + 2] for i, a in enumerate(argv) if a in ("--ro-bind", "--bind")}
    for hidden in ("/", "/etc", "/sys", "/dev", "/dev/shm", "/tmp", "/home", "/root", "/run", "/var"):
        assert hidden not in bound
    root = str(COURSE.root)
    in_repository = {p for p in bound if p == root or p.startswith(root + "/")}
    assert {f"{root}/cs231n_course", f"{root}/cs231n_utils"} <= in_repository
    assert in_repository <= {f"{root}/cs231n_course", f"{root}/cs231n_utils", sys.prefix}
    assert [argv[i + 2] for i, a in enumerate(argv) if a == "--bind"] == [str(tmp_path)]  # writable
    assert argv[argv.index(sandbox.REFERENCES) - 1] == "/tmp/earlier-solutions"  # read-only
    assert argv[argv.index("/tmp/kernel-1.judge") - 1] == "--ro-bind"  # the judge's sockets
    references = f"{root}/cs231n_course/reference"  # the instructor's: an empty folder in its place
    at = argv.index(references)
    assert argv[at - 1] == "--tmpfs" and argv[at + 1] == "--remount-ro"


@pytest.mark.parametrize("bwrap", ["missing", "broken"])
def test_without_bubblewrap_the_grader_still_grades_and_says_so_once(bwrap, monkeypatch, capfd):
    bin_dir = Path(tempfile.mkdtemp())  # reachable by the unprivileged user that probes bwrap
    bin_dir.chmod(0o755)
    if bwrap == "broken":  # found, but the kernel does not allow it namespaces
        fake = bin_dir / "bwrap"
        fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
        fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(sandbox, "_status", None)  # looked up again
    monkeypatch.setattr(kernel_module, "_WARNED", False)
    kernels = [SandboxedKernel(LIMITS), SandboxedKernel(LIMITS)]
    try:
        assert run(kernels[0], "print(6 * 7)") == 42
        report = kernels[1].isolation()
    finally:
        for k in kernels:
            k.shutdown()
        shutil.rmtree(bin_dir)
    err = capfd.readouterr().err
    lines = [ln for ln in err.splitlines() if "resource limits only" in ln]
    assert len(lines) == 1, err  # once per grading run
    expected = "bubblewrap (bwrap) not found" if bwrap == "missing" else "cannot sandbox here"
    assert expected in lines[0] and ("bubblewrap" in lines[0])
    assert report["sandbox"].startswith("none: resource limits only") and expected in report["sandbox"]
    assert report["limits"]["memory"] == LIMITS.memory_mb * 2**20


def test_without_bubblewrap_a_class_graded_by_worker_processes_is_told_once(monkeypatch, capfd, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap on it
    monkeypatch.setattr(sandbox, "_status", None)
    monkeypatch.setattr(kernel_module, "_WARNED", False)
    nb = "01_chain_rule"
    for student in ("a", "b"):  # two: one per worker process
        (tmp_path / "subs" / student).mkdir(parents=True)
        shutil.copy(COURSE.release_path(nb), tmp_path / "subs" / student)
    subs = find_submissions(tmp_path / "subs", nb, cells.graded_cells(COURSE.solution(nb)))
    grade_class(COURSE, subs, nb, tmp_path / "out", workers=2, limits=LIMITS, progress=False)
    assert all(s.result.isolation["sandbox"].startswith("none: resource limits only") for s in subs)
    lines = [ln for ln in capfd.readouterr().err.splitlines() if "resource limits only" in ln]
    assert len(lines) == 1 and "bubblewrap (bwrap) not found" in lines[0], lines


ATTACKER = """
import os, sys
target, folders, seen = sys.argv[1], sys.argv[2:], set()
while True:  # a process of its own: it races the grader, not the kernel's other threads
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names + ["judge-0.sock"]:
            if name.startswith(".attack"):
                continue
            link = os.path.join(folder, ".attack-link")
            try:
                os.symlink(target, link)
                os.replace(link, os.path.join(folder, name))
            except OSError:
                if os.path.lexists(link):  # (a folder is not replaced)
                    os.unlink(link)
                continue
            if name not in seen:
                seen.add(name)
                with open(".attack-log", "a") as f:
                    f.write(name + "\\n")
"""
SWAPS_LINKS = """
import json, os, subprocess, sys
attacker = subprocess.Popen([sys.executable, "-c", {attacker!r}, {target!r}, os.getcwd(), "/tmp",
                             "/dev/shm", {channel!r}])
def double(x):
    return 2 * x
def swapped():
    return open(".attack-log").read().split()
print(json.dumps({{}}))
"""


@pytest.mark.skipif(os.getuid() != 0, reason="the grader's root operations are what is attacked")
@pytest.mark.parametrize("isolate", [True, False], ids=["bubblewrap", "resource limits only"])
def test_links_a_kernel_swaps_in_never_lead_the_grader_to_a_host_file(isolate, tmp_path):
    if isolate and BWRAP is None:
        pytest.skip(PROBLEM)
    target = tmp_path / "root-only"
    target.write_text("the host's")
    target.chmod(0o600)
    before = os.stat(target)
    kernel = SandboxedKernel(Limits(notebook_seconds=60, cell_seconds=20, isolate=isolate))
    try:
        if kernel.isolation()["user"].startswith("root"):  # it could change any file itself
            pytest.skip("the kernel runs as root here: " + kernel.isolation()["user"])
        run(kernel, SWAPS_LINKS.format(attacker=ATTACKER, target=str(target), channel=kernel.channel_dir))
        source = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import numpy as np")])
        source.cells[0].metadata["nbgrader"] = cells.metadata("given", "setup")
        judge = Judge(kernel.km, source, 20, kernel.client, kernel.channel_dir)
        try:
            scores = []
            for i in range(30):  # a serving loop, and a socket, for each
                cell = nbformat.v4.new_code_cell(f"assert double({i}) == {2 * i}")
                cell.metadata["nbgrader"] = cells.metadata("tests", f"q{i}_test", 1)
                scores.append(judge.run(cell).score)
            swapped = judge.channel.fetch("swapped")()
        finally:
            judge.close()
    finally:
        kernel.shutdown()
    after = os.stat(target)
    assert (after.st_mode, after.st_uid, after.st_gid) == (before.st_mode, before.st_uid, before.st_gid)
    assert target.read_text() == "the host's" and scores == [1] * 30
    # it swapped links everywhere it could, and never saw a socket of the judge's
    assert swapped and not [n for n in swapped if n.startswith("judge-") and n != "judge-0.sock"]


@pytest.mark.skipif(os.getuid() != 0, reason="a tmpfs needs root (without it: each file at most file_mb)")
def test_a_kernel_that_fills_its_work_dir_stops_at_its_size_and_the_host_disk_is_untouched():
    limits = Limits(notebook_seconds=60, cell_seconds=30, file_mb=16, isolate=BWRAP is not None)
    kernel = SandboxedKernel(limits)
    try:
        parent = os.stat(os.path.dirname(kernel.workdir))
        got = run(kernel, """
            import json, os
            written, error = 0, None
            try:
                for i in range(100):
                    with open(f"fill-{i}", "wb") as f:
                        f.write(b"x" * 2**20)
                    written += 2**20
            except OSError as e:
                error = e.strerror
            print(json.dumps({"written": written, "error": error}))
        """)
        assert got["error"] == os.strerror(28) and got["written"] <= 16 * 2**20, got  # ENOSPC
        assert os.stat(kernel.workdir).st_dev != parent.st_dev  # a file system of its own
        size = os.statvfs(kernel.workdir)
        assert size.f_blocks * size.f_frsize == 16 * 2**20
        assert kernel.isolation()["work dir"] == "tmpfs of 16 MB"
    finally:
        kernel.shutdown()
    assert not os.path.exists(kernel.workdir) and not os.path.exists(kernel.channel_dir)
