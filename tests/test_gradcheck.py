"""gradcheck: numerical gradients on known functions, and every diagnosis on a planted bug."""

import numpy as np
import pytest

from cs231n_utils.gradcheck import (
    check_gradient,
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    grad_check_sparse,
    rel_error,
)
from cs231n_utils.testing import reference_disabled

rng = np.random.default_rng(0)


def test_rel_error_is_the_cs231n_definition():
    assert rel_error(1.0, 1.0) == 0.0
    assert rel_error(0.0, 0.0) == 0.0  # the 1e-8 floor keeps 0/0 finite
    assert rel_error([1.0, 2.0], [1.0, 3.0]) == pytest.approx(0.2)
    assert rel_error(1e-9, 0.0) == pytest.approx(0.1)


def test_numerical_gradient_of_a_quadratic_is_exact_to_rounding():
    x = rng.normal(size=(3, 4))
    x_before = x.copy()
    grad = eval_numerical_gradient(lambda a: np.sum(a**2), x)
    assert rel_error(grad, 2 * x) < 1e-9  # threshold: centered differences are exact for x^2
    assert np.array_equal(x, x_before), "x must be restored"


def test_numerical_gradient_array_of_a_matrix_product():
    x, w = rng.normal(size=(2, 3)), rng.normal(size=(3, 4))
    dout = rng.normal(size=(2, 4))
    dx = eval_numerical_gradient_array(lambda a: a @ w, x, dout)
    assert rel_error(dx, dout @ w.T) < 1e-9  # linear in x: only rounding error


def test_grad_check_sparse_reports_the_worst_error(capsys):
    x = rng.normal(size=(5, 5))
    f = lambda a: np.sum(np.sin(a))  # noqa: E731
    assert grad_check_sparse(f, x, np.cos(x), num_checks=5) < 1e-8
    assert grad_check_sparse(f, x, np.cos(x) * 1.1, num_checks=5, verbose=False) > 0.04
    assert "relative error" in capsys.readouterr().out


def _check(analytic, numeric):
    return check_gradient(analytic, numeric, threshold=1e-7, verbose=False)


x = rng.normal(size=(4, 3))
true = 2 * x  # the gradient of sum(x**2)


@pytest.mark.parametrize("analytic, words", [
    (-true, "Sign flipped"),
    (2 * true, "constant factor: analytic = 2"),
    (true / 2, "missing factor 2"),
    (true / 8, "divided by N=8"),
    (8 * true, "missing 1/N with N=8"),
    (np.zeros_like(true), "zero everywhere"),
    (np.where(x > 0, true, 0.0), "Zero where it should not be"),
    (np.where(np.arange(12).reshape(4, 3) == 5, 0.3, true), "Correct on only some entries"),
    (true + 1.0, "Wrong everywhere"),
    (np.full_like(true, np.nan), "NaN"),
])
def test_each_diagnosis_fires_on_its_bug(analytic, words):
    result = _check(analytic, true)
    assert not result.passed
    assert words in result.diagnosis, result.diagnosis


def test_transposed_and_shape_mismatch():
    a = rng.normal(size=(3, 3))
    assert "Transposed" in _check(a.T, a).diagnosis
    result = _check(np.zeros((3, 4)), np.zeros((4, 3)))
    assert not result.passed and "Shape mismatch" in result.diagnosis


def test_a_correct_gradient_passes_and_the_report_names_the_worst_entry(capsys):
    numeric = eval_numerical_gradient(lambda a: np.sum(a**2), x.copy())
    result = check_gradient(true, numeric, threshold=1e-8, name="dx")
    assert result.passed and result.max_rel_error < 1e-8
    wrong = true.copy()
    wrong[2, 1] += 0.5
    result = check_gradient(wrong, numeric, threshold=1e-8, name="dx", verbose=False)
    assert result.worst_index == (2, 1) and result.analytic_value == wrong[2, 1]
    assert "dx: PASSED" in capsys.readouterr().out and "dx[2, 1]" in str(result)


def test_rounding_noise_is_not_blamed_on_a_factor():
    result = _check(np.array([1.0, 2.0, 1e-9]), np.array([1.0, 2.0, 1.3e-9]))
    assert not result.passed and "Nearly equal" in result.diagnosis


def test_reference_disabled_blocks_every_alias_and_restores():
    import cs231n_utils.gradcheck as gc

    alias = gc.rel_error

    def learners_version(a, b):
        return alias(a, b)

    with reference_disabled(gc.rel_error), pytest.raises(AssertionError, match="write your own"):
        learners_version(1.0, 2.0)
    assert learners_version(1.0, 1.0) == 0.0
