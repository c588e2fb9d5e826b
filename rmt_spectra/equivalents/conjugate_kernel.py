r"""The feature covariance at initialization (conjugate kernel), by Gaussian equivalence.

Source: [PW17], [LLC18], [FW20]. ``F = σ(X W₀ᵀ)`` (``n × N``),
``Σ̂ = FᵀF/n`` (``N × N``). Its bulk has the limit of the sample covariance with
ratio ``N/n`` and population ``H`` = law of ``μ₁² λ + μ⋆²``, ``λ ~ MP(N/d)``
(MP's atom at 0 included when ``N > d``): :class:`ConjugateKernel` *is* that
:class:`SampleCovariance` (general Silverstein route, ``H`` discretized with
``n_nodes`` quadrature nodes), and :meth:`ConjugateKernel.stieltjes_scalar` is
the closed scalar fixed point of the note. With ``D = 1 + δ``, ``φ = N/n``:

.. math:: G(D) = D - 1 - \varphi D\Big(1 + \frac{z D\, m_{MP}(w)}{\mu_1^2}\Big) = 0,
          \qquad w = \frac{zD - \mu_\star^2}{\mu_1^2},\qquad
          g(z) = \frac{D\, m_{MP}(w)}{\mu_1^2},

(the note's ``δ = μ₁²A + μ⋆²B`` with ``A, B`` substituted), solved by Newton
with a ladder in ``Im z``.

**Mean outlier** (``μ₀ ≠ 0``): ``F = F̃ + μ₀ 1_n 1_Nᵀ`` is a rank-one
rectangular perturbation of strength ``θ² = N μ₀²`` of ``F̃/√n`` (unit vectors
``1/√n``, ``1/√N``). For noise with limiting spectra, the outlier eigenvalue
``λ > `` edge of ``Σ̂`` solves ([BGN12], rectangular case)
``λ m(λ) m̲(λ) = 1/(N μ₀²)``, ``m`` the transform of ``FᵀF/n`` and ``m̲`` of
``FFᵀ/n``; for large ``N`` this is ``λ ≈ N μ₀² + O(1)``. [derived: it assumes
the all-ones directions are generic for ``F̃``; checked against simulation
(ReLU) in ``tests/test_conjugate_kernel.py``.]

Sizes: ``ConjugateKernel(activation, n, d, N)`` with integers (needed for the
mean outlier and :meth:`simulate`), or
``ConjugateKernel.from_ratios(activation, n_over_d, N_over_d)`` (bulk only).
"""
from __future__ import annotations

import math

import numpy as np

from .._validation import as_complex_array, as_generator, check_positive, check_size
from ..empirical.spectrum import EmpiricalSpectrum
from ..gaussian import activation as make_activation
from ..gaussian import gaussian_moments, hermite_coefficients
from ..laws.marchenko_pastur import MarchenkoPastur
from ..simulation.network import draw_data, draw_first_layer
from ..solvers.newton import descend, newton
from ..solvers.policy import check_on_failure, full_output_flag
from ..spectrum import Outlier, Spectrum
from .population import Population
from .sample_covariance import SampleCovariance

#: relative size (to √(E σ²)) below which a Gaussian coefficient counts as zero
_NEGLIGIBLE = 1e-12

__all__ = ["ConjugateKernel"]


def _activation_and_moments(activation):
    act = make_activation(activation)  # validates; an Activation is returned unchanged
    return act, gaussian_moments(act)


class _ScalarEquation:
    r"""The closed scalar equation of the conjugate kernel in ``D`` (for :func:`rmt_spectra.solvers.newton`).

    ``g(D) = D − 1 − φD − φ z D² m_MP(w)/μ₁² = 0`` with ``w = (zD − μ⋆²)/μ₁²`` and ``m_MP``
    the Marchenko–Pastur transform of ratio ``β = N/d`` (its derivative from the MP quadratic,
    ``m' = −(βm² + m)/(2βwm + w + β − 1)``); ``m(z) = D m_MP(w)/μ₁²``.
    """

    size = 1
    fused_jacobian = True

    def __init__(self, phi, s1, s2, mp):
        self.phi, self.s1, self.s2, self.mp = phi, s1, s2, mp

    def mp_value(self, D, z):
        w = (z * D - self.s2) / self.s1
        return self.mp.stieltjes(np.where(w.imag == 0, w.real + 1e-300j, w))

    def residual(self, D, z, jacobian=True):
        phi, s1, beta = self.phi, self.s1, self.mp.ratio
        D = D[:, 0]
        w = (z * D - self.s2) / s1
        w = np.where(w.imag == 0, w.real + 1e-300j, w)
        m = self.mp.stieltjes(w)
        g = D - 1.0 - phi * D - phi * z * D * D * m / s1
        if not jacobian:
            return g[:, None], None, None
        dm = -(beta * m * m + m) / (2 * beta * w * m + w + beta - 1.0)
        dg = 1.0 - phi - 2 * phi * z * D * m / s1 - phi * z * D * D * dm * z / (s1 * s1)
        return g[:, None], dg[:, None, None], None

    def residual_norm(self, F, D, z):
        return np.abs(F[:, 0]) / (np.abs(D[:, 0]) + 1.0)


class ConjugateKernel(SampleCovariance):
    """Limit spectrum of ``Σ̂ = FᵀF/n``, ``F = σ(X W₀ᵀ)`` (``N × N``).

    Parameters
    ----------
    activation : str or callable
        Passed to :func:`rmt_spectra.activation`.
    n, d, N : int
        Samples, input dimension, width.
    weights : {"gaussian", "sphere"}
        Rows of ``W₀``: ``N(0, I/d)`` or uniform on the unit sphere (same limit).
    n_nodes : int
        Quadrature nodes of the discretized population ``μ₁² MP(N/d) + μ⋆²``.

    Examples
    --------
    >>> import rmt_spectra as rs
    >>> ck = rs.ConjugateKernel("tanh", n=4000, d=2000, N=1000)
    >>> round(ck.cdf(float("inf")), 6)
    1.0
    """

    matrix_label = "F^T F / n  (N x N, F = sigma(X W0^T))"

    def __init__(self, activation, n, d, N, weights="gaussian", *, n_nodes=1000, method="auto", on_failure="warn",
                 strict=None):
        n, d, N = check_size("n", n), check_size("d", d), check_size("N", N)
        self._setup(activation, n / d, N / d, weights, n_nodes, method, check_on_failure(on_failure, strict=strict))
        self.n, self.d, self.N = n, d, N

    @classmethod
    def from_ratios(cls, activation, n_over_d, N_over_d, weights="gaussian", *, n_nodes=1000, method="auto",
                    on_failure="warn", strict=None):
        """Bulk limit from the ratios ``n/d`` and ``N/d`` only (no mean outlier, no simulation size)."""
        self = cls.__new__(cls)
        self._setup(activation, check_positive("n_over_d", n_over_d), check_positive("N_over_d", N_over_d),
                    weights, n_nodes, method, check_on_failure(on_failure, strict=strict))
        self.n = self.d = self.N = None
        return self

    def _setup(self, activation, n_over_d, N_over_d, weights, n_nodes, method, on_failure):
        if weights not in ("gaussian", "sphere"):
            raise ValueError(f"weights must be 'gaussian' or 'sphere', got {weights!r}")
        self.weights = weights
        self.activation, gm = _activation_and_moments(activation)
        self.moments = gm
        self.mu0, self.mu1, self.mu_star = float(gm.mu0), float(gm.mu1), float(gm.mu_star)
        self.n_over_d, self.N_over_d = float(n_over_d), float(N_over_d)
        # coefficients below round-off of E σ² count as zero (exact zeros come from parity)
        tiny = _NEGLIGIBLE * math.sqrt(max(float(gm.second_moment), 1e-300))
        self.has_mean = abs(self.mu0) > tiny
        self.has_linear = has_linear = abs(self.mu1) > tiny
        if not has_linear and self.mu_star <= tiny:
            raise ValueError("activation is constant under N(0,1) (mu1 = mu_star = 0): no bulk")
        if has_linear:
            pop = Population.from_law(MarchenkoPastur(self.N_over_d), n_nodes=n_nodes).affine(
                self.mu1**2, self.mu_star**2)
        else:
            pop = Population([self.mu_star**2])
        SampleCovariance.__init__(self, pop, self.N_over_d / self.n_over_d, method=method, on_failure=on_failure)

    def __repr__(self):
        sizes = f"n={self.n}, d={self.d}, N={self.N}" if self.n else f"n/d={self.n_over_d:g}, N/d={self.N_over_d:g}"
        return f"ConjugateKernel({self.activation!r}, {sizes}, weights={self.weights!r})"

    # ------------------------------------------------------------ fast path
    def stieltjes_scalar(self, z, full_output=False, tol=1e-14, maxit=50, *, return_info=None):
        """``m(z)`` of ``FᵀF/n`` from the closed scalar fixed point (one unknown per z, Newton)."""
        z = as_complex_array("z", z)
        if not self.has_linear:
            raise ValueError("the scalar fast path needs mu1 != 0 (a linear part)")
        lower = z.imag < 0
        zz = np.where(lower, np.conj(z), z).ravel()
        zz = np.where(zz.imag == 0, zz.real + 0j, zz)
        phi, s1, s2 = self.ratio, self.mu1**2, self.mu_star**2

        eq = _ScalarEquation(phi, s1, s2, MarchenkoPastur(self.N_over_d))
        scale = max(float(np.max(np.abs(zz), initial=1.0)), self.support[-1][1])
        D, its = descend(eq, np.ones((zz.size, 1), complex), zz, 10 * scale * 0.5 ** np.arange(40), steps=3)
        D, k, res = newton(eq, D, zz, tol=tol, maxit=maxit)
        D, its = D[:, 0], k
        m = eq.mp_value(D, zz)
        out = (D * m / s1)
        out = np.where(lower.ravel(), np.conj(out), out).reshape(z.shape)
        real = z.imag == 0
        inside = self._in_support(z.real) & real
        out = np.where(real & ~inside, out.real + 0j, out)
        out = out[()] if out.ndim == 0 else out
        if full_output_flag(full_output, return_info):
            return out, {"residual": res.reshape(z.shape), "iterations": its.reshape(z.shape), "D": D}
        return out

    # ------------------------------------------------------------ other views
    def gram(self):
        """Spectrum of the Gram matrix ``FFᵀ/n`` (``n × n``)."""
        return _LinkedView(self, scale=1.0, label="F F^T / n  (n x n)")

    def kernel(self):
        """Spectrum of the conjugate kernel ``FFᵀ/N`` (``n × n``) of [Ba22]: ``(n/N)·`` the Gram spectrum."""
        return _LinkedView(self, scale=1.0 / self.ratio, label="F F^T / N  (n x n, conjugate kernel)")

    # ------------------------------------------------------------ outliers
    def mean_direction_strengths(self):
        r"""Strengths ``s_j`` of the finite-size spikes of the features (descending, at most two).

        ``N μ₀²`` from the mean along ``1_N``, plus two ``O(N/d)`` terms of the ``He₂`` part
        (``μ₂ = E σ''``) [derived; checked against simulation in the test suite]:

        * the row norms ``‖w_i‖²`` fluctuate (variance ``2/d`` for Gaussian rows, 0 on the sphere)
          and move each feature's mean by ``μ₂(‖w_i‖² − 1)/2``: a mean vector ``δm`` of squared
          norm ``h = (N/d)μ₂²/2``, independent of ``1_N``;
        * the ``He₂`` parts of different features are correlated, ``E He₂(g_i)He₂(g_j) = 2⟨w_i, w_j⟩²``
          with mean ``2/d``: the population variance along ``1_N`` grows by ``c = (N/d)μ₂²/2``.

        In the orthonormal pair (``1_N/√N``, ``δm/‖δm‖``) the spike matrix is
        ``[[Nμ₀² + c, √(Nμ₀² h)], [√(Nμ₀² h), h]]``; each eigenvalue ``s_j`` gives an outlier
        where ``λ m(λ) m̲(λ) = 1/s_j`` has a root (:meth:`outliers`). Measured
        (d = N = 1000, n = 2000, 3–4 seeds): σ = 0.07 + He₁ + He₂/2: 8.72 ± 0.10 (Gaussian rows),
        8.27 ± 0.09 (sphere) against 8.665 / 8.267 (``Nμ₀²`` alone: 7.85); σ = He₂: top
        eigenvalues 6.33, 5.98 (Gaussian), 6.13 (sphere) against 6.00 twice / 6.00 (edge 5.83).
        """
        if self.N is None:
            return np.zeros(0)
        if not hasattr(self, "_mu2"):
            self._mu2 = float(hermite_coefficients(self.activation, 2)[2])
        c = 0.5 * (self.N / self.d) * self._mu2**2
        h = c if self.weights == "gaussian" else 0.0
        mean = self.N * self.mu0**2
        S = np.array([[mean + c, math.sqrt(mean * h)], [math.sqrt(mean * h), h]])
        ev = np.linalg.eigvalsh(S)[::-1]
        tiny = _NEGLIGIBLE * max(self.mu1**2 + self.mu_star**2 + self.mu0**2, 1e-300) * self.N
        return ev[ev > tiny]

    def outliers(self, spikes=None):
        """Outliers from the mean and the ``He₂`` terms (finite sizes), plus population spikes if given.

        Each strength ``s`` of :meth:`mean_direction_strengths` gives a root of
        ``λ m(λ) m̲(λ) = 1/s`` above the bulk, if there is one.
        """
        from scipy.optimize import brentq

        out = SampleCovariance.outliers(self, spikes) if spikes is not None else []
        strengths = self.mean_direction_strengths()
        if strengths.size == 0:
            return out
        edge = self.support[-1][1]

        def D(lam):
            lam = np.atleast_1d(lam).astype(float)
            m = np.real(self.stieltjes(lam + 0j))
            mc = np.real(self.companion_stieltjes(lam + 0j))
            return lam * m * mc

        lo = edge * (1 + 1e-9) + 1e-12
        d_lo = D(lo)[0]
        naive = self.N * self.mu0**2
        for j, strength in enumerate(strengths):
            target = 1.0 / strength
            if d_lo <= target:
                continue
            hi = max(2.0 * edge, 2.0 * strength + 2 * edge)
            lam = brentq(lambda x: D(x)[0] - target, lo, hi, xtol=1e-12 * hi)
            source = "mean" if (j == 0 and self.has_mean) else "He2 fluctuation"
            out.append(Outlier(location=float(lam), overlap=None, source=source,
                               info={"mu0": self.mu0, "naive": naive, "strength": float(strength),
                                     "equation": "lambda m(lambda) m_(lambda) = 1/s"}))
        return out

    # ------------------------------------------------------------ simulation
    def simulate(self, seed=None, d=None, return_features=False):
        """Draw ``X``, ``W₀`` and return the :class:`EmpiricalSpectrum` of ``FᵀF/n``.

        ``d`` sets the input dimension when built :meth:`from_ratios` (then
        ``n = round(d·n/d)``, ``N = round(d·N/d)``); with integer sizes it must be omitted or equal.
        """
        if d is None:
            if self.d is None:
                raise ValueError("d is required to simulate a ConjugateKernel built from ratios")
            n, d, N = self.n, self.d, self.N
        else:
            d = check_size("d", d)
            n, N = max(1, round(d * self.n_over_d)), max(1, round(d * self.N_over_d))

        rng = as_generator(seed)
        X = draw_data(n, d, rng)
        W = draw_first_layer(N, d, self.weights, rng)
        F = np.asarray(self.activation(X @ W.T), float)
        emp = EmpiricalSpectrum.from_features(F, matrix_label=f"F^T F / n, n={n}, d={d}, N={N}")
        return (emp, F) if return_features else emp


class _LinkedView(Spectrum):
    """Companion (Gram) view of a sample covariance, scaled by ``scale``: eigenvalues ``scale·λ`` of ``FFᵀ/n``."""

    def __init__(self, parent, scale, label):
        self.parent = parent
        self.scale = float(scale)
        self.matrix_label = label

    def __repr__(self):
        return f"<{self.matrix_label} view of {self.parent!r}>"

    @property
    def support(self):
        return [(a * self.scale, b * self.scale) for a, b in self.parent.support]

    @property
    def atoms(self):
        a0 = sum(m for l, m in self.parent.atoms if l == 0)
        mass = 1.0 - self.parent.ratio * (1.0 - a0)
        return [(0.0, float(mass))] if mass > 1e-15 else []

    def stieltjes(self, z):
        z = as_complex_array("z", z)
        return self.parent.companion_stieltjes(z / self.scale) / self.scale

    def outliers(self):
        return [Outlier(o.location * self.scale, o.overlap, o.multiplicity, o.source, o.info)
                for o in self.parent.outliers()]
