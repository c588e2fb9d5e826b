r"""Ridge test error of spiked random features with several neuron groups (large batch).

Source: ``docs/theory/generalization.md``, section "Several groups, large
batch" [derived]; model of ``docs/theory/spiked_features.md``.

Model and conventions
---------------------
Features ``φ_i(x) = σ(W₀x + r_k κ)`` for neuron ``i`` of group ``k`` (``N π_k``
consecutive neurons, as in :func:`rmt_spectra.spiked.simulate_spiked_features`),
``κ = ⟨v̂, x⟩``, large batch: ``c = 1``, ``γ = 1``, so ``y = σ*(κ) + ε``
(``Var ε = noise``). Readout ``ŵ = argmin Σ_μ (y_μ − w·φ(x_μ)/√N)² + λ‖w‖²``;
``alpha = n/d``, ``width_ratio = N/d``; the equations run at ``α = n/N``.

Equations (conditionally on κ, ``Σ_c(κ) = D₁ΩD₁ + D⋆²`` with
``D₁ = Σ_k μ_{1,k}(κ)P_k``, ``D⋆² = Σ_k μ⋆_k(κ)² P_k``, ``Ω = W₀ΠW₀ᵀ``,
``Π = I − v̂v̂ᵀ``, ``b = W₀v̂``; ``P_k`` the projector on group ``k``):

* ``S = λI + α E_κ[Σ_c(κ)/(1+V(κ))]``, ``V(κ) = (1/N) tr Σ_c(κ) S⁻¹``;
* ``c(κ) = Σ_k μ_{0,k} m_k + κ Σ_k μ_{1,k} θ_k`` with
  ``Σ_l E[μ_{0,k}μ_{0,l}/(1+V)] m_l = E[μ_{0,k}(g − κΣ_l μ_{1,l}θ_l)/(1+V)]``,
  ``θ̂_k = α E[κ μ_{1,k}(g − c)/(1+V)]``, ``θ_k = Σ_l (P_k b)ᵀS⁻¹(P_l b) θ̂_l``;
* ``E(κ) = (g − c)² + noise + Q(κ)``, ``Q = ūᵀΣ_cū + (1/N) tr(Σ_c S⁻¹ 𝒩 S⁻¹)``,
  ``ū = S⁻¹ Σ_l θ̂_l P_l b``, ``𝒩 = α E[Σ_c E/(1+V)²]``;
* ``ε_g = E_κ E(κ)`` (label noise included, as in :func:`srf_test_error`).

With one group these are exactly the equations of
:mod:`rmt_spectra.risk.saddle_point` at ``γ = 1`` (ψ = 0), written with
matrices instead of eigenpairs.

Implementation: *realized* spectral inputs
------------------------------------------
No deterministic (Marchenko–Pastur) K-block equivalent is implemented: a
``W₀`` (``N × d``, rows ``N(0, I/d)``) and ``v̂`` are drawn from ``seed`` (in
the same order as ``srf_test_error(..., method="realized")``, so with one group
both give the same number for the same ``seed, d``), or ``W0`` is given. The
result therefore carries finite-N fluctuations (a few 1e-3 relative at
``N = d = 400``); average over seeds or increase ``d`` to reduce them.

``Σ_c(κ) = Σ_a c_a(κ) B_a`` on the fixed basis ``B = {P_kΩP_l} ∪ {P_k}``
(``K² + K`` N×N matrices) with ``c_a = μ_{1,k}μ_{1,l}`` resp. ``μ⋆_k²``, so
every κ-dependence goes through the ``K² + K`` traces ``t_a = (1/N) tr B_a S⁻¹``:
the unknowns ``t`` solve a closed fixed-point equation (Newton with the
analytic Jacobian ``−α T E[c cᵀ/(1+V)²]``, ``T_ab = (1/N) tr B_aS⁻¹B_bS⁻¹``,
falling back on the plain monotone fixed-point step, as the K = 1 solver),
``(θ, m)`` solve a 2K linear system and ``Q`` a ``(K²+K)``-dimensional linear
system. Cost: one N×N inverse and ``K²+K`` N×N products per iteration; fine
up to ``N ~ 1000–2000``. κ-integrals use the fixed Gauss–Hermite rule and the
shifted coefficients of :func:`rmt_spectra.risk.saddle_point.kappa_table`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import as_generator, check_size
from ..gaussian.activation import activation_parameter
from ..simulation.network import draw_first_layer
from ..solvers.fixed_point import safeguarded_fixed_point
from ..spiked.surrogate import group_sizes, normalize_groups
from .points import check_readout as _check_readout
from .points import settle_point, stack_points
from .profile_point import theta_and_mean
from .tables import kappa_table, kappa_width

__all__ = ["GroupsResult", "srf_test_error_groups"]

#: default ``d`` for the drawn ``W₀`` when neither ``W0`` nor ``d`` is given.
DEFAULT_D = 400


@dataclass
class GroupsResult:
    """Full output of :func:`srf_test_error_groups` (arrays over ``alpha``).

    ``theta``, ``m``, ``thetahat`` have a trailing axis over groups; ``t`` are the
    traces ``(1/N) tr B_a S⁻¹`` on the basis ``{P_kΩP_l} ∪ {P_k}``.
    """

    alpha: np.ndarray
    alpha_int: np.ndarray
    test_error: np.ndarray
    risk: np.ndarray
    theta: np.ndarray
    thetahat: np.ndarray
    m: np.ndarray
    t: np.ndarray
    residual: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    groups: tuple
    N: int
    d: int
    method: str = "realized"


class _Problem:
    """Fixed quantities: basis matrices, group vectors, κ-tables."""

    def __init__(self, sigma, target, pairs, W0, vhat, noise, n_kappa):

        N, d = W0.shape
        self.N, self.K = N, len(pairs)

        sizes = group_sizes(N, pairs)
        labels = np.repeat(np.arange(self.K), sizes)
        masks = [labels == k for k in range(self.K)]
        Wp = W0 - np.outer(W0 @ vhat, vhat)
        Omega = Wp @ Wp.T
        b = W0 @ vhat
        basis, pairs_idx = [], []
        for k in range(self.K):
            for l in range(self.K):
                Bkl = np.zeros((N, N))
                Bkl[np.ix_(masks[k], masks[l])] = Omega[np.ix_(masks[k], masks[l])]
                basis.append(Bkl)
                pairs_idx.append(("mu1", k, l))
        for k in range(self.K):
            pairs_idx.append(("star", k, k))
        self.dense = basis                      # P_kΩP_l (dense N×N)
        self.masks = masks                      # P_k as boolean masks
        self.labels = labels
        self.Pb = np.array([np.where(mk, b, 0.0) for mk in masks])  # K × N
        width = min(kappa_width(r, 1.0, 1.0) for r, _ in pairs)  # one κ rule for all groups (combined node-wise)
        tables = [kappa_table(sigma, target, r, 1.0, 1.0, noise, n_kappa, width=width) for r, _ in pairs]
        kt0 = tables[0]
        self.kappa, self.w = kt0.kappa, kt0.weight
        self.h, self.noise = kt0.h, float(noise)
        self.mu0 = np.array([t.mu0 for t in tables])        # K × nκ
        self.mu1 = np.array([t.mu1 for t in tables])
        self.mus2 = np.array([t.mu_star_sq for t in tables])
        # coefficients c_a(κ) of Σ_c(κ) on the basis: (K²+K) × nκ
        self.coef = np.array([self.mu1[k] * self.mu1[l] if kind == "mu1" else self.mus2[k]
                              for kind, k, l in pairs_idx])
        self.nb = len(pairs_idx)

    def combine(self, weights):
        """``Σ_a weights_a B_a`` as a dense N×N matrix."""
        K = self.K
        M = np.zeros((self.N, self.N))
        for a in range(K * K):
            if weights[a] != 0.0:
                M += weights[a] * self.dense[a]
        diag = np.zeros(self.N)
        for k in range(K):
            diag[self.masks[k]] = weights[K * K + k]
        M[np.diag_indices(self.N)] += diag
        return M

    def products(self, Sinv):
        """``X_a = B_a S⁻¹`` (list) and the traces ``t_a = (1/N) tr X_a``."""
        K = self.K
        X = [Ba @ Sinv for Ba in self.dense]
        for k in range(K):
            X.append(np.where(self.masks[k][:, None], Sinv, 0.0))
        t = np.array([np.trace(Xa) for Xa in X]) / self.N
        return X, t

    def trace_table(self, X):
        """``T_ab = (1/N) tr(B_aS⁻¹B_bS⁻¹)`` (symmetric)."""
        nb = len(X)
        T = np.empty((nb, nb))
        for a in range(nb):
            for c in range(a, nb):
                T[a, c] = T[c, a] = np.sum(X[a] * X[c].T) / self.N
        return T


def _V_step(t, alpha, ridge, pb: _Problem):
    """Map ``t ↦ Φ(t)`` with ``S`` built from ``t``; returns (Φ(t), g, hats, Sinv, X)."""
    V = t @ pb.coef                      # V(κ) at the nodes
    g = 1.0 / (1.0 + V)
    hats = alpha * (pb.coef * g) @ pb.w  # V̂_a = α E[c_a/(1+V)]
    S = pb.combine(hats)
    S[np.diag_indices(pb.N)] += ridge
    Sinv = np.linalg.inv(S)
    Sinv = 0.5 * (Sinv + Sinv.T)
    X, t_new = pb.products(Sinv)
    return t_new, g, hats, Sinv, X


def _solve_one(alpha, ridge, pb: _Problem, t0, tol, max_iter):
    def system(t):
        phi, g, hats, Sinv, X = _V_step(t, alpha, ridge, pb)

        def jacobian():  # dΦ/dt = −T · α E[c cᵀ g²], minus the identity
            Mc = (pb.coef * (g * g * pb.w)) @ pb.coef.T
            return -alpha * pb.trace_table(X) @ Mc - np.eye(pb.nb)

        return phi - t, jacobian, phi, (phi, g, hats, Sinv, X)

    def feasible(t):
        return bool(np.all(t >= -1e-14) and np.all(t @ pb.coef > -1.0 + 1e-12))

    t, (phi, g, hats, Sinv, X), it, ok, resid = safeguarded_fixed_point(
        system, np.maximum(np.asarray(t0, float), 0.0), tol=tol, max_iter=max_iter, feasible=feasible)
    R = phi - t
    # ---------------------------------------------------------------- (θ, m)
    K, w, kap, h = pb.K, pb.w, pb.kappa, pb.h
    G = pb.Pb @ Sinv @ pb.Pb.T           # (P_k b)ᵀ S⁻¹ (P_l b)
    gw = g * w
    k1 = kap * pb.mu1                    # K × nκ
    # (I + αG A₃)θ + αG A₂m = αG a₁, A₂ᵀθ + B₀m = b₁: the mean channel as a projection (theta_and_mean)
    theta, m, c = theta_and_mean(pb.mu0, k1, h, gw, alpha * G, np.zeros(K))
    th_hat = alpha * (k1 @ ((h - c) * gw))
    # ---------------------------------------------------------------- Q
    T = pb.trace_table(X)
    ubar = Sinv @ (th_hat @ pb.Pb)
    uB = np.array([ubar @ (Ba @ ubar) for Ba in pb.dense] + [np.sum(ubar[mk] ** 2) for mk in pb.masks])
    a_k = uB @ pb.coef                   # ūᵀΣ_c(κ)ū
    e0 = (h - c) ** 2 + pb.noise
    g2w = g * g * w
    Mc = (pb.coef * g2w) @ pb.coef.T
    rhs = alpha * (pb.coef @ ((e0 + a_k) * g2w))
    Nhat = np.linalg.solve(np.eye(pb.nb) - alpha * Mc @ T, rhs)
    q = T @ Nhat
    Q = a_k + q @ pb.coef
    err = float((e0 + Q) @ w)
    # residual of the full system: V and θ equations at the solution
    res_theta = np.max(np.abs(theta - G @ th_hat)) if K else 0.0
    resid = float(max(np.max(np.abs(R)), res_theta))
    converged = ok and np.isfinite(err) and resid <= max(1e3 * tol, 1e-8) * (1 + np.max(np.abs(t)))
    return dict(err=err, t=t, theta=theta, m=m, thetahat=th_hat, resid=resid, it=it, converged=bool(converged))


def srf_test_error_groups(activation, teacher, groups, alpha, ridge, width_ratio=1.0, noise=0.0, *,
                          W0=None, seed=None, d=None, full_output=False, tol=1e-10, max_iter=200, n_kappa=None,
                          on_failure="warn"):
    r"""Ridge test error of the sRF model with several neuron groups (large batch, realized ``W₀``).

    Parameters
    ----------
    activation, teacher : activation specs
        Student σ and target σ* (``y = σ*(κ) + ε``: γ = 1).
    groups : list of (r_k, π_k)
        Spike strength and proportion of each group (π_k ≥ 0 summing to 1);
        after a large-batch step ``r_k = η̃ μ₁ μ₁* ā_k``.
    alpha : float or 1-d array, > 0
        ``n/d``. The equations are solved at ``n/N``.
    ridge : float > 0
        λ of ``Σ_μ (y_μ − w·φ/√N)² + λ‖w‖²``.
    width_ratio : float > 0
        ``N/d`` (``N = round(width_ratio·d)``); ignored when ``W0`` is given.
    noise : float >= 0
        Label-noise variance.
    W0, seed, d : keyword-only
        The realized ``W₀`` (``N × d``) or ``d`` and ``seed`` to draw one
        (``d`` defaults to :data:`DEFAULT_D` = 400); ``v̂`` is drawn from ``seed``
        after ``W₀`` (the order of ``srf_test_error(method="realized")``).
    full_output : bool
        Return a :class:`GroupsResult`.
    tol, max_iter, n_kappa, on_failure : solver settings
        Tolerance on the trace fixed point, iteration cap, Gauss–Hermite nodes
        (default that of :func:`srf_test_error`), ``"warn"``/``"raise"``/``"ignore"`` on
        non-convergence.

    Returns
    -------
    float or ndarray
        ``ε_g`` including the label noise (shape of ``alpha``).

    Notes
    -----
    This is the *realized* version (see the module docstring): it depends on
    the draw of ``W₀`` with finite-N fluctuations; practical for ``N`` up to
    about 1000–2000 (one N×N inverse per iteration, ``K² + K`` products).
    """
    sigma, target = activation_parameter("activation", activation), activation_parameter("teacher", teacher)
    pairs = normalize_groups(None, groups)
    a, ridge, beta, noise, tol, n_kappa = _check_readout(alpha, ridge, width_ratio, noise, tol, n_kappa, on_failure)
    max_iter = check_size("max_iter", max_iter)
    rng = as_generator(seed)
    if W0 is None:
        d = DEFAULT_D if d is None else check_size("d", d)
        N = max(1, int(round(beta * d)))
        W0 = draw_first_layer(N, d, "gaussian", rng)
    else:
        if d is not None:
            raise ValueError("give either W0 or d, not both")
        W0 = np.asarray(W0, dtype=float)
        if W0.ndim != 2 or not np.all(np.isfinite(W0)):
            raise ValueError(f"W0 must be a finite N x d array, got shape {W0.shape}")
    N, d = W0.shape
    vhat = rng.standard_normal(d)
    vhat /= np.linalg.norm(vhat)
    pb = _Problem(sigma, target, pairs, W0, vhat, noise, n_kappa)

    flat = a.ravel()
    a_int = flat * d / N
    order = np.argsort(flat, kind="stable")
    sols = [None] * flat.size
    t0 = np.zeros(pb.nb)
    for i in order:
        s = _solve_one(float(a_int[i]), ridge, pb, t0, tol, max_iter)
        if not s["converged"]:
            s2 = _solve_one(float(a_int[i]), ridge, pb, np.zeros(pb.nb), tol, max_iter)
            if s2["converged"]:
                s = s2
        if s["converged"]:
            t0 = s["t"]
        s["err"] = settle_point(s["err"], s["converged"], label="several-group sRF equations", alpha=float(flat[i]),
                                residual=s["resid"], iterations=s["it"], noise=noise, on_failure=on_failure)
        sols[i] = s
    err = np.array([s["err"] for s in sols]).reshape(a.shape)
    if not full_output:
        return float(err) if err.ndim == 0 else err

    def stack(key):
        return stack_points(sols, key, a.shape)

    return GroupsResult(
        alpha=a, alpha_int=(flat * d / N).reshape(a.shape), test_error=err, risk=err - noise,
        theta=stack("theta"), thetahat=stack("thetahat"), m=stack("m"), t=stack("t"),
        residual=stack("resid"), iterations=stack("it"), converged=stack("converged"),
        groups=pairs, N=N, d=d)
