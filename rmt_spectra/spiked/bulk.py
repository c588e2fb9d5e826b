r"""The bulk equation of the feature covariance after one step: K groups, κ-mixture, variance profile.

Source: derived for this project (it generalizes the sRF equivalent of [Cui24]
and [Dan24]); every case is checked against simulations of the updated network
in ``tests/test_network_equivalent.py`` and ``tests/test_spiked_features.py``.

The model
---------
Neuron ``i`` belongs to group ``k`` (proportion ``π_k``). Its pre-activation on a
fresh input is ``⟨v_i, x⟩ + r_k κ`` with ``κ ~ N(0, 1)`` the spike projection and
``v_i`` Gaussian with covariance ``T_k/d``. All the ``T_k`` are diagonal in one
basis (after one step they are functions of one matrix, see
:mod:`rmt_spectra.spiked.network`), with eigenvalues ``τ_k(λ)`` over a law of
``λ`` (quadrature nodes ``λ_j``, weights ``ω_j``); the isotropic sRF model is one
``λ`` node with ``τ_k = c_k``. Conditionally on κ, a feature of group ``k`` is
``μ_{0,k}(κ) + μ_{1,k}(κ)⟨v_i, x_⊥⟩ + μ_{⋆,k}(κ) ξ_i`` (shifted Gaussian
coefficients at shift ``r_kκ`` and variance ``s_k² = E_λ τ_k``), so the bulk of
``Σ̂ = FᵀF/n`` has the deterministic equivalent of the κ-mixture Silverstein
equation ``Q̄(z) = (E_κ[Σ_c(κ)/(1 + δ(κ))] − z)^{-1}``,
``δ(κ) = (1/n) tr Σ_c(κ) Q̄``, ``Σ_c = D₁ V Vᵀ D₁ + D_⋆²``.

The equations [derived]
-----------------------
Write ``C_kl = E_κ[μ_{1,k} μ_{1,l}/(1 + δ)]``, ``c⋆_k = E_κ[μ_{⋆,k}²/(1 + δ)]``:
the bulk operator is ``Y(C ⊗ I_d)Yᵀ + diag(c⋆) − z`` with ``Y = [P_k V]_k``, the
Gram matrix of the independent rows ``ℓ_{k(i)} ⊗ v_i`` (``C = LLᵀ``). The
deterministic equivalent of a Gram matrix with independent rows of covariances
``Σ_i`` (leave-one-out and Woodbury; [HLN07] for variance
profiles) gives, in the eigenbasis of the ``T_k`` and with ``β = N/d``,
``φ = N/n``:

.. math::
   D_λ &= \mathrm{diag}_k(β π_k q_k τ_k(λ)),\qquad
   G_λ = (I + C D_λ)^{-1},\qquad P_λ = D_λ G_λ = (D_λ^{-1} + C)^{-1},
   \qquad Γ_λ = G_λ C = (C^{-1} + D_λ)^{-1},\\
   q_k &= \Big(c^\star_k - z + E_λ\big[τ_k(λ)\,Γ_{λ,kk}\big]\Big)^{-1},\qquad
   T = \tfrac{d}{n} E_λ[P_λ],\\
   δ(κ) &= μ_1(κ)^\top T\,μ_1(κ) + φ \textstyle\sum_k π_k q_k μ_{⋆,k}(κ)^2 ,

where ``q_k`` is the diagonal of ``Q̄`` on group ``k`` and ``T_kl = (1/n) tr(P_k V
Vᵀ P_l Q̄)``; the Stieltjes transform of the bulk of ``Σ̂`` is ``g = Σ_k π_k q_k``.
(``Yᵀ Q̄ Y = 𝒞^{-1} − 𝒞^{-1}(𝒞^{-1} + Yᵀ diag(q) Y)^{-1}𝒞^{-1}`` gives ``T`` per
``λ`` block, and only ``C``, never ``C^{-1}``, is needed.) With one ``λ`` node and
``τ_k = c`` this is the K-group sRF system; with ``K = 1`` it is the scalar
system of the sRF equivalent, ``A = T``, ``B = φ q``.

The unknowns are ``x = (q, C)`` (``K + K(K+1)/2`` complex numbers per ``z``).
:meth:`MixtureEquation.evaluate` returns the map ``x ↦ Φ(x)`` and its exact
Jacobian, from the identities ``dP = −P dC P + Gᵀ diag(D dq/q) G``,
``dΓ = G dC Gᵀ − Γ diag(D dq/q) Γ``; the Newton solver and its continuation
live in :mod:`rmt_spectra.solvers`.

Groups with the same ``μ_{⋆,k}²`` and ``τ_k`` whose ``μ_{1,k}`` agree up to one global
sign (e.g. ``±r`` for an odd σ without an ``E σ''`` term) are merged before solving:
a sign flip of rows does not change the law of ``VVᵀ``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["MixtureEquation"]

#: entries of the ``(points, n_kappa)`` work arrays per block of :meth:`MixtureEquation._kappa_part` (L2-sized)
KAPPA_BLOCK = 1 << 15


def _weighted_sum(arr, w):
    """``Σ_l w_l arr[:, l, ...]`` in real arithmetic (complex @ real BLAS is slow)."""
    a = np.moveaxis(arr, 1, -1)
    return a.real @ w + 1j * (a.imag @ w)


class MixtureEquation:
    """Residual and Jacobian of the bulk system (module docstring), vectorized over ``z``.

    Parameters
    ----------
    mu1, mustar2 : ndarray (K, n_kappa)
        ``μ_{1,k}(κ_j)`` and ``μ_{⋆,k}(κ_j)²`` at the κ nodes.
    kappa_weights : ndarray (n_kappa,)
    pi : ndarray (K,)
        Group proportions.
    tau : ndarray (K, L)
        ``τ_k(λ_l)``.
    lambda_weights : ndarray (L,)
    n, d, N : int
    merge : bool
        Merge groups that the equation cannot tell apart (default True).
    """

    def __init__(self, mu1, mustar2, kappa_weights, pi, tau, lambda_weights, n, d, N, *, merge=True):
        mu1 = np.atleast_2d(np.asarray(mu1, float))
        mustar2 = np.atleast_2d(np.maximum(np.asarray(mustar2, float), 0.0))
        tau = np.atleast_2d(np.asarray(tau, float))
        pi = np.asarray(pi, float)
        # merge groups with identical |μ1|, μ⋆² and τ
        classes, members = [], []
        for k in range(pi.size):
            for c, i0 in enumerate(classes if merge else []):
                tol1 = 1e-12 * np.abs(mu1).max()
                same1 = (np.allclose(mu1[k], mu1[i0], rtol=0.0, atol=tol1)
                         or np.allclose(mu1[k], -mu1[i0], rtol=0.0, atol=tol1))
                same2 = np.allclose(mustar2[k], mustar2[i0], rtol=0.0, atol=1e-12 * (mustar2.max() + 1e-300))
                if same1 and same2 and np.allclose(tau[k], tau[i0], rtol=1e-13, atol=0.0):
                    members[c].append(k)
                    break
            else:
                classes.append(k)
                members.append([k])
        self.group_class = np.empty(pi.size, int)
        for c, mem in enumerate(members):
            self.group_class[mem] = c
        self.mu1 = mu1[classes]
        self.mustar2 = mustar2[classes]
        self.tau = tau[classes]
        self.pi = np.array([pi[mem].sum() for mem in members])
        self.kappa_weights = np.asarray(kappa_weights, float)
        self.lambda_weights = np.asarray(lambda_weights, float)
        self.K = len(classes)
        self.n, self.d, self.N = n, d, N
        self.beta, self.phi = N / d, N / n
        K = self.K
        self.iu = np.triu_indices(K)
        self.size = K + len(self.iu[0])
        # fixed products at the nodes: μ1_i μ1_j for the pairs i <= j, and with the factor 2 for i < j
        self._mu1mu1 = np.einsum("kj,lj->klj", self.mu1, self.mu1)  # (K, K, nk)
        self._pair_products = self._mu1mu1[self.iu[0], self.iu[1]]  # (npair, nk)
        self._pair_basis = self._pair_products * np.where(self.iu[0] == self.iu[1], 1.0, 2.0)[:, None]
        self._pair_index = np.empty((K, K), int)  # pair number of (i, j), symmetric
        self._pair_index[self.iu[0], self.iu[1]] = np.arange(self.iu[0].size)
        self._pair_index[self.iu[1], self.iu[0]] = np.arange(self.iu[0].size)
        self._w_tau = self.lambda_weights[None, :] * self.tau  # ω_l τ_k(l)
        self.variance = self._w_tau.sum(axis=1)  # s_k² = E_λ τ_k
        # δ(κ) is linear in u = (T at the pairs, q): δ = u @ delta_basis; the map's outputs (C at the pairs, c⋆)
        # are κ-averages of h = 1/(1 + δ) against out_basis; the Jacobian's κ-sum is one product with the
        # fixed table Z[κ, (u, o)] = delta_basis[u, κ]·out_basis[o, κ]
        self._delta_basis = np.vstack([self._pair_basis, self.phi * self.pi[:, None] * self.mustar2])  # (n_u, nκ)
        self._out_basis = np.vstack([self._pair_products, self.mustar2])  # (n_out, nκ)
        self._jacobian_table = np.einsum("uj,oj->juo", self._delta_basis, self._out_basis).reshape(
            self.kappa_weights.size, -1)

    # ------------------------------------------------------------ packing
    def unpack(self, x):
        K = self.K
        q = x[:, :K]
        C = np.empty((x.shape[0], K, K), complex)
        C[:, self.iu[0], self.iu[1]] = x[:, K:]
        C[:, self.iu[1], self.iu[0]] = x[:, K:]
        return q, C

    def pack(self, q, C):
        return np.concatenate([q, C[:, self.iu[0], self.iu[1]]], axis=1)

    def initial(self, z):
        """Far-field start: ``q = −1/z``, ``C = E_κ[μ₁μ₁ᵀ]`` (``δ → 0``)."""
        z = np.asarray(z, complex)
        q = -np.ones((z.size, self.K)) / z[:, None]
        C0 = np.einsum("klj,j->kl", self._mu1mu1, self.kappa_weights)
        return self.pack(q, np.broadcast_to(C0, (z.size, self.K, self.K)).astype(complex))

    def scale(self):
        """Spectral scale of the bulk (for continuation ladders and edge searches)."""
        a = self.pi @ (self._mu1mu1[np.arange(self.K), np.arange(self.K)] @ self.kappa_weights * self.variance)
        b = self.pi @ (self.mustar2 @ self.kappa_weights)
        return max(1.0, (a * (1 + np.sqrt(self.beta)) ** 2 + b) * (1 + np.sqrt(self.phi)) ** 2)

    # ------------------------------------------------------------ observables
    def stieltjes(self, x):
        """``g = Σ_k π_k q_k``."""
        return x[:, : self.K] @ self.pi

    def group_q(self, x):
        """``q`` of every original (unmerged) group."""
        return x[:, : self.K][:, self.group_class]

    def _inverse(self, C, D):
        """``G = (I + C D)^{-1}`` and ``Γ = G C`` for every (z, λ), shapes ``(M, L, K, K)`` (closed forms for K <= 2)."""
        K = self.K
        if K == 1:
            G = (1.0 / (1.0 + C[:, None, 0, 0] * D[..., 0]))[..., None, None]
            return G, G * C[:, None]
        if K == 2:
            c11, c12, c22 = C[:, None, 0, 0], C[:, None, 0, 1], C[:, None, 1, 1]
            d1, d2 = D[..., 0], D[..., 1]
            inv_det = 1.0 / ((1.0 + c11 * d1) * (1.0 + c22 * d2) - c12 * c12 * d1 * d2)
            G = np.empty(D.shape + (2,), complex)
            G[..., 0, 0], G[..., 0, 1] = (1.0 + c22 * d2) * inv_det, -c12 * d2 * inv_det
            G[..., 1, 0], G[..., 1, 1] = -c12 * d1 * inv_det, (1.0 + c11 * d1) * inv_det
            detC = c11 * c22 - c12 * c12
            Gam = np.empty_like(G)  # (C^{-1} + D)^{-1} = [[C11 + d2 det C, C12], [C12, C22 + d1 det C]]/det(I + C D)
            Gam[..., 0, 0], Gam[..., 1, 1] = (c11 + d2 * detC) * inv_det, (c22 + d1 * detC) * inv_det
            Gam[..., 0, 1] = Gam[..., 1, 0] = c12 * inv_det
            return G, Gam
        G = np.linalg.inv(np.eye(K) + C[:, None, :, :] * D[:, :, None, :])  # B_ij = δ_ij + C_ij D_j
        return G, G @ C[:, None]

    def lambda_part(self, q, C, *, derivatives=False):
        """``T`` (pairs ``i <= j``), ``S_k = E_λ[τ_k Γ_kk]`` and, on request, their derivatives.

        Derivatives: ``dT/dq`` ``(M, K, npair)``, ``dT/dC`` ``(M, npair, npair)``,
        ``dS/dq`` ``(M, K, K)``, ``dS/dC`` ``(M, npair, K)`` — one row per unknown. The
        λ-sums of products are batched Gram products ``Aᵀ diag(ω) A`` (one small matrix
        product per ``z``).
        """
        i0, i1 = self.iu
        D = (self.beta * self.pi * q)[:, None, :] * self.tau.T[None, :, :]  # (M, L, K)
        G, Gam = self._inverse(C, D)  # G = (I + CD)^{-1}, Γ = G C = (C^{-1} + D)^{-1} (symmetric)
        P = D[..., :, None] * G  # P = D G = (D^{-1} + C)^{-1}, symmetric
        w = self.lambda_weights
        dn = self.d / self.n
        T = dn * _weighted_sum(P[..., i0, i1], w)  # (M, npair)
        tauT = self.tau.T[None]  # (1, L, K)
        diagGam = np.diagonal(Gam, axis1=-2, axis2=-1)  # (M, L, K)
        S = _weighted_sum(diagGam * tauT, w)  # Σ ω τ_k Γ_kk
        if not derivatives:
            return T, S, None
        inv_q = 1.0 / q
        # q_a: dP = Gᵀ diag(D dq/q) G  ->  dT_ij/dq_a = (d/n)/q_a Σ ω D_a G_ai G_aj
        GT = np.swapaxes(G, 1, 2)  # (M, K_a, L, K)
        wD = np.swapaxes(w[None, :, None] * D, 1, 2)[..., None]  # (M, K_a, L, 1)
        X = np.swapaxes(GT * wD, 2, 3) @ GT  # (M, K_a, K, K)
        dT_dq = dn * X[..., i0, i1] * inv_q[:, :, None]
        # dΓ = −Γ diag(D dq/q) Γ  ->  dS_k/dq_a = −(1/q_a) Σ ω τ_k D_a Γ_ak²
        DG2 = np.moveaxis(D[..., :, None] * (Gam * Gam), 1, -1)  # (M, K_a, K_k, L): D_a Γ_ak²
        wtau = self._w_tau[None, None, :, :]  # (1, 1, K_k, L): ω τ_k
        dS_dq = -((DG2.real * wtau).sum(-1) + 1j * (DG2.imag * wtau).sum(-1)) * inv_q[:, :, None]
        # C_cd: dP = −P E_cd P  ->  dT_ij/dC_cd = −(d/n) Σ ω (P_ic P_dj + P_id P_cj)  (one term when c = d)
        # P is symmetric: the Gram products over its npair distinct entries, Y[pair(i,c), pair(d,j)] = Σ ω P_ic P_dj
        A = P[..., i0, i1]  # (M, L, npair)
        Y = np.swapaxes(A * w[None, :, None], 1, 2) @ A  # (M, npair, npair)
        pid = self._pair_index
        Yp = Y[:, pid[i0[:, None], i0[None, :]], pid[i1[None, :], i1[:, None]]]  # (M, pairT, pairC): P_ic P_dj
        Yq = Y[:, pid[i0[:, None], i1[None, :]], pid[i0[None, :], i1[:, None]]]  # P_id P_cj
        offdiag = (i0 != i1)[None, None, :]
        dT_dC = -dn * np.swapaxes(Yp + np.where(offdiag, Yq, 0.0), 1, 2)
        # dΓ = G E_cd Gᵀ  ->  dS_k/dC_cd = Σ ω τ_k (G_kc G_kd + G_kd G_kc)
        wT = (w[:, None] * self.tau.T).T[None, :, :, None]  # (1, K_k, L, 1)
        R = np.swapaxes(GT * wT, 2, 3) @ GT  # (M, K_k, K_c, K_d)
        dS_dC = np.swapaxes(R[..., i0, i1], 1, 2) * np.where(i0 == i1, 1.0, 2.0)[None, :, None]
        return T, S, {"dT_dq": dT_dq, "dT_dC": dT_dC, "dS_dq": dS_dq, "dS_dC": dS_dC}

    def delta(self, x):
        """``δ(κ_j; z)`` at the κ nodes, shape ``(M, n_kappa)``."""
        re, im = self._delta_parts(x)
        return re + 1j * im

    def _delta_parts(self, x):
        """Real and imaginary parts of :meth:`delta` (contiguous real products, no complex array)."""
        q, C = self.unpack(x)
        T, _, _ = self.lambda_part(q, C)
        u = np.concatenate([T, q], axis=1)
        return np.ascontiguousarray(u.real) @ self._delta_basis, np.ascontiguousarray(u.imag) @ self._delta_basis

    # ------------------------------------------------------------ the map
    def evaluate(self, x, z, *, jacobian=True):
        """``Φ(x)`` and (``jacobian=True``) ``dΦ/dx`` of shape ``(M, size, size)``.

        ``δ(κ) = Σ_{i<=j} (2 − δ_ij) μ1_i μ1_j T_ij + φ Σ_k π_k q_k μ⋆_k²`` is linear in ``u = (T, q)``,
        so ``δ = u B`` and the κ-sums are matrix products with fixed tables: the outputs are
        ``(w h) Pᵀ`` (``h = 1/(1 + δ)``) and their derivatives in ``u`` are ``−B diag(w h²) Pᵀ``,
        one product of ``w h²`` with the table of ``B_uκ P_oκ``; no ``(M, size, n_kappa)`` array is formed.
        """
        K, n_x = self.K, self.size
        npair = n_x - K
        z = np.asarray(z, complex)
        q, C = self.unpack(x)
        T, S, der = self.lambda_part(q, C, derivatives=jacobian)
        u = np.concatenate([T, q], axis=1)
        outputs, table = self._kappa_part(u, jacobian)
        Cn, cstar = outputs[:, :npair], outputs[:, npair:]
        qn = 1.0 / (cstar - z[:, None] + S)
        out = np.concatenate([qn, Cn], axis=1)
        if not jacobian:
            return out, None
        M = x.shape[0]
        du = np.zeros((M, n_x, npair + K), complex)  # du/dx: rows are the unknowns (q, C pairs)
        du[:, :K, :npair] = der["dT_dq"]
        du[:, K:, :npair] = der["dT_dC"]
        du[:, np.arange(K), npair + np.arange(K)] = 1.0
        d_outputs = -(du @ table)  # (M, n_x, npair + K)
        dqn = -(qn * qn)[:, None, :] * (d_outputs[..., npair:] + np.concatenate([der["dS_dq"], der["dS_dC"]], axis=1))
        J = np.empty((M, n_x, n_x), complex)
        J[:, :K, :] = np.swapaxes(dqn, 1, 2)
        J[:, K:, :] = np.swapaxes(d_outputs[..., :npair], 1, 2)
        return out, J

    def _kappa_part(self, u, jacobian):
        """The κ-averages ``Σ_j w_j h_j P_oj`` and (``jacobian``) ``Σ_j w_j h_j² B_uj P_oj``, ``h = 1/(1 + u B)``.

        In real arithmetic on contiguous arrays (complex @ real does not reach BLAS), in blocks of
        points whose ``(points, n_kappa)`` arrays stay in cache.
        """
        M, n_u = u.shape
        n_out = self._out_basis.shape[0]
        outputs = np.empty((M, n_out), complex)
        table = np.empty((M, n_u, n_out), complex) if jacobian else None
        u_re, u_im = np.ascontiguousarray(u.real), np.ascontiguousarray(u.imag)
        w = self.kappa_weights
        block = max(1, KAPPA_BLOCK // w.size)
        for i in range(0, M, block):
            sl = slice(i, i + block)
            one_plus_re = u_re[sl] @ self._delta_basis
            one_plus_re += 1.0
            delta_im = u_im[sl] @ self._delta_basis
            inv_abs2 = one_plus_re * one_plus_re
            inv_abs2 += delta_im * delta_im
            np.reciprocal(inv_abs2, out=inv_abs2)
            h_re = one_plus_re * inv_abs2
            h_im = delta_im * inv_abs2
            np.negative(h_im, out=h_im)
            wh_re, wh_im = w * h_re, w * h_im
            outputs[sl] = (wh_re @ self._out_basis.T) + 1j * (wh_im @ self._out_basis.T)
            if jacobian:
                wh2_re = wh_re * h_re
                wh2_re -= wh_im * h_im
                wh2_im = wh_re * h_im
                wh2_im += wh_im * h_re
                table[sl] = ((wh2_re @ self._jacobian_table)
                             + 1j * (wh2_im @ self._jacobian_table)).reshape(-1, n_u, n_out)
        return outputs, table

    def residual(self, x, z, *, jacobian=True):
        """``F = x − Φ(x)``, its Jacobian ``I − dΦ/dx`` and ``∂F/∂z``."""
        new, J = self.evaluate(x, z, jacobian=jacobian)
        F = x - new
        if not jacobian:
            return F, None, None
        JF = np.eye(self.size)[None] - J
        dFdz = np.zeros_like(x)
        dFdz[:, : self.K] = -(new[:, : self.K] ** 2)
        return F, JF, dFdz

    def real_branch_ok(self, x):
        """For a real solution at real ``z`` outside the bulk: on the physical branch.

        Coming from ``z = ±∞`` the matrices ``I + C D_λ`` start at ``I`` and ``1 + δ(κ)`` at 1; the
        physical real branch keeps ``det(I + C D_λ) > 0`` at every λ node (the analogue of
        ``u ∉ supp H`` in Silverstein–Choi: a real root between two nodes of a discretized
        profile is an artefact of the discretization) and ``1 + δ(κ) > 0`` at every κ node.
        """
        x = np.atleast_2d(x)
        q, C = self.unpack(x)
        D = (self.beta * self.pi * q)[:, None, :] * self.tau.T[None, :, :]
        det = np.linalg.det(np.eye(self.K) + C[:, None, :, :].real * D[:, :, None, :].real)
        return bool(np.all(det > 0) and np.all(self._delta_parts(x)[0] > -1.0))

    def branch_ok(self, x, z):
        """Physical branch for ``Im z >= 0``: every ``q_k`` (a diagonal entry of the resolvent) and every
        ``δ(κ) = (1/n) tr Σ_c(κ) Q̄`` has ``Im >= 0`` (up to round-off), not only ``g = Σ π_k q_k``."""
        q = x[:, : self.K]
        ok = np.all(q.imag >= -1e-9 * (np.abs(q) + 1e-300), axis=1)
        re, im = self._delta_parts(x)
        return ok & np.all(im >= -1e-9 * (np.hypot(re, im) + 1e-12), axis=1)
