r"""The fixed quadrature of the spike projection κ ~ N(0, 1) (one rule for every κ-average of the spiked model)."""
from __future__ import annotations

import math

import numpy as np

from ..gaussian.quadrature import gauss_hermite

__all__ = ["KAPPA_NODES", "kappa_rule", "truncation_for"]

#: nodes of the κ-average (fixed rule; accuracy checked against 2× nodes in the tests).
KAPPA_NODES = 120


def truncation_for(samples, count=0.1):
    """``L`` with ``samples · P(|κ| > L) = count``: beyond ``L`` a sample of that size has ``count`` points expected."""
    from scipy.special import ndtri

    return float(-ndtri(0.5 * count / samples))


def kappa_rule(width, nodes=KAPPA_NODES, *, samples=None):
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
    Gauss–Hermite loses 2e-4 on ReLU at r = 4 with 120 nodes). Symmetric in κ.
    """
    limit = 9.0 if samples is None else min(9.0, truncation_for(samples))
    if width >= 1.0 and nodes <= 200 and samples is None:
        k, w = gauss_hermite(nodes)
        return np.asarray(k), np.asarray(w), f"gauss-hermite({nodes})"
    width = min(width, 1.0)
    T = math.asinh(limit / width)
    panels = max(-(-nodes // 16), 4)
    x, wl = np.polynomial.legendre.leggauss(16)
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
