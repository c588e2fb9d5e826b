r"""Spectral measures of the spike and target directions in the step matrix (:func:`step_directions`).

Used by :class:`rmt_spectra.risk.profile.RowModel` to place the spike ``ζ̂`` and the target ``θ``
in the eigenbasis of the step matrix ``M``: both are built from the batch, so their measures
differ from the spectral law of ``M`` (derivation in :func:`step_directions`).
"""
from __future__ import annotations

import math

import numpy as np

from ..gaussian.quadrature import gauss_hermite, gauss_legendre, split_rule
from ..spiked.residual import NOISE_NODES, TRUNCATION

__all__ = ["step_directions"]


def _joint_residual_rule(law):
    """Nodes ``(r, g)`` and weights of the joint law of the residual and the teacher's input.

    ``r = σ*(g) + √(noise + v_f) ε − offset`` with ``g, ε`` standard, the rule of
    :class:`~rmt_spectra.spiked.ResidualLaw` (split rule in ``g``, Gauss–Hermite in ``ε``).
    """
    if getattr(law, "teacher", None) is None:
        raise ValueError("step.residual must be a ResidualLaw with a teacher (an empirical law has no joint "
                         "law with the teacher's input): use directions='generic' or 'given'")
    g, wg, _ = split_rule(law.teacher.kinks, L=TRUNCATION)
    s = law.teacher(g) - law.offset
    spread = law.noise + law.network_variance
    if spread > 0:
        e, we = gauss_hermite(getattr(law, "noise_nodes", 0) or NOISE_NODES)
        r = (s[:, None] + math.sqrt(spread) * np.asarray(e)[None, :]).ravel()
        gg = np.repeat(g, len(e))
        ww = (wg[:, None] * np.asarray(we)[None, :]).ravel()
    else:
        r, gg, ww = s, g, wg
    return r, gg, ww / ww.sum()


def _direction_transforms(z, step, rule):
    r"""``θᵀR θ``, ``θᵀR ζ``, ``ζᵀR ζ`` (``R = (M − z)⁻¹``) and ``m(z)`` at points ``z`` (deterministic).

    With ``e = (d/n₀) m(z)``: ``s = 1/(−z + E[r g²/(1 + re)])``, ``b = E[r g/(1 + re)]``,
    ``θᵀRθ = s``, ``θᵀRζ = s b``, ``ζᵀRζ = E[r² e/(1 + re)] + s b²`` (module docstring of
    :func:`step_directions`).
    """
    r, g, w = rule
    m = np.asarray(step.step_matrix.stieltjes(np.asarray(z, complex)), complex)
    e = step.info["gamma0"] * m
    den = 1.0 + r[None, :] * e[:, None]
    s = 1.0 / (-np.asarray(z, complex) + ((r * g * g)[None, :] / den) @ w)
    b = ((r * g)[None, :] / den) @ w
    zz = ((r * r)[None, :] * e[:, None] / den) @ w + s * b * b
    return s, s * b, zz, m


def step_directions(step, *, scan_points=400):
    r"""Spectral measures of the spike direction ``ζ̂`` and the target direction ``θ_⊥`` in the step matrix.

    After the step, row ``i`` of group ``k`` is ``(I + t_kM)w_i + …``: its variance
    along a unit vector ``u`` is ``uᵀ τ_k(M) u = ∫ τ_k dμ_u`` with ``μ_u`` the spectral
    measure of ``M = X₀ᵀ diag(r) X₀/n₀`` at ``u``. The directions that matter to the
    risk, ``θ`` (the target) and ``ζ = X₀ᵀr/n₀`` (the spike), are *built from* the
    batch, so their measures differ from ``law(M)``: e.g. ``θᵀMθ → E[r g²]`` and
    ``ζ̂ᵀMζ̂ → (E[rg]² E[rg²] + 2γ₀E[rg]E[r²g] + γ₀(E r E r² γ₀⁰ … ))/‖ζ‖²`` — well
    above the bulk mean ``E r`` for a ReLU teacher (0.40 and 0.66 against 0).

    Derivation [derived; checked against the realized ``M`` at ``d = 1500``]:
    write ``x_μ = g_μθ + y_μ`` (``g_μ = ⟨θ, x_μ⟩``, ``y_μ ⊥ θ`` independent of
    ``(g_μ, r_μ)``), ``M = aθθᵀ + θcᵀ + cθᵀ + M_⊥`` with ``a = E[rg²]``,
    ``c = (1/n₀)Σ r_μg_μy_μ``, ``M_⊥ = (1/n₀)Σ r_μy_μy_μᵀ`` (the weighted sample
    covariance of ``law(M)``), and ``ζ = E[rg]θ + ζ_⊥``, ``ζ_⊥ = (1/n₀)Σ r_μy_μ``.
    For weighted sums ``u_w = (1/n₀)Σ w_μy_μ`` the leave-one-out identity
    ``R_⊥y_μ = R_⊥^{(μ)}y_μ/(1 + r_μe)`` leaves only the diagonal terms:
    ``u_wᵀR_⊥u_{w'} ≈ E[w w' e/(1 + r e)]``, ``e = (d/n₀) m(z)``. The Schur complement
    on ``θ`` then gives

    .. math::
       θ^\top Rθ = s,\quad θ^\top Rζ = s\,b,\quad ζ^\top Rζ = E\Big[\frac{r^2 e}{1 + re}\Big] + s\,b^2,\qquad
       s = \Big(-z + E\Big[\frac{r g^2}{1 + re}\Big]\Big)^{-1},\ b = E\Big[\frac{r g}{1 + re}\Big].

    (Checks: ``z → ∞`` gives ``‖θ‖² = 1``, ``⟨θ, ζ⟩ = μ₁*``, ``‖ζ‖² = μ₁*² + (d/n₀)E r²``;
    against the realized ``M`` (ReLU/ReLU, ``d = 1500``, 4 seeds) within the
    seed-to-seed spread at ``z = ±1.5, −0.5 + 0.05i, 0.05i``.)
    The densities on the λ nodes of ``step`` follow from ``Im f(λ + i0)/π``; the
    node weights are ``ω_j Im f/Im m`` (the same quadrature as ``law(M)``). A real
    zero ``λ*`` of ``1/s`` outside the support is an outlier of ``M`` along ``θ``:
    an atom of mass ``−1/(1/s)'(λ*)`` in ``μ_θθ`` (times ``b``, ``b²`` in ``μ_θζ``,
    ``μ_ζζ``), added as a node of zero bulk weight.

    Finite size [derived; checked through the risk against realized ``M``]: the λ rule of
    :func:`~rmt_spectra.spiked.network_step` stops where a ``d × d`` matrix has its
    extreme eigenvalues (``ppf(0.1/d)``, ``ppf(1 − 0.1/d)``). ``θ`` and ``ζ`` put much more
    weight than ``law(M)`` into the thin tail beyond (ReLU/ReLU, ``η̃ = 3``, ``n₀ = 4d``,
    ``d = 1000``: 10 % of ``μ_θθ`` against 1e-4 of the bulk); a finite ``M`` has no
    eigenvalue there and carries that weight on its top eigenvectors (realized: 13–26 % of
    ``θ`` on the top four). So the tails' direction mass is folded onto the extreme
    nodes, with the exact totals ``1, μ₁*, ‖ζ‖²`` (the part the tail rule misses in the
    comb of narrow bands of a discretized residual law is reported as ``mass_error``).
    The folding depends on ``d`` and vanishes, slowly, as ``d → ∞``. Finally
    ``ζ̂ = ζ/‖ζ‖``, ``θ_⊥ = (θ − γζ̂)/ρ``.

    Parameters
    ----------
    step : NetworkStep
        The step of :func:`~rmt_spectra.spiked.network_step`: its λ rule
        (``lambda_nodes``, ``lambda_weights``), ``step_matrix`` (``law(M)``),
        ``residual`` (a :class:`~rmt_spectra.spiked.ResidualLaw` with a teacher, else
        ``ValueError``) and ``info["gamma0"] = d/n₀``. With a single λ node the generic
        weights are returned (``M`` does not enter the rows).
    scan_points : int, default 400, keyword-only
        Points of the sign scan of ``Re 1/s`` for outliers, beyond each edge of the support
        (geometric, from ``1e-6`` to 20 support widths) and across each gap; each sign change is
        refined by ``brentq``.

    Returns
    -------
    dict
        ``nodes``, ``lambda_weights``, ``direction_weights`` (3, L') for
        ``(ζ̂ζ̂, θ_⊥θ_⊥, ζ̂θ_⊥)``, ``outliers`` (list of (λ*, mass along θ)),
        ``tail_mass`` (the mass of ``(θθ, θζ, ζζ)`` folded onto the extreme nodes),
        ``mass_error`` (the part of it not resolved by the tail rule, relative to the
        total), ``fallback_mass`` (bulk weight of the nodes where the density of ``M`` could
        not be resolved, next to its singular point 0 at ``n₀ = d``, and which got the generic
        direction weights), ``rayleigh`` (``θᵀMθ``, ``ζ̂ᵀMζ̂``).
    """

    from scipy.optimize import brentq

    lam = np.asarray(step.lambda_nodes, float)
    w = np.asarray(step.lambda_weights, float)
    w = w / w.sum()
    if lam.size == 1:  # no E σ'' term: M does not enter the rows
        return {"nodes": lam, "lambda_weights": w, "direction_weights": np.stack([w, w, np.zeros_like(w)]),
                "outliers": [], "tail_mass": np.zeros(3), "mass_error": 0.0, "fallback_mass": 0.0,
                "rayleigh": (float("nan"), float("nan"))}
    rule = _joint_residual_rule(step.residual)
    r, g, wr = rule
    gamma0 = step.info["gamma0"]
    mu1s = float((r * g) @ wr)                     # E[r g] = μ₁*
    zeta2 = mu1s**2 + gamma0 * float((r * r) @ wr)
    law = step.step_matrix
    support = sorted((float(a), float(b)) for a, b in law.support)
    lo, hi = support[0][0], support[-1][1]
    width = hi - lo
    tt, tz, zz, m = _direction_transforms(lam + 0j, step, rule)
    bad = ~(m.imag > 1e-10 * np.abs(m))
    if np.any(bad):  # boundary value not resolved (next to a singular point of the density): from above
        tt[bad], tz[bad], zz[bad], m[bad] = _direction_transforms(lam[bad] + 1e-7j * width, step, rule)
    bad = ~(m.imag > 1e-10 * np.abs(m))
    safe = np.where(bad, 1.0, m.imag)
    cont = np.stack([tt.imag, tz.imag, zz.imag]) / safe * w    # (3, L)
    # nodes where neither resolves the density: generic weights (reported)
    cont[:, bad] = np.stack([w[bad], w[bad] * mu1s, w[bad] * zeta2])
    fallback_mass = float(w[bad].sum())
    # the tails of the support beyond the extreme nodes (the λ rule leaves them out: a finite M has no
    # eigenvalue there); their direction mass goes to the extreme nodes, where the finite M's top
    # eigenvectors carry it
    xg, wg = gauss_legendre(64)
    tails, tail_nodes = [], []
    for a, b, node in ((float(lam.max()), hi, int(np.argmax(lam))), (lo, float(lam.min()), int(np.argmin(lam)))):
        mass = np.zeros(3)
        if b - a > 1e-12 * width:
            u = 0.5 * (xg + 1.0)
            pts = []
            for k in range(8):  # 8 sub-panels, each graded towards both ends
                pa, pb = a + (b - a) * k / 8, a + (b - a) * (k + 1) / 8
                pts.append((pa + (pb - pa) * (3 * u**2 - 2 * u**3), (pb - pa) * 6 * u * (1 - u) * 0.5 * wg))
            x = np.concatenate([p[0] for p in pts])
            dx = np.concatenate([p[1] for p in pts])
            ftt, ftz, fzz, _ = _direction_transforms(x + 0j, step, rule)
            mass = np.array([ftt.imag @ dx, ftz.imag @ dx, fzz.imag @ dx]) / np.pi
        tails.append(mass)
        tail_nodes.append(node)
    tails = np.array(tails)                                        # (2 sides, 3)
    # outliers of M along θ: real zeros of 1/s outside the support (beyond the edges and in the gaps)
    def inv_s(x):
        s_, _, _, _ = _direction_transforms(np.array([x + 0j]), step, rule)
        return float((1.0 / s_[0]).real)

    ranges = [(hi, +1), (lo, -1)] + [((b0, a1), 0) for (_, b0), (a1, _) in zip(support[:-1], support[1:])]
    outliers = []
    for edge, side in ranges:
        if side:
            xs = edge + side * width * np.geomspace(1e-6, 20.0, scan_points)
        else:
            a_, b_ = edge
            xs = a_ + (b_ - a_) * np.linspace(1e-6, 1 - 1e-6, scan_points)
        s_all, _, _, _ = _direction_transforms(xs + 0j, step, rule)
        vals = (1.0 / s_all).real
        for i in np.flatnonzero(np.sign(vals[:-1]) != np.sign(vals[1:])):
            x0 = brentq(inv_s, xs[i], xs[i + 1], xtol=1e-14 * max(1.0, abs(xs[i])))
            h = 1e-6 * width
            slope = (inv_s(x0 + h) - inv_s(x0 - h)) / (2 * h)
            _, _, _, mm = _direction_transforms(np.array([x0 + 0j]), step, rule)
            e0 = gamma0 * mm[0].real
            b0 = float(((r * g) / (1.0 + r * e0)) @ wr)
            mass = -1.0 / slope
            if mass > 0:
                outliers.append((float(x0), float(mass), b0))
    atoms = np.array([[o[1], o[1] * o[2], o[1] * o[2] ** 2] for o in outliers]).T if outliers else np.zeros((3, 0))
    totals = np.array([1.0, mu1s, zeta2])
    # the exact totals fix the tails: the thin tail of law(M) is a comb of narrow bands (one per atom of
    # the discretized residual law) that the tail rule under-resolves; the deficit goes to the tails in
    # proportion to their integrated masses
    deficit = totals - atoms.sum(axis=1) - cont.sum(axis=1) - tails.sum(axis=0)
    share = np.abs(tails) / np.maximum(np.abs(tails).sum(axis=0), 1e-300)
    share[:, np.abs(tails).sum(axis=0) <= 1e-300] = np.array([[1.0], [0.0]])
    tails = tails + share * deficit[None, :]
    for side, node in enumerate(tail_nodes):
        cont[:, node] += tails[side]
    tail_mass = tails.sum(axis=0)
    mass_error = float(np.max(np.abs(deficit) / np.maximum(np.abs(totals), 1e-12)))
    nodes = np.concatenate([lam, [o[0] for o in outliers]])
    lw = np.concatenate([w, np.zeros(len(outliers))])
    tt_w, tz_w, zz_w = np.concatenate([cont, atoms], axis=1)
    zn = math.sqrt(zeta2)
    gam = mu1s / zn
    rho = math.sqrt(max(1.0 - gam * gam, 0.0))
    zhat = zz_w / zeta2
    tzhat = tz_w / zn
    if rho > 1e-12:
        tperp = (tt_w - 2 * gam * tzhat + gam * gam * zhat) / rho**2
        cross = (tzhat - gam * zhat) / rho
    else:
        tperp, cross = np.zeros_like(zhat), np.zeros_like(zhat)
    rayleigh = (float(tt_w @ nodes), float(zhat @ nodes))
    return {"nodes": nodes, "lambda_weights": lw, "direction_weights": np.stack([zhat, tperp, cross]),
            "outliers": [(o[0], o[1]) for o in outliers], "tail_mass": tail_mass, "mass_error": mass_error,
            "fallback_mass": fallback_mass, "rayleigh": rayleigh}
