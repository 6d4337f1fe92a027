# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] id="title"
# # 04 — Neural networks: from linear templates to hidden layers
#
# **Learning goals.** After this notebook you can
#
# 1. write a classifier as a **model**: a `params` dict and a `loss(X, y=None)` method, the interface that
#    every training loop in this course uses;
# 2. train a model with **gradient descent (경사 하강법)**, and with **mini-batch stochastic gradient descent
#    (미니배치 확률적 경사 하강법)** and **learning-rate decay (학습률 감쇠)** through the package's `Solver`;
# 3. explain why a **linear classifier (선형 분류기)** learns exactly one **template (템플릿)** per class, and
#    why that fails on the spiral data set;
# 4. build the **two-layer neural network (2층 신경망)** $f = W_2 \max(0, W_1 x)$ from layers, backpropagate
#    through it and check its gradients;
# 5. stack the same layers into a **fully connected network (완전 연결 신경망)** with any number of
#    **hidden layers (은닉층)**;
# 6. train a two-layer net to more than 95% validation accuracy on MNIST, and look at the several templates
#    per class that its hidden layer learns.
#
# **How to work.** Fill in every cell marked `# YOUR CODE HERE` (delete the `raise NotImplementedError()`).
# After each exercise, run the *check* cell below it: it tells you what is wrong and by how much.
# The *test* cells hold the graded tests (plus hidden tests with other inputs). Students run cells out of
# order, so every check cell recomputes what it needs from your functions; still, before you submit,
# use **Kernel → Restart & Run All** and make sure nothing fails. The whole notebook runs in well under a
# minute.

# %% [markdown] id="building_blocks"
# ## 0. The building blocks
#
# In notebook 03 you wrote the affine and ReLU layers and the losses yourself, and this notebook builds on
# them: `from cs231n_utils.mine import affine_forward, ...` loads them from your saved notebook 03 (save it
# after a change, then restart this kernel). If one is missing or unfinished, the import says which
# exercise to finish. When your notebook is graded, these come from the instructor's reference, so a bug
# left in notebook 03 costs no points here. The setup cell adds the affine-ReLU "sandwich":
#
# | function | computes | returns |
# | --- | --- | --- |
# | `affine_forward(x, w, b)` | $x w + b$, with `x` reshaped to $(N, D)$ | `out` $(N, M)$, `cache` |
# | `affine_backward(dout, cache)` | | `dx`, `dw`, `db` |
# | `relu_forward(x)` | $\max(0, x)$ elementwise | `out`, `cache` |
# | `relu_backward(dout, cache)` | | `dx` |
# | `affine_relu_forward(x, w, b)` | affine, then ReLU: a "sandwich" layer | `out`, `cache` |
# | `affine_relu_backward(dout, cache)` | | `dx`, `dw`, `db` |
# | `softmax_loss(scores, y)` | softmax cross-entropy, **averaged** over the batch | `loss`, `dscores` |
# | `svm_loss(scores, y)` | multiclass hinge loss, averaged over the batch | `loss`, `dscores` |
#
# Every layer keeps in its `cache` what its backward pass needs; a loss function returns the loss and its
# gradient with respect to the scores directly. A network is these pieces called in order on the way
# forward, and their backward functions called in the **reverse** order on the way back, each one taking
# the gradient the next layer handed it.
#
# **Conventions.** Examples are the *rows* of `X` $(N, D)$, so a layer computes $X W + b$ with $W$ of
# shape $(D, M)$: the lecture's $W x$ with $W$ transposed. **L2 regularization (L2 규제)** adds
# $\frac{1}{2}\lambda \sum W^2$ over the weight matrices (not the biases) to the loss; $\lambda$ is called
# `reg` in the code.

# %% id="setup"
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from cs231n_utils.data import load_mnist, make_spiral
from cs231n_utils.gradcheck import check_gradient, eval_numerical_gradient, rel_error
from cs231n_utils.mine import affine_backward, affine_forward, relu_backward, relu_forward, softmax_loss
from cs231n_utils.solver import Solver
from cs231n_utils.testing import course_versions_disabled
from cs231n_utils.viz import plot_decision_boundary, plot_loss_history, show_weight_templates

np.set_printoptions(precision=4, suppress=True)


def affine_relu_forward(x, w, b):
    """Affine, then ReLU. Returns out (N, M) and cache (affine cache, relu cache)."""
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    """Backward pass of affine_relu_forward: dout (N, M) -> dx, dw, db."""
    fc_cache, relu_cache = cache
    return affine_backward(relu_backward(dout, relu_cache), fc_cache)


# %% [markdown] id="linear_classifier_as_a_model"
# ## 1. A linear classifier as a model
#
# A linear classifier computes one **score (점수)** per class, $s = x W + b$, and the softmax loss turns the
# scores into probabilities and penalizes a low probability of the correct class:
#
# $$L = \frac{1}{N} \sum_{i=1}^{N} -\log \frac{e^{s_{i, y_i}}}{\sum_j e^{s_{ij}}} \;+\; \frac{1}{2}\lambda \sum W^2 .$$
#
# In the language of layers that is one affine layer followed by `softmax_loss`, and the backward pass
# is the same two pieces in reverse. $W$ reaches the loss along two paths, through the scores and through
# the L2 term, and notebook 02 told you what happens to the gradients of a value used twice.
#
# Every model in this course has the same two-part interface, so that one training loop can train all of
# them:
#
# * `model.params`: a dict from a parameter's name to its array, here `W` $(D, C)$ and `b` $(C,)$;
# * `model.loss(X, y=None)`: with `y=None` it returns the raw scores $(N, C)$ (the predictions are their
#   `argmax`); with labels it returns `(loss, grads)`, where `grads` has the same keys and shapes as
#   `params`.
#
# ### Exercise 1 (2 points): the linear softmax classifier
#
# Complete `loss`: the scores with `affine_forward`; then the softmax loss, the L2 term, and the gradients
# with `softmax_loss` and `affine_backward`. Return the *raw* scores when `y` is None (not probabilities).

# %% id="q1_linear_classifier" kind="answer"
class LinearClassifier:
    """A linear softmax classifier: scores = X W + b, loss = softmax + notebook 02's L2 penalty on W.

    input_dim: D;  num_classes: C
    weight_scale: standard deviation of the random initial W (b starts at 0)
    reg: L2 regularization strength;  seed: seed of the initialization
    params: W (D, C), b (C,)
    """

    def __init__(self, input_dim, num_classes, weight_scale=1e-3, reg=0.0, seed=0):
        rng = np.random.default_rng(seed)
        self.reg = reg
        self.params = {"W": rng.normal(0.0, weight_scale, (input_dim, num_classes)),
                       "b": np.zeros(num_classes)}

    def loss(self, X, y=None):
        """X: (N, D) inputs;  y: (N,) labels or None.

        Returns scores (N, C) if y is None, else (loss, grads) with grads shaped like params.
        """
        W, b = self.params["W"], self.params["b"]
        scores = cache = None
        ### BEGIN SOLUTION
        scores, cache = affine_forward(X, W, b)
        ### END SOLUTION
        if y is None:
            return scores

        loss, grads = 0.0, {}
        ### BEGIN SOLUTION
        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * np.sum(W**2)
        _, grads["W"], grads["b"] = affine_backward(dscores, cache)
        grads["W"] += self.reg * W
        ### END SOLUTION
        return loss, grads


# %% id="check_q1"
# Check 1: scores are X W + b (raw, not probabilities). Check 2: the loss of tiny weights is
# ln(C): every class gets probability 1/C. Check 3: gradient checks, first with reg = 0, then reg > 0.
with course_versions_disabled("LinearClassifier", "svm_loss"):  # checks your own code: the course's versions refuse to run here
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((6, 5)), np.array([0, 1, 2, 3, 0, 1])
    model = LinearClassifier(5, 4, weight_scale=0.5, reg=0.3, seed=1)
    model.params["b"] = rng.standard_normal(4)  # nonzero, so that a forgotten bias shows
    scores = model.loss(X.copy())  # a copy: X stays as it is for the checks below
    print("scores[0] =", scores[0])
    assert np.shape(scores) == (6, 4), f"scores should be (N, C) = (6, 4), got {np.shape(scores)}"
    if not np.allclose(scores, X @ model.params["W"] + model.params["b"]):
        probabilities = np.all(scores >= 0) and np.allclose(np.sum(scores, axis=1), 1)
        raise AssertionError("with y=None, return the raw scores: " + (
            "these rows sum to 1, so a softmax was applied" if probabilities else
            "the bias b is missing" if np.allclose(scores, X @ model.params["W"]) else
            "they are not X W + b"))

    tiny = LinearClassifier(5, 4, weight_scale=1e-6, reg=0.0)
    loss0, _ = tiny.loss(X, y)
    print(f"loss of tiny weights {loss0:.4f}, ln(4) = {np.log(4):.4f}")
    assert abs(loss0 - np.log(4)) < 1e-4, "the softmax loss of all-equal scores is ln(C): is it the softmax loss?"

    # Threshold: relative error < 1e-8 (float64, a smooth function).
    for reg in (0.0, 0.3):
        model.reg = reg
        loss, grads = model.loss(X, y)
        for name in ("W", "b"):
            num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name])
            result = check_gradient(grads[name], num, threshold=1e-8, name=f"d{name} (reg = {reg})")
            assert result.passed, result.diagnosis + (
                " It fails only with reg > 0: look at the regularization path (loss and gradient)." if reg else "")
    model.reg = 0.0
    loss_free, grads_free = model.loss(X, y)
    assert loss > loss_free, "the L2 term is missing from the loss: reg > 0 must raise it"
    assert np.allclose(grads["b"], grads_free["b"]), (
        "db changes with reg: the bias is regularized too, but the L2 term sums W only")


# %% id="q1_linear_classifier_test" kind="tests" points=2
_rng = np.random.default_rng(11)
_X, _y = _rng.standard_normal((5, 4)), np.array([0, 2, 1, 2, 0])
_m = LinearClassifier(4, 3, weight_scale=0.7, reg=0.0, seed=3)
_W, _b = _m.params["W"].copy(), _m.params["b"].copy()
assert np.allclose(_m.loss(_X.copy()), _X @ _W + _b)
assert abs(_m.loss(_X, _y)[0] - 1.7352035498381089) < 1e-10  # the softmax loss of these scores
### BEGIN HIDDEN TESTS
def _ref_loss(W, b, X, y, reg):
    _s = X @ W + b
    _data = np.mean(np.logaddexp.reduce(_s, axis=1) - _s[np.arange(len(y)), y])  # log-sum-exp, stable
    return _data + 0.5 * reg * np.sum(W**2)

for _N, _D, _C, _reg in [(7, 6, 5, 0.8), (1, 3, 4, 0.25), (4, 2, 3, 0.0)]:
    _X, _y = _rng.standard_normal((_N, _D)), _rng.integers(0, _C, size=_N)
    _m = LinearClassifier(_D, _C, weight_scale=0.6, reg=_reg, seed=_N)
    _m.params["b"] = _rng.standard_normal(_C)
    _W, _b = _m.params["W"].copy(), _m.params["b"].copy()
    assert np.allclose(_m.loss(_X.copy()), _X @ _W + _b)  # the originals stay ours
    _loss, _grads = _m.loss(_X.copy(), _y.copy())
    assert abs(_loss - _ref_loss(_W, _b, _X, _y, _reg)) < 1e-10, (_loss, _ref_loss(_W, _b, _X, _y, _reg))
    assert set(_grads) == {"W", "b"}
    _dW = eval_numerical_gradient(lambda w: _ref_loss(w, _b, _X, _y, _reg), _W.copy())
    _db = eval_numerical_gradient(lambda v: _ref_loss(_W, v, _X, _y, _reg), _b.copy())
    assert rel_error(_grads["W"], _dW) < 1e-7, rel_error(_grads["W"], _dW)
    assert rel_error(_grads["b"], _db) < 1e-7, rel_error(_grads["b"], _db)
### END HIDDEN TESTS

# %% [markdown] id="gradient_descent"
# ## 2. Gradient descent
#
# Training means lowering the loss by walking against the gradient. **Gradient descent (경사 하강법)**
# repeats one update for every parameter $\theta$ of the model,
#
# $$\theta \leftarrow \theta - \eta \, \frac{\partial L}{\partial \theta},$$
#
# where the **learning rate (학습률)** $\eta$ sets the step size. Because every model has the same
# interface, the loop does not need to know which model it trains: it calls `model.loss(X, y)` and
# updates each entry of `model.params` with the gradient of the same name.
#
# ### Exercise 2 (2 points): the training loop
#
# Write `gradient_descent`: `num_iters` times, compute the loss and gradients on the whole training set,
# record the loss, and update every parameter **in place** in `model.params` (the model must be trained
# when the function returns). Record each loss *before* its update, so `loss_history[0]` is the loss
# of the untrained model.

# %% id="q2_gradient_descent" kind="answer"
def gradient_descent(model, X, y, learning_rate=1.0, num_iters=100):
    """Full-batch gradient descent on model.loss; changes model.params.

    model: has params (dict name -> array) and loss(X, y) -> (loss, grads)
    X: (N, D) training inputs;  y: (N,) labels
    Returns loss_history, a list of num_iters floats: the loss before each update.
    """
    loss_history = []
    ### BEGIN SOLUTION
    for _ in range(num_iters):
        loss, grads = model.loss(X, y)
        loss_history.append(loss)
        for name in model.params:
            model.params[name] -= learning_rate * grads[name]
    ### END SOLUTION
    return loss_history


# %% id="check_q2"
# Check on a model whose answer we know: loss = 0.5 * (w - 3)^2, gradient w - 3. From w = 5 with
# learning rate 0.5, every step halves the distance to 3: w = 4, 3.5, 3.25 and the loss is
# 2, 0.5, 0.125 before each step. (X and y are passed through; this model ignores them.)
class Parabola:
    def __init__(self):
        self.params = {"w": np.array([5.0])}

    def loss(self, X, y):
        diff = self.params["w"] - 3.0
        return 0.5 * float(np.sum(diff**2)), {"w": diff.copy()}

p = Parabola()
history = gradient_descent(p, None, None, learning_rate=0.5, num_iters=3)
print("loss history", history, " w =", p.params["w"])
assert len(history) == 3, f"one loss per iteration: expected 3 entries, got {len(history)}"
w = float(p.params["w"][0])
assert w != 5.0, "w is still 5: model.params was not changed (update its arrays in place)"
assert w < 5.0, f"w = {w:g} moved away from the minimum at 3: sign flipped, the steps go up the gradient"
assert not np.allclose(history, [2.0, 0.0, 0.0]), (
    "w jumped to 3 in one step: the learning rate is missing from the update")
assert not np.allclose(history, [0.5, 0.125, 0.03125]), (
    "each loss was recorded after its update: record it before, so history[0] is the untrained model's")
assert np.allclose(history, [2.0, 0.5, 0.125]) and np.isclose(w, 3.25), (
    f"expected the losses [2, 0.5, 0.125] and w = 3.25, got {history} and w = {w:g}: "
    "a step size other than the learning rate times the gradient?")

# On a real model the loss must go down.
rng = np.random.default_rng(1)
X, y = rng.standard_normal((20, 3)), rng.integers(0, 3, size=20)
model = LinearClassifier(3, 3, weight_scale=0.01, seed=0)
history = gradient_descent(model, X, y, learning_rate=0.5, num_iters=50)
print(f"linear classifier: loss {history[0]:.3f} -> {history[-1]:.3f}")
assert history[-1] < history[0] - 0.1, "the loss did not go down: is every parameter of model.params updated?"


# %% id="q2_gradient_descent_test" kind="tests" points=2
from cs231n_utils.testing import in_place  # the model's parameters are the learner's to update


class _Bowl:
    """loss = 0.5 * |w - 1|^2 + 0.5 * |v + 2|^2, two parameters of different shapes."""
    def __init__(self):
        self.params = {"w": np.array([3.0, -1.0]), "v": np.array([[2.0], [0.5]])}
        self.calls = 0
    def loss(self, X, y):
        assert X == "inputs" and y == "labels", "model.loss must get the X and y given"
        self.calls += 1
        _g = {"w": self.params["w"] - 1.0, "v": self.params["v"] + 2.0}
        return 0.5 * float(sum(np.sum(_d**2) for _d in _g.values())), {k: _d.copy() for k, _d in _g.items()}

_b = in_place(_Bowl())
_h = gradient_descent(_b, "inputs", "labels", learning_rate=0.5, num_iters=3)
_L0 = 0.5 * (4 + 4 + 16 + 6.25)
assert np.allclose(_h, [_L0, _L0 / 4, _L0 / 16])
assert np.allclose(_b.params["w"], 1 + 0.125 * np.array([2.0, -2.0]))
### BEGIN HIDDEN TESTS
_b = in_place(_Bowl())
_params = _b.params
_h = gradient_descent(_b, "inputs", "labels", learning_rate=0.1, num_iters=10)
assert len(_h) == 10 and _b.calls == 10
assert np.allclose(_h, _L0 * 0.81 ** np.arange(10))
assert np.allclose(_b.params["w"], 1 + 0.9**10 * np.array([2.0, -2.0]))
assert np.allclose(_b.params["v"], -2 + 0.9**10 * np.array([[4.0], [2.5]]))
assert _b.params is _params, "update the arrays in model.params, do not replace the dict"
assert gradient_descent(_Bowl(), "inputs", "labels", learning_rate=0.1, num_iters=0) == []
### END HIDDEN TESTS

# %% [markdown] id="linear_classifier_on_mnist"
# ## 3. Mini-batches, the Solver, and what a linear classifier learns on MNIST
#
# Our MNIST split has 8,000 training images of $28 \times 28 = 784$ pixels. One full-batch gradient costs a
# pass over all of them, and real training sets are far larger (60,000 MNIST images, 1.2 million in
# ImageNet). The gradient is an average over examples, so a random **mini-batch (미니배치)** of, say,
# 100 examples gives a noisy but unbiased estimate of it at a fraction of the cost. Gradient descent on
# mini-batch gradients is **stochastic gradient descent (SGD, 확률적 경사 하강법)**. One pass over the
# training set is an **epoch (에폭)**.
#
# The package's `Solver` is your `gradient_descent` with the bookkeeping added. It takes your model, the
# data dict, and:
#
# | argument | what it does |
# | --- | --- |
# | `update_rule="sgd"`, `optim_config={"learning_rate": ...}` | the update $\theta \leftarrow \theta - \eta\, \nabla_\theta L$ (notebook 06 adds momentum and Adam) |
# | `batch_size` | examples per mini-batch |
# | `num_epochs` | passes over the training set |
# | `lr_decay` | the learning rate is multiplied by this after every epoch: big steps first, then finer ones |
# | `seed` | which mini-batches are drawn, so a run can be repeated |
# | `verbose` | a progress bar with the loss and the validation accuracy |
#
# After `train()` it holds `loss_history` (one loss per iteration), `train_acc_history` and
# `val_acc_history` (one per epoch), and it leaves the parameters with the best **validation accuracy
# (검증 정확도)** in the model.
#
# Train your linear classifier on MNIST (under a second):

# %% id="fig_linear_classifier_on_mnist"
mnist = load_mnist()  # 8,000 train / 1,000 val / 1,000 test images, flattened to 784 values in [0, 1]
for split in ("train", "val", "test"):
    print(f"X_{split}: {mnist['X_' + split].shape}   y_{split}: {mnist['y_' + split].shape}")

linear_mnist = LinearClassifier(784, 10, weight_scale=1e-3, reg=1e-3, seed=0)
linear_solver = Solver(linear_mnist, mnist, update_rule="sgd", optim_config={"learning_rate": 0.5},
                       lr_decay=0.9, batch_size=100, num_epochs=5, seed=0)
linear_solver.train()
print(f"linear classifier: best validation accuracy {linear_solver.best_val_acc:.3f}")
plot_loss_history(linear_solver.loss_history, linear_solver.train_acc_history,
                  linear_solver.val_acc_history)

# %% [markdown] id="one_template_per_class"
# About 89% of the validation digits are right. The loss curve is noisy because every point is the loss of
# a different mini-batch; its trend is what matters.
#
# **One template per class.** The score of class $k$ is $s_k = x \cdot W_{:,k} + b_k$: the dot product of
# the image with the $k$-th *column* of $W$. That column has 784 entries, one per pixel, so we can draw it
# as a $28 \times 28$ image: the **template** that class $k$ matches against every input. Bright pixels
# vote for the class, dark ones against it.

# %% id="fig_one_template_per_class"
show_weight_templates(linear_mnist.params["W"], image_shape=(28, 28), ncols=10)

# %% [markdown] id="templates_are_averages"
# Each template is a blurred average of all the ways people write that digit: a ring for 0, a vertical
# stroke for 1. The lecture shows the same for CIFAR-10, where the horse template has a head on both
# sides, because horses in the training set face left *and* right and a linear classifier has only one
# template to cover both. A slanted 1 and an upright 1, or a 7 with and without a crossbar, have to
# share one template here. A hidden layer removes that limit.

# %% [markdown] id="linear_fails_on_spiral"
# ## 4. Where one template per class fails: the spiral
#
# The CS231n notes' favourite toy problem: three classes of 2-D points on interleaved spiral arms. A linear
# classifier splits the plane into the regions where one class's score $x \cdot W_{:,k} + b_k$ beats the
# others; each region is convex with straight borders, and no such region can follow a spiral arm.

# %% id="fig_linear_fails_on_spiral"
X_spiral, y_spiral = make_spiral(num_per_class=100, num_classes=3, noise=0.2, seed=0)
linear_spiral = LinearClassifier(2, 3, weight_scale=0.01, reg=1e-3, seed=0)
linear_history = gradient_descent(linear_spiral, X_spiral, y_spiral, learning_rate=1.0, num_iters=200)
linear_acc = np.mean(np.argmax(linear_spiral.loss(X_spiral), axis=1) == y_spiral)
print(f"linear classifier on the spiral: loss {linear_history[-1]:.3f}, training accuracy {linear_acc:.2f}")

fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.scatter(X_spiral[:, 0], X_spiral[:, 1], c=y_spiral, cmap="tab10", vmin=-0.5, vmax=9.5, s=15,
           edgecolors="k", linewidths=0.4)
ax.set(xlabel="$x_0$", ylabel="$x_1$", title="The spiral: 3 classes, 100 points each", aspect="equal")
plt.show()


# %% [markdown] id="linear_spiral_underfits"
# About half of the training points are right, as in the CS231n notes' case study (49%), and training
# longer does not help: the loss has stopped falling. The model is too simple, not undertrained.

# %% [markdown] id="two_layer_neural_network"
# ## 5. The two-layer neural network
#
# Put a **hidden layer (은닉층)** between input and scores. The lecture writes the two-layer net as
#
# $$f = W_2 \max(0, W_1 x),$$
#
# for CIFAR-10 with $x \in \mathbb{R}^{3072}$, $W_1 \in \mathbb{R}^{100 \times 3072}$ (100 hidden units),
# $h \in \mathbb{R}^{100}$ and $W_2 \in \mathbb{R}^{10 \times 100}$. With biases and our row convention:
#
# $$a = X W_1 + b_1, \qquad h = \max(0, a), \qquad s = h W_2 + b_2,$$
#
# with $W_1$ $(D, H)$, $b_1$ $(H,)$, $W_2$ $(H, C)$, $b_2$ $(C,)$. For MNIST, $D = 784$ and $C = 10$.
#
# * Without the $\max$, the net would be $X W_1 W_2$ plus a constant: a single matrix, a linear
#   classifier again. The **nonlinearity (비선형성)**, here the ReLU **activation function (활성화 함수)**,
#   is what makes depth worth having.
# * Each column of $W_1$ is a template, like a column of the linear classifier's $W$, but there are $H$ of
#   them, say 100, not 10. $W_2$ then scores each class as a weighted sum of the hidden units: the
#   "horse" score can be high when the *left-facing* template **or** the *right-facing* one fires. Several
#   templates per class.
#
# In layers: `affine_forward` → `relu_forward` → `affine_forward` → `softmax_loss`. Information flows one
# way, from the input through the layers to the scores, with no loop back: such a net is called a
# **feed-forward neural network (순방향 신경망)**, and its computational graph has no cycles, so the backward
# pass can visit its nodes in the reverse of the forward order. (Notebook 08's recurrent networks feed a
# layer's output back into it.)
#
# ### Exercise 3 (2 points): initialization and the forward pass
#
# Write `TwoLayerNet` in two parts. In `__init__`, fill `self.params` with `W1`, `b1`, `W2`, `b2`: weights
# drawn as `weight_scale * rng.standard_normal(shape)` (first `W1`, then `W2`, from the `rng` given), biases
# zero. In `loss`, compute the scores with `affine_forward`, `relu_forward`, `affine_forward`, keeping the
# three caches in the variables named there; the last lines (given) return the scores or hand everything
# to Exercise 4.

# %% id="q3_two_layer_scores" kind="answer"
class TwoLayerNet:
    """affine - relu - affine - softmax, with notebook 02's L2 penalty on W1 and W2 (not on the biases).

    input_dim: D;  hidden_dim: H;  num_classes: C
    weight_scale: standard deviation of the random initial weights (biases start at 0)
    reg: L2 regularization strength;  seed: seed of the initialization
    params: W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)
    """

    def __init__(self, input_dim, hidden_dim, num_classes, weight_scale=1e-3, reg=0.0, seed=0):
        rng = np.random.default_rng(seed)
        self.reg = reg
        self.params = {}
        ### BEGIN SOLUTION
        self.params["W1"] = weight_scale * rng.standard_normal((input_dim, hidden_dim))
        self.params["b1"] = np.zeros(hidden_dim)
        self.params["W2"] = weight_scale * rng.standard_normal((hidden_dim, num_classes))
        self.params["b2"] = np.zeros(num_classes)
        ### END SOLUTION

    def loss(self, X, y=None):
        """X: (N, D) inputs;  y: (N,) labels or None.

        Returns scores (N, C) if y is None, else (loss, grads) with grads shaped like params.
        """
        W1, b1, W2, b2 = (self.params[k] for k in ("W1", "b1", "W2", "b2"))
        scores = fc1_cache = relu_cache = fc2_cache = None
        ### BEGIN SOLUTION
        a, fc1_cache = affine_forward(X, W1, b1)  # (N, H) pre-activations
        h, relu_cache = relu_forward(a)  # (N, H) hidden units
        scores, fc2_cache = affine_forward(h, W2, b2)  # (N, C)
        ### END SOLUTION
        if y is None:
            return scores
        caches = (fc1_cache, relu_cache, fc2_cache)
        return two_layer_loss_and_grads(self.params, self.reg, scores, y, caches)  # Exercise 4


# %% id="check_q3"
# Check 1: shapes, zero biases, and weights with standard deviation weight_scale.
net = TwoLayerNet(input_dim=300, hidden_dim=40, num_classes=10, weight_scale=0.05, seed=0)
shapes = {k: v.shape for k, v in net.params.items()}
print("params:", shapes)
assert shapes == {"W1": (300, 40), "b1": (40,), "W2": (40, 10), "b2": (10,)}, (
    "W1 or W2 transposed: with examples as rows, a weight matrix is (inputs, outputs)"
    if shapes.get("W1") == (40, 300) or shapes.get("W2") == (10, 40) else
    "expected W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)")
assert not net.params["b1"].any() and not net.params["b2"].any(), "biases start at zero"
std = net.params["W1"].std()
print(f"std of W1: {std:.4f} (weight_scale 0.05)")
assert abs(std - 0.05) < 0.005, "weights are weight_scale * rng.standard_normal(shape)"

# Check 2: the scores equal max(0, X W1 + b1) W2 + b2, written out in numpy (the biases are set to
# nonzero values first, so that a forgotten bias shows).
rng = np.random.default_rng(2)
net = TwoLayerNet(4, 5, 3, weight_scale=0.8, seed=1)
net.params["b1"], net.params["b2"] = rng.standard_normal(5), rng.standard_normal(3)
X = rng.standard_normal((6, 4))
p = net.params
expected = np.maximum(0, X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
scores = net.loss(X)
print("scores[0]:", scores[0], " expected:", expected[0])
assert np.shape(scores) == (6, 3), f"scores should be (N, C) = (6, 3), got {np.shape(scores)}"
if not np.allclose(scores, expected):
    linear = (X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    raise AssertionError(
        "no ReLU between the layers: the net is linear" if np.allclose(scores, linear) else
        "a ReLU after the last layer: scores must be able to be negative" if np.allclose(
            scores, np.maximum(0, expected)) else
        "a bias is missing, or the layers are in the wrong order: affine, ReLU, affine")

# %% id="q3_two_layer_scores_test" kind="tests" points=2
_net = TwoLayerNet(5, 7, 3, weight_scale=0.1, seed=0)
assert {k: v.shape for k, v in _net.params.items()} == {"W1": (5, 7), "b1": (7,), "W2": (7, 3), "b2": (3,)}
_X = np.random.default_rng(31).standard_normal((4, 5))
_p = _net.params
_scores = np.maximum(0, _X @ _p["W1"] + _p["b1"]) @ _p["W2"] + _p["b2"]
assert np.allclose(_net.loss(_X), _scores)
### BEGIN HIDDEN TESTS
import cs231n_course.reference.classifiers as _clf
from cs231n_utils.testing import reference_disabled
_rng = np.random.default_rng(32)
with reference_disabled(_clf.TwoLayerNet.loss, _clf.FullyConnectedNet.loss):
    _big = TwoLayerNet(400, 60, 12, weight_scale=0.02, reg=0.1, seed=5)
    assert abs(_big.params["W1"].std() - 0.02) < 0.001 and abs(_big.params["W2"].std() - 0.02) < 0.003
    assert not _big.params["b1"].any() and not _big.params["b2"].any()
    _same = TwoLayerNet(400, 60, 12, weight_scale=0.02, seed=5).params["W1"]
    _other = TwoLayerNet(400, 60, 12, weight_scale=0.02, seed=6).params["W1"]
    assert np.array_equal(_same, _big.params["W1"]) and not np.allclose(_other, _big.params["W1"])
    for _N, _D, _H, _C in [(1, 3, 4, 2), (8, 6, 9, 5), (3, 2, 2, 4)]:
        _net = TwoLayerNet(_D, _H, _C, weight_scale=1.0, seed=_N)
        _net.params["b1"], _net.params["b2"] = _rng.standard_normal(_H), _rng.standard_normal(_C)
        _p = {k: v.copy() for k, v in _net.params.items()}
        _X = _rng.standard_normal((_N, _D))
        _s = _net.loss(_X.copy())
        assert isinstance(_s, np.ndarray) and _s.shape == (_N, _C)
        assert np.allclose(_s, np.maximum(0, _X @ _p["W1"] + _p["b1"]) @ _p["W2"] + _p["b2"])
### END HIDDEN TESTS

# %% [markdown] id="exercise_q4"
# ### Exercise 4 (3 points): the loss and the backward pass
#
# Write `two_layer_loss_and_grads`, which `TwoLayerNet.loss` calls when it gets labels: the softmax loss of
# the scores plus $\frac{1}{2}\lambda(\sum W_1^2 + \sum W_2^2)$, and the gradients of that loss with respect
# to all four parameters. The forward pass is Exercise 3's; `caches` holds the three caches it made. You
# have every piece: `softmax_loss`, `affine_backward`, `relu_backward`. Derive how they connect before you
# write code, on paper, by answering:
#
# 1. `softmax_loss` returns $\partial L/\partial s$ of shape $(N, C)$. Which layer produced $s$, so which cache
#    goes with it? Of the three arrays that layer's backward pass returns, which one is the upstream gradient
#    of the layer before it, and what is its shape?
# 2. What does the ReLU's backward pass need besides its cache? Where $a \le 0$, what does it hand back, and
#    why does that make sense for a unit that output 0?
# 3. The first affine layer also returns $\partial L/\partial X$. Does anything need it here?
# 4. $W_1$ reaches the loss along two paths: through the scores, and through the regularization term. How
#    do the gradients of two paths combine (notebook 02), and what is the local gradient of
#    $\frac{1}{2}\lambda \sum W_1^2$? Do the biases have a second path?
#
# Then write it: the loss, the backward functions in the order your answers give, the regularization last.
#
# <details><summary>Hint: the order</summary>A layer's backward pass takes the gradient of the loss with
# respect to the layer's <em>output</em> and returns the gradients with respect to its <em>inputs</em>: the
# chain rule, one layer at a time. The output of one layer is the input of the next, so what one backward
# call returns is what the next one back takes.</details>
#
# <details><summary>Hint: the regularization</summary>A value used in two places collects the gradient of
# both (notebook 02, gradients add at a branch). The regularization term depends on the weights only.</details>

# %% id="q4_two_layer_loss" kind="answer"
def two_layer_loss_and_grads(params, reg, scores, y, caches):
    """Softmax loss + L2 term of a TwoLayerNet, and the gradients of all its parameters.

    params: dict W1, b1, W2, b2;  reg: L2 strength
    scores: (N, C) scores of the forward pass;  y: (N,) labels
    caches: (fc1_cache, relu_cache, fc2_cache) of the forward pass, in that order
    Returns loss (float) and grads, a dict with the keys and shapes of params.
    """
    fc1_cache, relu_cache, fc2_cache = caches
    loss, grads = 0.0, {}
    ### BEGIN SOLUTION
    loss, dscores = softmax_loss(scores, y)
    loss += 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    dh, grads["W2"], grads["b2"] = affine_backward(dscores, fc2_cache)
    da = relu_backward(dh, relu_cache)
    _, grads["W1"], grads["b1"] = affine_backward(da, fc1_cache)
    grads["W1"] += reg * params["W1"]
    grads["W2"] += reg * params["W2"]
    ### END SOLUTION
    return loss, grads


# %% id="check_q4"
# Check 1 (a sanity check from the lecture): with tiny weights every class gets probability 1/C, so
# the initial loss is ln(C) = ln(10) = 2.303 for 10 classes.
rng = np.random.default_rng(0)
X, y = rng.standard_normal((20, 8)), rng.integers(0, 10, size=20)
loss0, _ = TwoLayerNet(8, 15, 10, weight_scale=1e-4, reg=0.0).loss(X, y)
print(f"initial loss {loss0:.4f}, ln(10) = {np.log(10):.4f}")
assert abs(loss0 - np.log(10)) < 1e-3, "the loss of tiny weights should be ln(C): is it the softmax loss?"

# Check 2: gradient check of every parameter, first with reg = 0 (the chain of the three layers alone),
# then with reg > 0 (the second path of each weight matrix). The same net, the same data.
# Threshold: relative error < 1e-7 (float64, data chosen with no ReLU input near its kink at 0).
X, y = rng.standard_normal((5, 6)), np.array([0, 3, 1, 2, 3])
net = TwoLayerNet(6, 7, 4, weight_scale=0.5, reg=0.0, seed=3)
for reg in (0.0, 0.7):
    net.reg = reg
    loss, grads = net.loss(X, y)
    print(f"reg = {reg}: loss {loss:.6f}")
    assert set(grads) == {"W1", "b1", "W2", "b2"}, f"grads needs the keys of params, got {sorted(grads)}"
    for name in ("W1", "b1", "W2", "b2"):
        num = eval_numerical_gradient(lambda _: net.loss(X, y)[0], net.params[name])
        result = check_gradient(grads[name], num, threshold=1e-7, name=f"d{name}", verbose=False)
        where = ("the chain of layers (reg = 0): which cache goes with which layer, and what does each "
                 "backward call take?" if reg == 0 else
                 "only with reg > 0, so the regularization path: in the loss, in this gradient, or both?")
        assert result.passed, f"{result}\n  It fails in {where}"
    print("  every gradient passes")

# Check 3: what the regularization may change, and what it may not.
(loss_free, grads_free), (loss_reg, grads_reg) = (TwoLayerNet(6, 7, 4, weight_scale=0.5, reg=reg, seed=3)
                                                  .loss(X, y) for reg in (0.0, 0.7))
assert loss_reg > loss_free, "the regularization term is missing from the loss: reg > 0 must raise it"
for name in ("b1", "b2"):
    assert np.allclose(grads_reg[name], grads_free[name]), (
        f"d{name} changes with reg: the biases are regularized too, but the L2 term sums W1 and W2 only")

# %% id="q4_two_layer_loss_test" kind="tests" points=3
_rng = np.random.default_rng(41)
_net = TwoLayerNet(5, 6, 3, weight_scale=0.5, reg=0.5, seed=41)
_net.params["b1"], _net.params["b2"] = 0.3 * _rng.standard_normal(6), 0.3 * _rng.standard_normal(3)
_X, _y = _rng.standard_normal((4, 5)), _rng.integers(0, 3, size=4)
_loss, _grads = _net.loss(_X, _y)
_tol = {"rtol": 1e-7, "atol": 1e-12}  # the values below are given to 9 digits
assert abs(_loss - 3.526300184828598) < 1e-10
assert {_k: _g.shape for _k, _g in _grads.items()} == {"W1": (5, 6), "b1": (6,), "W2": (6, 3), "b2": (3,)}
assert np.allclose(_grads["W1"][0],
                   [-0.205421152, 0.0519809947, 0.113619543, 0.0260362341, 0.049067214, 0.279662343], **_tol)
assert np.allclose(_grads["b1"],
                   [-0.110809231, -0.0260419526, -0.0882858179, 0.0787671841, -0.0886382705, -0.00254899889], **_tol)
assert np.allclose(_grads["W2"][0], [-0.0219068231, 0.000498810673, -0.00519178927], **_tol)
assert np.allclose(_grads["b2"], [-0.000357543088, -0.0435018385, 0.0438593815], **_tol)
### BEGIN HIDDEN TESTS
def _ref_two_layer_loss(p, X, y, reg):
    _s = np.maximum(0, X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    _data = np.mean(np.logaddexp.reduce(_s, axis=1) - _s[np.arange(len(y)), y])  # log-sum-exp, stable
    return _data + 0.5 * reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))

def _check_two_layer(N, D, H, C, reg, seed):
    _rng = np.random.default_rng(seed)
    _net = TwoLayerNet(D, H, C, weight_scale=0.5, reg=reg, seed=seed)
    _net.params["b1"], _net.params["b2"] = 0.3 * _rng.standard_normal(H), 0.3 * _rng.standard_normal(C)
    _X, _y = _rng.standard_normal((N, D)), _rng.integers(0, C, size=N)
    _p = {k: v.copy() for k, v in _net.params.items()}
    _num = {}
    for _k in _p:
        _q = {k: v.copy() for k, v in _p.items()}
        def _f(v, _k=_k, _q=_q):
            _q[_k] = v
            return _ref_two_layer_loss(_q, _X, _y, reg)
        _num[_k] = eval_numerical_gradient(_f, _p[_k].copy())
    return _net, _X, _y, _ref_two_layer_loss(_p, _X, _y, reg), _num

import cs231n_course.reference.classifiers as _clf
from cs231n_utils.testing import reference_disabled
for _args in [(7, 3, 8, 5, 1.3, 42), (1, 4, 5, 3, 0.2, 43), (6, 6, 4, 2, 0.0, 44), (3, 2, 9, 4, 2.0, 45)]:
    _net, _X, _y, _want, _num = _check_two_layer(*_args)
    with reference_disabled(_clf.TwoLayerNet.loss, _clf.FullyConnectedNet.loss):
        _loss, _grads = _net.loss(_X, _y)
    assert abs(_loss - _want) < 1e-10, (_args, _loss, _want)
    for _k in ("W1", "b1", "W2", "b2"):
        assert _grads[_k].shape == _net.params[_k].shape
        assert rel_error(_grads[_k], _num[_k]) < 1e-6, (_args, _k, rel_error(_grads[_k], _num[_k]))
### END HIDDEN TESTS

# %% [markdown] id="spiral_two_layer_vs_linear"
# ## 6. The spiral again: linear classifier versus two-layer net
#
# Same data, same `gradient_descent`, 100 hidden units (about 2 seconds). The hyperparameters are those of
# the CS231n notes' case study: weights scaled by 0.01, $\lambda = 10^{-3}$, learning rate 1.

# %% id="fig_spiral_two_layer_vs_linear"
net_spiral = TwoLayerNet(2, 100, 3, weight_scale=0.01, reg=1e-3, seed=0)
net_history = gradient_descent(net_spiral, X_spiral, y_spiral, learning_rate=1.0, num_iters=3000)
net_acc = np.mean(np.argmax(net_spiral.loss(X_spiral), axis=1) == y_spiral)
print(f"linear classifier: training accuracy {linear_acc:.2f}  (final loss {linear_history[-1]:.3f})")
print(f"two-layer net:     training accuracy {net_acc:.2f}  (final loss {net_history[-1]:.3f})")

fig, axes = plt.subplots(1, 2, figsize=(10, 5), layout="constrained")
plot_decision_boundary(linear_spiral.loss, X_spiral, y_spiral, ax=axes[0])
axes[0].set_title(f"linear classifier: {linear_acc:.0%} of the training points")
plot_decision_boundary(net_spiral.loss, X_spiral, y_spiral, ax=axes[1])
axes[1].set_title(f"two-layer net, 100 hidden units: {net_acc:.0%}")
for ax in axes:
    ax.set(xlabel="$x_0$", ylabel="$x_1$")
plt.show()


# %% [markdown] id="decision_boundaries"
# The linear classifier can only cut the plane with straight lines; the two-layer net bends its
# **decision boundary (결정 경계)** around the arms (the CS231n notes report 49% and 98%).
#
# How many hidden units does it take? The cell below trains the same net with 1, 2, 4, 8 and 16 hidden
# units (2,000 steps each, a few seconds in all) and draws the boundaries. Look at their shapes before you
# answer the question after it.

# %% id="demo_hidden_units"
widths = (1, 2, 4, 8, 16)
fig, axes = plt.subplots(1, len(widths), figsize=(15, 3.2), layout="constrained")
for H, ax in zip(widths, axes, strict=True):
    small_net = TwoLayerNet(2, H, 3, weight_scale=0.5, reg=1e-3, seed=1)
    gradient_descent(small_net, X_spiral, y_spiral, learning_rate=1.0, num_iters=2000)
    acc = np.mean(np.argmax(small_net.loss(X_spiral), axis=1) == y_spiral)
    print(f"{H:2d} hidden units: training accuracy {acc:.2f}")
    plot_decision_boundary(small_net.loss, X_spiral, y_spiral, ax=ax)
    ax.set_title(f"H = {H}: {acc:.0%}")
plt.show()

# %% [markdown] id="wq1_question"
# ### Written question 1 (2 points, graded by hand): what the ReLU buys
#
# (a) A colleague argues: "a ReLU is linear for $x < 0$ and linear for $x > 0$, so $W_2 \max(0, W_1 x)$ is
# linear on either side as well; it is no better than $W_2 W_1 x$, which is a linear classifier." What is
# right in this argument, and where does its conclusion fail?
#
# (b) In the figure above, why can one or two hidden units not separate the three arms, however long they
# train, while a few more can? Answer with what a single hidden unit contributes to the decision boundary,
# and say what you see in the pictures that shows it.
#
# Write your answer in the next cell (a few sentences; numbers welcome).

# %% [markdown] id="wq1_why_nonlinearity" kind="written" points=2
# **Your answer:**
#
# ### BEGIN SOLUTION
# *Model answer.* (a) Right: inside a region of the input space where every hidden unit keeps its on/off
# state, the net is one linear map (only the active units pass their input on). Wrong: which units are on
# changes from region to region, so the net is a *different* linear map in each region; it is piecewise
# linear, with a bend wherever a unit switches ($w_j \cdot x + b_j = 0$). Without the ReLU there is a
# single region: $W_2 W_1$ is one matrix, a linear classifier for any depth.
# (b) Each hidden unit switches along one straight line in the input plane, so it adds at most one line
# (one fold) to where the boundaries can bend. One or two lines cannot cut three interleaved arms apart;
# the pictures show boundaries made of one or two straight pieces for H = 1, 2, and more pieces, bending
# with the arms, as H grows (the accuracy rises with it, to about 90% at H = 8).
#
# RUBRIC (2 points; one fact per point)
# - 1 point: (a) the net is linear only within a region where the units' on/off pattern is fixed; the
#   pattern changes with x, so the whole is piecewise linear (a different map per region, or bends where a
#   unit switches: either statement suffices), whereas without the ReLU it is one matrix
# - 1 point: (b) one hidden unit contributes one straight line (fold, hyperplane $w_j \cdot x + b_j = 0$)
#   to the boundary, so H units give at most H such lines, too few for three arms when H is 1 or 2; tied
#   to the figure (straight boundaries for small H, more bends for larger H)
# - A wrong extra claim costs the point it belongs to (e.g. "the ReLU helps because it is not
#   differentiable at 0", or "the small nets only need more training steps"); a wrong remark about
#   something else costs nothing.
# ### END SOLUTION

# %% [markdown] id="two_layer_net_on_mnist"
# ## 7. A two-layer net on MNIST
#
# Time for real data. Two tricks make the difference between a good and a very good result here:
#
# * **More data.** 8,000 training images are few. Shifting each digit by one pixel up, down, left or
#   right gives four new images that are clearly the same digit, a simple **data augmentation
#   (데이터 증강)** (notebook 06 returns to it). MNIST digits sit in the middle of the image with a
#   blank border, so `np.roll` (which wraps around at the edge) loses no ink. That makes 40,000 training
#   images; the validation and test images stay untouched.
# * **Mini-batches and a decaying learning rate**, through the `Solver`.

# %% id="fig_two_layer_net_on_mnist"
def shift_augment(X, y):
    """The images (N, 784) plus copies shifted by one pixel up, down, left and right.

    Returns X_aug (5N, 784) and y_aug (5N,).
    """
    images = X.reshape(-1, 28, 28)
    shifts = [(1, 0), (-1, 0), (0, 1), (0, -1)]
    shifted = [np.roll(images, s, axis=(1, 2)).reshape(len(X), -1) for s in shifts]
    return np.concatenate([X, *shifted]), np.tile(y, 1 + len(shifts))


X_aug, y_aug = shift_augment(mnist["X_train"], mnist["y_train"])
mnist_aug = dict(mnist, X_train=X_aug, y_train=y_aug)
print("augmented training set:", mnist_aug["X_train"].shape)
fig, axes = plt.subplots(1, 5, figsize=(6, 1.6), layout="constrained")
for k, (ax, title) in enumerate(zip(axes, ["original", "down", "up", "right", "left"], strict=True)):
    ax.imshow(X_aug[k * len(mnist["X_train"])].reshape(28, 28), cmap="gray")
    ax.set_title(title, fontsize=9)
    ax.set_axis_off()
plt.show()

# %% [markdown] id="exercise_q5"
# ### Exercise 5 (3 points): train a two-layer net to 95%
#
# Create a `TwoLayerNet` called `mnist_net` (784 inputs, 10 classes) and train it with the `Solver` on
# `mnist_aug`, called `mnist_solver`, with `update_rule="sgd"`. Choose the hidden size, `weight_scale`,
# `reg`, learning rate, `lr_decay`, `batch_size` and `num_epochs` so that the **validation accuracy is at
# least 0.95**. Keep the run seeded (`seed=` in both) and short: the test measures the accuracy of *your*
# trained `mnist_net` (and on the test images too), it does not retrain.
#
# Things to know:
#
# * The sample solution uses 100 hidden units and 5 epochs, reaches **0.962** validation accuracy
#   and trains in 5 to 10 seconds. Larger nets and more epochs cost time, roughly in proportion.
# * The learning rate matters most. Try a few values a factor of 3 to 10 apart and watch the first
#   epoch: if the loss is still near $\ln 10 = 2.3$ after it, the learning rate is far too small; if it
#   grows or becomes `nan`, far too large.
# * Initial weights that are too large make the first scores huge and the first steps wild; with
#   `weight_scale` around 0.01 you are safe here (notebook 05 is about choosing it).
# * `reg` around $10^{-3}$ or less: a strong penalty keeps the weights too small to fit the digits.

# %% id="q5_train_mnist" kind="answer"
# Fill in the blanks of:
#   mnist_net = TwoLayerNet(784, hidden_dim, 10, weight_scale=..., reg=..., seed=0)
#   mnist_solver = Solver(mnist_net, mnist_aug, update_rule="sgd", optim_config={"learning_rate": ...},
#                         lr_decay=..., batch_size=..., num_epochs=..., seed=0)
#   mnist_solver.train()
mnist_net = None
mnist_solver = None
### BEGIN SOLUTION
mnist_net = TwoLayerNet(784, 100, 10, weight_scale=0.01, reg=1e-3, seed=0)
mnist_solver = Solver(mnist_net, mnist_aug, update_rule="sgd", optim_config={"learning_rate": 0.5},
                      lr_decay=0.8, batch_size=100, num_epochs=5, seed=0, verbose=True)
mnist_solver.train()
### END SOLUTION

# %% id="check_q5"
# Check: the validation accuracy of your trained mnist_net (threshold 0.95, the same as the test).
with course_versions_disabled("TwoLayerNet"):  # checks your own code: the course's versions refuse to run here
    val = load_mnist()
    val_acc = np.mean(np.argmax(mnist_net.loss(val["X_val"]), axis=1) == val["y_val"])
    print(f"validation accuracy {val_acc:.3f} (needed: 0.95)")
    print("validation accuracy per epoch:", np.round(mnist_solver.val_acc_history, 3))
    assert val_acc >= 0.95, ("below 0.95: look at the curves below. Loss flat near 2.3? Raise the learning "
                             "rate. Loss exploding? Lower it, or use a smaller weight_scale.")

# %% id="q5_train_mnist_test" kind="tests" points=3
_data = load_mnist()
_val_acc = np.mean(np.argmax(mnist_net.loss(_data["X_val"].copy()), axis=1) == _data["y_val"])
print(f"validation accuracy {_val_acc:.3f}")
assert _val_acc >= 0.95  # the sample solution reaches 0.962
### BEGIN HIDDEN TESTS
import cs231n_course.reference.classifiers as _clf
from cs231n_utils.testing import reference_disabled
# your own class, defined in this notebook (not the package's): asked of its class, so that the
# test reads the same in the kernel and through the grader's judge
assert mnist_net.__class__.__name__ == "TwoLayerNet" and mnist_net.__class__.__module__ == "__main__"
assert set(mnist_net.params) == {"W1", "b1", "W2", "b2"} and mnist_net.params["W1"].shape[0] == 784
with reference_disabled(_clf.TwoLayerNet.loss, _clf.FullyConnectedNet.loss):
    _val_scores = mnist_net.loss(_data["X_val"])
    _test_scores = mnist_net.loss(_data["X_test"])
assert np.mean(np.argmax(_val_scores, axis=1) == _data["y_val"]) >= 0.95
assert np.mean(np.argmax(_test_scores, axis=1) == _data["y_test"]) >= 0.945  # the solution: 0.963
### END HIDDEN TESTS

# %% [markdown] id="mnist_training_curves"
# The training loss per iteration and the accuracies per epoch. The training accuracy (measured on 1,000
# augmented training images) and the validation accuracy stay close: this net is not **overfitting
# (과적합)** yet, and the augmentation is part of the reason.

# %% id="fig_mnist_training_curves"
plot_loss_history(mnist_solver.loss_history, mnist_solver.train_acc_history, mnist_solver.val_acc_history)

# %% [markdown] id="several_templates_per_class"
# ### Several templates per class
#
# Each hidden unit $j$ has its own template, column $j$ of $W_1$, and $W_2[j, k]$ says how strongly that
# unit votes for digit $k$. Below, the top row repeats the linear classifier's single template per digit
# (Section 3); under each one are the three hidden units that vote most strongly for that digit (bright
# pixels excite a unit, dark ones inhibit it). Instead of one blurred average per digit there are now
# several detectors, for example rings of different shapes for 0. Many units are not whole digits but
# pieces (a bar, a curve, a dark bar that rules a digit out) that several digits share, and $W_2$ adds
# them up differently for each class.

# %% id="fig_several_templates_per_class"
W1, W2 = mnist_net.params["W1"], mnist_net.params["W2"]
top_units = np.argsort(-W2, axis=0)[:3]  # (3, 10): the 3 hidden units that vote most for each digit
templates = np.concatenate([linear_mnist.params["W"], W1[:, top_units.ravel()]], axis=1)  # (784, 40)
titles = [f"linear: {k}" for k in range(10)] + [f"unit {u}" for u in top_units.ravel()]
show_weight_templates(templates, image_shape=(28, 28), ncols=10, titles=titles)


# %% [markdown] id="wq2_question"
# ### Written question 2 (1 point): counting a network's parameters
#
# How many learnable parameters (weights and biases) does a two-layer net with input size $D = 784$, hidden
# size $H = 100$ and $C = 10$ classes have, as in your `TwoLayerNet`?
#
# Set `answer_wq2` to that number (an int or a float; an expression like `2 * 3` is fine).

# %% id="wq2_parameter_count" kind="answer"
answer_wq2 = None  # a number
### BEGIN SOLUTION
answer_wq2 = 784 * 100 + 100 + 100 * 10 + 10
### END SOLUTION

# %% id="check_wq2"
# Checks the form of the answer only: whether it is right is graded by hidden tests.
assert isinstance(answer_wq2, (int, float)) and not isinstance(answer_wq2, bool), (
    f"answer_wq2 must be a number, not {answer_wq2!r}")
print(f"answer_wq2 = {answer_wq2:g}: a number")

# %% id="wq2_parameter_count_test" kind="tests" points=1
assert isinstance(answer_wq2, (int, float)) and not isinstance(answer_wq2, bool)
### BEGIN HIDDEN TESTS
assert abs(answer_wq2 - 79_510) <= 0.5
### END HIDDEN TESTS

# %% [markdown] id="fully_connected_network"
# ## 8. Deeper: a fully connected network with any number of layers
#
# Nothing in the two-layer net is special to two layers. A **fully connected network (완전 연결 신경망)**
# with $L$ layers is $L - 1$ affine–ReLU sandwiches followed by one affine layer that produces the
# scores,
#
# $$s = W_L \max(0, W_{L-1} \cdots \max(0, W_1 x)\cdots),$$
#
# the lecture's three-layer net being $f = W_3 \max(0, W_2 \max(0, W_1 x))$. The backward pass walks the
# same list of layers in reverse. Following the CS231n notes' convention, an $L$-layer net has $L$ weight
# layers: the inputs are not counted as a layer, and the last affine layer has **no** ReLU (scores may be
# negative). The same net is therefore also called by its number of **hidden** layers: the lecture's
# "3-layer net" $W_3 \max(0, W_2 \max(0, W_1 x))$ is a **2-hidden-layer net** (two ReLU layers between
# input and scores), and the two-layer net of section 5 is a 1-hidden-layer net. When a paper or a library
# says "an $L$-layer network", check which of the two counts it uses.
#
# Counting parameters, the notes' two examples: a net with 3 inputs, one hidden layer of 4 and 2 outputs
# has $3 \cdot 4 + 4 \cdot 2 = 20$ weights and $4 + 2 = 6$ biases, **26** parameters; with 3 inputs, two
# hidden layers of 4 and 1 output it has $12 + 16 + 4 = 32$ weights and $9$ biases, **41** parameters.
#
# ### Exercise 6 (3 points): `FullyConnectedNet`
#
# Write `FullyConnectedNet(hidden_dims, input_dim, num_classes, weight_scale, reg, seed)`:
#
# * `__init__`: with `dims = [input_dim, *hidden_dims, num_classes]`, layer $i = 1, \dots, L$ has `W{i}`
#   of shape `(dims[i-1], dims[i])`, drawn as `weight_scale * rng.standard_normal(shape)` in the order
#   `W1, W2, ...`, and `b{i}` zeros of shape `(dims[i],)`.
# * `loss`: `affine_relu_forward` for the first $L - 1$ layers, `affine_forward` for the last, keeping
#   every cache in `caches`; then `softmax_loss`, the backward pass in reverse order, and the L2 term
#   $\frac{1}{2}\lambda \sum_i \sum W_i^2$ with its gradients.

# %% id="q6_fully_connected" kind="answer"
class FullyConnectedNet:
    """{affine - relu} x (L - 1) - affine - softmax, with notebook 02's L2 penalty on every weight matrix.

    hidden_dims: list of the L - 1 hidden sizes;  input_dim: D;  num_classes: C
    weight_scale: standard deviation of the random initial weights (biases start at 0)
    reg: L2 regularization strength;  seed: seed of the initialization
    params: W1, b1, ..., WL, bL; Wi (dims[i-1], dims[i]) for dims = [D, *hidden_dims, C]
    """

    def __init__(self, hidden_dims, input_dim, num_classes, weight_scale=1e-2, reg=0.0, seed=0):
        rng = np.random.default_rng(seed)
        self.reg = reg
        self.num_layers = len(hidden_dims) + 1
        self.params = {}
        ### BEGIN SOLUTION
        dims = [input_dim, *hidden_dims, num_classes]
        for i in range(1, self.num_layers + 1):
            self.params[f"W{i}"] = weight_scale * rng.standard_normal((dims[i - 1], dims[i]))
            self.params[f"b{i}"] = np.zeros(dims[i])
        ### END SOLUTION

    def loss(self, X, y=None):
        """X: (N, D) inputs;  y: (N,) labels or None.

        Returns scores (N, C) if y is None, else (loss, grads) with grads shaped like params.
        """
        L = self.num_layers
        scores, caches = None, []
        ### BEGIN SOLUTION
        out = X
        for i in range(1, L):
            out, cache = affine_relu_forward(out, self.params[f"W{i}"], self.params[f"b{i}"])
            caches.append(cache)
        scores, cache = affine_forward(out, self.params[f"W{L}"], self.params[f"b{L}"])
        caches.append(cache)
        ### END SOLUTION
        if y is None:
            return scores

        loss, grads = 0.0, {}
        ### BEGIN SOLUTION
        loss, dout = softmax_loss(scores, y)
        dout, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dout, caches[L - 1])
        for i in range(L - 1, 0, -1):
            dout, grads[f"W{i}"], grads[f"b{i}"] = affine_relu_backward(dout, caches[i - 1])
        for i in range(1, L + 1):
            W = self.params[f"W{i}"]
            loss += 0.5 * self.reg * np.sum(W**2)
            grads[f"W{i}"] += self.reg * W
        ### END SOLUTION
        return loss, grads


# %% id="check_q6"
# Check 1: the parameter counts of the CS231n notes' two example nets (26 and 41).
def num_params(net):
    return sum(v.size for v in net.params.values())

n26 = num_params(FullyConnectedNet([4], input_dim=3, num_classes=2))
n41 = num_params(FullyConnectedNet([4, 4], input_dim=3, num_classes=1))
print(f"3-4-2 net: {n26} parameters (notes: 26);  3-4-4-1 net: {n41} parameters (notes: 41)")
assert (n26, n41) == (26, 41), "one W (fan_in, fan_out) and one b (fan_out,) per layer, for every layer"

# Check 2: gradient checks with 1, 2 and 3 hidden layers and reg > 0.
# Threshold: relative error < 1e-6 (float64, whole nets; no ReLU input near its kink on this data).
rng = np.random.default_rng(0)
X, y = rng.standard_normal((4, 5)), np.array([0, 2, 1, 2])
for hidden_dims in ([6], [6, 4], [4, 6, 3]):
    net = FullyConnectedNet(hidden_dims, input_dim=5, num_classes=3, weight_scale=0.6, reg=0.4, seed=1)
    assert len(net.params) == 2 * (len(hidden_dims) + 1), f"expected W1, b1, ..., got {sorted(net.params)}"
    scores = net.loss(X)
    assert scores.shape == (4, 3), f"scores should be (N, C) = (4, 3), got {np.shape(scores)}"
    assert (scores < 0).any(), "some scores should be negative: is there a ReLU after the last layer?"
    loss, grads = net.loss(X, y)
    print(f"hidden_dims {hidden_dims}: loss {loss:.4f}")
    for name in sorted(net.params):
        num = eval_numerical_gradient(lambda _: net.loss(X, y)[0], net.params[name])
        result = check_gradient(grads[name], num, threshold=1e-6, name=f"d{name}", verbose=False)
        assert result.passed, f"{result}\n  (hidden_dims {hidden_dims}: layer {name[1:]} of {len(net.params) // 2})"


# %% id="q6_fully_connected_test" kind="tests" points=3
assert sum(v.size for v in FullyConnectedNet([4], 3, 2).params.values()) == 26
assert sum(v.size for v in FullyConnectedNet([4, 4], 3, 1).params.values()) == 41
_rng = np.random.default_rng(61)
_net = FullyConnectedNet([5, 4], input_dim=4, num_classes=3, weight_scale=0.6, reg=0.3, seed=61)
for _i in (1, 2, 3):
    _net.params[f"b{_i}"] = 0.2 * _rng.standard_normal(_net.params[f"b{_i}"].shape)
_X, _y = _rng.standard_normal((3, 4)), _rng.integers(0, 3, size=3)
assert np.allclose(_net.loss(_X.copy())[0], [0.431598961, -0.409636535, -0.537117765], rtol=1e-8)
_loss, _grads = _net.loss(_X, _y)
_tol = {"rtol": 1e-7, "atol": 1e-12}  # the values below are given to 9 digits
assert abs(_loss - 3.638553690870898) < 1e-10
assert {_k: _g.shape for _k, _g in _grads.items()} == {_k: _v.shape for _k, _v in _net.params.items()}
assert np.allclose(_grads["W1"][0],
                   [-0.106657503, -0.186547078, 0.178606756, -0.195036311, -0.329103249], **_tol)
assert np.allclose(_grads["b2"], [0.0213238144, 0, -0.0676006469, 0], **_tol)
assert np.allclose(_grads["W3"][0], [-0.10706511, -0.13737831, 0.0973832102], **_tol)
### BEGIN HIDDEN TESTS
def _ref_fc_loss(p, X, y, reg, L):
    _h = X
    for _i in range(1, L):
        _h = np.maximum(0, _h @ p[f"W{_i}"] + p[f"b{_i}"])
    _s = _h @ p[f"W{L}"] + p[f"b{L}"]
    _data = np.mean(np.logaddexp.reduce(_s, axis=1) - _s[np.arange(len(y)), y])  # log-sum-exp, stable
    return _s, _data + 0.5 * reg * sum(np.sum(p[f"W{_i}"] ** 2) for _i in range(1, L + 1))

def _check_fc(hidden_dims, N, D, C, reg, seed):
    _rng = np.random.default_rng(seed)
    _net = FullyConnectedNet(hidden_dims, input_dim=D, num_classes=C, weight_scale=0.6, reg=reg, seed=seed)
    _L = len(hidden_dims) + 1
    assert sorted(_net.params) == sorted(f"{k}{i}" for k in "Wb" for i in range(1, _L + 1))
    for _i in range(1, _L + 1):
        _net.params[f"b{_i}"] = 0.2 * _rng.standard_normal(_net.params[f"b{_i}"].shape)
    _X, _y = _rng.standard_normal((N, D)), _rng.integers(0, C, size=N)
    _p = {k: v.copy() for k, v in _net.params.items()}
    _num = {}
    for _k in _p:
        _q = {k: v.copy() for k, v in _p.items()}
        def _f(v, _k=_k, _q=_q):
            _q[_k] = v
            return _ref_fc_loss(_q, _X, _y, reg, _L)[1]
        _num[_k] = eval_numerical_gradient(_f, _p[_k].copy())
    _s, _want = _ref_fc_loss(_p, _X, _y, reg, _L)
    return _net, _X, _y, _s, _want, _num

import cs231n_course.reference.classifiers as _clf
from cs231n_utils.testing import reference_disabled
_big = FullyConnectedNet([50, 40], input_dim=300, num_classes=10, weight_scale=0.03, seed=7)
assert _big.params["W2"].shape == (50, 40) and abs(_big.params["W1"].std() - 0.03) < 0.002
assert not _big.params["b1"].any() and not _big.params["b3"].any()
for _args in [([6, 6], 5, 4, 3, 0.7, 62), ([4, 7, 3], 3, 5, 4, 0.25, 63), ([5, 5, 5], 1, 3, 3, 1.1, 64),
              ([8], 6, 2, 5, 0.0, 65)]:
    _net, _X, _y, _s, _want, _num = _check_fc(*_args)
    with reference_disabled(_clf.TwoLayerNet.loss, _clf.FullyConnectedNet.loss):
        _scores = _net.loss(_X.copy())
        _loss, _grads = _net.loss(_X, _y)
    assert np.allclose(_scores, _s), _args
    assert abs(_loss - _want) < 1e-10, (_args, _loss, _want)
    for _k in _num:
        assert rel_error(_grads[_k], _num[_k]) < 1e-6, (_args, _k, rel_error(_grads[_k], _num[_k]))
### END HIDDEN TESTS

# %% [markdown] id="fully_connected_vs_two_layer"
# With one hidden layer, `FullyConnectedNet([H], D, C)` is your `TwoLayerNet(D, H, C)`: with the same
# `weight_scale` and `seed` it draws the same parameters and computes the same loss. The list `hidden_dims` is all it takes to go deeper; whether deeper nets
# *train* well is another matter, and the subject of the next notebook.
#
# ## Summary
#
# * A model is `params` plus `loss(X, y=None)`; one training loop trains them all. Gradient descent steps
#   against the gradient; SGD does it on mini-batches; the `Solver` adds learning-rate decay, progress and
#   history, and keeps the parameters with the best validation accuracy.
# * A linear classifier has one template per class (a column of $W$), so it averages all the ways of
#   writing a digit and cannot separate the spiral (about 50%).
# * The two-layer net $f = W_2 \max(0, W_1 x)$ learns many templates in $W_1$ and combines them with
#   $W_2$: about 99% on the spiral and above 95% on MNIST. Without the ReLU it would collapse back to a
#   linear classifier.
# * Its backward pass is the layers' backward functions in reverse order, each with its own cache, plus
#   $\lambda W$ for every weight matrix; an $L$-layer net is the same loop over a list of layers.
#
# Next, notebook 05: what makes deeper nets hard to train, and the fixes: activation functions,
# initialization (the `weight_scale` you chose by hand here), batch normalization, and how to babysit the
# training.
