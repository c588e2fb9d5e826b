r"""Saddle-point equations of ridge regression on spiked random features (sRF).

Source: ``06_generalization.md`` of the theory notes ([Cui24] "Result 3.3", read in
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

import math
from dataclasses import dataclass, field, replace

import numpy as np

from .._validation import as_generator, check_nonnegative, check_positive, check_real, check_size
from ..gaussian import activation as as_activation
from ..simulation.network import draw_first_layer
from ..solvers.fixed_point import safeguarded_fixed_point
from ..solvers.policy import check_on_failure, report_failure
from .tables import (MIN_KAPPA, N_KAPPA, N_SPECTRAL, KappaTable, SpectralTable, kappa_table, mp_spectral_table,
                     realized_spectral_table)

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
    """The equations as a residual ``G(x) − x`` (7 components, order :data:`ORDER_NAMES`)."""
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
    init : array of 7, optional
        Warm start (only ``V₁, V₂`` are used: the rest is solved exactly).
    tol : float
        Tolerance on the relative (V₁, V₂) residual; the returned ``residual``
        is the max-norm of the full 7-component residual.
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


# ====================================================================== public API
SRF_METHODS = ("deterministic", "realized")


@dataclass
class SRFResult:
    """Full output of :func:`srf_test_error` (arrays over ``alpha``).

    ``test_error`` includes the label noise; ``risk = test_error − noise`` is
    ``E(f*(x) − f̂(x))²``.  ``order`` maps :data:`ORDER_NAMES` and
    :data:`HAT_NAMES` to arrays; ``alpha_int = alpha / width_ratio = n/N``.
    """

    alpha: np.ndarray
    alpha_int: np.ndarray
    test_error: np.ndarray
    risk: np.ndarray
    order: dict
    residual: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    spike: float
    bulk_variance: float
    gamma: float
    method: str


def _check_alpha(alpha):

    a = check_real("alpha", alpha, allow_array=True)
    if a.ndim > 1:
        raise ValueError(f"alpha must be a scalar or a 1-d array of n/d values, got shape {a.shape}")
    if np.any(a <= 0):
        raise ValueError(f"alpha (= n/d) must be > 0, got {alpha!r}")
    return a


def _check_readout(alpha, ridge, width_ratio, noise, tol, n_kappa, on_failure):
    """The readout and solver settings shared by the risk solvers, validated once (ValueError naming each)."""

    on_failure = check_on_failure(on_failure)
    if n_kappa is not None and check_size("n_kappa", n_kappa) < MIN_KAPPA:
        raise ValueError(f"n_kappa must be >= {MIN_KAPPA} (nodes of the κ rule), got {n_kappa}")
    return (_check_alpha(alpha), check_positive("ridge", ridge), check_positive("width_ratio", width_ratio),
            check_nonnegative("noise", noise), check_positive("tol", tol),
            N_KAPPA if n_kappa is None else int(n_kappa))


def _check_method(method):
    if method not in SRF_METHODS:
        raise ValueError(f"method must be one of {SRF_METHODS}, got {method!r}")
    return method


def srf_test_error_from_parameters(activation, teacher, spike, bulk_variance, gamma, alpha, ridge, width_ratio=1.0,
                                   noise=0.0, method="deterministic", *, W0=None, seed=None, d=None,
                                   full_output=False, tol=1e-12, max_iter=100, n_kappa=N_KAPPA,
                                   n_spectral=N_SPECTRAL, on_failure="warn"):
    r"""Asymptotic ridge test error of the sRF model ``σ(√c W₀x + rκ1)`` from ``(r, c, γ)`` directly.

    Same parameters as :func:`srf_test_error`, with ``spike = r``,
    ``bulk_variance = c``, ``gamma = γ`` in place of ``(eta_tilde, alpha0)``.
    """

    sigma, target = as_activation(activation), as_activation(teacher)
    spike = check_real("spike", spike)
    c = check_positive("bulk_variance", bulk_variance)
    gamma = check_real("gamma", gamma)
    if abs(gamma) > 1:
        raise ValueError(f"gamma must lie in [-1, 1], got {gamma}")
    a = _check_alpha(alpha)
    ridge = check_positive("ridge", ridge)
    beta = check_positive("width_ratio", width_ratio)
    noise = check_nonnegative("noise", noise)
    method = _check_method(method)
    on_failure = check_on_failure(on_failure)
    tol = check_positive("tol", tol)
    max_iter = check_size("max_iter", max_iter)
    n_kappa = check_size("n_kappa", n_kappa)
    if n_kappa < MIN_KAPPA:
        raise ValueError(f"n_kappa must be >= {MIN_KAPPA} (nodes of the κ rule), got {n_kappa}")
    n_spectral = check_size("n_spectral", n_spectral)

    kt = kappa_table(sigma, target, spike, c, gamma, noise, n_kappa)
    if method == "deterministic":
        if W0 is not None or d is not None:
            raise ValueError("W0 and d are only used with method='realized'")
        st = mp_spectral_table(beta, c, n_spectral)
    else:
        if W0 is None:
            if d is None:
                raise ValueError("method='realized' needs W0 (an N x d array) or d (with seed) to draw one")
            d = check_size("d", d)
            N = max(1, int(round(beta * d)))
            rng = as_generator(seed)
            W0 = draw_first_layer(N, d, "gaussian", rng)
        else:
            W0 = np.asarray(W0, dtype=float)
            if W0.ndim != 2 or not np.all(np.isfinite(W0)):
                raise ValueError(f"W0 must be a finite N x d array, got shape {W0.shape}")
            beta = W0.shape[0] / W0.shape[1]
            rng = as_generator(seed)
        st = realized_spectral_table(W0, c, seed=rng)
        beta = W0.shape[0] / W0.shape[1]
    order = np.argsort(a.ravel(), kind="stable")
    a_int = a.ravel() / beta
    sols_sorted = solve_curve(a_int[order], ridge, kt, st, tol=tol, max_iter=max_iter, on_failure=on_failure)
    sols = [None] * a_int.size
    for i, s in zip(order, sols_sorted):
        sols[i] = s
    err = np.array([s.test_error for s in sols]).reshape(a.shape)
    if not full_output:
        return float(err) if err.ndim == 0 else err
    names = ORDER_NAMES + HAT_NAMES
    vals = np.array([np.concatenate([s.x, s.hats]) for s in sols])
    return SRFResult(
        alpha=a, alpha_int=a / beta, test_error=err, risk=err - noise,
        order={k: vals[:, i].reshape(a.shape) for i, k in enumerate(names)},
        residual=np.array([s.residual for s in sols]).reshape(a.shape),
        iterations=np.array([s.iterations for s in sols]).reshape(a.shape),
        converged=np.array([s.converged for s in sols]).reshape(a.shape),
        spike=spike, bulk_variance=c, gamma=gamma, method=method,
    )


#: models of the first layer after the step accepted by :func:`srf_test_error`.
SRF_MODELS = ("surrogate", "network")
#: ``d`` used by ``model="network"`` when none is given (the step matrix's λ rule and the
#: finite-width residual depend on it only through ``O(1/d)`` and a slowly moving tail cut).
NETWORK_DEFAULT_D = 1000


def _is_constant(second_layer):
    return isinstance(second_layer, str) and second_layer.strip().lower() == "constant"


def srf_test_error(activation, teacher, eta_tilde, alpha0, alpha, ridge, width_ratio=1.0, noise=0.0,
                   method="deterministic", *, second_layer="constant", model="surrogate", W0=None, seed=None,
                   d=None, full_output=False, tol=1e-12, max_iter=100, n_kappa=N_KAPPA, n_spectral=N_SPECTRAL,
                   on_failure="warn", gaussian_nodes=None, lambda_nodes=None, directions="structured"):
    r"""Asymptotic test error of ridge regression on the features after one large step.

    The step (``η = η̃√N``, ``n₀ = α₀d`` samples, ``a_i = ā_i/√N``) is mapped to a
    model of the updated first layer, then the ridge saddle-point equations are solved:

    * ``model="surrogate"`` (default): the isotropic spiked random-features (sRF)
      model of [Cui24] (:func:`rmt_spectra.spiked.spiked_parameters`, with the
      mean-residual correction). A constant second layer gives one group and the
      equations of this module (``method="deterministic"`` or ``"realized"``); any
      other second layer gives one group per value of ``ā`` (spike ``r ā_k``,
      variance ``c_k``), solved deterministically by
      :func:`rmt_spectra.risk.profile.profile_test_error` with one λ node.
    * ``model="network"``: the network-faithful model of
      :func:`rmt_spectra.spiked.network_step` — rows ``(I + t_kM)w_i`` + isotropic
      noise + spike, i.e. a variance profile ``τ_k(λ)`` over the spectrum of the step
      matrix ``M`` — with the spike and target directions placed in ``M``'s eigenbasis
      (:func:`rmt_spectra.risk.profile.step_directions`), solved by
      :func:`~rmt_spectra.risk.profile.profile_test_error` [derived; checked against
      ridge on the simulated network].

    Parameters
    ----------
    activation, teacher : activation specs
        Student σ and target σ* (``y = σ*(⟨θ,x⟩) + ε``).
    eta_tilde : float >= 0
        Step size in units of √N.
    alpha0 : float >= 0
        ``n₀/d`` (0: random features at initialization).
    alpha : float or 1-d array, > 0
        ``n/d``, samples of the ridge readout per input dimension. The
        equations are solved at ``n/N = alpha / width_ratio`` (the "α" of the
        authors' code, where ``N = d``); warm starts run along increasing alpha.
    ridge : float > 0
        λ of ``Σ_μ (y_μ − w·σ(W₁x_μ)/√N)² + λ‖w‖²`` (the authors' convention;
        [Ba22]'s ``(1/n)‖y − Φa‖² + (λ_B/N)‖a‖²`` is ``λ = λ_B n/N``).
    width_ratio : float > 0
        ``N/d``.
    noise : float >= 0
        Label-noise variance (enters the step and the readout).
    method : {"deterministic", "realized"}
        ``"deterministic"``: Marchenko–Pastur spectral inputs
        (``λ_j ~ c·MP(N/d)``, ``F_j → (N/d)c``, ``H_j → (N/d)λ_j``);
        ``"realized"``: the eigenpairs of ``Ω = cW₀ΠW₀ᵀ`` for a given ``W0``
        (``N × d``; then ``width_ratio`` is taken from its shape), or for one drawn
        from ``seed`` with ``d`` (and ``N = round(width_ratio·d)``), as in the authors' code.
        ``"realized"`` exists for the surrogate with a constant second layer only.
    second_layer : "constant", "pm1", "gaussian" or list of (value, probability), keyword-only
        Law of ``ā`` (``a_i = ā_i/√N``); a Gaussian second layer is a continuum of
        groups, represented by ``gaussian_nodes`` Gauss–Hermite nodes in ``ā``.
    model : {"surrogate", "network"}, keyword-only
        The model of the first layer after the step (above).
    W0, seed : keyword-only, for ``method="realized"``.
    d : int, keyword-only
        ``method="realized"``: the input dimension of the drawn ``W₀``.
        ``model="network"``: the input dimension of the network (default
        :data:`NETWORK_DEFAULT_D`): ``n₀ = round(α₀d)``, ``N = round(width_ratio·d)``;
        it sets the finite-width part of the residual law and where the step
        matrix's spectrum is cut (the extreme eigenvalues of a ``d × d`` matrix). The
        dependence on ``d`` is weak (ReLU/ReLU, η̃ = 3: 2e-4 between d = 500 and 2000).
    full_output : bool, keyword-only
        Return an :class:`SRFResult` (one group, surrogate) or a
        :class:`~rmt_spectra.risk.profile.ProfileRiskResult` (otherwise): order
        parameters, residuals, iterations, converged flags, ``risk`` = error − noise.
    tol, max_iter, n_kappa, n_spectral : solver settings
        Newton tolerance, iteration cap, Gauss–Hermite nodes in κ, MP nodes
        (``max_iter`` and ``n_spectral``: the one-group surrogate only).
    on_failure : {"warn", "raise", "ignore"}
        A point that does not converge, or whose risk is negative, is returned as NaN with a
        ``ConvergenceWarning`` (``"warn"``), raises ``RuntimeError`` (``"raise"``) or is NaN silently
        (``"ignore"``; :func:`settle_point`).
    gaussian_nodes : int, optional
        Gauss–Hermite nodes in ``ā`` for ``second_layer="gaussian"``.
    lambda_nodes : int, optional
        ``model="network"``: quadrature nodes of the step matrix's spectrum.
    directions : {"structured", "generic"}
        ``model="network"``: the spike and target directions as they sit in the step
        matrix (default), or delocalized in its eigenbasis (a diagnostic: that is the
        model the feature *spectrum* sees, and it does not reproduce the risk).

    Returns
    -------
    float or ndarray
        ``ε_g = E(y − f̂(x))²`` **including** the label noise (shape of ``alpha``).

    Notes
    -----
    Measured against ridge on the simulated network (ReLU/ReLU and softplus/tanh,
    ``η̃ ∈ {1, 3}``, ``n₀ = 4d``, ``N = d``, ``λ = 0.1``, ``n/d ∈ {0.5, 1, 2}``,
    constant and ±1 second layers, ``d = 500, 1000, 2000``): the surrogate is off by up
    to 0.014 (6 %, up to 15 standard errors) wherever ``E σ'' ≠ 0`` meets a residual
    with ``E[r He₂(g)] ≠ 0`` or ``E r ≠ 0`` (ReLU teacher; softplus with a constant
    second layer), and the gap does not shrink with ``d``; ``model="network"`` is
    within 2.2 standard errors at ``d = 2000`` in all of them.
    """
    from ..spiked.parameters import spiked_parameters

    from .profile import DIRECTIONS

    if model not in SRF_MODELS:
        raise ValueError(f"model must be one of {SRF_MODELS}, got {model!r}")
    if directions not in DIRECTIONS[:2]:
        raise ValueError(f"directions must be one of {DIRECTIONS[:2]}, got {directions!r}")
    _check_method(method)
    if model == "surrogate" and _is_constant(second_layer) and gaussian_nodes is None:
        if lambda_nodes is not None:
            raise ValueError("lambda_nodes is only used with model='network'")
        p = spiked_parameters(activation, teacher, eta_tilde, alpha0, noise=noise, second_layer="constant")
        return srf_test_error_from_parameters(
            activation, teacher, p.r, p.bulk_variance, p.gamma, alpha, ridge, width_ratio, noise, method, W0=W0,
            seed=seed, d=d, full_output=full_output, tol=tol, max_iter=max_iter, n_kappa=n_kappa,
            n_spectral=n_spectral, on_failure=on_failure)
    from .profile import RowModel, profile_test_error

    if method != "deterministic":
        raise ValueError("method='realized' exists only for model='surrogate' with a constant second layer "
                         "(srf_test_error_groups is the realized several-group solver at large batch)")
    if W0 is not None or seed is not None:
        raise ValueError("W0 and seed are only used with method='realized'")
    beta = check_positive("width_ratio", width_ratio)
    noise = check_nonnegative("noise", noise)
    if model == "surrogate":
        if d is not None or lambda_nodes is not None:
            raise ValueError("d and lambda_nodes are only used with model='network' (or method='realized')")
        p = spiked_parameters(activation, teacher, eta_tilde, alpha0, noise=noise, second_layer=second_layer,
                              gaussian_nodes=gaussian_nodes)
        rows = RowModel.isotropic(p.groups, p.group_variances, p.gamma)
    else:
        from ..spiked.network import LAMBDA_NODES, network_step

        alpha0 = check_positive("alpha0", alpha0)
        if math.isinf(alpha0):
            raise ValueError("model='network' needs a finite alpha0 = n0/d (at n0/d = inf use model='surrogate')")
        d = NETWORK_DEFAULT_D if d is None else check_size("d", d)
        n0 = max(1, int(round(alpha0 * d)))
        N = max(1, int(round(beta * d)))
        step = network_step(activation, teacher, eta_tilde, n0, d, noise=noise, second_layer=second_layer, N=N,
                            lambda_nodes=lambda_nodes or LAMBDA_NODES, gaussian_nodes=gaussian_nodes)
        rows = RowModel.from_step(step, directions=directions)
    return profile_test_error(activation, teacher, rows, alpha, ridge, beta, noise, full_output=full_output,
                              tol=tol, n_kappa=n_kappa, on_failure=on_failure)
