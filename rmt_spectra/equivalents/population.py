r"""Population spectra :math:`H` (the law of the eigenvalues of a population covariance).

A :class:`Population` is a finite mixture of atoms :math:`H = \sum_k w_k \delta_{t_k}`
with :math:`t_k \ge 0` — or, with ``signed=True``, real atoms of either sign:
the law of the weights ``w_μ`` of a weighted sample covariance
``(1/n) Σ_μ w_μ x_μ x_μᵀ`` (:class:`~rmt_spectra.equivalents.WeightedSampleCovariance`),
which the same Silverstein equation describes. Continuous laws are represented by a high-order
quadrature: on each support interval :math:`[a, b]` the nodes are
:math:`t = a + (b-a)(1-\cos\theta)/2` with Gauss–Legendre nodes in
:math:`\theta \in [0, \pi]` and weights :math:`\rho(t)\,dt/d\theta`, which
turns square-root (and inverse square-root) edges into smooth integrands.
The intervals that were discretized are remembered in
``continuous_support``: the support solver (:mod:`.support`) uses them to tell
the spurious gaps between neighbouring quadrature nodes from genuine gaps.
"""
from __future__ import annotations

import numpy as np

from .._validation import check_int, check_nonnegative, check_positive, check_real
from ..gaussian.quadrature import gauss_legendre
from ..spectrum import _graded_t

__all__ = ["Population"]


class Population:
    """A population spectrum :math:`H = \\sum_k w_k \\delta_{t_k}` (``t_k >= 0``).

    Parameters
    ----------
    atoms : array_like
        Locations ``t_k >= 0`` (covariance eigenvalues), finite.
    weights : array_like, optional
        Non-negative finite weights (default: equal); normalized to sum 1.
    continuous_support : sequence of (a, b), optional
        Intervals on which the atoms discretize a continuous law (set by
        :meth:`from_law` / :meth:`from_density`; leave empty for a genuinely
        discrete population).
    signed : bool
        Allow negative atoms (default False: a covariance spectrum is >= 0).

    Examples
    --------
    >>> from rmt_spectra.equivalents import Population
    >>> H = Population([1.0, 4.0], [0.5, 0.5])
    >>> H.moment(1)
    2.5
    """

    def __init__(self, atoms, weights=None, *, continuous_support=(), discretization_error=0.0, signed=False):
        t = check_real("atoms", atoms, allow_array=True).astype(float).ravel()
        if t.size == 0:
            raise ValueError("atoms must not be empty")
        self.signed = bool(signed)
        if not self.signed and np.any(t < 0):
            raise ValueError("atoms must be >= 0 (covariance eigenvalues), got a negative atom; "
                             "pass signed=True for the weights of a weighted sample covariance")
        if weights is None:
            w = np.full(t.size, 1.0 / t.size)
        else:
            w = check_real("weights", weights, allow_array=True).astype(float).ravel()
            if w.shape != t.shape:
                raise ValueError(f"weights must have the same length as atoms ({t.size}), got {w.size}")
            if np.any(w < 0):
                raise ValueError("weights must be >= 0")
            total = w.sum()
            if not total > 0:
                raise ValueError("weights must have a positive sum")
            w = w / total
        keep = w > 0
        t, w = t[keep], w[keep]
        order = np.argsort(t, kind="stable")
        self.atoms = t[order]
        self.weights = w[order]
        cs = []
        for ab in continuous_support:
            a, b = float(ab[0]), float(ab[1])
            if not (np.isfinite(a) and np.isfinite(b) and b > a):
                raise ValueError(f"continuous_support intervals must be finite with a < b, got {ab!r}")
            cs.append((a, b))
        self.continuous_support = cs
        self.discretization_error = float(discretization_error)

    # ------------------------------------------------------------ constructors
    @classmethod
    def from_law(cls, law, n_nodes: int = 1000, *, signed=False, tail_mass=0.0):
        """Discretize a spectrum of the package (continuous part by quadrature, atoms kept).

        ``n_nodes`` quadrature nodes in all, shared between the support
        intervals in proportion to their mass (at least 16 each). ``signed=True``
        accepts a law with negative support (e.g. the spectrum of a weighted
        sample covariance with signed weights). ``tail_mass > 0`` leaves out the
        two extreme tails of that mass each (the range ``[ppf(tail_mass),
        ppf(1 − tail_mass)]``): for a law whose formal support ends in a very
        thin tail, the nodes then resolve the bulk instead of the tail.
        """
        n_nodes = check_int("n_nodes", n_nodes, minimum=2)
        if not hasattr(law, "support") or not hasattr(law, "pdf"):
            raise TypeError(f"law must be a Spectrum (with support and pdf), got {type(law).__name__}")
        atoms = [(float(l), float(m)) for l, m in law.atoms]
        # support pieces, split (with graded ends) where the law says its density is singular
        pieces = law._table_intervals() if hasattr(law, "_table_intervals") else \
            [(float(a), float(b), (1, 1)) for a, b in law.support]
        if tail_mass > 0:
            lo_cut, hi_cut = (float(v) for v in law.ppf([tail_mass, 1.0 - tail_mass]))
            pieces = [(max(a, lo_cut), min(b, hi_cut), (gr[0] if a >= lo_cut else 1, gr[1] if b <= hi_cut else 1))
                      for a, b, gr in pieces]
        pieces = [(a, b, gr) for a, b, gr in pieces if b > a]
        cont_mass = max(0.0, 1.0 - sum(m for _, m in atoms))
        ts, ws, cs = [l for l, _ in atoms], [m for _, m in atoms], []
        if pieces and cont_mass > 0:
            # mass of each interval by a cheap preliminary quadrature
            masses = []
            for a, b, gr in pieces:
                tt, ww = _theta_nodes(a, b, 64, gr)
                masses.append(max(float(np.sum(law.pdf(tt) * ww)), 1e-300))
            masses = np.array(masses) / sum(masses)
            for (a, b, gr), frac in zip(pieces, masses):
                k = max(16, int(round(n_nodes * frac)))
                tt, ww = _theta_nodes(a, b, k, gr)
                ts.extend(tt)
                ws.extend(law.pdf(tt) * ww)
            for a, b, _ in pieces:
                cs.append((float(a), float(b)))
        raw = float(np.sum(ws))
        if not signed and np.any(np.asarray(ts) < 0):
            raise ValueError("law must be supported on [0, inf) to be a population spectrum (or pass signed=True)")
        return cls(np.array(ts), np.array(ws), continuous_support=cs, discretization_error=abs(raw - 1.0),
                   signed=signed)

    @classmethod
    def from_density(cls, pdf, interval, n_nodes: int = 1000):
        """Discretize a density ``pdf`` on ``interval = (a, b)``, ``0 <= a < b`` (normalized here)."""
        n_nodes = check_int("n_nodes", n_nodes, minimum=2)
        if not callable(pdf):
            raise TypeError("pdf must be callable")
        try:
            a, b = interval
        except (TypeError, ValueError):
            raise TypeError("interval must be a pair (a, b)") from None
        a = check_nonnegative("interval[0]", a)
        b = check_real("interval[1]", b)
        if not b > a:
            raise ValueError(f"interval must satisfy 0 <= a < b, got {interval!r}")
        tt, ww = _theta_nodes(a, b, n_nodes)
        vals = np.asarray(pdf(tt), float)
        if vals.shape != tt.shape or not np.all(np.isfinite(vals)) or np.any(vals < 0):
            raise ValueError("pdf must return finite non-negative values on the interval")
        return cls(tt, vals * ww, continuous_support=[(a, b)])

    def affine(self, scale, shift=0.0):
        """The law of ``scale·t + shift`` (``scale > 0``, result must stay ``>= 0``)."""
        scale = check_positive("scale", scale)
        shift = check_real("shift", shift)
        if not self.signed and self.atoms[0] * scale + shift < 0:
            raise ValueError("shift makes an atom negative; a population spectrum lives on [0, inf)")
        cs = [(a * scale + shift, b * scale + shift) for a, b in self.continuous_support]
        return Population(self.atoms * scale + shift, self.weights, continuous_support=cs,
                          discretization_error=self.discretization_error, signed=self.signed)

    def gauss_rule(self, n_nodes: int):
        r"""The ``n``-node Gauss rule of this discrete measure: a :class:`Population` with the same moments
        of orders ``0 … 2n − 1``.

        Lanczos on ``diag(t)`` from ``√w`` (:func:`~rmt_spectra.stochastic.lanczos.block_lanczos`, full
        re-orthogonalization) gives the Jacobi matrix; its eigenvalues are the nodes and the squared
        first components of its eigenvectors the weights (Golub–Welsch). A measure with fewer distinct
        atoms than ``n`` is returned as it is (the recursion breaks down: it is its own Gauss rule).
        Integrals of functions analytic near the hull of the atoms converge geometrically in ``n``:
        a few dozen nodes replace hundreds of quadrature nodes of a continuous law. Nodes lie strictly
        inside the hull, so functions singular at an end of it (a density with a jump there) converge
        slowly.

        Parameters
        ----------
        n_nodes : int >= 1

        Returns
        -------
        Population
            Atoms = Gauss nodes, weights = Christoffel numbers (``continuous_support`` kept).
        """
        from ..stochastic.lanczos import block_lanczos, gauss_quadrature

        n_nodes = check_int("n_nodes", n_nodes, minimum=1)
        if n_nodes >= self.atoms.size:
            return self
        mean = self.moment(1)
        spread = max(float(np.max(np.abs(self.atoms - mean))), 1e-300)
        centered = (self.atoms - mean) / spread  # scale-free recursion
        result = block_lanczos(lambda V: centered[:, None] * V, np.sqrt(self.weights)[:, None], n_nodes)
        (nodes,), (weights,) = gauss_quadrature(result)
        return Population(mean + spread * nodes, weights, continuous_support=self.continuous_support,
                          discretization_error=self.discretization_error, signed=self.signed)

    # ------------------------------------------------------------ properties
    def __len__(self):
        return self.atoms.size

    def __repr__(self):
        return f"Population({self.atoms.size} atoms in [{self.atoms[0]:.4g}, {self.atoms[-1]:.4g}], mean={self.mean():.4g})"

    @property
    def mass_at_zero(self) -> float:
        """``H({0})``."""
        return float(self.weights[self.atoms == 0].sum())

    def moment(self, k: int) -> float:
        """``∫ t^k dH(t)``."""
        k = check_int("k", k, minimum=0)
        return float(np.sum(self.weights * self.atoms**k))

    def mean(self) -> float:
        return self.moment(1)

    def var(self) -> float:
        return self.moment(2) - self.moment(1) ** 2

    def distinct(self):
        """Distinct nonzero atoms and their total weights (zeros dropped: they do not enter the equation)."""
        pos = self.atoms != 0
        t, w = self.atoms[pos], self.weights[pos]
        if t.size == 0:
            return t, w
        uniq, inv = np.unique(t, return_inverse=True)
        return uniq, np.bincount(inv, weights=w)


def _theta_nodes(a, b, n, grading=(1, 1)):
    """Gauss–Legendre in θ on [0, π] mapped by the angle variable of :class:`~rmt_spectra.spectrum.IntervalTable`
    (``t = a + (b-a) sin²(θ/2)``, graded at singular ends): nodes and dt-weights."""
    x, w = gauss_legendre(int(n))
    theta = 0.5 * np.pi * (x + 1.0)
    t, dt = _graded_t(a, b, grading, theta)
    return t, 0.5 * np.pi * w * dt
