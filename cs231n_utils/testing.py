"""Helpers for graded test cells.

A learner must not pass an exercise by calling the package's reference version of it, so
hidden tests run inside `reference_disabled(...)`: while it is active, calling the reference
function raises AssertionError, however the learner got hold of it (import, alias, closure).
"""

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
