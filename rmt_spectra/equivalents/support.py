r"""Support of the limit sample-covariance spectrum (Silverstein–Choi [SC95]).

Work in the variable :math:`u = -1/\underline m` (the "population side"): the
Silverstein equation reads

.. math:: x(u) = u\Big(1 + c\int \frac{t\,dH(t)}{u - t}\Big)
          = u + c\,\mu_1 + c\int \frac{t^2\,dH(t)}{u-t},

(the BBP map of :mod:`.sample_covariance` is the same function) and
:math:`x'(u) = 1 - g(u)`, :math:`g(u) = c\int t^2 dH(t)/(u-t)^2`. On the real
line off the positive atoms, ``x`` is increasing exactly where ``g < 1``, and the
complement of the support is the image of those intervals. ``g`` is convex
between consecutive atoms (a sum of ``1/(u-t)^2``), so:

(the atoms may have either sign: signed populations describe weighted sample
covariances, and the analysis below uses only ``t² ≥ 0``)

* left of the smallest atom ``g`` increases from 0 to ∞: one root ``u_L`` → left edge ``x(u_L)``;
* right of the largest atom ``g`` decreases from ∞ to 0: one root ``u_R`` → right edge;
* between two consecutive atoms ``g`` has one minimum; if it is below 1, the
  two roots ``u_1 < u_2`` give a gap ``(x(u_1), x(u_2))`` of the support.

This gives all edges without scanning a density.

**Discretized continuous populations.** When ``H`` comes from
:meth:`Population.from_law`/``from_density``, its atoms are quadrature nodes
of a density positive on the intervals ``H.continuous_support``. For the
continuous law ``g = ∞`` inside those intervals (the integral of
:math:`\rho(t)/(u-t)^2` diverges), so it has no gap there; any gap between two
nodes of the *same* discretized interval is an artefact of the discretization
and is ignored (merged). Gaps between nodes of different intervals, or
involving a genuine atom, are kept: that rule is exact, not a tolerance.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..solvers.newton import bracketed_newton

__all__ = ["SupportInfo", "silverstein_choi"]


@dataclass
class SupportInfo:
    """Edges of the support and the matching critical points ``u = -1/m̲``.

    ``intervals[i] = (x(u_left[i]), x(u_right[i]))``; ``gaps_u`` lists the
    ``u``-intervals on which ``x`` is increasing (the complement of the
    support), ``(-inf, u_left[0])``, ``(u_right[0], u_left[1])``, ...,
    ``(u_right[-1], inf)``.
    (``gaps_u`` is not a stored field: those intervals follow from ``u_left`` and ``u_right``.)

    Built by :func:`silverstein_choi`.

    Parameters
    ----------
    intervals : list of (float, float)
        Support intervals ``(x(u_left[i]), x(u_right[i]))`` of the nonzero part of the limit spectrum,
        increasing and disjoint.
    u_left, u_right : ndarray (len(intervals),)
        Critical points (``x'(u) = 0``) whose images are the left and right edges.
    merged_gaps : int
        Pairs of consecutive atoms that lie in the same discretized continuous interval of ``H``
        (``H.continuous_support``) and were therefore not searched for a gap (module docstring).
    info : dict
        Free-form diagnostics (empty as built by :func:`silverstein_choi`).
    """

    intervals: list
    u_left: np.ndarray
    u_right: np.ndarray
    merged_gaps: int = 0
    info: dict = field(default_factory=dict)


def _moments(u, t, a, order):
    """Σ a/(u−t)^k for k = 1..order (u real, vector)."""
    R = 1.0 / (u[:, None] - t[None, :])
    out = [R @ a]
    P = R
    for _ in range(order - 1):
        P = P * R
        out.append(P @ a)
    return out


def silverstein_choi(population, ratio) -> SupportInfo:
    """All support intervals of the limit spectrum of ``Σ^{1/2} Z Zᵀ Σ^{1/2}/n`` (nonzero part).

    Silverstein–Choi: the complement of the support is the image under
    ``x(u) = u + cμ₁ + c∫t² dH(t)/(u − t)`` of the real intervals where ``x'(u) = 1 − g(u) > 0``,
    ``g(u) = c∫t² dH(t)/(u − t)²`` (module docstring). The edges are the roots of ``g(u) = 1``:
    one left of the smallest atom, one right of the largest, and two between consecutive atoms
    where the minimum of ``g`` is below 1 (a gap); pairs of atoms inside one interval of
    ``H.continuous_support`` are skipped. Roots by bracketed Newton on ``g^{-1/2} − 1``.

    Parameters
    ----------
    population : Population
        ``H``, the spectral law of ``Σ`` (atoms of either sign; zero atoms are dropped). At least one
        nonzero atom (``ValueError`` otherwise).
    ratio : float
        ``c = p/n`` (not validated here; meant to be > 0).

    Returns
    -------
    SupportInfo
        The intervals (increasing), their critical points ``u_left``/``u_right`` and ``merged_gaps``.
    """
    t, om = population.distinct()
    c = float(ratio)
    if t.size == 0:
        raise ValueError("population has no nonzero atom: the sample covariance is 0")
    a = c * om * t**2  # g(u) = Σ a/(u−t)^2
    b1 = c * om * t    # x(u) = u + Σ b1 + Σ a/(u−t)

    def xfun(u):
        return u + b1.sum() + _moments(np.atleast_1d(u), t, a, 1)[0]

    def h_of(u, idx=None):  # h = g^{-1/2} − 1, h' = −½ g^{-3/2} g'
        s1, s2, s3 = _moments(u, t, a, 3)
        g, dg = s2, -2.0 * s3
        return g ** -0.5 - 1.0, -0.5 * g**-1.5 * dg

    span = t[-1] - t[0] + np.max(np.abs(t))
    eps = 1e-13 * max(span, 1e-300)
    # left root: on (-inf, t0) h decreases from +inf to −1
    lo = t[0] - np.sqrt(a.sum()) - span - 1.0
    uL, _ = bracketed_newton(h_of, [lo], [t[0] - eps * 1e-3], increasing=False, x0=[t[0] - np.sqrt(a[0]) ])
    # right root: on (t_{-1}, inf) h increases from −1 to +inf
    hi = t[-1] + np.sqrt(a.sum()) + span + 1.0
    uR, _ = bracketed_newton(h_of, [t[-1] + eps * 1e-3], [hi], increasing=True, x0=[t[-1] + np.sqrt(a[-1])])
    # interior candidates: consecutive atoms not in the same discretized interval
    cand = []
    for k in range(t.size - 1):
        if not any(lo_ <= t[k] and t[k + 1] <= hi_ for lo_, hi_ in population.continuous_support):
            cand.append(k)
    merged = t.size - 1 - len(cand)
    lefts, rights = [uL[0]], []
    if cand:
        cand = np.array(cand)
        # exact pruning: on (t_k, t_{k+1}) g ≥ a_k/(u−t_k)² + a_{k+1}/(t_{k+1}−u)² ≥ (a_k^{1/3} + a_{k+1}^{1/3})³/d²
        # (all terms of g are ≥ 0), so a pair whose bound is ≥ 1 has no gap and needs no Newton solve
        d_all = t[cand + 1] - t[cand]
        bound = (np.cbrt(a[cand]) + np.cbrt(a[cand + 1])) ** 3 / d_all**2
        cand = cand[bound < 1.0]
    if len(cand):
        tl, tr = t[cand], t[cand + 1]
        d = tr - tl

        def gp(u, idx):
            s1, s2, s3, s4 = _moments(u, t, a, 4)
            return -2.0 * s3, 6.0 * s4

        # minimum of g: g' increasing from −inf to +inf on (tl, tr)
        ustar, _ = bracketed_newton(gp, tl + 1e-12 * d, tr - 1e-12 * d, increasing=True)
        gmin = _moments(ustar, t, a, 2)[1]
        open_ = gmin < 1.0
        if np.any(open_):
            tl, tr, us = tl[open_], tr[open_], ustar[open_]
            hl = lambda u, idx: h_of(u)
            u1, _ = bracketed_newton(hl, tl + 1e-14 * d[open_], us, increasing=True)
            u2, _ = bracketed_newton(hl, us, tr - 1e-14 * d[open_], increasing=False)
            for v1, v2 in zip(u1, u2):
                rights.append(v1)
                lefts.append(v2)
    rights.append(uR[0])
    u_left, u_right = np.array(lefts), np.array(rights)
    xl, xr = xfun(u_left), xfun(u_right)
    intervals = [(float(p), float(q)) for p, q in zip(xl, xr)]
    return SupportInfo(intervals, u_left, u_right, merged_gaps=merged)
