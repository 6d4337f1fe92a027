"""Fast max pooling over non-overlapping windows (pool size = stride), as the ConvNets here use.

No exercise asks for it: the exercises are the naive loops (notebook 07), this is the reshape
that makes pooling fast enough to train a ConvNet. Layout: x (N, C, H, W).
"""

import numpy as np


def _tile_shape(x_shape, pool_param):
    """(H', W') of pooling x_shape (N, C, H, W) in non-overlapping windows; ValueError otherwise."""
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    H, W = x_shape[2:]
    if not ph == pw == stride or H % ph or W % pw:
        raise ValueError(f"the fast pool needs square windows that tile the input (pool size = stride, "
                         f"dividing H and W); got {ph}x{pw}, stride {stride}, input {H}x{W}")
    return H // ph, W // pw


def max_pool_forward_fast(x, pool_param):
    """Max pooling without Python loops; the same result as a naive loop over windows.

    x: (N, C, H, W);  pool_param {'pool_height', 'pool_width', 'stride'}, all equal
    Returns out (N, C, H', W') and cache (x.shape, argmax, pool_param), where argmax
    (N, C, H', W') is the row-major index of the first maximum inside each window.
    """
    N, C = x.shape[:2]
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    H_out, W_out = _tile_shape(x.shape, pool_param)
    # non-overlapping windows are just a reshape: (N, C, H', W', ph * pw)
    windows = x.reshape(N, C, H_out, ph, W_out, pw).transpose(0, 1, 2, 4, 3, 5)
    windows = windows.reshape(N, C, H_out, W_out, ph * pw)
    argmax = windows.argmax(axis=-1)
    out = np.take_along_axis(windows, argmax[..., None], axis=-1)[..., 0]
    return out, (x.shape, argmax, pool_param)


def max_pool_backward_fast(dout, cache):
    """Backward pass of max_pool_forward_fast.

    dout: (N, C, H', W') upstream gradient;  cache: (x.shape, argmax, pool_param)
    Returns dx (N, C, H, W), nonzero only at the first maximum of each window.
    """
    x_shape, argmax, pool_param = cache
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    N, C, H_out, W_out = dout.shape
    dwindows = np.zeros((N, C, H_out, W_out, ph * pw), dtype=dout.dtype)
    np.put_along_axis(dwindows, argmax[..., None], dout[..., None], axis=-1)
    dwindows = dwindows.reshape(N, C, H_out, W_out, ph, pw).transpose(0, 1, 2, 4, 3, 5)
    return dwindows.reshape(x_shape)
