r"""Quadrature rules for Gaussian expectations :math:`E\,g(s + a z)`, :math:`z\sim N(0,1)`.

Three engines, all vectorized over an array of shifts ``s`` and scales ``a``
(no Python loop per shift), all taking an *integrand* ``g(x, z)`` that returns
a list of arrays (several expectations share the nodes), ``x = s + a z``:

:func:`expect_gauss_hermite`
    probabilists' Gauss–Hermite rule, :data:`GH_NODES` nodes, cached. Exact for
    polynomials of degree < 2n; spectrally accurate for σ analytic in a strip.
    Useless at kinks: for ReLU a 121-node rule is off by ~1e-3 (``docs/theory/gaussian.md``).
:func:`expect_split`
    composite Gauss–Legendre on the truncated normal range ``[-L, L]``: fixed
    panels of width :data:`PANEL_WIDTH` with :data:`PANEL_NODES` nodes, where
    each kink ``k`` of σ adds the breakpoint ``z = (k - s)/a`` (the kink moves
    with the shift). The integrand is then analytic on every panel.
:func:`expect_adaptive`
    vectorized adaptive bisection (Gauss–Legendre 16 vs Gauss–Lobatto 9 nodes per panel) for
    σ of unknown smoothness; returns an error estimate per shift.

The truncation ``L`` makes the neglected normal tail :math:`\int_{|z|>L}|z|^k\varphi`
smaller than ``e^{-40}`` (see :func:`truncation`).
"""
from __future__ import annotations

import math
import warnings
from functools import lru_cache

import numpy as np

__all__ = [
    "GH_NODES",
    "PANEL_WIDTH",
    "PANEL_NODES",
    "gauss_hermite",
    "truncated_gauss_hermite",
    "KAPPA_NODES",
    "kappa_rule",
    "truncation_for",
    "gauss_legendre",
    "gauss_lobatto",
    "truncation",
    "expect_gauss_hermite",
    "expect_split",
    "split_rule",
    "expect_adaptive",
]

#: nodes of the default Gauss–Hermite rule (smooth σ).
GH_NODES = 160
#: width of a panel of the split rule, in units of the standard normal z.
PANEL_WIDTH = 1.0
#: Gauss–Legendre nodes per panel of the split rule.
PANEL_NODES = 12
#: max number of (shift × node) values evaluated at once (memory bound).
CHUNK_ELEMENTS = 1 << 21

_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _phi(z):
    return _INV_SQRT_2PI * np.exp(-0.5 * z * z)


@lru_cache(maxsize=None)
def gauss_hermite(n: int = GH_NODES):
    """Nodes and weights of the n-point rule for :math:`E f(z)`, z ~ N(0,1) (weights sum to 1)."""
    z, w = np.polynomial.hermite_e.hermegauss(n)
    w = w / math.sqrt(2.0 * math.pi)
    z.setflags(write=False)
    w.setflags(write=False)
    return z, w


@lru_cache(maxsize=None)
def truncated_gauss_hermite(n: int, limit: float):
    """Gauss rule (n nodes, weights sum to 1) of ``z ~ N(0, 1)`` conditioned on ``|z| ≤ limit``.

    The Jacobi matrix comes from the Stieltjes procedure on a 400-point Gauss–Legendre
    discretization of the truncated density (exact for the polynomial degrees the
    recurrence needs), then Golub–Welsch. ``limit = inf`` is :func:`gauss_hermite`.
    """
    if not math.isfinite(limit):
        return gauss_hermite(n)
    if limit <= 0:
        raise ValueError(f"limit must be > 0, got {limit}")
    x, w = gauss_legendre(400)
    x, w = limit * x, limit * w * _phi(limit * x)
    w = w / w.sum()
    alpha, beta = np.zeros(n), np.zeros(n)
    p_prev, p = np.zeros_like(x), np.ones_like(x)
    norm_prev = 1.0
    for k in range(n):
        norm = float(np.sum(w * p * p))
        alpha[k] = float(np.sum(w * x * p * p)) / norm
        if k > 0:
            beta[k] = norm / norm_prev
        p_prev, p = p, (x - alpha[k]) * p - (beta[k] * p_prev if k > 0 else 0.0)
        norm_prev = norm
    J = np.diag(alpha) + np.diag(np.sqrt(beta[1:]), 1) + np.diag(np.sqrt(beta[1:]), -1)
    nodes, vecs = np.linalg.eigh(J)
    weights = vecs[0] ** 2
    nodes.setflags(write=False)
    weights.setflags(write=False)
    return nodes, weights / weights.sum()


@lru_cache(maxsize=None)
def gauss_legendre(m: int):
    """Nodes and weights of the m-point Gauss–Legendre rule on [-1, 1] (cached)."""
    x, w = np.polynomial.legendre.leggauss(m)
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w


@lru_cache(maxsize=None)
def gauss_lobatto(m: int):
    """Nodes and weights of the m-point Gauss–Lobatto rule on [-1, 1] (ends included; exact to degree 2m-3)."""
    P = np.polynomial.legendre.Legendre.basis(m - 1)
    x = np.concatenate([[-1.0], np.sort(P.deriv().roots().real), [1.0]])
    w = 2.0 / (m * (m - 1) * P(x) ** 2)
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w


@lru_cache(maxsize=None)
def truncation(degree: int = 3) -> float:
    r"""Half-width L of the normal range: :math:`L^2/2 - \text{degree}\,\ln L \ge 40`.

    Then the neglected tail :math:`\int_{|z|>L}|z|^{\text{degree}}\varphi < e^{-40} \approx 4\cdot 10^{-18}`,
    so integrands growing like :math:`|z|^{\text{degree}}` (σ of linear growth
    squared, or σ·He_k) lose nothing at double precision. L = 8.9 for degree 0,
    9.7 for 3, 15.4 for 30.
    """
    L = 10.0
    for _ in range(50):
        L = math.sqrt(2.0 * (40.0 + degree * math.log(L)))
    return L


@lru_cache(maxsize=None)
def _panel_edges(L: float, width: float):
    P = max(2, int(math.ceil(2 * L / width)))
    e = np.linspace(-L, L, P + 1)
    e.setflags(write=False)
    return e


def _chunks(S: int, per_shift: int):
    step = max(1, CHUNK_ELEMENTS // max(per_shift, 1))
    for start in range(0, S, step):
        yield slice(start, min(S, start + step))


def _as_flat(shift, scale):
    s = np.ascontiguousarray(shift, dtype=float).ravel()
    a = np.ascontiguousarray(scale, dtype=float).ravel()
    return s, a


# ====================================================================== Gauss–Hermite
def expect_gauss_hermite(integrand, shift, scale, n: int = GH_NODES):
    r""":math:`E\,g_i(s + a z, z)` by the n-point Gauss–Hermite rule; 1-d ``shift``, ``scale``.

    Parameters
    ----------
    integrand : callable
        ``g(x, z) -> list of arrays``, each of the shape of ``x`` (shifts × nodes); several
        expectations share the nodes.
    shift, scale : array_like
        ``s`` and ``a`` (flattened; the same number of entries).
    n : int, default :data:`GH_NODES`
        Nodes of the rule (:func:`gauss_hermite`).

    Returns
    -------
    list of ndarray
        One array ``(len(shift),)`` per component of ``g``.
    """
    s, a = _as_flat(shift, scale)
    z, w = gauss_hermite(n)
    out = None
    for sl in _chunks(s.size, n):
        x = s[sl, None] + a[sl, None] * z
        vals = integrand(x, np.broadcast_to(z, x.shape))
        if out is None:
            out = [np.empty(s.size) for _ in vals]
        for o, v in zip(out, vals):
            o[sl] = v @ w
    return out


# ====================================================================== split Gauss–Legendre
def _breakpoint_edges(s, a, points, L, width):
    """Per-shift sorted panel edges: fixed panels plus ``z = (p - s)/a`` for every breakpoint p."""
    edges0 = _panel_edges(L, width)
    if len(points) == 0:
        return np.broadcast_to(edges0, (1, edges0.size))
    zk = (np.asarray(points, dtype=float)[None, :] - s[:, None]) / a[:, None]
    zk = np.clip(zk, -L, L)
    edges = np.concatenate([np.broadcast_to(edges0, (s.size, edges0.size)), zk], axis=1)
    return np.sort(edges, axis=1)


def split_rule(kinks=(), *, L: float | None = None, width: float = PANEL_WIDTH, m: int = PANEL_NODES):
    """Nodes ``z_j``, weights ``w_j`` and panel index of the split rule for :math:`E f(z)`, z ~ N(0,1).

    The rule of :func:`expect_split` at shift 0, scale 1, as arrays: composite
    Gauss–Legendre on ``[-L, L]`` with panels of width ``width``, split at
    ``kinks`` (so ``f`` analytic on each panel is integrated spectrally). Weights
    include the normal density. ``panel[j]`` tells which panel node ``j`` lies in.
    """
    L = truncation() if L is None else L
    edges = _breakpoint_edges(np.zeros(1), np.ones(1), tuple(kinks), L, width)[0]
    lo, hi = edges[:-1], edges[1:]
    keep = hi > lo
    lo, hi = lo[keep], hi[keep]
    xg, wg = gauss_legendre(m)
    half = 0.5 * (hi - lo)[:, None]
    z = 0.5 * (hi + lo)[:, None] + half * xg
    w = half * wg * _phi(z)
    panel = np.repeat(np.arange(lo.size), m)
    return z.ravel(), w.ravel(), panel


def expect_split(integrand, shift, scale, kinks=(), *, L: float | None = None,
                 width: float | None = None, m: int = PANEL_NODES):
    r""":math:`E\,g_i(s + a z, z)` by composite Gauss–Legendre on [-L, L], split at the moving kinks.

    Every kink ``k`` of σ becomes the breakpoint ``z = (k − s)/a`` (clipped to
    [-L, L]); with the fixed panels this gives ``P + K`` panels of ``m`` nodes per shift.
    The default panel width is ``PANEL_WIDTH / max(1, max(scale))`` in z, i.e. at
    most ``PANEL_WIDTH`` in x, so σ's own length scale stays resolved at large scales.

    Parameters
    ----------
    integrand : callable
        ``g(x, z) -> list of arrays``, each of the shape of ``x`` (shifts × panels × nodes).
    shift, scale : array_like
        ``s`` and ``a > 0`` (flattened; the same number of entries).
    kinks : sequence of float, default ()
        Breakpoints ``k`` of σ in x.
    L : float, optional, keyword-only
        Half-width of the z range (default ``truncation()``, i.e. degree 3: :func:`truncation`).
    width : float, optional, keyword-only
        Panel width in z (default above).
    m : int, default :data:`PANEL_NODES`, keyword-only
        Gauss–Legendre nodes per panel.

    Returns
    -------
    list of ndarray
        One array ``(len(shift),)`` per component of ``g``.
    """
    s, a = _as_flat(shift, scale)
    L = truncation() if L is None else L
    if width is None:
        width = PANEL_WIDTH / max(1.0, float(a.max(initial=1.0)))
    xg, wg = gauss_legendre(m)
    n_panels = _panel_edges(L, width).size - 1 + len(kinks)
    out = None
    for sl in _chunks(s.size, n_panels * m):
        edges = _breakpoint_edges(s[sl], a[sl], kinks, L, width)
        lo, hi = edges[:, :-1], edges[:, 1:]
        half = 0.5 * (hi - lo)[..., None]
        z = 0.5 * (hi + lo)[..., None] + half * xg
        w = half * wg * _phi(z)
        x = s[sl, None, None] + a[sl, None, None] * z
        vals = integrand(x, np.broadcast_to(z, x.shape))
        if out is None:
            out = [np.empty(s.size) for _ in vals]
        for o, v in zip(out, vals):
            o[sl] = np.sum(np.broadcast_to(w, v.shape) * v, axis=(1, 2))
    return out


# ====================================================================== adaptive
def expect_adaptive(integrand, shift, scale, *, breakpoints=(0.0,), L: float | None = None,
                    atol: float = 1e-14, rtol: float = 1e-13, max_levels: int = 52,
                    width: float = PANEL_WIDTH):
    r"""Adaptive :math:`E\,g_i(s + a z, z)` for integrands of unknown smoothness, with error estimate.

    Start from the panels of :func:`expect_split` (σ-breakpoints ``breakpoints``,
    by default 0, the usual kink location). On each panel compare the 16-point
    Gauss–Legendre value with the 9-point Gauss–Lobatto value (which samples the
    panel ends, so a kink very close to an end is not missed by both rules
    alike, as happens with two Gauss rules); a panel is accepted when, for every
    component, ``|I16 − I9| <= atol + rtol ∫_panel |g|``; otherwise it is bisected.
    All shifts and panels of one level are evaluated in one vectorized call.
    After ``max_levels`` bisections (width 2^-52) the rest is accepted with a
    ``RuntimeWarning`` if its estimate exceeds 1e-8.

    Parameters
    ----------
    integrand : callable
        ``g(x, z) -> list of arrays``, each of the shape of ``x`` (panels × nodes).
    shift, scale : array_like
        ``s`` and ``a > 0`` (flattened; the same number of entries).
    breakpoints : sequence of float, default (0.0,), keyword-only
        Points of σ in x where the initial panels are split (``z = (p − s)/a``).
    L : float, optional, keyword-only
        Half-width of the z range (default ``truncation()``: :func:`truncation`).
    atol, rtol : float, default 1e-14, 1e-13, keyword-only
        Acceptance test of a panel (above).
    max_levels : int, default 52, keyword-only
        Most bisections of a panel.
    width : float, default :data:`PANEL_WIDTH`, keyword-only
        Width in z of the initial panels.

    Returns
    -------
    values : list of ndarray
        One array (len(shift),) per component.
    errors : list of ndarray
        The summed ``|I16 − I9|`` per shift and component (pessimistic: it
        estimates the error of the 9-point rule, and the 16-point value is returned).
    """
    s, a = _as_flat(shift, scale)
    L = truncation() if L is None else L
    x16, w16 = gauss_legendre(16)
    x8, w8 = gauss_lobatto(9)
    edges = _breakpoint_edges(s, a, tuple(breakpoints), L, width)
    edges = np.broadcast_to(edges, (s.size, edges.shape[1]))
    lo, hi = edges[:, :-1].ravel(), edges[:, 1:].ravel()
    owner = np.repeat(np.arange(s.size), edges.shape[1] - 1)
    keep = hi > lo
    lo, hi, owner = lo[keep], hi[keep], owner[keep]
    totals = errors = None
    worst = 0.0
    for level in range(max_levels + 1):
        if lo.size == 0:
            break
        ok = np.empty(lo.size, bool)
        res16, res8, mags = [], [], []
        for sl in _chunks(lo.size, 25):
            half = 0.5 * (hi[sl] - lo[sl])[:, None]
            mid = 0.5 * (hi[sl] + lo[sl])[:, None]
            so, ao = s[owner[sl], None], a[owner[sl], None]
            z16 = mid + half * x16
            z8 = mid + half * x8
            wt16 = half * w16 * _phi(z16)
            wt8 = half * w8 * _phi(z8)
            v16 = integrand(so + ao * z16, z16)
            v8 = integrand(so + ao * z8, z8)
            res16.append(np.array([np.sum(wt16 * v, axis=1) for v in v16]))
            res8.append(np.array([np.sum(wt8 * v, axis=1) for v in v8]))
            mags.append(np.array([np.sum(wt16 * np.abs(v), axis=1) for v in v16]))
        I16, I8, mag = (np.concatenate(r, axis=1) for r in (res16, res8, mags))
        if totals is None:
            totals = np.zeros((I16.shape[0], s.size))
            errors = np.zeros((I16.shape[0], s.size))
        err = np.abs(I16 - I8)
        ok = np.all(err <= atol + rtol * mag, axis=0)
        if level == max_levels:
            worst = float(err.max(initial=0.0))
            ok[:] = True
        for c in range(I16.shape[0]):
            np.add.at(totals[c], owner[ok], I16[c, ok])
            np.add.at(errors[c], owner[ok], err[c, ok])
        bad = ~ok
        mid = 0.5 * (lo[bad] + hi[bad])
        lo, hi = np.concatenate([lo[bad], mid]), np.concatenate([mid, hi[bad]])
        owner = np.concatenate([owner[bad], owner[bad]])
    if worst > 1e-8:
        warnings.warn(f"expect_adaptive: not converged after {max_levels} bisections (estimate {worst:.2e})",
                      RuntimeWarning, stacklevel=2)
    return list(totals), list(errors)


# ====================================================================== the κ rule
#: nodes of the κ-average (fixed rule; accuracy checked against 2× nodes in the tests).
KAPPA_NODES = 120


def truncation_for(samples, count=0.1):
    """``L`` with ``samples · P(|κ| > L) = count``: beyond ``L`` a sample of that size has ``count`` points expected."""
    from scipy.special import ndtri

    return float(-ndtri(0.5 * count / samples))


def kappa_rule(width, nodes=KAPPA_NODES, *, samples=None, kinked=False):
    """Fixed rule ``(κ_j, w_j)`` for ``E_κ f(κ)``, κ ~ N(0,1), for integrands varying on the scale ``width``.

    ``samples``: the law is truncated to ``|κ| ≤ L`` with ``samples·P(|κ| > L) = 0.1``
    (:func:`truncation_for`; L = 4.06 for 2000 samples) and renormalized. The
    equivalent describes ``n`` samples, whose projections never reach the far
    Gaussian tail; for activations with bounded derivatives the truncation moves
    κ-averages by ``O(0.1/n)``, while for growing ones (polynomials) the far nodes
    would otherwise put samples with huge feature norms into the equation.

    ``width = √c/max|r_k|`` is the scale on which ``μ(r_kκ)`` varies (σ's
    features at pre-activation O(√c) sit at ``|κ| ≲ width``). For ``width ≥ 1``
    (and ``nodes <= 200``) the probabilists' Gauss–Hermite rule (cached); below,
    Gauss–Legendre panels (16 nodes each, ``⌈nodes/16⌉`` panels) in ``t`` with
    ``κ = width·sinh(t)``, ``|κ| ≤ 9`` (normal tail beyond: < e^{-40}), which
    resolves the O(width) zone around 0 and the Gaussian decay alike (plain
    Gauss–Hermite loses 2e-4 on ReLU at r = 4 with 120 nodes). Symmetric in κ; the
    number of panels is even, so ``κ = 0`` is a panel edge.

    ``kinked=True``: the integrand has a kink at ``κ = 0`` (e.g. a ReLU teacher seen
    through ``γ = 1``): always the panel rule, whose edge at 0 keeps it spectrally
    accurate. Plain Gauss–Hermite weights underflow to NaN beyond about 400 nodes; the
    panel rule has no such limit.

    Parameters
    ----------
    width : float > 0
        Scale of the integrand in κ (above); the panel rule uses ``min(width, 1)``.
    nodes : int, default :data:`KAPPA_NODES`
        Gauss–Hermite nodes, or the target count of the panel rule, which has
        ``16·P`` nodes, ``P = max(⌈nodes/16⌉, 4)`` rounded up to even.
    samples : int, optional, keyword-only
        Sample size that sets the truncation ``L = min(9, truncation_for(samples))``; the
        weights are then renormalized to sum 1. Forces the panel rule.
    kinked : bool, default False, keyword-only
        Force the panel rule (edge at κ = 0).

    Returns
    -------
    kappa : ndarray
        Nodes ``κ_j``.
    weights : ndarray
        Weights ``w_j`` of ``E_κ f ≈ Σ_j w_j f(κ_j)`` (normal density included). They sum to 1 for
        Gauss–Hermite and with ``samples``; otherwise the panel rule omits the tail beyond ``|κ| = 9``.
    label : str
        Which rule was used (e.g. ``"gauss-hermite(120)"``).
    """
    limit = 9.0 if samples is None else min(9.0, truncation_for(samples))
    if width >= 1.0 and nodes <= 200 and samples is None and not kinked:
        k, w = gauss_hermite(nodes)
        return np.asarray(k), np.asarray(w), f"gauss-hermite({nodes})"
    width = min(width, 1.0)
    T = math.asinh(limit / width)
    panels = max(-(-nodes // 16), 4)
    panels += panels % 2
    x, wl = gauss_legendre(16)
    edges = np.linspace(-T, T, panels + 1)
    half = 0.5 * (edges[1:] - edges[:-1])
    mid = 0.5 * (edges[1:] + edges[:-1])
    t = (mid[:, None] + half[:, None] * x[None, :]).ravel()
    wt = (half[:, None] * wl[None, :]).ravel()
    kappa = width * np.sinh(t)
    weights = wt * width * np.cosh(t) * np.exp(-0.5 * kappa**2) / math.sqrt(2 * math.pi)
    if samples is not None:
        weights = weights / weights.sum()
        return kappa, weights, f"sinh-legendre({panels}x16, width={width:.3g}, |kappa| <= {limit:.3g})"
    return kappa, weights, f"sinh-legendre({panels}x16, width={width:.3g})"
