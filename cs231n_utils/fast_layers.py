"""Convolution and max-pooling layers: naive loops for teaching, im2col for speed.

The naive versions compute one output number at a time, exactly as the lecture draws it: a filter
slides over the (zero-padded) input and takes a dot product at every position. They are slow
but easy to check by hand.

The fast versions use im2col: copy every receptive field into one column of a matrix, so that the
convolution becomes one matrix multiply (done a few images at a time, see _CHUNK_BYTES), which
numpy hands to an optimized BLAS. Pure numpy, no Cython, nothing to compile.

Layout: x (N, C, H, W) images, w (F, C, HH, WW) filters, b (F,) biases. Every forward returns
(out, cache); every backward takes (dout, cache) and returns the gradients of its inputs.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cs231n_utils.layers import relu_backward, relu_forward

# im2col copies every input pixel up to HH*WW times (60 MB for a 50x3x32x32 batch and 7x7
# filters). Working through the batch a few images at a time keeps each column matrix in the
# CPU cache, which roughly halves the forward time compared to one huge matrix.
_CHUNK_BYTES = 4 * 2**20


def conv_output_size(n, f, stride, pad):
    """Output length (n - f + 2*pad) / stride + 1 of a convolution or pooling along one axis.

    n: input length;  f: filter length;  stride: step between windows;  pad: zeros added per side
    Raises ValueError when the filter does not tile the padded input exactly.
    """
    if stride < 1 or pad < 0:
        raise ValueError(f"stride must be >= 1 and pad >= 0, got stride {stride} and pad {pad}")
    span = n - f + 2 * pad
    if span < 0 or span % stride != 0:
        raise ValueError(
            f"filter size {f} with stride {stride} and pad {pad} does not fit input size {n}: "
            f"(n - f + 2*pad) / stride = ({n} - {f} + 2*{pad}) / {stride} = {span / stride:g} "
            "is not a whole number >= 0; change the stride or the padding"
        )
    return span // stride + 1


def _pad(x, pad):
    """Zero-pad the two spatial axes of x (N, C, H, W) by pad on every side."""
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))


def conv_forward_naive(x, w, b, conv_param):
    """Convolution, one output number at a time.

    x: (N, C, H, W) input;  w: (F, C, HH, WW) filters;  b: (F,) biases
    conv_param: {'stride': step between windows, 'pad': zeros added on each side of H and W}
    Returns out (N, F, H', W') with H' = (H - HH + 2*pad) / stride + 1 (W' likewise),
    and cache (x, w, b, conv_param).
    """
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = conv_output_size(H, HH, stride, pad)
    W_out = conv_output_size(W, WW, stride, pad)
    x_padded = _pad(x, pad)
    out = np.zeros((N, F, H_out, W_out), dtype=np.result_type(x, w))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    window = x_padded[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out, (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
    """Backward pass of conv_forward_naive.

    dout: (N, F, H', W') upstream gradient;  cache: (x, w, b, conv_param) from the forward pass
    Returns dx (N, C, H, W), dw (F, C, HH, WW), db (F,).
    """
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    _, _, H, W = x.shape
    _, _, HH, WW = w.shape
    N, F, H_out, W_out = dout.shape
    x_padded = _pad(x, pad)
    dx_padded = np.zeros_like(x_padded)
    dw = np.zeros_like(w)
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    rows = slice(i * stride, i * stride + HH)
                    cols = slice(j * stride, j * stride + WW)
                    # out[n, f, i, j] = sum(window * w[f]) + b[f]: each factor gets the other
                    dx_padded[n, :, rows, cols] += w[f] * dout[n, f, i, j]
                    dw[f] += x_padded[n, :, rows, cols] * dout[n, f, i, j]
    dx = dx_padded[:, :, pad:pad + H, pad:pad + W]
    db = dout.sum(axis=(0, 2, 3))
    return dx, dw, db


def max_pool_forward_naive(x, pool_param):
    """Max pooling, one window at a time.

    x: (N, C, H, W) input
    pool_param: {'pool_height', 'pool_width', 'stride'}
    Returns out (N, C, H', W') with H' = (H - pool_height) / stride + 1 (W' likewise),
    and cache (x, pool_param).
    """
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    H_out = conv_output_size(H, ph, stride, 0)
    W_out = conv_output_size(W, pw, stride, 0)
    out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * stride:i * stride + ph, j * stride:j * stride + pw]
                    out[n, c, i, j] = window.max()
    return out, (x, pool_param)


def max_pool_backward_naive(dout, cache):
    """Backward pass of max_pool_forward_naive: each window's gradient goes to its max only.

    dout: (N, C, H', W') upstream gradient;  cache: (x, pool_param) from the forward pass
    Returns dx (N, C, H, W). When a window has several equal maxima, the first one (in row-major
    order) gets the gradient.
    """
    x, pool_param = cache
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H_out, W_out = dout.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * stride:i * stride + ph, j * stride:j * stride + pw]
                    di, dj = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + di, j * stride + dj] += dout[n, c, i, j]
    return dx


def _im2col(x_padded, HH, WW, stride):
    """Receptive fields as columns: x_padded (n, C, Hp, Wp) -> cols (C*HH*WW, n*H'*W').

    Column (n, i, j) holds the window under output pixel (i, j) of image n, flattened in the
    same (C, HH, WW) order as one filter w[f], so that out = w.reshape(F, -1) @ cols.
    """
    C = x_padded.shape[1]
    # (n, C, H', W', HH, WW): a strided view, no copy yet
    windows = sliding_window_view(x_padded, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    return windows.transpose(1, 4, 5, 0, 2, 3).reshape(C * HH * WW, -1)  # the copy happens here


def _col2im(dcols, x_padded_shape, HH, WW, stride):
    """Adjoint of _im2col: add each column back onto the window it came from.

    dcols: (C*HH*WW, n*H'*W');  x_padded_shape: (n, C, Hp, Wp)
    Returns dx_padded (n, C, Hp, Wp). Overlapping windows add up. The loop runs over the HH*WW
    kernel offsets; each step adds one strided slice covering all images, channels and positions.
    """
    n, C, Hp, Wp = x_padded_shape
    H_out = (Hp - HH) // stride + 1
    W_out = (Wp - WW) // stride + 1
    dcols = dcols.reshape(C, HH, WW, n, H_out, W_out)
    dx_padded = np.zeros((C, n, Hp, Wp), dtype=dcols.dtype)
    for i in range(HH):
        for j in range(WW):
            rows = slice(i, i + stride * H_out, stride)
            cols = slice(j, j + stride * W_out, stride)
            dx_padded[:, :, rows, cols] += dcols[:, i, j]
    return dx_padded.transpose(1, 0, 2, 3)


def _images_per_chunk(C, HH, WW, H_out, W_out, itemsize):
    """How many images' columns fit in _CHUNK_BYTES (at least one)."""
    return max(1, _CHUNK_BYTES // (C * HH * WW * H_out * W_out * itemsize))


def conv_forward_im2col(x, w, b, conv_param):
    """Convolution as matrix multiplies: out = w.reshape(F, -1) @ im2col(x) + b, a chunk at a time.

    Same inputs, outputs and cache as conv_forward_naive: x (N, C, H, W), w (F, C, HH, WW),
    b (F,), conv_param {'stride', 'pad'}; returns out (N, F, H', W'), cache (x, w, b, conv_param).
    """
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = conv_output_size(H, HH, stride, pad)
    W_out = conv_output_size(W, WW, stride, pad)
    x_padded = _pad(x, pad)
    w_rows = w.reshape(F, -1)  # (F, C*HH*WW)
    out = np.empty((N, F, H_out, W_out), dtype=np.result_type(x, w))
    chunk = _images_per_chunk(C, HH, WW, H_out, W_out, out.itemsize)
    for n0 in range(0, N, chunk):
        cols = _im2col(x_padded[n0:n0 + chunk], HH, WW, stride)
        out_rows = w_rows @ cols  # (F, n*H'*W')
        out[n0:n0 + chunk] = out_rows.reshape(F, -1, H_out, W_out).transpose(1, 0, 2, 3)
    out += b.reshape(1, F, 1, 1)
    return out, (x, w, b, conv_param)


def conv_backward_im2col(dout, cache):
    """Backward pass of conv_forward_im2col.

    dout: (N, F, H', W') upstream gradient;  cache: (x, w, b, conv_param) from the forward pass
    Returns dx (N, C, H, W), dw (F, C, HH, WW), db (F,).
    """
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    x_padded = _pad(x, pad)
    w_rows = w.reshape(F, -1)
    dx_padded = np.empty_like(x_padded)
    dw_rows = np.zeros_like(w_rows)
    chunk = _images_per_chunk(C, HH, WW, H_out, W_out, x_padded.itemsize)
    for n0 in range(0, N, chunk):
        # The forward pass was out_rows = w_rows @ cols, so the matrix-multiply rule gives
        # dw_rows = dout_rows @ cols.T and dcols = w_rows.T @ dout_rows.
        x_chunk = x_padded[n0:n0 + chunk]
        cols = _im2col(x_chunk, HH, WW, stride)  # recomputed: cheaper than caching all chunks
        dout_rows = dout[n0:n0 + chunk].transpose(1, 0, 2, 3).reshape(F, -1)  # (F, n*H'*W')
        dw_rows += dout_rows @ cols.T
        dx_padded[n0:n0 + chunk] = _col2im(w_rows.T @ dout_rows, x_chunk.shape, HH, WW, stride)
    dx = dx_padded[:, :, pad:pad + H, pad:pad + W]
    db = dout.sum(axis=(0, 2, 3))
    return dx, dw_rows.reshape(w.shape), db


conv_forward_fast = conv_forward_im2col
conv_backward_fast = conv_backward_im2col


def _tiles(pool_param):
    """True when the windows tile the input: no overlap, no gaps (conv_output_size has already
    checked that H and W are multiples of the stride)."""
    return pool_param["pool_height"] == pool_param["pool_width"] == pool_param["stride"]


def max_pool_forward_fast(x, pool_param):
    """Max pooling without Python loops over pixels; same API and result as the naive version.

    x: (N, C, H, W);  pool_param {'pool_height', 'pool_width', 'stride'}
    Returns out (N, C, H', W') and cache (x.shape, argmax, pool_param), where argmax
    (N, C, H', W') is the row-major index of the first maximum inside each window.
    """
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    H_out = conv_output_size(H, ph, stride, 0)
    W_out = conv_output_size(W, pw, stride, 0)
    if _tiles(pool_param):
        # Non-overlapping windows are just a reshape: (N, C, H', ph, W', pw)
        windows = x.reshape(N, C, H_out, ph, W_out, pw).transpose(0, 1, 2, 4, 3, 5)
    else:
        windows = sliding_window_view(x, (ph, pw), axis=(2, 3))[:, :, ::stride, ::stride]
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
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H_out, W_out = dout.shape
    if _tiles(pool_param):
        dwindows = np.zeros((N, C, H_out, W_out, ph * pw), dtype=dout.dtype)
        np.put_along_axis(dwindows, argmax[..., None], dout[..., None], axis=-1)
        dwindows = dwindows.reshape(N, C, H_out, W_out, ph, pw).transpose(0, 1, 2, 4, 3, 5)
        return dwindows.reshape(x_shape)
    # Windows may overlap: as in _col2im, loop over the ph*pw offsets inside a window
    dx = np.zeros(x_shape, dtype=dout.dtype)
    for k in range(ph * pw):
        di, dj = divmod(k, pw)
        rows = slice(di, di + stride * H_out, stride)
        cols = slice(dj, dj + stride * W_out, stride)
        dx[:, :, rows, cols] += dout * (argmax == k)
    return dx


def conv_relu_forward(x, w, b, conv_param):
    """conv (fast) -> ReLU. Returns out (N, F, H', W') and cache (conv_cache, relu_cache)."""
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    out, relu_cache = relu_forward(a)
    return out, (conv_cache, relu_cache)


def conv_relu_backward(dout, cache):
    """Backward pass of conv_relu_forward. Returns dx, dw, db."""
    conv_cache, relu_cache = cache
    return conv_backward_fast(relu_backward(dout, relu_cache), conv_cache)


def conv_relu_pool_forward(x, w, b, conv_param, pool_param):
    """conv (fast) -> ReLU -> max pool (fast).

    Returns out (N, F, H'', W'') and cache (conv_cache, relu_cache, pool_cache).
    """
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    s, relu_cache = relu_forward(a)
    out, pool_cache = max_pool_forward_fast(s, pool_param)
    return out, (conv_cache, relu_cache, pool_cache)


def conv_relu_pool_backward(dout, cache):
    """Backward pass of conv_relu_pool_forward. Returns dx, dw, db."""
    conv_cache, relu_cache, pool_cache = cache
    ds = max_pool_backward_fast(dout, pool_cache)
    da = relu_backward(ds, relu_cache)
    return conv_backward_fast(da, conv_cache)
