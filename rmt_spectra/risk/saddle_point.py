r"""Saddle-point equations of ridge regression on spiked random features (sRF).

Source: ``docs/theory/generalization.md`` ([Cui24] "Result 3.3", read in
the authors' code; the ``N ≠ d`` deterministic version is [derived]). Several
second-layer groups and the network-faithful model of the step are solved by
:mod:`rmt_spectra.risk.profile` (:func:`srf_test_error` dispatches).

Model and conventions
---------------------
Features ``φ(x) = σ(√c W₀x + r κ 1_N)`` (``N`` of them, ``κ = ⟨v̂, x⟩``), target
``y = σ*(⟨θ, x⟩) + ε``, ``Var ε = noise``, ``⟨v̂, θ⟩ = γ``, ``ρ = √(1 − γ²)``.
Readout ``ŵ = argmin Σ_μ (y_μ − w·φ(x_μ)/√N)² + λ‖w‖²`` (λ = ``ridge``, the
authors' convention: no ``1/n`` in front of the loss).

The equations live at the ratio ``α_int = n/N`` (the number of samples per
*feature*: the spectral means ``⟨·⟩`` below run over the ``N`` eigenpairs of
``Ω = c W₀ΠW₀ᵀ``).  The public functions take ``alpha = n/d`` and
``width_ratio = N/d`` and use ``α_int = alpha / width_ratio`` (at ``N = d``
both coincide, which is the authors' setting).

Spectral inputs: eigenpairs ``(λ_j, u_j)`` of ``Ω``, ``F_j = (u_jᵀ√cW₀ v)²``,
``H_j = (u_jᵀ√cW₀ ζ)²`` with ``v = √N v̂`` and ``ζ = √N Πθ/‖Πθ‖`` (norm √N,
not the code's √d: with √d the code is right only at N = d).  In the
deterministic limit ``λ_j ~ c·MP(N/d)`` (atom ``1 − d/N`` at 0 when N > d),
``F_j → (N/d) c``, ``H_j → (N/d) λ_j`` — exactly the note's ``N ≠ d`` rule.

Unknowns ``x = (q₁, q₂, V₁, V₂, θ, ψ, m)`` and hats ``(q̂₁, q̂₂, V̂₁, V̂₂, θ̂, ψ̂)``:

* ``S_j = λ + V̂₁λ_j + V̂₂``, ``N_j = q̂₁λ_j + q̂₂ + θ̂²F_j + ψ̂²H_j``;
  ``V₁ = ⟨λ_j/S_j⟩``, ``V₂ = ⟨1/S_j⟩``, ``q₁ = ⟨λ_jN_j/S_j²⟩``, ``q₂ = ⟨N_j/S_j²⟩``,
  ``θ = θ̂⟨F_j/S_j⟩``, ``ψ = ψ̂⟨H_j/S_j⟩``;
* per κ: ``V(κ) = μ₁²V₁ + μ⋆²V₂``, ``c(κ) = μ₀m + μ₁κθ``,
  ``E(κ) = h₂ − 2ch + c² − 2μ₁ψh₁ + μ₁²q₁ + μ⋆²q₂`` with ``h₂ = Eσ*² + noise``;
* hats (κ ~ N(0,1)): ``V̂₁ = αE[μ₁²/(1+V)]``, ``V̂₂ = αE[μ⋆²/(1+V)]``,
  ``q̂₁ = αE[μ₁²E/(1+V)²]``, ``q̂₂ = αE[μ⋆²E/(1+V)²]``,
  ``θ̂ = αE[κμ₁(h − c)/(1+V)]``, ``ψ̂ = αE[μ₁h₁/(1+V)]``;
* ``m = E[μ₀(h − μ₁κθ)/(1+V)] / E[μ₀²/(1+V)]`` (0 when μ₀ ≡ 0);
* test error (label noise included) ``ε_g = E_κ E(κ)``.

Solver
------
The system has a triangular structure that the solver exploits (this is
Newton's method on the full system with exact block elimination): ``(V₁, V₂)``
solve a closed 2-d equation (monotone increasing map, solved by Newton with
an analytic Jacobian and backtracking, from a warm start); given ``V`` the
pair ``(θ, m)`` solves a 2×2 *linear* system, ``ψ`` is explicit, and
``(q₁, q₂)`` solve another 2×2 linear system.  κ-integrals use a fixed
Gauss–Hermite rule whose node values (μ₀, μ₁, μ⋆ from
:func:`rmt_spectra.gaussian_moments` — closed forms for ReLU/erf/sin, so no
kink error — and h, h₁, h₂) are computed once; spectral means are weighted
sums over fixed nodes.  The full 7-component residual :func:`saddle_point_residual`
is evaluated at the end and reported.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..solvers.fixed_point import safeguarded_fixed_point
from .points import settle_point
from .tables import KappaTable, SpectralTable, kappa_table, mp_spectral_table, realized_spectral_table

__all__ = [
    "KappaTable",
    "SpectralTable",
    "SaddlePointSolution",
    "kappa_table",
    "mp_spectral_table",
    "realized_spectral_table",
    "hats_from_overlaps",
    "overlaps_from_hats",
    "saddle_point_map",
    "saddle_point_residual",
    "solve_saddle_point",
    "ORDER_NAMES",
    "HAT_NAMES",
]

ORDER_NAMES = ("q1", "q2", "V1", "V2", "theta", "psi", "m")
HAT_NAMES = ("qhat1", "qhat2", "Vhat1", "Vhat2", "thetahat", "psihat")

# ====================================================================== the equations
def hats_from_overlaps(x, alpha, kt: KappaTable):
    """Hat variables ``(q̂₁, q̂₂, V̂₁, V̂₂, θ̂, ψ̂)`` and the updated ``m`` from ``x = (q₁, q₂, V₁, V₂, θ, ψ, m)``."""
    q1, q2, V1, V2, theta, psi, m = x
    mu1sq = kt.mu1**2
    g = 1.0 / (1.0 + mu1sq * V1 + kt.mu_star_sq * V2)
    c = kt.mu0 * m + kt.mu1 * kt.kappa * theta
    E = kt.h2 - 2 * c * kt.h + c * c - 2 * kt.mu1 * psi * kt.h1 + mu1sq * q1 + kt.mu_star_sq * q2
    w = kt.weight
    g2E = g * g * E
    hats = alpha * np.array([
        (mu1sq * g2E) @ w, (kt.mu_star_sq * g2E) @ w, (mu1sq * g) @ w, (kt.mu_star_sq * g) @ w,
        (kt.kappa * kt.mu1 * (kt.h - c) * g) @ w, (kt.mu1 * kt.h1 * g) @ w,
    ])
    den = (kt.mu0**2 * g) @ w
    num = (kt.mu0 * (kt.h - kt.mu1 * kt.kappa * theta) * g) @ w
    m_new = num / den if den > 1e-14 * (1.0 + (kt.mu1**2 * g) @ w) else 0.0
    return hats, m_new


def overlaps_from_hats(hats, ridge, st: SpectralTable):
    """``(q₁, q₂, V₁, V₂, θ, ψ)`` from the hats by the spectral means."""
    qh1, qh2, Vh1, Vh2, th, ph = hats
    lam, w = st.lam, st.weight
    invS = 1.0 / (ridge + Vh1 * lam + Vh2)
    Nj = qh1 * lam + qh2 + th * th * st.F + ph * ph * st.H
    NS2 = Nj * invS * invS
    return np.array([(lam * NS2) @ w, NS2 @ w, (lam * invS) @ w, invS @ w, th * ((st.F * invS) @ w),
                     ph * ((st.H * invS) @ w)])


def saddle_point_map(x, alpha, ridge, kt: KappaTable, st: SpectralTable):
    """One Jacobi sweep ``x ↦ G(x)`` of the authors' iteration (overlaps from hats from ``x``; ``m`` from ``x``)."""
    hats, m_new = hats_from_overlaps(x, alpha, kt)
    return np.concatenate([overlaps_from_hats(hats, ridge, st), [m_new]]), hats


def saddle_point_residual(x, alpha, ridge, kt: KappaTable, st: SpectralTable):
    """The equations as a residual ``G(x) − x`` (7 components, order :data:`ORDER_NAMES`).

    ``G`` is one sweep of :func:`saddle_point_map`: hats from ``x`` (κ averages), then the
    overlaps from the hats (spectral means) and ``m`` from ``x`` (module docstring).

    Parameters
    ----------
    x : array_like, shape (7,)
        ``(q₁, q₂, V₁, V₂, θ, ψ, m)``.
    alpha : float > 0
        ``α_int = n/N``.
    ridge : float > 0
        λ of ``Σ_μ(y − w·φ/√N)² + λ‖w‖²``.
    kt, st : KappaTable, SpectralTable
        κ-rule values (:func:`kappa_table`) and spectral nodes (:func:`mp_spectral_table`,
        :func:`realized_spectral_table`).

    Returns
    -------
    ndarray, shape (7,)
        ``G(x) − x``; zero at the solution.
    """
    gx, _ = saddle_point_map(np.asarray(x, float), alpha, ridge, kt, st)
    return gx - np.asarray(x, float)


def error_from_overlaps(x, kt: KappaTable) -> float:
    """``ε_g = E_κ[h₂ − 2ch + c² − 2μ₁ψh₁ + μ₁²q₁ + μ⋆²q₂]`` (label noise included in h₂)."""
    q1, q2, V1, V2, theta, psi, m = x
    c = kt.mu0 * m + kt.mu1 * kt.kappa * theta
    E = kt.h2 - 2 * c * kt.h + c * c - 2 * kt.mu1 * psi * kt.h1 + kt.mu1**2 * q1 + kt.mu_star_sq * q2
    return float(E @ kt.weight)


# ====================================================================== the solver
@dataclass
class SaddlePointSolution:
    """Solution at one α: order parameters ``x`` (:data:`ORDER_NAMES`), hats, error, diagnostics."""

    x: np.ndarray
    hats: np.ndarray
    test_error: float
    residual: float
    iterations: int
    converged: bool
    extra: dict = field(default_factory=dict)

    def as_dict(self):
        out = dict(zip(ORDER_NAMES, self.x))
        out.update(zip(HAT_NAMES, self.hats))
        return out


def _V_system(V, alpha, ridge, kt, st):
    """Residual ``Φ(V) − V`` of the closed (V₁, V₂) system and its Jacobian."""
    V1, V2 = V
    a1, a2, w = kt.mu1**2, kt.mu_star_sq, kt.weight
    g = 1.0 / (1.0 + a1 * V1 + a2 * V2)
    g2 = g * g
    Vh = alpha * np.array([(a1 * g) @ w, (a2 * g) @ w])
    dVh = -alpha * np.array([[(a1 * a1 * g2) @ w, (a1 * a2 * g2) @ w], [(a1 * a2 * g2) @ w, (a2 * a2 * g2) @ w]])
    lam, sw = st.lam, st.weight
    invS = 1.0 / (ridge + Vh[0] * lam + Vh[1])
    invS2 = invS * invS
    phi = np.array([(lam * invS) @ sw, invS @ sw])
    l2, l1, l0 = (lam * lam * invS2) @ sw, (lam * invS2) @ sw, invS2 @ sw
    dphi = -np.array([[l2, l1], [l1, l0]])
    return phi - V, dphi @ dVh - np.eye(2), Vh


def _solve_V(alpha, ridge, kt, st, V0, tol, max_iter):
    """``(V₁, V₂)`` by :func:`~rmt_spectra.solvers.fixed_point.safeguarded_fixed_point` (Φ is increasing)."""
    def system(V):
        R, J, Vh = _V_system(V, alpha, ridge, kt, st)
        return R, (lambda: J), V + R, Vh

    V, Vh, it, ok, _ = safeguarded_fixed_point(system, np.maximum(np.asarray(V0, float), 0.0), tol=tol,
                                               max_iter=max_iter, feasible=lambda V: bool(np.all(V >= 0)))
    return V, Vh, it, ok


def solve_saddle_point(alpha, ridge, kt: KappaTable, st: SpectralTable, init=None, tol=1e-12, max_iter=100):
    """Solve the sRF saddle point at ``α_int = n/N`` (see the module docstring).

    Parameters
    ----------
    alpha : float > 0
        ``α_int = n/N`` (samples per feature).
    ridge : float > 0
        λ of ``Σ_μ(y − w·φ/√N)² + λ‖w‖²``.
    kt, st : KappaTable, SpectralTable
        κ-rule values and spectral nodes (:func:`kappa_table`, :func:`mp_spectral_table`).
    init : array of 7, optional
        Warm start (only ``V₁, V₂`` are used: the rest is solved exactly).
    tol : float
        Tolerance on the relative (V₁, V₂) residual; the returned ``residual``
        is the max-norm of the full 7-component residual.
    max_iter : int
        Iteration cap of the (V₁, V₂) solve.

    Returns
    -------
    SaddlePointSolution
        ``x`` (order :data:`ORDER_NAMES`), ``hats`` (:data:`HAT_NAMES`), ``test_error``
        ``ε_g = E_κ E(κ)`` (label noise included), ``residual`` (max-norm of
        :func:`saddle_point_residual`), ``iterations`` of the (V₁, V₂) solve and ``converged``
        (that solve converged, ``x`` is finite and ``residual ≤ max(1e3·tol, 1e-9)·(1 + max|x|)``).
    """
    V0 = (0.0, 0.0) if init is None else (init[2], init[3])
    V, Vh, it, okV = _solve_V(alpha, ridge, kt, st, V0, tol, max_iter)
    V1, V2 = V
    w = kt.weight
    g = 1.0 / (1.0 + kt.mu1**2 * V1 + kt.mu_star_sq * V2)
    lam, sw = st.lam, st.weight
    invS = 1.0 / (ridge + Vh[0] * lam + Vh[1])
    AF, AH = (st.F * invS) @ sw, (st.H * invS) @ sw
    # (θ, m): θ = AF θ̂, θ̂ = α(a1 − a2 m − a3 θ), m = (b1 − a2 θ)/b0
    k1 = kt.kappa * kt.mu1
    a1, a2, a3 = (k1 * kt.h * g) @ w, (k1 * kt.mu0 * g) @ w, (k1 * k1 * g) @ w
    b0, b1 = (kt.mu0**2 * g) @ w, (kt.mu0 * kt.h * g) @ w
    if b0 > 1e-14 * (1.0 + (kt.mu1**2 * g) @ w):
        theta = AF * alpha * (a1 - a2 * b1 / b0) / (1.0 + AF * alpha * (a3 - a2 * a2 / b0))
        m = (b1 - a2 * theta) / b0
    else:
        theta = AF * alpha * a1 / (1.0 + AF * alpha * a3)
        m = 0.0
    th_hat = alpha * (a1 - a2 * m - a3 * theta)
    ps_hat = alpha * (kt.mu1 * kt.h1 * g) @ w
    psi = ps_hat * AH
    # (q1, q2): (I − α P M) q = α P e + t
    c = kt.mu0 * m + kt.mu1 * kt.kappa * theta
    E0 = kt.h2 - 2 * c * kt.h + c * c - 2 * kt.mu1 * psi * kt.h1
    g2 = g * g
    A1, A2 = kt.mu1**2, kt.mu_star_sq
    e = np.array([(A1 * E0 * g2) @ w, (A2 * E0 * g2) @ w])
    M = np.array([[(A1 * A1 * g2) @ w, (A1 * A2 * g2) @ w], [(A1 * A2 * g2) @ w, (A2 * A2 * g2) @ w]])
    invS2 = invS * invS
    P = np.array([[(lam * lam * invS2) @ sw, (lam * invS2) @ sw], [(lam * invS2) @ sw, invS2 @ sw]])
    T = th_hat**2 * st.F + ps_hat**2 * st.H
    tvec = np.array([(lam * T * invS2) @ sw, (T * invS2) @ sw])
    q = np.linalg.solve(np.eye(2) - alpha * P @ M, alpha * P @ e + tvec)
    x = np.array([q[0], q[1], V1, V2, theta, psi, m])
    qhat = alpha * (e + M @ q)
    hats = np.array([qhat[0], qhat[1], Vh[0], Vh[1], th_hat, ps_hat])
    res = saddle_point_residual(x, alpha, ridge, kt, st)
    resid = float(np.max(np.abs(res)))
    converged = okV and bool(np.all(np.isfinite(x))) and resid <= max(1e3 * tol, 1e-9) * (1 + np.max(np.abs(x)))
    return SaddlePointSolution(x=x, hats=hats, test_error=error_from_overlaps(x, kt), residual=resid,
                               iterations=it, converged=converged)


def solve_curve(alphas, ridge, kt, st, tol=1e-12, max_iter=100, on_failure="warn"):
    """Solve along an array of ``α_int`` with warm starts (in the given order); failures per :func:`settle_point`."""

    sols, init = [], None
    for a in np.ravel(alphas):
        sol = solve_saddle_point(float(a), ridge, kt, st, init=init, tol=tol, max_iter=max_iter)
        if not sol.converged and init is not None:  # retry cold
            sol2 = solve_saddle_point(float(a), ridge, kt, st, init=None, tol=tol, max_iter=max_iter)
            if sol2.converged:
                sol = sol2
        if sol.converged:
            init = sol.x
        err = settle_point(sol.test_error, sol.converged, label="sRF saddle point (alpha_int)", alpha=float(a),
                           residual=sol.residual, iterations=sol.iterations, noise=kt.noise, on_failure=on_failure)
        sols.append(replace(sol, test_error=err))
    return sols


def __getattr__(name):
    """Names that moved to :mod:`rmt_spectra.risk.srf` and :mod:`rmt_spectra.risk.points` (users' imports keep working)."""
    if name in ("SRFResult", "srf_test_error", "srf_test_error_from_parameters", "SRF_METHODS", "SRF_MODELS",
                "NETWORK_DEFAULT_D"):
        from . import srf
        return getattr(srf, name)
    if name in ("settle_point", "stack_points"):
        from . import points
        return getattr(points, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
