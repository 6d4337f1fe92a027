"""The instructor's reference modules (cs231n_course/reference/), generated from the text sources.

An answer is written once, in its source's solution region. `cs231n-course build` copies each
function and class that MODULES names from its notebook's answer or given cells into the reference
module, solution markers dropped, comments kept; `cs231n-course check` fails when a committed
module differs from what the sources give. What no notebook asks the learner to write (the fast,
chunked im2col convolution and its sandwich layers) is hand-written in reference/fast_conv.py,
which the generated modules import and pass on.
"""

import ast
import re
from dataclasses import dataclass

from . import cells
from .errors import CourseError

_MAGIC = re.compile(r"^[ \t]*[%!].*$", re.M)
_MARKER_LINE = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*$")


@dataclass(frozen=True)
class Module:
    doc: str  # what the module is (the first line of its docstring)
    imports: str  # what its definitions use that the module does not define
    parts: tuple  # (assignment, "name name ..."): the definitions, in this order
    passed_on: str = ""  # names of its imports that it exports too ("name name ...")


MODULES = {
    "layers": Module(
        "Reference layers in the CS231n style, pure numpy: `out, cache = X_forward(...)`, "
        "`dx, ... = X_backward(dout, cache)`; losses return (loss, dx).",
        "import numpy as np",
        (("03_vectorized_backprop", "affine_forward affine_backward relu_forward relu_backward "
                                    "svm_loss softmax_loss"),
         ("04_neural_networks", "affine_relu_forward affine_relu_backward"),
         ("05_activations_init_batchnorm", "sigmoid_forward sigmoid_backward tanh_forward "
                                           "tanh_backward leaky_relu_forward leaky_relu_backward "
                                           "elu_forward elu_backward batchnorm_forward "
                                           "batchnorm_backward batchnorm_backward_alt "
                                           "layernorm_forward layernorm_backward"),
         ("06_optimizers_regularization", "dropout_forward dropout_backward"),
         ("07_cnn", "spatial_batchnorm_forward spatial_batchnorm_backward "
                    "spatial_groupnorm_forward spatial_groupnorm_backward"))),
    "optim": Module(
        "First-order update rules: `next_w, config = rule(w, dw, config=None)`.",
        "import numpy as np",
        (("06_optimizers_regularization", "sgd sgd_momentum nesterov_momentum adagrad rmsprop adam"),)),
    "classifiers": Module(
        "Fully connected classifiers: `params`, and `loss(X, y=None)` -> scores, or (loss, grads).",
        "import numpy as np\n\n"
        "from .layers import (\n    affine_backward,\n    affine_forward,\n    affine_relu_backward,\n"
        "    affine_relu_forward,\n    batchnorm_backward_alt,\n    batchnorm_forward,\n"
        "    dropout_backward,\n    dropout_forward,\n    layernorm_backward,\n    layernorm_forward,\n"
        "    relu_backward,\n    relu_forward,\n    softmax_loss,\n)",
        (("04_neural_networks", "two_layer_loss_and_grads TwoLayerNet FullyConnectedNet"),
         ("05_activations_init_batchnorm", "init_weights FullyConnectedNormNet"),
         ("06_optimizers_regularization", "DropoutNet"))),
    "fast_layers": Module(
        "Convolution and max pooling: naive loops for teaching, im2col as matrix multiplies.",
        "import numpy as np\nfrom numpy.lib.stride_tricks import sliding_window_view\n\n"
        "from cs231n_utils.fast_layers import max_pool_backward_fast, max_pool_forward_fast\n\n"
        "from .fast_conv import (\n    conv_backward_fast,\n    conv_forward_fast,\n"
        "    conv_relu_backward,\n    conv_relu_forward,\n    conv_relu_pool_backward,\n"
        "    conv_relu_pool_forward,\n)",
        (("07_cnn", "conv_output_size conv_forward_naive conv_backward_naive max_pool_forward_naive "
                    "max_pool_backward_naive im2col conv_forward_im2col col2im conv_backward_im2col"),),
        passed_on="max_pool_forward_fast max_pool_backward_fast conv_forward_fast conv_backward_fast "
                  "conv_relu_forward conv_relu_backward conv_relu_pool_forward conv_relu_pool_backward"),
    "cnn": Module(
        "A small convolutional network: conv - relu - 2x2 max pool - affine - relu - affine - softmax.",
        "import numpy as np\n\n"
        "from cs231n_utils.fast_layers import max_pool_backward_fast, max_pool_forward_fast\n\n"
        "from .fast_layers import conv_backward_im2col, conv_forward_im2col\n"
        "from .layers import affine_backward, affine_forward, relu_backward, relu_forward, softmax_loss",
        (("07_cnn", "ThreeLayerConvNetBase ThreeLayerConvNet"),)),
    "rnn_layers": Module(
        "Recurrent layers, pure numpy: vanilla RNN, LSTM, their helpers, and the captioner.",
        "import numpy as np\n\n"
        "from cs231n_utils.rnn_layers import sigmoid, temporal_affine_backward, temporal_affine_forward\n\n"
        "from .layers import affine_backward, affine_forward\nfrom .optim import adam",
        (("08_rnn_lstm", "rnn_step_forward rnn_step_backward rnn_forward rnn_backward "
                         "word_embedding_forward word_embedding_backward temporal_softmax_loss "
                         "clip_gradient_norm lstm_step_forward lstm_step_backward lstm_forward "
                         "lstm_backward NULL captioner_loss make_step train_captioner"),)),
}


def definitions(solution):
    """{name: (cell id, code)} of the functions, classes and assigned names of a solution notebook's
    given and answer code cells, solution markers dropped; a name defined twice is not in it."""
    found, twice = {}, set()
    for cell in solution.cells:
        if cell.cell_type != "code" or cells.kind(cell) not in (cells.Kind.GIVEN, cells.Kind.ANSWER):
            continue
        lines = _MAGIC.sub("", cell.source).split("\n")
        for node in ast.parse("\n".join(lines)).body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                names = [node.name]
            elif isinstance(node, ast.Assign):  # a constant: NULL, START, END = 0, 1, 2
                names = [n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
            else:
                continue
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            code = [line for line in lines[first - 1:node.end_lineno] if not _MARKER_LINE.match(line)]
            for name in names:
                if name in found:
                    twice.add(name)
                found[name] = (cells.key(cell), "\n".join(code))
    return {name: where for name, where in found.items() if name not in twice}


def module_text(name, solutions):
    """The text of reference/<name>.py from the solution notebooks ({assignment: notebook})."""
    module = MODULES[name]
    sources = ", ".join(f"sources/{a}.py" for a, _ in module.parts)
    parts, exported = [], module.passed_on.split()
    for assignment, names in module.parts:
        found = definitions(solutions[assignment])
        for wanted in names.split():
            if wanted not in found:
                raise CourseError(f"sources/{assignment}.py: reference/{name}.py takes {wanted} from it, "
                                  "but no given or answer cell defines it exactly once: define it, or "
                                  "change refgen.MODULES")
            cell, code = found[wanted]
            parts.append(f"# sources/{assignment}.py, cell {cell}\n{code}")
            exported.append(wanted)
    listed = "".join(f'    "{n}",\n' for n in exported)
    head = (f'"""{module.doc}\n\nGenerated by `cs231n-course build` from {sources}: edit the solution '
            'regions there, never this file\n(refgen.py says what is taken from where).\n"""\n'
            "# ruff: noqa: E501 (the sources' lines)\n\n")
    return f"{head}{module.imports}\n\n__all__ = [\n{listed}]\n\n\n" + "\n\n\n".join(parts) + "\n"


def reference_modules(course):
    """{file name: text} of every generated reference module."""
    needed = {a for module in MODULES.values() for a, _ in module.parts}
    solutions = {a: course.solution(a) for a in sorted(needed)}
    return {f"{name}.py": module_text(name, solutions) for name in MODULES}
