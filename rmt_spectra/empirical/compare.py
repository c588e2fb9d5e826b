r"""Theory against simulation, in numbers.

:func:`compare` takes any spectrum (a law, a deterministic equivalent) and an
:class:`EmpiricalSpectrum` and returns a :class:`Comparison` with

* ``ks``: Kolmogorov–Smirnov distance :math:`\sup_x |F_p(x) - F(x)|`, computed
  exactly for a theory with atoms (left and right limits at every eigenvalue);
* ``w1``: Wasserstein-1 distance :math:`\int |F_p - F|\,dx`;
* ``stieltjes_error``: relative errors :math:`|m_p(z) - m(z)|/|m(z)|` at points
  off the axis (default: above the left edge, the centre and the right edge of
  the bulk at heights 0.1 and 0.5 of its width);
* ``outliers``: each predicted outlier matched with a measured eigenvalue
  (the largest eigenvalues for outliers above the bulk, the smallest below);
  by default the matched eigenvalues are then left out of the three distances.

Expected sizes, for reference: for eigenvalues of a ``p × p`` random matrix the
KS distance to the limit is much smaller than for ``p`` i.i.d. draws (rigidity:
``O(log p / p)`` in the bulk), but a finite-size *deterministic equivalent*
only removes the ``O(1/p)`` bias; the DKW bound for i.i.d. draws,
:math:`\sqrt{\ln(2/\alpha)/(2p)}`, is reported as ``ks_iid_bound`` as a
conservative yardstick.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validation import as_complex_array
from ..gaussian.quadrature import gauss_legendre
from ..spectrum import Spectrum
from ..stochastic.spectrum import StochasticSpectrum
from .spectrum import EmpiricalSpectrum

__all__ = ["compare", "Comparison", "OutlierMatch", "ks_distance", "wasserstein1"]


@dataclass(frozen=True)
class OutlierMatch:
    """A predicted outlier and the eigenvalue matched to it.

    Parameters
    ----------
    predicted : float
        Location of the predicted outlier (:attr:`rmt_spectra.spectrum.Outlier.location`).
    measured : float
        The empirical eigenvalue matched to it by :func:`compare`.
    source : str, default ""
        What produced the prediction (the outlier's ``source``).

    Attributes
    ----------
    abs_error : float
        ``|measured − predicted|``.
    rel_error : float
        ``|measured − predicted| / |predicted|`` (denominator floored at 1e-300).
    """

    predicted: float
    measured: float
    source: str = ""

    @property
    def abs_error(self) -> float:
        return abs(self.measured - self.predicted)

    @property
    def rel_error(self) -> float:
        return abs(self.measured - self.predicted) / max(abs(self.predicted), 1e-300)


@dataclass
class Comparison:
    """Distances between a theoretical spectrum and an empirical one.

    Built by :func:`compare`; all distances refer to the compared (bulk) eigenvalues.

    Parameters
    ----------
    ks : float
        Kolmogorov–Smirnov distance ``sup_x |F_p(x) − F(x)|`` (:func:`ks_distance`), in ``[0, 1]``.
    w1 : float
        Wasserstein-1 distance ``∫ |F_p − F| dx`` (:func:`wasserstein1`).
    z : ndarray of complex, shape ``(K,)``
        Points where the Stieltjes transforms are compared.
    stieltjes_theory : ndarray of complex, shape ``(K,)``
        ``m(z)`` of the theory.
    stieltjes_empirical : ndarray of complex, shape ``(K,)``
        ``m_p(z) = (1/p) Σ_j 1/(λ_j − z)`` of the compared eigenvalues.
    outliers : list of OutlierMatch, default []
        Predicted outliers above the bulk (largest first), then below it (smallest first).
    bulk_edge_theory : float, default NaN
        Right end of the theory's support (``inf`` when the theory has no support interval).
    bulk_edge_measured : float, default NaN
        Largest eigenvalue not matched to an outlier above the bulk.
    size : int, default 0
        Number ``p`` of eigenvalues compared (after leaving out the matched outliers, if so asked).
    ks_se : float, default NaN
        For a stochastic spectrum: the standard error (over probes) of its cdf where the KS
        distance is attained.
    ks_bracket : float, default NaN
        For a stochastic spectrum: the half-width of its Gauss-quadrature bracket where the KS
        distance is attained (the discretization's own uncertainty, beyond the probes').
    stieltjes_se : ndarray, optional
        For a stochastic spectrum: standard errors of ``stieltjes_empirical``.
    method : str, default "exact"
        ``"exact"`` (eigenvalues) or the stochastic method (``"slq"``, ``"kpm"``).

    Attributes
    ----------
    stieltjes_errors : ndarray, shape ``(K,)``
        ``|m_p(z) − m(z)|/|m(z)|`` at each point of ``z``.
    stieltjes_error : float
        Their maximum.
    ks_iid_bound : float
        DKW 95 % bound ``√(ln(2/0.05)/(2p))`` for ``p = size`` i.i.d. draws.
    """

    ks: float
    w1: float
    z: np.ndarray
    stieltjes_theory: np.ndarray
    stieltjes_empirical: np.ndarray
    outliers: list[OutlierMatch] = field(default_factory=list)
    bulk_edge_theory: float = np.nan
    bulk_edge_measured: float = np.nan
    size: int = 0
    ks_se: float = np.nan
    ks_bracket: float = np.nan
    stieltjes_se: np.ndarray | None = None
    method: str = "exact"

    @property
    def stieltjes_errors(self) -> np.ndarray:
        """Relative errors at each point of ``z``."""
        return np.abs(self.stieltjes_empirical - self.stieltjes_theory) / np.abs(self.stieltjes_theory)

    @property
    def stieltjes_error(self) -> float:
        """Largest relative Stieltjes error over ``z``."""
        return float(np.max(self.stieltjes_errors))

    @property
    def ks_iid_bound(self) -> float:
        """DKW 95 % bound for ``size`` i.i.d. draws (a conservative yardstick)."""
        return float(np.sqrt(np.log(2 / 0.05) / (2 * self.size)))

    def as_dict(self) -> dict:
        return {
            "size": self.size,
            "method": self.method,
            "ks": self.ks,
            "ks_se": self.ks_se,
            "ks_bracket": self.ks_bracket,
            "w1": self.w1,
            "stieltjes_error": self.stieltjes_error,
            "bulk_edge_theory": self.bulk_edge_theory,
            "bulk_edge_measured": self.bulk_edge_measured,
            "outliers": [
                {"predicted": o.predicted, "measured": o.measured, "rel_error": o.rel_error, "source": o.source}
                for o in self.outliers
            ],
        }

    def __str__(self):
        lines = [
            f"eigenvalues        {self.size}",
            (f"KS distance        {self.ks:.4g}   (i.i.d. DKW 95% bound {self.ks_iid_bound:.3g})" if self.method == "exact"
             else f"KS distance        {self.ks:.4g} ± {self.ks_se:.2g} (s.e. over probes) ± {self.ks_bracket:.2g} "
                  f"(quadrature bracket, {self.method})"),
            f"Wasserstein-1      {self.w1:.4g}",
            f"Stieltjes rel.err  {self.stieltjes_error:.3g}  (max over {self.z.size} points off the axis)",
            f"right edge         theory {self.bulk_edge_theory:.6g}   largest bulk eigenvalue {self.bulk_edge_measured:.6g}",
        ]
        for o in self.outliers:
            lines.append(f"outlier {o.source or '':<10} predicted {o.predicted:.6g}   measured {o.measured:.6g}   rel.err {o.rel_error:.2e}")
        return "\n".join(lines)


def _snap_to_atoms(eig, atoms, tol):
    eig = eig.copy()
    for loc, _ in atoms:
        eig[np.abs(eig - loc) <= tol] = loc
    return np.sort(eig)


def _theory_cdf_left(theory, x, cdf_right):
    left = cdf_right.copy()
    for loc, mass in theory.atoms:
        left[x == loc] -= mass
    return left


def ks_distance(theory: Spectrum, eigenvalues) -> float:
    """Exact KS distance between the empirical cdf of ``eigenvalues`` and ``theory.cdf``.

    ``sup_x |F_p(x) − F(x)|`` is attained at an eigenvalue, from the right or from the left
    (``F_p`` is constant between eigenvalues and ``F`` is monotone), so both one-sided limits are
    compared at every distinct eigenvalue; the left limit of ``F`` subtracts the mass of a theory
    atom sitting exactly at that eigenvalue.

    Parameters
    ----------
    theory : Spectrum
        Any spectrum with ``cdf`` (right-continuous) and ``atoms``.
    eigenvalues : array_like, shape ``(p,)``
        The empirical eigenvalues (any order; ties allowed; ``p >= 1``).

    Returns
    -------
    float
        The KS distance, in ``[0, 1]``.
    """
    eig = np.sort(np.asarray(eigenvalues, float))
    p = eig.size
    values, counts = np.unique(eig, return_counts=True)
    upper = np.cumsum(counts) / p
    lower = upper - counts / p
    F = theory.cdf(values)
    F_left = _theory_cdf_left(theory, values, F)
    return float(max(np.max(np.abs(F - upper)), np.max(np.abs(F_left - lower))))


def wasserstein1(theory: Spectrum, eigenvalues, nodes: int = 4) -> float:
    r""":math:`\int |F_p(x) - F(x)| dx` by Gauss–Legendre on each gap between breakpoints.

    Breakpoints are the eigenvalues, the theory's edges and atoms, so ``F_p`` is
    constant on every panel; the error is that of ``nodes``-point quadrature of
    the smooth ``F`` (plus one kink per panel where the two cross).

    Parameters
    ----------
    theory : Spectrum
        Any spectrum with ``cdf``, ``support`` and ``atoms``.
    eigenvalues : array_like, shape ``(p,)``
        The empirical eigenvalues (any order, ``p >= 1``).
    nodes : int >= 1, default 4
        Gauss–Legendre nodes per panel.

    Returns
    -------
    float
        ``W₁ >= 0``, integrated between the smallest and largest breakpoint (outside them both
        cdfs are 0 or 1 when the theory's mass lies in its support and atoms); 0 with fewer than
        two breakpoints.
    """
    eig = np.sort(np.asarray(eigenvalues, float))
    p = eig.size
    pts = np.concatenate([eig, np.ravel(theory.support) if theory.support else [], [l for l, _ in theory.atoms]])
    pts = np.unique(pts)
    if pts.size < 2:
        return 0.0
    a, b = pts[:-1], pts[1:]
    xg, wg = gauss_legendre(int(nodes))
    half = 0.5 * (b - a)
    x = 0.5 * (a + b)[:, None] + half[:, None] * xg[None, :]
    Fp = (np.searchsorted(eig, a, side="right") / p)[:, None]
    F = theory.cdf(x.ravel()).reshape(x.shape)
    return float(np.sum(half[:, None] * wg[None, :] * np.abs(Fp - F)))


def _default_points(theory: Spectrum, empirical: EmpiricalSpectrum):
    support = theory.support or empirical.support
    lo = min(a for a, _ in support)
    hi = max(b for _, b in support)
    width = max(hi - lo, 1e-12)
    xs = np.array([lo, 0.5 * (lo + hi), hi])
    ys = np.array([0.1, 0.5]) * width
    return (xs[None, :] + 1j * ys[:, None]).ravel()


def compare(theory: Spectrum, empirical, z=None, atom_tol=None, exclude_outliers=True) -> Comparison:
    """Compare a theoretical spectrum with an empirical one (see the module docstring).

    Parameters
    ----------
    theory : Spectrum
        Any object of the common protocol (law, deterministic equivalent).
    empirical : EmpiricalSpectrum, StochasticSpectrum or array_like
        The simulated eigenvalues, or a matrix-free estimate of their distribution
        (:func:`rmt_spectra.stochastic_spectrum`: then ``ks``, ``w1`` and the Stieltjes errors are
        computed on a grid against its probe-averaged cdf, with standard errors ``ks_se`` and
        ``stieltjes_se``; outliers are matched with its top eigenvalues).
    z : array_like of complex, optional
        Points for the Stieltjes errors (``Im z > 0`` recommended).
    atom_tol : float, optional
        Eigenvalues this close to a theoretical atom are put on it (default:
        the empirical ``zero_tol``), so round-off zeros count in the atom.
    exclude_outliers : bool, default True
        Leave the eigenvalues matched to predicted outliers out of ``ks``,
        ``w1`` and the Stieltjes errors (the bulk is compared with the remaining
        ``p − k``): outliers carry vanishing mass in the limit law, and a single
        outlier at distance ``L`` would otherwise add ``L/p`` to ``w1``.
        Unpredicted eigenvalues beyond the bulk always count.

    Returns
    -------
    Comparison
        ``ks``, ``w1``, the Stieltjes transforms at ``z`` (default: the 6 points
        ``x + i y`` with ``x`` the left edge, centre and right edge of the theory's support hull (the
        empirical one if the theory has none) and ``y`` = 0.1 and 0.5 times its width), the matched
        outliers and the theoretical and measured right bulk edges.

    Notes
    -----
    Matching: the predicted outliers above the right end of the support, largest first (each
    counted ``multiplicity`` times), take the largest eigenvalues in order; those below the left
    end, smallest first, take the smallest ones; at least one eigenvalue is always left unmatched.
    """
    if not isinstance(theory, Spectrum):
        raise TypeError(f"theory must be a Spectrum (law or deterministic equivalent), got {type(theory).__name__}")
    if isinstance(empirical, StochasticSpectrum):
        return _compare_stochastic(theory, empirical, z)
    if not isinstance(empirical, EmpiricalSpectrum):
        try:
            empirical = EmpiricalSpectrum(empirical)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"empirical must be an EmpiricalSpectrum or an array of eigenvalues: {exc}") from None
    tol = empirical.zero_tol if atom_tol is None else float(atom_tol)
    eig = _snap_to_atoms(empirical.eigenvalues, theory.atoms, tol)

    predicted = theory.outliers()
    right = max((b for _, b in theory.support), default=np.inf)
    left = min((a for a, _ in theory.support), default=-np.inf)
    above = sorted((o for o in predicted if o.location > right), key=lambda o: -o.location)
    below = sorted((o for o in predicted if o.location < left), key=lambda o: o.location)
    matches = []
    top, bottom = eig[::-1], eig
    i = 0
    for o in above:
        for _ in range(o.multiplicity):
            if i < eig.size - 1:
                matches.append(OutlierMatch(o.location, float(top[i]), o.source))
                i += 1
    n_above = i
    j = 0
    for o in below:
        for _ in range(o.multiplicity):
            if j < eig.size - n_above - 1:
                matches.append(OutlierMatch(o.location, float(bottom[j]), o.source))
                j += 1
    bulk_top = float(top[n_above]) if n_above < eig.size else np.nan
    bulk = eig[j : eig.size - n_above] if exclude_outliers else eig

    ks = ks_distance(theory, bulk)
    w1 = wasserstein1(theory, bulk)
    z = _default_points(theory, empirical) if z is None else as_complex_array("z", z).ravel()
    m_theory = np.asarray(theory.stieltjes(z), complex)
    m_emp = EmpiricalSpectrum(bulk).stieltjes(z)

    return Comparison(
        ks=ks,
        w1=w1,
        z=z,
        stieltjes_theory=m_theory,
        stieltjes_empirical=m_emp,
        outliers=matches,
        bulk_edge_theory=float(right),
        bulk_edge_measured=bulk_top,
        size=bulk.size,
    )


def _compare_stochastic(theory, stochastic, z=None, n_grid=4000):
    """:func:`compare` against a :class:`StochasticSpectrum` (grid distances, errors over probes)."""
    predicted = theory.outliers()
    right = max((b for _, b in theory.support), default=np.inf)
    above = sorted((o for o in predicted if o.location > right), key=lambda o: -o.location)
    top = stochastic.top
    matches = []
    for o in above:
        for _ in range(o.multiplicity):
            if len(matches) < top.size:
                matches.append(OutlierMatch(o.location, float(top[len(matches)]), o.source))
    m = len(matches)
    N = stochastic.size
    matched = top[:m]
    # the largest bulk eigenvalue: the next top eigenvalue, else the largest bulk node of the probes
    bulk_edge = float(top[m]) if top.size > m else float(max((b for _, b in stochastic.support), default=np.nan))
    lo = min([a for a, _ in theory.support] + [a for a, _ in stochastic.support] + [0.0])
    hi = max([b for _, b in theory.support] + [b for _, b in stochastic.support])
    pad = 0.02 * (hi - lo)
    x = np.unique(np.concatenate([np.linspace(lo - pad, hi + pad, n_grid), theory.edges if theory.support else [],
                                  [loc for loc, _ in theory.atoms]]))
    F_st, se = stochastic.cdf(x, return_se=True)
    F_st = (N * F_st - np.sum(matched[:, None] <= x[None, :], axis=0)) / (N - m)
    se = se * N / (N - m)
    F_th = theory.cdf(x)
    diff = np.abs(F_th - F_st)
    i = int(np.argmax(diff))
    lower, upper = stochastic._bracket(x[i:i + 1])
    bracket = float(max(F_st[i] - (N * lower[0] - np.sum(matched <= x[i])) / (N - m),
                        (N * upper[0] - np.sum(matched <= x[i])) / (N - m) - F_st[i], 0.0))
    w1 = float(np.trapezoid(diff, x)) if hasattr(np, "trapezoid") else float(np.trapz(diff, x))
    if z is None:
        width = max(hi - lo, 1e-12)
        xs = np.array([lo, 0.5 * (lo + hi), hi])
        z = (xs[None, :] + 1j * np.array([0.1, 0.5])[:, None] * width).ravel()
    else:
        z = as_complex_array("z", z).ravel()
    m_st, m_se = stochastic.stieltjes(z, return_se=True)
    m_bulk = (N * m_st - np.sum(1.0 / (matched[:, None] - z[None, :]), axis=0)) / (N - m)
    return Comparison(
        ks=float(diff[i]), w1=w1, z=z, stieltjes_theory=np.asarray(theory.stieltjes(z), complex),
        stieltjes_empirical=m_bulk, outliers=matches, bulk_edge_theory=float(right),
        bulk_edge_measured=bulk_edge, size=N - m,
        ks_se=float(se[i]), ks_bracket=bracket, stieltjes_se=m_se * N / (N - m), method=stochastic.method,
    )
