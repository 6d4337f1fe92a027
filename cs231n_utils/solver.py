"""A training loop for classification models, in the CS231n tradition.

The model must have
  model.params: dict mapping a parameter name to its array
  model.loss(X, y=None): scores (N, C) when y is None, else (loss, grads) with grads a dict
    shaped like model.params

Example:
    solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 1e-3},
                    num_epochs=10, batch_size=100)
    solver.train()
    plt.plot(solver.loss_history)
"""

import copy
import sys

import numpy as np
from tqdm import tqdm

from . import mine  # the learner's own update rules, read when a Solver asks for one


def sgd(w, dw, config=None):
    """Plain SGD, the Solver's default rule. config: learning_rate (default 1e-2)."""
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return w - config["learning_rate"] * dw, config


RULES = ("sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam")  # yours, from notebook 06


class Solver:
    """Trains a model with mini-batch stochastic gradient descent.

    model: see the module docstring
    data: dict with X_train (N_train, ...), y_train (N_train,), X_val (N_val, ...), y_val (N_val,)
    Keyword arguments:
      update_rule: a function next_w, config = rule(w, dw, config), or its name: "sgd" (plain
        SGD, built in) or a rule of yours from notebook 06 ("sgd_momentum", "adam", ...: see
        cs231n_utils.mine) (default "sgd")
      optim_config: hyperparameters passed to the update rule; each parameter gets its own copy
      lr_decay: the learning rate is multiplied by this after every epoch (default 1.0)
      batch_size: examples per mini-batch (default 100)
      num_epochs: passes over the training data (default 10)
      num_train_samples: training examples used to measure train accuracy (default 1000,
        None for all)
      num_val_samples: validation examples used to measure val accuracy (default None: all)
      seed: seed of the random generator that draws mini-batches (default 0)
      verbose: show a progress bar with the loss and val accuracy (default True)

    After train(): loss_history (one loss per iteration), train_acc_history and val_acc_history
    (one entry per epoch, plus one before training starts), best_val_acc, and best_params, which
    are also copied back into model.params.
    """

    def __init__(self, model, data, **kwargs):
        self.model = model
        self.X_train, self.y_train = data["X_train"], data["y_train"]
        self.X_val, self.y_val = data["X_val"], data["y_val"]

        update_rule = kwargs.pop("update_rule", "sgd")
        self.optim_config = kwargs.pop("optim_config", {})
        self.lr_decay = kwargs.pop("lr_decay", 1.0)
        self.batch_size = kwargs.pop("batch_size", 100)
        self.num_epochs = kwargs.pop("num_epochs", 10)
        self.num_train_samples = kwargs.pop("num_train_samples", 1000)
        self.num_val_samples = kwargs.pop("num_val_samples", None)
        self.seed = kwargs.pop("seed", 0)
        self.verbose = kwargs.pop("verbose", True)
        if kwargs:
            raise ValueError(f"Unrecognized arguments: {', '.join(kwargs)}")

        if update_rule == "sgd":
            update_rule = sgd
        elif isinstance(update_rule, str):
            if update_rule not in RULES:
                raise ValueError(f'Invalid update_rule "{update_rule}" (give "sgd", {", ".join(RULES)} '
                                 "or a function)")
            update_rule = getattr(mine, update_rule)
        if not callable(update_rule):
            raise ValueError(f'Invalid update_rule "{update_rule}"')
        self.update_rule = update_rule
        self._reset()

    def _reset(self):
        """Fresh histories, random generator and one optimizer config per parameter."""
        self.rng = np.random.default_rng(self.seed)
        self.epoch = 0
        self.best_val_acc = 0.0
        self.best_params = {}
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []
        # Deep copies: a rule's state (velocity, caches) must never be shared between parameters.
        self.optim_configs = {p: copy.deepcopy(self.optim_config) for p in self.model.params}

    def _step(self):
        """One gradient update on a random mini-batch (drawn with replacement)."""
        batch = self.rng.choice(self.X_train.shape[0], self.batch_size)
        loss, grads = self.model.loss(self.X_train[batch], self.y_train[batch])
        self.loss_history.append(float(loss))
        for p, w in self.model.params.items():
            next_w, self.optim_configs[p] = self.update_rule(w, grads[p], self.optim_configs[p])
            self.model.params[p] = next_w

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Fraction of examples the model classifies correctly.

        X: (N, ...) inputs;  y: (N,) labels
        num_samples: if given and < N, measure on a random subset of that size
        batch_size: examples per forward pass (bounds the memory used)
        Returns the accuracy, a float in [0, 1].
        """
        N = X.shape[0]
        if num_samples is not None and num_samples < N:
            subset = self.rng.choice(N, num_samples, replace=False)
            X, y, N = X[subset], y[subset], num_samples
        y_pred = [np.argmax(self.model.loss(X[i:i + batch_size]), axis=1)
                  for i in range(0, N, batch_size)]
        return float(np.mean(np.concatenate(y_pred) == y))

    def _record_accuracies(self):
        """Append train/val accuracy; keep a copy of the params if val accuracy is the best yet."""
        train_acc = self.check_accuracy(self.X_train, self.y_train, self.num_train_samples)
        val_acc = self.check_accuracy(self.X_val, self.y_val, self.num_val_samples)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        if val_acc > self.best_val_acc or not self.best_params:
            self.best_val_acc = val_acc
            self.best_params = {k: v.copy() for k, v in self.model.params.items()}
        return val_acc

    def train(self):
        """Run num_epochs epochs of mini-batch updates; finish with the best params in the model."""
        iterations_per_epoch = max(self.X_train.shape[0] // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        val_acc = self._record_accuracies()
        # stdout, not tqdm's default stderr: nbgrader gives a cell that writes to stderr 0 points.
        with tqdm(total=num_iterations, disable=not self.verbose, file=sys.stdout) as bar:
            for t in range(num_iterations):
                self._step()
                if (t + 1) % iterations_per_epoch == 0:
                    self.epoch += 1
                    if self.lr_decay != 1.0:
                        for config in self.optim_configs.values():
                            config["learning_rate"] *= self.lr_decay
                    val_acc = self._record_accuracies()
                bar.set_postfix(loss=f"{self.loss_history[-1]:.3f}", val_acc=f"{val_acc:.3f}",
                                refresh=False)
                bar.update()
        for k, v in self.best_params.items():
            self.model.params[k] = v.copy()
