# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] id="title"
# # 08 — Recurrent networks: vanilla RNN, LSTM, a character-level Shakespeare and a tiny captioner
#
# **Learning goals.** After this notebook you can
#
# 1. name the **sequence problem types (시퀀스 문제 유형)**: one-to-one, one-to-many, many-to-one,
#    many-to-many, and say which one image captioning, sentiment analysis, translation and per-frame
#    labelling are;
# 2. write the forward and backward pass of a **vanilla RNN (바닐라 순환 신경망)**, one step and a whole
#    sequence with **backpropagation through time (시간 역전파, BPTT)**, and show that the gradient of a
#    **shared weight (공유 가중치)** is the *sum* over the time steps;
# 3. write word embeddings, a temporal softmax loss with a **mask (마스크)**, and train a
#    **character-level language model (문자 수준 언어 모델)** on tiny Shakespeare with
#    **truncated BPTT (잘린 시간 역전파)**, then sample from it with a **temperature (온도)**;
# 4. measure **exploding and vanishing gradients (기울기 폭발, 기울기 소실)** and fix the explosion with
#    **gradient clipping (기울기 클리핑)**;
# 5. write an **LSTM (장단기 메모리)** step with its gates i, f, o, g and its **cell state (셀 상태)**,
#    and measure why the cell state is a **gradient highway (기울기 고속도로)**;
# 6. choose between softmax and sigmoid outputs, and caption pictures of digits with a small
#    encoder–decoder: write its loss with **teacher forcing (교사 강요)** and a mask, its training loop,
#    and **greedy decoding (탐욕적 디코딩)**.
#
# **How to work.** Fill in every cell marked `# YOUR CODE HERE` (delete the `raise NotImplementedError()`).
# After each exercise, run the *check* cell below it: it prints what it compares, with the threshold, and
# says what is likely wrong. The *test* cells hold the graded tests (plus hidden tests with other inputs).
# Cells may be run out of order, so every check recomputes what it needs from your functions; still,
# before you submit, use **Kernel → Restart & Run All** and make sure nothing fails.
#
# The bigger models of this notebook (the Shakespeare model and the captioner) are built from your own
# layers of this notebook, as are the training loop, the clipping and the decoding they use: finish and
# check each exercise before you run the sections that use it. The whole notebook runs in about a minute on a laptop.

# %% id="setup"
import os

# The matrices here are small: one BLAS thread is faster than several competing for the cores.
# (This only takes effect before numpy is first imported, i.e. in a fresh kernel.)
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# %matplotlib inline
import time

import matplotlib.pyplot as plt
import numpy as np

from cs231n_utils.data import CharVocab, load_mnist, load_tiny_shakespeare
from cs231n_utils.gradcheck import (
    check_gradient,
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    rel_error,
)
from cs231n_utils.mine import adam  # yours, from notebook 06
from cs231n_utils.mine import affine_backward, affine_forward, softmax_loss  # yours, from notebook 03
from cs231n_utils.rnn_layers import sigmoid, temporal_affine_backward, temporal_affine_forward
from cs231n_utils.testing import course_versions_disabled, reference_disabled
from cs231n_utils.viz import plot_loss_history

np.set_printoptions(precision=4, suppress=True)


# %% [markdown] id="sequence_problems"
# ## 1. Sequence problems
#
# The networks of notebooks 03–07 map one fixed-size input to one fixed-size output. Many problems are
# about **sequences (시퀀스)** instead, on the input side, the output side, or both:
#
# | type | input → output | example |
# | --- | --- | --- |
# | one to one | one vector → one vector | image classification (notebooks 04–07) |
# | one to many | one vector → a sequence | **image captioning (이미지 캡셔닝)**: an image → a sentence (section 9) |
# | many to one | a sequence → one vector | **sentiment classification (감성 분류)**: a review → positive / negative |
# | many to one, with an image | an image and a sequence → one vector | **visual question answering (시각 질의응답, VQA)**: an image and the question "what color is the bus?" → the answer "red": a ConvNet encodes the image, an RNN reads the question word by word, and a classifier over the answer vocabulary reads both |
# | many to many | a sequence → another sequence of another length | **machine translation (기계 번역)**: an **encoder (인코더)** reads the sentence into a vector, a **decoder (디코더)** writes the translation (seq2seq) |
# | many to many | one output per input | labelling every video frame; predicting the next character at every position (section 6) |
#
# A **recurrent neural network (순환 신경망, RNN)** handles all of them with one idea: a **hidden state
# (은닉 상태)** $h_t$ that is updated at every time step from the previous state and the current input,
# always with the *same* weights. In the pictures, red boxes are inputs, green boxes the hidden state (one
# per time step, left to right), blue boxes outputs.

# %% id="fig_sequence_problems"
def draw_sequence_type(ax, steps, inputs, outputs, title):
    """Inputs (red) below, hidden states (green) in the middle, outputs (blue) on top."""
    colours = {0: "#f4a6a6", 1: "#9fd89f", 2: "#9cc3f0"}
    arrow = dict(arrowstyle="->", color="black", lw=1.2)
    for t in range(steps):
        for row, present in ((0, t in inputs), (1, True), (2, t in outputs)):
            if present:
                ax.add_patch(plt.Rectangle((t - 0.3, row - 0.3), 0.6, 0.6, color=colours[row]))
        if t in inputs:
            ax.annotate("", xy=(t, 0.7), xytext=(t, 0.3), arrowprops=arrow)
        if t in outputs:
            ax.annotate("", xy=(t, 1.7), xytext=(t, 1.3), arrowprops=arrow)
        if t > 0:
            ax.annotate("", xy=(t - 0.3, 1), xytext=(t - 0.7, 1), arrowprops=arrow)
    ax.set_xlim(-0.6, max(steps, 4) - 0.4)
    ax.set_ylim(-0.5, 2.5)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=10)


fig, axes = plt.subplots(1, 5, figsize=(15, 3.2), gridspec_kw={"width_ratios": [1, 1.2, 1.2, 1.6, 1.2]})
draw_sequence_type(axes[0], 1, {0}, {0}, "one to one\nimage classification")
draw_sequence_type(axes[1], 4, {0}, {0, 1, 2, 3}, "one to many\nimage captioning")
draw_sequence_type(axes[2], 4, {0, 1, 2, 3}, {3}, "many to one\nsentiment of a review")
draw_sequence_type(axes[3], 6, {0, 1, 2}, {3, 4, 5}, "many to many (seq2seq)\ntranslation: encoder | decoder")
axes[3].axvline(2.5, color="gray", ls=":", lw=1)
draw_sequence_type(axes[4], 4, {0, 1, 2, 3}, {0, 1, 2, 3}, "many to many\nlabel every video frame")
plt.show()


# %% [markdown] id="vanilla_rnn_step"
# ## 2. One step of a vanilla RNN
#
# The lecture's vanilla RNN updates its hidden state with
#
# $$h_t = \tanh\!\left(W_{hh}\, h_{t-1} + W_{xh}\, x_t + b\right).$$
#
# In code we process a **minibatch** of $N$ sequences at once and store vectors as *rows*, so the same
# formula reads $\text{next\_h} = \tanh(\text{prev\_h}\, W_h + x\, W_x + b)$ with `x` of shape $(N, D)$,
# `prev_h` and `next_h` of shape $(N, H)$, `Wx` $(D, H)$, `Wh` $(H, H)$ and `b` $(H,)$ (so `Wh` is $W_{hh}^\top$). This is the
# CS231n API: `rnn_step_forward(x, prev_h, Wx, Wh, b)`.
#
# **Why tanh?** The same $W_{hh}$ is applied at every step, so the nonlinearity decides what repeated
# application does to the state. tanh keeps every entry of $h_t$ in $(-1, 1)$ however long the sequence:
# the forward pass cannot blow up. With a ReLU instead, $h_t$ is unbounded: if $W_{hh}$ stretches some
# direction by 1.1 per step, the state grows like $1.1^{T}$, about 13,800 after 100 steps. tanh is also
# zero-centered (a sigmoid's state would be all-positive, notebook 05), and nearly linear around 0, where
# a well-initialized network starts. Its price is saturation, which feeds the vanishing gradients of
# section 5; the LSTM (section 7) keeps tanh and adds a path around it.
#
# **Backward.** Call the pre-activation $a = \text{prev\_h}\, W_h + x W_x + b$, so $\text{next\_h} = \tanh(a)$.
# Derive it in two stages, from the upstream gradient `dnext_h`:
#
# 1. through the tanh to $da$ $(N, H)$: notebook 05 wrote tanh's local gradient with its **output**, so
#    the cache needs `next_h`, not $a$;
# 2. from $da$ to the five inputs of $a$: `x` $(N, D)$, `prev_h` $(N, H)$, `Wx` $(D, H)$, `Wh` $(H, H)$,
#    `b` $(H,)$. $a$ is two affine layers added together (an add gate hands $da$ to both), so notebook 03's
#    shape rule gives each gradient; `b` is broadcast over the $N$ rows.
#
# <details><summary>Hint</summary>Each gradient has the shape of its variable. For a weight, the product
# must sum over the N examples; for an input, over the H hidden units.</details>
#
# ### Exercise 1 (2 points): `rnn_step_forward` and `rnn_step_backward`

# %% id="q1_rnn_step" kind="answer"
def rnn_step_forward(x, prev_h, Wx, Wh, b):
    """One time step of a vanilla RNN: the tanh of the two affine maps of prev_h and x, plus b.

    x: (N, D) input;  prev_h: (N, H) previous hidden state
    Wx: (D, H) input-to-hidden weights;  Wh: (H, H) hidden-to-hidden weights;  b: (H,) biases
    Returns next_h (N, H) and cache (x, prev_h, Wx, Wh, next_h).
    """
    next_h, cache = None, None
    ### BEGIN SOLUTION
    next_h = np.tanh(prev_h @ Wh + x @ Wx + b)
    cache = (x, prev_h, Wx, Wh, next_h)
    ### END SOLUTION
    return next_h, cache


def rnn_step_backward(dnext_h, cache):
    """Backward pass of rnn_step_forward.

    dnext_h: (N, H) upstream gradient;  cache: from rnn_step_forward
    Returns dx (N, D), dprev_h (N, H), dWx (D, H), dWh (H, H), db (H,).
    """
    dx = dprev_h = dWx = dWh = db = None
    ### BEGIN SOLUTION
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1 - next_h**2)  # tanh'(a) = 1 - tanh(a)^2, from the saved output
    dx = da @ Wx.T
    dprev_h = da @ Wh.T
    dWx = x.T @ da
    dWh = prev_h.T @ da
    db = da.sum(axis=0)
    ### END SOLUTION
    return dx, dprev_h, dWx, dWh, db


# %% id="check_q1"
# Forward: the numbers of CS231n's assignment 3. Threshold: relative error < 1e-6 (they are printed
# to 8 digits, which alone gives up to ~1e-7 on the smallest entries).
with course_versions_disabled("rnn_step_forward", "rnn_step_backward"):  # checks your own code: the course's versions refuse to run here
    N, D, H = 3, 10, 4
    x = np.linspace(-0.4, 0.7, num=N * D).reshape(N, D)
    prev_h = np.linspace(-0.2, 0.5, num=N * H).reshape(N, H)
    Wx = np.linspace(-0.1, 0.9, num=D * H).reshape(D, H)
    Wh = np.linspace(-0.3, 0.7, num=H * H).reshape(H, H)
    b = np.linspace(-0.2, 0.4, num=H)
    next_h, _ = rnn_step_forward(x, prev_h, Wx, Wh, b)
    expected_next_h = np.array([[-0.58172089, -0.50182032, -0.41232771, -0.31410098],
                                [0.66854692, 0.79562378, 0.87755553, 0.92795967],
                                [0.97934501, 0.99144213, 0.99646691, 0.99854353]])
    print(f"next_h relative error: {rel_error(next_h, expected_next_h):.1e}")
    pre_activation = np.arctanh(expected_next_h)  # what went into the tanh
    assert not np.allclose(next_h, pre_activation, atol=1e-4), "the tanh is missing: next_h is the pre-activation"
    assert not np.allclose(next_h, np.tanh(pre_activation - b), atol=1e-4), "the bias b is missing"
    assert rel_error(next_h, expected_next_h) < 1e-6, (
        f"next_h is off (relative error {rel_error(next_h, expected_next_h):.1e}): weights and inputs mismatched "
        "(Wh multiplies the previous state, Wx the input)?")

    # Backward: numerical gradients of sum(next_h * dnext_h). Threshold: relative error < 1e-7
    # (measured on this data: 4.3e-9 at worst, on dWh; a bug gives 1e-3 or more).
    rng = np.random.default_rng(0)
    N, D, H = 3, 4, 5
    x, prev_h = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    Wx, Wh, b = rng.normal(size=(D, H)) * 0.5, rng.normal(size=(H, H)) * 0.5, rng.normal(size=H) * 0.5
    next_h, cache = rnn_step_forward(x, prev_h, Wx, Wh, b)
    dnext_h = rng.normal(size=next_h.shape)
    grads = rnn_step_backward(dnext_h, cache)
    results = []
    for name, value, grad in zip(["dx", "dprev_h", "dWx", "dWh", "db"], [x, prev_h, Wx, Wh, b], grads, strict=True):
        num = eval_numerical_gradient_array(lambda _: rnn_step_forward(x, prev_h, Wx, Wh, b)[0], value, dnext_h)
        results.append(check_gradient(grad, num, threshold=1e-7, name=name))
    failed = [f"{r.name}: {r.diagnosis}" for r in results if not r.passed]
    if len(failed) == len(results):
        failed.append("All five are off: the error is shared, before the affine rules: the tanh's local gradient.")
    elif len(failed) == 1:
        failed.append({"dx": "Only an input's gradient is off: the weight it went through, transposed?",
                       "dprev_h": "Only an input's gradient is off: the weight it went through, transposed?",
                       "dWx": "Only a weight's gradient is off: the right cached input, transposed?",
                       "dWh": "Only a weight's gradient is off: the right cached input (the previous state), transposed?",
                       "db": "Only db is off: b is broadcast over the N rows, so its gradient adds them."}[
                           failed[0].split(":")[0]])
    assert not failed, "\n".join(failed)

# %% id="q1_rnn_step_test" kind="tests" points=2
_N, _D, _H = 3, 10, 4
_x = np.linspace(-0.4, 0.7, num=_N * _D).reshape(_N, _D)
_prev_h = np.linspace(-0.2, 0.5, num=_N * _H).reshape(_N, _H)
_Wx = np.linspace(-0.1, 0.9, num=_D * _H).reshape(_D, _H)
_Wh = np.linspace(-0.3, 0.7, num=_H * _H).reshape(_H, _H)
_b = np.linspace(-0.2, 0.4, num=_H)
_next_h, _ = rnn_step_forward(_x, _prev_h, _Wx, _Wh, _b)
assert _next_h.shape == (3, 4)
assert abs(_next_h[0, 0] - (-0.58172089)) < 1e-7
### BEGIN HIDDEN TESTS
import cs231n_course.reference.rnn_layers as rnn_layers
_rng = np.random.default_rng(101)
_cases = []
for _N, _D, _H in [(1, 3, 4), (4, 2, 3), (2, 5, 5)]:
    _args = (_rng.normal(size=(_N, _D)), _rng.normal(size=(_N, _H)), _rng.normal(size=(_D, _H)) * 0.6,
             _rng.normal(size=(_H, _H)) * 0.6, _rng.normal(size=_H) * 0.6)
    _dnext = _rng.normal(size=(_N, _H))
    _ref_h, _ref_cache = rnn_layers.rnn_step_forward(*_args)
    _cases.append((_args, _dnext, _ref_h, rnn_layers.rnn_step_backward(_dnext, _ref_cache)))
# numerical gradients for the first case (measured error 5e-10); threshold 1e-7 throughout
_args, _dnext = _cases[0][0], _cases[0][1]
_nums = [eval_numerical_gradient_array(lambda _: rnn_layers.rnn_step_forward(*_args)[0], _a, _dnext)
         for _a in _args]
with reference_disabled(rnn_layers.rnn_step_forward, rnn_layers.rnn_step_backward):
    for _k, (_args, _dnext, _ref_h, _ref_grads) in enumerate(_cases):
        _h, _cache = rnn_step_forward(*_args)
        assert rel_error(_h, _ref_h) < 1e-10
        _grads = rnn_step_backward(_dnext, _cache)
        for _g, _r in zip(_grads, _ref_grads, strict=True):
            assert _g.shape == _r.shape and rel_error(_g, _r) < 1e-7
        if _k == 0:
            for _g, _n in zip(_grads, _nums, strict=True):
                assert rel_error(_g, _n) < 1e-7
### END HIDDEN TESTS

# %% [markdown] id="backpropagation_through_time"
# ## 3. A whole sequence: backpropagation through time
#
# Unrolled over $T$ steps, the RNN is a deep network whose layers all share the same $W_x$, $W_h$, $b$.
# `rnn_forward(x, h0, Wx, Wh, b)` runs the step $T$ times on $x$ of shape $(N, T, D)$ and returns all
# hidden states $h$ of shape $(N, T, H)$.
#
# Backward, the upstream gradient `dh` $(N, T, H)$ holds $\partial L / \partial h_t$ for the *direct* use of
# each $h_t$ (e.g. by an output layer). Draw the unrolled graph and derive **backpropagation through
# time (BPTT)** from three questions:
#
# 1. Where is $h_t$ used? Count its uses in the graph. What does notebook 02 say happens to the gradients
#    at a branch? So what must `rnn_step_backward` of step $t$ receive as its upstream gradient?
# 2. One of those uses is step $t + 1$. In which order must the loop visit the time steps, so that this
#    gradient exists when step $t$ needs it?
# 3. $W_x$, $W_h$ and $b$ are used by every step. Imagine each step had its own copy of $W_h$, equal in
#    value: `rnn_step_backward` gives the gradient of each copy. How do the $T$ copies' gradients combine
#    into the gradient of the one shared $W_h$? (The cell after the check measures it.)
#
# `rnn_backward` also returns `dh0`, the gradient of the initial state: what leaves the first step.
#
# <details><summary>Hint</summary>The multivariable chain rule: when a variable feeds several nodes, its
# gradient collects one contribution from each of them. In the unrolled graph both $h_t$ and the shared
# weights feed more than one node.</details>
#
# ### Exercise 2 (3 points): `rnn_forward` and `rnn_backward`
#
# Use your `rnn_step_forward` / `rnn_step_backward`; keep one step cache per time step.

# %% id="q2_rnn_sequence" kind="answer"
def rnn_forward(x, h0, Wx, Wh, b):
    """Vanilla RNN over a whole sequence.

    x: (N, T, D) inputs;  h0: (N, H) initial hidden state;  Wx: (D, H);  Wh: (H, H);  b: (H,)
    Returns h (N, T, H), the hidden states of all time steps, and cache (list of the T step caches).
    """
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    cache = []
    ### BEGIN SOLUTION
    prev_h = h0
    for t in range(T):
        prev_h, step_cache = rnn_step_forward(x[:, t], prev_h, Wx, Wh, b)
        h[:, t] = prev_h
        cache.append(step_cache)
    ### END SOLUTION
    return h, cache


def rnn_backward(dh, cache):
    """Backpropagation through time for rnn_forward.

    dh: (N, T, H) upstream gradients of all hidden states;  cache: from rnn_forward
    Returns dx (N, T, D), dh0 (N, H), dWx (D, H), dWh (H, H), db (H,).
    """
    N, T, H = dh.shape
    x0, _, Wx, Wh, _ = cache[0]  # the step cache (x, prev_h, Wx, Wh, next_h) of step 0
    dx = np.zeros((N, T, x0.shape[1]))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H)
    dprev_h = np.zeros((N, H))
    ### BEGIN SOLUTION
    for t in reversed(range(T)):
        # h_t feeds the output at step t and the next step: the two gradients add
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dprev_h, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    ### END SOLUTION
    dh0 = dprev_h
    return dx, dh0, dWx, dWh, db


# %% id="check_q2"
# Forward: CS231n's numbers. Threshold: relative error < 1e-6 (printed to 8 digits: up to ~1e-7).
N, T, D, H = 2, 3, 5, 4
x = np.linspace(-0.4, 0.1, num=N * T * D).reshape(N, T, D)
h0 = np.linspace(-0.3, 0.1, num=N * H).reshape(N, H)
Wx = np.linspace(-0.2, 0.4, num=D * H).reshape(D, H)
Wh = np.linspace(-0.4, 0.1, num=H * H).reshape(H, H)
b = np.linspace(-0.7, 0.1, num=H)
h, _ = rnn_forward(x, h0, Wx, Wh, b)
expected_h = np.array([[[-0.5115939, -0.36661285, -0.20133386, -0.02373593],
                        [-0.39901649, -0.23236641, -0.05085643, 0.13407662],
                        [-0.46265671, -0.27547767, -0.0647863, 0.15184398]],
                       [[-0.59131485, -0.40364216, -0.17449525, 0.07525113],
                        [-0.3060997, -0.08907298, 0.13675462, 0.34920964],
                        [-0.48768721, -0.24772108, 0.02704785, 0.29778958]]])
print(f"h relative error: {rel_error(h, expected_h):.1e}")
assert rel_error(h, expected_h) < 1e-6, (
    "h is off: each step must start from the previous step's hidden state (h0 for the first), and h must "
    "hold all T of them")

# Backward: numerical gradients of sum(h * dh) through all T steps. Threshold: relative error < 1e-7
# (measured on this data: 1.4e-9 at worst; on other seeds full-sequence checks reach ~5e-8, from
# rounding on entries that nearly cancel, so keep these fixed shapes and seed).
rng = np.random.default_rng(0)
N, T, D, H = 2, 4, 3, 5
x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
Wx, Wh, b = rng.normal(size=(D, H)) * 0.5, rng.normal(size=(H, H)) * 0.5, rng.normal(size=H) * 0.5
h, cache = rnn_forward(x, h0, Wx, Wh, b)
dh = rng.normal(size=h.shape)
grads = rnn_backward(dh, cache)
results, nums = {}, {}
for name, value, grad in zip(["dx", "dh0", "dWx", "dWh", "db"], [x, h0, Wx, Wh, b], grads, strict=True):
    nums[name] = eval_numerical_gradient_array(lambda _: rnn_forward(x, h0, Wx, Wh, b)[0], value, dh)
    results[name] = check_gradient(grad, nums[name], threshold=1e-7, name=name)
failed = [f"{name}: {r.diagnosis}" for name, r in results.items() if not r.passed]
if results["dx"].passed and results["dh0"].passed and failed:
    failed.append("dx and dh0 are right, the shared weights are not: forgot to accumulate over time? Each "
                  "shared weight collects a contribution from every time step.")
elif not results["dx"].passed and rel_error(grads[0][:, -1], nums["dx"][:, -1]) < 1e-7:
    failed.append("dx is right at the last step only: the gradient coming back from step t + 1 is lost "
                  "(not added to what h_t receives directly, or the loop runs forwards in time).")
assert not failed, "\n".join(failed)

# %% id="q2_rnn_sequence_test" kind="tests" points=3
_x = np.linspace(-0.4, 0.1, num=30).reshape(2, 3, 5)
_h0 = np.linspace(-0.3, 0.1, num=8).reshape(2, 4)
_Wx = np.linspace(-0.2, 0.4, num=20).reshape(5, 4)
_Wh = np.linspace(-0.4, 0.1, num=16).reshape(4, 4)
_b = np.linspace(-0.7, 0.1, num=4)
_h, _cache = rnn_forward(_x, _h0, _Wx, _Wh, _b)
assert _h.shape == (2, 3, 4) and abs(_h[1, 2, 3] - 0.29778958) < 1e-7
_dx, _dh0, _dWx, _dWh, _db = rnn_backward(np.ones_like(_h), _cache)
assert _dx.shape == (2, 3, 5) and _dh0.shape == (2, 4) and _dWh.shape == (4, 4) and _db.shape == (4,)
### BEGIN HIDDEN TESTS
import cs231n_course.reference.rnn_layers as rnn_layers
_rng = np.random.default_rng(202)
_cases = []
for _N, _T, _D, _H in [(1, 1, 3, 2), (3, 5, 2, 4), (2, 4, 3, 3)]:
    _args = (_rng.normal(size=(_N, _T, _D)), _rng.normal(size=(_N, _H)), _rng.normal(size=(_D, _H)) * 0.6,
             _rng.normal(size=(_H, _H)) * 0.6, _rng.normal(size=_H) * 0.6)
    _dh = _rng.normal(size=(_N, _T, _H))
    _ref_h, _ref_cache = rnn_layers.rnn_forward(*_args)
    _cases.append((_args, _dh, _ref_h, rnn_layers.rnn_backward(_dh, _ref_cache)))
# numerical gradients of the last case (measured error 2.8e-9); threshold 1e-7 throughout
_args, _dh = _cases[2][0], _cases[2][1]
_nums = [eval_numerical_gradient_array(lambda _: rnn_layers.rnn_forward(*_args)[0], _a, _dh) for _a in _args]
with reference_disabled(rnn_layers.rnn_forward, rnn_layers.rnn_backward, rnn_layers.rnn_step_forward,
                        rnn_layers.rnn_step_backward):
    for _k, (_args, _dh, _ref_h, _ref_grads) in enumerate(_cases):
        _h, _cache = rnn_forward(*_args)
        assert rel_error(_h, _ref_h) < 1e-10
        _grads = rnn_backward(_dh, _cache)
        for _g, _r in zip(_grads, _ref_grads, strict=True):
            assert _g.shape == _r.shape and rel_error(_g, _r) < 1e-7
        if _k == 2:
            for _g, _n in zip(_grads, _nums, strict=True):
                assert rel_error(_g, _n) < 1e-7
### END HIDDEN TESTS

# %% [markdown] id="sum_not_overwrite"
# **Sum, not overwrite.** Give every time step its own copy of $W_h$ (equal in value) and ask how the loss
# depends on each copy: the cell below measures these per-step gradients numerically, with your
# `rnn_step_forward`. It compares two ways of combining them with the numerical gradient of the shared
# $W_h$: their **sum**, and **overwriting** (keeping only the last assignment of a backward loop, i.e. the
# contribution of step 1). The bars show how much each time step contributes.

# %% id="fig_sum_not_overwrite"
rng = np.random.default_rng(0)
N, T, D, H = 2, 4, 3, 5
x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
Wx, Wh, b = rng.normal(size=(D, H)) * 0.5, rng.normal(size=(H, H)) * 0.5, rng.normal(size=H) * 0.5
h, cache = rnn_forward(x, h0, Wx, Wh, b)
dh = rng.normal(size=h.shape)
dWh_num = eval_numerical_gradient_array(lambda _: rnn_forward(x, h0, Wx, Wh, b)[0], Wh, dh)


def hidden_states_with_own_Wh(Wh_step, step):
    """All T hidden states when time step `step` uses Wh_step and every other step uses Wh."""
    states, state = [], h0
    for k in range(T):
        state = rnn_step_forward(x[:, k], state, Wx, Wh_step if k == step else Wh, b)[0]
        states.append(state)
    return np.stack(states, axis=1)


per_step = {t: eval_numerical_gradient_array(lambda W_: hidden_states_with_own_Wh(W_, t), Wh.copy(), dh)
            for t in range(T)}
dWh_sum = sum(per_step.values())
dWh_overwritten = per_step[0]  # what `dWh = dWh_t` leaves after the loop
print("summed over time:")
check_gradient(dWh_sum, dWh_num, threshold=1e-7, name="dWh")
print("overwritten at every step:")
check_gradient(dWh_overwritten, dWh_num, threshold=1e-7, name="dWh")

fig, ax = plt.subplots(figsize=(6, 3))
ax.bar([f"step {t + 1}" for t in range(T)], [np.linalg.norm(per_step[t]) for t in range(T)], color="#9fd89f")
ax.axhline(np.linalg.norm(dWh_num), color="black", ls="--", label="|| numerical dWh || (all steps)")
ax.set_ylabel("Frobenius norm")
ax.set_title("Every time step contributes to the gradient of the shared Wh")
ax.legend(loc="lower right")
plt.show()


# %% [markdown] id="from_words_to_vectors"
# ## 4. From words to vectors, and from scores to a loss
#
# **Word embedding (단어 임베딩).** A sequence of words (or characters) arrives as integer indices
# `x` of shape $(N, T)$ in $[0, V)$. An embedding is a matrix `W` $(V, D)$ whose row $v$ is the learned
# vector of word $v$; the forward pass is a lookup: `out[n, t]` is row `x[n, t]` of `W`, and `out` has
# shape $(N, T, D)$. (It is the same as multiplying a one-hot vector by `W`, without ever building the
# one-hot vectors.) NumPy's integer-array indexing does the whole lookup in one expression.
#
# **Backward**, `dW` $(V, D)$ from `dout` $(N, T, D)$. Derive it:
#
# 1. On which entries of `W` does `out[n, t]` depend, and how (what is the local gradient of a lookup)?
# 2. Words repeat: in "to be or not to be" the words "to" and "be" are read twice. What does the chain
#    rule say row $v$ of `dW` must be when row $v$ was read at $k$ positions?
# 3. Before you write it in one line of NumPy, try that line on a toy case in a scratch cell: index a small
#    zero array with an index list that repeats an entry, and update it in place. Is the result what
#    question 2 asks for?
#
# <details><summary>Hint</summary>An in-place update through an index array, such as
# <code>a[idx] += v</code>, is <em>buffered</em>: NumPy reads all the indexed rows first, computes the new
# values, then writes them back, so where an index repeats, a later write replaces an earlier one instead
# of adding to it. NumPy's ufuncs have an <em>unbuffered</em> in-place operation for exactly this case
# (see "unbuffered in place operation" in the NumPy reference); a loop over the positions works too, more
# slowly.</details>
#
# ### Exercise 3 (2 points): `word_embedding_forward` and `word_embedding_backward`

# %% id="q3_word_embedding" kind="answer"
def word_embedding_forward(x, W):
    """Look up the vector of each word index.

    x: (N, T) integer word indices in [0, V);  W: (V, D) word vectors
    Returns out (N, T, D) and cache (x, W.shape).
    """
    out, cache = None, None
    ### BEGIN SOLUTION
    out = W[x]
    cache = (x, W.shape)
    ### END SOLUTION
    return out, cache


def word_embedding_backward(dout, cache):
    """Backward pass of word_embedding_forward.

    dout: (N, T, D) upstream gradient;  cache: from word_embedding_forward
    Returns dW (V, D).
    """
    x, W_shape = cache
    dW = np.zeros(W_shape)
    ### BEGIN SOLUTION
    np.add.at(dW, x, dout)  # adds once per occurrence of a repeated word
    ### END SOLUTION
    return dW


# %% id="check_q3"
# "to be or not to be" with the vocabulary be=0, not=1, or=2, to=3: 'to' and 'be' occur twice.
with course_versions_disabled("word_embedding_forward", "word_embedding_backward"):  # checks your own code: the course's versions refuse to run here
    x = np.array([[3, 0, 2, 1, 3, 0]])
    W = np.arange(8.0).reshape(4, 2)
    out, cache = word_embedding_forward(x, W)
    print("out[0] =", out[0].tolist())
    assert out.shape == (1, 6, 2), f"out has shape {out.shape}, not (N, T, D) = (1, 6, 2)"
    assert np.array_equal(out[0], [[6, 7], [0, 1], [4, 5], [2, 3], [6, 7], [0, 1]]), (
        "wrong rows looked up: position t must hold the row of word x[0, t] (the indices transposed, or "
        "used as column numbers?)")
    # An upstream gradient of ones: row v of dW must count how often word v was read.
    dW = word_embedding_backward(np.ones((1, 6, 2)), cache)
    print("dW =", dW.tolist(), " (want [[2, 2], [1, 1], [1, 1], [2, 2]]: 'to' and 'be' twice)")
    assert not np.array_equal(dW, np.ones((4, 2))), (
        "repeated indices lost: 'to' and 'be' were read twice but their rows got one gradient each. An "
        "in-place update through an index array is buffered: a repeated index is written, not added (see the hint)")
    assert np.array_equal(dW, [[2, 2], [1, 1], [1, 1], [2, 2]]), (
        "dW does not count the reads of each word: every position where word v was read must add its "
        "upstream gradient to row v, and no other row")

    # Numerical gradient of sum(out * dout) with respect to W. Threshold: 1e-9 (a lookup is linear;
    # measured 3e-11).
    rng = np.random.default_rng(0)
    x = rng.integers(5, size=(3, 4))
    W = rng.normal(size=(5, 3))
    dout = rng.normal(size=(3, 4, 3))
    dW = word_embedding_backward(dout, word_embedding_forward(x, W)[1])
    dW_num = eval_numerical_gradient_array(lambda W_: word_embedding_forward(x, W_)[0], W, dout)
    result = check_gradient(dW, dW_num, threshold=1e-9, name="dW")
    assert result.passed, f"dW: {result.diagnosis} (is each row the sum of dout over the positions of its word?)"

# %% id="q3_word_embedding_test" kind="tests" points=2
_x = np.array([[3, 0, 2, 1, 3, 0]])
_W = np.arange(8.0).reshape(4, 2)
_out, _cache = word_embedding_forward(_x, _W)
assert _out.shape == (1, 6, 2) and np.array_equal(_out[0, 1], [0.0, 1.0])  # word 0: row 0 of W
assert np.array_equal(word_embedding_backward(np.ones((1, 6, 2)), _cache), [[2, 2], [1, 1], [1, 1], [2, 2]])
### BEGIN HIDDEN TESTS
import cs231n_course.reference.rnn_layers as rnn_layers
_rng = np.random.default_rng(303)
_cases = []
for _N, _T, _V, _D in [(1, 1, 3, 2), (4, 7, 5, 3), (2, 3, 10, 4)]:
    _x = _rng.integers(_V, size=(_N, _T))
    _W = _rng.normal(size=(_V, _D))
    _dout = _rng.normal(size=(_N, _T, _D))
    # an independent formula: dW = one_hot(x)^T dout
    _one_hot = np.eye(_V)[_x.reshape(-1)]
    _cases.append((_x, _W, _dout, _one_hot.T @ _dout.reshape(-1, _D)))
_x, _W, _dout, _ = _cases[1]
_num = eval_numerical_gradient_array(lambda _: _W[_x], _W, _dout)
with reference_disabled(rnn_layers.word_embedding_forward, rnn_layers.word_embedding_backward):
    for _x, _W, _dout, _want in _cases:  # the learner's code gets copies: the originals stay ours
        _out, _cache = word_embedding_forward(_x.copy(), _W.copy())
        assert _out.shape == _x.shape + (_W.shape[1],) and np.array_equal(_out, _W[_x])
        _dW = word_embedding_backward(_dout.copy(), _cache)
        assert _dW.shape == _W.shape and rel_error(_dW, _want) < 1e-10
    _x, _W, _dout, _ = _cases[1]
    assert rel_error(word_embedding_backward(_dout.copy(), word_embedding_forward(_x, _W.copy())[1]), _num) < 1e-9
    # the same word everywhere: its row gets the sum of all upstream gradients
    _x = np.zeros((2, 3), dtype=int)
    _dW = word_embedding_backward(_dout[:2, :3].copy(), word_embedding_forward(_x, _W)[1])
    assert rel_error(_dW[0], _dout[:2, :3].sum(axis=(0, 1))) < 1e-12 and np.all(_dW[1:] == 0)
### END HIDDEN TESTS

# %% [markdown] id="temporal_affine_layer"
# **Temporal affine layer.** After the RNN, the same affine layer turns the hidden state of every time
# step into $V$ scores: `out[:, t] = h[:, t] @ w + b`. With NumPy's `@` on a 3-D array that is one line,
# and its backward pass is notebook 03's affine backward with the $N$ and $T$ axes merged (the weight is
# shared over time, so its gradient is again a sum over the time steps). It is given, from the package:

# %% id="demo_temporal_affine_layer"
import inspect

print(inspect.getsource(temporal_affine_forward))
print(inspect.getsource(temporal_affine_backward))


# %% [markdown] id="temporal_softmax_loss"
# **Temporal softmax loss with a mask.** At every time step the scores `x[n, t]` $(V,)$ are a softmax
# classifier for the correct next word `y[n, t]`. The loss sums the cross-entropy over the time steps and
# averages over the $N$ sequences:
#
# $$L = -\frac{1}{N}\sum_{n=1}^N \sum_{t=1}^T m_{n,t}\, \log \operatorname{softmax}(x_{n,t})_{y_{n,t}} .$$
#
# Sequences in a minibatch have different lengths (captions of 1, 2 or 3 words in section 9); the short
# ones are padded with a `<NULL>` word, and the **mask** $m_{n,t} \in \{0, 1\}$ (`False` = padding) removes
# the padded positions from the loss *and* from the gradient. Compute the softmax stably: subtract the
# largest score of each row before `exp` (notebook 02).
#
# The gradient `dx` $(N, T, V)$: each term of the sum is the softmax cross-entropy of notebook 02, whose
# gradient with respect to its scores you derived there. What do the factor $m_{n,t}$ and the $1/N$ in
# front do to it? What does a padded position receive? (Flatten $N$ and $T$ into one axis of $N T$ rows,
# as the stub does, and it is notebook 02's vectorized loss with one weight per row.)
#
# ### Exercise 4 (2 points): `temporal_softmax_loss(x, y, mask)`

# %% id="q4_temporal_softmax_loss" kind="answer"
def temporal_softmax_loss(x, y, mask):
    """Softmax cross-entropy summed over the time steps where mask is True, divided by N.

    x: (N, T, V) scores;  y: (N, T) correct classes in [0, V);  mask: (N, T) bool, False = ignore
    Returns loss (float) and dx (N, T, V), the gradient of the loss with respect to x.
    """
    N, T, V = x.shape
    x_flat, y_flat, mask_flat = x.reshape(N * T, V), y.reshape(N * T), mask.reshape(N * T)
    loss, dx = 0.0, np.zeros_like(x)
    ### BEGIN SOLUTION
    shifted = x_flat - x_flat.max(axis=1, keepdims=True)  # exp never overflows
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(N * T)
    loss = -np.sum(mask_flat * log_probs[rows, y_flat]) / N
    dx_flat = np.exp(log_probs)
    dx_flat[rows, y_flat] -= 1
    dx_flat *= mask_flat[:, None] / N
    dx = dx_flat.reshape(N, T, V)
    ### END SOLUTION
    return float(loss), dx


# %% id="check_q4"
# With near-zero scores every softmax is uniform, so each unmasked step costs ln V: the loss is about
# (unmasked steps per sequence) * ln V. Threshold: within 0.1 of it (the scores are not exactly 0).
with course_versions_disabled("temporal_softmax_loss"):  # checks your own code: the course's versions refuse to run here
    rng = np.random.default_rng(0)
    N, V = 100, 10
    for T, p in [(1, 1.0), (10, 1.0), (10, 0.1)]:
        x = 0.001 * rng.normal(size=(N, T, V))
        y = rng.integers(V, size=(N, T))
        mask = rng.random((N, T)) <= p
        loss, _ = temporal_softmax_loss(x, y, mask)
        want = mask.sum() / N * np.log(V)
        print(f"T = {T:2d}, fraction kept {p}: loss {loss:.3f} (about {want:.3f})")
        assert loss >= 0, "sign flipped: a cross-entropy is never negative"
        assert not (p < 1 and abs(loss - T * np.log(V)) < 0.1), "the mask is ignored: padded steps count in the loss"
        assert not (T > 1 and abs(loss * T - want) < 0.1), (
            "divided by N * T: a missing factor T (the loss sums over the time steps and averages over N only)")
        assert abs(loss - want) < 0.1, (
            f"loss {loss:.3f}, want about {want:.3f}: not a pattern this check knows (mask, sign, 1/T); "
            "compare your loss with the formula above term by term")

    # Numerical gradient, with some positions masked out. Threshold: 1e-7 (measured 1.9e-9).
    N, T, V = 3, 4, 5
    x = rng.normal(size=(N, T, V))
    y = rng.integers(V, size=(N, T))
    mask = rng.random((N, T)) > 0.3
    loss, dx = temporal_softmax_loss(x, y, mask)
    dx_num = eval_numerical_gradient_array(lambda x_: np.array(temporal_softmax_loss(x_, y, mask)[0]), x, 1.0)
    assert np.all(dx[~mask] == 0), "the mask is ignored in the gradient: padded positions got a gradient"
    result = check_gradient(dx, dx_num, threshold=1e-7, name="dx")
    assert result.passed, f"dx: {result.diagnosis}"

    # Scores in the thousands, as a badly initialised network produces: loss and gradient must stay finite.
    big_loss, big_dx = temporal_softmax_loss(1000 * x, y, mask)
    assert np.isfinite(big_loss) and np.all(np.isfinite(big_dx)), (
        "overflow on large scores: exp of a score in the thousands is inf (numerical stability, notebook 02)")

# %% id="q4_temporal_softmax_loss_test" kind="tests" points=2
_x = np.zeros((2, 3, 4))
_y = np.zeros((2, 3), dtype=int)
_mask = np.array([[True, True, False], [True, False, False]])
_loss, _dx = temporal_softmax_loss(_x, _y, _mask.copy())  # a copy: the test keeps its own mask
assert abs(_loss - 1.5 * np.log(4)) < 1e-12 and _dx.shape == (2, 3, 4)
assert np.all(_dx[~_mask] == 0)
### BEGIN HIDDEN TESTS
import cs231n_course.reference.rnn_layers as rnn_layers
def _reference(x, y, mask):
    # one position at a time, an independent formula
    N, T, V = x.shape
    loss, dx = 0.0, np.zeros_like(x)
    for n in range(N):
        for t in range(T):
            if mask[n, t]:
                z = x[n, t] - x[n, t].max()
                log_sum = np.log(np.exp(z).sum())
                loss -= (z[y[n, t]] - log_sum) / N
                dx[n, t] = (np.exp(z - log_sum) - np.eye(V)[y[n, t]]) / N
    return loss, dx

_rng = np.random.default_rng(404)
_cases = []
for _N, _T, _V, _scale in [(1, 1, 3, 1.0), (4, 5, 6, 1.0), (3, 2, 4, 1000.0)]:
    _x = _rng.normal(size=(_N, _T, _V)) * _scale
    _y = _rng.integers(_V, size=(_N, _T))
    _mask = _rng.random((_N, _T)) > 0.4
    _mask.flat[0] = True
    _cases.append((_x, _y, _mask, *_reference(_x, _y, _mask)))
_x, _y, _mask = _cases[1][:3]
_num = eval_numerical_gradient_array(lambda x_: np.array(rnn_layers.temporal_softmax_loss(x_, _y, _mask)[0]),
                                     _x, 1.0)
with reference_disabled(rnn_layers.temporal_softmax_loss):
    for _x, _y, _mask, _want_loss, _want_dx in _cases:
        _loss, _dx = temporal_softmax_loss(_x.copy(), _y.copy(), _mask.copy())  # the originals stay ours
        assert np.isfinite(_loss) and abs(_loss - _want_loss) < 1e-9 * max(1.0, abs(_want_loss))
        assert rel_error(_dx, _want_dx) < 1e-9
    _x, _y, _mask = _cases[1][:3]
    assert rel_error(temporal_softmax_loss(_x, _y, _mask)[1], _num) < 1e-7  # measured 3.7e-9
    # everything masked: no loss, no gradient
    _loss, _dx = temporal_softmax_loss(_x, _y, np.zeros_like(_mask))
    assert _loss == 0 and np.all(_dx == 0)
### END HIDDEN TESTS

# %% [markdown] id="exploding_and_vanishing_gradients"
# ## 5. Exploding and vanishing gradients
#
# Backpropagating from $h_T$ to $h_0$ multiplies by one step's Jacobian per time step:
#
# $$\frac{\partial h_T}{\partial h_0} = \prod_{t=1}^{T} \operatorname{diag}\!\left(1 - h_t^2\right) W_{hh},
# \qquad \left\|\frac{\partial L}{\partial h_0}\right\| \le
# \left(\sigma_{\max}(W_{hh})\right)^T \left\|\frac{\partial L}{\partial h_T}\right\|,$$
#
# because $|\tanh'| \le 1$. With the **largest singular value (최대 특이값)** $\sigma_{\max}$ of $W_{hh}$
# above 1 the product *can* grow exponentially with $T$ (**exploding gradients**); below 1 it *must* shrink
# exponentially (**vanishing gradients**): the first steps of a long sequence then get no learning signal.
#
# Let us measure it with your `rnn_forward` / `rnn_backward`: $H = 64$, $W_{hh} = \sigma \cdot Q$ with $Q$ a
# random orthogonal matrix (so that *all* its singular values are $\sigma$), small random inputs, and a
# unit-norm gradient at the last step only.

# %% id="fig_exploding_and_vanishing_gradients"
def dh0_norm(sigma, T, H=64, D=16, seed=0):
    """||dL/dh0|| for a unit-norm dL/dh_T, through a tanh RNN with W_hh = sigma * (random orthogonal)."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(H, H)))
    Wx = rng.normal(size=(D, H)) * 0.1 / np.sqrt(D)
    x = rng.normal(size=(1, T, D))
    h, cache = rnn_forward(x, np.zeros((1, H)), Wx, sigma * Q, np.zeros(H))
    dh = np.zeros_like(h)
    dh[0, -1] = rng.normal(size=H)
    dh[0, -1] /= np.linalg.norm(dh[0, -1])
    return np.linalg.norm(rnn_backward(dh, cache)[1])


lengths = [1, 2, 5, 10, 20, 30, 50, 75, 100]
sigmas = [0.5, 0.9, 1.0, 1.1, 1.5, 2.0]
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for sigma in sigmas:
    axes[0].semilogy(lengths, [dh0_norm(sigma, T) for T in lengths], "o-", ms=3,
                     label=f"$\\sigma_{{max}}$ = {sigma}")
axes[0].set(xlabel="sequence length T", ylabel="|| dL/dh$_0$ ||",
            title="Gradient at the first step vs length")
axes[0].axhline(1, color="gray", lw=0.8)
axes[0].legend(fontsize=8, ncol=2)
sweep = np.linspace(0.5, 2.5, 21)
T = 50
axes[1].semilogy(sweep, [dh0_norm(s, T) for s in sweep], "o-", ms=3, label="tanh RNN (measured)")
axes[1].semilogy(sweep, sweep**T, "--", color="gray", label="$\\sigma^T$ (the bound; a linear RNN)")
axes[1].set_ylim(1e-20, 1e12)
axes[1].axhline(1, color="gray", lw=0.8)
axes[1].set(xlabel="largest singular value of $W_{hh}$", ylabel="|| dL/dh$_0$ ||",
            title=f"Gradient at the first step, T = {T}")
axes[1].legend(fontsize=8)
plt.show()
print(f"T = 100: sigma 0.9 -> {dh0_norm(0.9, 100):.1e},  sigma 1.5 -> {dh0_norm(1.5, 100):.1e}")


# %% [markdown] id="exponential_in_t"
# Both effects are exponential in $T$. Even $\sigma_{\max} = 1$ vanishes, slowly, because $|\tanh'| < 1$
# away from 0. The tanh saturates as the hidden state grows, which slows the explosion down (the
# measured curve stays below $\sigma^T$), but $\sigma_{\max} = 1.5$ still multiplies
# the gradient by about a thousand over 100 steps, and $\sigma_{\max} = 0.9$ divides it by a million.
#
# **Gradient clipping (기울기 클리핑)** is the standard fix for the explosion (Pascanu et al., 2013): when
# the **global norm** of all gradients, $\|g\| = \sqrt{\sum_{\text{all arrays}} \sum_{\text{entries}} g^2}$,
# exceeds a threshold, rescale *all* of them by the same factor,
#
# $$g \leftarrow g \cdot \frac{\text{max\_norm}}{\|g\|} \quad\text{if } \|g\| > \text{max\_norm}.$$
#
# The direction of the step is kept, only its length is capped. (Clipping each entry separately to
# $[-c, c]$ also bounds the step, but it changes its direction, and it leaves a gradient whose entries are
# all a little below $c$ as large as it was.) Vanishing gradients are not fixed by clipping: that is the
# LSTM's job (section 7).
#
# ### Exercise 5 (2 points): `clip_gradient_norm(grads, max_norm)`
#
# `grads` is a dict of arrays (or a list of arrays). Rescale them **in place** (the training loop keeps
# using the same arrays) and return the global norm *before* clipping.

# %% id="q5_clip_gradients" kind="answer"
def clip_gradient_norm(grads, max_norm):
    """Rescale gradients in place so that their global L2 norm is at most max_norm.

    grads: dict of name -> array, or a list of arrays (all modified in place)
    Returns the global L2 norm of all the entries of all the arrays together, before clipping.
    """
    arrays = list(grads.values()) if isinstance(grads, dict) else list(grads)
    total_norm = 0.0
    ### BEGIN SOLUTION
    total_norm = float(np.sqrt(sum(np.sum(g**2) for g in arrays)))
    if total_norm > max_norm:
        for g in arrays:
            g *= max_norm / total_norm
    ### END SOLUTION
    return total_norm


# %% id="check_q5"
grads = {"W": np.array([[3.0, 0.0]]), "b": np.array([4.0])}  # global norm sqrt(9 + 16) = 5
W_before = grads["W"]
norm = clip_gradient_norm(grads, 1.0)
print(f"returned norm {norm} (want 5.0); clipped W {grads['W'].round(6).tolist()} (want [[0.6, 0.0]]), "
      f"b {grads['b'].round(6).tolist()} (want [0.8])")
assert norm not in (3.0, 4.0), "the norm of one array only: the global norm runs over ALL the arrays"
assert abs(norm - 25.0) > 1e-9, "missing square root: 25 is the squared norm"
assert abs(norm - 1.0) > 1e-9, "returned the norm after clipping; the contract asks for the norm before"
assert abs(norm - 5.0) < 1e-12, f"global norm {norm}, want 5.0 (the L2 norm of all entries of all arrays)"
assert grads["W"] is W_before, "the arrays were replaced, not modified in place: the caller still holds the old ones"
assert not np.array_equal(grads["W"], [[3.0, 0.0]]), (
    "the caller's arrays did not change: binding a new array to the loop variable leaves them as they were "
    "(modify them in place)")
assert not np.allclose(grads["b"], [1.0]), (
    "each array (or each entry) clipped on its own: the direction of the whole step changed; clipping "
    "rescales all the arrays by one common factor")
assert np.allclose(grads["W"], [[0.6, 0.0]]) and np.allclose(grads["b"], [0.8]), (
    "the clipped gradients have the wrong length or direction: after clipping the global norm must be "
    "max_norm, with every array scaled by the same factor")
small = [np.array([0.3, -0.4])]
clip_gradient_norm(small, 1.0)
assert np.array_equal(small[0], [0.3, -0.4]), (
    "gradients below the threshold were changed: clipping only ever shrinks a step that is too long")

# %% id="q5_clip_gradients_test" kind="tests" points=2
from cs231n_utils.testing import in_place  # the gradients are clipped in place

_g = in_place({"W": np.array([[3.0, 0.0]]), "b": np.array([4.0])})
assert abs(clip_gradient_norm(_g, 1.0) - 5.0) < 1e-12
assert np.allclose(_g["W"], [[0.6, 0.0]]) and np.allclose(_g["b"], [0.8])
### BEGIN HIDDEN TESTS
import cs231n_course.reference.rnn_layers as rnn_layers
_rng = np.random.default_rng(505)
with reference_disabled(rnn_layers.clip_gradient_norm):
    # several arrays, each below the threshold on its own, together above it
    _arrays = in_place([_rng.normal(size=(3, 4)), _rng.normal(size=5), _rng.normal(size=(2, 2, 2))])
    _copies = [a.copy() for a in _arrays]
    _total = np.sqrt(sum((a**2).sum() for a in _copies))
    _max = 0.8 * _total
    assert all(np.linalg.norm(a) < _max for a in _copies)
    _ids = [id(a) for a in _arrays]
    _got = clip_gradient_norm(_arrays, _max)
    assert abs(_got - _total) < 1e-10 * _total
    assert [id(a) for a in _arrays] == _ids
    for _a, _c in zip(_arrays, _copies, strict=True):
        assert rel_error(_a, _c * (_max / _total)) < 1e-12
    assert abs(np.sqrt(sum((a**2).sum() for a in _arrays)) - _max) < 1e-10
    # one entry larger than max_norm, total norm larger too: the direction must be kept
    _g = in_place({"w": np.array([3.0, 4.0])})
    assert abs(clip_gradient_norm(_g, 4.5) - 5.0) < 1e-12
    assert np.allclose(_g["w"], [2.7, 3.6])
    # below the threshold: unchanged; the returned norm is still the true norm
    _g = in_place({"w": np.array([0.1, -0.2]), "v": np.array([[0.2]])})
    assert abs(clip_gradient_norm(_g, 1.0) - 0.3) < 1e-12
    assert np.array_equal(_g["w"], [0.1, -0.2]) and np.array_equal(_g["v"], [[0.2]])
### END HIDDEN TESTS

# %% [markdown] id="gradient_cliff"
# **Clipping at work: the cliff.** The classic picture of an exploding gradient is a **cliff (절벽)** in
# the loss surface. Take the smallest RNN there is, one hidden unit and no input,
# $h_t = \tanh(w\, h_{t-1} + b)$ with $h_0 = -0.5$, and the loss $L = (h_{30} - 0.5)^2$ after 30 steps.
# For some $(w, b)$ the state settles on a negative value, for others on a positive one, and between the
# two regions $h_{30}$ jumps: the loss has a wall whose slope is enormous. Below, gradient descent
# (learning rate 0.3, gradients from your `rnn_backward`) starts at the same point twice, once plain and
# once with your `clip_gradient_norm` at max_norm = 1.

# %% id="fig_gradient_cliff"
CLIFF_T, CLIFF_H0, CLIFF_TARGET = 30, -0.5, 0.5


def cliff_loss_and_grad(w, b):
    """Loss (h_T - target)^2 of the 1-unit RNN and its gradient [dL/dw, dL/db] (your rnn_backward)."""
    x = np.zeros((1, CLIFF_T, 1))
    h, cache = rnn_forward(x, np.full((1, 1), CLIFF_H0), np.zeros((1, 1)), np.array([[w]]), np.array([b]))
    dh = np.zeros_like(h)
    dh[0, -1, 0] = 2 * (h[0, -1, 0] - CLIFF_TARGET)
    _, _, _, dWh, db = rnn_backward(dh, cache)
    return (h[0, -1, 0] - CLIFF_TARGET) ** 2, np.array([dWh[0, 0], db[0]])


def descend(start, clip, learning_rate=0.3, iterations=80):
    point, path, losses, norms = np.array(start, dtype=float), [], [], []
    for _ in range(iterations):
        loss, grad = cliff_loss_and_grad(*point)
        path.append(point.copy())
        losses.append(loss)
        norms.append(clip_gradient_norm([grad], clip) if clip else np.linalg.norm(grad))
        point -= learning_rate * grad
    return np.array(path), np.array(losses), np.array(norms)


plain = descend((2.0, 0.8), clip=None)
clipped = descend((2.0, 0.8), clip=1.0)

# the loss surface on a grid (vectorised: the same recurrence for every (w, b) at once)
W_grid, B_grid = np.meshgrid(np.linspace(-1, 4, 300), np.linspace(-1.5, 1.5, 300))
h = np.full(W_grid.shape, CLIFF_H0)
for _ in range(CLIFF_T):
    h = np.tanh(W_grid * h + B_grid)

fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
contour = axes[0].contourf(W_grid, B_grid, (h - CLIFF_TARGET) ** 2, 20, cmap="viridis")
fig.colorbar(contour, ax=axes[0], label="loss")
jump = int(np.argmax(plain[2]))
axes[0].plot(*plain[0][: jump + 1].T, ".-", color="red", label="plain gradient descent")
axes[0].annotate(f"step of length {0.3 * plain[2][jump]:.0f}:\nthrown to w={plain[0][jump + 1][0]:.1f}, "
                 f"b={plain[0][jump + 1][1]:.1f}", xy=plain[0][jump], xytext=(1.5, -1.3), color="red",
                 fontsize=9,
                 bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"),
                 arrowprops=dict(arrowstyle="<-", color="red"))
axes[0].plot(*clipped[0].T, ".-", color="white", ms=3, lw=0.8, label="with gradient clipping")
axes[0].set(xlabel="w", ylabel="b", xlim=(-1, 4), ylim=(-1.5, 1.5),
            title="Loss surface of a 1-unit RNN (T = 30)")
axes[0].legend(loc="upper left", fontsize=8)
axes[1].semilogy(plain[1], color="red", label="plain: loss")
axes[1].semilogy(clipped[1], color="black", label="clipped: loss")
axes[1].semilogy(plain[2], color="red", ls=":", label="plain: gradient norm")
axes[1].set(xlabel="iteration", title="Loss and gradient norm")
axes[1].legend(fontsize=8)
plt.show()
print(f"plain: gradient norm {plain[2][0]:.3f} at the start, {plain[2].max():.0f} at the edge, "
      f"{plain[2][-1]:.0e} at the end; final loss plain {plain[1][-1]:.3f}, clipped {clipped[1][-1]:.4f}")

# %% [markdown] id="clipping_result"
# Plain gradient descent walks towards the edge, meets a gradient of norm 38 (nearly two thousand times
# its norm at the start), and one step of length 11 throws it far away, to $w \approx -3.9$, $b \approx 10.2$:
# a plateau where the tanh is saturated and the gradient is practically zero ($2 \cdot 10^{-5}$).
# Training is over, at a loss of 0.25. With clipping the same gradient only moves it by
# `learning_rate * max_norm` = 0.3, and it carries on down to a loss of 0.004.

# %% [markdown] id="wq1_question"
# ### Written question 1 (1 point): how fast gradients vanish
#
# In a vanilla RNN, ignore the tanh and suppose $W_{hh}$ is $0.9$ times an orthogonal matrix (all its
# singular values are 0.9). By what factor is the norm of a gradient scaled after flowing back through 50
# time steps? Give at least three significant digits.
#
# Set `answer_wq1` to that number (an int or a float; an expression like `2 * 3` is fine).

# %% id="wq1_vanishing_factor" kind="answer"
answer_wq1 = None  # a number
### BEGIN SOLUTION
answer_wq1 = 0.00515
### END SOLUTION

# %% id="check_wq1"
# Checks the form of the answer only: whether it is right is graded by hidden tests.
assert isinstance(answer_wq1, (int, float)) and not isinstance(answer_wq1, bool), (
    f"answer_wq1 must be a number, not {answer_wq1!r}")
print(f"answer_wq1 = {answer_wq1:g}: a number")

# %% id="wq1_vanishing_factor_test" kind="tests" points=1
assert isinstance(answer_wq1, (int, float)) and not isinstance(answer_wq1, bool)
### BEGIN HIDDEN TESTS
assert abs(answer_wq1 - 0.9**50) <= 5e-5
### END HIDDEN TESTS

# %% [markdown] id="character_level_language_model"
# ## 6. A character-level language model on tiny Shakespeare
#
# A **language model (언어 모델)** predicts the next symbol from the ones before it. Karpathy's *char-rnn*
# does it one character at a time: at step $t$ the RNN reads character $t$ and outputs scores for
# character $t + 1$ (many to many). Trained on the tiny Shakespeare text (1.1 million characters), it
# learns spelling, words, names and the layout of a play.
#
# First, a **baseline (기준선)**: a model that ignores the context and always predicts the character
# frequencies $p_c$ has a cross-entropy equal to the **entropy (엔트로피)** of those frequencies,
# $-\sum_c p_c \ln p_c$ nats per character. Our RNN has to beat that.

# %% id="demo_tiny_shakespeare"
text = load_tiny_shakespeare()
vocab = CharVocab(text)
V = len(vocab)
data = vocab.encode(text)
freq = np.bincount(data, minlength=V) / len(data)
unigram_entropy = float(-np.sum(freq * np.log(freq)))
print(f"{len(text):,} characters, vocabulary of {V}; uniform guess ln V = {np.log(V):.3f} nats/char;")
print(f"unigram baseline (entropy of the character frequencies) = {unigram_entropy:.3f} nats/char")
print(text[:200])
split = int(0.9 * len(data))
train_data, val_data = data[:split], data[split:]  # the last 10% is held out


# %% [markdown] id="char_model"
# The model (given): a character **embedding** of size 32, a vanilla RNN with $H = 128$, a temporal affine
# layer to $V = 65$ scores, and the temporal softmax loss, divided by $T$ to report **nats per character**.
# It runs on your functions: your embedding, your `rnn_forward` / `rnn_backward` (and, for the LSTM of
# section 7, your `lstm_forward` / `lstm_backward` of Exercise 8), your loss.
# It keeps its **recurrent state** in one array, `h` $(N, H)$ for the RNN (for the LSTM, `[h, c]`
# side by side), so that training code can pass it around without knowing what is inside.
# `model.loss(inputs, targets, state)` runs forward and backward over one chunk and returns the loss, the
# gradients and the state after the chunk's last step.

# %% id="class_charlm"
class CharLM:
    """Character-level language model: embedding -> vanilla RNN or LSTM -> temporal affine -> softmax.

    vocab_size V, embed_dim D, hidden_dim H; cell "rnn" (state h, (N, H)) or "lstm" (state [h, c], (N, 2H)).
    """

    def __init__(self, vocab_size, hidden_dim=128, embed_dim=32, cell="rnn", seed=0):
        rng = np.random.default_rng(seed)
        gates = 4 if cell == "lstm" else 1
        self.cell, self.H = cell, hidden_dim
        self.params = {
            "W_embed": rng.normal(size=(vocab_size, embed_dim)),
            "Wx": rng.normal(size=(embed_dim, gates * hidden_dim)) / np.sqrt(embed_dim),
            "Wh": rng.normal(size=(hidden_dim, gates * hidden_dim)) / np.sqrt(hidden_dim),
            "b": np.zeros(gates * hidden_dim),
            "W_out": rng.normal(size=(hidden_dim, vocab_size)) / np.sqrt(hidden_dim),
            "b_out": np.zeros(vocab_size),
        }
        if cell == "lstm":
            self.params["b"][hidden_dim:2 * hidden_dim] = 1.0  # forget gates start mostly open

    def initial_state(self, N):
        return np.zeros((N, 2 * self.H if self.cell == "lstm" else self.H))

    def _recurrent_forward(self, x, state):
        """x (N, T, D), state -> hidden states (N, T, H), the state after the last step, cache."""
        p = self.params
        if self.cell == "rnn":
            h, cache = rnn_forward(x, state, p["Wx"], p["Wh"], p["b"])
            return h, h[:, -1], cache
        h, cache = lstm_forward(x, state[:, :self.H], p["Wx"], p["Wh"], p["b"], c0=state[:, self.H:])
        return h, np.hstack([h[:, -1], cache[1]]), cache  # cache[1]: the cell state after the last step

    def _recurrent_backward(self, dh, cache):
        """BPTT inside the chunk; the gradient of the incoming state is dropped (the truncation)."""
        backward = rnn_backward if self.cell == "rnn" else lstm_backward
        dx, _, dWx, dWh, db = backward(dh, cache)
        return dx, dWx, dWh, db

    def loss(self, inputs, targets, state):
        """inputs, targets: (N, T) character indices; state: the recurrent state before inputs[:, 0].

        Returns the mean loss per character (float), the gradients (dict like params) and the state
        after the last step.
        """
        p = self.params
        T = inputs.shape[1]
        x, embed_cache = word_embedding_forward(inputs, p["W_embed"])
        h, last_state, rec_cache = self._recurrent_forward(x, state)
        scores, out_cache = temporal_affine_forward(h, p["W_out"], p["b_out"])
        loss, dscores = temporal_softmax_loss(scores, targets, np.ones(targets.shape, dtype=bool))
        dh, dW_out, db_out = temporal_affine_backward(dscores / T, out_cache)
        dx, dWx, dWh, db = self._recurrent_backward(dh, rec_cache)
        grads = {"W_embed": word_embedding_backward(dx, embed_cache), "Wx": dWx, "Wh": dWh,
                 "b": db, "W_out": dW_out, "b_out": db_out}
        return loss / T, grads, last_state

    def step(self, ix, state):
        """One character per sequence: ix (N,) ints -> scores (N, V) for the next one, the next state."""
        h, state, _ = self._recurrent_forward(self.params["W_embed"][ix][:, None], state)
        return h[:, 0] @ self.params["W_out"] + self.params["b_out"], state


# %% [markdown] id="sampling_with_a_temperature"
# **Sampling with a temperature.** To generate text, feed a character, turn the scores $s$ into
# probabilities $\operatorname{softmax}(s / \tau)$, draw the next character from them, feed it back, and
# repeat. The **temperature** $\tau$ sharpens ($\tau < 1$: safer, more repetitive) or flattens ($\tau > 1$:
# more varied, more mistakes) the distribution; $\tau = 1$ samples from the model itself. Here is what an
# untrained model writes (seeded, so you get the same text):

# %% id="demo_sampling_with_a_temperature"
def sample(model, prime, length, temperature=1.0, seed=0):
    """Feed the text prime, then draw length characters from softmax(scores / temperature)."""
    rng = np.random.default_rng(seed)
    state = model.initial_state(1)
    for ix in vocab.encode(prime[:-1]):
        _, state = model.step(np.array([ix]), state)
    ix, out = vocab.encode(prime[-1]), []
    for _ in range(length):
        scores, state = model.step(ix, state)
        z = scores[0] / temperature
        p = np.exp(z - z.max())
        ix = np.array([rng.choice(V, p=p / p.sum())])
        out.append(ix[0])
    return prime + vocab.decode(out)


rnn_lm = CharLM(V, hidden_dim=128, cell="rnn", seed=0)
print(sample(rnn_lm, "ROMEO:\n", 200))

# %% [markdown] id="truncated_backpropagation_through_time"
# **Truncated backpropagation through time.** Backpropagating through all 1.1 million characters at once
# is impossible (memory, and one update per pass). Instead we cut the text into **chunks** of
# $T$ = `seq_length` characters and process them in order:
#
# * the **forward pass is never cut**: the hidden state at the end of a chunk is the start of the next one,
#   so the model can carry context across chunk boundaries;
# * the **backward pass is cut** every $T$ steps: each chunk backpropagates only within itself (the
#   model drops the gradient of the incoming state), and the weights are updated after every chunk.
#
# To use a minibatch, the text is split into $N$ long **streams (스트림)**, one per row of `streams`
# $(N, L)$; chunk $k$ is columns $kT \ldots kT + T - 1$ of every row, and its **targets** are the same
# columns shifted by one, $kT + 1 \ldots kT + T$ (the next character). A stream of length $L$ holds
# $\lfloor (L - 1) / T \rfloor$ full chunks (the last character of a stream is only ever a target).

# %% id="fig_truncated_backpropagation_through_time"
fig, ax = plt.subplots(figsize=(12, 2.8))
T_demo, chunks, demo = 4, 3, "First Citizen"
for t in range(T_demo * chunks):
    k = t // T_demo
    ax.add_patch(plt.Rectangle((t - 0.3, 0.7), 0.6, 0.6, color="#9fd89f"))
    ax.text(t, 0.15, demo[t].replace(" ", "␣"), ha="center", fontsize=11, color="#c0392b", family="monospace")
    ax.text(t, 1.75, demo[t + 1].replace(" ", "␣"), ha="center", fontsize=11, color="#2c6fbb",
            family="monospace")
    if t > 0:  # forward: the state always flows on
        ax.annotate("", xy=(t - 0.3, 1.08), xytext=(t - 0.7, 1.08), arrowprops=dict(arrowstyle="->"))
    if t % T_demo:  # backward: only inside a chunk
        ax.annotate("", xy=(t - 0.7, 0.9), xytext=(t - 0.3, 0.9),
                    arrowprops=dict(arrowstyle="->", color="red", ls="--"))
    if t % T_demo == T_demo - 1 and k < chunks - 1:
        ax.axvline(t + 0.5, color="gray", ls=":", lw=1)
        ax.text(t + 0.5, 2.25, "gradient cut; state carried on", ha="center", fontsize=8, color="gray")
for k in range(chunks):
    ax.text(k * T_demo + (T_demo - 1) / 2, -0.35, f"chunk {k}", ha="center", fontsize=9)
ax.text(-0.9, 0.15, "input", ha="right", color="#c0392b")
ax.text(-0.9, 1.75, "target", ha="right", color="#2c6fbb")
ax.text(-0.9, 0.95, "hidden", ha="right")
ax.set_xlim(-2, T_demo * chunks)
ax.set_ylim(-0.6, 2.5)
ax.axis("off")
ax.set_title("Truncated BPTT, T = 4: black = forward (never cut), red dashed = backward (inside a chunk)")
plt.show()


# %% [markdown] id="exercise_q6"
# ### Exercise 6 (3 points): `train_tbptt`
#
# Write one pass of truncated BPTT over `streams`: for every full chunk in order, call
# `model.loss(inputs, targets, state)`, **carry** the returned state into the next chunk, call
# `step(grads)` once per chunk (it clips and updates the weights), and collect the losses. Return the
# losses and the final state, so that the next call can continue where this one stopped.

# %% id="q6_tbptt" kind="answer"
def train_tbptt(model, streams, seq_length, state, step):
    """One pass of truncated backpropagation through time over N parallel streams.

    model: has loss(inputs, targets, state) -> (loss, grads, next_state)
    streams: (N, L) integer array, one long sequence per row
    seq_length: T, the chunk length (the gradient is cut every T steps)
    state: the recurrent state before streams[:, 0]
    step: step(grads) updates the model's weights; called once per chunk
    Returns losses (list of floats, one per chunk) and the state after the last chunk.
    """
    losses = []
    ### BEGIN SOLUTION
    num_chunks = (streams.shape[1] - 1) // seq_length
    for k in range(num_chunks):
        start = k * seq_length
        inputs = streams[:, start:start + seq_length]
        targets = streams[:, start + 1:start + seq_length + 1]
        loss, grads, state = model.loss(inputs, targets, state)
        step(grads)
        losses.append(loss)
    ### END SOLUTION
    return losses, state


# %% id="check_q6"
class RecordingModel:
    """Pretends to be a model: records what it is given; its state counts the characters seen."""

    def __init__(self):
        self.calls = []

    def loss(self, inputs, targets, state):
        self.calls.append((inputs.copy(), targets.copy(), state.copy()))
        return float(len(self.calls)), {"w": np.zeros(1)}, state + inputs.shape[1]


streams = np.arange(24).reshape(2, 12)  # two streams: 0..11 and 12..23
model, steps = RecordingModel(), []
losses, state = train_tbptt(model, streams, 3, np.zeros((2, 1)), steps.append)
for k, (inputs, targets, state_in) in enumerate(model.calls):
    print(f"chunk {k}: inputs {inputs[0].tolist()} targets {targets[0].tolist()} "
          f"state in {state_in[0, 0]:.0f}")
print(f"{len(steps)} updates, losses {losses}, final state {state[:, 0].tolist()}")
assert len(model.calls) == 3, (
    f"{len(model.calls)} chunks, want 3: an off-by-one in the number of full chunks (the last character of "
    "a stream is only a target, and a partial chunk at the end is dropped)")
assert model.calls[1][0][0].tolist() == [3, 4, 5], (
    f"chunk 1 reads {model.calls[1][0][0].tolist()}: the chunks overlap or skip characters (off-by-one in "
    "where a chunk starts)")
assert model.calls[1][1][0].tolist() == [4, 5, 6], (
    f"targets of chunk 1 are {model.calls[1][1][0].tolist()}: they must be the next character of each input "
    "(shifted by one, not equal to the inputs)")
assert [c[2][0, 0] for c in model.calls] == [0, 3, 6], (
    "the state is not carried: each chunk must start from the state the previous chunk returned")
assert len(steps) == 3, f"step(grads) called {len(steps)} times for 3 chunks: one update per chunk"
assert losses == [1.0, 2.0, 3.0] and state[0, 0] == 9, (
    "wrong losses or final state: collect every chunk's loss in order, and return the state after the last")


# %% id="q6_tbptt_test" kind="tests" points=3
class _Recorder:
    def __init__(self):
        self.calls = []

    def loss(self, inputs, targets, state):
        self.calls.append((inputs.copy(), targets.copy(), state.copy()))
        next_state = 0.5 * state + inputs.sum(axis=1, keepdims=True)  # depends on the state and the chunk
        return float(inputs.sum()), {"w": np.full(1, len(self.calls))}, next_state

_m, _steps = _Recorder(), []
_losses, _state = train_tbptt(_m, np.arange(20).reshape(2, 10), 3, np.zeros((2, 1)), _steps.append)
assert len(_m.calls) == 3 and len(_steps) == 3 and len(_losses) == 3
assert _m.calls[2][0][1].tolist() == [16, 17, 18] and _m.calls[2][1][1].tolist() == [17, 18, 19]
### BEGIN HIDDEN TESTS
def _expected(streams, T, state):
    calls, losses = [], []
    for k in range((streams.shape[1] - 1) // T):
        inputs, targets = streams[:, k * T:(k + 1) * T], streams[:, k * T + 1:(k + 1) * T + 1]
        calls.append((inputs, targets, state))
        losses.append(float(inputs.sum()))
        state = 0.5 * state + inputs.sum(axis=1, keepdims=True)
    return calls, losses, state

_rng = np.random.default_rng(606)
for _N, _L, _T in [(3, 25, 4), (1, 13, 4), (2, 12, 4), (2, 7, 1), (4, 30, 6)]:
    _streams = _rng.integers(50, size=(_N, _L))
    _state0 = _rng.normal(size=(_N, 2))
    _m, _steps = _Recorder(), []
    _calls, _want_losses, _want_state = _expected(_streams, _T, _state0)
    _losses, _state = train_tbptt(_m, _streams.copy(), _T, _state0.copy(), _steps.append)  # _calls holds views
    assert len(_m.calls) == len(_calls), (_N, _L, _T)
    for (_i, _t, _s), (_wi, _wt, _ws) in zip(_m.calls, _calls, strict=True):
        assert np.array_equal(_i, _wi) and np.array_equal(_t, _wt)
        assert np.allclose(_s, _ws)
    assert [float(g["w"][0]) for g in _steps] == list(range(1, len(_calls) + 1))
    assert np.allclose(_losses, _want_losses) and np.allclose(_state, _want_state)
### END HIDDEN TESTS

# %% [markdown] id="training_char_rnn"
# **Training.** The text's first 90% is cut into $N = 32$ streams; one pass of 1,000 chunks of
# $T = 25$ characters (800,000 characters, each seen once) trains the RNN with Adam (learning rate
# $3 \cdot 10^{-3}$), clipping the gradients at a global norm of 5. The validation loss is measured on 20,000
# held-out characters from the last 10% of the text.

# %% id="fig_training_char_rnn"
def make_step(params, learning_rate, max_norm=5.0):
    """An update function step(grads) for the weights in the dict params: clip the gradients (yours;
    not when max_norm is None), then one Adam step per weight (yours, from notebook 06).

    Returns step and configs, the Adam state of each weight (name -> config with its learning_rate).
    """
    configs = {name: {"learning_rate": learning_rate} for name in params}

    def step(grads):
        if max_norm is not None:
            clip_gradient_norm(grads, max_norm)
        for name in params:
            params[name], configs[name] = adam(params[name], grads[name], configs[name])

    return step, configs


def as_streams(ixs, N, length):
    """The first N * length indices as N streams of length characters (one per row)."""
    return ixs[:N * length].reshape(N, length)


def validation_loss(model):
    """Mean loss per character on 20,000 held-out characters (50 streams of 400)."""
    streams = as_streams(val_data, 50, 401)
    return model.loss(streams[:, :-1], streams[:, 1:], model.initial_state(50))[0]


N_STREAMS, SEQ_LENGTH = 32, 25
train_streams = as_streams(train_data, N_STREAMS, len(train_data) // N_STREAMS)
start = time.time()
rnn_step, _ = make_step(rnn_lm.params, learning_rate=3e-3)
rnn_losses, _ = train_tbptt(rnn_lm, train_streams[:, :1000 * SEQ_LENGTH + 1], SEQ_LENGTH,
                            rnn_lm.initial_state(N_STREAMS), rnn_step)
rnn_val = validation_loss(rnn_lm)
print(f"trained in {time.time() - start:.1f} s; training loss (last 100 chunks) "
      f"{np.mean(rnn_losses[-100:]):.3f}, validation loss {rnn_val:.3f} nats/char "
      f"(unigram baseline {unigram_entropy:.3f})")
fig = plot_loss_history(rnn_losses)
fig.axes[0].axhline(unigram_entropy, color="gray", ls="--", label=f"unigram baseline {unigram_entropy:.2f}")
fig.axes[0].axhline(rnn_val, color="black", ls=":", label=f"validation {rnn_val:.2f}")
fig.axes[0].set(xlabel="chunk (one update each)", ylabel="loss (nats/char)", ylim=(1, 5),
                title="Vanilla RNN, H = 128, on tiny Shakespeare")
fig.axes[0].legend()
fig

# %% id="check_char_rnn"
# The RNN must beat the unigram baseline by a wide margin on held-out text. Threshold: at least
# 0.8 nats/char below it (the margin is printed).
print(f"unigram {unigram_entropy:.3f}  ->  RNN validation {rnn_val:.3f} nats/char: "
      f"{unigram_entropy - rnn_val:.2f} below the baseline")
assert rnn_val < unigram_entropy, (
    "no better than the unigram baseline: the model learned no context. Are the targets the next characters "
    "(not the inputs themselves), and is step(grads) called for every chunk?")
assert rnn_val < unigram_entropy - 0.8, (
    "better than the baseline, but by too little: is the state carried from chunk to chunk (not restarted "
    "from zeros), and does every chunk of the pass get its update?")

# %% [markdown] id="char_rnn_samples"
# The check above printed the validation loss after one pass, against the unigram baseline (and
# $\ln 65 = 4.17$ for a uniform guess over 65 characters). The samples now have Shakespeare's layout:
# speaker names in capitals followed by a colon, line breaks, mostly real short words. Lower
# temperatures repeat the most likely words; higher ones invent more.

# %% id="demo_char_rnn_samples"
for temperature in (0.5, 1.0):
    print(f"--- temperature {temperature} ---")
    print(sample(rnn_lm, "ROMEO:\n", 300, temperature=temperature, seed=1))


# %% [markdown] id="long_short_term_memory_lstm"
# ## 7. Long short-term memory (LSTM)
#
# The LSTM (Hochreiter & Schmidhuber, 1997) keeps a second state, the **cell state** $c_t$, next to the
# hidden state, and changes it only through elementwise gates. From the input and the previous hidden
# state it computes $4H$ activations $a = x_t W_x + h_{t-1} W_h + b$ and splits them, in this order, into
#
# $$i = \sigma(a_i),\quad f = \sigma(a_f),\quad o = \sigma(a_o),\quad g = \tanh(a_g)$$
#
# * **i**, the **input gate (입력 게이트)**: how much of the candidate to write;
# * **f**, the **forget gate (망각 게이트)**: how much of the old cell state to keep;
# * **o**, the **output gate (출력 게이트)**: how much of the cell to show as $h_t$;
# * **g**, the **candidate (후보값)** ("gate gate" in the lecture): what to write, in $[-1, 1]$ (a tanh,
#   not a sigmoid).
#
# $$c_t = f \odot c_{t-1} + i \odot g, \qquad h_t = o \odot \tanh(c_t).$$
#
# **Backward.** Every node of the two equations above is a gate you know; derive the step in this order,
# with `dnext_h` and `dnext_c` the upstream gradients of $h_t$ and $c_t$:
#
# 1. **Which paths reach $c_t$?** Count them (one goes on to the next step, one goes through $h_t$), and
#    remember what gradients do where a value branches. This total $dc$ is the key quantity.
# 2. $c_t = f \odot c_{t-1} + i \odot g$ is an add gate over two elementwise multiply gates (notebook 02):
#    what do $f$, $c_{t-1}$, $i$ and $g$ each receive from $dc$? $h_t = o \odot \tanh(c_t)$ gives $o$ its
#    gradient.
# 3. Through the nonlinearities to $da$ $(N, 4H)$, in the order $i, f, o, g$; both local gradients can be
#    written with the gate's output (notebook 05).
# 4. From $da$ to $x$, $h_{t-1}$, $W_x$, $W_h$, $b$ as in the affine layer (notebook 03).
#
# Use the stable `sigmoid` imported from the package.
#
# <details><summary>Hint</summary>Along the path from $c_t$ to $c_{t-1}$ there is no weight matrix and no
# squashing function, only one elementwise factor. Which one? (Section "gradient highway" below measures
# what it does.)</details>
#
# ### Exercise 7 (3 points): `lstm_step_forward` and `lstm_step_backward`

# %% id="q7_lstm_step" kind="answer"
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One time step of an LSTM.

    x: (N, D) input;  prev_h, prev_c: (N, H) previous hidden and cell states
    Wx: (D, 4H);  Wh: (H, 4H);  b: (4H,); the activations split into gates i, f, o, g in this order
    Returns next_h (N, H), next_c (N, H) and cache, a tuple for the backward pass that starts with
    (x, prev_h, prev_c, Wx, Wh, ...) (lstm_backward reads those five).
    """
    H = prev_h.shape[1]
    next_h = next_c = cache = None
    ### BEGIN SOLUTION
    a = x @ Wx + prev_h @ Wh + b
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H:2 * H])
    o = sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    tanh_c = np.tanh(next_c)
    next_h = o * tanh_c
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c)
    ### END SOLUTION
    return next_h, next_c, cache


def lstm_step_backward(dnext_h, dnext_c, cache):
    """Backward pass of lstm_step_forward.

    dnext_h, dnext_c: (N, H) upstream gradients of next_h and next_c;  cache: from the forward
    Returns dx (N, D), dprev_h (N, H), dprev_c (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,).
    """
    dx = dprev_h = dprev_c = dWx = dWh = db = None
    ### BEGIN SOLUTION
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c = cache
    dc = dnext_c + dnext_h * o * (1 - tanh_c**2)  # the two paths to next_c add
    di = dc * g
    df = dc * prev_c
    do = dnext_h * tanh_c
    dg = dc * i
    da = np.hstack([di * i * (1 - i), df * f * (1 - f), do * o * (1 - o), dg * (1 - g**2)])
    dx = da @ Wx.T
    dprev_h = da @ Wh.T
    dprev_c = dc * f
    dWx = x.T @ da
    dWh = prev_h.T @ da
    db = da.sum(axis=0)
    ### END SOLUTION
    return dx, dprev_h, dprev_c, dWx, dWh, db


# %% id="check_q7"
# Forward: CS231n's numbers. Threshold: relative error < 1e-6 (printed to 8 digits: up to ~1e-7).
N, D, H = 3, 4, 5
x = np.linspace(-0.4, 1.2, num=N * D).reshape(N, D)
prev_h = np.linspace(-0.3, 0.7, num=N * H).reshape(N, H)
prev_c = np.linspace(-0.4, 0.9, num=N * H).reshape(N, H)
Wx = np.linspace(-2.1, 1.3, num=4 * D * H).reshape(D, 4 * H)
Wh = np.linspace(-0.7, 2.2, num=4 * H * H).reshape(H, 4 * H)
b = np.linspace(0.3, 0.7, num=4 * H)
next_h, next_c, _ = lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
expected_next_h = np.array([[0.24635157, 0.28610883, 0.32240467, 0.35525807, 0.38474904],
                            [0.49223563, 0.55611431, 0.61507696, 0.66844003, 0.7159181],
                            [0.56735664, 0.66310127, 0.74419266, 0.80889665, 0.858299]])
expected_next_c = np.array([[0.32986176, 0.39145139, 0.451556, 0.51014116, 0.56717407],
                            [0.66382255, 0.76674007, 0.87195994, 0.97902709, 1.08751345],
                            [0.74192008, 0.90592151, 1.07717006, 1.25120233, 1.42395676]])
print(f"next_h relative error {rel_error(next_h, expected_next_h):.1e}, "
      f"next_c relative error {rel_error(next_c, expected_next_c):.1e}")
assert rel_error(next_c, expected_next_c) < 1e-6, (
    "next_c is off: are the 4H activations split in the order i, f, o, g, with sigmoids for i, f, o and a "
    "tanh for g, and does the cell keep f of the old state and add i of the candidate?")
assert rel_error(next_h, expected_next_h) < 1e-6, (
    "next_c is right but next_h is off: the output gate shows a squashed copy of the NEW cell state")

# Backward: numerical gradients of sum(next_h * dnext_h + next_c * dnext_c). Threshold: relative
# error < 1e-7 (measured on this data: 1.0e-9 at worst).
rng = np.random.default_rng(0)
N, D, H = 3, 4, 5
x, prev_h, prev_c = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
Wx, Wh, b = rng.normal(size=(D, 4 * H)) * 0.5, rng.normal(size=(H, 4 * H)) * 0.5, rng.normal(size=4 * H) * 0.5
args = (x, prev_h, prev_c, Wx, Wh, b)
next_h, next_c, cache = lstm_step_forward(*args)
dnext_h, dnext_c = rng.normal(size=next_h.shape), rng.normal(size=next_c.shape)
grads = lstm_step_backward(dnext_h, dnext_c, cache)
names = ["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"]
# the numerical gradients of each upstream path on its own: through next_h, through next_c
nums_h = [eval_numerical_gradient_array(lambda _: lstm_step_forward(*args)[0], value, dnext_h) for value in args]
nums_c = [eval_numerical_gradient_array(lambda _: lstm_step_forward(*args)[1], value, dnext_c) for value in args]
results = [check_gradient(grad, num_h + num_c, threshold=1e-7, name=name)
           for name, grad, num_h, num_c in zip(names, grads, nums_h, nums_c, strict=True)]
failed = [f"{r.name}: {r.diagnosis}" for r in results if not r.passed]
if failed == [f"dprev_c: {results[2].diagnosis}"]:
    failed.append("Only dprev_c is off: the path from the previous cell state straight to the new one.")
elif failed:  # which upstream path is broken? The same backward pass with one upstream gradient at a time
    grads_h = lstm_step_backward(dnext_h, np.zeros_like(dnext_c), cache)
    grads_c = lstm_step_backward(np.zeros_like(dnext_h), dnext_c, cache)
    h_ok = all(rel_error(g, n) < 1e-7 for g, n in zip(grads_h, nums_h, strict=True))
    c_ok = all(rel_error(g, n) < 1e-7 for g, n in zip(grads_c, nums_c, strict=True))
    failed.append({(True, False): "With dnext_h alone all is right, with dnext_c alone it is not: the gradient "
                                  "arriving through next_c is lost or mishandled (which paths reach next_c?).",
                   (False, True): "With dnext_c alone all is right, with dnext_h alone it is not: the path from "
                                  "next_h back into the cell (the output gate, the tanh's local gradient).",
                   (False, False): "Both upstream paths give wrong gradients: the error is where they meet or "
                                   "after (the total at next_c, the gates' local gradients, the affine part).",
                   (True, True): "Each path alone is right, together they are not: the two do not add."}[h_ok, c_ok])
assert not failed, "\n".join(failed)

# %% id="q7_lstm_step_test" kind="tests" points=3
_x = np.linspace(-0.4, 1.2, num=12).reshape(3, 4)
_prev_h = np.linspace(-0.3, 0.7, num=15).reshape(3, 5)
_prev_c = np.linspace(-0.4, 0.9, num=15).reshape(3, 5)
_Wx = np.linspace(-2.1, 1.3, num=80).reshape(4, 20)
_Wh = np.linspace(-0.7, 2.2, num=100).reshape(5, 20)
_b = np.linspace(0.3, 0.7, num=20)
_next_h, _next_c, _cache = lstm_step_forward(_x, _prev_h, _prev_c, _Wx, _Wh, _b)
assert abs(_next_h[2, 4] - 0.858299) < 1e-6 and abs(_next_c[2, 4] - 1.42395676) < 1e-7
assert len(lstm_step_backward(np.ones((3, 5)), np.ones((3, 5)), _cache)) == 6
### BEGIN HIDDEN TESTS
import cs231n_course.reference.rnn_layers as rnn_layers
_rng = np.random.default_rng(707)
_cases = []
for _N, _D, _H in [(1, 2, 3), (4, 3, 2), (2, 5, 4)]:
    _args = (_rng.normal(size=(_N, _D)), _rng.normal(size=(_N, _H)), _rng.normal(size=(_N, _H)),
             _rng.normal(size=(_D, 4 * _H)) * 0.7, _rng.normal(size=(_H, 4 * _H)) * 0.7,
             _rng.normal(size=4 * _H))
    _dnh, _dnc = _rng.normal(size=(_N, _H)), _rng.normal(size=(_N, _H))
    _rh, _rc, _rcache = rnn_layers.lstm_step_forward(*_args)
    _cases.append((_args, _dnh, _dnc, _rh, _rc, rnn_layers.lstm_step_backward(_dnh, _dnc, _rcache)))
# numerical gradients for the first case (measured error 1.7e-8); threshold 1e-7 throughout
_args, _dnh, _dnc = _cases[0][:3]
_nums = [eval_numerical_gradient_array(lambda _: rnn_layers.lstm_step_forward(*_args)[0], _a, _dnh)
         + eval_numerical_gradient_array(lambda _: rnn_layers.lstm_step_forward(*_args)[1], _a, _dnc)
         for _a in _args]
with reference_disabled(rnn_layers.lstm_step_forward, rnn_layers.lstm_step_backward):
    for _k, (_args, _dnh, _dnc, _rh, _rc, _ref_grads) in enumerate(_cases):
        _h, _c, _cache = lstm_step_forward(*_args)
        assert rel_error(_h, _rh) < 1e-10 and rel_error(_c, _rc) < 1e-10
        _grads = lstm_step_backward(_dnh, _dnc, _cache)
        for _g, _r in zip(_grads, _ref_grads, strict=True):
            assert _g.shape == _r.shape and rel_error(_g, _r) < 1e-7
        if _k == 0:
            for _g, _n in zip(_grads, _nums, strict=True):
                assert rel_error(_g, _n) < 1e-7
### END HIDDEN TESTS

# %% [markdown] id="exercise_q8"
# ### Exercise 8 (3 points): `lstm_forward` and `lstm_backward`
#
# Over a whole sequence, starting from $h_0$ and $c_0$ (given; $c_0 = 0$ when it is not). Truncated BPTT
# carries the state from one chunk to the next, and for an LSTM the state is $h$ *and* $c$: return the cell
# state after the last step as the second part of the cache, `cache = (step_caches, c)` (the Shakespeare
# LSTM below carries it on). Backward, two gradients now flow from step $t+1$ into step $t$: `dprev_h`
# (added to `dh[:, t]`, as in the RNN) and `dprev_c` (the `dnext_c` of step $t$). The weight gradients
# are again sums over time. Use your step functions.

# %% id="q8_lstm_sequence" kind="answer"
def lstm_forward(x, h0, Wx, Wh, b, c0=None):
    """LSTM over a whole sequence.

    x: (N, T, D) inputs;  h0: (N, H) initial hidden state;  c0: (N, H) initial cell state (zeros
    when None);  Wx: (D, 4H);  Wh: (H, 4H);  b: (4H,)
    Returns h (N, T, H), the hidden states of all time steps, and cache = (step_caches, c): the list
    of the T step caches, and c (N, H), the cell state after the last step.
    """
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    c = np.zeros_like(h0) if c0 is None else c0
    step_caches = []
    ### BEGIN SOLUTION
    prev_h = h0
    for t in range(T):
        prev_h, c, step_cache = lstm_step_forward(x[:, t], prev_h, c, Wx, Wh, b)
        h[:, t] = prev_h
        step_caches.append(step_cache)
    ### END SOLUTION
    return h, (step_caches, c)


def lstm_backward(dh, cache):
    """Backpropagation through time for lstm_forward.

    dh: (N, T, H) upstream gradients of all hidden states;  cache: from lstm_forward
    Returns dx (N, T, D), dh0 (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,).
    """
    N, T, H = dh.shape
    step_caches, _ = cache
    x0, _, _, Wx, Wh = step_caches[0][:5]  # a step cache starts with (x, prev_h, prev_c, Wx, Wh)
    dx = np.zeros((N, T, x0.shape[1]))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(4 * H)
    dprev_h, dprev_c = np.zeros((N, H)), np.zeros((N, H))
    ### BEGIN SOLUTION
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(
            dh[:, t] + dprev_h, dprev_c, step_caches[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    ### END SOLUTION
    dh0 = dprev_h
    return dx, dh0, dWx, dWh, db


# %% id="check_q8"
# Forward: CS231n's numbers. Threshold: relative error < 1e-6 (printed to 8 digits: up to ~1e-7).
N, D, H, T = 2, 5, 4, 3
x = np.linspace(-0.4, 0.6, num=N * T * D).reshape(N, T, D)
h0 = np.linspace(-0.4, 0.8, num=N * H).reshape(N, H)
Wx = np.linspace(-0.2, 0.9, num=4 * D * H).reshape(D, 4 * H)
Wh = np.linspace(-0.3, 0.6, num=4 * H * H).reshape(H, 4 * H)
b = np.linspace(0.2, 0.7, num=4 * H)
h, _ = lstm_forward(x, h0, Wx, Wh, b)
expected_h = np.array([[[0.01764008, 0.01823233, 0.01882671, 0.0194232],
                        [0.11287491, 0.12146228, 0.13018446, 0.13902939],
                        [0.31358768, 0.33338627, 0.35304453, 0.37250975]],
                       [[0.45767879, 0.4761092, 0.4936887, 0.51041945],
                        [0.6704845, 0.69350089, 0.71486014, 0.7346449],
                        [0.81733511, 0.83677871, 0.85403753, 0.86935314]]])
print(f"h relative error: {rel_error(h, expected_h):.1e}")
assert rel_error(h, expected_h) < 1e-6, "carry both h and c from step to step, starting from h0 and c0 = 0"

# Backward: numerical gradients of sum(h * dh). Threshold: relative error < 1e-7 (measured on this
# data: 3.9e-9 at worst; on other seeds the full-sequence LSTM check reaches a few 1e-7 on
# near-cancelling entries, so keep these fixed shapes and seed).
rng = np.random.default_rng(0)
N, T, D, H = 2, 4, 3, 4
x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
Wx, Wh, b = rng.normal(size=(D, 4 * H)) * 0.5, rng.normal(size=(H, 4 * H)) * 0.5, rng.normal(size=4 * H) * 0.5
h, cache = lstm_forward(x, h0, Wx, Wh, b)
dh = rng.normal(size=h.shape)
grads = lstm_backward(dh, cache)
results, nums = {}, {}
for name, value, grad in zip(["dx", "dh0", "dWx", "dWh", "db"], [x, h0, Wx, Wh, b], grads, strict=True):
    nums[name] = eval_numerical_gradient_array(lambda _: lstm_forward(x, h0, Wx, Wh, b)[0], value, dh)
    results[name] = check_gradient(grad, nums[name], threshold=1e-7, name=name)
failed = [f"{name}: {r.diagnosis}" for name, r in results.items() if not r.passed]
if results["dx"].passed and results["dh0"].passed and failed:
    failed.append("dx and dh0 are right, the shared weights are not: forgot to accumulate over time? Each "
                  "shared weight collects a contribution from every time step.")
elif not results["dx"].passed and rel_error(grads[0][:, -1], nums["dx"][:, -1]) < 1e-7:
    failed.append("dx is right at the last step only: a gradient coming back from step t + 1 is lost (the "
                  "hidden state's or the cell state's: two flow back now), or the loop runs forwards.")
assert not failed, "\n".join(failed)

# Carrying the state: 4 steps, then 3 more from the (h, c) after them, must equal 7 steps at once.
# Threshold: relative error < 1e-12 (the same arithmetic in the same order).
x = rng.normal(size=(N, 7, D))
h_all, (_, c_all) = lstm_forward(x, h0, Wx, Wh, b)
h_first, (_, c_first) = lstm_forward(x[:, :4], h0, Wx, Wh, b)
h_second, (_, c_second) = lstm_forward(x[:, 4:], h_first[:, -1], Wx, Wh, b, c0=c_first)
print(f"7 steps at once vs 4 + 3 steps: relative error of h {rel_error(h_all[:, 4:], h_second):.1e}, "
      f"of the final c {rel_error(c_all, c_second):.1e}")
assert rel_error(c_all, c_second) < 1e-12 and rel_error(h_all[:, 4:], h_second) < 1e-12, (
    "the second half must continue the first: is c0 used when it is given, and is the c in the cache "
    "the cell state after the LAST step?")

# %% id="q8_lstm_sequence_test" kind="tests" points=3
_x = np.linspace(-0.4, 0.6, num=30).reshape(2, 3, 5)
_h0 = np.linspace(-0.4, 0.8, num=8).reshape(2, 4)
_Wx = np.linspace(-0.2, 0.9, num=80).reshape(5, 16)
_Wh = np.linspace(-0.3, 0.6, num=64).reshape(4, 16)
_b = np.linspace(0.2, 0.7, num=16)
_h, _cache = lstm_forward(_x, _h0, _Wx, _Wh, _b)
assert _h.shape == (2, 3, 4) and abs(_h[1, 2, 3] - 0.86935314) < 1e-7
_dx, _dh0, _dWx, _dWh, _db = lstm_backward(np.ones_like(_h), _cache)
assert _dx.shape == (2, 3, 5) and _dh0.shape == (2, 4) and _dWh.shape == (4, 16) and _db.shape == (16,)
_h_c0, (_, _c) = lstm_forward(_x, _h0, _Wx, _Wh, _b, c0=np.full((2, 4), 0.5))
assert _c.shape == (2, 4) and not np.allclose(_h_c0, _h)
### BEGIN HIDDEN TESTS
import cs231n_course.reference.rnn_layers as rnn_layers
_rng = np.random.default_rng(808)
_cases = []
for _N, _T, _D, _H in [(1, 1, 2, 3), (3, 5, 2, 2), (2, 4, 3, 3)]:
    _args = (_rng.normal(size=(_N, _T, _D)), _rng.normal(size=(_N, _H)), _rng.normal(size=(_D, 4 * _H)) * 0.7,
             _rng.normal(size=(_H, 4 * _H)) * 0.7, _rng.normal(size=4 * _H))
    _dh = _rng.normal(size=(_N, _T, _H))
    _ref_h, _ref_cache = rnn_layers.lstm_forward(*_args)
    _cases.append((_args, _dh, _ref_h, rnn_layers.lstm_backward(_dh, _ref_cache)))
# with a given c0: the hidden states, and the final cell state in the cache
_carried = []
for _args, _dh, _, _ in _cases:
    _c0 = _rng.normal(size=_args[1].shape)
    _ref_h, (_, _ref_c) = rnn_layers.lstm_forward(*_args, c0=_c0)
    _carried.append((_args, _c0, _ref_h, _ref_c, rnn_layers.lstm_forward(*_args)[1][1]))
# numerical gradients of the last case (measured error 1.4e-8); threshold 1e-7 throughout
_args, _dh = _cases[2][0], _cases[2][1]
_nums = [eval_numerical_gradient_array(lambda _: rnn_layers.lstm_forward(*_args)[0], _a, _dh) for _a in _args]
with reference_disabled(rnn_layers.lstm_forward, rnn_layers.lstm_backward, rnn_layers.lstm_step_forward,
                        rnn_layers.lstm_step_backward):
    for _k, (_args, _dh, _ref_h, _ref_grads) in enumerate(_cases):
        _h, _cache = lstm_forward(*(a.copy() for a in _args))  # _args serve twice: the originals stay ours
        assert rel_error(_h, _ref_h) < 1e-10
        _grads = lstm_backward(_dh, _cache)
        for _g, _r in zip(_grads, _ref_grads, strict=True):
            assert _g.shape == _r.shape and rel_error(_g, _r) < 1e-7
        if _k == 2:
            for _g, _n in zip(_grads, _nums, strict=True):
                assert rel_error(_g, _n) < 1e-7
    for _args, _c0, _ref_h, _ref_c, _ref_c_from_zero in _carried:
        assert rel_error(lstm_forward(*(a.copy() for a in _args))[1][1], _ref_c_from_zero) < 1e-10
        _h, _cache = lstm_forward(*_args, c0=_c0)
        assert rel_error(_h, _ref_h) < 1e-10 and rel_error(_cache[1], _ref_c) < 1e-10
### END HIDDEN TESTS

# %% [markdown] id="gradient_highway"
# ### The cell state as a gradient highway
#
# Section 5 showed what one backward step of the vanilla RNN does to the gradient: it meets a weight
# matrix and a tanh derivative at every step, so over $T$ steps its norm changes exponentially. Your
# `lstm_step_backward` has a second way back in time, from `next_c` to `prev_c`. Before you run the cell
# below, read the line of your code that computes `dprev_c` and predict:
#
# * which factors does the gradient meet on that path, and which of the RNN's two factors are missing?
# * what would the forget gate have to be for a gradient to cross 100 steps nearly unchanged?
#
# Then measure, with your functions ($H = 32$, random weights with variance $1/\text{fan-in}$, random
# inputs, a unit gradient at the last step): $\|dL/dh_0\|$ of a vanilla RNN, against $\|dL/dc_0\|$ of an
# LSTM whose forget-gate bias $b_f$ is 0, 1, 2 or 3. ($\sigma(b_f) = 0.5, 0.73, 0.88, 0.95$ is the forget
# gate's value where its other inputs add up to 0; the random inputs spread it around that.)

# %% id="fig_gradient_highway"
def gradient_at_start(cell, T, forget_bias=0.0, H=32, D=8, seed=0):
    """||dL/dh0|| (RNN) or ||dL/dc0|| (LSTM) for a unit-norm dL/dh_T."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(1, T, D))
    gates = 4 if cell == "lstm" else 1
    Wx = rng.normal(size=(D, gates * H)) / np.sqrt(D)
    Wh = rng.normal(size=(H, gates * H)) / np.sqrt(H)
    dh_T = rng.normal(size=(1, H))
    dh_T /= np.linalg.norm(dh_T)
    if cell == "rnn":
        h, cache = rnn_forward(x, np.zeros((1, H)), Wx, Wh, np.zeros(H))
        dh = np.zeros_like(h)
        dh[:, -1] = dh_T
        return np.linalg.norm(rnn_backward(dh, cache)[1])
    b = np.zeros(4 * H)
    b[H:2 * H] = forget_bias
    _, (step_caches, _) = lstm_forward(x, np.zeros((1, H)), Wx, Wh, b)
    dprev_h, dprev_c = dh_T, np.zeros((1, H))
    for t in reversed(range(T)):
        _, dprev_h, dprev_c, _, _, _ = lstm_step_backward(dprev_h, dprev_c, step_caches[t])
    return np.linalg.norm(dprev_c)


lengths = [1, 2, 5, 10, 20, 35, 50, 75, 100]
fig, ax = plt.subplots(figsize=(7, 4))
rnn_curve = [gradient_at_start("rnn", T) for T in lengths]
ax.semilogy(lengths, rnn_curve, "o-", color="black", label="vanilla RNN: || dL/dh$_0$ ||")
for bias, colour in zip([0, 1, 2, 3], ["#fdae61", "#a6d96a", "#1a9641", "#2c7bb6"], strict=True):
    curve = [gradient_at_start("lstm", T, forget_bias=bias) for T in lengths]
    ax.semilogy(lengths, curve, "s-", ms=3, color=colour, label=f"LSTM, $b_f$ = {bias}: || dL/dc$_0$ ||")
ax.set(xlabel="sequence length T", ylabel="gradient norm at step 0",
       title="Gradient flow: the LSTM cell state vs the RNN hidden state")
ax.legend(fontsize=8)
plt.show()
print(f"T = 100: RNN {rnn_curve[-1]:.1e};  LSTM with b_f = 3: {gradient_at_start('lstm', 100, 3.0):.1e}")

# %% [markdown] id="lstm_keeps_gradients"
# The RNN's gradient is gone after a few dozen steps (the cell prints what is left at $T = 100$); the
# LSTM with open forget gates still passes a useful fraction of it back 100 steps. That is why LSTMs are usually
# initialised with a positive forget-gate bias (the `CharLM` above uses $b_f = 1$), and why they learn
# dependencies over longer spans. (The LSTM has not *abolished* vanishing: with $b_f = 0$ it decays too.
# It has made "remember" the easy default.)
#
# **The Shakespeare model with an LSTM.** Same data, same loop, same learning rate, $H = 128$; the LSTM costs about four times
# as much per step (four gates), so it gets 300 chunks here instead of 1,000.

# %% id="fig_lstm_vs_rnn_training"
start = time.time()
lstm_lm = CharLM(V, hidden_dim=128, cell="lstm", seed=0)
lstm_step, _ = make_step(lstm_lm.params, learning_rate=3e-3)
lstm_losses, _ = train_tbptt(lstm_lm, train_streams[:, :300 * SEQ_LENGTH + 1], SEQ_LENGTH,
                             lstm_lm.initial_state(N_STREAMS), lstm_step)
lstm_val = validation_loss(lstm_lm)
print(f"trained in {time.time() - start:.1f} s; validation loss {lstm_val:.3f} nats/char "
      f"(RNN after 1,000 chunks: {rnn_val:.3f}; after 300: training loss {np.mean(rnn_losses[250:300]):.3f})")
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(rnn_losses, lw=0.7, label="vanilla RNN")
ax.plot(lstm_losses, lw=0.7, label="LSTM")
ax.axhline(unigram_entropy, color="gray", ls="--", label="unigram baseline")
ax.set(xlabel="chunk (one update each)", ylabel="training loss (nats/char)", ylim=(1, 5),
       title="Tiny Shakespeare, H = 128")
ax.legend()
plt.show()
print(sample(lstm_lm, "ROMEO:\n", 300, temperature=0.5, seed=1))

# %% [markdown] id="lstm_vs_rnn_result"
# On this short run the two are close: the LSTM's advantage is the long-range memory, and our chunks are
# only 25 characters long. (Karpathy's char-rnn used LSTMs with 100-character chunks, and trained for hours.)

# %% [markdown] id="wq2_question"
# ### Written question 2 (3 points, graded by hand): what makes the highway
#
# Answer from a measurement and from your derivation of Exercise 7, not from the figure alone.
#
# 1. **Measure.** For $b_f = 0$ and for $b_f = 3$, compute the average factor per time step by which the
#    cell-state gradient shrinks between $T = 50$ and $T = 100$:
#    `(gradient_at_start("lstm", 100, b) / gradient_at_start("lstm", 50, b)) ** (1 / 50)` in a scratch
#    cell. Compare each factor with $\sigma(b_f)$. What does one backward step along the cell state
#    multiply the gradient by, and why is the measured factor not exactly $\sigma(b_f)$?
# 2. **Predict.** Two colleagues "improve" the cell update. For each, pick what happens to the gradient
#    from $c_{100}$ back to $c_0$ with $b_f = 3$, and give the reason in one sentence, from the local
#    gradient of one step along the cell state:
#    * (i) squash what is kept, "so that $c$ stays bounded": $c_t = f \odot \tanh(c_{t-1}) + i \odot g$;
#    * (ii) let the cell units mix: $c_t = (f \odot c_{t-1})\, W_c + i \odot g$, with a learned
#      $W_c$ $(H, H)$ initialised with variance $1/H$.
#
#    (A) about as in the figure: the forget gate still sets the rate; (B) it vanishes again, and the
#    faster the larger $|c|$ gets; (C) it grows or shrinks with the singular values of a matrix, as in the
#    vanilla RNN; (D) as in the figure, because the added $i \odot g$ still carries the gradient to
#    $c_{t-1}$.
#
# Write your answer in the next cell: the two measured factors and a sentence for question 1, a letter
# and a sentence for each variant of question 2.

# %% [markdown] id="wq2_lstm_gradient_highway" kind="written" points=3
# **Your answer:**
#
# ### BEGIN SOLUTION
# *Model answer.* 1. Measured with the solution: about 0.58 per step for b_f = 0 and about 0.976 for
# b_f = 3, against sigma(b_f) = 0.5 and 0.953. The rate follows the forget gate, not the weights (they are
# the same in both runs): one backward step along the cell state multiplies the gradient elementwise by
# f_t, dc_{t-1} = f_t * dc_t, with no matrix and no tanh derivative. It is a little above sigma(b_f)
# because f varies around sigma(b_f) from unit to unit and step to step, and the norm after many steps is
# dominated by the units whose gates stayed most open (the path through h adds a little too).
# 2. (i) B: the step's local gradient becomes f_t * tanh'(c_{t-1}), and tanh' = 1 - tanh^2 is below 1
# and small once |c| is large (with f near 1 the cell accumulates and grows), so the product over 100
# steps vanishes again. (ii) C: the step's local gradient becomes a matrix, dc_{t-1} = f_t * (dc_t W_c^T),
# so over 100 steps the norm is governed by the singular values of W_c, exploding or vanishing as W_hh
# does in the vanilla RNN; the network no longer sets the rate unit by unit through its gates.
# (Simulated on the figure's setup, the cell path alone: about 0.8 per step for (i), against 0.97
# unchanged; for (ii) 0.93 per step with one W_c, growth to about 8 over 50 steps and then decay with
# another.)
#
# RUBRIC (3 points; a letter without a reason earns nothing for that part)
# - 1 point: question 1: the two measured factors (about 0.58 and 0.97-0.98; within 0.03 of these) and the
#   conclusion that one step along c multiplies elementwise by the forget gate (no matrix, no tanh')
# - 1 point: (i) B, because each step adds a factor tanh'(c) <= 1 that is small for large |c|; this one
#   mechanism suffices
# - 1 point: (ii) C, because each step now multiplies by a matrix (W_c transposed), whose singular values
#   set the growth or decay over T steps, as for W_hh; this one mechanism suffices
# - a wrong extra claim costs the point of the part it is in, even next to the right mechanism (e.g. "the
#   LSTM cannot vanish", "the added i * g carries the gradient to c_{t-1}", "(ii) is fine because f is
#   still there"); true but unneeded extras cost nothing
# ### END SOLUTION

# %% [markdown] id="softmax_or_sigmoid_outputs"
# ## 8. Softmax or sigmoid outputs?
#
# Every output of this notebook is **one of $C$ classes**: the next character is exactly one of 65, the
# next word of a caption exactly one of 13. For that the scores go through a **softmax**, whose
# probabilities compete and sum to 1, with the cross-entropy loss $-\log p_y$.
#
# Some sequence models must instead say **which of several labels apply** (**multi-label (다중 레이블)**):
# the objects in a video frame, the tags of a sentence, *which digits appear in an image*. Then each score
# goes through its own **sigmoid**, giving independent probabilities (they need not sum to 1), with one
# **binary cross-entropy (이진 교차 엔트로피)** per label:
# $-\sum_c \left[y_c \log \sigma(s_c) + (1 - y_c) \log(1 - \sigma(s_c))\right]$. Both losses have the
# same simple gradient, *probability minus target*: $p - \text{onehot}(y)$ for the softmax,
# $\sigma(s) - y$ for the sigmoids.

# %% id="demo_softmax_or_sigmoid_outputs"
scores = np.array([2.0, 1.0, 0.1, -1.0])  # four classes, e.g. the digits 3, 1, 4, 7
softmax = np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()
independent = sigmoid(scores)
print("scores            ", scores)
print(f"softmax           {softmax}  sum {softmax.sum():.2f}  -> one class: the first, p = {softmax[0]:.2f}")
print(f"sigmoid           {independent}  sum {independent.sum():.2f}  -> every label with p > 0.5 applies")

y_single = 0  # one correct class
y_multi = np.array([1.0, 1.0, 0.0, 0.0])  # the image shows a 3 and a 1
ce, dscores = softmax_loss(scores[None], np.array([y_single]))  # yours, from notebook 03
bce = -np.sum(y_multi * np.log(independent) + (1 - y_multi) * np.log(1 - independent))
print(f"softmax cross-entropy {ce:.3f},  gradient p - onehot = {dscores[0]}")
print(f"binary cross-entropy  {bce:.3f},  gradient sigma - y  = {independent - y_multi}")
assert abs(softmax.sum() - 1) < 1e-12 and independent.sum() > 1

# %% [markdown] id="choosing_the_output"
# The softmax can never say "both 3 and 1" (raising one probability lowers the others), and the sigmoids
# can never say "exactly one of these" (nothing makes them compete). Pick the output to match the
# question: one label per time step → softmax; a set of labels → sigmoids.

# %% [markdown] id="image_captioning_in_miniature"
# ## 9. Image captioning in miniature
#
# A captioning model is one-to-many: an **encoder** turns the image into a feature vector, and a
# **decoder** RNN writes the sentence one word at a time, starting from a hidden state computed from those
# features. Real systems use CNN features of photographs; ours, fully offline, uses strips of **one to
# three MNIST digits** side by side, $28 \times 84$ pixels, zero-padded on the right, and the captions are
# the digits' names: *"three one four"*.
#
# Three special words make sentences of different lengths fit in one array: `<START>` is the first input
# of every caption, `<END>` the word the decoder must write after the last digit, and `<NULL>` pads the
# rest (masked out of the loss). The vocabulary has $V = 13$ words.

# %% id="fig_digit_strips"
WORDS = ["<NULL>", "<START>", "<END>", "zero", "one", "two", "three", "four", "five", "six", "seven",
         "eight", "nine"]
NULL, START, END = 0, 1, 2
MAX_DIGITS = 3


def make_digit_strips(digits, labels, n, rng):
    """n strips of 1-3 random digits side by side, and their captions.

    digits: (M, 28, 28) images;  labels: (M,) ints 0-9
    Returns strips (n, 28, 84) and captions (n, 5): <START>, one word per digit, <END>, <NULL> padding.
    """
    counts = rng.integers(1, MAX_DIGITS + 1, size=n)
    pick = rng.integers(len(digits), size=(n, MAX_DIGITS))
    used = np.arange(MAX_DIGITS) < counts[:, None]  # (n, 3): which slots hold a digit
    strips = (digits[pick] * used[:, :, None, None]).transpose(0, 2, 1, 3).reshape(n, 28, 28 * MAX_DIGITS)
    captions = np.full((n, MAX_DIGITS + 2), NULL)
    captions[:, 0] = START
    captions[:, 1:MAX_DIGITS + 1] = np.where(used, labels[pick] + 3, NULL)  # "zero" is word 3
    captions[np.arange(n), counts + 1] = END
    return strips, captions


def decode_caption(words):
    """Word indices -> text, without <START>, <END> and <NULL>."""
    return " ".join(WORDS[w] for w in words if w > END)


mnist = load_mnist(num_train=9000, num_val=0, num_test=1000, flatten=False)
train_digits, train_labels = mnist["X_train"][:, 0], mnist["y_train"]
test_digits, test_labels = mnist["X_test"][:, 0], mnist["y_test"]  # held-out digits only
strips_test, captions_test = make_digit_strips(test_digits, test_labels, 1000, np.random.default_rng(1))

fig, axes = plt.subplots(2, 3, figsize=(12, 3.2))
for ax, strip, caption in zip(axes.flat, strips_test[:6], captions_test[:6], strict=True):
    ax.imshow(strip, cmap="gray")
    ax.set_title(" ".join(WORDS[w] for w in caption), fontsize=9)
    ax.axis("off")
plt.show()


# %% [markdown] id="captioner_model"
# **The model.** *Encoder:* the strip, average-pooled $2 \times 2$ to $14 \times 42$ and flattened
# (588 numbers, standardised), through a learned affine layer gives the decoder's initial hidden state,
# $h_0 = \text{features}\, W_{proj} + b_{proj}$. *Decoder:* a vanilla RNN ($H = 128$) over word embeddings
# (size 16), a temporal affine layer to 13 scores, and the masked temporal softmax loss. The features and
# the initial weights are given below; the rest is yours: how the model writes a caption (Exercise 9), its
# loss (Exercise 10) and its training loop (Exercise 11).

# %% id="captioner_features"
def pool(strips):
    """(n, 28, 84) -> (n, 588): 2x2 average pooling, flattened."""
    pooled = (strips[:, 0::2, 0::2] + strips[:, 1::2, 0::2]
              + strips[:, 0::2, 1::2] + strips[:, 1::2, 1::2]) / 4
    return pooled.reshape(len(strips), -1)


# standardise with statistics of 2,000 training strips
_pooled = pool(make_digit_strips(train_digits, train_labels, 2000, np.random.default_rng(2))[0])
FEATURE_MEAN, FEATURE_STD = _pooled.mean(axis=0), _pooled.std()


def image_features(strips):
    """(n, 28, 84) strips -> (n, 588) standardised features."""
    return (pool(strips) - FEATURE_MEAN) / FEATURE_STD


features_test = image_features(strips_test)


def init_captioner(feature_dim, hidden_dim=128, embed_dim=16, vocab_size=13, seed=0):
    """The captioner's weights: W_proj (F, H), b_proj (H,), W_embed (V, embed_dim), Wx, Wh, b of the
    RNN, W_out (H, V), b_out (V,)."""
    rng = np.random.default_rng(seed)
    return {
        "W_proj": rng.normal(size=(feature_dim, hidden_dim)) / np.sqrt(feature_dim),
        "b_proj": np.zeros(hidden_dim),
        "W_embed": rng.normal(size=(vocab_size, embed_dim)),
        "Wx": rng.normal(size=(embed_dim, hidden_dim)) / np.sqrt(embed_dim),
        "Wh": rng.normal(size=(hidden_dim, hidden_dim)) / np.sqrt(hidden_dim),
        "b": np.zeros(hidden_dim),
        "W_out": rng.normal(size=(hidden_dim, vocab_size)) / np.sqrt(hidden_dim),
        "b_out": np.zeros(vocab_size),
    }


# %% [markdown] id="greedy_decoding"
# **Greedy decoding.** At test time there is no caption to read. The decoder starts from
# $h_0 = \text{features}\, W_{proj} + b_{proj}$ and the word `<START>`, and at every step
#
# 1. embeds the current word and runs one RNN step (`rnn_step_forward`),
# 2. turns the new hidden state into 13 scores with the output layer (`W_out`, `b_out`) and takes the
#    **most likely word** (argmax): that is the output of this step,
# 3. **feeds that prediction back** as the next input: its *own* word, not the true one (there is none).
#
# This is **greedy** because it commits to the single best word at each step (beam search would keep
# several candidates). A caption is finished when it outputs `<END>`; write `<NULL>` in its remaining
# positions (the other captions in the batch may still be running). The check below uses a hand-made
# decoder; at the end of the section your decoder captions held-out strips with the model you trained.
#
# ### Exercise 9 (3 points): `greedy_decode(params, features, max_length)`

# %% id="q9_greedy_decode" kind="answer"
def greedy_decode(params, features, max_length=MAX_DIGITS + 1):
    """Caption a batch of images greedily with the captioner's weights.

    params: dict with W_proj, b_proj, W_embed, Wx, Wh, b, W_out, b_out (as init_captioner)
    features: (N, F) image features
    Returns captions (N, max_length) int: the words predicted after <START>, step by step; once a
    caption has produced <END> (which is kept), its remaining positions are <NULL>.
    """
    N = features.shape[0]
    captions = np.full((N, max_length), NULL, dtype=np.int64)
    ### BEGIN SOLUTION
    h = features @ params["W_proj"] + params["b_proj"]
    word = np.full(N, START)
    done = np.zeros(N, dtype=bool)
    for t in range(max_length):
        x = params["W_embed"][word]
        h, _ = rnn_step_forward(x, h, params["Wx"], params["Wh"], params["b"])
        scores = h @ params["W_out"] + params["b_out"]
        word = np.argmax(scores, axis=1)
        captions[:, t] = np.where(done, NULL, word)
        done |= word == END
    ### END SOLUTION
    return captions


# %% id="check_q9"
# A hand-made decoder whose next word depends only on the word it is fed: <START> -> three,
# three -> one, one -> <END>, anything else -> four. Greedy decoding must follow the chain.
V_toy = len(WORDS)
next_word = np.full(V_toy, 7)
next_word[[START, 6, 4]] = [6, 4, END]
toy = {"W_proj": np.zeros((2, V_toy)), "b_proj": np.zeros(V_toy), "W_embed": 5 * np.eye(V_toy),
       "Wx": np.eye(V_toy), "Wh": np.zeros((V_toy, V_toy)), "b": np.zeros(V_toy),
       "W_out": np.eye(V_toy)[next_word], "b_out": np.zeros(V_toy)}
got = greedy_decode(toy, np.zeros((2, 2)), max_length=5)
print("decoded:", got[0].tolist(), "=", [WORDS[w] for w in got[0]])
assert got.shape == (2, 5), "one row per image, max_length columns (the <START> word is not output)"
assert got[0].tolist()[:3] == [6, 4, END] or got[0, 1] != 6 or got[0, 0] != 6, (
    "the same word at every step: the decoder is fed <START> (or a fixed word) again, not its own prediction")
assert got[0].tolist()[:3] == [6, 4, END], (
    "want three, one, <END> first: each step's input is the word predicted at the step before")
assert got[0].tolist() == [6, 4, END, NULL, NULL], (
    "the caption goes on after <END>: once a caption has ended, its remaining positions are <NULL>")

# A second hand-made decoder that ignores the words and keeps its hidden state: the first word depends
# only on the image. Image 0 starts its caption with "nine", image 1 with "five".
start_word = np.full(V_toy, 7)
start_word[[9, 5]] = [12, 8]
by_image = dict(toy, W_proj=5 * np.eye(V_toy)[[9, 5]], W_embed=np.zeros((V_toy, V_toy)), Wh=5 * np.eye(V_toy),
                W_out=np.eye(V_toy)[start_word])
first = greedy_decode(by_image, np.eye(2), max_length=1)[:, 0]
print("first words by image:", [WORDS[w] for w in first])
assert first.tolist() == [12, 8], (
    "the first word does not depend on the image: the decoder must start from the hidden state the "
    "projection computes from the features")

# %% id="q9_greedy_decode_test" kind="tests" points=3
_next = np.full(13, 7)
_next[[1, 6, 4]] = [6, 4, 2]
_toy = {"W_proj": np.zeros((2, 13)), "b_proj": np.zeros(13), "W_embed": 5 * np.eye(13), "Wx": np.eye(13),
        "Wh": np.zeros((13, 13)), "b": np.zeros(13), "W_out": np.eye(13)[_next], "b_out": np.zeros(13)}
assert greedy_decode(_toy, np.zeros((3, 2)), max_length=5).tolist() == [[6, 4, 2, 0, 0]] * 3
### BEGIN HIDDEN TESTS
def _reference(p, features, max_length):
    # one image at a time, an independent formula; stops at <END> (=2), the rest stays <NULL> (=0)
    out = np.zeros((len(features), max_length), dtype=int)
    for n, f in enumerate(features):
        h, word = f @ p["W_proj"] + p["b_proj"], 1
        for t in range(max_length):
            h = np.tanh(p["W_embed"][word] @ p["Wx"] + h @ p["Wh"] + p["b"])
            word = int(np.argmax(h @ p["W_out"] + p["b_out"]))
            out[n, t] = word
            if word == 2:
                break
    return out

_rng = np.random.default_rng(909)
_ended_early = 0
for _N, _F, _H, _D, _L in [(1, 4, 6, 3, 4), (30, 5, 8, 4, 6), (12, 3, 5, 5, 3)]:
    _p = {"W_proj": _rng.normal(size=(_F, _H)) * 1.5, "b_proj": _rng.normal(size=_H),
          "W_embed": _rng.normal(size=(13, _D)) * 1.5, "Wx": _rng.normal(size=(_D, _H)),
          "Wh": _rng.normal(size=(_H, _H)) * 0.5, "b": _rng.normal(size=_H) * 0.3,
          "W_out": _rng.normal(size=(_H, 13)) * 2, "b_out": _rng.normal(size=13) * 0.3}
    _p["b_out"][2] += 1.0  # make <END> common enough to test what comes after it
    _features = _rng.normal(size=(_N, _F))
    _want = _reference(_p, _features, _L)
    _got = greedy_decode(_p, _features, max_length=_L)
    assert _got.shape == (_N, _L) and np.array_equal(_got, _want)
    _ended_early += int(np.sum(_want[:, :-1] == 2))
assert _ended_early >= 3  # the data does test the <NULL> padding after <END>
### END HIDDEN TESTS

# %% [markdown] id="exercise_q10"
# **The loss, with teacher forcing (교사 강요).** During training the decoder reads the *true* caption,
# shifted by one word: input `<START> three one four`, targets `three one four <END>`. Every step starts
# from the correct previous word, whatever the model would have said. One array `captions` $(N, T + 1)$
# holds both the inputs and the targets of a minibatch.
#
# Forward, chain your layers:
#
# 1. $h_0 = \text{features}\, W_{proj} + b_{proj}$, an affine layer: your `affine_forward` from notebook 03
#    (imported in the setup cell);
# 2. the input words through your word embedding, your `rnn_forward` from $h_0$, the temporal affine
#    layer to 13 scores per step, and your `temporal_softmax_loss`, where a position whose **target** is
#    `<NULL>` is padding and counts neither in the loss nor in the gradient (Exercise 4's mask).
#
# Backward, walk the same chain in reverse with the backward pass of each layer. The Shakespeare model's
# `loss` (section 6) chains similar layers; what is new here is the shift inside one array, the mask,
# and an initial state that is computed from the input, so that the image's weights learn through it.
#
# <details><summary>Hint</summary>At a chunk boundary the Shakespeare model drops the gradient of its
# incoming state (the truncation). Here $h_0$ is the output of a layer with weights: its gradient is
# the only way the encoder learns anything. And a word that occurs twice in a caption receives two
# gradients, which must add (Exercise 3).</details>
#
# ### Exercise 10 (3 points): `captioner_loss(params, features, captions)`

# %% id="q10_captioner_loss" kind="answer"
def captioner_loss(params, features, captions):
    """Teacher-forced loss of a minibatch of captions, and its gradients.

    params: dict with W_proj (F, H), b_proj (H,), W_embed (V, W), Wx (W, H), Wh (H, H), b (H,),
      W_out (H, V), b_out (V,) (as init_captioner)
    features: (N, F) image features
    captions: (N, T + 1) word indices: <START>, the words, <END>, then <NULL> padding
    Returns loss (float: summed over the time steps, averaged over the N captions) and grads, a
    dict with the keys of params, each gradient the shape of its weight.
    """
    loss, grads = 0.0, {}
    ### BEGIN SOLUTION
    p = params
    captions_in, captions_out = captions[:, :-1], captions[:, 1:]  # word t predicts word t + 1
    mask = captions_out != NULL  # no loss for the padding
    h0, proj_cache = affine_forward(features, p["W_proj"], p["b_proj"])
    x, embed_cache = word_embedding_forward(captions_in, p["W_embed"])
    h, rnn_cache = rnn_forward(x, h0, p["Wx"], p["Wh"], p["b"])
    scores, out_cache = temporal_affine_forward(h, p["W_out"], p["b_out"])
    loss, dscores = temporal_softmax_loss(scores, captions_out, mask)
    dh, grads["W_out"], grads["b_out"] = temporal_affine_backward(dscores, out_cache)
    dx, dh0, grads["Wx"], grads["Wh"], grads["b"] = rnn_backward(dh, rnn_cache)
    grads["W_embed"] = word_embedding_backward(dx, embed_cache)
    _, grads["W_proj"], grads["b_proj"] = affine_backward(dh0, proj_cache)
    ### END SOLUTION
    return loss, grads


# %% id="check_q10"
# Four captions of 1-3 digits (the third repeats a word), on a small captioner: F = 6 features, H = 5,
# word vectors of size 4, the 13 words.
captions_small = np.array([[START, 6, 4, 7, END], [START, 3, END, NULL, NULL],
                           [START, 6, 6, END, NULL], [START, 9, END, NULL, NULL]])
rng = np.random.default_rng(0)
features_small = rng.normal(size=(4, 6))
small = init_captioner(6, hidden_dim=5, embed_dim=4, seed=0)

# With all weights zero every softmax is uniform, so each target that is not <NULL> costs ln 13:
# here 4 + 2 + 3 + 2 = 11 targets, over N = 4 captions. Threshold: 1e-12.
zero_loss, _ = captioner_loss({k: np.zeros_like(w) for k, w in small.items()}, features_small, captions_small)
print(f"loss of zero weights {zero_loss:.4f} = {zero_loss / np.log(13):.2f} x ln 13 (want 11 / 4 = 2.75 x ln 13)")
counted = zero_loss / np.log(13) * 4
assert abs(counted - 16) > 1e-9, "all 16 positions count: the <NULL> targets are not masked out"
assert abs(counted - 14) > 1e-9, (
    "14 targets count, not 11: inputs and targets are not shifted by one word, or the mask is taken from the "
    "inputs (a position counts when its TARGET is a word)")
assert abs(counted - 11 / 4) > 1e-9, "divided by T as well: a missing factor T (sum over steps, average over N)"
assert abs(counted - 11) < 1e-9, f"the loss counts {counted:.2f} targets instead of 11"

# Numerical gradients of the loss for every weight. Threshold: relative error < 1e-7 (a whole model;
# measured on this data: 1.3e-8 at worst, on W_out; a bug gives 1e-3 or more).
loss, grads = captioner_loss(small, features_small, captions_small)
assert set(grads) == set(small), f"grads must have the keys of params: {sorted(small)}"
paths = {"W_proj": "the path back through h0 into the projection",
         "b_proj": "the path back through h0 into the projection (is b_proj used in the forward pass?)",
         "W_embed": "the embedding: a word read twice gets two gradients, which add (Exercise 3)"}
failed = []
for name in small:
    num = eval_numerical_gradient(lambda _: captioner_loss(small, features_small, captions_small)[0], small[name])
    result = check_gradient(grads[name], num, threshold=1e-7, name=f"d{name}")
    if not result.passed:
        failed.append(f"d{name}: {result.diagnosis} Look at {paths.get(name, 'the layer that uses it')}.")
assert not failed, "\n".join(failed)

# %% id="q10_captioner_loss_test" kind="tests" points=3
_p = init_captioner(3, hidden_dim=4, embed_dim=2, seed=1)
_captions = np.array([[1, 5, 2, 0, 0], [1, 3, 8, 8, 2]])
_loss, _grads = captioner_loss({k: np.zeros_like(w) for k, w in _p.items()}, np.ones((2, 3)), _captions)
assert abs(_loss - 3 * np.log(13)) < 1e-12  # (2 + 4) counted targets / 2 captions, ln 13 each
assert set(_grads) == set(_p) and all(_grads[k].shape == _p[k].shape for k in _p)
### BEGIN HIDDEN TESTS
import cs231n_course.reference.rnn_layers as rnn_layers
_rng = np.random.default_rng(1010)
_cases = []
for _N, _F, _H, _W, _L in [(1, 2, 3, 2, 3), (5, 4, 6, 3, 5), (3, 3, 4, 5, 6)]:
    _p = {"W_proj": _rng.normal(size=(_F, _H)), "b_proj": _rng.normal(size=_H),
          "W_embed": _rng.normal(size=(13, _W)), "Wx": _rng.normal(size=(_W, _H)) * 0.7,
          "Wh": _rng.normal(size=(_H, _H)) * 0.5, "b": _rng.normal(size=_H) * 0.3,
          "W_out": _rng.normal(size=(_H, 13)), "b_out": _rng.normal(size=13) * 0.3}
    _features = _rng.normal(size=(_N, _F))
    _words = _rng.integers(3, 6, size=(_N, _L - 2))  # few distinct words: many repeats
    _lengths = _rng.integers(0, _L - 1, size=_N)
    _lengths[0] = _L - 2  # one caption without padding
    _captions = np.full((_N, _L), 0)
    _captions[:, 0] = 1
    for _n, _k in enumerate(_lengths):
        _captions[_n, 1:_k + 1] = _words[_n, :_k]
        _captions[_n, _k + 1] = 2
    _cases.append((_p, _features, _captions, *rnn_layers.captioner_loss(_p, _features, _captions)))
# numerical gradients of the second case (measured error 4.5e-8); threshold 1e-7
_p, _features, _captions = _cases[1][:3]
_nums = {_k: eval_numerical_gradient(lambda _: rnn_layers.captioner_loss(_p, _features, _captions)[0], _p[_k])
         for _k in _p}
with reference_disabled(rnn_layers.captioner_loss, rnn_layers.rnn_forward, rnn_layers.rnn_backward):
    for _i, (_p, _features, _captions, _want_loss, _want_grads) in enumerate(_cases):
        _loss, _grads = captioner_loss(_p, _features, _captions)
        assert abs(_loss - _want_loss) < 1e-10 * max(1.0, abs(_want_loss))
        assert set(_grads) == set(_want_grads)
        for _k in _want_grads:
            assert _grads[_k].shape == _want_grads[_k].shape and rel_error(_grads[_k], _want_grads[_k]) < 1e-8
            if _i == 1:
                assert rel_error(_grads[_k], _nums[_k]) < 1e-7
### END HIDDEN TESTS

# %% [markdown] id="exercise_q11"
# **The training loop.** Every iteration draws a fresh minibatch (`next_batch()`: 100 new strips and
# their captions), computes your loss and gradients, and takes one Adam step on every weight. `make_step`
# from section 6 builds that update for a dict of weights (pass `max_norm=None`: the captioner trains
# without clipping) and returns each weight's Adam `configs` too, which is where a learning rate can be
# changed during training: **step decay** multiplies it by `decay` at the start of each
# iteration listed in `decay_at` (notebook 06).
#
# ### Exercise 11 (2 points): `train_captioner(params, next_batch, num_iterations, learning_rate, ...)`

# %% id="q11_train_captioner" kind="answer"
def train_captioner(params, next_batch, num_iterations, learning_rate, decay_at=(), decay=0.3):
    """Train the captioner with Adam and your captioner_loss, one fresh minibatch per iteration.

    params: dict of the weights (as init_captioner), updated in place
    next_batch: next_batch() -> (features (N, F), captions (N, T + 1)), a new minibatch at every call
    learning_rate: Adam's initial learning rate, multiplied by decay at the start of every iteration
      listed in decay_at
    Returns losses, the list of the minibatch losses, one per iteration.
    """
    losses = []
    ### BEGIN SOLUTION
    step, configs = make_step(params, learning_rate, max_norm=None)
    for it in range(num_iterations):
        if it in decay_at:
            for config in configs.values():
                config["learning_rate"] *= decay
        features, captions = next_batch()
        loss, grads = captioner_loss(params, features, captions)
        step(grads)
        losses.append(loss)
    ### END SOLUTION
    return losses


# %% id="check_q11"
# 1. The loop, on the small captioner of Exercise 10: one new minibatch, one loss and one update per
# iteration, the weights changed in place.
drawn = []


def small_batch():
    drawn.append(len(drawn))
    return features_small, captions_small


weights = init_captioner(6, hidden_dim=5, embed_dim=4, seed=0)
before = {k: w.copy() for k, w in weights.items()}
losses = train_captioner(weights, small_batch, 3, 1e-2)
print(f"3 iterations: {len(drawn)} minibatches drawn, {len(losses)} losses {np.round(losses, 4).tolist()}")
assert len(drawn) == 3, f"{len(drawn)} minibatches drawn for 3 iterations: a fresh minibatch at every iteration"
assert len(losses) == 3, f"{len(losses)} losses for 3 iterations: one loss per iteration, in order"
assert losses[2] < losses[0], "the loss does not go down: no update, or an update against the gradient?"
unchanged = [k for k in weights if np.array_equal(weights[k], before[k])]
assert not unchanged, f"{unchanged} never changed: not every weight is updated (or params was replaced, not updated)"

# 2. Step decay: with decay = 0 at iteration 1 the learning rate becomes 0 there, so the second
# iteration must leave the weights as the first one left them.
one = init_captioner(6, hidden_dim=5, embed_dim=4, seed=0)
train_captioner(one, small_batch, 1, 1e-2)
two = init_captioner(6, hidden_dim=5, embed_dim=4, seed=0)
train_captioner(two, small_batch, 2, 1e-2, decay_at=(1,), decay=0.0)
assert all(np.array_equal(one[k], two[k]) for k in one), (
    "with decay_at=(1,) and decay=0, two iterations must end where one ends: the decay is not applied, "
    "applied at the wrong iteration (off by one?), or not to every weight's learning rate")

# 3. Overfit 20 strips: the same minibatch at every iteration, 300 iterations. Thresholds: a final loss
# below 0.01 per caption, and your greedy decoder writes all 20 captions back (measured: loss 0.0007).
strips_20, captions_20 = make_digit_strips(train_digits, train_labels, 20, np.random.default_rng(4))
features_20 = image_features(strips_20)
overfit = init_captioner(features_20.shape[1], seed=0)
overfit_losses = train_captioner(overfit, lambda: (features_20, captions_20), 300, 5e-3)
decoded = greedy_decode(overfit, features_20)
print(f"overfitting 20 strips: loss {overfit_losses[0]:.2f} -> {overfit_losses[-1]:.4f}; "
      f"{np.all(decoded == captions_20[:, 1:], axis=1).sum()} of 20 captions decoded exactly")
assert overfit_losses[-1] < 0.01, "the captioner cannot even learn 20 captions: check Exercise 10 first"
assert np.array_equal(decoded, captions_20[:, 1:]), "the trained captioner must write the 20 captions back"

# %% id="q11_train_captioner_test" kind="tests" points=2
from cs231n_utils.testing import in_place, notebook_names_replaced  # the parameters are updated in place


def _quadratic(params, features, captions):  # stands in for captioner_loss: its minimum moves with the batch
    target = features.mean(axis=0)
    loss = sum(float(np.sum((w - target) ** 2)) for w in params.values())
    return loss, {k: 2 * (w - target) for k, w in params.items()}


def _batches():
    _drawn = []

    def next_batch():
        _drawn.append(1)
        return np.full((2, 3), float(len(_drawn))), np.zeros((2, 5), dtype=int)
    return next_batch, _drawn


_next_batch, _drawn = _batches()
_params = in_place({"w": np.zeros(3)})
with notebook_names_replaced(captioner_loss=_quadratic):
    _losses = train_captioner(_params, _next_batch, 4, 0.1)
assert len(_losses) == 4 and len(_drawn) == 4 and _losses[0] == 3.0
assert not np.array_equal(_params["w"], np.zeros(3))
### BEGIN HIDDEN TESTS
from unittest.mock import patch

import cs231n_course.reference.rnn_layers as rnn_layers

for _n, _lr, _at, _decay in [(6, 0.1, (), 0.3), (9, 0.05, (2, 5), 0.3), (7, 0.2, (1, 3, 4), 0.5)]:
    _want_batches, _ = _batches()
    _want_params = {"w": np.array([0.5, -1.0, 2.0]), "v": np.ones(3)}
    with patch.object(rnn_layers, "captioner_loss", _quadratic):  # the reference, on the stand-in loss
        _want = rnn_layers.train_captioner(_want_params, _want_batches, _n, _lr, _at, _decay)
    _next_batch, _drawn = _batches()
    _params = in_place({"w": np.array([0.5, -1.0, 2.0]), "v": np.ones(3)})
    with notebook_names_replaced(captioner_loss=_quadratic):
        with reference_disabled(rnn_layers.train_captioner):
            _losses = train_captioner(_params, _next_batch, _n, _lr, decay_at=_at, decay=_decay)
    assert len(_drawn) == _n and len(_losses) == _n
    assert np.allclose(_losses, _want, rtol=1e-10, atol=0)
    assert all(rel_error(_params[_k], _want_params[_k]) < 1e-10 for _k in _want_params)
### END HIDDEN TESTS

# %% [markdown] id="training_the_captioner"
# **Training.** Your loop, 2,000 minibatches of 100 fresh strips (the 9,000 training digits give far
# more combinations than we can use), learning rate $2 \cdot 10^{-3}$, multiplied by 0.3 after 1,000 and
# again after 1,500 iterations.

# %% id="fig_captioner_training"
captioner = init_captioner(features_test.shape[1])
caption_rng = np.random.default_rng(3)


def next_caption_batch():
    """100 fresh training strips: (features (100, 588), captions (100, 5))."""
    strips, captions = make_digit_strips(train_digits, train_labels, 100, caption_rng)
    return image_features(strips), captions


start = time.time()
caption_losses = train_captioner(captioner, next_caption_batch, 2000, 2e-3, decay_at=(1000, 1500))
print(f"trained in {time.time() - start:.1f} s; initial loss {caption_losses[0]:.2f} (about 3 words x ln 13 "
      f"= {3 * np.log(13):.2f} for a uniform guess), final {np.mean(caption_losses[-100:]):.3f}")
fig = plot_loss_history(caption_losses)
fig.axes[0].set(ylabel="loss per caption (nats)", title="Training the captioner (teacher forcing)")
fig

# %% id="check_captioner"
# The trained captioner on the 1,000 held-out strips (made of digits it never saw), decoded with your
# greedy_decode. Threshold: at least 80% of the captions exactly right (the accuracy is printed).
predicted = greedy_decode(captioner, features_test)
exact = np.all(predicted == captions_test[:, 1:], axis=1)
counts = (captions_test[:, 1:] > END).sum(axis=1)
print(f"exact-caption accuracy on held-out strips: {exact.mean():.1%} "
      f"(1 digit {exact[counts == 1].mean():.1%}, 2 digits {exact[counts == 2].mean():.1%}, "
      f"3 digits {exact[counts == 3].mean():.1%})")
right_length = np.mean((predicted == END).argmax(axis=1) == counts)  # <END> right after the last digit
assert exact.mean() >= 0.8, f"only {exact.mean():.0%} exactly right, {right_length:.0%} of the right length: " + (
    "captions end at the wrong place (<END> and the <NULL> padding: the loss's targets and mask, or the "
    "decoder after <END>)" if right_length < 0.95 else
    "the lengths are right, the digits misread: training went wrong (the learning rate schedule, a fresh "
    "minibatch at every iteration?)")

# %% [markdown] id="captions_of_held_out_strips"
# The first twelve held-out strips with the captions your decoder writes (green: exactly right, red:
# wrong). The check above printed the accuracy on all 1,000, and by number of digits: every digit is one
# more chance to misread. The mistakes are mostly one misread digit (the share is printed below the
# pictures): the "encoder" is a single linear layer on pixels, which classifies a digit about as well as
# the linear classifier of notebook 04. A CNN encoder (notebook 07) would fix most of them.

# %% id="fig_captions"
predicted = greedy_decode(captioner, features_test)
fig, axes = plt.subplots(4, 3, figsize=(12, 5.5))
shown = slice(0, 12)
for ax, strip, words, truth in zip(axes.flat, strips_test[shown], predicted[shown], captions_test[shown, 1:],
                                   strict=True):
    ax.imshow(strip, cmap="gray")
    right = np.array_equal(words, truth)
    ax.set_title(f'"{decode_caption(words)}"', color="green" if right else "red", fontsize=10)
    ax.axis("off")
plt.tight_layout()
plt.show()
wrong = ~np.all(predicted == captions_test[:, 1:], axis=1)
one_digit_off = np.sum(predicted[wrong] != captions_test[wrong, 1:], axis=1) == 1
print(f"{wrong.sum()} wrong captions; {one_digit_off.mean():.0%} of them differ from the truth "
      "in exactly one word")

# %% [markdown] id="summary"
# ## Summary
#
# * An RNN applies the **same step** at every time step, $h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b)$;
#   backward through time, the gradient at each step is the sum of its own and the next step's, and the
#   gradients of the **shared weights are sums over the time steps**.
# * Embedding backward accumulates repeated words (an unbuffered update: buffered fancy indexing loses
#   repeats); the temporal softmax loss **masks** the padding out of the loss and the gradient.
# * A character-level language model on tiny Shakespeare beats the unigram baseline
#   (≈ 3.3 nats/char) by a wide margin after one pass, trained with **truncated BPTT**: the state is
#   carried forward across chunks, the gradient is cut at every chunk boundary.
# * Gradients through time shrink or grow like $\sigma_{\max}(W_{hh})^T$: **clipping** the global norm
#   tames the explosion; the LSTM's **cell state**, changed only by elementwise gates, is a highway for
#   the gradient against vanishing.
# * Softmax for one class per step, sigmoids for several labels.
# * A captioner initialises its decoder from image features through an affine layer (whose weights learn
#   through the gradient of $h_0$), trains with teacher forcing on captions shifted by one word, with the
#   `<NULL>` padding masked out, and decodes **greedily** by feeding back its own predictions.
#
# This is the last notebook of the course: from the chain rule on $f = (x + y)z$ in notebook 01 to an
# LSTM and a captioner, every gradient here is one you can now derive and check yourself.
