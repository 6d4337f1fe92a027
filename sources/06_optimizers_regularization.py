# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] id="title"
# # 06 — Optimizers and regularization
#
# **Learning goals.** After this notebook you can
#
# 1. say why plain **stochastic gradient descent (확률적 경사 하강법, SGD)** zig-zags on an
#    **ill-conditioned (악조건)** loss and crawls near a **saddle point (안장점)**;
# 2. write the update rules **SGD + momentum (모멘텀)**, **Nesterov momentum (네스테로프 모멘텀)**,
#    **AdaGrad**, **RMSProp** and **Adam** with its **bias correction (편향 보정)**, in the
#    `next_w, config = update(w, dw, config)` form the course's `Solver` trains with;
# 3. write **learning-rate decay (학습률 감쇠)** schedules (step, exponential, 1/t) and read their loss curves;
# 4. take one **Newton step (뉴턴 단계)** with the **Hessian (헤세 행렬)**, and say why second-order methods
#    are rarely used for large networks;
# 5. **regularize (규제)** a network: L2 / **weight decay (가중치 감쇠)**, **inverted dropout
#    (역 드롭아웃)** (and build it into your network of notebook 05), **data augmentation (데이터 증강)**
#    and **ensembles (앙상블)**, and measure what each does on a small MNIST training set.
#
# **How to work.** Fill in every cell marked `# YOUR CODE HERE` (delete the `raise NotImplementedError()`).
# After each exercise, run the *check* cell below it: it tells you what is wrong and by how much.
# The *test* cells hold the graded tests (plus hidden tests with other inputs). Students run cells out of
# order, so every check cell recomputes what it needs from your functions; still, before you submit,
# use **Kernel → Restart & Run All** and make sure nothing fails. Later sections train small networks
# with *your* update rules, so finish the exercises in order.

# %% id="setup"
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from cs231n_utils.data import load_mnist
from cs231n_utils.gradcheck import check_gradient, eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from cs231n_utils.mine import FullyConnectedNet, FullyConnectedNormNet  # yours, from notebooks 04 and 05
from cs231n_utils.solver import Solver
from cs231n_utils.testing import course_versions_disabled
from cs231n_utils.viz import plot_loss_history, plot_trajectories

np.set_printoptions(precision=4, suppress=True)


# %% [markdown] id="plain_sgd_problems"
# ## 1. What goes wrong with plain SGD
#
# Training updates the weights against the gradient, $w \leftarrow w - \alpha \nabla_w L$, with a
# **learning rate (학습률)** $\alpha$. On a mini-batch the gradient is only an estimate, hence *stochastic*.
# Three things make this simple rule slow:
#
# 1. **Ill-conditioning.** Take the quadratic bowl
#    $$f(w) = \tfrac12\,(w_0^2 + 25\, w_1^2), \qquad \nabla f = (w_0,\; 25\, w_1).$$
#    One step multiplies $w_0$ by $(1 - \alpha)$ and $w_1$ by $(1 - 25\alpha)$. The steep direction
#    $w_1$ diverges unless $|1 - 25\alpha| < 1$, i.e. $\alpha < 2/25 = 0.08$; at $\alpha = 0.075$ its factor
#    is $-0.875$, so $w_1$ flips sign every step (**zig-zag**), while the shallow direction shrinks by only
#    $0.925$ per step. A small $\alpha$ stops the zig-zag but makes $w_0$ crawl. The ratio of the largest
#    to the smallest curvature, here 25, is the **condition number (조건수)**; in a network it can be in the
#    thousands.
# 2. **Saddle points and local minima (안장점, 지역 최솟값).** Where the gradient is (nearly) zero, SGD
#    (nearly) stops. In high dimensions saddle points, where the loss goes up in some directions and down
#    in others, are far more common than local minima, and the plateaus around them are where training
#    stalls.
# 3. **Noise.** Mini-batch gradients are noisy, so SGD wanders instead of heading straight down (you will
#    see it in the MNIST loss curves below).
#
# The picture: 40 steps of plain gradient descent, `w = w - lr * grad(w)`, with two learning rates.

# %% id="fig_plain_sgd_problems"
def quad(x, y):
    """The ill-conditioned bowl f = 0.5 (x^2 + 25 y^2), elementwise on arrays."""
    return 0.5 * (x**2 + 25 * y**2)


def quad_grad(w):
    return np.array([w[0], 25 * w[1]])


w_start = np.array([-4.0, 0.8])
paths = {}
for lr in (0.02, 0.075):
    w = w_start.copy()
    path = [w]
    for _ in range(40):
        w = w - lr * quad_grad(w)
        path.append(w)
    paths[f"SGD, lr = {lr}"] = np.array(path)
    print(f"lr = {lr}: f after 40 steps = {quad(*w):.4f}   (w = {w})")
fig = plot_trajectories(quad, paths, xlim=(-4.5, 1.0), ylim=(-1.0, 1.0), levels=20)
fig.axes[0].set_title("Plain SGD on f = 0.5 (w0^2 + 25 w1^2)")
fig


# %% [markdown] id="momentum"
# ## 2. Momentum
#
# **Momentum (모멘텀)** keeps a **velocity (속도)** $v$, a running sum of past gradients, and moves along it:
#
# $$v \leftarrow \rho\, v - \alpha\, \nabla_w L, \qquad w \leftarrow w + v, \qquad \rho = 0.9 \text{ (or 0.99)}.$$
#
# In the zig-zagging direction successive gradients have opposite signs and cancel in $v$; in the shallow
# direction they agree and add up, so the step there grows towards $\alpha / (1 - \rho) = 10\,\alpha$.
# Think of a ball rolling down the loss with friction $1 - \rho$: it also rolls *through* small local
# minima and saddle points, where the gradient alone would stop.
#
# **The update-rule API.** Every rule in this notebook has the signature of `cs231n_utils.optim`:
#
# ```python
# next_w, config = rule(w, dw, config=None)
# ```
#
# `config` is a dict holding the hyperparameters (`learning_rate`, `momentum`, ...) *and the rule's state*
# (here the velocity). Fill missing hyperparameters with `config.setdefault(...)`, read the state with
# `config.get("velocity", np.zeros_like(w))` (zero on the first step), store the new state back in
# `config`, and return both. The caller passes the same `config` back in on the next step, one config per
# parameter array. That is how the `Solver` will train a network with your rules below.
#
# ### Exercise 1 (2 points): SGD and SGD + momentum
#
# Write `sgd` (default learning rate $10^{-2}$) and `sgd_momentum` (defaults: learning rate $10^{-2}$,
# momentum $\rho = 0.9$; state: `config["velocity"]`, the same shape as `w`).

# %% id="q1_sgd_momentum" kind="answer"
def sgd(w, dw, config=None):
    """Vanilla SGD: one step of the learning rate against the gradient.

    w, dw: arrays of the same shape;  config: learning_rate (default 1e-2)
    Returns next_w (like w) and config.
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    next_w = None
    ### BEGIN SOLUTION
    next_w = w - config["learning_rate"] * dw
    ### END SOLUTION
    return next_w, config


def sgd_momentum(w, dw, config=None):
    """SGD with momentum: update the velocity, then move w along it (section 2's equations).

    w, dw: arrays of the same shape
    config: learning_rate (default 1e-2), momentum (default 0.9), velocity (state, like w, starts at 0)
    Returns next_w (like w) and config with the new velocity.
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    next_w = None
    ### BEGIN SOLUTION
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    next_w = w + v
    ### END SOLUTION
    return next_w, config


# %% id="check_q1"
# The CS231n assignment's check: same inputs, same expected numbers (they follow from the formula).
# Threshold: relative error < 1e-6 (the expected values are rounded to 8 decimals).
with course_versions_disabled("sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam"):  # checks your own code: the course's versions refuse to run here
    N, D = 4, 5
    w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
    dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
    v = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    next_w, config = sgd_momentum(w, dw, config={"learning_rate": 1e-3, "velocity": v})
    expected_next_w = np.array([
        [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
        [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
        [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
        [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096]])
    expected_velocity = np.array([
        [0.5406, 0.55475789, 0.56891579, 0.58307368, 0.59723158],
        [0.61138947, 0.62554737, 0.63970526, 0.65386316, 0.66802105],
        [0.68217895, 0.69633684, 0.71049474, 0.72465263, 0.73881053],
        [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096]])
    assert next_w is not None, "sgd_momentum returned None"
    print(f"next_w relative error:   {rel_error(next_w, expected_next_w):.1e}")
    if rel_error(next_w, w - 1e-3 * dw) < 1e-6:
        print("This is a plain SGD step: the velocity from config was not used.")
    if rel_error(next_w, w + v - 1e-3 * dw) < 1e-6:
        print("The old velocity entered with factor 1: it should be damped by the momentum (0.9) first.")
    assert rel_error(next_w, expected_next_w) < 1e-6, (
        f"next_w is off (relative error {rel_error(next_w, expected_next_w):.1e}): is the gradient term "
        "subtracted, is the old velocity multiplied by the momentum, and does w move by the NEW velocity?")
    assert "velocity" in config, "store the new velocity back in config['velocity']"
    print(f"velocity relative error: {rel_error(config['velocity'], expected_velocity):.1e}")
    assert rel_error(config["velocity"], expected_velocity) < 1e-6
    next_w, config = sgd(w, dw, config={"learning_rate": 0.1})
    print(f"sgd relative error:      {rel_error(next_w, w - 0.1 * dw):.1e}")
    assert rel_error(next_w, w - 0.1 * dw) < 1e-12, (
        "sgd: one step of size 0.1 against the gradient expected; is the rate read from config?")

# %% id="q1_sgd_momentum_test" kind="tests" points=2
_N, _D = 4, 5
_w = np.linspace(-0.4, 0.6, num=_N * _D).reshape(_N, _D)
_dw = np.linspace(-0.6, 0.4, num=_N * _D).reshape(_N, _D)
_v = np.linspace(0.6, 0.9, num=_N * _D).reshape(_N, _D)
_next_w, _cfg = sgd_momentum(_w, _dw, config={"learning_rate": 1e-3, "velocity": _v})
assert rel_error(_next_w[0], [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789]) < 1e-6
assert rel_error(sgd(_w, _dw, config={"learning_rate": 0.1})[0], _w - 0.1 * _dw) < 1e-12
### BEGIN HIDDEN TESTS
import cs231n_course.reference.optim as _optim
from cs231n_utils.testing import reference_disabled
_rules = [getattr(_optim, _n) for _n in
          ("sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam")]
_rng = np.random.default_rng(601)
with reference_disabled(*_rules):
    for _shape in [(3, 4), (1,)]:
        _w0, _dws = _rng.normal(size=_shape), _rng.normal(size=(5, *_shape))
        # 5 steps, compared with the formulas written out here
        _w, _vel = _w0.copy(), np.zeros(_shape)
        _wl, _c = _w0.copy(), {"learning_rate": 0.05, "momentum": 0.8}
        _ws, _cs = _w0.copy(), {"learning_rate": 0.3}
        for _g in _dws:
            _vel = 0.8 * _vel - 0.05 * _g
            _w = _w + _vel
            _wl, _c = sgd_momentum(_wl, _g, _c)
            assert np.allclose(_wl, _w, rtol=1e-10, atol=1e-13), (_wl, _w)
            assert np.allclose(_c["velocity"], _vel, rtol=1e-10, atol=1e-13)
            _ws, _cs = sgd(_ws, _g, _cs)
        assert np.allclose(_ws, _w0 - 0.3 * _dws.sum(axis=0), rtol=1e-10, atol=1e-13)
    # defaults, filled in when config is None
    _nw, _c = sgd_momentum(np.ones(3), np.full(3, 2.0))
    assert _c["learning_rate"] == 1e-2 and _c["momentum"] == 0.9
    assert np.allclose(_nw, 1 - 2e-2) and np.allclose(_c["velocity"], -2e-2)
    _nw, _c = sgd(np.ones(3), np.full(3, 2.0))
    assert _c["learning_rate"] == 1e-2 and np.allclose(_nw, 1 - 2e-2)
### END HIDDEN TESTS

# %% [markdown] id="wq1_question"
# ### Written question 1 (1 point): how large a learning rate momentum tolerates
#
# On the bowl of section 1, plain SGD diverges as soon as $\alpha > 0.08$: the steep direction's factor
# $|1 - 25\alpha|$ exceeds 1. Now add momentum with $\rho = 0.9$ on the same bowl. What happens to the
# largest learning rate that does not diverge? Find out with your `sgd_momentum` (a few hundred steps from
# $(-4, 0.8)$ at several learning rates, watching $|w|$), then work out why before you answer.
#
# - **A.** It shrinks about tenfold, to about 0.008: the velocity makes the steps up to $1/(1-\rho)$ times
#   longer, so the learning rate must be that much smaller.
# - **B.** It stays at 0.08: momentum changes how the steps add up, not what the curvature allows.
# - **C.** It grows, to roughly twice SGD's limit: across the valley the velocity's sign keeps flipping, and
#   the old velocity pulls each overshoot back, so the steep direction oscillates without blowing up.
# - **D.** There is no limit any more: the velocity averages the sign-flipping gradients away, so no
#   learning rate diverges.
#
# Set `answer_wq1` to the letter of your choice (a string, e.g. `"A"`).

# %% id="wq1_what_momentum_fixes" kind="answer"
answer_wq1 = None  # one of 'A', 'B', 'C', 'D'
### BEGIN SOLUTION
# The steep coordinate follows w_{t+1} = (1 + rho - 25 alpha) w_t - rho w_{t-1}, stable while
# 25 alpha < 2 (1 + rho), i.e. alpha < 0.152 (SGD: alpha < 0.08).
answer_wq1 = "C"
### END SOLUTION

# %% id="check_wq1"
# Checks the form of the answer only: whether it is right is graded by hidden tests.
assert answer_wq1 in ('A', 'B', 'C', 'D'), f"answer_wq1 must be one of 'A', 'B', 'C', 'D' (a string), not {answer_wq1!r}"
print(f"answer_wq1 = {answer_wq1!r}: a valid choice")

# %% id="wq1_what_momentum_fixes_test" kind="tests" points=1
assert answer_wq1 in ('A', 'B', 'C', 'D')
### BEGIN HIDDEN TESTS
assert answer_wq1 == "C"
### END HIDDEN TESTS

# %% [markdown] id="nesterov_momentum"
# ## 3. Nesterov momentum
#
# Momentum computes the gradient at $w$ and then adds the velocity. **Nesterov momentum** looks ahead
# first: since we are going to move by about $\rho v$ anyway, take the gradient *there*:
#
# $$v_{t+1} = \rho\, v_t - \alpha\, \nabla f(w_t + \rho\, v_t), \qquad w_{t+1} = w_t + v_{t+1}.$$
#
# It corrects an overshoot one step earlier, so it oscillates less.
#
# **Only for convex problems?** The lecture notes say that Nesterov's method has stronger guarantees for
# *convex* functions. That is what is proved: on a smooth convex function it converges at rate $O(1/t^2)$
# where gradient descent gets $O(1/t)$, the best a first-order method can guarantee. Read as "it helps only
# on convex problems", the claim is wrong: the theorem is silent about non-convex losses, not negative. On
# the non-convex losses of networks there is no such guarantee for any of these rules, yet Nesterov
# momentum works well in practice (Sutskever et al., 2013, trained deep and recurrent networks with it),
# usually a little better than plain momentum.
#
# Networks hand us the gradient at the
# current weights, not at a look-ahead point, so substitute $\tilde w_t = w_t + \rho v_t$ (the look-ahead
# point becomes the variable we store):
#
# $$v_{t+1} = \rho\, v_t - \alpha\, \nabla f(\tilde w_t), \qquad
# \tilde w_{t+1} = \tilde w_t - \rho\, v_t + (1 + \rho)\, v_{t+1}.$$
#
# ### Exercise 2 (2 points): Nesterov momentum
#
# Write `nesterov_momentum` in this second form: `dw` is the gradient at `w` (that is, at $\tilde w$).
# Same defaults and state as `sgd_momentum` (`config["velocity"]`).

# %% id="q2_nesterov" kind="answer"
def nesterov_momentum(w, dw, config=None):
    """Nesterov momentum with the gradient taken at w itself (the second form of section 3's equations:
    w plays the look-ahead point; the velocity is updated as in momentum).

    config: learning_rate (default 1e-2), momentum (default 0.9), velocity (state, like w, starts at 0)
    Returns next_w (like w) and config with the new velocity.
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    mu = config["momentum"]
    v_prev = config.get("velocity", np.zeros_like(w))
    next_w = None
    ### BEGIN SOLUTION
    v = mu * v_prev - config["learning_rate"] * dw
    config["velocity"] = v
    next_w = w - mu * v_prev + (1 + mu) * v
    ### END SOLUTION
    return next_w, config


# %% id="check_q2"
# The inputs of the CS231n momentum check; expected numbers from the formula above.
# Threshold: relative error < 1e-6 (8 decimals).
with course_versions_disabled("sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam"):  # checks your own code: the course's versions refuse to run here
    N, D = 4, 5
    w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
    dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
    v = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    # copies: w, dw and v stay as they are for the checks below
    next_w, config = nesterov_momentum(w.copy(), dw.copy(), config={"learning_rate": 1e-3, "velocity": v.copy()})
    expected_next_w = np.array([
        [0.08714, 0.15246105, 0.21778211, 0.28310316, 0.34842421],
        [0.41374526, 0.47906632, 0.54438737, 0.60970842, 0.67502947],
        [0.74035053, 0.80567158, 0.87099263, 0.93631368, 1.00163474],
        [1.06695579, 1.13227684, 1.19759789, 1.26291895, 1.32824]])
    assert next_w is not None, "nesterov_momentum returned None"
    err = rel_error(next_w, expected_next_w)
    print(f"next_w relative error: {err:.1e}")
    if rel_error(next_w, w + 0.9 * v - 1e-3 * dw) < 1e-6:
        print("This is plain momentum (w moves by the new velocity only): the look-ahead form also uses the OLD one.")
    assert err < 1e-6, (
        f"next_w is off (relative error {err:.1e}): the update of the look-ahead point needs both the old "
        "and the new velocity, each with its own factor; which velocity goes with which factor?")
    assert rel_error(config["velocity"], 0.9 * v - 1e-3 * dw) < 1e-12, "store the new velocity in config"

# %% id="q2_nesterov_test" kind="tests" points=2
_N, _D = 4, 5
_w = np.linspace(-0.4, 0.6, num=_N * _D).reshape(_N, _D)
_dw = np.linspace(-0.6, 0.4, num=_N * _D).reshape(_N, _D)
_v = np.linspace(0.6, 0.9, num=_N * _D).reshape(_N, _D)
_next_w, _cfg = nesterov_momentum(_w, _dw, config={"learning_rate": 1e-3, "velocity": _v})
assert rel_error(_next_w[0], [0.08714, 0.15246105, 0.21778211, 0.28310316, 0.34842421]) < 1e-6
### BEGIN HIDDEN TESTS
import cs231n_course.reference.optim as _optim
from cs231n_utils.testing import reference_disabled
_rules = [getattr(_optim, _n) for _n in
          ("sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam")]
_rng = np.random.default_rng(602)
with reference_disabled(*_rules):
    for _shape in [(2, 3), (1,)]:
        _w0, _dws = _rng.normal(size=_shape), _rng.normal(size=(5, *_shape))
        _w, _vel = _w0.copy(), np.zeros(_shape)
        _wl, _c = _w0.copy(), {"learning_rate": 0.1, "momentum": 0.7}
        for _g in _dws:
            _vprev = _vel
            _vel = 0.7 * _vel - 0.1 * _g
            _w = _w - 0.7 * _vprev + 1.7 * _vel
            _wl, _c = nesterov_momentum(_wl, _g, _c)
            assert np.allclose(_wl, _w, rtol=1e-10, atol=1e-13), (_wl, _w)
            assert np.allclose(_c["velocity"], _vel, rtol=1e-10, atol=1e-13)
    # on a quadratic, the rewritten rule follows the look-ahead form: w~ = w + momentum * v
    _A = np.array([[3.0, 1.0], [1.0, 2.0]])
    _x, _vel = np.array([1.0, -2.0]), np.zeros(2)
    _wl, _c = _x.copy(), {"learning_rate": 0.05, "momentum": 0.9}
    for _ in range(5):
        _vel = 0.9 * _vel - 0.05 * (_A @ (_x + 0.9 * _vel))
        _x = _x + _vel
        _wl, _c = nesterov_momentum(_wl, _A @ _wl, _c)
        assert np.allclose(_wl, _x + 0.9 * _vel, rtol=1e-10, atol=1e-13)
    _nw, _c = nesterov_momentum(np.zeros(2), np.ones(2))
    assert _c["learning_rate"] == 1e-2 and _c["momentum"] == 0.9 and np.allclose(_nw, -1.9e-2)
### END HIDDEN TESTS

# %% [markdown] id="adagrad"
# ## 4. AdaGrad: a learning rate per parameter
#
# Momentum fights ill-conditioning by averaging; **AdaGrad** rescales each parameter's step by the size of
# its past gradients. It keeps a `cache` of the *sum of squared gradients*, elementwise:
#
# $$\text{cache} \leftarrow \text{cache} + (\nabla_w L)^2, \qquad
# w \leftarrow w - \alpha\, \frac{\nabla_w L}{\sqrt{\text{cache}} + \varepsilon}.$$
#
# Steep directions (large gradients) get small steps and shallow ones large steps, which is exactly what
# the zig-zagging bowl needs. $\varepsilon$ (default $10^{-8}$) only prevents division by zero, and it
# belongs **outside** the square root: inside, $\sqrt{\text{cache} + \varepsilon} \ge 10^{-4}$ would cap
# the step of every parameter whose gradients are tiny (say $10^{-6}$).
#
# ### Exercise 3 (2 points): AdaGrad
#
# Defaults: learning rate $10^{-2}$, `epsilon` $10^{-8}$; state: `config["cache"]` (like `w`, starts at 0).

# %% id="q3_adagrad" kind="answer"
def adagrad(w, dw, config=None):
    """AdaGrad: accumulate the squared gradients in cache, scale each step by them (section 4).

    config: learning_rate (default 1e-2), epsilon (default 1e-8), cache (state, like w, starts at 0)
    Returns next_w (like w) and config with the new cache.
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w))
    next_w = None
    ### BEGIN SOLUTION
    cache = cache + dw**2
    config["cache"] = cache
    next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
    ### END SOLUTION
    return next_w, config


# %% id="check_q3"
# The inputs of the CS231n RMSProp check (cache starts at linspace(0.6, 0.9)); expected numbers from
# the formula. Threshold: relative error < 1e-6 (8 decimals).
with course_versions_disabled("sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam"):  # checks your own code: the course's versions refuse to run here
    N, D = 4, 5
    w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
    dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
    cache = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    # copies: w, dw and cache stay as they are for the checks below
    next_w, config = adagrad(w.copy(), dw.copy(), config={"learning_rate": 1e-2, "cache": cache.copy()})
    expected_next_w = np.array([
        [-0.39387628, -0.3416474, -0.28945194, -0.23728959, -0.18515909],
        [-0.1330581, -0.08098318, -0.02892979, 0.02310755, 0.075135],
        [0.12715916, 0.17918664, 0.23122376, 0.28327621, 0.33534884],
        [0.38744551, 0.43956905, 0.49172129, 0.54390317, 0.59611486]])
    assert next_w is not None, "adagrad returned None"
    print(f"next_w relative error: {rel_error(next_w, expected_next_w):.1e}")
    assert rel_error(next_w, 2 * w - expected_next_w) > 1e-6, "Sign flipped: the step goes up the gradient"
    assert rel_error(next_w, w - 1e-2 * dw / (np.sqrt(cache) + 1e-8)) > 1e-6, (
        "Stepped with the OLD cache: add this step's squared gradient to the cache before the step")
    assert rel_error(next_w, w - 1e-2 * dw / (cache + dw**2 + 1e-8)) > 1e-6, (
        "Divided by the cache itself: the step is scaled by its square root")
    assert rel_error(next_w, expected_next_w) < 1e-6, (
        f"next_w is off (relative error {rel_error(next_w, expected_next_w):.1e}): is the cache updated "
        "BEFORE the step, and is each step divided by the root of the cache (elementwise)?")
    assert rel_error(config["cache"], cache) > 1e-12, "the cache was not updated: store the new one in config['cache']"
    assert rel_error(config["cache"], cache + dw**2) < 1e-12, (
        "config['cache'] is not the running SUM of squared gradients (overwritten, or not squared?)")
    # tiny gradients: the step must still be about learning_rate (epsilon outside the square root)
    step = adagrad(np.zeros(3), np.full(3, 1e-5))[0]
    print(f"first step with gradients of 1e-5: {step}  (want about -1e-2)")
    assert np.allclose(step, -1e-2, rtol=2e-3), (
        f"first step {step[0]:.2e} instead of about -1e-2: tiny gradients get capped steps, so epsilon is in "
        "the wrong place (see the paragraph above the exercise)")

# %% id="q3_adagrad_test" kind="tests" points=2
_N, _D = 4, 5
_w = np.linspace(-0.4, 0.6, num=_N * _D).reshape(_N, _D)
_dw = np.linspace(-0.6, 0.4, num=_N * _D).reshape(_N, _D)
_cache = np.linspace(0.6, 0.9, num=_N * _D).reshape(_N, _D)
_next_w, _cfg = adagrad(_w, _dw, config={"learning_rate": 1e-2, "cache": _cache})
assert rel_error(_next_w[0], [-0.39387628, -0.3416474, -0.28945194, -0.23728959, -0.18515909]) < 1e-6
### BEGIN HIDDEN TESTS
import cs231n_course.reference.optim as _optim
from cs231n_utils.testing import reference_disabled
_rules = [getattr(_optim, _n) for _n in
          ("sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam")]
_rng = np.random.default_rng(603)
with reference_disabled(*_rules):
    for _shape, _scale in [((3, 2), 1.0), ((1,), 1.0), ((4,), 1e-6)]:
        _w0, _dws = _rng.normal(size=_shape), _scale * _rng.normal(size=(5, *_shape))
        _w, _ca = _w0.copy(), np.zeros(_shape)
        _wl, _c = _w0.copy(), {"learning_rate": 0.2}
        for _g in _dws:
            _ca = _ca + _g * _g
            _w = _w - 0.2 * _g / (np.sqrt(_ca) + 1e-8)
            _wl, _c = adagrad(_wl, _g, _c)
            assert np.allclose(_wl, _w, rtol=1e-10, atol=1e-13), (_wl, _w)
            assert np.allclose(_c["cache"], _ca, rtol=1e-10, atol=0)
    _nw, _c = adagrad(np.zeros(2), np.array([3.0, -0.5]))
    assert _c["learning_rate"] == 1e-2 and _c["epsilon"] == 1e-8
    assert np.allclose(_nw, [-1e-2, 1e-2], rtol=1e-6)
### END HIDDEN TESTS

# %% [markdown] id="why_adagrad_stalls"
# **Why AdaGrad stalls.** The cache only grows, so the **effective learning rate (유효 학습률)**
# $\alpha / (\sqrt{\text{cache}} + \varepsilon)$ only shrinks. With a constant gradient $g$ the cache after
# $t$ steps is $t g^2$, and the effective step is $\alpha / \sqrt{t}$: after 10,000 steps it is a hundredth
# of the first. Good for convex problems (it settles at the minimum), bad for a network that still has a
# long way to go. Your rule, on a constant gradient of 1:

# %% id="demo_why_adagrad_stalls"
config = {"learning_rate": 0.1}
w = np.zeros(1)
print("   step t   effective learning rate   lr / sqrt(t)")
for t in range(1, 10_001):
    w, config = adagrad(w, np.ones(1), config)
    if t in (1, 10, 100, 1000, 10_000):
        effective = config["learning_rate"] / (np.sqrt(config["cache"][0]) + config["epsilon"])
        print(f"{t:9d}   {effective:23.5f}   {0.1 / np.sqrt(t):12.5f}")


# %% [markdown] id="rmsprop"
# ## 5. RMSProp: a leaky cache
#
# **RMSProp** fixes the stall by letting the cache forget: a moving average of squared gradients,
#
# $$\text{cache} \leftarrow \beta\, \text{cache} + (1 - \beta)\,(\nabla_w L)^2, \qquad
# w \leftarrow w - \alpha\, \frac{\nabla_w L}{\sqrt{\text{cache}} + \varepsilon},$$
#
# with **decay rate (감쇠율)** $\beta = 0.99$ by default. On a constant gradient the cache tends to $g^2$ and
# the effective step to $\alpha$: it does not decay to zero.
#
# ### Exercise 4 (2 points): RMSProp
#
# Defaults: learning rate $10^{-2}$, `decay_rate` 0.99, `epsilon` $10^{-8}$; state: `config["cache"]`.

# %% id="q4_rmsprop" kind="answer"
def rmsprop(w, dw, config=None):
    """RMSProp: AdaGrad with a leaky cache, a moving average of the squared gradients (section 5).

    config: learning_rate (default 1e-2), decay_rate (default 0.99), epsilon (default 1e-8),
      cache (state, like w, starts at 0)
    Returns next_w (like w) and config with the new cache.
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w))
    next_w = None
    ### BEGIN SOLUTION
    decay = config["decay_rate"]
    cache = decay * cache + (1 - decay) * dw**2
    config["cache"] = cache
    next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
    ### END SOLUTION
    return next_w, config


# %% id="check_q4"
# The CS231n assignment's RMSProp check. Threshold: relative error < 1e-6 (8 decimals).
with course_versions_disabled("sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam"):  # checks your own code: the course's versions refuse to run here
    N, D = 4, 5
    w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
    dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
    cache = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    next_w, config = rmsprop(w, dw, config={"learning_rate": 1e-2, "cache": cache})
    expected_next_w = np.array([
        [-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247],
        [-0.132737, -0.08078555, -0.02881884, 0.02316247, 0.07515774],
        [0.12716641, 0.17918792, 0.23122175, 0.28326742, 0.33532447],
        [0.38739248, 0.43947102, 0.49155973, 0.54365823, 0.59576619]])
    expected_cache = np.array([
        [0.5976, 0.6126277, 0.6277108, 0.64284931, 0.65804321],
        [0.67329252, 0.68859723, 0.70395734, 0.71937285, 0.73484377],
        [0.75037008, 0.7659518, 0.78158892, 0.79728144, 0.81302936],
        [0.82883269, 0.84469141, 0.86060554, 0.87657507, 0.8926]])
    assert next_w is not None, "rmsprop returned None"
    print(f"next_w relative error: {rel_error(next_w, expected_next_w):.1e}")
    print(f"cache relative error:  {rel_error(config['cache'], expected_cache):.1e}")
    assert rel_error(config["cache"], 0.01 * cache + 0.99 * dw**2) > 1e-6, (
        "Weights swapped: the old cache keeps decay_rate (0.99), the squared gradient gets the rest")
    assert rel_error(config["cache"], cache + dw**2) > 1e-6, (
        "A running sum, as in AdaGrad: RMSProp's cache is a leaky (decaying) average")
    assert rel_error(config["cache"], expected_cache) < 1e-6, (
        "the new cache is off: the old cache keeps the weight decay_rate (0.99) and the squared gradient "
        "gets the rest (is the gradient squared?)")
    assert rel_error(next_w, w - 1e-2 * dw / (np.sqrt(cache) + 1e-8)) > 1e-6, (
        "Stepped with the OLD cache: update the cache first, then step with the new one")
    assert rel_error(next_w, expected_next_w) < 1e-6, (
        f"the cache is right but next_w is off ({rel_error(next_w, expected_next_w):.1e}): a sign flipped, "
        "the square root missing, or epsilon inside the square root?")

# %% id="q4_rmsprop_test" kind="tests" points=2
_N, _D = 4, 5
_w = np.linspace(-0.4, 0.6, num=_N * _D).reshape(_N, _D)
_dw = np.linspace(-0.6, 0.4, num=_N * _D).reshape(_N, _D)
_cache = np.linspace(0.6, 0.9, num=_N * _D).reshape(_N, _D)
_next_w, _cfg = rmsprop(_w, _dw, config={"learning_rate": 1e-2, "cache": _cache})
assert rel_error(_next_w[0], [-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247]) < 1e-6
assert rel_error(_cfg["cache"][0], [0.5976, 0.6126277, 0.6277108, 0.64284931, 0.65804321]) < 1e-6
### BEGIN HIDDEN TESTS
import cs231n_course.reference.optim as _optim
from cs231n_utils.testing import reference_disabled
_rules = [getattr(_optim, _n) for _n in
          ("sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam")]
_rng = np.random.default_rng(604)
with reference_disabled(*_rules):
    for _shape, _scale in [((3, 2), 1.0), ((1,), 1.0), ((4,), 1e-7)]:
        _w0, _dws = _rng.normal(size=_shape), _scale * _rng.normal(size=(5, *_shape))
        _w, _ca = _w0.copy(), np.zeros(_shape)
        _wl, _c = _w0.copy(), {"learning_rate": 0.05, "decay_rate": 0.9}
        for _g in _dws:
            _ca = 0.9 * _ca + 0.1 * _g * _g
            _w = _w - 0.05 * _g / (np.sqrt(_ca) + 1e-8)
            _wl, _c = rmsprop(_wl, _g, _c)
            assert np.allclose(_wl, _w, rtol=1e-10, atol=1e-13), (_wl, _w)
            assert np.allclose(_c["cache"], _ca, rtol=1e-10, atol=0)
    _nw, _c = rmsprop(np.zeros(2), np.array([3.0, -0.5]))
    assert _c["learning_rate"] == 1e-2 and _c["decay_rate"] == 0.99 and _c["epsilon"] == 1e-8
    assert np.allclose(_nw, [-0.1, 0.1], rtol=1e-6)  # first step: lr / sqrt(0.01)
### END HIDDEN TESTS

# %% [markdown] id="adam"
# ## 6. Adam: momentum plus RMSProp, bias-corrected
#
# **Adam** keeps both a momentum-like first moment $m$ and an RMSProp-like second moment $v$:
#
# $$m \leftarrow \beta_1 m + (1 - \beta_1)\, \nabla_w L, \qquad v \leftarrow \beta_2 v + (1 - \beta_2)\,(\nabla_w L)^2.$$
#
# Both start at zero, so in the first steps they are biased towards zero: after step 1,
# $m = 0.1\, g$ and $v = 0.001\, g^2$, and the raw step $\alpha\, m / \sqrt{v} = \alpha \cdot 0.1 / \sqrt{0.001}
# \approx 3.16\,\alpha$ is three times too large, in the direction of a single noisy gradient. The
# **bias correction (편향 보정)** divides by the weight the zero start took away, with $t$ the number of the
# current step (1 on the first call):
#
# $$\hat m = \frac{m}{1 - \beta_1^{\,t}}, \qquad \hat v = \frac{v}{1 - \beta_2^{\,t}}, \qquad
# w \leftarrow w - \alpha\, \frac{\hat m}{\sqrt{\hat v} + \varepsilon}.$$
#
# Now the first step is $\alpha\,g/|g|$: exactly $\alpha$ per parameter. The lecture's advice: Adam with
# $\beta_1 = 0.9$, $\beta_2 = 0.999$ and $\alpha = 10^{-3}$ or $5 \cdot 10^{-4}$ is a great starting point
# for many models.
#
# ### Exercise 5 (3 points): Adam
#
# Defaults: learning rate $10^{-3}$, `beta1` 0.9, `beta2` 0.999, `epsilon` $10^{-8}$. State:
# `config["m"]`, `config["v"]` (like `w`, start at 0) and the step counter `config["t"]` (starts at 0;
# increment it **before** using it, so that the first step uses $t = 1$).

# %% id="q5_adam" kind="answer"
def adam(w, dw, config=None):
    """Adam with bias correction (section 6's equations): count the step, update both moments,
    correct their bias from the zero start, and step like RMSProp with the corrected moments.

    config: learning_rate (default 1e-3), beta1 (0.9), beta2 (0.999), epsilon (1e-8);
      state m, v (like w, start at 0) and t (step counter, starts at 0)
    Returns next_w (like w) and config with the new m, v and t.
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    beta1, beta2 = config["beta1"], config["beta2"]
    m = config.get("m", np.zeros_like(w))
    v = config.get("v", np.zeros_like(w))
    t = config.get("t", 0)
    next_w = None
    ### BEGIN SOLUTION
    t = t + 1
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    config.update(t=t, m=m, v=v)
    ### END SOLUTION
    return next_w, config


# %% id="check_q5"
# The CS231n assignment's Adam check (t = 5 before the step). Threshold: relative error < 1e-6.
with course_versions_disabled("sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam"):  # checks your own code: the course's versions refuse to run here
    N, D = 4, 5
    w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
    dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
    m = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    v = np.linspace(0.7, 0.5, num=N * D).reshape(N, D)
    next_w, config = adam(w, dw, config={"learning_rate": 1e-2, "m": m, "v": v, "t": 5})
    expected_next_w = np.array([
        [-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977],
        [-0.1380274, -0.08544591, -0.03286534, 0.01971428, 0.0722929],
        [0.1248705, 0.17744702, 0.23002243, 0.28259667, 0.33516969],
        [0.38774145, 0.44031188, 0.49288093, 0.54544852, 0.59801459]])
    expected_v = np.array([
        [0.69966, 0.68908382, 0.67851319, 0.66794809, 0.65738853],
        [0.64683452, 0.63628604, 0.6257431, 0.61520571, 0.60467385],
        [0.59414753, 0.58362676, 0.57311152, 0.56260183, 0.55209767],
        [0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966]])
    expected_m = np.array([
        [0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474],
        [0.57736842, 0.59684211, 0.61631579, 0.63578947, 0.65526316],
        [0.67473684, 0.69421053, 0.71368421, 0.73315789, 0.75263158],
        [0.77210526, 0.79157895, 0.81105263, 0.83052632, 0.85]])
    assert next_w is not None, "adam returned None"
    for name, got, want in [("next_w", next_w, expected_next_w), ("m", config["m"], expected_m),
                            ("v", config["v"], expected_v)]:
        print(f"{name:7s} relative error: {rel_error(got, want):.1e}")
    assert rel_error(config["v"], 0.999 * v + 0.001 * dw) > 1e-6, "v: the gradient is not squared"
    assert rel_error(config["m"], expected_m) < 1e-6, "m is off: the first moment mixes in the gradient with 1 - beta1"
    assert rel_error(config["v"], expected_v) < 1e-6, "v is off: the second moment mixes in the SQUARED gradient with 1 - beta2"
    assert config["t"] == 6, "increment t and store it back in config['t']"
    assert rel_error(next_w, expected_next_w) < 1e-6, (
        f"m, v and t are right but next_w is off ({rel_error(next_w, expected_next_w):.1e}): is the bias "
        "correction computed with the NEW step count (6 here)?")

    # The lecture's point: from a zero start, the first bias-corrected step is learning_rate per parameter.
    g = np.array([2.0, -0.01, 300.0])
    first = adam(np.zeros(3), g, config={"learning_rate": 1e-3})[0]
    print(f"first Adam step for gradients {g}: {first}  (want -1e-3 * sign(g))")
    ratio = np.abs(first) / 1e-3
    assert not np.allclose(ratio, np.sqrt(1e3) * 0.1, rtol=1e-3), (
        f"Missing bias correction: the first steps are {ratio[0]:.3g} x learning_rate (3.16x), not 1x")
    assert rel_error(first, -1e-3 * np.sign(g)) < 1e-5, (
        f"the first step is {ratio} x learning_rate per parameter, want 1 (bias correction of m and v)")

# %% id="q5_adam_test" kind="tests" points=3
_N, _D = 4, 5
_w = np.linspace(-0.4, 0.6, num=_N * _D).reshape(_N, _D)
_dw = np.linspace(-0.6, 0.4, num=_N * _D).reshape(_N, _D)
_m = np.linspace(0.6, 0.9, num=_N * _D).reshape(_N, _D)
_v = np.linspace(0.7, 0.5, num=_N * _D).reshape(_N, _D)
_next_w, _cfg = adam(_w, _dw, config={"learning_rate": 1e-2, "m": _m, "v": _v, "t": 5})
assert rel_error(_next_w[0], [-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977]) < 1e-6
assert _cfg["t"] == 6
### BEGIN HIDDEN TESTS
import cs231n_course.reference.optim as _optim
from cs231n_utils.testing import reference_disabled
_rules = [getattr(_optim, _n) for _n in
          ("sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam")]
_rng = np.random.default_rng(605)
with reference_disabled(*_rules):
    for _shape, _scale in [((3, 2), 1.0), ((1,), 1.0), ((4,), 1e-7)]:
        _w0, _dws = _rng.normal(size=_shape), _scale * _rng.normal(size=(5, *_shape))
        _w, _mm, _vv = _w0.copy(), np.zeros(_shape), np.zeros(_shape)
        _wl, _c = _w0.copy(), {"learning_rate": 0.01, "beta1": 0.8, "beta2": 0.99}
        for _t, _g in enumerate(_dws, start=1):
            _mm = 0.8 * _mm + 0.2 * _g
            _vv = 0.99 * _vv + 0.01 * _g * _g
            _w = _w - 0.01 * (_mm / (1 - 0.8**_t)) / (np.sqrt(_vv / (1 - 0.99**_t)) + 1e-8)
            _wl, _c = adam(_wl, _g, _c)
            assert np.allclose(_wl, _w, rtol=1e-10, atol=1e-13), (_t, _wl, _w)
            assert np.allclose(_c["m"], _mm, rtol=1e-10, atol=0) and _c["t"] == _t
            assert np.allclose(_c["v"], _vv, rtol=1e-10, atol=0)
    _nw, _c = adam(np.zeros(2), np.array([3.0, -0.5]))
    assert (_c["learning_rate"], _c["beta1"], _c["beta2"], _c["epsilon"]) == (1e-3, 0.9, 0.999, 1e-8)
    assert _c["t"] == 1 and np.allclose(_nw, [-1e-3, 1e-3], rtol=1e-6)
### END HIDDEN TESTS

# %% [markdown] id="wq2_question"
# ### Written question 2 (1 point): Adam's first step without bias correction
#
# Adam without bias correction, with $\beta_1 = 0.8$ and $\beta_2 = 0.99$, starts from $m = v = 0$ and takes
# its first step with gradient $g \neq 0$. By what factor is the size of that raw step $\alpha\, |m| /
# \sqrt{v}$ larger than $\alpha$, the size of the bias-corrected first step? (Ignore $\epsilon$.)
#
# Set `answer_wq2` to that number (an int or a float; an expression like `2 * 3` is fine).

# %% id="wq2_adam_first_step" kind="answer"
answer_wq2 = None  # a number
### BEGIN SOLUTION
answer_wq2 = 0.2 / 0.1
### END SOLUTION

# %% id="check_wq2"
# Checks the form of the answer only: whether it is right is graded by hidden tests.
assert isinstance(answer_wq2, (int, float)) and not isinstance(answer_wq2, bool), (
    f"answer_wq2 must be a number, not {answer_wq2!r}")
print(f"answer_wq2 = {answer_wq2:g}: a number")

# %% id="wq2_adam_first_step_test" kind="tests" points=1
assert isinstance(answer_wq2, (int, float)) and not isinstance(answer_wq2, bool)
### BEGIN HIDDEN TESTS
assert abs(answer_wq2 - 2.0) <= 0.01
### END HIDDEN TESTS

# %% [markdown] id="all_six_side_by_side"
# ## 7. All six, side by side
#
# Now your six rules on the two problems of Section 1: the ill-conditioned bowl, and a function with a
# saddle point at the origin,
#
# $$g(w) = \tfrac12 w_0^2 + \tfrac14 w_1^4 - \tfrac12 w_1^2, \qquad \nabla g = (w_0,\; w_1^3 - w_1),$$
#
# which has two minima at $(0, \pm 1)$. The start $(1.5, 10^{-3})$ sits almost exactly on the ridge, where
# the gradient in $w_1$ is about $-w_1 = -10^{-3}$. Each rule gets its own (hand-tuned) learning rate, and
# 40 steps.

# %% id="fig_all_six_side_by_side"
def run_optimizer(rule, grad, w0, config, num_steps):
    """Apply an update rule num_steps times from w0 (D,); returns the path (num_steps + 1, D)."""
    w, config = np.array(w0, dtype=float), dict(config)
    path = [w]
    for _ in range(num_steps):
        w, config = rule(w, grad(w), config)
        path.append(w)
    return np.array(path)


def plot_trajectory_grid(f, paths, xlim, ylim, minima=()):
    """One panel per optimizer: contours of f(x, y) and the path it took; f at the end in the title."""
    xx, yy = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    fig = Figure(figsize=(12, 6.5))  # not plt.figure: shown once, when the cell returns it
    axes = fig.subplots(2, 3, sharex=True, sharey=True)
    for ax, (name, path) in zip(axes.ravel(), paths.items(), strict=True):
        ax.contour(xx, yy, f(xx, yy), levels=20, cmap="viridis", linewidths=0.6)
        ax.plot(path[:, 0], path[:, 1], "o-", ms=2.5, lw=1, color="C3")
        for m in minima:
            ax.plot(*m, "k*", ms=9)
        ax.set_title(f"{name}: f = {f(*path[-1]):.3g} after {len(path) - 1} steps", fontsize=10)
    for ax in axes[1]:
        ax.set_xlabel("$w_0$")
    for ax in axes[:, 0]:
        ax.set_ylabel("$w_1$")
    fig.tight_layout()
    return fig


rules_on_bowl = {
    "SGD": (sgd, {"learning_rate": 0.075}),
    "momentum": (sgd_momentum, {"learning_rate": 0.015, "momentum": 0.9}),
    "Nesterov": (nesterov_momentum, {"learning_rate": 0.015, "momentum": 0.9}),
    "AdaGrad": (adagrad, {"learning_rate": 0.7}),
    "RMSProp": (rmsprop, {"learning_rate": 0.1, "decay_rate": 0.9}),
    "Adam": (adam, {"learning_rate": 0.3}),
}
bowl_paths = {name: run_optimizer(rule, quad_grad, w_start, config, 40)
              for name, (rule, config) in rules_on_bowl.items()}
plot_trajectory_grid(quad, bowl_paths, xlim=(-4.5, 1.5), ylim=(-1.2, 1.2), minima=[(0, 0)])


# %% [markdown] id="reading_the_trajectories"
# Read the panels: **SGD** zig-zags across the valley. **Momentum** damps the zig-zag within a few steps
# but builds up speed along the valley and overshoots the minimum, like a ball; **Nesterov**'s look-ahead
# brakes earlier and overshoots much less. The adaptive rules (**AdaGrad, RMSProp, Adam**) divide each
# coordinate by its own gradient size, so they head almost straight for the valley floor: here the
# condition number no longer matters. That holds because this bowl is **axis-aligned**: its steep and
# shallow directions are the coordinate axes $w_1$ and $w_0$, so rescaling each coordinate is exactly the
# right cure. Per-coordinate scaling is a *diagonal* correction; when the valley is tilted (a Hessian with
# large off-diagonal entries, as in the bowl of section 9), every coordinate sees both the steep and the
# shallow direction, no diagonal rescaling makes the level sets round, and the condition number matters
# again (less than for SGD). Section 9 returns to this: Adam's scaling is a diagonal, cheap stand-in for
# the curvature that Newton's method uses in full. Adam overshoots a little, because of its momentum term. AdaGrad wins this
# short race: 40 steps are too few for its shrinking step to hurt (Section 4); RMSProp, with the same
# start, keeps a steady step size and is still on its way. Now the saddle:

# %% id="demo_saddle_point"
def saddle(x, y):
    """g = x^2 / 2 + y^4 / 4 - y^2 / 2: a saddle point at (0, 0), minima at (0, +-1)."""
    return 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2


def saddle_grad(w):
    return np.array([w[0], w[1]**3 - w[1]])


rules_on_saddle = {
    "SGD": (sgd, {"learning_rate": 0.1}),
    "momentum": (sgd_momentum, {"learning_rate": 0.1, "momentum": 0.9}),
    "Nesterov": (nesterov_momentum, {"learning_rate": 0.1, "momentum": 0.9}),
    "AdaGrad": (adagrad, {"learning_rate": 0.3}),
    "RMSProp": (rmsprop, {"learning_rate": 0.1, "decay_rate": 0.9}),
    "Adam": (adam, {"learning_rate": 0.1}),
}
saddle_paths = {name: run_optimizer(rule, saddle_grad, [1.5, 1e-3], config, 40)
                for name, (rule, config) in rules_on_saddle.items()}
for name, path in saddle_paths.items():
    print(f"{name:9s} w1 after 40 steps: {path[-1, 1]:.4f}")
plot_trajectory_grid(saddle, saddle_paths, xlim=(-1.5, 2.0), ylim=(-0.6, 1.6), minima=[(0, 1), (0, -1)])

# %% [markdown] id="saddle_point_escape"
# **SGD** slides down to the saddle point and sits there: the gradient in $w_1$ is $\approx -w_1$, so $w_1$
# grows by only a factor $1 + \alpha = 1.1$ per step, from $10^{-3}$. **Momentum** and **Nesterov** multiply
# that growth (the velocity accumulates), and escape after some wandering. The adaptive rules see a tiny
# gradient in $w_1$, divide it by its own tiny size, and step at full speed towards the minimum from the
# very first step. That is one reason why adaptive methods, Adam above all, are a common default in
# practice. Two toy problems in 2-D prove little, though: on real networks well-tuned SGD with momentum
# often matches Adam and sometimes generalizes better (many image classifiers are still trained with it),
# and which rule wins depends on the model, the data and the tuning budget. The MNIST runs below are a
# third, slightly more realistic data point.
#
# The same six rules on a real problem: a 784-100-10 ReLU network on 1,000 MNIST digits, trained by the
# course's `Solver` with *your* update rule (`update_rule` may be a function), 10 epochs each. The network
# is your `FullyConnectedNormNet` of notebook 05 (no normalization, He initialization by your
# `init_weights`). Losses are averaged over each epoch's 10 mini-batches; the raw curve is much noisier
# (mini-batch noise).

# %% id="fig_optimizers_on_mnist"
mnist = load_mnist(num_train=1000, num_val=1000, num_test=1000)


def train_mnist(update_rule, optim_config, num_epochs, seed=0, net_class=FullyConnectedNormNet, wrap=None,
                num_val_samples=None, **options):
    """Train a 784-100-10 ReLU net, He-initialized, on the 1,000 training digits. Returns (net, solver).

    net_class: your FullyConnectedNormNet (notebook 05), or a subclass;  options: its other arguments
    (reg, ...);  wrap: optional function net -> model that the Solver trains instead (e.g. with
    augmentation).
    """
    net = net_class([100], 784, 10, weight_scale="he", seed=seed, **options)
    model = net if wrap is None else wrap(net)
    solver = Solver(model, mnist, update_rule=update_rule, optim_config=dict(optim_config),
                    num_epochs=num_epochs, batch_size=100, num_train_samples=200,
                    num_val_samples=num_val_samples, seed=seed, verbose=False)
    solver.train()
    return net, solver


def epoch_means(loss_history, num_epochs):
    return np.asarray(loss_history).reshape(num_epochs, -1).mean(axis=1)


mnist_rules = {
    "SGD (lr 0.1)": (sgd, {"learning_rate": 0.1}),
    "momentum (lr 0.02)": (sgd_momentum, {"learning_rate": 0.02}),
    "Nesterov (lr 0.02)": (nesterov_momentum, {"learning_rate": 0.02}),
    "AdaGrad (lr 0.02)": (adagrad, {"learning_rate": 0.02}),
    "RMSProp (lr 1e-3)": (rmsprop, {"learning_rate": 1e-3}),
    "Adam (lr 1e-3)": (adam, {"learning_rate": 1e-3}),
}
fig, ax = plt.subplots(figsize=(7, 4))
for name, (rule, config) in mnist_rules.items():
    _, solver = train_mnist(rule, config, num_epochs=10, num_val_samples=200)
    ax.plot(np.arange(1, 11), epoch_means(solver.loss_history, 10), "o-", ms=3, label=name)
    print(f"{name:20s} final training loss {np.mean(solver.loss_history[-10:]):.3f}")
ax.set(xlabel="epoch", ylabel="training loss (epoch mean)", yscale="log",
       title="Your update rules on MNIST (1,000 examples)")
ax.legend(fontsize=8)
plt.show()


# %% [markdown] id="optimizers_on_mnist_result"
# Every rule gets there; the order depends on the learning rates (each rule has its own good range, and
# these were picked by hand, not tuned), so do not read a league table into one run. What is robust: plain
# SGD is the slowest, and momentum gives it a large speed-up at no cost.

# %% [markdown] id="learning_rate_decay"
# ## 8. Learning-rate decay
#
# Early in training a large learning rate makes fast progress; later, mini-batch noise keeps a large step
# bouncing around the minimum, and a smaller one settles lower. So we **decay (감쇠)** the learning rate over
# time $t$ (here measured in epochs, possibly fractional). Three classic schedules, each starting from
# $\alpha_0$ at $t = 0$, described by what they do:
#
# | schedule | what it does | parameters |
# | --- | --- | --- |
# | step decay | a staircase: the rate stays constant for `every` epochs, then is multiplied by `drop` | e.g. halve every 10 epochs |
# | exponential decay | smooth: the rate loses the same *fraction* of itself in every unit of time, a factor $e$ every $1/k$ epochs | $k > 0$ |
# | 1/t decay | hyperbolic: $\alpha_0/2$ at $t = 1/k$, $\alpha_0/3$ at $t = 2/k$, $\alpha_0/4$ at $t = 3/k$, ... | $k > 0$ |
#
# (The `Solver`'s own `lr_decay` argument is exponential decay once per epoch.) Adam is often run with a
# constant rate; SGD + momentum almost always with a schedule.
#
# **Train without decay first, then add it.** The lecture calls decay a *second-order* hyperparameter:
# tune the initial learning rate with a constant schedule, look at the loss curve, and only then add decay
# where the curve flattens out. Started too early, decay hides a badly chosen $\alpha_0$: halving every 10
# epochs leaves $0.5^{5} \approx 3\%$ of the rate after 50 epochs, so a run whose $\alpha_0$ was 10 times
# too large looks fine at the end, and one whose $\alpha_0$ was too small simply stalls, and both read as
# "converged".
#
# ### Exercise 6 (2 points): three schedules
#
# Each function returns the learning rate at time `t`. `t` may be a number or a numpy array of times
# (then return an array of rates). Turn each row of the table into a formula first, on paper:
#
# 1. Step decay with $\alpha_0 = 0.1$, halving every 10 epochs: how many drops have happened by $t = 9$,
#    $t = 10$ and $t = 25$, and what is the rate then? Which numpy operation counts *completed* intervals,
#    for a number and for an array alike?
# 2. Exponential decay: which function of $t$ loses the same fraction in every unit of time? Where does
#    $k$ go so that a factor $e$ takes $1/k$ epochs?
# 3. 1/t decay: which expression in $t$ and $k$ is 1, 2, 3, 4 at $t = 0, 1/k, 2/k, 3/k$?
#
# <details><summary>Hint for 1</summary>Counting completed intervals is a floor, not a division (and not
# rounding): the rate must not change between two drops.</details>
#
# <details><summary>Hint for 2</summary>"The same fraction per unit of time" is the differential equation
# $d\alpha/dt = -k\,\alpha$; its solution is the function every growth-and-decay process shares.</details>
#
# <details><summary>Hint for 3</summary>A quantity that goes 1, 2, 3, ... in equal steps of $t$ is linear
# in $t$; the rate is the start divided by it.</details>

# %% id="q6_lr_schedules" kind="answer"
def step_decay(lr0, t, drop=0.5, every=10):
    """Step decay: lr0, multiplied by drop once every `every` epochs (constant in between)."""
    lr = None
    ### BEGIN SOLUTION
    lr = lr0 * drop ** (t // every)
    ### END SOLUTION
    return lr


def exponential_decay(lr0, t, k=0.1):
    """Exponential decay: lr0 at t = 0, smaller by a factor e every 1/k epochs."""
    lr = None
    ### BEGIN SOLUTION
    lr = lr0 * np.exp(-k * t)
    ### END SOLUTION
    return lr


def inverse_time_decay(lr0, t, k=0.1):
    """1/t decay: lr0 at t = 0, lr0 / 2 at t = 1/k, lr0 / 3 at t = 2/k, ..."""
    lr = None
    ### BEGIN SOLUTION
    lr = lr0 / (1 + k * t)
    ### END SOLUTION
    return lr


# %% id="check_q6"
# The table's own numbers, lr0 = 0.1 (threshold: relative error < 1e-12, the maths is exact).
schedules_q6 = {"step_decay": step_decay, "exponential_decay": exponential_decay,
                "inverse_time_decay": inverse_time_decay}
with np.errstate(divide="ignore", invalid="ignore"):
    for name, schedule in schedules_q6.items():
        at_0 = schedule(0.1, np.float64(0.0))
        assert at_0 is not None, f"{name} returned None"
        assert np.isfinite(at_0) and rel_error(at_0, 0.1) < 1e-12, (
            f"{name}(0.1, 0) = {at_0}: at t = 0 every schedule gives lr0 (a division by zero, or a term missing?)")
        later = schedule(0.1, 5.0)
        assert later < 0.1 or name == "step_decay", f"{name} grows with t ({later} at t = 5): sign flipped"
        rates = schedule(0.1, np.array([0.0, 10.0, 20.0]))
        assert np.shape(rates) == (3,), f"{name}: an array of 3 times must give 3 rates, got {rates!r}"
steps = [step_decay(0.1, t) for t in (0, 5, 9, 10, 25)]
print("step decay, halve every 10, at t = 0, 5, 9, 10, 25:", np.round(steps, 6))
assert steps[1] == steps[2] == 0.1, (
    "the rate changed before the first drop: a staircase is flat in between (count completed intervals only; "
    "a division or rounding does not)")
assert rel_error(steps[3], 0.05) < 1e-12 and rel_error(steps[4], 0.025) < 1e-12, (
    f"after 10 and 25 epochs (one and two drops) got {steps[3]:.6g} and {steps[4]:.6g}, want 0.05 and 0.025: "
    "each drop multiplies the rate by `drop` once more")
print("exponential decay, k = 0.1, at t = 10 (one factor e):", exponential_decay(0.1, 10))
assert exponential_decay(0.1, 10, k=0.5) != exponential_decay(0.1, 10, k=0.1), "exponential_decay ignores k"
assert rel_error(exponential_decay(0.1, 10), 0.1 / np.e) < 1e-12, (
    "exponential decay: one factor e in 1/k = 10 epochs expected: is k where it sets the speed?")
print("1/t decay, k = 0.1, at t = 10, 20, 30:", [inverse_time_decay(0.1, t) for t in (10, 20, 30)])
assert inverse_time_decay(0.1, 30, k=0.5) != inverse_time_decay(0.1, 30), "inverse_time_decay ignores k"
assert rel_error(inverse_time_decay(0.1, 30), 0.025) < 1e-12, (
    "1/t decay: a quarter of lr0 expected at t = 3/k = 30 (a half at 10, a third at 20)")

# %% id="q6_lr_schedules_test" kind="tests" points=2
assert rel_error(step_decay(0.1, 25), 0.025) < 1e-12
assert rel_error(exponential_decay(0.1, 10), 0.1 / np.e) < 1e-12
assert rel_error(inverse_time_decay(0.1, 30), 0.025) < 1e-12
### BEGIN HIDDEN TESTS
_t = np.array([0.0, 0.5, 2.9, 3.0, 7.2, 12.0])
assert rel_error(step_decay(2.0, _t.copy(), drop=0.1, every=3), 2.0 * 0.1 ** np.floor(_t / 3)) < 1e-12
assert rel_error(exponential_decay(0.3, _t.copy(), k=0.7), 0.3 * np.exp(-0.7 * _t)) < 1e-12
assert rel_error(inverse_time_decay(0.3, _t.copy(), k=0.7), 0.3 / (1 + 0.7 * _t)) < 1e-12
assert rel_error(step_decay(1.0, 1), 1.0) < 1e-12 and rel_error(step_decay(1.0, 10), 0.5) < 1e-12
assert rel_error(exponential_decay(1.0, 2), np.exp(-0.2)) < 1e-12
assert rel_error(inverse_time_decay(1.0, 2), 1 / 1.2) < 1e-12
### END HIDDEN TESTS

# %% [markdown] id="schedules_in_training"
# The schedules, and what they do to training. The model here is a softmax classifier (the
# `FullyConnectedNet` with no hidden layer) on 5,000 digits, trained with plain SGD, mini-batches of 50 and
# a deliberately large $\alpha_0 = 2$. It cannot memorize 5,000 digits, so the mini-batch gradients stay
# noisy until the end, which is the situation decay is for. To use a schedule with the `Solver`, wrap
# the update rule: before each step, the wrapper sets `config["learning_rate"]` from a step counter it
# keeps in the same `config`.

# %% id="fig_schedules_in_training"
def with_schedule(rule, schedule, lr0, steps_per_epoch):
    """An update rule that sets the learning rate to schedule(lr0, epoch) before each step."""
    def scheduled_rule(w, dw, config=None):
        config = {} if config is None else config
        step = config.get("step", 0)
        config["learning_rate"] = schedule(lr0, step / steps_per_epoch)
        config["step"] = step + 1
        return rule(w, dw, config)
    return scheduled_rule


digits5k = load_mnist(num_train=5000, num_val=1000, num_test=0)
num_epochs, lr0, batch_size = 12, 2.0, 50
steps_per_epoch = 5000 // batch_size
schedules = {
    "constant": lambda lr0, t: lr0 + 0 * t,
    "step (halve every 4)": lambda lr0, t: step_decay(lr0, t, drop=0.5, every=4),
    "exponential (k = 0.2)": lambda lr0, t: exponential_decay(lr0, t, k=0.2),
    "1/t (k = 0.5)": lambda lr0, t: inverse_time_decay(lr0, t, k=0.5),
}
epochs = np.linspace(0, num_epochs, 241)
fig, (ax_lr, ax_loss) = plt.subplots(1, 2, figsize=(11, 4))
for name, schedule in schedules.items():
    softmax_classifier = FullyConnectedNet([], 784, 10, weight_scale=0.0)
    rule = with_schedule(sgd, schedule, lr0, steps_per_epoch)
    solver = Solver(softmax_classifier, digits5k, update_rule=rule,
                    num_epochs=num_epochs, batch_size=batch_size, num_train_samples=200,
                    num_val_samples=200, verbose=False)
    solver.train()
    final_loss = softmax_classifier.loss(digits5k["X_train"], digits5k["y_train"])[0]
    ax_lr.plot(epochs, schedule(lr0, epochs), label=name)
    ax_loss.plot(np.arange(1, num_epochs + 1), epoch_means(solver.loss_history, num_epochs), "o-", ms=3,
                 label=name)
    print(f"{name:22s} lr at the end {schedule(lr0, num_epochs):.4f}   "
          f"loss on all 5,000 training digits at the end {final_loss:.3f}")
ax_lr.set(xlabel="epoch", ylabel="learning rate", title=f"Schedules, lr0 = {lr0}")
ax_loss.set(xlabel="epoch", ylabel="training loss (epoch mean)", ylim=(0.1, 0.6),
            title="Plain SGD, softmax classifier, 5,000 digits")
ax_lr.legend()
ax_loss.legend()
fig.tight_layout()
plt.show()


# %% [markdown] id="schedules_result"
# With the constant rate the loss jitters up and down at the level the mini-batch noise allows. Each
# decay schedule ends lower and smoother: the step schedule shows the classic staircase, a visible drop
# every time the rate is halved. Decay too early or too fast and training slows down before it is done
# (a network that can still improve wastes its epochs taking tiny steps); that is the trade-off the
# schedule's parameters set, and why step decay is usually applied when the loss plateaus.

# %% [markdown] id="newtons_method"
# ## 9. Second-order methods: Newton's step
#
# Gradient descent uses a first-order (linear) model of the loss. A **second-order (2차)** method fits a
# quadratic using the **Hessian (헤세 행렬)** $H = \nabla^2 L$, the matrix of second derivatives:
#
# $$L(w) \approx L(w_0) + \nabla L(w_0)^\top (w - w_0) + \tfrac12 (w - w_0)^\top H\, (w - w_0),$$
#
# and jumps to the minimum of that quadratic model. Derive where that is (on paper first):
#
# 1. Differentiate the model with respect to $w$ ($H$ is symmetric). Check your answer at $w = w_0$: there
#    the model's gradient must be the loss's gradient $\nabla L(w_0)$.
# 2. At the model's minimum its gradient is zero. Solve that equation for $w$ (near a minimum $H$ is
#    positive definite, hence invertible).
# 3. Take $H = \text{diag}(1, 25)$, the bowl of section 1. Compared with one SGD step, how much does your
#    step move along the shallow axis, and how much along the steep one? Why is there no learning rate?
#
# <details><summary>Hint for 1</summary>Write $d = w - w_0$. A linear term $c^\top d$ has the constant
# gradient $c$; a quadratic form $d^\top H d$ with symmetric $H$ has a gradient that is a matrix times $d$
# with a factor 2 (notebook 03 differentiated $\lVert W x \rVert^2$ the same way), and the model's
# $\tfrac12$ cancels that 2.</details>
#
# <details><summary>Hint for 2</summary>Setting a linear function of $d$ to zero is a linear system
# "matrix times unknown = known vector"; mind the sign of the known side.</details>
#
# On a quadratic loss the model is exact, so **one Newton step (뉴턴 단계) lands exactly on the minimum**,
# however ill-conditioned: the step divides each direction by its own curvature, which undoes the
# stretching that made SGD zig-zag.
#
# ### Exercise 7 (2 points): a Newton step
#
# Write `newton_step(grad, hessian, w)`: `grad(w)` returns the gradient (D,), `hessian(w)` the Hessian
# (D, D), both at `w`; return the minimum of the quadratic model at `w` (D,). Solve question 2's linear
# system with `np.linalg.solve` (`np.linalg.solve(A, y)` returns the $z$ with $A z = y$; more accurate and
# cheaper than forming an inverse).

# %% id="q7_newton_step" kind="answer"
def newton_step(grad, hessian, w):
    """One Newton step from w (D,): to the minimum of the quadratic model of the loss at w.

    grad: function w -> gradient (D,);  hessian: function w -> Hessian (D, D)
    Returns the new w (D,).
    """
    next_w = None
    ### BEGIN SOLUTION
    next_w = w - np.linalg.solve(hessian(w), grad(w))
    ### END SOLUTION
    return next_w


# %% id="check_q7"
# On a quadratic f = 0.5 w^T A w - b^T w one Newton step from anywhere reaches the minimum A^-1 b.
# Threshold: gradient norm after the step < 1e-10 (float64 rounding; it is ~1e-15 here).
A = np.array([[3.0, 1.0], [1.0, 2.0]])  # not diagonal: the axes of the bowl are tilted
b = np.array([1.0, -1.0])
w0 = np.array([5.0, -7.0])
w_new = newton_step(lambda w: A @ w - b, lambda w: A, w0.copy())
w_min = np.linalg.solve(A, b)  # where the gradient A w - b is zero
print("after one Newton step:", w_new, "  minimum:", w_min)
assert w_new is not None, "newton_step returned None"
assert np.shape(w_new) == (2,), f"newton_step returned shape {np.shape(w_new)}, want (D,) = (2,)"
g0 = A @ w0 - b
diagnoses = [(2 * w0 - w_min, "Sign flipped: the step goes the right distance in the wrong direction (up the "
                              "gradient)"),
             (w0 - A @ g0, "The step is multiplied by the curvature instead of divided by it"),
             (w0 - g0, "A plain gradient step with learning rate 1: the Hessian is not used"),
             (w0 - g0 / np.diag(A), "Only the diagonal of the Hessian is used: this bowl is tilted, so the "
                                    "off-diagonal curvature matters"),
             ((w0 + w_min) / 2, "Half the step: a missing factor 2 (the model's 1/2 cancels when you differentiate)"),
             (w_min - w0, "This is the step itself: the new point is w moved by it")]
for wrong, why in diagnoses:
    assert not np.allclose(w_new, wrong, rtol=1e-9, atol=1e-12), why
assert np.linalg.norm(A @ w_new - b) < 1e-10, (
    f"after the step the gradient is {A @ w_new - b}, not 0: the step must land where the model's gradient vanishes")
w_bowl = newton_step(lambda w: np.array([w[0], 25 * w[1]]), lambda w: np.diag([1.0, 25.0]),
                     np.array([-4.0, 0.8]))
print("the ill-conditioned bowl of Section 1, from (-4, 0.8) ->", w_bowl)
assert np.linalg.norm(w_bowl) < 1e-10

# %% id="q7_newton_step_test" kind="tests" points=2
_A, _b = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0])
_w = newton_step(lambda w: _A @ w - _b, lambda w: _A, np.array([5.0, -7.0]))
assert np.linalg.norm(_A @ _w - _b) < 1e-10
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(607)
for _D in (1, 5):
    _M = _rng.normal(size=(_D, _D))
    _A = _M @ _M.T + _D * np.eye(_D)
    _b = _rng.normal(size=_D)
    _w = newton_step(lambda w: _A @ w - _b, lambda w: _A, _rng.normal(size=_D) * 10)
    assert np.allclose(_w, np.linalg.inv(_A) @ _b, rtol=1e-9, atol=1e-11)
# not a quadratic: f = log(sum(exp(w))) + 0.5 |w|^2, gradient p + w, Hessian diag(p) - p p^T + I
def _softmax(w):
    _e = np.exp(w - w.max())
    return _e / _e.sum()
_w0 = np.array([0.3, -1.2, 2.0])
_p = _softmax(_w0)
_H = np.diag(_p) - np.outer(_p, _p) + np.eye(3)
_want = _w0 - np.linalg.inv(_H) @ (_p + _w0)
_got = newton_step(lambda w: _softmax(w) + w,
                   lambda w: np.diag(_softmax(w)) - np.outer(_softmax(w), _softmax(w)) + np.eye(3), _w0)
assert np.allclose(_got, _want, rtol=1e-9, atol=1e-12)
### END HIDDEN TESTS

# %% [markdown] id="newton_vs_sgd"
# The picture: 40 steps of SGD against one Newton step, on the bowl of Section 1.

# %% id="fig_newton_vs_sgd"
hess_bowl = np.diag([1.0, 25.0])
newton_path = np.array([w_start, newton_step(quad_grad, lambda w: hess_bowl, w_start)])
fig = plot_trajectories(quad, {"SGD, lr 0.075, 40 steps": bowl_paths["SGD"],
                               "Newton, 1 step": newton_path},
                        xlim=(-4.5, 1.0), ylim=(-1.0, 1.0), levels=20)
fig.axes[0].set_title("One Newton step reaches the minimum of a quadratic")
fig

# %% [markdown] id="newton_cost"
# **So why don't we train networks with Newton's method?** Count. A network with $N$ parameters has an
# $N \times N$ Hessian: $N^2$ numbers to store and $O(N^3)$ operations to solve with. For a modest
# network of one million parameters:

# %% id="demo_newton_cost"
num_params = 1_000_000
hessian_entries = num_params**2
hessian_bytes = hessian_entries * 8  # float64
print(f"parameters:              {num_params:.0e}")
print(f"Hessian entries:         {hessian_entries:.0e}")
print(f"Hessian memory, float64: {hessian_bytes / 1e12:.0f} TB")
print(f"gradient memory:         {num_params * 8 / 1e6:.0f} MB")
print(f"solving with it:         ~{float(num_params)**3:.0e} floating-point operations per step")
lbfgs_bytes = 2 * 10 * num_params * 8  # L-BFGS keeps m = 10 pairs of (N,) vectors
print(f"L-BFGS with m = 10:      {lbfgs_bytes / 1e6:.0f} MB")
assert hessian_entries == 10**12 and hessian_bytes == 8 * 10**12

# %% [markdown] id="quasi_newton"
# Eight terabytes for one matrix, and networks have tens or hundreds of millions of parameters.
# **Quasi-Newton (준뉴턴)** methods such as **BFGS** build an approximation of $H^{-1}$ from successive
# gradients instead, but it is still $N \times N$. **L-BFGS** (limited-memory BFGS) stores only the last
# $m$ pairs of steps and gradient changes, $O(mN)$ memory, and it works well when the loss is
# deterministic and computed on the full batch (small models, some style-transfer problems). With
# mini-batches it struggles: its curvature estimate from differences of *noisy* gradients is noise, and
# its line searches assume the same function at every evaluation. So in deep learning the practical
# answer is a first-order method with per-parameter scaling (Adam), which uses a diagonal, cheap stand-in
# for the curvature: it corrects curvature along the coordinate axes only, the limitation seen on the
# axis-aligned bowl of section 7.

# %% [markdown] id="regularization"
# ## 10. Regularization
#
# An optimizer that drives the *training* loss down is not the whole story: with 1,000 training digits a
# network with 80,000 weights can memorize them, and its validation accuracy stays far below its training
# accuracy: **overfitting (과적합)**. **Regularization (규제)** makes the model do worse on the training
# set on purpose, to do better on new data. Four classic tools follow.
#
# **When to regularize: read the gap.** Compare the training accuracy with the validation accuracy (on data
# held out from training). A large gap that grows with training, training accuracy near 100% and
# validation far below, is overfitting: it calls for more regularization (a larger L2 strength, a smaller
# dropout keep probability, more augmentation) or more data. No gap, with both accuracies low, is
# underfitting: the model is too weak or too strongly regularized, and more regularization makes it worse;
# use a bigger model or less regularization. A small gap is not a goal in itself: the validation accuracy
# is.
#
# **Choosing the strength: cross-validation (교차 검증).** The regularization strength is a hyperparameter
# (하이퍼파라미터), chosen on data the model was not trained on. *k-fold cross-validation* splits the training
# set into $k$ folds (e.g. 5), trains $k$ times, each time holding one fold out for validation, and averages
# the $k$ validation scores: the most reliable estimate, at $k$ times the cost, so it is used for small data
# sets and cheap models. For networks the usual strategy is a single validation fold of respectable size
# (thousands of examples), and a search from coarse to fine: first short runs (a few epochs) with values
# spread on a log scale (L2 strength from $10^{-5}$ to $10^{-1}$, say), then longer runs in the best region,
# making sure the best value is not at the edge of the range searched (notebook 05's hyperparameter
# search). The test set is used once, at the end.
#
# ### L2 regularization is weight decay
#
# Add $\frac{\lambda}{2}\lVert w \rVert^2$ to the loss. Its gradient is $\lambda w$, so one SGD step becomes
#
# $$w \leftarrow w - \alpha (\nabla L + \lambda w) = (1 - \alpha\lambda)\, w - \alpha \nabla L:$$
#
# the weights are first shrunk by a constant factor, **weight decay (가중치 감쇠)**, then updated as usual.
# Checked with your `sgd` on random numbers:

# %% id="demo_l2_weight_decay"
rng = np.random.default_rng(0)
w, dL = rng.normal(size=5), rng.normal(size=5)  # weights and the data loss's gradient
alpha, lam = 0.1, 0.01
step_on_l2_loss = sgd(w, dL + lam * w, {"learning_rate": alpha})[0]
decay_then_step = (1 - alpha * lam) * w - alpha * dL
print("SGD on L + (lam/2)|w|^2:", step_on_l2_loss)
print("(1 - alpha lam) w - alpha dL:", decay_then_step)
assert np.allclose(step_on_l2_loss, decay_then_step, rtol=1e-12)


# %% [markdown] id="l2_with_adaptive_rules"
# (With adaptive rules the two are *not* the same: Adam divides the $\lambda w$ term by $\sqrt{\hat v}$ too.
# "AdamW" applies the decay separately, outside the adaptive step.) `FullyConnectedNet(reg=...)` adds
# $\frac{\text{reg}}{2} \sum \lVert W \rVert^2$ over its weight matrices.
#
# ### Dropout
#
# **Dropout (드롭아웃)**: during training, zero each hidden unit independently, keeping it with probability
# $p$ (the **keep probability**, 0.5 in the lecture; careful, some libraries use $p$ for the *drop*
# probability). Each mini-batch trains a different thinned network, the units cannot rely on each other
# ("co-adaptation"), and the full network at test time acts like an average of all the thinned ones.
#
# At test time every unit is on, so the expected input of the next layer would be $1/p$ times larger
# than in training. **Inverted dropout (역 드롭아웃)** fixes this in training, not at test time: divide the
# kept units by $p$,
#
# $$\text{mask}_i = \frac{[u_i < p]}{p},\quad u_i \sim U(0, 1), \qquad
# \text{out} = x \odot \text{mask}, \qquad \mathbb E[\text{out}_i] = p \cdot \frac{x_i}{p} = x_i,$$
#
# so the test-time forward pass is simply the identity. For the backward pass, look at the forward one as a
# gate: once the mask is drawn it is a constant, and $\text{out} = x \odot \text{mask}$ is an elementwise
# multiply gate (notebook 02). Which mask must the backward pass use, and what would a freshly drawn one
# compute instead?
#
# **Dropout and batch normalization overlap.** Both regularize by noise that exists only in training
# (batch norm's comes from the random mini-batch statistics, notebook 05 section 4). Networks with batch
# norm therefore often use little or no dropout; where both appear, dropout usually sits after the last
# batch-norm layer, e.g. just before the final classifier. One difference matters in practice: dropout's
# keep probability $p$ is a **strength knob**, from $p = 1$ (no regularization) down to strong
# regularization, tuned on the validation set like an L2 strength. Batch norm has no such knob: its noise
# is set by the batch size, which also sets the speed and the memory of training.
#
# **Dropout in conv layers.** Neighbouring activations of a conv feature map are strongly correlated, so
# zeroing single activations there regularizes little: the neighbours carry the same information. ConvNets
# therefore put dropout mainly in their fully connected layers (AlexNet, notebook 07), use a higher keep
# probability in conv layers when they use it there at all, or drop whole channels at once (*spatial
# dropout*: one mask value per channel and example, shared by all positions).
#
# ### Exercise 8 (3 points): inverted dropout, forward and backward
#
# `dropout_param` has `p` (keep probability), `mode` (`"train"` or `"test"`) and an optional `seed`:
# the given line turns it into a random generator (an int seed gives the same mask on every call, which
# the gradient check needs). Draw the mask with `rng.random(x.shape)`. Keep in the cache what the
# backward pass needs.

# %% id="q8_dropout" kind="answer"
def dropout_forward(x, dropout_param):
    """Inverted dropout. x: any shape.

    dropout_param: p (keep probability, 0 < p <= 1), mode ("train" or "test"), seed (optional)
    Returns out (like x) and cache (dropout_param, mask); mask is None in test mode.
    """
    p, mode = dropout_param["p"], dropout_param["mode"]
    rng = np.random.default_rng(dropout_param.get("seed"))
    out = mask = None
    ### BEGIN SOLUTION
    if mode == "train":
        mask = (rng.random(x.shape) < p) / p
        out = x * mask
    else:
        out = x
    ### END SOLUTION
    return out, (dropout_param, mask)


def dropout_backward(dout, cache):
    """dout: upstream gradient (like x); cache from dropout_forward. Returns dx (like x)."""
    dropout_param, mask = cache
    dx = None
    ### BEGIN SOLUTION
    if dropout_param["mode"] == "train":
        dx = dout * mask
    else:
        dx = dout
    ### END SOLUTION
    return dx


# %% id="check_q8"
# 1. Train mode keeps a fraction p of the units and preserves the mean; test mode is the identity.
#    On 10^6 ones the kept fraction and the mean are within 0.01 of p and 1 (their standard
#    deviations are below 0.002 for these p, so 0.01 is a safe margin).
with course_versions_disabled("dropout_forward", "dropout_backward"):  # checks your own code: the course's versions refuse to run here
    x = np.ones((1000, 1000))
    for p in (0.3, 0.8):
        out, _ = dropout_forward(x, {"p": p, "mode": "train", "seed": 0})
        kept = np.mean(out != 0)
        print(f"p = {p}: kept fraction {kept:.4f}, mean of out {out.mean():.4f} (train); "
              f"test mode mean {dropout_forward(x, {'p': p, 'mode': 'test'})[0].mean():.4f}")
        assert abs(kept - p) < 0.01, f"kept fraction {kept:.3f} for p = {p}: p is the KEEP probability"
        assert abs(out.mean() - 1.0) < 0.01, "inverted dropout divides the kept units by p at train time"
        assert np.allclose(out[out != 0], 1 / p), "kept units are x / p"
        assert np.array_equal(dropout_forward(x, {"p": p, "mode": "test"})[0], x), \
            "test mode returns x unchanged (no scaling: the train-time 1/p took care of it)"

    # 2. Gradient check with a fixed mask (an int seed gives the same mask on every call).
    #    Dropout is linear in x, so the error is rounding only. Threshold: 1e-9.
    rng = np.random.default_rng(1)
    x, dout = rng.normal(size=(6, 8)), rng.normal(size=(6, 8))
    param = {"p": 0.6, "mode": "train", "seed": 123}
    out, cache = dropout_forward(x, param)
    dx = dropout_backward(dout, cache)
    dx_num = eval_numerical_gradient_array(lambda x_: dropout_forward(x_, param)[0], x, dout)
    result = check_gradient(dx, dx_num, threshold=1e-9, name="dx")
    assert result.passed, result.diagnosis

# %% id="q8_dropout_test" kind="tests" points=3
_x = np.ones((500, 500))
_out, _ = dropout_forward(_x.copy(), {"p": 0.3, "mode": "train", "seed": 0})
assert abs(np.mean(_out != 0) - 0.3) < 0.01 and abs(_out.mean() - 1) < 0.02
assert np.array_equal(dropout_forward(_x.copy(), {"p": 0.3, "mode": "test"})[0], _x)
### BEGIN HIDDEN TESTS
import cs231n_course.reference.layers as _layers
from cs231n_utils.testing import reference_disabled
_rng = np.random.default_rng(608)
_xb = _rng.normal(size=(400, 500)) + 3.0
_xs, _douts = _rng.normal(size=(1, 7)), _rng.normal(size=(1, 7))
_xg, _doutg = _rng.normal(size=(5, 3, 4)), _rng.normal(size=(5, 3, 4))
_pg = {"p": 0.7, "mode": "train", "seed": 9}
# the originals stay ours: the learner's code gets copies
_num = eval_numerical_gradient_array(lambda a: dropout_forward(a.copy(), dict(_pg))[0], _xg, _doutg)
with reference_disabled(_layers.dropout_forward, _layers.dropout_backward):
    for _p in (0.25, 0.9):
        _out, _cache = dropout_forward(_xb.copy(), {"p": _p, "mode": "train"})
        _keep = _out != 0
        assert abs(_keep.mean() - _p) < 0.005, _keep.mean()  # std < 0.001 (5 sigma)
        assert np.allclose(_out[_keep], _xb[_keep] / _p)
        assert abs(_out.mean() - _xb.mean()) < 0.06  # expectation preserved; std < 0.0125 (4.8 sigma)
        # backward: the same mask, the same 1/p
        _d = dropout_backward(np.ones_like(_xb), _cache)
        assert np.array_equal(_d != 0, _keep) and np.allclose(_d[_keep], 1 / _p)
        # test mode: identity forward and backward
        _o, _c = dropout_forward(_xb.copy(), {"p": _p, "mode": "test"})
        assert np.array_equal(_o, _xb) and np.array_equal(dropout_backward(_xb.copy(), _c), _xb)
    # no seed: a fresh mask on every call (every mini-batch drops other units)
    _m1 = dropout_forward(_xb[:200].copy(), {"p": 0.5, "mode": "train"})[0] != 0
    _m2 = dropout_forward(_xb[:200].copy(), {"p": 0.5, "mode": "train"})[0] != 0
    assert np.mean(_m1 != _m2) > 0.4  # independent masks differ on about half the units
    # an int seed reproduces the mask; N = 1 works
    _o1 = dropout_forward(_xs.copy(), {"p": 0.5, "mode": "train", "seed": 3})[0]
    _o2, _c2 = dropout_forward(_xs.copy(), {"p": 0.5, "mode": "train", "seed": 3})
    assert np.array_equal(_o1, _o2) and _o1.shape == (1, 7)
    assert np.allclose(dropout_backward(_douts.copy(), _c2), _douts * (_o2 != 0) / 0.5)
    _out, _cache = dropout_forward(_xg, _pg)
    assert rel_error(dropout_backward(_doutg, _cache), _num) < 1e-9
### END HIDDEN TESTS

# %% [markdown] id="data_augmentation"
# ### Data augmentation
#
# A network should give the same answer for a digit moved by a pixel or two, but it only learns that if
# it sees such examples. **Data augmentation (데이터 증강)** makes new training examples from old ones with
# transformations that keep the label: small **shifts**, random **crops**, horizontal **flips**, scaling,
# color jitter. The lecture's ResNet recipe: a random 224 × 224 crop of the image rescaled to a random
# size, and a random horizontal flip; at test time, average the predictions of a few fixed crops.
#
# **Flips are wrong for digits.** A cat mirrored left-right is still a cat, so flips are standard for
# natural images (CIFAR, ImageNet). A digit is not symmetric: a mirrored 2, 3, 4, 7 or 9 is not that digit
# (a mirrored 2 looks like an S or a 5, a mirrored 3 like an ε), so flipping MNIST would train the network on images with wrong labels.
# Augmentations must keep the label; for digits, small shifts do.
#
# ### Exercise 9 (3 points): shifts, crops and flips
#
# Images come as `X` of shape (N, C, H, W) (rows are axis 2, columns axis 3).
#
# * `shift_images(X, dy, dx)`: move every image down by `dy` and right by `dx` pixels (negative: up,
#   left; $|dy| < H$, $|dx| < W$), filling the uncovered border with zeros: pixel $(i, j)$ moves to
#   $(i + dy, j + dx)$ and what moves outside is lost (no wrap-around).
# * `random_crops(X, size, rng)`: for each image its own random `size` × `size` window, with the top-left
#   corner drawn uniformly from all valid positions (`rng.integers(0, H - size + 1)`, the same for
#   columns). Returns (N, C, size, size).
# * `horizontal_flip(X)`: mirror every image left-right.

# %% id="q9_augmentation" kind="answer"
def shift_images(X, dy, dx):
    """Shift X (N, C, H, W) down by dy and right by dx pixels, zero fill. Returns (N, C, H, W)."""
    H, W = X.shape[2], X.shape[3]
    out = np.zeros_like(X)
    ### BEGIN SOLUTION
    # rows [max(dy,0), H - max(-dy,0)) of out come from rows [max(-dy,0), H - max(dy,0)) of X
    src_rows, dst_rows = slice(max(-dy, 0), H - max(dy, 0)), slice(max(dy, 0), H - max(-dy, 0))
    src_cols, dst_cols = slice(max(-dx, 0), W - max(dx, 0)), slice(max(dx, 0), W - max(-dx, 0))
    out[:, :, dst_rows, dst_cols] = X[:, :, src_rows, src_cols]
    ### END SOLUTION
    return out


def random_crops(X, size, rng):
    """A random size x size window of each image of X (N, C, H, W). Returns (N, C, size, size)."""
    N, C, H, W = X.shape
    out = np.zeros((N, C, size, size), dtype=X.dtype)
    ### BEGIN SOLUTION
    tops = rng.integers(0, H - size + 1, size=N)
    lefts = rng.integers(0, W - size + 1, size=N)
    for n in range(N):
        out[n] = X[n, :, tops[n]:tops[n] + size, lefts[n]:lefts[n] + size]
    ### END SOLUTION
    return out


def horizontal_flip(X):
    """Mirror every image of X (N, C, H, W) left-right. Returns (N, C, H, W)."""
    out = None
    ### BEGIN SOLUTION
    out = X[:, :, :, ::-1]
    ### END SOLUTION
    return out


# %% id="check_q9"
# Exact checks on a tiny image with a single bright pixel at row 1, column 2.
X = np.zeros((1, 1, 5, 5))
X[0, 0, 1, 2] = 1.0
moved = shift_images(X, 2, -1)  # down 2, left 1: the pixel must land at row 3, column 1
print("shift_images(X, dy=2, dx=-1):\n", moved[0, 0])
assert moved.shape == X.shape, "a shift keeps the shape"
assert moved[0, 0, 3, 1] == 1.0 and moved.sum() == 1.0, "(i, j) -> (i + dy, j + dx): dy is rows (axis 2)"
assert shift_images(X, 0, 3).sum() == 0.0, "what moves out of the image is lost (zero fill, no wrap)"
flipped = horizontal_flip(X)
assert flipped[0, 0, 1, 2] == 1.0 and horizontal_flip(shift_images(X, 0, 1))[0, 0, 1, 1] == 1.0, \
    "left-right: column j -> W - 1 - j, rows unchanged"
# random crops: each crop must be a window of its own image, and the windows must vary
Xr = np.arange(40 * 1 * 6 * 6, dtype=float).reshape(40, 1, 6, 6)
crops = random_crops(Xr, 4, np.random.default_rng(0))
assert crops.shape == (40, 1, 4, 4), "random_crops returns (N, C, size, size)"
corners = {(int(c[0, 0, 0]) % 36 // 6, int(c[0, 0, 0]) % 6) for c in crops}
print("top-left corners used:", sorted(corners))
for n, c in enumerate(crops):
    i, j = int(c[0, 0, 0]) % 36 // 6, int(c[0, 0, 0]) % 6
    assert np.array_equal(c, Xr[n, :, i:i + 4, j:j + 4]), f"crop {n} is not a window of image {n}"
assert len(corners) > 4, "each image needs its own random window"

# %% id="q9_augmentation_test" kind="tests" points=3
_X = np.zeros((1, 1, 5, 5))
_X[0, 0, 1, 2] = 1.0
assert shift_images(_X.copy(), 2, -1)[0, 0, 3, 1] == 1.0 and shift_images(_X.copy(), 2, -1).sum() == 1.0
assert horizontal_flip(_X.copy())[0, 0, 1, 2] == 1.0 and horizontal_flip(_X.copy()).shape == _X.shape
assert random_crops(np.ones((3, 1, 6, 6)), 4, np.random.default_rng(0)).shape == (3, 1, 4, 4)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(609)
_X = _rng.normal(size=(3, 2, 7, 9))
for _dy, _dx in [(0, 0), (2, 3), (-3, 1), (1, -4), (-2, -2), (6, 0), (0, -8)]:
    _want = np.zeros_like(_X)
    for _i in range(7):
        for _j in range(9):
            if 0 <= _i + _dy < 7 and 0 <= _j + _dx < 9:
                _want[:, :, _i + _dy, _j + _dx] = _X[:, :, _i, _j]
    assert np.array_equal(shift_images(_X.copy(), _dy, _dx), _want), (_dy, _dx)  # the originals stay ours
assert np.array_equal(horizontal_flip(_X.copy()), _X[:, :, :, ::-1])
assert np.array_equal(horizontal_flip(horizontal_flip(_X.copy())), _X)
# crops: every output is its own image's window; every valid corner occurs; reproducible with the seed
_Xr = np.arange(300 * 2 * 5 * 7, dtype=float).reshape(300, 2, 5, 7)
_crops = random_crops(_Xr.copy(), 3, np.random.default_rng(5))
assert _crops.shape == (300, 2, 3, 3)
_corners = set()
for _n in range(300):
    _k = int(_crops[_n, 0, 0, 0]) - _n * 70
    _i, _j = _k // 7, _k % 7
    _corners.add((_i, _j))
    assert np.array_equal(_crops[_n], _Xr[_n, :, _i:_i + 3, _j:_j + 3]), _n
assert _corners == {(_i, _j) for _i in range(3) for _j in range(5)}, sorted(_corners)
assert np.array_equal(random_crops(_Xr.copy(), 3, np.random.default_rng(5)), _crops)
# N = 1, and a crop of the full size is the image itself
_Xs = _rng.normal(size=(1, 3, 4, 4))
assert np.array_equal(random_crops(_Xs.copy(), 4, np.random.default_rng(2)), _Xs)
### END HIDDEN TESTS

# %% [markdown] id="shifts_are_crops"
# A random shift by up to $s$ pixels is a random crop in disguise: pad the image with $s$ zeros on every
# side, then crop the original size. Your functions on real digits: a fixed shift by 3 rows down
# and 3 columns left, random shifts by up to 2 pixels, random 20 × 20 crops (drawn at the same size, so
# they look zoomed in), and in the last row what a flip does to them.

# %% id="fig_shifts_are_crops"
def random_shifts(X, max_shift, rng):
    """Shift each image of X (N, C, H, W) by its own random dy, dx in [-max_shift, max_shift]."""
    s = max_shift
    padded = np.pad(X, ((0, 0), (0, 0), (s, s), (s, s)))
    return random_crops(padded, X.shape[2], rng)


digits = mnist["X_train"][:6].reshape(6, 1, 28, 28)
rng = np.random.default_rng(0)
rows = {
    "original": digits,
    "shift (3, -3)": shift_images(digits, 3, -3),
    "rand. shift": random_shifts(digits, 2, rng),
    "crop 20x20": random_crops(digits, 20, rng),
    "flip (wrong!)": horizontal_flip(digits),
}
fig, axes = plt.subplots(len(rows), 6, figsize=(7.5, 6.8))
for r, (name, images) in enumerate(rows.items()):
    for c in range(6):
        axes[r, c].imshow(images[c, 0], cmap="gray", vmin=0, vmax=1)
        axes[r, c].set_xticks([])
        axes[r, c].set_yticks([])
    axes[r, 0].set_ylabel(name, fontsize=9)
fig.suptitle(f"Augmentations of MNIST digits (labels {mnist['y_train'][:6]})")
fig.tight_layout()
plt.show()


# %% [markdown] id="ensembles"
# ### Ensembles
#
# Train several models independently (different random initializations and mini-batch orders) and average
# their predictions. Their errors are partly independent, so the average errs less: the lecture quotes
# "about 2% extra performance". Average the predicted **probabilities** (the softmax of each model's
# scores), not the raw scores: scores of different models are on different scales, and a model's
# probabilities are what it actually predicts. The cost: $K$ models to train and $K$ forward passes at test
# time.
#
# ### Exercise 10 (2 points): average the probabilities of an ensemble
#
# Write `ensemble_probabilities(scores_list)`: given a list of $K$ score arrays (N, C), one per model,
# return the mean over models of their softmax probabilities, (N, C). Use a numerically stable softmax
# (subtract each row's maximum before `np.exp`): scores of 1000 must not overflow.

# %% id="q10_ensemble" kind="answer"
def ensemble_probabilities(scores_list):
    """scores_list: list of K arrays (N, C) of class scores. Returns (N, C): the mean softmax."""
    probs = np.zeros(np.shape(scores_list[0]))
    ### BEGIN SOLUTION
    for scores in scores_list:
        shifted = scores - scores.max(axis=1, keepdims=True)
        exp_scores = np.exp(shifted)
        probs += exp_scores / exp_scores.sum(axis=1, keepdims=True)
    probs /= len(scores_list)
    ### END SOLUTION
    return probs


# %% id="check_q10"
# Two models that disagree: averaging probabilities (not scores) decides. Threshold: 1e-12 (exact maths).
s1 = np.array([[4.0, 0.0, 0.0]])    # model 1: class 0, sure
s2 = np.array([[0.0, 10.0, 11.0]])  # model 2: torn between classes 1 and 2
e1, e2 = np.exp(s1) / np.exp(s1).sum(), np.exp(s2) / np.exp(s2).sum()
probs = ensemble_probabilities([s1.copy(), s2.copy()])
print("ensemble probabilities:", probs, "  sum", probs.sum())
assert probs.shape == (1, 3), "one row per example, one column per class"
mean_scores = (s1 + s2) / 2
assert rel_error(probs, np.exp(mean_scores) / np.exp(mean_scores).sum()) > 1e-6, (
    "Averaged the scores, then took the softmax: average the PROBABILITIES of the models")
assert rel_error(probs, e1 + e2) > 1e-6, "Summed over the models: a missing 1/K (the rows must sum to 1)"
assert rel_error(probs, (e1 + e2) / 2) < 1e-12, "not the mean of the models' softmax probabilities"
print("argmax of averaged probabilities:", probs.argmax(), "  of averaged scores:", ((s1 + s2) / 2).argmax())
big = ensemble_probabilities([np.array([[1000.0, 999.0]]), np.array([[-1000.0, -1001.0]])])
print("scores of +-1000:", big)
assert np.all(np.isfinite(big)), "Overflow: NaN or inf for scores of 1000; subtract the row maximum before np.exp"
assert rel_error(big[0, 0], 1 / (1 + np.exp(-1))) < 1e-12, (
    "Wrong axis: each row's probabilities are normalized over its classes (axis 1)")

# %% id="q10_ensemble_test" kind="tests" points=2
_p = ensemble_probabilities([np.array([[4.0, 0.0, 0.0]]), np.array([[0.0, 10.0, 11.0]])])
assert _p.shape == (1, 3) and abs(_p.sum() - 1) < 1e-12 and _p.argmax() == 0
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(610)
_S = [_rng.normal(size=(6, 4)) * 3 for _ in range(3)]
def _sm(s):
    _e = np.exp(s - s.max(axis=1, keepdims=True))
    return _e / _e.sum(axis=1, keepdims=True)
_want, _want_one = sum(_sm(s) for s in _S) / 3, _sm(_S[0])
assert rel_error(ensemble_probabilities([s.copy() for s in _S]), _want) < 1e-12  # the originals stay ours
assert rel_error(ensemble_probabilities([_S[0].copy()]), _want_one) < 1e-12
_one = [_rng.normal(size=(1, 5)) + 800, _rng.normal(size=(1, 5)) - 800]
_want = (_sm(_one[0]) + _sm(_one[1])) / 2
_got = ensemble_probabilities(_one)
assert np.all(np.isfinite(_got)) and rel_error(_got, _want) < 1e-12
assert np.allclose(ensemble_probabilities(_S).sum(axis=1), 1)
### END HIDDEN TESTS

# %% [markdown] id="exercise_q11"
# ### Dropout in your network
#
# In a network, dropout goes after the ReLU of every hidden layer:
#
# $$\{\text{affine} - [\text{norm}] - \text{relu} - \text{dropout}\} \times (L - 1) - \text{affine} - \text{softmax}$$
#
# Your `FullyConnectedNormNet` of notebook 05 (from `cs231n_utils.mine`) runs every hidden layer through
# `hidden_forward` and `hidden_backward`. `DropoutNet` is that network with dropout: a subclass that extends
# exactly those two methods, and `loss`, on your `dropout_forward` and `dropout_backward` of Exercise 8.
#
# ### Exercise 11 (3 points): `DropoutNet`
#
# * `__init__` is given: `self.dropout_param = {"mode": "train", "p": dropout_keep_ratio, "seed": self.rng}`.
#   The masks go on with the generator of the initialization, so every forward pass draws a fresh mask,
#   reproducibly from the seed; a gradient check puts an int seed there to get the same mask every time.
# * `loss(X, y=None)`: puts dropout in mode `"test"` when `y` is None and `"train"` otherwise, then lets the
#   parent's `loss` do the rest.
# * `hidden_forward(x, i)`: the parent's hidden layer $i$, then, when the keep probability is below 1, your
#   dropout on its output. Returns `out` and a `cache` holding what the backward pass needs.
# * `hidden_backward(dout, cache, i)`: the backward pass of both; returns `dx` and the layer's gradients, as
#   the parent's does.
#
# <details><summary>Hint</summary>Extend, do not copy: in a subclass, Python's `super()` hands a method its
# parent's version, so notebook 05's layer runs unchanged inside yours. Backward, the operations come in
# the reverse order of the forward pass: the chain rule, one gate after the other (notebook 01).</details>

# %% id="q11_dropout_net" kind="answer"
class DropoutNet(FullyConnectedNormNet):
    """Your FullyConnectedNormNet (notebook 05) with inverted dropout after every hidden ReLU.

    dropout_keep_ratio: keep probability p of your dropout (1: no dropout); the other arguments as
    FullyConnectedNormNet: hidden_dims, input_dim, num_classes, normalization, reg, weight_scale, seed
    """

    def __init__(self, hidden_dims, input_dim, num_classes, dropout_keep_ratio=1, **options):
        super().__init__(hidden_dims, input_dim, num_classes, **options)
        self.dropout_param = {"mode": "train", "p": dropout_keep_ratio, "seed": self.rng}

    def loss(self, X, y=None):
        """As FullyConnectedNormNet.loss: scores (N, C) when y is None, else (loss, grads)."""
        ### BEGIN SOLUTION
        self.dropout_param["mode"] = "test" if y is None else "train"
        ### END SOLUTION
        return super().loss(X, y)

    def hidden_forward(self, x, i):
        """Hidden layer i, then dropout. x: (N, dims[i-1]). Returns out (N, dims[i]) and cache."""
        out, cache = None, None
        ### BEGIN SOLUTION
        out, layer_cache = super().hidden_forward(x, i)
        drop_cache = None
        if self.dropout_param["p"] != 1:
            out, drop_cache = dropout_forward(out, self.dropout_param)
        cache = (layer_cache, drop_cache)
        ### END SOLUTION
        return out, cache

    def hidden_backward(self, dout, cache, i):
        """dout: (N, dims[i]); cache: from hidden_forward(x, i). Returns dx and the layer's grads."""
        dx, grads = None, {}
        ### BEGIN SOLUTION
        layer_cache, drop_cache = cache
        if drop_cache is not None:
            dout = dropout_backward(dout, drop_cache)
        dx, grads = super().hidden_backward(dout, layer_cache, i)
        ### END SOLUTION
        return dx, grads


# %% id="check_q11"
rng = np.random.default_rng(611)
X, y = rng.standard_normal((8, 6)), rng.integers(0, 3, size=8)
# 1. Keep probability 1 is your notebook-05 network; at test time (y None) dropout is off, whatever p.
plain = FullyConnectedNormNet([20, 20], 6, 3, weight_scale="he", seed=3)
same = DropoutNet([20, 20], 6, 3, dropout_keep_ratio=1, weight_scale="he", seed=3)
dropped = DropoutNet([20, 20], 6, 3, dropout_keep_ratio=0.5, weight_scale="he", seed=3)
assert same.loss(X, y)[0] == plain.loss(X, y)[0], "with keep probability 1, DropoutNet is FullyConnectedNormNet"
print("test-mode scores, keep 0.5 vs no dropout: largest difference",
      np.abs(dropped.loss(X) - plain.loss(X)).max())
assert np.allclose(dropped.loss(X), plain.loss(X), rtol=1e-12, atol=1e-12), (
    "at test time every unit is on and inverted dropout needs no rescaling: the scores of the plain network")
# 2. Training draws a fresh mask on every forward pass, so the loss changes from pass to pass.
losses = [dropped.loss(X, y)[0] for _ in range(3)]
print("three training losses with keep 0.5:", np.round(losses, 4), " without dropout:", round(plain.loss(X, y)[0], 4))
assert len(set(losses)) == 3, "in train mode each forward pass drops other units"
# 3. Gradient checks with a fixed mask (an int seed), for each normalization, reg > 0.
#    Threshold: relative error < 1e-6 (float64, whole nets, as in notebooks 04 and 05).
for normalization in (None, "batchnorm", "layernorm"):
    net = DropoutNet([7, 5], 6, 3, dropout_keep_ratio=0.6, normalization=normalization, reg=0.2,
                     weight_scale="he", seed=4)
    for name in net.params:
        if name.startswith("b"):  # the biases and the betas, off the ReLU's kink
            net.params[name] = 0.3 * rng.standard_normal(net.params[name].shape)
    net.dropout_param["seed"] = 123  # the same mask on every forward pass
    loss, grads = net.loss(X, y)
    errors = {}
    for name in sorted(net.params):
        if normalization == "batchnorm" and name in ("b1", "b2"):
            continue  # the bias before batch norm changes nothing (notebook 05): its gradient is 0
        num = eval_numerical_gradient(lambda _: net.loss(X, y)[0], net.params[name])
        result = check_gradient(grads[name], num, threshold=1e-6, name=f"{normalization}: d{name}", verbose=False)
        assert result.passed, str(result)
        errors[name] = result.max_rel_error
    print(f"normalization {normalization}: largest relative error {max(errors.values()):.1e} "
          f"(d{max(errors, key=errors.get)}; threshold 1e-6)")

# %% id="q11_dropout_net_test" kind="tests" points=3
_X, _y = np.random.default_rng(71).standard_normal((6, 5)), np.array([0, 1, 2, 0, 1, 2])
_plain = FullyConnectedNormNet([8, 8], 5, 3, reg=0.1, weight_scale="he", seed=71)
_net = DropoutNet([8, 8], 5, 3, dropout_keep_ratio=0.5, reg=0.1, weight_scale="he", seed=71)
assert np.allclose(_net.loss(_X.copy()), _plain.loss(_X.copy()), rtol=1e-10)  # no dropout at test time
_net.dropout_param["seed"] = 71  # the same mask on every forward pass
_loss, _grads = _net.loss(_X.copy(), _y.copy())
assert _loss != _plain.loss(_X.copy(), _y.copy())[0]  # dropout is on in training
_p = {k: np.array(v) for k, v in _net.params.items()}


def _loss_with(name, value):
    _net.params = {**_p, name: value}
    return _net.loss(_X.copy(), _y.copy())[0]


# Threshold: relative error < 1e-6 (whole nets)
for _k in ("W1", "b2", "W3"):
    _num = eval_numerical_gradient(lambda v, _k=_k: _loss_with(_k, v), _p[_k].copy())
    assert rel_error(_grads[_k], _num) < 1e-6, _k
_net.params = _p
### BEGIN HIDDEN TESTS
import cs231n_course.reference.classifiers as _clf
from cs231n_utils.testing import reference_disabled


def _ref_dropout_loss(p, X, y, reg, keep, seed, train=True):
    """Scores and loss of the {affine - relu - dropout} x 2 - affine net, masks from an int seed."""
    _h = X
    for _i in (1, 2):
        _h = np.maximum(0, _h @ p[f"W{_i}"] + p[f"b{_i}"])
        if train and keep != 1:
            _h = _h * (np.random.default_rng(seed).random(_h.shape) < keep) / keep
    _s = _h @ p["W3"] + p["b3"]
    _data = np.mean(np.logaddexp.reduce(_s, axis=1) - _s[np.arange(len(y)), y])
    return _s, _data + 0.5 * reg * sum(np.sum(p[f"W{_i}"] ** 2) for _i in (1, 2, 3))


def _check_dropout_net(N, D, H, C, reg, keep, seed):
    """Loss, grads and test scores of a DropoutNet with an int mask seed, and what they should be."""
    _rng = np.random.default_rng(seed)
    _net = DropoutNet([H, H], D, C, dropout_keep_ratio=keep, reg=reg, weight_scale="he", seed=seed)
    for _i in (1, 2, 3):
        _net.params[f"b{_i}"] = 0.3 * _rng.standard_normal(_net.params[f"b{_i}"].shape)
    _net.dropout_param["seed"] = seed
    _p = {k: np.array(_net.params[k]) for k in ("W1", "b1", "W2", "b2", "W3", "b3")}
    _X, _y = _rng.standard_normal((N, D)), _rng.integers(0, C, size=N)
    _num = {}
    for _k in _p:
        _q = {k: v.copy() for k, v in _p.items()}

        def _f(v, _k=_k, _q=_q):
            _q[_k] = v
            return _ref_dropout_loss(_q, _X, _y, reg, keep, seed)[1]
        _num[_k] = eval_numerical_gradient(_f, _p[_k].copy())
    _want = (_ref_dropout_loss(_p, _X, _y, reg, keep, seed)[1], _num,
             _ref_dropout_loss(_p, _X, _y, reg, keep, seed, train=False)[0])
    _loss, _grads = _net.loss(_X.copy(), _y.copy())
    _scores = _net.loss(_X.copy())
    return (_loss, _grads, _scores), _want


# (the reference DropoutNet's methods use super(), so its parent's are the ones switched off)
with reference_disabled(_clf.FullyConnectedNormNet.loss, _clf.FullyConnectedNormNet.hidden_forward,
                        _clf.FullyConnectedNormNet.hidden_backward, _clf.FullyConnectedNet.loss):
    for _args in [(7, 4, 6, 3, 0.0, 0.3, 72), (3, 6, 5, 4, 0.4, 0.8, 73), (5, 3, 9, 2, 0.2, 1, 74)]:
        (_loss, _grads, _scores), (_want, _num, _want_scores) = _check_dropout_net(*_args)
        assert abs(_loss - _want) < 1e-10, (_args, _loss, _want)
        assert np.allclose(_scores, _want_scores, rtol=1e-10), _args
        assert set(_grads) == set(_num), sorted(_grads)
        for _k in _num:
            assert rel_error(_grads[_k], _num[_k]) < 1e-6, (_args, _k, rel_error(_grads[_k], _num[_k]))
    # the generator as seed: a fresh mask on every forward pass, reproducible from the net's seed
    _X, _y = np.random.default_rng(75).standard_normal((10, 5)), np.arange(10) % 3
    _a = DropoutNet([30, 30], 5, 3, dropout_keep_ratio=0.5, weight_scale="he", seed=76)
    _b = DropoutNet([30, 30], 5, 3, dropout_keep_ratio=0.5, weight_scale="he", seed=76)
    _la = [_a.loss(_X.copy(), _y.copy())[0] for _ in range(3)]  # the originals stay ours
    assert len(set(_la)) == 3 and [_b.loss(_X.copy(), _y.copy())[0] for _ in range(3)] == _la
    # with a normalization: dropout after the normalized layer's ReLU, off at test time
    _n = DropoutNet([6], 4, 3, dropout_keep_ratio=0.7, normalization="layernorm", weight_scale="he", seed=77)
    _n.dropout_param["seed"] = 77
    _p = {k: np.array(v) for k, v in _n.params.items()}
    _X, _y = np.random.default_rng(78).standard_normal((5, 4)), np.array([0, 1, 2, 0, 1])
    _a1 = _X @ _p["W1"] + _p["b1"]
    _h = np.maximum(0, _p["gamma1"] * (_a1 - _a1.mean(axis=1, keepdims=True))
                    / np.sqrt(_a1.var(axis=1, keepdims=True) + 1e-5) + _p["beta1"])
    assert np.allclose(_n.loss(_X.copy()), _h @ _p["W2"] + _p["b2"], rtol=1e-10)
    _s = (_h * (np.random.default_rng(77).random(_h.shape) < 0.7) / 0.7) @ _p["W2"] + _p["b2"]
    _loss, _ = _n.loss(_X.copy(), _y.copy())
    assert abs(_loss - np.mean(np.logaddexp.reduce(_s, axis=1) - _s[np.arange(5), _y])) < 1e-10
### END HIDDEN TESTS

# %% [markdown] id="wq3_question"
# ### Written question 3 (2 points, graded by hand): dropout on and off on the same curve
#
# A classmate trains the 784-100-10 net twice on 1,000 digits, plain and as a `DropoutNet` with keep
# probability 0.5, and reports for the dropout run:
#
# * the training loss the `Solver` records at every iteration stays around 0.6, while the plain run's
#   falls to 0.01;
# * the training accuracy, measured after each epoch with `net.loss(X_train)` (scores only, so `y` is
#   `None`), reaches 98%, close to the plain run's 100%;
# * the validation accuracies are 89% (plain) and 91% (dropout).
#
# (a) How can the same run have a high training loss and a high training accuracy on the same images?
# (b) They conclude: "the training loss is 60 times higher, so dropout underfits; I should raise the keep
# probability." Is the training loss the right evidence for that decision? Say what you would compare
# instead, and which way that comparison would move the keep probability.
#
# You can watch both curves with your `DropoutNet` and the `Solver` (`solver.loss_history`,
# `solver.train_acc_history`, `solver.val_acc_history`). Write your answer in the next cell (a few
# sentences).

# %% [markdown] id="wq3_inverted_dropout_scaling" kind="written" points=2
# **Your answer:**
#
# ### BEGIN SOLUTION
# *Model answer.* (a) The two numbers measure different networks. The recorded loss is computed in training
# mode, so every forward pass runs a random thinned network with half the hidden units off: a weaker, noisier
# network whose loss stays high. The accuracy is computed without labels, in test mode: dropout is off and
# the full network (with inverted dropout, an approximate average of all the thinned ones) is used, and it
# fits the training images well. (b) No: the loss with dropout on is not the model being judged. Compare the
# full network's training accuracy (dropout off) with its validation accuracy: 98% against 91% is still a
# gap of 7 points, so it still overfits; if anything the keep probability should go *down* (stronger
# dropout), or stay, and be tuned on the validation accuracy. Raising it is the move for underfitting: low
# training accuracy with dropout off and little gap.
#
# RUBRIC (2 points)
# - 1 point: (a) the training loss is measured with dropout on (a random thinned network), the accuracy with
#   dropout off (the full network); one of the two halves stated with the other implied suffices
# - 1 point: (b) the decision rests on the gap between training accuracy with dropout off and validation
#   accuracy (7 points here, so still overfitting): keep p or lower it, not raise it
# - A wrong extra claim costs the point of its part (e.g. "test mode multiplies by p", "the loss is high
#   because the weights are smaller"); a right direction without the gap as the reason earns no point.
# ### END SOLUTION

# %% [markdown] id="regularization_on_mnist"
# ## 11. What regularization does on 1,000 MNIST digits
#
# Everything together, with your Adam ($\alpha = 10^{-3}$, 25 epochs) on the 784-100-10 net and the 1,000
# training digits:
#
# * **plain**: no regularization;
# * **+ L2**: `reg = 0.01`;
# * **+ dropout**: keep probability 0.5 on the hidden layer: your `DropoutNet`, on your inverted dropout;
# * **+ augmentation**: every mini-batch randomly shifted by up to 2 pixels, with your `random_shifts`
#   (a small wrapper model augments the inputs whenever the `Solver` asks for a training loss);
# * **ensemble**: the plain net and two more trained with seeds 1 and 2, probabilities averaged with
#   your `ensemble_probabilities`.
#
# The `Solver` keeps the parameters with the best validation accuracy, so the validation numbers are a
# little optimistic; the test accuracy (1,000 digits none of the models has seen) is the honest one.
#
# **A common pattern.** Dropout adds randomness in training (a random mask) and averages it out at test
# time (the $1/p$ scaling). So do data augmentation (random shifts, then the plain image), batch
# normalization (the statistics of a random mini-batch, then the running averages; notebook 05),
# *DropConnect* (zero random weights instead of units) and *fractional max pooling* (pooling regions of
# random sizes, notebook 07). When the training set is small, the strongest regularizer is often not on
# this list: start from a network trained on a large data set (*transfer learning*, notebook 07).

# %% id="demo_regularization_on_mnist"
class AugmentedModel:
    """Wraps a model: each training loss sees its mini-batch randomly shifted by up to max_shift."""

    def __init__(self, model, max_shift, seed=0):
        self.model, self.max_shift = model, max_shift
        self.params = model.params  # the same dict: the Solver's updates reach the wrapped model
        self.rng = np.random.default_rng(seed)

    def loss(self, X, y=None):
        if y is not None:
            images = X.reshape(-1, 1, 28, 28)
            X = random_shifts(images, self.max_shift, self.rng).reshape(len(X), -1)
        return self.model.loss(X, y)


def accuracy(probs_or_scores, y):
    return float(np.mean(np.argmax(probs_or_scores, axis=1) == y))


adam_config = {"learning_rate": 1e-3}
variants = {
    "plain": {},
    "+ L2 (reg 0.01)": {"reg": 0.01},
    "+ dropout (keep 0.5)": {"net_class": DropoutNet, "dropout_keep_ratio": 0.5},
    "+ augmentation (shift <= 2)": {"wrap": lambda net: AugmentedModel(net, max_shift=2)},
}
results, solvers, nets = {}, {}, {}
for name, options in variants.items():
    nets[name], solvers[name] = train_mnist(adam, adam_config, num_epochs=25, **options)
members = [nets["plain"]] + [train_mnist(adam, adam_config, num_epochs=25, seed=s)[0] for s in (1, 2)]

print(f"{'':30s} {'train acc':>9s} {'val acc':>8s} {'test acc':>9s}")
for name, net in nets.items():
    row = [accuracy(net.loss(mnist[f"X_{part}"]), mnist[f"y_{part}"]) for part in ("train", "val", "test")]
    results[name] = row
    print(f"{name:30s} {row[0]:9.3f} {row[1]:8.3f} {row[2]:9.3f}")
row = [accuracy(ensemble_probabilities([m.loss(mnist[f"X_{part}"]) for m in members]), mnist[f"y_{part}"])
       for part in ("train", "val", "test")]
results["ensemble of 3 plain nets"] = row
print(f"{'ensemble of 3 plain nets':30s} {row[0]:9.3f} {row[1]:8.3f} {row[2]:9.3f}")

# %% [markdown] id="overfitting_curves"
# The training curves of the plain net: the training accuracy reaches ~100% within a few epochs while
# the validation accuracy stalls around 90%. That gap is the overfitting regularization works on.

# %% id="fig_overfitting_curves"
plain = solvers["plain"]
plot_loss_history(plain.loss_history, plain.train_acc_history, plain.val_acc_history)

# %% id="fig_validation_accuracy"
fig, ax = plt.subplots(figsize=(7, 4))
for name, solver in solvers.items():
    ax.plot(solver.val_acc_history, "o-", ms=3, label=name)
ax.set(xlabel="epoch", ylabel="validation accuracy", title="Validation accuracy during training",
       ylim=(0.8, 0.95))
ax.legend()
plt.show()

# %% [markdown] id="how_to_read_the_table"
# How to read the table honestly: with 1,000 validation digits, one accuracy has a standard error of
# about $\sqrt{0.9 \cdot 0.1 / 1000} \approx 0.01$, so differences of a percent or less between rows are
# within the noise of the measurement: rerun with other seeds and the order of the rows changes. What
# every regularizer does reliably is visible in the first column: it lowers the training accuracy, and
# narrows the gap between training and validation accuracy. Whether that buys validation accuracy
# depends on the problem, the amount of training and the strength of the regularizer; a percent or two is
# what the lecture promises for ensembles. Augmented data is harder to fit (note its training accuracy),
# so it usually needs more epochs than the plain net to pay off. Try it: train longer, combine dropout with
# augmentation, use a wider network, or tune `reg` and the keep probability on the validation set.
#
# ## Summary
#
# * Plain SGD zig-zags when the loss is ill-conditioned and stalls at saddle points. **Momentum** and
#   **Nesterov** average the gradient over time; **AdaGrad**, **RMSProp** and **Adam** give every parameter
#   its own step size (a diagonal correction: it cures axis-aligned ill-conditioning, not a tilted one).
#   Adam (momentum + RMSProp + bias correction) is a common default; well-tuned SGD + momentum is still
#   competitive on many real networks.
# * Update rules share one API, `next_w, config = rule(w, dw, config)`, with the state in `config`.
# * **Learning-rate decay** (step, exponential, 1/t) lets training settle below the mini-batch noise; tune
#   without it first, then add it where the loss curve flattens.
# * A **Newton step** solves a quadratic in one step, but the Hessian of a 1M-parameter net would take
#   8 TB; L-BFGS avoids storing it but needs full, noise-free batches.
# * **Regularization** trades training accuracy for generalization: L2 (= weight decay for SGD),
#   **inverted dropout** (scale by $1/p$ at train time, identity at test time), **data augmentation**
#   (label-preserving transformations: shifts yes, flips not for digits) and **ensembles** (average the
#   probabilities). Dropout goes after every hidden ReLU: your `DropoutNet` extends notebook 05's network
#   layer by layer, on top of its normalization. Dropout, batch normalization, augmentation and fractional max pooling (notebook 07)
#   share one pattern: randomness in training, averaged out at test time.
#
# Next, notebook 07 builds convolutional networks: layers that bake a shift-invariance into the
# architecture itself, rather than teaching it by augmentation.
