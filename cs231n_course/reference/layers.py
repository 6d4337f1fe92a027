"""Reference layers in the CS231n style, pure numpy.

Every layer is a pair: `out, cache = X_forward(inputs...)` computes the output and keeps in
`cache` exactly what the backward pass needs; `dx, dw, ... = X_backward(dout, cache)` takes the
upstream gradient dout (shaped like out) and returns one gradient per input, each shaped like
that input. Losses return `(loss, dx)` directly.
"""

import numpy as np


def affine_forward(x, w, b):
    """Affine (fully connected) layer: out = x.reshape(N, D) @ w + b.

    x: (N, d_1, ..., d_k) input, D = d_1 * ... * d_k
    w: (D, M) weights;  b: (M,) biases
    Returns out (N, M) and cache (x, w, b) for the backward pass.
    """
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    """Backward pass of affine_forward.

    dout: (N, M) upstream gradient;  cache: (x, w, b) from affine_forward
    Returns dx (N, d_1, ..., d_k), dw (D, M), db (M,).
    """
    x, w, b = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


def relu_forward(x):
    """ReLU: out = max(0, x), elementwise. x: any shape. Returns out (same shape), cache x."""
    return np.maximum(0, x), x


def relu_backward(dout, cache):
    """dout: upstream gradient, any shape; cache: x from relu_forward. Returns dx, same shape."""
    return dout * (cache > 0)


def leaky_relu_forward(x, alpha=0.01):
    """Leaky ReLU: out = x where x > 0, alpha * x elsewhere.

    x: any shape;  alpha: slope for negative inputs
    Returns out (same shape) and cache (x, alpha).
    """
    return np.where(x > 0, x, alpha * x), (x, alpha)


def leaky_relu_backward(dout, cache):
    """dout: upstream gradient, any shape; cache: (x, alpha). Returns dx, same shape."""
    x, alpha = cache
    return np.where(x > 0, dout, alpha * dout)


def sigmoid_forward(x):
    """Sigmoid: out = 1 / (1 + exp(-x)), elementwise. x: any shape.

    Returns out (same shape) and cache out, since sigma'(x) = sigma(x) (1 - sigma(x)).
    """
    # exp of a non-positive number never overflows, whatever the sign of x.
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z))
    return out, out


def sigmoid_backward(dout, cache):
    """dout: upstream gradient, any shape; cache: out of sigmoid_forward. Returns dx."""
    out = cache
    return dout * out * (1 - out)


def tanh_forward(x):
    """Tanh, elementwise. x: any shape.

    Returns out (same shape) and cache out, since tanh'(x) = 1 - tanh(x)^2.
    """
    out = np.tanh(x)
    return out, out


def tanh_backward(dout, cache):
    """dout: upstream gradient, any shape; cache: out of tanh_forward. Returns dx."""
    return dout * (1 - cache**2)


def elu_forward(x, alpha=1.0):
    """ELU: out = x where x > 0, alpha * (exp(x) - 1) elsewhere.

    x: any shape;  alpha: the value out tends to as x -> -inf is -alpha
    Returns out (same shape) and cache (x, out, alpha).
    """
    # minimum(x, 0) keeps exp from overflowing on large positive x, whose branch is not used.
    out = np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
    return out, (x, out, alpha)


def elu_backward(dout, cache):
    """dout: upstream gradient, any shape; cache: (x, out, alpha). Returns dx, same shape.

    For x <= 0 the derivative alpha * exp(x) equals out + alpha.
    """
    x, out, alpha = cache
    return np.where(x > 0, dout, dout * (out + alpha))


def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalization over the batch axis.

    Train mode normalizes with the batch mean and (biased) variance and updates the running
    averages in bn_param; test mode normalizes with the running averages.

    x: (N, D) input;  gamma: (D,) scale;  beta: (D,) shift
    bn_param: dict with
      mode: 'train' or 'test' (required)
      eps: added to the variance for numerical stability (default 1e-5)
      momentum: running_x = momentum * running_x + (1 - momentum) * batch_x (default 0.9)
      running_mean, running_var: (D,) running averages, created as zeros and ones on the first
        call; bn_param is updated in place in train mode
    Returns out (N, D) and cache (x_hat, x_mu, std, gamma) in train mode, None in test mode.
    """
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.setdefault("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.setdefault("running_var", np.ones(D, dtype=x.dtype))

    if mode == "train":
        mu = x.mean(axis=0)
        x_mu = x - mu
        var = np.mean(x_mu**2, axis=0)
        std = np.sqrt(var + eps)
        x_hat = x_mu / std
        out = gamma * x_hat + beta
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mu
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var
        return out, (x_hat, x_mu, std, gamma)
    if mode == "test":
        x_hat = (x - running_mean) / np.sqrt(running_var + eps)
        return gamma * x_hat + beta, None
    raise ValueError(f'Invalid batchnorm mode "{mode}"')


def batchnorm_backward(dout, cache):
    """Backward pass of batchnorm_forward (train mode), one node of the graph at a time.

    The forward graph: mu = mean(x); x_mu = x - mu; var = mean(x_mu^2); std = sqrt(var + eps);
    x_hat = x_mu / std; out = gamma * x_hat + beta.
    dout: (N, D) upstream gradient;  cache: from batchnorm_forward in train mode
    Returns dx (N, D), dgamma (D,), dbeta (D,).
    """
    x_hat, x_mu, std, gamma = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    # x_mu reaches x_hat twice: directly (divided by std) and through var -> std.
    dx_mu = dx_hat / std
    dstd = -np.sum(dx_hat * x_mu, axis=0) / std**2
    dvar = dstd / (2 * std)
    dx_mu += 2 * x_mu * dvar / N
    # x reaches x_mu twice: directly and through mu.
    dmu = -dx_mu.sum(axis=0)
    dx = dx_mu + dmu / N
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    """Backward pass of batchnorm_forward (train mode) in closed form.

    dx = gamma / (N std) * (N dout - sum(dout) - x_hat * sum(dout * x_hat)), sums over the batch.
    dout: (N, D) upstream gradient;  cache: from batchnorm_forward in train mode
    Returns dx (N, D), dgamma (D,), dbeta (D,).
    """
    x_hat, _, std, gamma = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx = gamma / (N * std) * (N * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, ln_param):
    """Layer normalization: every example (row) normalized over its D features, then scaled and
    shifted. No batch statistics, so training and test time compute the same thing.

    x: (N, D) input;  gamma: (D,) scale;  beta: (D,) shift
    ln_param: dict with optional eps (default 1e-5); other keys (a mode) are ignored
    Returns out (N, D) and cache (x_hat, std, gamma), std of shape (N, 1).
    """
    eps = ln_param.get("eps", 1e-5)
    x_mu = x - x.mean(axis=1, keepdims=True)
    std = np.sqrt(np.mean(x_mu**2, axis=1, keepdims=True) + eps)
    x_hat = x_mu / std
    return gamma * x_hat + beta, (x_hat, std, gamma)


def layernorm_backward(dout, cache):
    """Backward pass of layernorm_forward: batch norm's closed form on the transposed problem,
    with the sums over the D features of each row; gamma and beta are still shared by the rows.

    dout: (N, D) upstream gradient;  cache: from layernorm_forward
    Returns dx (N, D), dgamma (D,), dbeta (D,).
    """
    x_hat, std, gamma = cache
    D = dout.shape[1]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    g = dout * gamma  # the gradient at x_hat
    dx = (D * g - g.sum(axis=1, keepdims=True)
          - x_hat * np.sum(g * x_hat, axis=1, keepdims=True)) / (D * std)
    return dx, dgamma, dbeta


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalization of conv feature maps: one mean and variance per channel, over N, H, W.

    x: (N, C, H, W);  gamma, beta: (C,);  bn_param as in batchnorm_forward (running averages (C,))
    Returns out (N, C, H, W) and the cache of batchnorm_forward.
    """
    N, C, H, W = x.shape
    x_rows = x.transpose(0, 2, 3, 1).reshape(-1, C)  # (N*H*W, C): one row per position
    out_rows, cache = batchnorm_forward(x_rows, gamma, beta, bn_param)
    return out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2), cache


def spatial_batchnorm_backward(dout, cache):
    """Backward pass of spatial_batchnorm_forward (train mode).

    dout: (N, C, H, W);  cache: from spatial_batchnorm_forward
    Returns dx (N, C, H, W), dgamma (C,), dbeta (C,).
    """
    N, C, H, W = dout.shape
    dx_rows, dgamma, dbeta = batchnorm_backward_alt(dout.transpose(0, 2, 3, 1).reshape(-1, C), cache)
    return dx_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2), dgamma, dbeta


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Group normalization: per example, the C channels in G groups of C/G, each normalized over
    its (C/G)*H*W numbers; then a per-channel scale and shift. No batch statistics, no modes.

    x: (N, C, H, W);  gamma, beta: (1, C, 1, 1);  G: groups, dividing C
    gn_param: dict with eps (default 1e-5)
    Returns out (N, C, H, W) and cache (x_hat, std, gamma, G), std: (N, G, 1).
    """
    N, C, H, W = x.shape
    eps = gn_param.get("eps", 1e-5)
    x_groups = x.reshape(N, G, -1)  # (N, G, C/G*H*W)
    x_mu = x_groups - x_groups.mean(axis=2, keepdims=True)
    std = np.sqrt(np.mean(x_mu**2, axis=2, keepdims=True) + eps)
    x_hat = (x_mu / std).reshape(N, C, H, W)
    return gamma * x_hat + beta, (x_hat, std, gamma, G)


def spatial_groupnorm_backward(dout, cache):
    """Backward pass of spatial_groupnorm_forward.

    The normalization of each (example, group) row is batch norm's, with the row in place of the
    batch: dx = (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)) / std, means over the row.
    dout: (N, C, H, W);  cache: from spatial_groupnorm_forward
    Returns dx (N, C, H, W), dgamma (1, C, 1, 1), dbeta (1, C, 1, 1).
    """
    x_hat, std, gamma, G = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)
    dgamma = np.sum(dout * x_hat, axis=(0, 2, 3), keepdims=True)
    dx_hat = (dout * gamma).reshape(N, G, -1)
    x_hat_groups = x_hat.reshape(N, G, -1)
    dx = (dx_hat - dx_hat.mean(axis=2, keepdims=True)
          - x_hat_groups * np.mean(dx_hat * x_hat_groups, axis=2, keepdims=True)) / std
    return dx.reshape(dout.shape), dgamma, dbeta


def dropout_forward(x, dropout_param):
    """Inverted dropout: keep each unit with probability p and scale kept units by 1 / p.

    The scaling keeps the expected output equal to x, so test mode is the identity.
    x: any shape
    dropout_param: dict with
      p: keep probability, 0 < p <= 1 (required)
      mode: 'train' or 'test' (required)
      seed: optional; an int gives the same mask on every call (for gradient checks),
        a np.random.Generator gives a reproducible stream of masks, None a fresh random mask
    Returns out (same shape as x) and cache mask (same shape, None in test mode).
    """
    p, mode = dropout_param["p"], dropout_param["mode"]
    if not 0 < p <= 1:
        raise ValueError(f"keep probability p must be in (0, 1], got {p}")
    if mode == "test":
        return x, None
    if mode != "train":
        raise ValueError(f'Invalid dropout mode "{mode}"')
    rng = np.random.default_rng(dropout_param.get("seed"))
    mask = ((rng.random(x.shape) < p) / p).astype(x.dtype, copy=False)
    return x * mask, mask


def dropout_backward(dout, cache):
    """dout: upstream gradient, any shape; cache: mask from dropout_forward. Returns dx."""
    mask = cache
    return dout if mask is None else dout * mask


def svm_loss(x, y):
    """Multiclass SVM (hinge) loss with margin 1, averaged over the batch.

    x: (N, C) scores;  y: (N,) labels in 0..C-1
    Returns loss (float) and dx (N, C).
    """
    N = x.shape[0]
    rows = np.arange(N)
    margins = np.maximum(0, x - x[rows, y][:, None] + 1)
    margins[rows, y] = 0
    loss = margins.sum() / N
    dx = (margins > 0).astype(x.dtype)
    # The correct class's score appears, with a minus sign, in every positive margin.
    dx[rows, y] = -dx.sum(axis=1)
    return float(loss), dx / N


def softmax_loss(x, y):
    """Softmax (cross-entropy) loss, averaged over the batch.

    x: (N, C) scores;  y: (N,) labels in 0..C-1
    Returns loss (float) and dx (N, C).
    """
    N = x.shape[0]
    rows = np.arange(N)
    # Subtracting the row maximum changes no probability and keeps exp from overflowing.
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[rows, y].sum() / N
    dx = np.exp(log_probs)
    dx[rows, y] -= 1
    return float(loss), dx / N


def affine_relu_forward(x, w, b):
    """Affine layer followed by a ReLU.

    x: (N, d_1, ..., d_k);  w: (D, M);  b: (M,)
    Returns out (N, M) and cache (affine cache, relu cache).
    """
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    """dout: (N, M); cache from affine_relu_forward. Returns dx (N, d_1, ..., d_k), dw, db."""
    fc_cache, relu_cache = cache
    return affine_backward(relu_backward(dout, relu_cache), fc_cache)
