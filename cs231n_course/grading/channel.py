"""The judge's end of the channel to the learner's kernel (the kernel's end is remote.py's).

While a tests cell runs, the kernel runs one serving loop (`_cs231n_remote.serve_loop(path)`, a
single execute_request) connected to a Unix socket of the judge's, made for that loop in a folder
of the grader's that the kernel sees read-only (kernel.py's channel folder) and removed once the
loop has connected. Every request, answer and callback is one frame on that connection: no code to
parse, and a round trip costs tens of microseconds. Waiting is bounded by the cell's time limit
(then the kernel is interrupted), and ends when the kernel dies or its loop ends.

What the kernel sends is bounded, per notebook (LIMITS), so that the worst a submission can do to
the grader is get itself an error: the request fails, and with it the tests cell, with the reason.
"""

import builtins
import contextlib
import json
import os
import secrets
import shutil
import socket
import tempfile
import time

import numpy as np
import zmq

from .proxy import RemoteObject
from .remote import MAX_FRAME, ChannelError, decode, encode, recv_frame, send_frame

# (grading the solutions, a notebook's judge held at most 226 handles, received 68 MB in all, and
# sent and received messages of at most 8.4 MB)
MAX_HANDLES = 10_000  # objects of the kernel the judge holds a handle to
MAX_BYTES = 1024**3  # bytes received from the kernel
MAX_CONTAINERS = 100_000  # lists and dicts in one message
MAX_ITEMS = 1_000_000  # values in one message
# what reaches a function or object a test passed in, called back by the learner's code
CALLBACK_INT = 10**7  # largest int, either sign
CALLBACK_STR = 10_000  # characters of one string
CALLBACK_ITEMS = 10_000  # items of one list, tuple or dict
CALLBACK_ARRAY = 10**7  # elements of one array, and its largest dimension
LIMITS = (f"at most {MAX_HANDLES:,} handles held, {MAX_BYTES // 1024**3} GiB received, "
          f"{MAX_FRAME // 1024**2} MiB per message of at most {MAX_CONTAINERS:,} lists and dicts "
          f"and {MAX_ITEMS:,} values; a test's callback takes ints up to {CALLBACK_INT:,}, "
          f"strings up to {CALLBACK_STR:,} characters, at most {CALLBACK_ITEMS:,} items, "
          f"arrays of at most {CALLBACK_ARRAY:,} elements")
ENCODED = ("value", "key", "operands", "args", "kwargs")  # the fields of a request that carry values
BUILTIN_ERRORS = {name: kind for name, kind in vars(builtins).items()
                  if isinstance(kind, type) and issubclass(kind, Exception) and not name.startswith("_")}


class RemoteError(Exception):
    """The learner's kernel failed to answer (it died, hung, broke the channel or its limits)."""


class LearnerError(Exception):
    """An exception the learner's code raised in its kernel, of a type the tests cannot catch."""


class Channel:
    """Requests to the learner's kernel, for one notebook.

    folder: where the judge makes its sockets, a folder of the grader's that the kernel can reach
    but not change (default: a fresh private one, for a kernel of the grader's own user)."""

    def __init__(self, km, seconds, client=None, folder=None):
        self.km, self.seconds = km, seconds
        self.kc = client  # a blocking client of km's, channels started and ready (else one is made)
        if self.kc is None:
            self.kc = km.blocking_client()
            self.kc.start_channels()
            self.kc.wait_for_ready(timeout=30)
        self.own_folder = folder is None
        self.folder = tempfile.mkdtemp(prefix="cs231n-judge-") if folder is None else folder
        self.proxies, self.callbacks, self.callback_depth = {}, {}, 0
        self.changeable = {}  # id -> a test's object whose in-place changes come back (in_place)
        self.served = {}  # (callback, op, key) -> an array of a changeable object, in this request
        self.received = 0  # bytes from the kernel
        self.loop = None  # msg_id of the serving loop, while the kernel waits in it for requests
        self.conn = None  # its connection

    def close(self):
        self._disconnect()
        self.kc.stop_channels()
        if self.own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def allow_changes(self, value):
        """A test's `in_place(value)`: the learner's changes to value come back into it."""
        self.changeable[id(value)] = value
        return value

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
            if len(self.proxies) >= MAX_HANDLES:
                raise ChannelError(f"the kernel handed the judge more than {MAX_HANDLES:,} of its objects")
            self.proxies[n] = RemoteObject(self, n)
        return self.proxies[n]

    # -- requests ----------------------------------------------------------------------------
    def request(self, **request):
        """Send one request; returns the decoded answer, or raises the learner's error."""
        for field in ENCODED:
            if field in request:
                request[field] = encode(request[field], self._wrap)
        if self.callback_depth:  # answering a callback: the kernel waits for our reply to it
            self._send(json.dumps({"request": request}))
            answer = self._wait("$answer")
        else:
            if self.loop is None:
                self._start_loop()
            self.served = {}
            self._send(json.dumps(request))
            answer = self._wait("$done")
        try:
            error = answer.get("error")
            if not error:
                value = decode(answer["value"], self._unwrap)
                changed = [(i, decode(a, self._unwrap)) for i, a in answer.get("changed", [])]
                for n, kind, key, array in answer.get("fetched", []):
                    original = self.served.get((n, kind, json.dumps(key, sort_keys=True)))
                    if original is not None:  # only arrays handed out in this request
                        _copy_back(original, decode(array))
        except (ValueError, KeyError, TypeError, AttributeError, ChannelError) as e:
            self._disconnect()
            raise RemoteError(f"the kernel's answer was refused ({type(e).__name__}: {e})") from None
        if error:
            raise _learner_error(error)
        return (value, changed) if request["op"] == "call" else value

    def fetch(self, name):
        return self.request(op="get", name=name)

    def call(self, target, args, kwargs):
        value, changed = self.request(op="call", obj=object.__getattribute__(target, "_n"),
                                      args=list(args), kwargs=kwargs)
        for i, new in changed:  # the learner's code changed an argument the test lets it change
            if type(i) is int and 0 <= i < len(args) and id(args[i]) in self.changeable:
                _copy_back(args[i], new)
        return value

    def end(self):
        """End the serving loop: the kernel is free for the notebook's next cell."""
        if self.loop is not None:
            with contextlib.suppress(RemoteError):
                self._send("")
            self._disconnect()
            self._idle(self.loop, 10)
            self.loop = None
        self._disconnect()

    # -- the connection ----------------------------------------------------------------------
    def _start_loop(self):
        """Start the kernel's serving loop on a fresh socket, take its connection, and remove
        the socket: nothing else can connect to this loop afterwards. The folder is the
        grader's, so that its entries are what the judge made (the chmod follows no link)."""
        self._disconnect()
        path = os.path.join(self.folder, f"judge-{secrets.token_hex(8)}.sock")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(path)
            try:
                os.chmod(path, 0o666)  # the kernel's user is another
                listener.listen(1)
                self.loop = self.kc.execute(f"_cs231n_remote.serve_loop({path!r})", silent=False,
                                            store_history=False, allow_stdin=False, stop_on_error=False)
                self._until_readable(listener)
                self.conn, _ = listener.accept()
            finally:
                os.unlink(path)
        self._wait("$ready")

    def _disconnect(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _send(self, text):
        try:
            send_frame(self.conn, text)
        except (OSError, AttributeError):
            raise RemoteError("the kernel stopped answering the judge") from None

    def _receive(self):
        """The next message of the kernel, within the limits."""
        try:
            self.conn.settimeout(self.seconds)  # a frame, once begun, comes whole
            text = recv_frame(self.conn, min(MAX_FRAME, MAX_BYTES - self.received))
            self.received += len(text)
            if text.count("[") + text.count("{") > MAX_CONTAINERS or text.count(",") > MAX_ITEMS:
                raise ChannelError(f"a message of more than {MAX_CONTAINERS:,} lists and dicts "
                                   f"or {MAX_ITEMS:,} values")
            message = json.loads(text)
        except ChannelError as e:
            self._disconnect()
            raise RemoteError(f"the kernel broke the channel's limits: {e}") from None
        except (OSError, ValueError, RecursionError, AttributeError):
            self._disconnect()
            raise RemoteError("the kernel stopped answering the judge") from None
        if type(message) is not dict or len(message) != 1:
            self._disconnect()
            raise RemoteError("the kernel answered out of turn")
        return message

    def _wait(self, expected):
        """The next message `expected` ($ready, $done, $answer) from the kernel; the learner's code
        calling back ($judge) is served meanwhile."""
        while True:
            self._until_readable(self.conn)
            message = self._receive()
            if expected in message and type(message[expected]) in (dict, int):
                return message[expected]
            if "$judge" not in message or type(message["$judge"]) is not dict:
                self._disconnect()
                raise RemoteError("the kernel answered out of turn")
            self._answer_callback(message["$judge"])

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

    # -- the learner's code using a test's function or object ------------------------------------
    def _answer_callback(self, request):
        """Do here what the learner's code asked of a function or object a test passed in. Its
        values are bounded; only objects the test passed through `in_place` can be changed."""
        self.callback_depth += 1
        try:
            n, op = request.get("callback"), request.get("op")
            target = self.callbacks[n]
            changeable = n in self.changeable
            if op == "call":
                args = _bounded(decode(request["args"], self._unwrap))
                value = target(*args, **_bounded(decode(request["kwargs"], self._unwrap)))
            elif op == "getattr":
                key = request["name"]
                if type(key) is not str or key.startswith("_"):
                    raise AttributeError("your code may use only the public attributes of the test's objects")
                value = getattr(target, key)
            elif op == "getitem":
                key = request["key"]
                value = target[_bounded(decode(key, self._unwrap))]
            elif op == "setitem":  # `params[k] -= ...` on an array changes that array, as in Python
                if not changeable:
                    raise TypeError("your code changed an object of the test's that is not its to change")
                key = _bounded(decode(request["key"], self._unwrap))
                new = decode(request["value"], self._unwrap)
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
            if op in ("getattr", "getitem") and changeable:
                if type(value) in (dict, list):  # the test's dict stays the test's: changes reach it
                    self.allow_changes(value)
                    reply = {"value": self._wrap(value)}
                else:
                    if isinstance(value, np.ndarray):  # written back when the request ends
                        self.served[(n, op, json.dumps(key, sort_keys=True))] = value
                    reply = {"value": encode(value, self._wrap)}
            else:
                reply = {"value": encode(value, self._wrap)}
        except Exception as e:  # the test's function failed, or the request was garbage
            reply = {"error": {"type": type(e).__name__, "message": str(e)[:500]}}
        finally:
            self.callback_depth -= 1
        self._send(json.dumps(reply))


def _bounded(value):
    """value, when it is within what a test's callback takes (else ChannelError)."""
    if isinstance(value, int) and abs(value) > CALLBACK_INT:
        raise ChannelError(f"an int over {CALLBACK_INT:,} for the test's function")
    if isinstance(value, str) and len(value) > CALLBACK_STR:
        raise ChannelError(f"a string over {CALLBACK_STR:,} characters for the test's function")
    if isinstance(value, np.ndarray) and max(value.size, *value.shape) > CALLBACK_ARRAY:
        raise ChannelError(f"an array over {CALLBACK_ARRAY:,} elements for the test's function")
    if type(value) in (list, tuple, dict):
        if len(value) > CALLBACK_ITEMS:
            raise ChannelError(f"over {CALLBACK_ITEMS:,} items for the test's function")
        for item in (value.items() if type(value) is dict else value):
            _bounded(item)
    return value


def _has(container, key):
    try:
        container[key]
    except (KeyError, IndexError, TypeError):
        return False
    return True


def _learner_error(error):
    if type(error) is not dict:
        return RemoteError("the kernel's answer was not plain data")
    kind = BUILTIN_ERRORS.get(str(error.get("type", "")))
    message = str(error.get("message", ""))[:2000]
    if kind is not None:
        return kind(message)  # ValueError, AssertionError, ...: tests may expect and catch these
    return LearnerError(f"{str(error.get('type'))[:100]}: {message}")


def _copy_back(original, changed):
    """Put the learner's in-place changes to arrays, lists and dicts into the test's objects."""
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
