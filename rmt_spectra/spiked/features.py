r"""Deterministic equivalent of the feature covariance after one large step (sRF model).

Source: ``shared/theory/05_spiked_features.md`` (**[derived]** for this
project; checked here against simulation, see ``tests/test_spiked_features.py``).

Model: features ``φ(x) = σ(√c W₀x + r_k κ)`` for neuron ``i`` of group ``k``
(proportion ``π_k``), ``κ = ⟨v̂, x⟩ ~ N(0,1)``; ``Σ̂ = FᵀF/n`` (``N × N``),
``β = N/d``, ``φ = N/n``. Conditionally on κ a feature of group k is
``μ_{0,k}(κ) + μ_{1,k}(κ)(√c W₀Πx)_i + μ_{1,k}(κ) κ b_i + μ_{⋆,k}(κ) ξ_i``
with the shifted coefficients at shift ``r_kκ`` and scale ``√c``.

Scalar case
-----------
When ``μ_{1,k}(κ) = s_k μ₁(κ)`` with fixed signs ``s_k = ±1`` and
``μ_{⋆,k}(κ)² = μ_⋆(κ)²`` for all groups (one group; or odd σ with groups
``±r``, where ``μ₁(−s) = μ₁(s)`` and ``μ_⋆²(−s) = μ_⋆²(s)``; or even σ with
``±r``), the conditional covariance is ``μ₁(κ)² SΩS + μ_⋆(κ)²``, and ``SΩS``
has the law of ``Ω``. Unknowns ``(A, B)`` (two complex numbers per ``z``):

.. math::
   δ(κ) = μ_1(κ)^2 A + μ_⋆(κ)^2 B,\quad
   c_1 = E_κ\frac{μ_1^2}{1+δ},\quad c_2 = E_κ\frac{μ_⋆^2}{1+δ},\quad
   w = \frac{z - c_2}{c\,c_1},\\
   B = \frac{φ\, m_{MP}(w; β)}{c\,c_1},\qquad A = \frac{φ\,(1 + w\, m_{MP}(w; β))}{c_1},
   \qquad g(z) = B/φ .

``E_κ`` is a fixed Gauss–Hermite rule (:data:`KAPPA_NODES` nodes, cached) on
the coefficient arrays of :func:`rmt_spectra.gaussian_moments`, computed once
in the constructor. The system is solved by vectorized Newton on
``R(A, B) = (A − A_new, B − B_new)`` with the analytic 2×2 Jacobian, over the
whole ``z`` grid at once, by continuation in ``Im z`` (a ladder of 12 heights from
``10·scale`` down to ``1e-9·scale``, one Newton step per rung; points that fail are
redone with a 4× finer ladder), then Newton at the target
``z`` itself — for real ``z`` this is ``η = 0`` exactly: inside the support the
iteration converges to the complex root with ``Im B > 0`` (density), outside to
the real root. Branch check: ``Im g ≥ 0`` for ``Im z ≥ 0`` (warning otherwise),
and a ``RuntimeWarning`` for points whose residual stays above the tolerance.
``stieltjes(z, return_info=True)`` returns the residuals and iteration counts.

General ``K`` [derived here, checked against simulation: ReLU with ``ā = ±1``]:
the bulk operator ``Σ_{kl} C_kl P_k Ω P_l + Σ_k c⋆_k P_k`` is the Gram matrix of
independent Gaussian vectors, which gives a ``K``-dimensional Silverstein-type
system in the group traces ``q_k`` (see :class:`_GeneralSolver`); unknowns
``(q, C)``, Newton with a finite-difference Jacobian, same ``Im z`` ladder.
Its right edge is found by bisection on the existence of the real solution
(continued from ``x = +∞``), its left edge by the density fallback. It is used
automatically when the scalar reduction does not apply.

Edges [derived here]
--------------------
Outside the support ``g`` is real and increasing in ``x``; along the real
solution branch parametrised by ``B = φg`` one has the explicit inverse
``x(B) = c c₁ w(m) + c₂`` with ``m = c c₁ B/φ``, ``w(m)`` the inverse MP map
``w = −((β−1)m + 1)/(m(βm + 1))``, once ``A`` solves the one-dimensional
equation ``A = φ(1 + w m)/c₁`` (Newton, continuation from ``A = 0`` at
``B = 0``). The right edge is the first local minimum of ``x(B)`` walking from
``B = 0⁻`` (``x = +∞``) to negative ``B`` (the fold where ``dx/dB = 0``, i.e.
where the real solution of the real-``z`` equation ceases to exist); the left
edge (for ``φ < 1``) the first local maximum walking from ``B = 0⁺``. Both
refined by bounded Brent minimisation: no density is scanned.

Outliers [derived here, checked against simulation]
---------------------------------------------------
The second-moment of a row given κ is ``M Mᵀ + Σ_c(κ)`` with the mean
``M(κ) = Σ_k μ_{0,k}(κ) 1_k + κ μ₁(κ) S b``. In the orthonormal directions
``e_k = 1_k/√(Nπ_k)`` and ``e_b = Sb/‖b‖`` (``‖b‖² ≈ cN/d``) the row mean has
coordinates ``v(κ) = (√(Nπ_k) μ_{0,k}(κ), κ μ₁(κ)√(cN/d))``. By Woodbury, with
``S(z) = E_κ[v vᵀ/(1 + δ(κ; z))]`` and ``eᵀ(c₁Ω + c₂ − z)^{-1}e ≈ g(z)``
for these directions (independent of ``Ω``), the outliers are the real ``z``
outside the bulk with

.. math:: \det\big(I + g(z)\, S(z)\big) = 0 .

* the ``e_k`` block is ``O(N)``: for large ``z``, ``g ≈ −1/z`` and the roots are
  ``N × eig[√(π_kπ_l) E μ_{0,k}μ_{0,l}]`` plus an ``O(1)`` correction (for one
  mean direction at ``r = 0`` the condition reduces to the
  ``λ m(λ) m̲(λ) = 1/(Nμ₀²)`` of the conjugate kernel);
* the ``e_b`` direction gives an ``O(1)`` BBP-type candidate, after Schur
  elimination of the ``O(N)`` block: ``1 + g(z) s_eff(z) = 0``,
  ``s_eff = s_bb − s_b0ᵀ s_00^{-1} s_0b``. At ``r = 0`` it is exactly the
  missing column of ``W₀W₀ᵀ`` and never separates.
  **Settled numerically** (``tests/test_spiked_features.py``, report of issue
  #5): for tanh ``ā = ±1, r = 2``, ReLU ``ā = 1, r ≤ 4`` and ReLU ``ā = ±1, r = 2`` at ``N = d = 800..1000``
  the condition has no root above the bulk, and the simulated spectrum,
  after the mean outliers, has no eigenvalue separated from the predicted
  edge beyond the ``O(N^{-2/3})`` edge fluctuations: the sRF model has no
  ``O(1)`` outliers in these settings; the equation is kept (it is cheap)
  and would report one if it appeared.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .._validation import as_complex_array, check_int, check_positive, check_size
from ..gaussian.quadrature import gauss_hermite
from ..spectrum import Spectrum
from .edges import branch_fold
from .outliers import find_outliers, mean_outlier_matrix, outlier_condition
from .surrogate import normalize_groups

__all__ = ["SpikedFeatures", "KAPPA_NODES", "SolverInfo"]

#: Gauss–Hermite nodes of the κ-average (fixed rule; accuracy checked against 2× nodes in the tests).
KAPPA_NODES = 120
#: Newton tolerance on the relative residual.
TOL = 1e-12


def kappa_rule(width, nodes=KAPPA_NODES):
    """Fixed rule ``(κ_j, w_j)`` for ``E_κ f(κ)``, κ ~ N(0,1), for integrands varying on the scale ``width``.

    ``width = √c/max|r_k|`` is the scale on which ``μ(r_kκ)`` varies (σ's
    features at pre-activation O(√c) sit at ``|κ| ≲ width``). For ``width ≥ 1``
    (and ``nodes <= 200``) the probabilists' Gauss–Hermite rule (cached); below,
    Gauss–Legendre panels (16 nodes each, ``⌈nodes/16⌉`` panels) in ``t`` with
    ``κ = width·sinh(t)``, ``|κ| ≤ 9`` (normal tail beyond: < e^{-40}), which
    resolves the O(width) zone around 0 and the Gaussian decay alike (plain
    Gauss–Hermite loses 2e-4 on ReLU at r = 4 with 120 nodes). Symmetric in κ.
    """
    if width >= 1.0 and nodes <= 200:
        k, w = gauss_hermite(nodes)
        return np.asarray(k), np.asarray(w), f"gauss-hermite({nodes})"
    width = min(width, 1.0)
    T = math.asinh(9.0 / width)
    panels = max(-(-nodes // 16), 4)
    x, wl = np.polynomial.legendre.leggauss(16)
    edges = np.linspace(-T, T, panels + 1)
    half = 0.5 * (edges[1:] - edges[:-1])
    mid = 0.5 * (edges[1:] + edges[:-1])
    t = (mid[:, None] + half[:, None] * x[None, :]).ravel()
    wt = (half[:, None] * wl[None, :]).ravel()
    kappa = width * np.sinh(t)
    weights = wt * width * np.cosh(t) * np.exp(-0.5 * kappa**2) / math.sqrt(2 * math.pi)
    return kappa, weights, f"sinh-legendre({panels}x16, width={width:.3g})"


class SolverInfo(dict):
    """Residuals, iteration counts and branch flags of a :meth:`SpikedFeatures.stieltjes` call."""


def _mp_stieltjes(w, beta):
    """MP(β) (unit variance) Stieltjes transform and its derivative, vectorized, boundary value from above."""
    w = np.where(w.imag == 0, w.real + 0j, w)
    a, b = (1.0 - math.sqrt(beta)) ** 2, (1.0 + math.sqrt(beta)) ** 2
    s = np.sqrt(w - a) * np.sqrt(w - b)
    plus = 1.0 - beta - w + s
    minus = 1.0 - beta - w - s
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(np.abs(minus) >= np.abs(plus), 2.0 / minus, plus / (2.0 * beta * w))
        dm = -(beta * m * m + m) / (2.0 * beta * w * m + w + beta - 1.0)
    return m, dm



def _warn_unconverged(label, residual, threshold, wrong):
    """One RuntimeWarning per failure kind: residual above ``threshold``, or the wrong branch (Im g < 0)."""
    bad = residual > threshold
    if np.any(bad):
        warnings.warn(f"{label}: {int(np.sum(bad))} points did not converge (max residual {float(np.max(residual)):.2e})",
                      RuntimeWarning, stacklevel=4)
    if np.any(wrong):
        warnings.warn(f"{label}: {int(np.sum(wrong))} points on the wrong branch (Im g < 0)", RuntimeWarning,
                      stacklevel=4)

class SpikedFeatures(Spectrum):
    r"""Deterministic equivalent of ``Σ̂ = FᵀF/n`` for the sRF model ``σ(√c W₀x + r κ u)``.

    Parameters
    ----------
    activation : activation spec (see :func:`rmt_spectra.activation`)
    n, d, N : int
        Samples, input dimension, width (``W₀`` rows ``N(0, I/d)``).
    spike : float, optional
        ``r`` for one group (``u = 1``).
    groups : list of (r_k, π_k), optional
        e.g. ``[(2, 0.5), (-2, 0.5)]`` for ``ā = ±1`` at ``r = 2``. Exactly one
        of ``spike`` and ``groups``.
    bulk_variance : float > 0
        ``c``.
    kappa_nodes : int
        Gauss–Hermite nodes of the κ-average (default :data:`KAPPA_NODES`).

    Notes
    -----
    See the module docstring for the equations, the solver and the outliers.
    ``stieltjes`` is the transform of the bulk (the outliers carry mass
    ``O(1/N)`` and are reported by :meth:`outliers`).
    """

    matrix_label = "F^T F / n  (N x N, spiked random features after one step)"

    def __init__(self, activation, n, d, N, spike=None, groups=None, bulk_variance=1.0, *, kappa_nodes=KAPPA_NODES):
        from ..gaussian import activation as as_activation
        from ..gaussian import gaussian_moments

        self.activation = as_activation(activation)
        self.n, self.d, self.N = check_size("n", n), check_size("d", d), check_size("N", N)
        self.groups = normalize_groups(spike, groups)
        self.bulk_variance = check_positive("bulk_variance", bulk_variance)
        self.kappa_nodes = check_int("kappa_nodes", kappa_nodes, minimum=8)
        self.r = float(spike) if spike is not None else float(max(abs(rk) for rk, _ in self.groups))
        self.gamma = None
        c = self.bulk_variance
        self.beta = self.N / self.d
        self.phi = self.N / self.n
        rk = np.array([g[0] for g in self.groups])
        self.kappa, self.weights, self.kappa_rule = kappa_rule(math.sqrt(c) / max(float(np.max(np.abs(rk))), 1e-300),
                                                               self.kappa_nodes)
        self.pi = np.array([g[1] for g in self.groups])
        gm = gaussian_moments(self.activation, shift=rk[:, None] * self.kappa[None, :], scale=math.sqrt(c))
        self.mu0_k = np.asarray(gm.mu0, float)  # (K, nodes)
        self.mu1_k = np.asarray(gm.mu1, float)
        self.mustar2_k = np.asarray(gm.mu_star_sq, float)
        self.moment_method = gm.method
        # scalar reduction: mu1_k = s_k mu1_0, mustar2_k = mustar2_0
        ref1, ref2 = self.mu1_k[0], self.mustar2_k[0]
        scale1 = np.max(np.abs(ref1)) + 1e-300
        scale2 = np.max(np.abs(ref2)) + 1e-300
        signs = []
        scalar = True
        for k in range(len(self.groups)):
            same2 = np.max(np.abs(self.mustar2_k[k] - ref2)) <= 1e-9 * scale2
            if np.max(np.abs(self.mu1_k[k] - ref1)) <= 1e-9 * scale1 and same2:
                signs.append(1.0)
            elif np.max(np.abs(self.mu1_k[k] + ref1)) <= 1e-9 * scale1 and same2:
                signs.append(-1.0)
            else:
                scalar = False
                break
        self.scalar = scalar
        self._cache = {}
        if not scalar:
            self.signs = None
            self._a = self.pi @ self.mu1_k**2  # used only for scales
            self._b = self.pi @ np.maximum(self.mustar2_k, 0.0)
            self._general = _GeneralSolver(self)
            return
        self.signs = np.array(signs)
        self._a = ref1**2  # mu1(κ)^2 at the nodes
        self._b = np.maximum(ref2, 0.0)  # mu_star(κ)^2
        w8 = self.weights
        self._W1 = np.ascontiguousarray(np.stack([w8 * self._a, w8 * self._b], axis=1))
        self._W2 = np.ascontiguousarray(np.stack([w8 * self._a**2, w8 * self._a * self._b, w8 * self._b**2],
                                                 axis=1))
        if not np.any(self._a > 0):
            raise ValueError("activation has mu1 = 0 at every spike projection: the bulk is not covered by this model")
        self._cache = {}

    # ------------------------------------------------------------ constructors
    @classmethod
    def from_one_step(cls, activation, teacher, eta_tilde, n0, n, d, N, noise=0.0, second_layer="constant", **kwargs):
        """The sRF equivalent of one large step ``η = η̃√N`` on ``n0`` samples (``spiked_parameters``)."""
        from .parameters import spiked_parameters

        n0 = check_size("n0", n0)
        d = check_size("d", d)
        params = spiked_parameters(activation, teacher, eta_tilde, n0 / d, noise=noise, second_layer=second_layer)
        groups = [g for g in params.groups if g[1] > 0]
        if len(groups) == 1:
            self = cls(activation, n, d, N, spike=groups[0][0], bulk_variance=params.bulk_variance, **kwargs)
        else:
            self = cls(activation, n, d, N, groups=groups, bulk_variance=params.bulk_variance, **kwargs)
        self.r = params.r
        self.gamma = params.gamma
        self.parameters = params
        return self

    def __repr__(self):
        g = ", ".join(f"({r:g}, {p:g})" for r, p in self.groups)
        return (f"SpikedFeatures({self.activation!r}, n={self.n}, d={self.d}, N={self.N}, groups=[{g}], "
                f"bulk_variance={self.bulk_variance:g})")

    # ------------------------------------------------------------ core equations
    def _update(self, A, B, z):
        """New (A, B) from (A, B), with the Jacobian of the map; arrays of z's shape."""
        a, b = self._a, self._b
        c, phi, beta = self.bulk_variance, self.phi, self.beta
        iD = 1.0 / (1.0 + A[..., None] * a + B[..., None] * b)
        iD2 = iD * iD
        # real matmuls on the real and imaginary parts (complex @ real BLAS is slow)
        s1 = iD.real @ self._W1 + 1j * (iD.imag @ self._W1)  # (.., 2): c1, c2
        s2 = iD2.real @ self._W2 + 1j * (iD2.imag @ self._W2)  # (.., 3): -daa, -dab, -dbb
        c1, c2 = s1[..., 0], s1[..., 1]
        daa, dab, dbb = -s2[..., 0], -s2[..., 1], -s2[..., 2]
        w = (z - c2) / (c * c1)
        m, dm = _mp_stieltjes(w, beta)
        Bn = phi * m / (c * c1)
        An = phi * (1.0 + w * m) / c1
        dw_c1, dw_c2 = -w / c1, -1.0 / (c * c1)
        dBn_c1 = phi / (c * c1) * dm * dw_c1 - Bn / c1
        dBn_c2 = phi / (c * c1) * dm * dw_c2
        dAn_c1 = phi / c1 * (m + w * dm) * dw_c1 - An / c1
        dAn_c2 = phi / c1 * (m + w * dm) * dw_c2
        # d(c1)/dA = daa, d(c1)/dB = dab, d(c2)/dA = dab, d(c2)/dB = dbb
        J = np.empty(A.shape + (2, 2), complex)
        J[..., 0, 0] = dAn_c1 * daa + dAn_c2 * dab
        J[..., 0, 1] = dAn_c1 * dab + dAn_c2 * dbb
        J[..., 1, 0] = dBn_c1 * daa + dBn_c2 * dab
        J[..., 1, 1] = dBn_c1 * dab + dBn_c2 * dbb
        return An, Bn, J, m

    def _newton_step(self, A, B, z):
        An, Bn, J, _ = self._update(A, B, z)
        r1, r2 = A - An, B - Bn
        # Jacobian of the residual: I - J
        j11, j12 = 1.0 - J[..., 0, 0], -J[..., 0, 1]
        j21, j22 = -J[..., 1, 0], 1.0 - J[..., 1, 1]
        det = j11 * j22 - j12 * j21
        with np.errstate(divide="ignore", invalid="ignore"):
            dA = (j22 * r1 - j12 * r2) / det
            dB = (-j21 * r1 + j11 * r2) / det
        bad = ~np.isfinite(dA) | ~np.isfinite(dB)
        dA = np.where(bad, 0.0, dA)
        dB = np.where(bad, 0.0, dB)
        res = (np.abs(r1) + np.abs(r2)) / (np.abs(A) + np.abs(B) + 1e-300)
        return A - dA, B - dB, res

    def _scale(self):
        return max(1.0, self.bulk_variance * (float(np.sum(self.weights * self._a)) * (1 + math.sqrt(self.beta)) ** 2
                                              + float(np.sum(self.weights * self._b))) * (1 + math.sqrt(self.phi)) ** 2)

    def _ladder(self, z, A, B, rungs, ladder_steps):
        scale = self._scale()
        top = 10.0 * max(scale, float(np.max(np.abs(z), initial=1.0)))
        heights = top * (1e-10 / 10.0) ** (np.arange(rungs) / (rungs - 1))  # top ... 1e-10*top
        if A is None:
            zc = z + 1j * heights[0]
            A = -self.phi * self.bulk_variance / zc
            B = -self.phi / zc
        for h in heights:
            zc = z + 1j * h
            for _ in range(ladder_steps):
                A, B, _ = self._newton_step(A, B, zc)
        return A, B

    def _polish(self, z, A, B, tol, maxit):
        its = np.zeros(z.shape, int)
        active = np.ones(z.shape, bool)
        for _ in range(maxit):
            idx = np.flatnonzero(active)
            if idx.size == 0:
                break
            An, Bn, r = self._newton_step(A[idx], B[idx], z[idx])
            A[idx], B[idx] = An, Bn
            its[idx] += 1
            active[idx[r <= tol]] = False
        An, Bn, _, _ = self._update(A, B, z)
        res = (np.abs(A - An) + np.abs(B - Bn)) / (np.abs(A) + np.abs(B) + 1e-300)
        return A, B, res, its

    def solve(self, z, *, tol=TOL, maxit=60, rungs=12, ladder_steps=1, warn=True):
        """Solve for ``(A, B)`` at complex ``z`` (``Im z ≥ 0`` assumed, 1-d array); returns ``A, B, info``.

        Continuation in ``Im z`` (``rungs`` heights from ``10·scale`` to ``1e-9·scale``,
        ``ladder_steps`` Newton steps each), then Newton at ``z`` itself. Points that
        end with a residual above ``1e3·tol``, on the wrong branch, or (real ``z``) with a real
        solution — outside the bulk, or a spurious real root that a coarse ladder can reach
        inside it (seen near the hard edge at 0 when ``N ≥ n``) — are redone with a 4× finer
        ladder (2 steps per rung), whose answer is kept when it converges; those still failing are continued along ``z`` from the
        nearest good point of the same call (16 steps of 3 Newton iterations).
        """
        z = np.asarray(z, complex).ravel()
        A, B = self._ladder(z, None, None, rungs, ladder_steps)
        A, B, res, its = self._polish(z, A, B, tol, maxit)
        its += rungs * ladder_steps
        wrong = np.imag(B) < -1e-9 * (np.abs(B) + 1e-300)
        # real z with a real solution: outside the bulk, or a spurious real root inside it reached by a
        # too coarse ladder — verify them with the fine ladder too
        real_out = (z.imag == 0) & (np.abs(B.imag) <= 1e-12 * np.abs(B))
        redo = np.flatnonzero((res > 1e3 * tol) | wrong | ~np.isfinite(res) | real_out)
        if redo.size:
            A2, B2 = self._ladder(z[redo], None, None, 4 * rungs, 2)
            A2, B2, res2, its2 = self._polish(z[redo], A2, B2, tol, 2 * maxit)
            better = (res2 <= np.maximum(res[redo], 1e3 * tol)) & ~(np.imag(B2) < -1e-9 * (np.abs(B2) + 1e-300))
            sel = redo[better]
            A[sel], B[sel], res[sel] = A2[better], B2[better], res2[better]
            its[sel] = its2[better] + 8 * rungs
        wrong = np.imag(B) < -1e-9 * (np.abs(B) + 1e-300)
        bad = np.flatnonzero((res > 1e3 * tol) | wrong | ~np.isfinite(res))
        good = np.flatnonzero(~((res > 1e3 * tol) | wrong | ~np.isfinite(res)))
        if bad.size and good.size:
            # continuation along z: walk from the nearest good point in 16 steps to the bad one
            near = good[np.argmin(np.abs(z[bad][:, None] - z[good][None, :]), axis=1)]
            A2, B2 = A[near].copy(), B[near].copy()
            for t in np.linspace(0.0, 1.0, 17)[1:]:
                zt = z[near] + t * (z[bad] - z[near])
                for _ in range(3):
                    A2, B2, _ = self._newton_step(A2, B2, zt)
            A2, B2, res2, its2 = self._polish(z[bad], A2, B2, tol, maxit)
            ok2 = (res2 <= 1e3 * tol) & ~(np.imag(B2) < -1e-9 * (np.abs(B2) + 1e-300))
            sel = bad[ok2]
            A[sel], B[sel], res[sel] = A2[ok2], B2[ok2], res2[ok2]
            its[sel] += its2[ok2] + 48
        wrong = np.imag(B) < -1e-9 * (np.abs(B) + 1e-300)
        if warn:
            _warn_unconverged("SpikedFeatures", res, 1e3 * tol, wrong)
        return A, B, SolverInfo(residual=res, iterations=its, wrong_branch=wrong)

    def stieltjes(self, z, return_info=False):
        """``g(z) = (1/N) tr E(Σ̂ − z)^{-1}`` (bulk), vectorized; real ``z``: boundary value ``g(x + i0)``."""
        z = as_complex_array("z", z)
        lower = z.imag < 0
        zz = np.where(lower, np.conj(z), z)
        zz = np.where(zz.imag == 0, zz.real + 0j, zz)
        if self.scalar:
            A, B, info = self.solve(zz.ravel())
            g = (B / self.phi).reshape(z.shape)
        else:
            q, C, info = self._general.solve(zz.ravel())
            g = (q @ self.pi).reshape(z.shape)
            A = B = None
        real = (z.imag == 0)
        if np.any(real):
            outside = real & ~self._in_support(z.real)
            g = np.where(outside, g.real + 0j, g)
        g = np.where(lower, np.conj(g), g)
        g = g[()] if g.ndim == 0 else g
        if return_info:
            info = SolverInfo({k: v.reshape(z.shape) for k, v in info.items()})
            if A is not None:
                info["A"] = A.reshape(z.shape)
                info["B"] = B.reshape(z.shape)
            return g, info
        return g

    def companion_stieltjes(self, z):
        """Transform of the Gram matrix ``FFᵀ/n`` (``n × n``): ``φ g(z) − (1 − φ)/z``."""
        z = as_complex_array("z", z)
        return self.phi * self.stieltjes(z) - (1.0 - self.phi) / z

    def pdf(self, x):
        """Density ``Im g(x + i0)/π`` from the ``η = 0`` solve (0 off the support)."""
        return Spectrum.pdf(self, x)

    @property
    def atoms(self):
        if self.phi > 1.0:
            return [(0.0, 1.0 - 1.0 / self.phi)]
        return []

    # ------------------------------------------------------------ edges (see edges.py)
    @property
    def right_edge(self) -> float:
        """Right edge of the bulk from the fold of the real-z equation (:mod:`rmt_spectra.spiked.edges`)."""
        if "right" not in self._cache:
            x, _ = branch_fold(self, -1.0) if self.scalar else (self._general.right_edge(), None)
            if x is None:
                raise RuntimeError("SpikedFeatures.right_edge: the real branch has no fold (solver failure)")
            self._cache["right"] = x
        return self._cache["right"]

    @property
    def left_edge(self) -> float:
        """Left edge: fold of the positive real branch when ``φ < 1``; for ``φ ≥ 1`` (atom at 0) a
        bisection on ``Im g(x + i0) > 0`` on a 400-point grid (documented fallback, ±right_edge/400)."""
        if "left" not in self._cache:
            x = None
            if self.phi < 1.0:
                x, _ = branch_fold(self, +1.0) if self.scalar else (self._general.left_edge(), None)
            if x is None or x < 0:
                x = self._left_edge_fallback()
            self._cache["left"] = max(float(x), 0.0)
        return self._cache["left"]

    def _left_edge_fallback(self):
        right = self.right_edge
        xs = np.linspace(1e-9 * right, right, 401)
        if self.scalar:
            A, B, _ = self.solve(xs + 0j, warn=False)
        else:
            q, _, _ = self._general.solve(xs + 0j, warn=False)
            B = q @ self.pi
        idx = np.flatnonzero(np.imag(B) > 1e-8 * np.abs(B))
        return float(xs[idx[0] - 1]) if idx.size and idx[0] > 0 else 0.0

    @property
    def support(self):
        return [(self.left_edge, self.right_edge)]

    # ------------------------------------------------------------ outliers (see outliers.py)
    def mean_outlier_matrix(self):
        """``[√(π_kπ_l) E_κ μ_{0,k}μ_{0,l}]``: the O(N) outliers are N times its eigenvalues."""
        return mean_outlier_matrix(self)

    def outlier_condition(self, z):
        """Eigenvalues of ``I + g(z)S(z)`` at real z (zero: outlier), see :mod:`rmt_spectra.spiked.outliers`."""
        return outlier_condition(self, z)

    def outliers(self):
        """Outliers above the bulk: roots of ``det(I + g(z)S(z)) = 0`` (mean directions O(N), b direction O(1))."""
        if "outliers" not in self._cache:
            self._cache["outliers"] = find_outliers(self)
        return list(self._cache["outliers"])

    # ------------------------------------------------------------ simulation
    def simulate(self, seed=0):
        """Eigenvalues of ``FᵀF/n`` for one draw of the sRF surrogate at these sizes."""
        from .surrogate import simulate_spiked_features

        sample = simulate_spiked_features(self.activation, self.n, self.d, self.N, groups=list(self.groups),
                                          bulk_variance=self.bulk_variance, gamma=self.gamma or 0.0, seed=seed)
        return sample.feature_spectrum()


class _GeneralSolver:
    r"""The general ``K``-group reduction [derived here; checked against simulation in the tests].

    Bulk operator ``Σ_{kl} C_kl P_k Ω P_l + Σ_k c⋆_k P_k`` with ``Ω = c W'W'ᵀ``
    (``W'`` Gaussian, rows independent): it is the Gram matrix of the
    independent vectors ``l_{k(i)} ⊗ w_i`` (``C = LLᵀ``), whose resolvent has the
    deterministic equivalent ``diag(q_k)`` on group ``k`` with

    .. math:: q_k = \Big(c^\star_k - z + c\,[C (I + cβ\,\mathrm{diag}(π q)\,C)^{-1}]_{kk}\Big)^{-1},

    and ``(1/n) tr(D₁ΩD₁ R) = μ₁ᵀ T μ₁`` with ``T = φ c (diag(πq)^{-1} + cβ C)^{-1}``,
    ``s_k = (1/n) tr P_k R = φ π_k q_k`` (push-through identities: only ``C`` is
    needed, also for complex ``C``). With ``δ(κ) = μ₁(κ)ᵀTμ₁(κ) + Σ_k μ⋆_k(κ)² s_k``,
    ``C = E_κ[μ₁μ₁ᵀ/(1+δ)]``, ``c⋆ = E_κ[μ⋆²/(1+δ)]``. Unknowns ``(q, C)``
    (``K + K(K+1)/2`` complex numbers per ``z``); vectorized Newton with a
    finite-difference Jacobian (the map is holomorphic), ``Im z`` ladder as in the
    scalar case. ``g = Σ_k π_k q_k``. For ``K = 1`` it is the scalar system.
    Edges: bisection on the existence of the real solution at real ``x``
    (continued from ``x = +∞`` on the physical branch; see :meth:`right_edge`).
    """

    def __init__(self, model):
        self.m = model
        K = len(model.pi)
        self.K = K
        self.iu = np.triu_indices(K)
        self.mu1 = model.mu1_k
        self.ms2 = np.maximum(model.mustar2_k, 0.0)
        self.w = model.weights

    # unknown vector x = [q (K), C upper triangle]
    def _unpack(self, x):
        K = self.K
        q = x[:, :K]
        C = np.zeros((x.shape[0], K, K), complex)
        C[:, self.iu[0], self.iu[1]] = x[:, K:]
        C[:, self.iu[1], self.iu[0]] = x[:, K:]
        return q, C

    def _map(self, x, z):
        m = self.m
        c, phi, beta, pi = m.bulk_variance, m.phi, m.beta, m.pi
        q, C = self._unpack(x)
        Dq = pi * q
        eye = np.eye(self.K)
        T = phi * c * np.linalg.inv(eye / Dq[:, None, :] * eye + c * beta * C)
        s = phi * Dq
        delta = np.einsum("kj,mkl,lj->mj", self.mu1, T, self.mu1) + s @ self.ms2
        wd = self.w / (1.0 + delta)
        Cn = np.einsum("kj,lj,mj->mkl", self.mu1, self.mu1, wd)
        cstar = wd @ self.ms2.T
        X = Cn @ np.linalg.inv(eye + c * beta * Dq[:, :, None] * Cn)
        qn = 1.0 / (cstar - z[:, None] + c * np.einsum("mkk->mk", X))
        return np.concatenate([qn, Cn[:, self.iu[0], self.iu[1]]], axis=1)

    def _residual(self, x, z):
        return x - self._map(x, z)

    def _newton(self, x, z):
        F = self._residual(x, z)
        n = x.shape[1]
        J = np.empty((x.shape[0], n, n), complex)
        for j in range(n):
            h = 1e-7 * (1.0 + np.abs(x[:, j]))
            xp = x.copy()
            xp[:, j] += h
            J[:, :, j] = (self._residual(xp, z) - F) / h[:, None]
        with np.errstate(all="ignore"):
            try:
                dx = np.linalg.solve(J, F[:, :, None])[:, :, 0]
            except np.linalg.LinAlgError:
                dx = np.stack([np.linalg.lstsq(Ji, Fi, rcond=None)[0] for Ji, Fi in zip(J, F)])
        bad = ~np.all(np.isfinite(dx), axis=1)
        dx[bad] = 0.0
        res = np.sum(np.abs(F), axis=1) / (np.sum(np.abs(x), axis=1) + 1e-300)
        return x - dx, res

    def _start(self, z):
        m = self.m
        q = -np.ones((z.size, self.K)) / z[:, None]
        C0 = np.einsum("kj,lj,j->kl", self.mu1, self.mu1, self.w)
        x = np.concatenate([q, np.broadcast_to(C0[self.iu], (z.size, len(self.iu[0])))], axis=1).astype(complex)
        return x

    def solve(self, z, *, tol=1e-11, maxit=60, rungs=24, warn=True):
        m = self.m
        z = np.asarray(z, complex).ravel()
        scale = m._scale()
        top = 10.0 * max(scale, float(np.max(np.abs(z), initial=1.0)))
        heights = top * (1e-10 / 10.0) ** (np.arange(rungs) / (rungs - 1))
        x = self._start(z + 1j * heights[0])
        for h in heights:
            x, _ = self._newton(x, z + 1j * h)
        its = np.full(z.shape, rungs)
        res = np.full(z.shape, np.inf)
        active = np.ones(z.shape, bool)
        for _ in range(maxit):
            idx = np.flatnonzero(active)
            if idx.size == 0:
                break
            xn, r = self._newton(x[idx], z[idx])
            x[idx] = xn
            res[idx] = r
            its[idx] += 1
            active[idx[r <= tol]] = False
        res = np.sum(np.abs(self._residual(x, z)), axis=1) / (np.sum(np.abs(x), axis=1) + 1e-300)
        q, C = self._unpack(x)
        g = q @ m.pi
        wrong = np.imag(g) < -1e-9 * (np.abs(g) + 1e-300)
        if warn:
            _warn_unconverged("SpikedFeatures (K groups)", res, 1e-8, wrong)
        return q, C, SolverInfo(residual=res, iterations=its, wrong_branch=wrong)

    def delta(self, z):
        """``q`` (M, K) and ``δ(κ_j; z)`` (M, nodes) at the solution."""
        m = self.m
        q, C, _ = self.solve(z, warn=False)
        c, phi, beta, pi = m.bulk_variance, m.phi, m.beta, m.pi
        Dq = pi * q
        eye = np.eye(self.K)
        T = phi * c * np.linalg.inv(eye / Dq[:, None, :] * eye + c * beta * C)
        delta = np.einsum("kj,mkl,lj->mj", self.mu1, T, self.mu1) + (phi * Dq) @ self.ms2
        return q, delta

    # ---------------------------------------------------------------- real branch
    def _real_solve(self, xval, x0, tol=1e-12, maxit=40):
        z = np.array([complex(xval)])
        x = x0.copy()
        for _ in range(maxit):
            x, r = self._newton(x, z)
            if r[0] <= tol:
                break
        r = float(np.sum(np.abs(self._residual(x, z))) / (np.sum(np.abs(x)) + 1e-300))
        q, C = self._unpack(x)
        ok = bool(r < 1e-9 and np.all(np.abs(x.imag) < 1e-9 * (1 + np.abs(x.real))) and np.all(q.real < 0)
                  and np.all(np.isfinite(x)))
        return x.real.astype(complex), ok

    def _fold(self, sign):
        """Walk the real axis from ``sign·∞`` towards the bulk; bisect where the real solution disappears.

        Branch-continuity criterion: the new real solution must be reached by Newton from the previous one
        (real arithmetic stays real, so inside the bulk Newton cannot converge) and keep ``q_k < 0``
        (right of the bulk). Only ``sign = −1`` (right edge) is used.
        """
        m = self.m
        scale = m._scale()
        if sign < 0:
            xs = list(10.0 * scale * 0.9 ** np.arange(200))
        else:
            xs = list(-10.0 * scale * 0.9 ** np.arange(200))
        z0 = np.array([complex(xs[0])])
        x = self._start(z0)
        x, ok = self._real_solve(xs[0], x)
        if not ok:
            return None
        last_x, last_sol = xs[0], x
        for xv in xs[1:]:
            sol, ok = self._real_solve(xv, last_sol)
            if ok:
                last_x, last_sol = xv, sol
                continue
            lo, hi = xv, last_x  # lo: no real solution (inside), hi: real solution
            for _ in range(40):
                mid = 0.5 * (lo + hi)
                sol, ok = self._real_solve(mid, last_sol)
                if ok:
                    hi, last_sol = mid, sol
                else:
                    lo = mid
                if abs(hi - lo) < 1e-10 * max(abs(hi), 1e-3):
                    break
            return float(hi)
        return None

    def right_edge(self):
        return self._fold(-1.0)

    def left_edge(self):
        return None  # the scalar fold walk is not available: the density-based fallback is used
