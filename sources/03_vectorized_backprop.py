# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] id="title"
# # 03 — Backpropagation with vectors, matrices and tensors
#
# **Learning goals.** After this notebook you can
#
# 1. write the derivative of a vector function as a **Jacobian (야코비 행렬)**, compute one numerically, and
#    say why a real network never forms it: the ReLU Jacobian of a 4096-unit layer is a 128 MiB
#    **diagonal matrix (대각 행렬)** that a 4096-entry **mask (마스크)** replaces;
# 2. backpropagate through the lecture's $f(x, W) = \lVert W x \rVert^2$ and find every matrix gradient
#    with the **shape rule (모양 규칙)**: *a gradient has the shape of its variable*;
# 3. write the forward and backward passes of the **affine layer (아핀 층)** for inputs of any shape, and
#    of the ReLU layer;
# 4. write the SVM and softmax losses and their gradients **vectorized (벡터화)**: no Python loop over the
#    examples, and see how much faster that is;
# 5. **check gradients of arrays (배열의 기울기 검사)** with `eval_numerical_gradient_array` and
#    `check_gradient`, with a stated threshold.
#
# **How to work.** Fill in every cell marked `# YOUR CODE HERE` (delete the `raise NotImplementedError()`).
# After each exercise, run the *check* cell below it: it tells you what is wrong and by how much.
# The *test* cells hold the graded tests (plus hidden tests with other inputs and shapes). Students run
# cells out of order, so every check cell recomputes what it needs from your functions; still, before
# you submit, use **Kernel → Restart & Run All** and make sure nothing fails.

# %% id="setup"
# %matplotlib inline
import time

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from cs231n_utils.gradcheck import (
    check_gradient,
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    rel_error,
)
from cs231n_utils.testing import course_versions_disabled
from cs231n_utils.viz import draw_graph

np.set_printoptions(precision=4, suppress=True)


# %% [markdown] id="jacobians"
# ## 1. Jacobians: the derivative of a vector function
#
# In notebooks 01 and 02 every wire of the graph carried one number. A real layer takes a whole array and
# returns one: $y = f(x)$ with $x \in \mathbb{R}^n$ and $y \in \mathbb{R}^m$. Its derivative is the
# **Jacobian (야코비 행렬)**, the $m \times n$ matrix of all partial derivatives,
#
# $$J = \frac{\partial y}{\partial x} \in \mathbb{R}^{m \times n}, \qquad
# J_{ij} = \frac{\partial y_i}{\partial x_j}
# \quad\text{(row } i\text{: one output; column } j\text{: one input).}$$
#
# The chain rule keeps its shape *downstream = local × upstream*. The loss $L$ is a number, so the
# **upstream gradient (상류 기울기)** $\partial L / \partial y$ is a vector shaped like $y$, and
#
# $$\frac{\partial L}{\partial x_j} = \sum_i \frac{\partial L}{\partial y_i}\,\frac{\partial y_i}{\partial x_j}
# \qquad\Longleftrightarrow\qquad
# \frac{\partial L}{\partial x} = J^{\top}\,\frac{\partial L}{\partial y} .$$
#
# Two Jacobians we will meet all the time:
#
# * $y = W x$ with $W \in \mathbb{R}^{m \times n}$: $\;y_i = \sum_j W_{ij} x_j$, so $J_{ij} = W_{ij}$: **the Jacobian is $W$ itself.**
# * $y = \max(0, x)$ elementwise (ReLU): on which inputs does $y_i$ depend? Which entries of $J$ can be
#   non-zero, then, and what is the slope of $\max(0, \cdot)$ on either side of 0? Work out $J$ for
#   $x = (1.5, -0.5)$ before you write code.
#
# ### Exercise 1 (2 points): a Jacobian, numerically and analytically
#
# 1. `numerical_jacobian(f, x, h)`: column $j$ of $J$ is how *all* the outputs move when $x_j$ moves,
#    $$J_{:, j} \approx \frac{f(x + h e_j) - f(x - h e_j)}{2h},$$
#    with $e_j$ the $j$-th unit vector. Use the `h` you are given; `f` may have more or fewer outputs than inputs.
# 2. `relu_jacobian(x)`: the analytic Jacobian of the elementwise ReLU, an $n \times n$ matrix. (The ReLU is
#    not differentiable at 0; take the slope there to be 0. The checks keep away from 0.)

# %% id="q1_jacobian" kind="answer"
def numerical_jacobian(f, x, h=1e-5):
    """Centered-difference Jacobian of f at x.

    f: function taking an (n,) array and returning an (m,) array;  x: (n,) array
    Returns J (m, n) with J[i, j] = d f(x)[i] / d x[j].
    """
    x = np.asarray(x, dtype=float)
    J = None
    ### BEGIN SOLUTION
    n, m = x.size, np.asarray(f(x)).size
    J = np.zeros((m, n))
    for j in range(n):
        step = np.zeros(n)
        step[j] = h
        J[:, j] = (f(x + step) - f(x - step)) / (2 * h)  # column j: every output's response to x[j]
    ### END SOLUTION
    return J


def relu_jacobian(x):
    """Analytic Jacobian of the elementwise ReLU y = max(0, x) at x (n,). Returns J (n, n)."""
    J = None
    ### BEGIN SOLUTION
    J = np.diag((x > 0).astype(float))  # dy_i/dx_j = 1 if i == j and x_i > 0, else 0
    ### END SOLUTION
    return J


# %% id="check_q1"
# Check 1: the Jacobian of x -> W x is W, whatever x. W is (3, 2): 3 outputs, 2 inputs.
# Threshold: relative error < 1e-9 (a linear function: only rounding error remains).
W = np.array([[0.1, 0.5], [-0.3, 0.8], [1.2, -0.7]])
x = np.array([0.2, 0.4])
try:
    J = numerical_jacobian(lambda v: W @ v, x)
except ValueError as error:  # a column of 3 outputs written where a row of 2 inputs is
    raise AssertionError(f"{error}: rows and columns swapped? J has a row per output and a column per "
                         "input, (m, n) = (3, 2)") from error
print("numerical Jacobian of W x:\n", J)
assert np.shape(J) != (2, 3), "transposed: J needs a row per output and a column per input, (m, n) = (3, 2)"
assert check_gradient(J, W, threshold=1e-9, name="J of W x").passed, "see the diagnosis above"

# Check 2: a nonlinear function against its analytic Jacobian.
# Threshold: max |error| < 1e-8 (centered differences are off by ~h^2 = 1e-10, one-sided ones by ~h = 1e-5).
def g(v):
    return np.array([np.sin(v[0]) * v[1], v[0] ** 2 + np.exp(v[1]), v[0] * v[1]])

v = np.array([0.7, -0.4])
J_true = np.array([[np.cos(v[0]) * v[1], np.sin(v[0])], [2 * v[0], np.exp(v[1])], [v[1], v[0]]])
err = np.max(np.abs(numerical_jacobian(g, v) - J_true))
print(f"nonlinear g: max |numerical - analytic| = {err:.1e}")
assert err < 1e-8, (f"an error of {err:.0e}, " + ("of the order of h = 1e-5: a one-sided difference"
                                                  if 1e-7 < err < 1e-3 else "far more than h: see Check 1"))

# Check 3: the ReLU Jacobian, analytically and numerically (no input near the kink at 0).
x = np.array([1.5, -0.5, 0.3, -2.0])
J = relu_jacobian(x.copy())  # a copy: x stays as it is for the numerical Jacobian below
print("relu_jacobian:\n", J)
assert np.shape(J) == (4, 4), f"the Jacobian of a map from R^4 to R^4 is 4 x 4, got {np.shape(J)}"
J_num = numerical_jacobian(lambda v: np.maximum(0, v), x)
if not np.allclose(J, J_num, rtol=0, atol=1e-9):
    off_diagonal = not np.allclose(J - np.diag(np.diag(J)), 0)
    raise AssertionError(
        "non-zero entries off the diagonal: output i depends on input i only" if off_diagonal
        else "a slope of 1 where the input is negative: the ReLU is flat there" if np.all(np.diag(J) == 1)
        else "the diagonal holds slopes, not output values" if np.allclose(np.diag(J), np.maximum(0, x))
        else f"diagonal {np.diag(J)}, numerically {np.diag(J_num)}: slopes of max(0, x)")

# %% id="q1_jacobian_test" kind="tests" points=2
_W = np.array([[0.1, 0.5], [-0.3, 0.8], [1.2, -0.7]])
assert np.max(np.abs(numerical_jacobian(lambda v: _W @ v, np.array([0.2, 0.4])) - _W)) < 1e-9
assert np.array_equal(relu_jacobian(np.array([-1.0, 2.0, 0.5])), np.diag([0.0, 1.0, 1.0]))
### BEGIN HIDDEN TESTS
import cs231n_utils.gradcheck as _gc
from cs231n_utils.testing import reference_disabled
_rng = np.random.default_rng(31)
_A = _rng.normal(size=(5, 3))
_v = _rng.normal(size=3)
_J_true = _A * (1 - np.tanh(_v) ** 2)[None, :]  # d/dv of A tanh(v): (5, 3)
_x = _rng.normal(size=7)
_dout = _rng.normal(size=7)
with reference_disabled(_gc.eval_numerical_gradient, _gc.eval_numerical_gradient_array):
    _J = numerical_jacobian(lambda v: _A @ np.tanh(v), _v.copy())
    assert np.shape(_J) == (5, 3), np.shape(_J)
    assert np.max(np.abs(_J - _J_true)) < 1e-8
    # more inputs than outputs
    _J = numerical_jacobian(lambda v: np.array([v @ v]), _v.copy())
    assert np.shape(_J) == (1, 3) and np.max(np.abs(_J - 2 * _v[None, :])) < 1e-8
    # the h given is used: with h = 1e-3 the centered difference of v^3 is exactly 3 v^2 + h^2
    _J = numerical_jacobian(lambda v: v**3, np.array([1.0, 2.0]), h=1e-3)
    assert np.max(np.abs(_J - np.diag([3.000001, 12.000001]))) < 1e-9
    _R = relu_jacobian(_x.copy())
    assert np.shape(_R) == (7, 7)
    assert np.array_equal(_R, np.diag((_x > 0).astype(float)))
    assert np.allclose(_R.T @ _dout, _dout * (_x > 0), rtol=0, atol=1e-15)
### END HIDDEN TESTS

# %% [markdown] id="jacobian_pictures"
# Pictures of the two Jacobians, computed with your functions: the ReLU's is diagonal (and a zero on the
# diagonal wherever the input was negative), the linear map's is the full matrix $W$.

# %% id="fig_jacobian_pictures"
rng = np.random.default_rng(0)
x = rng.normal(size=12)
W = rng.normal(size=(8, 12))
panels = [(relu_jacobian(x), "ReLU on 12 inputs (your relu_jacobian)"),
          (numerical_jacobian(lambda v: W @ v, x), "x -> W x, W of shape (8, 12): J = W")]
fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
for ax, (J, title) in zip(axes, panels, strict=True):
    lim = np.max(np.abs(J))
    im = ax.imshow(J, cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.set_title(title)
    ax.set_xlabel("input j")
    ax.set_ylabel("output i")
    fig.colorbar(im, ax=ax, shrink=0.8, label="J[i, j]")
plt.show()

# %% [markdown] id="why_nobody_forms_the_jacobian"
# ### Why nobody forms the Jacobian
#
# A hidden layer of 4096 ReLU units (the size of AlexNet's and VGG's fully connected layers) has a
# $4096 \times 4096$ Jacobian: $4096^2 \times 8$ bytes $= 128$ MiB in float64, for *one* example. Your
# `relu_jacobian` shows how little of it carries information: the cell below counts its non-zero entries and
# compares its size with the boolean mask $x > 0$, 4096 entries. Everything $J$ says fits in that mask.
#
# So backpropagation never builds a Jacobian: every layer computes the product
# $J^\top \cdot \text{upstream}$ directly, from what it cached in the forward pass. For the ReLU, what does
# that product do to each entry of the upstream gradient? You will write it in Exercise 5, and time it
# against the product with $J$ there.

# %% id="demo_why_nobody_forms_the_jacobian"
rng = np.random.default_rng(0)
x = rng.normal(size=4096)      # the input of a 4096-unit ReLU layer

J = relu_jacobian(x)           # (4096, 4096)
mask = x > 0                   # (4096,) booleans: all the information J holds
print(f"Jacobian J: {J.shape}, {J.nbytes / 2**20:.0f} MiB;  "
      f"mask: {mask.shape}, {mask.nbytes / 2**10:.0f} KiB")
print(f"nonzero entries of J: {np.count_nonzero(J)} of {J.size} ({np.count_nonzero(J) / J.size:.3%})")
assert J.nbytes == 4096 * 4096 * 8 == 128 * 2**20, "4096^2 entries of 8 bytes each are 128 MiB"
del J  # give the 128 MiB back


# %% [markdown] id="wq1_question"
# ### Written question 1 (1 point): the size of a Jacobian nobody forms
#
# An elementwise ReLU layer takes a minibatch of $N = 100$ vectors of $4096$ numbers (input and output both
# $100 \times 4096$). How many entries does the full Jacobian of the layer's output with respect to its
# input have (every output number against every input number)?
#
# Set `answer_wq1` to that number, exactly or rounded to two significant figures (an int or a float;
# `1.2e10` and an expression like `2 * 3` are fine).

# %% id="wq1_jacobian_entries" kind="answer"
answer_wq1 = None  # a number
### BEGIN SOLUTION
answer_wq1 = (100 * 4096) ** 2
### END SOLUTION

# %% id="check_wq1"
# Checks the form of the answer only: whether it is right is graded by hidden tests.
assert isinstance(answer_wq1, (int, float)) and not isinstance(answer_wq1, bool), (
    f"answer_wq1 must be a number, not {answer_wq1!r}")
print(f"answer_wq1 = {answer_wq1:g}: a number")

# %% id="wq1_jacobian_entries_test" kind="tests" points=1
assert isinstance(answer_wq1, (int, float)) and not isinstance(answer_wq1, bool)
### BEGIN HIDDEN TESTS
assert abs(answer_wq1 - 409600**2) <= 0.05e11  # two significant figures: 1.7e11
### END HIDDEN TESTS

# %% [markdown] id="wq2_question"
# ### Written question 2 (3 points, graded by hand): when is a Jacobian a mask? The softmax's
#
# The ReLU's Jacobian is diagonal, which is why a mask can replace it. The **softmax (소프트맥스)**, which
# section 5 turns into a loss, maps $C$ scores $s$ to $C$ probabilities $p_i = e^{s_i} / \sum_k e^{s_k}$.
# The cell below computes its Jacobian with your `numerical_jacobian` at the cat image's scores
# $(3.2, 5.1, -1.7)$ and at random scores, and prints the sums of its rows and of its columns.
# Run it, then answer:
#
# 1. Is the softmax's Jacobian diagonal like the ReLU's? Say why, from the forward pass.
# 2. Every row sums to 0. Why must it, for any scores?
# 3. Every column sums to 0. Why must it, for any scores?
#
# Write your answer in the cell after the experiment (a few sentences; one reason per part is enough).

# %% id="demo_softmax_jacobian"
def softmax(v):
    """The probabilities of the scores v (C,); small scores only (no max-shift)."""
    e = np.exp(v)
    return e / e.sum()


for scores in [np.array([3.2, 5.1, -1.7]), np.random.default_rng(1).normal(size=4)]:
    J = numerical_jacobian(softmax, scores)
    print(f"scores {scores}\nJacobian of the softmax:\n{J}")
    print(f"row sums    {J.sum(axis=1)}\ncolumn sums {J.sum(axis=0)}\n")

# %% [markdown] id="wq2_relu_jacobian_never_formed" kind="written" points=3
# **Your answer:**
#
# ### BEGIN SOLUTION
# *Model answer.* 1. No: every probability divides by the same sum of all the exponentials, so every p_i
# depends on every score s_j, and the off-diagonal entries are non-zero (negative: raising one score takes
# probability from all the others). 2. Adding the same number to every score changes no probability (the
# common factor cancels between numerator and sum), so moving all the scores together moves no output: each
# row, the change of p_i when all scores move by one unit, is 0. 3. The probabilities sum to 1 whatever the
# scores, so a change in one score s_j cannot change their total: each column sums to 0.
#
# RUBRIC (3 points)
# - 1 point: not diagonal, because each p_i depends on every score through the shared normalizing sum (an
#   answer that calls it diagonal, or the softmax elementwise, gets 0 here)
# - 1 point: rows: adding one constant to all the scores leaves every probability unchanged (shift
#   invariance; the max-shift of section 5 rests on it). The Jacobian's symmetry together with the column
#   argument also earns this point.
# - 1 point: columns: the probabilities always sum to 1, so no change of one score can change their total
# One reason per part suffices. A wrong extra claim in a part (e.g. "the diagonal entries are 0 or 1") costs
# that part's point; a wrong claim outside the three parts costs nothing.
# ### END SOLUTION

# %% [markdown] id="wx_squared_example"
# ## 2. The lecture's example: $f(x, W) = \lVert W x \rVert^2$
#
# Take $x \in \mathbb{R}^D$, $W \in \mathbb{R}^{M \times D}$ and
#
# $$q = W x \in \mathbb{R}^M, \qquad f = \lVert q \rVert^2 = \sum_i q_i^2 .$$
#
# The lecture works it out for
# $W = \begin{pmatrix} 0.1 & 0.5 \\ -0.3 & 0.8 \end{pmatrix}$, $x = \begin{pmatrix} 0.2 \\ 0.4 \end{pmatrix}$:
# forward, $q = (0.22,\ 0.26)$ and $f = 0.22^2 + 0.26^2 = 0.116$. The backward pass is yours, one node at a
# time. Answer on paper, then compute the lecture's numbers by hand; the check cell compares them.
#
# 1. **The last node**, $f = \sum_i q_i^2$. What is $\partial f / \partial q_i$? Write
#    $\partial f / \partial q$ as one vector, and evaluate it at the lecture's $q$.
# 2. **$W$.** $q_k = \sum_j W_{kj} x_j$. For which $k$ does $q_k$ depend on $W_{ij}$, and what is
#    $\partial q_k / \partial W_{ij}$ then? By the chain rule, $\partial f / \partial W_{ij}$ is a sum over
#    $k$ in which a single term survives: which one? Now write all $M \times D$ entries as one matrix
#    expression in $\partial f / \partial q$ and $x$.
# 3. **$x$.** Which of the $q_k$ depend on $x_i$, and with what $\partial q_k / \partial x_i$? This time no
#    term of the sum over $k$ vanishes. Write $\partial f / \partial x$ as one matrix–vector product.
#
# <details><summary>Hint for 1</summary>$q_i^2 = q_i \cdot q_i$ is a multiply gate whose two inputs are the
# same value: the switcher hands each copy the other, and at the branch the two gradients add
# (notebook 02).</details>
#
# <details><summary>Hint for 2 and 3</summary>A sum over a shared index, $\sum_k A_{ki} b_k$, is a product
# of a matrix and a vector; which index of $A$ it runs over tells you whether $A$ or its transpose appears.
# $x_i$ is used by every $q_k$: a branch, so its gradients add.</details>
#
# ### The shape rule, your compass
#
# Index bookkeeping like this gets long for bigger expressions. A shortcut that almost always finds the
# formula: **a gradient has the shape of its variable (모양 규칙)**. $\partial f / \partial W$ must be
# $M \times D$ like $W$, $\partial f / \partial x$ must have $D$ entries like $x$. Then ask *which product of
# the matrices you have has the right shape?*
#
# | want | shape | available | which product of these has that shape? |
# | --- | --- | --- | --- |
# | $\partial f/\partial W$ | $M \times D$ | $\partial f/\partial q$ ($M$), $x$ ($D$) | two vectors that make a matrix: an **outer product (외적)**, in which order? |
# | $\partial f/\partial x$ | $D$ | $W$ ($M \times D$), $\partial f/\partial q$ ($M$) | a matrix times a vector, with a **transpose (전치)** or without? |
#
# The rule does not replace the derivation, but when your gradient comes out transposed or refuses to
# multiply, it tells you at once. Check it on small *non-square* shapes: with $M = D$ a missing transpose
# still runs and silently gives the wrong numbers.


# %% [markdown] id="exercise_q2"
# ### Exercise 2 (2 points): the gradients of $\lVert W x \rVert^2$
#
# The forward pass is written. Compute $\partial f / \partial q$, $\partial f / \partial W$ and
# $\partial f / \partial x$ from your answers to 1–3, for any shapes $W$: $(M, D)$, $x$: $(D,)$, with matrix
# products (no loops). The hidden tests use other values and non-square $W$.

# %% id="q2_wx_squared" kind="answer"
def wx_squared(W, x):
    """f = ||W x||^2 and its gradients.

    W: (M, D);  x: (D,)
    Returns f (float), df/dq (M,), df/dW (M, D), df/dx (D,), where q = W x.
    """
    q = W @ x  # (M,)
    f = float(np.sum(q**2))
    dq = dW = dx = None
    ### BEGIN SOLUTION
    dq = 2.0 * q  # (M,)
    dW = np.outer(dq, x)  # (M, D): the outer product df/dq x^T
    dx = W.T @ dq  # (D,): W^T df/dq
    ### END SOLUTION
    return f, dq, dW, dx


# %% id="check_q2"
# Check 1: the lecture's W and x, against numerical gradients (the numbers of the lecture's slide).
# Threshold: relative error < 1e-8 (a quadratic: the centered difference is exact up to rounding).
W = np.array([[0.1, 0.5], [-0.3, 0.8]])
x = np.array([0.2, 0.4])
f, dq, dW, dx = wx_squared(W.copy(), x.copy())  # copies: W and x stay as they are for the checks
q = W @ x
print(f"q = {q},  f = {f:.3f}")
print(f"df/dq = {dq}\ndf/dW =\n{dW}\ndf/dx = {dx}")
assert abs(f - 0.116) < 1e-12, "the forward pass is given: did you change it?"
dq_num = eval_numerical_gradient(lambda q_: np.sum(q_**2), q.copy())
assert check_gradient(dq, dq_num, threshold=1e-8, name="df/dq").passed, "the last node: see the diagnosis above"
dW_num = eval_numerical_gradient(lambda W_: np.sum((W_ @ x) ** 2), W.copy())
dx_num = eval_numerical_gradient(lambda x_: np.sum((W @ x_) ** 2), x.copy())
if np.shape(dx) == (2,) and np.allclose(dx, W @ dq):
    raise AssertionError("df/dx: transposed, W where the sum over k runs over the other index of W")
ok = check_gradient(dW, dW_num, threshold=1e-8, name="df/dW").passed
ok &= check_gradient(dx, dx_num, threshold=1e-8, name="df/dx").passed
assert ok, "see the diagnosis above (a factor 1/2 everywhere starts at df/dq)"

# Check 2: a non-square W (M = 3, D = 4) against numerical gradients. Threshold: relative error < 1e-8.
rng = np.random.default_rng(2)
W, x = rng.normal(size=(3, 4)), rng.normal(size=4)
f, dq, dW, dx = wx_squared(W.copy(), x.copy())
dW_num = eval_numerical_gradient(lambda W_: np.sum((W_ @ x) ** 2), W.copy())
dx_num = eval_numerical_gradient(lambda x_: np.sum((W @ x_) ** 2), x.copy())
ok = check_gradient(dW, dW_num, threshold=1e-8, name="dW").passed
ok &= check_gradient(dx, dx_num, threshold=1e-8, name="dx").passed
assert ok, "see the diagnosis above: a gradient has the shape of its variable"

# %% id="q2_wx_squared_test" kind="tests" points=2
_f, _dq, _dW, _dx = wx_squared(np.array([[0.1, 0.5], [-0.3, 0.8]]), np.array([0.2, 0.4]))
assert abs(_f - 0.116) < 1e-12
assert np.allclose(_dq, [0.44, 0.52]) and np.allclose(_dx, [-0.112, 0.636])
assert np.allclose(_dW, [[0.088, 0.176], [0.104, 0.208]])
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(32)
for _M, _D in [(2, 2), (3, 5), (4, 2), (1, 3)]:
    _W, _x = _rng.normal(size=(_M, _D)), _rng.normal(size=_D)
    _f, _dq, _dW, _dx = wx_squared(_W.copy(), _x.copy())
    assert np.shape(_dq) == (_M,) and np.shape(_dW) == (_M, _D) and np.shape(_dx) == (_D,)
    assert rel_error(_dq, 2 * _W @ _x) < 1e-12
    _dW_num = eval_numerical_gradient(lambda a: np.sum((a @ _x) ** 2), _W.copy())
    _dx_num = eval_numerical_gradient(lambda a: np.sum((_W @ a) ** 2), _x.copy())
    assert rel_error(_dW, _dW_num) < 1e-7, (_M, _D)
    assert rel_error(_dx, _dx_num) < 1e-7, (_M, _D)
### END HIDDEN TESTS

# %% [markdown] id="wx_squared_pictured"
# Your two matrix gradients as products of shapes, with $M = 3$ outputs and $D = 4$ inputs: each is the only
# arrangement of the available arrays whose shapes fit.

# %% id="fig_shape_rule"
def show_shape_products(products, title):
    """Draw each product 'C = A · B' as blocks, one unit square per matrix entry.

    products: list of rows [(name, (rows, cols), color), ...], the result first. Returns the Figure.
    """
    blocks, symbols, top, right = [], [], 0.0, 0.0
    for terms in products:
        height = max(shape[0] for _, shape, _ in terms)
        mid, left = top - 1.0 - height / 2, 0.0  # 1 unit above the blocks for their names
        for k, (name, (rows, cols), color) in enumerate(terms):
            blocks.append((name, left, mid, rows, cols, color))
            left += cols
            if k < len(terms) - 1:
                symbols.append(("=" if k == 0 else "·", left + 0.7, mid))
                left += 1.4
        right, top = max(right, left), mid - height / 2 - 1.0
    fig, ax = plt.subplots(figsize=(0.42 * (right + 0.6), 0.42 * -top + 0.5), layout="constrained")
    plt.close(fig)  # shown once, as the value of the cell
    for name, left, mid, rows, cols, color in blocks:
        ax.add_patch(Rectangle((left, mid - rows / 2), cols, rows, fc=color, ec="0.25", lw=1.2))
        ax.text(left + cols / 2, mid + rows / 2 + 0.15, name, ha="center", va="bottom", fontsize=12)
        ax.text(left + cols / 2, mid - rows / 2 - 0.15, f"{rows} × {cols}", ha="center", va="top",
                fontsize=10)
    for symbol, x_, y_ in symbols:
        ax.text(x_, y_, symbol, ha="center", va="center", fontsize=22)
    ax.set(xlim=(-0.3, right + 0.3), ylim=(top, 0.2), aspect="equal", title=title)
    ax.axis("off")
    return fig


GRAD, PARAM, DATA = "#f4c7c3", "#dbe9f6", "#e2f0d9"
show_shape_products(
    [[("∂f/∂W", (3, 4), GRAD), ("∂f/∂q", (3, 1), GRAD), ("xᵀ", (1, 4), DATA)],
     [("∂f/∂x", (4, 1), GRAD), ("Wᵀ", (4, 3), PARAM), ("∂f/∂q", (3, 1), GRAD)]],
    "The shape rule with M = 3 outputs and D = 4 inputs",
)


# %% [markdown] id="affine_layer"
# ## 3. The affine layer
#
# A **fully connected (완전 연결)** or **affine layer (아핀 층)** maps a batch of $N$ inputs to $M$ outputs:
#
# $$\text{out} = x\,w + b, \qquad x \in \mathbb{R}^{N \times D},\; w \in \mathbb{R}^{D \times M},\;
# b \in \mathbb{R}^{M},\; \text{out} \in \mathbb{R}^{N \times M}.$$
#
# Each row of $x$ is one example (a row vector, so here it is $x\,w$ rather than $W x$). Inputs often come
# with more axes, e.g. images of shape $(N, d_1, d_2)$; the layer treats each example as one long vector
# of $D = d_1 \cdots d_k$ numbers: reshape it to $(N, D)$ first (numpy's `reshape` accepts `-1` for the one
# axis length it can infer).
# The vector $b$ is added to every row: numpy **broadcasts (브로드캐스팅)** it.
#
# In the CS231n style every layer is a pair:
#
# * `out, cache = affine_forward(x, w, b)`: the output, and in `cache` exactly what the backward pass needs;
# * `dx, dw, db = affine_backward(dout, cache)`: given the upstream gradient `dout` $= \partial L / \partial \text{out}$
#   (shaped like `out`), one gradient per input, **each shaped like that input**.
#
# ### Exercise 3 (2 points): `affine_forward`

# %% id="q3_affine_forward" kind="answer"
def affine_forward(x, w, b):
    """Affine (fully connected) layer: every example flattened to D numbers, times w, plus b.

    x: (N, d_1, ..., d_k) input, D = d_1 * ... * d_k
    w: (D, M) weights;  b: (M,) biases
    Returns out (N, M) and cache (x, w, b) for the backward pass.
    """
    out = None
    ### BEGIN SOLUTION
    out = x.reshape(x.shape[0], -1) @ w + b
    ### END SOLUTION
    cache = (x, w, b)
    return out, cache


# %% id="check_q3"
# Check: 2 examples of shape (4, 5, 6) (D = 120) into 3 outputs, against a loop over examples and outputs.
# Threshold: relative error < 1e-12 (the same sums in another order).
with course_versions_disabled("affine_forward"):  # checks your own code: the course's versions refuse to run here
    N, input_shape, M = 2, (4, 5, 6), 3
    D = int(np.prod(input_shape))
    x = np.linspace(-0.1, 0.5, num=N * D).reshape(N, *input_shape)
    w = np.linspace(-0.2, 0.3, num=D * M).reshape(D, M)
    b = np.linspace(-0.3, 0.1, num=M)
    expected = np.array([[np.sum(x[n].ravel() * w[:, m]) + b[m] for m in range(M)] for n in range(N)])
    try:
        out, _ = affine_forward(x, w, b)
    except ValueError as error:  # x of shape (2, 4, 5, 6) times w of shape (120, 3)
        raise AssertionError(f"{error}: each example must be one row of D = 120 numbers first") from error
    print("out =\n", out, "\nexpected =\n", expected)
    assert np.shape(out) == (N, M), f"out must be (N, M) = {(N, M)}, got {np.shape(out)}: reshape x to (N, D)"
    assert rel_error(out, expected) < 1e-12, (
        "the bias is missing" if np.allclose(out, expected - b) else
        f"out differs from the loop over examples (relative error {rel_error(out, expected):.1e}): is each "
        "example flattened in its own row order (not a reshape to (D, N) transposed)?")

# %% id="q3_affine_forward_test" kind="tests" points=2
_x = np.linspace(-0.1, 0.5, num=240).reshape(2, 4, 5, 6)
_w = np.linspace(-0.2, 0.3, num=360).reshape(120, 3)
_b = np.linspace(-0.3, 0.1, num=3)
_out, _ = affine_forward(_x, _w, _b)
assert np.allclose(_out, [[1.49834967, 1.70660132, 1.91485297], [3.25553199, 3.5141327, 3.77273342]])
### BEGIN HIDDEN TESTS
import cs231n_course.reference.layers as _layers
from cs231n_utils.testing import reference_disabled
_rng = np.random.default_rng(33)
_cases = []
for _shape, _M in [((2, 3, 4, 5), 7), ((1, 6), 4), ((5, 3), 2), ((3, 2, 2), 1)]:
    _x = _rng.normal(size=_shape)
    _D = int(np.prod(_shape[1:]))
    _w, _b = _rng.normal(size=(_D, _M)), _rng.normal(size=_M)
    _want = np.einsum("nd,dm->nm", _x.reshape(_shape[0], _D), _w) + _b
    _cases.append((_x, _w, _b, _want))
with reference_disabled(_layers.affine_forward):
    for _x, _w, _b, _want in _cases:
        _out, _cache = affine_forward(_x, _w, _b)
        assert np.shape(_out) == _want.shape, (np.shape(_out), _want.shape)
        assert rel_error(_out, _want) < 1e-10
### END HIDDEN TESTS

# %% [markdown] id="affine_backward_shapes"
# ### The backward pass, by the shape rule
#
# $\text{out}_{nm} = \sum_d x_{nd} w_{dm} + b_m$. Following the index of each variable (as for $\lVert Wx \rVert^2$)
# or simply the shape rule:
#
# | want | shape | made from | what to work out |
# | --- | --- | --- | --- |
# | `dx` | $N \times D$ | `dout` $(N \times M)$ and $w$ $(D \times M)$ | which product of these two (with transposes as needed) is $N \times D$? Then bring it back to $x$'s shape $(N, d_1, \dots, d_k)$ |
# | `dw` | $D \times M$ | $x$ as $(N \times D)$ and `dout` $(N \times M)$ | which product is $D \times M$? Check that it sums over the $N$ examples, as a weight shared by all examples must |
# | `db` | $M$ | `dout` | $b$ is used by all $N$ rows: what happens to gradients where a value branches? |
#
# Check one entry by the index route: $\partial L/\partial w_{dm} = \sum_n \text{dout}_{nm}\, \partial
# \text{out}_{nm}/\partial w_{dm}$; what is that partial derivative? The `db` row is an instance of a
# general rule worth remembering: **a broadcast in the forward pass is a sum in the backward pass.**
#
# <details><summary>Hint</summary>For a product of an $(a \times b)$ and a $(b \times c)$ matrix the shared
# size $b$ is summed over. For `dx`, the size that must be summed is $M$; for `dw`, it is $N$.</details>

# %% [markdown] id="exercise_q4"
# ### Exercise 4 (3 points): `affine_backward`
#
# Use only what is in `cache`; `dx` must come back in the shape of the original `x`.

# %% id="q4_affine_backward" kind="answer"
def affine_backward(dout, cache):
    """Backward pass of affine_forward.

    dout: (N, M) upstream gradient;  cache: (x, w, b) from affine_forward
    Returns dx (N, d_1, ..., d_k), dw (D, M), db (M,).
    """
    x, w, b = cache
    dx = dw = db = None
    ### BEGIN SOLUTION
    x2d = x.reshape(x.shape[0], -1)  # (N, D)
    dx = (dout @ w.T).reshape(x.shape)  # (N, D) -> x's shape
    dw = x2d.T @ dout  # (D, M)
    db = dout.sum(axis=0)  # (M,): b was broadcast over the N rows
    ### END SOLUTION
    return dx, dw, db


# %% id="check_q4"
# Gradient check on arrays: eval_numerical_gradient_array(f, a, dout) differentiates sum(f(a) * dout).
# Threshold: relative error < 1e-8 (float64, no kinks; measured here: about 4e-10 at worst).
with course_versions_disabled("affine_backward"):  # checks your own code: the course's versions refuse to run here
    rng = np.random.default_rng(4)
    x = rng.normal(size=(10, 2, 3))
    w = rng.normal(size=(6, 5))
    b = rng.normal(size=5)
    dout = rng.normal(size=(10, 5))
    dx_num = eval_numerical_gradient_array(lambda x_: x_.reshape(10, -1) @ w + b, x, dout)
    dw_num = eval_numerical_gradient_array(lambda w_: x.reshape(10, -1) @ w_ + b, w, dout)
    db_num = eval_numerical_gradient_array(lambda b_: x.reshape(10, -1) @ w + b_, b, dout)
    try:
        dx, dw, db = affine_backward(dout, (x, w, b))
    except ValueError as error:  # a product whose shapes do not fit
        raise AssertionError(f"{error}: dout is (10, 5), w is (6, 5) and x is (10, 6) once flattened; which "
                             "product of two of them has the shape of the gradient you compute?") from error
    assert np.shape(dw) != (5, 6), "dw is transposed: it has the shape of w, (6, 5)"
    assert np.shape(db) != (10,), "db has one entry per example: summed over the wrong axis (b has one per output)"
    results = [check_gradient(dx, dx_num, threshold=1e-8, name="dx"),
               check_gradient(dw, dw_num, threshold=1e-8, name="dw"),
               check_gradient(db, db_num, threshold=1e-8, name="db")]
    assert all(r.passed for r in results), "see the diagnosis above (this batch has N = 10 examples)"
    assert not np.allclose(affine_backward(dout, (2 * x, w, b))[1], dw), \
        "dw ignores the x in the cache: take every array from the cache, not from the notebook"

# %% id="q4_affine_backward_test" kind="tests" points=3
_rng = np.random.default_rng(40)
_x, _w = _rng.normal(size=(4, 2, 3)), _rng.normal(size=(6, 5))
_b, _dout = _rng.normal(size=5), _rng.normal(size=(4, 5))
_dx_num = eval_numerical_gradient_array(lambda a: a.reshape(4, -1) @ _w + _b, _x, _dout)
_dw_num = eval_numerical_gradient_array(lambda a: _x.reshape(4, -1) @ a + _b, _w, _dout)
_db_num = eval_numerical_gradient_array(lambda a: _x.reshape(4, -1) @ _w + a, _b, _dout)
_dx, _dw, _db = affine_backward(_dout, (_x, _w, _b))
assert np.shape(_dx) == (4, 2, 3) and np.shape(_dw) == (6, 5) and np.shape(_db) == (5,)
assert rel_error(_dx, _dx_num) < 1e-8 and rel_error(_dw, _dw_num) < 1e-8 and rel_error(_db, _db_num) < 1e-8
### BEGIN HIDDEN TESTS
import cs231n_course.reference.layers as _layers
from cs231n_utils.testing import reference_disabled
_rng = np.random.default_rng(41)
_cases = []
for _shape, _M in [((2, 3, 4, 5), 7), ((1, 6), 4), ((3, 2, 2), 1), ((5, 3), 3)]:
    _x = _rng.normal(size=_shape)
    _N, _D = _shape[0], int(np.prod(_shape[1:]))
    _w, _b, _dout = _rng.normal(size=(_D, _M)), _rng.normal(size=_M), _rng.normal(size=(_N, _M))
    _fx = lambda a, _w=_w, _b=_b, _N=_N: a.reshape(_N, -1) @ _w + _b
    _fw = lambda a, _x=_x, _b=_b, _N=_N: _x.reshape(_N, -1) @ a + _b
    _fb = lambda a, _x=_x, _w=_w, _N=_N: _x.reshape(_N, -1) @ _w + a
    _num = (eval_numerical_gradient_array(_fx, _x, _dout), eval_numerical_gradient_array(_fw, _w, _dout),
            eval_numerical_gradient_array(_fb, _b, _dout))
    # two forward passes before the backward pass: only the first one's cache may be used
    _, _cache = _layers.affine_forward(_x, _w, _b)
    _layers.affine_forward(_x[::-1] * 2.0 + 1.0, _w * 3.0, _b - 1.0)
    _cases.append((_dout, _cache, _num))
with reference_disabled(_layers.affine_backward):
    for _dout, _cache, _num in _cases:
        _grads = affine_backward(_dout, _cache)
        for _g, _n in zip(_grads, _num, strict=True):
            assert np.shape(_g) == np.shape(_n), (np.shape(_g), np.shape(_n))
            assert rel_error(_g, _n) < 1e-6  # small entries of dw carry ~1e-8 of rounding noise
### END HIDDEN TESTS

# %% [markdown] id="affine_backward_pictured"
# Your three gradients as products of shapes (each one is the only arrangement whose shapes fit):

# %% id="fig_affine_backward_shapes"
show_shape_products(
    [[("dx", (4, 6), GRAD), ("dout", (4, 3), GRAD), ("wᵀ", (3, 6), PARAM)],
     [("dw", (6, 3), GRAD), ("xᵀ", (6, 4), DATA), ("dout", (4, 3), GRAD)],
     [("db", (1, 3), GRAD), ("1ᵀ", (1, 4), "#eeeeee"), ("dout", (4, 3), GRAD)]],
    "Affine backward with N = 4 examples, D = 6 inputs, M = 3 outputs (1ᵀ · dout sums the rows)",
)

# %% [markdown] id="relu_layer"
# ## 4. The ReLU layer
#
# $\text{out} = \max(0, x)$ elementwise, for $x$ of any shape, and the cache is $x$ itself. Section 1 gave
# you its Jacobian and the reason never to form it; the backward pass is the product
# $J^\top \cdot \text{dout}$ computed without $J$. Which entries of `dout` does that product keep, which does
# it change, and to what? Which of notebook 02's gates does the ReLU behave like in the backward pass?
#
# Two rules that hold for every layer: **never change the arrays you are given** (the caller, or a cache,
# may still need `x` and `dout`), and the backward pass **multiplies by `dout`**, it does not replace it.
#
# ### Exercise 5 (2 points): `relu_forward` and `relu_backward`

# %% id="q5_relu" kind="answer"
def relu_forward(x):
    """ReLU: out = max(0, x), elementwise. x: any shape. Returns out (same shape) and cache x."""
    out = None
    ### BEGIN SOLUTION
    out = np.maximum(0, x)
    ### END SOLUTION
    cache = x
    return out, cache


def relu_backward(dout, cache):
    """dout: upstream gradient, any shape; cache: x from relu_forward. Returns dx, same shape."""
    x = cache
    dx = None
    ### BEGIN SOLUTION
    dx = dout * (x > 0)  # the diagonal Jacobian, as a mask
    ### END SOLUTION
    return dx


# %% id="check_q5"
# Check 1: the forward pass on 12 inputs from -0.5 to 0.5 (exact: no arithmetic, only a choice).
with course_versions_disabled("relu_forward", "relu_backward"):  # checks your own code: the course's versions refuse to run here
    x = np.linspace(-0.5, 0.5, num=12).reshape(3, 4)
    x_before = x.copy()
    out, _ = relu_forward(x)
    print("out =\n", out)
    assert np.shape(out) == x.shape, f"out must have x's shape {x.shape}, got {np.shape(out)}"
    assert np.array_equal(out, np.where(x > 0, x, 0.0)), "out = max(0, x) elementwise: np.maximum, not np.max"
    assert np.array_equal(x, x_before), "relu_forward changed its input x in place: compute a new array"

    # Check 2: gradient check of the backward pass (inputs kept away from the kink at 0).
    # Threshold: relative error < 1e-10 (ReLU is linear on each side of 0).
    rng = np.random.default_rng(5)
    x = rng.normal(size=(6, 7))
    dout = rng.normal(size=(6, 7))
    dout_before = dout.copy()
    dx = relu_backward(dout, x)
    assert np.array_equal(dout, dout_before), "relu_backward changed dout in place: compute a new array"
    assert not np.allclose(relu_backward(3 * dout, x), dx), \
        "dx does not change when dout triples: the upstream gradient is missing"
    dx_num = eval_numerical_gradient_array(lambda x_: np.maximum(0, x_), x, dout)
    assert check_gradient(dx, dx_num, threshold=1e-10, name="dx").passed, (
        "see the diagnosis above: which input decides where the gradient passes, x or dout?")

# %% id="q5_relu_test" kind="tests" points=2
_x = np.linspace(-0.5, 0.5, num=12).reshape(3, 4)
_dout = np.arange(12.0).reshape(3, 4) - 5.5
_out_want, _dx_want = np.where(_x > 0, _x, 0.0), np.where(_x > 0, _dout, 0.0)
assert np.array_equal(relu_forward(_x.copy())[0], _out_want)
assert np.array_equal(relu_backward(_dout, _x), _dx_want)
### BEGIN HIDDEN TESTS
import cs231n_course.reference.layers as _layers
from cs231n_utils.testing import in_place, reference_disabled  # in_place: what the function does to its input
_rng = np.random.default_rng(50)
_cases = []
for _shape in [(2, 3, 4, 5), (1, 6), (4,), (3, 1, 2)]:
    _x = _rng.normal(size=_shape)
    _x[np.abs(_x) < 1e-3] = 0.5  # away from the kink
    _dout = _rng.normal(size=_shape)
    _cases.append((_x, _dout, np.where(_x > 0, _x, 0.0),
                   eval_numerical_gradient_array(lambda a: np.maximum(0, a), _x, _dout)))
with reference_disabled(_layers.relu_forward, _layers.relu_backward):
    for _x, _dout, _out_want, _dx_num in _cases:
        _x0, _d0 = in_place(_x).copy(), in_place(_dout).copy()  # changes to _x, _dout come back
        _out, _cache = relu_forward(_x)
        assert np.shape(_out) == _x.shape
        assert np.array_equal(_out, _out_want)
        assert np.array_equal(_x, _x0), "relu_forward changed its input"
        _dx = relu_backward(_dout, _x)
        assert np.shape(_dx) == _x.shape
        assert rel_error(_dx, _dx_num) < 1e-10
        assert np.array_equal(_dout, _d0), "relu_backward changed dout"
### END HIDDEN TESTS

# %% [markdown] id="jacobian_against_relu_backward"
# Section 1's 4096-unit layer once more: the product with the full Jacobian against your `relu_backward`,
# which holds the same information in the cached input. Both must give the same numbers.

# %% id="demo_jacobian_against_relu_backward"
rng = np.random.default_rng(0)
x = rng.normal(size=4096)      # the input of a 4096-unit ReLU layer
dout = rng.normal(size=4096)   # the upstream gradient dL/dy
J = relu_jacobian(x)           # (4096, 4096), 128 MiB
t0 = time.perf_counter()
dx_matrix = J.T @ dout
t_matrix = time.perf_counter() - t0
t0 = time.perf_counter()
dx_yours = relu_backward(dout, x)
t_yours = time.perf_counter() - t0
print(f"J.T @ dout: {t_matrix * 1e3:.2f} ms;  your relu_backward: {t_yours * 1e3:.3f} ms "
      f"({t_matrix / t_yours:.0f}x faster, and no 128 MiB to build first)")
# Exactly equal: each entry of J.T @ dout is one entry of dout times 0 or 1, plus zeros.
assert np.array_equal(dx_matrix, dx_yours), "relu_backward must equal the product with the Jacobian"
del J, dx_matrix  # give the 128 MiB back

# %% [markdown] id="vectorized_losses"
# ## 5. Vectorized losses
#
# The losses of notebook 02, now for a whole batch at once. The scores are a matrix $x \in \mathbb{R}^{N \times C}$
# (row $i$: the $C$ class scores of example $i$), the labels $y \in \{0, \dots, C-1\}^N$, and the loss is the
# average over the batch, $L = \frac1N \sum_i L_i$; so every entry of `dx` carries a factor $\frac1N$.
# **Vectorized (벡터화)** code has no Python loop over the examples: it works on whole arrays, and the loops
# run inside numpy's compiled code. Two tools do most of the work:
#
# * `x[np.arange(N), y]`: the score of the correct class of every example, shape $(N,)$
#   (**fancy indexing (팬시 인덱싱)**); the same expression on the left of `=` or `-=` writes one entry per row;
# * `keepdims=True` (or `[:, None]`) keeps a per-row quantity as an $(N, 1)$ column that broadcasts against $(N, C)$.
#
# ### The multiclass SVM loss
#
# With margin $\Delta = 1$, a **hinge loss (힌지 손실)** for each wrong class:
#
# $$L_i = \sum_{j \ne y_i} \max(0,\; x_{ij} - x_{i y_i} + 1),$$
#
# and you derived its gradient with respect to the scores in notebook 02 (section 3). What changes now is
# only the bookkeeping: one row per example, and the factor $\frac1N$ of the average. The lecture's example:
# three images with scores
#
# | | cat image | car image | frog image |
# | --- | --- | --- | --- |
# | cat | **3.2** | 1.3 | 2.2 |
# | car | 5.1 | **4.9** | 2.5 |
# | frog | -1.7 | 2.0 | **-3.1** |
#
# have losses $\max(0, 5.1 - 3.2 + 1) + \max(0, -1.7 - 3.2 + 1) = 2.9$, then $0$ and $12.9$: on average
# $L = (2.9 + 0 + 12.9) / 3 = 5.27$.
#
# ### Exercise 6 (3 points): `svm_loss`, vectorized
#
# Build the $(N, C)$ matrix of margins in one expression and leave the correct classes out of it; then the
# gradient, row by row as in notebook 02 but for all rows at once. No loop over examples (a loop over
# nothing else either).
#
# <details><summary>Hint</summary>The correct class's entry in each row collects something from every
# positive margin of that row: a sum along one axis, written back with fancy indexing.</details>

# %% id="q6_svm_loss" kind="answer"
def svm_loss(x, y):
    """Multiclass SVM (hinge) loss with margin 1, averaged over the batch.

    x: (N, C) scores;  y: (N,) labels in 0..C-1
    Returns loss (float) and dx (N, C).
    """
    N = x.shape[0]
    loss, dx = None, None
    ### BEGIN SOLUTION
    rows = np.arange(N)
    correct = x[rows, y][:, None]  # (N, 1)
    margins = np.maximum(0, x - correct + 1.0)  # (N, C)
    margins[rows, y] = 0  # the correct class is not a margin
    loss = margins.sum() / N
    dx = (margins > 0).astype(float)  # d L_i / d x_ij = 1 for every positive margin
    dx[rows, y] = -dx.sum(axis=1)  # the correct score appears in all of them, with a minus
    dx /= N
    ### END SOLUTION
    return loss, dx


# %% id="check_q6"
# Check 1: the lecture's three images (rows: cat, car, frog images; columns: cat, car, frog scores).
with course_versions_disabled("svm_loss"):  # checks your own code: the course's versions refuse to run here
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    labels = np.array([0, 1, 2])
    loss, dx = svm_loss(scores.copy(), labels)
    print(f"loss = {loss:.4f} (lecture: (2.9 + 0 + 12.9) / 3 = 5.27)")
    assert abs(loss - 15.8 / 3) < 1e-12, (
        f"loss {loss:.4f}: " + ("the sum over the batch, not the average (missing 1/N)" if abs(loss - 15.8) < 1e-9
                                else "1 too much per example: the correct class counted as a margin"
                                if abs(loss - 18.8 / 3) < 1e-9 else "the margin Delta = 1 is missing"
                                if abs(loss - 12.8 / 3) < 1e-9 else "compare with the loss formula above"))
    graph_dx = np.array([[-1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, -2.0]]) / 3  # notebook 02's graphs, / N
    if not np.allclose(dx, graph_dx):
        correct = np.eye(3, dtype=bool)[labels]  # the correct class's entry of each row
        raise AssertionError(f"dx =\n{dx}\n" + (
            "3 times too large: the 1/N of the average is missing" if np.allclose(dx, 3 * graph_dx)
            else "sign flipped" if np.allclose(dx, -graph_dx)
            else "only the correct classes' entries are off: each collects one share per positive margin of its "
                 "own row (a sum along which axis?), with the sign of the score it is subtracted as"
            if np.allclose(dx[~correct], graph_dx[~correct])
            else "the wrong classes' entries are off: the mask of positive margins, with the correct class left out?"))

    # Check 2: with all scores about 0, every margin is about 1, so the loss is about C - 1.
    rng = np.random.default_rng(6)
    loss0, _ = svm_loss(0.001 * rng.normal(size=(100, 10)), rng.integers(10, size=100))
    print(f"tiny scores, C = 10: loss = {loss0:.3f} (about C - 1 = 9)")
    assert abs(loss0 - 9) < 0.05, "with scores near 0, each of the C - 1 wrong classes contributes about 1"

    # Check 3: gradient check on random scores (no margin near the kink at 0).
    # Threshold: relative error < 1e-8 (the loss is linear between kinks; measured: about 1e-9).
    x = rng.normal(size=(20, 5))
    y = rng.integers(5, size=20)
    dx_num = eval_numerical_gradient(lambda x_: svm_loss(x_, y)[0], x.copy())
    loss, dx = svm_loss(x.copy(), y)
    assert check_gradient(dx, dx_num, threshold=1e-8, name="dx").passed, "see the diagnosis above"

# %% id="q6_svm_loss_test" kind="tests" points=3
_loss, _dx = svm_loss(np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]), np.array([0, 1, 2]))
assert abs(_loss - 15.8 / 3) < 1e-12
assert np.allclose(_dx, np.array([[-1, 1, 0], [0, 0, 0], [1, 1, -2]]) / 3)
### BEGIN HIDDEN TESTS
import cs231n_course.reference.layers as _layers
from cs231n_utils.testing import in_place, reference_disabled  # in_place: what the function does to its input
_rng = np.random.default_rng(60)
_cases = []
for _N, _C, _scale in [(1, 4, 1.0), (7, 3, 2.0), (30, 10, 1.0), (5, 6, 100.0)]:
    _x = _rng.normal(size=(_N, _C)) * _scale
    _y = _rng.integers(_C, size=_N)
    _m = _x - _x[np.arange(_N), _y][:, None] + 1
    _m[np.arange(_N), _y] = -1
    _x[np.abs(_m) < 1e-3] += 0.01  # away from the kinks
    _want = sum(max(0.0, _x[_i, _j] - _x[_i, _y[_i]] + 1)
                for _i in range(_N) for _j in range(_C) if _j != _y[_i]) / _N
    _num = eval_numerical_gradient(lambda a, _y=_y: _layers.svm_loss(a, _y)[0], _x.copy())
    _cases.append((_x, _y, _want, _num))
with reference_disabled(_layers.svm_loss):
    for _x, _y, _want, _num in _cases:
        _x0 = in_place(_x).copy()  # changes to _x come back
        _loss, _dx = svm_loss(_x, _y)
        assert abs(_loss - _want) < 1e-10 * max(1.0, abs(_want)), (_loss, _want)
        assert np.shape(_dx) == _x.shape
        assert rel_error(_dx, _num) < 1e-8
        assert np.array_equal(_x, _x0), "svm_loss changed the scores"
### END HIDDEN TESTS

# %% [markdown] id="softmax_cross_entropy_loss"
# ### The softmax (cross-entropy) loss
#
# The **softmax (소프트맥스)** turns scores into probabilities, $p_{ij} = e^{x_{ij}} / \sum_k e^{x_{ik}}$, and the
# **cross-entropy loss (교차 엔트로피 손실)** is the negative log-probability of the correct class:
#
# $$L_i = -\log p_{i y_i} = -x_{iy_i} + \log \sum_k e^{x_{ik}},$$
#
# whose gradient with respect to the scores you derived in notebook 02 (section 3). In the lecture,
# the cat image's scores $(3.2, 5.1, -1.7)$ give probabilities $(0.13, 0.87, 0.00)$ and
# $L = -\ln 0.13 = 2.04$. With all scores near 0 every class gets $1/C$ and $L \approx \ln C$: a good first
# check of any classifier.
#
# **Numerical stability (수치 안정성).** $e^{1000}$ overflows to `inf`, and `inf / inf` is `nan`. Subtracting
# the row's maximum score from every score of the row changes no probability
# ($e^{x_j - c} / \sum_k e^{x_k - c} = e^{x_j} / \sum_k e^{x_k}$) and makes the largest exponent $e^0 = 1$.
# Compute $\log p$ from the shifted scores, $\log p_{ij} = s_{ij} - \log \sum_k e^{s_{ik}}$, rather than
# taking the log of a probability that may have rounded to 0.
#
# ### Exercise 7 (3 points): `softmax_loss`, vectorized, and stable for large scores

# %% id="q7_softmax_loss" kind="answer"
def softmax_loss(x, y):
    """Softmax (cross-entropy) loss, averaged over the batch.

    x: (N, C) scores;  y: (N,) labels in 0..C-1
    Returns loss (float) and dx (N, C).
    """
    N = x.shape[0]
    loss, dx = None, None
    ### BEGIN SOLUTION
    rows = np.arange(N)
    shifted = x - x.max(axis=1, keepdims=True)  # (N, C), largest entry of each row is 0
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (N, C)
    loss = -log_probs[rows, y].sum() / N
    dx = np.exp(log_probs)  # the probabilities p
    dx[rows, y] -= 1  # minus 1 at the correct class
    dx /= N
    ### END SOLUTION
    return loss, dx


# %% id="check_q7"
# Check 1: the lecture's cat image (one example, N = 1).
with course_versions_disabled("softmax_loss"):  # checks your own code: the course's versions refuse to run here
    loss, dx = softmax_loss(np.array([[3.2, 5.1, -1.7]]), np.array([0]))
    print(f"cat image: loss = {loss:.2f} (lecture: 2.04), dx = {dx[0]}")
    assert round(loss, 2) == 2.04, f"loss {loss:.4f}, the lecture's is 2.04: " + (
        "the loss of three equal scores: the shift runs over the wrong axis (the examples, not each row's classes)"
        if abs(loss - np.log(3)) < 1e-9 else "every probability is 1: the normalizing sum runs over the wrong axis"
        if abs(loss) < 1e-9 else "-log p(cat), with the natural log")

    # Check 2: scores near 0 give a loss near ln C.
    rng = np.random.default_rng(7)
    loss0, _ = softmax_loss(0.001 * rng.normal(size=(100, 10)), rng.integers(10, size=100))
    print(f"tiny scores, C = 10: loss = {loss0:.4f} (ln 10 = {np.log(10):.4f})")
    assert abs(loss0 - np.log(10)) < 0.01, (
        "100 times ln 10: the sum over the batch, not the average (missing 1/N)" if abs(loss0 / 100 - np.log(10)) < 0.01
        else "with scores near 0 every class has probability about 1/C")

    # Check 3: large scores must not overflow (the row-max shift).
    big, _ = softmax_loss(np.array([[1000.0, 0.0, -1000.0], [500.0, 1000.0, 0.0]]), np.array([0, 0]))
    print(f"scores of 1000: loss = {big} (want 250)")
    assert np.isfinite(big), "overflow: exp of scores near 1000 is inf (the max-shift is missing, or on the wrong axis)"
    assert abs(big - 250.0) < 1e-9, "finite but wrong: is the shift by each ROW's max, and the sum over each row?"

    # Check 4: gradient check. Threshold: relative error < 1e-7 (smooth, float64; the worst entries are
    # small probabilities, measured about 1e-8).
    x = rng.normal(size=(20, 5))
    y = rng.integers(5, size=20)
    dx_num = eval_numerical_gradient(lambda x_: softmax_loss(x_, y)[0], x.copy())
    loss, dx = softmax_loss(x.copy(), y)
    assert check_gradient(dx, dx_num, threshold=1e-7, name="dx").passed, \
        "see the diagnosis above (this batch has N = 20 examples)"

# %% id="q7_softmax_loss_test" kind="tests" points=3
_loss, _dx = softmax_loss(np.array([[3.2, 5.1, -1.7]]), np.array([0]))
assert round(_loss, 2) == 2.04
_p = np.exp([3.2, 5.1, -1.7]) / np.exp([3.2, 5.1, -1.7]).sum()
assert np.allclose(_dx, [_p - [1, 0, 0]])
### BEGIN HIDDEN TESTS
import cs231n_course.reference.layers as _layers
from cs231n_utils.testing import reference_disabled
_rng = np.random.default_rng(70)


def _stable_loss(a, y):
    _m = a.max(axis=1)
    return np.mean(_m + np.log(np.exp(a - _m[:, None]).sum(axis=1)) - a[np.arange(len(y)), y])


_cases = []
for _N, _C in [(1, 4), (7, 3), (30, 10)]:
    _x = _rng.normal(size=(_N, _C))
    _y = _rng.integers(_C, size=_N)
    _num = eval_numerical_gradient(lambda a, _y=_y: _stable_loss(a, _y), _x.copy())
    _cases.append((_x, _y, _stable_loss(_x, _y), _num))
_xbig = _rng.normal(size=(4, 5)) * 1000  # exp(1000) overflows without the shift
_ybig = np.array([0, 1, 2, 3])
_pbig = np.exp(_xbig - _xbig.max(axis=1, keepdims=True))
_pbig /= _pbig.sum(axis=1, keepdims=True)
_pbig[np.arange(4), _ybig] -= 1
_want_big = _stable_loss(_xbig, _ybig)
with reference_disabled(_layers.softmax_loss):
    for _x, _y, _want, _num in _cases:
        _loss, _dx = softmax_loss(_x, _y)
        assert abs(_loss - _want) < 1e-10, (_loss, _want)
        assert np.shape(_dx) == _x.shape
        assert rel_error(_dx, _num) < 1e-6
    _loss, _dx = softmax_loss(_xbig, _ybig)
    assert np.isfinite(_loss) and abs(_loss - _want_big) < 1e-8 * _want_big
    assert np.all(np.isfinite(_dx)) and np.allclose(_dx, _pbig / 4, rtol=1e-10, atol=1e-12)
### END HIDDEN TESTS

# %% [markdown] id="vectorized_speed"
# ### How much faster is vectorized code?
#
# Notebook 02's losses looped over the examples in Python. The cell below runs *your* two losses that way:
# one example at a time (a batch of one), then averaged, which gives the same numbers as one call on the
# whole batch. It times both on a batch of 2000 examples and 10 classes and prints the ratio (on your
# machine; it varies with the hardware and the batch size).

# %% id="demo_vectorized_speed"
def one_at_a_time(loss_fn, x, y):
    """loss_fn(x, y) computed in a Python loop over the examples, each as a batch of one."""
    N = x.shape[0]
    loss, dx = 0.0, np.zeros_like(x)
    for i in range(N):
        loss_i, dx[i:i + 1] = loss_fn(x[i:i + 1], y[i:i + 1])
        loss += loss_i
    return loss / N, dx / N


def best_time(fn, *args, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return min(times)


rng = np.random.default_rng(8)
x = rng.normal(size=(2000, 10))
y = rng.integers(10, size=2000)
for name, vec_fn in [("SVM", svm_loss), ("softmax", softmax_loss)]:
    (loss_loop, dx_loop), (loss_vec, dx_vec) = one_at_a_time(vec_fn, x, y), vec_fn(x, y)
    t_loop, t_vec = best_time(one_at_a_time, vec_fn, x, y), best_time(vec_fn, x, y)
    print(f"{name:8s} loop {t_loop * 1e3:7.2f} ms   vectorized {t_vec * 1e3:6.2f} ms   "
          f"ratio {t_loop / t_vec:5.0f}x   (same result: loss {rel_error(loss_loop, loss_vec):.0e}, "
          f"dx {rel_error(dx_loop, dx_vec):.0e})")

# %% [markdown] id="putting_the_layers_together"
# ## 6. Putting the layers together
#
# Layers that follow the `(out, cache)` / `(dout, cache)` convention stack like bricks. A two-layer network
# $\text{scores} = \max(0,\, x w_1 + b_1)\, w_2 + b_2$ with a softmax loss is four forward calls, and its
# backward pass is the same four layers' backward calls in reverse order, each handing its `dx` to the layer
# below as that layer's `dout`. No layer knows the others, and no Jacobian is ever formed. The cell below
# runs the forward pass on *your* layers; writing the backward pass of such a network is an exercise of
# notebook 04, which then trains it on your layers from this notebook.

# %% id="demo_putting_the_layers_together"
rng = np.random.default_rng(11)
N, H, C = 4, 8, 3
x = rng.normal(size=(N, 2, 3))  # 4 examples of shape (2, 3): D = 6
y = rng.integers(C, size=N)
params = {"w1": 0.5 * rng.normal(size=(6, H)), "b1": 0.5 * rng.normal(size=H),
          "w2": 0.5 * rng.normal(size=(H, C)), "b2": 0.5 * rng.normal(size=C)}


h, _ = affine_forward(x, params["w1"], params["b1"])  # (N, H)
a, _ = relu_forward(h)
scores, _ = affine_forward(a, params["w2"], params["b2"])  # (N, C)
loss, dscores = softmax_loss(scores, y)
print(f"scores {scores.shape}, loss = {loss:.4f}, dscores {dscores.shape}: the gradient the backward pass starts from")
# Check: the loss of a random net on C = 3 classes is near ln 3 = 1.10 (weights of std 0.5 spread it a bit)
assert scores.shape == (N, C) and dscores.shape == (N, C) and 0.2 < loss < 5, (scores.shape, loss)

# %% [markdown] id="graph_of_the_network"
# The graph of the network, one node per layer call: the forward pass runs left to right, and each layer's
# backward pass sends the gradient of the loss back along the same arrows.

# %% id="fig_graph_of_the_network"
nodes = [dict(id=name, label=name) for name in ("x", "w1", "b1", "w2", "b2", "y")]
nodes += [dict(id="fc1", label="affine"), dict(id="relu", label="ReLU"), dict(id="fc2", label="affine"),
          dict(id="loss", label="loss", value=loss, grad=1.0)]
edges = [("x", "fc1"), ("w1", "fc1"), ("b1", "fc1"), ("fc1", "relu"), ("relu", "fc2"), ("w2", "fc2"),
         ("b2", "fc2"), ("fc2", "loss"), ("y", "loss")]
draw_graph(nodes, edges, title="A two-layer network as four layers: affine, ReLU, affine, softmax loss")

# %% [markdown] id="summary"
# ## Summary
#
# * The derivative of a vector function is its **Jacobian**, and the chain rule becomes
#   $\partial L/\partial x = J^\top\, \partial L/\partial y$. Layers never form $J$: the ReLU's is a diagonal
#   4096 × 4096 matrix (128 MiB) that a mask replaces; the softmax's is not diagonal at all.
# * $f = \lVert Wx \rVert^2$, node by node: the index route gives every gradient, and **a gradient has the
#   shape of its variable** tells you at once when one comes out transposed: ask which product of the
#   available matrices has that shape.
# * Affine layer: each gradient is the one product of `dout` with the other input whose shapes fit (and
#   `dx` goes back to the input's shape); a broadcast in the forward pass is a sum in the backward pass.
# * Vectorized SVM and softmax losses handle a batch with fancy indexing and broadcasting, many times faster
#   than loops; the softmax needs the max-shift to survive large scores.
# * Gradients of arrays are checked with `eval_numerical_gradient_array` (layers) and
#   `eval_numerical_gradient` (losses), against a stated threshold.
#
# Next, notebook 04 stacks these layers into two- and three-layer networks and trains them on a toy spiral
# and on MNIST.
