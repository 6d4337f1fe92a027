"""First-order update rules.

Every rule has the signature `next_w, config = rule(w, dw, config=None)`:

  w: array of current weights;  dw: gradient of the loss w.r.t. w, same shape
  config: dict of hyperparameters (learning_rate, ...) and of the rule's state (velocity, the
    running averages, the step counter t). Missing hyperparameters get defaults via setdefault.
  Returns next_w (same shape as w) and config, which holds the updated state and must be passed
  back in on the next step for this w. Each parameter array needs its own config.
"""

import numpy as np


def sgd(w, dw, config=None):
    """Vanilla SGD: w -= learning_rate * dw.

    config: learning_rate (default 1e-2)
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return w - config["learning_rate"] * dw, config


def sgd_momentum(w, dw, config=None):
    """SGD with momentum: v = momentum * v - learning_rate * dw; w += v.

    config: learning_rate (default 1e-2), momentum (default 0.9), velocity (state, like w)
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def nesterov_momentum(w, dw, config=None):
    """Nesterov momentum, rewritten so that dw is taken at w itself, not at a look-ahead point.

    v_prev = v; v = momentum * v - learning_rate * dw; w += -momentum * v_prev + (1 + momentum) * v
    config: learning_rate (default 1e-2), momentum (default 0.9), velocity (state, like w)
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    mu = config["momentum"]
    v_prev = config.get("velocity", np.zeros_like(w))
    v = mu * v_prev - config["learning_rate"] * dw
    config["velocity"] = v
    return w - mu * v_prev + (1 + mu) * v, config


def adagrad(w, dw, config=None):
    """AdaGrad: cache += dw^2; w -= learning_rate * dw / (sqrt(cache) + epsilon).

    config: learning_rate (default 1e-2), epsilon (default 1e-8), cache (state, like w)
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w)) + dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def rmsprop(w, dw, config=None):
    """RMSProp: AdaGrad with a leaky (moving-average) cache of squared gradients.

    cache = decay_rate * cache + (1 - decay_rate) * dw^2;
    w -= learning_rate * dw / (sqrt(cache) + epsilon)
    config: learning_rate (default 1e-2), decay_rate (default 0.99), epsilon (default 1e-8),
      cache (state, like w)
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    decay = config["decay_rate"]
    cache = decay * config.get("cache", np.zeros_like(w)) + (1 - decay) * dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def adam(w, dw, config=None):
    """Adam: momentum (m) plus RMSProp (v), both bias-corrected for their zero start.

    t += 1; m = beta1 * m + (1 - beta1) * dw; v = beta2 * v + (1 - beta2) * dw^2
    w -= learning_rate * m_hat / (sqrt(v_hat) + epsilon), m_hat = m / (1 - beta1^t),
    v_hat = v / (1 - beta2^t)
    config: learning_rate (default 1e-3), beta1 (default 0.9), beta2 (default 0.999),
      epsilon (default 1e-8), m and v (state, like w), t (state, step counter, starts at 0)
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    beta1, beta2 = config["beta1"], config["beta2"]
    t = config.get("t", 0) + 1
    m = beta1 * config.get("m", np.zeros_like(w)) + (1 - beta1) * dw
    v = beta2 * config.get("v", np.zeros_like(w)) + (1 - beta2) * dw**2
    config.update(t=t, m=m, v=v)
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config
