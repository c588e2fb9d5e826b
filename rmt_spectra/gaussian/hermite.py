r"""Hermite coefficients :math:`\mu_k = E[\sigma(z)\,He_k(z)]`, z ~ N(0,1) (``docs/theory/gaussian.md``).

``He_k`` are the probabilists' Hermite polynomials, evaluated by the three-term
recurrence :math:`He_{k+1}(z) = z\,He_k(z) - k\,He_{k-1}(z)` (stable for k up
to a few hundred at |z| ≲ 20). Then :math:`\sigma = \sum_k (\mu_k/k!) He_k` and
:math:`\mu_\star^2 = \sum_{k\ge 2}\mu_k^2/k!` ([Ba22]'s μ₂).

Closed forms (method ``"closed"``), derived here and tested against mpmath:

* ReLU: :math:`\mu_0 = \varphi(0)`, :math:`\mu_1 = 1/2` and, for k ≥ 2, by Stein's
  lemma twice with relu'' = δ₀: :math:`\mu_k = E[\delta_0(z) He_{k-2}(z)] =
  \varphi(0)\,He_{k-2}(0)`, where :math:`He_{2j}(0) = (-1)^j (2j-1)!!`, :math:`He_{2j+1}(0) = 0`.
* erf: :math:`\mu_k = E[\mathrm{erf}^{(k)}(z)] = \tfrac{2}{\sqrt\pi}E[g^{(k-1)}(z)]` with
  :math:`g = e^{-x^2}`; :math:`E[g^{(j)}(z)] = E[e^{-z^2}He_j(z)] = 3^{-1/2}E[He_j(u/\sqrt3)]`
  and :math:`E[He_j(\alpha u)] = (\alpha^2-1)^{j/2}(j-1)!!` (j even, 0 if odd), so
  :math:`\mu_k = \frac{2}{\sqrt{3\pi}}(-2/3)^{(k-1)/2}(k-2)!!` for odd k, 0 for even k.
* sin: :math:`\mu_k = E[\sin^{(k)}(z)] = e^{-1/2}\sin(k\pi/2)`.
"""
from __future__ import annotations

import math

import numpy as np

from .._validation import check_int
from .activation import Activation
from .activation import activation as _as_activation
from .quadrature import GH_NODES, expect_adaptive, expect_gauss_hermite, expect_split, truncation

__all__ = ["hermite_values", "hermite_coefficients", "HERMITE_METHODS"]

#: accepted values of ``method``.
HERMITE_METHODS = ("auto", "exact", "closed", "quadrature", "mpmath")
_CLOSED = ("relu", "erf", "sin")


def hermite_values(z, kmax: int) -> np.ndarray:
    """``He_0(z), …, He_kmax(z)`` stacked on a new last axis (shape ``z.shape + (kmax+1,)``).

    Probabilists' Hermite polynomials by the recurrence ``He_{k+1}(z) = z He_k(z) − k He_{k−1}(z)``.

    Parameters
    ----------
    z : array_like
        Real points (any shape).
    kmax : int >= 0
        Highest degree.

    Returns
    -------
    ndarray, shape ``z.shape + (kmax + 1,)``
        ``out[..., k] = He_k(z)``.
    """
    kmax = check_int("kmax", kmax, minimum=0)
    z = np.asarray(z, dtype=float)
    out = np.empty(z.shape + (kmax + 1,))
    out[..., 0] = 1.0
    if kmax >= 1:
        out[..., 1] = z
    for k in range(1, kmax):
        out[..., k + 1] = z * out[..., k] - k * out[..., k - 1]
    return out


def _double_factorial(n: int) -> int:
    return 1 if n <= 0 else math.prod(range(n, 0, -2))


def _he_at_zero(j: int) -> int:
    return 0 if j % 2 else (-1) ** (j // 2) * _double_factorial(j - 1)


# ====================================================================== methods
def _exact(act: Activation, kmax: int) -> np.ndarray:
    """Polynomials: μ_k = E[p^{(k)}(z)] with E z^{2j} = (2j−1)!!, in exact arithmetic."""
    import sympy

    if not act.is_polynomial:
        raise ValueError(f"method='exact' needs a polynomial activation (got {act.name!r}); "
                         f"use 'closed', 'quadrature' or 'mpmath'")
    coeffs = list(act._exact_coefficients)
    out = []
    for k in range(kmax + 1):
        # k-th derivative of sum c_j x^j, then its Gaussian mean
        total = sympy.Integer(0)
        for j, c in enumerate(coeffs):
            if j < k or (j - k) % 2:
                continue
            total += c * sympy.ff(j, k) * _double_factorial(j - k - 1)
        out.append(float(sympy.N(total, 30)) if not total.is_Rational else float(total))
    return np.array(out)


def _closed(act: Activation, kmax: int) -> np.ndarray:
    if act.is_polynomial:
        return _exact(act, kmax)
    name = act.name if act.kind == "builtin" else None
    k = range(kmax + 1)
    if name == "relu":
        phi0 = 1.0 / math.sqrt(2.0 * math.pi)
        out = np.array([phi0 * _he_at_zero(j - 2) if j >= 2 else 0.0 for j in k], dtype=float)
        out[0] = phi0
        if kmax >= 1:
            out[1] = 0.5
        return out
    if name == "erf":
        c = 2.0 / math.sqrt(3.0 * math.pi)
        return np.array([0.0 if j % 2 == 0 else c * (-2.0 / 3.0) ** ((j - 1) // 2) * _double_factorial(j - 2)
                         for j in k])
    if name == "sin":
        return math.exp(-0.5) * np.array([(0.0, 1.0, 0.0, -1.0)[j % 4] for j in k])
    raise ValueError(f"method='closed' is available for {', '.join(_CLOSED)} and polynomials, not {act.name!r}; "
                     f"use 'quadrature' or 'mpmath'")


def _quadrature(act: Activation, kmax: int):
    """Fixed Gauss–Hermite (smooth σ), split Gauss–Legendre (known kinks) or adaptive (unknown)."""
    def integrand(x, z):
        sig = act(x)
        he = hermite_values(z, kmax)
        return [sig * he[..., j] for j in range(kmax + 1)]

    zero, one = np.zeros(1), np.ones(1)
    if act.smooth is True:
        n = max(GH_NODES, kmax + 2 * (len(act._exact_coefficients) if act.is_polynomial else 0))
        return np.array([v[0] for v in expect_gauss_hermite(integrand, zero, one, n)]), None
    L = truncation(kmax + 2)
    if act.smooth is False:
        return np.array([v[0] for v in expect_split(integrand, zero, one, act.kinks, L=L)]), None
    vals, errs = expect_adaptive(integrand, zero, one, breakpoints=(0.0,) + act.kinks, L=L)
    return np.array([v[0] for v in vals]), np.array([e[0] for e in errs])


def _mpmath(act: Activation, kmax: int, dps: int):
    """mpmath.quad at ``dps`` digits on (-inf, kinks ∪ {0}, inf): the reference."""
    import mpmath

    with mpmath.workdps(dps):
        pts = [-mpmath.inf] + [mpmath.mpf(p) for p in sorted(set(act.kinks) | {0.0})] + [mpmath.inf]
        norm = 1 / mpmath.sqrt(2 * mpmath.pi)
        cache = {}

        def values(t):  # σ(t)φ(t)·[He_0(t), …, He_kmax(t)], shared by all k (same nodes)
            if t not in cache:
                g = act.mp_eval(t) * mpmath.exp(-t * t / 2) * norm
                he = [mpmath.mpf(1), t]
                for j in range(1, kmax):
                    he.append(t * he[j] - j * he[j - 1])
                cache[t] = [g * h for h in he[: kmax + 1]]
            return cache[t]

        out, errs = [], []
        for k in range(kmax + 1):
            val, err = mpmath.quad(lambda t, k=k: values(t)[k], pts, error=True, maxdegree=10)
            out.append(float(val))
            errs.append(float(err))
    return np.array(out), np.array(errs)


def apply_parity(mu, parity):
    """Set the coefficients that vanish by parity to exactly 0 (odd σ: even k; even σ: odd k)."""
    mu = np.array(mu, dtype=float)
    if parity == -1:
        mu[0::2] = 0.0
    elif parity == 1:
        mu[1::2] = 0.0
    return mu


# ====================================================================== public
def hermite_coefficients(activation, kmax, method="auto", *, dps=30, full_output=False):
    r"""Hermite coefficients :math:`[\mu_0, \dots, \mu_{k_{max}}]`, :math:`\mu_k = E[\sigma(z) He_k(z)]`.

    Parameters
    ----------
    activation : Activation or any spec accepted by :func:`rmt_spectra.activation`
    kmax : int
        Highest order (>= 0). Double precision limits the relative accuracy of
        large-k coefficients (``|σ He_k|`` has mean ~ ``sqrt(k!)``); k <= 30 is tested.
    method : {"auto", "exact", "closed", "quadrature", "mpmath"}
        ``"exact"``: polynomials, exact rational arithmetic (sympy).
        ``"closed"``: ReLU, erf, sin (formulas in the module docstring) and polynomials.
        ``"quadrature"``: 160-node Gauss–Hermite for smooth σ; composite
        Gauss–Legendre split at the kinks for kinked σ; adaptive bisection with
        an error estimate for σ of unknown smoothness (a bare callable).
        ``"mpmath"``: ``mpmath.quad`` at ``dps`` digits, split at the kinks and 0 (the reference).
        ``"auto"``: exact for polynomials, closed for ReLU/erf/sin, quadrature otherwise.
    dps : int
        Decimal digits for ``method="mpmath"``.
    full_output : bool
        Also return ``info``: ``{"method": used, "error": estimate or None}``
        (an estimate exists for the adaptive quadrature and for mpmath).

    Returns
    -------
    ndarray of shape (kmax + 1,)  (and ``info`` if ``full_output``)
    """
    act = _as_activation(activation)
    kmax = check_int("kmax", kmax, minimum=0)
    dps = check_int("dps", dps, minimum=15)
    if method not in HERMITE_METHODS:
        raise ValueError(f"method must be one of {HERMITE_METHODS}, got {method!r}")
    if method == "auto":
        if act.is_polynomial:
            method = "exact"
        elif act.kind == "builtin" and act.name in _CLOSED:
            method = "closed"
        else:
            method = "quadrature"
    error = None
    if method == "exact":
        mu = _exact(act, kmax)
    elif method == "closed":
        mu = _closed(act, kmax)
    elif method == "quadrature":
        mu, error = _quadrature(act, kmax)
    else:
        mu, error = _mpmath(act, kmax, dps)
    mu = apply_parity(mu, act.parity)
    if full_output:
        return mu, {"method": method, "error": error}
    return mu
