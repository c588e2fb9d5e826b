"""Input validation shared by the whole package.

Every public constructor validates its parameters once, through these helpers,
so that bad input raises a ``ValueError``/``TypeError`` that names the
parameter and the allowed range instead of producing a silent NaN.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "check_real",
    "check_positive",
    "check_nonnegative",
    "check_size",
    "check_int",
    "check_eta_tilde",
    "MAX_ETA_TILDE",
    "as_complex_array",
    "as_real_array",
    "as_generator",
]


def check_real(name: str, value, *, allow_array: bool = False):
    """Return ``value`` as a finite float (or float array); raise otherwise."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number, got a bool")
    if isinstance(value, (str, bytes)) or (allow_array and np.asarray(value).dtype.kind in "USO"
                                           and any(isinstance(v, (str, bytes)) for v in np.ravel(value))):
        raise TypeError(f"{name} must be a real number, got the string {value!r}")
    if allow_array:
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be real, got {type(value).__name__}") from None
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be finite (no NaN or inf), got {value!r}")
        return arr
    if isinstance(value, complex) or (isinstance(value, np.ndarray) and value.ndim > 0):
        raise TypeError(f"{name} must be a real scalar, got {value!r}")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}") from None
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite (no NaN or inf), got {value!r}")
    return out


def check_positive(name: str, value) -> float:
    """A finite real number ``> 0``."""
    out = check_real(name, value)
    if out <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return out


def check_nonnegative(name: str, value) -> float:
    """A finite real number ``>= 0``."""
    out = check_real(name, value)
    if out < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return out


#: largest step ``η̃`` the equivalents accept: beyond, the pre-activations are ``O(η̃) ≫ 1`` and the
#: κ-quadratures stall (η̃ = 1e4 still solves in seconds, 1e6 does not finish).
MAX_ETA_TILDE = 1e4


def check_eta_tilde(value) -> float:
    """``η̃ ∈ [0, MAX_ETA_TILDE]`` (the step in the large-step convention ``η = η̃√N``)."""
    out = check_nonnegative("eta_tilde", value)
    if out > MAX_ETA_TILDE:
        raise ValueError(f"eta_tilde must be in [0, {MAX_ETA_TILDE:g}], got {value!r} (beyond, pre-activations are "
                         "O(eta_tilde) and the Gaussian integrals of the equivalents lose all accuracy)")
    return out


def check_int(name: str, value, *, minimum: int | None = None) -> int:
    """An integer (bools refused), optionally ``>= minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and np.isfinite(value) and value == int(value):
            value = int(value)
        else:
            raise TypeError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return value


def check_size(name: str, value) -> int:
    """A matrix dimension: an integer ``>= 1``."""
    return check_int(name, value, minimum=1)


def as_complex_array(name: str, z) -> np.ndarray:
    """``z`` as a complex array; NaN/inf refused."""
    if isinstance(z, (str, bytes)):
        raise TypeError(f"{name} must be a complex number or array, got the string {z!r}")
    try:
        arr = np.asarray(z, dtype=complex)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a complex number or array, got {type(z).__name__}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr


def as_real_array(name: str, x) -> np.ndarray:
    """``x`` as a float array; NaN refused (±inf allowed: cdf(±inf) is meaningful)."""
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be a real number or array, got the string {x!r}")
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number or array, got {type(x).__name__}") from None
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} must not contain NaN")
    return arr


def as_generator(seed) -> np.random.Generator:
    """A ``numpy.random.Generator`` from a seed, a Generator, or ``None``."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (numbers.Integral, np.random.SeedSequence)):
        if isinstance(seed, numbers.Integral) and seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int, a numpy.random.Generator or None, got {type(seed).__name__}")
