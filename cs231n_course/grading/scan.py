"""Static check of a submission's own code for tampering with the grading, before it runs.

A graded test passes when it raises nothing, so a submission could make failing tests look like
passes by changing what runs around them: exception handlers and traceback display, IPython's
input and AST transformers, sys.excepthook or tracing, builtins, the helpers the tests call
(numpy, cs231n_utils, names bound by the provided cells), or the cell outputs. Honest answers
never need any of that, so each such use is reported and the submission is flagged for review.
This runs outside the kernel, on the text of the cells, so the submission cannot influence it.
"""

import ast
import builtins
import threading

from IPython.core.inputtransformer2 import TransformerManager

from .. import cells

# attributes whose use (read or write) only makes sense when tampering with the kernel
HOOK_ATTRIBUTES = {
    "input_transformers_cleanup", "input_transformers_post", "ast_transformers",
    "set_custom_exc", "custom_exceptions", "showtraceback", "_showtraceback", "showsyntaxerror",
    "InteractiveTB", "SyntaxTB", "CustomTB", "excepthook", "displayhook", "display_pub",
    "settrace", "setprofile", "_getframe", "f_locals", "f_globals", "f_back", "tb_frame",
    "__code__", "__globals__", "__closure__", "__subclasses__", "run_ast_nodes",
}
# names that reach the kernel itself, as a name or an attribute (IPython.get_ipython)
KERNEL_NAMES = {"__builtins__", "get_ipython", "clear_output"}
DYNAMIC_CALLS = {"exec", "eval", "compile", "__import__", "globals", "vars"}
FORBIDDEN_MODULES = {"ctypes", "gc", "builtins", "importlib", "signal", "threading", "inspect",
                     "cs231n_course", "cs231n_utils.testing", "IPython.core", "ipykernel", "__main__"}
GRADER_PREFIX = "_cs231n_"  # the grader's names in the kernel (its channel, its integrity probe)
SAFE_MAGICS = {"matplotlib", "timeit", "time", "load_ext", "autoreload", "who", "whos", "pinfo"}
_transformer = TransformerManager()
# CPython 3.11's ast.parse is not thread-safe ("AST constructor recursion depth mismatch"),
# and the grader's workers are threads
PARSE_LOCK = threading.Lock()


def _imported_names(tree):
    """Names bound by import statements in tree (module or function aliases)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _root(node):
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _bound_by_target(target):
    """Names an assignment target binds: x, or x and y in (x, y); not np in np.f = ..."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Tuple | ast.List | ast.Starred):
        elts = [target.value] if isinstance(target, ast.Starred) else target.elts
        return set().union(*(_bound_by_target(t) for t in elts))
    return set()


def _names_bound_anywhere(tree):
    """Every name a cell binds, at any depth (assignments, parameters, loops, imports...)."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return bound


def _top_level_bindings(tree):
    """Names bound at module level (where they would shadow what the tests use)."""
    bound = set()
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign | ast.For):
            targets = [node.target]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.With):
            targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
        for target in targets:
            bound.update(_bound_by_target(target))
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            bound.update(node.names)
    return bound


def _parse(source):
    """Python AST of a cell, with IPython syntax (magics, !shell) turned into calls first."""
    try:
        with PARSE_LOCK:
            return ast.parse(_transformer.transform_cell(source))
    except SyntaxError:
        return None  # it fails when it runs, like any syntax error


def protected_names(source_nb):
    """Names the graded cells use that the learner does not define: tests rely on them."""
    used, provided, answers = set(), set(), set()
    for cell in source_nb.cells:
        tree = _parse(cell.source) if cell.cell_type == "code" else None
        if tree is None:
            continue
        if cells.is_graded(cell):
            loads = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
            used.update(loads - _names_bound_anywhere(tree))
        (answers if cells.kind(cell) is cells.Kind.ANSWER else provided).update(_top_level_bindings(tree))
    return (used & (provided | set(dir(builtins)))) - answers


def scan_cell(source, module_names, protected):
    """List of findings (short sentences) for one cell of the learner's code."""
    tree = _parse(source)
    if tree is None:
        return []
    findings = []
    modules = module_names | _imported_names(tree)
    for node in ast.walk(tree):
        name = _identifier(node)
        if GRADER_PREFIX in name:
            findings.append(f"uses the grader's {name[:60]!r}")
        elif isinstance(node, ast.Attribute) and (node.attr in HOOK_ATTRIBUTES | KERNEL_NAMES
                                                 or node.attr == "modules" and _root(node) == "sys"):
            findings.append(f"uses .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in KERNEL_NAMES:
            if not _is_safe_magic(node, tree):
                findings.append(f"uses {node.id}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name in DYNAMIC_CALLS:
                findings.append(f"calls {name}()")
            elif name in {"setattr", "delattr"} and node.args and _root(node.args[0]) in modules:
                findings.append(f"calls {name}() on {_root(node.args[0])}")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for mod in mods:
                if any(mod == m or mod.startswith(m + ".") for m in FORBIDDEN_MODULES):
                    findings.append(f"imports {mod}")
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute | ast.Subscript) and _root(target) in modules:
                    findings.append(f"changes {ast.unparse(target)}")
    for name in sorted(_top_level_bindings(tree) & protected):
        findings.append(f"redefines {name}, which the tests use")
    return list(dict.fromkeys(findings))


def _identifier(node):
    """The names and string a node spells, space-separated ("" for none)."""
    fields = [getattr(node, f, None) for f in ("id", "attr", "name", "asname", "arg", "value")]
    return " ".join(v for v in fields if isinstance(v, str))


def _is_safe_magic(name_node, tree):
    """get_ipython().run_line_magic('timeit', ...) and friends, as IPython writes %magics."""
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.value is not None and isinstance(node.func.value, ast.Call)
                and node.func.value.func is name_node
                and node.func.attr in {"run_line_magic", "run_cell_magic"} and node.args
                and isinstance(node.args[0], ast.Constant)):
            return node.args[0].value in SAFE_MAGICS
    return False


def scan(own_cells, source_nb):
    """Findings for the learner's cells, own_cells [(cell key, source)]: [(cell key, finding)]."""
    protected = protected_names(source_nb)
    module_names = set()
    for cell in source_nb.cells:
        tree = _parse(cell.source) if cell.cell_type == "code" else None
        if tree is not None:
            module_names |= _imported_names(tree)
    return [(key, finding) for key, source in own_cells
            for finding in scan_cell(source, module_names, protected)]
