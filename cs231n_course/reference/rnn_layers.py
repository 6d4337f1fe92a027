"""Reference recurrent layers in pure numpy: vanilla RNN, LSTM, their helpers, and the captioner.

Shapes: N batch, T time steps, D input size, H hidden size, V vocabulary, M output size.
Every layer is a pair `out, cache = *_forward(...)` / `grads = *_backward(dout, cache)`.
Weights shared across time steps receive the sum of their per-step gradients.
"""

import numpy as np

from cs231n_utils.rnn_layers import sigmoid, temporal_affine_backward, temporal_affine_forward

from .layers import affine_backward, affine_forward
from .optim import adam


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    """One time step of a vanilla RNN: next_h = tanh(prev_h @ Wh + x @ Wx + b).

    x: (N, D) input;  prev_h: (N, H) previous hidden state
    Wx: (D, H) input-to-hidden weights;  Wh: (H, H) hidden-to-hidden weights;  b: (H,) biases
    Returns next_h (N, H) and cache (x, prev_h, Wx, Wh, next_h).
    """
    next_h = np.tanh(prev_h @ Wh + x @ Wx + b)
    return next_h, (x, prev_h, Wx, Wh, next_h)


def rnn_step_backward(dnext_h, cache):
    """Backward pass of rnn_step_forward.

    dnext_h: (N, H) upstream gradient;  cache: from rnn_step_forward
    Returns dx (N, D), dprev_h (N, H), dWx (D, H), dWh (H, H), db (H,).
    """
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - next_h**2)  # tanh'(a) = 1 - tanh(a)^2, from the saved output
    return da @ Wx.T, da @ Wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    """Vanilla RNN over a whole sequence.

    x: (N, T, D) inputs;  h0: (N, H) initial hidden state
    Wx: (D, H);  Wh: (H, H);  b: (H,)
    Returns h (N, T, H), the hidden states of all time steps, and cache (the step caches).
    """
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    prev_h = h0
    for t in range(T):
        prev_h, step_cache = rnn_step_forward(x[:, t], prev_h, Wx, Wh, b)
        h[:, t] = prev_h
        cache.append(step_cache)
    return h, cache


def rnn_backward(dh, cache):
    """Backpropagation through time for rnn_forward.

    dh: (N, T, H) upstream gradients of all hidden states;  cache: from rnn_forward
    Returns dx (N, T, D), dh0 (N, H), dWx (D, H), dWh (H, H), db (H,).
    """
    N, T, _ = dh.shape
    x0, _, Wx, Wh, _ = cache[0]
    dx = np.zeros((N, T, x0.shape[1]))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])
    dprev_h = np.zeros_like(dh[:, 0])
    for t in reversed(range(T)):
        # h_t feeds both the output at step t and the next step: the two gradients add.
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dprev_h, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dprev_h, dWx, dWh, db


def word_embedding_forward(x, W):
    """Look up a D-dimensional vector for each word index.

    x: (N, T) integer word indices in [0, V);  W: (V, D) word vectors
    Returns out (N, T, D) and cache (x, W.shape).
    """
    return W[x], (x, W.shape)


def word_embedding_backward(dout, cache):
    """Backward pass of word_embedding_forward.

    dout: (N, T, D) upstream gradient;  cache: from word_embedding_forward
    Returns dW (V, D).
    """
    x, W_shape = cache
    dW = np.zeros(W_shape)
    np.add.at(dW, x, dout)  # unlike dW[x] += dout, adds once per occurrence of a repeated word
    return dW


def temporal_softmax_loss(x, y, mask):
    """Softmax cross-entropy summed over the time steps where mask is True, divided by N.

    x: (N, T, V) scores;  y: (N, T) correct classes in [0, V);  mask: (N, T) bool, False = ignore
    Returns loss (float) and dx (N, T, V), the gradient of the loss with respect to x.
    """
    N, T, V = x.shape
    x_flat, y_flat, mask_flat = x.reshape(N * T, V), y.reshape(N * T), mask.reshape(N * T)
    shifted = x_flat - x_flat.max(axis=1, keepdims=True)  # exp never overflows
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(N * T)
    loss = -np.sum(mask_flat * log_probs[rows, y_flat]) / N
    dx = np.exp(log_probs)
    dx[rows, y_flat] -= 1
    dx *= mask_flat[:, None] / N
    return float(loss), dx.reshape(N, T, V)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One time step of an LSTM.

    The activations a = x @ Wx + prev_h @ Wh + b (N, 4H) split into four gates, in this order:
    input i, forget f, output o (sigmoid) and candidate g (tanh). Then
    next_c = f * prev_c + i * g and next_h = o * tanh(next_c).

    x: (N, D) input;  prev_h, prev_c: (N, H) previous hidden and cell states
    Wx: (D, 4H);  Wh: (H, 4H);  b: (4H,)
    Returns next_h (N, H), next_c (N, H) and cache for the backward pass.
    """
    a = x @ Wx + prev_h @ Wh + b
    H = prev_h.shape[1]
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    tanh_c = np.tanh(next_c)
    next_h = o * tanh_c
    return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c)


def lstm_step_backward(dnext_h, dnext_c, cache):
    """Backward pass of lstm_step_forward.

    dnext_h, dnext_c: (N, H) upstream gradients of next_h and next_c;  cache: from the forward
    Returns dx (N, D), dprev_h (N, H), dprev_c (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,).
    """
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c = cache
    # next_c reaches the loss directly and through next_h: the two gradients add.
    dc = dnext_c + dnext_h * o * (1 - tanh_c**2)
    di, df, do, dg = dc * g, dc * prev_c, dnext_h * tanh_c, dc * i
    # sigmoid' = s (1 - s), tanh' = 1 - tanh^2
    da = np.hstack([di * i * (1 - i), df * f * (1 - f), do * o * (1 - o), dg * (1 - g**2)])
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b, c0=None):
    """LSTM over a whole sequence.

    x: (N, T, D) inputs;  h0: (N, H) initial hidden state;  c0: (N, H) initial cell state (zeros
    when None);  Wx: (D, 4H);  Wh: (H, 4H);  b: (4H,)
    Returns h (N, T, H), the hidden states of all time steps, and cache = (step caches, c), where
    c (N, H) is the cell state after the last step (truncated BPTT carries it to the next chunk).
    """
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    c = np.zeros_like(h0) if c0 is None else c0
    step_caches = []
    prev_h = h0
    for t in range(T):
        prev_h, c, step_cache = lstm_step_forward(x[:, t], prev_h, c, Wx, Wh, b)
        h[:, t] = prev_h
        step_caches.append(step_cache)
    return h, (step_caches, c)


def lstm_backward(dh, cache):
    """Backpropagation through time for lstm_forward.

    dh: (N, T, H) upstream gradients of all hidden states;  cache: from lstm_forward
    Returns dx (N, T, D), dh0 (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,).
    """
    N, T, _ = dh.shape
    step_caches, _ = cache
    x0, _, _, Wx, Wh = step_caches[0][:5]
    dx = np.zeros((N, T, x0.shape[1]))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[1])
    dprev_h, dprev_c = np.zeros_like(dh[:, 0]), np.zeros_like(dh[:, 0])
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(
            dh[:, t] + dprev_h, dprev_c, step_caches[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dprev_h, dWx, dWh, db


def clip_gradient_norm(grads, max_norm):
    """Rescale gradients in place so that their global L2 norm is at most max_norm.

    grads: dict of name -> array, or a list of arrays (all modified in place)
    Returns the global norm sqrt(sum of all squared entries) before clipping.
    """
    arrays = list(grads.values()) if isinstance(grads, dict) else list(grads)
    total_norm = float(np.sqrt(sum(np.sum(g**2) for g in arrays)))
    if total_norm > max_norm:
        for g in arrays:
            g *= max_norm / total_norm
    return total_norm


# ---------------------------------------------------------------- the captioner of notebook 08


def captioner_loss(params, features, captions, null=0):
    """Teacher-forced loss of an image captioner (affine -> h0; embedding -> RNN -> temporal affine).

    params: W_proj (F, H), b_proj (H,), W_embed (V, W), Wx (W, H), Wh (H, H), b (H,),
      W_out (H, V), b_out (V,)
    features: (N, F) image features;  captions: (N, T + 1) word indices, <START> first, padded
      with the word `null`, which no loss is computed for
    Returns loss (float: summed over the time steps, averaged over N) and grads (like params).
    """
    p = params
    captions_in, captions_out = captions[:, :-1], captions[:, 1:]  # word t predicts word t + 1
    mask = captions_out != null
    h0, proj_cache = affine_forward(features, p["W_proj"], p["b_proj"])
    x, embed_cache = word_embedding_forward(captions_in, p["W_embed"])
    h, rnn_cache = rnn_forward(x, h0, p["Wx"], p["Wh"], p["b"])
    scores, out_cache = temporal_affine_forward(h, p["W_out"], p["b_out"])
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    grads = {}
    dh, grads["W_out"], grads["b_out"] = temporal_affine_backward(dscores, out_cache)
    dx, dh0, grads["Wx"], grads["Wh"], grads["b"] = rnn_backward(dh, rnn_cache)
    grads["W_embed"] = word_embedding_backward(dx, embed_cache)
    _, grads["W_proj"], grads["b_proj"] = affine_backward(dh0, proj_cache)
    return loss, grads


def train_captioner(params, next_batch, num_iterations, learning_rate, decay_at=(), decay=0.3,
                    loss=captioner_loss):
    """Adam on every weight (each with its own state), one fresh minibatch per iteration.

    params: dict name -> array, updated in place;  next_batch() -> (features, captions)
    The learning rate is multiplied by decay at each iteration listed in decay_at.
    Returns the list of the losses, one per iteration.
    """
    configs = {name: {"learning_rate": learning_rate} for name in params}
    losses = []
    for it in range(num_iterations):
        if it in decay_at:
            for config in configs.values():
                config["learning_rate"] *= decay
        value, grads = loss(params, *next_batch())
        for name in params:
            params[name], configs[name] = adam(params[name], grads[name], configs[name])
        losses.append(value)
    return losses
