"""Drawing helpers shared by the paper figures (numbers in, artists out; no numerics here)."""
from __future__ import annotations

import numpy as np

__all__ = ["histogram", "density_panel"]


def histogram(eigenvalues, bins) -> dict:
    """Density histogram of the eigenvalues inside ``bins`` (exact zeros and points beyond the range dropped).

    Parameters
    ----------
    eigenvalues : array_like
    bins : array_like
        Bin edges.

    Returns
    -------
    dict
        ``edges``, ``heights`` (normalized by the total count, so the bars integrate to the fraction of
        eigenvalues inside the range: comparable with a density of total mass 1) and ``count``.
    """
    e = np.asarray(eigenvalues, float)
    bins = np.asarray(bins, float)
    nonzero = e[np.abs(e) > 1e-10 * max(1.0, float(np.max(np.abs(e), initial=0.0)))]
    heights, edges = np.histogram(nonzero, bins=bins)
    width = np.diff(edges)
    return {"edges": edges, "heights": heights / (e.size * width), "count": int(e.size)}


def density_panel(ax, x, hist, curves, *, outliers_predicted=(), outliers_measured=()):
    """A histogram with density curves over it and outliers marked on the axis.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x : array_like
        Grid of the curves.
    hist : dict
        From :func:`histogram`.
    curves : list of (values, linestyle, label)
    outliers_predicted, outliers_measured : sequence of float
        Drawn as triangles and as ticks at the bottom of the panel (those beyond the range are
        written in the legend instead).

    Returns
    -------
    matplotlib.axes.Axes
    """
    edges = np.asarray(hist["edges"], float)
    ax.bar(edges[:-1], hist["heights"], width=np.diff(edges), align="edge", color="0.8", edgecolor="0.6",
           lw=0.3, label="simulation")
    for values, style, label in curves:
        ax.plot(x, values, style, lw=1.3, label=label)
    top = edges[-1]
    far = [o for o in outliers_predicted if o is not None and o > top]
    near = [o for o in outliers_predicted if o is not None and o <= top]
    if near:
        ax.plot(near, np.zeros(len(near)), "v", color="tab:red", ms=8, clip_on=False, label="predicted outliers")
    meas = [o for o in outliers_measured if o is not None and np.isfinite(o) and o <= top]
    if meas:
        ax.plot(meas, np.zeros(len(meas)), "|", color="k", ms=14, mew=2, clip_on=False, label="measured outliers")
    if far:
        ax.plot([], [], " ", label="outliers beyond: " + ", ".join(f"{o:.4g}" for o in far))
    ax.set_xlabel("eigenvalue of FᵀF/n")
    ax.set_ylabel("density")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7)
    return ax
