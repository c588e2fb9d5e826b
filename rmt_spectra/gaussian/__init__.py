"""Gaussian machinery: activations, Hermite coefficients, shifted Gaussian moments.

Conventions: probabilists' Hermite
``He_k``, ``mu_k = E[σ(z) He_k(z)]``, ``mu_star² = E σ² − mu_0² − mu_1²``
([Ba22]'s μ₂), ``scale`` is a standard deviation (``c = scale**2``).
"""
from .activation import BUILTIN_ACTIVATIONS, Activation, activation
from .hermite import HERMITE_METHODS, hermite_coefficients, hermite_values
from .moments import MOMENT_METHODS, GaussianMoments, gaussian_expectation, gaussian_moments
from .quadrature import expect_adaptive, expect_gauss_hermite, expect_split, gauss_hermite, gauss_legendre

__all__ = [
    "Activation",
    "BUILTIN_ACTIVATIONS",
    "GaussianMoments",
    "HERMITE_METHODS",
    "MOMENT_METHODS",
    "activation",
    "expect_adaptive",
    "expect_gauss_hermite",
    "expect_split",
    "gauss_hermite",
    "gauss_legendre",
    "gaussian_expectation",
    "gaussian_moments",
    "hermite_coefficients",
    "hermite_values",
]
