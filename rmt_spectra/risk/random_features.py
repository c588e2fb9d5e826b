r"""Random features at initialization (r = 0): ridge risk, two independent routes.

* :func:`random_features_risk`: the sRF saddle-point equations at
  ``r = 0, c = 1, γ = 0`` (Marchenko–Pastur spectral inputs), i.e. the
  classical random-features ridge risk ``R₀(λ)`` of [MM22] in the
  Gaussian-equivalent form.
* :func:`gaussian_equivalent_ridge_risk`: an independent route for a realized
  ``W₀`` — the features are replaced by their Gaussian equivalent
  ``φ = μ₁W₀x + μ⋆ξ``, the target by ``μ₁*⟨θ,x⟩`` plus independent noise of
  variance ``μ⋆*² + σ_ε²``; this is ridge regression with Gaussian covariates
  of covariance ``Σ = (μ₁²W₀W₀ᵀ + μ⋆²I)/N``, a linear teacher ``β* = Σ⁻¹Cov(x̃, y)``
  and noise ``s² = Var y − β*ᵀΣβ*``, whose risk has the classical deterministic
  equivalent ([DW18]; [HMRT22]):
  ``λ/n = κ(1 − df₁/n)``, ``df_k = tr Σ^k(Σ + κ)^{-k}``,
  ``excess = [κ²β*ᵀΣ(Σ+κ)⁻²β* + s² df₂/n] / (1 − df₂/n)``, risk ``= excess + s² − σ_ε²``.
  Exact for centered features (``μ₀ = 0``); a teacher mean ``μ₀*`` acts as label noise of variance ``μ₀*²``.

Both return the **risk** ``E(f*(x) − f̂(x))²`` (no label noise); the ridge is
the authors' λ (``‖y − Φw‖² + λ‖w‖²``).
"""
from __future__ import annotations

import numpy as np

from .._validation import check_nonnegative, check_positive, check_real
from ..gaussian import gaussian_moments
from ..gaussian.activation import activation_parameter
from .srf import srf_test_error_from_parameters
from .tables import mp_spectral_table

__all__ = ["random_features_risk", "gaussian_equivalent_ridge_risk"]


def random_features_risk(activation, teacher, alpha, ridge, width_ratio=1.0, noise=0.0, *, full_output=False,
                         **solver):
    """Ridge risk (without label noise) of random features at initialization, ``n/d = alpha``, ``N/d = width_ratio``.

    The sRF saddle point at ``r = 0`` (no step): the random-features model of [MM22]
    and [GLKZM20], in the conventions of [Cui24]. The label noise enters the fit; the
    returned value is ``test error − noise``.

    Parameters
    ----------
    activation, teacher : activation specs
    alpha : float or array_like
        ``n/d`` (samples of the readout fit per input dimension).
    ridge : float > 0
        Ridge penalty ([Cui24]'s convention).
    width_ratio : float > 0
        ``N/d``.
    noise : float >= 0
        Label-noise variance.
    full_output : bool
        Return the :class:`SRFResult` (overlaps, residuals, iterations) instead of the risk.
    **solver
        ``tol``, ``max_iter``, ``n_kappa``, ``on_failure`` of :func:`srf_test_error`.

    Returns
    -------
    float or ndarray, or SRFResult
    """
    res = srf_test_error_from_parameters(activation, teacher, 0.0, 1.0, 0.0, alpha, ridge, width_ratio, noise,
                                         "deterministic", full_output=True, **solver)
    if full_output:
        return res
    risk = res.risk
    return float(risk) if np.ndim(risk) == 0 else risk


def gaussian_equivalent_ridge_risk(activation, teacher, alpha, ridge, width_ratio=1.0, noise=0.0, *, W0=None,
                                   theta=None, n_nodes=600):
    r"""Classical deterministic-equivalent ridge risk of Gaussian-equivalent random features, averaged over θ.

    Independent of the sRF equations (see the module docstring).  Averaging the
    teacher direction over the sphere (``E θθᵀ = I/d``) makes every term a
    function of the eigenvalues ω of ``W₀W₀ᵀ`` only; with ``e = μ₁²ω + μ⋆²``,
    ``β = N/d``, ``α = n/d`` and ``κ = k/N``:
    ``λβ/α = k(1 − (β/α)⟨e/(e+k)⟩)``, ``df₂/n = (β/α)⟨e²/(e+k)²⟩``,
    ``s² = μ₁*² + μ⋆*² + σ_ε² − βμ₁*²μ₁²⟨ω/e⟩``,
    ``bias = βμ₁*²μ₁²⟨k²ω/(e(e+k)²)⟩``, ``risk = (bias + s² df₂/n)/(1 − df₂/n) + s² − σ_ε²``.
    The mean ⟨·⟩ is over MP(β) (quadrature, atom at 0 when β > 1) or, if
    ``W0`` (``N × d``) is given, over its realized eigenvalues (then
    ``width_ratio`` is read from its shape).  Authors' λ; returns the risk (no label noise).
    The effective ridge ``k`` is the root of the first equation (``brentq``). Source: the classical
    equivalent of the module docstring, averaged over θ here [derived; equal to
    :func:`random_features_risk` to 1e-9 in ``tests/test_risk_theory.py``].

    **A given teacher direction** (``theta`` with ``W0``): the θ-average ``(1/d)`` of the two
    teacher terms is replaced by the weights ``p_j = ⟨v_j, θ⟩²`` of the right singular vectors
    ``v_j`` of ``W0`` (``Σ p_j = 1``); the other terms are unchanged, so the mean over an
    orthonormal basis of directions is the θ-averaged risk exactly.  This is the equivalent of a
    network after a *small* step (``η = O(1)``, [Ba22]'s first regime, or ``η = N^α``, ``α < 1/2``):
    each row moves by ``O(η/√N)``, the features stay Gaussian-equivalent with the updated
    ``W₁``, and the step acts only through the alignment of ``W₁`` with θ [derived; checked
    against the simulated network in ``tests/test_risk_small_step.py``].  A teacher with
    ``μ₀* ≠ 0`` is accepted when the student is centered: its constant cannot be fitted by centered
    features, and it enters as label noise of variance ``μ₀*²`` in the fit and in the risk.

    Parameters
    ----------
    activation, teacher : activation specs
        Student σ and target σ*; the student must be centered (``μ₀ = 0``), else ``ValueError``.
    alpha : float > 0
        ``n/d`` (a scalar).
    ridge : float > 0
        Authors' λ.
    width_ratio : float > 0, default 1
        ``N/d`` (ignored when ``W0`` is given).
    noise : float >= 0, default 0
        Label-noise variance ``σ_ε²``.
    W0 : array_like, shape (N, d), optional, keyword-only
        A realized first layer (at initialization, or after a small step): the mean ⟨·⟩ runs over the
        eigenvalues of ``W₀W₀ᵀ``.
    theta : array_like, shape (d,), optional, keyword-only
        The teacher direction (normalized here; needs ``W0``): the risk for this θ instead of the
        θ-average.
    n_nodes : int, default 600, keyword-only
        Nodes of the MP(β) quadrature (:func:`~rmt_spectra.risk.tables.mp_spectral_table`) when
        ``W0`` is None.

    Returns
    -------
    float
        The risk ``E(f*(x) − f̂(x))²`` (without label noise).
    """
    from scipy.optimize import brentq

    sigma, target = activation_parameter("activation", activation), activation_parameter("teacher", teacher)
    ridge = check_positive("ridge", ridge)
    alpha = check_positive("alpha", alpha)
    beta = check_positive("width_ratio", width_ratio)
    noise = check_nonnegative("noise", noise)
    ms, mt = gaussian_moments(sigma), gaussian_moments(target)
    if abs(float(ms.mu0)) > 1e-10:
        raise ValueError("gaussian_equivalent_ridge_risk is exact only for mu0 = 0 (a centered activation); "
                         f"got mu0={float(ms.mu0):.3g}")
    mu1, mus2 = float(ms.mu1), float(ms.mu_star_sq)
    mu1t, must2, offset = float(mt.mu1), float(mt.mu_star_sq), float(mt.mu0) ** 2
    if theta is not None and W0 is None:
        raise ValueError("theta needs W0 (a realized first layer)")
    if W0 is None:
        st = mp_spectral_table(beta, 1.0, n_nodes)
        om, w = st.lam, st.weight
        teacher_weight = beta * w
    else:
        W0 = check_real("W0", W0, allow_array=True)
        if W0.ndim != 2:
            raise ValueError(f"W0 must be a matrix (N, d), got shape {W0.shape}")
        N, d = W0.shape
        beta = N / d
        _, s, Vt = np.linalg.svd(W0, full_matrices=False)
        om = np.zeros(N)
        om[: s.size] = s**2
        w = np.full(N, 1.0 / N)
        teacher_weight = np.zeros(N)
        if theta is None:
            teacher_weight[: s.size] = 1.0 / d
        else:
            theta = check_real("theta", theta, allow_array=True)
            if theta.shape != (d,) or not np.any(theta):
                raise ValueError(f"theta must be a nonzero vector of length d = {d}, got shape {theta.shape}")
            teacher_weight[: s.size] = (Vt @ theta) ** 2 / float(theta @ theta)
    e = mu1**2 * om + mus2
    r = beta / alpha

    def eq(k):
        return k * (1 - r * (e / (e + k)) @ w) - ridge * r

    hi = ridge * r + r * (e @ w) + 1.0
    k = brentq(eq, 1e-300, hi, xtol=1e-300, rtol=1e-15)
    df2n = r * (e**2 / (e + k) ** 2) @ w
    lin = mu1t**2 * mu1**2
    s2 = mu1t**2 + must2 + offset + noise - lin * (om / e) @ teacher_weight
    bias = lin * (k * k * om / (e * (e + k) ** 2)) @ teacher_weight
    return float((bias + s2 * df2n) / (1 - df2n) + s2 - noise)
