"""A small convolutional network built from the layers in `layers` and `fast_layers`."""

import numpy as np

from .fast_layers import (
    conv_output_size,
    conv_relu_pool_backward,
    conv_relu_pool_forward,
)
from .layers import (
    affine_backward,
    affine_forward,
    affine_relu_backward,
    affine_relu_forward,
    softmax_loss,
)


class ThreeLayerConvNet:
    """conv - relu - 2x2 max pool - affine - relu - affine - softmax.

    Works on minibatches of N images of shape (C, H, W). The convolution has stride 1 and
    zero padding (filter_size - 1) / 2, so it keeps H and W; the pool halves them.

    params: W1 (F, C, filter_size, filter_size), b1 (F,), W2 (F * H/2 * W/2, hidden_dim),
    b2 (hidden_dim,), W3 (hidden_dim, num_classes), b3 (num_classes,)
    """

    def __init__(self, input_dim=(1, 28, 28), num_filters=32, filter_size=7, hidden_dim=100,
                 num_classes=10, weight_scale=1e-3, reg=0.0, dtype=np.float64, seed=0):
        """input_dim: (C, H, W) with H, W even;  filter_size: odd;  weight_scale: std of the
        Gaussian initial weights (biases start at 0);  reg: L2 strength;  seed: for the init."""
        if filter_size % 2 == 0:
            raise ValueError(f"filter_size must be odd to keep H and W, got {filter_size}")
        C, H, W = input_dim
        self.reg = reg
        self.dtype = dtype
        self.conv_param = {"stride": 1, "pad": (filter_size - 1) // 2}
        self.pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
        pooled_size = conv_output_size(H, 2, 2, 0) * conv_output_size(W, 2, 2, 0)
        rng = np.random.default_rng(seed)

        def gaussian(*shape):
            return (weight_scale * rng.standard_normal(shape)).astype(dtype)

        self.params = {
            "W1": gaussian(num_filters, C, filter_size, filter_size),
            "b1": np.zeros(num_filters, dtype=dtype),
            "W2": gaussian(num_filters * pooled_size, hidden_dim),
            "b2": np.zeros(hidden_dim, dtype=dtype),
            "W3": gaussian(hidden_dim, num_classes),
            "b3": np.zeros(num_classes, dtype=dtype),
        }

    def loss(self, X, y=None):
        """X: (N, C, H, W) images;  y: (N,) integer labels, or None.

        Returns scores (N, num_classes) when y is None; otherwise (loss, grads), where loss is
        the softmax loss plus 0.5 * reg * (sum of squared weights) and grads maps each parameter
        name to its gradient.
        """
        X = X.astype(self.dtype)
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        W3, b3 = self.params["W3"], self.params["b3"]

        pooled, pool_cache = conv_relu_pool_forward(X, W1, b1, self.conv_param, self.pool_param)
        hidden, hidden_cache = affine_relu_forward(pooled, W2, b2)
        scores, scores_cache = affine_forward(hidden, W3, b3)
        if y is None:
            return scores

        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * sum(np.sum(W * W) for W in (W1, W2, W3))
        grads = {}
        dhidden, grads["W3"], grads["b3"] = affine_backward(dscores, scores_cache)
        dpooled, grads["W2"], grads["b2"] = affine_relu_backward(dhidden, hidden_cache)
        _, grads["W1"], grads["b1"] = conv_relu_pool_backward(dpooled, pool_cache)
        for name in ("W1", "W2", "W3"):
            grads[name] += self.reg * self.params[name]
        return loss, grads
