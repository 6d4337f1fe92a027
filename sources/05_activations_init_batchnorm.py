# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] id="title"
# # 05 — Activation functions, preprocessing, initialization and batch normalization
#
# **Learning goals.** After this notebook you can
#
# 1. write the forward and backward passes of the **activation functions (활성화 함수)** sigmoid, tanh,
#    ReLU, Leaky ReLU, ELU and Maxout, and show with numbers why sigmoids **saturate (포화)**, why outputs
#    that are not **zero-centered (0 중심)** make gradient descent zig-zag, why `exp` costs more, and how
#    ReLUs **die (죽은 ReLU)**;
# 2. **preprocess (데이터 전처리)** data: zero-center it, normalize it, and decorrelate and whiten it with
#    **PCA (주성분 분석)**;
# 3. see what **weight initialization (가중치 초기화)** does to the activations of a 10-layer network, and
#    say why Xavier initialization suits tanh and He initialization suits ReLU;
# 4. write **batch normalization (배치 정규화)** forward (train and test mode) and backward (on the
#    computational graph, and in closed form), and **layer normalization (층 정규화)** forward and
#    backward; build a fully connected network with either, and watch both rescue a badly initialized
#    network;
# 5. **babysit the learning process (학습 과정 돌보기)**: check the initial loss, overfit a tiny set,
#    read the loss curve for a learning rate that is too low or too high;
# 6. search **hyperparameters (하이퍼파라미터)** with **random search (무작위 탐색)** on a log scale,
#    coarse to fine, and say why it beats **grid search (격자 탐색)**.
#
# **How to work.** Fill in every cell marked `# YOUR CODE HERE` (delete the `raise NotImplementedError()`).
# After each exercise, run the *check* cell below it: it tells you what is wrong and by how much.
# The *test* cells hold the graded tests (plus hidden tests with other inputs). Students run cells out of
# order, so every check cell recomputes what it needs from your functions; still, before you submit,
# use **Kernel → Restart & Run All** and make sure nothing fails.
#
# The layers you wrote in earlier notebooks (affine, ReLU, softmax loss), the fully connected network and
# the training loop come from the course package `cs231n_utils`.

# %% id="setup"
# %matplotlib inline
import time

import matplotlib.pyplot as plt
import numpy as np

from cs231n_utils.data import load_mnist
from cs231n_utils.gradcheck import (
    check_gradient,
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    rel_error,
)
from cs231n_utils.mine import (  # yours, from notebooks 03 and 04
    FullyConnectedNet,
    affine_backward,
    affine_forward,
    relu_backward,
    relu_forward,
    softmax_loss,
)
from cs231n_utils.solver import Solver
from cs231n_utils.testing import course_versions_disabled
from cs231n_utils.viz import plot_activation_histograms, plot_loss_history

np.set_printoptions(precision=4, suppress=True)


def load_centered_mnist(num_train=2000, num_val=500):
    """MNIST digits (N, 784) minus the mean training image, as a data dict for the Solver."""
    mnist = load_mnist(num_train=num_train, num_val=num_val, num_test=0)
    mean_image = mnist["X_train"].mean(axis=0)
    return {"X_train": mnist["X_train"] - mean_image, "y_train": mnist["y_train"],
            "X_val": mnist["X_val"] - mean_image, "y_val": mnist["y_val"]}


# %% [markdown] id="activation_functions"
# ## 1. Activation functions
#
# Every neuron computes $f\left(\sum_i w_i x_i + b\right)$: a weighted sum followed by a nonlinearity
# $f$, the **activation function (활성화 함수)**. Without $f$ a deep network collapses into one linear
# map. In backpropagation, $f$ is a gate with one input: it multiplies the upstream gradient by its
# **local gradient (국소 기울기)** $f'(x)$, so the shape of $f'$ decides how well gradients flow.
#
# | name | $f(x)$ | $f'(x)$ |
# | --- | --- | --- |
# | sigmoid (시그모이드) | $\sigma(x) = \dfrac{1}{1 + e^{-x}}$ | $\sigma(x)\,(1 - \sigma(x))$ |
# | tanh | $\tanh(x)$ | $1 - \tanh^2(x)$ |
# | ReLU | $\max(0, x)$ | $1$ if $x > 0$, else $0$ |
# | Leaky ReLU | $\max(\alpha x, x)$, e.g. $\alpha = 0.01$ (the lecture also writes $\max(0.1x, x)$) | $1$ if $x > 0$, else $\alpha$ |
# | ELU | $x$ if $x > 0$, else $\alpha\,(e^{x} - 1)$ | $1$ if $x > 0$, else $\alpha e^{x} = f(x) + \alpha$ |
# | Maxout | $\max(w_1^\top x + b_1,\; w_2^\top x + b_2)$ | the gradient goes to the winning piece |
#
# Note that the sigmoid's and tanh's derivatives are written with their **output**: the backward pass only
# needs what the forward pass returned, so that is what the `cache` keeps. ELU's derivative for $x \le 0$
# also comes from its output: $\alpha e^x = \alpha(e^x - 1) + \alpha = f(x) + \alpha$.
#
# ### Exercise 1 (2 points): sigmoid and tanh
#
# Write the four functions in the course's layer style: `out, cache = f_forward(x)` and
# `dx = f_backward(dout, cache)`, elementwise, for `x` of any shape. Keep the output in the cache and use
# it for the local gradient.

# %% id="q1_sigmoid_tanh" kind="answer"
def sigmoid_forward(x):
    """Sigmoid, elementwise. x: any shape. Returns out (same shape) and cache."""
    out, cache = None, None
    ### BEGIN SOLUTION
    out = 1 / (1 + np.exp(-x))
    cache = out  # sigma' = sigma (1 - sigma) needs only the output
    ### END SOLUTION
    return out, cache


def sigmoid_backward(dout, cache):
    """dout: upstream gradient, shaped like x; cache from sigmoid_forward. Returns dx."""
    dx = None
    ### BEGIN SOLUTION
    s = cache
    dx = dout * s * (1 - s)
    ### END SOLUTION
    return dx


def tanh_forward(x):
    """Tanh, elementwise. x: any shape. Returns out (same shape) and cache."""
    out, cache = None, None
    ### BEGIN SOLUTION
    out = np.tanh(x)
    cache = out  # tanh' = 1 - tanh^2 needs only the output
    ### END SOLUTION
    return out, cache


def tanh_backward(dout, cache):
    """dout: upstream gradient, shaped like x; cache from tanh_forward. Returns dx."""
    dx = None
    ### BEGIN SOLUTION
    t = cache
    dx = dout * (1 - t**2)
    ### END SOLUTION
    return dx


# %% id="check_q1"
# Check the lecture's values, then a numerical gradient check on fixed data.
with course_versions_disabled("sigmoid_forward", "sigmoid_backward", "tanh_forward", "tanh_backward", "sigmoid"):  # checks your own code: the course's versions refuse to run here
    print("sigmoid(0) =", sigmoid_forward(np.array(0.0))[0], " tanh(0) =", tanh_forward(np.array(0.0))[0])
    s, cache = sigmoid_forward(np.array([0.0]))
    print("sigmoid'(0) =", sigmoid_backward(np.array([1.0]), cache), "(want 0.25, the largest it ever gets)")
    assert np.allclose(sigmoid_backward(np.array([1.0]), cache), 0.25), (
        "sigmoid'(0) is not 0.25, its peak: a local gradient taken from the input instead of the output?")

    rng = np.random.default_rng(0)
    x, dout = rng.normal(0, 2, size=(4, 5)), rng.normal(size=(4, 5))
    # Threshold: relative error < 1e-8 (float64, smooth functions; measured about 1e-10).
    for name, forward, backward in [("sigmoid", sigmoid_forward, sigmoid_backward),
                                    ("tanh", tanh_forward, tanh_backward)]:
        out, cache = forward(x)
        dx = backward(dout, cache)
        dx_num = eval_numerical_gradient_array(lambda z: forward(z)[0], x.copy(), dout)
        result = check_gradient(dx, dx_num, threshold=1e-8, name=f"{name} dx")
        assert result.passed, f"{name}_backward: {result.diagnosis} (written with the OUTPUT, times dout?)"

# %% id="q1_sigmoid_tanh_test" kind="tests" points=2
_x = np.array([-2.0, 0.0, 3.0])
_sig, _tanh = 1 / (1 + np.exp(-_x)), np.tanh(_x)
_s, _c = sigmoid_forward(_x.copy())
assert np.allclose(_s, _sig)
assert np.allclose(sigmoid_backward(np.ones(3), _c), _sig * (1 - _sig))
_t, _c = tanh_forward(_x.copy())
assert np.allclose(_t, _tanh)
assert np.allclose(tanh_backward(np.ones(3), _c), 1 - _tanh ** 2)
### BEGIN HIDDEN TESTS
import cs231n_course.reference.layers as _layers
from cs231n_utils.testing import reference_disabled

_rng = np.random.default_rng(11)
_cases = []
for _shape in [(1, 1), (3, 4, 2), (7,)]:
    _x = _rng.normal(0, 3, size=_shape)
    _d = _rng.normal(size=_shape)
    _cases.append((_x, _d, eval_numerical_gradient_array(np.tanh, _x.copy(), _d)))
with reference_disabled(_layers.sigmoid_forward, _layers.sigmoid_backward,
                        _layers.tanh_forward, _layers.tanh_backward):
    for _x, _d, _num_t in _cases:
        _sg = 1 / (1 + np.exp(-_x))
        _out, _c = sigmoid_forward(_x.copy())  # the originals stay ours
        assert _out.shape == _x.shape and np.allclose(_out, _sg, rtol=1e-12, atol=0)
        assert np.allclose(sigmoid_backward(_d.copy(), _c), _d * _sg * (1 - _sg), rtol=1e-10, atol=1e-300)
        _out, _c = tanh_forward(_x.copy())
        assert _out.shape == _x.shape and np.allclose(_out, np.tanh(_x), rtol=1e-12, atol=0)
        _dx = tanh_backward(_d.copy(), _c)
        assert np.allclose(_dx, _d * (1 - np.tanh(_x) ** 2), rtol=1e-10, atol=1e-300)
        assert rel_error(_dx, _num_t) < 1e-7
### END HIDDEN TESTS

# %% [markdown] id="exercise_q2"
# ### Exercise 2 (2 points): Leaky ReLU and ELU
#
# The ReLU's gradient is exactly 0 for every negative input. **Leaky ReLU** keeps a small slope $\alpha$
# there; **ELU** bends smoothly towards $-\alpha$ and so has outputs closer to zero mean. Write both, with
# the slope $\alpha$ as an argument (put what the backward pass needs into the cache). In the backward
# pass of ELU use $f'(x) = f(x) + \alpha$ for $x \le 0$.
#
# `np.where(condition, a, b)` picks `a` where the condition holds and `b` elsewhere. It evaluates both,
# so in ELU the exponential is computed for a large positive `x` too, where it overflows (and prints a
# warning) even though that branch is not used: give the exponential only inputs that cannot be positive.

# %% id="q2_leaky_relu_elu" kind="answer"
def leaky_relu_forward(x, alpha=0.01):
    """Leaky ReLU: x where x > 0, alpha * x elsewhere. Returns out (shaped like x) and cache."""
    out, cache = None, None
    ### BEGIN SOLUTION
    out = np.where(x > 0, x, alpha * x)
    cache = (x, alpha)
    ### END SOLUTION
    return out, cache


def leaky_relu_backward(dout, cache):
    """dout: upstream gradient, shaped like x; cache from leaky_relu_forward. Returns dx."""
    dx = None
    ### BEGIN SOLUTION
    x, alpha = cache
    dx = np.where(x > 0, dout, alpha * dout)
    ### END SOLUTION
    return dx


def elu_forward(x, alpha=1.0):
    """ELU: x where x > 0, alpha * (exp(x) - 1) elsewhere. Returns out (shaped like x) and cache."""
    out, cache = None, None
    ### BEGIN SOLUTION
    out = np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1))
    cache = (x, out, alpha)
    ### END SOLUTION
    return out, cache


def elu_backward(dout, cache):
    """dout: upstream gradient, shaped like x; cache from elu_forward. Returns dx."""
    dx = None
    ### BEGIN SOLUTION
    x, out, alpha = cache
    dx = np.where(x > 0, dout, dout * (out + alpha))  # alpha e^x = out + alpha
    ### END SOLUTION
    return dx


# %% id="check_q2"
# Numerical gradient check, with inputs kept at least 0.1 away from the kink at 0.
rng = np.random.default_rng(1)
z = rng.normal(size=(5, 6))
x = np.sign(z) * (0.1 + np.abs(z)) * 2
dout = rng.normal(size=x.shape)
print("leaky_relu([-2, 3]) =", leaky_relu_forward(np.array([-2.0, 3.0]))[0], "(want [-0.02, 3])")
print("elu([-2, 3]) =", elu_forward(np.array([-2.0, 3.0]))[0], "(want [-0.8647, 3])")
# Threshold: relative error < 1e-8 (smooth away from 0; measured about 1e-11).
for name, forward, backward, alpha in [("leaky_relu", leaky_relu_forward, leaky_relu_backward, 0.1),
                                       ("elu", elu_forward, elu_backward, 1.5)]:
    out, cache = forward(x, alpha)
    dx = backward(dout, cache)
    dx_num = eval_numerical_gradient_array(lambda v: forward(v, alpha)[0], x.copy(), dout)
    result = check_gradient(dx, dx_num, threshold=1e-8, name=f"{name} dx")
    assert result.passed, f"{name}: {result.diagnosis} (which side gets the slope? every entry times dout?)"

# %% id="q2_leaky_relu_elu_test" kind="tests" points=2
_x = np.array([-2.0, -0.5, 1.0, 3.0])
assert np.allclose(leaky_relu_forward(_x.copy())[0], [-0.02, -0.005, 1.0, 3.0])
assert np.allclose(leaky_relu_backward(np.ones(4), leaky_relu_forward(_x.copy())[1]), [0.01, 0.01, 1, 1])
assert np.allclose(elu_forward(_x.copy())[0], [np.exp(-2) - 1, np.exp(-0.5) - 1, 1.0, 3.0])
assert np.allclose(elu_backward(np.ones(4), elu_forward(_x.copy())[1]), [np.exp(-2), np.exp(-0.5), 1, 1])
### BEGIN HIDDEN TESTS
import cs231n_course.reference.layers as _layers
from cs231n_utils.testing import reference_disabled

_rng = np.random.default_rng(12)
_cases = []
for _shape, _alpha in [((1, 1), 0.2), ((3, 4, 2), 0.05), ((9,), 2.0)]:
    _z = _rng.normal(size=_shape)
    _x = np.sign(_z) * (0.2 + np.abs(_z)) * 3
    _d = _rng.normal(size=_shape)
    _num_l = eval_numerical_gradient_array(lambda v: np.where(v > 0, v, _alpha * v), _x.copy(), _d)
    _num_e = eval_numerical_gradient_array(lambda v: np.where(v > 0, v, _alpha * np.expm1(np.minimum(v, 0))),
                                           _x.copy(), _d)
    _cases.append((_x, _d, _alpha, _num_l, _num_e))
with reference_disabled(_layers.leaky_relu_forward, _layers.leaky_relu_backward,
                        _layers.elu_forward, _layers.elu_backward):
    for _x, _d, _alpha, _num_l, _num_e in _cases:
        _out, _c = leaky_relu_forward(_x.copy(), _alpha)  # the originals stay ours
        assert _out.shape == _x.shape and np.allclose(_out, np.where(_x > 0, _x, _alpha * _x), rtol=1e-12)
        assert rel_error(leaky_relu_backward(_d.copy(), _c), _num_l) < 1e-8
        _out, _c = elu_forward(_x.copy(), _alpha)
        assert _out.shape == _x.shape
        assert np.allclose(_out, np.where(_x > 0, _x, _alpha * np.expm1(np.minimum(_x, 0))), rtol=1e-10)
        assert rel_error(elu_backward(_d, _c), _num_e) < 1e-7
    # the default slopes
    assert np.allclose(leaky_relu_forward(np.array([-1.0]))[0], -0.01)
    assert np.allclose(elu_forward(np.array([-1.0]))[0], np.exp(-1) - 1)
### END HIDDEN TESTS

# %% [markdown] id="exercise_q3"
# ### Exercise 3 (3 points): Maxout
#
# A **Maxout (맥스아웃)** unit computes $K$ linear functions of its input and outputs the largest:
# $\max(w_1^\top x + b_1, \ldots, w_K^\top x + b_K)$. With $K = 2$ and $w_1 = b_1 = 0$ it is a ReLU; it
# never saturates and never dies, at the price of $K$ times the parameters. A layer of $M$ such units
# has weights `w` of shape `(K, D, M)` (piece $k$ is an ordinary affine layer `x @ w[k] + b[k]`) and
# biases `b` of shape `(K, M)`.
#
# Backward, the max is a **gradient router (경사 라우터)**, as in notebook 02: for each example and unit
# only the winning piece $k^*$ receives `dout`; the others get 0. Then each piece backpropagates like an
# affine layer. Keep the index of the winner in the cache.
#
# Hint: `x @ w` with `x` (N, D) and `w` (K, D, M) broadcasts to (K, N, M); `w.transpose(0, 2, 1)` turns
# each piece's (D, M) into (M, D).

# %% id="q3_maxout" kind="answer"
def maxout_forward(x, w, b):
    """Maxout layer: out[n, m] = max over k of (x @ w[k] + b[k])[n, m].

    x: (N, D);  w: (K, D, M) weights of the K pieces;  b: (K, M)
    Returns out (N, M) and cache.
    """
    out, cache = None, None
    ### BEGIN SOLUTION
    z = x @ w + b[:, None, :]  # (K, N, M): every piece of every unit
    out = z.max(axis=0)
    cache = (x, w, z.argmax(axis=0))  # the winning piece of each unit, (N, M)
    ### END SOLUTION
    return out, cache


def maxout_backward(dout, cache):
    """dout: (N, M); cache from maxout_forward. Returns dx (N, D), dw (K, D, M), db (K, M)."""
    dx, dw, db = None, None, None
    ### BEGIN SOLUTION
    x, w, winner = cache
    K = w.shape[0]
    mask = np.arange(K)[:, None, None] == winner  # (K, N, M): True for the winning piece
    dz = mask * dout  # (K, N, M): the max gate routes dout to the winner only
    dx = (dz @ w.transpose(0, 2, 1)).sum(axis=0)  # every piece's affine backward, summed
    dw = x.T @ dz  # (D, N) @ (K, N, M) -> (K, D, M)
    db = dz.sum(axis=1)
    ### END SOLUTION
    return dx, dw, db


# %% id="check_q3"
rng = np.random.default_rng(2)
N, D, M, K = 4, 5, 3, 3
x, w, b = rng.normal(size=(N, D)), rng.normal(size=(K, D, M)), rng.normal(size=(K, M))
dout = rng.normal(size=(N, M))
pieces = np.stack([x @ w[k] + b[k] for k in range(K)])
out, cache = maxout_forward(x.copy(), w.copy(), b.copy())  # copies: x, w, b stay as they are below
print("out shape", out.shape, "(want (4, 3))")
assert out.shape == (N, M), f"out must be (N, M) = (4, 3), got {out.shape}: the max over the wrong axis?"
assert np.allclose(out, pieces.max(axis=0)), (
    "the bias b is missing from the pieces" if np.allclose(out, (pieces - b[:, None, :]).max(axis=0)) else
    "not the largest of the K pieces, entry by entry: a max over the wrong axis?")
dx, dw, db = maxout_backward(dout.copy(), cache)
# Threshold: relative error < 1e-8 (the data has no near-ties between pieces; measured about 1e-10).
dx_num = eval_numerical_gradient_array(lambda v: maxout_forward(v, w, b)[0], x.copy(), dout)
dw_num = eval_numerical_gradient_array(lambda v: maxout_forward(x, v, b)[0], w.copy(), dout)
db_num = eval_numerical_gradient_array(lambda v: maxout_forward(x, w, v)[0], b.copy(), dout)
failed = [r for r in (check_gradient(dx, dx_num, threshold=1e-8, name="dx"),
                      check_gradient(dw, dw_num, threshold=1e-8, name="dw"),
                      check_gradient(db, db_num, threshold=1e-8, name="db")) if not r.passed]
assert not failed, "; ".join(f"{r.name}: {r.diagnosis}" for r in failed) + (
    " (the max routes dout: which pieces should get any of it?)")

# %% id="q3_maxout_test" kind="tests" points=3
_x = np.array([[1.0, -2.0]])
_w = np.array([[[1.0], [0.0]], [[0.0], [1.0]]])  # piece 0 picks x[0], piece 1 picks x[1]
_b = np.zeros((2, 1))
_out, _c = maxout_forward(_x, _w, _b)
assert np.allclose(_out, [[1.0]])
_dx, _dw, _db = maxout_backward(np.array([[2.0]]), _c)
assert np.allclose(_dx, [[2.0, 0.0]]) and np.allclose(_db, [[2.0], [0.0]])
assert np.allclose(_dw, [[[2.0], [-4.0]], [[0.0], [0.0]]])
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(13)
for _N, _D, _M, _K in [(1, 3, 2, 2), (6, 4, 5, 4), (3, 2, 1, 3)]:
    _x, _w, _b = _rng.normal(size=(_N, _D)), _rng.normal(size=(_K, _D, _M)), _rng.normal(size=(_K, _M))
    _d = _rng.normal(size=(_N, _M))
    _z = np.einsum("nd,kdm->knm", _x, _w) + _b[:, None, :]
    _top2 = np.sort(_z, axis=0)[-2:]
    assert np.min(_top2[1] - _top2[0]) > 1e-3  # test data without near-ties
    _f = lambda x_, w_, b_: (np.einsum("nd,kdm->knm", x_, w_) + b_[:, None, :]).max(axis=0)
    _ndx = eval_numerical_gradient_array(lambda v: _f(v, _w, _b), _x.copy(), _d)
    _ndw = eval_numerical_gradient_array(lambda v: _f(_x, v, _b), _w.copy(), _d)
    _ndb = eval_numerical_gradient_array(lambda v: _f(_x, _w, v), _b.copy(), _d)
    _out, _c = maxout_forward(_x, _w, _b)
    assert _out.shape == (_N, _M) and np.allclose(_out, _z.max(axis=0), rtol=1e-12)
    _dx, _dw, _db = maxout_backward(_d, _c)
    assert _dx.shape == _x.shape and _dw.shape == _w.shape and _db.shape == _b.shape
    assert rel_error(_dx, _ndx) < 1e-8 and rel_error(_dw, _ndw) < 1e-8 and rel_error(_db, _ndb) < 1e-8
### END HIDDEN TESTS

# %% [markdown] id="activation_derivatives"
# Each function (solid) with its derivative (dashed), computed by *your* forward and backward passes.
# The Maxout unit here has three pieces on a 1-D input, $\max(-0.5x - 1,\; 0.2x,\; 1.5x - 1)$: a convex
# piecewise-linear function, of which ReLU and Leaky ReLU are special cases.

# %% id="fig_activation_derivatives"
xs = np.linspace(-5, 5, 401)
ones = np.ones_like(xs)


def with_derivative(forward, backward, *args):
    out, cache = forward(xs, *args)
    return out, backward(ones, cache)


curves = {
    "sigmoid": with_derivative(sigmoid_forward, sigmoid_backward),
    "tanh": with_derivative(tanh_forward, tanh_backward),
    "ReLU": (relu_forward(xs)[0], relu_backward(ones, xs)),
    "Leaky ReLU (alpha = 0.1)": with_derivative(leaky_relu_forward, leaky_relu_backward, 0.1),
    "ELU (alpha = 1)": with_derivative(elu_forward, elu_backward, 1.0),
}
w_1d = np.array([-0.5, 0.2, 1.5]).reshape(3, 1, 1)
b_1d = np.array([-1.0, 0.0, -1.0]).reshape(3, 1)
out, cache = maxout_forward(xs[:, None], w_1d, b_1d)
curves["Maxout (3 pieces)"] = (out[:, 0], maxout_backward(np.ones((len(xs), 1)), cache)[0][:, 0])

fig, axes = plt.subplots(2, 3, figsize=(11, 6), layout="constrained")
for ax, (name, (f, df)) in zip(axes.ravel(), curves.items(), strict=True):
    ax.plot(xs, f, lw=2, label="f(x)")
    ax.plot(xs, df, "--", lw=2, label="f'(x)")
    ax.axhline(0, color="gray", lw=0.5)
    ax.axvline(0, color="gray", lw=0.5)
    bounded = name in ("sigmoid", "tanh")
    ax.set(title=name, xlabel="x", ylim=(-1.2, 1.2) if bounded else (-2, 5))
axes[0, 0].legend(loc="upper left")
plt.show()

# %% [markdown] id="saturated_sigmoids_kill_gradients"
# ### Saturated sigmoids kill gradients
#
# The sigmoid's local gradient is at most $\sigma'(0) = 1/4$, and it is almost 0 once $|x|$ is larger
# than about 5: the neuron is **saturated (포화)**. A saturated neuron multiplies whatever gradient arrives
# by almost 0, so nothing reaches the weights below it. When do inputs get that large? Whenever the
# weights are too big for the layer's inputs. Below, the inputs of a sigmoid and a tanh layer are drawn
# from $\mathcal{N}(0, 5^2)$ and $\mathcal{N}(0, 1)$, and we count the local gradients smaller than
# $0.01$ (less than 1/25 of the sigmoid's best).

# %% id="demo_saturated_sigmoids_kill_gradients"
rng = np.random.default_rng(3)
near_zero = {}
for std in (1, 5):
    x = rng.normal(0, std, size=100_000)
    for name, forward, backward in [("sigmoid", sigmoid_forward, sigmoid_backward),
                                    ("tanh", tanh_forward, tanh_backward)]:
        local = backward(np.ones_like(x), forward(x)[1])  # f'(x), the local gradient
        near_zero[name, std] = np.mean(local < 0.01)
    near_zero["ReLU", std] = np.mean(relu_backward(np.ones_like(x), x) == 0)
for (name, std), frac in near_zero.items():
    print(f"inputs ~ N(0, {std}^2): {name:8s} local gradient < 0.01 for {frac:6.1%} of the neurons")
print(f"\neven unsaturated, 10 sigmoid layers scale the gradient by at most 0.25^10 = {0.25**10:.1e}")

# %% id="check_sigmoid_saturation"
# Check the sigmoid count against theory: sigma'(x) = s (1 - s) < 0.01 exactly when
# s > (1 + sqrt(0.96)) / 2 = 0.9899 (or below 0.0101), i.e. |x| > ln(0.9899 / 0.0101) = 4.585; for
# x ~ N(0, 5^2) that is P(|z| > 4.585 / 5 = 0.917) = 0.359. Threshold: within 0.01 (100,000 samples).
x = np.random.default_rng(3).normal(0, 5, size=100_000)
frac = np.mean(sigmoid_backward(np.ones_like(x), sigmoid_forward(x)[1]) < 0.01)
print(f"fraction of near-zero sigmoid gradients for inputs ~ N(0, 5^2): {frac:.3f} (theory 0.359)")
assert abs(frac - 0.359) < 0.01, (
    f"{frac:.3f} of the local gradients are below 0.01, theory says 0.359: sigmoid_backward's local "
    "gradient should peak at 0.25 at x = 0 and fall below 0.01 only beyond |x| = 4.585")

# %% [markdown] id="sigmoid_gradient_histogram"
# The histogram shows the same thing: with inputs of standard deviation 5 a large share of the sigmoid's
# local gradients are orders of magnitude below 0.01 (note the logarithmic x axis).

# %% id="fig_sigmoid_gradient_histogram"
bins = np.logspace(-12, np.log10(0.25), 60)
fig, ax = plt.subplots(figsize=(7, 3.2))
for std in (1, 5):
    x = np.random.default_rng(3).normal(0, std, size=100_000)
    ax.hist(sigmoid_backward(np.ones_like(x), sigmoid_forward(x)[1]), bins=bins, alpha=0.6,
            label=f"inputs ~ N(0, {std}$^2$)")
ax.axvline(0.01, color="k", ls=":", label="0.01")
ax.set(xscale="log", xlabel="local gradient $\\sigma'(x)$", ylabel="neurons",
       title="Sigmoid local gradients")
ax.legend()
plt.show()

# %% [markdown] id="not_zero_centered_outputs"
# ### Outputs that are not zero-centered make updates zig-zag
#
# A sigmoid's outputs are all positive. Feed them into the next neuron $f = \sum_i w_i x_i + b$: its local
# gradients are $\partial f / \partial w_i = x_i > 0$, so
#
# $$\frac{\partial L}{\partial w_i} = \frac{\partial L}{\partial f}\, x_i$$
#
# has the sign of the single number $\partial L / \partial f$ **for every $i$**: on one example, all
# weights of the neuron move up together or down together. To reach a weight vector that needs some
# weights up and others down, gradient descent has to zig-zag. Below: the signs of $\partial L/\partial w$
# for 20 examples and 10 weights, with the neuron's inputs coming from a sigmoid layer or from a tanh layer
# (zero-centered), and then 40 SGD steps (one example each) towards $w^* = (1, -1)$ in 2-D.
#
# This is not a sigmoid-only problem: **the ReLU is not zero-centered either**. Its outputs are $\ge 0$,
# so a neuron fed by a ReLU layer sees only non-negative $x_i$ and its weight gradients share one sign in
# the same way (the inputs that are exactly 0 just leave their weights unchanged). Of the functions above
# only tanh is zero-centered; Leaky ReLU, ELU and Maxout can output negative values and so have means
# closer to 0. In practice the ReLU's other merits (below) outweigh this, and batch normalization
# (section 4) re-centers each layer's inputs anyway.

# %% id="fig_not_zero_centered_outputs"
rng = np.random.default_rng(4)
z = rng.normal(size=(1000, 10))
inputs = {"sigmoid": sigmoid_forward(z)[0], "tanh": tanh_forward(z)[0]}
upstream = rng.normal(size=(1000, 1))  # dL/df of the neuron, one number per example
signs = {name: np.sign(upstream * x) for name, x in inputs.items()}  # dL/dw_i = dL/df * x_i
for name, s in signs.items():
    same = np.mean(np.all(s == s[:, :1], axis=1))
    print(f"{name:8s} inputs: all 10 weight gradients share one sign on {same:.1%} of the examples")

# 40 SGD steps on L = 0.5 (w.x - w*.x)^2, one 2-D example per step, from w = (-1, 1) towards w* = (1, -1)
w_star, paths = np.array([1.0, -1.0]), {}
for name, forward in [("sigmoid", sigmoid_forward), ("tanh", tanh_forward)]:
    X2 = forward(rng.normal(size=(40, 2)))[0]
    w, path = np.array([-1.0, 1.0]), [np.array([-1.0, 1.0])]
    for x in X2:
        w = w - 0.5 * ((w - w_star) @ x) * x
        path.append(w)
    paths[name] = np.array(path)
    print(f"{name:8s} inputs: distance to w* after 40 steps {np.linalg.norm(w - w_star):.3f}")

fig, axes = plt.subplots(1, 4, figsize=(13, 3.6), layout="constrained",
                         gridspec_kw={"width_ratios": [1, 1, 1.4, 1.4]})
for ax, name in zip(axes[:2], signs, strict=True):
    ax.imshow(signs[name][:20], cmap="bwr", vmin=-1, vmax=1, aspect="auto")
    ax.set(title=f"sign of dL/dw, {name} inputs", xlabel="weight i  (red +, blue -)", ylabel="example",
           xticks=range(0, 10, 3), yticks=range(0, 20, 5))
for ax, name in zip(axes[2:], paths, strict=True):
    p = paths[name]
    ax.plot(p[:, 0], p[:, 1], "o-", ms=3, lw=1)
    ax.plot(*w_star, "r*", ms=14, label="w*")
    ax.plot(-1, 1, "ks", ms=6, label="start")
    ax.set(title=f"SGD path, {name} inputs", xlabel="$w_0$", ylabel="$w_1$", xlim=(-1.4, 1.4),
           ylim=(-1.4, 1.4), aspect="equal")
axes[2].legend(loc="lower left")
plt.show()

# %% id="check_zero_centering"
# Check the claim: with positive inputs every example's weight gradient has one sign (100%);
# with zero-centered inputs that happens by chance only, with probability 2 / 2^10 = 0.2%.
rng = np.random.default_rng(4)
z = rng.normal(size=(1000, 10))
upstream = rng.normal(size=(1000, 1))
share = {}
for name, x in [("sigmoid", sigmoid_forward(z)[0]), ("tanh", tanh_forward(z)[0])]:
    s = np.sign(upstream * x)  # the signs of dL/dw_i = dL/df * x_i, one row per example
    share[name] = np.mean(np.all(s == s[:, :1], axis=1))
print(share)
assert share["sigmoid"] == 1.0 and share["tanh"] < 0.02

# %% [markdown] id="exp_is_expensive"
# ### `exp` is expensive
#
# The sigmoid and tanh need an exponential; the ReLU is one comparison. The timing below is for
# information only (it depends on your machine and on what else runs on it), and is not checked. On a
# modern CPU numpy's `exp` is vectorized and not much slower than `max`; a sigmoid computed as
# $1 / (1 + e^{-x})$ with numpy makes several passes over the data (negate, exponentiate, add, divide)
# and costs several times a ReLU. On the scale of a whole network the matrix multiplications dominate, but the ReLU is
# never the slow part.

# %% id="demo_exp_is_expensive"
x = np.random.default_rng(5).normal(size=1_000_000)


def best_time(f, repeats=10):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


t_relu = best_time(lambda: np.maximum(x, 0.0))
for name, f in [("ReLU  max(x, 0)", lambda: np.maximum(x, 0.0)), ("exp(x)", lambda: np.exp(x)),
                ("tanh(x)", lambda: np.tanh(x)), ("your sigmoid", lambda: sigmoid_forward(x))]:
    t = best_time(f)
    print(f"{name:16s} {1e3 * t:6.2f} ms for 1e6 inputs  ({t / t_relu:4.1f} x ReLU)")

# %% [markdown] id="dead_relus"
# ### Dead ReLUs
#
# A ReLU whose input is negative for *every* example outputs 0 and has local gradient 0 on all of them:
# its weights never receive a gradient again, and it stays **dead (죽은 ReLU)**. There are two ways to get
# there (the CS231n notes warn that with a learning rate set too high as much as 40% of a network can die):
#
# * **a bad initialization**: a unit whose weights and bias start where $w^\top x + b < 0$ for every
#   training example (e.g. biases initialized at a large negative value) is dead before the first update;
# * **a too-large learning rate**: a single update pushes the weights or biases so far that the unit never
#   fires again.
#
# Below: a layer of 100 ReLUs on 1,000 MNIST digits (zero-centered), He-initialized, before and after every
# bias is lowered by 1.5 (whether by a bad initialization or by one large update, the result is the same).
# Then we backpropagate a random upstream gradient and look at the weight gradients of the dead units.

# %% id="demo_dead_relus"
X = load_centered_mnist()["X_train"][:1000]
rng = np.random.default_rng(6)
W = rng.normal(size=(784, 100)) * np.sqrt(2 / 784)
b = np.zeros(100)


def dead_units(W, b):
    a, _ = affine_forward(X, W, b)
    return np.all(a <= 0, axis=0)  # (100,): True for a unit that is 0 on every example


dead_before = dead_units(W, b)
b_bad = b - 1.5  # a large negative update of the biases
dead_after = dead_units(W, b_bad)
print(f"dead ReLUs before the update: {dead_before.sum()} of 100;  after: {dead_after.sum()} of 100")

a, _ = affine_forward(X, W, b_bad)
da = relu_backward(rng.normal(size=a.shape), a)
dW, db = X.T @ da, da.sum(axis=0)  # the affine layer's backward pass
print("largest |dW| of a dead unit:", np.abs(dW[:, dead_after]).max(),
      "  of a live unit:", np.abs(dW[:, ~dead_after]).max().round(3))

# %% id="check_dead_relus"
# Check: no unit is dead at initialization, most are after the update, and a dead unit's weight and
# bias gradients are exactly 0 (so no later update can bring it back).
assert dead_before.sum() == 0 and dead_after.sum() >= 50, (dead_before.sum(), dead_after.sum())
assert np.all(dW[:, dead_after] == 0) and np.all(db[dead_after] == 0)
print("dead units get exactly zero gradient: they never recover")

# %% [markdown] id="relu_merits_and_bias"
# ### ReLU: merits and drawbacks
#
# Why is the ReLU the default despite dead units and outputs that are not zero-centered?
#
# * it **does not saturate** for $x > 0$: its local gradient there is exactly 1, however large $x$ is
#   (compare 0.25 at best for the sigmoid, and the 0.359 of sigmoid gradients below 0.01 above);
# * it is **cheap**: one comparison, no `exp`;
# * in practice it **converges much faster**: Krizhevsky, Sutskever and Hinton (2012, AlexNet) report that a
#   4-layer ConvNet with ReLUs reached 25% training error on CIFAR-10 about **6 times faster** than the same
#   network with tanh units;
# * it is **biologically more plausible** than the sigmoid: a real neuron is silent below a threshold and
#   fires faster the more it is driven, without a hard ceiling in its normal range, which a one-sided,
#   non-saturating ReLU mimics better than a curve that flattens out on both sides (the lecture's point;
#   the neuron model itself remains, as the notes stress, a coarse one).
#
# Its drawbacks are the ones we met: not zero-centered, and a unit with $x < 0$ on every example is dead.
# A remedy sometimes used is to initialize the ReLU biases with a **small positive value** such as 0.01, so
# that more units start on the active side; the effect is small (the CS231n notes call it unclear whether
# it helps consistently, and most people initialize biases at 0), as the numbers below show for the layer
# above. Leaky ReLU, ELU and Maxout remove the
# flat side altogether, which is why they never die.

# %% id="demo_small_positive_bias"
for b0 in (0.0, 0.01, 0.1):
    a, _ = affine_forward(X, W, np.full(100, b0))
    print(f"biases initialized at {b0:4}: {np.mean(a > 0):.1%} of the unit-example pairs are active, "
          f"{np.all(a <= 0, axis=0).sum()} of 100 units dead")


# %% id="demo_zero_gradients"
# Where is a local gradient zero? Your activations on the inputs of the layer above after the bad bias
# update, and on those of the same layer with weights 10 times too large. Each backward pass gets an
# upstream gradient of ones, so it returns the local gradient f'(a) at every entry.
activations = {"sigmoid": (sigmoid_forward, sigmoid_backward), "tanh": (tanh_forward, tanh_backward),
               "ReLU": (relu_forward, relu_backward), "Leaky ReLU": (leaky_relu_forward, leaky_relu_backward),
               "ELU": (elu_forward, elu_backward)}
for label, scale in [("the layer above", 1), ("weights 10x larger", 10)]:
    a, _ = affine_forward(X, scale * W, b_bad)
    print(f"{label}: inputs from {a.min():.1f} to {a.max():.1f}")
    for name, (forward, backward) in activations.items():
        local = np.abs(backward(np.ones_like(a), forward(a)[1]))
        print(f"  {name:10s} exactly 0: {np.mean(local == 0):6.1%}   below 1e-3: {np.mean(local < 1e-3):6.1%}   "
              f"units with every |f'| below 1e-3: {np.all(local < 1e-3, axis=0).sum():3d} of 100")

# %% [markdown] id="wq1_question"
# ### Written question 1 (2 points, graded by hand): where the gradient stops
#
# Run the cell above, then answer.
#
# (a) Which of these activation functions have a local gradient of **exactly** 0, and for which inputs?
# Which only come **close** to 0, and for which inputs?
#
# (b) Two units of a trained network: a ReLU unit whose input is negative on every training example, and
# a sigmoid unit whose input is about $-10$ on every training example. Both pass almost no gradient
# backwards. Which of the two can get out of that state through the gradient of its own weights, and why
# can the other not?
#
# Write your answer in the next cell (a few sentences; numbers welcome).

# %% [markdown] id="wq1_dead_relu" kind="written" points=2
# **Your answer:**
#
# ### BEGIN SOLUTION
# *Model answer.* (a) Only the ReLU is exactly 0, on its whole negative side ($x < 0$); the cell shows it as
# the only row with exact zeros, and a dead unit is one where this holds on every example. The sigmoid and
# tanh come close to 0 for large $|x|$ on both sides (saturation; with the 10x weights a share of their
# entries falls below 1e-3, more for tanh than for the sigmoid) but are never exactly 0; ELU comes close to
# 0 for very negative $x$ only; Leaky ReLU's local gradient never falls below its slope $\alpha$.
# (b) The sigmoid unit: its local gradient at $-10$ is tiny (about $4.5 \cdot 10^{-5}$) but not zero, so
# its weights still receive a gradient and can move, slowly, back into the active range. The dead ReLU's
# weights and bias get a gradient of exactly 0 on every example, so no update of its own can bring it
# back (only a change of its inputs, made by earlier layers, could).
#
# RUBRIC (2 points; one fact per point)
# - 1 point: (a) exactly 0 only for the ReLU, for negative inputs; sigmoid and tanh (and ELU on its
#   negative side) only approach 0 for large |x|. Calling Leaky ReLU, ELU, sigmoid or tanh "exactly 0"
#   is a wrong claim and loses this point.
# - 1 point: (b) the sigmoid unit can recover because its gradient is small but nonzero; the dead ReLU's
#   own weights get exactly zero gradient on every example. Naming the right unit without the reason
#   earns nothing.
# - An extra remark that is wrong (e.g. "the sigmoid's gradient is exactly 0 at -10", or "a lower learning
#   rate revives a dead unit") costs the point it belongs to; a correct extra remark (a dead unit in a
#   deeper layer can revive when earlier layers change its inputs) earns nothing more.
# ### END SOLUTION

# %% [markdown] id="data_preprocessing"
# ## 2. Data preprocessing
#
# Networks train best on inputs that are centered at 0 and of similar scale, for the same reason as
# above: all-positive inputs make every neuron of the first layer zig-zag. There is a second reason:
# **far from the origin, the loss is very sensitive to the weights**. A score $w^\top x + b$ changes by
# about $\lVert x\rVert\,\delta$ when $w$ turns by a small angle $\delta$, so when the data sit far
# from the origin a tiny change of $w$ swings the decision boundary across many of them, and a step size
# that suits one weight overshoots another. The cell below turns a boundary that splits a 2-D cloud by
# 0.01 rad, once with the cloud centered and once with the cloud moved to $(10, 10)$.
#
# With $X$ of shape $(N, D)$, one example per row:
#
# * **zero-centering (0 중심화)**: subtract the mean of every feature, `X -= X.mean(axis=0)`;
# * **normalization (정규화)**: then divide every feature by its standard deviation, `X /= X.std(axis=0)`;
# * **PCA (주성분 분석)**: compute the **covariance matrix (공분산 행렬)** $\Sigma = X^\top X / N$ of the
#   centered data, its **eigenvectors (고유벡터)** $U$ (columns) and eigenvalues $S$, and rotate the data
#   into that basis, $X_\text{rot} = X U$. The new features are **decorrelated (무상관)**: their covariance is
#   the diagonal matrix of eigenvalues. Keeping only the columns with the $k$ largest eigenvalues reduces
#   the dimension while keeping most of the variance;
# * **whitening (백색화)**: divide every rotated feature by the square root of its eigenvalue (its standard
#   deviation), $X_\text{white} = X_\text{rot} / \sqrt{S + \epsilon}$, so that the covariance becomes the
#   identity. The small $\epsilon$ keeps directions with (almost) no variance from blowing up.
#
# The statistics (mean, $U$, $S$) are computed on the training data only, and then applied unchanged to
# validation and test data. For images, the lecture's practice is to zero-center only: subtract the
# **mean image** (AlexNet) or the mean of each color channel (VGG); PCA and whitening are rare for ConvNets.
#
# %% id="demo_weight_sensitivity"
rng = np.random.default_rng(8)
points = rng.normal(size=(1000, 2))
w_dir = np.array([1.0, -1.0]) / np.sqrt(2)  # a boundary through the middle of the cloud
rot = np.array([[np.cos(0.01), -np.sin(0.01)], [np.sin(0.01), np.cos(0.01)]])  # turn w by 0.01 rad
for name, data in [("centered cloud", points), ("cloud moved to (10, 10)", points + 10)]:
    bias = -w_dir @ data.mean(axis=0)
    before, after = data @ w_dir + bias, data @ (rot @ w_dir) + bias
    print(f"{name:24s}: mean |score change| {np.abs(after - before).mean():.3f}, "
          f"{np.mean(np.sign(before) != np.sign(after)):.1%} of the decisions flip")

# %% [markdown] id="exercise_q4"
# ### Exercise 4 (3 points): PCA and whitening
#
# Write `pca_whiten(X, num_components, eps)` as in the CS231n notes: center the data, compute the
# covariance with $1/N$, take its eigenvalues and eigenvectors in order of **decreasing** eigenvalue, keep
# the first `num_components` (all if None), and return the rotated data, the whitened data, $U$ and $S$.
# `S, U = np.linalg.eigh(cov)` gives the eigendecomposition of a symmetric matrix, eigenvectors as columns,
# in *increasing* order. (The CS231n notes use `np.linalg.svd(cov)`, which for a covariance matrix gives the
# same, already sorted, but is several times slower.)

# %% id="q4_pca_whiten" kind="answer"
def pca_whiten(X, num_components=None, eps=1e-5):
    """PCA and whitening of X (N, D).

    Returns X_pca (N, K), the centered data in the basis of the K eigenvectors of its covariance
    with the largest eigenvalues; X_white (N, K), X_pca with every column divided by
    sqrt(eigenvalue + eps); U (D, K), those eigenvectors as columns; S (K,), their eigenvalues in
    decreasing order. K = num_components, or D if None.
    """
    X_pca, X_white, U, S = None, None, None, None
    ### BEGIN SOLUTION
    Xc = X - X.mean(axis=0)
    cov = Xc.T @ Xc / X.shape[0]
    S, U = np.linalg.eigh(cov)
    S, U = S[::-1], U[:, ::-1]  # decreasing eigenvalues
    K = X.shape[1] if num_components is None else num_components
    U, S = U[:, :K], S[:K]
    X_pca = Xc @ U  # decorrelated
    X_white = X_pca / np.sqrt(S + eps)  # every direction scaled to unit variance
    ### END SOLUTION
    return X_pca, X_white, U, S


# %% id="check_q4"
# A correlated 2-D cloud: after whitening its covariance must be the identity.
rng = np.random.default_rng(7)
cloud = rng.multivariate_normal([3.0, 2.0], [[3.0, 2.4], [2.4, 2.2]], size=500)
X_pca, X_white, U, S = pca_whiten(cloud)
cov_pca = X_pca.T @ X_pca / len(X_pca)
cov_white = X_white.T @ X_white / len(X_white)
print("covariance after PCA:\n", cov_pca, "\ncovariance after whitening:\n", cov_white)
print("eigenvalues", S)
assert np.allclose(X_pca.mean(axis=0), 0), "center the data first"
assert S[0] >= S[1], "sort the eigenvalues in decreasing order (np.linalg.eigh gives increasing)"
# Threshold: off-diagonal covariance < 1e-10 (decorrelated up to rounding)
assert abs(cov_pca[0, 1]) < 1e-10, (
    "the rotated features are still correlated: U transposed (eigenvectors as rows instead of columns)?")
# Threshold: whitened covariance within 1e-4 of the identity (eps = 1e-5 shrinks it by eps / S)
assert np.allclose(cov_white, np.eye(2), atol=1e-4), (
    "divide each column by the square root of its eigenvalue (plus eps), not by the eigenvalue")

# %% id="q4_pca_whiten_test" kind="tests" points=3
_rng = np.random.default_rng(14)
_X = _rng.normal(size=(300, 3)) @ np.array([[2.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.5, -0.3, 0.2]]) + 4
_Xp, _Xw, _U, _S = pca_whiten(_X)
assert _Xp.shape == (300, 3) and _Xw.shape == (300, 3) and _U.shape == (3, 3) and _S.shape == (3,)
assert np.allclose(_Xw.T @ _Xw / 300, np.eye(3), atol=1e-3)
### BEGIN HIDDEN TESTS
for _N, _D, _K, _eps in [(400, 5, None, 1e-5), (250, 6, 3, 1e-5), (200, 4, 2, 0.5), (50, 3, 1, 1e-5)]:
    _A = _rng.normal(size=(_D, _D)) * np.linspace(0.2, 3, _D)
    _X = _rng.normal(size=(_N, _D)) @ _A + _rng.normal(size=_D) * 5
    _Xc = _X - _X.mean(axis=0)
    _cov = _Xc.T @ _Xc / _N
    _evals = np.sort(np.linalg.eigvalsh(_cov))[::-1]
    _k = _D if _K is None else _K
    _Xp, _Xw, _U, _S = pca_whiten(_X, _K, _eps)
    assert _Xp.shape == (_N, _k) and _Xw.shape == (_N, _k) and _U.shape == (_D, _k) and _S.shape == (_k,)
    assert np.allclose(_S, _evals[:_k], rtol=1e-8)  # the top-k eigenvalues of the 1/N covariance
    assert np.allclose(_U.T @ _U, np.eye(_k), atol=1e-10)  # orthonormal columns
    assert np.allclose(_cov @ _U, _U * _S, atol=1e-8 * _evals[0])  # eigenvectors, in the order of S
    assert np.allclose(_Xp, _Xc @ _U, atol=1e-8)  # the centered data in that basis
    assert np.allclose(_Xw, _Xp / np.sqrt(_S + _eps), rtol=1e-10)
    assert np.allclose(_Xw.T @ _Xw / _N, np.diag(_S / (_S + _eps)), atol=1e-8)
### END HIDDEN TESTS

# %% [markdown] id="whitening_picture"
# The lecture's picture, with your function: a correlated cloud, zero-centered, normalized, decorrelated
# (rotated into the eigenbasis: the axes of the ellipse are now the coordinate axes) and whitened (a round
# cloud of unit variance).

# %% id="fig_whitening_picture"
rng = np.random.default_rng(7)
cloud = rng.multivariate_normal([3.0, 2.0], [[3.0, 2.4], [2.4, 2.2]], size=500)
X_pca, X_white, U, S = pca_whiten(cloud)
centered = X_pca @ U.T  # rotated back from the eigenbasis: the zero-centered cloud
panels = {
    "original data": cloud,
    "zero-centered": centered,
    "normalized": centered / cloud.std(axis=0),
    "decorrelated (PCA)": X_pca,
    "whitened": X_white,
}
fig, axes = plt.subplots(1, 5, figsize=(15, 3.4), layout="constrained")
for ax, (name, pts) in zip(axes, panels.items(), strict=True):
    ax.scatter(pts[:, 0], pts[:, 1], s=4, alpha=0.5)
    ax.axhline(0, color="gray", lw=0.6)
    ax.axvline(0, color="gray", lw=0.6)
    ax.set(title=name, xlim=(-6, 9), ylim=(-6, 9), aspect="equal", xlabel="feature 0", ylabel="feature 1")
for u, s in zip(U.T, S, strict=True):  # the eigenvectors, scaled by the standard deviations along them
    axes[1].annotate("", xy=2 * np.sqrt(s) * u, xytext=(0, 0), arrowprops=dict(color="r", width=1.5))
plt.show()

# %% [markdown] id="pca_on_mnist"
# ### PCA on MNIST
#
# On images every pixel is a feature ($D = 784$). The **mean image** is what zero-centering subtracts.
# The top eigenvectors, shown as images, are smooth blobs: most of the variance of digits lives in few,
# low-frequency directions, so 50 of 784 components already give recognizable digits. Whitening divides
# every direction by its standard deviation, which blows up the weakest, noisiest directions: the whitened
# digits look like noise (the lecture's reason not to whiten images).

# %% id="fig_pca_on_mnist"
X_mnist = load_mnist(num_train=1000, num_val=0, num_test=0)["X_train"]
mean_image = X_mnist.mean(axis=0)
X_pca, X_white, U, S = pca_whiten(X_mnist)
k = 50
reconstructed = X_pca[:, :k] @ U[:, :k].T + mean_image
print(f"{k} of 784 components keep {S[:k].sum() / S.sum():.1%} of the variance")


def strip(images):
    """One row of 28 x 28 images side by side, each rescaled to [0, 1], with a 2-pixel gap."""
    tiles = []
    for img in images:
        img = img.reshape(28, 28)
        tiles.append(np.pad((img - img.min()) / (img.max() - img.min()), ((0, 0), (0, 2)), constant_values=1))
    return np.hstack(tiles)


rows = [("digits", X_mnist[:8]), ("zero-centered", X_mnist[:8] - mean_image),
        (f"PCA, {k} comp.", reconstructed[:8]), ("top eigenvectors", U[:, :8].T),
        ("whitened", X_white[:8] @ U.T)]
fig, axes = plt.subplots(len(rows), 1, figsize=(9, 6.5), layout="constrained")
for ax, (name, images) in zip(axes, rows, strict=True):
    ax.imshow(strip(images), cmap="gray")
    ax.set(xticks=[], yticks=[])
    ax.set_ylabel(name, fontsize=9)
plt.show()

fig, axes = plt.subplots(1, 2, figsize=(8, 3), layout="constrained", gridspec_kw={"width_ratios": [1, 2]})
axes[0].imshow(mean_image.reshape(28, 28), cmap="gray")
axes[0].set(title="the mean image", xticks=[], yticks=[])
axes[1].semilogy(S[S > 1e-12])
axes[1].set(title="eigenvalues of the pixel covariance", xlabel="component", ylabel="variance")
plt.show()

# %% id="check_q4_2"
# Check the whitened MNIST digits of the cell above: their top 100 components have identity covariance.
# Threshold: within 2e-2 (eps = 1e-5 shrinks the 100th direction, variance about 1e-3, by eps / S).
cov = X_white[:, :100].T @ X_white[:, :100] / len(X_white)
print(f"largest deviation of the whitened covariance from I: {np.abs(cov - np.eye(100)).max():.1e}")
assert np.allclose(cov, np.eye(100), atol=2e-2)


# %% [markdown] id="weight_initialization"
# ## 3. Weight initialization
#
# All weights 0 would make every neuron of a layer compute the same thing and get the same gradient:
# they would never become different. So the weights start as small random numbers. How small matters: the
# lecture's experiment sends random inputs ($\mathcal{N}(0, 1)$, 500 features) through a
# **10-layer** network of **500 units** per layer and looks at each layer's activations. A layer with
# fan-in $n$ multiplies the variance of its input by about $n \,\mathrm{Var}(w)$, so:
#
# | initialization | std of $W$ | with tanh | with ReLU |
# | --- | --- | --- | --- |
# | small random | $0.01$ | variance $\times\, 500 \cdot 10^{-4} = 0.05$ per layer (std $\times\, 0.22$): activations collapse to 0, so do the gradients | the same |
# | large random | $1$ | inputs of std $\sim\!\sqrt{500}$: every tanh saturates at $\pm 1$, gradients 0 | explodes |
# | **Xavier (Xavier 초기화)** | $1/\sqrt{n}$ | variance kept (tanh is linear near 0) | halves every layer (ReLU zeroes half) |
# | **He (He 초기화)** | $\sqrt{2/n}$ | | variance kept: the 2 makes up for the half that ReLU zeroes |
#
# He initialization (He et al. 2015) is also called **MSRA initialization**, after Microsoft Research Asia
# where it was published; frameworks and the lecture slides use both names.
#
# ### Exercise 5 (2 points): initialization schemes
#
# Write `init_weights(fan_in, fan_out, scheme, rng)`: a `(fan_in, fan_out)` matrix of Gaussian weights
# with the standard deviation of the table. Draw the numbers with **one** call
# `rng.standard_normal((fan_in, fan_out))` and scale them (the tests compare with the same draw).

# %% id="q5_init_weights" kind="answer"
def init_weights(fan_in, fan_out, scheme, rng):
    """Gaussian weights (fan_in, fan_out) with std 0.01 ("small"), 1 ("large"),
    1 / sqrt(fan_in) ("xavier") or sqrt(2 / fan_in) ("he"). rng: a np.random.Generator."""
    W = None
    ### BEGIN SOLUTION
    std = {
        "small": 0.01,
        "large": 1.0,
        "xavier": 1 / np.sqrt(fan_in),
        "he": np.sqrt(2 / fan_in),
    }[scheme]
    W = std * rng.standard_normal((fan_in, fan_out))
    ### END SOLUTION
    return W


# %% id="check_q5"
with course_versions_disabled("init_weights"):  # checks your own code: the course's versions refuse to run here
    print("std of 500 x 500 weights:")
    for scheme, want in [("small", 0.01), ("large", 1.0), ("xavier", 1 / np.sqrt(500)), ("he", np.sqrt(2 / 500))]:
        W = init_weights(500, 500, scheme, np.random.default_rng(0))
        print(f"  {scheme:7s} {W.std():.4f}  (want {want:.4f})")
        # Threshold: within 1% (250,000 samples: the standard error of the std is 0.14%)
        assert W.shape == (500, 500), f"{scheme}: the shape is (fan_in, fan_out), got {W.shape}"
        assert abs(W.std() / want - 1) < 0.01, f"{scheme}: std {W.std():.4f}, want {want:.4f}" + (
            ": the variance used as the std (a missing square root)?" if abs(W.std() / want**2 - 1) < 0.01 else
            ": the square root taken twice?" if abs(W.std() / np.sqrt(want) - 1) < 0.01 else "")
    W = init_weights(300, 20, "he", np.random.default_rng(0))
    assert W.shape == (300, 20), "the shape is (fan_in, fan_out)"
    assert abs(W.std() / np.sqrt(2 / 300) - 1) < 0.05, "fan_in is the number of INPUTS of the layer (300)"

# %% id="q5_init_weights_test" kind="tests" points=2
assert init_weights(500, 500, "xavier", np.random.default_rng(0)).shape == (500, 500)
assert abs(init_weights(500, 500, "he", np.random.default_rng(0)).std() - np.sqrt(2 / 500)) < 1e-3
### BEGIN HIDDEN TESTS
import cs231n_course.reference.classifiers as _classifiers
from cs231n_utils.testing import reference_disabled

with reference_disabled(_classifiers.init_weights):
    for _fi, _fo in [(784, 100), (3, 50), (1, 1)]:
        _z = np.random.default_rng(_fi).standard_normal((_fi, _fo))
        for _scheme, _std in [("small", 0.01), ("large", 1.0), ("xavier", 1 / np.sqrt(_fi)),
                              ("he", np.sqrt(2 / _fi))]:
            _W = init_weights(_fi, _fo, _scheme, np.random.default_rng(_fi))
            assert _W.shape == (_fi, _fo), (_scheme, _W.shape)
            assert np.allclose(_W, _std * _z, rtol=1e-12, atol=0), _scheme
### END HIDDEN TESTS

# %% [markdown] id="exercise_q6"
# ### Exercise 6 (2 points): activations layer by layer
#
# Write `layer_stats(X, weights, nonlinearity)`: run $h_0 = X$ through the layers
# $h_\ell = f(h_{\ell - 1} W_\ell)$ (no biases, as in the lecture's experiment) and return the list of
# hidden activations $h_1, \ldots, h_L$ and an array with the standard deviation of each (over all its
# entries). `nonlinearity` is an elementwise function such as `np.tanh`.

# %% id="q6_layer_stats" kind="answer"
def layer_stats(X, weights, nonlinearity):
    """X: (N, D) inputs; weights: list of L arrays (D_{l-1}, D_l); nonlinearity: elementwise function.

    Returns hs, the list of the L hidden activations h_1..h_L (N, D_l), and stds (L,), the standard
    deviation of each h_l over all its entries.
    """
    hs, stds = [], None
    ### BEGIN SOLUTION
    h = X  # h_0
    for W in weights:
        h = nonlinearity(h @ W)
        hs.append(h)
    stds = np.array([h.std() for h in hs])
    ### END SOLUTION
    return hs, stds


# %% id="check_q6"
rng = np.random.default_rng(8)
X = rng.normal(size=(6, 4))
weights = [rng.normal(size=(4, 5)), rng.normal(size=(5, 3))]
h1 = np.tanh(X @ weights[0])
h2 = np.tanh(h1 @ weights[1])
hs, stds = layer_stats(X, weights, np.tanh)
print("shapes", [h.shape for h in hs], "(want [(6, 5), (6, 3)]); stds", stds)
assert len(hs) == 2 and hs[0].shape == (6, 5) and hs[1].shape == (6, 3), "one activation per layer, not X"
assert np.allclose(hs[0], h1) and np.allclose(hs[1], h2), "each layer takes the previous layer's output"
assert np.allclose(stds, [h1.std(), h2.std()]), "std of the activations (after f), over all entries"

# %% id="q6_layer_stats_test" kind="tests" points=2
_rng = np.random.default_rng(15)
_X = _rng.normal(size=(5, 3))
_Ws = [_rng.normal(size=(3, 4))]
_h = np.tanh(_X @ _Ws[0])
_hs, _stds = layer_stats(_X, _Ws, np.tanh)
assert len(_hs) == 1 and np.allclose(_hs[0], _h) and np.allclose(_stds, [_h.std()])
### BEGIN HIDDEN TESTS
_relu = lambda z: np.maximum(0, z)
for _f in (np.tanh, _relu, lambda z: 1 / (1 + np.exp(-z))):
    for _dims in [(7, 5, 4, 3, 2), (1, 6), (4, 4, 4, 4)]:
        _X = _rng.normal(size=(9, _dims[0]))
        _Ws = [_rng.normal(size=(a, b)) for a, b in zip(_dims[:-1], _dims[1:], strict=True)]
        _h, _want = _X, []
        for _W in _Ws:
            _h = _f(_h @ _W)
            _want.append(_h)
        _hs, _stds = layer_stats(_X, _Ws, _f)
        assert len(_hs) == len(_Ws)
        assert all(np.allclose(a, b, rtol=1e-12) for a, b in zip(_hs, _want, strict=True))
        assert np.shape(_stds) == (len(_Ws),) and np.allclose(_stds, [a.std() for a in _want], rtol=1e-12)
# the lecture's facts, with weights made here: small weights collapse, large ones saturate tanh
_X = _rng.normal(size=(200, 100))
_, _s = layer_stats(_X.copy(), [0.01 * _rng.normal(size=(100, 100)) for _ in range(10)], np.tanh)
assert _s[-1] < 1e-4 and np.all(np.diff(_s) < 0)
_hs, _ = layer_stats(_X, [_rng.normal(size=(100, 100)) for _ in range(10)], np.tanh)
assert np.mean(np.abs(_hs[-1])) > 0.9
### END HIDDEN TESTS

# %% [markdown] id="init_experiment"
# ### The experiment
#
# The lecture's network: 10 layers of 500 units, inputs $\mathcal{N}(0, 1)$, with your initialization and
# your `layer_stats`. The mean and standard deviation of every layer are printed, then drawn: one line per
# initialization (log scale), and the per-layer histograms of the lecture.

# %% id="fig_init_experiment"
X = np.random.default_rng(9).normal(size=(500, 500))
relu = lambda z: np.maximum(0, z)
setups = [("small", np.tanh, "tanh"), ("large", np.tanh, "tanh"), ("xavier", np.tanh, "tanh"),
          ("xavier", relu, "ReLU"), ("he", relu, "ReLU")]
results = {}
for scheme, f, fname in setups:
    rng = np.random.default_rng(10)
    weights = [init_weights(500, 500, scheme, rng) for _ in range(10)]
    hs, stds = layer_stats(X, weights, f)
    results[f"{scheme} init, {fname}"] = (hs, stds)
    print(f"{scheme + ' init, ' + fname:18s} mean", np.array([h.mean() for h in hs]).round(3))
    print(f"{'':18s} std ", stds.round(3) if stds.min() > 1e-3 else stds)

fig, ax = plt.subplots(figsize=(7, 3.8))
for name, (_, stds) in results.items():
    ax.semilogy(range(1, 11), stds, "o-", label=name)
ax.set(xlabel="layer", ylabel="std of the activations", title="10 layers of 500 units, inputs N(0, 1)",
       xticks=range(1, 11))
ax.legend(fontsize=8, loc="lower left")
plt.show()

# %% id="fig_small_init_tanh"
hs, _ = results["small init, tanh"]
plot_activation_histograms(hs[::2] + [hs[-1]], titles=[f"layer {k}" for k in (1, 3, 5, 7, 9, 10)])

# %% [markdown] id="small_and_large_weights"
# **Small weights** (above): the activations shrink by a factor of about 5 per layer and are all 0 by
# layer 10. The backward pass multiplies by the same small weights, so the gradients of the first layers
# vanish too. **Large weights** (below): every tanh is saturated at $\pm 1$, and its local gradients
# are 0.

# %% id="fig_large_init_tanh"
hs, _ = results["large init, tanh"]
plot_activation_histograms(hs[::2] + [hs[-1]], titles=[f"layer {k}" for k in (1, 3, 5, 7, 9, 10)])

# %% [markdown] id="xavier_and_he"
# **Xavier with tanh** (below): a healthy spread in every layer. With ReLU, Xavier is not enough (the
# red line above): the ReLU zeroes half of its inputs, so the variance halves at every layer and the
# activations shrink again. **He with ReLU** (the last histograms): the factor 2 makes up for it, and the
# spread stays about the same to layer 10.

# %% id="fig_xavier_init_tanh"
hs, _ = results["xavier init, tanh"]
plot_activation_histograms(hs[::2] + [hs[-1]], titles=[f"layer {k}" for k in (1, 3, 5, 7, 9, 10)])

# %% id="fig_he_init_relu"
hs, _ = results["he init, ReLU"]
plot_activation_histograms(hs[::2] + [hs[-1]], titles=[f"layer {k}" for k in (1, 3, 5, 7, 9, 10)])

# %% id="check_init_experiment"
# The lecture's facts, asserted on the experiment above (measured values in brackets).
std_of = {name: stds for name, (hs, stds) in results.items()}
h10_large = results["large init, tanh"][0][-1]
print(f"small init, tanh: std at layer 10 = {std_of['small init, tanh'][-1]:.1e}")
print(f"large init, tanh: mean |h| at layer 10 = {np.abs(h10_large).mean():.3f}, "
      f"saturated (|h| > 0.99): {np.mean(np.abs(h10_large) > 0.99):.0%}")
print("xavier init, tanh: std from", std_of["xavier init, tanh"].round(2)[[0, -1]], "at layers 1 and 10")
print("xavier init, ReLU: std from", std_of["xavier init, ReLU"].round(3)[[0, -1]], "at layers 1 and 10")
print("he init, ReLU: std between", std_of["he init, ReLU"].min().round(2), "and",
      std_of["he init, ReLU"].max().round(2), "in all 10 layers")
assert std_of["small init, tanh"][-1] < 1e-5, "small weights: the activations collapse to 0"
assert np.abs(h10_large).mean() > 0.9, "large weights: tanh saturates"
assert np.all((0.15 < std_of["xavier init, tanh"]) & (std_of["xavier init, tanh"] < 0.7)), "Xavier-tanh band"
assert std_of["xavier init, ReLU"][-1] < 0.1, "Xavier with ReLU: the variance halves every layer"
assert np.all((0.6 < std_of["he init, ReLU"]) & (std_of["he init, ReLU"] < 1.5)), "He-ReLU band"


# %% [markdown] id="batch_normalization"
# ## 4. Batch normalization
#
# Good initialization keeps activations well scaled at the start; **batch normalization (배치 정규화)**
# keeps them so throughout training, by making it part of the network. For a mini-batch
# $x$ of shape $(N, D)$, every feature (column) is normalized with the batch statistics, then scaled and
# shifted by learned parameters $\gamma, \beta$ (shape $(D,)$):
#
# $$\mu = \frac{1}{N}\sum_i x_i, \qquad \sigma^2 = \frac{1}{N}\sum_i (x_i - \mu)^2, \qquad
# \hat x_i = \frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad y_i = \gamma \hat x_i + \beta .$$
#
# (With $\gamma = \sqrt{\sigma^2 + \epsilon}$ and $\beta = \mu$ the network could even undo it.) It goes
# after the affine layer and before the nonlinearity. At **test time** a prediction must not depend on the
# other examples of the batch, so the layer uses a **running average (이동 평균)** of the training
# statistics instead, updated at every training step:
#
# $$\mu_\text{run} \leftarrow m\, \mu_\text{run} + (1 - m)\,\mu, \qquad
# \sigma^2_\text{run} \leftarrow m\, \sigma^2_\text{run} + (1 - m)\,\sigma^2, \qquad m = 0.9$$
#
# (`running_mean` and `running_var` in `bn_param`, with `momentum` $= m$).
#
# ### Exercise 7 (3 points): batch normalization forward
#
# Complete both modes. In train mode use the **biased** variance (divide by $N$) both for normalizing and for
# the running average; keep in the cache what your backward passes (Exercises 8 and 9) will need. In test
# mode use only the running averages. The code after your regions stores the running averages back into
# `bn_param`.

# %% id="q7_batchnorm_forward" kind="answer"
def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalization. x: (N, D);  gamma, beta: (D,)
    bn_param: dict with mode ('train' or 'test'), and optionally eps (default 1e-5), momentum
      (default 0.9), running_mean and running_var ((D,), zeros and ones when missing).
    Returns out (N, D) and cache (None in test mode); updates the running averages in train mode.
    """
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D))
    running_var = bn_param.get("running_var", np.ones(D))
    out, cache = None, None
    if mode == "train":
        ### BEGIN SOLUTION
        mu = x.mean(axis=0)
        x_mu = x - mu
        var = np.mean(x_mu**2, axis=0)  # biased: 1/N
        x_hat = x_mu / np.sqrt(var + eps)
        out = gamma * x_hat + beta
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
        cache = (x_hat, x_mu, var, eps, gamma)
        ### END SOLUTION
    elif mode == "test":
        ### BEGIN SOLUTION
        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
        ### END SOLUTION
    else:
        raise ValueError(f'Invalid batchnorm mode "{mode}"')
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


# %% id="check_q7"
rng = np.random.default_rng(11)
x = rng.normal(5, 3, size=(200, 3))
bn_param = {"mode": "train"}
out, _ = batchnorm_forward(x, np.ones(3), np.zeros(3), bn_param)
print("train mode, gamma = 1, beta = 0: means", out.mean(axis=0), " stds", out.std(axis=0))
# Threshold: means within 1e-10 of 0, stds within 1e-4 of 1 (eps = 1e-5 makes them slightly < 1)
assert np.allclose(out.mean(axis=0), 0, atol=1e-10), (
    "the features (columns) do not have mean 0: statistics over the wrong axis (each feature is normalized "
    "over the batch, axis 0)?")
assert np.allclose(out.std(axis=0), 1, atol=1e-4), (
    "the features do not have std 1: divided by the variance instead of its square root, or eps misplaced?")
out, _ = batchnorm_forward(x, np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.0, 1.0]), {"mode": "train"})
print("gamma = [1, 2, 3], beta = [-1, 0, 1]: means", out.mean(axis=0), " stds", out.std(axis=0))
assert np.allclose(out.mean(axis=0), [-1, 0, 1]) and np.allclose(out.std(axis=0), [1, 2, 3], atol=1e-4), (
    "gamma and beta swapped, or applied before the normalization?")
assert not np.allclose(bn_param["running_mean"], 0.9 * x.mean(axis=0)), (
    "momentum swapped: the running mean keeps 0.9 of its old value and takes 0.1 of the new batch's")
assert np.allclose(bn_param["running_mean"], 0.1 * x.mean(axis=0)), (
    "after one batch from zeros the running mean should be a tenth of the batch mean: not updated?")
# The running averages converge to the statistics of the data: after 100 batches, 0.9^100 = 3e-5 is left
bn_param = {"mode": "train"}
for _ in range(100):
    batchnorm_forward(rng.normal(5, 3, size=(50, 3)), np.ones(3), np.zeros(3), bn_param)
print("running mean", bn_param["running_mean"], "(want about 5)")
print("running var ", bn_param["running_var"], "(want about 9)")
assert np.allclose(bn_param["running_mean"], 5, atol=0.5), "the running mean does not track the batch means"
assert np.allclose(bn_param["running_var"], 9, atol=1.5), (
    "the running variance does not track the batch variances: the std stored instead of the variance?")
bn_param["mode"] = "test"
out, _ = batchnorm_forward(rng.normal(5, 3, size=(1000, 3)), np.ones(3), np.zeros(3), bn_param)
print("test mode on new data: means", out.mean(axis=0), " stds", out.std(axis=0), "(about 0 and 1)")
assert np.allclose(out.mean(axis=0), 0, atol=0.2) and np.allclose(out.std(axis=0), 1, atol=0.2), (
    "test mode must normalize with the running averages (batch statistics used, or the running std vs var?)")

# %% id="q7_batchnorm_forward_test" kind="tests" points=3
from cs231n_utils.testing import in_place  # the running averages are the learner's to update

_x = np.array([[1.0, 2.0], [3.0, 6.0]])
_p = in_place({"mode": "train"})
_out, _ = batchnorm_forward(_x, np.ones(2), np.zeros(2), _p)
assert np.allclose(_out, [[-1, -1], [1, 1]], atol=1e-4)
assert np.allclose(_p["running_mean"], [0.2, 0.4]) and np.allclose(_p["running_var"], [1.0, 1.3])
### BEGIN HIDDEN TESTS
import cs231n_course.reference.layers as _layers
from cs231n_utils.testing import reference_disabled

_rng = np.random.default_rng(16)
with reference_disabled(_layers.batchnorm_forward):
    for _N, _D, _eps, _m in [(2, 3, 1e-5, 0.9), (7, 4, 0.1, 0.5), (30, 1, 1e-3, 0.99)]:
        _x = _rng.normal(2, 3, size=(_N, _D))
        _g, _b = _rng.normal(size=_D), _rng.normal(size=_D)
        _rm, _rv = _rng.normal(size=_D), _rng.uniform(0.5, 2, size=_D)
        _p = in_place({"mode": "train", "eps": _eps, "momentum": _m,
                       "running_mean": _rm.copy(), "running_var": _rv.copy()})
        _mu, _var = _x.mean(axis=0), _x.var(axis=0)
        _want = _g * (_x - _mu) / np.sqrt(_var + _eps) + _b
        _out, _ = batchnorm_forward(_x, _g.copy(), _b.copy(), _p)  # _g, _b serve the test mode too
        assert _out.shape == (_N, _D)
        assert np.allclose(_out, _want, rtol=1e-10, atol=1e-12)
        assert np.allclose(_p["running_mean"], _m * _rm + (1 - _m) * _mu, rtol=1e-12)
        assert np.allclose(_p["running_var"], _m * _rv + (1 - _m) * _var, rtol=1e-12)
        # test mode: the running averages only, whatever the batch, and they stay unchanged
        _p["mode"] = "test"
        _rm2, _rv2 = _p["running_mean"].copy(), _p["running_var"].copy()
        _xt = _rng.normal(-1, 2, size=(5, _D))
        _want = _g * (_xt - _rm2) / np.sqrt(_rv2 + _eps) + _b
        _out, _ = batchnorm_forward(_xt, _g.copy(), _b.copy(), _p)
        assert np.allclose(_out, _want, rtol=1e-10)
        assert np.allclose(batchnorm_forward(_xt[:1], _g, _b, _p)[0], _want[:1], rtol=1e-12)
        assert np.array_equal(_p["running_mean"], _rm2) and np.array_equal(_p["running_var"], _rv2)
    # running averages created as zeros and ones when missing
    _x = _rng.normal(size=(6, 2))
    _p = in_place({"mode": "train"})
    batchnorm_forward(_x.copy(), np.ones(2), np.zeros(2), _p)
    assert np.allclose(_p["running_mean"], 0.1 * _x.mean(axis=0))
    assert np.allclose(_p["running_var"], 0.9 + 0.1 * _x.var(axis=0))
### END HIDDEN TESTS

# %% [markdown] id="exercise_q8"
# ### Exercise 8 (3 points): batch normalization backward, on the computational graph
#
# Backpropagate through the forward pass one node at a time, in reverse:
# $\mu \to x_\mu = x - \mu \to \sigma^2 = \operatorname{mean}(x_\mu^2) \to \text{std} = \sqrt{\sigma^2 + \epsilon}
# \to \hat x = x_\mu / \text{std} \to y = \gamma \hat x + \beta$. Two places need care, both **branches**
# whose gradients add up (notebook 02):
#
# * $x_\mu$ reaches $\hat x$ twice: directly, and through $\sigma^2$ and std;
# * $x$ reaches $x_\mu$ twice: directly, and through $\mu$.
#
# And $\gamma, \beta$ are shared by all $N$ examples: what does notebook 02's rule for a value used in
# several places say about their gradients, and what shape must they have?
#
# <details><summary>Hint</summary>Every node is a gate you know: subtract, square, mean, square root, divide,
# multiply and add. A mean over the batch is a sum times 1/N, and backward it hands each of the N rows the
# same share; a value used by all N rows collects the gradients of all of them.</details>

# %% id="q8_batchnorm_backward" kind="answer"
def batchnorm_backward(dout, cache):
    """Backward pass of batchnorm_forward (train mode), node by node.

    dout: (N, D) upstream gradient;  cache: from your batchnorm_forward
    Returns dx (N, D), dgamma (D,), dbeta (D,).
    """
    dx, dgamma, dbeta = None, None, None
    ### BEGIN SOLUTION
    x_hat, x_mu, var, eps, gamma = cache
    N = dout.shape[0]
    std = np.sqrt(var + eps)
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    dx_mu = dx_hat / std  # the direct path x_mu -> x_hat
    dstd = -np.sum(dx_hat * x_mu, axis=0) / std**2
    dvar = dstd / (2 * std)
    dx_mu += 2 * x_mu * dvar / N  # the path x_mu -> var -> std -> x_hat
    dmu = -dx_mu.sum(axis=0)
    dx = dx_mu + dmu / N  # directly, and through mu
    ### END SOLUTION
    return dx, dgamma, dbeta


# %% id="check_q8"
# Numerical gradient check on small data (CS231n's x = 5 randn + 12).
rng = np.random.default_rng(12)
N, D = 4, 5
x = 5 * rng.normal(size=(N, D)) + 12
gamma, beta, dout = rng.normal(size=D), rng.normal(size=D), rng.normal(size=(N, D))
fx = lambda v: batchnorm_forward(v, gamma, beta, {"mode": "train"})[0]
fg = lambda v: batchnorm_forward(x, v, beta, {"mode": "train"})[0]
fb = lambda v: batchnorm_forward(x, gamma, v, {"mode": "train"})[0]
dx_num = eval_numerical_gradient_array(fx, x.copy(), dout)
dgamma_num = eval_numerical_gradient_array(fg, gamma.copy(), dout)
dbeta_num = eval_numerical_gradient_array(fb, beta.copy(), dout)
_, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
dx, dgamma, dbeta = batchnorm_backward(dout, cache)
# Thresholds: dx < 1e-6 (measured about 1e-8: dx sums to zero over the batch, so some entries are
# small and carry the rounding error), dgamma and dbeta < 1e-8 (measured about 1e-11).
failed = [r for r in (check_gradient(dx, dx_num, threshold=1e-6, name="dx"),
                      check_gradient(dgamma, dgamma_num, threshold=1e-8, name="dgamma"),
                      check_gradient(dbeta, dbeta_num, threshold=1e-8, name="dbeta")) if not r.passed]
assert not failed, "; ".join(f"{r.name}: {r.diagnosis}" for r in failed) + (
    " (a missing branch at x_mu or at x, or a sum over the wrong axis?)")

# %% id="q8_batchnorm_backward_test" kind="tests" points=3
_rng = np.random.default_rng(17)
_x = 5 * _rng.normal(size=(4, 3)) + 12
_g, _b, _d = _rng.normal(size=3), _rng.normal(size=3), _rng.normal(size=(4, 3))
_, _c = batchnorm_forward(_x, _g, _b, {"mode": "train"})
_dx, _dg, _db = batchnorm_backward(_d, _c)
assert _dx.shape == (4, 3) and _dg.shape == (3,) and _db.shape == (3,)
_tol = {"rtol": 1e-7, "atol": 1e-10}  # the values below are given to 9 digits
assert np.allclose(_db, [4.12168801, -3.18509459, -3.88241747], **_tol)
assert np.allclose(_dg, [0.103360665, 3.10003487, -3.38533316], **_tol)
assert np.allclose(_dx[0], [0.171633605, -0.0931664477, 0.250951221], **_tol)
assert np.allclose(_dx.sum(axis=0), 0, atol=1e-10)
### BEGIN HIDDEN TESTS
import cs231n_course.reference.layers as _layers
from cs231n_utils.testing import reference_disabled


def _bn(x, g, b, eps):
    return g * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + b


_cases = []
# thresholds on dx from the measured errors (2e-9, 7e-7, 6e-9, 2e-8) with a margin: with N = 2 the
# normalized output hardly depends on x, so dx is small and rounding weighs more.
for _N, _D, _eps, _scale, _tol in [(4, 5, 1e-5, 5.0, 1e-7), (2, 3, 1e-5, 1.0, 1e-5),
                                   (8, 2, 0.5, 1.0, 1e-7), (5, 4, 1e-3, 0.2, 1e-6)]:
    _x = _scale * _rng.normal(size=(_N, _D)) + 3
    _g, _b, _d = _rng.normal(size=_D), _rng.normal(size=_D), _rng.normal(size=(_N, _D))
    _num = (eval_numerical_gradient_array(lambda v: _bn(v, _g, _b, _eps), _x.copy(), _d),
            eval_numerical_gradient_array(lambda v: _bn(_x, v, _b, _eps), _g.copy(), _d),
            eval_numerical_gradient_array(lambda v: _bn(_x, _g, v, _eps), _b.copy(), _d))
    _cases.append((_x, _g, _b, _d, _eps, _tol, _num))
with reference_disabled(_layers.batchnorm_backward, _layers.batchnorm_backward_alt):
    for _x, _g, _b, _d, _eps, _tol, (_ndx, _ndg, _ndb) in _cases:
        _, _c = batchnorm_forward(_x, _g, _b, {"mode": "train", "eps": _eps})
        _dx, _dg, _db = batchnorm_backward(_d, _c)
        assert _dx.shape == _x.shape and _dg.shape == _g.shape and _db.shape == _b.shape
        assert rel_error(_dx, _ndx) < _tol and rel_error(_dg, _ndg) < 1e-8 and rel_error(_db, _ndb) < 1e-8
### END HIDDEN TESTS

# %% [markdown] id="exercise_q9"
# ### Exercise 9 (2 points): batch normalization backward, simplified
#
# Worked out on paper, the graph of Exercise 8 collapses into one line for $\partial L/\partial x_i$. Derive
# it (one feature at a time; write $dy_i$ for $\partial L/\partial y_i$, $s = \sqrt{\sigma^2 + \epsilon}$):
#
# 1. $\partial L/\partial \hat x_i = \gamma\, dy_i$.
# 2. $x_i$ reaches the loss along three paths: directly through $\hat x_i$, through $\mu$, and through
#    $\sigma^2$. Find $\partial \mu / \partial x_i$ and $\partial \sigma^2 / \partial x_i$ (use that
#    $\sum_j (x_j - \mu) = 0$).
# 3. Find $\partial L/\partial \mu$ and $\partial L/\partial \sigma^2$ by summing over every $\hat x_j$
#    they feed; express $x_j - \mu$ as $s\,\hat x_j$.
# 4. Add the three paths and take out the common factor $\gamma / (N s)$. Two sums over the batch remain;
#    compare them with what your `dgamma` and `dbeta` already hold.
#
# <details><summary>Check your result</summary>The bracket that remains after the common factor
# $\gamma/(Ns)$ has three terms, one per path; summed over $i$ it is 0 (so is $\sum_i \partial L/\partial x_i$:
# shifting every $x_i$ by the same amount changes nothing after normalization).</details>
#
# Write your result without calling your `batchnorm_backward` (the tests check that).

# %% id="q9_batchnorm_backward_alt" kind="answer"
def batchnorm_backward_alt(dout, cache):
    """Backward pass of batchnorm_forward (train mode) in closed form. Same API as batchnorm_backward."""
    dx, dgamma, dbeta = None, None, None
    ### BEGIN SOLUTION
    x_hat, x_mu, var, eps, gamma = cache
    N = dout.shape[0]
    std = np.sqrt(var + eps)
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx = gamma / (N * std) * (N * dout - dbeta - x_hat * dgamma)
    ### END SOLUTION
    return dx, dgamma, dbeta


# %% id="check_q9"
rng = np.random.default_rng(12)
N, D = 4, 5
x = 5 * rng.normal(size=(N, D)) + 12
gamma, beta, dout = rng.normal(size=D), rng.normal(size=D), rng.normal(size=(N, D))
dx_num = eval_numerical_gradient_array(lambda v: batchnorm_forward(v, gamma, beta, {"mode": "train"})[0],
                                       x.copy(), dout)
_, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
dx, dgamma, dbeta = batchnorm_backward_alt(dout, cache)
# Threshold: dx < 1e-6, as for the graph version (measured about 1e-8).
result = check_gradient(dx, dx_num, threshold=1e-6, name="dx")
assert result.passed, f"{result.diagnosis} Check the three paths of your derivation one by one."
# The two versions must agree to rounding: threshold 1e-10
dx_graph = batchnorm_backward(dout, cache)[0]
print(f"graph vs simplified: relative error {rel_error(dx, dx_graph):.1e}")
assert rel_error(dx, dx_graph) < 1e-10, "your two backward passes disagree beyond rounding"

# %% id="q9_batchnorm_backward_alt_test" kind="tests" points=2
_rng = np.random.default_rng(18)
_x = 5 * _rng.normal(size=(4, 3)) + 12
_g, _b, _d = _rng.normal(size=3), _rng.normal(size=3), _rng.normal(size=(4, 3))
_, _c = batchnorm_forward(_x, _g, _b, {"mode": "train"})
_dx, _dg, _db = batchnorm_backward_alt(_d, _c)
assert _dx.shape == (4, 3) and _dg.shape == (3,) and _db.shape == (3,)
_tol = {"rtol": 1e-7, "atol": 1e-10}  # the values below are given to 9 digits
assert np.allclose(_db, [0.898187865, -1.09336842, 0.827756596], **_tol)
assert np.allclose(_dg, [1.09794605, -1.00530015, -0.106327747], **_tol)
assert np.allclose(_dx[0], [-0.00727918624, -0.0184255796, -0.138629389], **_tol)
assert np.allclose(_dx.sum(axis=0), 0, atol=1e-10)
### BEGIN HIDDEN TESTS
import cs231n_course.reference.layers as _layers
from cs231n_utils.testing import notebook_names_replaced, reference_disabled


def _bn(x, g, b, eps):
    return g * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + b


def _no_graph(*args, **kwargs):
    raise AssertionError("batchnorm_backward_alt must not call batchnorm_backward")


_cases = []
# thresholds on dx from the measured errors with a margin (see Exercise 8's tests)
for _N, _D, _eps, _scale, _tol in [(4, 5, 1e-5, 5.0, 1e-7), (2, 3, 1e-5, 1.0, 1e-5),
                                   (8, 2, 0.5, 1.0, 1e-7), (5, 4, 1e-3, 0.2, 1e-6)]:
    _x = _scale * _rng.normal(size=(_N, _D)) - 2
    _g, _b, _d = _rng.normal(size=_D), _rng.normal(size=_D), _rng.normal(size=(_N, _D))
    _num = (eval_numerical_gradient_array(lambda v: _bn(v, _g, _b, _eps), _x.copy(), _d),
            eval_numerical_gradient_array(lambda v: _bn(_x, v, _b, _eps), _g.copy(), _d),
            eval_numerical_gradient_array(lambda v: _bn(_x, _g, v, _eps), _b.copy(), _d))
    _cases.append((_x, _g, _b, _d, _eps, _tol, _num))
with notebook_names_replaced(batchnorm_backward=_no_graph):  # the notebook's own, while this runs
    with reference_disabled(_layers.batchnorm_backward, _layers.batchnorm_backward_alt):
        for _x, _g, _b, _d, _eps, _tol, (_ndx, _ndg, _ndb) in _cases:
            _, _c = batchnorm_forward(_x, _g, _b, {"mode": "train", "eps": _eps})
            _dx, _dg, _db = batchnorm_backward_alt(_d, _c)
            assert _dx.shape == _x.shape and _dg.shape == _g.shape and _db.shape == _b.shape
            assert rel_error(_dx, _ndx) < _tol and rel_error(_dg, _ndg) < 1e-8 and rel_error(_db, _ndb) < 1e-8
### END HIDDEN TESTS

# %% id="demo_batchnorm_backward_speed"
# For information (not checked): the closed form saves the intermediate arrays of the graph version.
rng = np.random.default_rng(13)
x, dout = rng.normal(size=(500, 500)), rng.normal(size=(500, 500))
_, cache = batchnorm_forward(x, np.ones(500), np.zeros(500), {"mode": "train"})
times = {}
for name, backward in [("graph", batchnorm_backward), ("simplified", batchnorm_backward_alt)]:
    start = time.perf_counter()
    for _ in range(10):
        backward(dout, cache)
    times[name] = (time.perf_counter() - start) / 10
print(f"graph {1e3 * times['graph']:.2f} ms, simplified {1e3 * times['simplified']:.2f} ms "
      f"(speedup {times['graph'] / times['simplified']:.1f}x)")

# %% [markdown] id="batchnorm_in_practice"
# ### Batch normalization in practice
#
# * **Where it goes.** After a fully connected layer *or a convolutional layer*, before the nonlinearity.
#   After a conv layer the statistics are taken per channel, over the batch *and* all positions: a feature
#   map of shape $(N, C, H, W)$ has $C$ means and variances (and $C$ values of $\gamma$, $\beta$), each over
#   $N \cdot H \cdot W$ numbers, so that the layer treats every position alike, as the convolution does
#   (CS231n calls this *spatial* batch normalization; notebook 07 uses it in a ConvNet).
# * **It regularizes a little.** In training, an example's output depends on the other examples that
#   happen to share its mini-batch (through $\mu$ and $\sigma^2$), so the network sees each example with a
#   little random noise, as with dropout (notebook 06). With a batch of 100 the batch mean of a feature
#   of std 1 jitters by about $1/\sqrt{100} = 0.1$.
# * **Dropout and batch norm overlap.** Both add training-time noise that is averaged out at test time,
#   so networks with batch norm often need less dropout or none: Ioffe and Szegedy (2015) removed dropout
#   from their batch-normalized Inception network without losing accuracy. Used together, dropout's noise
#   also shifts the variance that batch norm's running averages see, so where both are used dropout usually
#   comes after the last batch-norm layer.

# %% [markdown] id="layer_normalization"
# ## 5. Layer normalization, and a deep network with either
#
# Batch normalization has two costs. An example's output depends on the other examples of its
# mini-batch, so training and test time compute different functions (the batch statistics, then the
# running averages); and with small batches the batch statistics are noisy. **Layer normalization
# (층 정규화)** (Ba, Kiros and Hinton, 2016) normalizes each example on its own, over its $D$ features,
# instead of each feature over the batch. For the example in row $i$ of $x$ (shape $(N, D)$):
#
# $$\mu_i = \frac{1}{D}\sum_j x_{ij}, \qquad \sigma_i^2 = \frac{1}{D}\sum_j (x_{ij} - \mu_i)^2, \qquad
# \hat x_{ij} = \frac{x_{ij} - \mu_i}{\sqrt{\sigma_i^2 + \epsilon}}, \qquad y_{ij} = \gamma_j \hat x_{ij} + \beta_j .$$
#
# The statistics run along the other axis: $N$ means and variances, one per example. The learned scale and
# shift still have one entry per feature, $\gamma, \beta$ of shape $(D,)$, shared by all examples. Nothing
# depends on the batch, so there is nothing to average for test time: the layer computes the same function
# in training and at test time, for a batch of one as for a batch of 1,000. That is why recurrent networks
# and Transformers use it, where batch statistics are awkward.
#
# ### Exercise 10 (2 points): layer normalization forward
#
# `layernorm_forward(x, gamma, beta, ln_param)`: `x` (N, D); `gamma`, `beta` (D,); `ln_param` a dict with an
# optional `eps` (default 1e-5; other keys, such as a `mode`, are ignored). Use the biased variance
# ($1/D$). Returns `out` (N, D) and a `cache` holding what your backward pass (Exercise 11) will need.

# %% id="q10_layernorm_forward" kind="answer"
def layernorm_forward(x, gamma, beta, ln_param):
    """Layer normalization: each example normalized over its features, then scaled and shifted.
    x: (N, D);  gamma, beta: (D,);  ln_param: dict with optional eps (default 1e-5)
    Returns out (N, D) and cache; the same computation in training and at test time.
    """
    eps = ln_param.get("eps", 1e-5)
    out, cache = None, None
    ### BEGIN SOLUTION
    mu = x.mean(axis=1, keepdims=True)  # (N, 1): one mean per example
    x_mu = x - mu
    var = np.mean(x_mu**2, axis=1, keepdims=True)  # biased: 1/D
    x_hat = x_mu / np.sqrt(var + eps)
    out = gamma * x_hat + beta
    cache = (x_hat, var, eps, gamma)
    ### END SOLUTION
    return out, cache


# %% id="check_layernorm_forward"
rng = np.random.default_rng(20)
x = rng.normal(5, 3, size=(4, 200))  # 4 examples of 200 features
out, _ = layernorm_forward(x, np.ones(200), np.zeros(200), {})
print("gamma = 1, beta = 0: mean of each example", out.mean(axis=1), " std", out.std(axis=1))
assert out.shape == x.shape, f"out must be shaped like x (4, 200), got {np.shape(out)}"
# Threshold: every example's mean within 1e-10 of 0, its std within 1e-4 of 1 (eps makes it slightly < 1)
assert np.allclose(out.mean(axis=1), 0, atol=1e-10), (
    "each example (row) must have mean 0 over its features: the statistics run along axis 1, not 0")
assert np.allclose(out.std(axis=1), 1, atol=1e-4), (
    "each example must have std 1 over its features: divide by the root of its variance (1/D) plus eps")
gamma, beta = rng.normal(size=200), rng.normal(size=200)
out, _ = layernorm_forward(x, gamma, beta, {})
unscaled = (out - beta) / gamma
assert np.allclose(unscaled.mean(axis=1), 0, atol=1e-8) and np.allclose(unscaled.std(axis=1), 1, atol=1e-4), (
    "gamma and beta (D,) scale and shift every FEATURE, after the normalization")
alone = np.vstack([layernorm_forward(row[None], gamma, beta, {"mode": "test"})[0] for row in x])
print("largest change when every example is normalized alone, in test mode:", np.abs(alone - out).max())
assert np.allclose(alone, out, rtol=1e-12, atol=1e-12), (
    "an example's output must not depend on the batch or the mode")

# %% id="q10_layernorm_forward_test" kind="tests" points=2
_x = np.array([[1.0, 2.0, 3.0, 6.0], [0.0, 0.0, 4.0, 4.0]])
_out, _ = layernorm_forward(_x.copy(), np.ones(4), np.zeros(4), {})
assert np.allclose(_out, [[-1.0690, -0.5345, 0.0, 1.6036], [-1.0, -1.0, 1.0, 1.0]], atol=1e-4)
_out, _ = layernorm_forward(_x, np.array([1.0, 2.0, 1.0, 1.0]), np.array([0.0, 0.0, 5.0, 0.0]), {})
assert np.allclose(_out[1], [-1.0, -2.0, 6.0, 1.0], atol=1e-4)
### BEGIN HIDDEN TESTS
import cs231n_course.reference.layers as _layers
from cs231n_utils.testing import reference_disabled

_rng = np.random.default_rng(21)
with reference_disabled(_layers.layernorm_forward, _layers.batchnorm_forward):
    for _N, _D, _eps in [(3, 5, 1e-5), (1, 7, 1e-5), (6, 2, 0.5), (2, 30, 1e-3)]:
        _x = _rng.normal(2, 3, size=(_N, _D))
        _g, _b = _rng.normal(size=_D), _rng.normal(size=_D)
        _mu, _var = _x.mean(axis=1, keepdims=True), _x.var(axis=1, keepdims=True)
        _want = _g * (_x - _mu) / np.sqrt(_var + _eps) + _b
        _out, _ = layernorm_forward(_x.copy(), _g.copy(), _b.copy(), {"eps": _eps})  # the originals stay ours
        assert _out.shape == (_N, _D) and np.allclose(_out, _want, rtol=1e-10, atol=1e-12)
        # the default eps, and no batch or mode dependence
        _out, _ = layernorm_forward(_x.copy(), _g.copy(), _b.copy(), {"mode": "test"})
        _want = _g * (_x - _mu) / np.sqrt(_var + 1e-5) + _b
        assert np.allclose(_out, _want, rtol=1e-10, atol=1e-12)
        assert np.allclose(layernorm_forward(_x[-1:], _g, _b, {})[0], _want[-1:], rtol=1e-10, atol=1e-12)
### END HIDDEN TESTS

# %% [markdown] id="batch_of_two"
# ### A batch of two
#
# "With small batches the batch statistics are noisy" understates it. Run batch normalization on a batch
# of **two** examples and look at what is left of them; then the same two examples through your layer
# normalization.

# %% id="demo_batch_of_two"
rng = np.random.default_rng(25)
x = rng.normal(3, 2, size=(2, 6))  # 2 examples, 6 features
print("the batch:\n", x)
print("batch norm, train mode:\n", batchnorm_forward(x, np.ones(6), np.zeros(6), {"mode": "train"})[0])
print("layer norm:\n", layernorm_forward(x, np.ones(6), np.zeros(6), {})[0])

# %% [markdown] id="batch_of_two_result"
# Every batch-normalized value is $\pm 1$ (up to $\epsilon$): two numbers minus their mean are $\pm d$, and
# their standard deviation is $d$. All the layer passes on is which of the two examples is larger in each
# feature; how much larger is gone, and the running averages that test time relies on are estimated from
# such batches. Layer normalization keeps each example's pattern over its features. So when batches are
# tiny (large models or images on one GPU, a recurrent net run one sequence at a time) layer normalization
# (or notebook 07's group normalization) is the better choice; with large batches of independent examples
# batch norm's noise is mild, and its slight regularization a bonus.

# %% [markdown] id="exercise_layernorm_backward"
# ### Exercise 11 (3 points): layer normalization backward
#
# `layernorm_backward(dout, cache)`: `dout` (N, D), the cache of your `layernorm_forward`. Returns `dx` (N, D),
# `dgamma` (D,) and `dbeta` (D,). Derive it: you have met this graph before, with the axes the other way
# round. Ask for each sum of your derivation whether it runs over the features of one example or over
# the batch.
#
# <details><summary>Hint</summary>Transpose the problem: layer normalization of $x$ is batch normalization of
# $x^\top$ (without $\gamma$, $\beta$). Within one example the $D$ features play the part the $N$ examples
# played in Exercise 9: the same three paths reach the loss (directly, through the mean, through the
# variance), so your derivation of Exercise 9 holds for every row, with $N$ replaced by $D$. $\gamma$ and
# $\beta$ are not transposed: each is still used by all $N$ examples, and notebook 02's rule for a value used
# in several places decides their gradients.</details>

# %% id="q11_layernorm_backward" kind="answer"
def layernorm_backward(dout, cache):
    """Backward pass of layernorm_forward.
    dout: (N, D) upstream gradient;  cache: from your layernorm_forward
    Returns dx (N, D), dgamma (D,), dbeta (D,).
    """
    dx, dgamma, dbeta = None, None, None
    ### BEGIN SOLUTION
    x_hat, var, eps, gamma = cache
    D = dout.shape[1]
    dbeta = dout.sum(axis=0)  # gamma and beta are shared by the N examples
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    # batch norm's closed form, with the sums over the D features of each example
    row_sum = dx_hat.sum(axis=1, keepdims=True)
    row_dot = np.sum(dx_hat * x_hat, axis=1, keepdims=True)
    dx = (D * dx_hat - row_sum - x_hat * row_dot) / (D * np.sqrt(var + eps))
    ### END SOLUTION
    return dx, dgamma, dbeta


# %% id="check_layernorm_backward"
# Numerical gradient check on small data, as for batch normalization (x = 5 randn + 12).
rng = np.random.default_rng(22)
N, D = 4, 5
x = 5 * rng.normal(size=(N, D)) + 12
gamma, beta, dout = rng.normal(size=D), rng.normal(size=D), rng.normal(size=(N, D))
dx_num = eval_numerical_gradient_array(lambda v: layernorm_forward(v, gamma, beta, {})[0], x.copy(), dout)
dgamma_num = eval_numerical_gradient_array(lambda v: layernorm_forward(x, v, beta, {})[0], gamma.copy(), dout)
dbeta_num = eval_numerical_gradient_array(lambda v: layernorm_forward(x, gamma, v, {})[0], beta.copy(), dout)
_, cache = layernorm_forward(x, gamma, beta, {})
dx, dgamma, dbeta = layernorm_backward(dout, cache)
# Thresholds as for batch norm: dx < 1e-6 (each row of dx sums to 0, so some entries are small and carry
# the rounding error; measured about 1e-8), dgamma and dbeta < 1e-8 (measured about 1e-11).
failed = [r for r in (check_gradient(dx, dx_num, threshold=1e-6, name="dx"),
                      check_gradient(dgamma, dgamma_num, threshold=1e-8, name="dgamma"),
                      check_gradient(dbeta, dbeta_num, threshold=1e-8, name="dbeta")) if not r.passed]
assert not failed, "; ".join(f"{r.name}: {r.diagnosis}" for r in failed) + (
    " (which sums run over one example's features, which over the batch: a wrong axis?)")

# %% id="q11_layernorm_backward_test" kind="tests" points=3
_rng = np.random.default_rng(23)
_x = 5 * _rng.normal(size=(3, 4)) + 12
_g, _b, _d = _rng.normal(size=4), _rng.normal(size=4), _rng.normal(size=(3, 4))
_, _c = layernorm_forward(_x, _g, _b, {})
_dx, _dg, _db = layernorm_backward(_d, _c)
assert _dx.shape == (3, 4) and _dg.shape == (4,) and _db.shape == (4,)
_tol = {"rtol": 1e-7, "atol": 1e-10}  # the values below are given to 9 digits
assert np.allclose(_db, [-1.68341379, 2.51468545, -0.29946383, -2.29846994], **_tol)
assert np.allclose(_dg, [-0.814681673, 2.10176438, 0.943468462, 2.0243316], **_tol)
assert np.allclose(_dx[0], [0.0234408973, -0.0883685082, 0.0693617119, -0.00443410098], **_tol)
assert np.allclose(_dx.sum(axis=1), 0, atol=1e-10)
### BEGIN HIDDEN TESTS
import cs231n_course.reference.layers as _layers
from cs231n_utils.testing import reference_disabled


def _ln(x, g, b, eps):
    return g * (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + eps) + b


_cases = []
# thresholds on dx from the measured errors with a margin, as for batch norm (Exercise 8's tests)
for _N, _D, _eps, _scale, _tol in [(4, 5, 1e-5, 5.0, 1e-7), (3, 2, 1e-5, 1.0, 1e-5),
                                   (2, 8, 0.5, 1.0, 1e-7), (5, 4, 1e-3, 0.2, 1e-6), (1, 6, 1e-5, 2.0, 1e-6)]:
    _x = _scale * _rng.normal(size=(_N, _D)) - 2
    _g, _b, _d = _rng.normal(size=_D), _rng.normal(size=_D), _rng.normal(size=(_N, _D))
    _num = (eval_numerical_gradient_array(lambda v: _ln(v, _g, _b, _eps), _x.copy(), _d),
            eval_numerical_gradient_array(lambda v: _ln(_x, v, _b, _eps), _g.copy(), _d),
            eval_numerical_gradient_array(lambda v: _ln(_x, _g, v, _eps), _b.copy(), _d))
    _cases.append((_x, _g, _b, _d, _eps, _tol, _num))
with reference_disabled(_layers.layernorm_backward, _layers.batchnorm_backward, _layers.batchnorm_backward_alt):
    for _x, _g, _b, _d, _eps, _tol, (_ndx, _ndg, _ndb) in _cases:
        _, _c = layernorm_forward(_x, _g, _b, {"eps": _eps})
        _dx, _dg, _db = layernorm_backward(_d, _c)
        assert _dx.shape == _x.shape and _dg.shape == _g.shape and _db.shape == _b.shape
        assert rel_error(_dx, _ndx) < _tol and rel_error(_dg, _ndg) < 1e-8 and rel_error(_db, _ndb) < 1e-8
### END HIDDEN TESTS

# %% [markdown] id="exercise_norm_net"
# ### Exercise 12 (4 points): a fully connected network with a normalization option
#
# Notebook 04's fully connected network, grown the way CS231n's `FullyConnectedNet` is, with a
# normalization layer after every hidden affine layer, before the ReLU:
#
# $$\{\text{affine} - [\text{batchnorm or layernorm}] - \text{relu}\} \times (L - 1) - \text{affine} - \text{softmax}$$
#
# `FullyConnectedNormNet(hidden_dims, input_dim, num_classes, normalization=None, reg=0.0, weight_scale=1e-2,
# seed=0)` with `normalization` None, `"batchnorm"` or `"layernorm"`. It runs on your own layers: affine,
# ReLU and softmax loss from notebook 03, batch and layer normalization from this notebook. (It has a name
# of its own because `cs231n_utils.mine` names one exercise per name: `FullyConnectedNet` stays your network
# of notebook 04, which the babysitting section below trains.) The contract:
#
# * `__init__`: the parameters of notebook 04's network (with `dims = [input_dim, *hidden_dims, num_classes]`,
#   `W{i}` of shape `(dims[i-1], dims[i])` and `b{i}` zeros, for $i = 1, \dots, L$), drawn in the order
#   `W1, W2, ...` from `self.rng`
#   (by your `init_weights` when `weight_scale` is the name of a scheme such as `"he"`, else with the std
#   `weight_scale` as in notebook 04), and with a normalization, for every hidden layer $i = 1, \dots, L - 1$,
#   `gamma{i}` (ones) and `beta{i}` (zeros) of shape `(dims[i],)`; the last affine layer has none.
#   `self.norm_params[i - 1]` is the `bn_param` of hidden layer $i$ (its mode and running averages);
#   layer normalization uses it as its `ln_param`.
# * `hidden_forward(x, i)`: hidden layer $i$, affine, the normalization (if any), ReLU. Returns `out` and a
#   `cache`.
# * `hidden_backward(dout, cache, i)`: its backward pass. Returns `dx` and a dict of the gradients of
#   layer $i$'s parameters (`W{i}`, `b{i}`, and with a normalization `gamma{i}`, `beta{i}`).
# * `loss(X, y=None)`: puts every `norm_params` dict in mode `"test"` when `y` is None and `"train"` otherwise;
#   runs the hidden layers through `self.hidden_forward` and back through `self.hidden_backward` (notebook 06
#   adds dropout to your network by extending exactly these two methods), then the last affine layer, the
#   softmax loss, and the L2 term $\frac{1}{2}\lambda \sum_i \sum W_i^2$ with its gradients, as in notebook 04.
#
# <details><summary>Hint</summary>A forward pass makes one cache per layer and the backward pass hands each
# layer's cache back to that layer, last layer first. A test-time forward pass differs from a training one
# only inside batch normalization, and only through the mode.</details>

# %% id="q12_fully_connected_norm_net" kind="answer"
class FullyConnectedNormNet:
    """{affine - [batchnorm or layernorm] - relu} x (L - 1) - affine - softmax, on your layers.

    hidden_dims: the L - 1 hidden sizes;  input_dim: D;  num_classes: C
    normalization: None, "batchnorm" or "layernorm"
    reg: L2 strength (notebook 02's penalty, on the weight matrices only)
    weight_scale: std of the initial weights, or a scheme of your init_weights ("he", "xavier", ...)
    seed: of the initialization; self.rng goes on with the same generator (notebook 06's dropout masks)
    params: W1, b1, ..., WL, bL; with a normalization also gamma1, beta1, ..., gamma{L-1}, beta{L-1}
    """

    def __init__(self, hidden_dims, input_dim, num_classes, normalization=None, reg=0.0, weight_scale=1e-2,
                 seed=0):
        if normalization not in (None, "batchnorm", "layernorm"):
            raise ValueError(f'Invalid normalization "{normalization}"')
        self.normalization, self.reg = normalization, reg
        self.num_layers = len(hidden_dims) + 1
        self.rng = np.random.default_rng(seed)
        self.norm_params = [{"mode": "train"} for _ in hidden_dims]
        self.params = {}
        ### BEGIN SOLUTION
        dims = [input_dim, *hidden_dims, num_classes]
        for i in range(1, self.num_layers + 1):
            if isinstance(weight_scale, str):
                W = init_weights(dims[i - 1], dims[i], weight_scale, self.rng)
            else:
                W = weight_scale * self.rng.standard_normal((dims[i - 1], dims[i]))
            self.params[f"W{i}"] = W
            self.params[f"b{i}"] = np.zeros(dims[i])
        if normalization is not None:
            for i, size in enumerate(hidden_dims, start=1):
                self.params[f"gamma{i}"] = np.ones(size)
                self.params[f"beta{i}"] = np.zeros(size)
        ### END SOLUTION

    def hidden_forward(self, x, i):
        """Hidden layer i (1 .. L-1). x: (N, dims[i-1]). Returns out (N, dims[i]) and cache."""
        out, cache = None, None
        ### BEGIN SOLUTION
        p = self.params
        a, fc_cache = affine_forward(x, p[f"W{i}"], p[f"b{i}"])
        norm_cache = None
        if self.normalization == "batchnorm":
            a, norm_cache = batchnorm_forward(a, p[f"gamma{i}"], p[f"beta{i}"], self.norm_params[i - 1])
        elif self.normalization == "layernorm":
            a, norm_cache = layernorm_forward(a, p[f"gamma{i}"], p[f"beta{i}"], self.norm_params[i - 1])
        out, relu_cache = relu_forward(a)
        cache = (fc_cache, norm_cache, relu_cache)
        ### END SOLUTION
        return out, cache

    def hidden_backward(self, dout, cache, i):
        """dout: (N, dims[i]); cache: from hidden_forward(x, i).
        Returns dx (N, dims[i-1]) and grads, a dict of the gradients of layer i's parameters."""
        dx, grads = None, {}
        ### BEGIN SOLUTION
        fc_cache, norm_cache, relu_cache = cache
        da = relu_backward(dout, relu_cache)
        if self.normalization == "batchnorm":
            da, grads[f"gamma{i}"], grads[f"beta{i}"] = batchnorm_backward_alt(da, norm_cache)
        elif self.normalization == "layernorm":
            da, grads[f"gamma{i}"], grads[f"beta{i}"] = layernorm_backward(da, norm_cache)
        dx, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(da, fc_cache)
        ### END SOLUTION
        return dx, grads

    def loss(self, X, y=None):
        """X: (N, D);  y: (N,) labels or None.

        y=None: test mode, returns scores (N, C); otherwise train mode, returns (loss, grads) with
        grads shaped like params.
        """
        L = self.num_layers
        scores, caches = None, []
        ### BEGIN SOLUTION
        for norm_param in self.norm_params:
            norm_param["mode"] = "test" if y is None else "train"
        out = X
        for i in range(1, L):
            out, cache = self.hidden_forward(out, i)
            caches.append(cache)
        scores, scores_cache = affine_forward(out, self.params[f"W{L}"], self.params[f"b{L}"])
        ### END SOLUTION
        if y is None:
            return scores

        loss, grads = 0.0, {}
        ### BEGIN SOLUTION
        loss, dout = softmax_loss(scores, y)
        dout, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dout, scores_cache)
        for i in range(L - 1, 0, -1):
            dout, layer_grads = self.hidden_backward(dout, caches[i - 1], i)
            grads |= layer_grads
        for i in range(1, L + 1):
            W = self.params[f"W{i}"]
            loss += 0.5 * self.reg * np.sum(W**2)
            grads[f"W{i}"] += self.reg * W
        ### END SOLUTION
        return loss, grads


# %% id="check_norm_net"
# Check 1: the parameters of each option.
for normalization in (None, "batchnorm", "layernorm"):
    names = sorted(FullyConnectedNormNet([6, 4], 5, 3, normalization=normalization).params)
    print(f"normalization {normalization}: {names}")
    want = {f"{k}{i}" for k in "Wb" for i in (1, 2, 3)} | (
        set() if normalization is None else {f"{k}{i}" for k in ("gamma", "beta") for i in (1, 2)})
    assert set(names) == want, "gamma{i} and beta{i} for every HIDDEN layer i with a normalization, else none"

# Check 2: the whole net's loss against numerical gradients, for each option, with reg > 0.
# Threshold: relative error < 1e-6 (float64, whole nets, as in notebook 04; random biases keep the
# ReLU inputs off the kink on this data).
rng = np.random.default_rng(24)
X, y = rng.standard_normal((6, 5)), np.array([0, 2, 1, 2, 0, 1])
for normalization in (None, "batchnorm", "layernorm"):
    net = FullyConnectedNormNet([6, 4], 5, 3, normalization=normalization, reg=0.3, weight_scale=0.6, seed=2)
    for name in net.params:
        if name.startswith("b"):  # the biases and the betas
            net.params[name] = 0.3 * rng.standard_normal(net.params[name].shape)
    scores = net.loss(X)
    assert np.shape(scores) == (6, 3), f"loss(X) must return the scores (N, C) = (6, 3), got {np.shape(scores)}"
    loss, grads = net.loss(X, y)
    assert set(grads) == set(net.params), f"one gradient per parameter: got {sorted(grads)}"
    errors = {}
    for name in sorted(net.params):
        if normalization == "batchnorm" and name in ("b1", "b2"):
            # batch norm subtracts the batch mean, so the bias before it changes nothing: gradient 0
            assert np.abs(grads[name]).max() < 1e-10, f"d{name} should be 0 before a batch norm layer"
            continue
        num = eval_numerical_gradient(lambda _: net.loss(X, y)[0], net.params[name])
        result = check_gradient(grads[name], num, threshold=1e-6, name=f"{normalization}: d{name}", verbose=False)
        assert result.passed, str(result)
        errors[name] = result.max_rel_error
    print(f"normalization {normalization}: loss {loss:.4f}; largest relative error {max(errors.values()):.1e} "
          f"(d{max(errors, key=errors.get)}; threshold 1e-6)")

# Check 3: loss runs the hidden layers through hidden_forward and hidden_backward, in order (notebook 06
# relies on it): the two methods of this net are wrapped to record their calls.
net = FullyConnectedNormNet([6, 4], 5, 3, normalization="layernorm")
calls, forward, backward = [], net.hidden_forward, net.hidden_backward
net.hidden_forward = lambda x, i: calls.append(f"forward {i}") or forward(x, i)
net.hidden_backward = lambda dout, cache, i: calls.append(f"backward {i}") or backward(dout, cache, i)
net.loss(X, y)
print("calls of one training loss:", calls)
assert calls == ["forward 1", "forward 2", "backward 2", "backward 1"], (
    "loss must run each hidden layer i through self.hidden_forward(x, i), then back through "
    "self.hidden_backward(dout, cache, i), last layer first")

# %% id="q12_fully_connected_norm_net_test" kind="tests" points=4
# The same small net with each option, its biases, gammas and betas set to random values; the loss and
# some of its gradients (given to 9 digits). A bias before batch norm has no effect: gradient 0.
_want = {
    None: {"loss": 4.790906144412793,
        "W1": [0.0392250456, -0.161238714, -0.454375816, 0.10555721],
        "W3": [0.0889614991, 0.160726291, -0.593239155, -0.282710714],
        "b3": [-0.115934796, 0.376760438, -0.0729756901, -0.187849952]},
    "batchnorm": {"loss": 4.221000987817143,
        "W1": [0.0923531855, 0.145857892, -0.131850038, 0.0737410711],
        "W3": [-0.0291886682, -0.148663657, -0.326705178, -0.121704576],
        "b3": [0.196066334, -0.265461744, 0.230020205, -0.160624796],
        "gamma1": [0.0512602031, -0.0391730776, 0.015032275, -0.00673308578],
        "beta2": [-0.0871886212, -0.370511208, 0.0516616915, 0.0576757669]},
    "layernorm": {"loss": 4.327410106257108,
        "W1": [0.060192734, 0.212225473, -0.211408259, 0.0260637821],
        "W3": [-0.0430830986, -0.0620930379, -0.377264138, -0.143821803],
        "b3": [0.100941632, -0.268376596, 0.375034373, -0.207599409],
        "gamma1": [0, -0.0340789096, 0.00339569349, 0.0194678286],
        "beta2": [0, -0.326023003, 0.38270695, 0]},
}
for _norm in (None, "batchnorm", "layernorm"):
    _rng = np.random.default_rng(81)
    _net = FullyConnectedNormNet([5, 4], 6, 4, normalization=_norm, reg=0.3, weight_scale=0.6, seed=81)
    for _k in sorted(_net.params):
        if not _k.startswith("W"):
            _net.params[_k] = _k.startswith("gamma") + 0.3 * _rng.standard_normal(_net.params[_k].shape)
    _X, _y = _rng.standard_normal((3, 6)), _rng.integers(0, 4, size=3)
    _loss, _grads = _net.loss(_X, _y)
    assert set(_grads) == set(_net.params), sorted(_grads)
    assert abs(_loss - _want[_norm]["loss"]) < 1e-8, (_norm, _loss)
    for _k, _row in _want[_norm].items():
        if _k != "loss":
            assert np.allclose(np.ravel(_grads[_k])[:len(_row)], _row, rtol=1e-7, atol=1e-10), (_norm, _k)
    if _norm == "batchnorm":
        assert np.abs(_grads["b1"]).max() < 1e-10 and np.abs(_grads["b2"]).max() < 1e-10
### BEGIN HIDDEN TESTS
def _ref_norm_loss(p, X, y, reg, L, normalization, eps=1e-5):
    """Scores and loss (train mode) of the network, with plain numpy."""
    _h = X
    for _i in range(1, L):
        _a = _h @ p[f"W{_i}"] + p[f"b{_i}"]
        _axis = {"batchnorm": 0, "layernorm": 1}.get(normalization)
        if _axis is not None:
            _mu, _var = _a.mean(axis=_axis, keepdims=True), _a.var(axis=_axis, keepdims=True)
            _a = p[f"gamma{_i}"] * (_a - _mu) / np.sqrt(_var + eps) + p[f"beta{_i}"]
        _h = np.maximum(0, _a)
    _s = _h @ p[f"W{L}"] + p[f"b{L}"]
    _data = np.mean(np.logaddexp.reduce(_s, axis=1) - _s[np.arange(len(y)), y])
    return _s, _data + 0.5 * reg * sum(np.sum(p[f"W{_i}"] ** 2) for _i in range(1, L + 1))


def _check_norm_net(hidden_dims, N, D, C, reg, normalization, seed):
    """A net with random biases, gammas and betas; its data; the expected loss and numerical gradients."""
    _rng = np.random.default_rng(seed)
    _net = FullyConnectedNormNet(hidden_dims, D, C, normalization=normalization, reg=reg, weight_scale=0.6,
                                 seed=seed)
    _L = len(hidden_dims) + 1
    _names = {f"{k}{i}" for k in "Wb" for i in range(1, _L + 1)}
    if normalization is not None:
        _names |= {f"{k}{i}" for k in ("gamma", "beta") for i in range(1, _L)}
    assert set(_net.params) == _names, sorted(_net.params)
    _draws = np.random.default_rng(seed)
    for _i, (_fi, _fo) in enumerate(zip([D, *hidden_dims], [*hidden_dims, C], strict=True), start=1):
        assert np.allclose(_net.params[f"W{_i}"], 0.6 * _draws.standard_normal((_fi, _fo)), rtol=1e-12)
    for _k in _net.params:
        if _k.startswith(("gamma", "beta")):
            assert np.array_equal(_net.params[_k], np.ones(_net.params[_k].shape) * _k.startswith("gamma"))
        if not _k.startswith("W"):
            _net.params[_k] = (_k.startswith("gamma") + 0.3 * _rng.standard_normal(_net.params[_k].shape))
    _X, _y = _rng.standard_normal((N, D)), _rng.integers(0, C, size=N)
    _p = {k: v.copy() for k, v in _net.params.items()}
    _num = {}
    for _k in _p:
        _q = {k: v.copy() for k, v in _p.items()}

        def _f(v, _k=_k, _q=_q):
            _q[_k] = v
            return _ref_norm_loss(_q, _X, _y, reg, _L, normalization)[1]
        _num[_k] = eval_numerical_gradient(_f, _p[_k].copy())
    return _net, _X, _y, _ref_norm_loss(_p, _X, _y, reg, _L, normalization), _num


import cs231n_course.reference.classifiers as _clf
from cs231n_utils.testing import reference_disabled

with reference_disabled(_clf.FullyConnectedNormNet.loss, _clf.FullyConnectedNormNet.hidden_forward,
                        _clf.FullyConnectedNormNet.hidden_backward, _clf.FullyConnectedNet.loss):
    for _args in [([6, 5, 4], 7, 5, 3, 0.2, "batchnorm", 82), ([4, 4], 5, 3, 4, 0.0, "layernorm", 83),
                  ([5], 4, 6, 3, 0.7, "layernorm", 84), ([3, 6], 5, 2, 3, 0.5, None, 85),
                  ([6], 3, 4, 5, 0.1, "batchnorm", 86)]:
        _net, _X, _y, (_s, _want), _num = _check_norm_net(*_args)
        _loss, _grads = _net.loss(_X.copy(), _y.copy())  # the originals stay ours
        assert abs(_loss - _want) < 1e-10, (_args, _loss, _want)
        assert set(_grads) == set(_num), (_args, sorted(_grads))
        for _k in _num:
            if np.abs(_num[_k]).max() < 1e-8:  # a bias before batch norm: no effect on the loss
                assert np.abs(_grads[_k]).max() < 1e-10, (_args, _k)
            else:
                assert rel_error(_grads[_k], _num[_k]) < 1e-6, (_args, _k, rel_error(_grads[_k], _num[_k]))
        # test mode: batch norm with the running averages of the one training pass above, else as in training
        _scores = _net.loss(_X.copy())
        _norm = _args[5]
        _p = {k: np.array(v) for k, v in _net.params.items()}
        _h = _X
        for _i in range(1, len(_args[0]) + 1):
            _a = _h @ _p[f"W{_i}"] + _p[f"b{_i}"]
            if _norm == "batchnorm":
                _bn = _net.norm_params[_i - 1]
                assert _bn["mode"] == "test"
                _mu_run, _var_run = np.array(_bn["running_mean"]), np.array(_bn["running_var"])
                if _i == 1:  # one training pass from zeros, on the same first-layer input
                    assert np.allclose(_mu_run, 0.1 * _a.mean(axis=0))
                _a = _p[f"gamma{_i}"] * (_a - _mu_run) / np.sqrt(_var_run + 1e-5) + _p[f"beta{_i}"]
            elif _norm == "layernorm":
                _a = _p[f"gamma{_i}"] * (_a - _a.mean(axis=1, keepdims=True)) / np.sqrt(
                    _a.var(axis=1, keepdims=True) + 1e-5) + _p[f"beta{_i}"]
            _h = np.maximum(0, _a)
        _want_s = _h @ _p[f"W{len(_args[0]) + 1}"] + _p[f"b{len(_args[0]) + 1}"]
        assert np.allclose(_scores, _want_s, rtol=1e-10, atol=1e-12), _args
        if _norm != "batchnorm":
            assert np.allclose(_scores, _s, rtol=1e-10, atol=1e-12), _args
    # a scheme name: the weights come from init_weights, one layer after the other from the same generator
    _net = FullyConnectedNormNet([7, 4], 9, 3, normalization="layernorm", weight_scale="he", seed=89)
    _draws = np.random.default_rng(89)
    for _i, (_fi, _fo) in enumerate([(9, 7), (7, 4), (4, 3)], start=1):
        assert np.allclose(_net.params[f"W{_i}"], np.sqrt(2 / _fi) * _draws.standard_normal((_fi, _fo)), rtol=1e-12)
        assert np.array_equal(_net.params[f"b{_i}"], np.zeros(_fo))
    # the hidden layers go through hidden_forward and hidden_backward (notebook 06 extends them):
    # with tanh layers put in their place, the loss is that of a tanh network
    _net = FullyConnectedNormNet([4, 3], 5, 3, reg=0.1, weight_scale=0.5, seed=87)
    _p = {k: np.array(v) for k, v in _net.params.items()}
    _X, _y = np.random.default_rng(88).standard_normal((4, 5)), np.array([0, 1, 2, 1])

    def _tanh_forward(x, i):
        _out = np.tanh(x @ _p[f"W{i}"] + _p[f"b{i}"])
        return _out, (x, _out)

    def _tanh_backward(dout, cache, i):
        _x, _out = cache
        _da = dout * (1 - _out**2)
        return _da @ _p[f"W{i}"].T, {f"W{i}": _x.T @ _da, f"b{i}": _da.sum(axis=0)}

    def _tanh_net(W1):
        _s = np.tanh(np.tanh(_X @ W1 + _p["b1"]) @ _p["W2"] + _p["b2"]) @ _p["W3"] + _p["b3"]
        _data = np.mean(np.logaddexp.reduce(_s, axis=1) - _s[np.arange(4), _y])
        return _s, _data + 0.05 * (np.sum(W1**2) + np.sum(_p["W2"] ** 2) + np.sum(_p["W3"] ** 2))

    _net.hidden_forward = _tanh_forward
    _net.hidden_backward = _tanh_backward
    _s3, _want = _tanh_net(_p["W1"])
    assert np.allclose(_net.loss(_X.copy()), _s3, rtol=1e-10)
    _loss, _grads = _net.loss(_X.copy(), _y.copy())
    assert abs(_loss - _want) < 1e-10
    _dW1 = eval_numerical_gradient(lambda w: _tanh_net(w)[1], _p["W1"].copy())
    assert rel_error(_grads["W1"], _dW1) < 1e-6
### END HIDDEN TESTS

# %% [markdown] id="batchnorm_rescues_bad_init"
# ### Normalization rescues a bad initialization
#
# A 5-layer ReLU network (four hidden layers of 100 units) with a too-small initialization, weight std
# 0.01: as in Section 3 its activations and gradients vanish, and SGD gets nowhere. The same network with
# a batch normalization layer after every hidden affine layer renormalizes the activations at every layer
# and trains at once; so does the one with layer normalization, which rescales every example instead of
# every feature. All three are your `FullyConnectedNormNet`, trained for 3 epochs on 2,000 MNIST digits with
# the same optimizer (plain SGD, learning rate 0.05).

# %% id="fig_batchnorm_rescues_bad_init"
data = load_centered_mnist()
solvers = {}
for norm in (None, "batchnorm", "layernorm"):
    model = FullyConnectedNormNet([100, 100, 100, 100], 784, 10, normalization=norm, weight_scale=1e-2, seed=0)
    solvers[norm] = Solver(model, data, update_rule="sgd", optim_config={"learning_rate": 5e-2},
                           num_epochs=3, batch_size=100, num_train_samples=500, verbose=False)
    solvers[norm].train()
    s = solvers[norm]
    print(f"{'with ' + norm if norm else 'without normalization'}: final training loss {s.loss_history[-1]:.3f}, "
          f"train accuracy {s.train_acc_history[-1]:.3f}, val accuracy {s.val_acc_history[-1]:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), layout="constrained")
for norm, solver in solvers.items():
    label = f"with {norm}" if norm else "without normalization"
    axes[0].plot(solver.loss_history, lw=0.8, label=label)
    axes[1].plot(solver.val_acc_history, "o-", label=label)
axes[0].set(xlabel="iteration", ylabel="training loss", title="Loss, weight std 0.01")
axes[1].set(xlabel="epoch", ylabel="validation accuracy", title="Validation accuracy", ylim=(0, 1))
axes[0].legend()
plt.show()

# %% id="check_batchnorm_rescue"
# Check: without normalization the network is stuck at chance (10%, loss ln 10 = 2.30); with either, above 85%.
acc = {norm: s.val_acc_history[-1] for norm, s in solvers.items()}
assert acc[None] < 0.3 and acc["batchnorm"] > 0.85 and acc["layernorm"] > 0.85, acc

# %% [markdown] id="babysitting"
# ## 6. Babysitting the learning process
#
# Before a long training run, the lecture's **sanity checks (온전성 검사)**:
#
# 1. **The initial loss.** With small random weights every class gets about the same score, the softmax
#    gives each of the $C$ classes probability $1/C$, and the loss is $-\ln(1/C) = \ln C$: for the 10
#    digits $\ln 10 = 2.303$. Any other value means a bug in the loss or the initialization.
# 2. **Regularization raises the loss.** Turn on the **regularization (규제)** term: the loss must go up.
# 3. **Overfit a tiny subset.** Without regularization, a network must be able to learn 20 examples by
#    heart: training accuracy 100%, loss near 0. If it cannot, something is broken; there is no point in
#    training on everything.
# 4. **Find a learning rate.** Too low: the loss barely moves. Too high: it explodes (to NaN, in the end).
# 5. **Watch the update/weight ratio.** For each weight matrix, compare the size of one update with the
#    size of the weights, $\lVert \Delta W \rVert / \lVert W \rVert$. The lecture's rule of thumb is
#    about $10^{-3}$ for a long run: far below (say $10^{-6}$) the weights hardly move and the learning rate
#    is too low; near 1 every step rewrites the weights and it is too high. It is a quick number to print
#    next to the loss while a run goes on (it is computed for the runs below, after the loss curves).

# %% id="demo_initial_loss"
data = load_centered_mnist()
model = FullyConnectedNet([100], 784, 10, weight_scale=1e-3, reg=0.0, seed=0)
loss, _ = model.loss(data["X_train"][:100], data["y_train"][:100])
model.reg = 10.0
loss_reg, _ = model.loss(data["X_train"][:100], data["y_train"][:100])
print(f"initial loss {loss:.4f}  (ln 10 = {np.log(10):.4f});  with reg = 10: {loss_reg:.4f}")

# %% id="check_initial_loss"
# Check the two sanity checks. Threshold: within 0.01 of ln 10 (weights of std 1e-3 give scores of
# size 1e-3, which move the loss by much less).
assert abs(loss - np.log(10)) < 0.01, "the initial loss of a 10-class softmax must be about ln 10"
assert loss_reg > loss, "regularization adds a positive term to the loss"

# %% id="demo_overfit_tiny_set"
tiny = {"X_train": data["X_train"][:20], "y_train": data["y_train"][:20],
        "X_val": data["X_val"], "y_val": data["y_val"]}
model = FullyConnectedNet([100], 784, 10, weight_scale=1e-2, reg=0.0, seed=0)
overfit = Solver(model, tiny, update_rule="sgd", optim_config={"learning_rate": 1.0}, num_epochs=30,
                 batch_size=20, verbose=False)
overfit.train()
print(f"20 examples: train accuracy {overfit.train_acc_history[-1]:.0%}, "
      f"final loss {overfit.loss_history[-1]:.4f}, val accuracy {overfit.val_acc_history[-1]:.0%} "
      "(low, of course: it learned 20 digits by heart)")
plot_loss_history(overfit.loss_history, overfit.train_acc_history, overfit.val_acc_history)

# %% id="check_overfit_tiny_set"
assert overfit.train_acc_history[-1] == 1.0 and overfit.loss_history[-1] < 0.05

# %% id="fig_learning_rates"
curves = {}
for lr, verdict in [(1e-5, "too low"), (1e-1, "low"), (1.0, "good"), (5.0, "too high")]:
    model = FullyConnectedNet([100], 784, 10, weight_scale=1e-2, seed=0)
    solver = Solver(model, data, update_rule="sgd", optim_config={"learning_rate": lr}, num_epochs=3,
                    batch_size=100, num_train_samples=200, verbose=False)
    solver.train()
    curves[f"lr = {lr:g} ({verdict})"] = solver.loss_history
    print(f"learning rate {lr:<6g} loss: first {solver.loss_history[0]:.3f}, "
          f"last {solver.loss_history[-1]:.3g}")
fig, ax = plt.subplots(figsize=(7, 3.8))
for name, hist in curves.items():
    ax.plot(hist, label=name)
ax.set(xlabel="iteration", ylabel="training loss", ylim=(0, 4),
       title="Learning rates, same network (lr = 5 leaves the plot: it explodes)")
ax.legend(loc="center right", bbox_to_anchor=(1, 0.35))
plt.show()

# %% [markdown] id="update_weight_ratio"
# The update/weight ratio of the first layer at the end of the same four runs (one more SGD step on 100
# digits, not applied). The extremes are what the check catches: $\sim 10^{-7}$ means frozen weights,
# $\sim 0.5$ means every step replaces half of them. The "good" rate of this 3-epoch toy run sits near
# $10^{-1}$, well above the rule of thumb's $10^{-3}$: a short run on 2,000 digits can afford (and needs)
# large steps; on a long run the ratio drifts down as the learning rate is decayed.

# %% id="demo_update_weight_ratio"
for lr in (1e-5, 1e-1, 1.0, 5.0):
    model = FullyConnectedNet([100], 784, 10, weight_scale=1e-2, seed=0)
    solver = Solver(model, data, update_rule="sgd", optim_config={"learning_rate": lr}, num_epochs=3,
                    batch_size=100, num_train_samples=200, verbose=False)
    solver.train()
    _, grads = model.loss(data["X_train"][:100], data["y_train"][:100])
    ratio = lr * np.linalg.norm(grads["W1"]) / np.linalg.norm(model.params["W1"])
    print(f"learning rate {lr:<6g} update/weight ratio of W1: {ratio:.1e}")


# %% [markdown] id="wq2_question"
# ### Written question 2 (1 point): the loss at initialization
#
# A softmax classifier for $C = 100$ classes (CIFAR-100) is initialized with small random weights. What
# initial loss (natural log, per example, no regularization) should the sanity check expect? Give it to two
# decimals.
#
# Set `answer_wq2` to that number (an int or a float; an expression like `2 * 3` is fine).

# %% id="wq2_loss_at_init" kind="answer"
answer_wq2 = None  # a number
### BEGIN SOLUTION
answer_wq2 = 4.61
### END SOLUTION

# %% id="check_wq2"
# Checks the form of the answer only: whether it is right is graded by hidden tests.
assert isinstance(answer_wq2, (int, float)) and not isinstance(answer_wq2, bool), (
    f"answer_wq2 must be a number, not {answer_wq2!r}")
print(f"answer_wq2 = {answer_wq2:g}: a number")

# %% id="wq2_loss_at_init_test" kind="tests" points=1
assert isinstance(answer_wq2, (int, float)) and not isinstance(answer_wq2, bool)
### BEGIN HIDDEN TESTS
assert abs(answer_wq2 - 4.6052) <= 0.01
### END HIDDEN TESTS

# %% [markdown] id="hyperparameter_search"
# ## 7. Hyperparameter search
#
# The learning rate and the regularization strength act **multiplicatively** (a step is learning rate ×
# gradient), so they are searched on a **log scale (로그 스케일)**: $10^{-5}$ to $10^{-1}$ are four equally
# important decades, whereas a uniform sample on $[10^{-5}, 10^{-1}]$ falls into the top decade 90% of
# the time. A **log-uniform** sample is one whose *logarithm* is uniform: every decade between `low` and
# `high` gets the same share of the trials.
#
# ### Exercise 13 (2 points): log-uniform sampling

# %% id="q13_sample_log_uniform" kind="answer"
def sample_log_uniform(low, high, size, rng):
    """size samples (an int or a shape) in [low, high], 0 < low < high, whose log is uniform.
    rng: a np.random.Generator."""
    samples = None
    ### BEGIN SOLUTION
    samples = 10 ** rng.uniform(np.log10(low), np.log10(high), size=size)
    ### END SOLUTION
    return samples


# %% id="check_sample_log_uniform"
s = sample_log_uniform(1e-5, 1e-1, 10_000, np.random.default_rng(14))
decades = np.histogram(np.log10(s), bins=[-5, -4, -3, -2, -1])[0] / len(s)
print("fraction of the samples in each decade 1e-5..1e-4, ..., 1e-2..1e-1:", decades, "(want 0.25 each)")
assert s.shape == (10_000,) and s.min() >= 1e-5 and s.max() <= 1e-1, "samples must lie in [low, high]"
# Threshold: every decade within 0.03 of 1/4 (10,000 samples: the standard error is 0.004)
assert decades[-1] < 0.5, (
    f"{decades[-1]:.0%} of the samples are in the top decade: uniform on [low, high], not log-uniform")
assert np.allclose(decades, 0.25, atol=0.03), (
    "the decades are not equally filled: the logarithm and the power in different bases, or the range "
    "of the exponent wrong?")

# %% id="q13_sample_log_uniform_test" kind="tests" points=2
_s = sample_log_uniform(1e-4, 1e0, 20_000, np.random.default_rng(0))
assert _s.shape == (20_000,) and _s.min() >= 1e-4 and _s.max() <= 1.0
assert abs(np.median(_s) - 1e-2) < 2e-3
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(19)
for _lo, _hi in [(2.0, 50.0), (1e-7, 1e-3), (0.5, 0.6)]:
    _s = sample_log_uniform(_lo, _hi, 40_000, _rng)
    assert _s.shape == (40_000,) and _s.min() >= _lo and _s.max() <= _hi
    _u = (np.log(_s) - np.log(_lo)) / (np.log(_hi) - np.log(_lo))  # uniform on [0, 1] if correct
    assert np.allclose(np.histogram(_u, bins=8, range=(0, 1))[0] / 40_000, 1 / 8, atol=0.01)
_s = sample_log_uniform(1e-3, 1e-1, (3, 4), _rng)
assert np.shape(_s) == (3, 4)
# different draws from the generator: not one number repeated
assert len(np.unique(sample_log_uniform(1e-3, 1e-1, 50, _rng))) == 50
### END HIDDEN TESTS

# %% [markdown] id="random_search_beats_grid_search"
# ### Random search beats grid search
#
# Usually some hyperparameters matter much more than others. Take 9 trials on two of them, the learning
# rate (important) and the regularization strength (barely matters here). A $3 \times 3$ **grid** tries only
# **3** distinct learning rates, each three times; **random search** (Bergstra and Bengio, 2012) tries
# **9** distinct learning rates, and so samples the important parameter much better. The curve on top of
# each panel is the validation accuracy as a function of the learning rate alone.

# %% id="fig_random_search_beats_grid_search"
def important(log_lr):
    """A made-up validation accuracy that depends on the learning rate only: best at lr = 10^-2.6."""
    return 0.9 * np.exp(-((log_lr + 2.6) ** 2) / 0.3)


lr_range, reg_range = (1e-4, 1e0), (1e-5, 1e-1)
# a 3 x 3 grid: the centres of 3 equal cells of each (log) range
grid = [(lr, reg) for lr in np.logspace(-4, 0, 7)[1::2] for reg in np.logspace(-5, -1, 7)[1::2]]
rng = np.random.default_rng(15)
rand = list(zip(sample_log_uniform(*lr_range, 9, rng), sample_log_uniform(*reg_range, 9, rng), strict=True))
grid_lrs = np.unique([lr for lr, _ in grid])
rand_lrs = np.unique([lr for lr, _ in rand])
print(f"distinct learning rates tried: grid {len(grid_lrs)}, random {len(rand_lrs)}")
print(f"best accuracy found: grid {important(np.log10(grid_lrs)).max():.3f}, "
      f"random {important(np.log10(rand_lrs)).max():.3f} (best possible 0.900)")

# Over many repetitions: how often does random search find a better learning rate than the grid?
wins = np.mean([important(np.log10(sample_log_uniform(*lr_range, 9, rng))).max()
                > important(np.log10(grid_lrs)).max() for _ in range(1000)])
print(f"random search beats the grid in {wins:.0%} of 1000 repetitions")

fig, axes = plt.subplots(2, 2, figsize=(10, 5), layout="constrained", sharex=True,
                         gridspec_kw={"height_ratios": [1, 2.5]})
lr_line = np.logspace(-4, 0, 200)
for col, (name, points) in enumerate([("grid search", grid), ("random search", rand)]):
    lrs, regs = np.array(points).T
    for lr in lrs:
        for ax in axes[:, col]:
            ax.axvline(lr, color="gray", lw=0.6, ls=":")
    axes[0, col].plot(lr_line, important(np.log10(lr_line)), "g")
    axes[0, col].plot(lrs, important(np.log10(lrs)), "ko", ms=5)
    axes[0, col].set(title=f"{name}: {len(np.unique(lrs))} distinct learning rates", ylabel="val acc")
    axes[1, col].scatter(lrs, regs, s=40, c="k")
    axes[1, col].set(xscale="log", yscale="log", xlabel="learning rate (important)",
                     ylabel="regularization (unimportant)", xlim=lr_range, ylim=reg_range)
plt.show()

# %% id="check_random_vs_grid"
assert len(grid_lrs) == 3 and len(rand_lrs) == 9

# %% [markdown] id="coarse_to_fine"
# ### Coarse to fine
#
# In practice: a **coarse** search over wide ranges with short runs (here 2 epochs on 1,000 digits),
# then a **fine** search in a narrower range around the best results, and so on. Look at where the best
# trials lie: if the best are at the edge of a range, the range was too narrow.

# %% id="fig_coarse_to_fine"
small = load_centered_mnist(num_train=1000, num_val=300)


def trial(lr, reg):
    model = FullyConnectedNet([50], 784, 10, weight_scale=1e-2, reg=reg, seed=0)
    solver = Solver(model, small, update_rule="sgd", optim_config={"learning_rate": lr}, num_epochs=2,
                    batch_size=100, num_train_samples=100, verbose=False)
    solver.train()
    return solver.best_val_acc


rng = np.random.default_rng(2)
lrs, regs = sample_log_uniform(1e-3, 1e1, 8, rng), sample_log_uniform(1e-5, 1e0, 8, rng)
coarse = [(lr, reg, trial(lr, reg)) for lr, reg in zip(lrs, regs, strict=True)]
best = sorted(coarse, key=lambda t: -t[2])[:3]
lo_lr, hi_lr = min(t[0] for t in best) / 2, max(t[0] for t in best) * 2
lo_reg, hi_reg = min(t[1] for t in best) / 2, max(t[1] for t in best) * 2
print(f"coarse: best {best[0][2]:.3f}; fine ranges lr [{lo_lr:.2g}, {hi_lr:.2g}], "
      f"reg [{lo_reg:.2g}, {hi_reg:.2g}]")
lrs, regs = sample_log_uniform(lo_lr, hi_lr, 8, rng), sample_log_uniform(lo_reg, hi_reg, 8, rng)
fine = [(lr, reg, trial(lr, reg)) for lr, reg in zip(lrs, regs, strict=True)]
print("the five best trials:")
for lr, reg, acc in sorted(coarse + fine, key=lambda t: -t[2])[:5]:
    print(f"  lr {lr:.3g}  reg {reg:.3g}  val accuracy {acc:.3f}")

fig, ax = plt.subplots(figsize=(7, 4.2))
for name, trials, marker in [("coarse", coarse, "o"), ("fine", fine, "^")]:
    lrs, regs, accs = np.array(trials).T
    sc = ax.scatter(lrs, regs, c=accs, cmap="viridis", vmin=0, vmax=1, marker=marker, s=60,
                    edgecolors="k", label=name)
ax.add_patch(plt.Rectangle((lo_lr, lo_reg), hi_lr - lo_lr, hi_reg - lo_reg, fill=False, ls="--"))
ax.set(xscale="log", yscale="log", xlabel="learning rate", ylabel="regularization strength",
       title="Coarse-to-fine random search (colour: validation accuracy)")
ax.legend()
fig.colorbar(sc, ax=ax, label="validation accuracy")
plt.show()

# %% [markdown] id="coarse_to_fine_result"
# With real budgets each round trains longer on more data, and the final model is trained on everything.
# What this search says about its next round is Written question 3.

# %% [markdown] id="wq3_question"
# ### Written question 3 (2 points, graded by hand): reading a random search
#
# (a) A colleague samples 9 learning rates **uniformly** on $[10^{-5}, 10^{-1}]$ instead of log-uniformly.
# Suppose the network trains well only for learning rates between $10^{-4}$ and $9 \cdot 10^{-4}$: estimate
# the chance that none of the 9 trials lands there, with uniform and with log-uniform sampling. Show how you
# got the numbers.
#
# (b) Look at the five best trials that the coarse-to-fine cell above printed, at the fine ranges it chose,
# and at its figure. Do the best learning rates lie at an edge of the fine range or inside it? What should
# the next round do with the learning-rate range, and why? What do the trials say about the regularization
# strength?
#
# Write your answer in the next cell (a few sentences; numbers welcome).

# %% [markdown] id="wq3_random_beats_grid" kind="written" points=2
# **Your answer:**
#
# ### BEGIN SOLUTION
# *Model answer.* (a) The good interval has probability $8 \cdot 10^{-4} / 0.1 \approx 0.008$ uniformly,
# so all 9 miss it with probability $0.992^9 \approx 0.93$; log-uniformly it covers
# $\log_{10} 9 / 4 \approx 0.24$ of the range, and all 9 miss with probability $0.76^9 \approx 0.09$.
# (b) In the run at the time of writing, the best learning rates (0.7 to 2.5) lie inside the fine range
# (0.13 to 3.6), not at its edge: the optimum is bracketed, so the next round narrows the range around them
# (had they sat at an edge, it would extend the range beyond that edge). Their regularization strengths
# spread over more than a decade with similar accuracies: it barely matters here and can be fixed.
#
# RUBRIC (2 points; one fact per point)
# - 1 point: (a) the miss probabilities near 0.9 (uniform) and near 0.1 (log-uniform), with the reasoning
#   (interval length over range length, or decades over decades). Numbers within a factor of 1.5 of these
#   count; a right conclusion without numbers does not.
# - 1 point: (b) reads the run correctly (the best learning rates inside the range, not at an edge) and
#   draws the matching step (narrow around them; at an edge it would be: extend beyond it). The
#   regularization remark is welcome but not needed for the point.
# - A wrong extra claim costs the point it belongs to (e.g. "extend the range upwards" when the best lie
#   inside it, or "uniform sampling covers the small rates just as well").
# ### END SOLUTION

# %% [markdown] id="summary"
# ## Summary
#
# * Activation functions: sigmoid and tanh **saturate** (with inputs of std 5, 36% of the sigmoid's local
#   gradients are below 0.01); the sigmoid, and the ReLU too, are **not zero-centered** (every weight
#   gradient of a neuron fed by them has one sign, so updates zig-zag); ReLU does not saturate for $x > 0$,
#   is cheap and converges about 6x faster than tanh (AlexNet), but can **die** (from a bad initialization
#   or a too-large learning rate); Leaky ReLU, ELU and Maxout fix that at some cost. In practice: ReLU (mind the learning rate), or try Leaky
#   ReLU / ELU / Maxout; tanh rarely; sigmoid never in hidden layers.
# * Preprocessing: zero-center (for images: subtract the mean image); PCA decorrelates, whitening makes the
#   covariance the identity; statistics from the training data only.
# * Initialization: std 0.01 collapses a deep network, std 1 saturates it; **Xavier** $1/\sqrt{n}$ for tanh,
#   **He** (MSRA) $\sqrt{2/n}$ for ReLU keep the activations at the same scale through all 10 layers.
# * Batch normalization normalizes every feature over the batch (running averages at test time); its
#   backward pass is a branchy graph that simplifies to one line; it makes training robust to a bad
#   initialization, goes after affine or conv layers, and also regularizes a little. Layer normalization
#   normalizes every example over its features: the same graph on the transposed problem, no batch
#   dependence, the same computation in training and at test time; it rescues the bad initialization too.
# * Your `FullyConnectedNormNet` runs its hidden layers through `hidden_forward` / `hidden_backward`: one
#   normalization option here, and notebook 06 adds dropout by extending those two methods.
# * Babysitting: initial loss $\ln C$, overfit 20 examples, watch the loss curve and the update/weight
#   ratio; search the learning rate
#   and regularization at random, on a log scale, coarse to fine.
#
# Next, notebook 06 looks at the update rule itself: SGD's failure modes, momentum, AdaGrad, RMSProp and
# Adam, and regularization with dropout.
