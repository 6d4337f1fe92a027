"""The fast convolution, which no notebook asks the learner to write (hand-written, not generated).

The learner's im2col (notebook 07, reference/fast_layers.py) copies the receptive fields of the whole
batch into one matrix. This one works through the batch a few images at a time (see _CHUNK_BYTES),
writes the products straight into the output and adds the column gradients back in two passes:
several times faster (benchmarks/conv.py). Same
inputs, outputs and cache as the naive layers: x (N, C, H, W), w (F, C, HH, WW), b (F,),
conv_param {'stride', 'pad'}. The sandwich layers (conv - relu [- pool]) are built on it.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cs231n_utils.fast_layers import max_pool_backward_fast, max_pool_forward_fast

from .layers import relu_backward, relu_forward

# im2col copies every input pixel up to HH*WW times (60 MB for a 50x3x32x32 batch and 7x7
# filters). Working through the batch a few images at a time keeps each column matrix in the
# CPU cache, which roughly halves the forward time compared to one huge matrix. Of 0.5 to 8 MB,
# 4 MB measured best for both passes in benchmarks/conv.py (3 images there).
_CHUNK_BYTES = 4 * 2**20


def _output_size(n, f, stride, pad):
    """Output length of one axis; ValueError when the windows do not tile the padded input."""
    span = n + 2 * pad - f
    if stride < 1 or pad < 0 or span < 0 or span % stride:
        raise ValueError(f"filter size {f} with stride {stride} and pad {pad} does not fit input size {n}")
    return span // stride + 1


def _pad(x, pad):
    """Zero-pad the two spatial axes of x (N, C, H, W) by pad on every side."""
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))


def _windows(x_padded, HH, WW, stride):
    """Every receptive field as a view, nothing copied: x_padded (n, C, Hp, Wp) -> (n, C, HH, WW, H', W').

    windows[m, c, a, d, i, j] = x_padded[m, c, i*stride + a, j*stride + d]: pixel (a, d) of the window
    under output pixel (i, j) of image m. Copying it into an array of that shape is im2col.
    """
    windows = sliding_window_view(x_padded, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    return windows.transpose(0, 1, 4, 5, 2, 3)  # (n, C, H', W', HH, WW) -> (n, C, HH, WW, H', W')


def _images_per_chunk(C, HH, WW, H_out, W_out, itemsize):
    """How many images' columns fit in _CHUNK_BYTES (at least one)."""
    return max(1, _CHUNK_BYTES // (C * HH * WW * H_out * W_out * itemsize))


def conv_forward_fast(x, w, b, conv_param):
    """Convolution as matrix multiplies, a few images at a time: out[m] = w_rows @ cols[m] + b.

    Same inputs, outputs and cache as conv_forward_naive: x (N, C, H, W), w (F, C, HH, WW),
    b (F,), conv_param {'stride', 'pad'}; returns out (N, F, H', W'), cache (x, w, b, conv_param).
    w_rows = w.reshape(F, C*HH*WW) holds one filter per row; cols[m] (C*HH*WW, H'*W') holds the
    windows of image m as columns. Their product (F, H'*W') is already laid out like out[m], so
    np.matmul writes it straight into out: nothing is transposed or copied afterwards.
    """
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out, W_out = _output_size(H, HH, stride, pad), _output_size(W, WW, stride, pad)
    x_padded = _pad(x, pad)
    out = np.empty((N, F, H_out, W_out), dtype=np.result_type(x, w))
    w_rows = w.reshape(F, -1).astype(out.dtype, copy=False)  # (F, C*HH*WW)
    chunk = min(N, _images_per_chunk(C, HH, WW, H_out, W_out, out.itemsize))
    # One buffer for the columns, reused by every chunk: a new large array each time costs page faults.
    windows = np.empty((chunk, C, HH, WW, H_out, W_out), dtype=out.dtype)
    cols = windows.reshape(chunk, C * HH * WW, H_out * W_out)  # the same memory, as matrices
    for n0 in range(0, N, chunk):
        n = min(chunk, N - n0)
        np.copyto(windows[:n], _windows(x_padded[n0:n0 + n], HH, WW, stride))  # im2col: the copy
        out_rows = out[n0:n0 + n].reshape(n, F, H_out * W_out)  # a view of out
        np.matmul(w_rows, cols[:n], out=out_rows)  # one product per image
        out_rows += b.reshape(F, 1)  # while the chunk is still in the cache
    return out, (x, w, b, conv_param)


def _col2im_blocks(dx_padded, dblocks, stride, work):
    """col2im in conv_backward_fast's layout: add every window's gradient onto its pixels, in place.

    dx_padded: (n, C, Hp, Wp), added to;  dblocks: (n, HH, C, WW, H' + HH - 1, W'), whose rows
    H' and beyond are zeros;  work: flat scratch array of at least n*C*WW*Hp*W' + (HH-1)*W' numbers
    Does dx_padded[m, c, i*stride + a, j*stride + d] += dblocks[m, a, c, d, i, j] for all indices:
    the same sum as col2im, but in two steps, the HH row offsets a first, then the WW column
    offsets d (HH + WW adds instead of HH * WW).
    """
    n, HH, C, WW, H_blocks, W_out = dblocks.shape
    H_out = H_blocks - HH + 1
    Hp = dx_padded.shape[2]
    size = n * C * WW * Hp * W_out
    # Step 1, rows: rows[m, c, d, r, j] = sum of dblocks[m, a, c, d, i, j] over all a, i with
    # i*stride + a = r.
    rows = work[:size].reshape(n, C, WW, Hp, W_out)
    if stride == 1:
        # Then Hp = H' + HH - 1 = H_blocks, and moving every block down by a rows is moving the
        # flat array by a*W' places: the data rows move where they belong, the zero rows move into
        # the next block, which changes nothing. So each a is one add of two contiguous arrays,
        # several times faster in numpy than an add onto a strided slice.
        blocks_by_a = dblocks.reshape(n, HH, -1)  # (n, HH, C*WW*Hp*W'): image m, filter row a
        np.copyto(rows.reshape(n, -1), blocks_by_a[:, 0])
        work[size:size + (HH - 1) * W_out] = 0  # where the last block's zero rows move: scratch
        for a in range(1, HH):
            shifted = work[a * W_out:a * W_out + size].reshape(n, -1)
            shifted += blocks_by_a[:, a]
    else:
        rows[...] = 0
        for a in range(HH):
            rows[:, :, :, a:a + stride * H_out:stride] += dblocks[:, a, :, :, :H_out]
    # Step 2, columns: filter column d adds onto every stride-th column from d on.
    for d in range(WW):
        dx_padded[:, :, :, d:d + stride * W_out:stride] += rows[:, :, d]


def conv_backward_fast(dout, cache):
    """Backward pass of conv_forward_fast.

    dout: (N, F, H', W') upstream gradient;  cache: (x, w, b, conv_param) from the forward pass
    Returns dx (N, C, H, W), dw (F, C, HH, WW), db (F,).
    The forward pass was out[m] = w_rows @ cols[m] + b for each image m, so the matrix-multiply rule
    gives dw_rows = sum over m of dout[m] @ cols[m].T, db = dout summed, and dcols[m] =
    w_rows.T @ dout[m]; col2im then adds every entry of dcols[m] onto the pixel it was copied from.
    """
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    K, P = C * HH * WW, H_out * W_out
    dtype = np.result_type(dout, x, w)
    x_padded = _pad(x, pad)
    dout = np.ascontiguousarray(dout, dtype=dtype)  # dout[m].reshape(F, P) is laid out like out[m]
    # Here the rows of w_rows and cols[m] are ordered (a, c, d), filter row a first, instead of
    # (c, a, d): then all the numbers that col2im shifts by a rows form one contiguous block.
    w_rows = w.transpose(0, 2, 1, 3).reshape(F, K).astype(dtype, copy=False)
    chunk = min(N, _images_per_chunk(C, HH, WW, H_out, W_out, np.dtype(dtype).itemsize))
    # One buffer, reused by every chunk, holds cols[m] and then dcols[m] (written over cols[m], no
    # longer needed by then). Every row of these matrices (H'*W' numbers) is stored as a block of
    # H' + HH - 1 rows of W': the H' rows of numbers, then HH - 1 rows of zeros (see _col2im_blocks).
    blocks = np.zeros((chunk, HH, C, WW, H_out + HH - 1, W_out), dtype=dtype)
    mats = blocks.reshape(chunk, K, -1)[:, :, :P]  # (chunk, K, P): cols[m], then dcols[m]
    work = np.empty(chunk * C * WW * x_padded.shape[2] * W_out + (HH - 1) * W_out, dtype=dtype)
    dw_per_image = np.empty((chunk, F, K), dtype=dtype)
    dw_rows = np.zeros((F, K), dtype=dtype)
    dx_padded = np.zeros(x_padded.shape, dtype=dtype)
    for n0 in range(0, N, chunk):
        n = min(chunk, N - n0)
        dout_rows = dout[n0:n0 + n].reshape(n, F, P)
        # im2col again: cheaper than keeping the columns of every chunk from the forward pass
        windows = _windows(x_padded[n0:n0 + n], HH, WW, stride).transpose(0, 2, 1, 3, 4, 5)
        np.copyto(blocks[:n, :, :, :, :H_out], windows)  # (n, HH, C, WW, H', W')
        np.matmul(dout_rows, mats[:n].transpose(0, 2, 1), out=dw_per_image[:n])
        dw_rows += dw_per_image[:n].sum(axis=0)
        np.matmul(w_rows.T, dout_rows, out=mats[:n])  # dcols, over the columns
        _col2im_blocks(dx_padded[n0:n0 + n], blocks[:n], stride, work)
    dx = dx_padded[:, :, pad:pad + H, pad:pad + W]
    dw = dw_rows.reshape(F, HH, C, WW).transpose(0, 2, 1, 3)  # rows back to the (c, a, d) order
    db = dout.sum(axis=(0, 2, 3))
    return dx, np.ascontiguousarray(dw), db


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
