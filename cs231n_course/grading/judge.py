"""The trusted judge: graded tests run here, in the grader's process, never in the learner's kernel.

A tests cell's code (its visible and hidden tests) is executed in the judge with the notebook's
imports (numpy, the course helpers) as the judge's own trusted copies. Every other name it uses
(`numerical_derivative`, `Value`, a trained `convnet`) is fetched from the learner's kernel through
the channel (channel.py, remote.py): plain data is copied, anything else becomes a RemoteObject
(proxy.py) whose uses are requests to the kernel. The cell passes when its code raises nothing.

Rules for test authors (what crosses the channel):

1. A learner's object can be called, its attributes and items read and set, and `+ - * / @ **`
   used on it; it cannot be compared, tested for truth or converted to a number: read a plain
   value first (`value.grad`, `net.loss(X)`). An object's own dicts and lists (`net.params`) stay
   in the kernel, so that `net.params["W1"] = w` reaches the object; function results are copies.
2. Arguments are the test's own: the learner's code gets copies, and what it changes in them stays
   in the kernel. A test that checks an in-place change asks for it: `clip(in_place(grads), 5.0)`
   (`from cs231n_utils.testing import in_place`) copies the changes to that argument (an array, a
   list or dict of arrays) back after the call. Aliasing between two arguments is not preserved.
3. Functions and objects a test passes in (a lambda for a numerical gradient, a recording model)
   stay in the judge and are called back with plain values of bounded size; they may use the
   learner's objects in turn. The learner's code reads only their public attributes, and changes
   them (`model.params[k] -= lr * dw`) only when the test passed them through `in_place`.
4. A test's `reference_disabled(...)` and `notebook_names_replaced(...)` act in the kernel, where
   the learner's code runs.
5. The notebook's given cells run in the kernel: the names they define, and its
   `from cs231n_utils.mine import ...` names, are the kernel's, fetched like the learner's own; its
   other imports (numpy, `cs231n_utils`) are the judge's own copies.
6. A failed cell's reason names its failing line when that line is visible; when any of its frames
   lies in the hidden tests, it says only that a hidden test failed, with the exception's type.

What the judge guarantees:

- The verdict is computed in the grader's process; the learner's code never sees the tests' code,
  their expected values or the judge's frames, and a hidden test's failure shows no hidden line.
- Learner objects cannot be compared, tested for truth or converted to numbers: lying objects
  win nothing.
- Only plain data crosses the channel, decoded without pickle and type-checked; anything else
  stays where it lives and crosses as a handle.
- A test's objects change only through `in_place`: only the arrays handed out in the same request
  are written back, and the judge never looks up a name the kernel sent that starts with `_`.
- What the kernel sends is bounded per notebook (channel.LIMITS): over a limit the request
  fails with the reason, and the grader does not grow.
- The judge's sockets are made in a folder of the grader's that the kernel can reach but not
  change, so no operation of the judge on them follows a link the kernel made.

What it does not guarantee:

- A hidden test's inputs reach the learner's code (copies are its arguments), and an argument
  passed through `in_place` comes back as that code left it: a test computes its expectation
  before the call, or from its own copy.
- Objects the notebook trains in the kernel (`convnet`, `mnist_net`) are judged on what they
  answer, which the learner's code controls.
- The learner's code can call the instructor's references where they are installed (outside the
  sandbox); hidden tests switch them off with `reference_disabled`.
- Floats that reach a test's callback are not bounded: a callback never turns one into a size.

The integrity probe (integrity.py) and the static scan (scan.py) remain a second line of defence
that marks tampering `flagged`.
"""

import ast
import builtins
import contextlib
import io
import traceback
import types

import nbformat

from .. import cells
from .channel import Channel
from .results import CellResult
from .scan import PARSE_LOCK

HIDDEN = "### BEGIN HIDDEN TESTS"


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


def _for_checks_only(*names):
    raise RuntimeError("course_versions_disabled is for visible checks, which run in the learner's kernel; "
                       "a tests cell switches the course's versions off with reference_disabled")


class Judge:
    """Runs one notebook's tests cells against one learner's kernel (km). client, folder: a
    blocking client of km's and the channel folder (SandboxedKernel's); made here when None."""

    def __init__(self, km, source_nb, seconds, client=None, folder=None):
        self.channel = Channel(km, seconds, client, folder)
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
        `notebook_names_replaced`, which must act in the learner's kernel, and `in_place`, which
        the channel keeps. (`course_versions_disabled` is the visible checks', which run in the
        kernel: a notebook's setup imports it, and a tests cell that uses it is told so.)"""
        module = builtins.__import__(name, *args, **kwargs)
        if name == "cs231n_utils.testing" and (args[2:3] or [kwargs.get("fromlist")])[0]:
            return types.SimpleNamespace(reference_disabled=self._reference_disabled,
                                         notebook_names_replaced=self._notebook_names_replaced,
                                         in_place=self.channel.allow_changes,
                                         course_versions_disabled=_for_checks_only)
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
                channel.request(op="set", name=name, value=value)
            yield
        finally:
            for name, value in saved.items():
                channel.request(op="set", name=name, value=value)

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
            self.channel.changeable.clear()
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
