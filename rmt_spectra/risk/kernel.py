r"""Kernel lower bound and the large-step limit τ* ([Ba22]; ``docs/theory/generalization.md``).

* :func:`kernel_lower_bound`: any kernel-type predictor (random features at
  initialization, NTK, rotation-invariant kernels) has **risk**
  ``E(f* − f̂)² ≥ ‖P_{>1}f*‖² = μ⋆*²`` (Ba22 Prop. 1), the teacher's nonlinear
  part ``E σ*² − μ₀*² − μ₁*²``.  With ``noise > 0`` the function returns the
  bound on the **test error** ``E(y − f̂)²``, i.e. ``μ⋆*² + noise``.
* :func:`tau_star`: ``τ* = inf_κ E_{ξ₁}[(σ*(ξ₁) − E_{ξ₂}σ(κξ₁ + ξ₂))²]`` (ξ's
  i.i.d. N(0,1)), the risk (no label noise) reachable after a large step for
  large n/d (Ba22 Thm 7).  ``E_{ξ₂}σ(s + ξ₂)`` is :func:`rmt_spectra.gaussian_moments`'s
  μ₀ at shift s, scale 1 (closed forms for ReLU/erf/sin); the outer expectation is
  kink-aware (:func:`rmt_spectra.gaussian.gaussian_expectation`).
"""
from __future__ import annotations

import numpy as np

from .._validation import check_nonnegative, check_positive
from ..gaussian import gaussian_expectation, gaussian_moments
from ..gaussian.activation import activation_parameter

__all__ = ["kernel_lower_bound", "tau_star"]


def kernel_lower_bound(teacher, noise=0.0, *, method="auto") -> float:
    """The kernel lower bound ``μ⋆*² + noise`` ([Ba22], [Cui24]).

    Any predictor built from features that are linear in the first layer's directions plus
    isotropic noise leaves the nonlinear part of the teacher unexplained: the risk is at
    least ``μ⋆*² = E σ*(z)² − μ₀*² − μ₁*²``, and the test error at least that plus the
    label-noise variance.

    Parameters
    ----------
    teacher : activation spec
        The target ``σ*``.
    noise : float >= 0
        Label-noise variance (0 gives the bound on the risk).
    method : str
        Passed to :func:`rmt_spectra.gaussian_moments` (``"mpmath"`` for a 30-digit reference).

    Returns
    -------
    float
    """
    noise = check_nonnegative("noise", noise)
    return float(gaussian_moments(activation_parameter("teacher", teacher), method=method).mu_star_sq) + noise


def _tau_parts(sigma, target, kappa):
    def sq(x):
        return (target(x) - gaussian_moments(sigma, shift=kappa * x, scale=1.0).mu0) ** 2

    def dsq(x):  # d/dκ of the integrand / (−2)
        gm = gaussian_moments(sigma, shift=kappa * x, scale=1.0)
        return (target(x) - gm.mu0) * x * gm.mu1

    kinks = target.kinks
    tau = float(gaussian_expectation(sq, 0.0, 1.0, kinks=kinks))
    grad = -2.0 * float(gaussian_expectation(dsq, 0.0, 1.0, kinks=kinks))
    return tau, grad


def tau_star(activation, teacher, *, kappa_max=10.0, n_grid=401):
    """The large-step risk floor ``τ* = min_{κ ∈ ℝ} τ(κ)`` and its minimizer ([Ba22], Thm. 7).

    ``τ(κ) = E_z[(σ*(z) − μ₀(κ z))²]`` with ``μ₀(s) = E_g σ(g + s)``: the best a learned
    feature direction aligned with the target can do when the step moves the
    pre-activations by ``κ z``; both signs occur (the sign of ``κ`` is that of ``a_i μ₁ μ₁*``), so a
    teacher anti-aligned with the student has its minimum at ``κ < 0``. A grid on
    ``[−kappa_max, kappa_max]`` brackets the minimum, then the stationarity condition
    ``dτ/dκ = 0`` is solved by Brent's method (κ* to ~1e-12).

    Parameters
    ----------
    activation, teacher : activation specs
        Student ``σ`` and target ``σ*``.
    kappa_max : float > 0
        The search grid is ``[−kappa_max, kappa_max]``.
    n_grid : int
        Points of the bracketing grid.

    Returns
    -------
    (float, float)
        ``(τ*, κ*)``.
    """
    from scipy.optimize import brentq

    sigma, target = activation_parameter("activation", activation), activation_parameter("teacher", teacher)
    kappa_max = check_positive("kappa_max", kappa_max)
    grid = np.linspace(-kappa_max, kappa_max, int(n_grid))
    vals = np.array([_tau_parts(sigma, target, k)[0] for k in grid])
    i = int(np.argmin(vals))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    glo, ghi = _tau_parts(sigma, target, lo)[1], _tau_parts(sigma, target, hi)[1]
    if glo < 0 < ghi:
        k = brentq(lambda k: _tau_parts(sigma, target, k)[1], lo, hi, xtol=1e-14, rtol=1e-13)
    else:  # minimum at an end of the grid
        k = grid[i]
    return max(_tau_parts(sigma, target, k)[0], 0.0), float(k)
