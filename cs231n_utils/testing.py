"""Helpers for graded test cells.

A learner must not pass an exercise by calling the package's reference version of it, so
hidden tests run inside `reference_disabled(...)`: while it is active, calling the reference
function raises AssertionError, however the learner got hold of it (import, alias, closure).
Visible checks run the learner's answer inside `course_versions_disabled("name", ...)`, which does
the same to every course version of those names the kernel can reach (the package, the
references, cs231n_utils.mine), so that the check fails saying so rather than passing.
`notebook_names_replaced(name=f)` swaps one of the notebook's own functions for the duration of a
test (e.g. to make sure one exercise does not call another). `in_place(value)` marks an argument
that the exercise is to change in place (`clip_gradient_norm(in_place(grads), 5.0)`). The grader's
judge, which runs tests outside the learner's kernel, gives tests its own versions of the three:
the first two act inside the kernel, and only what `in_place` marks gets the learner's changes back
(every other argument is a copy). Check cells run in the kernel: `course_versions_disabled` is theirs.
"""

import importlib
import importlib.util
import inspect
import sys
from contextlib import ExitStack, contextmanager

# where a learner's kernel can find a course version of an exercise
COURSE_MODULES = ("cs231n_utils.fast_layers", "cs231n_utils.gradcheck", "cs231n_utils.rnn_layers",
                  "cs231n_utils.solver", "cs231n_course.reference.classifiers", "cs231n_course.reference.cnn",
                  "cs231n_course.reference.fast_layers", "cs231n_course.reference.layers",
                  "cs231n_course.reference.optim", "cs231n_course.reference.rnn_layers")


def _disabled(*args, **kwargs):
    raise AssertionError("MESSAGE")  # a builtin, so it resolves in any module's globals


@contextmanager
def reference_disabled(*functions):
    """Make the given package functions raise AssertionError inside the `with` block.

    The function objects are changed in place (their code is swapped), so every alias of
    them is disabled too; the originals come back when the block ends.
    """
    saved = [(f, f.__code__, f.__defaults__, f.__kwdefaults__) for f in functions]
    try:
        for f in functions:
            message = (f"your code called the course's own {f.__module__}.{f.__qualname__}; "
                       "the exercise is to write your own version, without the package")
            consts = tuple(message if c == "MESSAGE" else c for c in _disabled.__code__.co_consts)
            f.__code__ = _disabled.__code__.replace(co_consts=consts)
            f.__defaults__, f.__kwdefaults__ = None, None
        yield
    finally:
        for f, code, defaults, kwdefaults in saved:
            f.__code__, f.__defaults__, f.__kwdefaults__ = code, defaults, kwdefaults


@contextmanager
def course_versions_disabled(*names):
    """For a visible check: the course's own versions of the functions (or classes) `names` raise
    AssertionError saying so inside the block: those of COURSE_MODULES, those already taken from
    cs231n_utils.mine or an unlocked reference, and those cs231n_utils.mine would hand out
    (cs231n_utils.gradcheck computes with mine's numerical_derivative and relative_error)."""
    found = [getattr(module, name) for module in _course_modules() for name in names
             if inspect.getmodule(getattr(module, name, None)) is module]
    found += [value for value in vars(sys.modules["__main__"]).values()
              if getattr(value, "__name__", None) in names
              and str(getattr(value, "__module__", "")).startswith(("mine_", "unlocked_"))]
    functions = {f for value in found for f in ([value] if inspect.isfunction(value) else
                                                 [m for m in vars(value).values() if inspect.isfunction(m)])}
    mine = sys.modules.get("cs231n_utils.mine") or importlib.import_module("cs231n_utils.mine")
    lookup = mine.__getattr__

    def refuse(name):
        if name in names:
            raise AssertionError(
                f"your code reached {name} through cs231n_utils.mine (your saved notebook's copy, or the "
                "course's: cs231n_utils.gradcheck computes with it), not the code of this notebook; the "
                "exercise is to write your own version, without the package")
        return lookup(name)

    with ExitStack() as stack:
        stack.enter_context(reference_disabled(*functions))
        mine.__getattr__ = refuse
        stack.callback(setattr, mine, "__getattr__", lookup)
        yield


def _course_modules():
    """The modules of COURSE_MODULES this kernel can import (cs231n_course is not in an edition)."""
    return [importlib.import_module(name) for name in COURSE_MODULES
            if importlib.util.find_spec(name.split(".")[0]) and importlib.util.find_spec(name)]


@contextmanager
def notebook_names_replaced(**replacements):
    """Give names of the notebook (its __main__ namespace) other values inside the `with` block."""
    namespace = sys.modules["__main__"].__dict__
    missing = object()
    saved = {name: namespace.get(name, missing) for name in replacements}
    try:
        namespace.update(replacements)
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def in_place(value):
    """value, which the learner's code is to change in place: the grader copies the changes back
    into it (here, in the learner's own kernel, the code changes it directly)."""
    return value
