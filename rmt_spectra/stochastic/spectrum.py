r"""Stochastic spectra of ``Σ̂ = FᵀF/n`` without forming it: SLQ and KPM, with error bars.

:func:`stochastic_spectrum` estimates the spectral measure of a symmetric operator from a few
random probes ``v`` (Rademacher, ``‖v‖ = 1``): ``E[vᵀf(A)v] = tr f(A)/N``. Each probe gives a
discrete measure,

* ``method="slq"`` — stochastic Lanczos quadrature [UCS17]: ``degree`` Lanczos steps, the Gauss
  quadrature of ``vᵀf(A)v`` (nodes = Ritz values, weights = squared first eigenvector
  components);
* ``method="kpm"`` — the kernel polynomial method [WWAF06], [LSY16]: ``degree`` Chebyshev
  moments ``vᵀT_m(Ã)v`` of the rescaled operator, Jackson damping (a nonnegative density),
  turned into a quadrature on ``4·degree`` Chebyshev points;

and the spectrum is their average; the spread over probes gives standard errors for
``stieltjes(z)``, ``cdf(x)`` and ``moment(k)`` and a confidence band for the cdf
(:meth:`StochasticSpectrum.cdf_band`). The largest eigenvalues are computed by Lanczos (ARPACK,
matrix-free); those separated from the rest by a clear gap are the **outliers**: they are
deflated (the probes and every product are projected on their orthogonal complement), so the
quadrature resolves the bulk instead of spending its nodes between the bulk and an ``O(N)``
eigenvalue, and the measure of ``A`` is ``((N − q)/N)·bulk + (1/N)Σ δ_{λ_i}``.

Cost: ``n_probes·degree`` products ``V ↦ Fᵀ(FV)/n`` of ``4nN`` flops each (in blocks of
``n_probes`` vectors) plus the top eigenvalues, against ``2nN² + N³`` for ``eigvalsh``; memory
``O(nN + degree·N·n_probes)``.

Accuracy of one probe: its measure differs from the spectral measure by ``O(N^{-1/2})``
(random weights) — the spread reported — and the Gauss quadrature brackets the cdf between
the partial sums of the weights around each node (the Chebyshev–Markov–Stieltjes
inequalities): the band is that bracket widened by the probe spread, so it covers both errors.
Where a density is singular (the hard edge at 0 of ``FᵀF/n`` when ``N = n``), the first node
carries a large weight and the bracket, not the spread, dominates: raise ``degree`` there.
"""
from __future__ import annotations

import math
import warnings
from functools import cached_property

import numpy as np

from .._lazy import lazy_import
from .._validation import as_complex_array, as_generator, as_real_array, check_int, check_positive
from ..spectrum import Outlier, Spectrum
from .lanczos import block_lanczos, gauss_quadrature, rademacher_probes
from .operator import GramOperator, as_operator

stats = lazy_import("scipy.stats")
interpolate = lazy_import("scipy.interpolate")
sparse_linalg = lazy_import("scipy.sparse.linalg")

__all__ = ["StochasticSpectrum", "stochastic_spectrum", "top_eigenvalues", "METHODS"]

METHODS = ("slq", "kpm")


class StochasticSpectrum(Spectrum):
    """A spectral measure estimated from random probes (built by :func:`stochastic_spectrum`).

    Parameters
    ----------
    nodes, weights : list of ndarray
        Per probe, the discrete measure of the bulk (weights summing to 1).
    size : int
        ``N``, the dimension of the operator.
    rank : int, optional
        The probes' space: ``n`` when the nonzero spectrum was computed on the companion ``FFᵀ/n``
        (``N > n``), the rest being the null space (an atom of mass ``(N − n)/N`` at 0); default ``N``.
    top : array_like
        The largest eigenvalues computed (descending).
    n_outliers : int
        How many of ``top`` are outliers (deflated before the probes ran).
    method : str
        ``"slq"`` or ``"kpm"``.
    degree : int
        Lanczos steps or Chebyshev moments per probe.
    matrix_label : str
        Which matrix the spectrum belongs to.
    info : dict
        Diagnostics: products used, orthogonality of the Lanczos basis, the top eigensolver's
        residuals, wall time.
    confidence : float
        Level of :meth:`cdf_band`.

    Attributes
    ----------
    n_probes : int
    bulk_fraction : float
        ``(N − q)/N``, the mass of the bulk (``q`` outliers).
    zero_mass : float
        Mass of the atom at 0 (rank-deficient ``FᵀF/n`` when ``N > n``), averaged over probes.
    """

    def __init__(self, nodes, weights, *, size, rank=None, top=(), n_outliers=0, method="slq", degree=0,
                 matrix_label="F^T F / n", info=None, confidence=0.95, nonnegative=False):
        self.size = int(size)
        self.rank = self.size if rank is None else int(rank)
        self.null_mass = (self.size - self.rank) / self.size
        self.top = np.sort(np.asarray(top, float))[::-1]
        self.n_outliers = int(n_outliers)
        self.method, self.degree = method, int(degree)
        self.matrix_label = matrix_label
        self.info = dict(info or {})
        self.confidence = float(confidence)
        self.n_probes = len(nodes)
        self.bulk_fraction = (self.rank - self.n_outliers) / self.size
        scale = max(max(float(np.max(np.abs(t))) for t in nodes), 1e-300)
        self.zero_tol = 1e-8 * scale
        self._zero = np.array([float(np.sum(w[np.abs(t) <= self.zero_tol])) for t, w in zip(nodes, weights)])
        self.zero_mass = float(self.null_mass + self.bulk_fraction * self._zero.mean())
        keep = [np.abs(t) > self.zero_tol for t in nodes]
        self._nodes = [np.asarray(t[k], float) for t, k in zip(nodes, keep)]
        self._weights = [np.asarray(w[k], float) for w, k in zip(weights, keep)]
        self.nonnegative = bool(nonnegative)
        self._cdf_pieces = [self._probe_cdf_points(t, w, self.nonnegative) for t, w in zip(self._nodes, self._weights)]

    # ------------------------------------------------------------------ per probe
    @staticmethod
    def _probe_cdf_points(t, w, nonnegative=False):
        """Points ``(x, F)`` of one probe's continuous cdf: midpoints of the weight at each node (the ramp
        below the first node starts at 0 at the latest for a nonnegative operator)."""
        if t.size == 0:
            return np.array([0.0, 1.0]), np.array([0.0, 0.0])
        c = np.cumsum(w)
        F = c - w / 2
        pad = (t[-1] - t[0]) / max(t.size, 1) if t.size > 1 else max(abs(t[0]), 1.0) * 1e-3
        lo = t[0] - (t[1] - t[0]) / 2 if t.size > 1 else t[0] - pad
        if nonnegative and t[0] > 0:
            lo = max(lo, 0.0)
        hi = t[-1] + (t[-1] - t[-2]) / 2 if t.size > 1 else t[-1] + pad
        x = np.concatenate([[lo], t, [hi]])
        return x, np.concatenate([[0.0], F, [float(c[-1])]])

    def _per_probe_cdf(self, x):
        """Bulk cdf (continuous part, no atom) of each probe at ``x``: shape ``(p,) + x.shape``."""
        out = []
        for xs, Fs in self._cdf_pieces:
            out.append(np.interp(x, xs, Fs, left=0.0, right=Fs[-1]))
        return np.array(out)

    @cached_property
    def _pdf_pieces(self):
        """Per probe, the derivative of the monotone (PCHIP) interpolant of its cdf points (built once)."""
        return [interpolate.PchipInterpolator(xs, Fs, extrapolate=False).derivative() if xs.size >= 3 else None
                for xs, Fs in self._cdf_pieces]

    def _per_probe_pdf(self, x):
        out = []
        for dpch in self._pdf_pieces:
            if dpch is None:
                out.append(np.zeros(np.shape(x)))
                continue
            out.append(np.maximum(np.nan_to_num(dpch(x), nan=0.0), 0.0))
        return np.array(out)

    def _spread(self, values):
        mean = values.mean(axis=0)
        if self.n_probes < 2:
            return mean, np.full(mean.shape, np.nan)
        return mean, values.std(axis=0, ddof=1) / math.sqrt(self.n_probes)

    # ------------------------------------------------------------------ protocol
    @property
    def support(self):
        """``[(smallest, largest)]`` bulk node over the probes (outliers excluded)."""
        lo = min((float(t[0]) for t in self._nodes if t.size), default=0.0)
        hi = max((float(t[-1]) for t in self._nodes if t.size), default=0.0)
        return [(lo, hi)] if hi > lo else []

    @property
    def atoms(self):
        """``[(0, mass)]`` when the probes see a null space (``N > n``), else ``[]``."""
        return [(0.0, self.zero_mass)] if self.zero_mass > 1e-12 else []

    def outliers(self, edge=None, theory=None, margin=0.0):
        """The outliers: the deflated top eigenvalues, or those of :attr:`top` beyond a given ``edge``.

        Parameters
        ----------
        edge : float, optional
            Right edge of the bulk; if omitted (and no ``theory``), the outliers found by the gap
            rule of :func:`stochastic_spectrum`.
        theory : Spectrum, optional
            Use its largest support edge as ``edge``.
        margin : float, default 0
            Only eigenvalues above ``edge + margin`` count.

        Returns
        -------
        list of Outlier
        """
        if edge is None and theory is not None and theory.support:
            edge = max(b for _, b in theory.support)
        if edge is None:
            vals = self.top[: self.n_outliers]
        else:
            vals = self.top[self.top > float(edge) + margin]
        return [Outlier(float(v), source="measured") for v in vals]

    def stieltjes(self, z, *, return_se=False, broadening=None):
        """``m(z)`` of the whole measure (bulk, atom at 0, outliers), averaged over probes.

        Parameters
        ----------
        z : complex or array_like
            Points; real points inside the bulk are evaluated at ``x + i·broadening``.
        return_se : bool, default False
            Also return the standard error over probes (NaN with one probe).
        broadening : float, optional
            Height used on the real axis inside the bulk (default: twice the mean node spacing).

        Returns
        -------
        ndarray of complex (and ndarray of float)
        """
        z = as_complex_array("z", z)
        zz = z.copy()
        if broadening is None:
            spacing = np.mean([np.mean(np.diff(t)) for t in self._nodes if t.size > 1]) if self._nodes else 0.0
            broadening = 2.0 * float(spacing) if np.isfinite(spacing) and spacing > 0 else 1e-3
        lo, hi = self.support[0] if self.support else (0.0, 0.0)
        real_inside = (np.abs(zz.imag) == 0) & (zz.real >= lo) & (zz.real <= hi)
        zz[real_inside] = zz[real_inside] + 1j * broadening
        flat = zz.ravel()
        per = np.array([np.sum(w[:, None] / (t[:, None] - flat[None, :]), axis=0)
                        for t, w in zip(self._nodes, self._weights)])
        zero = np.array(self._zero)[:, None] * (-1.0 / flat[None, :])
        per = self.bulk_fraction * (per + zero) - self.null_mass / flat[None, :]
        mean, se_re = self._spread(per.real)
        _, se_im = self._spread(per.imag)
        out = (mean + 1j * per.imag.mean(axis=0))
        out = out + np.sum(1.0 / (self.top[: self.n_outliers, None] - flat[None, :]), axis=0) / self.size
        out = out.reshape(z.shape)
        if return_se:
            return out, np.hypot(se_re, se_im).reshape(z.shape)
        return out

    def cdf(self, x, *, return_se=False):
        """Cumulative distribution of the whole measure (atom and outliers included).

        Parameters
        ----------
        x : float or array_like
        return_se : bool, default False
            Also return the standard error over probes.

        Returns
        -------
        ndarray (and ndarray)
        """
        x = as_real_array("x", x)
        per = (self.bulk_fraction * (self._per_probe_cdf(x) + self._zero.reshape((-1,) + (1,) * x.ndim) * (x >= 0))
               + self.null_mass * (x >= 0))
        mean, se = self._spread(per)
        mean = mean + np.sum(self.top[: self.n_outliers, None] <= x.ravel()[None, :], axis=0).reshape(x.shape) / self.size
        return (mean, se) if return_se else mean

    def cdf_band(self, x, confidence=None):
        """Pointwise confidence band of the cdf: the Gauss-quadrature bracket widened by the probe spread.

        Each probe's cdf at ``x ∈ [θ_j, θ_{j+1})`` lies in ``[C_{j−1}, C_{j+1}]`` (``C_j`` the partial
        sums of its weights; the Chebyshev–Markov–Stieltjes inequalities); the band is the probe
        average of that bracket, widened by ``t·s.e.`` (Student t over probes) on each side.

        Parameters
        ----------
        x : float or array_like
        confidence : float, optional
            Level (default :attr:`confidence`).

        Returns
        -------
        (ndarray, ndarray)
            Lower and upper ends, clipped to ``[0, 1]``.
        """
        x = as_real_array("x", x)
        level = self.confidence if confidence is None else float(confidence)
        _, se = self.cdf(x, return_se=True)
        t = float(stats.t.ppf(0.5 + level / 2, max(self.n_probes - 1, 1)))
        lower, upper = self._bracket(x)
        spread = t * np.nan_to_num(se, nan=0.0)
        return np.clip(lower - spread, 0.0, 1.0), np.clip(upper + spread, 0.0, 1.0)

    def _bracket(self, x):
        """Probe-averaged Gauss bracket ``[C_{j−1}, C_{j+1}]`` of the whole cdf at ``x``."""
        lo_all, up_all = [], []
        for t, w in zip(self._nodes, self._weights):
            C = np.concatenate([[0.0], np.cumsum(w)])           # C[j] = sum of the first j weights
            j = np.searchsorted(t, x, side="right")            # nodes <= x
            lower = C[np.clip(j - 1, 0, t.size)]
            upper = C[np.clip(j + 1, 0, t.size)]
            if self.nonnegative:
                upper = np.where(x < 0, 0.0, upper)
            lo_all.append(lower)
            up_all.append(upper)
        outl = np.sum(self.top[: self.n_outliers, None] <= x.ravel()[None, :], axis=0).reshape(x.shape) / self.size
        atom = self.null_mass * (x >= 0)
        zero = np.mean(self._zero) * (x >= 0)
        f = self.bulk_fraction
        return (f * (np.mean(lo_all, axis=0) + zero) + atom + outl, f * (np.mean(up_all, axis=0) + zero) + atom + outl)

    def pdf(self, x, *, return_se=False):
        """Density of the bulk (the derivative of a monotone interpolation of each probe's cdf).

        Parameters
        ----------
        x : float or array_like
        return_se : bool, default False

        Returns
        -------
        ndarray (and ndarray)
        """
        x = as_real_array("x", x)
        per = self.bulk_fraction * self._per_probe_pdf(x)
        mean, se = self._spread(per)
        return (mean, se) if return_se else mean

    def moment(self, k, *, return_se=False):
        """``∫ λ^k dμ`` (outliers included), with its standard error on request."""
        k = check_int("k", k, minimum=0)
        per = np.array([self.bulk_fraction * np.sum(w * t**k) + ((self.bulk_fraction * z0 + self.null_mass) if k == 0
                                                                 else 0.0)
                        for t, w, z0 in zip(self._nodes, self._weights, self._zero)])
        mean, se = self._spread(per)
        mean = float(mean + np.sum(self.top[: self.n_outliers] ** k) / self.size)
        return (mean, float(se)) if return_se else mean

    def __repr__(self):
        return (f"StochasticSpectrum(method={self.method!r}, N={self.size}, n_probes={self.n_probes}, "
                f"degree={self.degree}, outliers={self.n_outliers}, matrix={self.matrix_label!r})")


# ---------------------------------------------------------------------- top eigenvalues
def top_eigenvalues(operator, k, *, tol=1e-8, seed=None):
    """The ``k`` largest eigenvalues and eigenvectors of a symmetric operator (ARPACK, matrix-free).

    Parameters
    ----------
    operator : GramOperator
    k : int >= 1
    tol : float
        ARPACK's relative tolerance.
    seed : int or Generator, optional
        Starting vector.

    Returns
    -------
    (ndarray, ndarray, ndarray)
        Eigenvalues (descending), eigenvectors ``(N, k)`` and residual norms ``‖Au − λu‖``.
    """
    N = operator.size
    k = check_int("k", k, minimum=1)
    if k >= N - 1:
        A = operator.dense()
        vals, vecs = np.linalg.eigh(A)
        vals, vecs = vals[::-1][:k], vecs[:, ::-1][:, :k]
    else:
        rng = as_generator(seed)
        lin = sparse_linalg.LinearOperator((N, N), matvec=lambda v: operator.matmat(v.reshape(-1)),
                                           matmat=operator.matmat, dtype=float)
        vals, vecs = sparse_linalg.eigsh(lin, k=k, which="LA", tol=tol, v0=rng.standard_normal(N),
                                         ncv=min(N, max(2 * k + 1, 20)))
        order = np.argsort(vals)[::-1]
        vals, vecs = vals[order], vecs[:, order]
    res = np.linalg.norm(operator.matmat(vecs) - vecs * vals, axis=0)
    return vals, vecs, res


def _count_outliers(top, gap):
    """Leading entries of ``top`` (descending) separated from the rest by a gap ``> gap ×`` the bulk spacing."""
    if top.size < 4:
        return 0
    g = -np.diff(top)
    spacing = float(np.median(g[g.size // 2:]))
    if spacing <= 0:
        spacing = float(np.mean(g[g.size // 2:])) or 1e-300
    big = np.nonzero(g > gap * spacing)[0]
    return int(big.max() + 1) if big.size else 0


# ---------------------------------------------------------------------- KPM
def _kpm_quadrature(matmat, V, degree, lo, hi):
    """Per probe: Jackson-damped Chebyshev density on ``[lo, hi]`` as a quadrature on 4·degree points."""
    M = int(degree)
    c, h = (hi + lo) / 2, (hi - lo) / 2

    def scaled(X):
        return (matmat(X) - c * X) / h

    mu = np.zeros((M, V.shape[1]))
    t0, t1 = V, scaled(V)
    mu[0] = np.einsum("np,np->p", V, t0)
    if M > 1:
        mu[1] = np.einsum("np,np->p", V, t1)
    for m in range(2, M):
        t0, t1 = t1, 2 * scaled(t1) - t0
        mu[m] = np.einsum("np,np->p", V, t1)
    m = np.arange(M)
    q = math.pi / (M + 1)
    g = ((M - m + 1) * np.cos(q * m) + np.sin(q * m) / math.tan(q)) / (M + 1)   # Jackson kernel
    L = 4 * M
    theta = math.pi * (np.arange(L) + 0.5) / L
    T = np.cos(np.outer(theta, m))                                             # T_m(cos θ_l)
    coef = g[:, None] * mu * np.where(m == 0, 1.0, 2.0)[:, None]
    dens = T @ coef / L                                                         # weight of node l (arcsine quadrature)
    nodes = c + h * np.cos(theta)
    order = np.argsort(nodes)
    out_nodes, out_weights = [], []
    for i in range(V.shape[1]):
        w = np.maximum(dens[order, i], 0.0)
        out_nodes.append(nodes[order])
        out_weights.append(w / w.sum())
    return out_nodes, out_weights


# ---------------------------------------------------------------------- the function
def _ritz_top(nodes, residuals, n_top, tol):
    """Converged Ritz values of all probes (``residual <= tol``), merged, descending, at most ``n_top``.

    Also returns the pooled nodes (descending) for the gap rule.
    """
    def merge(values):
        out = []
        for v in np.sort(values)[::-1]:
            if not out or abs(out[-1] - v) > 1e3 * tol:
                out.append(float(v))
        return np.array(out)

    conv = merge(np.concatenate([t[r <= tol] for t, r in zip(nodes, residuals)]))
    return conv[:n_top], merge(np.concatenate(nodes))


def stochastic_spectrum(source, *, method="slq", n_probes=4, degree=120, seed=None, backend="numpy",
                        n_top=None, outlier_gap=8.0, confidence=0.95):
    r"""Spectrum of ``Σ̂ = FᵀF/n`` (or any symmetric operator) from a few random probes, matrix-free.

    See the module docstring for the methods and their error bars.

    Parameters
    ----------
    source : array_like, torch.Tensor, GramOperator or OneStepResult
        The features ``F`` (``n × N``), an operator, or a simulated step (its features after the step).
    method : {"slq", "kpm"}, default "slq"
        Stochastic Lanczos quadrature or the kernel polynomial method.
    n_probes : int >= 1, default 4
        Random probes (the standard errors and the band need at least 2).
    degree : int >= 2, default 120
        Lanczos steps (SLQ) or Chebyshev moments (KPM) per probe.
    seed : int or numpy.random.Generator, optional
        The probes and the eigensolver's start (same seed, same numbers).
    backend : {"numpy", "torch"}, default "numpy"
        Where the products ``Fᵀ(FV)`` run; ``"torch"`` moves a numpy ``F`` to CUDA when available.
    n_top : int >= 0, optional
        Largest eigenvalues computed by ARPACK before the probes run; those beyond a gap (the
        outliers) are deflated. Default: 0 for SLQ (its Lanczos runs resolve outliers by themselves:
        the top eigenvalues are then its converged Ritz values, at no extra product), 10 for KPM
        (whose polynomial resolution needs the outliers removed).
    outlier_gap : float > 0, default 8
        A leading eigenvalue is an outlier when a gap above ``outlier_gap`` times the spacing of the
        lower half of the top eigenvalues separates it from the rest.
    confidence : float in (0, 1), default 0.95
        Level of :meth:`StochasticSpectrum.cdf_band`.

    Returns
    -------
    StochasticSpectrum

    Examples
    --------
    >>> res = rs.simulate_one_step(4000, 2000, 1000, 1000, eta_tilde=3.0, second_layer="pm1")  # doctest: +SKIP
    >>> spec = rs.stochastic_spectrum(res, n_probes=4, degree=100, seed=0)                      # doctest: +SKIP
    >>> rs.compare(theory, spec).ks                                                           # doctest: +SKIP
    """
    import time

    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if backend not in ("numpy", "torch"):
        raise ValueError(f"backend must be 'numpy' or 'torch', got {backend!r}")
    n_probes = check_int("n_probes", n_probes, minimum=1)
    degree = check_int("degree", degree, minimum=2)
    n_top = (0 if method == "slq" else 10) if n_top is None else check_int("n_top", n_top, minimum=0)
    outlier_gap = check_positive("outlier_gap", outlier_gap)
    confidence = check_positive("confidence", confidence)
    if confidence >= 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    rng = as_generator(seed)
    op = as_operator(source)
    if backend == "torch" and op.F is not None and not op._torch:
        from ..simulation.backend import get_backend

        be = get_backend("torch")
        op = GramOperator(be.asarray(np.asarray(op.F)), scale=op.scale, chunk_rows=op.chunk_rows)
    N = op.size
    t0 = time.perf_counter()
    start = op.matvecs
    rank = N
    if op.F is not None and op.F.shape[0] < N:
        # N > n: the nonzero eigenvalues of FᵀF/n are those of FFᵀ/n; probe the n-dimensional companion
        # (cheaper, and its null space is exact: mass (N − n)/N at 0)
        full = op
        op = full.companion()
        rank = op.size

    dim = op.size
    top = np.zeros(0)
    U = np.zeros((dim, 0))
    residuals = np.zeros(0)
    n_out = 0
    if n_top:
        k = min(n_top, dim)
        top, vecs, residuals = top_eigenvalues(op, k, seed=rng)
        n_out = _count_outliers(top, outlier_gap)
        U = vecs[:, :n_out]

    def project(X):
        return X - U @ (U.T @ X) if U.shape[1] else X

    def matmat(X):
        return project(op.matmat(X))

    V = project(rademacher_probes(dim, n_probes, rng))
    V /= np.linalg.norm(V, axis=0)
    info = {"top_residuals": residuals}
    if method == "slq":
        lz = block_lanczos(matmat, V, min(degree, dim - n_out))
        nodes, weights, ritz_res = gauss_quadrature(lz, residuals=True)
        info.update(orthogonality=lz.orthogonality, steps=lz.steps)
        if lz.orthogonality > 1e-6:
            warnings.warn(f"stochastic_spectrum: the Lanczos basis lost orthogonality (max |QᵀQ − I| = "
                          f"{lz.orthogonality:.2g}); the quadrature may duplicate eigenvalues", RuntimeWarning,
                          stacklevel=2)
        if not n_top:
            scale = max(float(np.max(np.abs(t))) for t in nodes)
            top, pooled = _ritz_top(nodes, ritz_res, 10, 1e-8 * scale)
            n_out = min(_count_outliers(pooled[:12], outlier_gap), top.size)
            top = top if n_out else top[:0]
            if n_out:
                # the outliers stay in the probes' measures (weight ≈ (vᵀu)² each): take them out and
                # put them back with their exact mass 1/N
                keep = [t < top[n_out - 1] - 1e3 * 1e-8 * scale for t in nodes]
                nodes = [t[k] for t, k in zip(nodes, keep)]
                weights = [w[k] / w[k].sum() for w, k in zip(weights, keep)]
            info.update(top_residuals=np.zeros(top.size), top_from="ritz")
    else:
        probe = block_lanczos(matmat, V[:, :1], min(30, dim - n_out))
        ritz = gauss_quadrature(probe)[0][0]
        width = ritz[-1] - ritz[0]
        lo, hi = ritz[0] - 0.02 * width - 1e-12, ritz[-1] + 0.02 * width + 1e-12
        nodes, weights = _kpm_quadrature(matmat, V, degree, lo, hi)
        info.update(interval=(lo, hi))
    info.update(matvecs=op.matvecs - (start if rank == N else 0), wall_time_s=time.perf_counter() - t0)
    if n_probes < 2:
        warnings.warn("stochastic_spectrum: one probe gives no standard error (n_probes >= 2 for bands)",
                      UserWarning, stacklevel=2)
    return StochasticSpectrum(nodes, weights, size=N, rank=rank, top=top, n_outliers=n_out, method=method,
                              degree=degree, matrix_label=GramOperator.matrix_label if rank < N else op.matrix_label,
                              info=info, confidence=confidence, nonnegative=op.F is not None)
