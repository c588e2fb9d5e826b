r"""Learning-rate conventions (``docs/theory/one_step.md``, "Learning-rate regimes").

The simulator's update is ``W₁ = W₀ + η √N G₀``. The papers parametrize ``η``
differently; these helpers translate to ``η``:

* ``η`` itself: ``η = Θ(1)`` is the "small" step of [Ba22];
* ``η̃`` with ``η = η̃ √N`` (:func:`eta_from_tilde`): the "large"/"maximal" step
  of [Ba22]/[Dan24], the default of the [Cui24] code;
* the exponent ``α`` with ``η = n^α`` (:func:`eta_from_exponent`), ``0 < α < 1/2``
  ([Mon23]); ``n`` is the sample size of the gradient step (``n0`` in
  :func:`~rmt_spectra.simulate_one_step`).
"""
from __future__ import annotations

import math

from .._validation import check_nonnegative, check_real, check_size

__all__ = ["eta_from_tilde", "eta_from_exponent", "tilde_from_eta", "exponent_from_eta", "resolve_eta"]


def eta_from_tilde(eta_tilde, N) -> float:
    """The learning rate of the large-step regime: ``η = η̃ √N`` ([Ba22], [Cui24]).

    Parameters
    ----------
    eta_tilde : float >= 0
        ``η̃``, the step in units of ``√N``.
    N : int >= 1
        Width of the hidden layer.

    Returns
    -------
    float
        ``η``.
    """
    eta_tilde = check_nonnegative("eta_tilde", eta_tilde)
    N = check_size("N", N)
    return eta_tilde * math.sqrt(N)


def tilde_from_eta(eta, N) -> float:
    """Inverse of :func:`eta_from_tilde`: ``η̃ = η/√N``.

    Parameters
    ----------
    eta : float >= 0
        The learning rate ``η`` of ``W₁ = W₀ + η √N G₀``.
    N : int >= 1
        Width of the hidden layer.

    Returns
    -------
    float
        ``η̃``, the step in units of ``√N``.
    """
    eta = check_nonnegative("eta", eta)
    N = check_size("N", N)
    return eta / math.sqrt(N)


def eta_from_exponent(alpha, n) -> float:
    """The learning rate of the polynomial regime: ``η = n^α`` ([Mon23]).

    Parameters
    ----------
    alpha : float
        The exponent (the regime of polynomial spikes is ``0 < α < 1/2``).
    n : int >= 1
        The batch size of the step (``n₀`` in this package's notation).

    Returns
    -------
    float
        ``η``.
    """
    alpha = check_real("alpha", alpha)
    n = check_size("n", n)
    return float(n) ** alpha


def exponent_from_eta(eta, n) -> float:
    """Inverse of :func:`eta_from_exponent`: ``α = log η / log n`` (``eta > 0``, ``n >= 2``).

    Parameters
    ----------
    eta : float > 0
        The learning rate ``η`` (ValueError for ``eta <= 0``).
    n : int >= 2
        The batch size of the step (``n₀`` in this package's notation); ValueError for ``n < 2``.

    Returns
    -------
    float
        The exponent ``α`` with ``η = n^α`` ([Mon23]); any real value (negative for ``η < 1``).
    """
    eta = check_real("eta", eta)
    if eta <= 0:
        raise ValueError(f"eta must be > 0 to define an exponent, got {eta!r}")
    n = check_size("n", n)
    if n < 2:
        raise ValueError(f"n must be >= 2 to define an exponent, got {n}")
    return math.log(eta) / math.log(n)


def resolve_eta(eta, eta_tilde, eta_exponent, *, N, n0, default_eta=1.0) -> float:
    """The learning rate from the three mutually exclusive conventions.

    At most one of ``eta_tilde`` / ``eta_exponent`` may be given, and only when
    ``eta`` is left at its default (``1.0``); otherwise ValueError.
    """
    given = [name for name, v in (("eta_tilde", eta_tilde), ("eta_exponent", eta_exponent)) if v is not None]
    if len(given) > 1:
        raise ValueError("give at most one of eta_tilde and eta_exponent (they are alternative conventions for eta)")
    eta = check_nonnegative("eta", eta)
    if given:
        if eta != default_eta:
            raise ValueError(f"eta and {given[0]} are mutually exclusive: leave eta at its default ({default_eta}) "
                             f"when giving {given[0]}")
        if eta_tilde is not None:
            return eta_from_tilde(eta_tilde, N)
        return eta_from_exponent(eta_exponent, n0)
    return eta
