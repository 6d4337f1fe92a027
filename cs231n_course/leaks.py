"""The leak check: nothing a student gets may print the answer to a graded exercise.

Every statement of every solution region and hidden test (the *secrets*, from the text sources) is
compared with every piece of code a student edition shows: notebook code, inline code and code
blocks in markdown, docstrings, assert messages and other strings, and every file of the learner
package. Comparison is by *shape*, not text: the statement's syntax tree with formatting gone and
every variable, function, attribute and constant-keyed item (`v`, `f`, `self.grad`,
`config["momentum"]`) renamed in order of appearance, so `v = momentum * v - learning_rate * dw`
in a docstring matches `v = config["momentum"] * v - config["learning_rate"] * dw` in the
solution. Numbers, operators and the names of methods (`x.reshape`, `np.exp`) are kept.
Statements too small to give anything away (fewer than MIN_TOKENS tokens, or fewer than two
operations) are not secrets.

A written (manually graded) cell's model answer and rubric are prose: each of their lines of at
least MIN_WORDS words is a secret too, found in any text of the edition with case, punctuation,
Markdown emphasis and line breaks ignored.
"""

import ast
import copy
import io
import re
import textwrap
import tokenize
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import cells

MIN_TOKENS = 8
MIN_WORDS = 6
_REGION = {kind: re.compile(rf"### BEGIN {marker}\n(.*?)^[ \t]*### END {marker}", re.S | re.M)
           for kind, marker in (("solution", "SOLUTION"), ("hidden test", "HIDDEN TESTS"))}
_WORD_START = re.compile(r"(?<![\w.])[\w(\[-]")
_CODE_SPAN = re.compile(r"```[a-z]*\n(.*?)```|`([^`\n]+)`", re.S)
_MAGIC = re.compile(r"^[ \t]*[%!].*$", re.M)
_OPERATIONS = (ast.BinOp, ast.UnaryOp, ast.Call, ast.Compare, ast.BoolOp, ast.Subscript)


@dataclass(frozen=True)
class Secret:
    assignment: str
    grade_id: str
    kind: str  # "solution" or "hidden test"
    text: str  # the statement as the source writes it


@dataclass(frozen=True)
class Finding:
    secret: Secret
    where: str  # file, and cell or line

    def __str__(self):
        s = self.secret
        return f"{self.where}: shows the {s.kind} of {s.assignment} {s.grade_id}: `{s.text}`"


class _Shape(ast.NodeTransformer):
    """Rename every leaf value (name, attribute chain, constant-keyed item) v0, v1, ... in order."""

    def __init__(self):
        self.names = {}

    def _leaf(self, node):
        key = ast.unparse(node)
        return ast.copy_location(ast.Name(self.names.setdefault(key, f"v{len(self.names)}")), node)

    def visit_arg(self, node):  # lambda t: ... and def f(t): ... rename t like any variable
        node.arg = self.names.setdefault(node.arg, f"v{len(self.names)}")
        return node

    def visit_Call(self, node):  # a method's name says what it computes: keep it (x.reshape)
        func = node.func
        node.args = [self.visit(a) for a in node.args]
        node.keywords = [self.visit(k) for k in node.keywords]
        node.func = (ast.Attribute(self.visit(func.value), func.attr) if isinstance(func, ast.Attribute)
                     else self.visit(func))
        return node

    def generic_visit(self, node):
        if isinstance(node, ast.expr) and _is_leaf(node):
            return self._leaf(node)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return ast.Constant("S")
        return super().generic_visit(node)


def _is_leaf(node):
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.Attribute):
        return _is_leaf(node.value)
    if isinstance(node, ast.Subscript):
        key = node.slice
        return _is_leaf(node.value) and isinstance(key, ast.Constant) and isinstance(key.value, str)
    return False


def shape(node):
    """The normalized text of a statement or expression, or None when it is too small to matter."""
    normal = _Shape().visit(copy.deepcopy(node))
    text = ast.unparse(normal)
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
              if t.type in (tokenize.NAME, tokenize.OP, tokenize.NUMBER, tokenize.STRING)]
    operations = sum(isinstance(n, _OPERATIONS) for n in ast.walk(normal))
    return text if len(tokens) >= MIN_TOKENS and operations >= 2 else None


def _statements(code):
    """(statement or expression node, source line) of every simple statement in some code, and the
    value of each assignment or return on its own; [] when the text is not Python."""
    code = textwrap.dedent(_MAGIC.sub("", code))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        try:  # a bare expression, e.g. an inline code span
            return [(ast.parse(code.strip(), mode="eval").body, code.strip())]
        except SyntaxError:
            return []
    lines = code.splitlines()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.Return | ast.Expr | ast.Assert):
            found.append((node, lines[node.lineno - 1].strip()))
            value = getattr(node, "value", None)
            if value is not None and not isinstance(node, ast.Expr):
                found.append((value, lines[node.lineno - 1].strip()))
    return found


def _strings(code):
    """String constants in code (docstrings, assert messages): they may spell out code too."""
    try:
        tree = ast.parse(textwrap.dedent(_MAGIC.sub("", code)))
    except SyntaxError:
        return []
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _pieces(text):
    """Every snippet of prose that may be code: each `span` and code block, and each tail of each
    line (from any word on, trailing punctuation dropped): "Returns (f(x + h) - ...) / (2 * h)."."""
    pieces = [m.group(1) or m.group(2) for m in _CODE_SPAN.finditer(text)]
    for line in text.splitlines():
        for part in line.split(";"):  # "v = mu * v - lr * dw; w = w + v"
            starts = [m.start() for m in _WORD_START.finditer(part)][:40]
            pieces += [part[i:].strip().rstrip(".,:") for i in starts]
    return pieces


def _shapes_of_text(text, is_code):
    """Shapes of every statement a text shows: its code, and code spelled out in its strings and
    comments (code) or in its lines and code spans (prose)."""
    snippets = [text] if is_code else []
    for prose in (_strings(text) + _comments(text)) if is_code else [text]:
        snippets += _pieces(prose)
    return {s for snippet in snippets for node, _ in _statements(snippet) if (s := shape(node))}


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
    """({shape: Secret}, visible shapes) of one nbgrader source notebook."""
    found, visible = {}, set()
    for cell in nb.cells:
        shown = cell.source
        for kind, rx in _REGION.items():
            for text in rx.findall(cell.source):
                for node, line in _statements(text):
                    s = shape(node)
                    if s and s not in found:
                        found[s] = Secret(assignment, cells.key(cell), kind, line)
            shown = rx.sub("", shown)
        if cell.cell_type == "code":
            visible |= {s for node, _ in _statements(shown) if (s := shape(node))}
    return found, visible


def course_secrets(course, assignments=None):
    """{shape: Secret} of the course. A hidden-test statement that stands in a visible part of any
    notebook (a generic `assert rel_error(dx, dx_num) < 1e-8`) gives nothing away: left out."""
    found, visible = {}, set()
    for assignment in assignments or course.assignments():
        more, shown = secrets(course.solution(assignment), assignment)
        visible |= shown
        for s, secret in more.items():
            found.setdefault(s, secret)
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
    """{shape: [where]} of the (where, text, is_code) a student edition shows."""
    shown = {}
    for where, text, is_code in texts:
        for s in _shapes_of_text(text, is_code):
            shown.setdefault(s, []).append(where)
    return shown


def leaks(course, folder, assignments=None, unlocked=()):
    """Findings: every secret of the course's assignments that the edition in `folder` shows. The
    answers of `unlocked` assignments are public, and so is any statement of the same shape."""
    texts = list(_texts(folder))  # read once, for statements and for prose
    shown = exposures(texts)
    public = course_secrets(course, unlocked) if unlocked else {}
    secrets_ = {s: secret for s, secret in course_secrets(course, assignments).items()
                if s not in public and secret.assignment not in unlocked}
    found = [Finding(secret, where) for s, secret in secrets_.items() for where in shown.get(s, [])]
    prose = {}
    for assignment in assignments or course.assignments():
        if assignment not in unlocked:
            prose.update(prose_secrets(course.solution(assignment), assignment))
    if prose:
        for where, text, _ in texts:
            words = f" {_words(text)} "
            found += [Finding(secret, where) for w, secret in prose.items() if f" {w} " in words]
    return list(dict.fromkeys(found))
