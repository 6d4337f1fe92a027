"""Your own functions from earlier notebooks: `from cs231n_utils.mine import affine_forward, relu_forward`.

Later notebooks run on what you built in earlier ones: notebook 04's networks on your layers from
03, every numerical gradient of cs231n_utils.gradcheck on your notebook 01. A name below is looked
up when it is imported: this module reads your *saved* earlier notebook, runs its `setup` cell's
imports and definitions and the answer cells it needs in a fresh module, and hands you the
function or class you wrote. Changed an earlier notebook? Save it, then restart this notebook's
kernel.

The notebooks are found side by side: ../NN_topic/NN_topic.ipynb from the running notebook's
folder, or under the folder the environment variable CS231N_NOTEBOOKS names (a grader points it
at its own copies of the earlier notebooks, and sets NOTEBOOKS for the tests it runs itself). An
exercise that is missing or unfinished raises MissingExercise, naming the notebook and the
exercise. When your instructor has unlocked an earlier notebook, its reference (in
cs231n_utils/unlocked/) stands in for an exercise of yours that is missing or unfinished.
"""

import ast
import os
import re
import sys
import types
from functools import cache
from pathlib import Path

import nbformat

# name -> (notebook, grade_id of the exercise that defines it)
INDEX = {
    "numerical_derivative": ("01_chain_rule", "q1_numerical_derivative"),  # what gradcheck computes with
    "relative_error": ("01_chain_rule", "q8_relative_error"),
    **{name: ("03_vectorized_backprop", exercise) for name, exercise in [
        ("affine_forward", "q3_affine_forward"), ("affine_backward", "q4_affine_backward"),
        ("relu_forward", "q5_relu"), ("relu_backward", "q5_relu"),
        ("svm_loss", "q6_svm_loss"), ("softmax_loss", "q7_softmax_loss")]},
    "TwoLayerNet": ("04_neural_networks", "q3_two_layer_scores"),
    "FullyConnectedNet": ("04_neural_networks", "q6_fully_connected"),
    **{name: ("05_activations_init_batchnorm", exercise) for name, exercise in [
        ("init_weights", "q5_init_weights"), ("batchnorm_forward", "q7_batchnorm_forward"),
        ("batchnorm_backward", "q8_batchnorm_backward"),
        ("batchnorm_backward_alt", "q9_batchnorm_backward_alt"),
        ("layernorm_forward", "q10_layernorm_forward"), ("layernorm_backward", "q11_layernorm_backward"),
        ("FullyConnectedNormNet", "q12_fully_connected_norm_net")]},
    **{name: ("06_optimizers_regularization", exercise) for name, exercise in [
        ("sgd_momentum", "q1_sgd_momentum"), ("nesterov_momentum", "q2_nesterov"),
        ("adagrad", "q3_adagrad"), ("rmsprop", "q4_rmsprop"), ("adam", "q5_adam"),
        ("dropout_forward", "q8_dropout"), ("dropout_backward", "q8_dropout"),
        ("DropoutNet", "q11_dropout_net")]},
}
NOTEBOOKS = None  # a folder that wins over CS231N_NOTEBOOKS in this process (a grader's own)
UNLOCKED = Path(__file__).parent / "unlocked"  # NN_topic.py: references an instructor has unlocked
_UNFINISHED = re.compile(r"^[ \t]*raise NotImplementedError", re.M)


class MissingExercise(ImportError):
    """An earlier exercise this notebook builds on is missing or unfinished."""


def _shown_alone():
    """In an IPython kernel, a MissingExercise shows as its message alone, without frames of this
    module (the cell that imported is the learner's; what is wrong is in the message)."""
    ipython = sys.modules.get("IPython")
    shell = ipython and ipython.get_ipython()
    if shell is not None and MissingExercise not in shell.custom_exceptions:
        shell.set_custom_exc((MissingExercise,), _show_message)


def _show_message(shell, etype, value, tb, tb_offset=None):
    shell._showtraceback(etype, value, [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}"])  # IPython's hook


_shown_alone()


def __getattr__(name):
    if name not in INDEX:
        raise AttributeError(f"cs231n_utils.mine has no {name!r}; it offers {', '.join(INDEX)}")
    notebook, exercise = INDEX[name]
    try:
        return getattr(_learners(notebook, exercise), name)
    except MissingExercise as problem:
        if not (UNLOCKED / f"{notebook}.py").is_file():
            raise
        print(f"cs231n_utils.mine: {name} is the unlocked reference of {notebook} ({problem.reason})")
        return getattr(_unlocked(notebook), name)


def __dir__():
    return list(INDEX)


def _folder():
    """Where the notebooks are: NOTEBOOKS, else CS231N_NOTEBOOKS, else the notebook's parent folder."""
    return Path(NOTEBOOKS or os.environ.get("CS231N_NOTEBOOKS") or Path.cwd().parent)


def _notebook_path(notebook):
    """The saved notebook, or None."""
    folder = _folder()
    for path in (folder / notebook / f"{notebook}.ipynb", folder / f"{notebook}.ipynb"):
        if path.is_file():
            return path
    return None


def _learners(notebook, exercise):
    """The module of the answers in the saved `notebook`, once `exercise` is known to be finished."""
    path = _notebook_path(notebook)
    if path is None:
        _missing(notebook, exercise, f"{notebook}.ipynb is not in {_folder()}/{notebook}/ "
                 "(keep the notebooks' folders side by side, or set CS231N_NOTEBOOKS to their folder)")
    cells = _answer_cells(path, path.stat().st_mtime)
    if exercise not in cells:
        _missing(notebook, exercise, "its answer cell is not in the saved notebook")
    if _UNFINISHED.search(cells[exercise]):
        _missing(notebook, exercise, "it is not finished yet (it still raises NotImplementedError)")
    return _run(notebook, path, path.stat().st_mtime)


def _missing(notebook, exercise, reason):
    error = MissingExercise(
        f"This notebook builds on your exercise {exercise} of notebook {notebook}, but {reason}. "
        f"Finish that exercise and save notebook {notebook}, then restart this kernel; "
        f"or ask your instructor to unlock the reference of {notebook}.")
    error.reason = reason
    raise error


@cache
def _answer_cells(path, mtime):
    """{grade_id: source} of the answer (nbgrader solution) cells of a saved notebook."""
    nb = nbformat.read(path, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}


@cache
def _run(notebook, path, mtime):
    """Run the saved notebook's setup definitions and the answers that INDEX names, in a module."""
    nb = nbformat.read(path, as_version=4)
    wanted = {exercise for nb_, exercise in INDEX.values() if nb_ == notebook}
    code = [_definitions(c.source) for c in nb.cells if c.get("id") == "setup"]
    code += [c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") in wanted]
    return _module(f"mine_{notebook}", "\n\n".join(code), str(path))


@cache
def _unlocked(notebook):
    path = UNLOCKED / f"{notebook}.py"
    return _module(f"unlocked_{notebook}", path.read_text(), str(path))


def _definitions(source):
    """The imports and def/class statements of a cell (no magics, prints or plots)."""
    tree = ast.parse(re.sub(r"^[ \t]*[%!].*$", "", source, flags=re.M))
    keep = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    return ast.unparse(ast.Module([s for s in tree.body if isinstance(s, keep)], type_ignores=[]))


def _module(name, code, filename):
    module = types.ModuleType(name)
    exec(compile(code, filename, "exec"), module.__dict__)
    return module
