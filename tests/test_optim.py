"""Update rules: hand-computed steps, and convergence on an ill-conditioned quadratic."""

import numpy as np
import pytest

from cs231n_course.reference import optim

W0 = np.array([1.0, -2.0])
DW1 = np.array([0.5, -1.0])
DW2 = np.array([1.0, 2.0])


def two_steps(rule, config):
    w1, config = rule(W0, DW1, config)
    w2, config = rule(w1, DW2, config)
    return w1, w2, config


def test_sgd_step():
    w1, w2, _ = two_steps(optim.sgd, {"learning_rate": 0.1})
    np.testing.assert_allclose(w1, [1 - 0.05, -2 + 0.1], rtol=1e-15)
    np.testing.assert_allclose(w2, [0.95 - 0.1, -1.9 - 0.2], rtol=1e-15)


def test_sgd_default_learning_rate():
    w1, config = optim.sgd(W0, DW1)
    assert config["learning_rate"] == 1e-2
    np.testing.assert_allclose(w1, W0 - 1e-2 * DW1, rtol=1e-15)


def test_sgd_momentum_steps():
    w1, w2, config = two_steps(optim.sgd_momentum, {"learning_rate": 0.1})
    # v1 = -0.1 * dw1 = [-0.05, 0.1];  w1 = w0 + v1
    np.testing.assert_allclose(w1, [0.95, -1.9], rtol=1e-14)
    # v2 = 0.9 * v1 - 0.1 * dw2 = [-0.045 - 0.1, 0.09 - 0.2] = [-0.145, -0.11]
    np.testing.assert_allclose(config["velocity"], [-0.145, -0.11], rtol=1e-14)
    np.testing.assert_allclose(w2, [0.95 - 0.145, -1.9 - 0.11], rtol=1e-14)


def test_nesterov_momentum_steps():
    w1, w2, config = two_steps(optim.nesterov_momentum, {"learning_rate": 0.1})
    # v1 = [-0.05, 0.1];  w1 = w0 - 0.9 * 0 + 1.9 * v1 = [1 - 0.095, -2 + 0.19]
    np.testing.assert_allclose(w1, [0.905, -1.81], rtol=1e-14)
    # v2 = [-0.145, -0.11];  w2 = w1 - 0.9 * v1 + 1.9 * v2
    np.testing.assert_allclose(config["velocity"], [-0.145, -0.11], rtol=1e-14)
    np.testing.assert_allclose(w2, [0.905 + 0.045 - 0.2755, -1.81 - 0.09 - 0.209], rtol=1e-14)


def test_adagrad_steps():
    w1, w2, config = two_steps(optim.adagrad, {"learning_rate": 0.1})
    # cache1 = [0.25, 1];  step = 0.1 * [0.5 / 0.5, -1 / 1]
    np.testing.assert_allclose(w1, [0.9, -1.9], rtol=1e-7)
    # cache2 = [1.25, 5]: the squared gradients only add up
    np.testing.assert_allclose(config["cache"], [1.25, 5.0], rtol=1e-14)
    np.testing.assert_allclose(w2, [0.9 - 0.1 * 1 / np.sqrt(1.25), -1.9 - 0.1 * 2 / np.sqrt(5)],
                               rtol=1e-7)


def test_rmsprop_steps():
    w1, w2, config = two_steps(optim.rmsprop, {"learning_rate": 0.1})
    # cache1 = 0.01 * [0.25, 1] = [0.0025, 0.01];  step = 0.1 * [0.5 / 0.05, -1 / 0.1] = [1, -1]
    np.testing.assert_allclose(w1, [0.0, -1.0], atol=1e-6)
    # cache2 = 0.99 * cache1 + 0.01 * [1, 4] = [0.012475, 0.0499]
    np.testing.assert_allclose(config["cache"], [0.012475, 0.0499], rtol=1e-14)
    step2 = 0.1 * np.array([1 / np.sqrt(0.012475), 2 / np.sqrt(0.0499)])
    np.testing.assert_allclose(w2, w1 - step2, rtol=1e-7)


def test_adam_steps():
    w1, w2, config = two_steps(optim.adam, {"learning_rate": 0.1})
    # t=1: m = 0.1 dw1, v = 0.001 dw1^2; bias correction gives m_hat = dw1, v_hat = dw1^2
    np.testing.assert_allclose(w1, W0 - 0.1 * np.sign(DW1), rtol=1e-7)
    # t=2: m = 0.09 dw1 + 0.1 dw2 = [0.145, 0.11];  v = 0.000999 dw1^2 + 0.001 dw2^2
    m, v = np.array([0.145, 0.11]), np.array([0.00024975 + 0.001, 0.000999 + 0.004])
    np.testing.assert_allclose(config["m"], m, rtol=1e-13)
    np.testing.assert_allclose(config["v"], v, rtol=1e-13)
    assert config["t"] == 2
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    np.testing.assert_allclose(w2, w1 - 0.1 * m_hat / np.sqrt(v_hat), rtol=1e-7)


@pytest.mark.parametrize("dw", [np.array([1e-4, -3.0, 250.0]), np.array([-1e-2, 7.0, 0.5])])
def test_adam_first_step_has_magnitude_learning_rate(dw):
    # Without bias correction the first step would be 0.1 / sqrt(0.001) ~ 3.2 times too large.
    w1, _ = optim.adam(np.zeros(3), dw, {"learning_rate": 1e-3})
    np.testing.assert_allclose(np.abs(w1), 1e-3, rtol=1e-3)
    np.testing.assert_array_equal(np.sign(w1), -np.sign(dw))


def test_rules_keep_state_in_the_given_config():
    config = {"learning_rate": 0.1}
    _, returned = optim.sgd_momentum(W0, DW1, config)
    assert returned is config and "velocity" in config
    # a fresh config per call when none is given: no state leaks between parameters
    _, first = optim.adam(W0, DW1)
    _, second = optim.adam(W0, DW1)
    assert first is not second and second["t"] == 1


# f(w) = 0.5 w^T A w with A's eigenvalues 1 and 50 (condition number 50), axes rotated by 30
# degrees so that per-coordinate step sizes (AdaGrad, RMSProp, Adam) do not get it for free.
_c, _s = np.cos(np.pi / 6), np.sin(np.pi / 6)
_R = np.array([[_c, -_s], [_s, _c]])
A = _R @ np.diag([1.0, 50.0]) @ _R.T


def quadratic(w):
    return 0.5 * w @ A @ w


def run(rule, config, steps):
    w = np.array([1.0, 1.0])
    for _ in range(steps):
        w, config = rule(w, A @ w, config)
    return quadratic(w) / quadratic(np.array([1.0, 1.0]))


@pytest.mark.parametrize("rule, learning_rate, steps, tol", [
    (optim.sgd, 0.02, 500, 1e-8),
    (optim.sgd_momentum, 0.02, 200, 1e-8),
    (optim.nesterov_momentum, 0.02, 150, 1e-8),
    (optim.adagrad, 0.5, 300, 1e-8),
    # constant-rate RMSProp keeps taking steps of size ~learning_rate near the minimum and ends
    # up circling it, so ask for less
    (optim.rmsprop, 0.01, 300, 1e-3),
    (optim.adam, 0.05, 250, 1e-8),
])
def test_rule_minimizes_ill_conditioned_quadratic(rule, learning_rate, steps, tol):
    assert run(rule, {"learning_rate": learning_rate}, steps) < tol


def test_momentum_beats_plain_sgd_at_the_same_learning_rate():
    # 0.02 is near SGD's stability limit 2 / 50; along the flat direction (eigenvalue 1) SGD
    # shrinks the error only by a factor 0.98 per step.
    assert run(optim.sgd, {"learning_rate": 0.02}, 150) > 1e-4
    assert run(optim.sgd_momentum, {"learning_rate": 0.02}, 150) < 1e-6
    assert run(optim.nesterov_momentum, {"learning_rate": 0.02}, 150) < 1e-6
