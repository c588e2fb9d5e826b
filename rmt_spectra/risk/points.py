"""Shared by the risk solvers: the readout checks at the boundary, the failure policy of one solved
point, and the stacking of full outputs."""
from __future__ import annotations

import numpy as np

from .._validation import check_nonnegative, check_positive, check_real, check_size
from ..solvers.policy import check_on_failure, report_failure
from .tables import MIN_KAPPA, N_KAPPA

__all__ = ["check_alpha", "check_readout", "settle_point", "stack_points"]


def check_alpha(alpha):

    a = check_real("alpha", alpha, allow_array=True)
    if a.ndim > 1:
        raise ValueError(f"alpha must be a scalar or a 1-d array of n/d values, got shape {a.shape}")
    if np.any(a <= 0):
        raise ValueError(f"alpha (= n/d) must be > 0, got {alpha!r}")
    return a


def check_readout(alpha, ridge, width_ratio, noise, tol, n_kappa, on_failure):
    """The readout and solver settings shared by the risk solvers, validated once (ValueError naming each)."""

    on_failure = check_on_failure(on_failure)
    if n_kappa is not None and check_size("n_kappa", n_kappa) < MIN_KAPPA:
        raise ValueError(f"n_kappa must be >= {MIN_KAPPA} (nodes of the κ rule), got {n_kappa}")
    return (check_alpha(alpha), check_positive("ridge", ridge), check_positive("width_ratio", width_ratio),
            check_nonnegative("noise", noise), check_positive("tol", tol),
            N_KAPPA if n_kappa is None else int(n_kappa))


def settle_point(error, converged, *, label, alpha, residual, iterations, noise, on_failure):
    """One failure policy for every risk solver: a point that did not converge, or whose test error is
    below the label noise (a negative risk: not physical), raises ``RuntimeError`` (``on_failure="raise"``)
    or is returned as NaN — never a wrong number — with a :class:`~rmt_spectra.solvers.ConvergenceWarning`
    naming the residual (``"warn"``) or silently (``"ignore"``; the residual is in ``full_output``)."""
    problem = None
    if not converged:
        problem = f"did not converge (residual {residual:.2e} after {iterations} iterations)"
    elif not np.isfinite(error) or error < noise - 1e-9 * max(1.0, abs(error)):
        problem = f"gave a non-physical test error {error:.6g} (below the label noise {noise:g})"
    if problem is None:
        return float(error)
    report_failure(f"{label} at alpha = {alpha:g} {problem}; returned as NaN", on_failure, stacklevel=4)
    return float("nan")


def stack_points(points, key, shape):
    """``points[j][key]`` over the solved points, as an array of ``shape`` plus the value's own shape."""
    v = np.array([p[key] for p in points])
    return v.reshape(tuple(shape) + v.shape[1:])
