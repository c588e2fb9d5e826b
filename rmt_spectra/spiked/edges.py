r"""Support edges of the feature covariance after one step: folds of the real solution branch.

:attr:`SpikedFeatures.right_edge` and :attr:`SpikedFeatures.left_edge` call these. Outside the
bulk the equations have a real solution branch, parametrized by the real transform
``g(x)`` (or, left of the bulk when ``N > n``, by the companion ``φg − (1 − φ)/x`` whose
pole the transform itself has); the edge is where ``x(g)`` folds
(:func:`rmt_spectra.solvers.fold_edge`). No density is scanned.
"""
from __future__ import annotations

import numpy as np

from ..solvers import fold_edge

__all__ = ["fold_right_edge", "fold_left_edge"]


def _transform(equation, phi, companion):
    def stieltjes(x, z):
        g = equation.stieltjes(x)
        dg = np.zeros_like(x)
        dg[:, : equation.K] = equation.pi
        if not companion:
            return g, dg, np.zeros_like(g)
        return phi * g - (1.0 - phi) / z, phi * dg, (1.0 - phi) / z**2

    return stieltjes


def _physical(equation):
    return lambda x, z: equation.real_branch_ok(np.asarray(x)[None, :])


def fold_right_edge(equation, phi):
    """Right edge of the bulk of the mixture ``equation`` at ``φ = N/n``; returns ``(edge, info)``."""
    start = 10.0 * equation.scale()
    x, info = fold_edge(equation, start, _transform(equation, phi, False), +1, valid=_physical(equation))
    if x is None:
        raise RuntimeError(f"SpikedFeatures.right_edge: the real branch has no fold ({info.get('reason')})")
    return x, info


def fold_left_edge(equation, phi):
    """Left edge of the bulk (``0`` when ``φ = 1``: the hard edge at the origin)."""
    if abs(phi - 1.0) < 1e-12:
        return 0.0
    start = -1.0 * equation.scale()
    x, _ = fold_edge(equation, start, _transform(equation, phi, phi > 1.0), +1, valid=_physical(equation))
    if x is None:
        raise RuntimeError("SpikedFeatures.left_edge: the real branch has no fold")
    return max(float(x), 0.0)
