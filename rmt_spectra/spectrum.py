r"""The protocol shared by every spectrum-like object.

A *spectrum* is a probability measure on the real line that describes the
eigenvalues of a symmetric random matrix: a closed-form law
(:class:`~rmt_spectra.MarchenkoPastur`), a deterministic equivalent, or the
eigenvalues of one simulated matrix (:class:`~rmt_spectra.EmpiricalSpectrum`).
All of them expose

``stieltjes(z)``
    :math:`m(z) = \int d\mu(\lambda)/(\lambda - z)`, vectorized over complex
    ``z``; for real ``z`` the boundary value :math:`m(x + i0)` (real outside
    the support).
``pdf(x)``, ``cdf(x)``
    density of the absolutely continuous part, and the cumulative
    distribution function (atoms included, right-continuous).
``support``
    list of ``(left, right)`` intervals of the continuous part (the bulk).
``atoms``
    list of ``(location, mass)``.
``outliers()``
    list of :class:`Outlier` records (isolated eigenvalues of vanishing mass).
``moment(k)``
    :math:`\int \lambda^k d\mu`.

Theory and simulation are then compared through one function,
:func:`rmt_spectra.compare`.

Subclasses implement ``stieltjes``, ``support`` and, when they can do better
than ``Im m(x + i0)/π``, ``pdf``. Everything else (cdf, moments, quantiles,
i.i.d. sampling) is derived here from the density by a Chebyshev representation
in the angle variable :math:`t = a + (b-a)(1-\cos\theta)/2`, which turns the
square-root (or inverse square-root) edge behaviour of random-matrix densities
into an analytic integrand, so cdf and moments converge spectrally.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.polynomial import Chebyshev
from numpy.polynomial.chebyshev import chebpts1, chebvander

from ._lazy import lazy_import
from ._validation import as_generator, as_real_array, check_int

special = lazy_import("scipy.special")

__all__ = ["Spectrum", "Outlier", "IntervalTable"]

#: Chebyshev degree of the cdf table on each support interval.
CDF_DEGREE = 256
#: target accuracy of a cdf table (max difference to the half-degree table); pieces that miss it are halved
CDF_TOLERANCE = 1e-8
#: most pieces a support interval is cut into for the cdf tables
CDF_MAX_PIECES = 8


@dataclass(frozen=True)
class Outlier:
    """An isolated eigenvalue predicted (or measured) outside the bulk.

    Parameters
    ----------
    location : float
        Position of the eigenvalue.
    overlap : float or None
        Squared overlap of its eigenvector with the population (or signal)
        direction, when the model predicts one.
    multiplicity : int
        How many eigenvalues sit there (1 for a rank-one spike).
    source : str
        What produced it (e.g. ``"mean"``, ``"spike 3.0"``).
    info : dict
        Anything else the model knows (the spike, the threshold, ...).
    """

    location: float
    overlap: float | None = None
    multiplicity: int = 1
    source: str = ""
    info: dict = field(default_factory=dict, compare=False)


@dataclass
class IntervalTable:
    """Chebyshev representation of the density on one support interval.

    ``g(θ) = ρ(t(θ)) t'(θ)`` on ``θ ∈ [0, π]`` with ``t(θ) = a + (b − a) B(sin²(θ/2))``;
    ``G`` is its antiderivative with ``G(0) = 0``, so ``G(π)`` is the mass of the interval.
    ``B(s) = I_s(p_L, p_R)`` is the regularized incomplete beta function: ``B(s) = s``
    (``p = 1``, the plain angle variable, which makes square-root and inverse
    square-root edges analytic) or, at an end that is an interior singular point of
    the density (``p = 3``), ``t − a ∝ θ^6``, which also smooths ``|t − a|^{-2/3}``.
    """

    left: float
    right: float
    g: Chebyshev
    G: Chebyshev
    mass: float
    error: float
    grading: tuple = (1, 1)

    def theta(self, x):
        u = np.clip((np.asarray(x, float) - self.left) / (self.right - self.left), 0.0, 1.0)
        if self.grading != (1, 1):
            u = special.betaincinv(self.grading[0], self.grading[1], u)
        return 2.0 * np.arcsin(np.sqrt(u))

    def t(self, theta):
        return _graded_t(self.left, self.right, self.grading, theta)[0]


def _graded_t(a, b, grading, theta):
    """``t(θ)`` and ``dt/dθ`` of :class:`IntervalTable`."""
    theta = np.asarray(theta, float)
    s = np.sin(0.5 * theta) ** 2
    if grading == (1, 1):
        return a + (b - a) * s, 0.5 * (b - a) * np.sin(theta)
    pl, pr = grading
    density = s ** (pl - 1) * (1.0 - s) ** (pr - 1) / special.beta(pl, pr)
    return a + (b - a) * special.betainc(pl, pr, s), (b - a) * density * 0.5 * np.sin(theta)


class Spectrum:
    """Base class of every spectrum-like object (see the module docstring)."""

    #: which matrix the spectrum belongs to, e.g. ``"F^T F / n"``.
    matrix_label: str = ""

    # ---------------------------------------------------------------- abstract
    def stieltjes(self, z):  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def support(self) -> list[tuple[float, float]]:  # pragma: no cover
        raise NotImplementedError

    @property
    def atoms(self) -> list[tuple[float, float]]:
        return []

    def outliers(self) -> list[Outlier]:
        return []

    # ---------------------------------------------------------------- density
    def pdf(self, x):
        """Density of the continuous part, ``Im m(x + i0)/π`` (0 off the support)."""
        x = as_real_array("x", x)
        out = np.zeros(x.shape)
        inside = self._in_support(x)
        if np.any(inside):
            out[inside] = np.maximum(np.imag(self.stieltjes(x[inside] + 0j)), 0.0) / np.pi
        return out

    def _in_support(self, x):
        x = np.asarray(x, float)
        inside = np.zeros(x.shape, bool)
        for a, b in self.support:
            inside |= (x > a) & (x < b)
        return inside

    @property
    def edges(self) -> np.ndarray:
        """All support edges, sorted."""
        return np.array(sorted(e for ab in self.support for e in ab))

    # ---------------------------------------------------------------- tables
    #: interior points of the support where the density may be singular; the cdf tables are split there
    #: (each piece then has the density's singularity at an end, where the angle variable resolves it)
    density_breakpoints: tuple = ()

    def _table_intervals(self):
        """``(a, b, grading)`` pieces of the support, split at the density breakpoints (graded ends there)."""
        pieces = []
        for a, b in self.support:
            cuts = sorted(float(p) for p in self.density_breakpoints if a < p < b)
            ends = [float(a)] + cuts + [float(b)]
            for lo, hi in zip(ends[:-1], ends[1:]):
                pieces.append((lo, hi, (3 if lo in cuts else 1, 3 if hi in cuts else 1)))
        return pieces

    def _table_batch(self, pieces):
        """Chebyshev tables of several pieces ``(a, b, grading)`` from one call of :meth:`pdf`.

        Per piece, ``g(θ) = ρ(t(θ)) t'(θ)`` is interpolated at the Chebyshev points of degree
        :data:`CDF_DEGREE` and of half that degree; the difference of the two antiderivatives is the
        table's error estimate. All points of all pieces go to ``pdf`` at once (the density solvers
        are vectorized; one call instead of two per piece).
        """
        degrees = (CDF_DEGREE, CDF_DEGREE // 2)
        nodes = {k: 0.5 * np.pi * (chebpts1(k + 1) + 1.0) for k in degrees}  # θ ∈ [0, π]
        # values at the Chebyshev points → coefficients (what Chebyshev.interpolate does)
        fit = {k: chebvander(chebpts1(k + 1), k).T * (2.0 / (k + 1)) for k in degrees}
        ts, dts = [], []
        for a, b, grading in pieces:
            for k in degrees:
                t, dt = _graded_t(a, b, grading, nodes[k])
                ts.append(t)
                dts.append(dt)
        values = np.asarray(self.pdf(np.concatenate(ts)), float) * np.concatenate(dts)
        tables, pos = [], 0
        check = np.linspace(0.0, np.pi, 129)
        for a, b, grading in pieces:
            fits = []
            for k in degrees:
                coef = fit[k] @ values[pos:pos + k + 1]
                coef[0] *= 0.5
                fits.append(Chebyshev(coef, domain=[0.0, np.pi]))
                pos += k + 1
            cheb, coarse = fits
            G = cheb.integ(lbnd=0.0)
            error = float(np.max(np.abs(G(check) - coarse.integ(lbnd=0.0)(check))))
            tables.append(IntervalTable(a, b, cheb, G, float(G(np.pi)), error, grading))
        return tables

    @cached_property
    def _tables(self) -> list[IntervalTable]:
        """Chebyshev tables of the density, one per piece of the support; a piece whose table misses
        :data:`CDF_TOLERANCE` (a sharp peak, a long thin tail) is halved, up to :data:`CDF_MAX_PIECES`
        per support interval. Each round of pieces takes one call of :meth:`pdf`."""
        tables = []
        for a, b, grading in self._table_intervals():
            a, b = float(a), float(b)
            if b > a:
                tables.append((a, b, grading))
        # rounds: every piece of a round in one pdf call; a piece that misses the tolerance is halved
        groups = {i: [] for i in range(len(tables))}  # finished tables per original piece
        count = {i: 1 for i in range(len(tables))}  # pieces (finished or pending) per original piece
        todo = [(i, piece) for i, piece in enumerate(tables)]
        while todo:
            built = self._table_batch([piece for _, piece in todo])
            nxt = []
            for (i, _), tab in zip(todo, built):
                if tab.error <= CDF_TOLERANCE or count[i] + 1 > CDF_MAX_PIECES:
                    groups[i].append(tab)
                    continue
                count[i] += 1
                mid = 0.5 * (tab.left + tab.right)
                nxt += [(i, (tab.left, mid, (tab.grading[0], 1))), (i, (mid, tab.right, (1, tab.grading[1])))]
            todo = nxt
        out = []
        for i in range(len(tables)):
            out += sorted(groups[i], key=lambda t: t.left)
        return out

    # ---------------------------------------------------------------- cdf
    def cdf(self, x):
        """Cumulative distribution function, atoms included (right-continuous)."""
        x = as_real_array("x", x)
        out = np.zeros(x.shape)
        for loc, mass in self.atoms:
            out += mass * (x >= loc)
        for tab in self._tables:
            val = np.where(x >= tab.right, tab.mass, 0.0)
            mid = (x > tab.left) & (x < tab.right)
            if np.any(mid):
                val[mid] = tab.G(tab.theta(x[mid]))
            out += val
        return np.clip(out, 0.0, 1.0)

    def sf(self, x):
        """Survival function ``1 − cdf(x)``."""
        return 1.0 - self.cdf(x)

    @property
    def total_mass(self) -> float:
        """Mass of atoms plus the integral of the density (1 up to quadrature error)."""
        return float(sum(m for _, m in self.atoms) + sum(t.mass for t in self._tables))

    @property
    def quadrature_error(self) -> float:
        """Estimated error of the cdf/moment quadrature (degree N vs N/2)."""
        return float(sum(t.error for t in self._tables))

    # ---------------------------------------------------------------- moments
    def moment(self, k: int) -> float:
        r"""Moment :math:`\int \lambda^k d\mu(\lambda)` of order ``k >= 0``."""
        k = check_int("k", k, minimum=0)
        total = sum(mass * loc**k for loc, mass in self.atoms)
        theta, w = _gauss_legendre_theta(2 * CDF_DEGREE)
        for tab in self._tables:
            total += float(np.sum(w * tab.g(theta) * tab.t(theta) ** k))
        return float(total)

    def mean(self) -> float:
        return self.moment(1)

    def var(self) -> float:
        return self.moment(2) - self.moment(1) ** 2

    # ---------------------------------------------------------------- quantiles
    def ppf(self, q):
        """Quantile function (inverse of the cdf), vectorized over ``q ∈ [0, 1]``."""
        q = as_real_array("q", q)
        if np.any((q < 0) | (q > 1)):
            raise ValueError("q must lie in [0, 1]")
        pieces = [(loc, "atom", mass) for loc, mass in self.atoms]
        pieces += [(tab.left, "interval", tab) for tab in self._tables]
        pieces.sort(key=lambda p: p[0])
        out = np.full(q.shape, np.nan)
        below = 0.0
        for loc, kind, item in pieces:
            if kind == "atom":
                hit = np.isnan(out) & (q <= below + item)
                out[hit] = loc
                below += item
                continue
            tab = item
            hit = np.isnan(out) & (q <= below + tab.mass)
            if np.any(hit):
                out[hit] = tab.t(_invert_monotone(tab, q[hit] - below))
            below += tab.mass
        if np.any(np.isnan(out)):  # q within quadrature error of 1
            out[np.isnan(out)] = max(self.edges.max(initial=-np.inf), max((l for l, _ in self.atoms), default=-np.inf))
        return out

    def rvs(self, size=None, seed=None):
        """I.i.d. draws from the law (inverse-cdf sampling); not the eigenvalues of a matrix."""
        rng = as_generator(seed)
        return self.ppf(rng.random(size))

    # ---------------------------------------------------------------- helpers
    def _check_branch(self, z, m, *, name="stieltjes"):
        """Warn if a returned value violates ``Im m >= 0`` for ``Im z > 0``."""
        bad = (np.imag(z) > 0) & (np.imag(m) < -1e-12 * (1 + np.abs(m)))
        if np.any(bad):
            warnings.warn(f"{name}: {int(bad.sum())} points returned Im m < 0 (wrong branch)", RuntimeWarning, stacklevel=3)


def _gauss_legendre_theta(n):
    x, w = _leggauss(n)
    return 0.5 * np.pi * (x + 1.0), 0.5 * np.pi * w


def _leggauss(n):
    from .gaussian.quadrature import gauss_legendre  # the one cached Gauss–Legendre rule

    return gauss_legendre(int(n))


def _invert_monotone(tab: IntervalTable, target):
    """θ with G(θ) = target, by table interpolation then Newton (G' = g ≥ 0)."""
    grid = np.linspace(0.0, np.pi, 2049)
    values = np.maximum.accumulate(tab.G(grid))
    theta = np.interp(target, values, grid)
    for _ in range(4):
        gval = tab.g(theta)
        step = np.where(gval > 1e-14, (tab.G(theta) - target) / np.where(gval > 1e-14, gval, 1.0), 0.0)
        theta = np.clip(theta - step, 0.0, np.pi)
    return theta
