"""Solver: overfitting a tiny set, best-model restore, custom update rules, reproducibility."""

import warnings

import numpy as np
import pytest
from notebook_harness import every_reference

from cs231n_course.reference import optim
from cs231n_course.reference.classifiers import FullyConnectedNormNet, TwoLayerNet
from cs231n_utils.solver import Solver

D, C = 10, 3


@pytest.fixture(autouse=True)
def reference_rules(monkeypatch):
    """Rules named by string ("adam") are the learner's from notebook 06 (cs231n_utils.mine): here,
    as when grading, the solutions'."""
    for name, value in every_reference().items():
        monkeypatch.setenv(name, value)


def tiny_data(num_train=50, num_val=50, seed=0):
    """Random inputs with random labels: only memorizing the training set gets it right."""
    rng = np.random.default_rng(seed)
    return {
        "X_train": rng.standard_normal((num_train, D)), "y_train": rng.integers(C, size=num_train),
        "X_val": rng.standard_normal((num_val, D)), "y_val": rng.integers(C, size=num_val),
    }


def overfit_solver(model, **kwargs):
    options = {"update_rule": "adam", "optim_config": {"learning_rate": 2e-2}, "batch_size": 25,
               "num_epochs": 30, "verbose": False}
    return Solver(model, tiny_data(), **(options | kwargs))


def test_two_layer_net_overfits_50_examples():
    solver = overfit_solver(TwoLayerNet(D, 100, C, weight_scale=1e-1))
    solver.train()
    assert solver.train_acc_history[0] < 0.7  # random labels: not solved at initialization
    assert solver.train_acc_history[-1] == 1.0
    assert np.mean(solver.loss_history[-5:]) < 0.1 * solver.loss_history[0]
    assert len(solver.loss_history) == 30 * 2  # 50 examples / batch 25 = 2 iterations per epoch
    assert len(solver.val_acc_history) == len(solver.train_acc_history) == 30 + 1


def test_three_layer_batchnorm_net_overfits_50_examples():
    model = FullyConnectedNormNet([50, 50], D, C, normalization="batchnorm", weight_scale="he")
    solver = overfit_solver(model, optim_config={"learning_rate": 1e-2})
    solver.train()
    assert solver.train_acc_history[-1] == 1.0


def test_best_params_are_restored():
    calls = 0

    def sgd_then_sabotage(w, dw, config):
        # Ordinary SGD for 40 updates per parameter (10 epochs), then weights replaced by noise:
        # the last epochs are the worst, so the best val accuracy comes from earlier params.
        nonlocal calls
        calls += 1
        if calls > 4 * 40:
            return np.random.default_rng(calls).standard_normal(w.shape), config
        return optim.sgd(w, dw, config)

    data = tiny_data(num_train=200, num_val=200)
    data["y_train"] = (data["X_train"][:, 0] > 0).astype(int)  # learnable this time
    data["y_val"] = (data["X_val"][:, 0] > 0).astype(int)
    model = TwoLayerNet(D, 20, C, weight_scale=1e-1)
    solver = Solver(model, data, update_rule=sgd_then_sabotage, batch_size=50, num_epochs=30,
                    optim_config={"learning_rate": 0.5}, verbose=False)
    solver.train()
    assert max(solver.val_acc_history) > 0.9
    assert solver.val_acc_history[-1] < 0.8  # the final params are bad ...
    assert solver.best_val_acc == max(solver.val_acc_history)
    for name, value in solver.best_params.items():  # ... and not the ones the model keeps
        np.testing.assert_array_equal(model.params[name], value)
    assert solver.check_accuracy(data["X_val"], data["y_val"]) == solver.best_val_acc


def test_callable_update_rule_matches_named_rule():
    calls = []

    def my_sgd(w, dw, config):
        calls.append(w.shape)
        config.setdefault("learning_rate", 1e-2)
        return w - config["learning_rate"] * dw, config

    histories = []
    for rule in ("sgd", my_sgd):
        solver = overfit_solver(TwoLayerNet(D, 20, C, weight_scale=1e-1), update_rule=rule,
                                optim_config={"learning_rate": 0.3}, num_epochs=5)
        solver.train()
        histories.append(solver.loss_history)
    assert histories[0] == histories[1]
    assert len(calls) == 5 * 2 * 4  # epochs * iterations per epoch * parameters
    assert histories[1][-1] < histories[1][0]


def test_same_seed_same_run_other_seed_other_run():
    def losses(seed):
        solver = overfit_solver(TwoLayerNet(D, 20, C, weight_scale=1e-1), seed=seed, num_epochs=3)
        solver.train()
        return solver.loss_history

    assert losses(seed=7) == losses(seed=7)
    assert losses(seed=7) != losses(seed=8)


def test_each_parameter_has_its_own_config_and_lr_decays():
    optim_config = {"learning_rate": 0.1}
    model = TwoLayerNet(D, 20, C, weight_scale=1e-1)
    solver = overfit_solver(model, update_rule="sgd_momentum", optim_config=optim_config,
                            lr_decay=0.5, num_epochs=3)
    solver.train()
    assert optim_config == {"learning_rate": 0.1}  # the caller's dict is left alone
    for name, config in solver.optim_configs.items():
        assert config["velocity"].shape == model.params[name].shape
        assert config["learning_rate"] == pytest.approx(0.1 * 0.5**3, rel=1e-12)
    assert solver.optim_configs["W1"] is not solver.optim_configs["W2"]


def test_check_accuracy_batches_and_subsamples():
    data = tiny_data(num_train=237)
    model = TwoLayerNet(D, 20, C, weight_scale=1.0)
    solver = Solver(model, data, verbose=False)
    full = np.mean(np.argmax(model.loss(data["X_train"]), axis=1) == data["y_train"])
    assert solver.check_accuracy(data["X_train"], data["y_train"], batch_size=10) == full
    # a subset of 100 examples: accuracy is a multiple of 1/100, close to the full one
    acc = solver.check_accuracy(data["X_train"], data["y_train"], num_samples=100)
    assert acc * 100 == pytest.approx(round(acc * 100)) and abs(acc - full) < 0.2


def test_silent_when_not_verbose(capfd):
    # nbgrader gives a graded cell 0 points if it writes anything to stderr.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        overfit_solver(TwoLayerNet(D, 20, C), num_epochs=2).train()
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_verbose_progress_bar_goes_to_stdout(capfd):
    overfit_solver(TwoLayerNet(D, 20, C), num_epochs=2, verbose=True).train()
    out, err = capfd.readouterr()
    assert err == ""
    assert "loss=" in out and "val_acc=" in out


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="update_rule"):
        Solver(TwoLayerNet(D, 5, C), tiny_data(), update_rule="sgd_with_typo")
    with pytest.raises(ValueError, match="num_epoch"):
        Solver(TwoLayerNet(D, 5, C), tiny_data(), num_epoch=3)
