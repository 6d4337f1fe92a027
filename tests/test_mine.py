"""cs231n_utils.mine: a later notebook runs on the learner's own functions from earlier notebooks.

Each test saves learner notebooks (the release with some answers filled in, from the wrong-answer
banks) in a folder laid out as notebooks/ is, and imports from mine as notebook 04 would.
"""

import importlib
import os
import sys

import nbformat
import numpy as np
import pytest
from fixtures import make_submission

from cs231n_course import cells
from cs231n_course.course import reference_env, write_references
from cs231n_course.reference import layers

NB3 = "03_vectorized_backprop"


@pytest.fixture
def mine(tmp_path, monkeypatch):
    """A fresh cs231n_utils.mine that reads learner notebooks from tmp_path/NN_topic/NN_topic.ipynb."""
    monkeypatch.setenv("CS231N_NOTEBOOKS", str(tmp_path))
    monkeypatch.delitem(sys.modules, "cs231n_utils.mine", raising=False)
    return importlib.import_module("cs231n_utils.mine")


def save(course, folder, assignment, answers):
    (folder / assignment).mkdir(exist_ok=True)
    nbformat.write(make_submission(course, assignment, answers), folder / assignment / f"{assignment}.ipynb")


def test_a_blank_exercise_is_named_with_what_to_do(course, mine, tmp_path):
    save(course, tmp_path, NB3, {"q3_affine_forward": "solution"})  # q4 left as released
    with pytest.raises(mine.MissingExercise) as error:
        from cs231n_utils.mine import affine_backward  # noqa: F401
    message = str(error.value)
    assert "q4_affine_backward" in message and NB3 in message and "NotImplementedError" in message
    assert "save notebook" in message and "unlock" in message


def test_a_missing_notebook_says_where_it_looked(mine, tmp_path):
    with pytest.raises(mine.MissingExercise, match=f"{NB3}.ipynb is not in {tmp_path}"):
        mine.affine_forward  # noqa: B018


def test_the_learners_own_function_is_used_downstream(course, mine, tmp_path):
    """A deliberately wrong affine_forward (bias left out) is what notebook 04 gets."""
    save(course, tmp_path, NB3, {"q3_affine_forward": "forgot the bias"})
    x, w, b = np.ones((2, 3)), np.ones((3, 4)), np.full(4, 5.0)
    out, _ = mine.affine_forward(x, w, b)
    assert np.array_equal(out, np.full((2, 4), 3.0))  # the reference would give 8
    assert mine.affine_forward.__module__ == f"mine_{NB3}"


def test_later_notebooks_chain_through_earlier_ones(course, mine, tmp_path):
    """04's FullyConnectedNet runs on 03's layers, both the learner's."""
    save(course, tmp_path, NB3, {q: "solution" for q in ("q3_affine_forward", "q4_affine_backward",
                                                        "q5_relu", "q7_softmax_loss")})
    save(course, tmp_path, "04_neural_networks", {"q6_fully_connected": "solution"})
    net = mine.FullyConnectedNet([5], input_dim=4, num_classes=3, seed=0)
    loss, grads = net.loss(np.ones((2, 4)), np.array([0, 2]))
    assert abs(loss - np.log(3)) < 1e-2 and set(grads) == set(net.params)


def test_an_unlocked_reference_stands_in_for_a_missing_exercise(course, mine, tmp_path, monkeypatch, capsys):
    unlocked = tmp_path / "unlocked"
    unlocked.mkdir()
    (unlocked / f"{NB3}.py").write_text("from cs231n_course.reference.layers import affine_forward\n")
    monkeypatch.setattr(mine, "UNLOCKED", unlocked)
    assert mine.affine_forward is layers.affine_forward
    assert "unlocked reference of 03_vectorized_backprop" in capsys.readouterr().out


def test_a_grader_points_mine_at_the_references_of_the_earlier_notebooks(course, mine, tmp_path, monkeypatch):
    """The grader hands notebook 04 the references of 03 (its setup and answer cells, nothing
    else), whatever the learner saved beside it."""
    save(course, tmp_path, NB3, {"q3_affine_forward": "forgot the bias"})
    folder = tmp_path / "references"
    write_references(course.earlier_solutions("04_neural_networks"), folder)
    for name, value in reference_env(folder).items():
        monkeypatch.setenv(name, value)
    x, w, b = np.ones((2, 3)), np.ones((3, 4)), np.full(4, 5.0)
    assert np.array_equal(mine.affine_forward(x, w, b)[0], layers.affine_forward(x, w, b)[0])
    assert mine.affine_forward.__code__.co_filename == str(folder / NB3 / f"{NB3}.ipynb")
    reference = nbformat.read(folder / NB3 / f"{NB3}.ipynb", as_version=4)
    answers = [q for q in cells.answer_cells(course.solution(NB3)) if not cells.is_written_question(q)]
    assert [c.id for c in reference.cells] == ["setup", *answers]


def test_unknown_names_are_attribute_errors(mine):
    with pytest.raises(AttributeError, match="affine_forward"):
        mine.no_such_layer  # noqa: B018


def test_the_normalized_net_of_05_runs_on_the_learners_layers(course, mine, tmp_path):
    """05's FullyConnectedNormNet (what 06's DropoutNet extends) on 03's layers and 05's layer norm and
    init_weights, all the learner's: a wrong layer norm (no eps) shows in the net."""
    save(course, tmp_path, NB3, {q: "solution" for q in ("q3_affine_forward", "q4_affine_backward",
                                                        "q5_relu", "q7_softmax_loss")})
    save(course, tmp_path, "04_neural_networks", {"q6_fully_connected": "solution"})  # 05's setup imports it
    nb5 = "05_activations_init_batchnorm"
    answers = {q: "solution" for q in ("q5_init_weights", "q7_batchnorm_forward", "q9_batchnorm_backward_alt",
                                       "q11_layernorm_backward", "q12_fully_connected_norm_net")}
    save(course, tmp_path, nb5, {**answers, "q10_layernorm_forward": "eps forgotten inside the square root"})
    net = mine.FullyConnectedNormNet([4], 3, 2, normalization="layernorm", weight_scale="he", seed=0)
    assert type(net).__module__ == f"mine_{nb5}"
    x = np.array([[1.0, 1.0, 1.0 + 1e-6]])  # a row of almost equal features: eps decides its output
    a, _ = layers.affine_forward(x, net.params["W1"], net.params["b1"])
    without_eps = mine.layernorm_forward(a, np.ones(4), np.zeros(4), {})[0]
    assert np.allclose(without_eps, layers.layernorm_forward(a, np.ones(4), np.zeros(4), {"eps": 0.0})[0])
    loss, grads = net.loss(x, np.array([1]))
    assert np.isfinite(loss) and set(grads) == set(net.params)


NB1 = "01_chain_rule"


@pytest.fixture
def gradcheck(mine, monkeypatch):
    """A fresh cs231n_utils.gradcheck on the fresh mine (learner notebooks from tmp_path)."""
    monkeypatch.delitem(sys.modules, "cs231n_utils.gradcheck", raising=False)
    return importlib.import_module("cs231n_utils.gradcheck")


def test_gradcheck_computes_with_the_learners_notebook_01(course, gradcheck, tmp_path):
    """The package has no numerical derivative or relative error of its own: a sign flipped in 01's
    Exercise 1, or an error relative to |a| only in Exercise 8, is what every later check gets."""
    save(course, tmp_path, NB1, {"q1_numerical_derivative": "sign flipped",
                                 "q8_relative_error": "relative to |a| only"})
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    assert np.allclose(gradcheck.eval_numerical_gradient(lambda a: np.sum(a**2), x), -2 * x)
    assert np.allclose(gradcheck.eval_numerical_gradient_array(lambda a: 3 * a, x, np.ones_like(x)), -3.0)
    assert gradcheck.rel_error([1.0, 2.0], [1.0, 3.0]) == pytest.approx(0.5)  # |2 - 3| / |2|
    assert gradcheck.check_gradient(x, x + 1.0, verbose=False).max_rel_error == pytest.approx(2.0)  # 1 / 0.5


def test_a_blank_notebook_01_is_named_by_gradcheck(course, gradcheck, tmp_path):
    save(course, tmp_path, NB1, {})
    with pytest.raises(ImportError, match="q1_numerical_derivative of notebook 01_chain_rule"):
        gradcheck.eval_numerical_gradient(np.sum, np.ones(2))


def test_a_numerical_derivative_that_calls_gradcheck_back_is_refused(course, gradcheck, tmp_path):
    """A learner who answers 01's Exercise 1 with the package's numerical gradient, saved: the package
    says so, instead of recursing until Python gives up."""
    save(course, tmp_path, NB1, {"q1_numerical_derivative": "calls the package's numerical gradient"})
    with pytest.raises(RuntimeError, match="your numerical_derivative calls cs231n_utils.gradcheck back"):
        gradcheck.eval_numerical_gradient(np.sum, np.ones(2))


def test_a_grader_gives_gradcheck_the_instructors_01(course, gradcheck, tmp_path, monkeypatch):
    """Beside a learner's sign-flipped 01, a grader's kernel for 03 (CS231N_NOTEBOOKS = the references
    of 01 and 02) gets the right numerical gradients."""
    save(course, tmp_path, NB1, {"q1_numerical_derivative": "sign flipped"})
    folder = tmp_path / "references"
    write_references(course.earlier_solutions(NB3), folder)
    for name, value in reference_env(folder).items():
        monkeypatch.setenv(name, value)
    x = np.array([1.0, -2.0])
    assert np.allclose(gradcheck.eval_numerical_gradient(lambda a: np.sum(a**2), x), 2 * x)


def test_a_missing_exercise_shows_its_message_without_frames_of_the_package(tmp_path):
    """In a kernel (Run All, Validate), the import that fails shows MissingExercise's message, not
    the frames of mine.py that raised it."""
    from nbclient import NotebookClient

    cell = nbformat.v4.new_code_cell("from cs231n_utils.mine import affine_forward")
    nb = nbformat.v4.new_notebook(cells=[cell])
    env = {k: v for k, v in os.environ.items() if not k.startswith("CS231N_")}
    env["CS231N_NOTEBOOKS"] = str(tmp_path)
    client = NotebookClient(nb, timeout=120, allow_errors=True, kernel_name="python3")
    client.km = client.create_kernel_manager()
    client.start_new_kernel(env=env)
    client.start_new_kernel_client()
    try:
        client.execute_cell(nb.cells[0], 0)
    finally:
        client._cleanup_kernel()
    error = next(o for o in nb.cells[0].outputs if o.output_type == "error")
    shown = "\n".join(error.traceback)
    assert error.ename == "MissingExercise" and f"{NB3}.ipynb is not in {tmp_path}" in shown
    assert "mine.py" not in shown and "Traceback" not in shown and len(error.traceback) == 1
