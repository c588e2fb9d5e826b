r"""Outliers of the feature covariance after one step.

Source: ``docs/theory/spiked_features.md``; the unified condition is **[derived]** here.

Mean and ``b`` directions
-------------------------
The second moment of a row of ``F`` given κ is ``M(κ)M(κ)ᵀ + Σ_c(κ)`` with
``M(κ) = Σ_k μ_{0,k}(κ) 1_k + κ Σ_k μ_{1,k}(κ) P_k b`` (``b_i = ⟨v_i, v̂⟩``, ``P_k``
the indicator of group ``k``). With the orthonormal directions ``e_k = 1_k/√(Nπ_k)`` and
``f_k = P_k b/‖P_k b‖`` (``‖P_k b‖² ≈ s_k² N π_k/d``), ``M`` has coordinates
``v(κ) = (√(Nπ_k) μ_{0,k}(κ), κ μ_{1,k}(κ) ‖P_k b‖)`` and the deterministic
equivalent is ``Q̄ = (bulk − z + U S(z) Uᵀ)^{-1}``,
``S(z) = E_κ[v vᵀ/(1 + δ(κ; z))]``. The directions are independent of the bulk
rows, so ``Uᵀ(bulk − z)^{-1}U ≈ Q(z) = diag(q_{k(u)}(z))`` and, by Woodbury, the
outliers are the real ``z`` outside the bulk with

.. math:: \det\big(I + Q(z)\,S(z)\big) = 0 .

* **O(N), mean directions**: for large ``z``, ``g ≈ −1/z``, ``δ → 0``: the roots
  are ``N·eig[√(π_kπ_l) E μ_{0,k}μ_{0,l}]`` (:func:`mean_outlier_matrix`) plus an
  ``O(1)`` correction that the equation includes. At ``r = 0`` (one direction)
  it reduces to the conjugate kernel's ``λ m(λ) m̲(λ) = 1/(Nμ₀²)``.
* **O(1), b direction** (BBP type): after Schur elimination of the O(N) block,
  ``1 + g(z) s_eff(z) = 0`` with ``s_eff = s_bb − s_b0 s_00^{-1} s_0b``. At
  ``r = 0`` this is the missing column of ``W₀W₀ᵀ`` and has no root.
  **Settled numerically** (tests and issue #5 report): no root above the bulk
  for tanh ``ā = ±1``, ``r = 2`` and ReLU ``ā = 1``, ``r ∈ {1, 2, 4}``, and the simulated
  spectra show no eigenvalue separated from the bulk besides the mean ones.

Polynomial spikes (``η = n₀^α``, [Mon23])
-----------------------------------------
The same condition at ``η̃ = n₀^α/√N``: :mod:`rmt_spectra.spiked.polynomial` labels its
roots by Hermite degree.

He₂ fluctuations [derived; checked against simulation]
-------------------------------------------------------
Two finite-size terms of the ``He₂`` part of the features are ``O(1)`` and matter for the
``O(1)`` outliers (with ``∂μ_{0,k} = ∂μ_{0,k}/∂s² = E σ''/2`` at shift ``r_kκ``):

* the row norms fluctuate, ``Var ‖w_i'‖² = row_norm_variance[k]``, and move the feature's
  mean by ``∂μ_{0,k}(κ) ε_i``: a direction ``P_k ε`` per group (its coordinate in ``v``);
  in the network the norm also moves with ``b_i`` (``norm_b_coupling``);
* the ``He₂`` parts of different neurons are correlated, ``E He₂(g_i)He₂(g_j) = 2⟨w_i, w_j⟩²``
  with mean ``2E_λ τ_kτ_l/d``: ``S`` gains ``E_κ[Δ_kl(κ)/(1 + δ)]`` on the ``e_k`` block,
  ``Δ_kl = N√(π_kπ_l)(2/d) ∂μ_{0,k}∂μ_{0,l} E_λ τ_kτ_l`` (:func:`coherent_he2`).

At ``r = 0`` they reduce to :meth:`ConjugateKernel.mean_direction_strengths`. Measured
(σ = He₁ + He₂/2 + He₃/6, ā = ±1, η̃ = 0.309, d = N = 1000, n = n₀ = 2000, 4 seeds): the
``1_N`` outlier 9.21 measured, 8.06 without the terms, 8.50 with them, 8.86 with the
samples' norm fluctuation too (``SpikedFeatures(..., sample_norm_variance=2/d)``).
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from .._lazy import lazy_import
from ..solvers import newton, solve_upper
from ..spectrum import Outlier

optimize = lazy_import("scipy.optimize")

#: Hermite degrees used to label an outlier (:func:`label_outlier`)
LABEL_DEGREES = 6

__all__ = ["label_outlier", "mean_outlier_matrix", "outlier_matrix", "outlier_condition", "b_direction_condition", "find_outliers", "coherent_he2"]


def mean_outlier_matrix(model):
    r"""``[√(π_kπ_l) E_κ μ_{0,k}μ_{0,l}]`` (K×K); the O(N) outliers are ``N×`` its eigenvalues.

    The large-``z`` limit of the outlier condition (``g ≈ −1/z``, ``δ → 0``; module docstring):

    .. math:: A_{kl} = \sqrt{π_kπ_l}\,\sum_j w_j\,μ_{0,k}(κ_j)\,μ_{0,l}(κ_j),

    ``(κ_j, w_j)`` the model's κ-rule and ``μ_{0,k}(κ) = E σ(s_k g + r_kκ)`` the row mean of group ``k``.
    ``N·eig(A)`` is the leading-order location of the mean outliers (without the ``O(1)`` correction
    that :func:`find_outliers` includes). [derived here; at ``r = 0`` with one group ``A = μ₀²``, the
    conjugate kernel's mean outlier ``≈ Nμ₀²``.]

    Parameters
    ----------
    model : SpikedFeatures
        Reads ``pi`` (K,), ``mu0_k`` (K, nodes) and ``weights`` (nodes,).

    Returns
    -------
    ndarray (K, K)
        The symmetric positive semi-definite matrix ``A``.
    """
    sq = np.sqrt(model.pi)
    M = np.einsum("kn,ln,n->kl", model.mu0_k, model.mu0_k, model.weights)
    return M * sq[:, None] * sq[None, :]


def _mean_vectors(model):
    """Coordinates ``v(κ)`` of the row mean in the orthonormal directions (rows) at the κ nodes:
    ``e_k = 1_k/√(Nπ_k)``, one b direction per group, ``P_k b/‖P_k b‖`` with ``‖P_k b‖² ≈ s_k² N π_k/d``,
    and one row-norm direction per group, ``P_k ε/‖P_k ε‖`` (``ε_i = ‖w_i‖² − s_k²``) with
    coordinate ``∂_{s²}μ_{0,k}(κ) √(Var ε · N π_k)``."""
    rows = [np.sqrt(model.N * p) * model.mu0_k[k] for k, p in enumerate(model.pi)]
    for k, p in enumerate(model.pi):
        slope = model.kappa * model.mu1_k[k] + model.norm_b_coupling[k] * model.mu0_dv_k[k]
        rows.append(slope * np.sqrt(model.group_variances[k] * model.N * p / model.d))
    for k, p in enumerate(model.pi):
        rows.append(model.mu0_dv_k[k] * np.sqrt(model.row_norm_variance[k] * model.N * p))
    return np.array(rows)


def coherent_he2(model):
    r"""``Δ_kl(κ)`` (shape ``(K, K, nodes)``): the covariance along ``e_k, e_l`` of the He₂ parts of
    different neurons, ``N√(π_kπ_l)(2/d) ∂μ_{0,k} ∂μ_{0,l} E_λ τ_kτ_l`` (module docstring).

    .. math:: Δ_{kl}(κ) = N\sqrt{π_kπ_l}\,\frac2d\,∂μ_{0,k}(κ)\,∂μ_{0,l}(κ)\,E_λ[τ_k(λ)τ_l(λ)],

    from ``E He₂(g_i)He₂(g_j) = 2⟨w_i, w_j⟩²`` with ``E⟨w_i, w_j⟩² = E_λ τ_kτ_l/d`` for rows of groups
    ``k, l``; ``∂μ_{0,k} = ∂μ_{0,k}/∂s² = E σ''/2`` at shift ``r_kκ``. :func:`outlier_matrix` adds
    ``E_κ[Δ/(1 + δ)]`` to the ``e_k`` block of ``S``. [derived here; checked against simulation of the
    one-step network in ``tests/test_polynomial_spikes.py``.]

    Parameters
    ----------
    model : SpikedFeatures
        Reads ``N``, ``d``, ``pi`` (K,), ``mu0_dv_k`` (K, nodes: ``∂μ_{0,k}/∂s²`` at the κ nodes) and
        ``profile_products`` (K, K: ``E_λ τ_kτ_l``).

    Returns
    -------
    ndarray (K, K, nodes)
        ``Δ_kl(κ_j)``, symmetric in ``k, l``.
    """
    sq = np.sqrt(model.pi)
    scale = model.N * (2.0 / model.d) * sq[:, None] * sq[None, :] * model.profile_products
    return scale[:, :, None] * model.mu0_dv_k[:, None, :] * model.mu0_dv_k[None, :, :]


def _real_solution(model, z, x0=None):
    """The bulk unknowns at real ``z`` right of the bulk: by Newton from ``x0`` (a nearby solution on the real
    branch) when given, else by the continuation solver (no check for spurious real roots: ``z`` is outside)."""
    zc = np.asarray(z, float).astype(complex)
    if x0 is not None:
        x, _, res = newton(model.equation, np.broadcast_to(x0, (zc.size, x0.shape[-1])), zc, tol=1e-13, maxit=30)
        if np.all(res < 1e-10):
            return x
    x, _ = solve_upper(model.equation, zc, on_failure="ignore", real_outside=True)
    return x


def outlier_matrix(model, z, x=None):
    r"""``S(z)`` (shape ``(len(z), n_dir, n_dir)``) and the diagonal ``uᵀ R u`` (``(len(z), n_dir)``) at real ``z``.

    ``uᵀRu = q_k(z)`` (the bulk resolvent's diagonal on group ``k``) for the directions
    supported on group ``k`` (``e_k``, ``P_k b``, ``P_k ε``): they are independent of the bulk rows.
    ``x``: the bulk unknowns at ``z`` if already solved.

    .. math:: S(z) = E_κ\Big[\frac{v(κ)v(κ)^\top + Δ(κ)}{1 + δ(κ; z)}\Big],

    ``v(κ)`` the ``n_dir = 3K`` coordinates of the row mean (``K`` mean directions ``e_k``, ``K`` b
    directions, ``K`` row-norm directions) and ``Δ`` from :func:`coherent_he2`, the second term on the ``e_k``
    block only. [derived here]

    Parameters
    ----------
    model : SpikedFeatures
        The equivalent (its ``equation``, κ-rule and group coefficients).
    z : float or array_like of float
        Real points right of the bulk.
    x : ndarray (len(z), equation.size), optional
        Bulk unknowns at ``z`` (solved on the real branch when not given).

    Returns
    -------
    S : ndarray (len(z), n_dir, n_dir)
        ``S(z)``, symmetric.
    diag : ndarray (len(z), n_dir)
        ``uᵀRu = q_{k(u)}(z)`` for each direction (negative right of the bulk).
    """
    z = np.atleast_1d(np.asarray(z, float))
    V = _mean_vectors(model)
    if x is None:
        x = _real_solution(model, z)
    q = model.equation.group_q(x).real
    D = 1.0 + model.equation.delta(x).real
    K = q.shape[1]
    diag = np.concatenate([q] * (V.shape[0] // K), axis=1)
    S = np.einsum("in,jn,zn->zij", V, V, model.weights / D)
    S[:, :K, :K] += np.einsum("kln,zn->zkl", coherent_he2(model), model.weights / D)
    return S, diag


def outlier_condition(model, z, x=None):
    """Eigenvalues of the symmetric ``I − |Q|^{1/2} S |Q|^{1/2}`` (``Q = uᵀRu < 0`` right of the bulk): a zero = an outlier.

    Right of the bulk ``Q(z) = diag(q_{k(u)}(z)) < 0``, so ``det(I + Q S) = det(I − |Q|^{1/2} S |Q|^{1/2})``
    (Woodbury on ``Q̄ = (bulk − z + U S Uᵀ)^{-1}``; module docstring): an outlier is a ``z`` where one
    eigenvalue crosses zero, and the number of negative eigenvalues at ``z`` counts the outliers right
    of ``z``. Entries with ``q ≥ 0`` (not right of the bulk) are clipped to 0. [derived here]

    Parameters
    ----------
    model : SpikedFeatures
        The equivalent.
    z : float or array_like of float
        Real points right of the bulk (``z > model.right_edge``).
    x : ndarray (len(z), equation.size), optional
        Bulk unknowns at ``z`` if already solved.

    Returns
    -------
    ndarray (len(z), n_dir)
        Eigenvalues at each ``z``, ascending (``n_dir = 3K``).
    """
    S, diag = outlier_matrix(model, z, x)
    r = np.sqrt(np.maximum(-diag, 0.0))
    return np.linalg.eigvalsh(np.eye(S.shape[-1]) - r[:, :, None] * S * r[:, None, :])


def b_direction_condition(model, z):
    """Smallest eigenvalue of ``I − |Q|^{1/2}S_eff|Q|^{1/2}`` at real ``z`` right of the bulk, ``S_eff`` the Schur
    complement of the O(N) mean block (scalar case: ``1 + g(z) s_eff(z)``): the O(1) (BBP-type) b-direction
    condition; a zero would be an O(1) outlier.

    With ``M = |Q|^{1/2} S |Q|^{1/2}`` split into the ``K`` mean directions (``0``) and the other
    ``2K`` directions (``b``: the b directions and the row-norm directions), the O(N) block is
    eliminated at leading order in ``N`` (``I − M₀₀ ≈ −M₀₀``):

    .. math:: S_{eff} = M_{bb} − M_{b0} M_{00}^{+} M_{0b},

    (``M₀₀⁺`` by least squares, ``rcond = 1e-12``) and the smallest eigenvalue of ``I − S_eff`` is returned.
    [derived here; no root above the bulk in the settings of ``tests/test_spiked_features.py``.]

    Parameters
    ----------
    model : SpikedFeatures
        The equivalent.
    z : float or array_like of float
        Real points right of the bulk.

    Returns
    -------
    ndarray (len(z),)
        Smallest eigenvalue of ``I − S_eff(z)``: ``> 0`` everywhere means no O(1) outlier from these directions.
    """
    S, diag = outlier_matrix(model, z)
    K = len(model.pi)
    r = np.sqrt(np.maximum(-diag, 0.0))
    M = r[:, :, None] * S * r[:, None, :]  # |Q|^{1/2} S |Q|^{1/2}
    s00, s0b, sbb = M[:, :K, :K], M[:, :K, K:], M[:, K:, K:]
    sol = np.stack([np.linalg.lstsq(a, v, rcond=1e-12)[0] for a, v in zip(s00, s0b)])
    schur = sbb - np.einsum("zkb,zkc->zbc", s0b, sol)
    # smallest eigenvalue of I − Schur complement: > 0 means no O(1) outlier from the b directions
    return np.linalg.eigvalsh(np.eye(schur.shape[-1]) - 0.5 * (schur + np.swapaxes(schur, 1, 2)))[:, 0]


def find_outliers(model, *, grid_points=120):
    """Roots of ``det(I + Q(z)S(z))`` above the right edge: sign changes on a log grid, refined by Brent.

    The bulk unknowns are solved once on the grid (vectorized; ``grid_points`` log-spaced
    distances to the edge from 1e-6 to the top); the number of negative eigenvalues of the
    symmetrized condition counts the outliers further right. A bracket where it changes by more
    than one (two roots closer than the grid) is subdivided (16 points, up to 4 times) until each
    holds one root; inside a bracket Brent's evaluations start Newton from the grid solution at
    its end. 120 points give the same roots as 400 to 1e-8 in the settings of the tests, 3.5×
    faster for a Gaussian second layer (8 groups).

    The grid spans ``(edge, hi]`` with ``hi = 2·top + 4·edge + 10``, ``top`` the largest naive O(N)
    outlier ``N·eig(mean_outlier_matrix)`` (roots beyond ``hi`` are not searched). A bracket where
    Brent fails gives its midpoint; a root the subdivision could not split is repeated (its count).

    Parameters
    ----------
    model : SpikedFeatures
        The equivalent (its ``right_edge`` is computed if needed).
    grid_points : int
        Points of the log grid above the edge; default 120.

    Returns
    -------
    list of Outlier
        One record per root, by decreasing location, from :func:`label_outlier` (``multiplicity=1``;
        ``source`` ``"mean"`` or ``"degree-j spike"``, with ``" #2"``, ``" #3"``… appended when two
        roots get the same label; ``info["naive"]`` the nearest naive O(N) location).
    """
    edge = model.right_edge
    naive = model.N * np.linalg.eigvalsh(mean_outlier_matrix(model))
    top = max(float(np.max(naive, initial=0.0)), 0.0)
    hi = 2.0 * top + 4.0 * edge + 10.0
    grid = edge + (hi - edge) * np.logspace(-6, 0, grid_points)
    xs = _real_solution(model, grid)
    # eigenvalues of I + gS below zero: one per outlier further right
    neg = np.sum(outlier_condition(model, grid, xs) < 0, axis=-1)

    brackets = [(grid[i], grid[i + 1], int(neg[i]) - int(neg[i + 1]), xs[i + 1])
                for i in range(len(grid) - 1) if neg[i] != neg[i + 1]]
    out = []
    for depth in range(5):
        crowded = [b for b in brackets if abs(b[2]) > 1]
        if not crowded or depth == 4:
            break
        brackets = [b for b in brackets if abs(b[2]) <= 1]
        for lo, hi_, _, _ in crowded:
            sub = np.linspace(lo, hi_, 17)
            xsub = _real_solution(model, sub)
            nsub = np.sum(outlier_condition(model, sub, xsub) < 0, axis=-1)
            brackets += [(sub[i], sub[i + 1], int(nsub[i]) - int(nsub[i + 1]), xsub[i + 1])
                         for i in range(16) if nsub[i] != nsub[i + 1]]
    for lo, hi_, count, x0 in brackets:
        def f(t, x0=x0):
            xt = _real_solution(model, [t], x0[None, :])
            return float(np.prod(outlier_condition(model, [t], xt)[0]))

        try:
            x = optimize.brentq(f, lo, hi_, xtol=1e-13 * hi_)
        except ValueError:
            x = 0.5 * (lo + hi_)
        out.extend([float(x)] * abs(count))  # a root the subdivision could not split: its multiplicity
    records = [label_outlier(model, x, naive=naive, edge=edge) for x in sorted(out, reverse=True)]
    # two roots with the same label (e.g. a Gaussian second layer): number them
    seen = {}
    for i, rec in enumerate(records):
        seen[rec.source] = seen.get(rec.source, 0) + 1
        if seen[rec.source] > 1:
            records[i] = replace(rec, source=f"{rec.source} #{seen[rec.source]}")
    return records


def _hermite_shares(f, kappa, weights, kmax=LABEL_DEGREES):
    from numpy.polynomial.hermite_e import hermeval

    coef = np.array([np.sum(weights * f * hermeval(kappa, np.eye(kmax + 1)[j])) / math.sqrt(math.factorial(j))
                     for j in range(kmax + 1)])
    total = float(np.sum(coef**2))
    return coef**2 / total if total > 0 else np.zeros(kmax + 1)


def label_outlier(model, location, *, naive=None, edge=None):
    r"""The :class:`Outlier` record of a root of the outlier condition, labelled by what it is.

    The null vector ``w`` of ``I − |Q|^{1/2}S|Q|^{1/2}`` at the root gives the outlier's
    direction: on the neuron side ``Σ_j w_j u_j`` (``u_j`` the orthonormal directions of
    :func:`_mean_vectors`), which overlaps ``1_N/√N`` by ``(Σ_k w_k √π_k)²/‖w‖²``; on the
    sample side the function ``f(κ) = Σ_j w_j v_j(κ)``, with Hermite shares
    ``E[f He_j]²/j!`` (normalized). Label: ``"mean"`` when the neuron-side overlap with
    ``1_N`` is ≥ 1/2 (the mean of σ and every degree whose neuron pattern is ``1_N``),
    else ``"degree-j spike"`` with ``j`` the dominant share (a learned direction).

    Parameters
    ----------
    model : SpikedFeatures
        The equivalent.
    location : float
        A root of the outlier condition right of the bulk (e.g. from :func:`find_outliers`).
    naive : array_like of float, optional
        Naive O(N) locations ``N·eig(mean_outlier_matrix)``; the one nearest ``location`` is reported.
    edge : float, optional
        Right edge of the bulk to report (default ``model.right_edge``).

    Returns
    -------
    Outlier
        ``location``, ``overlap=None``, ``multiplicity=1``, ``source`` (``"mean"`` or ``"degree-j spike"``,
        ``1 ≤ j ≤ LABEL_DEGREES``) and ``info``: ``degree`` (0 for the mean), ``mean_overlap``,
        ``hermite_shares`` (``{j: share}``, ``j = 0..LABEL_DEGREES``, summing to 1), ``bulk_edge``,
        ``equation`` and, when ``naive`` is given, ``naive``.
    """
    S, diag = outlier_matrix(model, [location])
    K = len(model.pi)
    r = np.sqrt(np.maximum(-diag[0], 0.0))
    ev, U = np.linalg.eigh(np.eye(S.shape[-1]) - r[:, None] * S[0] * r[None, :])
    w = r * U[:, np.argmin(np.abs(ev))]
    w = w / np.linalg.norm(w)
    mean_overlap = float(np.sum(w[:K] * np.sqrt(model.pi)) ** 2)
    shares = _hermite_shares(w @ _mean_vectors(model), model.kappa, model.weights)
    if mean_overlap >= 0.5:
        source, degree = "mean", 0
    else:
        degree = int(np.argmax(shares[1:]) + 1)
        source = f"degree-{degree} spike"
    info = {"degree": degree, "mean_overlap": mean_overlap,
            "hermite_shares": {j: float(x) for j, x in enumerate(shares)},
            "bulk_edge": model.right_edge if edge is None else edge, "equation": "det(I + Q(z) S(z)) = 0"}
    if naive is not None and np.size(naive):
        info["naive"] = float(np.asarray(naive)[np.argmin(np.abs(np.asarray(naive) - location))])
    return Outlier(location=float(location), overlap=None, multiplicity=1, source=source, info=info)
