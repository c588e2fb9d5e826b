r"""Support edges of the feature covariance after one step: folds of the real solution branch.

:attr:`SpikedFeatures.right_edge` and :attr:`SpikedFeatures.left_edge` call these. Outside the
bulk the equations have a real solution branch, parametrized by the real transform
``g(x)``; the edge is where ``x(g)`` folds
(:func:`rmt_spectra.solvers.fold_edge`).

Gaps inside the bulk (e.g. the linear part of the features splitting off as its own bulk when
``N ≫ d``) come from one scan and bisection
(:func:`bulk_intervals`): a point lies outside the bulk when ``Im g(x + iη)`` grows linearly with the
height ``η`` (``Im g(x + iη) = η ∫ dμ(t)/((t − x)² + η²)`` off the support, ``→ πρ(x) > 0`` on it),
tested at two small heights, so no real root (which the continuation can reach spuriously) is trusted.
A gap narrower than the scan's spacing can be missed. When ``N > n`` the unknowns of the ``N × N``
resolvent have a pole at 0 (they grow like ``1/x``) and the solutions below ``SMALL_X`` of the right
edge are not reliable: the support then starts at 0 and no gap is reported below ``SMALL_X·right``
(a walk from ``x < 0`` cannot cross the pole either).
"""
from __future__ import annotations

import numpy as np

from ..solvers import fold_edge, solve_upper

__all__ = ["fold_right_edge", "fold_left_edge", "bulk_intervals", "outside_bulk", "GAP_SCAN_POINTS", "SMALL_X"]

#: points of the scan for gaps (angle-spaced between the outer edges: denser towards them)
GAP_SCAN_POINTS = 160
#: heights of the outside-the-bulk test, relative to the scale of the spectrum
TEST_HEIGHT = 1e-9
#: when N > n, no gap is reported below this fraction of the right edge (module docstring)
SMALL_X = 0.01


def _transform(equation):
    def stieltjes(x, z):
        g = equation.stieltjes(x)
        dg = np.zeros_like(x)
        dg[:, : equation.K] = equation.pi
        return g, dg, np.zeros_like(g)

    return stieltjes


def _physical(equation):
    return lambda x, z: equation.real_branch_ok(np.asarray(x)[None, :])


def fold_right_edge(equation, phi):
    """Right edge of the bulk of the mixture ``equation`` at ``φ = N/n``; returns ``(edge, info)``."""
    start = 10.0 * equation.scale()
    x, info = fold_edge(equation, start, _transform(equation), +1, valid=_physical(equation))
    if x is None:
        raise RuntimeError(f"SpikedFeatures.right_edge: the real branch has no fold ({info.get('reason')})")
    return x, info


def fold_left_edge(equation, phi):
    """Left edge of the bulk when ``φ = N/n < 1``, walked from ``x = −scale``; ``0`` when ``φ >= 1`` (the hard
    edge at the origin for ``φ = 1``; for ``φ > 1`` the unknowns have a pole at 0 that the walk cannot
    cross, and the support is reported from 0: module docstring)."""
    if phi >= 1.0 - 1e-12:
        return 0.0
    x, _ = fold_edge(equation, -1.0 * equation.scale(), _transform(equation), +1, valid=_physical(equation))
    if x is None:
        raise RuntimeError("SpikedFeatures.left_edge: the real branch has no fold")
    return max(float(x), 0.0)


def outside_bulk(equation, x, scale, phi=1.0):
    """Whether each real ``x`` lies outside the bulk: ``Im g`` doubles from height ``η`` to ``2η``
    (``η = TEST_HEIGHT·scale``); on the bulk it stays at ``πρ(x)``. When ``φ = N/n > 1`` the companion
    transform ``φg − (1 − φ)/z`` is tested (no atom at 0, whose Lorentzian is not linear in ``η`` for
    ``x ≲ η``)."""
    x = np.asarray(x, float)
    eta = TEST_HEIGHT * scale
    z = np.concatenate([x + 1j * eta, x + 2j * eta])
    sol, report = solve_upper(equation, z, on_failure="ignore")
    g = equation.stieltjes(sol)
    im = (phi * g - (1.0 - phi) / z).imag if phi > 1.0 else g.imag
    ok = report.converged[: x.size] & report.converged[x.size:]
    return ok & (im[x.size:] > 1.5 * im[: x.size])


def bulk_intervals(equation, left, right, *, phi=1.0, reliable_from=None, points=GAP_SCAN_POINTS, rtol=1e-9):
    """Support intervals of the bulk in ``[left, right]`` (the outer edges) by one scan and bisection
    (module docstring).

    The scan tests ``points`` angle-spaced points with :func:`outside_bulk`; every change between outside
    and inside across two neighbouring points is a gap edge, refined by bisection (all together, to
    ``rtol`` relative to the edge, and no finer than the test height). Scan points below
    ``reliable_from`` count as inside the bulk (no gap is reported there).
    """
    scale = max(abs(right), 1e-300)
    theta = np.pi * (np.arange(points) + 0.5) / points
    x = left + (right - left) * np.sin(0.5 * theta) ** 2
    out = outside_bulk(equation, x, scale, phi)
    if reliable_from is not None:
        out &= x >= reliable_from
    out[0] = out[-1] = False  # the outer edges are known: the first and last scan points lie in the bulk
    cuts = np.flatnonzero(out[:-1] != out[1:])
    lo, hi = x[cuts], x[cuts + 1]
    opens = out[cuts]  # outside → inside: an interval starts (the outside side is lo)
    floor = 10.0 * TEST_HEIGHT * scale
    while lo.size and np.any(hi - lo > np.maximum(rtol * np.abs(hi), floor)):
        mid = 0.5 * (lo + hi)
        move_lo = outside_bulk(equation, mid, scale, phi) == opens  # the midpoint is on lo's side
        lo, hi = np.where(move_lo, mid, lo), np.where(move_lo, hi, mid)
    bounds = [float(left)] + [float(e) for e in 0.5 * (lo + hi)] + [float(right)]
    return [(bounds[k], bounds[k + 1]) for k in range(0, len(bounds) - 1, 2)]
