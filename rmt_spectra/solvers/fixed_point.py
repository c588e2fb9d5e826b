"""Safeguarded Newton for fixed points ``x = Φ(x)`` of small systems (the risk's trace equations).

The equations give ``R(x) = Φ(x) − x``, its Jacobian (lazily) and the fixed-point image ``Φ(x)``;
the iteration is kept apart from them (the optimistix pattern). A Newton step is accepted only
if it stays in the domain and at least halves ``|R|``; otherwise the plain fixed-point step
``x ← Φ(x)`` is taken, which for these monotone maps converges from any feasible start.
"""
from __future__ import annotations

import numpy as np

__all__ = ["safeguarded_fixed_point"]


def safeguarded_fixed_point(system, x0, *, tol, max_iter, feasible=None):
    """Solve ``x = Φ(x)``.

    Parameters
    ----------
    system : callable
        ``x ↦ (R, jacobian, image, extra)`` with ``R = Φ(x) − x``, ``jacobian()`` returning
        ``dR/dx`` (called only at accepted points), ``image = Φ(x)`` and ``extra`` anything the
        caller wants back at the solution.
    x0 : ndarray
        Start (feasible).
    tol : float
        Stop when ``max |R_i|/(1 + |x_i|) <= tol``.
    max_iter : int
    feasible : callable, optional
        ``x ↦ bool``: whether a Newton step may be evaluated there.

    Returns
    -------
    x, extra, iterations, converged, residual
    """
    x = np.asarray(x0, float)
    R, jac, image, extra = system(x)
    it = 0

    def size(R, x):
        return float(np.max(np.abs(R) / (1.0 + np.abs(x))))

    while size(R, x) > tol and it < max_iter:
        it += 1
        accepted = False
        try:
            xn = x - np.linalg.solve(jac(), R)
            if feasible is None or feasible(xn):
                out = system(xn)
                accepted = bool(np.linalg.norm(out[0]) <= 0.5 * np.linalg.norm(R))
        except np.linalg.LinAlgError:
            pass
        if not accepted:
            xn = image
            out = system(xn)
        x = xn
        R, jac, image, extra = out
    residual = size(R, x)
    return x, extra, it, residual <= tol, residual
