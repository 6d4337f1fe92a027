"""Recurrent helpers that no exercise asks for: a stable sigmoid and the affine layer applied at
every time step. Shapes: N batch, T time steps, D input size, M output size.
"""

import numpy as np


def sigmoid(x):
    """Logistic function 1 / (1 + exp(-x)), elementwise, without overflow for large |x|."""
    z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def temporal_affine_forward(x, w, b):
    """The same affine layer applied at every time step: out[:, t] = x[:, t] @ w + b.

    x: (N, T, D) inputs;  w: (D, M) weights;  b: (M,) biases
    Returns out (N, T, M) and cache (x, w).
    """
    return x @ w + b, (x, w)


def temporal_affine_backward(dout, cache):
    """Backward pass of temporal_affine_forward.

    dout: (N, T, M) upstream gradient;  cache: from temporal_affine_forward
    Returns dx (N, T, D), dw (D, M), db (M,).
    """
    x, w = cache
    D, M = w.shape
    dw = x.reshape(-1, D).T @ dout.reshape(-1, M)
    return dout @ w.T, dw, dout.sum(axis=(0, 1))
