"""The trusted judge: graded tests run here, in the grader's process, never in the learner's kernel.

A tests cell's code (its visible and hidden tests) is executed in the judge with the notebook's
imports (numpy, the course helpers) as the judge's own trusted copies. Every other name it uses
(`numerical_derivative`, `Value`, a trained `convnet`) is fetched from the learner's kernel through
the narrow channel of remote.py: plain data is copied, anything else becomes a RemoteObject whose
calls, attributes, items and arithmetic are requests to the kernel. The verdict is computed here:
the cell passes when its code raises nothing. The learner's code never sees the tests' code, their
expected values or the judge's frames; lying objects cannot be compared or converted.

Rules for what a test may do with the learner's objects (docs/architecture.md):
1. call them, get and set their attributes and items, and use + - * / @ ** on them; but not
   compare them, test their truth or turn them into numbers: take a plain value first (`.grad`);
2. arguments are copied into the kernel; changes the learner's code makes to arrays, lists and
   dicts it was given are copied back in place after the call (aliasing between arguments is not);
3. a function or object a test passes in is called back in the judge, and must not itself use
   the learner's objects;
4. the notebook's given cells are the kernel's: names they define are the learner's too.

A failed tests cell's reason names its failing line when that line is visible, and only says that a
hidden test failed when any of its frames lies in the hidden tests: their code and data never reach
the learner. The integrity probe (integrity.py, run in the kernel after the notebook) remains as
a second line of defence that marks tampering `flagged`.
"""

import ast
import builtins
import contextlib
import hashlib
import io
import json
import os
import secrets
import socket
import time
import traceback
import types

import nbformat
import numpy as np
import zmq

from .. import cells
from .remote import ChannelError, decode, encode, recv_frame, send_frame
from .results import CellResult
from .scan import PARSE_LOCK


def probe_code(nonce):
    """The last cell run in the kernel: it prints what changed since the snapshot."""
    return f"_cs231n_integrity.verify({nonce!r})"


def probe_findings(cell, nonce):
    """What the integrity probe found changed; a finding too when it did not answer properly."""
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


HIDDEN = "### BEGIN HIDDEN TESTS"


class RemoteError(Exception):
    """The learner's kernel failed to answer (it died, hung, or its channel was tampered with)."""


class Channel:
    """Requests to the learner's kernel. While a tests cell runs, the kernel runs one serving loop
    (`_cs231n_remote.serve_loop(path)`, a single execute_request) connected to a Unix socket of
    the judge's, made for that loop in a folder the kernel sees (its connection file's: in the
    sandbox, its work dir) and removed once the loop has connected. Every request, answer and
    callback is one frame on that connection: no code to parse, and a round trip costs tens of
    microseconds, not a trip through the kernel's message loop."""

    def __init__(self, km, seconds, client=None):
        self.km, self.seconds = km, seconds
        self.kc = client  # a blocking client of km's, channels started and ready (else one is made)
        if self.kc is None:
            self.kc = km.blocking_client()
            self.kc.start_channels()
            self.kc.wait_for_ready(timeout=30)
        self.proxies, self.callbacks, self.callback_depth = {}, {}, 0
        self.loop = None  # msg_id of the serving loop, while the kernel waits in it for requests
        self.conn = None  # its connection
        self.folder = os.path.dirname(os.path.abspath(km.connection_file))

    def close(self):
        self._disconnect()
        self.kc.stop_channels()

    # -- encoding ----------------------------------------------------------------------------
    def _wrap(self, obj):
        if isinstance(obj, RemoteObject):
            return {"$handle": object.__getattribute__(obj, "_n")}
        self.callbacks[id(obj)] = obj
        return {"$callback": id(obj)}

    def _unwrap(self, tag, n):
        if tag == "$callback":
            if n not in self.callbacks:
                raise ChannelError("the kernel named a callback the judge never gave it")
            return self.callbacks[n]
        if n not in self.proxies:
            self.proxies[n] = RemoteObject(self, n)
        return self.proxies[n]

    # -- requests ----------------------------------------------------------------------------
    def request(self, **request):
        """Send one request; returns the decoded answer, or raises the learner's error."""
        if self.callback_depth:  # answering a callback: the kernel waits for our reply to it
            self._send(json.dumps({"request": request}))
            text = self._wait("$answer")
        else:
            if self.loop is None:
                self._start_loop()
            self._send(json.dumps(request))
            text = self._wait("$done")
        try:
            answer = json.loads(text)
            error = answer.get("error")
            if not error:
                value = decode(answer["value"], self._unwrap)
                changed = [(i, decode(a, self._unwrap)) for i, a in answer.get("changed", [])]
                for n, kind, key, array in answer.get("fetched", []):
                    self._write_back(n, kind, key, decode(array))
        except (ValueError, KeyError, TypeError, AttributeError, ChannelError) as e:
            raise RemoteError(f"the kernel's answer was not plain data ({type(e).__name__}: {e})") from None
        if error:
            raise _learner_error(error)
        return (value, changed) if request["op"] == "call" else value

    def _start_loop(self):
        """Start the kernel's serving loop on a fresh socket, take its connection, and remove
        the socket: nothing else can connect to this loop afterwards."""
        self._disconnect()
        path = os.path.join(self.folder, f"judge-{secrets.token_hex(8)}.sock")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(path)
            try:
                os.chmod(path, 0o666)  # the kernel's user may differ; its folder is its own
                listener.listen(1)
                self.loop = self.kc.execute(f"_cs231n_remote.serve_loop({path!r})", silent=False,
                                            store_history=False, allow_stdin=False, stop_on_error=False)
                self._until_readable(listener)
                self.conn, _ = listener.accept()
            finally:
                os.unlink(path)
        self._wait("$ready")

    def end(self):
        """End the serving loop: the kernel is free for the notebook's next cell."""
        if self.loop is not None:
            with contextlib.suppress(OSError):
                self._send("")
            self._idle(self.loop, 10)
            self.loop = None
        self._disconnect()

    def _disconnect(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _send(self, text):
        try:
            send_frame(self.conn, text)
        except (OSError, AttributeError):
            raise RemoteError("the kernel stopped answering the judge") from None

    def _write_back(self, n, kind, key, array):
        """An array the learner's code read from a test's object, and maybe changed in place."""
        target = self.callbacks[n]
        original = getattr(target, key) if kind == "getattr" else target[decode(key, self._unwrap)]
        _copy_back(original, array)

    def _wait(self, expected):
        """The JSON text of the next message `expected` ($ready, $done, $answer) from the kernel;
        the learner's code calling back ($judge) is served meanwhile."""
        while True:
            self._until_readable(self.conn)
            try:
                self.conn.settimeout(self.seconds)  # a frame, once begun, comes whole
                message = _message(recv_frame(self.conn))
            except (OSError, ValueError):
                raise RemoteError("the kernel stopped answering the judge") from None
            if expected in message:
                return json.dumps(message[expected])
            if "$judge" not in message:
                raise RemoteError("the kernel answered out of turn")
            self._answer_callback(message)

    def _until_readable(self, sock):
        """Wait until sock has something to read, within the learner's time for one request;
        fail when the kernel dies or its serving loop ends (the learner's code broke it)."""
        poller = zmq.Poller()
        poller.register(self.kc.iopub_channel.socket, zmq.POLLIN)
        poller.register(sock, zmq.POLLIN)
        deadline = time.monotonic() + self.seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self._interrupt()
                raise TimeoutError(f"the learner's code ran over the cell's time limit ({self.seconds:g} s)")
            if not self.km.is_alive():
                raise RemoteError("the learner's kernel died")
            events = dict(poller.poll(min(left, 1.0) * 1000))
            if sock.fileno() in events:  # (raw sockets come back as their fd)
                return
            if self.kc.iopub_channel.socket in events:
                msg = self.kc.iopub_channel.get_msg(timeout=0)
                if (msg["parent_header"].get("msg_id") == self.loop and msg["msg_type"] == "status"
                        and msg["content"]["execution_state"] == "idle"):
                    self.loop = None
                    raise RemoteError("the kernel stopped answering the judge")

    def _idle(self, msg_id, seconds):
        """Wait (a little) until the kernel has finished execute_request msg_id."""
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            try:
                msg = self.kc.iopub_channel.get_msg(timeout=max(0.01, until - time.monotonic()))
            except Exception:  # queue.Empty: the kernel stays busy; the next request will say so
                return
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"]["execution_state"] == "idle"):
                return

    def _interrupt(self):
        """Interrupt the learner's code (the serving loop ends with it), and wait until idle."""
        self.km.interrupt_kernel()
        if self.loop is not None:
            self._idle(self.loop, 10)
            self.loop = None

    def _answer_callback(self, prompt):
        """The learner's code used a function or object a test passed in: do it here."""
        self.callback_depth += 1
        try:
            request = prompt["$judge"]
            target = self.callbacks[request["callback"]]
            op = request["op"]
            if op == "call":
                args, kwargs = decode(request["args"], self._unwrap), decode(request["kwargs"], self._unwrap)
                value = target(*args, **kwargs)
            elif op == "getattr" and not str(request["name"]).startswith("_"):
                value = getattr(target, request["name"])
            elif op == "getitem":
                value = target[decode(request["key"], self._unwrap)]
            elif op == "setitem":  # `params[k] -= ...` on an array changes that array, as in Python
                key, new = decode(request["key"], self._unwrap), decode(request["value"], self._unwrap)
                old = target[key] if _has(target, key) else None
                if isinstance(old, np.ndarray) and isinstance(new, np.ndarray) and old.shape == new.shape:
                    _copy_back(old, new)
                else:
                    target[key] = new
                value = None
            elif op == "list":
                value = list(target)
            else:
                raise ChannelError("unexpected callback request")
            if op in ("getattr", "getitem") and type(value) in (dict, list):
                reply = {"value": self._wrap(value)}  # the test's dict stays the test's: changes reach it
            else:
                reply = {"value": encode(value, self._wrap)}
        except Exception as e:  # the test's function failed, or the request was garbage
            reply = {"error": {"type": type(e).__name__, "message": str(e)[:500]}}
        finally:
            self.callback_depth -= 1
        self._send(json.dumps(reply))

    # -- what a test sees ----------------------------------------------------------------------
    def fetch(self, name):
        return self.request(op="get", name=name)

    def call(self, target, args, kwargs):
        where = {"obj": object.__getattribute__(target, "_n")}
        value, changed = self.request(op="call", **where, args=encode(list(args), self._wrap),
                                      kwargs=encode(kwargs, self._wrap))
        for i, new in changed:  # the learner's code changed an argument in place
            if 0 <= i < len(args):
                _copy_back(args[i], new)
        return value


def _has(container, key):
    try:
        container[key]
    except (KeyError, IndexError, TypeError):
        return False
    return True


def _message(text):
    message = json.loads(text)
    if type(message) is not dict:
        raise ValueError("not a message")
    return message


class LearnerError(Exception):
    """An exception the learner's code raised in its kernel, of a type the tests cannot catch."""


def _learner_error(error):
    if type(error) is not dict:
        return RemoteError("the kernel's answer was not plain data")
    kind = getattr(builtins, str(error.get("type", "")), None)
    message = str(error.get("message", ""))[:2000]
    if isinstance(kind, type) and issubclass(kind, Exception) and kind.__module__ == "builtins":
        return kind(message)  # ValueError, AssertionError, ...: tests may expect and catch these
    return LearnerError(f"{error.get('type')}: {message}")


def _copy_back(original, changed):
    """Put the learner's in-place changes to arrays, lists and dicts into the judge's objects."""
    if isinstance(original, np.ndarray) and isinstance(changed, np.ndarray):
        if original.shape == changed.shape and original.flags.writeable:
            np.copyto(original, changed, casting="unsafe")
    elif type(original) is list and type(changed) is list:
        for i, (a, b) in enumerate(zip(original, changed, strict=False)):
            if isinstance(a, np.ndarray | list | dict):
                _copy_back(a, b)
            else:
                original[i] = b
        original[len(changed):] = []
        original.extend(changed[len(original):])
    elif type(original) is dict and type(changed) is dict:
        for key in [k for k in original if k not in changed]:
            del original[key]
        for key, value in changed.items():
            if key in original and isinstance(original[key], np.ndarray | list | dict):
                _copy_back(original[key], value)
            else:
                original[key] = value


def _refuse(what):
    def method(self, *args):
        raise TypeError(f"the test needs a plain value here, but your code gave an object of its own "
                        f"({what}); return numbers, arrays, tuples, lists or dicts")
    return method


class RemoteObject:
    """An object of the learner's kernel, used from a test through the channel."""

    __slots__ = ("_channel", "_n", "__weakref__")

    def __init__(self, channel, n):
        object.__setattr__(self, "_channel", channel)
        object.__setattr__(self, "_n", n)

    def _request(self, **request):
        return object.__getattribute__(self, "_channel").request(
            obj=object.__getattribute__(self, "_n"), **request)

    def __getattribute__(self, name):  # the learner's class and its name: asked of the kernel
        if name in ("__class__", "__name__", "__qualname__", "__module__"):
            return object.__getattribute__(self, "_request")(op="getattr", name=name)
        return object.__getattribute__(self, name)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._request(op="getattr", name=name)

    def __setattr__(self, name, value):
        channel = object.__getattribute__(self, "_channel")
        self._request(op="setattr", name=name, value=encode(value, channel._wrap))

    def __call__(self, *args, **kwargs):
        return object.__getattribute__(self, "_channel").call(self, args, kwargs)

    def __getitem__(self, key):
        channel = object.__getattribute__(self, "_channel")
        return self._request(op="getitem", key=encode(key, channel._wrap))

    def __setitem__(self, key, value):
        channel = object.__getattribute__(self, "_channel")
        self._request(op="setitem", key=encode(key, channel._wrap), value=encode(value, channel._wrap))

    def __iter__(self):
        return iter(self._request(op="list"))

    def __len__(self):
        return len(self._request(op="list"))

    def __repr__(self):
        return "<an object of your code>"

    __hash__ = object.__hash__
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse("compared")
    __bool__ = _refuse("tested for truth")
    __float__ = __int__ = __index__ = __complex__ = __abs__ = __round__ = _refuse("converted to a number")
    __array__ = _refuse("converted to an array")


def _operator(name, reflected=False):
    def method(self, *other):
        channel = object.__getattribute__(self, "_channel")
        operands = [self, *other][::-1] if reflected else [self, *other]
        return channel.request(op="operator", name=name, operands=encode(operands, channel._wrap))
    return method


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul"):
    setattr(RemoteObject, f"__{_name}__", _operator(_name))
    setattr(RemoteObject, f"__r{_name}__", _operator(_name, reflected=True))
for _name in ("neg", "pos"):
    setattr(RemoteObject, f"__{_name}__", _operator(_name))


# ------------------------------------------------------------------------------ the test runner



def imports_of(source_nb):
    """The import statements of the notebook's given cells: the judge runs its own copies, but for
    `from cs231n_utils.mine import ...`."""
    found = []
    for cell in source_nb.cells:
        if cell.cell_type == "code" and cells.kind(cell) is cells.Kind.GIVEN:
            try:
                with PARSE_LOCK:
                    tree = ast.parse("\n".join(ln for ln in cell.source.splitlines()
                                                if not ln.lstrip().startswith("%")))
            except SyntaxError:
                continue
            # the learner's own functions (cs231n_utils.mine) are the kernel's, fetched like its other names
            found += [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)
                      and getattr(node, "module", None) != "cs231n_utils.mine"]
    return ast.Module(found, type_ignores=[])


def free_names(tree):
    """Names a piece of code reads that it never binds itself."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return read - bound


class Judge:
    """Runs one notebook's tests cells against one learner's kernel."""

    def __init__(self, km, source_nb, seconds, client=None):
        self.channel = Channel(km, seconds, client)
        self.seconds = seconds
        self.printed = io.StringIO()
        own = dict(vars(builtins), __import__=self._import,
                   print=lambda *a, **k: builtins.print(*a, **{**k, "file": self.printed}))
        self.namespace = {"__name__": "__judge__", "__builtins__": own}
        tree = imports_of(source_nb)
        with PARSE_LOCK:
            imports = compile(tree, "<the notebook's imports>", "exec")
        exec(imports, self.namespace)
        self.trusted = set(self.namespace)

    def _import(self, name, *args, **kwargs):
        """Imports in tests are the judge's own, but for `reference_disabled` and
        `notebook_names_replaced`, which must act in the learner's kernel."""
        module = builtins.__import__(name, *args, **kwargs)
        if name == "cs231n_utils.testing" and (args[2:3] or [kwargs.get("fromlist")])[0]:
            return types.SimpleNamespace(reference_disabled=self._reference_disabled,
                                         notebook_names_replaced=self._notebook_names_replaced)
        return module

    @contextlib.contextmanager
    def _reference_disabled(self, *functions):
        names = [f"{f.__module__}:{f.__qualname__}" for f in functions]
        self.channel.request(op="disable", names=names)
        try:
            yield
        finally:
            self.channel.request(op="restore", names=names)

    @contextlib.contextmanager
    def _notebook_names_replaced(self, **replacements):
        channel = self.channel
        saved = {name: channel.fetch(name) for name in replacements}
        try:
            for name, value in replacements.items():
                channel.request(op="set", name=name, value=encode(value, channel._wrap))
            yield
        finally:
            for name, value in saved.items():
                channel.request(op="set", name=name, value=encode(value, channel._wrap))

    def close(self):
        self.channel.close()

    def run(self, cell):
        """Run one tests cell; fills in its outputs; returns the CellResult."""
        max_score = cells.points(cell)
        source = cell.source
        printed = self.printed = io.StringIO()
        try:
            with PARSE_LOCK:
                tree = ast.parse(source)
                code = compile(tree, f"<tests {cells.key(cell)}>", "exec")
            for name in sorted(free_names(tree) - self.trusted - set(dir(builtins))):
                try:
                    self.namespace[name] = self.channel.fetch(name)
                except KeyError:
                    self.namespace.pop(name, None)  # not defined by the learner: NameError below
            exec(code, self.namespace)
        except Exception as e:
            result = CellResult(0.0, max_score, failure_reason(e, source, cells.key(cell)))
            cell.outputs = _outputs(printed) + [nbformat.v4.new_output(
                "error", ename=type(e).__name__, evalue=result.reason, traceback=[result.reason])]
            return result
        finally:
            self.channel.end()
        cell.outputs = _outputs(printed)
        return CellResult(max_score, max_score)


def _outputs(printed):
    text = printed.getvalue()
    return [nbformat.v4.new_output("stream", name="stdout", text=text)] if text else []


def failure_reason(error, source, grade_id):
    """Why a tests cell failed: its failing line when visible; when any frame of the cell lies in
    the hidden tests (a visible helper called from a hidden line too), only the exception's type."""
    lines = source.splitlines()
    hidden_from = next((i + 1 for i, ln in enumerate(lines) if ln.strip() == HIDDEN), len(lines) + 1)
    frames = [f.lineno for f in traceback.extract_tb(error.__traceback__)
              if f.filename == f"<tests {grade_id}>"]
    kind = type(error).__name__
    if any(line >= hidden_from for line in frames):
        if cells.is_written_question(grade_id):  # a choice or a number: hidden tests hold the answer
            return f"not the expected answer (checked by a hidden test): {kind}"
        return f"a hidden test (other inputs) failed: {kind}"
    message = f": {error}" if str(error) else ""
    where = f"line {frames[-1]}: {lines[frames[-1] - 1].strip()} -> " if frames else ""
    return f"{where}{kind}{message}".splitlines()[0][:300]
