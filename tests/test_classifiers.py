"""The reference classifiers (notebooks 04-06): known values, initialization, whole-net gradient checks.

Each feature lives in one class: FullyConnectedNet (04) is plain, FullyConnectedNormNet (05) adds
batchnorm and layernorm, DropoutNet (06) adds dropout.
"""

import numpy as np
import pytest

from cs231n_course.reference.classifiers import (
    DropoutNet,
    FullyConnectedNet,
    FullyConnectedNormNet,
    TwoLayerNet,
    init_weights,
)
from cs231n_utils.gradcheck import check_gradient, eval_numerical_gradient

# A whole net's numerical gradient sums rounding noise over several layers; entries that happen
# to be small carry relative errors of ~1e-7 (measured here: at most 2.1e-7, batchnorm W1).
NET_THRESHOLD = 1e-6


def net_gradcheck(model, X, y, skip=()):
    """Gradient-checks every parameter of model except those in skip; returns max errors."""
    _, grads = model.loss(X, y)
    errors = {}
    for name, param in model.params.items():
        if name in skip:
            continue
        numeric = eval_numerical_gradient(lambda _: model.loss(X, y)[0], param)
        result = check_gradient(grads[name], numeric, NET_THRESHOLD, name=name, verbose=False)
        assert result.passed, str(result)
        errors[name] = result.max_rel_error
    return errors


def small_problem(N=4, D=5, C=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((N, D)), rng.integers(C, size=N)


# ---------------------------------------------------------------- TwoLayerNet

def test_two_layer_net_init():
    model = TwoLayerNet(input_dim=200, hidden_dim=100, num_classes=10, weight_scale=0.03)
    shapes = {k: v.shape for k, v in model.params.items()}
    assert shapes == {"W1": (200, 100), "b1": (100,), "W2": (100, 10), "b2": (10,)}
    assert abs(model.params["W1"].std() / 0.03 - 1) < 0.03  # 20,000 draws: ~0.5% noise
    assert abs(model.params["W2"].std() / 0.03 - 1) < 0.1
    assert not model.params["b1"].any() and not model.params["b2"].any()
    other_seed = TwoLayerNet(200, 100, 10, weight_scale=0.03, seed=1)
    assert not np.array_equal(model.params["W1"], other_seed.params["W1"])


def test_two_layer_net_scores_known_values():
    model = TwoLayerNet(2, 3, 2)
    model.params = {
        "W1": np.array([[1.0, -1.0, 0.5], [2.0, 0.0, 1.0]]), "b1": np.array([0.5, 2.0, 0.0]),
        "W2": np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 5.0]]), "b2": np.array([0.1, 0.2]),
    }
    # hidden = relu([1 - 2 + 0.5, -1 + 2, 0.5 - 1]) = [0, 1, 0];  scores = [3, -1] + b2
    scores = model.loss(np.array([[1.0, -1.0]]))
    np.testing.assert_allclose(scores, [[3.1, -0.8]], rtol=1e-14)


def test_two_layer_net_initial_loss_is_ln_C():
    X, y = small_problem(N=50, D=20, C=10)
    loss, _ = TwoLayerNet(20, 30, 10, weight_scale=1e-3).loss(X, y)
    assert abs(loss - np.log(10)) < 1e-3


def test_two_layer_net_regularization_term():
    X, y = small_problem()
    plain = TwoLayerNet(5, 6, 3, weight_scale=0.1)
    reg = TwoLayerNet(5, 6, 3, weight_scale=0.1, reg=0.7)
    W1, W2 = plain.params["W1"], plain.params["W2"]
    expected = 0.5 * 0.7 * (np.sum(W1**2) + np.sum(W2**2))
    assert reg.loss(X, y)[0] - plain.loss(X, y)[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("reg", [0.0, 0.7])
def test_two_layer_net_gradcheck(reg):
    X, y = small_problem()
    model = TwoLayerNet(5, 6, 3, weight_scale=0.1, reg=reg)
    # Random biases keep pre-activations off ReLU's kink at exactly 0.
    model.params["b1"] = 0.1 * np.random.default_rng(1).standard_normal(6)
    net_gradcheck(model, X, y)


# ---------------------------------------------------------------- FullyConnectedNet

def test_fc_net_param_names_and_shapes():
    model = FullyConnectedNet([6, 5], input_dim=4, num_classes=3)
    shapes = {k: v.shape for k, v in model.params.items()}
    assert shapes == {"W1": (4, 6), "b1": (6,), "W2": (6, 5), "b2": (5,), "W3": (5, 3), "b3": (3,)}
    np.testing.assert_array_equal(model.params["b2"], 0)
    normed = FullyConnectedNormNet([6, 5], input_dim=4, num_classes=3, normalization="batchnorm")
    assert {k: v.shape for k, v in normed.params.items()} == {
        **shapes, "gamma1": (6,), "beta1": (6,), "gamma2": (5,), "beta2": (5,)}
    np.testing.assert_array_equal(normed.params["gamma1"], 1)
    np.testing.assert_array_equal(normed.params["beta2"], 0)


@pytest.mark.parametrize("net, weight_scale, std", [
    (FullyConnectedNet, 0.02, lambda fan_in: 0.02),
    (FullyConnectedNormNet, "he", lambda fan_in: np.sqrt(2 / fan_in)),
    (FullyConnectedNormNet, "xavier", lambda fan_in: np.sqrt(1 / fan_in)),
])
def test_fc_net_weight_init_scale(net, weight_scale, std):
    model = net([300, 50], input_dim=400, num_classes=10, weight_scale=weight_scale)
    # 120,000 and 15,000 draws: the sample std is within ~1% of the true one
    assert abs(model.params["W1"].std() / std(400) - 1) < 0.03
    assert abs(model.params["W2"].std() / std(300) - 1) < 0.03


def test_norm_net_rejects_an_unknown_normalization():
    with pytest.raises(ValueError, match="groupnorm"):
        FullyConnectedNormNet([5], 4, 3, normalization="groupnorm")


def test_fc_net_initial_loss_is_ln_C():
    X, y = small_problem(N=50, D=20, C=10)
    loss, _ = FullyConnectedNet([30, 30], 20, 10, weight_scale=1e-2).loss(X, y)
    assert abs(loss - np.log(10)) < 1e-3


def test_fc_net_regularization_term():
    X, y = small_problem()
    plain = FullyConnectedNet([6, 5], 5, 3, weight_scale=0.5)
    reg = FullyConnectedNet([6, 5], 5, 3, weight_scale=0.5, reg=2.0)
    expected = sum(np.sum(plain.params[f"W{i}"] ** 2) for i in (1, 2, 3))  # 0.5 * 2.0 * sum
    assert reg.loss(X, y)[0] - plain.loss(X, y)[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("reg", [0.0, 3.14])
def test_fc_net_gradcheck(reg):
    X, y = small_problem()
    model = FullyConnectedNet([6, 5], 5, 3, weight_scale=0.5, reg=reg)
    random_biases(model)
    net_gradcheck(model, X, y)


def test_norm_net_batchnorm_test_mode_uses_running_stats():
    X, y = small_problem(N=20)
    model = FullyConnectedNormNet([6, 5], 5, 3, normalization="batchnorm", weight_scale="he")
    model.loss(X, y)  # train mode: updates the running statistics
    running = [bn["running_mean"].copy() for bn in model.norm_params]
    assert all(np.abs(r).max() > 0 for r in running)
    scores = model.loss(X)
    # test mode: statistics unchanged, and each example's scores do not depend on its batch
    for bn, r in zip(model.norm_params, running, strict=True):
        np.testing.assert_array_equal(bn["running_mean"], r)
    np.testing.assert_allclose(model.loss(X[:3]), scores[:3], rtol=1e-12)


def test_dropout_net_train_vs_test():
    X, y = small_problem(N=10)
    with_dropout = DropoutNet([50, 50], 5, 3, dropout_keep_ratio=0.5, weight_scale="he")
    without = FullyConnectedNormNet([50, 50], 5, 3, weight_scale="he")
    # Inverted dropout needs no rescaling at test time: test scores equal the plain net's.
    np.testing.assert_allclose(with_dropout.loss(X), without.loss(X), rtol=1e-12)
    # Train mode draws a fresh mask every pass, reproducibly from the seed.
    losses = [with_dropout.loss(X, y)[0] for _ in range(3)]
    assert len(set(losses)) == 3
    replay = DropoutNet([50, 50], 5, 3, dropout_keep_ratio=0.5, weight_scale="he")
    assert [replay.loss(X, y)[0] for _ in range(3)] == losses


NORM_CONFIGS = {
    "none": {},
    "batchnorm": {"normalization": "batchnorm", "reg": 0.3},
    "layernorm": {"normalization": "layernorm", "reg": 0.3},
}


def random_biases(model, seed=1):
    """Random biases and betas keep pre-activations off ReLU's kink in gradient checks."""
    rng = np.random.default_rng(seed)
    for name, param in model.params.items():
        if name.startswith("b"):
            model.params[name] = 0.1 * rng.standard_normal(param.shape)


@pytest.mark.parametrize("config", NORM_CONFIGS)
def test_norm_net_gradcheck(config):
    X, y = small_problem()
    model = FullyConnectedNormNet([6, 5], 5, 3, weight_scale="he", **NORM_CONFIGS[config])
    random_biases(model)
    # batchnorm removes the bias before it (its gradient is 0, rounding noise only)
    skip = ("b1", "b2") if config == "batchnorm" else ()
    net_gradcheck(model, X, y, skip)


def test_norm_net_without_normalization_is_the_fc_net_with_the_same_seed():
    X, y = small_problem(N=8)
    new = FullyConnectedNormNet([6, 5], 5, 3, reg=0.2, weight_scale=0.3, seed=4)
    old = FullyConnectedNet([6, 5], 5, 3, reg=0.2, weight_scale=0.3, seed=4)
    loss_new, grads_new = new.loss(X, y)
    loss_old, grads_old = old.loss(X, y)
    assert loss_new == loss_old and grads_new.keys() == grads_old.keys()
    assert all(np.array_equal(grads_new[k], grads_old[k]) for k in grads_old)
    np.testing.assert_array_equal(new.loss(X), old.loss(X))


def test_init_weights_is_one_scaled_draw():
    stds = {"small": 0.01, "large": 1.0, "xavier": 1 / np.sqrt(30), "he": np.sqrt(2 / 30)}
    for scheme, std in stds.items():
        W = init_weights(30, 4, scheme, np.random.default_rng(2))
        np.testing.assert_allclose(W, std * np.random.default_rng(2).standard_normal((30, 4)), rtol=1e-12)


def test_norm_net_layernorm_is_the_same_in_train_and_test_mode():
    X, y = small_problem(N=6)
    model = FullyConnectedNormNet([7], 5, 3, normalization="layernorm", weight_scale="he")
    random_biases(model)
    scores = model.loss(X)
    np.testing.assert_allclose(model.loss(X[:2]), scores[:2], rtol=1e-12)
    # the train-mode forward pass gives the same scores: the loss at those scores
    shifted = scores - scores.max(axis=1, keepdims=True)
    want = np.mean(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(6), y])
    assert abs(model.loss(X, y)[0] - want) < 1e-12


@pytest.mark.parametrize("normalization, reg", [("layernorm", 0.0), ("batchnorm", 0.5)])
def test_dropout_net_gradcheck_and_test_mode(normalization, reg):
    X, y = small_problem()
    model = DropoutNet([6, 5], 5, 3, dropout_keep_ratio=0.6, normalization=normalization, reg=reg,
                       weight_scale="he")
    random_biases(model)
    model.dropout_param["seed"] = 123  # the same mask on every forward pass
    # batchnorm removes the bias before it (its gradient is 0, rounding noise only)
    net_gradcheck(model, X, y, skip=("b1", "b2") if normalization == "batchnorm" else ())
    plain = FullyConnectedNormNet([6, 5], 5, 3, normalization=normalization, reg=reg, weight_scale="he")
    plain.params, plain.norm_params = model.params, model.norm_params  # batchnorm's running statistics
    np.testing.assert_allclose(model.loss(X), plain.loss(X), rtol=1e-12)
