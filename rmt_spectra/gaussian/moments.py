r"""Shifted Gaussian moments of an activation, vectorized over shifts and scales.

For :math:`x = s + \sqrt{c}\,z`, z ~ N(0,1), ``scale`` :math:`=\sqrt c` (a standard
deviation, the scipy convention; the variance is ``c = scale**2``), following
``docs/theory/gaussian.md`` and ``docs/theory/spiked_features.md``:

.. math::
    \mu_0 = E\sigma(x),\quad \mu_1 = E\sigma'(x) = E[\sigma(x) z]/\sqrt c,\quad
    \mu_\star^2 = E\sigma(x)^2 - \mu_0^2 - c\,\mu_1^2 .

Paths (``method="auto"``):

* ReLU, closed [docs/theory/gaussian.md], with t = s/√c:
  :math:`\mu_0 = \sqrt c\,(t\Phi(t) + \varphi(t))`, :math:`\mu_1 = \Phi(t)`,
  :math:`E\sigma^2 = c\,((1+t^2)\Phi(t) + t\varphi(t))`. μ⋆² is even in t
  (relu(x) = x + relu(−x) and a linear part does not change μ⋆), so it is
  evaluated at −|t|, where no large terms cancel.
* erf, closed [derived]: :math:`\mu_0 = \mathrm{erf}(s/\sqrt{1+2c})`,
  :math:`\mu_1 = \frac{2}{\sqrt{\pi(1+2c)}} e^{-s^2/(1+2c)}`, and with
  erf(x) = 2Φ(√2 x) − 1 and the bivariate normal cdf on the diagonal,
  Φ₂(h, h; ρ) = Φ(h) − 2T(h, √((1−ρ)/(1+ρ))) (Owen's T):
  :math:`E\,\mathrm{erf}^2 = 1 - 8\,T\!\left(\sqrt2 s/\sqrt{1+2c},\ 1/\sqrt{1+4c}\right)`
  (at s = 0, c = 1: 1 − (4/π) arctan(1/√5) = (2/π) arcsin(2/3)).
* sin, closed: :math:`\mu_0 = \sin(s)e^{-c/2}`, :math:`\mu_1 = \cos(s)e^{-c/2}`,
  :math:`E\sin^2 = (1 - \cos(2s)e^{-2c})/2`.
* polynomials, closed: ``E p(s + √c z) = Σ_{k even} p^{(k)}(s) c^{k/2} (k−1)!!/k!``
  (and the same for ``p'`` and ``p²``); other smooth σ: 160-node Gauss–Hermite
  when every scale is <= 1, else composite Gauss–Legendre with panels of width
  1/scale in z (width 1 in x, so the complex singularities of σ, e.g. tanh's
  poles at ±iπ/2, stay resolved: Gauss–Hermite alone loses 3e-3 on tanh at
  scale 4); σ with known kinks: Gauss–Legendre split at ``z = (k − s)/√c``; σ of unknown
  smoothness: vectorized adaptive quadrature, with an error estimate.
  μ₁ uses the analytic σ' when the activation has one, else the Stein form.

Exact zeros by parity: at shift 0, μ₀ of an odd σ and μ₁ of an even σ are
returned as exactly 0 (:attr:`Activation.parity`), not as round-off.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._lazy import lazy_import
from .._validation import check_real
from .activation import Activation
from .activation import activation as _as_activation
from .quadrature import expect_adaptive, expect_gauss_hermite, expect_split

sc = lazy_import("scipy.special")

__all__ = ["GaussianMoments", "gaussian_moments", "gaussian_expectation", "MOMENT_METHODS"]

#: accepted values of ``method`` in :func:`gaussian_moments`.
MOMENT_METHODS = ("auto", "closed", "quadrature", "adaptive", "mpmath")
_CLOSED = ("relu", "erf", "sin")


@dataclass(frozen=True)
class GaussianMoments:
    """Moments of σ(shift + scale·z), arrays broadcast over ``shift`` and ``scale``.

    Returned by :func:`gaussian_moments`; the fields are its constructor arguments.

    Parameters
    ----------
    shift, scale : ndarray
        Broadcast inputs (``scale`` = √c, a standard deviation).
    mu0, mu1 : ndarray
        :math:`E\\sigma(x)` and :math:`E\\sigma'(x)`.
    second_moment : ndarray
        :math:`E\\sigma(x)^2`.
    mu_star_sq, mu_star : ndarray
        :math:`\\mu_\\star^2 = E\\sigma^2 - \\mu_0^2 - c\\mu_1^2` (round-off negatives clipped at 0) and its root.
        Computed in double precision from the three expectations (except the
        ReLU closed form and mpmath), μ⋆² has absolute error ~1e-15·Eσ², so
        μ⋆ has absolute error ~sqrt(1e-15·Eσ²) ≈ 3e-8 where μ⋆ ≈ 0 (σ nearly linear).
    method : str
        ``"closed"``, ``"gauss-hermite"``, ``"split-legendre"``, ``"adaptive"`` or ``"mpmath"``.
    error : ndarray or None
        Estimated absolute error (max over the three expectations), for
        ``"adaptive"`` and ``"mpmath"``; None where the method has no estimate
        (closed forms, and fixed rules whose accuracy is checked in the tests).

    Attributes
    ----------
    variance : ndarray
        ``c = scale**2``.
    """

    shift: np.ndarray
    scale: np.ndarray
    mu0: np.ndarray
    mu1: np.ndarray
    mu_star: np.ndarray
    mu_star_sq: np.ndarray
    second_moment: np.ndarray
    method: str
    error: np.ndarray | None = None

    @property
    def variance(self):
        """``c = scale**2``."""
        return self.scale**2


# ====================================================================== closed forms
def _relu_closed(s, a):
    t = s / a
    Phi, phi = sc.ndtr(t), np.exp(-0.5 * t * t) / math.sqrt(2 * math.pi)
    mu0 = a * (t * Phi + phi)
    mu1 = Phi
    m2 = a * a * ((1 + t * t) * Phi + t * phi)
    u = -np.abs(t)
    Pu, pu = sc.ndtr(u), np.exp(-0.5 * u * u) / math.sqrt(2 * math.pi)
    star_sq = a * a * ((1 + u * u) * Pu + u * pu - (u * Pu + pu) ** 2 - Pu**2)
    return mu0, mu1, m2, star_sq


def _erf_closed(s, a):
    c = a * a
    mu0 = sc.erf(s / np.sqrt(1 + 2 * c))
    mu1 = 2.0 / np.sqrt(np.pi * (1 + 2 * c)) * np.exp(-s * s / (1 + 2 * c))
    m2 = 1.0 - 8.0 * sc.owens_t(math.sqrt(2.0) * s / np.sqrt(1 + 2 * c), 1.0 / np.sqrt(1 + 4 * c))
    return mu0, mu1, m2, None


def _sin_closed(s, a):
    c = a * a
    damp = np.exp(-0.5 * c)
    return np.sin(s) * damp, np.cos(s) * damp, 0.5 * (1 - np.cos(2 * s) * np.exp(-2 * c)), None


def _polynomial_gaussian_mean(coeffs, s, a):
    """``E p(s + a z)`` for the monomial coefficients ``coeffs``: ``Σ_{k even} p^{(k)}(s) a^k (k−1)!!/k!``.

    Exact up to the rounding of the few terms; a coefficient that is zero in
    exact arithmetic at ``s = 0`` (e.g. ``E He_2``) comes out as exactly 0.
    """
    P = np.polynomial.polynomial
    c = np.asarray(coeffs, float)
    total = np.zeros(np.shape(s))
    k = 0
    while k < c.size:
        dk = P.polyder(c, k) if k else c
        total = total + P.polyval(s, dk) * a**k * (math.prod(range(1, k, 2)) / math.factorial(k))
        k += 2
    return total


def _polynomial_closed(act: Activation, s, a):
    P = np.polynomial.polynomial
    c = act.polynomial_coefficients
    mu0 = _polynomial_gaussian_mean(c, s, a)
    mu1 = _polynomial_gaussian_mean(P.polyder(c) if c.size > 1 else np.zeros(1), s, a)
    m2 = _polynomial_gaussian_mean(P.polymul(c, c), s, a)
    return mu0, mu1, m2, None


# ====================================================================== quadrature
def _moments_quadrature(act: Activation, s, a, adaptive: bool):
    # σ' is used where it is a true (not distributional) derivative: smooth σ and the
    # kinked built-ins; otherwise the Stein form E[σ z]/√c (exact for any σ, e.g. jumps).
    analytic = act.has_analytic_derivative and (act.smooth is True or act.kind == "builtin")

    def integrand(x, z):
        if analytic:
            v, d = act.value_and_derivative(x)
            return [v, v * v, d]
        v = act(x)
        return [v, v * v, v * z]

    error = None
    if adaptive or act.smooth is None:
        (m0, m2, m1), errs = expect_adaptive(integrand, s, a, breakpoints=(0.0,) + act.kinks)
        error = np.maximum.reduce([errs[0], errs[1], errs[2] / (1.0 if analytic else a)])
        method = "adaptive"
    elif act.smooth and (act.is_polynomial or a.max(initial=0.0) <= 1.0):
        m0, m2, m1 = expect_gauss_hermite(integrand, s, a)
        method = "gauss-hermite"
    elif act.smooth:
        m0, m2, m1 = expect_split(integrand, s, a, ())
        method = "split-legendre"
    else:
        m0, m2, m1 = expect_split(integrand, s, a, act.kinks)
        method = "split-legendre"
    if not analytic:
        m1 = m1 / a
    return (m0, m1, m2, None), method, error


def _moments_mpmath(act: Activation, s, a, dps=30):
    """Per-shift mpmath.quad (slow reference); σ' via the Stein form E[σ z]/√c."""
    import mpmath

    out = np.empty((4, s.size))
    err = np.empty(s.size)
    with mpmath.workdps(dps):
        norm = 1 / mpmath.sqrt(2 * mpmath.pi)
        for i, (si, ai) in enumerate(zip(s, a)):
            si, ai = mpmath.mpf(float(si)), mpmath.mpf(float(ai))
            pts = sorted({(mpmath.mpf(k) - si) / ai for k in set(act.kinks) | {0.0}})
            pts = [-mpmath.inf] + pts + [mpmath.inf]
            vals, errs = [], []
            for g in (lambda v, z: v, lambda v, z: v * z / ai, lambda v, z: v * v):
                def f(z, g=g):
                    return g(act.mp_eval(si + ai * z), z) * mpmath.exp(-z * z / 2) * norm
                val, e = mpmath.quad(f, pts, error=True, maxdegree=10)
                vals.append(val)
                errs.append(float(e))
            out[:3, i] = [float(v) for v in vals]
            out[3, i] = float(vals[2] - vals[0] ** 2 - ai * ai * vals[1] ** 2)  # no cancellation at dps digits
            err[i] = max(errs)
    return (out[0], out[1], out[2], out[3]), "mpmath", err


def gaussian_moments(activation, shift=0.0, scale=1.0, *, method="auto") -> GaussianMoments:
    r"""μ₀, μ₁, μ⋆ of σ(shift + scale·z), z ~ N(0,1), broadcast over ``shift`` and ``scale``.

    Parameters
    ----------
    activation : Activation or spec (see :func:`rmt_spectra.activation`)
    shift : float or array_like
        s, finite.
    scale : float or array_like
        √c > 0, a standard deviation (``c = scale**2`` is the variance).
    method : {"auto", "closed", "quadrature", "adaptive", "mpmath"}
        ``"auto"``: closed forms for ReLU, erf and sin, fixed quadrature
        otherwise (Gauss–Hermite if smooth, split Gauss–Legendre if kinked,
        adaptive if smoothness is unknown). ``"mpmath"`` is a slow per-shift reference.

    Returns
    -------
    GaussianMoments
        Arrays of the broadcast shape (0-d numpy scalars for scalar input).

    Raises
    ------
    ValueError
        NaN/inf in ``shift``/``scale``, ``scale <= 0``, an unknown ``method``,
        or a μ⋆² significantly negative (a quadrature failure).
    """
    act = _as_activation(activation)
    s = check_real("shift", shift, allow_array=True)
    a = check_real("scale", scale, allow_array=True)
    if np.any(a <= 0):
        raise ValueError(f"scale must be > 0 (a standard deviation; c = scale**2), got {scale!r}")
    if method not in MOMENT_METHODS:
        raise ValueError(f"method must be one of {MOMENT_METHODS}, got {method!r}")
    s, a = np.broadcast_arrays(s, a)
    shape = s.shape
    sf, af = s.ravel().astype(float), a.ravel().astype(float)
    closed_name = act.name if (act.kind == "builtin" and act.name in _CLOSED) else None
    if method == "closed" and closed_name is None and not act.is_polynomial:
        raise ValueError(f"method='closed' is available for {', '.join(_CLOSED)} and polynomials, not {act.name!r}")
    error = None
    if method in ("auto", "closed") and closed_name is not None:
        res = {"relu": _relu_closed, "erf": _erf_closed, "sin": _sin_closed}[closed_name](sf, af)
        used = "closed"
    elif method in ("auto", "closed") and act.is_polynomial:
        res = _polynomial_closed(act, sf, af)
        used = "closed"
    elif method == "mpmath":
        res, used, error = _moments_mpmath(act, sf, af)
    else:
        res, used, error = _moments_quadrature(act, sf, af, adaptive=(method == "adaptive"))
    mu0, mu1, m2, star_sq = (np.asarray(r, dtype=float) if r is not None else None for r in res)
    if act.parity != 0 and np.any(sf == 0.0):
        # exact zeros by parity at shift 0: μ₀ of an odd σ, μ₁ of an even σ
        centre = sf == 0.0
        if act.parity == -1:
            mu0 = np.where(centre, 0.0, mu0)
        else:
            mu1 = np.where(centre, 0.0, mu1)
        if star_sq is not None:
            star_sq = np.where(centre, m2 - mu0**2 - af**2 * mu1**2, star_sq)
    if star_sq is None:
        star_sq = m2 - mu0**2 - af**2 * mu1**2
    tol = 1e-9 * np.maximum(1.0, m2) + (10 * error if error is not None else 0.0)
    if np.any(star_sq < -tol):
        i = int(np.argmin(star_sq + tol))
        raise ValueError(f"mu_star^2 = {star_sq[i]:.3e} < 0 at shift={sf[i]}, scale={af[i]}: the quadrature "
                         f"failed for {act.name!r}; try method='adaptive' or 'mpmath'")
    star_sq = np.maximum(star_sq, 0.0)

    def shaped(v):
        v = np.asarray(v, dtype=float).reshape(shape)
        return v[()] if v.ndim == 0 else v

    return GaussianMoments(
        shift=shaped(sf), scale=shaped(af), mu0=shaped(mu0), mu1=shaped(mu1),
        mu_star=shaped(np.sqrt(star_sq)), mu_star_sq=shaped(star_sq), second_moment=shaped(m2),
        method=used, error=None if error is None else shaped(error),
    )


def gaussian_expectation(func, shift=0.0, scale=1.0, *, kinks=None):
    r""":math:`E\,f(\text{shift} + \text{scale}\cdot z)`, z ~ N(0,1), vectorized and kink-aware.

    Parameters
    ----------
    func : Activation, spec, or vectorized callable
        If an :class:`Activation` (or spec) its ``kinks``/``smooth`` choose the
        rule (Gauss–Hermite, split Gauss–Legendre, or adaptive).
    shift, scale : float or array_like
        Broadcast together; ``scale > 0``.
    kinks : sequence of float, optional
        Breakpoints of a callable ``func`` (declares it analytic between them).

    Returns
    -------
    ndarray (0-d numpy scalar for scalar input)
    """
    act = _as_activation(func) if kinks is None else _as_activation(func, kinks=kinks)
    s = check_real("shift", shift, allow_array=True)
    a = check_real("scale", scale, allow_array=True)
    if np.any(a <= 0):
        raise ValueError(f"scale must be > 0 (a standard deviation), got {scale!r}")
    s, a = np.broadcast_arrays(s, a)
    shape = s.shape
    sf, af = s.ravel().astype(float), a.ravel().astype(float)

    def integrand(x, z):
        return [act(x)]

    if act.smooth is None:
        (val,), _ = expect_adaptive(integrand, sf, af, breakpoints=(0.0,))
    elif act.smooth and (act.is_polynomial or af.max(initial=0.0) <= 1.0):
        (val,) = expect_gauss_hermite(integrand, sf, af)
    else:
        (val,) = expect_split(integrand, sf, af, act.kinks)
    val = val.reshape(shape)
    return val[()] if val.ndim == 0 else val
