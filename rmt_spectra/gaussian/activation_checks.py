"""Checks run on an activation when it is built: parity (exact zeros of its coefficients) and probes.

The probes refuse, at the boundary, an activation the Gaussian machinery could not integrate:
one that raises, is not vectorized, is complex, is NaN or inf where the quadratures evaluate
it (``|z| <= 40``), or grows so fast that ``E σ(z)²`` diverges.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .._lazy import lazy_import

sympy = lazy_import("sympy")


@lru_cache(maxsize=None)
def _x():
    """The real symbol ``x`` of every sympy expression here (built on first use: sympy loads lazily)."""
    return sympy.Symbol("x", real=True)


def _detect_parity(act) -> int:
    """``+1`` even, ``−1`` odd, ``0`` neither: exactly from the coefficients or by sympy, else by an exact
    comparison of ``σ(−x)`` with ``±σ(x)`` on a grid (no float compared to a tolerance)."""
    if act._exact_coefficients is not None:
        coeffs = act._exact_coefficients
        odd_part = any(c != 0 for j, c in enumerate(coeffs) if j % 2 == 1)
        even_part = any(c != 0 for j, c in enumerate(coeffs) if j % 2 == 0)
        if not odd_part:
            return 1
        return -1 if not even_part else 0
    if act.sympy_expr is not None and act.kind == "sympy":
        e = act.sympy_expr
        flipped = e.subs(_x(), -_x())
        try:
            if sympy.simplify(flipped + e) == 0:
                return -1
            if sympy.simplify(flipped - e) == 0:
                return 1
        except Exception:  # noqa: BLE001 - sympy raises many types
            return 0
        return 0
    x = np.linspace(0.0, 8.0, 257)[1:]
    with np.errstate(all="ignore"):
        try:
            plus, minus = act(x), act(-x)
        except Exception:  # noqa: BLE001
            return 0
    if np.array_equal(minus, -plus):
        return -1
    if np.array_equal(minus, plus):
        return 1
    return 0


def _probe(act, what: str):
    """Evaluate on a 2-d probe array: must not raise, keep the shape, be real and finite."""
    probe = np.linspace(-3.0, 3.0, 12).reshape(3, 4) + 0.1234
    try:
        with np.errstate(all="ignore"):
            out = act._func(probe)
    except Exception as exc:  # noqa: BLE001
        raise ValueError(f"spec: {what} raised {type(exc).__name__}: {exc} on a probe array; it must be a "
                         f"vectorized function ndarray -> ndarray (wrap scalar code with numpy.vectorize)") from exc
    if np.shape(out) != probe.shape:
        raise ValueError(f"spec: {what} returned shape {np.shape(out)} for input shape {probe.shape}; "
                         f"it must be vectorized (elementwise, same shape)")
    out = np.asarray(out)
    if np.iscomplexobj(out):
        raise ValueError(f"spec: {what} returned complex values; it must be real-valued")
    try:
        out = out.astype(float)
    except (TypeError, ValueError):
        raise ValueError(f"spec: {what} returned non-numeric values") from None
    if not np.all(np.isfinite(out)):
        raise ValueError(f"spec: {what} returned NaN or inf on the probe points in [-3, 3]; σ must be finite on R")
    _probe_tails(act, what)


#: the Gaussian integrals evaluate σ out to |z| ≈ 40 (shifted and scaled pre-activations)
_TAIL_PROBE = np.concatenate([np.linspace(-40.0, 40.0, 161), [-12.0, 12.0, -16.0, 16.0]])


def _probe_tails(act, what: str):
    """σ must be finite where the quadratures evaluate it, and ``E σ(z)²`` must converge.

    A σ that is NaN outside some interval would make every adaptive quadrature refine
    forever; a σ growing like ``exp(c z²)`` with ``c ≥ 1/4`` has no Gaussian second moment
    (its "coefficients" would be quadrature noise of size 1e20). Checked: finiteness on
    [−40, 40], and ``σ(z)² φ(z)`` small and decreasing at ``|z| = 12, 16``.
    """
    with np.errstate(all="ignore"):
        vals = np.asarray(act._func(_TAIL_PROBE), dtype=float)
        tail = vals[161:] ** 2 * np.exp(-0.5 * _TAIL_PROBE[161:] ** 2)
    core = float(np.max(vals[75:86] ** 2, initial=0.0)) + 1.0  # σ² near 0
    finite_tail = bool(np.all(np.isfinite(tail)))
    if finite_tail and (np.any(tail[2:] > tail[:2]) and np.max(tail) > 1e-12 * core or np.max(tail) > 1e-6 * core):
        raise ValueError(f"spec: {what} grows too fast: E σ(z)² diverges for z ~ N(0, 1) "
                         f"(σ(z)² φ(z) = {np.max(tail):.3g} at |z| = 12–16); its Hermite coefficients do not exist")
    if not np.all(np.isfinite(vals[:161])):
        bad = _TAIL_PROBE[:161][~np.isfinite(vals[:161])]
        raise ValueError(f"spec: {what} returned NaN or inf at z = {bad[np.argmin(np.abs(bad))]:g}; σ must be finite "
                         f"on [-40, 40] at least, where the Gaussian integrals evaluate it")
