"""An answer that destroys the tests' inputs scores nothing: no test computes what it expects from
an array after handing it to the learner's code.

Every function and method that a notebook's answer cells define is wrapped in an attacker that
zeroes in place every numpy array it is given (inside lists, dicts and tuples too), and answers
- "zeros": what the solution returns for the zeroed inputs. A test that computed its expected value,
  numerical gradient or reference output from such an array after the call would agree with it.
  Every question must lose all its points;
- "right": what the solution returns for the inputs as given, then zeroes them. The answer is right,
  so every question must keep all its points, unless a test reads an input after the call or hands
  it in again (this finds such a line even where a visible assert that fails the "zeros" attacker
  hides it).
Judged by the judge as it is (which copies in-place changes back into the test's arrays): the tests
are safe on their own. The notebooks are attacked in test_notebooks.py's live kernels (attack_problems).
"""

import ast

import nbformat
from notebook_harness import LiveNotebook

from cs231n_course import cells

ATTACK = '''
def _attack(names, answer):
    import copy, functools, inspect
    import numpy as np

    def arrays(value):
        if isinstance(value, np.ndarray):
            return [value] if value.flags.writeable and value.size else []
        if type(value) in (list, tuple):
            return [a for v in value for a in arrays(v)]
        if type(value) is dict:
            return [a for v in value.values() for a in arrays(v)]
        return []

    def attacker(function):
        @functools.wraps(function)
        def attacked(*args, **kwargs):
            if _depth[0]:  # the solution's own calls pass through
                return function(*args, **kwargs)
            given = arrays([args, kwargs])
            _zeroed[0] += len(given)
            _depth[0] += 1
            try:
                if answer == "zeros":
                    for a in given:
                        a[...] = 0
                    return function(*args, **kwargs)
                result = copy.deepcopy(function(*args, **kwargs))
                for a in given:
                    a[...] = 0
                return result
            finally:
                _depth[0] -= 1
        return attacked

    for name in names:
        value = globals()[name]
        if isinstance(value, type):
            for attribute, method in list(vars(value).items()):
                if inspect.isfunction(method):
                    _undo.append((value, attribute, method))
                    setattr(value, attribute, attacker(method))
        else:
            globals()[name] = attacker(value)
            _undo.append((None, name, value))


def _unattack():
    for owner, name, value in reversed(_undo):
        if owner is None:
            globals()[name] = value
        else:
            setattr(owner, name, value)
    _undo.clear()


_zeroed, _depth, _undo = [0], [0], []
'''

# Questions whose tests hand the learner's code no array, so that the "zeros" attacker answers as the
# solution does and keeps the points (asserted: it zeroed nothing there), and why. Written questions
# (wqN) are answered with values, not functions: nothing to attack.
NO_ARRAY_GIVEN = {
    "01_chain_rule": {
        "q1_numerical_derivative": "a function and numbers in, a number out",
        "q2_add_mul_graph": "three numbers in",
        "q5_add_mul": "the engine's Values hold numbers",
        "q6_backward": "the engine's Values hold numbers",
        "q7_exp_sigmoid": "the engine's Values hold numbers",
    },
    "02_gate_patterns": {
        "q1_add_mul_gates": "gates of numbers",
        "q2_max_sigmoid_gates": "gates of numbers",
        "q3_branch_gate": "gates of numbers",
        "q4_lecture_graph": "numbers in",
        "q5_branch_graph": "numbers in",
    },
    "04_neural_networks": {
        "q2_gradient_descent": "the test's own model, which it must update in place through the judge",
    },
    "05_activations_init_batchnorm": {
        "q5_init_weights": "layer sizes in",
        "q13_sample_log_uniform": "numbers and a generator in",
    },
    "07_cnn": {
        "q1_output_size": "sizes in",
        "q2_padding_params": "sizes in",
        "q9_conv_flops": "sizes in",
    },
}

# Questions whose tests take points from the "right" attacker, and why: they check what the function
# does to an argument in place (its contract, or that it leaves its input alone).
IN_PLACE = {
    "03_vectorized_backprop": {
        "q5_relu": "a test checks that relu_forward and relu_backward leave their inputs unchanged",
        "q6_svm_loss": "a test checks that svm_loss leaves the scores unchanged",
    },
    "05_activations_init_batchnorm": {
        "q7_batchnorm_forward": "the running averages are written into bn_param, and left alone in test mode",
    },
    "08_rnn_lstm": {
        "q5_clip_gradients": "clip_gradient_norm scales the gradients in place",
    },
}


def defined(nb):
    """The names of the functions and classes that the answer cells define."""
    return [node.name for cell in cells.answer_cells(nb).values() for node in ast.parse(cell.source).body
            if isinstance(node, ast.FunctionDef | ast.ClassDef)]


def attacked_scores(live, answer):
    """{question: (score, max_score, arrays given to the learner)} with the attacker in place."""
    live.execute(f"{ATTACK}\n_attack({defined(live.nb)!r}, {answer!r})")
    try:
        result = {}
        for question in cells.questions(live.nb):
            before = int(live.execute("print(_zeroed[0])"))
            got, possible = live.scores([question])[question]
            result[question] = got, possible, int(live.execute("print(_zeroed[0])")) - before
        return result
    finally:
        live.execute("_unattack()")


def attack_problems(live, no_array_given, in_place):
    """What the two attacks find wrong with the tests of the notebook running in live (its solution):
    a question that gives the "zeros" attacker points although its tests handed it an array, or
    that takes points from the "right" one (the exceptions are given, question -> reason)."""
    problems = []
    for q, (got, possible, given) in attacked_scores(live, "zeros").items():
        if got and not cells.is_written_question(q) and (q not in no_array_given or given):
            problems.append(f"{q}: the attacker that zeroes its {given} input arrays gets {got:g} of "
                            f"{possible:g}")
    for q, (got, possible, given) in attacked_scores(live, "right").items():
        if got < possible and q not in in_place:
            problems.append(f"{q}: a right answer that then zeroes its {given} input arrays gets only "
                            f"{got:g} of {possible:g} (a test reads an input after the call, or hands "
                            "it in again)")
    stale = [q for q in [*no_array_given, *in_place] if q not in cells.questions(live.nb)]
    return problems + [f"{q}: listed as an exception, but not a question" for q in stale]


def test_the_attacks_find_a_test_that_reads_its_input_after_the_call():
    """In a notebook whose test computes the expected sum from x after handing x to the learner's
    method `total` (through `in_place`, so that the learner's changes come back: the judge hands
    every other argument over as a copy): the "zeros" attacker gets the point, and a right answer
    loses it; handing the learner a copy fixes both. A test of a function with no array input is an
    exception."""
    def cell(kind, grade_id, source, points=None):
        made = nbformat.v4.new_code_cell(source, id=grade_id)
        made.metadata["nbgrader"] = cells.metadata(kind, grade_id, points)
        return made

    unsafe = ("from cs231n_utils.testing import in_place\n"
              "_x = np.arange(4.0)\nassert Summer().total(in_place(_x)) == _x.sum()")
    nb = nbformat.v4.new_notebook(cells=[
        cell("given", "setup", "import numpy as np"),
        cell("answer", "q1_total", "class Summer:\n    def total(self, x):\n        return float(x.sum())"),
        cell("tests", "q1_total_test", unsafe, 1),
        cell("answer", "q2_double", "def double(n):\n    return 2 * n"),
        cell("tests", "q2_double_test", "assert double(3) == 6", 1)])
    with LiveNotebook(nb) as live:
        assert attack_problems(live, {"q2_double": "a number in, a number out"}, {}) == [
            "q1_total: the attacker that zeroes its 1 input arrays gets 1 of 1",
            "q1_total: a right answer that then zeroes its 1 input arrays gets only 0 of 1 "
            "(a test reads an input after the call, or hands it in again)"]
        live.nb.cells[2].source = ("from cs231n_utils.testing import in_place\n_x = np.arange(4.0)\n"
                                   "assert Summer().total(in_place(_x.copy())) == _x.sum()")
        assert attack_problems(live, {"q2_double": "a number in, a number out"}, {}) == []
        assert attack_problems(live, {}, {}) == [
            "q2_double: the attacker that zeroes its 0 input arrays gets 1 of 1"]
