r"""The right edge of the bulk after one step as a function of the model parameters (sweeps).

Each point is :attr:`SpikedFeatures.right_edge` (:mod:`rmt_spectra.spiked.edges`).
"""
from __future__ import annotations

import numpy as np

from .features import SpikedFeatures

__all__ = ["right_edge", "edge_curve"]


def right_edge(activation, n, d, N, spike=None, groups=None, bulk_variance=1.0):
    """Right edge of the bulk of ``FᵀF/n`` for the sRF model (see :class:`SpikedFeatures`)."""
    return SpikedFeatures(activation, n, d, N, spike=spike, groups=groups, bulk_variance=bulk_variance).right_edge


def edge_curve(activation, n, d, N, spikes, bulk_variance=1.0, symmetric=False):
    """Right edge for each spike strength in ``spikes`` (``symmetric=True``: groups ``±r`` with weights 1/2)."""
    out = []
    for r in np.atleast_1d(np.asarray(spikes, float)):
        if symmetric:
            out.append(right_edge(activation, n, d, N, groups=[(r, 0.5), (-r, 0.5)], bulk_variance=bulk_variance))
        else:
            out.append(right_edge(activation, n, d, N, spike=float(r), bulk_variance=bulk_variance))
    return np.array(out)
