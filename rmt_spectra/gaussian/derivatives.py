"""Derivatives ``σ^{(k)}`` of activations: closed forms where σ has one, central differences otherwise.

Built-ins whose derivative is a polynomial in σ itself (``tanh' = 1 − tanh²``,
``s' = s − s²`` for the sigmoid) differentiate that polynomial; sympy expressions
and polynomials differentiate exactly; a bare callable gets a central difference of
order ``k`` with step ``h = ε^{1/(k+2)} max(1, |x|)`` (error ``O(h²)`` against rounding
``O(ε/h^k)``, balanced at that ``h``).
"""
from __future__ import annotations

import math

import numpy as np

from .._lazy import lazy_import

sympy = lazy_import("sympy")

#: machine epsilon of the central-difference step ``h = eps**(1/(k+2)) * max(1, |x|)``.
_EPS = np.finfo(float).eps


def _as_array_func(f):
    """Wrap a lambdified function so that constants broadcast to the input shape."""

    def wrapped(x):
        x = np.asarray(x, dtype=float)
        return np.zeros(x.shape) + np.asarray(f(x), dtype=float)

    return wrapped


def _finite_difference(func, k):
    coef = np.array([(-1) ** j * math.comb(k, j) for j in range(k + 1)], dtype=float)
    offsets = np.array([k / 2 - j for j in range(k + 1)])

    def deriv(x):
        x = np.asarray(x, dtype=float)
        h = _EPS ** (1.0 / (k + 2)) * np.maximum(1.0, np.abs(x))
        total = np.zeros(x.shape)
        for c, o in zip(coef, offsets):
            total = total + c * np.asarray(func(x + o * h), dtype=float)
        return total / h**k

    return deriv


def _generator_polynomial_derivative(gen, dgen_poly, k):
    """σ = gen(x) with gen' = q(gen) (q a polynomial): σ^{(k)} = P_k(gen(x))."""
    P = np.polynomial.Polynomial([0.0, 1.0])
    for _ in range(k):
        P = P.deriv() * dgen_poly
    return lambda x: P(gen(np.asarray(x, dtype=float)))


def _sympy_derivative_factory(expr, sym):
    def factory(k):
        d = sympy.diff(expr, sym, k)
        return _as_array_func(sympy.lambdify(sym, d, modules=["scipy", "numpy"]))

    return factory


def _polynomial_derivative_factory(coeffs):
    c = np.array([float(v) for v in coeffs])

    def factory(k):
        d = np.polynomial.polynomial.polyder(c, k) if len(c) > k else np.zeros(1)
        return lambda x: np.polynomial.polynomial.polyval(np.asarray(x, dtype=float), d)

    return factory


def _relu_derivative(k):
    if k == 1:
        return lambda x: np.where(np.asarray(x, dtype=float) > 0, 1.0, 0.0)
    return lambda x: np.zeros(np.shape(x))


_SIN_CYCLE = (np.sin, np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x))
_TANH_Q = np.polynomial.Polynomial([1.0, 0.0, -1.0])   # tanh' = 1 - tanh^2
_SIGMOID_Q = np.polynomial.Polynomial([0.0, 1.0, -1.0])  # s' = s - s^2
