"""Fully connected classifiers built from the reference layers.

A model has `params` (dict name -> array) and `loss(X, y=None)`: with y=None it returns the class
scores (N, C); with labels it returns (loss, grads), grads shaped like params. That is the API
cs231n_utils.solver.Solver trains.
"""

import numpy as np

from .layers import (
    affine_backward,
    affine_forward,
    affine_relu_backward,
    affine_relu_forward,
    batchnorm_backward_alt,
    batchnorm_forward,
    dropout_backward,
    dropout_forward,
    layernorm_backward,
    layernorm_forward,
    relu_backward,
    relu_forward,
    softmax_loss,
)


def _init_std(weight_scale, fan_in):
    """Standard deviation of the initial weights of a layer with fan_in inputs."""
    if weight_scale == "he":
        return np.sqrt(2 / fan_in)  # keeps the variance of ReLU activations from layer to layer
    if weight_scale == "xavier":
        return np.sqrt(1 / fan_in)
    if isinstance(weight_scale, str):
        raise ValueError(f'Invalid weight_scale "{weight_scale}"')
    return weight_scale


class TwoLayerNet:
    """affine - relu - affine - softmax, with L2 regularization 0.5 * reg * sum(W^2).

    input_dim: D;  hidden_dim: H;  num_classes: C
    weight_scale: standard deviation of the random initial weights (biases start at 0)
    reg: L2 regularization strength;  seed: seed of the initialization
    params: W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)
    """

    def __init__(self, input_dim, hidden_dim, num_classes, weight_scale=1e-3, reg=0.0, seed=0):
        rng = np.random.default_rng(seed)
        self.reg = reg
        self.params = {
            "W1": weight_scale * rng.standard_normal((input_dim, hidden_dim)),
            "b1": np.zeros(hidden_dim),
            "W2": weight_scale * rng.standard_normal((hidden_dim, num_classes)),
            "b2": np.zeros(num_classes),
        }

    def loss(self, X, y=None):
        """X: (N, d_1, ..., d_k) inputs, D = d_1 * ... * d_k;  y: (N,) labels or None.

        Returns scores (N, C) if y is None, else (loss, grads) with grads shaped like params.
        """
        W1, b1, W2, b2 = (self.params[k] for k in ("W1", "b1", "W2", "b2"))
        hidden, hidden_cache = affine_relu_forward(X, W1, b1)
        scores, scores_cache = affine_forward(hidden, W2, b2)
        if y is None:
            return scores

        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * (np.sum(W1**2) + np.sum(W2**2))
        grads = {}
        dhidden, grads["W2"], grads["b2"] = affine_backward(dscores, scores_cache)
        _, grads["W1"], grads["b1"] = affine_relu_backward(dhidden, hidden_cache)
        grads["W1"] += self.reg * W1
        grads["W2"] += self.reg * W2
        return loss, grads


class FullyConnectedNet:
    """{affine - [batchnorm] - relu - [dropout]} x (L - 1) - affine - softmax.

    hidden_dims: list of the L - 1 hidden sizes;  input_dim: D;  num_classes: C
    dropout_keep_ratio: keep probability of (inverted) dropout; 1 means no dropout
    normalization: None or "batchnorm"
    reg: L2 regularization strength, 0.5 * reg * sum(W^2) over the weight matrices
    weight_scale: a float (the standard deviation of the initial weights), "he"
      (sqrt(2 / fan_in), for ReLU) or "xavier" (sqrt(1 / fan_in))
    dtype: dtype of the parameters and the computation (np.float64 for gradient checks)
    seed: seed of the initialization and of the dropout masks
    params: W1, b1, ..., WL, bL; with batchnorm also gamma1, beta1, ..., gamma{L-1}, beta{L-1}
    """

    def __init__(self, hidden_dims, input_dim, num_classes, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float64, seed=0):
        if normalization not in (None, "batchnorm"):
            raise ValueError(f'Invalid normalization "{normalization}"')
        rng = np.random.default_rng(seed)
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = len(hidden_dims) + 1
        self.dtype = dtype

        self.params = {}
        dims = [input_dim, *hidden_dims, num_classes]
        for i in range(1, self.num_layers + 1):
            fan_in, fan_out = dims[i - 1], dims[i]
            std = _init_std(weight_scale, fan_in)
            self.params[f"W{i}"] = std * rng.standard_normal((fan_in, fan_out))
            self.params[f"b{i}"] = np.zeros(fan_out)
            if normalization == "batchnorm" and i < self.num_layers:
                self.params[f"gamma{i}"] = np.ones(fan_out)
                self.params[f"beta{i}"] = np.zeros(fan_out)
        self.params = {k: v.astype(dtype) for k, v in self.params.items()}

        # The generator as seed gives a fresh, reproducible mask on every forward pass.
        self.dropout_param = {"mode": "train", "p": dropout_keep_ratio, "seed": rng}
        self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)]

    def loss(self, X, y=None):
        """X: (N, d_1, ..., d_k) inputs;  y: (N,) labels or None.

        y=None runs in test mode (running batchnorm statistics, no dropout) and returns scores
        (N, C); otherwise train mode, returning (loss, grads) with grads shaped like params.
        """
        mode = "test" if y is None else "train"
        self.dropout_param["mode"] = mode
        for bn_param in self.bn_params:
            bn_param["mode"] = mode

        caches = []
        out = X.astype(self.dtype, copy=False)
        for i in range(1, self.num_layers):
            out, fc_cache = affine_forward(out, self.params[f"W{i}"], self.params[f"b{i}"])
            bn_cache = do_cache = None
            if self.normalization == "batchnorm":
                out, bn_cache = batchnorm_forward(out, self.params[f"gamma{i}"],
                                                  self.params[f"beta{i}"], self.bn_params[i - 1])
            out, relu_cache = relu_forward(out)
            if self.use_dropout:
                out, do_cache = dropout_forward(out, self.dropout_param)
            caches.append((fc_cache, bn_cache, relu_cache, do_cache))
        L = self.num_layers
        scores, scores_cache = affine_forward(out, self.params[f"W{L}"], self.params[f"b{L}"])
        if y is None:
            return scores

        loss, dout = softmax_loss(scores, y)
        grads = {}
        dout, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dout, scores_cache)
        for i in range(L - 1, 0, -1):
            fc_cache, bn_cache, relu_cache, do_cache = caches[i - 1]
            if self.use_dropout:
                dout = dropout_backward(dout, do_cache)
            dout = relu_backward(dout, relu_cache)
            if self.normalization == "batchnorm":
                dout, grads[f"gamma{i}"], grads[f"beta{i}"] = batchnorm_backward_alt(dout, bn_cache)
            dout, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(dout, fc_cache)
        for i in range(1, L + 1):
            W = self.params[f"W{i}"]
            loss += 0.5 * self.reg * np.sum(W**2)
            grads[f"W{i}"] += self.reg * W
        return loss, grads


def init_weights(fan_in, fan_out, scheme, rng):
    """Gaussian weights (fan_in, fan_out) with std 0.01 ("small"), 1 ("large"), 1 / sqrt(fan_in)
    ("xavier") or sqrt(2 / fan_in) ("he"), from one rng.standard_normal draw (notebook 05)."""
    std = {"small": 0.01, "large": 1.0, "xavier": np.sqrt(1 / fan_in), "he": np.sqrt(2 / fan_in)}[scheme]
    return std * rng.standard_normal((fan_in, fan_out))


class FullyConnectedNormNet:
    """{affine - [batchnorm or layernorm] - relu} x (L - 1) - affine - softmax (notebook 05).

    The hidden layers run through hidden_forward / hidden_backward, which a subclass can extend
    (DropoutNet, notebook 06).
    hidden_dims: the L - 1 hidden sizes;  input_dim: D;  num_classes: C
    normalization: None, "batchnorm" or "layernorm"
    reg: L2 strength, 0.5 * reg * sum(W^2) over the weight matrices
    weight_scale: std of the initial weights, or an init_weights scheme ("he", "xavier", ...)
    seed: of the initialization; self.rng goes on with the same generator (dropout masks)
    params: W1, b1, ..., WL, bL; with normalization also gamma1, beta1, ..., gamma{L-1}, beta{L-1}
    """

    def __init__(self, hidden_dims, input_dim, num_classes, normalization=None, reg=0.0,
                 weight_scale=1e-2, seed=0):
        if normalization not in (None, "batchnorm", "layernorm"):
            raise ValueError(f'Invalid normalization "{normalization}"')
        self.normalization, self.reg = normalization, reg
        self.num_layers = len(hidden_dims) + 1
        self.rng = np.random.default_rng(seed)
        dims = [input_dim, *hidden_dims, num_classes]
        self.params = {}
        for i in range(1, self.num_layers + 1):
            if isinstance(weight_scale, str):
                W = init_weights(dims[i - 1], dims[i], weight_scale, self.rng)
            else:
                W = weight_scale * self.rng.standard_normal((dims[i - 1], dims[i]))
            self.params[f"W{i}"], self.params[f"b{i}"] = W, np.zeros(dims[i])
        if normalization is not None:
            for i in range(1, self.num_layers):
                self.params[f"gamma{i}"], self.params[f"beta{i}"] = np.ones(dims[i]), np.zeros(dims[i])
        self.norm_params = [{"mode": "train"} for _ in hidden_dims]

    def hidden_forward(self, x, i):
        """Hidden layer i (1 .. L-1). x: (N, dims[i-1]). Returns out (N, dims[i]) and cache."""
        a, fc_cache = affine_forward(x, self.params[f"W{i}"], self.params[f"b{i}"])
        norm_cache = None
        if self.normalization is not None:
            forward = batchnorm_forward if self.normalization == "batchnorm" else layernorm_forward
            a, norm_cache = forward(a, self.params[f"gamma{i}"], self.params[f"beta{i}"],
                                    self.norm_params[i - 1])
        out, relu_cache = relu_forward(a)
        return out, (fc_cache, norm_cache, relu_cache)

    def hidden_backward(self, dout, cache, i):
        """dout: (N, dims[i]); cache: from hidden_forward(x, i).
        Returns dx (N, dims[i-1]) and a dict of the gradients of layer i's parameters."""
        fc_cache, norm_cache, relu_cache = cache
        grads = {}
        da = relu_backward(dout, relu_cache)
        if self.normalization is not None:
            backward = batchnorm_backward_alt if self.normalization == "batchnorm" else layernorm_backward
            da, grads[f"gamma{i}"], grads[f"beta{i}"] = backward(da, norm_cache)
        dx, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(da, fc_cache)
        return dx, grads

    def loss(self, X, y=None):
        """X: (N, D);  y: (N,) labels or None.

        y=None: test mode (batchnorm's running averages), returns scores (N, C); otherwise train
        mode, returns (loss, grads) with grads shaped like params.
        """
        for norm_param in self.norm_params:
            norm_param["mode"] = "test" if y is None else "train"
        L = self.num_layers
        caches, out = [], X
        for i in range(1, L):
            out, cache = self.hidden_forward(out, i)
            caches.append(cache)
        scores, scores_cache = affine_forward(out, self.params[f"W{L}"], self.params[f"b{L}"])
        if y is None:
            return scores
        loss, dout = softmax_loss(scores, y)
        grads = {}
        dout, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dout, scores_cache)
        for i in range(L - 1, 0, -1):
            dout, layer_grads = self.hidden_backward(dout, caches[i - 1], i)
            grads.update(layer_grads)
        for i in range(1, L + 1):
            W = self.params[f"W{i}"]
            loss += 0.5 * self.reg * np.sum(W**2)
            grads[f"W{i}"] = grads[f"W{i}"] + self.reg * W
        return loss, grads


class DropoutNet(FullyConnectedNormNet):
    """FullyConnectedNormNet with inverted dropout after every hidden ReLU (notebook 06):
    {affine - [norm] - relu - dropout} x (L - 1) - affine - softmax.

    dropout_keep_ratio: keep probability p (1: no dropout); the masks come from self.rng (a fresh
    mask on every forward pass), or from dropout_param["seed"] when a test sets an int there.
    Other arguments as FullyConnectedNormNet.
    """

    def __init__(self, hidden_dims, input_dim, num_classes, dropout_keep_ratio=1, **options):
        super().__init__(hidden_dims, input_dim, num_classes, **options)
        self.dropout_param = {"mode": "train", "p": dropout_keep_ratio, "seed": self.rng}

    def loss(self, X, y=None):
        self.dropout_param["mode"] = "test" if y is None else "train"
        return super().loss(X, y)

    def hidden_forward(self, x, i):
        out, cache = super().hidden_forward(x, i)
        drop_cache = None
        if self.dropout_param["p"] != 1:
            out, drop_cache = dropout_forward(out, self.dropout_param)
        return out, (cache, drop_cache)

    def hidden_backward(self, dout, cache, i):
        layer_cache, drop_cache = cache
        if drop_cache is not None:
            dout = dropout_backward(dout, drop_cache)
        return super().hidden_backward(dout, layer_cache, i)
