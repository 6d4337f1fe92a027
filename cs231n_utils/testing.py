"""Helpers for graded test cells.

A learner must not pass an exercise by calling the package's reference version of it, so
hidden tests run inside `reference_disabled(...)`: while it is active, calling the reference
function raises AssertionError, however the learner got hold of it (import, alias, closure).
`notebook_names_replaced(name=f)` swaps one of the notebook's own functions for the duration of a
test (e.g. to make sure one exercise does not call another). `in_place(value)` marks an argument
that the exercise is to change in place (`clip_gradient_norm(in_place(grads), 5.0)`). The grader's
judge, which runs tests outside the learner's kernel, gives tests its own versions of the three:
the first two act inside the kernel, and only what `in_place` marks gets the learner's changes back
(every other argument is a copy).
"""

import sys
from contextlib import contextmanager


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
            message = (f"your code called the package's {f.__module__}.{f.__qualname__}; "
                       "the exercise is to write your own version")
            consts = tuple(message if c == "MESSAGE" else c for c in _disabled.__code__.co_consts)
            f.__code__ = _disabled.__code__.replace(co_consts=consts)
            f.__defaults__, f.__kwdefaults__ = None, None
        yield
    finally:
        for f, code, defaults, kwdefaults in saved:
            f.__code__, f.__defaults__, f.__kwdefaults__ = code, defaults, kwdefaults


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
