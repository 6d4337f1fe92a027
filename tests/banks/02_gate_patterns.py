"""Wrong answers for notebook 02: gate patterns, branches, and the SVM and softmax losses."""

DEPENDS = {
    "q4_lecture_graph": ["q1_add_mul_gates", "q2_max_sigmoid_gates"],
    "q5_branch_graph": ["q1_add_mul_gates", "q2_max_sigmoid_gates", "q3_branch_gate"],
    "q7_svm_batch": ["q6_svm_single"],
    "q9_softmax_batch": ["q8_softmax_single"],
}

_SVM_PACKAGE = (
    "    from cs231n_utils.layers import svm_loss\n"
    "    loss, ds = svm_loss(scores[None, :], np.array([y]))\n"
    "    dscores = ds[0]\n"
    "    loss += 0.5 * reg * np.sum(W * W)\n"
)
_SOFTMAX_PACKAGE = (
    "    from cs231n_utils.layers import softmax_loss\n"
    "    loss, ds = softmax_loss(scores[None, :], np.array([y]))\n"
    "    loss += 0.5 * reg * np.sum(W * W)\n"
    "    dscores = ds[0]\n"
)


def _batch_bank(single, package):
    """The same mistakes for the SVM and the softmax batch loops."""
    return [
        ("forgot the 1/N in the gradient",
         "dW = dW / N + reg * W", "dW = dW + reg * W"),
        ("forgot the 1/N in the loss",
         "loss = loss / N + 0.5", "loss = loss + 0.5"),
        ("overwrote dW in the loop instead of accumulating (a branch)",
         "dW += dW_i", "dW = dW_i"),
        ("regularization counted in every example and again at the end",
         f"{single}(W, X[i], y[i], 0.0)", f"{single}(W, X[i], y[i], reg)"),
        ("regularization gradient missing",
         "dW = dW / N + reg * W", "dW = dW / N"),
        ("regularization averaged over N too",
         "loss = loss / N + 0.5 * reg * np.sum(W * W)\n    dW = dW / N + reg * W",
         "loss = (loss + 0.5 * reg * np.sum(W * W)) / N\n    dW = (dW + reg * W) / N"),
        ("off by one: the loop skips the last example",
         "for i in range(N):", "for i in range(N - 1):"),
        ("calls the package's vectorized loss",
         "    loss = loss / N + 0.5 * reg * np.sum(W * W)\n    dW = dW / N + reg * W",
         f"    from cs231n_utils.layers import {package}\n"
         f"    loss, dscores = {package}(X @ W.T, y)\n"
         "    loss += 0.5 * reg * np.sum(W * W)\n"
         "    dW = dscores.T @ X + reg * W"),
    ]


BANK = {
    "q1_add_mul_gates": [
        ("add gate scales the gradient by 2",
         "dx = 1.0 * dout\n        dy = 1.0 * dout", "dx = 2.0 * dout\n        dy = 2.0 * dout"),
        ("add gate forgot the upstream gradient",
         "dx = 1.0 * dout\n        dy = 1.0 * dout", "dx = 1.0\n        dy = 1.0"),
        ("add gate sends the gradient to the first input only",
         "dy = 1.0 * dout", "dy = 0.0"),
        ("mul gate does not switch: each input gets itself times dout",
         "dx = self.y * dout\n        dy = self.x * dout", "dx = self.x * dout\n        dy = self.y * dout"),
        ("mul gate forgot the upstream gradient",
         "dx = self.y * dout\n        dy = self.x * dout", "dx = self.y\n        dy = self.x"),
        ("mul gate caches the wrong input",
         "self.x, self.y = x, y", "self.x, self.y = x, x"),
    ],
    "q2_max_sigmoid_gates": [
        ("max gate routes the gradient to both inputs",
         "dx = dout if self.x_wins else 0.0\n        dy = 0.0 if self.x_wins else dout",
         "dx = dout\n        dy = dout"),
        ("max gate routes the gradient to the smaller input",
         "dx = dout if self.x_wins else 0.0\n        dy = 0.0 if self.x_wins else dout",
         "dx = 0.0 if self.x_wins else dout\n        dy = dout if self.x_wins else 0.0"),
        ("max gate routes 1 instead of the upstream gradient",
         "dx = dout if self.x_wins else 0.0\n        dy = 0.0 if self.x_wins else dout",
         "dx = 1.0 if self.x_wins else 0.0\n        dy = 0.0 if self.x_wins else 1.0"),
        ("sigmoid local gradient sigma instead of sigma (1 - sigma)",
         "dx = (1.0 - self.out) * self.out * dout", "dx = self.out * dout"),
        ("sigmoid local gradient (1 - sigma) only",
         "dx = (1.0 - self.out) * self.out * dout", "dx = (1.0 - self.out) * dout"),
        ("sigmoid gate forgot the upstream gradient",
         "dx = (1.0 - self.out) * self.out * dout", "dx = (1.0 - self.out) * self.out"),
    ],
    "q3_branch_gate": [
        ("overwrote: the last gradient wins",
         "dx = dout1 + dout2", "dx = dout2"),
        ("kept only the first gradient",
         "dx = dout1 + dout2", "dx = dout1"),
        ("averaged instead of summed",
         "dx = dout1 + dout2", "dx = (dout1 + dout2) / 2"),
        ("multiplied the two gradients",
         "dx = dout1 + dout2", "dx = dout1 * dout2"),
        ("returned both gradients instead of their sum",
         "dx = dout1 + dout2", "dx = dout1, dout2"),
    ],
    "q4_lecture_graph": [
        ("forgot the x2 gate in the backward pass",
         'grads["sum"] = times2.backward(1.0)', 'grads["sum"] = 1.0'),
        ("mul gate fed df/df = 1 instead of the gradient of its output",
         'mul.backward(grads["xy"])', "mul.backward(1.0)"),
        ("x and y gradients swapped when unpacking",
         'grads["x"], grads["y"] = mul', 'grads["y"], grads["x"] = mul'),
        ("max gate called with its inputs in the other order",
         "m = mx.forward(z, w)", "m = mx.forward(w, z)"),
        ("max gate fed df/df = 1 instead of the gradient of its output",
         'mx.backward(grads["max"])', "mx.backward(1.0)"),
    ],
    "q5_branch_graph": [
        ("overwrote at the branch: x keeps only the max path",
         "dx = split_x.backward(dx1, dx2)", "dx = dx2"),
        ("overwrote at the branch: y keeps only the multiply path",
         "dy = split_y.backward(dy1, dy2)", "dy = dy1"),
        ("mixed up the contributions of x and y",
         "split_x.backward(dx1, dx2)", "split_x.backward(dx1, dy1)"),
        ("max gate called with its inputs in the other order",
         "m = mx.forward(x2, y2)", "m = mx.forward(y2, x2)"),
    ],
    "q6_svm_single": [
        ("counts the correct class in the margin sum",
         "        if j == y:\n            continue  # the correct class is not in the sum\n", ""),
        ("misses the -1 per positive margin for the correct class",
         "            dscores[y] -= 1.0  # s_y is used by every margin: a branch, so its gradients add\n",
         ""),
        ("overwrote the correct class's gradient (= -1 instead of -= 1)",
         "dscores[y] -= 1.0", "dscores[y] = -1.0"),
        ("margin without the +1 (delta = 0)",
         "margin = scores[j] - scores[y] + 1.0", "margin = scores[j] - scores[y]"),
        ("regularization gradient missing",
         "dW = np.outer(dscores, x) + reg * W", "dW = np.outer(dscores, x)"),
        ("regularization gradient 2 reg W (the other convention)",
         "dW = np.outer(dscores, x) + reg * W", "dW = np.outer(dscores, x) + 2 * reg * W"),
        ("regularization missing from the loss",
         "    loss += 0.5 * reg * np.sum(W * W)\n", ""),
        ("calls the package's svm_loss",
         "    loss += 0.5 * reg * np.sum(W * W)\n", _SVM_PACKAGE),
    ],
    "q7_svm_batch": _batch_bank("svm_loss_single", "svm_loss"),
    "q8_softmax_single": [
        ("gradient forgot to subtract 1 at the correct class",
         "    dscores[y] -= 1.0\n", ""),
        ("no max shift: exp overflows on large scores",
         "shifted = scores - np.max(scores)", "shifted = scores"),
        ("log base 10 (the old slide's 0.89)",
         "-np.log(probs[y])", "-np.log10(probs[y])"),
        ("gradient from the unnormalized exp scores",
         "dscores = probs.copy()", "dscores = exp_scores.copy()"),
        ("regularization gradient missing",
         "dW = np.outer(dscores, x) + reg * W", "dW = np.outer(dscores, x)"),
        ("regularization gradient 2 reg W (the other convention)",
         "dW = np.outer(dscores, x) + reg * W", "dW = np.outer(dscores, x) + 2 * reg * W"),
        ("calls the package's softmax_loss",
         "    dscores = probs.copy()  # dL/ds = p - 1 at the correct class\n    dscores[y] -= 1.0\n",
         _SOFTMAX_PACKAGE),
    ],
    "q9_softmax_batch": _batch_bank("softmax_loss_single", "softmax_loss"),
}
