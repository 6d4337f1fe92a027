"""The leak check: nothing a student gets may print the answer to a graded exercise.

Every solution region and hidden test (the *secrets*, from the text sources) is compared with every
piece of code a student edition shows: notebook code, inline code and code blocks in markdown,
docstrings, assert messages and other strings, comments, and every file of the learner package.
Comparison is by what the code computes, not how it is spelled: syntax trees are normalised first.

- Every leaf value is renamed in order of appearance: a variable, an attribute chain, a named item
  (`config["momentum"]`, `p[f"W{i}"]`, `x.shape[0]`), and a call of some other function on leaves
  (`grad(w)`: a value the reader cannot see into). So `v = momentum * v - learning_rate * dw` in a
  docstring matches `v = config["momentum"] * v - config["learning_rate"] * dw` in the solution.
- Numbers, operators and what numpy computes are kept: a numpy or math function keeps its name,
  whatever its module (`np.exp`, `math.exp`, `exp`; `np.linalg.solve`, `solve`), an array method is
  numpy's function (`x.sum(axis=1)` is `np.sum(x, axis=1)`), other methods keep their name
  (`rng.uniform`), `x.dot(w)` is `x @ w`, `w * w` is `w ** 2`, `floor(a / b)` is `a // b`, `-1`
  is a number.
- Arguments are matched whatever their spelling: keyword names are dropped, numpy's keywords put in
  their positional order (`np.max(x, 1)` is `np.max(x, axis=1)`); any `axis` is just an axis (the
  reference that takes `axis=_axis` for both batch and layer norm shows both).
- Prose is read as math where it parses so: `^` is `**`, `×` and `·` are `*`, a single letter or
  number next to a single letter multiplies (`exp(-k t)`), `dx (N, D)` is no call, and a formula
  ends at `;`, `: ` or `, then`.

A secret is every statement and every expression of a solution (so a wrapper `float(np.max(...))` or
a part of a longer formula is found too), and every statement of a hidden test with its value.
Anything too small to give anything away is not a secret: fewer than MIN_TOKENS tokens (names,
numbers, operators and brackets; no commas or dots), or fewer than two operations (calls,
arithmetic, comparisons; an index is none), as `x.reshape(N, -1)`, `np.zeros_like(x)` or
`x.sum(axis=0)`. But a solution region's only statement, and a statement that sets a value its
function returns, are each all of an answer: with one operation and MIN_ALONE_TOKENS tokens
(`np.add.at(dW, x, dout)`, `dbeta = dout.sum(axis=0)`) they are secrets in their own notebook (in a
later one they are what the learner did already).

A written (manually graded) cell's model answer and rubric are prose: each of their lines of at
least MIN_WORDS words is a secret too, found in any text of the edition with case, punctuation,
Markdown emphasis and line breaks ignored.
"""

import ast
import functools
import inspect
import math
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np

from . import cells

MIN_TOKENS = 8
MIN_ALONE_TOKENS = 7
MIN_WORDS = 6
_REGION = {kind: re.compile(rf"### BEGIN {marker}\n(.*?)^[ \t]*### END {marker}", re.S | re.M)
           for kind, marker in (("solution", "SOLUTION"), ("hidden test", "HIDDEN TESTS"))}
_WORD_START = re.compile(r"(?<![\w.])[\w(\[-]")
_CODE_SPAN = re.compile(r"```[a-z]*\n(.*?)```|`([^`\n]+)`", re.S)
_CLAUSE = re.compile(r";|:\s|,\s+(?=[a-z]+\s)")  # ends of a formula in prose
_MAGIC = re.compile(r"^[ \t]*[%!].*$", re.M)
_OPERATIONS = (ast.BinOp, ast.UnaryOp, ast.Call, ast.Compare, ast.BoolOp)
_STATEMENTS = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr, ast.Assert)
_LEAF = re.compile(r"ℓ\d+")
_AXIS = re.compile(r"AXIS_[-\d.]+")
_TOKEN = re.compile(r"'S'|\*\*|//|[-+*/@<>=!]=|-?\d+(?:\.\d*)?(?:e-?\d+)?|\w+|[^\s,.:]")
_MODULES = ("np", "numpy", "math")
_NUMPY = (np, np.linalg, math)
_KNOWN = frozenset(n for m in _NUMPY for n in dir(m) if not n.startswith("_") and callable(getattr(m, n)))
_METHODS = frozenset(n for n in dir(np.ndarray) if not n.startswith("_")) & _KNOWN
_PROSE = ((re.compile(r"\^"), "**"), (re.compile(r"[×·⋅]"), "*"), (re.compile("−"), "-"),
          (re.compile(r"(?<=\w) \("), ", ("),  # "dx (N, D)" is a shape, not a call
          (re.compile(r"(?<![\w.])([A-Za-z]|\d+(?:\.\d+)?) (?=[A-Za-z](?![\w(]))"), r"\1 * "))


@dataclass(frozen=True)
class Secret:
    assignment: str
    grade_id: str
    kind: str  # "solution" or "hidden test"
    text: str  # the statement or expression as the source writes it
    alone: bool = False  # a small whole answer: a secret in its own notebook only


@dataclass(frozen=True)
class Finding:
    secret: Secret
    where: str  # file, and cell or line

    def __str__(self):
        s = self.secret
        return f"{self.where}: shows the {s.kind} of {s.assignment} {s.grade_id}: `{s.text}`"


class _Normal(ast.NodeTransformer):
    """Rewrites a syntax tree, in place, into what it computes (see the module's docstring): every
    leaf becomes a name ℓ<n>, one n per distinct leaf."""

    def __init__(self):
        self.leaves = {}

    def _leaf(self, key, node):
        return ast.copy_location(ast.Name(f"ℓ{self.leaves.setdefault(key, len(self.leaves))}"), node)

    def visit(self, node):
        if isinstance(node, ast.expr) and _is_leaf(node):
            return self._leaf(ast.unparse(node), node)
        return super().visit(node)

    def visit_arg(self, node):  # lambda t: ... and def f(t): ... rename t like any variable
        node.arg = self._leaf(node.arg, node).id
        return node

    def visit_Constant(self, node):
        return ast.copy_location(ast.Constant("S"), node) if isinstance(node.value, str) else node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        number = node.operand
        if isinstance(node.op, ast.USub) and isinstance(number, ast.Constant) and _is_number(number.value):
            return ast.copy_location(ast.Constant(-number.value), node)
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Mult) and ast.dump(node.left) == ast.dump(node.right):  # w * w is w ** 2
            return ast.copy_location(ast.BinOp(node.left, ast.Pow(), ast.Constant(2)), node)
        return node

    def visit_Call(self, node):
        name = _function(node.func)
        if name is None and isinstance(node.func, ast.Attribute) and node.func.attr in _METHODS:
            name = node.func.attr  # x.sum(axis=1) is np.sum(x, axis=1)
            node.args.insert(0, node.func.value)
        args = [self._argument(value, param) for param, value in _arguments(node, name)]
        if name in ("dot", "matmul") and len(args) == 2:  # np.dot(x, w) and x.dot(w) are x @ w
            return ast.copy_location(ast.BinOp(args[0], ast.MatMult(), args[1]), node)
        if name == "floor" and len(args) == 1 and isinstance(getattr(args[0], "op", None), ast.Div):
            return ast.copy_location(ast.BinOp(args[0].left, ast.FloorDiv(), args[0].right), node)
        if name:
            func = ast.Name(name)
        elif isinstance(node.func, ast.Attribute):  # a method's name says what it computes: rng.uniform
            func = ast.Attribute(self.visit(node.func.value), node.func.attr)
        else:
            func = self.visit(node.func)
        return ast.copy_location(ast.Call(func, args, []), node)

    def _argument(self, value, param):
        if param == "axis" and isinstance(value, ast.Name):
            return ast.copy_location(ast.Name("AXIS"), value)
        if param == "axis" and isinstance(value, ast.Constant) and _is_number(value.value):
            return ast.copy_location(ast.Name(f"AXIS_{value.value}"), value)  # see _form
        return self.visit(value)


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_leaf(node):
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.Attribute):
        return _is_leaf(node.value)
    if isinstance(node, ast.Subscript):  # a named or numbered item: config["momentum"], x.shape[0]
        key = node.slice
        return _is_leaf(node.value) and isinstance(key, ast.Constant | ast.JoinedStr)
    if isinstance(node, ast.Call):  # grad(w): some other function's value
        return (isinstance(node.func, ast.Name) and _function(node.func) is None
                and all(_is_leaf(a) or isinstance(a, ast.Constant) for a in node.args)
                and all(_is_leaf(k.value) or isinstance(k.value, ast.Constant) for k in node.keywords))
    return False


def _function(func):
    """The name of the numpy or math function `func` spells ("solve" for np.linalg.solve or solve,
    "add.at" for np.add.at), or None for any other function."""
    if isinstance(func, ast.Name):
        return func.id if func.id in _KNOWN else None
    parts = ast.unparse(func).split(".")
    if parts[0] in _MODULES and all(p.isidentifier() for p in parts):
        return ".".join(p for p in parts[1:] if p != "linalg")
    return None


def _arguments(call, name):
    """(parameter name or None, value) of a call's arguments, keyword names dropped: numpy's keywords
    in the order of its parameters, others as written."""
    params = _parameters(name) if name else []
    found = [(params[i] if i < len(params) else None, a) for i, a in enumerate(call.args)]
    keywords = sorted(call.keywords, key=lambda k: params.index(k.arg) if k.arg in params else len(params))
    return found + [(k.arg, k.value) for k in keywords]


@functools.cache
def _parameters(name):
    """The parameter names of numpy's function `name`; [] when unknown."""
    for module in _NUMPY:
        function = functools.reduce(lambda f, part: getattr(f, part, None), name.split("."), module)
        if function is not None:
            try:
                return list(inspect.signature(function).parameters)
            except (TypeError, ValueError):
                return []
    return []


def _parse(code):
    """(normalised syntax tree, the text it was parsed from, {leaf: its number n in ℓn}), or None when
    the code is not Python."""
    code = textwrap.dedent(_MAGIC.sub("", code))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        try:
            code = code.strip()
            tree = ast.parse(code)
        except SyntaxError:
            return None
    normal = _Normal()
    return normal.visit(tree), code, normal.leaves


def _operations(tree, numpy_only=False):
    """{node: how many operations it holds} of every node of a syntax tree; `numpy_only`, calls
    of numpy's functions only (not add.forward(p, m), f(x))."""
    counts = {}

    def count(node):
        own = isinstance(node, _OPERATIONS) and not (numpy_only and isinstance(node, ast.Call) and (
            not isinstance(node.func, ast.Name) or _LEAF.match(node.func.id)))
        counts[node] = own + sum(map(count, ast.iter_child_nodes(node)))
        return counts[node]
    count(tree)
    return counts


def _form(node, operations, least=2, tokens=MIN_TOKENS):
    """The normalised text of a node that holds `operations`, leaves numbered v0, v1, ... in order
    of appearance, or None when it is too small to give anything away. Any axis is an axis in a
    form of two operations or more; a smaller one keeps its number (x.sum(axis=0) is not axis=1)."""
    if operations < least:
        return None
    names = {}
    text = _LEAF.sub(lambda m: names.setdefault(m[0], f"v{len(names)}"), ast.unparse(node))
    text = _AXIS.sub("AXIS", text) if least > 1 else text
    return text if len(_TOKEN.findall(text)) >= tokens else None


@functools.cache
def forms(code, inside=True, small=False):
    """{form: source text} of every statement of some code and, `inside`, of every expression in it
    (else only each statement's value); {} when the code is not Python. With `small`, statements
    as small as a whole answer (see `_alone`) too."""
    parsed = _parse(code)
    if parsed is None:
        return {}
    tree, source, _ = parsed
    lines, operations, found = source.splitlines(), _operations(tree), {}
    numpy_operations = _operations(tree, numpy_only=True) if small else {}
    for node in ast.walk(tree):
        if isinstance(node, _STATEMENTS):
            line = lines[node.lineno - 1].strip()
            value = getattr(node, "value", None)
            nodes = [(node, line)]
            if not inside and value and not isinstance(node, ast.Expr):
                nodes.append((value, line))
        elif inside and isinstance(node, ast.expr) and not isinstance(node, ast.Attribute):  # x.sum, no call
            nodes = [(node, None)]
        else:
            continue
        for n, text in nodes:
            whole = small and n is node and text and _form(n, numpy_operations[n], 1, MIN_ALONE_TOKENS)
            for f in (_form(n, operations[n]), whole):
                if f and f not in found:
                    found[f] = text or _segment(lines, n)
    return found


def _segment(lines, node):
    """The source of an expression: its text when on one line (offsets count UTF-8 bytes), else the
    start of its first line."""
    line = lines[node.lineno - 1].encode()
    end = node.end_col_offset if node.end_lineno == node.lineno else len(line)
    return line[node.col_offset:end].decode().strip()


def _alone(code, returned):
    """{form: source} of the statements of a solution region that are each a whole answer, however
    small (one operation of numpy's and MIN_ALONE_TOKENS tokens are enough): the region's only statement
    (`np.add.at(dW, x, dout)`), and each that sets a value named in `returned` (`dbeta = ...`)."""
    parsed = _parse(code)
    if parsed is None:
        return {}
    tree, source, leaves = parsed
    returned = {f"ℓ{leaves[name]}" for name in returned if name in leaves}
    found = {}
    for node in ast.walk(tree):
        targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
        if isinstance(node, _STATEMENTS) and (tree.body == [node] or any(
                getattr(t, "id", None) in returned for t in targets)):
            if f := _form(node, _operations(node, numpy_only=True)[node], 1, MIN_ALONE_TOKENS):
                found.setdefault(f, source.splitlines()[node.lineno - 1].strip())
    return found


def _returned(code):
    """The names that the functions of some code return (`return dx, dgamma, dbeta`)."""
    try:
        tree = ast.parse(textwrap.dedent(_MAGIC.sub("", code)))
    except SyntaxError:
        return set()
    values = [n.value for n in ast.walk(tree) if isinstance(n, ast.Return) and n.value]
    return {n.id for v in values for n in ([v] if isinstance(v, ast.Name) else getattr(v, "elts", []))
            if isinstance(n, ast.Name)}


def shape(node):
    """The normalised text of a statement or expression (see `forms`), or None when it is too small."""
    node = _Normal().visit(ast.parse(ast.unparse(node)).body[0])
    return _form(node, _operations(node)[node])


def _strings(code):
    """String constants in code (docstrings, assert messages): they may spell out code too."""
    try:
        tree = ast.parse(textwrap.dedent(_MAGIC.sub("", code)))
    except SyntaxError:
        return []
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _pieces(text):
    """Every snippet of prose that may be code, read as math: each `span` and code block, and each
    tail of each line or clause (from any word on, trailing punctuation dropped):
    "Returns (f(x + h) - ...) / (2 * h).", "lr0 * exp(-k t): decays"."""
    pieces = {m.group(1) or m.group(2) for m in _CODE_SPAN.finditer(text)}
    for line in text.splitlines():
        for part in _CLAUSE.split(line):  # "v = mu * v - lr * dw; w = w + v", "lr0 / (1 + k t), so"
            for rx, by in _PROSE:
                part = rx.sub(by, part)
            starts = [m.start() for m in _WORD_START.finditer(part)][:40]
            pieces |= {part[i:].strip().rstrip(".,:") for i in starts}
    return [p for p in pieces if re.search(r"[-+*/@(\[]", p)]


def _shapes_of_text(text, is_code):
    """Forms of everything a text shows: its code, and code spelled out in its strings and comments
    (code) or in its lines and code spans (prose)."""
    snippets = [text] if is_code else []
    for prose in (_strings(text) + _comments(text)) if is_code else [text]:
        snippets += _pieces(prose)
    return {f for snippet in snippets for f in forms(snippet, small=True)}


def _comments(code):
    return [line.split("#", 1)[1] for line in code.splitlines() if "#" in line]


def _words(text):
    """Text reduced to its lower-case words, one space apart."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def prose_secrets(nb, assignment):
    """{words: Secret} of the lines of every written cell's model answer and rubric."""
    found = {}
    for cell in nb.cells:
        if not cells.is_manual(cell):
            continue
        for text in _REGION["solution"].findall(cell.source):
            for line in text.splitlines():
                words = _words(line)
                if len(words.split()) >= MIN_WORDS:
                    found.setdefault(words, Secret(assignment, cells.key(cell), "written answer",
                                                   line.strip()))
    return found


def secrets(nb, assignment):
    """({form: Secret}, visible forms, given forms) of one nbgrader source notebook: visible, the
    statements of its code outside the hidden regions; given, every form that code shows (in its
    comments and strings too). A whole answer's form (see `_alone`) is keyed (assignment, grade id,
    form), as other exercises may spell it too."""
    found, visible, given = {}, set(), set()
    for cell in nb.cells:
        shown = cell.source
        for kind, rx in _REGION.items():
            for text in rx.findall(cell.source):
                for f, source in forms(text, inside=kind == "solution").items():
                    if f not in found or (kind == "solution" != found[f].kind):  # a solution outranks a test
                        found[f] = Secret(assignment, cells.key(cell), kind, source)
                for f, source in _alone(text, _returned(cell.source)).items() if kind == "solution" else ():
                    if _AXIS.sub("AXIS", f) not in found:  # else a secret anywhere already
                        secret = Secret(assignment, cells.key(cell), kind, source, alone=True)
                        found.setdefault((assignment, secret.grade_id, f), secret)
            shown = rx.sub("", shown)
        if cell.cell_type == "code":
            visible |= set(forms(shown, small=True))
            given |= _shapes_of_text(shown, True)
    return found, visible, given


def course_secrets(course, assignments=None, solutions=None):
    """{form: Secret} of the course (of its `solutions` notebooks when given, by assignment). A
    hidden-test statement that stands in a visible part of any notebook (a generic
    `assert rel_error(dx, dx_num) < 1e-8`) gives nothing away: left out. So does an answer that an
    earlier notebook hands out as given code (01's sigmoid gate computes the sigmoid that 05 asks
    for again): the course made it public before asking."""
    found, visible, given = {}, set(), set()
    solutions = solutions or {a: course.solution(a) for a in assignments or course.assignments()}
    for assignment, nb in solutions.items():
        more, shown, shows = secrets(nb, assignment)
        for s, secret in more.items():
            given_before = secret.kind == "solution" and not secret.alone and s in given
            if not given_before and (s not in found or (secret.kind == "solution" != found[s].kind)):
                found[s] = secret
        visible |= shown
        given |= shows
    return {s: secret for s, secret in found.items() if secret.kind == "solution" or s not in visible}


def _texts(folder):
    """(where, text, is_code) of everything a student edition in `folder` shows."""
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        where = str(path.relative_to(folder))
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                yield f"{where} cell {cells.key(cell)}", cell.source, cell.cell_type == "code"
        elif path.suffix in {".py", ".md", ".txt", ".cfg", ".toml"}:
            yield where, path.read_text(errors="replace"), path.suffix == ".py"


def exposures(texts):
    """{form: [where]} of the (where, text, is_code) a student edition shows."""
    shown = {}
    for where, text, is_code in texts:
        for s in _shapes_of_text(text, is_code):
            shown.setdefault(s, []).append(where)
    return shown


def leaks(course, folder, assignments=None, unlocked=()):
    """Findings: every secret of the course's assignments that the edition in `folder` shows, the
    largest only where one holds another. The answers of `unlocked` assignments are public, and so
    is anything of the same form."""
    texts = list(_texts(folder))  # read once, for code and for prose
    shown = exposures(texts)
    solutions = {a: course.solution(a) for a in assignments or course.assignments()}
    public = course_secrets(course, unlocked) if unlocked else {}
    secrets_ = {s: secret for s, secret in course_secrets(course, solutions=solutions).items()
                if s not in public and secret.assignment not in unlocked}
    found = [Finding(secret, where) for s, secret in secrets_.items()
             for where in shown.get(s[-1] if secret.alone else s, [])
             if not secret.alone or f"/{secret.assignment}." in where]
    prose = {}
    for assignment, nb in solutions.items():
        if assignment not in unlocked:
            prose.update(prose_secrets(nb, assignment))
    if prose:
        for where, text, _ in texts:
            words = f" {_words(text)} "
            found += [Finding(secret, where) for w, secret in prose.items() if f" {w} " in words]
    return [f for f in dict.fromkeys(found) if not any(
        g.where == f.where and g.secret.grade_id == f.secret.grade_id and f.secret.text in g.secret.text
        and g.secret.text != f.secret.text for g in found)]
