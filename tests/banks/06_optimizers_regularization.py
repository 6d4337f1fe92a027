"""Wrong answers for notebook 06: the mistakes learners make with update rules and regularizers."""

DEPENDS = {}

_PACKAGE_CALL = "calls the package's reference"

BANK = {
    "q1_sgd_momentum": [
        ("momentum adds dw instead of subtracting learning_rate * dw",
         'v = config["momentum"] * v - config["learning_rate"] * dw',
         'v = config["momentum"] * v + dw'),
        ("velocity not stored back in config",
         '    config["velocity"] = v\n', ""),
        ("step taken with the old velocity",
         '    v = config["momentum"] * v - config["learning_rate"] * dw\n'
         '    config["velocity"] = v\n    next_w = w + v\n',
         '    next_w = w + v\n'
         '    v = config["momentum"] * v - config["learning_rate"] * dw\n'
         '    config["velocity"] = v\n'),
        ("SGD steps up the gradient",
         'next_w = w - config["learning_rate"] * dw', 'next_w = w + config["learning_rate"] * dw'),
        ("SGD ignores the configured learning rate",
         'next_w = w - config["learning_rate"] * dw', "next_w = w - 1e-2 * dw"),
        (_PACKAGE_CALL,
         '    v = config["momentum"] * v - config["learning_rate"] * dw\n'
         '    config["velocity"] = v\n    next_w = w + v\n',
         "    from cs231n_utils import optim as ref\n"
         "    next_w, config = ref.sgd_momentum(w, dw, config)\n"),
    ],
    "q2_nesterov": [
        ("Nesterov written as plain momentum",
         "next_w = w - mu * v_prev + (1 + mu) * v", "next_w = w + v"),
        ("sign of the look-ahead correction flipped",
         "next_w = w - mu * v_prev + (1 + mu) * v", "next_w = w + mu * v_prev + (1 + mu) * v"),
        ("forgot the (1 + mu) factor",
         "next_w = w - mu * v_prev + (1 + mu) * v", "next_w = w - mu * v_prev + v"),
        ("velocity not stored back in config",
         '    config["velocity"] = v\n', ""),
        (_PACKAGE_CALL,
         '    v = mu * v_prev - config["learning_rate"] * dw\n'
         '    config["velocity"] = v\n'
         "    next_w = w - mu * v_prev + (1 + mu) * v\n",
         "    from cs231n_utils import optim as ref\n"
         "    next_w, config = ref.nesterov_momentum(w, dw, config)\n"),
    ],
    "q3_adagrad": [
        ("AdaGrad without the square",
         "cache = cache + dw**2", "cache = cache + dw"),
        ("epsilon inside the square root",
         'dw / (np.sqrt(cache) + config["epsilon"])', 'dw / np.sqrt(cache + config["epsilon"])'),
        ("no square root",
         'dw / (np.sqrt(cache) + config["epsilon"])', 'dw / (cache + config["epsilon"])'),
        ("cache not stored back in config",
         '    config["cache"] = cache\n', ""),
        (_PACKAGE_CALL,
         "    cache = cache + dw**2\n"
         '    config["cache"] = cache\n'
         '    next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])\n',
         "    from cs231n_utils import optim as ref\n"
         "    next_w, config = ref.adagrad(w, dw, config)\n"),
    ],
    "q4_rmsprop": [
        ("cache without decay (that is AdaGrad)",
         "cache = decay * cache + (1 - decay) * dw**2", "cache = cache + dw**2"),
        ("decay weights swapped",
         "cache = decay * cache + (1 - decay) * dw**2", "cache = (1 - decay) * cache + decay * dw**2"),
        ("epsilon inside the square root",
         'dw / (np.sqrt(cache) + config["epsilon"])', 'dw / np.sqrt(cache + config["epsilon"])'),
        ("cache not stored back in config",
         '    config["cache"] = cache\n', ""),
        (_PACKAGE_CALL,
         "    cache = decay * cache + (1 - decay) * dw**2\n"
         '    config["cache"] = cache\n'
         '    next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])\n',
         "    from cs231n_utils import optim as ref\n"
         "    next_w, config = ref.rmsprop(w, dw, config)\n"),
    ],
    "q5_adam": [
        ("no bias correction",
         "m_hat = m / (1 - beta1**t)\n    v_hat = v / (1 - beta2**t)",
         "m_hat = m\n    v_hat = v"),
        ("t incremented after use (off by one)",
         "    t = t + 1\n"
         "    m = beta1 * m + (1 - beta1) * dw\n"
         "    v = beta2 * v + (1 - beta2) * dw**2\n"
         "    m_hat = m / (1 - beta1**t)\n"
         "    v_hat = v / (1 - beta2**t)\n"
         '    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])\n',
         "    m = beta1 * m + (1 - beta1) * dw\n"
         "    v = beta2 * v + (1 - beta2) * dw**2\n"
         "    m_hat = m / (1 - beta1**t)\n"
         "    v_hat = v / (1 - beta2**t)\n"
         '    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])\n'
         "    t = t + 1\n"),
        ("t not stored back in config",
         "config.update(t=t, m=m, v=v)", "config.update(m=m, v=v)"),
        ("epsilon inside the square root",
         'm_hat / (np.sqrt(v_hat) + config["epsilon"])', 'm_hat / np.sqrt(v_hat + config["epsilon"])'),
        ("bias-corrects v with beta1",
         "v_hat = v / (1 - beta2**t)\n    next_w", "v_hat = v / (1 - beta1**t)\n    next_w"),
        ("no square root of v_hat",
         'm_hat / (np.sqrt(v_hat) + config["epsilon"])', 'm_hat / (v_hat + config["epsilon"])'),
        (_PACKAGE_CALL,
         '    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])\n'
         "    config.update(t=t, m=m, v=v)\n",
         "    from cs231n_utils import optim as ref\n"
         "    next_w, config = ref.adam(w, dw, config)\n"),
    ],
    "q6_lr_schedules": [
        ("exponential decay with the wrong sign",
         "lr = lr0 * np.exp(-k * t)", "lr = lr0 * np.exp(k * t)"),
        ("step decay without the floor",
         "lr = lr0 * drop ** (t // every)", "lr = lr0 * drop ** (t / every)"),
        ("step decay multiplies instead of raising to a power",
         "lr = lr0 * drop ** (t // every)", "lr = lr0 * drop * (t // every)"),
        ("1/t decay ignores k",
         "lr = lr0 / (1 + k * t)", "lr = lr0 / (1 + t)"),
        ("1/t decay without the 1",
         "lr = lr0 / (1 + k * t)", "lr = lr0 / (k * t)"),
    ],
    "q7_newton_step": [
        ("steps up the gradient",
         "next_w = w - np.linalg.solve(hessian(w), grad(w))",
         "next_w = w + np.linalg.solve(hessian(w), grad(w))"),
        ("multiplies by H instead of H^-1",
         "next_w = w - np.linalg.solve(hessian(w), grad(w))",
         "next_w = w - hessian(w) @ grad(w)"),
        ("uses only the diagonal of the Hessian",
         "next_w = w - np.linalg.solve(hessian(w), grad(w))",
         "next_w = w - grad(w) / np.diag(hessian(w))"),
        ("a gradient step with learning rate 1",
         "next_w = w - np.linalg.solve(hessian(w), grad(w))",
         "next_w = w - grad(w)"),
    ],
    "q8_dropout": [
        ("dropout not inverted (no 1/p at train time)",
         "mask = (rng.random(x.shape) < p) / p", "mask = (rng.random(x.shape) < p) * 1.0"),
        ("scales by p at test time",
         "        out = x\n", "        out = x * p\n"),
        ("p used as the drop probability",
         "mask = (rng.random(x.shape) < p) / p", "mask = (rng.random(x.shape) < 1 - p) / (1 - p)"),
        ("a new random mask in the backward pass",
         "        dx = dout * mask\n",
         '        dx = dout * (np.random.default_rng().random(dout.shape) < dropout_param["p"])'
         ' / dropout_param["p"]\n'),
        ("backward forgets the 1/p",
         "        dx = dout * mask\n", "        dx = dout * (mask > 0)\n"),
        ("the same mask on every call (seed ignored, fixed at 0)",
         "mask = (rng.random(x.shape) < p) / p",
         "mask = (np.random.default_rng(0).random(x.shape) < p) / p"),
        (_PACKAGE_CALL,
         "        mask = (rng.random(x.shape) < p) / p\n        out = x * mask\n",
         "        from cs231n_utils.layers import dropout_forward as ref\n"
         "        out, mask = ref(x, dropout_param)\n"),
    ],
    "q9_augmentation": [
        ("shifts along the wrong axes",
         "out[:, :, dst_rows, dst_cols] = X[:, :, src_rows, src_cols]",
         "out[:, :, dst_cols, dst_rows] = X[:, :, src_cols, src_rows]"),
        ("shifts in the opposite direction",
         "out[:, :, dst_rows, dst_cols] = X[:, :, src_rows, src_cols]",
         "out[:, :, src_rows, src_cols] = X[:, :, dst_rows, dst_cols]"),
        ("wraps around with np.roll instead of filling with zeros",
         "out[:, :, dst_rows, dst_cols] = X[:, :, src_rows, src_cols]",
         "out = np.roll(X, (dy, dx), axis=(2, 3))"),
        ("crop corners off by one (never the last position)",
         "tops = rng.integers(0, H - size + 1, size=N)", "tops = rng.integers(0, H - size, size=N)"),
        ("one crop row for the whole batch",
         "tops = rng.integers(0, H - size + 1, size=N)",
         "tops = np.full(N, rng.integers(0, H - size + 1))"),
        ("vertical instead of horizontal flip",
         "out = X[:, :, :, ::-1]", "out = X[:, :, ::-1, :]"),
        ("reverses the batch instead of the columns",
         "out = X[:, :, :, ::-1]", "out = X[::-1]"),
    ],
    "q10_ensemble": [
        ("averages the scores, then one softmax",
         "    for scores in scores_list:\n"
         "        shifted = scores - scores.max(axis=1, keepdims=True)\n"
         "        exp_scores = np.exp(shifted)\n"
         "        probs += exp_scores / exp_scores.sum(axis=1, keepdims=True)\n"
         "    probs /= len(scores_list)\n",
         "    mean_scores = np.mean(scores_list, axis=0)\n"
         "    exp_scores = np.exp(mean_scores - mean_scores.max(axis=1, keepdims=True))\n"
         "    probs = exp_scores / exp_scores.sum(axis=1, keepdims=True)\n"),
        ("softmax normalized over the wrong axis",
         "exp_scores / exp_scores.sum(axis=1, keepdims=True)",
         "exp_scores / exp_scores.sum(axis=0, keepdims=True)"),
        ("no max subtraction (overflows)",
         "shifted = scores - scores.max(axis=1, keepdims=True)", "shifted = scores"),
        ("forgot to divide by the number of models",
         "    probs /= len(scores_list)\n", ""),
    ],
}
