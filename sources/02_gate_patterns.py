# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] id="title"
# # 02 — Gate patterns, modules, and the SVM and softmax losses
#
# **Learning goals.** After this notebook you can
#
# 1. write a **gate (게이트)** as a small **module (모듈)**: `forward` computes the output and keeps what the
#    backward pass needs in a **cache (캐시)**, `backward(dout)` turns the **upstream gradient (상류 기울기)**
#    into the gradients of the inputs;
# 2. recognise the three patterns of backpropagation at a glance: the add gate is a
#    **gradient distributor (경사 분배기)**, the max gate a **gradient router (경사 라우터)**, the multiply
#    gate a **gradient switcher (경사 스위처)**;
# 3. explain why gradients **add** where a value **branches (분기)**, and spot the bug when they are overwritten;
# 4. wire gates into graphs, including the lecture's $f = 2\,(xy + \max(z, w))$;
# 5. build the **multiclass SVM (hinge) loss (다중 클래스 SVM 손실, 힌지 손실)** and the
#    **softmax cross-entropy loss (소프트맥스 교차 엔트로피 손실)** with **L2 regularization (L2 규제)** as graphs,
#    for one example and for a batch, check their gradients numerically, and make softmax
#    **numerically stable (수치적으로 안정)**.
#
# **How to work.** Fill in every cell marked `# YOUR CODE HERE` (delete the `raise NotImplementedError()`).
# After each exercise, run the *check* cell below it: it tells you what is wrong and by how much.
# The *test* cells hold the graded tests (plus hidden tests with other inputs). Students run cells out of
# order, so every check cell recomputes what it needs from your functions; still, before you submit,
# use **Kernel → Restart & Run All** and make sure nothing fails.

# %% id="setup"
# %matplotlib inline
import time

import matplotlib.pyplot as plt
import numpy as np

from cs231n_utils.data import load_mnist
from cs231n_utils.gradcheck import check_gradient, eval_numerical_gradient, rel_error
from cs231n_utils.testing import course_versions_disabled
from cs231n_utils.viz import draw_graph

np.set_printoptions(precision=4, suppress=True)


# %% [markdown] id="gates_as_modules"
# ## 1. Gates as modules
#
# In notebook 01 we backpropagated through whole formulas by hand. Real libraries do not: they are built
# from small **gates** that each know only their own derivative, and the graph is assembled from them.
# Every gate in this notebook has the same interface, the one the CS231n layers use:
#
# * `forward(inputs...)` computes the output and stores in attributes of the object (its **cache**) exactly
#   what the backward pass will need;
# * `backward(dout)` receives `dout` $= \partial L / \partial\,\text{out}$, the upstream gradient, and returns
#   the gradient of $L$ with respect to each input: **local gradient × upstream gradient**
#   (the chain rule, **연쇄 법칙**).
#
# Because the cache lives in the object, a graph uses **one gate object per node**: calling `forward` on
# the same object twice would overwrite the cache of the first call.
#
# Two gates are given as examples. `ExpGate` caches its output, because $\frac{d}{dx} e^x = e^x$ is the
# output itself; `ScaleGate` multiplies by a fixed number $c$ and needs no cache at all. The helper
# `numerical_gate_gradients` is how the check cells test a gate: it nudges each input and watches
# `dout * forward(...)`.

# %% id="example_gates"
class ExpGate:
    """out = e ** x for a float x."""

    def forward(self, x):
        self.out = np.exp(x)  # cache: the local gradient of e^x is e^x itself
        return self.out

    def backward(self, dout):
        """dout: dL/dout. Returns dx."""
        return self.out * dout


class ScaleGate:
    """out = c * x for a fixed float c (a multiply gate whose other input is a constant)."""

    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return self.c * x  # nothing to cache: the local gradient c does not depend on x

    def backward(self, dout):
        """dout: dL/dout. Returns dx."""
        return self.c * dout


def numerical_gate_gradients(make_gate, inputs, dout, h=1e-5):
    """Centered-difference gradients of dout * gate.forward(*inputs) with respect to each input.

    make_gate: makes a fresh gate, e.g. MulGate or lambda: ScaleGate(2.0);  inputs: floats
    Returns an array with one gradient per input.
    """
    return eval_numerical_gradient(lambda v: dout * make_gate().forward(*v),
                                   np.array(inputs, dtype=float), h=h)


def gate_diagnosis(got, want, dout):
    """The kind of bug that turns a gate's gradients `want` into `got`, for the upstream gradient dout."""
    got = np.atleast_1d(np.asarray(got, dtype=float))
    want = np.atleast_1d(np.asarray(want, dtype=float))
    if got.shape != want.shape:
        return f"{got.size} gradient(s) returned, {want.size} expected: one per input"
    if np.allclose(got, want):
        return "correct"
    if np.allclose(got, -want):
        return "sign flipped"
    if dout != 1 and np.allclose(got * dout, want):
        return "missing upstream gradient: the local gradient is not multiplied by dout"
    if got.size == 2 and np.allclose(got, want[::-1]):
        return "the two inputs' gradients are swapped"
    if np.any((want == 0) != (got == 0)):
        return "a gradient goes to the wrong input (or to none): which input should receive nothing?"
    ratio = got / want
    if np.allclose(ratio, ratio[0]):
        return f"off by a constant factor {ratio[0]:g}: an extra or a missing factor"
    return "wrong values: re-derive each input's local gradient"


gate = ExpGate()
out = gate.forward(1.0)
dx = gate.backward(0.5)
print(f"exp gate: out = {out:.4f}, dx = {dx:.4f}, "
      f"numerical {numerical_gate_gradients(ExpGate, [1.0], 0.5)[0]:.4f}")


# %% [markdown] id="exercise_q1"
# ### Exercise 1 (2 points): the add and multiply gates
#
# For $\text{out} = x + y$ both local gradients are 1, so the add gate hands the upstream gradient
# **unchanged to every input**: a **gradient distributor (경사 분배기)**.
#
# For $\text{out} = x\,y$ the local gradients are $\partial\,\text{out}/\partial x = y$ and
# $\partial\,\text{out}/\partial y = x$: each input receives **the other input** times the upstream
# gradient, a **gradient switcher (경사 스위처)**. That is why the multiply gate must cache its inputs.
#
# Write `AddGate` and `MulGate` (floats in, floats out; `backward` returns the tuple `(dx, dy)`).

# %% id="q1_add_mul_gates" kind="answer"
class AddGate:
    """out = x + y for floats x, y."""

    def forward(self, x, y):
        out = None
        ### BEGIN SOLUTION
        out = x + y  # nothing to cache: both local gradients are 1, whatever x and y are
        ### END SOLUTION
        return out

    def backward(self, dout):
        """dout: dL/dout. Returns (dx, dy)."""
        dx = dy = None
        ### BEGIN SOLUTION
        dx = 1.0 * dout
        dy = 1.0 * dout
        ### END SOLUTION
        return dx, dy


class MulGate:
    """out = x * y for floats x, y."""

    def forward(self, x, y):
        out = None
        ### BEGIN SOLUTION
        self.x, self.y = x, y  # cache: each local gradient is the other input
        out = x * y
        ### END SOLUTION
        return out

    def backward(self, dout):
        """dout: dL/dout. Returns (dx, dy)."""
        dx = dy = None
        ### BEGIN SOLUTION
        dx = self.y * dout
        dy = self.x * dout
        ### END SOLUTION
        return dx, dy


# %% id="check_q1"
# 1) Exact numbers: inputs 3 and -4, upstream gradient 2.
add, mul = AddGate(), MulGate()
out_add, out_mul = add.forward(3.0, -4.0), mul.forward(3.0, -4.0)
print(f"add: out {out_add}, (dx, dy) = {add.backward(2.0)}")
print(f"mul: out {out_mul}, (dx, dy) = {mul.backward(2.0)}")
assert out_add == -1.0 and out_mul == -12.0, f"forward: add gave {out_add}, mul gave {out_mul}"
for name, gate, want in [("add", add, (2.0, 2.0)), ("mul", mul, (-8.0, 6.0))]:
    got = gate.backward(2.0)
    assert np.allclose(got, want), f"{name} gate at (3, -4), dout = 2: {got}: {gate_diagnosis(got, want, 2.0)}"

# 2) Numerical check at other inputs, upstream gradient 1.7.
#    Threshold: relative error < 1e-9 (sums and products: only rounding noise, measured ~1e-11).
for Gate in (AddGate, MulGate):
    gate = Gate()
    gate.forward(0.8, -1.3)
    analytic = np.array(gate.backward(1.7), dtype=float)
    numeric = numerical_gate_gradients(Gate, [0.8, -1.3], 1.7)
    assert check_gradient(analytic, numeric, threshold=1e-9, name=Gate.__name__).passed

# %% id="q1_add_mul_gates_test" kind="tests" points=2
_g = AddGate()
assert _g.forward(3.0, -4.0) == -1.0 and tuple(_g.backward(2.0)) == (2.0, 2.0)
_g = MulGate()
assert _g.forward(3.0, -4.0) == -12.0 and tuple(_g.backward(2.0)) == (-8.0, 6.0)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(11)
for _ in range(5):
    _x, _y, _d = _rng.normal(size=3) * 3
    _a, _m = AddGate(), MulGate()
    assert abs(_a.forward(_x, _y) - (_x + _y)) < 1e-12 and abs(_m.forward(_x, _y) - _x * _y) < 1e-12
    _dx, _dy = _a.backward(_d)
    assert abs(_dx - _d) < 1e-12 and abs(_dy - _d) < 1e-12
    _dx, _dy = _m.backward(_d)
    assert abs(_dx - _y * _d) < 1e-12 and abs(_dy - _x * _d) < 1e-12
# each object keeps its own cache, and backward may be called with another dout
_m1, _m2 = MulGate(), MulGate()
_m1.forward(2.0, 5.0)
_m2.forward(-1.0, 7.0)
assert tuple(_m1.backward(1.0)) == (5.0, 2.0) and tuple(_m2.backward(-2.0)) == (-14.0, 2.0)
assert tuple(_m1.backward(0.5)) == (2.5, 1.0)
### END HIDDEN TESTS

# %% [markdown] id="graph_from_modules"
# With two gates we can already rebuild notebook 01's first graph, $f = (x + y)\,z$ at $x = -2$, $y = 5$,
# $z = -4$, from modules. The forward pass calls the gates left to right; the backward pass calls them
# right to left, feeding each gate the gradient of its output: that is the whole recipe.

# %% id="demo_graph_from_modules"
add, mul = AddGate(), MulGate()  # one object per node of the graph
x, y, z = -2.0, 5.0, -4.0
q = add.forward(x, y)      # q = x + y = 3
f = mul.forward(q, z)      # f = q z = -12
dq, dz = mul.backward(1.0) # start from df/df = 1
dx, dy = add.backward(dq)
print(f"f = {f}, df/dx = {dx}, df/dy = {dy}, df/dz = {dz}   (lecture: -12, -4, -4, 3)")
assert (f, dx, dy, dz) == (-12.0, -4.0, -4.0, 3.0)


# %% [markdown] id="exercise_q2"
# ### Exercise 2 (2 points): the max and sigmoid gates
#
# For $\text{out} = \max(x, y)$ the local gradient is 1 for the input that won and 0 for the other, so the
# max gate sends the whole upstream gradient to the winner and **nothing** to the loser: a
# **gradient router (경사 라우터)**. (The max is not differentiable where $x = y$; we let $x$ win ties.
# The gradient-check data avoid ties.)
#
# The **sigmoid gate** computes $\sigma(x) = 1/(1 + e^{-x})$ and, as in notebook 01, its local gradient is
# best written with its output: $\sigma'(x) = (1 - \sigma(x))\,\sigma(x)$. Cache the output.
#
# Write `MaxGate` (`backward` returns `(dx, dy)`) and `SigmoidGate` (one input: `backward` returns `dx`).

# %% id="q2_max_sigmoid_gates" kind="answer"
class MaxGate:
    """out = max(x, y) for floats x, y (ties go to x)."""

    def forward(self, x, y):
        out = None
        ### BEGIN SOLUTION
        self.x_wins = x >= y  # cache: which input was the max
        out = x if self.x_wins else y
        ### END SOLUTION
        return out

    def backward(self, dout):
        """dout: dL/dout. Returns (dx, dy)."""
        dx = dy = None
        ### BEGIN SOLUTION
        dx = dout if self.x_wins else 0.0
        dy = 0.0 if self.x_wins else dout
        ### END SOLUTION
        return dx, dy


class SigmoidGate:
    """out = 1 / (1 + e ** -x) for a float x."""

    def forward(self, x):
        out = None
        ### BEGIN SOLUTION
        self.out = 1.0 / (1.0 + np.exp(-x))  # cache the output: sigma' = (1 - sigma) sigma
        out = self.out
        ### END SOLUTION
        return out

    def backward(self, dout):
        """dout: dL/dout. Returns dx."""
        dx = None
        ### BEGIN SOLUTION
        dx = (1.0 - self.out) * self.out * dout
        ### END SOLUTION
        return dx


# %% id="check_q2"
# 1) Exact numbers: max(2, -1) with upstream gradient 2, then the other input winning.
mx = MaxGate()
out = mx.forward(2.0, -1.0)
print(f"max(2, -1) = {out}, (dx, dy) = {mx.backward(2.0)}")
assert out == 2.0, f"forward: max(2, -1) gave {out}"
for (a, b), dout, want in [((2.0, -1.0), 2.0, (2.0, 0.0)), ((-1.0, 3.0), 1.5, (0.0, 1.5))]:
    mx.forward(a, b)
    got = mx.backward(dout)
    assert np.allclose(got, want), f"max gate at ({a:g}, {b:g}), dout = {dout:g}: {got}: {gate_diagnosis(got, want, dout)}"
sg = SigmoidGate()
out = sg.forward(0.0)
got = sg.backward(2.0)
print(f"sigmoid(0) = {out}, dx = {got} for dout = 2")
assert out == 0.5, f"forward: sigmoid(0) gave {out}"
assert got == 0.5, f"sigmoid gate at 0, dout = 2: {got}: {gate_diagnosis(got, 0.5, 2.0)}"

# 2) Numerical check away from the max's kink, upstream gradient -0.7.
#    Threshold: relative error < 1e-9 (measured ~1e-11 for max, ~1e-10 for sigmoid).
mx.forward(0.4, 1.1)
assert check_gradient(np.array(mx.backward(-0.7)), numerical_gate_gradients(MaxGate, [0.4, 1.1], -0.7),
                      threshold=1e-9, name="MaxGate").passed
sg.forward(0.8)
assert check_gradient(np.array([sg.backward(-0.7)]), numerical_gate_gradients(SigmoidGate, [0.8], -0.7),
                      threshold=1e-9, name="SigmoidGate").passed

# %% id="q2_max_sigmoid_gates_test" kind="tests" points=2
_g = MaxGate()
assert _g.forward(2.0, -1.0) == 2.0 and tuple(_g.backward(2.0)) == (2.0, 0.0)
_s = SigmoidGate()
assert _s.forward(0.0) == 0.5 and _s.backward(1.0) == 0.25
### BEGIN HIDDEN TESTS
_g = MaxGate()
assert _g.forward(-1.0, 3.0) == 3.0 and tuple(_g.backward(1.5)) == (0.0, 1.5)
_rng = np.random.default_rng(12)
for _ in range(6):
    _x, _y, _d = _rng.normal(size=3) * 3
    _g = MaxGate()
    assert _g.forward(_x, _y) == max(_x, _y)
    _dx, _dy = _g.backward(_d)
    assert (_dx, _dy) == ((_d, 0.0) if _x > _y else (0.0, _d)), (_x, _y, _d, _dx, _dy)
    _s = SigmoidGate()
    _out = _s.forward(_x)
    assert abs(_out - 1 / (1 + np.exp(-_x))) < 1e-12
    _num = eval_numerical_gradient(lambda v: _d / (1 + np.exp(-v[0])), np.array([_x]))[0]
    assert rel_error(_s.backward(_d), _num) < 1e-8, (_x, _d, _s.backward(_d), _num)
### END HIDDEN TESTS

# %% [markdown] id="three_patterns"
# ### The three patterns, with the lecture's numbers
#
# The lecture's graph $f = 2\,(xy + \max(z, w))$ at $x = 3$, $y = -4$, $z = 2$, $w = -1$ has each pattern
# once. Every gate there receives the upstream gradient 2 (from the $\times 2$ at the end); below, each gate
# is drawn on its own with *your* gates' numbers: forward values in green above the nodes, gradients in red
# below.
#
# * **add** distributes: both inputs get 2;
# * **max** routes: $z$ (the winner) gets 2, $w$ gets 0;
# * **mul** switches: $x$ gets $y \cdot 2 = -8$, $y$ gets $x \cdot 2 = 6$. Each gradient is proportional to
#   the *other* input, so here $x$, the input with the smaller magnitude, gets the larger gradient.

# %% id="fig_three_patterns"
upstream = 2.0
panels = [("add = gradient distributor", AddGate(), "+", (-12.0, 2.0), ("xy", "max")),
          ("max = gradient router", MaxGate(), "max", (2.0, -1.0), ("z", "w")),
          ("mul = gradient switcher", MulGate(), "*", (3.0, -4.0), ("x", "y"))]
fig, axes = plt.subplots(1, 3, figsize=(10, 3.2), layout="constrained")
for ax, (title, gate, symbol, (a, b), (name_a, name_b)) in zip(axes, panels, strict=True):
    out = gate.forward(a, b)
    da, db = gate.backward(upstream)
    print(f"{title:27s} inputs ({a:g}, {b:g}) -> out {out:g};  gradients ({da:g}, {db:g})")
    nodes = [dict(id="a", label=name_a, value=a, grad=da), dict(id="b", label=name_b, value=b, grad=db),
             dict(id="g", label=symbol, value=out, grad=upstream)]
    draw_graph(nodes, [("a", "g"), ("b", "g")], title=title, ax=ax)
for ax in axes[:2]:
    ax.get_legend().remove()  # one legend (under the last panel) is enough
plt.show()


# %% [markdown] id="exercise_q3"
# ### Exercise 3 (1 point): the branch (copy) gate
#
# What happens when one value feeds **two** gates, like $x$ in $x \cdot y + \max(x, y)$? Make the branching
# explicit with a **branch gate (분기 게이트)**: `forward(x)` returns two copies of $x$, one for each use.
# In the backward pass each copy brings back its own gradient, and the multivariable chain rule says that
# the total effect of $x$ on the loss is the **sum** of its effects through every path:
#
# $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial x_1} + \frac{\partial L}{\partial x_2}.$$
#
# (A branch gate is the mirror image of the add gate: add takes two values and distributes one gradient,
# branch takes one value and sums two gradients.)
#
# Write `BranchGate`: `backward(dout1, dout2)` returns `dx`.

# %% id="q3_branch_gate" kind="answer"
class BranchGate:
    """One value used twice: forward(x) returns two copies, backward(dout1, dout2) returns dx."""

    def forward(self, x):
        out1 = out2 = None
        ### BEGIN SOLUTION
        out1, out2 = x, x  # nothing to cache
        ### END SOLUTION
        return out1, out2

    def backward(self, dout1, dout2):
        """dout1, dout2: dL/d(first copy), dL/d(second copy). Returns dx."""
        dx = None
        ### BEGIN SOLUTION
        dx = dout1 + dout2  # both uses of x change L: their effects add up
        ### END SOLUTION
        return dx


# %% id="check_q3"
br = BranchGate()
copies = br.forward(2.5)
got = br.backward(2.0, -3.0)
print(f"copies {copies}, dx = {got} for the gradients 2 and -3 of the two copies")
assert tuple(copies) == (2.5, 2.5), f"forward: two copies of x, got {copies}"
assert np.shape(got) == (), f"backward returns one number, dx, not {got!r}"
assert got == -1.0, (
    f"dx = {got}: " + ("overwritten: only one use of x counts" if got in (2.0, -3.0)
                       else "averaged: each use of x changes L by its full amount" if got == -0.5
                       else "multiplied: the effects along two paths do not multiply" if got == -6.0
                       else "combine the two effects of x on L"))

# %% id="q3_branch_gate_test" kind="tests" points=1
_b = BranchGate()
assert tuple(_b.forward(2.5)) == (2.5, 2.5) and _b.backward(1.0, -3.0) == -2.0
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(13)
for _ in range(5):
    _x, _d1, _d2 = _rng.normal(size=3)
    _b = BranchGate()
    assert tuple(_b.forward(_x)) == (_x, _x)
    _dx = _b.backward(_d1, _d2)
    assert abs(_dx - (_d1 + _d2)) < 1e-12, (_d1, _d2, _dx)
### END HIDDEN TESTS

# %% [markdown] id="wq1_question"
# ### Written question 1 (1 point): the multiply gate and the scale of the data
#
# A linear score $s = w_1 x_1 + w_2 x_2$ is two multiply gates and an add gate. Feature $x_1$ is a pixel;
# someone stores it as 0 to 255 instead of 0 to 1, so every $x_1$ is 255 times larger (and $w_1$ is 255 times
# smaller, so that the scores are the same as before). Take one gradient descent step
# $w_1 \leftarrow w_1 - \eta\,\partial L/\partial w_1$ with the same learning rate $\eta$ and the same
# upstream gradient $\partial L/\partial s$ as before. By what factor does the change of the score $s$
# that this step causes grow?
#
# - **A.** 1: the scores and the loss are the same as before, so gradient descent takes the same step.
# - **B.** 255: the gradient on $w_1$ grows with $x_1$, so the step does, and the score moves in proportion
#   to the step.
# - **C.** $255^2 = 65025$: the gradient on $w_1$ grows with $x_1$, and the score moves by $x_1$ times the
#   step.
# - **D.** $1/255$: $w_1$ is 255 times smaller, so its gradient and its step are 255 times smaller.
#
# Set `answer_wq1` to the letter of your choice (a string, e.g. `"A"`).

# %% id="wq1_mul_gate_scale" kind="answer"
answer_wq1 = None  # one of 'A', 'B', 'C', 'D'
### BEGIN SOLUTION
answer_wq1 = "C"
### END SOLUTION

# %% id="check_wq1"
# Checks the form of the answer only: whether it is right is graded by hidden tests.
assert answer_wq1 in ('A', 'B', 'C', 'D'), f"answer_wq1 must be one of 'A', 'B', 'C', 'D' (a string), not {answer_wq1!r}"
print(f"answer_wq1 = {answer_wq1!r}: a valid choice")

# %% id="wq1_mul_gate_scale_test" kind="tests" points=1
assert answer_wq1 in ('A', 'B', 'C', 'D')
### BEGIN HIDDEN TESTS
assert answer_wq1 == "C"
### END HIDDEN TESTS

# %% [markdown] id="wiring_gates_into_graphs"
# ## 2. Wiring gates into graphs
#
# Graphs in practice are far bigger than the ones below, but they are built the same way. The lecture
# notes' example of a very large computational graph is the **neural Turing machine** (Graves et al.,
# 2014): a network that learns to read from and write to an external memory, unrolled over every time step
# of its input, so that its graph has many thousands of nodes. Backpropagation through it is still the recipe
# of this section: a forward pass over the nodes in order, then every node's own backward step in reverse
# order. Nobody derives its gradient as one formula.
#
# ### Exercise 4 (2 points): the lecture's graph $f = 2\,(xy + \max(z, w))$
#
# Wire the gates into the lecture's graph: a multiply gate for $xy$, a max gate for $\max(z, w)$, an add
# gate for their sum, and the given `ScaleGate(2.0)` for the final $\times 2$. Run the forward pass left to
# right, then the backward pass right to left, starting from $\partial f / \partial f = 1$ and giving each
# gate the gradient of **its own output**. Return the gradients of the inputs and of the three inner nodes.
#
# At $x = 3$, $y = -4$, $z = 2$, $w = -1$ you should get $f = -20$ and
# $(\partial f/\partial x, \partial f/\partial y, \partial f/\partial z, \partial f/\partial w) = (-8, 6, 2, 0)$.

# %% id="q4_lecture_graph" kind="answer"
def lecture_graph(x, y, z, w):
    """f = 2 * (x*y + max(z, w)) for floats x, y, z, w, wired from gates (one per node).

    Returns f and a dict of gradients of f: 'x', 'y', 'z', 'w', and the inner nodes
    'xy' (the product), 'max' (the max) and 'sum' (their sum).
    """
    mul, mx, add, times2 = MulGate(), MaxGate(), AddGate(), ScaleGate(2.0)
    f = None
    grads = {}
    ### BEGIN SOLUTION
    # forward, left to right
    xy = mul.forward(x, y)
    m = mx.forward(z, w)
    s = add.forward(xy, m)
    f = times2.forward(s)
    # backward, right to left: each gate gets the gradient of its own output
    grads["sum"] = times2.backward(1.0)
    grads["xy"], grads["max"] = add.backward(grads["sum"])
    grads["z"], grads["w"] = mx.backward(grads["max"])
    grads["x"], grads["y"] = mul.backward(grads["xy"])
    ### END SOLUTION
    return f, grads


# %% id="check_q4"
# The lecture's numbers (exact: small integers), node by node from the output back.
f, grads = lecture_graph(3.0, -4.0, 2.0, -1.0)
print(f"f = {f};  gradients: " + ", ".join(f"{k} {v:g}" for k, v in grads.items()))
assert f == -20.0, f"forward: f = {f}, the lecture's slide says -20"
for node, want, why in [("sum", 2.0, "the x2 gate's backward was skipped: every gate passes back its gradient"),
                        ("xy", 2.0, "the add gate got the wrong upstream gradient (or changed it)"),
                        ("max", 2.0, "the add gate got the wrong upstream gradient (or changed it)"),
                        ("z", 2.0, "z wins the max: was the max gate fed the gradient of its own output, "
                                   "with its inputs in the order of the forward pass?"),
                        ("w", 0.0, "w loses the max"),
                        ("x", -8.0, "the multiply gate: fed the gradient of its own output? x and y swapped?"),
                        ("y", 6.0, "the multiply gate: fed the gradient of its own output? x and y swapped?")]:
    got = grads.get(node)
    assert got == want, (f"df/d{node} = {got}, the graph gives {want:g}: "
                         + ("sign flipped" if got == -want != 0 else why))

# %% id="q4_lecture_graph_test" kind="tests" points=2
_f, _g = lecture_graph(3.0, -4.0, 2.0, -1.0)
assert _f == -20.0
assert (_g["x"], _g["y"], _g["z"], _g["w"]) == (-8.0, 6.0, 2.0, 0.0)
assert (_g["sum"], _g["xy"], _g["max"]) == (2.0, 2.0, 2.0)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(14)
for _ in range(6):
    _v = _rng.normal(size=4) * 2
    if abs(_v[2] - _v[3]) < 0.1:  # keep away from the max's kink
        continue
    _f, _g = lecture_graph(*_v)
    _fn = lambda a: 2 * (a[0] * a[1] + max(a[2], a[3]))
    assert abs(_f - _fn(_v)) < 1e-12
    _num = eval_numerical_gradient(_fn, _v.copy())
    assert rel_error(np.array([_g[k] for k in "xyzw"], dtype=float), _num) < 1e-8, (_v, _g, _num)
    assert (_g["sum"], _g["xy"], _g["max"]) == (2.0, 2.0, 2.0)
### END HIDDEN TESTS

# %% [markdown] id="lecture_graph_numbers"
# The whole graph with your numbers, as on the lecture slide. Follow the red numbers from right to left:
# the $\times 2$ gate sends 2 back, the add gate distributes it, the max gate routes it to $z$ only, and
# the multiply gate switches $x$ and $y$.

# %% id="fig_lecture_graph_numbers"
x, y, z, w = 3.0, -4.0, 2.0, -1.0
f, grads = lecture_graph(x, y, z, w)
nodes = [
    dict(id="x", label="x", value=x, grad=grads["x"]),
    dict(id="y", label="y", value=y, grad=grads["y"]),
    dict(id="z", label="z", value=z, grad=grads["z"]),
    dict(id="w", label="w", value=w, grad=grads["w"]),
    dict(id="xy", label="*", value=x * y, grad=grads["xy"]),
    dict(id="max", label="max", value=max(z, w), grad=grads["max"]),
    dict(id="sum", label="+", value=x * y + max(z, w), grad=grads["sum"]),
    dict(id="f", label="*2", value=f, grad=1.0),
]
edges = [("x", "xy"), ("y", "xy"), ("z", "max"), ("w", "max"), ("xy", "sum"), ("max", "sum"),
         ("sum", "f")]
draw_graph(nodes, edges, title="f = 2 (xy + max(z, w))")


# %% [markdown] id="exercise_q5"
# ### Exercise 5 (2 points): a graph with branches, $h = xy + \max(x, y)$
#
# Here **both** inputs are used twice: once by the multiply gate and once by the max gate. Split each with
# a `BranchGate`, feed one copy to each gate, and in the backward pass hand each branch gate the two
# gradients that come back to its copies.
#
# At $x = 3$, $y = -4$: $h = -12 + 3 = -9$. For $x$: the multiply path brings $y = -4$, the max path
# (where $x$ wins) brings $1$, so $\partial h/\partial x = -3$; for $y$: $3 + 0 = 3$.

# %% id="q5_branch_graph" kind="answer"
def branch_graph(x, y):
    """h = x*y + max(x, y) for floats x, y: each input is used twice.

    Returns h and (dh/dx, dh/dy).
    """
    split_x, split_y, mul, mx, add = BranchGate(), BranchGate(), MulGate(), MaxGate(), AddGate()
    h = dx = dy = None
    ### BEGIN SOLUTION
    x1, x2 = split_x.forward(x)
    y1, y2 = split_y.forward(y)
    p = mul.forward(x1, y1)
    m = mx.forward(x2, y2)
    h = add.forward(p, m)
    dp, dm = add.backward(1.0)
    dx1, dy1 = mul.backward(dp)
    dx2, dy2 = mx.backward(dm)
    dx = split_x.backward(dx1, dx2)
    dy = split_y.backward(dy1, dy2)
    ### END SOLUTION
    return h, (dx, dy)


# %% id="check_q5"
# The numbers above, then a numerical check where y wins the max.
# Threshold: relative error < 1e-9 (products and sums, measured ~1e-11).
h, (dx, dy) = branch_graph(3.0, -4.0)
print(f"h = {h}, dh/dx = {dx}, dh/dy = {dy}   (want -9.0, -3.0, 3.0)")
assert h == -9.0, f"forward: h = {h}, want 3 * -4 + max(3, -4) = -9"
for name, got, paths in [("x", dx, {"multiply": -4.0, "max": 1.0}), ("y", dy, {"multiply": 3.0, "max": 0.0})]:
    kept = [path for path, g in paths.items() if got == g]
    assert got == sum(paths.values()), (
        f"dh/d{name} = {got}: " + (f"the {kept[0]} path's gradient alone: overwritten at the branch (the "
                                   "gradients of both uses add), or the other path's went to the wrong input"
                                   if kept else "the paths' gradients of x and y mixed up?"))
v = np.array([-0.5, 1.2])
num = eval_numerical_gradient(lambda a: a[0] * a[1] + max(a[0], a[1]), v.copy())
assert check_gradient(np.array(branch_graph(*v)[1]), num, threshold=1e-9, name="(dx, dy)").passed, \
    "see the diagnosis above: is one input's gradient overwritten at its branch?"

# %% id="q5_branch_graph_test" kind="tests" points=2
_h, (_dx, _dy) = branch_graph(3.0, -4.0)
assert (_h, _dx, _dy) == (-9.0, -3.0, 3.0)
### BEGIN HIDDEN TESTS
_h, (_dx, _dy) = branch_graph(-1.0, 2.0)  # y wins the max
assert (_h, _dx, _dy) == (0.0, 2.0, 0.0)
_rng = np.random.default_rng(15)
for _ in range(6):
    _v = _rng.normal(size=2) * 2
    if abs(_v[0] - _v[1]) < 0.1:
        continue
    _fn = lambda a: a[0] * a[1] + max(a[0], a[1])
    _h, _g = branch_graph(*_v)
    assert abs(_h - _fn(_v)) < 1e-12
    assert rel_error(np.array(_g, dtype=float), eval_numerical_gradient(_fn, _v.copy())) < 1e-8, (_v, _g)
### END HIDDEN TESTS

# %% [markdown] id="classic_bug_overwriting"
# ### The classic bug: overwriting at a branch
#
# If a branch *overwrites* the gradient instead of adding (in code: `x.grad = ...` instead of
# `x.grad += ...`, or simply keeping the gradient that arrived last), each input keeps only the
# contribution of its last path. Here the max path is processed last, so $x$ would get $1$ instead of
# $-3$, and $y$ would get $0$ instead of $3$: wrong in size *and* sign, while every single gate is
# correct. The numerical gradient settles it.

# %% id="fig_classic_bug_overwriting"
x, y = 3.0, -4.0
mul, mx = MulGate(), MaxGate()
h = mul.forward(x, y) + mx.forward(x, y)
dx1, dy1 = mul.backward(1.0)   # the multiply path
dx2, dy2 = mx.backward(1.0)    # the max path, processed last
summed = (dx1 + dx2, dy1 + dy2)
overwritten = (dx2, dy2)       # each new gradient replaced the one before it
numeric = eval_numerical_gradient(lambda a: a[0] * a[1] + max(a[0], a[1]), np.array([x, y]))
print(f"summed:      dx = {summed[0]:g}, dy = {summed[1]:g}")
print(f"overwritten: dx = {overwritten[0]:g}, dy = {overwritten[1]:g}")
print(f"numerical:   dx = {numeric[0]:.6f}, dy = {numeric[1]:.6f}")

fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), layout="constrained")
for ax, (title, (gx, gy)) in zip(axes, [("gradients summed at the branches (correct)", summed),
                                        ("gradients overwritten (the bug)", overwritten)], strict=True):
    nodes = [dict(id="x", label="x", value=x, grad=gx), dict(id="y", label="y", value=y, grad=gy),
             dict(id="mul", label="*", value=x * y, grad=1.0),
             dict(id="max", label="max", value=max(x, y), grad=1.0),
             dict(id="h", label="+", value=h, grad=1.0)]
    edges = [("x", "mul"), ("y", "mul"), ("x", "max"), ("y", "max"), ("mul", "h"), ("max", "h")]
    draw_graph(nodes, edges, title=title, ax=ax)
plt.show()


# %% [markdown] id="loss_functions_as_graphs"
# ## 3. Loss functions as graphs
#
# A **linear classifier (선형 분류기)** maps an input $x \in \mathbb{R}^D$ to one **score (점수)** per class,
# $s = W x$ with $W$ of shape $(C, D)$. A loss function turns the scores and the correct class $y$ into one
# number that is small when the correct class wins. Both losses of lecture 3 are small graphs, and the
# patterns above give their gradients without heavy calculus: you derive them below.
#
# The lecture's example: three training images (a cat, a car, a frog) and three classes, with these
# scores (the correct class in bold):
#
# | class score | cat image | car image | frog image |
# | --- | --- | --- | --- |
# | cat | **3.2** | 1.3 | 2.2 |
# | car | 5.1 | **4.9** | 2.5 |
# | frog | -1.7 | 2.0 | **-3.1** |
#
# To feed these scores to functions that take $W$ and $x$, the check cells use $D = 3$, $W$ = the table
# (column $i$ = the scores of image $i$) and $x = e_i$, the one-hot vector, since $W e_i$ is column $i$.
#
# ### The multiclass SVM (hinge) loss
#
# The SVM wants the correct class's score to beat every other score by a margin $\Delta = 1$:
#
# $$L_i = \sum_{j \ne y_i} \max\big(0,\; s_j - s_{y_i} + 1\big).$$
#
# For the cat image: $\max(0, 5.1 - 3.2 + 1) + \max(0, -1.7 - 3.2 + 1) = 2.9 + 0 = 2.9$; the car image gives
# $0$ and the frog image $12.9$.
#
# **Derive the gradient on paper before you write code.** Draw $L_i$ of the cat image as a graph: the three
# scores, one margin node $m_j = s_j - s_{y_i} + 1$ per wrong class, one $\max(0, m_j)$ gate after each, and
# an add gate that sums them. Then answer, node by node from the loss back:
#
# 1. The add gate at the end receives $\partial L_i / \partial L_i = 1$. What does each $\max(0, m_j)$ gate
#    receive?
# 2. A $\max(0, m_j)$ gate has a constant 0 as its other input. What does it pass back to $m_j$ when
#    $m_j > 0$, and when $m_j < 0$? For the cat image, which of the two margins gets something?
# 3. $m_j = s_j - s_{y_i} + 1$ is an add gate with one input negated. What does it pass to $s_j$, and what to
#    $s_{y_i}$?
# 4. In how many margin nodes is $s_{y_i}$ used? What does Exercise 3 say about the gradient of a value used
#    in several places? Write down $\partial L_i / \partial s$ (three numbers) for the cat image and for the
#    frog image; the check cell compares them with the graph's.
# 5. $s_j = W_{j,:} \cdot x$: every weight $W_{jk}$ is multiplied by $x_k$. Which pattern is that, and what
#    does $W_{jk}$ receive from $\partial L_i / \partial s_j$? $\partial L_i / \partial W$ must have the
#    shape of $W$, $(C, D)$: which product of the vectors $\partial L_i / \partial s$ $(C)$ and $x$ $(D)$
#    has that shape?
#
# <details><summary>Hint for 1–4</summary>An add gate is a gradient distributor, a max gate a router (all to
# the input that won, nothing to the other), a minus sign is a multiply by $-1$ on the way, and at a branch
# the gradients of all the uses add up.</details>
#
# <details><summary>Hint for 5</summary>The multiply gate is a switcher: a weight receives the input it
# multiplies times the upstream gradient. Two vectors make a matrix of all their pairwise products:
# notebook 03 calls it the outer product.</details>
#
# **Regularization (규제).** Many $W$ give the same data loss; we prefer small weights and add an L2
# penalty. **This course uses** $R(W) = \tfrac{1}{2}\,\text{reg} \sum_{k,l} W_{k,l}^2$ (the package's
# classifiers use the same convention; other texts leave out the $\tfrac12$, which changes the gradient by a
# factor). Derive $\partial R / \partial W$ entry by entry; $W$ branches into the data loss and the
# regularizer, so what happens to the two gradients?
#
# ### Exercise 6 (3 points): SVM loss for one example
#
# Write `svm_loss_single(W, x, y, reg)`: the loss $L_i + \tfrac12\,\text{reg}\sum W^2$ and its gradient
# with respect to $W$, from your derivation. A loop over the classes is the clearest way (vectorizing is
# notebook 03's job).

# %% id="loss_check_helpers"
# Two checks that the loss exercises below share (read them if you like; they hold no answer).
def check_regularizer(loss_fn, W, *data, reg=0.1):
    """Checks the regularizer alone: how much loss_fn(W, *data, reg) and its dW change when reg is on."""
    (loss_on, dW_on), (loss_off, dW_off) = loss_fn(W.copy(), *data, reg), loss_fn(W.copy(), *data, 0.0)
    penalty = 0.5 * reg * np.linalg.norm(W) ** 2  # R(W) above: the squared Frobenius norm is the sum of squares
    ratio = (loss_on - loss_off) / penalty
    assert abs(ratio - 1) < 1e-6, (
        f"switching reg on adds {ratio:.4g} times R(W) to the loss: "
        + ("the regularizer is missing from the loss" if abs(ratio) < 1e-6
           else "it is counted more than once (in every example?)" if ratio > 1.5
           else "it is divided by N: only the data loss is an average" if ratio < 0.5 else "a wrong factor"))
    num = eval_numerical_gradient(lambda W_: loss_fn(W_, *data, reg)[0] - loss_fn(W_, *data, 0.0)[0], W.copy())
    # threshold 1e-6: the data loss cancels in the difference only up to rounding (measured ~1e-8)
    assert check_gradient(np.asarray(dW_on) - np.asarray(dW_off), num, threshold=1e-6,
                          name="d(regularizer)/dW").passed, "the regularizer's gradient: see the diagnosis above"


def check_batch_gradient(batch_fn, single_fn, W, X, y):
    """Checks the data gradient of batch_fn(W, X, y, 0.0) numerically, after one slip a check cannot name."""
    N = X.shape[0]
    _, dW = batch_fn(W.copy(), X, y, 0.0)
    last = single_fn(W.copy(), X[-1], y[-1], 0.0)[1]
    assert not (np.allclose(dW, last / N) or np.allclose(dW, last)), (
        "dW is the last example's gradient alone: overwritten in the loop, where the gradients of all N "
        "examples add (W is used by every one of them: a branch)")
    num = eval_numerical_gradient(lambda W_: batch_fn(W_, X, y, 0.0)[0], W.copy())
    assert check_gradient(dW, num, threshold=1e-8, name="dW (reg = 0)").passed, \
        f"see the diagnosis above (this batch has N = {N} examples)"


# %% id="q6_svm_single" kind="answer"
def svm_loss_single(W, x, y, reg):
    """Multiclass SVM loss of one example (margin 1) plus the L2 penalty R(W) (half of reg times the sum of squared weights).

    W: (C, D) weights;  x: (D,) one example;  y: int in 0..C-1, its class;  reg: float
    Returns loss (float) and dW (C, D), the gradient of the loss with respect to W.
    """
    C = W.shape[0]
    loss, dW = 0.0, np.zeros_like(W)
    ### BEGIN SOLUTION
    scores = W @ x  # (C,)
    dscores = np.zeros(C)
    for j in range(C):
        if j == y:
            continue  # the correct class is not in the sum
        margin = scores[j] - scores[y] + 1.0
        if margin > 0:  # the max(0, .) gate routes the gradient only when the margin is positive
            loss += margin
            dscores[j] += 1.0
            dscores[y] -= 1.0  # s_y is used by every margin: a branch, so its gradients add
    loss += 0.5 * reg * np.sum(W * W)
    dW = np.outer(dscores, x) + reg * W  # s_j = W[j] . x switches: dW[j] = dscores[j] * x
    ### END SOLUTION
    return loss, dW


# %% id="check_q6"
# 1) The lecture's three images: the loss, then dL/ds (column i of dW, since x = e_i) against the numerical
#    gradient of your loss with respect to that column (no margin is near its kink at these scores).
with course_versions_disabled("svm_loss", "softmax_loss"):  # checks your own code: the course's versions refuse to run here
    S = np.array([[3.2, 1.3, 2.2], [5.1, 4.9, 2.5], [-1.7, 2.0, -3.1]])  # (C, N): column i = image i

    def loss_of_column(s, i):
        W_ = S.copy()
        W_[:, i] = s
        return svm_loss_single(W_, np.eye(3)[i], i, reg=0.0)[0]

    # image, its loss on the slide, and how many of its margins are positive
    for i, (name, want, positive) in enumerate([("cat", 2.9, 1), ("car", 0.0, 0), ("frog", 12.9, 2)]):
        loss, dW = svm_loss_single(S.copy(), np.eye(3)[i], i, reg=0.0)
        ds = np.asarray(dW)[:, i]
        print(f"{name} image: loss {loss:.2f} (lecture {want}),  dL/ds = dW[:, {i}] = {ds}")
        extra = loss - want
        assert abs(extra) < 1e-9, (
            f"{name} image: loss {loss:.4f}, the lecture says {want}: "
            + ("1 too much: the correct class was counted as one of its own margins" if abs(extra - 1) < 1e-9
               else f"{-extra:g} too little, 1 per positive margin: the margin Delta is missing"
               if positive and abs(extra + positive) < 1e-9 else "re-check the forward formula above"))
        want_ds = eval_numerical_gradient(lambda s, i=i: loss_of_column(s, i), S[:, i].copy())
        if not np.allclose(ds, want_ds, atol=1e-6):
            others = np.arange(3) != i
            if np.allclose(ds, -want_ds):
                bug = "sign flipped on every entry"
            elif np.allclose(ds[others], want_ds[others]) and ds[i] == -1 and want_ds[i] < -1:
                bug = ("the correct class's score keeps the gradient of one margin only: it is used by every "
                       "positive margin (a branch), and what comes back from each use must add up (overwritten?)")
            elif np.allclose(ds[others], want_ds[others]):
                bug = ("only the correct class's entry is off: what does each margin pass to the score it "
                       "subtracts (a distributor with a minus sign), and how many margins use it?")
            elif np.any(np.isclose(want_ds, 0, atol=1e-6) & (ds != 0) & others):
                bug = "a class whose margin is negative got a gradient: the max gate routes nothing to the loser"
            else:
                bug = "the wrong classes' entries are off: what does a max gate route to a positive margin?"
            raise AssertionError(f"{name} image: dL/ds = {ds}, the graph gives {np.round(want_ds, 6)}. {bug}")

    # 2) Numerical gradients with regularization, on random data whose margins are all at least 0.35 away
    #    from the kink at 0: first the regularizer alone, then all of dW.
    #    Threshold: relative error < 1e-8 (piecewise linear + quadratic: measured ~1e-10).
    rng = np.random.default_rng(2)
    W, x = rng.normal(size=(5, 4)), rng.normal(size=4)
    check_regularizer(svm_loss_single, W, x, 2)
    num = eval_numerical_gradient(lambda W_: svm_loss_single(W_, x, 2, 0.1)[0], W.copy())
    loss, dW = svm_loss_single(W.copy(), x, 2, reg=0.1)
    assert check_gradient(dW, num, threshold=1e-8, name="dW").passed, "see the diagnosis above"

# %% id="q6_svm_single_test" kind="tests" points=3
_S = np.array([[3.2, 1.3, 2.2], [5.1, 4.9, 2.5], [-1.7, 2.0, -3.1]])
_l, _dW = svm_loss_single(_S.copy(), np.eye(3)[0], 0, 0.0)
assert abs(_l - 2.9) < 1e-9 and np.allclose(_dW[:, 0], [-1.0, 1.0, 0.0])
_l, _dW = svm_loss_single(_S, np.eye(3)[2], 2, 0.0)
assert abs(_l - 12.9) < 1e-9 and np.allclose(_dW[:, 2], [1.0, 1.0, -2.0])
### BEGIN HIDDEN TESTS
import cs231n_course.reference.layers as _layers
from cs231n_utils.testing import reference_disabled
_rng = np.random.default_rng(16)
_cases = []
for _C, _D, _reg in [(2, 1, 0.0), (4, 6, 0.3), (10, 3, 1.5), (5, 5, 0.05)]:
    _W = _rng.normal(size=(_C, _D))
    _x = _rng.normal(size=_D)
    for _y in (0, _C - 1):
        _dl, _ds = _layers.svm_loss((_W @ _x)[None, :], np.array([_y]))
        _cases.append((_W, _x, _y, _reg, _dl + 0.5 * _reg * np.sum(_W * _W),
                       np.outer(_ds[0], _x) + _reg * _W))
# a margin that is positive only because of the +1: s_j - s_y = -0.5
_cases.append((np.array([[1.0], [0.5]]), np.array([1.0]), 0, 0.0, 0.5, np.array([[-1.0], [1.0]])))
# W = 0: every margin is exactly 1, so the loss is C - 1
_cases.append((np.zeros((7, 4)), np.ones(4), 3, 2.0, 6.0,
               np.outer(np.where(np.arange(7) == 3, -6.0, 1.0), np.ones(4))))
with reference_disabled(_layers.svm_loss, _layers.softmax_loss):
    for _W, _x, _y, _reg, _lw, _dWw in _cases:
        _l, _dW = svm_loss_single(_W.copy(), _x.copy(), _y, _reg)  # (_W, _x) serve two cases
        assert abs(_l - _lw) < 1e-10, (_W.shape, _y, _reg, _l, _lw)
        assert np.shape(_dW) == _W.shape and np.allclose(_dW, _dWw, rtol=1e-9, atol=1e-12), (_W.shape, _y)
### END HIDDEN TESTS

# %% [markdown] id="cat_svm_loss_graph"
# The loss of the cat image as a graph, with your gradients on the scores (the first column of `dW`, since
# $x = e_0$). The boxes are the three scores, each $\Delta$ node computes $s_j - s_{\text{cat}} + 1$ and
# each max node $\max(0, \cdot)$. The frog margin is negative, so its max gate routes nothing back; $s_{\text{cat}}$ feeds both margins, and its
# gradient is the sum $-1 + 0$.

# %% id="fig_cat_svm_loss_graph"
S = np.array([[3.2, 1.3, 2.2], [5.1, 4.9, 2.5], [-1.7, 2.0, -3.1]])
loss, dW = svm_loss_single(S, np.eye(3)[0], 0, reg=0.0)
ds = dW[:, 0]  # dL/ds for the cat image
s_cat, s_car, s_frog = S[:, 0]
d_car, d_frog = s_car - s_cat + 1, s_frog - s_cat + 1
nodes = [
    dict(id="cat", label="cat", value=s_cat, grad=ds[0]),
    dict(id="car", label="car", value=s_car, grad=ds[1]),
    dict(id="frog", label="frog", value=s_frog, grad=ds[2]),
    dict(id="d_car", label="Δ", value=d_car, grad=float(d_car > 0)),
    dict(id="d_frog", label="Δ", value=d_frog, grad=float(d_frog > 0)),
    dict(id="m_car", label="max", value=max(0.0, d_car), grad=1.0),
    dict(id="m_frog", label="max", value=max(0.0, d_frog), grad=1.0),
    dict(id="L", label="+", value=loss, grad=1.0),
]
edges = [("car", "d_car"), ("cat", "d_car"), ("cat", "d_frog"), ("frog", "d_frog"),
         ("d_car", "m_car"), ("d_frog", "m_frog"), ("m_car", "L"), ("m_frog", "L")]
draw_graph(nodes, edges, title="SVM loss of the cat image", fmt=".2g")


# %% [markdown] id="exercise_q7"
# ### Exercise 7 (2 points): SVM loss for a batch
#
# The loss of a batch of $N$ examples is the **average** of the example losses plus the regularizer,
# counted **once**:
#
# $$L = \frac{1}{N} \sum_{i=1}^{N} L_i + \tfrac12\,\text{reg} \sum_{k,l} W_{k,l}^2 .$$
#
# In graph terms $W$ is used by all $N$ example losses and by the regularizer. What does that make of its
# gradient, and which of the terms carry the factor $1/N$? (The numbers in your loop must follow.)
#
# Write `svm_loss_loop(W, X, y, reg)` with an explicit loop over the examples that calls your
# `svm_loss_single` for the data loss of each one (pass `reg=0.0` there, and add the regularizer once).
#
# **Sanity check (온전성 검사).** With very small weights every score is about 0, so each of the $C - 1$
# margins is about $0 - 0 + 1$: the loss starts at about $C - 1$. A first loss far from that means a bug.

# %% id="q7_svm_batch" kind="answer"
def svm_loss_loop(W, X, y, reg):
    """Multiclass SVM loss of a batch, averaged over the examples, plus the L2 penalty R(W) (half of reg times the sum of squared weights).

    W: (C, D) weights;  X: (N, D) examples, one per row;  y: (N,) their classes;  reg: float
    Returns loss (float) and dW (C, D).
    """
    N = X.shape[0]
    loss, dW = 0.0, np.zeros_like(W)
    ### BEGIN SOLUTION
    for i in range(N):
        loss_i, dW_i = svm_loss_single(W, X[i], y[i], 0.0)  # the data term of example i
        loss += loss_i
        dW += dW_i  # W is used by every example: a branch, so the gradients add
    loss = loss / N + 0.5 * reg * np.sum(W * W)
    dW = dW / N + reg * W
    ### END SOLUTION
    return loss, dW


# %% id="check_q7"
# 1) The lecture's average over the three images: (2.9 + 0 + 12.9) / 3 = 5.27.
with course_versions_disabled("svm_loss", "softmax_loss"):  # checks your own code: the course's versions refuse to run here
    S = np.array([[3.2, 1.3, 2.2], [5.1, 4.9, 2.5], [-1.7, 2.0, -3.1]])
    loss, _ = svm_loss_loop(S, np.eye(3), np.array([0, 1, 2]), reg=0.0)
    print(f"lecture batch: loss {loss:.4f} (lecture 5.27)")
    assert round(loss, 2) == 5.27, (
        f"loss {loss:.4f}: " + ("3 times too large, the sum instead of the average (missing 1/N)"
                                if abs(loss - 15.8) < 1e-9 else "not the average of 2.9, 0 and 12.9: "
                                "does the loop visit every example once?"))

    # 2) Sanity check on 100 MNIST digits (C = 10) with tiny weights: the loss is about C - 1 = 9.
    data = load_mnist(num_train=100, num_val=0, num_test=0)
    W_small = 1e-4 * np.random.default_rng(0).standard_normal((10, 784))
    loss, _ = svm_loss_loop(W_small, data["X_train"], data["y_train"], reg=0.0)
    print(f"MNIST, tiny W: loss {loss:.4f} (about C - 1 = 9)")
    assert abs(loss - 9.0) < 0.05, "with tiny weights each of the 9 wrong classes has margin about 1"

    # 3) On a small random batch (every margin at least 0.27 away from the kink): the data gradient, the
    #    regularizer alone, then all of dW against numerical gradients.
    #    Threshold: relative error < 1e-8 (measured ~1e-10).
    rng = np.random.default_rng(3)
    W, X, y = 0.5 * rng.normal(size=(4, 5)), rng.normal(size=(6, 5)), rng.integers(4, size=6)
    check_batch_gradient(svm_loss_loop, svm_loss_single, W, X, y)
    check_regularizer(svm_loss_loop, W, X, y, reg=0.2)
    num = eval_numerical_gradient(lambda W_: svm_loss_loop(W_, X, y, 0.2)[0], W.copy())
    loss, dW = svm_loss_loop(W.copy(), X, y, reg=0.2)
    assert check_gradient(dW, num, threshold=1e-8, name="dW").passed, "see the diagnosis above"

# %% id="q7_svm_batch_test" kind="tests" points=2
_S = np.array([[3.2, 1.3, 2.2], [5.1, 4.9, 2.5], [-1.7, 2.0, -3.1]])
_l, _ = svm_loss_loop(_S, np.eye(3), np.array([0, 1, 2]), 0.0)
assert abs(_l - 15.8 / 3) < 1e-9
### BEGIN HIDDEN TESTS
import cs231n_course.reference.layers as _layers
from cs231n_utils.testing import reference_disabled
_rng = np.random.default_rng(17)
_cases = []
for _N, _C, _D, _reg in [(1, 3, 4, 0.5), (2, 2, 1, 0.0), (7, 5, 3, 0.25), (12, 10, 6, 1.0)]:
    _W, _X = _rng.normal(size=(_C, _D)), _rng.normal(size=(_N, _D))
    _y = _rng.integers(_C, size=_N)
    _dl, _ds = _layers.svm_loss(_X @ _W.T, _y)
    _cases.append((_W, _X, _y, _reg, _dl + 0.5 * _reg * np.sum(_W * _W), _ds.T @ _X + _reg * _W))
with reference_disabled(_layers.svm_loss, _layers.softmax_loss):
    for _W, _X, _y, _reg, _lw, _dWw in _cases:
        _l, _dW = svm_loss_loop(_W, _X, _y, _reg)
        assert abs(_l - _lw) < 1e-10, (_X.shape, _reg, _l, _lw)
        assert np.shape(_dW) == _W.shape and np.allclose(_dW, _dWw, rtol=1e-9, atol=1e-12), _X.shape
### END HIDDEN TESTS

# %% [markdown] id="wq2_question"
# ### Written question 2 (1 point): reading the first loss
#
# A classmate trains an SVM classifier on a batch of $N = 100$ MNIST digits ($C = 10$ classes) from weights
# of the order $10^{-4}$, as in the check above, with a loss function written from scratch. The first loss
# printed is 90.00, and it falls when training starts. Which bug explains that number?
#
# - **A.** The loss is summed over the 100 examples instead of averaged.
# - **B.** The correct class is counted as one of its own margins.
# - **C.** The margin is $\Delta = 10$ instead of 1.
# - **D.** The initial weights are too large: the scores are far from 0, so the margins are far from 1.
#
# Work out the first loss that each of the four would give.
# Set `answer_wq2` to the letter of your choice (a string, e.g. `"A"`).

# %% id="wq2_svm_loss_at_init" kind="answer"
answer_wq2 = None  # one of 'A', 'B', 'C', 'D'
### BEGIN SOLUTION
answer_wq2 = "C"
### END SOLUTION

# %% id="check_wq2"
# Checks the form of the answer only: whether it is right is graded by hidden tests.
assert answer_wq2 in ('A', 'B', 'C', 'D'), f"answer_wq2 must be one of 'A', 'B', 'C', 'D' (a string), not {answer_wq2!r}"
print(f"answer_wq2 = {answer_wq2!r}: a valid choice")

# %% id="wq2_svm_loss_at_init_test" kind="tests" points=1
assert answer_wq2 in ('A', 'B', 'C', 'D')
### BEGIN HIDDEN TESTS
assert answer_wq2 == "C"
### END HIDDEN TESTS

# %% [markdown] id="wq3_question"
# ### Written question 3 (2 points, graded by hand): the max gate in the SVM loss
#
# The SVM loss is built from max gates $\max(0, s_j - s_{y_i} + \Delta)$. Which scores receive a gradient
# from the loss of one example, and which receive none? What does this mean for which examples and classes
# drive the learning once the classifier is good?
#
# Write your answer in the next cell (a few sentences; numbers welcome).

# %% [markdown] id="wq3_max_gate_in_the_svm" kind="written" points=2
# **Your answer:**
#
# ### BEGIN SOLUTION
# *Model answer.* A max gate routes the whole upstream gradient to its larger input and zero to the other. A
# class j whose margin is already met (s_j - s_y + Delta <= 0) gets 0 from its max, so its score gets no
# gradient; each violating class gets +1 and the correct class gets -1 per violating class. So once the
# classifier is good, only the examples and classes that still violate the margin move the weights; examples
# classified with enough margin contribute nothing (unlike softmax, which always pushes).
#
# RUBRIC (2 points)
# - 1 point: classes that meet the margin get zero gradient (the max routes it to the 0 branch); violating
#   classes get +1 each and the correct class -1 times their number
# - 1 point: consequence: only margin violations drive learning; well-classified examples stop contributing
# ### END SOLUTION

# %% [markdown] id="softmax_cross_entropy_loss"
# ### The softmax cross-entropy loss
#
# Softmax reads the scores as unnormalized log-probabilities: exponentiate, then normalize,
#
# $$p_j = \frac{e^{s_j}}{\sum_k e^{s_k}}, \qquad L_i = -\log p_{y_i} = -s_{y_i} + \log \sum_k e^{s_k}.$$
#
# For the cat image: $e^{3.2} = 24.5$, $e^{5.1} = 164.0$, $e^{-1.7} = 0.18$, so $p_{\text{cat}} = 0.13$
# and $L = -\ln 0.13 = 2.04$. (Older versions of the lecture slide print $0.89$: that is $-\log_{10} 0.13$.
# The loss uses the natural log.) With tiny weights all $p_j \approx 1/C$, so the loss starts at about
# $\ln C$: $\ln 10 = 2.30$ for ten classes.
#
# The gradient with respect to the scores is remarkably simple. Derive it from the right-hand form of
# $L_i$, for one score $s_j$ at a time:
#
# 1. $-s_{y_i}$: for which $j$ does it depend on $s_j$, and with what derivative?
# 2. $\log \sum_k e^{s_k}$: a log gate after a sum after exponentials. Which terms of the sum depend on
#    $s_j$? Multiply the local gradients along the path, and recognise the result as one of the quantities
#    defined above.
# 3. Add the two. Check your result on the cat image with the numbers above: its three entries must sum
#    to 0. Why must they, for any scores? (Add the same number to every score: what happens to the
#    probabilities, and so to the loss?)
#
# Then $\partial L_i/\partial W$ follows from $\partial L_i/\partial s$ exactly as for the SVM.
#
# <details><summary>Hint</summary>$\frac{d}{du}\log u = \frac{1}{u}$, and a sum is an add gate: it
# distributes its upstream gradient unchanged to each term. Only one term of $\sum_k e^{s_k}$ contains
# $s_j$.</details>
#
# **Numerical stability (수치 안정성).** $e^{s}$ **overflows (오버플로)** float64 for $s > 709.78$, and
# large scores do happen (for example with large weights early in a badly initialized run). Multiplying
# numerator and denominator by $e^{-m}$ changes nothing mathematically,
#
# $$p_j = \frac{e^{s_j - m}}{\sum_k e^{s_k - m}}, \qquad m = \max_k s_k,$$
#
# but now the largest exponent is $e^0 = 1$ and nothing overflows. See it happen:

# %% id="demo_softmax_overflow"
scores = np.array([1000.0, 1001.0, 1002.0])
with np.errstate(over="ignore", invalid="ignore"):  # hide numpy's overflow warnings for the demo
    print("e^1000 =", np.exp(1000.0), "  (float64 ends at", np.finfo(float).max, ")")
    naive = np.exp(scores) / np.sum(np.exp(scores))
shifted = np.exp(scores - scores.max()) / np.sum(np.exp(scores - scores.max()))
print("naive softmax:  ", naive, "  (inf / inf = nan)")
print("shifted by max: ", shifted)
print("same as softmax of [0, 1, 2]:", np.exp([0, 1, 2]) / np.sum(np.exp([0, 1, 2])))


# %% [markdown] id="exercise_q8"
# ### Exercise 8 (3 points): softmax loss for one example
#
# Write `softmax_loss_single(W, x, y, reg)`: the loss $-\log p_y + \tfrac12\,\text{reg}\sum W^2$ and its
# gradient with respect to $W$. Shift the scores by their maximum before exponentiating; the hidden tests
# use scores around 1000.

# %% id="q8_softmax_single" kind="answer"
def softmax_loss_single(W, x, y, reg):
    """Softmax cross-entropy loss of one example plus the L2 penalty R(W) (half of reg times the sum of squared weights).

    W: (C, D) weights;  x: (D,) one example;  y: int in 0..C-1, its class;  reg: float
    Returns loss (float) and dW (C, D), the gradient of the loss with respect to W.
    """
    loss, dW = 0.0, np.zeros_like(W)
    ### BEGIN SOLUTION
    scores = W @ x  # (C,)
    shifted = scores - np.max(scores)  # same probabilities, and exp never overflows
    exp_scores = np.exp(shifted)
    probs = exp_scores / np.sum(exp_scores)
    loss = -np.log(probs[y]) + 0.5 * reg * np.sum(W * W)
    dscores = probs.copy()  # dL/ds = p - 1 at the correct class
    dscores[y] -= 1.0
    dW = np.outer(dscores, x) + reg * W
    ### END SOLUTION
    return loss, dW


# %% id="check_q8"
# 1) The lecture's cat image: p_cat = 0.13, loss -ln(0.13) = 2.04.
with course_versions_disabled("svm_loss", "softmax_loss"):  # checks your own code: the course's versions refuse to run here
    S = np.array([[3.2, 1.3, 2.2], [5.1, 4.9, 2.5], [-1.7, 2.0, -3.1]])
    loss, dW = softmax_loss_single(S, np.eye(3)[0], 0, reg=0.0)
    print(f"cat image: loss {loss:.4f} (lecture 2.04),  dL/ds = dW[:, 0] = {dW[:, 0]}")
    assert round(loss, 2) == 2.04, "L = -ln p_cat with the NATURAL log (0.89 would be log10)"
    ds = np.asarray(dW)[:, 0]
    assert abs(ds.sum()) < 1e-12 and ds[0] < 0, (
        f"dL/ds = {ds} sums to {ds.sum():.4f}, not 0: "
        + ("the correct class's score is pushed up, a sign flipped" if ds[0] > 0 and abs(ds.sum() + 1) < 1e-9
           else "the term of -s_y is missing (step 1 of the derivation)" if abs(ds.sum() - 1) < 1e-9
           else "the exponentials are not divided by their sum (unnormalized probabilities)"
           if np.all(ds + [1, 0, 0] > 0) else "re-derive step 2"))

    # 2) W = 0: all probabilities 1/C, the loss is exactly ln C.
    loss, _ = softmax_loss_single(np.zeros((10, 3)), np.ones(3), 4, reg=0.0)
    print(f"W = 0, C = 10: loss {loss:.4f} (ln 10 = {np.log(10):.4f})")
    assert abs(loss - np.log(10)) < 1e-12

    # 3) Large scores (about 1000) must give a finite loss.
    with np.errstate(over="ignore", invalid="ignore"):
        loss, dW = softmax_loss_single(np.array([[500.0, 500.0], [501.5, 501.5]]), np.ones(2), 0, reg=0.0)
    print(f"scores 1000 and 1003: loss {loss:.4f} (want {np.log(1 + np.exp(3.0)):.4f})")
    assert np.isfinite(loss) and np.all(np.isfinite(dW)), "nan or inf: shift the scores by their max before exp"

    # 4) Numerical gradients with regularization: the regularizer alone, then all of dW.
    #    Threshold: relative error < 1e-8 (smooth: measured ~1e-10).
    rng = np.random.default_rng(4)
    W, x = rng.normal(size=(5, 4)), rng.normal(size=4)
    check_regularizer(softmax_loss_single, W, x, 1)
    num = eval_numerical_gradient(lambda W_: softmax_loss_single(W_, x, 1, 0.1)[0], W.copy())
    loss, dW = softmax_loss_single(W.copy(), x, 1, reg=0.1)
    assert check_gradient(dW, num, threshold=1e-8, name="dW").passed, "see the diagnosis above"

# %% id="q8_softmax_single_test" kind="tests" points=3
_S = np.array([[3.2, 1.3, 2.2], [5.1, 4.9, 2.5], [-1.7, 2.0, -3.1]])
_p = np.exp(_S[:, 0]) / np.exp(_S[:, 0]).sum()
_l, _dW = softmax_loss_single(_S, np.eye(3)[0], 0, 0.0)
assert round(_l, 2) == 2.04
assert np.allclose(_dW[:, 0], _p - np.array([1.0, 0.0, 0.0]))
### BEGIN HIDDEN TESTS
import cs231n_course.reference.layers as _layers
from cs231n_utils.testing import reference_disabled
_rng = np.random.default_rng(18)
_cases = []
for _C, _D, _reg, _scale in [(2, 1, 0.0, 1.0), (4, 6, 0.3, 1.0), (10, 3, 1.5, 2.0), (5, 5, 0.05, 0.1)]:
    _W = _scale * _rng.normal(size=(_C, _D))
    _x = _rng.normal(size=_D)
    for _y in (0, _C - 1):
        _cases.append((_W, _x, _y, _reg))
# large scores, about 1000: the unshifted exp overflows
_cases.append((np.array([[500.0, 500.0], [501.5, 501.5], [499.0, 499.0]]), np.ones(2), 2, 0.0))
_cases.append((np.array([[900.0], [880.0], [905.0], [890.0]]), np.array([1.2]), 1, 0.0))
_want = []
for _W, _x, _y, _reg in _cases:
    _dl, _ds = _layers.softmax_loss((_W @ _x)[None, :], np.array([_y]))
    _want.append((_dl + 0.5 * _reg * np.sum(_W * _W), np.outer(_ds[0], _x) + _reg * _W))
with reference_disabled(_layers.svm_loss, _layers.softmax_loss):
    for (_W, _x, _y, _reg), (_lw, _dWw) in zip(_cases, _want, strict=True):
        _l, _dW = softmax_loss_single(_W.copy(), _x.copy(), _y, _reg)  # (_W, _x) serve two cases
        assert abs(_l - _lw) < 1e-9 * max(1.0, abs(_lw)), (_W.shape, _y, _reg, _l, _lw)
        assert np.shape(_dW) == _W.shape and np.allclose(_dW, _dWw, rtol=1e-8, atol=1e-11), (_W.shape, _y)
### END HIDDEN TESTS

# %% [markdown] id="cat_image_through_softmax"
# The cat image through softmax, with your gradient: the scores, the probabilities they turn into, and
# your $\partial L/\partial s$. Gradient descent *lowers* the scores with positive
# gradient (the car's, which steals most of the probability) and *raises* the correct class's.

# %% id="fig_cat_image_through_softmax"
S = np.array([[3.2, 1.3, 2.2], [5.1, 4.9, 2.5], [-1.7, 2.0, -3.1]])
loss, dW = softmax_loss_single(S, np.eye(3)[0], 0, reg=0.0)
classes = ["cat", "car", "frog"]
probs = np.exp(S[:, 0] - S[:, 0].max()) / np.exp(S[:, 0] - S[:, 0].max()).sum()
colors = ["tab:green", "tab:gray", "tab:gray"]  # the correct class in green
fig, axes = plt.subplots(1, 3, figsize=(10, 3), layout="constrained")
for ax, values, title in zip(axes, [S[:, 0], probs, dW[:, 0]],
                             ["scores s", "probabilities p = softmax(s)", "your gradient dL/ds"],
                             strict=True):
    bars = ax.bar(classes, values, color=colors)
    ax.bar_label(bars, fmt="%.2f")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_title(title)
    ax.margins(y=0.2)
axes[0].set_ylabel("value")
fig.suptitle(f"softmax loss of the cat image: -ln p_cat = {loss:.2f}")
plt.show()


# %% [markdown] id="exercise_q9"
# ### Exercise 9 (2 points): softmax loss for a batch
#
# As for the SVM: average the example losses and their gradients over the $N$ examples (each call with
# `reg=0.0`), accumulate the gradient across the loop, and add the regularizer once. Write
# `softmax_loss_loop(W, X, y, reg)` with an explicit loop that calls your `softmax_loss_single`.

# %% id="q9_softmax_batch" kind="answer"
def softmax_loss_loop(W, X, y, reg):
    """Softmax loss of a batch, averaged over the examples, plus the L2 penalty R(W) (half of reg times the sum of squared weights).

    W: (C, D) weights;  X: (N, D) examples, one per row;  y: (N,) their classes;  reg: float
    Returns loss (float) and dW (C, D).
    """
    N = X.shape[0]
    loss, dW = 0.0, np.zeros_like(W)
    ### BEGIN SOLUTION
    for i in range(N):
        loss_i, dW_i = softmax_loss_single(W, X[i], y[i], 0.0)  # the data term of example i
        loss += loss_i
        dW += dW_i  # W is used by every example: a branch, so the gradients add
    loss = loss / N + 0.5 * reg * np.sum(W * W)
    dW = dW / N + reg * W
    ### END SOLUTION
    return loss, dW


# %% id="check_q9"
# 1) Sanity check on 100 MNIST digits (C = 10) with tiny weights: the loss is about ln 10 = 2.30.
with course_versions_disabled("svm_loss", "softmax_loss"):  # checks your own code: the course's versions refuse to run here
    data = load_mnist(num_train=100, num_val=0, num_test=0)
    W_small = 1e-4 * np.random.default_rng(0).standard_normal((10, 784))
    loss, _ = softmax_loss_loop(W_small, data["X_train"], data["y_train"], reg=0.0)
    print(f"MNIST, tiny W: loss {loss:.4f} (about ln 10 = {np.log(10):.4f})")
    assert abs(loss - np.log(10)) < 0.01, (
        f"loss {loss:.4f}: " + ("100 times ln 10, the sum over the batch instead of the average (missing 1/N)"
                                if abs(loss / 100 - np.log(10)) < 0.01 else
                                "an average over fewer examples than N? With tiny weights every class has "
                                "probability about 1/10"))

    # 2) On a small random batch: the data gradient, the regularizer alone, then all of dW against numerical
    #    gradients. Threshold: relative error < 1e-8 (measured ~1e-10).
    rng = np.random.default_rng(5)
    W, X, y = rng.normal(size=(4, 5)), rng.normal(size=(6, 5)), rng.integers(4, size=6)
    check_batch_gradient(softmax_loss_loop, softmax_loss_single, W, X, y)
    check_regularizer(softmax_loss_loop, W, X, y, reg=0.2)
    num = eval_numerical_gradient(lambda W_: softmax_loss_loop(W_, X, y, 0.2)[0], W.copy())
    loss, dW = softmax_loss_loop(W.copy(), X, y, reg=0.2)
    assert check_gradient(dW, num, threshold=1e-8, name="dW").passed, "see the diagnosis above"

# %% id="q9_softmax_batch_test" kind="tests" points=2
_S = np.array([[3.2, 1.3, 2.2], [5.1, 4.9, 2.5], [-1.7, 2.0, -3.1]])
_P = np.exp(_S) / np.exp(_S).sum(axis=0)
_l, _ = softmax_loss_loop(_S, np.eye(3), np.array([0, 1, 2]), 0.0)
assert abs(_l - np.mean(-np.log(_P[[0, 1, 2], [0, 1, 2]]))) < 1e-9
### BEGIN HIDDEN TESTS
import cs231n_course.reference.layers as _layers
from cs231n_utils.testing import reference_disabled
_rng = np.random.default_rng(19)
_cases = []
for _N, _C, _D, _reg in [(1, 3, 4, 0.5), (2, 2, 1, 0.0), (7, 5, 3, 0.25), (12, 10, 6, 1.0)]:
    _W, _X = _rng.normal(size=(_C, _D)), _rng.normal(size=(_N, _D))
    _y = _rng.integers(_C, size=_N)
    _dl, _ds = _layers.softmax_loss(_X @ _W.T, _y)
    _cases.append((_W, _X, _y, _reg, _dl + 0.5 * _reg * np.sum(_W * _W), _ds.T @ _X + _reg * _W))
with reference_disabled(_layers.svm_loss, _layers.softmax_loss):
    for _W, _X, _y, _reg, _lw, _dWw in _cases:
        _l, _dW = softmax_loss_loop(_W, _X, _y, _reg)
        assert abs(_l - _lw) < 1e-10, (_X.shape, _reg, _l, _lw)
        assert np.shape(_dW) == _W.shape and np.allclose(_dW, _dWw, rtol=1e-9, atol=1e-12), _X.shape
### END HIDDEN TESTS

# %% [markdown] id="putting_the_losses_to_work"
# ## 4. Putting the losses to work
#
# A loss and its gradient are all that gradient descent needs. Below, both losses train a linear
# classifier on 300 MNIST digits for a few dozen steps, $W \leftarrow W - \eta\, \nabla_W L$, starting from
# tiny weights: at step 0 you can read off the sanity values $C - 1 = 9$ and $\ln 10 = 2.30$.
#
# The loops are slow, though: the last lines time your loop against one matrix product that computes all
# the scores at once. Making every layer fast with whole-batch matrix operations is notebook 03's job.

# %% id="fig_putting_the_losses_to_work"
data = load_mnist(num_train=300, num_val=300, num_test=0)
X, y, X_val, y_val = data["X_train"], data["y_train"], data["X_val"], data["y_val"]
reg, steps = 1e-3, 40
fig, axes = plt.subplots(1, 2, figsize=(9, 3), layout="constrained")
for ax, loss_fn, lr, name in [(axes[0], svm_loss_loop, 0.01, "SVM"),
                              (axes[1], softmax_loss_loop, 0.5, "softmax")]:
    W = 1e-4 * np.random.default_rng(0).standard_normal((10, 784))
    history = []
    for _ in range(steps):
        loss, dW = loss_fn(W, X, y, reg)
        history.append(loss)
        W -= lr * dW
    val_acc = np.mean(np.argmax(X_val @ W.T, axis=1) == y_val)
    print(f"{name:8s} loss {history[0]:.3f} -> {history[-1]:.3f};  validation accuracy {val_acc:.2f}")
    ax.plot(history)
    ax.set(xlabel="gradient descent step", ylabel="training loss", title=f"{name} loss, learning rate {lr}")
plt.show()


def best_time(fn, repeats=5):
    """The fastest of a few runs of fn(), in milliseconds, and its result."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(1e3 * (time.perf_counter() - start))
    return min(times), result


t_loop, _ = best_time(lambda: softmax_loss_loop(W, X, y, 0.0))
t_scores, _ = best_time(lambda: X @ W.T)
print(f"300 examples: your loop {t_loop:.2f} ms; all 300 x 10 scores in one matrix product {t_scores:.3f} ms "
      "(notebook 03 vectorizes the rest of the loss)")

# %% [markdown] id="summary"
# ## Summary
#
# * A **gate** is a module: `forward` computes and caches, `backward(dout)` returns local gradient ×
#   upstream gradient for each input. One gate object per node.
# * **add** distributes the gradient unchanged, **max** routes it to the winner, **mul** switches the
#   inputs (each gets the other times the upstream gradient), and at a **branch** the gradients **add**;
#   overwriting them is a silent bug that a numerical gradient check catches.
# * The **SVM loss** is max gates on margins (routers), with the correct score as a branch; the **softmax
#   loss** has a gradient you derived in three lines, and its probabilities must be computed from scores
#   shifted by their maximum. In both, the gradient on $W$ follows from the gradient on the scores by the
#   multiply gate's switch, the batch loss **averages** over the examples, and the regularizer
#   $\tfrac12\,\text{reg}\sum W^2$ is counted once.
# * Sanity values at initialization: SVM $\approx C - 1$, softmax $\approx \ln C$.
#
# Next, notebook 03 makes all of this work on whole arrays at once: Jacobians, why they are never formed,
# and vectorized layers and losses.
