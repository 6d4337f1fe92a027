"""ThreeLayerConvNet: shapes, initial loss, L2 term, numerical gradients, overfitting a tiny set."""

import numpy as np
import pytest

from cs231n_course.reference.cnn import ThreeLayerConvNet
from cs231n_course.reference.optim import adam
from cs231n_utils.gradcheck import check_gradient, eval_numerical_gradient


def test_parameter_shapes_and_scores():
    model = ThreeLayerConvNet(input_dim=(3, 8, 10), num_filters=4, filter_size=3, hidden_dim=6,
                              num_classes=5)
    expected = {"W1": (4, 3, 3, 3), "b1": (4,), "W2": (4 * 4 * 5, 6), "b2": (6,),
                "W3": (6, 5), "b3": (5,)}
    assert {name: p.shape for name, p in model.params.items()} == expected
    scores = model.loss(np.zeros((2, 3, 8, 10)))
    assert scores.shape == (2, 5)


def test_dtype_is_kept():
    model = ThreeLayerConvNet(input_dim=(1, 6, 6), num_filters=2, filter_size=3, hidden_dim=4,
                              dtype=np.float32)
    assert all(p.dtype == np.float32 for p in model.params.values())
    assert model.loss(np.ones((2, 1, 6, 6))).dtype == np.float32


def test_initial_loss_is_log_num_classes():
    # With small weights all scores are near 0, so every class gets probability ~1/10.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 1, 28, 28))
    y = rng.integers(0, 10, 50)
    loss, _ = ThreeLayerConvNet(weight_scale=1e-3).loss(X, y)
    assert abs(loss - np.log(10)) < 1e-3


def test_loss_adds_l2_penalty():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((4, 1, 8, 8))
    y = rng.integers(0, 10, 4)
    kwargs = {"input_dim": (1, 8, 8), "num_filters": 3, "filter_size": 3, "hidden_dim": 5,
              "weight_scale": 0.1}
    plain, _ = ThreeLayerConvNet(reg=0.0, **kwargs).loss(X, y)
    model = ThreeLayerConvNet(reg=0.7, **kwargs)
    penalty = 0.5 * 0.7 * sum(np.sum(model.params[W] ** 2) for W in ("W1", "W2", "W3"))
    assert model.loss(X, y)[0] == pytest.approx(plain + penalty, rel=1e-12)


@pytest.mark.parametrize("reg", [0.0, 0.5])
def test_gradients_match_numerical(reg):
    # Threshold 1e-6: ReLU and max pooling have kinks, so a whole net is checked less tightly
    # than a single smooth layer.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 2, 6, 6))
    y = rng.integers(0, 4, 3)
    model = ThreeLayerConvNet(input_dim=(2, 6, 6), num_filters=3, filter_size=3, hidden_dim=7,
                              num_classes=4, weight_scale=0.1, reg=reg, seed=0)
    _, grads = model.loss(X, y)
    for name, param in model.params.items():
        numeric = eval_numerical_gradient(lambda _: model.loss(X, y)[0], param)
        result = check_gradient(grads[name], numeric, threshold=1e-6, name=name, verbose=False)
        assert result.passed, str(result)


def test_overfits_a_tiny_data_set():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 1, 28, 28))
    y = rng.integers(0, 10, 20)
    model = ThreeLayerConvNet(num_filters=8, filter_size=5, hidden_dim=50, weight_scale=1e-3)
    configs = {name: {"learning_rate": 1e-2} for name in model.params}
    for _ in range(50):  # about 15 steps are needed
        _, grads = model.loss(X, y)
        for name in model.params:
            model.params[name], configs[name] = adam(model.params[name], grads[name],
                                                     configs[name])
        if np.all(model.loss(X).argmax(axis=1) == y):
            break
    assert np.all(model.loss(X).argmax(axis=1) == y), "did not reach 100% train accuracy"
