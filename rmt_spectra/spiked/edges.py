r"""Support edges of the spiked-features equivalent, from the equation (no density scan).

Source: ``05_spiked_features.md`` (scalar case) — the method is **[derived]** here.

Outside the support, ``g(x) = B/φ`` is real and strictly increasing in ``x``.
Along the real solution branch parametrised by ``B`` the map ``B ↦ x`` is
explicit once the second unknown ``A`` is known: with ``D(κ) = 1 + μ₁²A + μ⋆²B``,
``c₁ = E μ₁²/D``, ``c₂ = E μ⋆²/D``, ``m = c c₁ B/φ`` and the inverse
Marchenko–Pastur map ``w(m) = −((β − 1)m + 1)/(m(βm + 1))``,

.. math:: x(B) = c\,c_1 w(m) + c_2,\qquad\text{where } A \text{ solves } A = φ(1 + w(m)\,m)/c_1

(one real equation, Newton with a finite-difference slope, continued in ``B``
from ``A = 0`` at ``B = 0``). Walking from ``B = 0⁻`` (``x = +∞``) towards
negative ``B``, ``x`` decreases until the fold ``dx/dB = 0``: there the real
solution of the real-``z`` equation ceases to exist (the Jacobian of the real
system is singular), and that ``x`` is the **right edge**. It is located on a
log grid of ``|B|`` then refined by bounded Brent minimisation of ``x(B)``.
The left edge (``φ < 1``) is the first maximum walking from ``B = 0⁺``
(``x = −∞``). The branch is also required to keep ``D(κ) > 0`` at every node
(branch-continuity criterion: ``1 + δ`` stays positive on the physical branch).
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

__all__ = ["real_branch_point", "branch_fold", "right_edge", "edge_curve"]


def real_branch_point(model, B, A0, *, tol=1e-13, maxit=60):
    """``(x, A, ok)`` on the real branch of ``model`` (a scalar :class:`SpikedFeatures`) at real ``B``."""
    a, b, w8 = model._a, model._b, model.weights
    c, phi, beta = model.bulk_variance, model.phi, model.beta

    def h(A):
        D = 1.0 + A * a + B * b
        c1 = float(np.dot(w8, a / D))
        c2 = float(np.dot(w8, b / D))
        m = c * c1 * B / phi
        w = -((beta - 1.0) * m + 1.0) / (m * (beta * m + 1.0))
        return A - phi * (1.0 + w * m) / c1, c * c1 * w + c2, D

    A = float(A0)
    with np.errstate(all="ignore"):
        for _ in range(maxit):
            f, x, D = h(A)
            step = 1e-7 * (abs(A) + 1e-6)
            fp = (h(A + step)[0] - f) / step
            if fp == 0 or not np.isfinite(fp) or not np.isfinite(f):
                return np.nan, A, False
            dA = f / fp
            A -= dA
            if abs(dA) <= tol * (abs(A) + 1e-12):
                break
        f, x, D = h(A)
    ok = bool(np.isfinite(x) and abs(f) < 1e-9 * (abs(A) + 1e-9) and np.all(D > 0))
    return float(x), A, ok


def branch_fold(model, sign, *, max_halvings=40):
    """Edge at the fold of the real branch started at ``B = sign·0`` (``sign = −1``: right edge).

    Walks ``|B|`` geometrically (ratio ``10^{1/60}``), halving the step when the
    one-dimensional ``A`` solve fails (the non-physical continuation of the
    branch turns back in ``B`` just after the fold in ``x``), until ``x(B)``
    turns; then bounded Brent on ``x(B)`` between the last three points.
    Returns ``(x_edge, B_edge)`` or ``(None, None)`` if the branch has no fold.
    """
    scale = model._scale()
    mag = 1e-4 * model.phi / scale
    log_step = np.log(10.0) / 60.0
    A = 0.0
    xs, As, Bs = [], [], []
    halvings = 0
    while mag < 1e4 * model.phi / scale:
        B = sign * mag
        x, A_new, ok = real_branch_point(model, B, A)
        if not ok:
            if not Bs or halvings >= max_halvings:
                break
            halvings += 1
            log_step *= 0.5
            mag = abs(Bs[-1]) * np.exp(log_step)
            continue
        if xs and ((sign < 0 and x > xs[-1]) or (sign > 0 and x < xs[-1])):
            lo = Bs[-2] if len(Bs) >= 2 else Bs[-1]
            state = {"A": As[-2] if len(As) >= 2 else As[-1]}

            def f(Bv):
                xv, Av, okv = real_branch_point(model, Bv, state["A"])
                if not okv:
                    return np.inf
                state["A"] = Av
                return xv if sign < 0 else -xv

            lo_, hi_ = sorted((lo, B))
            res = minimize_scalar(f, bounds=(lo_, hi_), method="bounded", options={"xatol": 1e-13 * abs(B)})
            if np.isfinite(res.fun):
                x_edge = res.fun if sign < 0 else -res.fun
                best = min(xs[-1], x) if sign < 0 else max(xs[-1], x)
                x_edge = min(x_edge, best) if sign < 0 else max(x_edge, best)
                return float(x_edge), float(res.x)
            return float(xs[-1]), float(Bs[-1])
        A = A_new
        xs.append(x)
        As.append(A)
        Bs.append(B)
        mag *= np.exp(log_step)
    if halvings >= max_halvings and xs:
        # the walk converged onto the fold without seeing x turn (fold and B-turn coincide to round-off)
        return float(xs[-1]), float(Bs[-1])
    return None, None


def right_edge(activation, n, d, N, spike=None, groups=None, bulk_variance=1.0):
    """Right edge of the bulk of ``FᵀF/n`` for the sRF model (see :class:`SpikedFeatures`)."""
    from .features import SpikedFeatures

    return SpikedFeatures(activation, n, d, N, spike=spike, groups=groups, bulk_variance=bulk_variance).right_edge


def edge_curve(activation, n, d, N, spikes, bulk_variance=1.0, symmetric=False):
    """Right edge for each spike strength in ``spikes`` (``symmetric=True``: groups ``±r`` with weights 1/2)."""
    out = []
    for r in np.atleast_1d(np.asarray(spikes, float)):
        if symmetric and r != 0:
            out.append(right_edge(activation, n, d, N, groups=[(r, 0.5), (-r, 0.5)], bulk_variance=bulk_variance))
        else:
            out.append(right_edge(activation, n, d, N, spike=float(r), bulk_variance=bulk_variance))
    return np.array(out)
