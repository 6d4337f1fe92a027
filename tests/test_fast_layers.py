"""Convolution and pooling: naive layers against numerical gradients, fast layers against naive.

Thresholds (float64, CS231n relative error): naive backward vs numerical gradient < 1e-8;
fast vs naive < 1e-10; sandwich layers vs numerical gradient < 1e-6 (see there why); fast in
float32 vs naive in float64 < 1e-3 (see there why).
"""

import numpy as np
import pytest

from cs231n_course.reference import fast_conv, fast_layers
from cs231n_course.reference.fast_layers import (
    conv_backward_fast,
    conv_backward_naive,
    conv_forward_fast,
    conv_forward_naive,
    conv_output_size,
    conv_relu_backward,
    conv_relu_forward,
    conv_relu_pool_backward,
    conv_relu_pool_forward,
    max_pool_backward_fast,
    max_pool_backward_naive,
    max_pool_forward_fast,
    max_pool_forward_naive,
)
from cs231n_utils.gradcheck import check_gradient, eval_numerical_gradient_array, rel_error

GRAD_THRESHOLD = 1e-8
FAST_THRESHOLD = 1e-10
# A convolution is linear in each of x, w and b, so the centered difference is exact for any step;
# a large step shrinks the roundoff, which otherwise dominates the relative error of small entries.
LINEAR_STEP = 1e-2
# ReLU and max have kinks, so sandwiches keep the default step 1e-5. Roundoff (~1e-10 absolute)
# then limits the relative error of entries near 1e-4 to ~1e-6; a wiring mistake gives errors ~1.
SANDWICH_THRESHOLD = 1e-6


def assert_gradient(analytic, numeric, name, threshold=GRAD_THRESHOLD):
    result = check_gradient(analytic, numeric, threshold=threshold, name=name, verbose=False)
    assert result.passed, str(result)


# conv_output_size


@pytest.mark.parametrize(
    "n, f, stride, pad, expected",
    [
        (32, 5, 1, 2, 32),  # the lecture: 32x32x3 input, 5x5 filter, pad 2 keeps the size
        (32, 5, 1, 0, 28),
        (7, 3, 1, 0, 5),  # the lecture's 7x7 input, 3x3 filter
        (7, 3, 2, 0, 3),
        (7, 3, 1, 1, 7),  # pad (F - 1) / 2 keeps the size
        (28, 2, 2, 0, 14),  # 2x2 max pool
    ],
)
def test_conv_output_size(n, f, stride, pad, expected):
    assert conv_output_size(n, f, stride, pad) == expected


@pytest.mark.parametrize("n, f, stride, pad", [(7, 3, 3, 0), (32, 5, 2, 0), (3, 5, 1, 0)])
def test_conv_output_size_rejects_filters_that_do_not_fit(n, f, stride, pad):
    with pytest.raises(ValueError, match="does not fit"):
        conv_output_size(n, f, stride, pad)


def test_conv_forward_fast_rejects_bad_stride():
    x, w, b = np.zeros((1, 1, 7, 7)), np.zeros((1, 1, 3, 3)), np.zeros(1)
    with pytest.raises(ValueError, match="does not fit"):
        conv_forward_fast(x, w, b, {"stride": 3, "pad": 0})


# Naive layers: values worked by hand, gradients checked numerically


def test_conv_forward_naive_by_hand():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    w = np.ones((1, 1, 2, 2))
    out, _ = conv_forward_naive(x, w, np.array([0.5]), {"stride": 2, "pad": 0})
    # each output is the sum of one 2x2 block, plus the bias
    np.testing.assert_array_equal(out[0, 0], [[10.5, 18.5], [42.5, 50.5]])


def test_conv_forward_naive_padding_by_hand():
    x = np.ones((1, 2, 3, 3))
    w = np.ones((1, 2, 3, 3))
    out, _ = conv_forward_naive(x, w, np.zeros(1), {"stride": 1, "pad": 1})
    # a 3x3 window sees 4 real pixels in a corner, 6 on an edge, 9 in the middle; 2 channels
    np.testing.assert_array_equal(out[0, 0], 2 * np.array([[4, 6, 4], [6, 9, 6], [4, 6, 4]]))


@pytest.mark.parametrize("stride, pad", [(1, 1), (2, 1), (1, 0)])
def test_conv_backward_naive_matches_numerical_gradient(stride, pad):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 5, 5))
    w = rng.standard_normal((3, 3, 3, 3))
    b = rng.standard_normal(3)
    conv_param = {"stride": stride, "pad": pad}
    out, cache = conv_forward_naive(x, w, b, conv_param)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_backward_naive(dout, cache)

    def f(_):
        return conv_forward_naive(x, w, b, conv_param)[0]

    h = LINEAR_STEP
    assert_gradient(dx, eval_numerical_gradient_array(f, x, dout, h=h), "dx")
    assert_gradient(dw, eval_numerical_gradient_array(f, w, dout, h=h), "dw")
    assert_gradient(db, eval_numerical_gradient_array(f, b, dout, h=h), "db")


def test_max_pool_forward_naive_by_hand():
    x = np.array([[1.0, 2, 5, 0], [3, 4, 1, 1], [0, 0, 7, 8], [-1, 0, 9, 6]]).reshape(1, 1, 4, 4)
    out, _ = max_pool_forward_naive(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
    np.testing.assert_array_equal(out[0, 0], [[4, 5], [0, 9]])


@pytest.mark.parametrize("pool, stride", [(2, 2), (3, 2)])
def test_max_pool_backward_naive_matches_numerical_gradient(pool, stride):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 7, 7)) if pool == 3 else rng.standard_normal((2, 3, 6, 8))
    pool_param = {"pool_height": pool, "pool_width": pool, "stride": stride}
    out, cache = max_pool_forward_naive(x, pool_param)
    dout = rng.standard_normal(out.shape)
    dx = max_pool_backward_naive(dout, cache)
    dx_num = eval_numerical_gradient_array(lambda x: max_pool_forward_naive(x, pool_param)[0],
                                           x, dout)
    assert_gradient(dx, dx_num, "dx")


@pytest.mark.parametrize("forward, backward, stride", [
    (max_pool_forward_naive, max_pool_backward_naive, 2),
    (max_pool_forward_naive, max_pool_backward_naive, 1),
    (max_pool_forward_fast, max_pool_backward_fast, 2),
])
def test_max_pool_ties_route_to_first_max_only(forward, backward, stride):
    x = np.ones((1, 1, 4, 4))
    pool_param = {"pool_height": 2, "pool_width": 2, "stride": stride}
    out, cache = forward(x, pool_param)
    dx = backward(np.ones_like(out), cache)
    expected = np.zeros((4, 4))
    expected[0:3:stride, 0:3:stride] = 1  # the top-left corner of every window
    np.testing.assert_array_equal(dx[0, 0], expected)


# Fast layers equal the naive ones


CONV_CASES = [
    # x shape, w shape, stride, pad
    *[((2, 3, 7, 9), (4, 3, 3, 5), s, p) for s in (1, 2) for p in range(4)],  # non-square
    *[((3, 2, 8, 8), (3, 2, 4, 4), s, p) for s, p in [(1, 0), (2, 1), (2, 3), (1, 3)]],
    ((2, 1, 5, 5), (2, 1, 5, 5), 1, 0),  # the filter covers the whole image: 1x1 output
    ((1, 3, 6, 4), (5, 3, 1, 1), 1, 0),  # 1x1 convolution
    ((3, 2, 7, 5), (4, 2, 1, 1), 2, 0),  # 1x1 convolution with stride 2: pixels skipped
    ((2, 3, 9, 11), (3, 3, 5, 3), 1, 0),  # odd sizes, pad 0
    ((3, 4, 10, 10), (2, 4, 5, 5), 3, 2),  # stride 3
    ((1, 1, 13, 7), (1, 1, 7, 7), 2, 3),  # one channel, one filter, odd sizes, stride 2
]


@pytest.mark.parametrize("x_shape, w_shape, stride, pad", CONV_CASES)
def test_conv_fast_equals_naive(x_shape, w_shape, stride, pad):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    conv_param = {"stride": stride, "pad": pad}
    out_naive, cache_naive = conv_forward_naive(x, w, b, conv_param)
    out_fast, cache_fast = conv_forward_fast(x, w, b, conv_param)
    assert out_fast.shape == out_naive.shape
    assert rel_error(out_fast, out_naive) < FAST_THRESHOLD

    dout = rng.standard_normal(out_naive.shape)
    for name, g_fast, g_naive in zip(
        ("dx", "dw", "db"), conv_backward_fast(dout, cache_fast),
        conv_backward_naive(dout, cache_naive), strict=True,
    ):
        assert g_fast.shape == g_naive.shape, name
        assert rel_error(g_fast, g_naive) < FAST_THRESHOLD, name


@pytest.mark.parametrize("images_per_chunk", [1, 2, 3])
@pytest.mark.parametrize("stride, pad", [(1, 1), (2, 0)])
def test_conv_fast_equals_naive_when_the_batch_is_split(monkeypatch, images_per_chunk, stride, pad):
    # The fast layers work through the batch a few images at a time, reusing their buffers; 5 images
    # in chunks of 2 or 3 leave a last chunk that is smaller than the others.
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 2, 7, 7))
    w = rng.standard_normal((4, 2, 3, 3))
    b = rng.standard_normal(4)
    conv_param = {"stride": stride, "pad": pad}
    out_naive, cache_naive = conv_forward_naive(x, w, b, conv_param)
    image_bytes = x.shape[1] * 3 * 3 * out_naive.shape[2] * out_naive.shape[3] * x.itemsize
    # one byte short of images_per_chunk + 1 images: exactly images_per_chunk fit
    monkeypatch.setattr(fast_conv, "_CHUNK_BYTES", (images_per_chunk + 1) * image_bytes - 1)
    assert fast_conv._images_per_chunk(2, 3, 3, *out_naive.shape[2:], x.itemsize) == images_per_chunk
    out_fast, cache_fast = conv_forward_fast(x, w, b, conv_param)
    assert rel_error(out_fast, out_naive) < FAST_THRESHOLD
    dout = rng.standard_normal(out_naive.shape)
    for g_fast, g_naive in zip(conv_backward_fast(dout, cache_fast),
                               conv_backward_naive(dout, cache_naive), strict=True):
        assert rel_error(g_fast, g_naive) < FAST_THRESHOLD


def test_conv_fast_accepts_a_dout_that_is_not_contiguous():
    # e.g. a transposed view coming from another layer's backward pass
    rng = np.random.default_rng(12)
    x, w, b = rng.standard_normal((3, 2, 6, 6)), rng.standard_normal((4, 2, 3, 3)), rng.standard_normal(4)
    conv_param = {"stride": 1, "pad": 1}
    _, cache = conv_forward_fast(x, w, b, conv_param)
    dout = rng.standard_normal((6, 6, 4, 3)).transpose(3, 2, 0, 1)  # (N, F, H', W'), strided
    for g_fast, g_naive in zip(conv_backward_fast(dout, cache),
                               conv_backward_naive(dout, cache), strict=True):
        assert rel_error(g_fast, g_naive) < FAST_THRESHOLD


def test_conv_fast_float32_stays_float32():
    # float32 rounding (~1e-7 relative per operation) makes elementwise relative errors of outputs
    # near 0 much larger than that: 1e-3 still catches any wrong index or missing term.
    rng = np.random.default_rng(13)
    x, w, b = (rng.standard_normal(s).astype(np.float32) for s in ((2, 3, 8, 8), (4, 3, 3, 3), (4,)))
    conv_param = {"stride": 1, "pad": 1}
    out, cache = conv_forward_fast(x, w, b, conv_param)
    out_naive, _ = conv_forward_naive(x.astype(float), w.astype(float), b.astype(float), conv_param)
    assert out.dtype == np.float32 and rel_error(out, out_naive) < 1e-3
    dout = rng.standard_normal(out.shape).astype(np.float32)
    grads = conv_backward_fast(dout, cache)
    grads_naive = conv_backward_naive(dout.astype(float), cache)
    for g, g_naive in zip(grads, grads_naive, strict=True):
        assert g.dtype == np.float32 and rel_error(g, g_naive) < 1e-3


def _im2col_loops(x_padded, HH, WW, stride):
    """The column matrix of the exercise, one window at a time (the layout the notebook checks)."""
    N, C, Hp, Wp = x_padded.shape
    H_out, W_out = (Hp - HH) // stride + 1, (Wp - WW) // stride + 1
    cols = np.zeros((C * HH * WW, N * H_out * W_out))
    for n in range(N):
        for i in range(H_out):
            for j in range(W_out):
                window = x_padded[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                cols[:, n * H_out * W_out + i * W_out + j] = window.ravel()
    return cols


@pytest.mark.parametrize("x_padded_shape, HH, WW, stride", [
    ((2, 3, 7, 9), 3, 5, 1), ((2, 3, 7, 9), 3, 3, 2), ((1, 2, 10, 10), 4, 1, 3), ((3, 1, 5, 4), 1, 1, 1),
])
def test_im2col_layout_and_col2im_is_its_adjoint(x_padded_shape, HH, WW, stride):
    # the solution's im2col and col2im (notebook 07) against loops
    rng = np.random.default_rng(14)
    x_padded = rng.standard_normal(x_padded_shape)
    cols = fast_layers.im2col(x_padded, HH, WW, stride)
    np.testing.assert_array_equal(cols, _im2col_loops(x_padded, HH, WW, stride))
    # col2im is the adjoint (transpose) of im2col: <im2col(x), y> = <x, col2im(y)> for all x, y
    y = rng.standard_normal(cols.shape)
    dx_padded = fast_layers.col2im(y, x_padded.shape, HH, WW, stride)
    assert dx_padded.shape == x_padded.shape
    lhs, rhs = np.sum(cols * y), np.sum(x_padded * dx_padded)
    assert abs(lhs - rhs) <= 1e-12 * np.sum(np.abs(cols * y))
    # and, entry by entry, the loop that adds every column back onto its window
    want = np.zeros(x_padded.shape)
    N, C, Hp, Wp = x_padded.shape
    H_out, W_out = (Hp - HH) // stride + 1, (Wp - WW) // stride + 1
    for n in range(N):
        for i in range(H_out):
            for j in range(W_out):
                column = y[:, n * H_out * W_out + i * W_out + j].reshape(C, HH, WW)
                want[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW] += column
    assert rel_error(dx_padded, want) < 1e-12


POOL_CASES = [  # the fast pool takes windows that tile the input (see the test below)
    # x shape, pool_height, pool_width, stride
    ((2, 3, 8, 8), 2, 2, 2),
    ((2, 3, 6, 9), 3, 3, 3),  # non-square input
]


@pytest.mark.parametrize("x_shape, ph, pw, stride", [((2, 3, 7, 7), 3, 3, 2), ((2, 3, 7, 9), 3, 2, 1),
                                                     ((1, 2, 8, 8), 2, 2, 3), ((1, 1, 6, 6), 4, 4, 4)])
def test_the_fast_pool_refuses_windows_that_do_not_tile(x_shape, ph, pw, stride):
    with pytest.raises(ValueError, match="tile the input"):
        max_pool_forward_fast(np.zeros(x_shape), {"pool_height": ph, "pool_width": pw, "stride": stride})


@pytest.mark.parametrize("x_shape, ph, pw, stride", POOL_CASES)
@pytest.mark.parametrize("ties", [False, True])
def test_max_pool_fast_equals_naive(x_shape, ph, pw, stride, ties):
    rng = np.random.default_rng(4)
    # small integers make many windows hold several equal maxima
    x = rng.integers(0, 3, x_shape).astype(float) if ties else rng.standard_normal(x_shape)
    pool_param = {"pool_height": ph, "pool_width": pw, "stride": stride}
    out_naive, cache_naive = max_pool_forward_naive(x, pool_param)
    out_fast, cache_fast = max_pool_forward_fast(x, pool_param)
    np.testing.assert_array_equal(out_fast, out_naive)

    dout = rng.standard_normal(out_naive.shape)
    dx_naive = max_pool_backward_naive(dout, cache_naive)
    dx_fast = max_pool_backward_fast(dout, cache_fast)
    assert dx_fast.shape == x.shape
    assert rel_error(dx_fast, dx_naive) < FAST_THRESHOLD


# Sandwich layers


def test_conv_relu_matches_numerical_gradient():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 6, 6))
    w = rng.standard_normal((3, 3, 3, 3))
    b = rng.standard_normal(3)
    conv_param = {"stride": 1, "pad": 1}
    out, cache = conv_relu_forward(x, w, b, conv_param)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_relu_backward(dout, cache)

    def f(_):
        return conv_relu_forward(x, w, b, conv_param)[0]

    t = SANDWICH_THRESHOLD
    assert_gradient(dx, eval_numerical_gradient_array(f, x, dout), "dx", t)
    assert_gradient(dw, eval_numerical_gradient_array(f, w, dout), "dw", t)
    assert_gradient(db, eval_numerical_gradient_array(f, b, dout), "db", t)


def test_conv_relu_pool_matches_numerical_gradient():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 8, 8))
    w = rng.standard_normal((3, 3, 3, 3))
    b = rng.standard_normal(3)
    conv_param = {"stride": 1, "pad": 1}
    pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    out, cache = conv_relu_pool_forward(x, w, b, conv_param, pool_param)
    assert out.shape == (2, 3, 4, 4)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_relu_pool_backward(dout, cache)

    def f(_):
        return conv_relu_pool_forward(x, w, b, conv_param, pool_param)[0]

    t = SANDWICH_THRESHOLD
    assert_gradient(dx, eval_numerical_gradient_array(f, x, dout), "dx", t)
    assert_gradient(dw, eval_numerical_gradient_array(f, w, dout), "dw", t)
    assert_gradient(db, eval_numerical_gradient_array(f, b, dout), "db", t)


@pytest.mark.parametrize("stride", [1, 2])
def test_col2im_blocks_ignores_whatever_its_scratch_array_held(stride):
    """The scratch array comes from np.empty: NaN or inf left in it must not reach the result
    (nor raise "invalid value" warnings, which the test suite turns into errors)."""
    rng = np.random.default_rng(0)
    n, C, HH, WW, H_out, W_out = 2, 3, 3, 4, 5, 6
    Hp, Wp = (H_out - 1) * stride + HH, (W_out - 1) * stride + WW
    dblocks = np.zeros((n, HH, C, WW, H_out + HH - 1, W_out))
    dblocks[..., :H_out, :] = rng.standard_normal((n, HH, C, WW, H_out, W_out))
    want = np.zeros((n, C, Hp, Wp))
    for a, d, i, j in np.ndindex(HH, WW, H_out, W_out):
        want[:, :, i * stride + a, j * stride + d] += dblocks[:, a, :, d, i, j]
    signaling_nan = np.array([0x7FF0000000000001], dtype=np.uint64).view(np.float64)[0]
    for junk in (np.nan, np.inf, signaling_nan):  # (an add on a signaling NaN warns "invalid value")
        got = np.zeros((n, C, Hp, Wp))
        work = np.full(n * C * WW * Hp * W_out + (HH - 1) * W_out, junk)
        fast_conv._col2im_blocks(got, dblocks, stride, work)
        assert rel_error(got, want) < 1e-12
