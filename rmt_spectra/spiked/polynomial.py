r"""Polynomial spikes: the outliers of ``Σ̂ = FᵀF/n`` after a step ``η = n₀^α`` ([Mon23]).

The model
---------
For ``η = n₀^α`` the step is ``η̃ = η/√N`` in the large-step convention, so the
features after the step are described by the network-faithful equivalent of
:meth:`~rmt_spectra.SpikedFeatures.from_one_step` at that ``η̃`` (one equation for
the bulk and the outliers, no expansion in the step). Its outlier condition
``det(I + Q(z)S(z)) = 0`` (:mod:`rmt_spectra.spiked.outliers`) contains every
degree at once: the row mean given ``κ = ⟨ζ̂, x⟩`` is ``μ_{0,k}(κ) = E σ(s_k g + r_kκ)``,
whose Hermite expansion in ``κ`` holds the degree-``j`` spike with weight
``∝ r_k^j μ_j``, and a group pattern ``ā_k^j`` on the neurons. This replaces the
raw-power prediction ``size²/n`` (:func:`rmt_spectra.simulation.raw_power_spikes`),
which is 19–56 % off.

Asymptotically (``d → ∞`` at fixed α) a degree-``j`` spike separates iff
``α > (j − 1)/(2j)`` ([Mon23]); at the sizes users run, whether it is out of the bulk
is decided by the equation itself; :meth:`PolynomialSpikes.thresholds` gives the α
where each outlier leaves the bulk at the given sizes.

Labels (:func:`~rmt_spectra.spiked.outliers.label_outlier`, shared by every ``SpikedFeatures``)
-----------------------------------------------------------------------------------------------
Each outlier is the root of the outlier condition with a null vector ``w`` over the
directions (group indicators ``e_k``, ``b`` and row-norm directions). Its
neuron-side direction overlaps ``1_N`` by ``(Σ_k w_k √π_k)²/‖w‖²``; its sample-side
function is ``f(κ) = Σ_j w_j v_j(κ)``, with Hermite shares ``E[f He_j]²/j!``
normalized to 1. An outlier whose neuron-side direction is mostly ``1_N`` is the
**mean** outlier (``source="mean"``): the mean of σ, and the even degrees whose pattern
``ā^{∘2j}`` is (for constant or ±1 second layers) ``1_N`` itself, merge into it, as in
the network. Otherwise the label is the dominant degree, ``"degree-j spike"``.

Accuracy [measured against the simulated network]
--------------------------------------------------
Teacher tanh, ā = ±1 unless said, d = N, n = n₀ = 2d; relative error of each predicted
outlier against the mean of the measured ones (4 seeds; 2 at d = 2000, 8 for the last row):

=====================  ==================  ==================  ==================
setting                d = 500             d = 1000            d = 2000
=====================  ==================  ==================  ==================
ReLU, α = 0.30         +0.4 %, +2.0 %      +0.1 %, −0.6 %      +0.0 %, +1.6 %
ReLU const., α = 0.30  +1.3 %              +0.2 %              −0.2 %
ReLU Gauss., α = 0.30  +0.7 %, +0.8 %      +0.1 %, −0.3 %
ReLU, α = 0.35         +0.3 %, +0.8 %      +0.1 %, −1.2 %      +0.1 %, +1.8 %
tanh, α = 0.30         +0.6 %              −1.3 %              +1.6 %
poly, α = 0.30         −2.2 %, −3.6 %      −2.7 %, −3.8 %      +1.8 %, +1.7 %
poly, α = 0.35         −3.6 %, −3.4 %      −3.3 %, −4.4 %      +0.4 %, +1.5 %
=====================  ==================  ==================  ==================

(poly = He₁ + He₂/2 + He₃/6; its second outlier is the mean one, which carries the He₂ spike.)
The bulk edge is within −2.1 % … +1.7 % of the largest non-outlier eigenvalue at d = 1000
(+3 … +4 % at d = 500, where the top eigenvalue sits further below the edge).

Validity [measured]
-------------------
The equivalent keeps the gradient's ``E σ'''``-and-higher part as isotropic noise of
variance ``c_ρ = η̃² ā² (d/n₀) E r² v_h`` per row (``v_h = Var σ' − μ₂²``,
:mod:`rmt_spectra.spiked.network`). For a polynomial σ whose ``σ'`` has a large
``He₂`` part this noise is a cubic function of the row, and the model fails:
σ = He₁ + He₂ + He₃/3 (``v_h = 2``), ā = ±1, d = N = 1000, n = n₀ = 2000: at α = 0.30
(``c_ρ = 0.038``) the model's edge and outliers are 15–20 % low and its KS distance 0.02;
at α = 0.36 (``c_ρ = 0.094``) 20–760 eigenvalues leave the bulk. σ = He₁ + He₂/2 + He₃/6
(``v_h = 1/2``) at α = 0.35 (``c_ρ = 0.020``) is within 5 %. :data:`MAX_NOISE_RATIO` = 0.025
separates the two, and :data:`MAX_SHIFT` bounds the largest entrywise shift ``r √(2 log n)``
(the ``η ā_i ⟨ζ, x⟩/√N`` of the largest sample; ``c_ρ`` and ``r²`` averaged over ``ā``) —
beyond it no case was checked. Both apply to polynomial σ of degree ≥ 2, whose growth
amplifies the structure the noise model drops: bounded or linearly growing σ (ReLU, tanh,
softplus) were verified in the large-step regime with ``c_ρ`` up to 0.14 and shifts far
beyond (ReLU at η̃ = 3: outliers within 0.6 %), so for them the region is the large-step one
(:data:`~rmt_spectra.spiked.validity.VALIDITY`: η̃ ≤ 4, odd σ 5), and at ``n₀/d < 4`` steps up to
η̃ = :data:`MAX_SMALL_BATCH_ETA_TILDE` (verified at n₀/d = 2, α ≤ 0.35).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, replace

import numpy as np

from .._validation import check_int, check_nonnegative, check_real, check_size
from ..equivalents import ConjugateKernel
from ..simulation.spikes import spike_levels, top_singular
from ..spectrum import Outlier
from .features import SpikedFeatures
from .validity import VALIDITY

__all__ = ["PolynomialSpikes", "polynomial_spikes", "measure_polynomial_spikes", "hermite_directions",
           "MAX_NOISE_RATIO", "MAX_SHIFT", "OUTLIER_MARGIN"]

#: largest ``c_ρ`` (isotropic noise of the step per row) where the equivalent was verified (module docstring)
MAX_NOISE_RATIO = 0.025
#: largest ``max_k |r_k| √(2 log n)`` (the biggest entrywise shift of the pre-activations) that was checked
MAX_SHIFT = 1.5
#: at ``n₀/d < 4`` the equivalent was verified for steps up to this ``η̃`` (n₀/d = 2, α ≤ 0.35 at d = 1000)
MAX_SMALL_BATCH_ETA_TILDE = 0.5
#: an eigenvalue counts as an outlier when it exceeds ``OUTLIER_MARGIN × bulk_edge``
OUTLIER_MARGIN = 1.08


def _eta_from(alpha, eta, n0):
    if (alpha is None) == (eta is None):
        raise ValueError("give exactly one of alpha (eta = n0**alpha) and eta")
    if alpha is not None:
        alpha = check_real("alpha", alpha)
        if not 0.0 <= alpha < 0.5:
            raise ValueError(f"alpha must be in [0, 1/2) (pre-activations blow up for alpha >= 1/2), got {alpha}")
        return alpha, float(n0) ** alpha
    eta = check_nonnegative("eta", eta)
    if eta <= 0.0:
        raise ValueError(f"eta must be > 0, got {eta}")
    return math.log(eta) / math.log(n0) if n0 > 1 else float("nan"), eta


@dataclass
class PolynomialSpikes:
    """Predicted outliers of ``Σ̂ = FᵀF/n`` after a step ``η = n₀^α`` (module docstring).

    Built by :func:`polynomial_spikes`; every constructor argument is stored as the attribute of the same
    name. The spectrum protocol (``stieltjes``, ``pdf``, ``cdf``, ``moment``, ``support``, ``atoms``) is the
    bulk's; :meth:`outliers` adds the outliers.

    Parameters
    ----------
    alpha, eta, eta_tilde : float
        The step: ``η = n₀^α``, ``η̃ = η/√N``.
    n, d, N, n0 : int
        Fresh samples (rows of ``F``), input dimension, width, batch of the step.
    levels : int
        ``ℓ`` of [Mon23]: degrees that separate asymptotically (``(ℓ−1)/(2ℓ) < α < ℓ/(2ℓ+2)``).
    bulk : SpikedFeatures
        The equivalent after the step (its ``stieltjes``, ``pdf``, ``cdf``, ``support``).
    valid : bool
        Whether the setting is inside the verified region; ``reason`` says why not.
    reason : str
        The reasons of ``valid = False``, joined by ``"; "`` (empty when valid).
    diagnostics : dict
        ``c_rho`` (mean over the second layer), ``shift`` (``(E r_k²)^{1/2} √(2 log n)``), ``r`` (per group).
        Also ``zeta_norm`` (``‖ζ‖``).
    spec : dict
        The arguments of :func:`polynomial_spikes` (without ``alpha``/``eta``), to rebuild the
        equivalent at other α (:meth:`thresholds`).
    _outliers, _thresholds : optional
        Caches of :meth:`outliers` and :meth:`thresholds` (``None``: not computed yet).
    """

    alpha: float
    eta: float
    eta_tilde: float
    n: int
    d: int
    N: int
    n0: int
    levels: int
    bulk: object
    valid: bool
    reason: str
    diagnostics: dict
    spec: dict = field(repr=False)
    _outliers: list | None = field(default=None, repr=False)
    _thresholds: dict | None = field(default=None, repr=False)

    # -- the spectrum protocol is the bulk's, plus the outliers
    @property
    def bulk_edge(self) -> float:
        """Right edge of the bulk after the step (finite-size profile of the step included)."""
        return self.bulk.right_edge

    @property
    def support(self):
        return self.bulk.support

    @property
    def atoms(self):
        return self.bulk.atoms

    def stieltjes(self, z):
        return self.bulk.stieltjes(z)

    def pdf(self, x):
        return self.bulk.pdf(x)

    def cdf(self, x):
        return self.bulk.cdf(x)

    def moment(self, k):
        return self.bulk.moment(k)

    def outliers(self) -> list[Outlier]:
        """Every predicted outlier of ``Σ̂`` above the bulk, descending, labelled (module docstring).

        ``info``: ``degree`` (0 for the mean), ``mean_overlap`` (neuron side, with ``1_N``),
        ``hermite_shares`` (sample side, degrees 0..6), ``bulk_edge``, ``threshold_alpha``
        (once :meth:`thresholds` has run) and ``measured`` (filled by
        :func:`measure_polynomial_spikes`).
        """
        if self._outliers is None:
            self._outliers = _labelled_outliers(self.bulk)
        thr = self._thresholds or {}
        return [replace(o, info={**o.info, "threshold_alpha": thr.get(o.source)}) if thr else o
                for o in self._outliers]

    def thresholds(self, *, tol=2e-3) -> dict:
        """α at which each predicted outlier leaves the bulk at these sizes (bisection in α).

        ``{source: α*}``; ``α* = 0.0`` means it is there already at ``η = 1``, and ``None``
        for the mean outlier when it is present at initialization (``μ₀ ≠ 0``). Each
        evaluation builds the equivalent at one α (about 0.5 s).
        """
        if self._thresholds is None:
            out = {}
            for o in self.outliers():
                out[o.source] = _threshold(self, o.source, tol)
            self._thresholds = out
        return dict(self._thresholds)

    def __str__(self):
        head = (f"PolynomialSpikes(alpha={self.alpha:.4g}, eta={self.eta:.4g}, n={self.n}, d={self.d}, N={self.N}, "
                f"n0={self.n0}, levels={self.levels}, bulk_edge={self.bulk_edge:.4g}, valid={self.valid})")
        rows = [f"  {o.source:>16s}: {o.location:.5g}" + (f"  (measured {o.info['measured']:.5g})"
                                                          if o.info.get("measured") is not None else "")
                for o in self.outliers()]
        if not self.valid:
            rows.append("  not valid: " + self.reason)
        return "\n".join([head, *rows])


def polynomial_spikes(activation, alpha=None, n=None, d=None, N=None, *, n0=None, teacher="tanh", noise=0.0,
                      second_layer="pm1", eta=None, lambda_nodes=None, gaussian_nodes=None,
                      warn=True) -> PolynomialSpikes:
    r"""Outliers of the feature covariance after a step ``η = n₀^α`` (or a given ``η``).

    Parameters
    ----------
    activation, teacher : activation specs
        Student σ and target σ*.
    alpha : float in [0, 1/2)
        ``η = n0**alpha``. Exclusive with ``eta``.
    n, d, N : int
        Fresh samples (rows of ``F``), input dimension, width.
    n0 : int, optional
        Batch of the step (default ``n``).
    noise : float >= 0
        Label-noise variance.
    second_layer : "pm1", "constant", "gaussian" or list of (value, probability)
        Law of ``ā`` (``a_i = ā_i/√N``).
    eta : float > 0, optional
        The learning rate itself (then ``alpha = log η/log n₀`` is reported).
    lambda_nodes : int >= 8, optional
        Quadrature nodes of the step matrix's spectrum (default
        :data:`~rmt_spectra.spiked.network.LAMBDA_NODES`).
    gaussian_nodes : int >= 2, optional
        Gauss–Hermite nodes in ``ā`` for a Gaussian second layer.
    warn : bool
        Warn (``UserWarning``) when the setting is outside the verified region.

    Returns
    -------
    PolynomialSpikes
        The network-faithful equivalent at ``η̃ = η/√N`` (:meth:`SpikedFeatures.from_one_step`, its own
        validity warning silenced), ``levels`` (:func:`~rmt_spectra.simulation.spike_levels`; 1 when α is
        not finite or ``≥ 1/2``, possible with ``eta``), and the validity of the setting (module docstring, "Validity").

    Examples
    --------
    >>> import rmt_spectra as rs
    >>> ps = rs.polynomial_spikes("relu", 0.30, 2000, 1000, 1000, n0=2000)   # doctest: +SKIP
    >>> [(o.source, round(o.location, 2)) for o in ps.outliers()]            # doctest: +SKIP
    [('mean', 162.74), ('degree-1 spike', 4.18)]
    """
    if n is None or d is None or N is None:
        raise TypeError("polynomial_spikes needs the sizes n, d, N")
    n, d, N = check_size("n", n), check_size("d", d), check_size("N", N)
    n0 = n if n0 is None else check_size("n0", n0)
    noise = check_nonnegative("noise", noise)
    alpha_v, eta_v = _eta_from(alpha, eta, n0)
    eta_tilde = eta_v / math.sqrt(N)
    with warnings.catch_warnings():
        # the large-step validity region (n0/d >= 4, eta_tilde <= 4) is replaced by the one below
        warnings.simplefilter("ignore", UserWarning)
        bulk = SpikedFeatures.from_one_step(activation, teacher, eta_tilde, n0, n, d, N, noise=noise,
                                            second_layer=second_layer, lambda_nodes=lambda_nodes,
                                            gaussian_nodes=gaussian_nodes)
    step = bulk.step
    # a typical neuron (a Gaussian second layer has a few neurons with large |ā|): averages over ā
    c_rho = float(step.proportions @ step.c_rho)
    shift = math.sqrt(float(step.proportions @ step.spikes**2)) * math.sqrt(2.0 * math.log(n))
    reasons = validity_reasons(bulk.activation, eta_tilde, n0 / d, c_rho, shift)
    valid = not reasons
    reason = "; ".join(reasons)
    if not valid and warn:
        warnings.warn("polynomial_spikes: outside the verified region: " + reason, UserWarning, stacklevel=2)
    levels = spike_levels(alpha_v) if np.isfinite(alpha_v) and alpha_v < 0.5 else 1
    spec = dict(activation=activation, n=n, d=d, N=N, n0=n0, teacher=teacher, noise=noise,
                second_layer=second_layer, lambda_nodes=lambda_nodes, gaussian_nodes=gaussian_nodes)
    diagnostics = {"c_rho": c_rho, "shift": shift, "r": step.spikes.tolist(), "zeta_norm": step.zeta_norm}
    return PolynomialSpikes(alpha=alpha_v, eta=eta_v, eta_tilde=eta_tilde, n=n, d=d, N=N, n0=n0, levels=levels,
                            bulk=bulk, valid=valid, reason=reason, diagnostics=diagnostics, spec=spec)


def validity_reasons(activation, eta_tilde, n0_over_d, c_rho, shift):
    """Why a setting is outside the verified region (empty list: inside); module docstring, "Validity"."""
    reasons = []
    coeffs = activation.polynomial_coefficients
    superlinear = coeffs is not None and np.count_nonzero(np.abs(coeffs[2:]) > 0) > 0
    if superlinear and c_rho > MAX_NOISE_RATIO:
        reasons.append(f"the step's higher-degree part is not negligible: c_rho = {c_rho:.3g} > {MAX_NOISE_RATIO} "
                       "(the equivalent treats it as isotropic noise; a polynomial sigma amplifies its structure)")
    if superlinear and shift > MAX_SHIFT:
        reasons.append(f"the entrywise shift eta a_i <zeta, x>/sqrt(N) is not small: r sqrt(2 log n) = {shift:.3g} "
                       f"> {MAX_SHIFT} (not checked beyond for a polynomial sigma)")
    eta_max = VALIDITY["eta_tilde_max_odd"] if activation.parity == -1 else VALIDITY["eta_tilde_max"]
    if eta_tilde > eta_max:
        reasons.append(f"eta_tilde = {eta_tilde:.3g} > {eta_max:g} (the large-step equivalent is verified up to there)")
    if n0_over_d < VALIDITY["n0_over_d_min"] and eta_tilde > MAX_SMALL_BATCH_ETA_TILDE:
        reasons.append(f"n0/d = {n0_over_d:.3g} < {VALIDITY['n0_over_d_min']:g} with eta_tilde = {eta_tilde:.3g} > "
                       f"{MAX_SMALL_BATCH_ETA_TILDE} (small batches verified only for small steps)")
    return reasons


# ---------------------------------------------------------------------------------------- labels
def _labelled_outliers(model):
    """The equivalent's outliers (labelled by :func:`~rmt_spectra.spiked.outliers.label_outlier`), with ``measured``."""
    return [replace(o, info={**o.info, "matrix": "F^T F / n", "measured": None}) for o in model.outliers()]


def _threshold(spikes, source, tol):
    """Smallest α (at the same sizes) where an outlier labelled ``source`` is predicted."""
    spec = spikes.spec

    def present(alpha):
        if alpha <= 0.0:
            ck = ConjugateKernel(spec["activation"], spec["n"], spec["d"], spec["N"])
            return source == "mean" and any(o.source == "mean" for o in ck.outliers())
        ps = polynomial_spikes(spec["activation"], alpha, spec["n"], spec["d"], spec["N"], n0=spec["n0"],
                               teacher=spec["teacher"], noise=spec["noise"], second_layer=spec["second_layer"],
                               lambda_nodes=spec["lambda_nodes"], gaussian_nodes=spec["gaussian_nodes"], warn=False)
        return any(o.source == source for o in ps.outliers())

    if present(0.0):
        return None
    lo, hi = 0.0, spikes.alpha
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if present(mid):
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


# ---------------------------------------------------------------------------------------- measurement
def hermite_directions(X, zeta, degrees=(0, 1, 2, 3)):
    r"""Unit sample-side directions ``He_k(Xζ/‖ζ‖)/‖·‖`` (``k = 0``: ``1_n/√n``), columns of an ``(n, len(degrees))`` array.

    The ``He_k(κ_μ)`` of a Gaussian ``κ`` are orthogonal (``E He_j He_k = k! δ_jk``) and
    have mean zero for ``k ≥ 1``, unlike the raw powers ``(Xζ)^{∘k}``
    (``cos((Xζ)^{∘3}, Xζ) → 3/√15``).

    Parameters
    ----------
    X : array_like (n, d)
        Samples (rows).
    zeta : array_like (d,)
        Direction (any nonzero norm; normalized here), e.g. the step's ``ζ = X₀ᵀr/n₀``.
    degrees : iterable of int >= 0
        Hermite degrees, one column each, in this order.

    Returns
    -------
    ndarray (n, len(degrees))
        Column ``j``: ``He_{degrees[j]}(κ)/‖He_{degrees[j]}(κ)‖`` with ``κ = Xζ/‖ζ‖`` (unit norm; orthogonal
        only asymptotically).
    """
    from numpy.polynomial.hermite_e import hermeval

    zeta = np.asarray(zeta, float)
    norm = np.linalg.norm(zeta)
    if zeta.ndim != 1 or not np.isfinite(norm) or norm == 0:
        raise ValueError("zeta must be a finite nonzero vector of shape (d,)")
    kappa = np.asarray(X, float) @ (zeta / norm)
    cols = []
    for k in degrees:
        k = check_int("degree", k, minimum=0)
        v = hermeval(kappa, np.eye(k + 1)[k])
        cols.append(v / np.linalg.norm(v))
    return np.stack(cols, axis=1)


def measure_polynomial_spikes(result, prediction=None, *, degrees=(0, 1, 2, 3), n_top=None) -> dict:
    r"""Outliers of a simulated one-step network and their alignments with the Hermite basis.

    Parameters
    ----------
    result : OneStepResult
        From :func:`rmt_spectra.simulate_one_step`.
    prediction : PolynomialSpikes, optional
        Its outliers get ``info["measured"]`` (the j-th largest eigenvalue for the j-th predicted)
        and ``info["alignment"]`` (the measured alignment of that eigenvector with its degree).
    degrees : tuple of int
        Hermite degrees of the sample-side basis (:func:`hermite_directions`).
    n_top : int, optional
        Top eigenvalues measured (default ``len(degrees) + 4``).

    Returns
    -------
    dict
        ``eigenvalues`` (top ``n_top`` of ``Σ̂``, descending); ``alignment`` (``n_top × len(degrees)``,
        ``|⟨U_j, h_k⟩|`` with ``U_j`` the left singular vectors of ``F``); ``best_index``
        (per degree, the eigenvalue index that matches it best); ``n_above`` (eigenvalues above
        ``OUTLIER_MARGIN × bulk_edge`` when a prediction is given); ``top_bulk`` (the largest
        eigenvalue that is not one of the predicted outliers); ``outliers`` (the prediction's
        records with ``measured`` filled).
    """
    F = np.asarray(result.F, float)
    n = F.shape[0]
    degrees = tuple(int(k) for k in degrees)
    n_top = len(degrees) + 4 if n_top is None else check_size("n_top", n_top)
    s, U, _ = top_singular(F, n_top, vectors=True)
    eig = np.asarray(s, float) ** 2 / n
    H = hermite_directions(result.X, result.zeta, degrees)
    A = np.abs(np.asarray(U, float).T @ H)
    out = {"eigenvalues": eig, "alignment": A, "degrees": degrees,
           "best_index": {k: int(np.argmax(A[:, j])) for j, k in enumerate(degrees)}}
    if prediction is not None:
        pred = prediction.outliers()
        edge = prediction.bulk_edge
        out["n_above"] = int(np.count_nonzero(eig > OUTLIER_MARGIN * edge))
        out["n_predicted_above"] = sum(o.location > OUTLIER_MARGIN * edge for o in pred)
        out["top_bulk"] = float(eig[len(pred)]) if len(pred) < eig.size else None
        filled = []
        for j, o in enumerate(pred):
            deg = o.info.get("degree")
            align = float(A[j, degrees.index(deg)]) if deg in degrees and j < A.shape[0] else None
            filled.append(replace(o, info={**o.info, "measured": float(eig[j]) if j < eig.size else None,
                                           "alignment": align}))
        out["outliers"] = filled
    return out
