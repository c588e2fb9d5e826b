r"""The spectrum of one simulated matrix, with the same protocol as the laws.

For eigenvalues :math:`\lambda_1 \le \dots \le \lambda_p` the empirical measure
is :math:`\frac1p\sum_j \delta_{\lambda_j}`, with Stieltjes transform
:math:`m_p(z) = \frac1p\sum_j 1/(\lambda_j - z)` and the empirical cdf as cdf.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_complex_array, as_real_array, check_int, check_nonnegative, check_real
from ..spectrum import Outlier, Spectrum

__all__ = ["EmpiricalSpectrum"]

#: Stieltjes sums are done in blocks of this many (z, λ) pairs to bound memory.
_BLOCK = 2**22


class EmpiricalSpectrum(Spectrum):
    """Eigenvalues of a simulated symmetric matrix, as a spectrum.

    Parameters
    ----------
    eigenvalues : array_like
        Real eigenvalues (any order; stored sorted ascending).
    matrix_label : str, optional
        Which matrix they belong to (e.g. ``"F^T F / n"``).
    zero_tol : float, optional
        Eigenvalues with ``|λ| <= zero_tol`` count as the atom at 0 (exact
        zeros of a rank-deficient matrix come out of ``eigvalsh`` at round-off
        level). Default ``p · eps · max|λ| · 10``.

    Notes
    -----
    ``support`` is the single interval ``[λ_min, λ_max]`` of the non-zero
    eigenvalues; ``pdf(x)`` is the Cauchy-smoothed density
    ``Im m_p(x + iη)/π`` (a kernel density estimate with bandwidth ``η``),
    ``histogram`` the plain one.
    """

    def __init__(self, eigenvalues, matrix_label: str = "", zero_tol: float | None = None):
        eig = np.asarray(eigenvalues)
        if np.iscomplexobj(eig):
            if np.any(np.abs(eig.imag) > 1e-8 * (1 + np.abs(eig.real))):
                raise ValueError("eigenvalues must be real (a symmetric matrix's spectrum)")
            eig = eig.real
        if eig.ndim > 1:
            raise ValueError(f"eigenvalues must be a 1-d array, got shape {eig.shape} "
                             "(for a matrix use EmpiricalSpectrum.from_matrix)")
        eig = as_real_array("eigenvalues", eig).ravel()
        if eig.size == 0:
            raise ValueError("eigenvalues must not be empty")
        if not np.all(np.isfinite(eig)):
            raise ValueError("eigenvalues must be finite")
        self.eigenvalues = np.sort(eig)
        self.matrix_label = matrix_label
        scale = float(np.max(np.abs(self.eigenvalues)))
        if zero_tol is None:
            zero_tol = 10.0 * eig.size * np.finfo(float).eps * max(scale, 1e-300)
        self.zero_tol = check_nonnegative("zero_tol", zero_tol)

    @classmethod
    def from_matrix(cls, matrix, matrix_label: str = "", **kwargs):
        """Eigenvalues of a symmetric matrix (``numpy.linalg.eigvalsh``)."""
        a = np.asarray(matrix)
        if a.ndim != 2 or a.shape[0] != a.shape[1]:
            raise ValueError(f"matrix must be square, got shape {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError("matrix must be finite (no NaN or inf)")
        scale = float(np.max(np.abs(a), initial=0.0))
        if np.max(np.abs(a - a.T.conj()), initial=0.0) > 1e-10 * max(scale, 1e-300):
            raise ValueError("matrix must be symmetric (Hermitian): eigvalsh reads one triangle only")
        return cls(np.linalg.eigvalsh(a), matrix_label=matrix_label, **kwargs)

    @classmethod
    def from_features(cls, F, matrix_label: str = "F^T F / n", **kwargs):
        """Eigenvalues of ``FᵀF/n`` for an ``n × N`` feature matrix ``F``.

        Uses the smaller of ``FᵀF/n`` (``N × N``) and ``FFᵀ/n`` (``n × n``) and
        pads the ``N − n`` exact zeros when ``N > n``.
        """
        F = np.asarray(F)
        if F.ndim != 2:
            raise ValueError(f"F must be a 2-d (n x N) array, got shape {F.shape}")
        n, N = F.shape
        if N <= n:
            eig = np.linalg.eigvalsh(F.T @ F / n)
        else:
            eig = np.concatenate([np.zeros(N - n), np.linalg.eigvalsh(F @ F.T / n)])
        return cls(eig, matrix_label=matrix_label, **kwargs)

    def __repr__(self):
        return f"EmpiricalSpectrum(p={self.size}, range=[{self.eigenvalues[0]:.4g}, {self.eigenvalues[-1]:.4g}])"

    def __len__(self):
        return self.size

    @property
    def size(self) -> int:
        return int(self.eigenvalues.size)

    # ------------------------------------------------------------------ protocol
    @property
    def _nonzero(self):
        return self.eigenvalues[np.abs(self.eigenvalues) > self.zero_tol]

    @property
    def support(self):
        nz = self._nonzero
        if nz.size == 0:
            return []
        return [(float(nz[0]), float(nz[-1]))]

    @property
    def atoms(self):
        """The atom at 0 (eigenvalues within ``zero_tol``), if any."""
        zeros = int(np.count_nonzero(np.abs(self.eigenvalues) <= self.zero_tol))
        return [(0.0, zeros / self.size)] if zeros else []

    def stieltjes(self, z):
        """``(1/p) Σ_j 1/(λ_j − z)``, vectorized over ``z`` (blocked to bound memory).

        At a real ``z`` equal to an eigenvalue the boundary value ``m(z + i0)`` is ``1j*inf``
        (a point mass), as for the atoms of every other spectrum.
        """
        z = as_complex_array("z", z)
        flat = z.ravel()
        out = np.empty(flat.shape, complex)
        step = max(1, _BLOCK // self.size)
        lam = self.eigenvalues[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            for start in range(0, flat.size, step):
                block = flat[start : start + step, None]
                out[start : start + step] = np.mean(1.0 / (lam - block), axis=1)
        on_eigenvalue = (flat.imag == 0) & np.isin(flat.real, self.eigenvalues)
        out[on_eigenvalue] = complex(0.0, np.inf)
        return out.reshape(z.shape)

    def pdf(self, x, eta=None):
        """Cauchy-kernel density estimate ``Im m_p(x + iη)/π``, atoms excluded.

        ``eta`` defaults to ``(λ_max − λ_min)/√p`` of the non-zero part. The
        Cauchy kernel has heavy tails, so the bias is ``O(η)``: compare with a
        law smoothed the same way, ``Im law.stieltjes(x + 1j*eta)/π``, whose
        difference to this estimate is only the ``O(1/(p η))`` fluctuation.
        """
        x = as_real_array("x", x)
        nz = self._nonzero
        if nz.size == 0:
            return np.zeros(x.shape)
        if eta is None:
            eta = max((nz[-1] - nz[0]) / np.sqrt(nz.size), 1e-12)
        eta = check_real("eta", eta)
        if eta <= 0:
            raise ValueError("eta must be > 0")
        frac = nz.size / self.size
        return frac * np.imag(EmpiricalSpectrum(nz).stieltjes(x + 1j * eta)) / np.pi

    def cdf(self, x):
        """Empirical cdf ``#{λ_j ≤ x}/p`` (right-continuous)."""
        x = as_real_array("x", x)
        return np.searchsorted(self.eigenvalues, x, side="right") / self.size

    def ppf(self, q):
        """Empirical quantiles (inverse cdf, lower)."""
        q = as_real_array("q", q)
        if np.any((q < 0) | (q > 1)):
            raise ValueError("q must lie in [0, 1]")
        idx = np.clip(np.ceil(q * self.size).astype(int) - 1, 0, self.size - 1)
        return self.eigenvalues[idx]

    def moment(self, k):
        """``(1/p) Σ λ_j^k``."""
        k = check_int("k", k, minimum=0)
        return float(np.mean(self.eigenvalues**k))

    @property
    def total_mass(self) -> float:
        return 1.0

    # ------------------------------------------------------------------ extras
    def histogram(self, bins="auto", range=None, exclude_atoms=True):
        """Density histogram of the eigenvalues (``numpy.histogram``).

        With ``exclude_atoms`` the zero eigenvalues are left out and the
        heights are scaled by the non-zero fraction, so the histogram estimates
        the density of the continuous part, comparable with ``pdf`` of a law.
        """
        values = self._nonzero if exclude_atoms else self.eigenvalues
        if values.size == 0:
            return np.zeros(0), np.zeros(1)
        heights, edges = np.histogram(values, bins=bins, range=range, density=True)
        return heights * (values.size / self.size), edges

    def largest(self, k=1):
        """The ``k`` largest eigenvalues, in decreasing order."""
        k = check_int("k", k, minimum=1)
        return self.eigenvalues[::-1][:k].copy()

    def outliers(self, edge=None, theory=None, margin=0.0):
        """Eigenvalues beyond a right ``edge`` (or beyond ``theory``'s bulk), as records.

        Parameters
        ----------
        edge : float, optional
            Right edge of the bulk. If omitted, ``theory.support``'s largest
            edge is used; with neither, returns ``[]``.
        theory : Spectrum, optional
        margin : float, default 0
            Only eigenvalues above ``edge + margin`` count (finite-size
            fluctuations of the top bulk eigenvalue are ``O(p^{-2/3})``).
        """
        if edge is None:
            if theory is None or not theory.support:
                return []
            edge = max(b for _, b in theory.support)
        edge = check_real("edge", edge)
        beyond = self.eigenvalues[self.eigenvalues > edge + margin][::-1]
        return [Outlier(float(v), source="measured") for v in beyond]
