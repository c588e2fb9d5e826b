r"""The limit spectrum of a sample covariance with general population (Silverstein).

``S = Σ^{1/2} Z Zᵀ Σ^{1/2} / n`` (``p × p``), ``spec(Σ) → H``, ``c = p/n``.
Source: Silverstein and Bai (1995), Silverstein and Choi (1995) [standard]. With
``u = −1/m̲`` (see :mod:`.silverstein`):

* ``m(z) = −∫ dH(t)/(u − t) / (1 + c∫ t dH(t)/(u − t))`` (from
  ``m(z) = −(1/z)∫ dH/(1 + t m̲)``; this form has no cancellation at small
  ``c`` and gives the atom at 0 of ``H`` automatically);
* on the support ``ρ(x) = Im m̲(x+i0)/(cπ) = Im u/(cπ|u|²)``;
* atom at 0 of mass ``max(H({0}), 1 − 1/c)`` (``S`` has rank
  ``min(p(1 − H({0})), n)``);
* spikes: a population eigenvalue ``ℓ`` outside the bulk gives an outlier at
  ``λ(ℓ) = x(ℓ) = ℓ(1 + c∫ t dH/(ℓ − t))`` when ``ℓ`` lies in one of the
  ``u``-intervals where ``x`` is increasing (``x'(ℓ) > 0`` and ``ℓ`` outside the
  ``u``-range of the bulk), with squared eigenvector overlap
  ``ℓ x'(ℓ)/x(ℓ)`` (``= (1 − c/(ℓ−1)²)/(1 + c/(ℓ−1))`` for ``H = δ₁``).
  [standard for H = δ₁; the general-H form is checked against simulation in
  ``tests/test_sample_covariance.py``].
"""
from __future__ import annotations

from functools import cached_property

import numpy as np

from .._validation import as_complex_array, as_generator, as_real_array, check_positive, check_real, check_size
from ..empirical.spectrum import EmpiricalSpectrum
from ..solvers.policy import check_on_failure, full_output_flag
from ..spectrum import Outlier, Spectrum
from .population import Population
from .silverstein import solve_silverstein
from .support import silverstein_choi

__all__ = ["SampleCovariance"]


class SampleCovariance(Spectrum):
    """Limit spectrum of ``Σ^{1/2} Z Zᵀ Σ^{1/2}/n`` for population ``H`` and ``ratio = p/n``.

    Parameters
    ----------
    population : Population
        The population spectrum ``H``.
    ratio : float
        ``c = p/n > 0``.
    method : str
        Solver method (see :func:`~rmt_spectra.equivalents.solve_silverstein`).
    on_failure : {"warn", "raise", "ignore"}
        What a point that does not converge does (:mod:`rmt_spectra.solvers.policy`);
        ``strict=True`` is the legacy spelling of ``"raise"``.

    Examples
    --------
    >>> from rmt_spectra.equivalents import Population, SampleCovariance
    >>> law = SampleCovariance(Population([1.0, 4.0]), 0.1)
    >>> len(law.support)
    2
    """

    matrix_label = "Sigma^{1/2} Z Z^T Sigma^{1/2} / n  (p x p, ratio = p/n)"

    def __init__(self, population, ratio, *, method="auto", on_failure="warn", tol=1e-14, strict=None):
        if not isinstance(population, Population):
            raise TypeError(f"population must be a Population, got {type(population).__name__}")
        if not np.any(population.atoms != 0):
            raise ValueError("population must have a nonzero atom (a positive atom for a covariance: H = δ₀ gives S = 0)")
        self.population = population
        self.ratio = check_positive("ratio", ratio)
        if method not in ("auto", "polynomial", "newton", "picard"):
            raise ValueError(f"method must be one of 'auto', 'polynomial', 'newton', 'picard', got {method!r}")
        self.method = method
        self.on_failure = check_on_failure(on_failure, strict=strict)
        self.tol = check_positive("tol", tol)

    def __repr__(self):
        return f"SampleCovariance({self.population!r}, ratio={self.ratio:g})"

    # ------------------------------------------------------------ support
    @cached_property
    def support_info(self):
        return silverstein_choi(self.population, self.ratio)

    @property
    def support(self):
        return list(self.support_info.intervals)

    @property
    def atoms(self):
        mass = max(self.population.mass_at_zero, 1.0 - 1.0 / self.ratio)
        return [(0.0, float(mass))] if mass > 0 else []

    # ------------------------------------------------------------ transforms
    def solve(self, z):
        """``(m̲(z), SolverInfo)`` for ``Im z >= 0`` (the companion transform and diagnostics)."""
        return solve_silverstein(self.population, self.ratio, z, method=self.method, tol=self.tol,
                                 support=self.support_info, on_failure=self.on_failure)

    def _solve_any(self, z):
        """Solve on the whole plane (lower half-plane by conjugation); returns u and info."""
        z = as_complex_array("z", z)
        lower = z.imag < 0
        zz = np.where(lower, np.conj(z), z)
        zz = np.where(zz.imag == 0, zz.real + 0j, zz)  # -0j → +0j
        _, info = self.solve(zz)
        u = np.where(lower, np.conj(info.u), info.u)
        return z, u, info

    def stieltjes(self, z, full_output=False, *, return_info=None):
        """``m(z)`` on the whole plane; real ``z``: the boundary value from above (``1j*inf`` at an atom)."""
        z, u, info = self._solve_any(z)
        H = self.population
        t, om = H.distinct()
        with np.errstate(divide="ignore", invalid="ignore"):
            uf = u.ravel()
            # S0 = ∫ dH/(u − t) (zero atoms included), S1 = c ∫ t dH/(u − t)
            S0 = (1.0 / (uf[:, None] - t[None, :])) @ om + H.mass_at_zero / uf
            S1 = self.ratio * ((t / (uf[:, None] - t[None, :])) @ om)
            m = (-S0 / (1.0 + S1)).reshape(z.shape)
        real_out = (z.imag == 0) & (info.u.imag == 0)
        m = np.where(real_out, m.real + 0j, m)
        bad = ~np.isfinite(m)
        if np.any(bad):
            m = np.array(m)
            m[bad] = complex(0.0, np.inf)
        self._check_branch(z, m)
        m = m[()] if m.ndim == 0 else m
        return (m, info) if full_output_flag(full_output, return_info) else m

    def companion_stieltjes(self, z):
        """``m̲(z)``: Stieltjes transform of the companion ``Zᵀ Σ Z / n`` (``n × n``)."""
        z, u, _ = self._solve_any(z)
        with np.errstate(divide="ignore", invalid="ignore"):
            m = -1.0 / u
        m = np.where(np.isfinite(m), m, complex(0.0, np.inf))
        return m[()] if m.ndim == 0 else m

    def pdf(self, x, full_output=False, *, return_info=None):
        """Density of the continuous part, ``Im u/(cπ|u|²)`` solved directly at ``η = 0``."""
        x = as_real_array("x", x)
        out = np.zeros(x.shape)
        inside = self._in_support(x) & np.isfinite(x)
        info = None
        if np.any(inside):
            _, info = self.solve(x[inside] + 0j)
            u = info.u
            out[inside] = np.maximum(u.imag, 0.0) / (self.ratio * np.pi * np.abs(u) ** 2)
        return (out, info) if full_output_flag(full_output, return_info) else out

    # ------------------------------------------------------------ outliers
    def bbp(self, spike):
        """``(λ(ℓ), x'(ℓ), supercritical)`` for population spikes ``ℓ`` (vectorized)."""
        ell = np.atleast_1d(check_real("spike", spike, allow_array=True)).astype(float)
        t, om = self.population.distinct()
        c = self.ratio
        with np.errstate(divide="ignore", invalid="ignore"):
            R = 1.0 / (ell[:, None] - t[None, :])
            lam = ell * (1.0 + c * ((t * R) @ om))
            dlam = 1.0 - c * ((t**2 * R**2) @ om)
        sup = self.support_info
        ok = (ell < sup.u_left[0]) | (ell > sup.u_right[-1])
        for k in range(len(sup.intervals) - 1):
            ok |= (ell > sup.u_right[k]) & (ell < sup.u_left[k + 1])
        ok &= (ell > 0) & (dlam > 0) & np.isfinite(lam)
        return lam, dlam, ok

    def outliers(self, spikes=None):
        """One :class:`Outlier` per supercritical population spike ``ℓ``.

        ``spikes``: population eigenvalues added to ``H`` (each of vanishing
        mass). Subcritical spikes give no record; they are listed in
        ``self.subcritical`` after the call. No argument: ``[]``.
        """
        self.subcritical = []
        if spikes is None:
            return []
        ell = np.atleast_1d(check_real("spikes", spikes, allow_array=True)).astype(float).ravel()
        if np.any(ell <= 0):
            raise ValueError("spikes must be > 0 (population covariance eigenvalues)")
        lam, dlam, ok = self.bbp(ell)
        out = []
        for l, x, d, s in zip(ell, lam, dlam, ok):
            if not s:
                self.subcritical.append(float(l))
                continue
            out.append(Outlier(location=float(x), overlap=float(l * d / x), source=f"spike {l:g}",
                               info={"spike": float(l), "dlambda": float(d), "subcritical": False}))
        return out

    # ------------------------------------------------------------ moments
    def moment(self, k):
        """Exact moments from the population moments for ``k <= 2``; otherwise the quadrature."""
        if k == 0:
            return 1.0
        H, c = self.population, self.ratio
        if k == 1:
            return H.moment(1)
        if k == 2:
            return H.moment(2) + c * H.moment(1) ** 2
        return super().moment(k)

    # ------------------------------------------------------------ simulation
    def simulate(self, p, seed=None, spikes=(), *, return_vectors=False):
        """Eigenvalues of one ``Σ^{1/2} Z Zᵀ Σ^{1/2}/n`` with ``Σ`` diagonal (H's atoms, quantile-assigned)
        plus optional ``spikes`` on the first coordinates, as an :class:`EmpiricalSpectrum`;
        ``return_vectors=True`` also returns the eigenvectors, ``[:, j]`` that of the j-th largest eigenvalue."""
        p = check_size("p", p)
        n = max(1, int(round(p / self.ratio)))
        rng = as_generator(seed)
        H = self.population
        q = (np.arange(p - len(spikes)) + 0.5) / (p - len(spikes))
        cdf = np.cumsum(H.weights)
        diag = H.atoms[np.minimum(np.searchsorted(cdf, q), H.atoms.size - 1)]
        diag = np.concatenate([np.asarray(spikes, float), diag])
        Z = rng.standard_normal((p, n))
        Y = np.sqrt(diag)[:, None] * Z
        ev, vec = np.linalg.eigh(Y @ Y.T / n)
        emp = EmpiricalSpectrum(ev, matrix_label=f"Sigma^1/2 Z Z^T Sigma^1/2 / n, p={p}, n={n}")
        return (emp, vec[:, ::-1]) if return_vectors else emp
