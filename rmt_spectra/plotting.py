"""Figures: an empirical spectrum against a theoretical one.

Plotting is kept out of the numerical objects: they return numbers, and these
helpers draw them. matplotlib is imported here only.
"""
from __future__ import annotations

import numpy as np

from .empirical.spectrum import EmpiricalSpectrum
from .spectrum import Spectrum

__all__ = ["plot_spectrum"]


def plot_spectrum(empirical, theory: Spectrum | None = None, ax=None, bins=None, grid=800, label=None, theory_label=None, color=None, show_outliers=True):
    """Histogram of ``empirical``, the density of ``theory``, outliers marked.

    The histogram shows the continuous part (zero eigenvalues excluded and the
    heights scaled by the non-zero fraction), so it is directly comparable with
    ``theory.pdf``; atoms are written in the legend. ``bins`` defaults to
    ``2√p`` (clipped to 20–120). Measured eigenvalues beyond
    the theory's bulk are drawn as ticks on the axis, predicted outliers as
    triangles.

    Parameters
    ----------
    empirical : EmpiricalSpectrum or array_like
        The measured spectrum (eigenvalues are wrapped in an :class:`EmpiricalSpectrum`).
    theory : Spectrum, optional
        A law or equivalent whose ``pdf`` is drawn over its support, with its ``outliers()``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: a new 6 × 4 in figure).
    bins : int, optional
        Histogram bins (default ``2√p`` clipped to 20–120).
    grid : int, default 800
        Points of the theoretical density.
    label, theory_label : str, optional
        Legend labels of the histogram and of the density.
    color : str, optional
        Colour of the density curve.
    show_outliers : bool, default True
        Mark measured eigenvalues beyond the bulk and predicted outliers.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if not isinstance(empirical, EmpiricalSpectrum):
        empirical = EmpiricalSpectrum(empirical)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    right_edge = None
    if theory is not None and theory.support:
        right_edge = max(b for _, b in theory.support)
    values = empirical._nonzero
    bulk = values if right_edge is None else values[values <= right_edge * 1.05 + 1e-12]
    if bulk.size == 0:
        bulk = values
    if bins is None:
        bins = int(np.clip(2 * np.sqrt(bulk.size), 20, 120))
    heights, edges = np.histogram(bulk, bins=bins, density=True)
    heights = heights * bulk.size / empirical.size
    ax.stairs(heights, edges, fill=True, alpha=0.35, color=color, label=label or f"empirical (p={empirical.size})")
    for loc, mass in empirical.atoms:
        ax.plot([], [], " ", label=f"empirical atom at {loc:g}: {mass:.3f}")
    if theory is not None:
        lo = min(min(a for a, _ in theory.support), edges[0]) if theory.support else edges[0]
        hi = max(max(b for _, b in theory.support), edges[-1]) if theory.support else edges[-1]
        pad = 0.02 * (hi - lo)
        x = np.linspace(lo - pad, hi + pad, grid)
        x = np.union1d(x, theory.edges) if theory.support else x
        ax.plot(x, theory.pdf(x), color="k", lw=1.5, label=theory_label or f"{type(theory).__name__} (theory)")
        for loc, mass in theory.atoms:
            ax.plot([], [], " ", label=f"theory atom at {loc:g}: {mass:.3f}")
    if show_outliers:
        ymax = ax.get_ylim()[1]
        left, right = ax.get_xlim()
        far_limit = right + 0.5 * (right - left)
        measured = np.array([])
        if right_edge is not None:
            measured = empirical.eigenvalues[empirical.eigenvalues > right_edge]
        predicted = np.array([o.location for o in theory.outliers()]) if theory is not None else np.array([])
        near_m, near_p = measured[measured <= far_limit], predicted[predicted <= far_limit]
        if near_m.size:
            ax.plot(near_m, np.zeros_like(near_m), "|", color="C3", ms=14, mew=2, label="measured outliers")
        if near_p.size:
            ax.plot(near_p, np.full(near_p.size, 0.04 * ymax), "v", color="k", ms=8, label="predicted outliers")
        far_m, far_p = measured[measured > far_limit], predicted[predicted > far_limit]
        if far_m.size or far_p.size:
            text = ["outliers off the axis:"]
            if far_p.size:
                text.append("predicted " + ", ".join(f"{v:.4g}" for v in np.sort(far_p)[::-1][:5]))
            if far_m.size:
                text.append("measured  " + ", ".join(f"{v:.4g}" for v in np.sort(far_m)[::-1][:5]))
            ax.text(0.98, 0.55, "\n".join(text), transform=ax.transAxes, ha="right", va="top", fontsize=8,
                    bbox=dict(boxstyle="round", fc="white", ec="0.7"))
        ax.set_xlim(left, max(right, near_m.max(initial=right) * 1.02, near_p.max(initial=right) * 1.02))
    ax.set_xlabel("eigenvalue")
    ax.set_ylabel("density")
    if empirical.matrix_label:
        ax.set_title(empirical.matrix_label, fontsize=10)
    ax.legend(fontsize=8, loc="best")
    return ax
