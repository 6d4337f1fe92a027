"""The hardened grader (`cs231n-course grade`) against a class of honest and hostile submissions.

Every submission is notebook 01 as a student would hand it in: built from the release, the
solution and the wrong-answer bank, plus the hostile code of each case. One class is graded once
(module fixture) with two workers; each test then checks what one student got.
"""

import copy
import csv
import json
import os
import shutil
import socket

import nbformat
import pytest
from conftest import COURSE
from fixtures import load_bank, make_submission

from cs231n_course import cells
from cs231n_course.cli import main
from cs231n_course.grading import pipeline, sandbox
from cs231n_course.grading.limits import Limits
from cs231n_course.grading.record import Record
from cs231n_course.grading.stock import grade_class_with_nbgrader
from cs231n_course.grading.submissions import find_submissions

pytestmark = pytest.mark.slow
in_class = pytest.mark.xdist_group("graded class")  # these share one grading of the class

NB = "01_chain_rule"
SOURCE = COURSE.sources / f"{NB}.py"  # the answer key
RELEASE = COURSE.release_path(NB)
GRADED = cells.graded_cells(COURSE.solution(NB))
BANK = load_bank(NB)
BANK_FILE = COURSE.root / "tests" / "fixtures" / "banks" / f"{NB}.py"
QUESTIONS = [q for q in BANK.BANK if not cells.is_written_question(q)]  # the code exercises, 19 points
WRITTEN = {q: "solution" for q in BANK.BANK if cells.is_written_question(q)}  # the autograded written ones
MANUAL = next(iter(cells.written_cells(COURSE.solution(NB))))  # graded by hand, 2 points
ALL = dict.fromkeys(QUESTIONS, "solution")
FIRST_FOUR = dict.fromkeys(QUESTIONS[:4], "solution")
LIMITS = Limits(notebook_seconds=25, cell_seconds=8, memory_mb=3072)


def notebook(answers=None, append=None, added=None):
    """A submission: `answers` filled in, code appended to answer cells, cells added on top."""
    nb = make_submission(COURSE, NB, answers or {})
    for cell in nb.cells:
        gid = cells.key(cell)
        if gid in (append or {}):
            cell.source += "\n" + append[gid]
    for code in reversed(added or []):
        nb.cells.insert(0, nbformat.v4.new_code_cell(code))
    return nb


def written_answers(text=None):
    """The full solution, the written questions too: `text` in the manual one, or the cell deleted."""
    nb = notebook({**ALL, **WRITTEN})
    cell = next(c for c in nb.cells if cells.key(c) == MANUAL)
    if text is None:
        nb.cells.remove(cell)
    else:
        cell.source = f"**Your answer:**\n\n{text}"
    return nb


def tampered_tests():
    """The full solution with every test cell emptied, one deleted, one duplicated, answers moved."""
    nb = notebook(ALL)
    tests = [c for c in nb.cells if cells.kind(c) is cells.Kind.TESTS]
    for cell in tests:
        cell.source = "pass"
    nb.cells.remove(tests[-1])
    duplicate = copy.deepcopy(tests[0])
    duplicate.id = "pasted-copy"  # as Jupyter's copy and paste makes it
    nb.cells.append(duplicate)
    answers = [i for i, c in enumerate(nb.cells) if cells.kind(c) is cells.Kind.ANSWER]
    nb.cells[answers[0]], nb.cells[answers[1]] = nb.cells[answers[1]], nb.cells[answers[0]]
    return nb


def fake_outputs():
    """The blank release with every test cell 'already run': no errors, nbgrader's partial-credit
    number as its result."""
    nb = notebook()
    for cell in nb.cells:
        if cells.kind(cell) is cells.Kind.TESTS:
            cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"},
                                                   execution_count=1)]
            cell.execution_count = 1
    return nb


ESCAPE = """
import os, json
attempts = {{}}
for name, path in {paths!r}.items():
    try:
        with open(path, "rb") as f:
            attempts[name] = "read " + str(len(f.read())) + " bytes"
    except Exception as e:
        attempts[name] = type(e).__name__
try:
    with open({gradebook!r}, "w") as f:
        f.write("overwritten")
    attempts["write gradebook"] = "written"
except Exception as e:
    attempts["write gradebook"] = type(e).__name__
print("ESCAPE " + json.dumps(attempts))
"""

NETWORK = """
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
    print("NETWORK connected")
except OSError as e:
    print("NETWORK " + type(e).__name__)
"""

LIAR = """
import sys
class Liar:
    def __eq__(self, other):
        return True
    def __sub__(self, other):
        return self
    def __abs__(self):
        return 0.0
    def __lt__(self, other):
        return True
    def __float__(self):  # the expected value, read from the caller's frame
        return float(sys._getframe(1).f_locals.get("_want", 0.0))
"""
READS_THE_TESTS = """
import inspect, linecache, traceback
_plain = numerical_derivative
def numerical_derivative(f, x, h=1e-5):
    for frame in inspect.stack():
        print("FRAME", frame.filename, frame.code_context)
    print("STACK", traceback.extract_stack())
    print("LINES", [linecache.getlines(name) for name in list(linecache.cache)])
    return _plain(f, x, h)
"""
SESSION_SEND = """
k = get_ipython().kernel
_send = type(k.session).send
def send(self, stream, msg, *args, **kwargs):
    if isinstance(msg, dict) and msg.get("msg_type") == "error":
        return None
    if isinstance(msg, dict) and msg.get("content", {}).get("status") == "error":
        msg["content"]["status"] = "ok"
    return _send(self, stream, msg, *args, **kwargs)
type(k.session).send = send
"""
FRESH_SNAPSHOT = """
shell = getattr(__builtins__, "get" + "_ipython")() if hasattr(__builtins__, "get_ipython") else get_ipython()
import ast
class Swallow(ast.NodeTransformer):
    def visit_Module(self, node):
        node.body = [ast.Try(body=node.body, handlers=[ast.ExceptHandler(body=[ast.Pass()])],
                             orelse=[], finalbody=[])]
        return ast.fix_missing_locations(node)
getattr(shell, "ast_" + "transformers").append(Swallow())
_cs231n_integrity.snapshot()
"""
HIDES_IDLE = """
k = get_ipython().kernel
_send = type(k.session).send
def send(self, stream, msg, content=None, *args, **kwargs):
    if msg == "status" and (content or {}).get("execution_state") == "idle":
        return None  # the kernel never says it is done
    return _send(self, stream, msg, content, *args, **kwargs)
type(k.session).send = send
"""

HOSTILE = {
    "honest_full": lambda env: notebook(ALL),
    "honest_half": lambda env: notebook(FIRST_FOUR),
    "warns_on_stderr": lambda env: notebook(ALL, append={QUESTIONS[0]: (
        "import warnings\n_plain = numerical_derivative\n"
        "def numerical_derivative(f, x, h=1e-5):\n"
        "    warnings.warn('a harmless warning from a library', UserWarning)\n"
        "    return _plain(f, x, h)")}),
    "exits_kernel": lambda env: notebook({**FIRST_FOUR, QUESTIONS[4]: "solution"},
                                         append={QUESTIONS[4]: "import os\nos._exit(3)"}),
    "segfaults": lambda env: notebook(FIRST_FOUR, append={
        QUESTIONS[2]: "import faulthandler\nfaulthandler._read_null()"}),  # a real segfault
    "calls_sys_exit": lambda env: notebook(FIRST_FOUR, append={QUESTIONS[2]: "import sys\nsys.exit(1)"}),
    "fake_outputs": lambda env: fake_outputs(),
    "infinite_loop": lambda env: notebook(ALL, append={QUESTIONS[1]: "while True:\n    pass"}),
    "ignores_interrupts": lambda env: notebook(ALL, append={QUESTIONS[1]: (
        "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n"
        "    except KeyboardInterrupt:\n        pass")}),
    # one request for more than the memory limit: refused at once, however busy the machine (a
    # loop of small ones raced the cell's time limit on a loaded machine and sometimes lost)
    "memory_bomb": lambda env: notebook(ALL, append={QUESTIONS[1]: (
        f"hog = bytearray({2 * LIMITS.memory_mb} * 2**20)")}),
    "fork_bomb": lambda env: notebook(FIRST_FOUR, append={QUESTIONS[1]: (
        "import os\nfor _ in range(64):\n    os.fork()")}),
    # 30 MB of output, 30 times the cap: over it at once, and quick to send even on a busy machine
    # (300 MB took longer than the notebook's time limit beside a CPU hog)
    "floods_output": lambda env: notebook(ALL, append={QUESTIONS[1]: (
        "for _ in range(30):\n    print('x' * 1_000_000)")}),
    "edits_tests": lambda env: tampered_tests(),
    "custom_exception_handler": lambda env: notebook(added=[
        "get_ipython().set_custom_exc((Exception,), lambda *args, **kw: None)"]),
    "hides_tracebacks": lambda env: notebook(added=[
        "ip = get_ipython()\nip.showtraceback = lambda *args, **kw: None"]),
    "input_transformer": lambda env: notebook(added=[
        "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])"]),
    "excepthook": lambda env: notebook(added=["import sys\nsys.excepthook = lambda *a: None"]),
    "redefines_helper": lambda env: notebook(added=[  # 01's tests compute expectations with math
        "class _Math:\n    exp = staticmethod(lambda t: 1.0)\n\nmath = _Math()"]),
    "redefines_builtin": lambda env: notebook(added=["def round(x, n=0):\n    return -0.53"]),
    "patches_numpy": lambda env: notebook(added=["np.allclose = lambda *a, **k: True"]),
    "patches_package": lambda env: notebook(added=[
        "import cs231n_utils.gradcheck as g\ng.rel_error = lambda a, b: 0.0"]),
    "clears_outputs": lambda env: notebook(added=[
        "from IPython.display import clear_output\nclear_output()"]),
    "obfuscated_hook": lambda env: notebook(added=[
        "setattr(__import__('sys'), 'excepthook', print)"]),
    "reads_answer_key": lambda env: notebook(added=[ESCAPE.format(
        paths={"answer key": str(SOURCE), "bank": str(BANK_FILE),
               "other student": env["other"], "git": str(COURSE.root / ".git" / "HEAD")},
        gradebook=env["gradebook"])]),
    "uses_network": lambda env: notebook(ALL, added=[NETWORK.format(port=env["port"])]),
    "writes_answers": lambda env: written_answers(ANSWER),
    "deletes_written_answer": lambda env: written_answers(),
    # against the trusted judge: a blank notebook with each exploit must score no more than 0,
    # a full one no more than 19, and no hidden test may show anywhere
    "lying_objects": lambda env: notebook(append={QUESTIONS[0]: LIAR + (
        "def numerical_derivative(f, x, h=1e-5):\n    return Liar()"), QUESTIONS[7]: (
        "def relative_error(a, n):\n    return Liar()")}),
    "reads_the_tests": lambda env: notebook(ALL, append={QUESTIONS[0]: READS_THE_TESTS}),
    "rewrites_session_send": lambda env: notebook(added=[SESSION_SEND]),
    "fresh_integrity_snapshot": lambda env: notebook(added=[FRESH_SNAPSHOT]),
    "hides_idle_status": lambda env: notebook(ALL, added=[HIDES_IDLE]),
}
ANSWER = "Not <b>necessarily</b>: a kink of the ReLU within h of the checked point."
INVALID = {
    "not_json": b"{this is not json",
    "old_nbformat": json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": []}).encode(),
    "not_utf8": b"\xff\xfe{\x00}",
    "empty": b"",
}


@pytest.fixture(scope="session")  # once per test process, however the tests are scheduled
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    subs, out = base / "submissions", base / "out"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    env = {"port": listener.getsockname()[1], "gradebook": str(out / "gradebook.db"),
           "other": str(subs / "honest_full" / f"{NB}.ipynb")}
    for student, make in HOSTILE.items():
        (subs / student).mkdir(parents=True)
        nbformat.write(make(env), subs / student / f"{NB}.ipynb")
    for student, raw in INVALID.items():
        (subs / student).mkdir()
        (subs / student / f"{NB}.ipynb").write_bytes(raw)
    (subs / "renamed").mkdir()
    shutil.copy(RELEASE, subs / "renamed" / "my_homework.ipynb")
    students = grade(subs, out, workers=2)
    listener.close()
    return {s.student: s for s in students}, out, subs


def grade(subs_dir, out, **kw):
    """The hardened grader on a folder of submissions (as `cs231n-course grade` runs it)."""
    subs = find_submissions(subs_dir, NB, GRADED)
    return pipeline.grade_class(COURSE, subs, NB, out, limits=LIMITS, progress=False,
                                **kw)


def total(sub):
    return sub.result.score


def reasons(sub):
    return [(c.score, c.reason) for c in sub.result.cells.values()]


def scores(sub):
    return [c.score for c in sub.result.cells.values()]


def outputs(out, student):
    nb = nbformat.read(Record(out).autograded(student, NB), as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def outputs_and_errors(out, student):
    nb = nbformat.read(Record(out).autograded(student, NB), as_version=4)
    return "".join(o.get("text", "") + o.get("ename", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs)


@in_class
def test_honest_submissions_get_their_points(graded):
    subs, out, _ = graded
    assert subs["honest_full"].status == "ok" and total(subs["honest_full"]) == 19
    assert subs["honest_half"].status == "ok" and total(subs["honest_half"]) == 9


@in_class
def test_a_warning_on_stderr_does_not_fail_a_correct_answer(graded):
    subs, _, _ = graded
    assert subs["warns_on_stderr"].status == "ok" and total(subs["warns_on_stderr"]) == 19


@in_class
@pytest.mark.parametrize("student, status, points, why", [
    ("exits_kernel", "error", 9, "the kernel died in cell"),  # questions 1-4 were graded before it died
    ("segfaults", "error", 4, "the kernel died in cell"),
    # killed once it ignored the interrupt, not left to run until the notebook's limit
    ("ignores_interrupts", "timeout", 2, "did not stop when interrupted: the kernel was killed"),
])
def test_a_dying_or_stuck_kernel_is_graded_on_what_it_completed(graded, student, status, points, why):
    sub = graded[0][student]
    assert sub.status == status and why in sub.reason, sub.reason
    assert total(sub) == points
    assert sub.reason and all(why for score, why in reasons(sub) if score == 0)


@in_class
def test_a_kernel_that_never_says_it_is_done_is_killed_and_nothing_after_runs(graded):
    """A kernel that replies but never reports idle is killed 10 s after its reply (before, every
    later cell waited for it in turn): its answers, all correct, come after that cell and are never
    run. (The scan also flags what the cell does.)"""
    sub = graded[0]["hides_idle_status"]
    assert sub.status == "flagged" and total(sub) == 0, sub.reason
    executed = nbformat.read(Record(graded[1]).autograded("hides_idle_status", NB), as_version=4)
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert code[0].execution_count is not None
    assert all(c.execution_count is None and not c.outputs for c in code[1:])


@in_class
def test_sys_exit_and_prefilled_outputs_change_nothing(graded):
    subs, out, _ = graded
    assert subs["calls_sys_exit"].status == "ok" and total(subs["calls_sys_exit"]) == 9
    assert "SystemExit" in outputs_and_errors(out, "calls_sys_exit")  # IPython catches it
    assert subs["fake_outputs"].status == "ok" and total(subs["fake_outputs"]) == 0  # re-run


@in_class
def test_an_infinite_loop_is_interrupted_and_the_rest_still_runs(graded):
    sub = graded[0]["infinite_loop"]  # the loop comes after a correct answer: nothing is lost
    assert sub.status == "ok" and total(sub) == 19
    assert "KeyboardInterrupt" in outputs_and_errors(graded[1], "infinite_loop")  # interrupted


@in_class
def test_memory_fork_and_output_bombs_are_contained(graded):
    subs, out, _ = graded
    memory = subs["memory_bomb"]  # the bomb follows a correct answer, which keeps its points
    assert total(memory) == 19 and "MemoryError" in outputs_and_errors(out, "memory_bomb")
    bomb = subs["fork_bomb"]  # ended, nothing leaked (test_no_kernel_is_left_running)
    if bomb.status == "flagged":  # the bomb's copies of the kernel share its sockets: when one of
        assert "integrity check did not run normally" in bomb.reason  # them eats the probe, a person looks
    else:
        assert bomb.status in {"ok", "error", "killed", "timeout"}, bomb.reason
        assert total(bomb) >= 2  # the first answer was graded before the bomb
    flood = subs["floods_output"]
    assert total(flood) == 19
    assert Record(out).autograded("floods_output", NB).stat().st_size < 3_000_000
    assert "output over 1,000,000 bytes dropped" in outputs(out, "floods_output")


@in_class
def test_edited_deleted_duplicated_and_moved_cells_are_restored(graded):
    sub = graded[0]["edits_tests"]
    assert sub.status == "ok" and total(sub) == 19
    result = json.loads(Record(graded[1]).result_path("edits_tests", NB).read_text())["result"]
    repairs = " ".join(result["repairs"])
    for words in ("restored edited cell q1", "restored deleted cell q9", "removed a duplicate",
                  "restored the original order"):
        assert words in repairs


@in_class
@pytest.mark.parametrize("student", [
    "custom_exception_handler", "hides_tracebacks", "input_transformer", "excepthook",
    "redefines_helper", "redefines_builtin", "patches_numpy", "patches_package", "clears_outputs",
    "obfuscated_hook"])
def test_tampering_with_the_kernel_is_flagged_and_scores_nothing(graded, student):
    sub = graded[0][student]
    assert sub.status == "flagged", (sub.status, sub.reason)
    assert total(sub) == 0 and "tampering suspected" in sub.reason


@in_class
def test_stock_nbgrader_gives_the_one_cell_fake_full_marks_and_the_warning_zero(graded, tmp_path):
    """Why the grader exists: what stock nbgrader makes of the same notebooks."""
    _, _, subs = graded
    picked = tmp_path / "subs"
    for student in ("input_transformer", "warns_on_stderr", "honest_half"):
        shutil.copytree(subs / student, picked / student)
    stock = {s.student: s for s in grade_class_with_nbgrader(
        COURSE, find_submissions(picked, NB, GRADED), NB, tmp_path / "out", progress=lambda m: None)}
    faked = stock["input_transformer"].result  # a blank notebook faked by one added cell
    assert faked.auto_score == faked.auto_max_score == 21
    assert total(stock["warns_on_stderr"]) < 19  # a correct answer failed for a warning
    ours = graded[0]
    for student in ("honest_half",):  # honest work: the same grade, cell by cell
        assert scores(stock[student]) == scores(ours[student])


@in_class
def test_a_submission_cannot_read_the_answer_key_or_touch_the_gradebook(graded):
    subs, out, _ = graded
    line = next(ln for ln in outputs(out, "reads_answer_key").splitlines() if ln.startswith("ESCAPE "))
    attempts = json.loads(line.removeprefix("ESCAPE "))
    assert not any(v.startswith("read") for v in attempts.values()), attempts
    assert attempts["write gradebook"] != "written"
    assert subs["honest_full"].status == "ok"  # the others' grades survive, and the db is whole
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        scores = {s.student_id: s.score for s in gb.assignment_submissions(NB)}
    assert scores["honest_full"] == 19 and len(scores) == len(subs)


@in_class
@pytest.mark.parametrize("student, honest", [
    ("lying_objects", 0), ("rewrites_session_send", 0), ("fresh_integrity_snapshot", 0),
    ("reads_the_tests", 19)])
def test_exploits_of_the_old_in_kernel_verdict_win_nothing(graded, student, honest):
    subs, out, _ = graded
    assert total(subs[student]) <= honest, (subs[student].status, reasons(subs[student]))
    hidden = [ln.strip() for part in SOURCE.read_text().split("### BEGIN HIDDEN TESTS")[1:]
              for ln in part.split("### END HIDDEN TESTS")[0].splitlines() if ln.strip().startswith("assert")]
    seen = outputs(out, student) + Record(out).feedback(student, NB).read_text()
    assert len(hidden) > 10 and not [ln for ln in hidden if ln in seen]  # no hidden test shows


@in_class
def test_the_network_is_out_of_reach(graded):
    subs, out, _ = graded
    text = outputs(out, "uses_network")
    assert "NETWORK connected" not in text and "NETWORK " in text
    assert total(subs["uses_network"]) == 19


@in_class
def test_invalid_notebooks_get_a_clear_reason(graded):
    subs = graded[0]
    expected = {"not_json": "not valid JSON", "old_nbformat": "nbformat 4", "not_utf8": "UTF-8",
                "empty": "is empty", "renamed": f"{NB}.ipynb not found"}
    for student, words in expected.items():
        assert subs[student].status == "invalid" and words in subs[student].reason
        assert total(subs[student]) == 0


@in_class
def test_outputs_csv_feedback_and_summary(graded):
    subs, out, _ = graded
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert {r["status"] for r in rows} >= {"ok", "error", "timeout", "invalid", "flagged"}
    assert len(rows) == len(GRADED) * len(subs)
    page = Record(out).feedback("honest_half", NB).read_text()
    assert "Score: 9.0 / 23.0" in page or "9.0 / 23.0" in page
    source = SOURCE.read_text()  # the text source: solutions and hidden tests
    assert "BEGIN HIDDEN TESTS" in source and "BEGIN HIDDEN TESTS" not in page
    assert "default_rng(1)" in source and "default_rng(1)" not in page  # a hidden test's line
    assert (out / "summary.png").stat().st_size > 10_000


@in_class
def test_no_kernel_is_left_running(graded):
    leftovers = [p for p in os.listdir("/proc") if p.isdigit() and _is_my_kernel(p)]
    assert not leftovers


def _is_my_kernel(pid):
    """A sandboxed kernel started by this test process (other processes may be grading too)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read()
        with open(f"/proc/{pid}/stat") as f:
            parent = int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return False
    return b"cs231n_course.grading.sandbox" in cmdline and parent == os.getpid()


def test_a_learner_grades_their_own_notebook(tmp_path, capsys):
    path = tmp_path / f"{NB}.ipynb"
    nbformat.write(notebook(FIRST_FOUR), path)
    assert main(["--course", str(COURSE.root), "grade", str(path)]) == 0
    out = capsys.readouterr().out
    assert "autograded total 9 / 21" in out and "NotImplementedError" in out
    assert (tmp_path / f"{NB}.feedback.html").exists()


def test_one_or_two_workers_and_a_dask_cluster_that_loses_a_worker_give_identical_grades(tmp_path):
    """The same class graded by one worker process, by two, and on a Dask cluster one of whose
    workers is killed mid-run. (That a rerun grades only what changed or was not saved, and
    --force everything: test_course_of_record.)"""
    distributed = pytest.importorskip("distributed")
    subs = tmp_path / "subs"
    for student, answers in {"a": ALL, "b": FIRST_FOUR, "c": {}}.items():
        (subs / student).mkdir(parents=True)
        nbformat.write(notebook(answers), subs / student / f"{NB}.ipynb")
    grade(subs, tmp_path / "one", workers=1)
    local = grade(subs, tmp_path / "two", workers=2)
    assert (tmp_path / "one" / "grades.csv").read_text() == (tmp_path / "two" / "grades.csv").read_text()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None, processes=True) as cluster:
        import threading

        def kill_a_worker_once_busy():
            with distributed.Client(cluster.scheduler_address) as client:
                for _ in range(300):
                    if any(client.processing().values()):
                        break
                    threading.Event().wait(0.1)
                pid = next(iter(client.run(os.getpid).values()))
                os.kill(pid, 9)

        killer = threading.Thread(target=kill_a_worker_once_busy)
        killer.start()
        remote = grade(subs, tmp_path / "dask", scheduler=cluster.scheduler_address)
        killer.join()
    assert [scores(s) for s in remote] == [scores(s) for s in local]
    assert all(s.status == "ok" for s in remote)


def grade_against_honest(tmp_path, assignment, student, change):
    """Grade two submissions of assignment: the solution ("honest") and a blank one whose cells
    change(cell) edits (student); returns {student: Submission}."""
    source = COURSE.solution(assignment)
    questions = cells.questions(source)
    for name, answers in {student: {}, "honest": dict.fromkeys(questions, "solution")}.items():
        nb = make_submission(COURSE, assignment, answers)
        for cell in nb.cells if name == student else []:
            change(cell)
        (tmp_path / "subs" / name).mkdir(parents=True)
        nbformat.write(nb, tmp_path / "subs" / name / f"{assignment}.ipynb")
    graded = cells.graded_cells(source)
    return {s.student: s for s in pipeline.grade_class(
        COURSE, find_submissions(tmp_path / "subs", assignment, graded), assignment, tmp_path / "out",
        workers=2, limits=LIMITS, progress=False)}


def test_objects_of_a_later_notebook_cannot_lie_either(tmp_path):
    """Notebook 02's exercises are classes (gates with forward/backward): gates whose every answer
    is an object equal to everything win nothing on a blank notebook, and the honest gates of the
    solution keep their points."""
    liars = LIAR + "".join(
        f"class {gate}:\n    def forward(self, *args):\n        return Liar()\n"
        f"    def backward(self, *args):\n        return (Liar(), Liar())\n"
        for gate in ("AddGate", "MulGate", "MaxGate", "SigmoidGate", "BranchGate"))

    def lie(cell):
        if cells.key(cell) == "q3_branch_gate":
            cell.source += "\n" + liars

    subs = grade_against_honest(tmp_path, "02_gate_patterns", "liar", lie)
    assert total(subs["liar"]) == 0, reasons(subs["liar"])
    honest = subs["honest"].result  # every autograded question; the written one left blank
    assert honest.auto_score == honest.auto_max_score == 21 and honest.max_score == 23


COPIES = """
import os
import cs231n_course
_path = os.path.join(os.path.dirname(cs231n_course.__file__), "reference", "layers.py")
exec(compile(open(_path).read(), _path, "exec"), globals())  # new function objects: not disabled
"""


@pytest.mark.skipif(not sandbox.bwrap_status()[0], reason="needs bubblewrap: " + sandbox.bwrap_status()[1])
def test_the_instructors_references_are_out_of_the_kernels_reach(tmp_path):
    """Private copies of the reference modules (their files executed) are not switched off by the
    hidden tests: the sandbox does not show those files, so copying them wins nothing; earlier
    notebooks' solutions reach the kernel only through cs231n_utils.mine."""
    assignment = "03_vectorized_backprop"

    def copy(cell):
        if cells.kind(cell) is cells.Kind.ANSWER:
            cell.source = COPIES

    subs = grade_against_honest(tmp_path, assignment, "copier", copy)
    assert total(subs["copier"]) == 0, reasons(subs["copier"])
    copier = nbformat.read(Record(tmp_path / "out").autograded("copier", assignment), as_version=4)
    assert "FileNotFoundError" in json.dumps([c.outputs for c in copier.cells if c.cell_type == "code"])
    honest = subs["honest"].result  # its written answers left blank
    assert honest.auto_score == honest.auto_max_score > 0


@in_class
def test_written_answers_need_manual_grading_everywhere(graded):
    """A written answer is never scored by the autograder: the results, grades.csv, totals.csv, the
    gradebook (for Formgrader), the feedback page and the score table say it needs manual grading;
    a blank or deleted one is 0 and says why; the model answer and rubric never show."""
    from nbgrader.api import Gradebook

    from cs231n_course.grading.outputs import score_table

    subs, out, _ = graded
    writes, deletes, blank = subs["writes_answers"], subs["deletes_written_answer"], subs["honest_full"]
    assert writes.status == "ok" and writes.result.cells[MANUAL].pending
    assert (writes.result.auto_score, writes.result.auto_max_score, writes.result.pending) == (21, 21, 2)
    assert deletes.result.cells[MANUAL].score == 0 and "deleted" in deletes.result.cells[MANUAL].reason
    assert blank.result.cells[MANUAL].score == 0 and "YOUR ANSWER HERE" in blank.result.cells[MANUAL].reason
    saved = json.loads(Record(out).result_path("writes_answers", NB).read_text())["result"]["cells"][MANUAL]
    assert saved["score"] is None and saved["manual"] and "needs manual grading" in saved["reason"]

    rows = {(r["student"], r["cell"]): r for r in csv.DictReader((out / "grades.csv").open())}
    row = rows["writes_answers", MANUAL]
    assert (row["grading"], row["score"], row["max_score"]) == ("manual", "", "2.0")
    assert "needs manual grading (2 points)" in row["reason"]
    assert rows["deletes_written_answer", MANUAL]["score"] == "0.0"
    assert rows["writes_answers", QUESTIONS[0] + "_test"]["grading"] == "auto"
    totals = {r["student"]: r for r in csv.DictReader((out / "totals.csv").open())}
    assert (totals["writes_answers"]["autograded_score"], totals["writes_answers"]["manual_pending"]) \
        == ("21.0", "2.0")
    assert totals["honest_full"]["manual_pending"] == "0.0"

    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        grade = gb.find_grade(MANUAL, NB, NB, "writes_answers")
        assert grade.needs_manual_grade and grade.auto_score is None
        assert gb.find_submission_notebook(NB, NB, "writes_answers").needs_manual_grade
        assert not gb.find_grade(MANUAL, NB, NB, "honest_full").needs_manual_grade

    page = Record(out).feedback("writes_answers", NB).read_text()
    assert "Needs manual grading, 2 points" in page and "Written answers worth 2 points" in page
    assert "a kink of the ReLU within h" in page and "<b>necessarily</b>" in page  # sanitized, kept
    executed = Record(out).autograded("deletes_written_answer", NB).read_text()
    assert "YOUR ANSWER HERE" in executed and "RUBRIC" in executed  # the instructor's copy: the rubric too
    for text in (page, Record(out).feedback("deletes_written_answer", NB).read_text()):
        assert "RUBRIC" not in text and "Model answer" not in text
    line = next(ln for ln in score_table([writes]).splitlines() if ln.startswith("writes_answers"))
    assert "?" in line and "21 / 21" in line and "2 points" in line


def test_a_grade_never_depends_on_an_earlier_notebook(tmp_path):
    """Notebook 04 handed in with the learner's own 03: in their whole workspace (a folder per
    notebook) with 03's affine layer wrong (the bias left out, which 04's linear classifier builds
    on), or 03 untouched, saved next to 04. Both get the same grade, the linear classifier's full
    points among it: the grader gives 04 the instructor's 03 (the references), never the learner's.
    (04 has only its first question answered: the networks after it would prove the same, slower.)"""
    nb3, nb4 = "03_vectorized_backprop", "04_neural_networks"
    source = COURSE.solution(nb4)
    every4 = {"q1_linear_classifier": "solution"}
    wrong3 = {**dict.fromkeys(cells.questions(COURSE.solution(nb3)), "solution"),
              "q3_affine_forward": "forgot the bias"}
    for assignment, answers in ((nb3, wrong3), (nb4, every4)):
        (tmp_path / "subs" / "wrong" / assignment).mkdir(parents=True)
        nbformat.write(make_submission(COURSE, assignment, answers),
                       tmp_path / "subs" / "wrong" / assignment / f"{assignment}.ipynb")
    beside = tmp_path / "subs" / "blank"
    beside.mkdir()
    nbformat.write(make_submission(COURSE, nb4, every4), beside / f"{nb4}.ipynb")
    shutil.copy(COURSE.release_path(nb3), beside / f"{nb3}.ipynb")
    graded = cells.graded_cells(source)
    subs = {s.student: s for s in pipeline.grade_class(
        COURSE, find_submissions(tmp_path / "subs", nb4, graded), nb4, tmp_path / "out",
        workers=2, limits=Limits(), progress=False)}  # 04 trains a classifier: the default limits
    assert scores(subs["wrong"]) == scores(subs["blank"])
    for student in ("wrong", "blank"):
        first = subs[student].result.cells["q1_linear_classifier_test"]
        assert first.score == first.max_score > 0, reasons(subs[student])
