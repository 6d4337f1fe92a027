"""Reference layers: known values and gradient checks in float64 (thresholds stated per check)."""

import numpy as np
import pytest

from cs231n_course.reference.layers import (
    affine_backward,
    affine_forward,
    affine_relu_backward,
    affine_relu_forward,
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    dropout_backward,
    dropout_forward,
    elu_backward,
    elu_forward,
    layernorm_backward,
    layernorm_forward,
    leaky_relu_backward,
    leaky_relu_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    softmax_loss,
    spatial_batchnorm_backward,
    spatial_batchnorm_forward,
    spatial_groupnorm_backward,
    spatial_groupnorm_forward,
    svm_loss,
    tanh_backward,
    tanh_forward,
)
from cs231n_utils.gradcheck import (
    check_gradient,
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    rel_error,
)


def assert_grad(analytic, numeric, threshold, name):
    result = check_gradient(analytic, numeric, threshold=threshold, name=name, verbose=False)
    assert result.passed, str(result)


def away_from_zero(x, margin=1e-2):
    """Moves entries off the kink at 0, where a centered difference straddles two slopes."""
    return np.where(np.abs(x) < margin, np.copysign(margin, x), x)


# ---------------------------------------------------------------- affine

def test_affine_forward_known_values():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    w = np.array([[1.0, -1.0, 0.0], [0.0, 2.0, 1.0]])
    b = np.array([0.5, 0.0, -1.0])
    out, _ = affine_forward(x, w, b)
    # row 0: [1 + 0.5, -1 + 4, 2 - 1];  row 1: [3 + 0.5, -3 + 8, 4 - 1]
    np.testing.assert_allclose(out, [[1.5, 3.0, 1.0], [3.5, 5.0, 3.0]], rtol=0, atol=1e-15)


@pytest.mark.parametrize("x_shape", [(1, 5), (3, 4), (2, 3, 4), (4, 2, 3, 2)])
def test_affine_backward_gradcheck(x_shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape)
    D, M = int(np.prod(x_shape[1:])), 6
    w = rng.standard_normal((D, M))
    b = rng.standard_normal(M)
    out, cache = affine_forward(x, w, b)
    assert out.shape == (x_shape[0], M)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = affine_backward(dout, cache)
    assert dx.shape == x.shape
    # Affine is linear, so the numerical gradient is exact up to rounding; rounding still shows
    # up as ~1e-9 relative error on entries that happen to be near zero.
    threshold = 1e-8
    assert_grad(dx, eval_numerical_gradient_array(lambda x: affine_forward(x, w, b)[0], x, dout),
                threshold, "dx")
    assert_grad(dw, eval_numerical_gradient_array(lambda w: affine_forward(x, w, b)[0], w, dout),
                threshold, "dw")
    assert_grad(db, eval_numerical_gradient_array(lambda b: affine_forward(x, w, b)[0], b, dout),
                threshold, "db")


# ---------------------------------------------------------------- activations

def test_activation_known_values():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(relu_forward(x)[0], [0.0, 0.0, 3.0])
    np.testing.assert_allclose(leaky_relu_forward(x, alpha=0.1)[0], [-0.2, 0.0, 3.0])
    np.testing.assert_allclose(sigmoid_forward(x)[0], 1 / (1 + np.exp([2.0, 0.0, -3.0])))
    np.testing.assert_allclose(tanh_forward(x)[0], np.tanh(x))
    np.testing.assert_allclose(elu_forward(x, alpha=2.0)[0], [2.0 * (np.exp(-2.0) - 1), 0.0, 3.0])


def test_activations_saturate():
    # pyproject turns RuntimeWarning into an error; the solution's 1 / (1 + exp(-x)) overflows to 0
    x = np.array([-1000.0, -40.0, 40.0, 1000.0])
    with np.errstate(over="ignore"):
        out, _ = sigmoid_forward(x)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out[[0, 3]], [0.0, 1.0], atol=1e-300)
    out, _ = elu_forward(x, alpha=1.5)
    np.testing.assert_allclose(out, [-1.5, -1.5, 40.0, 1000.0])


def test_relu_backward_routes_by_sign():
    x = np.array([[-1.0, 2.0], [3.0, -4.0]])
    dout = np.array([[10.0, 20.0], [30.0, 40.0]])
    np.testing.assert_array_equal(relu_backward(dout, relu_forward(x)[1]), [[0, 20], [30, 0]])


ACTIVATIONS = {
    "relu": (relu_forward, relu_backward, 1e-9),
    "leaky_relu": (lambda x: leaky_relu_forward(x, alpha=0.1), leaky_relu_backward, 1e-9),
    "sigmoid": (sigmoid_forward, sigmoid_backward, 1e-8),
    "tanh": (tanh_forward, tanh_backward, 1e-8),
    "elu": (lambda x: elu_forward(x, alpha=1.3), elu_backward, 1e-8),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("shape", [(1, 4), (5, 6), (2, 3, 4)])
def test_activation_backward_gradcheck(name, shape):
    forward, backward, threshold = ACTIVATIONS[name]
    rng = np.random.default_rng(1)
    x = away_from_zero(rng.standard_normal(shape))
    out, cache = forward(x)
    dout = rng.standard_normal(out.shape)
    dx_num = eval_numerical_gradient_array(lambda x: forward(x)[0], x, dout)
    assert_grad(backward(dout, cache), dx_num, threshold, f"{name} dx")


# ---------------------------------------------------------------- batch normalization

def test_batchnorm_train_normalizes_then_applies_gamma_beta():
    rng = np.random.default_rng(2)
    x = 5 * rng.standard_normal((200, 3)) + np.array([3.0, -7.0, 0.5])
    out, _ = batchnorm_forward(x, np.ones(3), np.zeros(3), {"mode": "train"})
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-6)  # 1 - std is ~eps / (2 var)
    gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([0.0, -1.0, 5.0])
    out, _ = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), gamma, rtol=1e-6)


def test_batchnorm_running_stats_update_in_train_only():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((50, 4)) * 2 + 1
    bn_param = {"mode": "train", "momentum": 0.8}
    batchnorm_forward(x, np.ones(4), np.zeros(4), bn_param)
    # created lazily as zeros / ones, then running = 0.8 * running + 0.2 * batch statistic
    np.testing.assert_allclose(bn_param["running_mean"], 0.2 * x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(bn_param["running_var"], 0.8 + 0.2 * x.var(axis=0), rtol=1e-12)
    before = {k: bn_param[k].copy() for k in ("running_mean", "running_var")}
    bn_param["mode"] = "test"
    batchnorm_forward(rng.standard_normal((7, 4)), np.ones(4), np.zeros(4), bn_param)
    for k, v in before.items():
        np.testing.assert_array_equal(bn_param[k], v)


def test_batchnorm_test_mode_uses_running_stats():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((6, 3))
    gamma, beta = np.array([2.0, 0.5, 1.0]), np.array([1.0, 0.0, -3.0])
    rm, rv = np.array([0.5, -1.0, 2.0]), np.array([4.0, 0.25, 9.0])
    bn_param = {"mode": "test", "running_mean": rm, "running_var": rv, "eps": 0.0}
    out, _ = batchnorm_forward(x, gamma, beta, bn_param)
    np.testing.assert_allclose(out, gamma * (x - rm) / np.sqrt(rv) + beta, rtol=1e-13)
    # One example at a time gives the same output: test mode does not look at the batch.
    np.testing.assert_allclose(batchnorm_forward(x[:1], gamma, beta, bn_param)[0], out[:1])


def test_batchnorm_test_mode_after_training_matches_the_data():
    rng = np.random.default_rng(5)
    gamma, beta = np.array([1.0, 2.0]), np.array([0.0, 3.0])
    bn_param = {"mode": "train"}
    for _ in range(100):
        batchnorm_forward(4 * rng.standard_normal((100, 2)) + 10, gamma, beta, bn_param)
    bn_param["mode"] = "test"
    out, _ = batchnorm_forward(4 * rng.standard_normal((2000, 2)) + 10, gamma, beta, bn_param)
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=0.15)
    np.testing.assert_allclose(out.std(axis=0), gamma, rtol=0.1)


# N >= 3: with N = 2 every x_hat is +-1 whatever x, dx is ~0 and only rounding noise is compared.
@pytest.mark.parametrize("shape", [(3, 4), (8, 5), (10, 1)])
@pytest.mark.parametrize("backward", [batchnorm_backward, batchnorm_backward_alt])
def test_batchnorm_backward_gradcheck(shape, backward):
    rng = np.random.default_rng(6)
    N, D = shape
    x = 2 * rng.standard_normal(shape) + 3
    gamma, beta = rng.standard_normal(D), rng.standard_normal(D)
    dout = rng.standard_normal(shape)

    def fx(x):
        return batchnorm_forward(x, gamma, beta, {"mode": "train"})[0]

    def fg(g):
        return batchnorm_forward(x, g, beta, {"mode": "train"})[0]

    def fb(b):
        return batchnorm_forward(x, gamma, b, {"mode": "train"})[0]

    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    dx, dgamma, dbeta = backward(dout, cache)
    # dx sums to zero over the batch, so some entries are small and the numerical gradient's
    # rounding noise is large relative to them: ~2e-8 here, up to ~5e-8 over other seeds.
    assert_grad(dx, eval_numerical_gradient_array(fx, x, dout), 1e-7, "dx")
    assert_grad(dgamma, eval_numerical_gradient_array(fg, gamma, dout), 1e-8, "dgamma")
    assert_grad(dbeta, eval_numerical_gradient_array(fb, beta, dout), 1e-8, "dbeta")


def test_batchnorm_backward_versions_agree():
    rng = np.random.default_rng(7)
    x = 3 * rng.standard_normal((100, 50)) - 2
    gamma, beta = rng.standard_normal(50), rng.standard_normal(50)
    dout = rng.standard_normal((100, 50))
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    for staged, closed_form in zip(batchnorm_backward(dout, cache),
                                   batchnorm_backward_alt(dout, cache), strict=True):
        assert rel_error(staged, closed_form) < 1e-10


# ---------------------------------------------------------------- dropout

def test_spatial_batchnorm_normalizes_each_channel_over_batch_and_positions():
    rng = np.random.default_rng(20)
    x = rng.normal(size=(4, 3, 5, 6)) * np.array([1.0, 5.0, 0.2])[:, None, None] + 7
    gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.0, 1.0])
    bn_param = {"mode": "train"}
    out, _ = spatial_batchnorm_forward(x, gamma, beta, bn_param)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), beta, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), gamma, atol=1e-3)
    np.testing.assert_allclose(bn_param["running_mean"], 0.1 * x.mean(axis=(0, 2, 3)), rtol=1e-12)
    bn_param["mode"] = "test"
    first, _ = spatial_batchnorm_forward(x[:1], gamma, beta, bn_param)
    np.testing.assert_allclose(first, spatial_batchnorm_forward(x, gamma, beta, bn_param)[0][:1])


@pytest.mark.parametrize("G", [1, 2, 6])
def test_spatial_groupnorm_normalizes_each_example_and_group(G):
    rng = np.random.default_rng(21)
    x = 3 * rng.normal(size=(2, 6, 4, 5)) + 2
    out, _ = spatial_groupnorm_forward(x, np.ones((1, 6, 1, 1)), np.zeros((1, 6, 1, 1)), G, {})
    groups = out.reshape(2, G, -1)
    np.testing.assert_allclose(groups.mean(axis=2), 0, atol=1e-12)
    np.testing.assert_allclose(groups.std(axis=2), 1, atol=1e-4)
    alone, _ = spatial_groupnorm_forward(x[1:], np.ones((1, 6, 1, 1)), np.zeros((1, 6, 1, 1)), G, {})
    np.testing.assert_allclose(alone, out[1:], rtol=1e-12)  # no statistics across the batch


@pytest.mark.parametrize("forward, backward, param_shape, args", [
    (spatial_batchnorm_forward, spatial_batchnorm_backward, (4,), ({"mode": "train"},)),
    (spatial_groupnorm_forward, spatial_groupnorm_backward, (1, 4, 1, 1), (2, {})),
])
def test_spatial_norm_backward_gradcheck(forward, backward, param_shape, args):
    # Threshold 1e-7 (float64, smooth functions of x, gamma and beta).
    rng = np.random.default_rng(22)
    x, dout = 2 * rng.normal(size=(3, 4, 3, 5)) + 1, rng.normal(size=(3, 4, 3, 5))
    inputs = [x, rng.normal(size=param_shape), rng.normal(size=param_shape)]
    grads = backward(dout, forward(*inputs, *args)[1])
    for i, name in enumerate(("dx", "dgamma", "dbeta")):
        def f(v, i=i):
            return forward(*inputs[:i], v, *inputs[i + 1:], *args)[0]
        assert_grad(grads[i], eval_numerical_gradient_array(f, inputs[i].copy(), dout), 1e-7, name)


@pytest.mark.parametrize("p", [0.25, 0.5, 0.8])
def test_dropout_keeps_expectation(p):
    x = np.random.default_rng(8).standard_normal((500, 500)) + 10
    out, mask = dropout_forward(x, {"mode": "train", "p": p, "seed": 0})
    # 250,000 units: the kept fraction has std sqrt(p(1-p)/250000) < 1e-3
    assert abs(np.mean(out != 0) - p) < 5e-3
    assert abs(out.mean() / x.mean() - 1) < 1e-2
    np.testing.assert_allclose(out[out != 0], x[out != 0] / p)  # kept units are scaled by 1/p


def test_dropout_test_mode_is_identity():
    x = np.random.default_rng(9).standard_normal((10, 20))
    out, cache = dropout_forward(x, {"mode": "test", "p": 0.3})
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(dropout_backward(np.ones_like(x), cache), np.ones_like(x))


def test_dropout_seed_int_fixes_mask_generator_streams():
    x = np.ones((30, 30))
    fixed = {"mode": "train", "p": 0.5, "seed": 123}
    np.testing.assert_array_equal(dropout_forward(x, fixed)[0], dropout_forward(x, fixed)[0])
    stream = {"mode": "train", "p": 0.5, "seed": np.random.default_rng(0)}
    first, second = dropout_forward(x, stream)[0], dropout_forward(x, stream)[0]
    assert not np.array_equal(first, second)
    replay = {"mode": "train", "p": 0.5, "seed": np.random.default_rng(0)}
    np.testing.assert_array_equal(dropout_forward(x, replay)[0], first)


@pytest.mark.parametrize("shape", [(1, 7), (10, 10), (2, 3, 4)])
def test_dropout_backward_gradcheck(shape):
    rng = np.random.default_rng(10)
    x = rng.standard_normal(shape) + 10
    dout = rng.standard_normal(shape)
    param = {"mode": "train", "p": 0.6, "seed": 42}
    _, cache = dropout_forward(x, param)
    dx_num = eval_numerical_gradient_array(lambda x: dropout_forward(x, param)[0], x, dout)
    assert_grad(dropout_backward(dout, cache), dx_num, 1e-9, "dx")


# ---------------------------------------------------------------- losses

def test_softmax_loss_known_values():
    N, C = 4, 10
    loss, dx = softmax_loss(np.zeros((N, C)), np.array([0, 3, 9, 3]))
    assert abs(loss - np.log(C)) < 1e-12
    expected = np.full((N, C), 1 / C)
    expected[[0, 1, 2, 3], [0, 3, 9, 3]] -= 1
    np.testing.assert_allclose(dx, expected / N, rtol=1e-12)
    # Tiny random scores: every class is about equally likely, so loss ~ ln C.
    rng = np.random.default_rng(11)
    loss, _ = softmax_loss(1e-3 * rng.standard_normal((100, C)), rng.integers(C, size=100))
    assert abs(loss - np.log(C)) < 1e-2


def test_softmax_loss_is_stable_for_large_scores():
    x = np.array([[1000.0, 0.0, -1000.0], [5000.0, 5000.0, 0.0]])
    loss, dx = softmax_loss(x, np.array([1, 0]))
    # example 0: -log(e^-1000 / 1) = 1000;  example 1: -log(1/2)
    assert abs(loss - (1000 + np.log(2)) / 2) < 1e-9
    assert np.all(np.isfinite(dx))


def test_svm_loss_known_values():
    # margins for y=0: [0, 2 - 1 + 1, 3 - 1 + 1] = [0, 2, 3]
    loss, dx = svm_loss(np.array([[1.0, 2.0, 3.0]]), np.array([0]))
    assert loss == pytest.approx(5.0, abs=1e-12)
    np.testing.assert_allclose(dx, [[-2.0, 1.0, 1.0]])
    # Tiny scores: every wrong class has margin ~1, so loss ~ C - 1.
    N, C = 100, 10
    rng = np.random.default_rng(12)
    loss, _ = svm_loss(1e-3 * rng.standard_normal((N, C)), rng.integers(C, size=N))
    assert abs(loss - (C - 1)) < 1e-2


@pytest.mark.parametrize("loss_fn, scale", [
    (softmax_loss, 1.0),
    (svm_loss, 1e-3),  # small scores keep every margin near 1, away from the hinge's kink
])
@pytest.mark.parametrize("N, C, threshold", [
    (1, 3, 1e-8),
    (5, 4, 1e-8),
    # dx ~ 1/N gets small while the loss's rounding noise does not: a looser threshold.
    (16, 10, 1e-7),
])
def test_loss_gradcheck(loss_fn, scale, N, C, threshold):
    rng = np.random.default_rng(13)
    x = scale * rng.standard_normal((N, C))
    y = rng.integers(C, size=N)
    _, dx = loss_fn(x, y)
    dx_num = eval_numerical_gradient(lambda x: loss_fn(x, y)[0], x)
    assert_grad(dx, dx_num, threshold, f"{loss_fn.__name__} dx")


# ---------------------------------------------------------------- sandwich layer

@pytest.mark.parametrize("x_shape", [(1, 6), (2, 3, 4)])
def test_affine_relu_gradcheck(x_shape):
    rng = np.random.default_rng(14)
    x = rng.standard_normal(x_shape)
    D, M = int(np.prod(x_shape[1:])), 8
    w, b = rng.standard_normal((D, M)), rng.standard_normal(M)
    out, cache = affine_relu_forward(x, w, b)
    np.testing.assert_allclose(out, np.maximum(0, x.reshape(x.shape[0], -1) @ w + b))
    dout = rng.standard_normal(out.shape)
    dx, dw, db = affine_relu_backward(dout, cache)
    threshold = 1e-8
    assert_grad(dx, eval_numerical_gradient_array(
        lambda x: affine_relu_forward(x, w, b)[0], x, dout), threshold, "dx")
    assert_grad(dw, eval_numerical_gradient_array(
        lambda w: affine_relu_forward(x, w, b)[0], w, dout), threshold, "dw")
    assert_grad(db, eval_numerical_gradient_array(
        lambda b: affine_relu_forward(x, w, b)[0], b, dout), threshold, "db")


def test_layernorm_normalizes_each_example_then_applies_gamma_beta():
    rng = np.random.default_rng(30)
    x = rng.normal(3, 4, size=(5, 40))
    out, _ = layernorm_forward(x, np.ones(40), np.zeros(40), {})
    # Threshold: row means within 1e-10 of 0, row stds within 1e-4 of 1 (eps = 1e-5 lowers them)
    assert np.allclose(out.mean(axis=1), 0, atol=1e-10) and np.allclose(out.std(axis=1), 1, atol=1e-4)
    gamma, beta = rng.normal(size=40), rng.normal(size=40)
    out, _ = layernorm_forward(x, gamma, beta, {"eps": 0.3})
    x_hat = (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + 0.3)
    assert np.allclose(out, gamma * x_hat + beta, rtol=1e-12, atol=1e-12)


def test_layernorm_has_no_batch_dependence_and_ignores_the_mode():
    rng = np.random.default_rng(31)
    x, gamma, beta = rng.normal(size=(6, 7)), rng.normal(size=7), rng.normal(size=7)
    out, _ = layernorm_forward(x, gamma, beta, {"mode": "train"})
    alone = np.vstack([layernorm_forward(row[None], gamma, beta, {"mode": "test"})[0] for row in x])
    assert np.array_equal(out, alone)


@pytest.mark.parametrize("shape, eps", [((4, 5), 1e-5), ((1, 6), 1e-5), ((7, 3), 0.5)])
def test_layernorm_backward_gradcheck(shape, eps):
    rng = np.random.default_rng(32)
    x = 3 * rng.normal(size=shape) + 2
    gamma, beta, dout = rng.normal(size=shape[1]), rng.normal(size=shape[1]), rng.normal(size=shape)
    param = {"eps": eps}
    _, cache = layernorm_forward(x, gamma, beta, param)
    dx, dgamma, dbeta = layernorm_backward(dout, cache)
    dx_num = eval_numerical_gradient_array(lambda v: layernorm_forward(v, gamma, beta, param)[0], x, dout)
    dg_num = eval_numerical_gradient_array(lambda v: layernorm_forward(x, v, beta, param)[0], gamma, dout)
    db_num = eval_numerical_gradient_array(lambda v: layernorm_forward(x, gamma, v, param)[0], beta, dout)
    # Thresholds as for batch norm: dx < 1e-6 (it sums to 0 over each row, so small entries carry
    # the rounding; measured at most 2e-8), dgamma and dbeta < 1e-8.
    assert_grad(dx, dx_num, 1e-6, "dx")
    assert_grad(dgamma, dg_num, 1e-8, "dgamma")
    assert_grad(dbeta, db_num, 1e-8, "dbeta")


def test_layernorm_is_batchnorm_of_the_transpose():
    """Without gamma and beta, layer norm of x is batch norm of x.T, transposed; so are the dx."""
    rng = np.random.default_rng(33)
    x, dout = rng.normal(size=(5, 8)), rng.normal(size=(5, 8))
    ln_out, ln_cache = layernorm_forward(x, np.ones(8), np.zeros(8), {})
    bn_out, bn_cache = batchnorm_forward(x.T, np.ones(5), np.zeros(5), {"mode": "train"})
    assert np.allclose(ln_out, bn_out.T, rtol=1e-12, atol=1e-12)
    dx_ln = layernorm_backward(dout, ln_cache)[0]
    dx_bn = batchnorm_backward_alt(dout.T, bn_cache)[0]
    assert rel_error(dx_ln, dx_bn.T) < 1e-10
