# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] id="title"
# # 01 — Gradients, computational graphs and the chain rule
#
# **Learning goals.** After this notebook you can
#
# 1. say why training a network means computing the **gradient (기울기)** of a **loss function (손실 함수)**;
# 2. compute a **numerical gradient (수치 기울기)** with centered differences, and say why it is only used for checking;
# 3. draw a **computational graph (계산 그래프)**, run its **forward pass (순전파)** and **backward pass (역전파)** by hand with the **chain rule (연쇄 법칙)**;
# 4. backpropagate through the lecture's sigmoid neuron gate by gate, and then with one sigmoid gate;
# 5. write a tiny scalar automatic-differentiation engine and **check its gradients (기울기 검사)**.
#
# **How to work.** Fill in every cell marked `# YOUR CODE HERE` (delete the `raise NotImplementedError()`).
# After each exercise, run the *check* cell below it: it tells you what is wrong and by how much.
# The *test* cells hold the graded tests (plus hidden tests with other inputs). Students run cells out of
# order, so every check cell recomputes what it needs from your functions; still, before you submit,
# use **Kernel → Restart & Run All** and make sure nothing fails.

# %% id="setup"
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np

from cs231n_utils import testing  # the checks run your code with the course's versions switched off
from cs231n_utils.viz import draw_graph, draw_value_graph

np.set_printoptions(precision=4, suppress=True)


def compare(name, got, want, hint=""):
    """For the checks: got must equal want to 8 digits; if not, say what kind of mistake it looks like."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.shape != want.shape:
        raise AssertionError(f"{name}: shape {got.shape}, expected {want.shape}")
    if np.allclose(got, want, rtol=1e-8, atol=1e-12):
        return
    ratio = got[want != 0] / want[want != 0]
    if np.allclose(got, -want, rtol=1e-8, atol=1e-12):
        kind = "sign flipped (you have minus the right value)"
    elif ratio.size and np.allclose(ratio, ratio[0], rtol=1e-6) and np.allclose(got[want == 0], 0):
        kind = f"off by a constant factor {ratio[0]:.4g} (a missing or extra factor?)"
    elif np.any(np.isclose(got, want, rtol=1e-8, atol=1e-12)):
        kind = "right in some entries only (a wrong index, or inputs swapped?)"
    else:
        kind = "wrong everywhere"
    raise AssertionError(f"{name}: {kind}. Expected {want}, got {got}. {hint}")


# %% [markdown] id="why_gradients"
# ## 1. Why gradients?
#
# A network with weights $W$ makes predictions; a **loss function (손실 함수)** $L(W)$ measures how bad they
# are on the training data. Training means finding $W$ with a small loss, and the tool for that is the
# **gradient** $\nabla_W L$: the vector of partial derivatives $\partial L / \partial W_i$. It points in
# the direction in which $L$ grows fastest, so a small step against it lowers the loss:
#
# $$W \leftarrow W - \eta \, \nabla_W L \qquad (\eta = \text{learning rate}).$$
#
# There are two ways to get a derivative:
#
# * **numerical (수치적)**: nudge the input and watch the output,
#   $$\frac{df}{dx} \approx \frac{f(x + h) - f(x - h)}{2h}.$$
#   Easy to write, but approximate, and it costs two evaluations of $f$ *per input entry*: for a network
#   with millions of weights that is millions of forward passes per step.
# * **analytic (해석적)**: derive the formula with calculus. Exact and fast, but easy to get wrong.
#
# In practice we always use the analytic gradient and check it against the numerical one: a
# **gradient check (기울기 검사)**. This notebook builds both.
#
# The formula above is the **centered** difference. It is more accurate than the one-sided
# $\frac{f(x+h) - f(x)}{h}$: its error shrinks faster as $h$ shrinks (the plot after Exercise 1 shows how
# much faster).

# %% [markdown] id="exercise_q1"
# ### Exercise 1 (2 points): a numerical derivative
#
# Write `numerical_derivative(f, x, h)`: the centered-difference estimate of $f'(x)$ for a function of one
# number. Use the `h` you are given.

# %% id="q1_numerical_derivative" kind="answer"
def numerical_derivative(f, x, h=1e-5):
    """Centered-difference estimate of f'(x); f maps a float to a float, x is a float."""
    ### BEGIN SOLUTION
    return (f(x + h) - f(x - h)) / (2 * h)
    ### END SOLUTION


# %% id="check_q1"
# Check: d/dx x^3 at x = 2 is 12, to 7 digits; then the h you are given must be the one used.
# Your own function, not the package's: the check fails if it reaches cs231n_utils.gradcheck or mine.
with testing.course_versions_disabled("numerical_derivative", "relative_error"):
    approx = numerical_derivative(lambda x: x**3, 2.0)
    coarse = numerical_derivative(lambda x: x**3, 2.0, h=0.1)
print(f"numerical {approx:.10f}   analytic 12")
assert abs(approx - 12.0) < 1e-6, (
    "sign flipped: f(x + h) comes first in the difference" if abs(approx + 12) < 1e-3 else
    "one-sided difference: it is off by about 3xh = 6e-5 here; center the difference on x"
    if abs(approx - 12.00006) < 1e-6 else
    "missing factor: divide by the distance between the two points where f is evaluated"
    if abs(approx / 12 - 2) < 1e-3 or abs(approx / 12 - 0.5) < 1e-3 else
    f"expected 12, got {approx:.10f}: is it (f at a point above x minus f at a point below x) / distance?")
assert abs(coarse - 12.01) < 1e-9, (
    f"with h = 0.1 the centered difference of x^3 at 2 is exactly 12 + h^2 = 12.01, you got {coarse:.10f}: "
    "use the h you are given, not a number of your own")

# %% id="q1_numerical_derivative_test" kind="tests" points=2
assert abs(numerical_derivative(lambda x: x**2, 3.0) - 6.0) < 1e-6
assert abs(numerical_derivative(lambda x: x**3, 2.0) - 12.0) < 1e-6
### BEGIN HIDDEN TESTS
import cs231n_utils.gradcheck as _gc
from cs231n_utils.testing import reference_disabled
with reference_disabled(_gc.eval_numerical_gradient, _gc.eval_numerical_gradient_array, _gc.grad_check_sparse):
    assert abs(numerical_derivative(np.sin, 0.7) - np.cos(0.7)) < 1e-9
    assert abs(numerical_derivative(np.exp, -1.3, h=1e-4) - np.exp(-1.3)) < 1e-8
    # with h = 1e-3 the centered difference of x^3 at 1 is exactly 3 + h^2 = 3.000001
    assert abs(numerical_derivative(lambda x: x**3, 1.0, h=1e-3) - 3.000001) < 1e-9
### END HIDDEN TESTS

# %% [markdown] id="step_size_h"
# How small should $h$ be? Too large and the formula's own error dominates; too small and the computer's
# rounding error takes over (we subtract two nearly equal numbers, then divide by a tiny one). The plot
# shows both regimes for $f = \sin$ at $x = 0.7$, and why the course uses $h = 10^{-5}$ with float64.

# %% id="fig_step_size_h"
hs = np.logspace(-13, -1, 49)
x0 = 0.7
centered = [abs(numerical_derivative(np.sin, x0, h) - np.cos(x0)) for h in hs]
one_sided = [abs((np.sin(x0 + h) - np.sin(x0)) / h - np.cos(x0)) for h in hs]
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.loglog(hs, one_sided, "o-", ms=3, label="one-sided (f(x+h) - f(x)) / h")
ax.loglog(hs, centered, "s-", ms=3, label="centered (f(x+h) - f(x-h)) / 2h")
ax.axvline(1e-5, color="gray", ls=":")
ax.set_xlabel("step h")
ax.set_ylabel("absolute error")
ax.set_title("Numerical derivative of sin at 0.7")
ax.legend()
plt.show()


# %% [markdown] id="wq1_question"
# ### Written question 1 (1 point): when is a numerical derivative wrong?
#
# Try your `numerical_derivative` in a scratch cell: on `np.abs` at $x = 3 \cdot 10^{-6}$ (the derivative
# is 1 there), and on `np.sin` at $0.7$ with $h = 10^{-13}$ (compare with `np.cos(0.7)`). Which statement
# about the centered difference in float64 is true?
#
# - **A.** With $h = 10^{-5}$ it is exact for every smooth function: the centered difference has no
#   truncation error, only the one-sided difference has.
# - **B.** It can be far off within $h$ of a kink (`np.abs` at $3 \cdot 10^{-6}$ gives 0.3, not 1), and for
#   a very small $h$ rounding error swamps it; analytic gradients have neither problem, so the numerical
#   one is only a check.
# - **C.** The smaller the step, the better: $h = 10^{-13}$ beats $h = 10^{-5}$, because the truncation
#   error shrinks as $h$ shrinks.
# - **D.** Kinks only trouble the one-sided difference: the centered difference of `np.abs` at
#   $3 \cdot 10^{-6}$ with $h = 10^{-5}$ is exactly 1, since the two one-sided slopes average out.
#
# Set `answer_wq1` to the letter of your choice (a string, e.g. `"A"`).

# %% id="wq1_numerical_for_checking" kind="answer"
answer_wq1 = None  # one of 'A', 'B', 'C', 'D'
### BEGIN SOLUTION
answer_wq1 = "B"
### END SOLUTION

# %% id="check_wq1"
# Checks the form of the answer only: whether it is right is graded by hidden tests.
assert answer_wq1 in ('A', 'B', 'C', 'D'), f"answer_wq1 must be one of 'A', 'B', 'C', 'D' (a string), not {answer_wq1!r}"
print(f"answer_wq1 = {answer_wq1!r}: a valid choice")

# %% id="wq1_numerical_for_checking_test" kind="tests" points=1
assert answer_wq1 in ('A', 'B', 'C', 'D')
### BEGIN HIDDEN TESTS
assert answer_wq1 == "B"
### END HIDDEN TESTS

# %% [markdown] id="wq2_question"
# ### Written question 2 (1 point): the cost of a numerical gradient
#
# A network has $D = 1{,}000{,}000$ weights, and one forward pass (evaluating the loss) takes 1 ms.
# Backpropagation costs about as much as two forward passes, *whatever D is*: the backward pass visits each
# gate once, as the forward pass does. How many times longer does one centered-difference estimate of the
# full gradient take than one forward-and-backward pass? Think about how many times the loss is
# evaluated for one estimate per weight, as your `numerical_derivative` makes for one input.
#
# Set `answer_wq2` to that ratio (an int or a float; an expression like `2 * 3` is fine; within 1%).

# %% id="wq2_gradient_evaluations" kind="answer"
answer_wq2 = None  # a number
### BEGIN SOLUTION
answer_wq2 = 2 * 1_000_000 / 3
### END SOLUTION

# %% id="check_wq2"
# Checks the form of the answer only: whether it is right is graded by hidden tests.
assert isinstance(answer_wq2, (int, float)) and not isinstance(answer_wq2, bool), (
    f"answer_wq2 must be a number, not {answer_wq2!r}")
print(f"answer_wq2 = {answer_wq2:g}: a number")

# %% id="wq2_gradient_evaluations_test" kind="tests" points=1
assert isinstance(answer_wq2, (int, float)) and not isinstance(answer_wq2, bool)
### BEGIN HIDDEN TESTS
assert abs(answer_wq2 - 2_000_000 / 3) <= 0.01 * 2_000_000 / 3
### END HIDDEN TESTS

# %% [markdown] id="computational_graphs_chain_rule"
# ## 2. Computational graphs and the chain rule
#
# Any formula can be drawn as a **computational graph (계산 그래프)**: every node is a simple operation (a
# *gate*), every edge carries a number. Take the lecture's example
#
# $$f(x, y, z) = (x + y)\, z \qquad \text{at } x = -2,\; y = 5,\; z = -4.$$
#
# Give the intermediate a name, $q = x + y$, so that $f = q z$.
#
# **Forward pass (순전파)**, left to right: $q = 3$, $f = -12$.
#
# **Backward pass (역전파)**, right to left. Start with $\partial f / \partial f = 1$. The multiply gate
# $f = qz$ has **local gradients (국소 기울기)** $\partial f/\partial q = z = -4$ and
# $\partial f/\partial z = q = 3$. The add gate $q = x + y$ has local gradients
# $\partial q / \partial x = \partial q / \partial y = 1$, and the **chain rule (연쇄 법칙)** says
#
# $$\frac{\partial f}{\partial x} = \underbrace{\frac{\partial f}{\partial q}}_{\text{upstream (상류 기울기)}}\;
# \underbrace{\frac{\partial q}{\partial x}}_{\text{local}} = -4 \cdot 1 = -4 .$$
#
# That is the whole of backpropagation: **every gate multiplies the gradient that arrives from above by its
# own local gradient and passes the product down.** A gate never needs to know the rest of the graph.
#
# The gradient that arrives from above, here $\partial f/\partial q = -4$, is the **upstream gradient
# (상류 기울기)**. The Korean lecture notes behind this course also call it the **global gradient
# (전역 기울기)**: it is the derivative of the *final* output with respect to the gate's output, and so
# carries everything the rest of the graph contributes, while the **local gradient** depends on the gate
# alone. Both names mean the same factor; the course says *upstream*, as CS231n does.

# %% [markdown] id="exercise_q2"
# ### Exercise 2 (2 points): forward and backward through $f = (x + y) z$
#
# The forward pass is written. Fill in the backward pass, right to left, each gradient as
# *local gradient × upstream gradient*. Do not just type the lecture's numbers: the hidden tests use other
# inputs.

# %% id="q2_add_mul_graph" kind="answer"
def add_mul_forward_backward(x, y, z):
    """f = (x + y) * z for floats x, y, z. Returns f and the tuple (df/dx, df/dy, df/dz)."""
    # forward pass
    q = x + y
    f = q * z
    # backward pass, from df/df = 1 down to the inputs
    dfdf = 1.0
    dfdq = dfdz = dfdx = dfdy = None
    ### BEGIN SOLUTION
    dfdq = z * dfdf  # multiply gate: local gradient of q*z with respect to q is z
    dfdz = q * dfdf
    dfdx = 1.0 * dfdq  # add gate: local gradient 1
    dfdy = 1.0 * dfdq
    ### END SOLUTION
    return f, (dfdx, dfdy, dfdz)


# %% id="check_q2"
# Check against the lecture's numbers (exact: every step is a small-integer product).
f, (dfdx, dfdy, dfdz) = add_mul_forward_backward(-2.0, 5.0, -4.0)
print(f"f = {f},  df/dx = {dfdx},  df/dy = {dfdy},  df/dz = {dfdz}")
assert f == -12.0, "the forward pass is given: did you change it?"
assert dfdz == 3.0, ("multiply gate did not switch: df/dz is the OTHER input, q" if dfdz == -4.0 else
                     "df/dz: the multiply gate's local gradient for z is q = x + y")
assert (dfdx, dfdy) == (-4.0, -4.0), (
    "missing upstream gradient: the add gate's local gradient 1 times df/dq" if dfdx == 1.0 else
    "wrong local gradient at the multiply gate: df/dq is the other input, z (not q)" if dfdx == 3.0 else
    "df/dx = df/dq * dq/dx: the upstream gradient times the add gate's local gradient")

# %% id="q2_add_mul_graph_test" kind="tests" points=2
f, grads = add_mul_forward_backward(-2.0, 5.0, -4.0)
assert f == -12.0 and tuple(grads) == (-4.0, -4.0, 3.0)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(1)
for _ in range(5):
    _v = _rng.normal(size=3) * 3
    _f, _g = add_mul_forward_backward(*_v)
    _want = np.array([_v[2], _v[2], _v[0] + _v[1]])
    assert np.allclose(np.array(_g, dtype=float), _want, rtol=1e-12, atol=1e-12), (_v, _g, _want)
### END HIDDEN TESTS

# %% [markdown] id="graph_with_your_numbers"
# The same graph as in the lecture, drawn with *your* numbers: forward values in green above each node,
# gradients in red below.

# %% id="fig_graph_with_your_numbers"
f, (dfdx, dfdy, dfdz) = add_mul_forward_backward(-2.0, 5.0, -4.0)
nodes = [
    dict(id="x", label="x", value=-2.0, grad=dfdx),
    dict(id="y", label="y", value=5.0, grad=dfdy),
    dict(id="z", label="z", value=-4.0, grad=dfdz),
    dict(id="q", label="+", value=3.0, grad=dfdx),  # the add gate passes df/dq through: df/dq = df/dx
    dict(id="f", label="*", value=f, grad=1.0),
]
edges = [("x", "q"), ("y", "q"), ("q", "f"), ("z", "f")]
draw_graph(nodes, edges, title="f = (x + y) z")


# %% [markdown] id="sigmoid_neuron_gate_by_gate"
# ## 3. The sigmoid neuron, gate by gate
#
# The lecture's second example is a neuron with two inputs and a sigmoid (시그모이드) activation,
#
# $$f(w, x) = \frac{1}{1 + e^{-(w_0 x_0 + w_1 x_1 + w_2)}}, \qquad w = (2, -3, -3),\; x = (-1, -2).$$
#
# Broken into gates, with the local gradient each one needs:
#
# | gate | forward | local gradient |
# | --- | --- | --- |
# | multiply, add | $\text{dot} = w_0 x_0 + w_1 x_1 + w_2$ | $\partial\,\text{dot}/\partial w_0 = x_0$, ..., $\partial\,\text{dot}/\partial w_2 = 1$ |
# | $\times(-1)$ | $\text{neg} = -\text{dot}$ | $-1$ |
# | exp | $e = e^{\text{neg}}$ | $e^{\text{neg}}$ |
# | $+1$ | $\text{den} = 1 + e$ | $1$ |
# | $1/x$ | $f = 1/\text{den}$ | $-1/\text{den}^2$ |
#
# Forward: dot $= 1$, neg $= -1$, $e = 0.37$, den $= 1.37$, $f = 0.73$. Backward: the $1/x$ gate passes
# back $-1/1.37^2 = -0.53$, the $+1$ gate passes it on unchanged, the exp gate multiplies by $e^{-1} = 0.37$
# giving $-0.20$, and the $\times(-1)$ gate flips it to $0.20$. The multiply gates then hand each weight
# the *other* input times $0.20$: $dw = (-0.20, -0.39, 0.20)$, $dx = (0.39, -0.59)$.
#
# ### Exercise 3 (3 points): the staged backward pass
#
# Write the backward pass gate by gate, in reverse order. Name each gradient after the variable it belongs
# to: `dden` is $\partial f / \partial\,\text{den}$, and so on.

# %% id="q3_sigmoid_staged" kind="answer"
def sigmoid_neuron_staged(w, x):
    """The sigmoid neuron one gate at a time. w: (3,), x: (2,).

    Returns f and a dict of gradients of f: 'den', 'e', 'neg', 'dot' (floats), 'w' (3,), 'x' (2,).
    """
    # forward pass, one gate at a time
    dot = w[0] * x[0] + w[1] * x[1] + w[2]
    neg = -dot
    e = np.exp(neg)
    den = 1.0 + e
    f = 1.0 / den
    # backward pass, in reverse order
    dden = de = dneg = ddot = dw = dx = None
    ### BEGIN SOLUTION
    dden = -1.0 / den**2 * 1.0  # 1/x gate, upstream df/df = 1
    de = 1.0 * dden  # +1 gate
    dneg = np.exp(neg) * de  # exp gate
    ddot = -1.0 * dneg  # *(-1) gate
    dw = np.array([x[0] * ddot, x[1] * ddot, 1.0 * ddot])  # multiply gates swap their inputs
    dx = np.array([w[0] * ddot, w[1] * ddot])
    ### END SOLUTION
    return f, {"den": dden, "e": de, "neg": dneg, "dot": ddot, "w": dw, "x": dx}


# %% id="check_q3"
# Check every gradient at the lecture's point to 8 digits (the slide rounds them to two decimals).
w, x = np.array([2.0, -3.0, -3.0]), np.array([-1.0, -2.0])
f, g = sigmoid_neuron_staged(w.copy(), x.copy())  # copies: w and x stay as they are
print(f"f = {f:.2f}; gradients: den {g['den']:.2f}, e {g['e']:.2f}, neg {g['neg']:.2f}, dot {g['dot']:.2f}")
print("dw =", g["w"], " dx =", g["x"])
compare("dden", g["den"], -0.534446645388523, "the 1/x gate: what is the derivative of 1/u at u = den?")
compare("de", g["e"], -0.534446645388523, "the +1 gate passes its upstream gradient on unchanged")
compare("dneg", g["neg"], -0.19661193324148185,
        "the exp gate: local gradient exp(neg) (its own output), times the upstream gradient")
compare("ddot", g["dot"], 0.19661193324148185, "the *(-1) gate flips the sign of dneg")
compare("dw", g["w"], [-0.19661193324148185, -0.3932238664829637, 0.19661193324148185],
        "each multiply gate hands w_i the OTHER input x_i times ddot; the bias w2 gets ddot itself")
assert not np.allclose(g["x"], x * g["dot"]), "multiply gates did not switch: x_i gets w_i times ddot"
compare("dx", g["x"], [0.3932238664829637, -0.5898357997244456],
        "each multiply gate hands x_i the OTHER input w_i times ddot")

# %% id="q3_sigmoid_staged_test" kind="tests" points=3
_f, _g = sigmoid_neuron_staged(np.array([2.0, -3.0, -3.0]), np.array([-1.0, -2.0]))
assert np.allclose(np.round(_g["w"], 2), [-0.20, -0.39, 0.20])
assert np.allclose(np.round(_g["x"], 2), [0.39, -0.59])
assert round(_g["den"], 2) == -0.53
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(3)
for _ in range(5):
    _w, _x = _rng.normal(size=3), _rng.normal(size=2)
    _f, _g = sigmoid_neuron_staged(_w.copy(), _x.copy())  # the originals stay ours
    _den = 1 + np.exp(-(_w[0] * _x[0] + _w[1] * _x[1] + _w[2]))
    _ddot = (_den - 1) / _den**2
    assert np.isclose(_g["den"], -1 / _den**2, rtol=1e-10, atol=0)
    assert np.isclose(_g["e"], -1 / _den**2, rtol=1e-10, atol=0)
    assert np.allclose(_g["w"], np.array([_x[0], _x[1], 1.0]) * _ddot, rtol=1e-10, atol=1e-14)
    assert np.allclose(_g["x"], _w[:2] * _ddot, rtol=1e-10, atol=1e-14)
### END HIDDEN TESTS

# %% [markdown] id="exercise_q4"
# ### Exercise 4 (2 points): one sigmoid gate
#
# The four gates after the dot product compute the **sigmoid** $\sigma(z) = 1/(1 + e^{-z})$, and its
# derivative has a famous compact form:
#
# $$\frac{d\sigma}{dz} = \frac{e^{-z}}{(1 + e^{-z})^2} = \big(1 - \sigma(z)\big)\,\sigma(z).$$
#
# So the whole chain collapses into *one* gate whose local gradient reuses the forward value: at the
# lecture's point $\sigma = 0.73$ and $(1 - 0.73) \cdot 0.73 = 0.20$, the number the staged version found.
# Grouping gates this way is a choice: any piece whose local gradient is easy to write can be one gate.
#
# Write `sigmoid(z)` and the neuron's backward pass with a single sigmoid gate.

# %% id="q4_sigmoid_gate" kind="answer"
def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), for a float or an array."""
    ### BEGIN SOLUTION
    return 1.0 / (1.0 + np.exp(-z))
    ### END SOLUTION


def sigmoid_neuron(w, x):
    """The neuron with one sigmoid gate. w: (3,), x: (2,). Returns f, dw (3,), dx (2,)."""
    dot = w[0] * x[0] + w[1] * x[1] + w[2]
    f = sigmoid(dot)
    dw = dx = None
    ### BEGIN SOLUTION
    ddot = (1.0 - f) * f * 1.0  # sigmoid gate: local gradient (1 - s) s, upstream 1
    dw = np.array([x[0] * ddot, x[1] * ddot, ddot])
    dx = np.array([w[0] * ddot, w[1] * ddot])
    ### END SOLUTION
    return f, dw, dx


# %% id="check_q4"
# Check: sigma(0) = 0.5, and the one-gate version must give the staged version's gradients (8 digits).
assert sigmoid(0.0) == 0.5 and abs(sigmoid(2.0) - 0.8807970779778823) < 1e-12, "sigma(z) = 1 / (1 + e^-z)"
w, x = np.array([2.0, -3.0, -3.0]), np.array([-1.0, -2.0])
f, dw, dx = sigmoid_neuron(w.copy(), x.copy())
print(f"f = {f:.4f}  dw = {dw}  dx = {dx}")
hint = "the sigmoid gate's local gradient is (1 - s) s with s its output; the multiply gates switch inputs"
compare("dw", dw, [-0.19661193324148185, -0.3932238664829637, 0.19661193324148185], hint)
compare("dx", dx, [0.3932238664829637, -0.5898357997244456], hint)

# %% id="q4_sigmoid_gate_test" kind="tests" points=2
_f, _dw, _dx = sigmoid_neuron(np.array([2.0, -3.0, -3.0]), np.array([-1.0, -2.0]))
assert abs(_f - 0.7310585786300049) < 1e-12
assert np.allclose(np.round(_dw, 2), [-0.20, -0.39, 0.20]) and np.allclose(np.round(_dx, 2), [0.39, -0.59])
### BEGIN HIDDEN TESTS
assert np.allclose(sigmoid(np.array([-2.0, 0.0, 3.0])), 1 / (1 + np.exp(-np.array([-2.0, 0.0, 3.0]))))
_rng = np.random.default_rng(4)
for _ in range(5):
    _w, _x = _rng.normal(size=3) * 2, _rng.normal(size=2) * 2
    _f, _dw, _dx = sigmoid_neuron(_w.copy(), _x.copy())
    _s = 1 / (1 + np.exp(-(_w[0] * _x[0] + _w[1] * _x[1] + _w[2])))
    assert np.allclose(_dw, np.array([_x[0], _x[1], 1.0]) * _s * (1 - _s), rtol=1e-10, atol=1e-14)
    assert np.allclose(_dx, _w[:2] * _s * (1 - _s), rtol=1e-10, atol=1e-14)
### END HIDDEN TESTS

# %% [markdown] id="tiny_automatic_differentiation_engine"
# ## 4. A tiny automatic-differentiation engine
#
# Doing this by hand for every formula would be tedious. Deep-learning libraries do it automatically, and
# the idea fits in a few dozen lines (Andrej Karpathy's *micrograd* is the classic version). Each number
# becomes a `Value` that remembers
#
# * `data`: its forward value, and `grad`: $\partial(\text{output}) / \partial(\text{this value})$, filled in by the backward pass;
# * `label`: an optional name, used only to draw the graph;
# * `_prev`: the values it was computed from (its children in the graph), and `_op`: the gate's name;
# * `_backward`: a small function that takes `out.grad` and **adds** the chain-rule contribution to each child's `grad`.
#
# Why *add*? When a value is used twice, as $a$ in $a \cdot a$ or $x$ in $x + x$, gradient flows back
# along both edges, and the multivariable chain rule says the contributions **sum** at the branch
# (분기). Assigning with `=` instead of `+=` silently keeps only the last one: a classic bug.
#
# The class skeleton is given. You will add the gates as functions and attach them to the class, one
# exercise at a time, so that each can be checked on its own.

# %% id="class_value"
class Value:
    """A scalar that remembers how it was computed, so that it can backpropagate."""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data = float(data)
        self.label = label  # a name for drawing the graph
        self.grad = 0.0
        self._backward = lambda: None  # leaves have nothing to pass on
        self._prev = tuple(_children)
        self._op = _op

    def __repr__(self):
        return f"Value(data={self.data:.4g}, grad={self.grad:.4g})"

    # the reflected and derived operators reuse + and *, which you write below
    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other)


# %% [markdown] id="exercise_q5"
# ### Exercise 5 (2 points): the add and multiply gates
#
# Complete the `_backward` closures. The **add gate** is a *gradient distributor*: both inputs receive
# `out.grad` unchanged. The **multiply gate** is a *switcher*: each input receives the *other* input's
# value times `out.grad`. Accumulate with `+=`.

# %% id="q5_add_mul" kind="answer"
def value_add(self, other):
    """out = self + other."""
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        ### BEGIN SOLUTION
        self.grad += 1.0 * out.grad
        other.grad += 1.0 * out.grad
        ### END SOLUTION

    out._backward = _backward
    return out


def value_mul(self, other):
    """out = self * other."""
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        ### BEGIN SOLUTION
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad
        ### END SOLUTION

    out._backward = _backward
    return out


Value.__add__ = value_add
Value.__mul__ = value_mul

# %% id="check_q5"
# Check one gate at a time, calling _backward by hand (backward() is the next exercise).
a, b = Value(3.0), Value(-2.0)
out = a * b
out.grad = 5.0
out._backward()
print(f"a*b: data {out.data}, a.grad {a.grad} (want -10), b.grad {b.grad} (want 15)")
assert out.data == -6.0, "the forward pass is given: did you change it?"
assert (a.grad, b.grad) != (15.0, -10.0), "multiply gate did not switch: each input gets the OTHER input"
assert (a.grad, b.grad) != (-2.0, 3.0), "missing upstream gradient: times out.grad"
assert (a.grad, b.grad) == (-10.0, 15.0), "multiply: each input gets the OTHER input times out.grad"
a, b = Value(2.0), Value(-4.0)
out = a + b
out.grad = -3.0
out._backward()
print(f"a+b: a.grad {a.grad}, b.grad {b.grad} (want -3, -3)")
assert (a.grad, b.grad) != (1.0, 1.0), "missing upstream gradient: the add gate passes out.grad on"
assert (a.grad, b.grad) == (-3.0, -3.0), "add: both inputs get out.grad unchanged"
a = Value(3.0)
out = a * a  # a is used twice: the two contributions must add up to 2 * a * out.grad
out.grad = 1.0
out._backward()
print(f"a*a: a.grad {a.grad} (want 6)")
assert a.grad == 6.0, "overwrote instead of accumulating: gradients at a branch add up, use += , not ="
a = Value(3.0)
out = a + a
out.grad = 1.0
out._backward()
assert a.grad == 2.0, "add gate overwrote instead of accumulating: a + a must give a.grad 2, use +="

# %% id="q5_add_mul_test" kind="tests" points=2
_a, _b = Value(2.0), Value(-4.0)
_o = _a + _b
_o.grad = -3.0
_o._backward()
assert _o.data == -2.0 and _a.grad == -3.0 and _b.grad == -3.0
_a = Value(3.0)
_o = _a * _a
_o.grad = 1.0
_o._backward()
assert _a.grad == 6.0
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(5)
for _ in range(5):
    _x, _y, _u = _rng.normal(size=3)
    _a, _b = Value(_x), Value(_y)
    _o = _a * _b
    _o.grad = _u
    _o._backward()
    assert abs(_a.grad - _y * _u) < 1e-12 and abs(_b.grad - _x * _u) < 1e-12
    _a = Value(_x)
    _o = _a + _a
    _o.grad = _u
    _o._backward()
    assert abs(_a.grad - 2 * _u) < 1e-12
    _o = Value(_x) + 2.5
    assert _o.data == _x + 2.5
### END HIDDEN TESTS

# %% [markdown] id="exercise_q6"
# ### Exercise 6 (3 points): `backward()` in topological order
#
# To backpropagate from an output, every node must call its `_backward` only after *all* the nodes that
# use it have passed their gradient down. A **topological sort (위상 정렬)** gives an order in which each
# node comes after its children; walking it in *reverse* visits users before the values they use.
#
# Write `value_backward(self)`: build the topological order with a depth-first search (each node once,
# even if it is reached along several paths), set `self.grad = 1.0` (the seed $\partial f/\partial f$),
# then call `_backward` on every node in reverse order.

# %% id="q6_backward" kind="answer"
def value_backward(self):
    """Fill in .grad of every Value this one depends on (gradients of self)."""
    topo, visited = [], set()
    ### BEGIN SOLUTION
    def build(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build(child)
            topo.append(v)

    build(self)
    self.grad = 1.0
    for v in reversed(topo):
        v._backward()
    ### END SOLUTION


Value.backward = value_backward

# %% id="check_q6"
# Check: the lecture's f = (x + y) z, and a graph where one value is reached along two paths.
x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
f = (x + y) * z
f.backward()
print(f"f = {f.data}, dx = {x.grad}, dy = {y.grad}, dz = {z.grad}  (want -12, -4, -4, 3)")
assert f.grad == 1.0, "missing seed: backward() starts with self.grad = 1.0 (df/df)"
assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0), (
    "not every gate ran, or in the wrong order: call _backward on every node, in REVERSE topological order")
a = Value(2.0)
b = a * a        # b = a^2
c = b + b        # c = 2 a^2: b is reached twice, a through both
c.backward()
print(f"d(2a^2)/da at a=2: {a.grad} (want 8)")
assert a.grad != 16.0, "a shared node backpropagated twice: keep a visited set, each node once in the order"
assert a.grad == 8.0, "visit each node once, in reverse topological order, after seeding self.grad = 1"

# %% id="q6_backward_test" kind="tests" points=3
_x, _y, _z = Value(-2.0), Value(5.0), Value(-4.0)
_f = (_x + _y) * _z
_f.backward()
assert (_x.grad, _y.grad, _z.grad) == (-4.0, -4.0, 3.0)
### BEGIN HIDDEN TESTS
_a = Value(1.5)
_b = _a * _a
_c = _b * _b + _b  # a^4 + a^2
_c.backward()
assert abs(_a.grad - (4 * 1.5**3 + 2 * 1.5)) < 1e-12 and _c.grad == 1.0
_rng = np.random.default_rng(6)
_v = _rng.normal(size=4)
_p = [Value(t) for t in _v]
_o = (_p[0] * _p[1] + _p[2]) * (_p[1] + _p[3]) * _p[0]
_o.backward()
_u, _s = _v[0] * _v[1] + _v[2], _v[1] + _v[3]  # o = u s a0
_want = [_v[1] * _s * _v[0] + _u * _s, _v[0] * _s * _v[0] + _u * _v[0], _s * _v[0], _u * _v[0]]
assert np.allclose([t.grad for t in _p], _want, rtol=1e-10, atol=1e-12)
### END HIDDEN TESTS

# %% [markdown] id="exercise_q7"
# ### Exercise 7 (2 points): exp and sigmoid gates
#
# Two more gates, as methods. The exp gate's local gradient is its own output, $e^x$; the sigmoid gate's
# is $(1 - s)\,s$ with $s$ its output. Accumulate into `self.grad`, times `out.grad`.

# %% id="q7_exp_sigmoid" kind="answer"
def value_exp(self):
    """out = e ** self."""
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        ### BEGIN SOLUTION
        self.grad += out.data * out.grad
        ### END SOLUTION

    out._backward = _backward
    return out


def value_sigmoid(self):
    """out = 1 / (1 + e ** -self)."""
    s = 0.5 * (1.0 + math.tanh(0.5 * self.data))  # the same sigma, written with tanh
    out = Value(s, (self,), "sigmoid")

    def _backward():
        ### BEGIN SOLUTION
        self.grad += (1.0 - s) * s * out.grad
        ### END SOLUTION

    out._backward = _backward
    return out


Value.exp = value_exp
Value.sigmoid = value_sigmoid

# %% id="check_q7"
# Check each gate by hand: d/dx e^x at 0 is 1; d/dx sigma(x) at 0 is 0.25; a value used by both adds up.
x = Value(0.0)
e, s = x.exp(), x.sigmoid()
e.grad, s.grad = 2.0, 4.0   # made-up upstream gradients
e._backward()
assert x.grad != 1.0, "exp gate: missing upstream gradient, its local gradient e^x times out.grad"
assert x.grad == 2.0, "exp gate: its local gradient is its own output e^x, times out.grad"
s._backward()
print(f"x.grad = {x.grad} (want 2 * 1 + 4 * 0.25 = 3)")
assert x.grad != 1.0, "overwrote instead of accumulating: exp's contribution was lost, use +="
assert x.grad != 4.0, "sigmoid gate: sigma instead of sigma' = (1 - s) s"
assert x.grad == 3.0, "sigmoid gate: its local gradient is (1 - s) s with s its OUTPUT, times out.grad"
x = Value(0.0)
e, s = x.exp(), x.sigmoid()
e.grad, s.grad = 2.0, 4.0
s._backward()  # the other order
e._backward()
assert x.grad == 3.0, "exp gate overwrote instead of accumulating: sigmoid's contribution was lost, use +="

# %% id="q7_exp_sigmoid_test" kind="tests" points=2
_x = Value(0.0)
_e, _s = _x.exp(), _x.sigmoid()
_e.grad, _s.grad = 2.0, 4.0
_e._backward()
_s._backward()
assert _x.grad == 3.0
### BEGIN HIDDEN TESTS
_x = Value(0.5)
_e, _s = _x.exp(), _x.sigmoid()
_e.grad = _s.grad = 1.0
_s._backward()  # the other order: exp's contribution must add to sigmoid's
_e._backward()
assert abs(_x.grad - (math.exp(0.5) + (1 - 1 / (1 + math.exp(-0.5))) / (1 + math.exp(-0.5)))) < 1e-12
for _t in (-1.7, 0.3, 2.2):
    _x = Value(_t)
    _o = _x.sigmoid()
    _o.grad = -0.5
    _o._backward()
    _sg = 0.5 * (1 + math.tanh(_t / 2))  # the sigmoid, written another way
    assert abs(_x.grad - (1 - _sg) * _sg * -0.5) < 1e-12
    _x = Value(_t)
    _o = _x.exp()
    _o.grad = 1.5
    _o._backward()
    assert abs(_x.grad - math.exp(_t) * 1.5) < 1e-12
### END HIDDEN TESTS

# %% [markdown] id="neuron_with_value"
# Now the whole neuron with `Value`s, backpropagated automatically. It must agree with your
# `sigmoid_neuron` from Exercise 4, and the picture is the lecture's graph with your engine's numbers.

# %% id="fig_neuron_with_value"
w = [Value(2.0, label="w0"), Value(-3.0, label="w1"), Value(-3.0, label="w2")]
x = [Value(-1.0, label="x0"), Value(-2.0, label="x1")]
f = (w[0] * x[0] + w[1] * x[1] + w[2]).sigmoid()
f.backward()
print("engine:  dw =", [round(v.grad, 2) for v in w], " dx =", [round(v.grad, 2) for v in x])
_, dw, dx = sigmoid_neuron(np.array([2.0, -3.0, -3.0]), np.array([-1.0, -2.0]))
print("by hand: dw =", dw.round(2), " dx =", dx.round(2))
draw_value_graph(f, title="the sigmoid neuron, backpropagated by your engine")


# %% [markdown] id="gradient_checking"
# ## 5. Gradient checking
#
# To compare an analytic gradient $a$ with a numerical one $n$ we use the **relative error**
#
# $$\text{rel}(a, n) = \max_i \frac{|a_i - n_i|}{\max(10^{-8},\; |a_i| + |n_i|)}:$$
#
# an absolute difference of $10^{-4}$ is terrible for gradients of size $10^{-5}$ and fine for gradients
# of size $10^{3}$. The $10^{-8}$ keeps it finite when both are zero. Rules of thumb from the CS231n notes
# (float64):
#
# | relative error | verdict |
# | --- | --- |
# | $> 10^{-2}$ | the gradient is probably wrong |
# | $10^{-2}$ to $10^{-4}$ | suspicious, unless the function has kinks (ReLU, max) near the checked point |
# | $10^{-4}$ to $10^{-7}$ | fine for functions with kinks; for smooth ones still worth a look |
# | $< 10^{-7}$ | correct |
#
# Tips: use float64, $h \approx 10^{-5}$, check a few points (not only the ones you like), and remember that
# deeper networks accumulate more error.
#
# ### Exercise 8 (1 point): relative error
#
# Write `relative_error(a, n)` with exactly this formula, for floats or arrays of the same shape.

# %% id="q8_relative_error" kind="answer"
def relative_error(a, n):
    """max |a - n| / max(1e-8, |a| + |n|) over all entries; a, n: floats or same-shape arrays."""
    a, n = np.asarray(a, dtype=float), np.asarray(n, dtype=float)
    ### BEGIN SOLUTION
    return float(np.max(np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))))
    ### END SOLUTION


# %% id="check_q8"
# Your own function, not the package's: the check fails if it reaches cs231n_utils.gradcheck or mine.
with testing.course_versions_disabled("numerical_derivative", "relative_error"):
    both_zero = relative_error(0.0, 0.0)
    three = relative_error([1.0, 2.0, 4.0], [1.0, 3.0, 6.0])
    opposite = relative_error(-3.0, 1.0)
    tiny = relative_error(1e-9, 0.0)
print(f"(0, 0): {both_zero}   ([1, 2, 4], [1, 3, 6]): {three}   (-3, 1): {opposite}   (1e-9, 0): {tiny}")
assert np.ndim(three) == 0, "missing max: return one number, the largest relative error over the entries"
assert both_zero == 0.0, "missing floor: both zero gives 0/0; the max(1e-8, ...) in the denominator keeps it finite"
assert abs(three - 0.2) < 1e-12, (
    "sum instead of max: take the largest entry, not the total" if abs(three - 0.4) < 1e-12 else
    "mean instead of max: take the largest entry, not the average" if abs(three - 0.4 / 3) < 1e-12 else
    f"expected 0.2 (entries 0, 0.2, 0.2), got {three}: is it |a - n| / (|a| + |n|) per entry?")
assert abs(opposite - 1.0) < 1e-12, (
    f"expected 1 for -3 vs 1, got {opposite}: missing abs, |a - n| over |a| + |n| (not |a + n|)")
assert abs(tiny - 0.1) < 1e-12, (
    f"expected 0.1 for 1e-9 vs 0, got {tiny}: wrong floor, the denominator is max(1e-8, |a| + |n|)")

# %% id="q8_relative_error_test" kind="tests" points=1
assert abs(relative_error([1.0, 2.0], [1.0, 3.0]) - 0.2) < 1e-12
assert relative_error(0.0, 0.0) == 0.0
### BEGIN HIDDEN TESTS
import cs231n_utils.gradcheck as _gc
from cs231n_utils.testing import reference_disabled
_rng = np.random.default_rng(8)
_a, _n = _rng.normal(size=(4, 5)), _rng.normal(size=(4, 5))
_want = np.max(np.abs(_a - _n) / np.maximum(1e-8, np.abs(_a) + np.abs(_n)))
with reference_disabled(_gc.rel_error, _gc.check_gradient):  # check_gradient reports the same number
    assert abs(relative_error(_a, _n) - _want) < 1e-12
    assert abs(relative_error(-3.0, 1.0) - 1.0) < 1e-12
    assert abs(relative_error(1e-9, 0.0) - 0.1) < 1e-12  # the 1e-8 floor, not 1e-9 / 1e-9
### END HIDDEN TESTS

# %% [markdown] id="exercise_q9"
# ### Exercise 9 (2 points): check your engine
#
# Put it together: `check_value_gradients(build, inputs)` takes a function `build(values) -> Value` that
# builds an expression from a list of `Value`s, and a float array `inputs`. It returns the relative error
# between your engine's gradients (run `backward()` on the output) and numerical ones from *your*
# `numerical_derivative` (Exercise 1): for each input $i$, the derivative of the one-number function
# "input $i$ set to $t$, the others as given, `build` on fresh `Value`s, take `.data`", at $t$ = input $i$.
# Use your `relative_error` (Exercise 8) too: these are the first pieces of your own library. A good
# gradient check must also *catch* a wrong gradient: the tests feed it a gate with a deliberate bug.

# %% id="q9_check_engine" kind="answer"
def check_value_gradients(build, inputs):
    """Relative error between the engine's and the numerical gradient of build at inputs (N,)."""
    inputs = np.asarray(inputs, dtype=float)
    ### BEGIN SOLUTION
    values = [Value(t) for t in inputs]
    build(values).backward()
    analytic = np.array([v.grad for v in values])

    def along(i):  # the expression as a function of input i alone
        return lambda t: build([Value(t if j == i else v) for j, v in enumerate(inputs)]).data

    numeric = np.array([numerical_derivative(along(i), inputs[i]) for i in range(len(inputs))])
    return relative_error(analytic, numeric)
    ### END SOLUTION


# %% id="check_q9"
# Check: a correct expression passes (threshold 1e-7), and a gate whose backward is wrong is caught.
def neuron_expr(v):
    return (v[0] * v[1] + v[2] * v[3] + v[4]).sigmoid()

def broken_square(v):
    out = Value(v[0].data ** 2, (v[0],), "square")
    def _backward():
        v[0].grad += v[0].data * out.grad  # bug: should be 2 * v[0].data
    out._backward = _backward
    return out

# Your own functions, not the package's: the check fails if it reaches cs231n_utils.gradcheck or mine.
with testing.course_versions_disabled("numerical_derivative", "relative_error"):
    err_good = check_value_gradients(neuron_expr, [2.0, -1.0, -3.0, -2.0, -3.0])
    err_bad = check_value_gradients(broken_square, [1.5])
print(f"relative error, correct engine: {err_good:.1e};  deliberately broken gate: {err_bad:.1e}")
assert err_good < 1e-7, ("engine and numerical gradient disagree: if Exercises 5-8 pass their checks, "
                         "the numerical side is built wrong (one input varied at a time, the others fixed?)")
assert err_bad > 1e-2, ("a wrong gradient passed: the analytic side must come from backward() on the built "
                        "expression, not from the numerical gradient again")

# %% id="q9_check_engine_test" kind="tests" points=2
assert check_value_gradients(lambda v: (v[0] * v[1]).exp() + v[1], [0.5, -1.2]) < 1e-7
def _half(v):
    out = Value(v[0].data * v[1].data, (v[0], v[1]), "*")
    def _backward():
        v[0].grad += v[1].data * out.grad  # v[1] never gets its gradient
    out._backward = _backward
    return out
assert check_value_gradients(_half, [2.0, 3.0]) > 0.5
### BEGIN HIDDEN TESTS
import cs231n_utils.gradcheck as _gc
from cs231n_utils.testing import reference_disabled
_ref = (_gc.eval_numerical_gradient, _gc.eval_numerical_gradient_array, _gc.grad_check_sparse, _gc.rel_error,
        _gc.check_gradient)
with reference_disabled(*_ref):
    assert check_value_gradients(lambda v: (v[0] * v[1]).exp() + v[1], [0.5, -1.2]) < 1e-7
_rng = np.random.default_rng(9)
_v = _rng.normal(size=3)
assert check_value_gradients(lambda v: (v[0] * v[1] + v[2]).sigmoid() * v[0], _v) < 1e-7
def _signflip(v):
    out = Value(v[0].data * 3.0, (v[0],), "*3")
    def _backward():
        v[0].grad -= 3.0 * out.grad
    out._backward = _backward
    return out
assert check_value_gradients(_signflip, [0.7]) > 0.5
def _square_missing_two(v):  # wrong everywhere but at 0: checked at the inputs given
    out = Value(v[0].data ** 2, (v[0],), "square")
    def _backward():
        v[0].grad += v[0].data * out.grad
    out._backward = _backward
    return out
assert check_value_gradients(_square_missing_two, _rng.uniform(1, 3, size=1)) > 0.2
# relative, not absolute: large gradients still agree, tiny wrong ones are still caught
assert check_value_gradients(lambda v: v[0] * v[1] * 1e4, [3.0, 2.0]) < 1e-7
def _tiny_double(v):
    out = Value(v[0].data * 1e-6, (v[0],), "*1e-6")
    def _backward():
        v[0].grad += 2e-6 * out.grad
    out._backward = _backward
    return out
assert check_value_gradients(_tiny_double, [1.0]) > 0.2
### END HIDDEN TESTS

# %% [markdown] id="wq3_question"
# ### Written question 3 (2 points, graded by hand): a gradient check on a network with ReLUs
#
# A gradient check of the sigmoid neuron gives a relative error of $10^{-10}$. The same check on a network
# of ReLU and max gates gives $10^{-4}$ at one of the inputs and $10^{-9}$ at all the others. Is the ReLU
# network's backward pass wrong? Explain what can cause this one large error, and what you would do to find
# out.
#
# Write your answer in the next cell (a few sentences; numbers welcome).

# %% [markdown] id="wq3_kinks_and_thresholds" kind="written" points=2
# **Your answer:**
#
# ### BEGIN SOLUTION
# *Model answer.* Not necessarily. A ReLU or max gate has a kink: if an input of a max (or x of max(0, x))
# lies within h of the kink, the centered difference f(x+h) - f(x-h) straddles it and averages the two
# one-sided slopes, so the numerical gradient itself is off there, not the analytic one. A relative error of
# 1e-4 on a network with kinks is acceptable by the table above. To find out, check whether that input is
# within h of a kink (e.g. compare the inputs of the max gates, or whether |x| < h at a ReLU), or rerun the
# check at a few other random points or with a smaller h; a real bug shows up at most points.
#
# RUBRIC (2 points)
# - 1 point: says the error can come from the numerical gradient at a kink (ReLU/max) within h of the
#   checked point, not from the backward pass
# - 1 point: a way to tell: check whether the point is within h of a kink, or re-check at other random
#   points or with another h (a real bug fails at most points)
# ### END SOLUTION

# %% [markdown] id="summary"
# ## Summary
#
# * Training needs $\nabla_W L$; numerical gradients are for **checking** analytic ones, with the relative
#   error and a stated threshold.
# * Backpropagation is the chain rule applied gate by gate: **downstream = local × upstream**, and
#   gradients **add** where a value branches.
# * Add gates distribute the gradient, multiply gates switch their inputs, and a group of gates with an
#   easy local gradient (the sigmoid, $(1-\sigma)\sigma$) can be one gate.
# * An autodiff engine is a graph of such gates, walked in reverse topological order.
#
# Next, notebook 02 turns these gates into reusable modules and builds the SVM and softmax losses from them.
