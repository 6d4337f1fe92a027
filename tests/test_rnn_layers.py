"""Tests for the reference rnn_layers and the learner-side helpers in cs231n_utils.rnn_layers:
gradient checks, known values, and the RNN/LSTM lessons."""

import numpy as np
import pytest

from cs231n_course.reference.rnn_layers import (
    captioner_loss,
    clip_gradient_norm,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    temporal_softmax_loss,
    train_captioner,
    word_embedding_backward,
    word_embedding_forward,
)
from cs231n_utils.gradcheck import (
    check_gradient,
    eval_numerical_gradient,
    eval_numerical_gradient_array,
)
from cs231n_utils.rnn_layers import sigmoid, temporal_affine_backward, temporal_affine_forward

SHAPES = [(3, 4, 5, 6), (1, 4, 5, 6), (3, 1, 5, 6), (1, 1, 5, 6)]  # (N, T, D, H)


def assert_gradient(analytic, numeric, name, threshold):
    """Assert the CS231n relative error (see gradcheck.rel_error) is below threshold."""
    result = check_gradient(analytic, numeric, threshold=threshold, name=name, verbose=False)
    assert result.passed, str(result)


def numeric_gradients(forward, inputs, dout, output=0):
    """Numerical gradients of sum(forward(**inputs)[output] * dout), one per input array.

    The checker perturbs each input array in place, so forward always sees the current values.
    """
    return [eval_numerical_gradient_array(lambda _: forward(**inputs)[output], value, dout)
            for value in inputs.values()]


def random_params(rng, D, H, gates=1):
    """Weights scaled like a sensible initialization, so that tanh and sigmoid do not saturate."""
    Wx = rng.standard_normal((D, gates * H)) / np.sqrt(D)
    Wh = rng.standard_normal((H, gates * H)) / np.sqrt(H)
    b = 0.1 * rng.standard_normal(gates * H)
    return Wx, Wh, b


# ---------------------------------------------------------------- vanilla RNN


def test_rnn_step_forward_matches_cs231n_values():
    N, D, H = 3, 10, 4
    x = np.linspace(-0.4, 0.7, num=N * D).reshape(N, D)
    prev_h = np.linspace(-0.2, 0.5, num=N * H).reshape(N, H)
    Wx = np.linspace(-0.1, 0.9, num=D * H).reshape(D, H)
    Wh = np.linspace(-0.3, 0.7, num=H * H).reshape(H, H)
    b = np.linspace(-0.2, 0.4, num=H)
    next_h, _ = rnn_step_forward(x, prev_h, Wx, Wh, b)
    expected = np.array([
        [-0.58172089, -0.50182032, -0.41232771, -0.31410098],
        [0.66854692, 0.79562378, 0.87755553, 0.92795967],
        [0.97934501, 0.99144213, 0.99646691, 0.99854353]])
    np.testing.assert_allclose(next_h, expected, rtol=0, atol=1e-8)  # printed to 8 decimals


def test_rnn_forward_matches_cs231n_values():
    N, T, D, H = 2, 3, 4, 5
    x = np.linspace(-0.1, 0.3, num=N * T * D).reshape(N, T, D)
    h0 = np.linspace(-0.3, 0.1, num=N * H).reshape(N, H)
    Wx = np.linspace(-0.2, 0.4, num=D * H).reshape(D, H)
    Wh = np.linspace(-0.4, 0.1, num=H * H).reshape(H, H)
    b = np.linspace(-0.7, 0.1, num=H)
    h, _ = rnn_forward(x, h0, Wx, Wh, b)
    expected = np.array([
        [[-0.42070749, -0.27279261, -0.11074945, 0.05740409, 0.22236251],
         [-0.39525808, -0.22554661, -0.0409454, 0.14649412, 0.32397316],
         [-0.42305111, -0.24223728, -0.04287027, 0.15997045, 0.35014525]],
        [[-0.55857474, -0.39065825, -0.19198182, 0.02378408, 0.23735671],
         [-0.27150199, -0.07088804, 0.13562939, 0.33099728, 0.50158768],
         [-0.51014825, -0.30524429, -0.06755202, 0.17806392, 0.40333043]]])
    np.testing.assert_allclose(h, expected, rtol=0, atol=1e-8)  # printed to 8 decimals


@pytest.mark.parametrize("N, D, H", [(3, 5, 6), (1, 5, 6)])
def test_rnn_step_backward_gradcheck(N, D, H):
    rng = np.random.default_rng(0)
    x, prev_h = rng.standard_normal((N, D)), rng.standard_normal((N, H))
    Wx, Wh, b = random_params(rng, D, H)
    dnext_h = rng.standard_normal((N, H))
    inputs = {"x": x, "prev_h": prev_h, "Wx": Wx, "Wh": Wh, "b": b}
    analytic = rnn_step_backward(dnext_h, rnn_step_forward(**inputs)[1])
    numeric = numeric_gradients(rnn_step_forward, inputs, dnext_h)
    for name, grad, grad_num in zip(inputs, analytic, numeric, strict=True):
        assert_gradient(grad, grad_num, "d" + name, threshold=1e-7)


@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_rnn_backward_gradcheck(N, T, D, H):
    rng = np.random.default_rng(1)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    Wx, Wh, b = random_params(rng, D, H)
    dh = rng.standard_normal((N, T, H))
    inputs = {"x": x, "h0": h0, "Wx": Wx, "Wh": Wh, "b": b}
    analytic = rnn_backward(dh, rnn_forward(**inputs)[1])
    numeric = numeric_gradients(rnn_forward, inputs, dh)
    for name, grad, grad_num in zip(inputs, analytic, numeric, strict=True):
        assert_gradient(grad, grad_num, "d" + name, threshold=1e-7)  # worst measured: 8.9e-9


# ---------------------------------------------------------------- word embedding, temporal affine


def test_word_embedding_forward_looks_up_rows():
    rng = np.random.default_rng(2)
    W = rng.standard_normal((5, 3))
    x = np.array([[0, 3, 1, 2], [2, 1, 0, 3]])
    out, _ = word_embedding_forward(x, W)
    assert out.shape == (2, 4, 3)
    np.testing.assert_array_equal(out[1, 0], W[2])
    np.testing.assert_array_equal(out[0, 1], W[3])


@pytest.mark.parametrize("N, T", [(2, 4), (1, 1)])
def test_word_embedding_backward_gradcheck(N, T):
    rng = np.random.default_rng(3)
    V, D = 5, 3
    x = rng.integers(V, size=(N, T))
    W = rng.standard_normal((V, D))
    dout = rng.standard_normal((N, T, D))
    dW = word_embedding_backward(dout, word_embedding_forward(x, W)[1])
    dW_num = eval_numerical_gradient_array(lambda W: word_embedding_forward(x, W)[0], W, dout)
    assert_gradient(dW, dW_num, "dW", threshold=1e-7)


def test_word_embedding_backward_accumulates_repeated_words():
    # dW[x] += dout would count word 1 once instead of three times.
    x = np.array([[1, 1], [4, 1]])
    dW = word_embedding_backward(np.ones((2, 2, 3)), word_embedding_forward(x, np.zeros((5, 3)))[1])
    np.testing.assert_array_equal(dW[:, 0], [0, 3, 0, 0, 1])


@pytest.mark.parametrize("N, T, D, M", SHAPES)
def test_temporal_affine_backward_gradcheck(N, T, D, M):
    rng = np.random.default_rng(4)
    inputs = {"x": rng.standard_normal((N, T, D)), "w": rng.standard_normal((D, M)),
              "b": rng.standard_normal(M)}
    dout = rng.standard_normal((N, T, M))
    analytic = temporal_affine_backward(dout, temporal_affine_forward(**inputs)[1])
    numeric = numeric_gradients(temporal_affine_forward, inputs, dout)
    for name, grad, grad_num in zip(inputs, analytic, numeric, strict=True):
        assert_gradient(grad, grad_num, "d" + name, threshold=1e-7)


# ---------------------------------------------------------------- temporal softmax loss


@pytest.mark.parametrize("N, T, V", [(3, 4, 7), (1, 1, 7)])
def test_temporal_softmax_loss_gradcheck(N, T, V):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((N, T, V))
    y = rng.integers(V, size=(N, T))
    mask = rng.random((N, T)) < 0.7
    mask.flat[0] = True  # at least one counted position, so the gradient is not all zero
    _, dx = temporal_softmax_loss(x, y, mask)
    dx_num = eval_numerical_gradient(lambda x: temporal_softmax_loss(x, y, mask)[0], x)
    assert_gradient(dx, dx_num, "dx", threshold=1e-7)


@pytest.mark.parametrize("T, p_keep", [(1, 1.0), (10, 1.0), (10, 0.1)])
def test_temporal_softmax_loss_is_ln_V_per_counted_step_for_small_scores(T, p_keep):
    rng = np.random.default_rng(6)
    N, V = 100, 10
    x = 0.001 * rng.standard_normal((N, T, V))
    y = rng.integers(V, size=(N, T))
    mask = rng.random((N, T)) < p_keep
    loss, _ = temporal_softmax_loss(x, y, mask)
    # Summed over counted steps, divided by N (not by N * T): T=10 with no mask gives 10 ln V.
    expected = mask.sum() / N * np.log(V)
    assert abs(loss - expected) < 1e-2 * expected


def test_temporal_softmax_loss_ignores_masked_positions():
    rng = np.random.default_rng(7)
    N, T, V = 3, 4, 5
    x = rng.standard_normal((N, T, V))
    y = rng.integers(V, size=(N, T))
    mask = rng.random((N, T)) < 0.5
    loss, dx = temporal_softmax_loss(x, y, mask)
    x_changed = x.copy()
    x_changed[~mask] = 1e3 * rng.standard_normal((np.sum(~mask), V))
    loss_changed, dx_changed = temporal_softmax_loss(x_changed, y, mask)
    assert loss_changed == loss
    np.testing.assert_array_equal(dx_changed, dx)
    np.testing.assert_array_equal(dx[~mask], 0)


def test_temporal_softmax_loss_is_stable_for_huge_scores():
    x = np.array([[[1e4, 0.0, -1e4], [0.0, 1e4, 0.0]]])
    loss, dx = temporal_softmax_loss(x, np.array([[0, 0]]), np.ones((1, 2), dtype=bool))
    np.testing.assert_allclose(loss, 1e4, rtol=1e-12)  # step 1 costs 0, step 2 costs 1e4
    assert np.all(np.isfinite(dx))


# ---------------------------------------------------------------- sigmoid and LSTM


def test_sigmoid_is_accurate_and_does_not_overflow():
    x = np.array([-30.0, -1.0, 0.0, 1.0, 30.0])
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-15, atol=0)
    np.testing.assert_allclose(sigmoid(-x) + sigmoid(x), 1.0, rtol=1e-15, atol=0)
    with np.errstate(over="raise", invalid="raise"):  # the naive 1 / (1 + exp(-x)) overflows
        np.testing.assert_array_equal(sigmoid(np.array([-1e4, 1e4])), [0.0, 1.0])


def test_lstm_step_forward_matches_cs231n_values():
    N, D, H = 3, 4, 5
    x = np.linspace(-0.4, 1.2, num=N * D).reshape(N, D)
    prev_h = np.linspace(-0.3, 0.7, num=N * H).reshape(N, H)
    prev_c = np.linspace(-0.4, 0.9, num=N * H).reshape(N, H)
    Wx = np.linspace(-2.1, 1.3, num=4 * D * H).reshape(D, 4 * H)
    Wh = np.linspace(-0.7, 2.2, num=4 * H * H).reshape(H, 4 * H)
    b = np.linspace(0.3, 0.7, num=4 * H)
    next_h, next_c, _ = lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
    expected_h = np.array([
        [0.24635157, 0.28610883, 0.32240467, 0.35525807, 0.38474904],
        [0.49223563, 0.55611431, 0.61507696, 0.66844003, 0.7159181],
        [0.56735664, 0.66310127, 0.74419266, 0.80889665, 0.858299]])
    expected_c = np.array([
        [0.32986176, 0.39145139, 0.451556, 0.51014116, 0.56717407],
        [0.66382255, 0.76674007, 0.87195994, 0.97902709, 1.08751345],
        [0.74192008, 0.90592151, 1.07717006, 1.25120233, 1.42395676]])
    np.testing.assert_allclose(next_h, expected_h, rtol=0, atol=1e-8)  # printed to 8 decimals
    np.testing.assert_allclose(next_c, expected_c, rtol=0, atol=1e-8)


def test_lstm_forward_matches_cs231n_values():
    N, D, H, T = 2, 5, 4, 3
    x = np.linspace(-0.4, 0.6, num=N * T * D).reshape(N, T, D)
    h0 = np.linspace(-0.4, 0.8, num=N * H).reshape(N, H)
    Wx = np.linspace(-0.2, 0.9, num=4 * D * H).reshape(D, 4 * H)
    Wh = np.linspace(-0.3, 0.6, num=4 * H * H).reshape(H, 4 * H)
    b = np.linspace(0.2, 0.7, num=4 * H)
    h, _ = lstm_forward(x, h0, Wx, Wh, b)
    expected = np.array([
        [[0.01764008, 0.01823233, 0.01882671, 0.0194232],
         [0.11287491, 0.12146228, 0.13018446, 0.13902939],
         [0.31358768, 0.33338627, 0.35304453, 0.37250975]],
        [[0.45767879, 0.4761092, 0.4936887, 0.51041945],
         [0.6704845, 0.69350089, 0.71486014, 0.7346449],
         [0.81733511, 0.83677871, 0.85403753, 0.86935314]]])
    np.testing.assert_allclose(h, expected, rtol=0, atol=1e-8)  # printed to 8 decimals


@pytest.mark.parametrize("N, D, H", [(3, 5, 6), (1, 5, 6)])
def test_lstm_step_backward_gradcheck(N, D, H):
    rng = np.random.default_rng(8)
    inputs = {"x": rng.standard_normal((N, D)), "prev_h": rng.standard_normal((N, H)),
              "prev_c": rng.standard_normal((N, H))}
    inputs.update(zip(("Wx", "Wh", "b"), random_params(rng, D, H, gates=4), strict=True))
    dnext_h, dnext_c = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    analytic = lstm_step_backward(dnext_h, dnext_c, lstm_step_forward(**inputs)[2])
    # The loss sum(next_h * dnext_h) + sum(next_c * dnext_c) depends on both outputs.
    numeric_h = numeric_gradients(lstm_step_forward, inputs, dnext_h, output=0)
    numeric_c = numeric_gradients(lstm_step_forward, inputs, dnext_c, output=1)
    for name, grad, grad_h, grad_c in zip(inputs, analytic, numeric_h, numeric_c, strict=True):
        assert_gradient(grad, grad_h + grad_c, "d" + name, threshold=1e-7)


@pytest.mark.parametrize("N, T, D, H", SHAPES)
def test_lstm_backward_gradcheck(N, T, D, H):
    rng = np.random.default_rng(9)
    inputs = {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((N, H))}
    inputs.update(zip(("Wx", "Wh", "b"), random_params(rng, D, H, gates=4), strict=True))
    dh = rng.standard_normal((N, T, H))
    analytic = lstm_backward(dh, lstm_forward(**inputs)[1])
    numeric = numeric_gradients(lstm_forward, inputs, dh)
    for name, grad, grad_num in zip(inputs, analytic, numeric, strict=True):
        # Worst measured 6.5e-8, on a dWx entry of 2e-4 where finite-difference round-off
        # (about 3e-11) dominates; over 40 seeds 6 exceeded 1e-7 for that reason.
        assert_gradient(grad, grad_num, "d" + name, threshold=1e-7)


def test_lstm_forward_carries_the_cell_state_from_one_chunk_to_the_next():
    rng = np.random.default_rng(12)
    N, T, D, H = 3, 7, 4, 5
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    Wx, Wh, b = random_params(rng, D, H, gates=4)
    h, (steps, c) = lstm_forward(x, h0, Wx, Wh, b)
    assert len(steps) == T
    np.testing.assert_array_equal(h, lstm_forward(x, h0, Wx, Wh, b, c0=np.zeros((N, H)))[0])
    h_first, (_, c_first) = lstm_forward(x[:, :4], h0, Wx, Wh, b)
    h_second, (_, c_second) = lstm_forward(x[:, 4:], h_first[:, -1], Wx, Wh, b, c0=c_first)
    np.testing.assert_array_equal(h_second, h[:, 4:])  # the same arithmetic in the same order
    np.testing.assert_array_equal(c_second, c)


def test_lstm_backward_gradcheck_from_a_given_cell_state():
    rng = np.random.default_rng(13)
    N, T, D, H = 2, 3, 4, 5
    c0 = rng.standard_normal((N, H))
    inputs = {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((N, H))}
    inputs.update(zip(("Wx", "Wh", "b"), random_params(rng, D, H, gates=4), strict=True))
    dh = rng.standard_normal((N, T, H))
    analytic = lstm_backward(dh, lstm_forward(**inputs, c0=c0)[1])
    numeric = numeric_gradients(lambda **kw: lstm_forward(**kw, c0=c0), inputs, dh)
    for name, grad, grad_num in zip(inputs, analytic, numeric, strict=True):
        assert_gradient(grad, grad_num, "d" + name, threshold=1e-7)  # measured 5.6e-9 at worst


def test_lstm_open_forget_gate_and_closed_input_gate_pass_the_cell_state_through():
    rng = np.random.default_rng(10)
    N, D, H = 3, 5, 6
    Wx, Wh, b = random_params(rng, D, H, gates=4)
    b[:H] = -1e3  # input gate i = sigmoid(-1000) = 0 exactly in float64
    b[H:2 * H] = 1e3  # forget gate f = sigmoid(1000) = 1 exactly
    c0 = rng.standard_normal((N, H))
    h, c = rng.standard_normal((N, H)), c0
    for _ in range(10):
        h, c, cache = lstm_step_forward(rng.standard_normal((N, D)), h, c, Wx, Wh, b)
    np.testing.assert_array_equal(c, c0)
    # Backward, the same gate passes the cell-state gradient through unchanged.
    dnext_c = rng.standard_normal((N, H))
    _, _, dprev_c, *_ = lstm_step_backward(np.zeros((N, H)), dnext_c, cache)
    np.testing.assert_array_equal(dprev_c, dnext_c)


def test_lstm_cell_state_carries_gradient_much_further_than_rnn_hidden_state():
    """d sum(h_50) / d h_0 for the RNN vs d sum(c_50) / d c_0 for the LSTM, RMS over entries.

    Same seed, sizes and weight scale for both; the LSTM's forget-gate bias is 1, the usual
    initialization (Gers et al. 2000, Jozefowicz et al. 2015). Measured with this seed:
    RNN 2.3e-14, LSTM 7.7e-6 (ratio 3e8). Over seeds 0-49 the ratio ranged from 10 to 2e13
    (median 1.5e6, below 1e3 for 8 of 50 seeds, as some random Wh decay slowly). With
    forget-gate bias 0 (f about 0.5) the LSTM is not reliably better: median ratio 2.
    """
    rng = np.random.default_rng(0)
    N, T, D, H = 16, 50, 5, 8
    x = rng.standard_normal((N, T, D))
    h0 = rng.standard_normal((N, H))

    _, cache = rnn_forward(x, h0, *random_params(rng, D, H))
    dh = np.zeros((N, T, H))
    dh[:, -1] = 1
    _, dh0, *_ = rnn_backward(dh, cache)
    rnn_gradient = np.linalg.norm(dh0) / np.sqrt(N * H)

    Wx, Wh, b = random_params(rng, D, H, gates=4)
    b[H:2 * H] = 1.0
    h, c, caches = h0, np.zeros((N, H)), []
    for t in range(T):
        h, c, cache = lstm_step_forward(x[:, t], h, c, Wx, Wh, b)
        caches.append(cache)
    dh_t, dc_t = np.zeros((N, H)), np.ones((N, H))
    for cache in reversed(caches):
        _, dh_t, dc_t, *_ = lstm_step_backward(dh_t, dc_t, cache)
    lstm_gradient = np.linalg.norm(dc_t) / np.sqrt(N * H)

    assert lstm_gradient > 1e3 * rnn_gradient  # stated margin: at least 1000x larger


# ---------------------------------------------------------------- gradient clipping


def test_clip_gradient_norm_scales_to_exactly_max_norm():
    grads = {"W": np.array([[3.0, 0.0]]), "b": np.array([4.0])}  # global norm 5
    W = grads["W"]
    total_norm = clip_gradient_norm(grads, max_norm=2.0)
    assert total_norm == 5.0
    assert grads["W"] is W  # scaled in place
    new_norm = np.sqrt(np.sum(grads["W"] ** 2) + np.sum(grads["b"] ** 2))
    assert abs(new_norm - 2.0) < 1e-15 * 2.0
    np.testing.assert_allclose(grads["W"], [[1.2, 0.0]], rtol=1e-15)  # direction kept
    np.testing.assert_allclose(grads["b"], [1.6], rtol=1e-15)


def test_clip_gradient_norm_leaves_small_gradients_alone():
    rng = np.random.default_rng(11)
    grads = [rng.standard_normal((3, 4)), rng.standard_normal(4)]
    before = [g.copy() for g in grads]
    total_norm = clip_gradient_norm(grads, max_norm=100.0)
    expected_norm = np.sqrt(sum(np.sum(g**2) for g in before))
    assert abs(total_norm - expected_norm) < 1e-14 * expected_norm
    for g, g_before in zip(grads, before, strict=True):
        np.testing.assert_array_equal(g, g_before)


# ---------------------------------------------------------------- the captioner


def small_captioner(rng, F=6, H=5, W=4, V=13):
    return {"W_proj": rng.standard_normal((F, H)) / np.sqrt(F), "b_proj": 0.1 * rng.standard_normal(H),
            "W_embed": rng.standard_normal((V, W)), "Wx": rng.standard_normal((W, H)) / np.sqrt(W),
            "Wh": rng.standard_normal((H, H)) / np.sqrt(H), "b": 0.1 * rng.standard_normal(H),
            "W_out": rng.standard_normal((H, V)) / np.sqrt(H), "b_out": 0.1 * rng.standard_normal(V)}


# <START> = 1, <END> = 2, <NULL> = 0: captions of 3, 1, 2 and 1 words; the third repeats a word
CAPTIONS = np.array([[1, 6, 4, 7, 2], [1, 3, 2, 0, 0], [1, 6, 6, 2, 0], [1, 9, 2, 0, 0]])


def test_captioner_loss_gradcheck():
    rng = np.random.default_rng(14)
    params, features = small_captioner(rng), rng.standard_normal((4, 6))
    _, grads = captioner_loss(params, features, CAPTIONS)
    assert set(grads) == set(params)
    for name, value in params.items():
        numeric = eval_numerical_gradient(lambda _: captioner_loss(params, features, CAPTIONS)[0], value)
        # a whole model: measured 2.9e-8 at worst (over 20 other seeds: median 2e-8, worst 1.7e-7)
        assert_gradient(grads[name], numeric, "d" + name, threshold=1e-7)


def test_captioner_loss_of_zero_weights_is_ln_V_per_target_that_is_not_null():
    params = {k: np.zeros_like(v) for k, v in small_captioner(np.random.default_rng(15)).items()}
    loss, _ = captioner_loss(params, np.ones((4, 6)), CAPTIONS)
    assert abs(loss - (4 + 2 + 3 + 2) / 4 * np.log(13)) < 1e-12  # targets = the words after <START>


def test_captioner_loss_ignores_extra_null_padding():
    rng = np.random.default_rng(16)
    params, features = small_captioner(rng), rng.standard_normal((4, 6))
    padded = np.hstack([CAPTIONS, np.zeros((4, 3), dtype=int)])
    loss, grads = captioner_loss(params, features, CAPTIONS)
    loss_padded, grads_padded = captioner_loss(params, features, padded)
    assert abs(loss - loss_padded) < 1e-12
    for name in params:
        np.testing.assert_allclose(grads_padded[name], grads[name], rtol=1e-10, atol=1e-14)


def test_train_captioner_overfits_four_captions():
    rng = np.random.default_rng(17)
    params, features = small_captioner(rng, H=32), rng.standard_normal((4, 6))
    losses = train_captioner(params, lambda: (features, CAPTIONS), 300, 1e-2)
    assert len(losses) == 300 and losses[0] > 5 and losses[-1] < 0.01  # measured 7.0 -> 0.0016


def test_train_captioner_decays_the_learning_rate_at_the_listed_iterations():
    rng = np.random.default_rng(18)
    start, features = small_captioner(rng), rng.standard_normal((4, 6))
    batch = lambda: (features, CAPTIONS)  # noqa: E731
    trained = {}
    for at in [(), (1,), (2,)]:
        trained[at] = {k: w.copy() for k, w in start.items()}
        train_captioner(trained[at], batch, 2, 1e-2, decay_at=at, decay=0.0)
    once = {k: w.copy() for k, w in start.items()}
    train_captioner(once, batch, 1, 1e-2)
    for name in start:
        np.testing.assert_array_equal(trained[(1,)][name], once[name])  # rate 0 from iteration 1
        np.testing.assert_array_equal(trained[(2,)][name], trained[()][name])  # after the last one
        assert not np.array_equal(trained[()][name], once[name])
