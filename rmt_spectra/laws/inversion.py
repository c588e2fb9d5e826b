r"""From a Stieltjes transform to a density, a cdf and a law.

The inversion formula (README conventions):
:math:`\rho(x) = \lim_{\varepsilon\downarrow 0}\operatorname{Im} m(x + i\varepsilon)/\pi`.

When the transform can be evaluated on the real axis itself (every law of this
package can), ``eta=0`` gives the density exactly. For a transform known only
off the axis, ``Im m(x + iη)/π`` is the density convolved with a Cauchy kernel
of width ``η``: its bias is ``O(η)`` (``O(η²)`` away from edges). With
``extrapolate=True`` the Richardson combination ``2ρ_η − ρ_{2η}`` removes the
first-order term, leaving ``O(η²)`` where the density is smooth.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_real_array, check_nonnegative
from ..spectrum import Spectrum

__all__ = ["density_from_stieltjes", "StieltjesLaw"]


def density_from_stieltjes(stieltjes, x, eta=0.0, extrapolate=False):
    """Density ``Im m(x + iη)/π`` of any Stieltjes function on a real grid.

    Parameters
    ----------
    stieltjes : callable
        Vectorized complex function ``z -> m(z)``.
    x : array_like
        Real points.
    eta : float, default 0
        Distance from the axis (0: boundary value, for transforms that accept real z).
    extrapolate : bool, default False
        Richardson extrapolation in ``η`` (``2ρ_η − ρ_{2η}``); needs ``eta > 0``.

    Returns
    -------
    ndarray, shape of ``x``
        ``ρ(x) = Im m(x + iη)/π`` (or its extrapolation), negative values (round-off,
        extrapolation undershoot) clipped to 0.
    """
    x = as_real_array("x", x)
    eta = check_nonnegative("eta", eta)
    if not callable(stieltjes):
        raise TypeError("stieltjes must be a callable z -> m(z)")
    rho = np.imag(stieltjes(x + 1j * eta)) / np.pi
    if extrapolate:
        if eta == 0:
            raise ValueError("extrapolate=True needs eta > 0")
        rho = 2.0 * rho - np.imag(stieltjes(x + 2j * eta)) / np.pi
    return np.maximum(rho, 0.0)


class StieltjesLaw(Spectrum):
    """A law given by its Stieltjes transform, its support and its atoms.

    The density is obtained by inversion (``eta``/``extrapolate`` as in
    :func:`density_from_stieltjes`), and cdf, moments and quantiles follow from
    the shared machinery of :class:`~rmt_spectra.spectrum.Spectrum`.

    Parameters
    ----------
    stieltjes : callable
        ``z -> m(z)`` on the upper half-plane (vectorized).
    support : list of (float, float)
        The intervals of the continuous part.
    atoms : list of (location, mass)
        Point masses, each in ``(0, 1]``, together at most 1.
    eta : float >= 0
        Height of the inversion ``Im m(x + iη)/π`` (0: the boundary value).
    extrapolate : bool
        Richardson extrapolation in ``η`` (see :func:`density_from_stieltjes`).
    matrix_label : str
        Which matrix the spectrum belongs to.
    """

    def __init__(self, stieltjes, support, atoms=(), eta=0.0, extrapolate=False, matrix_label=""):
        if not callable(stieltjes):
            raise TypeError("stieltjes must be a callable z -> m(z)")
        self._m = stieltjes
        try:
            intervals = [(float(a), float(b)) for a, b in support]
        except (TypeError, ValueError):
            raise TypeError(f"support must be a list of (left, right) pairs of floats, got {support!r}") from None
        for a, b in intervals:
            if not (np.isfinite(a) and np.isfinite(b) and b > a):
                raise ValueError(f"support intervals must be finite with left < right, got {(a, b)}")
        self._support = sorted(intervals)
        try:
            self._atoms = [(float(l), float(w)) for l, w in atoms]
        except (TypeError, ValueError):
            raise TypeError(f"atoms must be a list of (location, mass) pairs of floats, got {atoms!r}") from None
        for loc, mass in self._atoms:
            if not (np.isfinite(loc) and np.isfinite(mass) and 0.0 < mass <= 1.0):
                raise ValueError(f"atoms must be (location, mass) with a finite location and 0 < mass <= 1, "
                                 f"got {(loc, mass)}")
        if sum(m for _, m in self._atoms) > 1.0 + 1e-12:
            raise ValueError(f"atoms: the masses sum to {sum(m for _, m in self._atoms):g} > 1 "
                             "(a spectrum has total mass 1)")
        self.eta = check_nonnegative("eta", eta)
        self.extrapolate = bool(extrapolate)
        self.matrix_label = matrix_label

    @property
    def support(self):
        return list(self._support)

    @property
    def atoms(self):
        return list(self._atoms)

    def stieltjes(self, z):
        return self._m(np.asarray(z, dtype=complex))

    def pdf(self, x):
        x = as_real_array("x", x)
        out = np.zeros(x.shape)
        inside = self._in_support(x)
        out[inside] = density_from_stieltjes(self._m, x[inside], self.eta, self.extrapolate)
        return out
