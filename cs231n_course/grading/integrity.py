"""The integrity probe, run in the kernel before and after a submission's cells, and its protocol.

In the kernel: `snapshot()` (run before the learner's code, binding no name in the notebook)
records the identity of everything a graded test relies on: builtins, the sys hooks, IPython's
transformers and exception handling, numpy, math and cs231n_utils. `verify(nonce)` prints one JSON
line naming whatever changed since.

In the grader: `probe_code(nonce)` is the last cell run; it imports this module under a name made
from the nonce, which the learner's code cannot know (and the static scan flags any `_cs231n_`
name in it). `probe_findings` reads the line; a missing or malformed one means the submission
interfered with the probe itself.
"""

import builtins
import hashlib
import json
import math
import sys
import types

import numpy as np

_snapshot = {}


# builtins the kernel itself replaces at every execution (stdin forwarding, the `_` history)
PER_EXECUTION = {"input", "raw_input", "getpass", "_", "__", "___"}
# callbacks these packages add while a notebook runs (%matplotlib, %autoreload) are expected
TRUSTED_ORIGINS = ("IPython", "ipykernel", "matplotlib", "matplotlib_inline")


def _origin(callback):
    module = getattr(callback, "__module__", None) or getattr(type(callback), "__module__", "")
    return module.split(".")[0]


def _shell_state():
    try:
        from IPython import get_ipython
    except ImportError:
        return {}
    ip = get_ipython()
    if ip is None:
        return {}
    state = {
        "input_transformers_cleanup": list(ip.input_transformers_cleanup),
        "input_transformers_post": list(ip.input_transformers_post),
        "ast_transformers": list(ip.ast_transformers),
        "custom_exceptions": list(ip.custom_exceptions),
        "events": {name: list(cbs) for name, cbs in ip.events.callbacks.items()},
        "instance_overrides": sorted(k for k, v in vars(ip).items() if callable(v)),
        "display_pub": ip.display_pub,
        "displayhook": ip.displayhook,
    }
    state["class_methods"] = {name: getattr(type(ip), name) for name in
                              ("run_cell", "run_ast_nodes", "run_code", "showtraceback",
                               "_showtraceback", "showsyntaxerror", "transform_cell")}
    return state


def _module_state(module, seen):
    """{qualified name: identity} of a module's callables (and their code), recursively."""
    state = {}
    if id(module) in seen:
        return state
    seen.add(id(module))
    for name, value in list(vars(module).items()):
        if isinstance(value, types.ModuleType):
            if value.__name__.startswith(("numpy", "cs231n_utils")) and value.__name__ != __name__:
                state.update(_module_state(value, seen))
        elif callable(value):
            state[f"{module.__name__}.{name}"] = (value, getattr(value, "__code__", None))
    return state


def _state():
    modules = [np, math] + [m for n, m in sorted(sys.modules.items())
                            if n.startswith("cs231n_utils") and n != __name__
                            and isinstance(m, types.ModuleType)]
    seen, functions = set(), {}
    for module in modules:
        functions.update(_module_state(module, seen))
    return {
        "builtins": {k: v for k, v in vars(builtins).items() if k not in PER_EXECUTION},
        "sys": {name: getattr(sys, name, None) for name in
                ("excepthook", "displayhook", "stdout", "stderr", "breakpointhook")},
        "trace": [sys.gettrace() is None, sys.getprofile() is None],
        "shell": _shell_state(),
        "functions": functions,
    }


def snapshot():
    _snapshot.clear()
    _snapshot.update(_state())


def _diff(before, after, path=""):
    """Paths of entries changed or removed since the snapshot (new modules may add entries)."""
    if isinstance(before, dict) and isinstance(after, dict):
        changed = []
        for key in sorted(set(before) | set(after), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in before:
                continue
            if path == "shell.events":
                changed += _diff_callbacks(before[key], after.get(key, []), where)
            else:
                changed += _diff(before[key], after.get(key), where)
        return changed
    return [] if _same(before, after) else [path]


def _diff_callbacks(before, after, path):
    """Callbacks removed, or added by anything but the kernel's own packages."""
    removed = [cb for cb in before if not any(_same(cb, other) for other in after)]
    added = [cb for cb in after if not any(_same(cb, other) for other in before)
             and _origin(cb) not in TRUSTED_ORIGINS]
    return [f"{path}: {getattr(cb, '__qualname__', cb)}" for cb in removed + added]


def _same(a, b):
    """Identity, or equality for bound methods (a new object at each attribute access)."""
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a is b or (isinstance(a, types.MethodType) and a == b)


def probe_code(nonce):
    """The last cell run in the kernel: it prints what changed since the snapshot."""
    name = f"_cs231n_probe_{hashlib.sha256(nonce.encode()).hexdigest()[:16]}"
    return f"import {__name__} as {name}\n{name}.verify({nonce!r})\ndel {name}"


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


def verify(nonce):
    changed = _diff(_snapshot, _state())
    print(json.dumps({"probe": hashlib.sha256(nonce.encode()).hexdigest(), "changed": changed[:20]}))
