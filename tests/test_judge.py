"""The trusted judge: tests run in the grader's process and call the learner's code through the
narrow channel (cs231n_course.grading.remote). Tried as a determined student would.

Each test defines the learner's code in a real IPython kernel (one shared by the tests whose code
only defines names, a fresh one for each that changes the kernel), then judges tests cells against it:
honest code passes; lying objects, frame inspection, hooks and transformers in the kernel win
nothing; the hidden tests' code and data never reach the kernel or the reason.
"""

import nbformat
import numpy as np
import pytest
from jupyter_client import KernelManager

from cs231n_course import cells
from cs231n_course.grading import remote
from cs231n_course.grading.integrity import probe_code, probe_findings
from cs231n_course.grading.judge import Judge
from cs231n_course.grading.scan import scan_cell

IMPORTS = "import numpy as np\nfrom cs231n_utils.gradcheck import rel_error\n"
SECRET = 918273  # a number only the hidden tests know


def started_kernel(cwd):
    """A real IPython kernel, as the grader prepares one; yields it and define(code), which runs
    the learner's code in it and returns its output messages."""
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(cwd))
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    kc.execute_interactive("import cs231n_course.grading.remote as _cs231n_remote", timeout=60)

    def define(code):
        outputs = []
        reply = kc.execute_interactive(code, timeout=60, output_hook=outputs.append)
        assert reply["content"]["status"] == "ok", reply["content"]
        return outputs

    yield km, define
    kc.stop_channels()
    km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """One kernel for the tests whose learner's code only defines names (each defines its own)."""
    yield from started_kernel(tmp_path_factory.mktemp("kernel"))


@pytest.fixture
def fresh_kernel(tmp_path):
    """A kernel of its own, for a test whose learner's code changes the kernel for good: its hooks,
    the judge's channel or module, numpy."""
    yield from started_kernel(tmp_path)


def judge_of(km, seconds=20):
    source = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(IMPORTS)])
    source.cells[0].metadata["nbgrader"] = cells.metadata("given", "setup")
    return Judge(km, source, seconds)


def make_tests_cell(code, grade_id="q1_f_test"):
    cell = nbformat.v4.new_code_cell(code)
    cell.metadata["nbgrader"] = cells.metadata("tests", grade_id, 2)
    return cell


def verdict(km, code, grade_id="q1_f_test"):
    judge = judge_of(km)
    try:
        cell = make_tests_cell(code, grade_id)
        return judge.run(cell), cell
    finally:
        judge.close()


HONEST = "def double(x):\n    return 2 * x\n"
VISIBLE_AND_HIDDEN = f"""\
assert double(1) == 2
assert abs(double(2.5) - 5.0) < 1e-12
### BEGIN HIDDEN TESTS
_x = {SECRET}
assert double(_x) == 2 * _x, f"double({{_x}}) is wrong"
assert rel_error(double(np.arange(3.0)), np.array([0.0, 2.0, 4.0])) < 1e-12
### END HIDDEN TESTS
"""


def test_honest_code_passes(kernel):
    km, define = kernel
    define(HONEST)
    got, cell = verdict(km, VISIBLE_AND_HIDDEN)
    assert got.score == 2 and got.reason == "" and cell.outputs == []


def test_a_visible_failure_is_named_and_a_hidden_one_says_nothing(kernel):
    km, define = kernel
    define("def double(x):\n    return 2 * x if x < 1000 else 0\n")
    got, cell = verdict(km, VISIBLE_AND_HIDDEN)
    assert got.score == 0 and got.reason == "a hidden test (other inputs) failed: AssertionError"
    assert str(SECRET) not in str(cell.outputs)
    define("def double(x):\n    return 3 * x\n")
    got, _ = verdict(km, VISIBLE_AND_HIDDEN)
    assert got.reason == "line 1: assert double(1) == 2 -> AssertionError"


def test_a_wrong_choice_is_named_as_such_without_the_right_one(kernel):
    km, define = kernel
    define("answer_wq1 = 'A'\n")
    choice = ("assert answer_wq1 in ('A', 'B')\n"
              "### BEGIN HIDDEN TESTS\nassert answer_wq1 == 'B'\n### END HIDDEN TESTS\n")
    got, cell = verdict(km, choice, grade_id="wq1_choice_test")
    assert got.score == 0
    assert got.reason == "not the expected answer (checked by a hidden test): AssertionError"
    assert "'B'" not in str(cell.outputs)


def test_the_learners_exception_keeps_its_type_and_names_the_visible_line(kernel):
    km, define = kernel
    define("def double(x):\n    if x < 0:\n        raise ValueError('negative input')\n    return 2 * x\n")
    got, _ = verdict(km, "assert double(2) == 4\nassert double(-1) == -2\n")
    assert got.reason == "line 2: assert double(-1) == -2 -> ValueError: negative input"
    got, _ = verdict(km, "try:\n    double(-1)\nexcept ValueError:\n    pass\nelse:\n    assert False\n")
    assert got.score == 2  # tests may expect the learner's ValueError


def test_a_visible_helper_called_from_a_hidden_line_is_a_hidden_failure(kernel):
    km, define = kernel
    define("def double(x):\n    return 2 * x if x < 100 else -1\n")
    code = ("def check(x, want):\n    assert double(x) == want, f'double({x}) = {double(x)}'\n"
            f"check(1, 2)\n### BEGIN HIDDEN TESTS\ncheck({SECRET}, {2 * SECRET})\n### END HIDDEN TESTS\n")
    got, _ = verdict(km, code)
    assert got.reason == "a hidden test (other inputs) failed: AssertionError"


LIARS = {
    "equal to everything": "class Liar:\n    def __eq__(self, other):\n        return True\n"
                           "    def __ne__(self, other):\n        return False\n",
    "abs() is zero": "class Liar:\n    def __sub__(self, other):\n        return self\n"
                     "    def __abs__(self):\n        return 0.0\n"
                     "    def __lt__(self, other):\n        return True\n",
    "float() reads the caller's frame": (
        "import sys\nclass Liar:\n    def __float__(self):\n"
        "        frame = sys._getframe(1)\n        return float(frame.f_locals.get('_want', 0))\n"
        "    def __array__(self, *a, **k):\n"
        "        import numpy\n        return numpy.array(self.__float__())\n"),
}


@pytest.mark.parametrize("liar", LIARS)
def test_lying_objects_cannot_pass(kernel, liar):
    km, define = kernel
    define(LIARS[liar] + "def double(x):\n    return Liar()\n")
    code = ("assert double(1) == 2\n### BEGIN HIDDEN TESTS\n_want = 8.0\n"
            "assert abs(double(4) - _want) < 1e-9\nassert rel_error(float(double(4)), _want) < 1e-9\n"
            "### END HIDDEN TESTS\n")
    got, _ = verdict(km, code)
    assert got.score == 0, got


def test_the_learners_code_cannot_read_the_tests(kernel):
    km, define = kernel
    define("import inspect, traceback, linecache, gc\nSEEN = []\n"
           "def double(x):\n"
           "    SEEN.append(repr([(f.filename, f.lineno, f.code_context) for f in inspect.stack()]))\n"
           "    SEEN.append(repr(traceback.extract_stack()))\n"
           "    SEEN.append(repr(list(linecache.cache)))\n"
           "    SEEN.append(repr([o for o in gc.get_objects()\n"
           "                      if isinstance(o, str) and 'HIDDEN' in o][:50]))\n"
           "    return 2 * x\n")
    got, _ = verdict(km, VISIBLE_AND_HIDDEN)
    assert got.score == 2
    seen = define("print(''.join(SEEN))")
    text = "".join(o["content"].get("text", "") for o in seen)
    assert "serve" in text  # it looked: it sees the channel's frames, never the test's code
    assert "BEGIN HIDDEN" not in text and "rel_error(double" not in text and "_want" not in text


TAMPERING = {
    "exception handler": "get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)",
    "ast transformer that swallows errors": (
        "import ast\nclass Swallow(ast.NodeTransformer):\n    def visit_Module(self, node):\n"
        "        node.body = [ast.Try(body=node.body, handlers=[ast.ExceptHandler(body=[ast.Pass()])],"
        " orelse=[], finalbody=[])]\n        return ast.fix_missing_locations(node)\n"
        "get_ipython().ast_transformers.append(Swallow())"),
    "input transformer": "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])",
    "session.send that turns errors into ok": (
        "k = get_ipython().kernel\n_send = type(k.session).send\n"
        "def send(self, stream, msg, *a, **kw):\n"
        "    if isinstance(msg, dict) and msg.get('msg_type') == 'error':\n        return None\n"
        "    if isinstance(msg, dict) and msg.get('content', {}).get('status') == 'error':\n"
        "        msg['content']['status'] = 'ok'\n"
        "    return _send(self, stream, msg, *a, **kw)\n"
        "type(k.session).send = send"),
    "excepthook": "import sys\nsys.excepthook = lambda *a: None",
}


@pytest.mark.parametrize("trick", TAMPERING)
def test_tampering_in_the_kernel_wins_nothing(fresh_kernel, trick):
    km, define = fresh_kernel
    define("def double(x):\n    raise NotImplementedError()\n")
    define(TAMPERING[trick])
    got, _ = verdict(km, VISIBLE_AND_HIDDEN)
    assert got.score == 0


HIJACKS = {  # the learner's double() is blank; each tries to speak for it on the judge's socket
    "garbage frame": "_cs231n_remote._channel.sendall(b'\\0' * 7 + b'\\5' + b'{{{{{')",
    "a frame of 2**60 bytes announced": "_cs231n_remote._channel.sendall((2**60).to_bytes(8, 'big'))",
    "a forged answer that claims True for every assert": (
        "_cs231n_remote.send_frame(_cs231n_remote._channel, json.dumps({'$done': {'value': True}}))"),
    "a second connection that answers first": (
        "s = socket.socket(socket.AF_UNIX)\n"
        "    s.connect(glob.glob(tempfile.gettempdir() + '/cs231n-judge-*/judge-*.sock')[0])\n"
        "    _cs231n_remote.send_frame(s, json.dumps({'$ready': 1}))\n"
        "    _cs231n_remote.send_frame(s, json.dumps({'$done': {'value': True}}))"),
}


@pytest.mark.parametrize("hijack", HIJACKS)
def test_the_channel_cannot_be_hijacked(fresh_kernel, hijack):
    km, define = fresh_kernel
    define("import glob, json, socket, tempfile\ndef double(x):\n    " + HIJACKS[hijack] + "\n"
           "    raise NotImplementedError()\n")
    judge = judge_of(km, seconds=5)
    try:
        assert judge.run(make_tests_cell(VISIBLE_AND_HIDDEN)).score == 0
        define("def double(x):\n    return 2 * x\n")  # the kernel and the judge go on
        assert judge.run(make_tests_cell(VISIBLE_AND_HIDDEN)).score == 2
    finally:
        judge.close()


def test_callbacks_nested_requests_and_changes_in_place(kernel):
    km, define = kernel
    define("class Box:\n    def __init__(self, v):\n        self.v = v\n"
           "def apply(f, x):\n    return f(x) + 1\n"
           "def boxes(make, values):\n    return [make(v).v for v in values]\n"
           "def scale_all(arrays, k):\n    for a in arrays:\n        a *= k\n    return len(arrays)\n"
           "def step(model, lr):\n    for name, w in model.params.items():\n"
           "        model.params[name] -= lr * model.grads[name]\n")
    code = """\
from cs231n_utils.testing import in_place
assert apply(lambda t: t * 10, 4) == 41
assert boxes(lambda v: Box(v * 2), [1, 2]) == [2, 4]  # the judge's function makes learner objects
_arrays = [np.ones(3), np.ones((2, 2))]
_ids = [id(a) for a in _arrays]
assert scale_all(in_place(_arrays), 3.0) == 2 and [id(a) for a in _arrays] == _ids
assert all(np.all(a == 3.0) for a in _arrays)
class _Model:
    def __init__(self):
        self.params = {"w": np.array([1.0, 2.0])}
        self.grads = {"w": np.array([10.0, 10.0])}
_m = _Model()
_w = _m.params["w"]
step(in_place(_m), 0.1)
assert np.allclose(_m.params["w"], [0.0, 1.0]) and _m.params["w"] is _w
_b = Box(5)
_b.v = 7
assert _b.v == 7 and (Box(2).v + Box(3).v) == 5
"""
    got, _ = verdict(km, code)
    assert got.score == 2, got.reason


def test_a_hanging_answer_times_out_and_the_kernel_goes_on(kernel):
    km, define = kernel
    define("import time\ndef double(x):\n    while True:\n        time.sleep(0.01)\n")
    judge = judge_of(km, seconds=3)
    try:
        got = judge.run(make_tests_cell("assert double(1) == 2\n"))
        assert got.score == 0 and "time limit" in got.reason
        define("def double(x):\n    return 2 * x\n")
        assert judge.run(make_tests_cell("assert double(1) == 2\n")).score == 2
    finally:
        judge.close()


def test_only_plain_data_crosses_the_channel():
    value = {"a": (1, 2.5, None, True, "s"), 3: [np.arange(4), np.float64(1.5), np.int64(7)],
             "x": float("nan"), "y": float("-inf")}
    back = remote.decode(remote.encode(value))
    assert back["a"] == (1, 2.5, None, True, "s") and back[3][1:] == [1.5, 7]
    assert np.array_equal(back[3][0], np.arange(4)) and np.isnan(back["x"]) and back["y"] == -np.inf
    for bad in (np.array([object()], dtype=object), object(), {1, 2}, np.array(["s"])):
        with pytest.raises(remote.ChannelError):
            remote.encode(bad)
    with pytest.raises(remote.ChannelError):  # a pickled array is refused, not unpickled
        import base64
        import io

        buffer = io.BytesIO()
        np.save(buffer, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
        remote.decode({"$nd": base64.b64encode(buffer.getvalue()).decode()})
    nested = []
    for _ in range(100):
        nested = [nested]
    with pytest.raises(remote.ChannelError):
        remote.encode(nested)
    with pytest.raises(remote.ChannelError):
        remote.decode({"$handle": 3})  # no handles where none are expected


ZEROES_ITS_INPUTS = ("def clip(grads, limit):\n    for g in grads.values():\n        g[...] = 0.0\n"
                     "    return 0.0\n"
                     "def step(model, lr):\n    for name in model.params:\n"
                     "        model.params[name] -= lr\n")


def test_the_tests_arguments_and_objects_stay_theirs_unless_a_test_asks(kernel):
    km, define = kernel
    define(ZEROES_ITS_INPUTS)
    code = """\
from cs231n_utils.testing import in_place
_grads = {"w": np.ones(3)}
clip(_grads, 1.0)
assert np.all(_grads["w"] == 1.0)  # the learner zeroed its copy
class _Model:
    params = {"w": np.ones(2)}
_m = _Model()
step(_m, 0.5)
assert np.all(_m.params["w"] == 1.0)
clip(in_place(_grads), 1.0)  # asked for: the changes come back
assert np.all(_grads["w"] == 0.0)
step(in_place(_m), 0.5)
assert np.all(_m.params["w"] == 0.5)
"""
    got, _ = verdict(km, code)
    assert got.score == 2, got.reason


def test_write_back_takes_only_the_arrays_served_in_that_request(fresh_kernel):
    km, define = fresh_kernel
    # the kernel's half is the learner's to rewrite: it claims to have read other attributes
    define("import numpy as np\ndef forge(model):\n    model.w\n"
           "    for name in ('secret', '_private', '__class__'):\n"
           "        _cs231n_remote._fetched.append([model._n, 'getattr', name, np.zeros(2)])\n"
           "    try:\n        model._ask({'op': 'getattr', 'name': '__class__'})\n"
           "    except AttributeError as e:\n        return str(e)\n")
    code = """\
from cs231n_utils.testing import in_place
class _Model:
    def __init__(self):
        self.w, self.secret, self._private = np.ones(2), np.ones(2), np.ones(2)
_m = in_place(_Model())
assert forge(_m) == "your code may use only the public attributes of the test's objects"
assert np.all(_m.secret == 1.0) and np.all(_m._private == 1.0) and type(_m) is _Model
"""
    got, _ = verdict(km, code)
    assert got.score == 2, got.reason


def peak_growth_mb(action):
    """How far the judge's (this process's) resident memory rose above its level while action ran."""
    def status(key):
        with open("/proc/self/status") as f:
            return int(next(ln for ln in f if ln.startswith(key)).split()[1]) / 1024

    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # the peak starts again from here
    before = status("VmRSS:")
    action()
    return status("VmHWM:") - before


BOUND_MB = 200  # what one submission may make the judge hold (a whole MAX_FRAME message fits in it)
OVER_THE_CAPS = {  # the learner's code; the tests cell; what the reason says
    "ten times the handles allowed": (
        "class O:\n    pass\ndef f(x):\n    return [O() for _ in range(10_000)]\n",
        "for _ in range(10):\n    f(1)\n", "more than 10,000 of its objects"),
    "a 3 GB string built by the test's function": (
        "def f(x):\n    return x('x', 3_000_000_000)\n",
        "f(lambda s, n: s * n)\n", "an int over 10,000,000"),
    "a list of 20,000 items for the test's function": (
        "def f(x):\n    return x([0] * 20_000)\n", "f(len)\n", "over 10,000 items"),
    "a message of 100 MB": (
        "import numpy as np\ndef f(x):\n    return np.zeros(12_500_000)\n", "f(1)\n",
        "bytes, over the limit of 67,108,864"),
    "a million empty lists in one message": (
        "def f(x):\n    return [[] for _ in range(1_000_000)]\n", "f(1)\n", "lists and dicts"),
    "nesting fifty thousand deep": (
        "def f(x):\n    _cs231n_remote.send_frame(_cs231n_remote._channel,\n"
        "        '{\"$done\": {\"value\": ' + '[' * 50_000 + ']' * 50_000 + '}}')\n    return 1\n",
        "f(1)\n", "stopped answering"),
}


@pytest.mark.parametrize("attack", OVER_THE_CAPS)
def test_a_submission_over_the_channels_limits_gets_an_error_and_the_judge_does_not_grow(kernel, attack):
    km, define = kernel
    learner, code, reason = OVER_THE_CAPS[attack]
    define(learner + "def double(x):\n    return 2 * x\n")
    judge = judge_of(km)
    try:
        got = {}
        grew = peak_growth_mb(lambda: got.update(result=judge.run(make_tests_cell(code))))
        assert got["result"].score == 0 and reason in got["result"].reason, got["result"].reason
        assert grew < BOUND_MB, f"the judge grew by {grew:.0f} MB"
        after = judge.run(make_tests_cell("assert double(2) == 4\n"))  # the next cell is judged
        per_notebook = attack == "ten times the handles allowed"  # (and handles stay over the cap)
        assert after.score == 2 or per_notebook and reason in after.reason
    finally:
        judge.close()


def test_the_bytes_received_are_capped_per_notebook(kernel, monkeypatch):
    from cs231n_course.grading import channel

    monkeypatch.setattr(channel, "MAX_BYTES", 30 * 1024**2)  # 2 GiB in the grader: too slow to send here
    km, define = kernel
    define("import numpy as np\ndef f(x):\n    return np.zeros(1_000_000)\n")  # 10.7 MB a message
    judge = judge_of(km)
    try:
        assert judge.run(make_tests_cell("f(1)\nf(1)\n")).score == 2
        got = judge.run(make_tests_cell("f(1)\n"))  # over 30 MB for the notebook
        assert got.score == 0 and "over the limit" in got.reason, got.reason
    finally:
        judge.close()


SILENCES_THE_PROBE = {
    "rebinds the old name": "class _cs231n_integrity:\n    verify = staticmethod(fake)\n",
    "rebinds verify through sys.modules": (
        "import sys\nsys.modules['cs231n_course.grading.integrity'].verify = fake\n"),
}


@pytest.mark.parametrize("attack", SILENCES_THE_PROBE)
def test_the_integrity_probe_cannot_be_silenced(fresh_kernel, attack):
    """A submission that changes numpy and gives the probe a verify() that says nothing changed."""
    km, define = fresh_kernel
    define("__import__('cs231n_course.grading.integrity', fromlist=['snapshot']).snapshot()")
    fake = ("import hashlib, json\nimport numpy as np\nnp.allclose = lambda *a, **k: True\n"
            "def fake(nonce):\n    print(json.dumps({'probe': hashlib.sha256(nonce.encode()).hexdigest(),"
            " 'changed': []}))\n")
    learner = fake + SILENCES_THE_PROBE[attack]
    define(learner)
    nonce = "f00d" * 8
    printed = "".join(m["content"]["text"] for m in define(probe_code(nonce)) if m["msg_type"] == "stream")
    cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("stream", name="stdout", text=printed)])
    findings = probe_findings(cell, nonce)
    found = scan_cell(learner, {"np", "hashlib", "json"}, set())
    # the probe sees the change, unless the learner's code reached the module, which the scan flags
    assert "changed functions.numpy.allclose" in findings or "uses .modules" in found, (findings, found)
    assert any("_cs231n_" in f or "modules" in f for f in found), found


def test_the_scan_flags_every_way_to_the_graders_names():
    for code in ("_cs231n_integrity.verify = print", "import __main__",
                 "getattr(m, '_cs231n_remote')", "from cs231n_course.grading import integrity",
                 "x = _cs231n_probe_0123.verify"):
        assert scan_cell(code, set(), set()), code
