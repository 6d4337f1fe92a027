"""The narrow channel between the trusted judge and the learner's kernel.

Only plain data crosses it, as JSON: None, bools, numbers, strings, numpy arrays of numeric or
bool dtype (as `.npy` bytes, read back with allow_pickle=False), and tuples, lists and dicts of
these. Anything else stays where it lives and crosses as a handle: {"$handle": n} names an object
in the kernel, {"$callback": n} one in the judge. Nothing is ever unpickled.

This module has two halves. `encode`/`decode` and the framing (`send_frame`/`recv_frame`: an
8-byte length, then the JSON text) are used on both sides. `serve_loop` runs in the kernel
(imported there before the learner's code, as `_cs231n_remote`): it connects to the judge's Unix
socket, answers one JSON request with one JSON answer until the judge sends an empty frame, and
when the learner's code calls something of the judge's (a function a test passed in), it asks
the judge on the same socket.
The learner's code can rewrite this half inside its own kernel; that can only spoil its own
answers, since the judge decodes, type-checks and compares everything itself.
"""

import base64
import builtins
import copy
import importlib
import io
import json
import operator
import socket
import struct

import numpy as np

from cs231n_utils.testing import reference_disabled

NUMERIC_KINDS = "biufc"  # bool, int, unsigned, float, complex
MAX_DEPTH = 32
MAX_FRAME = 64 * 1024 * 1024  # bytes of one message: several times any test's arrays
_HEADER = struct.Struct(">Q")


class ChannelError(TypeError):
    """Something that is not plain data where plain data was required."""


def encode(value, wrap=None, depth=0):
    """JSON-able form of a value; wrap(obj) -> {"$handle"/"$callback": n} for what is not plain."""
    if depth > MAX_DEPTH:
        raise ChannelError("value nested too deeply")
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float) and type(value) in (int, float, bool):
        return value if not isinstance(value, float) or np.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, np.generic) and value.dtype.kind in NUMERIC_KINDS and value.dtype.kind != "c":
        return encode(value.item(), wrap, depth)
    if isinstance(value, np.ndarray) and value.dtype.kind in NUMERIC_KINDS:
        buffer = io.BytesIO()
        np.save(buffer, np.ascontiguousarray(value), allow_pickle=False)
        return {"$nd": base64.b64encode(buffer.getvalue()).decode()}
    if type(value) in (list, tuple):
        items = [encode(v, wrap, depth + 1) for v in value]
        return items if type(value) is list else {"$tuple": items}
    if type(value) is dict:
        return {"$dict": [[encode(k, wrap, depth + 1), encode(v, wrap, depth + 1)] for k, v in value.items()]}
    if wrap is None:
        raise ChannelError(f"a {type(value).__name__} object is not plain data")
    return wrap(value)


def decode(data, unwrap=None, depth=0):
    """The value of encode()'s output; unwrap(tag, n) -> the object a handle or callback names."""
    if depth > MAX_DEPTH:
        raise ChannelError("value nested too deeply")
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:
        return [decode(v, unwrap, depth + 1) for v in data]
    if type(data) is not dict or len(data) != 1:
        raise ChannelError("malformed value on the channel")
    (tag, body), = data.items()
    if tag == "$nd" and type(body) is str:
        try:
            array = np.load(io.BytesIO(base64.b64decode(body)), allow_pickle=False)
        except ValueError as e:  # e.g. an object array, which would need unpickling
            raise ChannelError(f"not a plain array ({e})") from None
        if array.dtype.kind not in NUMERIC_KINDS:
            raise ChannelError(f"an array of dtype {array.dtype} is not plain data")
        return array
    if tag == "$float" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "$tuple" and type(body) is list:
        return tuple(decode(v, unwrap, depth + 1) for v in body)
    if tag == "$dict" and type(body) is list:
        pairs = [decode(p, unwrap, depth + 1) for p in body]
        if not all(type(p) is list and len(p) == 2 for p in pairs):
            raise ChannelError("malformed dict on the channel")
        try:
            return {k: v for k, v in pairs}
        except TypeError:
            raise ChannelError("an unhashable dict key on the channel") from None
    if tag in ("$handle", "$callback") and type(body) is int and unwrap is not None:
        return unwrap(tag, body)
    raise ChannelError(f"unexpected {tag!r} on the channel")


def send_frame(sock, text):
    """Send one message (a str; "" ends the serving loop)."""
    data = text.encode()
    sock.sendall(_HEADER.pack(len(data)) + data)


def recv_frame(sock, limit=MAX_FRAME):
    """Receive one message as a str; ConnectionError when the other side is gone, ChannelError
    (before reading it) when the message is longer than limit bytes."""
    (size,) = _HEADER.unpack(_recv_exactly(sock, _HEADER.size))
    if size > limit:
        raise ChannelError(f"a message of {size:,} bytes, over the limit of {limit:,}")
    return _recv_exactly(sock, size).decode()


def _recv_exactly(sock, size):
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise ConnectionError("the other side closed the channel")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# ----------------------------------------------------------------------------- the kernel's half

_objects = {}  # handle number -> object of the kernel that the judge holds a handle to
_OPERATORS = {name: getattr(operator, name) for name in
              ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "neg", "pos")}


def _wrap(obj):
    if isinstance(obj, _JudgeObject):
        return {"$callback": obj._n}
    key = id(obj)
    _objects[key] = obj
    return {"$handle": key}


def _unwrap(tag, n):
    if tag == "$handle":
        return _objects[n]
    return _JudgeObject(n)


class _JudgeObject:
    """Something of the judge's (a test's function, a recording model, its dict of parameters):
    every use asks the judge. Arrays read from it are written back when the request ends, so that
    updating them in place works as it would on the judge's own objects."""

    def __init__(self, n):
        object.__setattr__(self, "_n", n)

    def _ask(self, request):
        message = {"$judge": {"callback": self._n, **request}}
        while True:
            send_frame(_channel, json.dumps(message))
            answer = json.loads(recv_frame(_channel))
            if "request" not in answer:
                break
            message = {"$answer": json.loads(serve(json.dumps(answer["request"]), nested=True))}
        if "error" in answer:
            raise _exception(answer["error"])
        value = decode(answer["value"], _unwrap)
        if isinstance(value, np.ndarray) and request["op"] in ("getattr", "getitem"):
            _fetched.append([self._n, request["op"], request.get("name", request.get("key")), value])
        return value

    def __call__(self, *args, **kwargs):
        return self._ask({"op": "call", "args": encode(list(args), _wrap), "kwargs": encode(kwargs, _wrap)})

    def __getattr__(self, name):
        if name.startswith("__"):  # copy, pickle and numpy probe these: never the judge's business
            raise AttributeError(name)
        return self._ask({"op": "getattr", "name": name})

    def __getitem__(self, key):
        return self._ask({"op": "getitem", "key": encode(key, _wrap)})

    def __setitem__(self, key, value):
        self._ask({"op": "setitem", "key": encode(key, _wrap), "value": encode(value, _wrap)})

    def __iter__(self):
        return iter(self._ask({"op": "list"}))

    def __len__(self):
        return len(self._ask({"op": "list"}))


_fetched = []  # [callback, "getattr" | "getitem", name or key, array] read during this request


def _exception(error):
    kind = getattr(builtins, error.get("type", ""), None)
    kind = kind if isinstance(kind, type) and issubclass(kind, Exception) else RuntimeError
    return kind(error.get("message", ""))


def _call(request):
    """Call a learner's function; send back the arguments it changed in place (the judge copies
    the changes into its own arrays, lists and dicts)."""
    target = _objects[request["obj"]] if "obj" in request else _namespace()[request["name"]]
    args, kwargs = decode(request["args"], _unwrap), decode(request["kwargs"], _unwrap)
    given = [copy.deepcopy(a) if _mutable(a) else None for a in args]
    value = target(*args, **kwargs)
    changed = [[i, encode(a, _wrap)] for i, (a, before) in enumerate(zip(args, given, strict=True))
               if before is not None and not _same(a, before)]
    return {"value": encode(value, _wrap), "changed": changed}


def _mutable(value):
    return isinstance(value, np.ndarray) or type(value) in (list, dict)


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if type(a) in (list, tuple) and type(b) is type(a):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is dict and type(b) is dict:
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if type(a) is not type(b):
        return False
    try:
        return a is b or bool(a == b)
    except Exception:  # an object whose == is not a bool: count it as changed
        return False


def _namespace():
    return __import__("__main__").__dict__


_disabled = {}  # "module:qualname" -> the active reference_disabled context


def _disable(names, disable):
    """Mirror a hidden test's `reference_disabled(...)`: the reference functions raise inside the
    kernel while the test runs (where the kernel can import them at all)."""
    for name in names:
        if disable and name not in _disabled:
            module, _, qualname = name.partition(":")
            try:
                function = importlib.import_module(module)
            except ImportError:  # not in the kernel's view (the sandbox hides the references):
                continue  # nothing there for the learner's code to call
            for part in qualname.split("."):  # TwoLayerNet.loss
                function = getattr(function, part)
            context = reference_disabled(function)
            context.__enter__()
            _disabled[name] = context
        elif not disable and name in _disabled:
            _disabled.pop(name).__exit__(None, None, None)
    return {"value": None}


def _answer(op, request):
    objects = _objects
    if op == "get":
        return _namespace()[request["name"]]
    if op == "set":  # a test swapping one of the notebook's functions for a while
        _namespace()[request["name"]] = decode(request["value"], _unwrap)
        return None
    if op == "getattr":
        return _stay(getattr(objects[request["obj"]], request["name"]))
    if op == "setattr":
        setattr(objects[request["obj"]], request["name"], decode(request["value"], _unwrap))
    elif op == "getitem":
        return _stay(objects[request["obj"]][decode(request["key"], _unwrap)])
    elif op == "setitem":
        objects[request["obj"]][decode(request["key"], _unwrap)] = decode(request["value"], _unwrap)
    elif op == "operator":
        return _OPERATORS[request["name"]](*decode(request["operands"], _unwrap))
    elif op == "list":
        return list(objects[request["obj"]])
    else:
        raise ValueError(f"unknown request {op!r}")
    return None


class _Stay:
    """An object's dict or list: it stays in the kernel (a handle), so that a test's changes to
    `net.params["W1"]` reach the object."""

    def __init__(self, obj):
        self.obj = obj


def _stay(value):
    return _Stay(value) if type(value) in (dict, list) else value


_channel = None  # the socket to the judge, while serve_loop runs


def serve_loop(path):
    """Serve the judge's requests on its Unix socket at path until it sends an empty one: one
    execution for a whole tests cell, and no code to parse, however large the arrays."""
    global _channel
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as _channel:
        _channel.connect(path)
        message = {"$ready": 1}
        while True:
            send_frame(_channel, json.dumps(message))
            text = recv_frame(_channel)
            if not text:
                return
            message = {"$done": json.loads(serve(text))}


def serve(text, nested=False):
    """Answer one request of the judge (a JSON string); returns a JSON string."""
    if not nested:
        _fetched.clear()
    try:
        request = json.loads(text)
        op = request["op"]
        if op == "call":
            answer = _call(request)
        elif op in ("disable", "restore"):
            answer = _disable(request["names"], op == "disable")
        else:
            value = _answer(op, request)
            answer = {"value": _wrap(value.obj) if isinstance(value, _Stay) else encode(value, _wrap)}
        if _fetched and not nested:
            answer["fetched"] = [[n, kind, key, encode(array)] for n, kind, key, array in _fetched]
        return json.dumps(answer)
    except BaseException as e:  # the learner's error, reported to the judge: never the kernel's end
        if isinstance(e, KeyboardInterrupt):
            raise
        return json.dumps({"error": {"type": type(e).__name__, "message": str(e)[:2000]}})
