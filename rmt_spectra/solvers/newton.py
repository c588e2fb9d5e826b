r"""The one vectorized Newton iteration of the package, its continuation ladder, and its bracketed form.

Every equation of the package (Silverstein, conjugate kernel, spiked bulk and groups,
risk profile) is solved by :func:`newton`, started either from a good guess or from
:func:`descend` (continuation in ``Im z``). The iteration is kept apart from the
equations (the optimistix pattern). An *equation* object provides

``residual(x, z, jacobian=True) -> (F, dF/dx, dF/dz)``
    ``F`` of shape ``(M, size)``, the exact Jacobian of shape ``(M, size, size)``
    (``None`` when ``jacobian=False``), ``dF/dz`` (may be ``None``);

and optionally

``residual_norm(F, x, z) -> (M,)``
    the size of the residual that the tolerance refers to (default: the relative
    residual ``Σ|F|/Σ|x|``);
``safeguard(x_new, x_old, z) -> x``
    a correction of a Newton step (keeping a branch, replacing a non-finite step;
    default: a point whose step is not finite stays where it is);
``fused_jacobian``
    ``True`` when the Jacobian costs little beyond the residual: each iteration then
    evaluates both at once (default ``False``: the residual alone first, the Jacobian
    only for the points that still need a step).

Iterations are masked: after at least ``min_steps`` steps, a point stops when its
residual is below ``tol`` or when its step no longer changes it (no component moves by more
than ``1e-16`` of itself; its residual is then reported as it is).
"""
from __future__ import annotations

import numpy as np

__all__ = ["newton", "newton_step", "descend", "bracketed_newton", "relative_residual"]


def relative_residual(F, x):
    """``Σ|F| / Σ|x|`` per point (rows of ``F`` and ``x``).

    Parameters
    ----------
    F : ndarray, shape ``(M, size)``
        Residuals, one row per point (real or complex).
    x : ndarray, shape ``(M, size)``
        The points they were evaluated at.

    Returns
    -------
    ndarray of float, shape ``(M,)``
        ``Σ_j |F_ij| / (Σ_j |x_ij| + 1e-300)``.
    """
    return np.sum(np.abs(F), axis=1) / (np.sum(np.abs(x), axis=1) + 1e-300)


def _norm(equation, F, x, z):
    norm = getattr(equation, "residual_norm", None)
    return relative_residual(F, x) if norm is None else norm(F, x, z)


def _solve(J, F):
    """Newton corrections ``J⁻¹F`` for a stack of systems (division when ``size == 1``)."""
    with np.errstate(all="ignore"):
        if J.shape[1] == 1:
            return F / J[:, :, 0]
        try:
            return np.linalg.solve(J, F[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            return np.stack([np.linalg.lstsq(Ji, Fi, rcond=None)[0] for Ji, Fi in zip(J, F)])


def _step(equation, x, z, F, J):
    xn = x - _solve(J, F)
    guard = getattr(equation, "safeguard", None)
    if guard is not None:
        return guard(xn, x, z)
    bad = ~np.all(np.isfinite(xn), axis=1)
    xn[bad] = x[bad]
    return xn


def newton_step(equation, x, z):
    """One unmasked Newton step at every point; returns the new ``x`` and the residual before it.

    ``x_new = x − J⁻¹F`` (division when ``size == 1``; least squares per point if a Jacobian is
    singular), then ``equation.safeguard`` if it has one, else non-finite steps are undone.

    Parameters
    ----------
    equation : equation object (module docstring)
    x : ndarray, shape ``(M, size)``
        Current points.
    z : ndarray, shape ``(M,)``
        The parameter of the equation at each point.

    Returns
    -------
    x : ndarray, shape ``(M, size)``
        The points after the step.
    residual : ndarray, shape ``(M,)``
        The residual (``equation.residual_norm``, default :func:`relative_residual`) at the input ``x``.
    """
    F, J, _ = equation.residual(x, z)
    return _step(equation, x, z, F, J), _norm(equation, F, x, z)


def newton(equation, x, z, *, tol=1e-12, maxit=60, min_steps=0, check_first=False):
    """Masked vectorized Newton at fixed ``z``.

    Parameters
    ----------
    equation : equation object (module docstring)
    x : array_like, shape ``(M, size)``
        Starting points.
    z : ndarray, shape ``(M,)``
        The parameter of the equation at each point (real or complex).
    tol : float
        Residual (``equation.residual_norm``) at which a point stops.
    maxit : int
        Newton steps at most per point.
    min_steps : int
        Steps taken even when the start already meets ``tol`` (a complex-step derivative needs them).
    check_first : bool
        For a fused equation, evaluate the residual alone before the first step (starts
        expected to be converged already cost half an iteration).

    Returns
    -------
    x : ndarray, shape ``(M, size)``
    iterations : ndarray of int, shape ``(M,)``
        Newton steps taken per point.
    residual : ndarray, shape ``(M,)``
        The residual at the returned point (at the point before the last step for
        a point stopped by a stalled step or by ``maxit``).
    """
    x = np.array(x, dtype=np.result_type(np.asarray(x).dtype, np.asarray(z).dtype, float))
    its = np.zeros(z.shape, int)
    res = np.full(z.shape, np.inf)
    active = np.ones(z.shape, bool)
    fused = bool(getattr(equation, "fused_jacobian", False))
    if check_first and fused and x.size and min_steps == 0:
        F, _, _ = equation.residual(x, z, jacobian=False)
        res = _norm(equation, F, x, z)
        active = ~(res <= tol)
    for it in range(maxit + 1):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        xa, za = x[idx], z[idx]
        F, J, _ = equation.residual(xa, za, jacobian=fused)
        res[idx] = _norm(equation, F, xa, za)
        done = (res[idx] <= tol) & (its[idx] >= min_steps)
        active[idx[done]] = False
        if it == maxit:
            break
        keep = ~done
        idx, xa, za, F = idx[keep], xa[keep], za[keep], F[keep]
        if idx.size == 0:
            break
        if fused:
            J = J[keep]
        else:
            F, J, _ = equation.residual(xa, za)
        xn = _step(equation, xa, za, F, J)
        stalled = np.all(np.abs(xn - xa) <= 1e-16 * np.abs(xa), axis=1)  # no component moves any more
        x[idx] = xn
        its[idx] += 1
        stalled &= its[idx] >= min_steps
        active[idx[stalled]] = False
    return x, its, res


def descend(equation, x, z, heights, *, steps=1, tol=None):
    """Continuation in ``Im z``: Newton at ``z + i·h`` for each height ``h`` in turn, warm-started.

    ``heights`` decrease towards the target; ``steps`` Newton steps per rung, all points
    at once — unmasked when ``tol`` is None, else masked (:func:`newton` with ``maxit=steps``).
    Returns ``x`` and the steps taken per point.

    Parameters
    ----------
    equation : equation object (module docstring)
    x : ndarray, shape ``(M, size)``
        Starting points (for the first rung, ``z + i·heights[0]``).
    z : ndarray, shape ``(M,)``
        Target points; rung ``h`` solves at ``z + i·h``.
    heights : sequence of float
        The rungs, in the order they are taken (decreasing towards the target).
    steps : int, default 1
        Newton steps per rung (the most per rung when ``tol`` is given).
    tol : float, optional
        None: ``steps`` unmasked steps per rung (:func:`newton_step`); else :func:`newton` with
        ``maxit=steps``, points below ``tol`` taking no more steps on that rung.

    Returns
    -------
    x : ndarray, shape ``(M, size)``
        The points after the last rung (no step is taken at ``z`` itself).
    iterations : ndarray of int, shape ``(M,)``
        Newton steps taken per point over all rungs.
    """
    its = np.zeros(np.shape(z), int)
    for h in heights:
        zc = z + 1j * h
        if tol is None:
            for _ in range(steps):
                x, _ = newton_step(equation, x, zc)
            its += steps
        else:
            x, k, _ = newton(equation, x, zc, tol=tol, maxit=steps)
            its += k
    return x, its


def bracketed_newton(fun, lo, hi, increasing, x0=None, tol=1e-15, maxit=200):
    """Vectorized Newton with a bisection safeguard on real brackets ``[lo, hi]``.

    ``fun(x, idx) -> (f, df)`` at the points ``idx``; ``f`` changes sign on each bracket,
    increasing (``increasing=True``) or decreasing. A step leaving its bracket is replaced
    by the midpoint, so every root is found. Returns the roots and iteration counts.

    Parameters
    ----------
    fun : callable
        ``fun(x, idx) -> (f, df)``: values and derivatives at ``x`` (1-d), the active points ``idx``.
    lo, hi : array_like of float, shape ``(M,)``
        The brackets, ``lo < hi``; they are shrunk at every evaluation (the sign is not checked
        at the start). While an end is infinite there is no midpoint: a step leaving the bracket
        is then replaced by the current point, which stops that point (a zero step).
    increasing : bool or array_like of bool
        Whether ``f`` goes from negative to positive across each bracket (broadcast to ``(M,)``).
    x0 : array_like of float, optional
        Starting points, clipped into the brackets (default: the midpoints).
    tol : float, default 1e-15
        Relative tolerance: a point stops when its step or its bracket width (``/4``) is at most
        ``tol·|x|``, or when ``f == 0``.
    maxit : int, default 200
        Evaluations at most per point.

    Returns
    -------
    x : ndarray of float, shape ``(M,)``
        The roots.
    iterations : ndarray of int, shape ``(M,)``
        Evaluations per point.
    """
    lo = np.array(lo, float)
    hi = np.array(hi, float)
    inc = np.broadcast_to(np.asarray(increasing, bool), lo.shape)
    x = 0.5 * (lo + hi) if x0 is None else np.clip(np.array(x0, float), lo, hi)
    its = np.zeros(lo.shape, int)
    active = np.ones(lo.shape, bool)
    for _ in range(maxit):
        if not active.any():
            break
        idx = np.nonzero(active)[0]
        xa = x[idx]
        f, df = fun(xa, idx)
        s = np.where(inc[idx], f, -f)
        hi[idx] = np.where(s > 0, xa, hi[idx])
        lo[idx] = np.where(s <= 0, xa, lo[idx])
        with np.errstate(all="ignore"):
            xn = xa - f / df
        bad = ~(xn > lo[idx]) | ~(xn < hi[idx]) | ~np.isfinite(xn)
        mid = np.where(np.isfinite(lo[idx]) & np.isfinite(hi[idx]), 0.5 * (lo[idx] + hi[idx]), xa)
        xn = np.where(bad, mid, xn)
        its[idx] += 1
        scale = np.abs(xa) + 1e-300
        done = (np.abs(xn - xa) <= tol * scale) | (f == 0) | (hi[idx] - lo[idx] <= 4 * tol * scale)
        x[idx] = np.where(f == 0, xa, xn)
        active[idx[done]] = False
    return x, its
