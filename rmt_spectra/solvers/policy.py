"""One policy for a solve that did not converge: ``on_failure = "raise" | "warn" | "ignore"``.

Every solver of the package takes the same ``on_failure`` argument (the old ``strict=True`` of the
Silverstein engine is ``on_failure="raise"``; ``warn=False`` of the continuation solver is
``"ignore"``) and reports through :func:`report_failure`: ``"raise"`` raises ``RuntimeError``,
``"warn"`` (the default) emits a :class:`~rmt_spectra.solvers.ConvergenceWarning` with the residual,
``"ignore"`` leaves the diagnosis to the report returned with ``return_info``/``full_output``.
"""
from __future__ import annotations

import warnings

__all__ = ["ON_FAILURE", "ConvergenceWarning", "check_on_failure", "report_failure"]

#: the accepted values of ``on_failure``.
ON_FAILURE = ("raise", "warn", "ignore")


class ConvergenceWarning(RuntimeWarning):
    """Some points did not reach the requested residual, or ended on the wrong branch."""


def check_on_failure(on_failure="warn", *, strict=None, warn=None) -> str:
    """Validate ``on_failure``; the legacy flags ``strict`` (True → "raise") and ``warn`` (False → "ignore")
    map onto it.

    Parameters
    ----------
    on_failure : {"raise", "warn", "ignore"}, default "warn"
        The policy (ValueError otherwise; not checked when a legacy flag decides).
    strict : bool, optional
        Legacy flag: true gives ``"raise"`` whatever ``on_failure`` is (it takes precedence over ``warn``).
    warn : bool, optional
        Legacy flag: false gives ``"ignore"`` (unless ``strict`` is true).

    Returns
    -------
    str
        One of :data:`ON_FAILURE`.
    """
    if strict is not None and strict:
        return "raise"
    if warn is not None and not warn:
        return "ignore"
    if on_failure not in ON_FAILURE:
        raise ValueError(f"on_failure must be one of {ON_FAILURE}, got {on_failure!r}")
    return on_failure


def full_output_flag(full_output=False, return_info=None) -> bool:
    """The one diagnostics flag: ``full_output``; ``return_info`` is its legacy spelling (either True asks)."""
    return bool(full_output) or bool(return_info)


def report_failure(message, on_failure, *, category=ConvergenceWarning, stacklevel=3) -> None:
    """Raise, warn or stay silent about ``message`` according to ``on_failure``.

    Parameters
    ----------
    message : str
        The diagnosis (what did not converge, the largest residual).
    on_failure : {"raise", "warn", "ignore"}
        ``"raise"``: ``RuntimeError(message)``; ``"warn"``: ``warnings.warn``; anything else: nothing
        (validate it first with :func:`check_on_failure`).
    category : type of Warning, default ConvergenceWarning
        Warning class for ``"warn"``.
    stacklevel : int, default 3
        Passed to :func:`warnings.warn` (3 points at the caller of the solver that reports).

    Returns
    -------
    None

    Raises
    ------
    RuntimeError
        When ``on_failure == "raise"``.
    """
    if on_failure == "raise":
        raise RuntimeError(message)
    if on_failure == "warn":
        warnings.warn(message, category, stacklevel=stacklevel)
