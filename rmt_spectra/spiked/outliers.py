r"""Outliers of the feature covariance after one step.

Source: ``05_spiked_features.md``; the unified condition is **[derived]** here.

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

Polynomial spikes (``η = n^α``, [Mon23])
-----------------------------------------
:func:`polynomial_spike_outliers` turns the predictions of
:meth:`OneStepResult.polynomial_spikes` (singular values ``s`` of ``F``) into
eigenvalue outliers of ``Σ̂ = FᵀF/n`` (``s²/n``).
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from ..spectrum import Outlier

__all__ = ["mean_outlier_matrix", "outlier_matrix", "outlier_condition", "b_direction_condition", "find_outliers", "polynomial_spike_outliers"]


def mean_outlier_matrix(model):
    """``[√(π_kπ_l) E_κ μ_{0,k}μ_{0,l}]`` (K×K); the O(N) outliers are ``N×`` its eigenvalues."""
    sq = np.sqrt(model.pi)
    M = np.einsum("kn,ln,n->kl", model.mu0_k, model.mu0_k, model.weights)
    return M * sq[:, None] * sq[None, :]


def _mean_vectors(model):
    """Coordinates ``v(κ)`` of the row mean in the orthonormal directions (rows) at the κ nodes:
    ``e_k = 1_k/√(Nπ_k)`` and one b direction per group, ``P_k b/‖P_k b‖`` with ``‖P_k b‖² ≈ s_k² N π_k/d``."""
    rows = [np.sqrt(model.N * p) * model.mu0_k[k] for k, p in enumerate(model.pi)]
    for k, p in enumerate(model.pi):
        rows.append(model.kappa * model.mu1_k[k] * np.sqrt(model.group_variances[k] * model.N * p / model.d))
    return np.array(rows)


def _real_solution(model, z, x0=None):
    """The bulk unknowns at real ``z`` right of the bulk: by Newton from ``x0`` (a nearby solution on the real
    branch) when given, else by the continuation solver (no check for spurious real roots: ``z`` is outside)."""
    from ..solvers import newton, solve_upper

    zc = np.asarray(z, float).astype(complex)
    if x0 is not None:
        x, _, res = newton(model.equation, np.broadcast_to(x0, (zc.size, x0.shape[-1])), zc, tol=1e-13, maxit=30)
        if np.all(res < 1e-10):
            return x
    x, _ = solve_upper(model.equation, zc, warn=False, real_outside=True)
    return x


def outlier_matrix(model, z, x=None):
    """``S(z)`` (shape ``(len(z), n_dir, n_dir)``) and the diagonal ``uᵀ R u`` (``(len(z), n_dir)``) at real ``z``.

    ``uᵀRu = q_k(z)`` (the bulk resolvent's diagonal on group ``k``) for the directions
    supported on group ``k`` (``e_k`` and ``P_k b``): they are independent of the bulk rows.
    ``x``: the bulk unknowns at ``z`` if already solved.
    """
    z = np.atleast_1d(np.asarray(z, float))
    V = _mean_vectors(model)
    if x is None:
        x = _real_solution(model, z)
    q = model.equation.group_q(x).real
    D = 1.0 + model.equation.delta(x).real
    diag = np.concatenate([q, q], axis=1)
    S = np.einsum("in,jn,zn->zij", V, V, model.weights / D)
    return S, diag


def outlier_condition(model, z, x=None):
    """Eigenvalues of the symmetric ``I − |Q|^{1/2} S |Q|^{1/2}`` (``Q = uᵀRu < 0`` right of the bulk): a zero = an outlier."""
    S, diag = outlier_matrix(model, z, x)
    r = np.sqrt(np.maximum(-diag, 0.0))
    return np.linalg.eigvalsh(np.eye(S.shape[-1]) - r[:, :, None] * S * r[:, None, :])


def b_direction_condition(model, z):
    """Smallest eigenvalue of ``I − |Q|^{1/2}S_eff|Q|^{1/2}`` at real ``z`` right of the bulk, ``S_eff`` the Schur
    complement of the O(N) mean block (scalar case: ``1 + g(z) s_eff(z)``): the O(1) (BBP-type) b-direction
    condition; a zero would be an O(1) outlier."""
    S, diag = outlier_matrix(model, z)
    K = len(model.pi)
    r = np.sqrt(np.maximum(-diag, 0.0))
    M = r[:, :, None] * S * r[:, None, :]  # |Q|^{1/2} S |Q|^{1/2}
    s00, s0b, sbb = M[:, :K, :K], M[:, :K, K:], M[:, K:, K:]
    sol = np.stack([np.linalg.lstsq(a, v, rcond=1e-12)[0] for a, v in zip(s00, s0b)])
    schur = sbb - np.einsum("zkb,zkc->zbc", s0b, sol)
    # smallest eigenvalue of I − Schur complement: > 0 means no O(1) outlier from the b directions
    return np.linalg.eigvalsh(np.eye(schur.shape[-1]) - 0.5 * (schur + np.swapaxes(schur, 1, 2)))[:, 0]


def find_outliers(model, *, grid_points=400):
    """Roots of ``det(I + Q(z)S(z))`` above the right edge: sign changes on a log grid, refined by Brent.

    The bulk unknowns are solved once on the grid (vectorized); inside a bracket Brent's
    evaluations start Newton from the grid solution at the bracket's end.
    """
    edge = model.right_edge
    naive = model.N * np.linalg.eigvalsh(mean_outlier_matrix(model))
    top = max(float(np.max(naive, initial=0.0)), 0.0)
    hi = 2.0 * top + 4.0 * edge + 10.0
    grid = edge + (hi - edge) * np.logspace(-6, 0, grid_points)
    xs = _real_solution(model, grid)
    ev = outlier_condition(model, grid, xs)

    out = []
    neg = np.sum(ev < 0, axis=-1)  # eigenvalues of I + gS below zero: one per outlier further right
    for i in range(len(grid) - 1):
        if neg[i] != neg[i + 1]:
            x0 = xs[i + 1]

            def f(t, x0=x0):
                xt = _real_solution(model, [t], x0[None, :])
                return float(np.prod(outlier_condition(model, [t], xt)[0]))

            try:
                x = brentq(f, grid[i], grid[i + 1], xtol=1e-13 * grid[i + 1])
            except ValueError:
                x = 0.5 * (grid[i] + grid[i + 1])
            for _ in range(abs(int(neg[i]) - int(neg[i + 1]))):
                out.append(float(x))
    records = []
    big = naive[naive > edge]
    for x in sorted(out, reverse=True):
        # a root near N·eig(mean matrix) is a mean outlier (its O(1) correction is small); else a b-direction one
        near = float(big[np.argmin(np.abs(big - x))]) if big.size else None
        is_mean = near is not None and abs(x - near) < 0.5 * near
        records.append(Outlier(location=x, overlap=None, multiplicity=1,
                               source="mean" if is_mean else "b-direction (BBP)",
                               info={"naive": near if is_mean else None, "equation": "det(I + Q(z) S(z)) = 0"}))
    return records


def polynomial_spike_outliers(result, **kwargs):
    """Outlier records (eigenvalues ``s²/n`` of ``Σ̂ = FᵀF/n``) of the polynomial spikes of a one-step result.

    ``result`` is a :class:`~rmt_spectra.OneStepResult` (``η = n^α`` regime);
    keyword arguments go to :meth:`OneStepResult.polynomial_spikes`. Each
    record's ``info`` holds the predicted singular value, the degree ``k`` and
    the measured eigenvalue when the simulation resolved it.
    """
    spikes = result.polynomial_spikes(**kwargs)
    pred, meas = spikes["prediction"], spikes["measured"]
    n = result.params["n"]
    measured = {}
    for item in (meas.get("spikes") or []) if isinstance(meas, dict) else []:
        if isinstance(item, dict) and "k" in item and "size" in item:
            measured[item["k"]] = float(item["size"]) ** 2 / n
    out = []
    for s in pred.spikes:
        if s["k"] == 0 or not s.get("resolvable", False):
            continue
        info = {**s, "singular_value": s["size"], "matrix": "F^T F / n"}
        if s["k"] in measured:
            info["measured"] = measured[s["k"]]
        out.append(Outlier(location=float(s["size"]) ** 2 / n, overlap=None, multiplicity=1,
                           source=f"degree-{s['k']} spike", info=info))
    return out
