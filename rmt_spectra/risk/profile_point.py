r"""One point ``(α, λ)`` of the profile risk equations (:func:`rmt_spectra.risk.profile.profile_test_error`).

The inner deterministic equivalent (``q`` per group and λ node, solved by the one Newton of
:mod:`rmt_spectra.solvers`), the bulk system (continuation solver), the first-order unknowns and
the second-order traces by complex step. The equations are written out in the module
docstring of :mod:`rmt_spectra.risk.profile`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..solvers import solve_upper
from ..solvers.newton import newton, relative_residual
from ..spiked.bulk import MixtureEquation
from .tables import kappa_table, kappa_width

if TYPE_CHECKING:
    from .profile import RowModel

#: complex-step size for the second-order traces (relative to the parameter scale).
_CSTEP = 1e-30
#: relative singular-value cut of the group-mean functions ``√(g w) μ_{0,k}(κ)`` (:func:`theta_and_mean`).
MEAN_RCOND = 1e-13


def theta_and_mean(mu0, k1, h, gw, Hmat, extra):
    r"""``(θ, m)`` of the several-group equations, with the mean channel as a weighted projection.

    Solves ``(I + H A₃)θ + H A₂m = H a₁ + extra`` and ``A₂ᵀθ + B₀m = b₁`` (``A₃ = E[κμ₁κμ₁ᵀg]``,
    ``A₂ = E[κμ₁μ₀ᵀg]``, ``B₀ = E[μ₀μ₀ᵀg]``, ``a₁ = E[κμ₁hg]``, ``b₁ = E[μ₀hg]``; ``E = Σ_j w_j``, ``g = 1/(1+V)``).
    The second block says that ``c_m = Σ_k m_kμ_{0,k}`` is the ``L²(g w)`` projection of ``h − κΣ_kμ_{1,k}θ_k`` on
    the span of the group means; that span is taken from the SVD of ``F = √(gw) μ₀ᵀ`` (singular values above
    :data:`MEAN_RCOND` times the largest), and ``θ`` solves the projected (Schur) system. With several groups the
    means ``μ₀(r_kκ)`` are nearly dependent at small spikes (their differences carry the higher Hermite components
    of ``κ``, of relative size ``(r_k)^{2}, (r_k)^{4}, …``): the normal matrix ``B₀`` squares these singular values,
    and a least-squares cut on the stacked system dropped such components at a step size fixed by round-off
    (erf/erf, Gaussian ``ā``, 8 nodes: the error jumped from 0.0998 to 0.0712 at η̃ ≈ 0.0135, the κ³ component).
    The cut on ``F`` itself resolves what float64 can: there the κ⁷ component (6e-4 of the error) enters at
    η̃ ≈ 0.0135 and κ⁵ (0.0035) at η̃ ≈ 1e-3. These N → ∞ channels need weights ``m_k ~ (r ā_k)^{-3}, …``, so a
    finite network reaches them only for large ``N r⁶`` (η̃ = 1: d = 800 is close; η̃ = 0.3: not at d = 1600).

    Parameters
    ----------
    mu0, k1 : ndarray (K, nκ)
        ``μ_{0,k}(κ)`` and ``κ μ_{1,k}(κ)`` at the κ nodes.
    h : ndarray (nκ,)
        ``E[y | κ]`` at the nodes.
    gw : ndarray (nκ,)
        ``g w`` (weights times ``1/(1+V)``), ``>= 0``.
    Hmat : ndarray (K, K)
        ``H`` above.
    extra : ndarray (K,)
        Additional right-hand side of the θ block.

    Returns
    -------
    theta, m : ndarray (K,)
    c : ndarray (nκ,)
        ``c(κ) = Σ_k m_kμ_{0,k}(κ) + κΣ_kμ_{1,k}(κ)θ_k`` at the nodes (the mean part from the projection, not from
        ``m``, whose entries can be large when the means are nearly dependent).
    """
    K = mu0.shape[0]
    sq = np.sqrt(gw)
    F = (mu0 * sq).T                                  # (nκ, K)
    U, S, Vt = np.linalg.svd(F, full_matrices=False)
    keep = S > MEAN_RCOND * S[0] if S.size and S[0] > 0 else np.zeros(S.shape, bool)
    Q = U[:, keep]
    X = (k1 * sq).T                                   # (nκ, K)
    hv = h * sq
    Xp = X - Q @ (Q.T @ X)                            # components orthogonal to the span of the means
    hp = hv - Q @ (Q.T @ hv)
    theta = np.linalg.solve(np.eye(K) + Hmat @ (Xp.T @ Xp), Hmat @ (Xp.T @ hp) + extra)
    r = hv - X @ theta
    coords = Q.T @ r
    m = Vt[keep].T @ (coords / S[keep])
    fitted = Q @ coords                               # √(gw) c_m
    ok = sq > 1e-150
    c_mean = np.where(ok, fitted / np.where(ok, sq, 1.0), m @ mu0)
    return theta, m, c_mean + k1.T @ theta


# ====================================================================== inner deterministic equivalent
class _Inner:
    """``Q̄ = (Σ C_kl P_kΩP_l + diag(c⋆) − z)⁻¹`` for Gaussian rows with a variance profile."""

    def __init__(self, rows: RowModel, beta):
        self.pi = rows.proportions
        self.tau = rows.tau                     # (K, L)
        self.w = rows.lambda_weights            # (L,)
        self.dw = rows.direction_weights        # (3, L)
        self.beta = float(beta)
        self.K = rows.K
        self.iu = np.triu_indices(self.K)

    def blocks(self, q, C):
        """``D_j`` (L, K), ``G_j = (I + C D_j)⁻¹`` and ``P_j = D_j G_j`` (L, K, K)."""
        D = (self.beta * self.pi * q)[None, :] * self.tau.T       # (L, K)
        A = np.eye(self.K)[None] + C[None, :, :] * D[:, None, :]   # (I + C D)_ij = δ_ij + C_ij D_j
        G = np.linalg.inv(A)
        P = D[:, :, None] * G
        return D, G, P

    def q_map(self, q, C, cstar, z):
        """``q_k ↦ 1/(c⋆_k − z + E_ω[τ_k Γ_kk])`` and the Jacobian of ``q − map(q)``."""
        D, G, P = self.blocks(q, C)
        Gam = G @ C                                                 # (L, K, K), symmetric
        S = np.einsum("j,kj,jkk->k", self.w, self.tau, Gam)
        qn = 1.0 / (cstar - z + S)
        # dS_k/dq_a = −Σ_j ω_j τ_k(j) Γ_ka(j)² β π_a τ_a(j)
        dS = -np.einsum("j,kj,jka,aj->ka", self.w, self.tau, Gam * Gam, (self.beta * self.pi)[:, None] * self.tau)
        J = np.eye(self.K) + (qn * qn)[:, None] * dS
        return qn, J

    def solve_q(self, C, cstar, z, q0, tol=1e-14, maxit=50, min_steps=0):
        """Newton (:func:`rmt_spectra.solvers.newton`) for ``q``; in complex arithmetic for the complex
        step (then ``min_steps >= 2``: the start is the real solution, whose residual is already below ``tol``).
        Returns ``(q, steps, residual)``."""
        q0 = np.array(q0, dtype=complex if (np.iscomplexobj(C) or np.iscomplexobj(cstar)) else float)
        q, its, res = newton(_QEquation(self, C, cstar, z), q0[None, :], np.zeros(1, q0.dtype), tol=tol,
                             maxit=maxit, min_steps=min_steps)
        return q[0], int(its[0]), float(res[0])

    def outputs(self, q, C):
        """Traces ``t`` (pairs then stars, Q̄ units) and the projected forms ``H`` (2K × 2K)."""
        K = self.K
        _, _, P = self.blocks(q, C)
        EP = np.einsum("j,jkl->kl", self.w, P)
        fac = np.where(self.iu[0] == self.iu[1], 1.0, 2.0)
        t = np.concatenate([fac * EP[self.iu] / self.beta, self.pi * q])
        G_bb = np.einsum("j,jkl->kl", self.dw[0], P)
        G_nn = np.einsum("j,jkl->kl", self.dw[1], P)
        G_nb = np.einsum("j,jkl->kl", self.dw[2], P)
        R = np.linalg.inv(np.eye(K) - C @ G_bb)
        H_bb = G_bb @ R
        H_nb = G_nb @ R
        H_nn = G_nn + G_nb @ R @ C @ G_nb.T
        H = np.block([[H_bb, H_nb.T], [H_nb, H_nn]])
        return t, H

    def unpack(self, p):
        """Coefficients ``p = (C pairs, c⋆)`` → ``(C, c⋆)``."""
        K, npair = self.K, len(self.iu[0])
        C = np.zeros((K, K), dtype=p.dtype)
        C[self.iu] = p[:npair]
        C[(self.iu[1], self.iu[0])] = p[:npair]
        return C, p[npair:]


class _QEquation:
    """``q − map(q) = 0`` of :meth:`_Inner.q_map` at fixed coefficients, for :func:`rmt_spectra.solvers.newton`
    (one point; residual size ``max|F|/max|q|``)."""

    fused_jacobian = True

    def __init__(self, inner, C, cstar, z):
        self.inner, self.C, self.cstar, self.z = inner, C, cstar, z

    def residual(self, q, _z, jacobian=True):
        qn, J = self.inner.q_map(q[0], self.C, self.cstar, self.z)
        return (q[0] - qn)[None, :], J[None], None

    def residual_norm(self, F, q, _z):
        return np.max(np.abs(F), axis=1) / (np.max(np.abs(q), axis=1) + 1e-300)


# ====================================================================== one point
def _tables(sigma, target, rows: RowModel, noise, n_kappa):

    s2 = rows.variances
    # one κ rule for every group (the tables are combined node by node): the finest width of them all
    width = min(kappa_width(float(r), float(c), rows.gamma) for r, c in zip(rows.spikes, s2))
    tabs = [kappa_table(sigma, target, float(r), float(c), rows.gamma, noise, n_kappa, width=width)
            for r, c in zip(rows.spikes, s2)]
    t0 = tabs[0]
    return dict(kappa=t0.kappa, w=t0.weight, h=t0.h, h1=t0.h1, h2=t0.h2,
                mu0=np.array([t.mu0 for t in tabs]), mu1=np.array([t.mu1 for t in tabs]),
                mus2=np.array([t.mu_star_sq for t in tabs]))


def _physical_real(eq, x, z):
    """The bulk solution ``x`` (one point) at the real ``z < 0`` is the resolvent's: real, ``0 < q_k ≤ 1/|z|``
    (diagonal blocks of ``(A − z)⁻¹`` with ``A ⪰ 0``), ``δ(κ) ≥ 0`` and ``det(I + C D_λ) > 0``
    (:meth:`~rmt_spectra.spiked.bulk.MixtureEquation.real_branch_ok`)."""
    x = np.atleast_2d(x)
    if not np.all(np.isfinite(x)) or np.max(np.abs(x.imag)) > 1e-8 * np.max(np.abs(x)):
        return False
    q = x[0, : eq.K].real
    delta = eq.delta(x.real + 0j)[0].real
    return bool(np.all(q > 0) and np.all(q * abs(z) <= 1.0 + 1e-9)
                and np.all(delta >= -1e-10 * (1.0 + np.max(np.abs(delta)))) and eq.real_branch_ok(x.real + 0j))


def _solve_real_axis(eq, z, tol, accept=1e-9):
    """The bulk system at the real ``z < 0`` by continuation along the negative real axis from
    ``z₀ = −10 max(scale, |z|)`` (far field ``q ≈ −1/z``): all of it lies outside the spectrum, so the
    physical solution is a real analytic function of ``z`` there. Steps in ``log|z|`` with a secant
    predictor, halved when Newton fails or leaves the physical branch (:func:`_physical_real`).
    Returns ``(x, iterations, residual, ok)``."""
    z0 = -10.0 * max(eq.scale(), abs(z))
    x, its, res = newton(eq, eq.initial(np.array([z0 + 0j])), np.array([z0 + 0j]), tol=tol, maxit=60)
    total = int(its[0])
    s, s_end = np.log(-z0), np.log(-z)
    h = (s_end - s) / 24.0                       # negative
    x_prev, h_prev = None, h
    while s > s_end and total < 5000:
        s_new = max(s + h, s_end)
        zn = np.array([-np.exp(s_new) + 0j])
        guess = x if x_prev is None else x + (x - x_prev) * ((s_new - s) / h_prev)
        xn, it, r = newton(eq, guess, zn, tol=tol, maxit=12)
        total += int(it[0])
        if r[0] <= accept and _physical_real(eq, xn, zn[0].real):
            x_prev, h_prev, x, s = x, s_new - s, xn, s_new
            if it[0] <= 4:
                h *= 1.5
        else:
            h *= 0.5
            if abs(h) < 1e-8:
                break
    F, _, _ = eq.residual(x, np.array([z + 0j]), jacobian=False)
    res = float(relative_residual(F, x)[0])
    ok = bool(s <= s_end and res <= accept and _physical_real(eq, x, z))
    return x, total, res, ok


def _solve_point(alpha, ridge, tb, rows: RowModel, beta, inner: _Inner, tol):
    K = rows.K
    iu = inner.iu
    eq = MixtureEquation(tb["mu1"], tb["mus2"], tb["w"], rows.proportions, rows.tau, rows.lambda_weights,
                         alpha * beta, 1.0, beta, merge=False)
    z = -ridge / alpha
    x, rep = solve_upper(eq, np.array([z + 0j]), tol=tol, on_failure="ignore", real_outside=True, label="risk bulk")
    bulk_res, its, bulk_ok = float(rep.residual[0]), int(rep.iterations[0]), bool(rep.converged[0])
    if not (bulk_ok and _physical_real(eq, x, z)):
        # the Im-z ladder of solve_upper can end on a spurious root (its Im q > 0 passes the branch test
        # off the axis; on the axis it is real with q < 0, δ < 0): e.g. N > d, n > 1.3 N, where the atom
        # at 0 of Ω (mass 1 − d/N) makes q ≈ (1 − d/N)/(c⋆ − z) large. Redo along the real axis.
        x2, its2, res2, ok2 = _solve_real_axis(eq, z, tol)
        its += its2
        if ok2 or not bulk_ok:
            x, bulk_res, bulk_ok = x2, res2, ok2
    imag = float(np.max(np.abs(x.imag)) / (np.max(np.abs(x)) + 1e-300))
    x = x.real
    q_bulk, Cmat = eq.unpack(x)
    q_bulk, Cmat = q_bulk[0].real, Cmat[0].real
    delta = eq.delta(x + 0j)[0].real
    w, kap, h, h1, h2 = tb["w"], tb["kappa"], tb["h"], tb["h1"], tb["h2"]
    mu0, mu1, mus2 = tb["mu0"], tb["mu1"], tb["mus2"]
    g = 1.0 / (1.0 + delta)
    gw = g * w
    cstar = mus2 @ gw
    # the inner system at the solution reproduces q (consistency of the two solvers)
    q, _, inner_res = inner.solve_q(Cmat, cstar, z, q_bulk, tol=min(tol, 1e-13))
    t, H = inner.outputs(q, Cmat)
    coef = np.concatenate([mu1[iu[0]] * mu1[iu[1]], mus2])          # (nb, nκ)
    V_check = (t @ coef) / alpha
    v_res = float(np.max(np.abs(V_check - delta)) / (1.0 + np.max(np.abs(delta))))
    # ---------------------------------------------------------------- (θ, m), ψ
    psihat = alpha * (mu1 @ (h1 * gw))
    k1 = kap * mu1
    Hbb, Hbn, Hnb, Hnn = H[:K, :K], H[:K, K:], H[K:, :K], H[K:, K:]
    theta, m, c = theta_and_mean(mu0, k1, h, gw, Hbb, Hbn @ psihat / alpha)
    thetahat = alpha * (k1 @ ((h - c) * gw))          # α(a₁ − A₂m − A₃θ)
    psi = (Hnb @ thetahat + Hnn @ psihat) / alpha
    e0 = h2 - 2 * c * h + c * c - 2 * h1 * (psi @ mu1)
    # ---------------------------------------------------------------- second order (complex step)
    p0 = np.concatenate([Cmat[iu], cstar])
    nb = p0.size
    src = np.concatenate([thetahat, psihat])
    dt = np.empty((nb, nb))
    dU = np.empty(nb)
    step = _CSTEP * (1.0 + np.abs(p0))
    cs_res = 0.0
    for b in range(nb):
        pb = p0.astype(complex)
        pb[b] += 1j * step[b]
        Cb, sb = inner.unpack(pb)
        qb, _, res_b = inner.solve_q(Cb, sb, z, q, tol=1e-13, min_steps=3)
        cs_res = max(cs_res, res_b)
        tb_, Hb = inner.outputs(qb, Cb)
        dt[:, b] = tb_.imag / step[b]
        dU[b] = (src @ Hb @ src).imag / step[b]
    T = -dt / alpha**2                    # (1/N) tr(B_a S⁻¹ B_b S⁻¹), symmetric
    T = 0.5 * (T + T.T)
    uB = -dU / alpha**2                   # ūᵀ B_b ū
    a_k = uB @ coef                       # ūᵀ Σ_c(κ) ū
    g2w = g * g * w
    Mc = (coef * g2w) @ coef.T
    Nhat = np.linalg.solve(np.eye(nb) - alpha * Mc @ T, alpha * (coef @ ((e0 + a_k) * g2w)))
    Q = a_k + (T @ Nhat) @ coef
    err = float((e0 + Q) @ w)
    resid = max(bulk_res, inner_res, cs_res, v_res, imag)
    converged = bool(np.isfinite(err) and bulk_ok and resid <= max(1e3 * tol, 1e-8))
    return dict(err=err, theta=theta, psi=psi, m=m, thetahat=thetahat, psihat=psihat, resid=resid, it=its,
                converged=converged)
