r"""The right edge of the bulk after one step as a function of the model parameters (sweeps).

Each point is :attr:`SpikedFeatures.right_edge` (:mod:`rmt_spectra.spiked.edges`).
"""
from __future__ import annotations

import numpy as np

from .features import SpikedFeatures

__all__ = ["right_edge", "edge_curve"]


def right_edge(activation, n, d, N, spike=None, groups=None, bulk_variance=1.0):
    """Right edge of the bulk of ``FᵀF/n`` for the sRF model (see :class:`SpikedFeatures`).

    Builds ``SpikedFeatures(activation, n, d, N, spike=spike, groups=groups, bulk_variance=bulk_variance)``
    and returns its :attr:`~SpikedFeatures.right_edge`: the fold of the real solution branch walked from
    ``x = +∞`` (:func:`~rmt_spectra.spiked.edges.fold_right_edge`; no density is scanned).

    Parameters
    ----------
    activation : activation spec (see :func:`rmt_spectra.activation`)
        Student σ.
    n, d, N : int >= 1
        Samples (rows of ``F``), input dimension, width.
    spike : float, optional
        ``r`` for one group (``u = 1``).
    groups : list of (r_k, π_k), optional
        Spike strength and proportion of each group (``π_k >= 0`` summing to 1). Exactly one of
        ``spike`` and ``groups``.
    bulk_variance : float > 0
        ``c``, the variance of the bulk pre-activations (rows ``√c W₀``); default 1 (no inflation).

    Returns
    -------
    float
        Right edge of the bulk of ``Σ̂ = FᵀF/n`` (outliers excluded). ``RuntimeError`` when the
        real branch has no fold.
    """
    return SpikedFeatures(activation, n, d, N, spike=spike, groups=groups, bulk_variance=bulk_variance).right_edge


def edge_curve(activation, n, d, N, spikes, bulk_variance=1.0, symmetric=False):
    """Right edge for each spike strength in ``spikes`` (``symmetric=True``: groups ``±r`` with weights 1/2).

    One :func:`right_edge` per value, with a fresh :class:`SpikedFeatures` each.

    Parameters
    ----------
    activation : activation spec
        Student σ.
    n, d, N : int >= 1
        Samples, input dimension, width.
    spikes : float or array_like of float
        Spike strengths ``r`` (a scalar gives one point).
    bulk_variance : float > 0
        ``c``, the variance of the bulk pre-activations; default 1.
    symmetric : bool
        ``False`` (default): one group ``spike = r``; ``True``: ``groups = [(r, 1/2), (−r, 1/2)]``
        (a ``ā = ±1`` second layer).

    Returns
    -------
    ndarray (len(spikes),)
        Right edge of the bulk of ``FᵀF/n`` at each spike strength, in the order given.
    """
    out = []
    for r in np.atleast_1d(np.asarray(spikes, float)):
        if symmetric:
            out.append(right_edge(activation, n, d, N, groups=[(r, 0.5), (-r, 0.5)], bulk_variance=bulk_variance))
        else:
            out.append(right_edge(activation, n, d, N, spike=float(r), bulk_variance=bulk_variance))
    return np.array(out)
