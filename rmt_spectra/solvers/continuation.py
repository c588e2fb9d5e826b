r"""Vectorized Newton with continuation for Stieltjes-type equations, and support edges at folds.

The solver is kept apart from the equations it solves. An *equation* object
provides

``initial(z) -> x``
    a start far from the spectrum (``x`` has shape ``(M, size)``, complex);
``residual(x, z, jacobian=True) -> (F, dF/dx, dF/dz)``
    the residual ``F(x; z) = 0`` with its exact Jacobian (shape ``(M, size, size)``)
    and its derivative in ``z``;
``branch_ok(x, z) -> bool array``
    whether ``x`` is on the physical branch (``Im m >= 0`` for ``Im z >= 0``);
``stieltjes(x)``, ``scale()``
    the transform carried by ``x`` and the spectral scale of the problem.

:func:`solve_upper` solves at points of the closed upper half-plane: a geometric
ladder of heights ``Im z`` from ``10·scale`` down to ``1e-10·scale`` (Newton
steps on each rung, all points at once), then Newton at ``z`` itself — for real
``z`` at ``η = 0`` exactly: inside the support it converges to the complex root
(the density), outside to the real one. Points that fail (residual, branch, or a
real root at a real point, which a coarse ladder can reach spuriously) are
redone with a 4× finer ladder; points still failing are continued along ``z``
from the nearest good point. It returns a :class:`SolverReport` (residual,
iterations, convergence and branch flags per point) and warns with the
residual when a point does not converge.

:func:`fold_edge` finds a support edge as the fold of the real solution branch:
along the branch parametrized by the (real) transform ``s``, the real point
``x(s)`` is monotone until the edge, where ``dx/ds = 0`` and the real solution
of the real-``z`` equation ceases to exist. The augmented system
``F(x; z) = 0, s(x, z) = s`` is regular there (``s`` is a good coordinate), so
the edge is found by walking ``s`` with Newton and a bounded Brent search for
the extremum of ``z(s)``: no density is scanned.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._lazy import lazy_import
from .newton import descend, newton, newton_step, relative_residual
from .policy import ConvergenceWarning, check_on_failure, report_failure

optimize = lazy_import("scipy.optimize")

__all__ = ["SolverReport", "ConvergenceWarning", "solve_upper", "solve_on_support", "fold_edge"]


@dataclass
class SolverReport:
    """Per-point diagnostics of a solve.

    ``residual`` is the relative residual ``Σ|F|/Σ|x|``; ``converged`` means
    ``residual <= accept`` and on the physical branch.

    Returned by :func:`solve_upper` and :func:`solve_on_support`; ``report["residual"]`` works too.

    Parameters
    ----------
    residual : ndarray of float, shape ``(M,)``
        Residual per point (the equation's ``residual_norm`` when it defines one, else ``Σ|F|/Σ|x|``).
    iterations : ndarray of int, shape ``(M,)``
        Newton steps per point, continuation rungs included.
    converged : ndarray of bool, shape ``(M,)``
        ``residual <= accept``, finite, and on the physical branch.
    branch_ok : ndarray of bool, shape ``(M,)``
        ``equation.branch_ok`` at the returned point.
    method : str, default "newton-continuation"
        ``"newton-continuation"`` (:func:`solve_upper`) or ``"interpolated-newton"`` (:func:`solve_on_support`).

    Attributes
    ----------
    max_residual : float
        Largest residual (0 for no points).
    """

    residual: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    branch_ok: np.ndarray
    method: str = "newton-continuation"

    @property
    def max_residual(self) -> float:
        return float(np.max(self.residual, initial=0.0))

    def reshape(self, shape):
        return SolverReport(self.residual.reshape(shape), self.iterations.reshape(shape),
                            self.converged.reshape(shape), self.branch_ok.reshape(shape), self.method)

    def __getitem__(self, key):  # dict-style access (``info["residual"]``)
        return getattr(self, key)


def _ladder(equation, z, rungs, steps):
    top = 10.0 * max(equation.scale(), float(np.max(np.abs(z), initial=1.0)))
    heights = top * (1e-10 / 10.0) ** (np.arange(rungs) / (rungs - 1))
    return descend(equation, equation.initial(z + 1j * heights[0]), z, heights, steps=steps)[0]


def solve_upper(equation, z, *, tol=1e-12, accept=1e-9, maxit=60, rungs=12, steps=1, on_failure="warn",
                label="solver", real_outside=False, warn=None):
    """Solve ``equation`` at every ``z`` of the closed upper half-plane (1-d array).

    Returns ``x`` (shape ``(M, size)``) and a :class:`SolverReport`. Points with a
    residual above ``accept`` or on the wrong branch raise a
    :class:`ConvergenceWarning` naming the count and the largest residual.
    ``real_outside=True`` declares the real points to lie outside the spectrum: a
    real root there is the answer, not a suspect to redo. ``on_failure``: the policy of
    :mod:`rmt_spectra.solvers.policy` (``warn=False`` is the legacy spelling of ``"ignore"``).

    Parameters
    ----------
    equation : equation object (module docstring)
        Also needs ``size``, the number of unknowns per point.
    z : array_like of complex
        Points with ``Im z >= 0`` (flattened to shape ``(M,)``; not checked).
    tol : float, default 1e-12
        Residual at which Newton stops a point.
    accept : float, default 1e-9
        Largest residual accepted as converged.
    maxit : int, default 60
        Newton steps at most at ``z`` after the ladder (twice as many when a point is redone).
    rungs : int >= 2, default 12
        Heights of the ladder, geometric from ``10 s`` down to ``1e-10 s`` with ``s = max(scale(), max|z|, 1)``
        (``4·rungs`` when a point is redone).
    steps : int, default 1
        Newton steps per rung (2 when a point is redone).
    on_failure : {"raise", "warn", "ignore"}, default "warn"
        What to do when some points do not converge.
    label : str, default "solver"
        Prefix of the failure message.
    real_outside : bool, default False
        The real points lie outside the spectrum: a real root there is accepted.
    warn : bool, optional
        Legacy flag (``False`` means ``on_failure="ignore"``).

    Returns
    -------
    x : ndarray of complex, shape ``(M, size)``
        The solutions (for a point that did not converge, the best attempt kept).
    report : SolverReport
        Per-point residual, iterations, convergence and branch flags.
    """
    on_failure = check_on_failure(on_failure, warn=warn)
    z = np.asarray(z, complex).ravel()
    if z.size == 0:
        x = np.zeros((0, equation.size), complex)
        empty = np.zeros(0)
        return x, SolverReport(empty, empty.astype(int), empty.astype(bool), empty.astype(bool))
    x = _ladder(equation, z, rungs, steps)
    x, its, res = newton(equation, x, z, tol=tol, maxit=maxit)
    its += rungs * steps
    g = equation.stieltjes(x)
    ok_branch = equation.branch_ok(x, z)
    real_root = (z.imag == 0) & (np.abs(g.imag) <= 1e-12 * np.abs(g)) & (not real_outside)
    redo = np.flatnonzero((res > accept) | ~ok_branch | ~np.isfinite(res) | real_root)
    if redo.size:
        x2 = _ladder(equation, z[redo], 4 * rungs, 2)
        x2, its2, res2 = newton(equation, x2, z[redo], tol=tol, maxit=2 * maxit)
        better = (res2 <= np.maximum(res[redo], accept)) & equation.branch_ok(x2, z[redo])
        sel = redo[better]
        x[sel], res[sel], its[sel] = x2[better], res2[better], its2[better] + 8 * rungs
    ok_branch = equation.branch_ok(x, z)
    good = (res <= accept) & ok_branch & np.isfinite(res)
    bad = np.flatnonzero(~good)
    if bad.size and np.any(good):
        gidx = np.flatnonzero(good)
        near = gidx[np.argmin(np.abs(z[bad][:, None] - z[gidx][None, :]), axis=1)]
        x2 = x[near].copy()
        for t in np.linspace(0.0, 1.0, 17)[1:]:
            zt = z[near] + t * (z[bad] - z[near])
            for _ in range(3):
                x2, _ = newton_step(equation, x2, zt)
        x2, its2, res2 = newton(equation, x2, z[bad], tol=tol, maxit=maxit)
        ok2 = (res2 <= accept) & equation.branch_ok(x2, z[bad])
        sel = bad[ok2]
        x[sel], res[sel], its[sel] = x2[ok2], res2[ok2], its[sel] + its2[ok2] + 48
    ok_branch = equation.branch_ok(x, z)
    converged = (res <= accept) & ok_branch & np.isfinite(res)
    report = SolverReport(res, its, converged, ok_branch)
    if not converged.all():
        nb = int(np.sum(~ok_branch))
        report_failure(f"{label}: {int(np.sum(~converged))} of {z.size} points did not converge "
                       f"(max residual {float(np.nanmax(res)):.2e}; {nb} on the wrong branch)", on_failure, stacklevel=4)
    return x, report


# ============================================================ many real points inside the support
def _barycentric(theta_nodes, values, theta):
    """Barycentric interpolation on Chebyshev points of the first kind (``values``: (n, size))."""
    n = theta_nodes.size
    j = np.arange(n)
    w = (-1.0) ** j * np.sin((2 * j + 1) * np.pi / (2 * n))
    diff = theta[:, None] - theta_nodes[None, :]
    exact = diff == 0
    diff = np.where(exact, 1.0, diff)
    c = w / diff
    out = (c @ values) / c.sum(axis=1)[:, None]
    hit = exact.any(axis=1)
    if hit.any():
        out[hit] = values[np.argmax(exact[hit], axis=1)]
    return out


def solve_on_support(equation, x, intervals, *, tol=1e-12, accept=1e-9, nodes=32, maxit=8, on_failure="warn",
                     label="solver", warn=None):
    """Solve at many real points inside support intervals: coarse solve, interpolation, Newton polish.

    On each interval ``(a, b)`` the solution is an analytic function of the angle
    ``θ`` (``x = a + (b − a) sin²(θ/2)``: square-root edges become analytic). It is
    solved by :func:`solve_upper` at ``nodes`` Chebyshev points in ``θ`` (doubled
    while the interpolant misses the new points by more than ``1e-6``), interpolated
    to every point, and polished by Newton at ``η = 0``. Points whose polish fails
    (residual above ``accept`` or wrong branch) are solved by :func:`solve_upper`.
    Returns ``x`` and a :class:`SolverReport` like :func:`solve_upper` (same ``on_failure``).

    Intervals holding at most ``2·nodes`` of the points, points on no interval's interior and
    intervals whose coarse solve fails go to :func:`solve_upper` directly.

    Parameters
    ----------
    equation : equation object (module docstring)
        Also needs ``size``, the number of unknowns per point.
    x : array_like of float
        Real points (flattened to shape ``(M,)``).
    intervals : iterable of (float, float)
        Support intervals ``(a, b)``; a point is on one when ``a < x < b``.
    tol : float, default 1e-12
        Residual at which Newton stops a point.
    accept : float, default 1e-9
        Largest residual accepted as converged.
    nodes : int, default 32
        Chebyshev nodes of the first coarse solve per interval (doubled at most three times).
    maxit : int, default 8
        Newton steps at most in each polish.
    on_failure : {"raise", "warn", "ignore"}, default "warn"
        What to do when some points do not converge.
    label : str, default "solver"
        Prefix of the failure message.
    warn : bool, optional
        Legacy flag (``False`` means ``on_failure="ignore"``).

    Returns
    -------
    x : ndarray of complex, shape ``(M, size)``
        The solutions at ``z = x + 0i``.
    report : SolverReport
        ``method="interpolated-newton"``.
    """
    on_failure = check_on_failure(on_failure, warn=warn)
    x = np.asarray(x, float).ravel()
    out = np.zeros((x.size, equation.size), complex)
    res = np.full(x.size, np.inf)
    its = np.zeros(x.size, int)
    todo = np.ones(x.size, bool)
    for a, b in intervals:
        sel = np.flatnonzero((x > a) & (x < b))
        if sel.size == 0:
            continue
        if sel.size <= 2 * nodes:
            continue  # few points: the continuation solver directly (below)
        L = b - a
        theta = 2.0 * np.arcsin(np.sqrt(np.clip((x[sel] - a) / L, 0.0, 1.0)))
        n = nodes
        th = np.pi * (2 * np.arange(n) + 1) / (2 * n)
        zc = (a + L * np.sin(0.5 * th) ** 2).astype(complex)
        xc, rep = solve_upper(equation, zc, tol=tol, accept=accept, on_failure="ignore")
        if not rep.converged.all():
            continue
        for _ in range(3):  # doubling: check the interpolant at the new nodes
            th2 = np.pi * (2 * np.arange(2 * n) + 1) / (4 * n)
            z2 = (a + L * np.sin(0.5 * th2) ** 2).astype(complex)
            guess = _barycentric(th, xc, th2)
            x2, k2, r2 = newton(equation, guess, z2, tol=tol, maxit=maxit)
            ok2 = (r2 <= accept) & equation.branch_ok(x2, z2)
            if not ok2.all():
                x2b, rep2 = solve_upper(equation, z2[~ok2], tol=tol, accept=accept, on_failure="ignore")
                x2[~ok2] = x2b
            err = np.max(np.abs(x2 - guess)) / (np.max(np.abs(x2)) + 1e-300)
            th, xc, n = th2, x2, 2 * n
            if err < 1e-6:
                break
        guess = _barycentric(th, xc, theta)
        xs, k, r = newton(equation, guess, x[sel].astype(complex), tol=tol, maxit=maxit)
        branch = equation.branch_ok(xs, x[sel].astype(complex))
        good = (r <= accept) & branch
        out[sel[good]], res[sel[good]], its[sel[good]] = xs[good], r[good], k[good]
        todo[sel[good]] = False
    ok_branch = np.ones(x.size, bool)
    idx = np.flatnonzero(todo)
    if idx.size:
        xr, rep = solve_upper(equation, x[idx].astype(complex), tol=tol, accept=accept, on_failure="ignore")
        out[idx], res[idx], its[idx], ok_branch[idx] = xr, rep.residual, rep.iterations, rep.branch_ok
    converged = (res <= accept) & ok_branch & np.isfinite(res)
    report = SolverReport(res, its, converged, ok_branch, method="interpolated-newton")
    if not converged.all():
        report_failure(f"{label}: {int(np.sum(~converged))} of {x.size} points did not converge "
                       f"(max residual {float(np.nanmax(res)):.2e}; {int(np.sum(~ok_branch))} on the wrong branch)",
                       on_failure, stacklevel=4)
    return out, report


# ============================================================ support edges at folds
def _augmented_newton(equation, x, z, s, transform, tol=1e-13, maxit=40):
    """Newton on ``F(x; z) = 0, transform(x, z) = s`` in real arithmetic; returns ``(x, z, ok)``."""
    n = equation.size
    for _ in range(maxit):
        zc = np.array([complex(z)])
        F, J, dFdz = equation.residual(x[None, :], zc)
        t, dt_dx, dt_dz = transform(x[None, :], zc)
        R = np.concatenate([F[0], [t[0] - s]]).real
        A = np.zeros((n + 1, n + 1))
        A[:n, :n] = J[0].real
        A[:n, n] = dFdz[0].real
        A[n, :n] = dt_dx[0].real
        A[n, n] = dt_dz[0].real
        try:
            step = np.linalg.solve(A, R)
        except np.linalg.LinAlgError:
            return x, z, False
        if not np.all(np.isfinite(step)):
            return x, z, False
        x = x - step[:n]
        z = z - step[n]
        if np.max(np.abs(step)) <= tol * (1.0 + np.max(np.abs(x)) + abs(z)):
            break
    zc = np.array([complex(z)])
    F, _, _ = equation.residual(x[None, :], zc, jacobian=False)
    ok = bool(relative_residual(F, x[None, :])[0] < 1e-9 and np.isfinite(z))
    return x, float(z), ok


def fold_edge(equation, x_start, transform, direction, *, valid=None, max_halvings=40):
    """Edge at the fold of the real branch, walking the transform ``s`` from the real point ``x_start``.

    Parameters
    ----------
    equation : equation object (module docstring)
    x_start : float
        A real point outside the support on the side of the edge (e.g. far right).
    transform : callable ``(x, z) -> (s, ds/dx, ds/dz)``
        The real coordinate along the branch (the Stieltjes transform, or its
        companion where the transform itself has a pole).
    direction : +1 or -1
        Walk ``|s|`` up (``+1``) — towards the bulk from ``x_start`` — by geometric steps.
    valid : callable ``(x, z) -> bool``, optional
        Extra physical-branch condition checked at each point.
    max_halvings : int, default 40
        How many times the step in ``log|s|`` (initially ``ln 10/40``) may be halved after a failed
        point before the walk stops.

    Returns
    -------
    (edge, info) : float or None, dict
        ``info`` has the branch point at the edge (``x``, ``s``) and the number of steps.
    """
    z0 = np.array([complex(x_start)])
    x0, report = solve_upper(equation, z0, on_failure="ignore")
    if not report.converged[0]:
        return None, {"reason": "no real solution at the start point"}
    x = x0[0].real.astype(complex)
    s0 = float(transform(x[None, :], z0)[0][0].real)
    if s0 == 0.0:
        return None, {"reason": "zero transform at the start point"}
    log_step = np.log(10.0) / 40.0
    pts = [(s0, float(x_start), x)]
    halvings, steps = 0, 0
    mag = abs(s0)
    sign = np.sign(s0)
    while steps < 4000:
        steps += 1
        s = sign * mag * np.exp(direction * log_step)
        xn, zn, ok = _augmented_newton(equation, pts[-1][2], pts[-1][1], s, transform)
        if ok and valid is not None:
            ok = bool(valid(xn, zn))
        if not ok:
            if halvings >= max_halvings:
                break
            halvings += 1
            log_step *= 0.5
            continue
        moved_back = len(pts) >= 2 and (zn - pts[-1][1]) * (pts[-1][1] - pts[-2][1]) < 0
        pts.append((s, zn, xn))
        mag = abs(s)
        if moved_back:
            (s_a, _, xa), (s_c, _, _) = pts[-3], pts[-1]
            increasing = pts[-2][1] > pts[-3][1]  # z was increasing before the turn: a maximum
            state = {"x": xa, "z": pts[-3][1]}

            def f(sv):
                xv, zv, okv = _augmented_newton(equation, state["x"], state["z"], sv, transform)
                if not okv:
                    return np.inf
                state["x"], state["z"] = xv, zv
                return -zv if increasing else zv

            lo, hi = sorted((s_a, s_c))
            res = optimize.minimize_scalar(f, bounds=(lo, hi), method="bounded",
                                  options={"xatol": 1e-12 * max(abs(lo), abs(hi))})
            best = max(p[1] for p in pts[-3:]) if increasing else min(p[1] for p in pts[-3:])
            edge = -res.fun if increasing else res.fun
            if not np.isfinite(edge):
                edge = best
            edge = max(edge, best) if increasing else min(edge, best)
            return float(edge), {"s": float(res.x), "x": state["x"], "steps": steps}
    if pts and halvings >= max_halvings and len(pts) > 1:
        # converged onto the fold without seeing z turn (the Newton region closed there)
        return float(pts[-1][1]), {"s": pts[-1][0], "x": pts[-1][2], "steps": steps, "reason": "step exhausted"}
    return None, {"reason": "the branch has no fold", "steps": steps}
