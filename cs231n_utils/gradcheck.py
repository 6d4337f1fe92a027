"""Numerical gradients and gradient checking, computed with your notebook 01.

The numerical gradient is only for checking: it costs two evaluations of f per input entry.
Its arithmetic is yours: every entry is your `numerical_derivative` (01 Exercise 1) of f along
that entry, and every relative error is your `relative_error` (01 Exercise 8), both read from
your saved notebook 01 through cs231n_utils.mine. `check_gradient` compares an analytic gradient
with a numerical one and, when they disagree, says which entry is worst and what the bug likely is.
"""

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from cs231n_utils import mine

_calling = []  # the name of your function of notebook 01 while it runs (not while it calls f)


@contextmanager
def _yours(name):
    """Your `name` from notebook 01; it may not call this module back (that would never end)."""
    if _calling:
        raise RuntimeError(
            f"cs231n_utils.gradcheck computes with your {_calling[-1]} of notebook 01 (through "
            f"cs231n_utils.mine), and your {_calling[-1]} calls cs231n_utils.gradcheck back: write it "
            "in notebook 01 without the package, save the notebook and restart the kernel.")
    function = getattr(mine, name)
    _calling.append(name)
    try:
        yield function
    finally:
        _calling.pop()


def _along(f, x, ix):
    """t -> f(x with x[ix] = t), x restored; f itself may use this module (it is not 01's code)."""
    def g(t):
        old, outer = x[ix], _calling[:]
        x[ix] = t
        _calling.clear()
        try:
            return f(x)
        finally:
            x[ix] = old
            _calling[:] = outer
    return g


def rel_error(x, y):
    """The CS231n relative error of notebook 01: your `relative_error(x, y)`."""
    with _yours("relative_error") as relative_error:
        return float(relative_error(x, y))


def _relative_errors(x, y):
    """Your relative error, entry by entry (x, y: arrays of the same shape)."""
    with _yours("relative_error") as relative_error:
        errors = [relative_error(a, b) for a, b in zip(x.flat, y.flat, strict=True)]
        return np.array(errors, dtype=float).reshape(x.shape)


def eval_numerical_gradient(f, x, verbose=False, h=1e-5):
    """Numerical gradient of a scalar function f at x: your numerical_derivative along each entry.

    f: function of one array argument returning a float;  x: array (changed and restored in place)
    Returns grad, same shape as x.
    """
    grad = np.zeros_like(x, dtype=float)
    with _yours("numerical_derivative") as numerical_derivative:
        for ix in np.ndindex(x.shape):
            grad[ix] = numerical_derivative(_along(f, x, ix), float(x[ix]), h)
            if verbose:
                print(ix, grad[ix])
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numerical gradient of sum(f(x) * df) with respect to x, for an array-valued f.

    f: function of x returning an array shaped like df;  df: upstream gradient dL/df
    Returns dx, same shape as x.
    """
    base = np.array(f(x), dtype=float)  # subtracted before the sum, so that rounding spares the changes

    def along_df(a):
        return float(np.sum((np.asarray(f(a), dtype=float) - base) * df))

    return eval_numerical_gradient(along_df, x, h=h)


def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5, seed=0, verbose=True):
    """Compare analytic_grad with numerical derivatives at num_checks random entries of x.

    Returns the largest relative error seen.
    """
    rng = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(num_checks):
        ix = tuple(int(rng.integers(m)) for m in x.shape)
        with _yours("numerical_derivative") as numerical_derivative:
            numeric = float(numerical_derivative(_along(f, x, ix), float(x[ix]), h))
        err = rel_error(numeric, analytic_grad[ix])
        worst = max(worst, err)
        if verbose:
            print(f"numerical: {numeric:f} analytic: {analytic_grad[ix]:f}, relative error: {err:e}")
    return worst


@dataclass
class GradCheckResult:
    """Outcome of `check_gradient`; `str(result)` is the full report."""

    name: str
    passed: bool
    max_rel_error: float
    threshold: float
    worst_index: tuple
    analytic_value: float
    numeric_value: float
    diagnosis: str

    def __str__(self):
        verdict = "PASSED" if self.passed else "FAILED"
        return (
            f"{self.name}: {verdict}  max relative error {self.max_rel_error:.2e} "
            f"(threshold {self.threshold:.0e})\n"
            f"  worst entry {self.name}{list(self.worst_index)}: analytic {self.analytic_value:.6g}, "
            f"numeric {self.numeric_value:.6g}\n  {self.diagnosis}"
        )


def _close(a, b, tol):
    return rel_error(a, b) < tol


def _diagnose(analytic, numeric, threshold, errors):
    """A one-paragraph guess at what is wrong with an analytic gradient (errors: entry by entry)."""
    if not np.all(np.isfinite(analytic)):
        return "The analytic gradient contains NaN or inf: look for a division by zero or an overflow."
    if _close(analytic, numeric, threshold):
        return "Analytic and numerical gradients agree."
    num_scale = np.max(np.abs(numeric))
    if np.max(np.abs(analytic)) == 0 and num_scale > 0:
        return ("The analytic gradient is zero everywhere, the numerical one is not: "
                "was the gradient computed but never assigned or returned?")
    tol = max(threshold, 1e-6)
    if _close(-analytic, numeric, tol):
        return "Sign flipped: the analytic gradient is minus the numerical one."
    if analytic.ndim == 2 and analytic.shape[0] == analytic.shape[1] and _close(analytic.T, numeric, tol):
        return "Transposed: the analytic gradient equals the numerical one transposed."
    mask = np.abs(numeric) > 1e-6 * max(num_scale, 1e-12)
    if np.any(mask):
        ratios = analytic[mask] / numeric[mask]
        factor = float(np.median(ratios))
        constant = factor != 0 and np.allclose(ratios, factor, rtol=1e-4, atol=0)
        if constant and abs(factor - 1) < 1e-3:
            return ("Nearly equal: the worst relative error sits on entries close to zero, where "
                    "rounding dominates. Check that you use float64 and h = 1e-5; if so, this data "
                    "needs a looser threshold.")
        if constant:
            hint = {2.0: " (a missing 1/2, or 2x counted twice?)",
                    0.5: " (a missing factor 2, e.g. d(x^2)/dx = 2x?)"}.get(round(factor, 4), "")
            if abs(factor) > 1 and float(factor).is_integer() and not hint:
                hint = f" (a missing 1/N with N={int(abs(factor))}, e.g. not averaging over the batch?)"
            if 0 < abs(factor) < 1 and float(1 / factor).is_integer() and not hint:
                hint = f" (divided by N={int(round(1 / abs(factor)))} too often?)"
            return f"Off by a constant factor: analytic = {factor:.4g} x numerical{hint}."
    wrong = errors >= tol
    zero_where_not = wrong & (analytic == 0) & mask
    if np.any(zero_where_not) and np.all(zero_where_not == wrong):
        return (f"Zero where it should not be: {int(zero_where_not.sum())} of {analytic.size} entries are "
                "0 in the analytic gradient but not numerically (a wrong mask, or a missing branch "
                "whose gradient should have been added?).")
    n_wrong = int(wrong.sum())
    if n_wrong < analytic.size:
        return (f"Correct on only some entries: {analytic.size - n_wrong} of {analytic.size} agree, "
                f"{n_wrong} do not (an indexing bug, a wrong axis, or a case not handled?).")
    return ("Wrong everywhere, with no simple pattern: re-derive the local gradient and check that "
            "it is multiplied by the upstream gradient.")


def check_gradient(analytic, numeric, threshold=1e-7, name="grad", verbose=True):
    """Compare an analytic gradient with a numerical one and diagnose the difference.

    analytic, numeric: arrays of the same shape (or scalars)
    threshold: the largest acceptable relative error (CS231n definition, see rel_error)
    Prints the report when verbose; returns a GradCheckResult.
    """
    analytic = np.asarray(analytic, dtype=float)
    numeric = np.asarray(numeric, dtype=float)
    if analytic.shape != numeric.shape:
        diagnosis = (f"Shape mismatch: analytic {analytic.shape} vs numerical {numeric.shape}. "
                     "A gradient always has the shape of its variable.")
        result = GradCheckResult(name, False, float("inf"), threshold, (), float("nan"),
                                 float("nan"), diagnosis)
    else:
        errors = _relative_errors(analytic, numeric)
        errors = np.where(np.isfinite(errors), errors, np.inf)
        worst = np.unravel_index(int(np.argmax(errors)), errors.shape) if errors.size else ()
        max_err = float(errors[worst]) if errors.size else 0.0
        passed = bool(max_err < threshold)
        worst = tuple(int(i) for i in worst)
        result = GradCheckResult(name, passed, max_err, threshold, worst,
                                 float(analytic[worst]) if errors.size else 0.0,
                                 float(numeric[worst]) if errors.size else 0.0,
                                 _diagnose(analytic, numeric, threshold, errors))
    if verbose:
        print(result)
    return result
