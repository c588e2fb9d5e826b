r"""Spike predictions after one gradient step: the rank-one spike of ``W₁`` and the raw-power scaling of ``F``.

Rank-one spike of ``W₁`` [derived, Ba22 Prop. 2]
    ``ζ = X₀ᵀy/n₀``, ``‖ζ‖² → μ₁*² + (μ₀*² + μ₁*² + μ_⋆*² + σ_ε²)/(n₀/d)``,
    ``⟨u, θ⟩² → μ₁*²/‖ζ‖²``, ``W₁ ≈ W₀ + ϑ (a/‖a‖) uᵀ`` with
    ``ϑ = η |μ₁| ‖ζ‖ ‖a‖``; with ``c = N/d`` the rank-one rectangular formula
    ([BGN12]) gives an outlier singular value iff
    ``ϑ > c^{1/4}``, at ``√((1+ϑ²)(c+ϑ²))/ϑ``, bulk edge ``1 + √c``.

Raw-power scaling of ``F = σ(X W₁ᵀ)`` for ``η = n₀^α`` [Mon23; explicit form derived]
    ``F ≈ F₀ + Σ_k (ημ₁)^k (μ_k/k!) (Xζ)^{∘k} (a^{∘k})ᵀ``; the k-th term has
    operator norm about ``√n (η|μ₁|‖ζ‖)^k (|μ_k|/k!) √((2k−1)!!) ‖a^{∘k}‖`` with
    ``‖a^{∘k}‖ = √(N E[a_i^{2k}]) = √(E ā^{2k}) N^{(1−k)/2}``; for Gaussian
    ``a`` this is the note's ``√n (η μ₁ ‖ζ‖)^k (μ_k/k!) (2k−1)!! N^{(1−k)/2}``
    (for constant/±1 ``a`` the factor ``(2k−1)!!`` becomes ``√((2k−1)!!)``).
    Asymptotically there are ``ℓ`` degree levels with ``(ℓ−1)/(2ℓ) < α < ℓ/(2ℓ+2)``,
    and a degree-k spike needs ``μ_k ≠ 0``. These sizes are not outlier locations
    (``size²/n`` is 19–56 % off): the outliers of ``Σ̂`` are predicted by
    :func:`rmt_spectra.polynomial_spikes`.

Resolvability rule (documented choice)
    A predicted spike of size ``s_k`` is called *resolvable* when
    ``s_k > τ · s_bulk`` with ``τ = (nN)^{1/4}/(√n + √N)``: the BBP threshold
    of a rank-one perturbation of an ``n × N`` i.i.d. noise matrix whose top
    singular value is ``s_bulk`` (the rectangular rank-one formula of
    Benaych-Georges–Nadakuditi formula in these units; ``τ ≤ 1/2``). ``s_bulk`` is
    given or estimated by :func:`bulk_edge_estimate`. The bulk of ``F`` is not i.i.d.
    noise, so this is a rule of thumb.

If ``μ₀ ≠ 0`` (e.g. ReLU), ``F₀`` itself has a *mean spike*
``μ₀ 1 1ᵀ`` of size ``|μ₀|√(nN)`` along ``1_n``; it is reported as degree 0 and
is not a learned spike.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .._validation import check_nonnegative, check_positive, check_real, check_size
from ..gaussian import activation, gaussian_moments, hermite_coefficients
from ..spectrum import Outlier
from .network import second_layer_moment

__all__ = [
    "RankOnePrediction",
    "RawPowerSpikes",
    "teacher_coefficients",
    "zeta_norm_prediction",
    "alignment_prediction",
    "spike_strength",
    "rank_one_outlier",
    "spike_levels",
    "bulk_edge_estimate",
    "raw_power_spikes",
    "top_singular",
    "extrapolate_bulk_edge",
]

#: relative size below which a Hermite coefficient counts as zero (tanh's μ₂ comes out ~1e-17).
ZERO_COEFFICIENT = 1e-10


def _act(spec):
    return activation(spec)


def _double_factorial_odd(k: int) -> int:
    """``(2k − 1)!!`` (1 for k = 0)."""
    return math.prod(range(1, 2 * k, 2))


# ============================================================ rank-one spike of W₁
def teacher_coefficients(teacher="tanh") -> dict:
    """``{"mu0", "mu1", "mu_star"}`` of the teacher ``σ*`` (``μ_⋆*² = Eσ*² − μ₀*² − μ₁*²``)."""
    m = gaussian_moments(_act(teacher))
    return {"mu0": float(m.mu0), "mu1": float(m.mu1), "mu_star": float(m.mu_star)}


def zeta_norm_prediction(teacher="tanh", n0=1, d=1, noise=0.0) -> float:
    """Predicted ``‖ζ‖`` with ``‖ζ‖² = μ₁*² + (μ₀*² + μ₁*² + μ_⋆*² + σ_ε²)/(n₀/d)`` [derived].

    ``ζ = X₀ᵀy/n₀`` has mean ``μ₁*θ`` and ``d`` coordinates of variance ``E[y²]/n₀`` with
    ``E[y²] = μ₀*² + μ₁*² + μ_⋆*² + σ_ε²`` (derived here, from [Ba22] Prop. 2; checked against simulation in
    ``tests/test_one_step.py``, 0.7543 for a tanh teacher, ``n₀/d = 2``, ``σ_ε² = 0.01``).

    Parameters
    ----------
    teacher : activation spec, default "tanh"
        ``σ*``; its Hermite coefficients come from :func:`teacher_coefficients`.
    n0 : int >= 1, default 1
        Batch size of the step.
    d : int >= 1, default 1
        Input dimension.
    noise : float >= 0, default 0.0
        Label-noise variance ``σ_ε²``.

    Returns
    -------
    float
        The predicted ``‖ζ‖ >= 0``.
    """
    n0, d = check_size("n0", n0), check_size("d", d)
    noise = check_nonnegative("noise", noise)
    t = teacher_coefficients(teacher)
    sq = t["mu1"] ** 2 + (t["mu0"] ** 2 + t["mu1"] ** 2 + t["mu_star"] ** 2 + noise) * d / n0
    return math.sqrt(sq)


def alignment_prediction(teacher="tanh", n0=1, d=1, noise=0.0, zeta_norm=None) -> float:
    """Predicted ``⟨u, θ⟩² = μ₁*²/‖ζ‖²`` (``‖ζ‖`` from :func:`zeta_norm_prediction` unless given).

    ``u = ζ/‖ζ‖`` is the right singular direction of the rank-one part of the gradient [derived, Ba22 Prop. 2].

    Parameters
    ----------
    teacher : activation spec, default "tanh"
        ``σ*`` (sets ``μ₁*``).
    n0 : int >= 1, default 1
        Batch size of the step (used only when ``zeta_norm`` is None).
    d : int >= 1, default 1
        Input dimension (used only when ``zeta_norm`` is None).
    noise : float >= 0, default 0.0
        Label-noise variance ``σ_ε²`` (used only when ``zeta_norm`` is None).
    zeta_norm : float > 0, optional
        ``‖ζ‖`` (e.g. measured); default :func:`zeta_norm_prediction` ``(teacher, n0, d, noise)``.

    Returns
    -------
    float
        The squared overlap ``μ₁*²/‖ζ‖²`` (``<= 1`` for the predicted ``‖ζ‖``, not for an arbitrary given one).
    """
    t = teacher_coefficients(teacher)
    if zeta_norm is None:
        zeta_norm = zeta_norm_prediction(teacher, n0, d, noise)
    zeta_norm = check_positive("zeta_norm", zeta_norm)
    return t["mu1"] ** 2 / zeta_norm**2


def spike_strength(eta, mu1, zeta_norm, a_norm=1.0) -> float:
    """``ϑ = η |μ₁| ‖ζ‖ ‖a‖``.

    The strength of the rank-one spike ``W₁ ≈ W₀ + ϑ (a/‖a‖) uᵀ`` [derived, Ba22 Prop. 2].

    Parameters
    ----------
    eta : float >= 0
        Learning rate ``η`` of ``W₁ = W₀ + η√N G₀``.
    mu1 : float
        First Hermite coefficient ``μ₁`` of the student (its sign does not matter).
    zeta_norm : float >= 0
        ``‖ζ‖`` (measured or from :func:`zeta_norm_prediction`).
    a_norm : float >= 0, default 1.0
        ``‖a‖`` (``E‖a‖² = E[ā²]``, 1 for the built-in second layers).

    Returns
    -------
    float
        ``ϑ >= 0``.
    """
    eta = check_nonnegative("eta", eta)
    mu1 = check_real("mu1", mu1)
    zeta_norm = check_nonnegative("zeta_norm", zeta_norm)
    a_norm = check_nonnegative("a_norm", a_norm)
    return eta * abs(mu1) * zeta_norm * a_norm


@dataclass(frozen=True)
class RankOnePrediction:
    """Singular values of ``W₀ + ϑ u vᵀ`` (``W₀`` with ``N(0,1/d)`` entries, ``c = N/d``).

    Built by :func:`rank_one_outlier` ([BGN12] rectangular rank-one formulas).

    Parameters
    ----------
    strength : float >= 0
        The spike strength ``ϑ``.
    c : float > 0
        Aspect ratio ``N/d`` of ``W₀``.
    threshold : float
        ``c^{1/4}``: an outlier exists iff ``ϑ > c^{1/4}``.
    bulk_edge : float
        ``1 + √c``, the top of the bulk of singular values of ``W₀``.
    has_outlier : bool
        ``ϑ > threshold``.
    location : float
        The outlier singular value ``√((1+ϑ²)(c+ϑ²))/ϑ``; NaN if no outlier.
    overlap_left : float
        Predicted ``⟨û₁, a/‖a‖⟩²`` (left, ``N``-dimensional side),
        ``1 − c(1+ϑ²)/(ϑ²(ϑ²+c))``; 0 if no outlier.
    overlap_right : float
        Predicted ``⟨v̂₁, u⟩²`` (right, ``d``-dimensional side),
        ``1 − (c+ϑ²)/(ϑ²(ϑ²+1))``; 0 if no outlier. (Before 0.1.0 the two were
        swapped; the test at ``c = 0.8``, where they nearly coincide, did not see it.)
    """

    strength: float
    c: float
    threshold: float
    bulk_edge: float
    has_outlier: bool
    location: float  # NaN if no outlier
    overlap_left: float  # ⟨û₁, a/‖a‖⟩² (0 if no outlier)
    overlap_right: float  # ⟨v̂₁, u⟩² (0 if no outlier)

    def outliers(self) -> list[Outlier]:
        """The predicted outlier singular value of ``W₁`` as an :class:`Outlier` record (or ``[]``)."""
        if not self.has_outlier:
            return []
        return [Outlier(self.location, overlap=self.overlap_right, source=f"rank-one spike {self.strength:.4g}",
                        info={"threshold": self.threshold, "bulk_edge": self.bulk_edge,
                              "overlap_left": self.overlap_left, "matrix": "singular values of W1"})]


def rank_one_outlier(strength, c) -> RankOnePrediction:
    """Rank-one rectangular perturbation ([BGN12]): outlier iff ``ϑ > c^{1/4}``.

    For ``ϑ > c^{1/4}`` the top singular value of ``W₀ + ϑ (a/‖a‖) uᵀ`` tends to ``√((1+ϑ²)(c+ϑ²))/ϑ``,
    otherwise it sticks to the bulk edge ``1 + √c``; see :class:`RankOnePrediction` for the overlaps.
    Checked against simulation in ``tests/test_one_step.py`` (``c = 0.8``).

    Parameters
    ----------
    strength : float >= 0
        ``ϑ``, e.g. from :func:`spike_strength`.
    c : float > 0
        ``N/d``.

    Returns
    -------
    RankOnePrediction
        Threshold, bulk edge, outlier location and overlaps (NaN location and zero overlaps
        below the threshold).
    """
    th = check_nonnegative("strength", strength)
    c = check_positive("c", c)
    thr = c**0.25
    edge = 1.0 + math.sqrt(c)
    if th > thr:
        t2 = th * th
        loc = math.sqrt((1 + t2) * (c + t2)) / th
        ol = 1 - c * (1 + t2) / (t2 * (t2 + c))     # N-side (a): Benaych-Georges–Nadakuditi, ratio c = N/d
        orr = 1 - (c + t2) / (t2 * (t2 + 1))         # d-side (u)
        return RankOnePrediction(th, c, thr, edge, True, loc, ol, orr)
    return RankOnePrediction(th, c, thr, edge, False, float("nan"), 0.0, 0.0)


# ============================================================ polynomial spikes
def spike_levels(alpha) -> int:
    """``ℓ`` with ``(ℓ−1)/(2ℓ) < α < ℓ/(2ℓ+2)``: number of degree levels that outgrow the bulk.

    ``α <= 0`` gives 1 (the ``η = Θ(1)`` regime can still have one spike if
    ``η`` is large enough; the exponent alone says nothing more). ``α`` exactly
    on a boundary ``(k−1)/(2k)`` counts the lower level. ``α >= 1/2`` raises
    ValueError (pre-activations blow up). Closed form: ``α < ℓ/(2ℓ+2)`` iff
    ``ℓ > 2α/(1 − 2α)``, so ``ℓ = ⌈2α/(1 − 2α)⌉`` (at least 1); it grows without bound as
    ``α → 1/2``, and above :data:`MAX_LEVELS` the exponent is refused.

    The thresholds ``(k − 1)/(2k)`` are those of [Mon23] for ``η = n₀^α``.

    Parameters
    ----------
    alpha : float < 1/2
        The exponent ``α`` of ``η = n₀^α``; ValueError for ``α >= 1/2`` or when more than
        :data:`MAX_LEVELS` levels would separate (``α > 50/102``).

    Returns
    -------
    int
        ``ℓ`` in ``[1, MAX_LEVELS]``.
    """
    alpha = check_real("alpha", alpha)
    if alpha >= 0.5:
        raise ValueError(f"alpha must be < 1/2 (pre-activations blow up for alpha >= 1/2), got {alpha}")
    if alpha <= 0:
        return 1
    x = 2.0 * alpha / (1.0 - 2.0 * alpha)
    ell = max(1, math.ceil(x - 1e-12 * max(1.0, x)))
    if ell > MAX_LEVELS:
        raise ValueError(f"alpha = {alpha} is too close to 1/2: {ell} degree levels would separate "
                         f"(at most {MAX_LEVELS} are supported; alpha <= {MAX_LEVELS / (2 * MAX_LEVELS + 2):.4f})")
    return ell


#: the most degree levels :func:`spike_levels` reports (α ≤ 50/102 ≈ 0.49).
MAX_LEVELS = 50


def bulk_edge_estimate(activation, n, d, N) -> float:
    r"""Heuristic top singular value of the bulk of ``F₀ = σ(XW₀ᵀ)`` (mean spike removed).

    ``F₀ − μ₀11ᵀ ≈ μ₁ X W₀ᵀ + μ_⋆ Z`` (Gaussian equivalence); we add the two
    parts' top singular values in quadrature:
    ``s ≈ √(μ₁² (√n+√d)² (1+√(N/d))² + μ_⋆² (√n+√N)²)``.
    Exact when either part vanishes, otherwise an estimate (each part's top
    singular vector differs, so the true value lies between the quadrature sum
    and the plain sum); a simulated ``F₀`` is preferred when available.

    Parameters
    ----------
    activation : activation spec
        The student ``σ`` (sets ``μ₁`` and ``μ_⋆``; ``μ₀`` is ignored, the mean spike being removed).
    n : int >= 1
        Number of rows of ``F₀`` (samples).
    d : int >= 1
        Input dimension.
    N : int >= 1
        Width (columns of ``F₀``).

    Returns
    -------
    float
        The estimate ``s`` of the top bulk singular value of ``F₀`` (not of ``Σ̂``: its eigenvalue is ``s²/n``).
        In ``tests/test_spikes.py`` it is about 45 % above the measured top singular value of a simulated
        ``F₀`` (tanh, ``n = 1200``, ``d = N = 600``).
    """
    n, d, N = check_size("n", n), check_size("d", d), check_size("N", N)
    m = gaussian_moments(_act(activation))
    lin = abs(float(m.mu1)) * (math.sqrt(n) + math.sqrt(d)) * (1 + math.sqrt(N / d))
    noise = float(m.mu_star) * (math.sqrt(n) + math.sqrt(N))
    return math.sqrt(lin**2 + noise**2)


@dataclass
class RawPowerSpikes:
    """Predicted spikes of ``F`` (singular values) / ``Σ̂ = FᵀF/n`` (eigenvalues ``s²/n``).

    ``spikes`` holds one dict per degree ``k = 1..ℓ+1`` (the first level that
    does not outgrow the bulk is listed too, for its margin), plus ``k = 0``
    (the mean spike) when ``μ₀ ≠ 0``. Keys: ``k, mu_k, size, eigenvalue
    (size²/n), ratio (size/bulk_sv), asymptotic (k ≤ ℓ and μ_k ≠ 0),
    resolvable (asymptotic and ratio > threshold_ratio)``; ``threshold_ratio``
    is the BBP ratio ``τ = (nN)^{1/4}/(√n+√N)`` (module docstring).

    Built by :func:`raw_power_spikes`; the fields are stored as given.

    Parameters
    ----------
    alpha : float or None
        Exponent of ``η = n₀^α``; None when ``η`` was given directly.
    eta : float
        The learning rate used.
    n, d, N : int
        Rows of ``F`` (fresh samples), input dimension, width.
    zeta_norm : float
        ``‖ζ‖`` used in the sizes.
    ell : int or None
        Number of degree levels from :func:`spike_levels` (None when ``alpha`` is None).
    count : int
        Learned spikes predicted asymptotically: ``#{1 ≤ k ≤ ℓ : μ_k ≠ 0}`` (all listed ``k`` with
        ``μ_k ≠ 0`` when ``ell`` is None).
    resolvable_count : int
        Of those, how many exceed ``threshold_ratio · bulk_sv`` at these sizes.
    bulk_sv : float
        Top singular value of the bulk of ``F`` used for the ratios.
    bulk_rule : {"estimate", "given"}
        Whether ``bulk_sv`` came from :func:`bulk_edge_estimate` or from the caller.
    mean_spike : bool
        ``μ₀ ≠ 0`` (relative to the largest ``|μ_k|``, tolerance :data:`ZERO_COEFFICIENT`): a ``k = 0`` row is listed.
    threshold_ratio : float
        ``τ = (nN)^{1/4}/(√n+√N)``.
    spikes : list of dict, default []
        One row per degree as described above.
    """

    alpha: float | None
    eta: float
    n: int
    d: int
    N: int
    zeta_norm: float
    ell: int | None
    count: int  # learned spikes predicted asymptotically: #{k ≤ ℓ : μ_k ≠ 0}
    resolvable_count: int  # of those, how many exceed the bulk at these sizes
    bulk_sv: float
    bulk_rule: str
    mean_spike: bool
    threshold_ratio: float
    spikes: list = field(default_factory=list)

    def outliers(self) -> list[Outlier]:
        """Resolvable learned spikes as eigenvalue outliers of ``Σ̂ = FᵀF/n``."""
        return [Outlier(s["eigenvalue"], source=f"degree-{s['k']} spike",
                        info={**s, "matrix": "F^T F / n"}) for s in self.spikes if s["resolvable"] and s["k"] > 0]

    def __str__(self):
        head = (f"polynomial spikes: alpha={self.alpha}, eta={self.eta:.4g}, n={self.n}, d={self.d}, N={self.N}, "
                f"|zeta|={self.zeta_norm:.4g}, ell={self.ell}, predicted={self.count}, resolvable={self.resolvable_count}, "
                f"bulk top sv={self.bulk_sv:.4g} ({self.bulk_rule}), resolvable if ratio > {self.threshold_ratio:.3g}")
        rows = [f"  k={s['k']}: mu_k={s['mu_k']:+.4g} size={s['size']:.4g} ratio={s['ratio']:.3g} "
                f"asymptotic={s['asymptotic']} resolvable={s['resolvable']}" for s in self.spikes]
        return "\n".join([head, *rows])


def raw_power_spikes(activation, alpha, n, d, N, *, n0=None, eta=None, zeta_norm=None, teacher="tanh",
                      noise=0.0, second_layer="gaussian", bulk_sv=None, kmax=None) -> RawPowerSpikes:
    r"""Leading-order sizes of the raw-power terms of ``F = σ(XW₁ᵀ)`` after a step ``η = n₀^α`` ([Mon23]).

    These sizes give the α-thresholds ``(k − 1)/(2k)`` and the scaling of each degree,
    not the outlier eigenvalues: ``size²/n`` is 19–56 % off the measured outliers of
    ``Σ̂`` (a spike added to a bulk does not sit at ``size²/n``). For the outliers, their
    labels and the bulk after the step use :func:`rmt_spectra.polynomial_spikes`.

    Parameters
    ----------
    activation : activation spec (student σ)
    alpha : float or None
        Exponent, ``η = n0**alpha``; ``None`` if ``eta`` is given directly
        (then ``ell`` is None and only finite-size sizes are reported).
    n, d, N : int
        Fresh sample size (rows of ``F``), input dimension, width.
    n0 : int, optional
        Batch size of the step (default ``n``); sets ``η = n0^α`` and ``‖ζ‖``.
    eta : float, optional
        The learning rate itself (exclusive with ``alpha``).
    zeta_norm : float, optional
        ``‖ζ‖``; default :func:`zeta_norm_prediction` ``(teacher, n0, d, noise)``.
    second_layer : second-layer law (sets ``‖a^{∘k}‖``)
    bulk_sv : float, optional
        Top singular value of the bulk of ``F``; default :func:`bulk_edge_estimate`.
    kmax : int, optional
        Highest degree listed (default ``ℓ + 1``, at least 2).
    teacher : activation spec, default "tanh"
        ``σ*``, used only for the default ``zeta_norm``.
    noise : float >= 0, default 0.0
        Label-noise variance, used only for the default ``zeta_norm``.

    Returns
    -------
    RawPowerSpikes
        For each degree ``k = 1..kmax`` the size
        ``s_k = √n (η|μ₁|‖ζ‖)^k (|μ_k|/k!) √((2k−1)!!) √(E ā^{2k}) N^{(1−k)/2}``
        (module docstring; [Mon23], explicit form derived here), its eigenvalue ``s_k²/n``, its
        ratio to ``bulk_sv`` and the asymptotic/resolvable flags; plus the mean spike
        ``|μ₀|√(nN)`` (``k = 0``) when ``μ₀ ≠ 0``.
    """
    n, d, N = check_size("n", n), check_size("d", d), check_size("N", N)
    n0 = n if n0 is None else check_size("n0", n0)
    if (alpha is None) == (eta is None):
        raise ValueError("give exactly one of alpha (eta = n0**alpha) and eta")
    if alpha is not None:
        alpha = check_real("alpha", alpha)
        ell = spike_levels(alpha)
        eta = float(n0) ** alpha
    else:
        eta = check_nonnegative("eta", eta)
        ell = None
    if zeta_norm is None:
        zeta_norm = zeta_norm_prediction(teacher, n0, d, noise)
    zeta_norm = check_nonnegative("zeta_norm", zeta_norm)
    act = _act(activation)
    if kmax is None:
        kmax = max(2, (ell or 1) + 1)
    kmax = check_size("kmax", kmax)
    mu = np.asarray(hermite_coefficients(act, kmax), dtype=float)
    scale = max(float(np.max(np.abs(mu))), 1e-300)
    nonzero = np.abs(mu) > ZERO_COEFFICIENT * scale
    if bulk_sv is None:
        bulk_sv, rule = bulk_edge_estimate(act, n, d, N), "estimate"
    else:
        bulk_sv, rule = check_positive("bulk_sv", bulk_sv), "given"
    step = eta * abs(mu[1]) * zeta_norm
    tau = (n * N) ** 0.25 / (math.sqrt(n) + math.sqrt(N))
    spikes = []
    mean_spike = bool(nonzero[0])
    if mean_spike:
        size = abs(mu[0]) * math.sqrt(n * N)
        spikes.append({"k": 0, "mu_k": float(mu[0]), "size": size, "eigenvalue": size**2 / n,
                       "ratio": size / bulk_sv, "asymptotic": True, "resolvable": size > tau * bulk_sv})
    for k in range(1, kmax + 1):
        a_norm_k = math.sqrt(second_layer_moment(second_layer, k)) * N ** ((1 - k) / 2)
        size = (math.sqrt(n) * step**k * abs(mu[k]) / math.factorial(k)
                * math.sqrt(_double_factorial_odd(k)) * a_norm_k)
        asym = bool(nonzero[k]) and (ell is None or k <= ell)
        spikes.append({"k": k, "mu_k": float(mu[k]) if nonzero[k] else 0.0, "size": size, "eigenvalue": size**2 / n,
                       "ratio": size / bulk_sv, "asymptotic": asym, "resolvable": asym and size > tau * bulk_sv})
    learned = [s for s in spikes if s["k"] > 0]
    count = sum(s["asymptotic"] for s in learned)
    resolvable = sum(s["resolvable"] for s in learned)
    return RawPowerSpikes(alpha, eta, n, d, N, zeta_norm, ell, count, resolvable, bulk_sv, rule, mean_spike, tau,
                            spikes)


# ============================================================ measurement
def top_singular(M, k=1, *, vectors=False, dense_limit=3000):
    """Top ``k`` singular values (descending) of a dense matrix; with ``vectors`` also ``U, Vᵀ``.

    Up to ``min(M.shape) <= dense_limit``: the ``k`` top eigenpairs of the
    smaller Gram matrix (``scipy.linalg.eigh`` with ``subset_by_index``, MRRR),
    which is robust when the top singular values are clustered at a bulk edge
    (there ARPACK converges slowly); relative accuracy ~1e-15·(s₁/s_k)².
    Larger: ``scipy.sparse.linalg.svds`` (ARPACK, deterministic start vector).
    """
    import scipy.linalg

    M = np.asarray(M)
    k = check_size("k", k)
    small = min(M.shape)
    k = min(k, small)
    if small <= dense_limit or k >= small - 1:
        wide = M.shape[0] <= M.shape[1]
        gram = M @ M.T if wide else M.T @ M
        m = gram.shape[0]
        if vectors:
            w, V = scipy.linalg.eigh(gram, subset_by_index=[m - k, m - 1], check_finite=False)
        else:
            w = scipy.linalg.eigh(gram, subset_by_index=[m - k, m - 1], eigvals_only=True, check_finite=False)
        order = np.argsort(w)[::-1]
        s = np.sqrt(np.maximum(w[order], 0.0))
        if not vectors:
            return s
        V = V[:, order]
        safe = np.where(s > 0, s, 1.0)
        if wide:  # V holds left vectors
            return s, V, (V.T @ M) / safe[:, None]
        return s, (M @ V) / safe[None, :], V.T
    from scipy.sparse.linalg import svds

    v0 = np.ones(small, dtype=M.dtype) / math.sqrt(small)
    ncv = min(small, max(2 * k + 1, 32))  # a wider Krylov space converges faster on a clustered bulk edge
    if vectors:
        U, s, Vt = svds(M, k=k, v0=v0, ncv=ncv, return_singular_vectors=True, tol=1e-10)
        order = np.argsort(s)[::-1]
        return s[order], U[:, order], Vt[order]
    s = svds(M, k=k, v0=v0, ncv=ncv, return_singular_vectors=False, tol=1e-10)
    return np.sort(s)[::-1]


def extrapolate_bulk_edge(eigenvalues, *, first=8, last=60) -> float:
    r"""Right edge of the bulk of a spectrum with a few outliers, by square-root-edge extrapolation.

    Near a soft edge the ``j``-th largest eigenvalue behaves like
    ``λ_j ≈ λ_+ − C ((j − 1/2)/p)^{2/3}``; a least-squares line of ``λ_j``
    against ``((j − 1/2)/p)^{2/3}`` over ``first <= j <= last`` (1-based,
    ``last`` capped at ``p/4``; the top ``first − 1`` are skipped so that up
    to 7 outliers do not bias the fit) is extrapolated to ``j = 1/2``.
    """
    lam = np.sort(np.asarray(eigenvalues, float))[::-1]
    p = lam.size
    last = min(last, max(p // 4, first + 4))
    if p < last:
        return float(lam[min(first - 1, p - 1)])
    j = np.arange(first, last + 1)
    x = ((j - 0.5) / p) ** (2 / 3)
    A = np.vstack([np.ones_like(x), x]).T
    coef = np.linalg.lstsq(A, lam[j - 1], rcond=None)[0]
    return float(coef[0])
