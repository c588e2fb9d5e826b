"""Learning curves: test error vs n/d, a theory line with simulation markers (matplotlib imported lazily)."""
from __future__ import annotations

import numpy as np

__all__ = ["plot_learning_curve"]


def plot_learning_curve(alpha=None, theory=None, *, sim_alpha=None, sim_mean=None, sim_err=None, ax=None,
                        label="theory", sim_label="simulation", bound=None, bound_label="kernel bound",
                        ylabel="test error", logx=False, **line_kwargs):
    """Plot ``theory`` vs ``alpha`` (a line) and ``sim_mean ± sim_err`` vs ``sim_alpha`` (markers).

    Parameters
    ----------
    alpha, theory : array_like, optional
        The theory curve (e.g. :func:`rmt_spectra.srf_test_error` on a grid of ``n/d``).
    sim_alpha, sim_mean, sim_err : array_like, optional
        Simulated points and their error bars; ``sim_mean`` may also be a list of
        :class:`rmt_spectra.risk.SeedAverage` (its ``mean``/``stderr`` are used).
    ax : matplotlib Axes, optional
        Drawn into (a new figure otherwise).
    label, sim_label, bound_label, ylabel : str
        Legend entries and axis label.
    bound : float, optional
        A horizontal line (e.g. :func:`rmt_spectra.risk.kernel_lower_bound`).
    logx : bool
        Logarithmic ``n/d`` axis.
    **line_kwargs
        Passed to the theory line.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    line = None
    if theory is not None:
        if alpha is None:
            raise ValueError("alpha is required with theory")
        (line,) = ax.plot(np.asarray(alpha), np.asarray(theory), label=label, **line_kwargs)
    if sim_mean is not None:
        if sim_alpha is None:
            raise ValueError("sim_alpha is required with sim_mean")
        if len(sim_mean) and hasattr(sim_mean[0], "stderr"):  # SeedAverage records
            sim_err = [s.stderr for s in sim_mean] if sim_err is None else sim_err
            sim_mean = [s.mean for s in sim_mean]
        color = line.get_color() if line is not None else None
        ax.errorbar(np.asarray(sim_alpha), np.asarray(sim_mean), yerr=None if sim_err is None else np.asarray(sim_err),
                    fmt="o", ms=4, capsize=2, color=color, label=sim_label)
    if bound is not None:
        ax.axhline(bound, color="gray", ls="--", lw=1, label=bound_label)
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel("n / d")
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False)
    return ax
