r"""The Marchenko–Pastur law.

Source: Marchenko and Pastur (1967) (standard). For
``S = Z Zᵀ/n`` with ``Z`` a ``p × n`` matrix of i.i.d. entries of variance
``v`` and ``ratio = p/n = c``:

* support :math:`[v(1-\sqrt c)^2, v(1+\sqrt c)^2]`, plus an atom of mass
  :math:`1 - 1/c` at 0 when :math:`c > 1`;
* density :math:`\rho(x) = \sqrt{(b-x)(x-a)}/(2\pi v c x)`;
* Stieltjes transform, the root of :math:`c z m^2 + (z + c - 1) m + 1 = 0`
  (``v = 1``) with :math:`m(z) \sim -1/z`:
  :math:`m(z) = (1 - c - z + s(z))/(2cz)`, :math:`s(z) = \sqrt{z-a}\sqrt{z-b}`
  (principal roots: this product is analytic off ``[a, b]`` and behaves like
  ``z`` at infinity, which selects the right branch everywhere);
* moments (Narayana): :math:`E\lambda^k = v^k\sum_{r=0}^{k-1} c^r/(r+1)\binom{k}{r}\binom{k-1}{r}`.
"""
from __future__ import annotations

from math import comb

import numpy as np

from .._validation import as_complex_array, as_generator, as_real_array, check_int, check_positive, check_size
from ..empirical.spectrum import EmpiricalSpectrum
from ..spectrum import Spectrum

__all__ = ["MarchenkoPastur"]


class MarchenkoPastur(Spectrum):
    """Marchenko–Pastur law with ``ratio = p/n`` and entry ``variance`` ``v``.

    Parameters
    ----------
    ratio : float
        Aspect ratio ``c = p/n > 0`` of the ``p × n`` data matrix ``Z``.
    variance : float, default 1
        Variance ``v > 0`` of the entries of ``Z``.

    Examples
    --------
    >>> import rmt_spectra as rs
    >>> mp = rs.MarchenkoPastur(0.5)
    >>> mp.support
    [(0.0857..., 2.9142...)]
    >>> float(mp.moment(2))
    1.5
    """

    matrix_label = "Z Z^T / n  (Z: p x n, ratio = p/n)"

    def __init__(self, ratio, variance=1.0):
        self.ratio = check_positive("ratio", ratio)
        self.variance = check_positive("variance", variance)
        c, v = self.ratio, self.variance
        self.lower = v * (1.0 - np.sqrt(c)) ** 2
        self.upper = v * (1.0 + np.sqrt(c)) ** 2

    def __repr__(self):
        return f"MarchenkoPastur(ratio={self.ratio:g}, variance={self.variance:g})"

    @property
    def support(self):
        return [(float(self.lower), float(self.upper))]

    @property
    def atoms(self):
        if self.ratio > 1.0:
            return [(0.0, 1.0 - 1.0 / self.ratio)]
        return []

    def stieltjes(self, z):
        """Stieltjes transform on the whole plane (boundary value from above on the real axis).

        At an atom (``z = 0`` for ``ratio > 1``) and at the ``1/√x`` edge
        ``z = 0`` for ``ratio = 1`` the transform is infinite: ``1j*inf``
        (the limit from the upper half-plane) is returned.
        """
        z = as_complex_array("z", z)
        c, v = self.ratio, self.variance
        w = z / v
        # Signed zeros matter on the real axis: make Im w exactly +0 there so the
        # principal roots give the boundary value from above.
        w = np.where(np.imag(w) == 0, np.real(w) + 0j, w)
        a, b = (1.0 - np.sqrt(c)) ** 2, (1.0 + np.sqrt(c)) ** 2
        s = np.sqrt(w - a) * np.sqrt(w - b)
        plus = 1.0 - c - w + s
        minus = 1.0 - c - w - s
        # m = plus/(2cw) = 2/minus; use the form without cancellation.
        with np.errstate(divide="ignore", invalid="ignore"):
            m = np.array(np.where(np.abs(minus) >= np.abs(plus), 2.0 / minus, plus / (2.0 * c * w)) / v)
        singular = ~np.isfinite(m)
        if np.any(singular):
            m[singular] = complex(0.0, np.inf)
        return m[()]

    def pdf(self, x):
        """Density of the continuous part (the atom at 0 excluded)."""
        x = as_real_array("x", x)
        c, v = self.ratio, self.variance
        out = np.zeros(x.shape)
        inside = (x > self.lower) & (x < self.upper)
        xi = x[inside]
        out[inside] = np.sqrt((self.upper - xi) * (xi - self.lower)) / (2.0 * np.pi * v * c * xi)
        return out

    def moment(self, k):
        """Narayana moments :math:`v^k\\sum_r c^r/(r+1)\\binom{k}{r}\\binom{k-1}{r}` (exact)."""
        k = check_int("k", k, minimum=0)
        if k == 0:
            return 1.0
        c = self.ratio
        total = sum(c**r / (r + 1) * comb(k, r) * comb(k - 1, r) for r in range(k))
        return float(self.variance**k * total)

    # ------------------------------------------------------------ simulation
    def matrix(self, p, seed=None):
        """A sample ``Z Zᵀ/n``, ``Z`` ``p × n`` Gaussian, ``n = round(p/ratio)``."""
        p = check_size("p", p)
        n = max(1, int(round(p / self.ratio)))
        rng = as_generator(seed)
        Z = rng.standard_normal((p, n)) * np.sqrt(self.variance)
        return Z @ Z.T / n

    def sample(self, p, seed=None):
        """Eigenvalues of one sampled ``Z Zᵀ/n`` as an :class:`EmpiricalSpectrum`.

        Uses the smaller of ``Z Zᵀ`` and ``ZᵀZ`` and pads with exact zeros.
        """
        p = check_size("p", p)
        n = max(1, int(round(p / self.ratio)))
        rng = as_generator(seed)
        Z = rng.standard_normal((p, n)) * np.sqrt(self.variance)
        if p <= n:
            eig = np.linalg.eigvalsh(Z @ Z.T / n)
        else:
            eig = np.concatenate([np.zeros(p - n), np.linalg.eigvalsh(Z.T @ Z / n)])
        return EmpiricalSpectrum(eig, matrix_label=f"Z Z^T / n, p={p}, n={n}")

    def simulate(self, p, seed=None):
        """The protocol's name for :meth:`sample`: the :class:`EmpiricalSpectrum` of one ``p × p`` draw."""
        return self.sample(p, seed=seed)
