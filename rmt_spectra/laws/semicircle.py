r"""Wigner's semicircle law.

For a Wigner matrix ``H = (G + Gᵀ)/√(2p)`` scaled so that off-diagonal entries
have variance ``variance/p``, the spectrum converges to the semicircle of
radius ``R = 2√variance`` centred at ``center``:
:math:`\rho(x) = \sqrt{R^2 - (x-x_0)^2}/(2\pi\,\mathrm{variance})`,
:math:`m(z) = (-(z-x_0) + \sqrt{z-x_0-R}\sqrt{z-x_0+R})/(2\,\mathrm{variance})`
(principal roots: the branch with :math:`m \sim -1/z`). Even moments are
Catalan numbers, :math:`E(\lambda-x_0)^{2k} = C_k\,\mathrm{variance}^k`.
"""
from __future__ import annotations

from math import comb

import numpy as np

from .._validation import (
    as_complex_array,
    as_generator,
    as_real_array,
    check_int,
    check_positive,
    check_real,
    check_size,
)
from ..empirical.spectrum import EmpiricalSpectrum
from ..spectrum import Spectrum

__all__ = ["Semicircle"]


class Semicircle(Spectrum):
    """Semicircle law with the given ``variance`` (second central moment) and ``center``.

    The limit of a Wigner matrix: density ``√(4v − (x − c)²)/(2πv)`` on ``[c − 2√v, c + 2√v]``,
    Stieltjes transform ``m(z) = (c − z + √(z − a)√(z − b))/(2v)`` (the branch with ``m ~ −1/z``).

    Parameters
    ----------
    variance : float > 0
        ``v``, the second central moment.
    center : float
        ``c``.
    """

    matrix_label = "Wigner matrix (G + G^T)/sqrt(2p) * sqrt(variance) + center"

    def __init__(self, variance=1.0, center=0.0):
        self.variance = check_positive("variance", variance)
        self.center = check_real("center", center)
        self.radius = 2.0 * np.sqrt(self.variance)

    def __repr__(self):
        return f"Semicircle(variance={self.variance:g}, center={self.center:g})"

    @property
    def support(self):
        return [(self.center - self.radius, self.center + self.radius)]

    def stieltjes(self, z):
        z = as_complex_array("z", z)
        w = z - self.center
        w = np.where(np.imag(w) == 0, np.real(w) + 0j, w)
        s = np.sqrt(w - self.radius) * np.sqrt(w + self.radius)
        plus, minus = -w + s, -w - s
        # m = plus/(2v) = 2/minus (the product of the roots is 1/v); avoid cancellation.
        with np.errstate(divide="ignore", invalid="ignore"):
            m = np.where(np.abs(minus) >= np.abs(plus), 2.0 / minus, plus / (2.0 * self.variance))
        return np.asarray(m)[()]

    def pdf(self, x):
        x = as_real_array("x", x)
        u = x - self.center
        inside = np.abs(u) < self.radius
        out = np.zeros(x.shape)
        out[inside] = np.sqrt(self.radius**2 - u[inside] ** 2) / (2.0 * np.pi * self.variance)
        return out

    def cdf(self, x):
        x = as_real_array("x", x)
        u = np.clip((x - self.center) / self.radius, -1.0, 1.0)
        return 0.5 + (u * np.sqrt(1.0 - u**2) + np.arcsin(u)) / np.pi

    def moment(self, k):
        """Exact moments: binomial expansion around the center with Catalan central moments."""
        k = check_int("k", k, minimum=0)
        total = 0.0
        for j in range(0, k + 1, 2):
            catalan = comb(j, j // 2) / (j // 2 + 1)
            total += comb(k, j) * self.center ** (k - j) * catalan * self.variance ** (j // 2)
        return float(total)

    def matrix(self, p, seed=None):
        """A GOE-type sample with this limiting law."""
        p = check_size("p", p)
        rng = as_generator(seed)
        G = rng.standard_normal((p, p))
        return (G + G.T) * np.sqrt(self.variance / (2.0 * p)) + self.center * np.eye(p)

    def sample(self, p, seed=None):
        return EmpiricalSpectrum(np.linalg.eigvalsh(self.matrix(p, seed)), matrix_label=f"Wigner, p={p}")

    def simulate(self, p, seed=None):
        """The protocol's name for :meth:`sample`: the :class:`EmpiricalSpectrum` of one ``p × p`` draw."""
        return self.sample(p, seed=seed)
