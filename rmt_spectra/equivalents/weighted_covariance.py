r"""The limit spectrum of a weighted sample covariance ``(1/n) Σ_μ w_μ x_μ x_μᵀ`` (weights of any sign).

``M = Xᵀ diag(w) X / n`` with ``X`` of size ``n × p`` (rows ``x_μ ~ N(0, I_p)``)
and i.i.d. weights ``w_μ`` of law ``H_w`` — signed weights allowed, which makes
``M`` indefinite. It is the generalized Marchenko–Pastur law of Silverstein and
Bai (1995) (the weights play the role of the population on the ``n`` side):
by Sherman–Morrison on each rank-one term, with ``γ = p/n``,

.. math:: m(z) = \frac{1}{-z + E_w\!\left[\dfrac{w}{1 + γ\,w\,m(z)}\right]} ,

where ``m`` is the Stieltjes transform of the spectrum of ``M`` (``p × p``).
``w ≡ 1`` gives ``MP(γ)``. This is the companion form of the Silverstein
equation for the population ``law(γ w)`` at ratio ``1/γ``, so the solver,
the support (Silverstein–Choi [SC95]) and the diagnostics are those of
:func:`~rmt_spectra.equivalents.solve_silverstein` on a signed
:class:`~rmt_spectra.equivalents.Population`.

* moments: ``E λ = E w``, ``E λ² = (E w)² + γ E w²``;
* atom at 0 of mass ``max(0, 1 − (1 − P(w = 0))/γ)`` (``M`` has rank ``min(p, #{w_μ ≠ 0})``).

In the one-step analysis (:mod:`rmt_spectra.spiked.network`) ``w`` is the
residual ``y − f₀(x)`` of the network at initialization and ``M`` the matrix
through which the ``E σ''`` term of the gradient moves the weights.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._validation import as_complex_array, as_generator, as_real_array, check_positive, check_size
from ..empirical.spectrum import EmpiricalSpectrum
from ..solvers.policy import full_output_flag
from ..spectrum import Spectrum
from .population import Population
from .sample_covariance import SampleCovariance
from .silverstein import ConvergenceWarning

__all__ = ["WeightedSampleCovariance"]


class WeightedSampleCovariance(Spectrum):
    """Limit spectrum of ``(1/n) Σ_μ w_μ x_μ x_μᵀ`` (``p × p``) for weights ``w ~ H_w`` and ``ratio = p/n``.

    Parameters
    ----------
    weights : Population
        Law of the weights (``signed=True`` for weights of both signs).
    ratio : float > 0
        ``γ = p/n``.
    method : str
        Solver method (see :func:`~rmt_spectra.equivalents.solve_silverstein`).
    on_failure : {"warn", "raise", "ignore"}
        What a point that does not converge does (:mod:`rmt_spectra.solvers.policy`).

    Examples
    --------
    >>> import numpy as np
    >>> from rmt_spectra.equivalents import Population, WeightedSampleCovariance
    >>> law = WeightedSampleCovariance(Population([-1.0, 2.0], signed=True), 0.25)
    >>> round(law.moment(1), 12), round(law.moment(2), 12)
    (0.5, 0.875)
    """

    matrix_label = "X^T diag(w) X / n  (p x p, ratio = p/n)"

    def __init__(self, weights, ratio, *, method="auto", on_failure="warn", tol=1e-14, strict=None):
        if not isinstance(weights, Population):
            raise TypeError(f"weights must be a Population (signed=True for signed weights), got "
                            f"{type(weights).__name__}")
        if not np.any(weights.atoms != 0):
            raise ValueError("weights must have a nonzero atom (w = 0 gives M = 0)")
        self.weights = weights
        self.ratio = check_positive("ratio", ratio)
        # the companion form: population law(γ w) at ratio 1/γ, whose companion transform m̲ is m here;
        # the Silverstein engine (solver, support, validation of method/tol) is that of SampleCovariance
        population = Population(self.ratio * weights.atoms, weights.weights, signed=True,
                                continuous_support=[(self.ratio * a, self.ratio * b)
                                                    for a, b in weights.continuous_support])
        self._engine = SampleCovariance(population, 1.0 / self.ratio, method=method, on_failure=on_failure, tol=tol,
                                        strict=strict)
        self._population, self._companion_ratio = population, 1.0 / self.ratio

    def __repr__(self):
        return f"WeightedSampleCovariance({self.weights!r}, ratio={self.ratio:g})"

    # ------------------------------------------------------------ support
    @property
    def support_info(self):
        return self._engine.support_info

    @property
    def support(self):
        return self._engine.support

    @property
    def density_breakpoints(self):
        """``(0,)`` for signed weights: at ``ratio = 1`` the density is singular at 0 (``m(0) = ∞`` solves
        the equation only when ``γ = 1``), and nearly so close to it."""
        return (0.0,) if self.weights.atoms[0] < 0 else ()

    @property
    def atoms(self):
        mass = 1.0 - (1.0 - self.weights.mass_at_zero) / self.ratio
        return [(0.0, float(mass))] if mass > 1e-15 else []

    # ------------------------------------------------------------ transforms
    def solve(self, z):
        """``(m(z), SolverInfo)`` for ``Im z >= 0`` (the solver's ``u = −1/m``, residuals, branch flags)."""
        return self._engine.solve(z)

    def stieltjes(self, z, full_output=False, *, return_info=None):
        """``m(z)`` on the whole plane; real ``z``: the boundary value ``m(x + i0)`` (``1j*inf`` at an atom)."""
        z = as_complex_array("z", z)
        lower = z.imag < 0
        zz = np.where(lower, np.conj(z), z)
        zz = np.where(zz.imag == 0, zz.real + 0j, zz)
        m, info = self.solve(zz)
        m = np.where(lower, np.conj(m), m)
        self._check_branch(z, m)
        m = m[()] if m.ndim == 0 else m
        return (m, info) if full_output_flag(full_output, return_info) else m

    def pdf(self, x, full_output=False, *, return_info=None):
        """Density ``Im m(x + i0)/π``: ``m`` is the engine's companion transform, so this is the engine's
        density (``Im u/(c π|u|²)``, ``c = 1/γ``) times ``1/γ``, solved directly on the real axis."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            dens, info = self._engine.pdf(x, full_output=True)
        if info is not None:
            # next to the singular point 0 (ratio 1) Newton stalls near 1e-8: the density there is integrable
            # and its cdf weight negligible; other points must converge
            x = as_real_array("x", x)
            inside = self._in_support(x) & np.isfinite(x)
            bad = ~info.converged & (np.abs(x[inside]) > 1e-6 * max(abs(e) for e in self.edges))
            if np.any(bad):
                warnings.warn(f"WeightedSampleCovariance.pdf: {int(bad.sum())} points did not converge (max residual "
                              f"{float(np.max(info.residual[bad])):.2e})", ConvergenceWarning, stacklevel=2)
        out = dens / self.ratio
        return (out, info) if full_output_flag(full_output, return_info) else out

    def moment(self, k):
        """Exact moments for ``k <= 2`` (``E w``, ``(E w)² + γ E w²``); the density quadrature above."""
        if k == 0:
            return 1.0
        if k == 1:
            return self.weights.moment(1)
        if k == 2:
            return self.weights.moment(1) ** 2 + self.ratio * self.weights.moment(2)
        return super().moment(k)

    # ------------------------------------------------------------ simulation
    def simulate(self, p, seed=None):
        """Eigenvalues of one ``Xᵀ diag(w) X/n`` with ``n = round(p/ratio)`` and ``w`` drawn i.i.d. from the atoms."""
        p = check_size("p", p)
        n = max(1, int(round(p / self.ratio)))
        rng = as_generator(seed)
        w = rng.choice(self.weights.atoms, size=n, p=self.weights.weights)
        X = rng.standard_normal((n, p))
        M = (X * w[:, None]).T @ X / n
        return EmpiricalSpectrum(np.linalg.eigvalsh(M), matrix_label=f"X^T diag(w) X / n, p={p}, n={n}")
