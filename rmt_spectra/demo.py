r"""The headline demo: the feature spectrum before and after one large gradient step.

``rmt-spectra demo`` (and ``paper_figures/spectrum_one_step.py``) run
:func:`run_demo`: one two-layer network per panel, one full-batch gradient step
with ``η = η̃√N`` on ``n0`` samples, features on fresh data, and

* the spectrum of ``Σ̂₀ = F₀ᵀF₀/n`` at initialization against
  :class:`~rmt_spectra.ConjugateKernel` (Gaussian equivalence);
* the spectrum of ``Σ̂ = FᵀF/n`` after the step against both equivalents of
  :meth:`~rmt_spectra.SpikedFeatures.from_one_step`: ``model="network"`` (the
  default, which keeps the structured ``E σ''`` term of the step) and
  ``model="surrogate"`` (the isotropic spiked random-features model);
* every predicted outlier (the mean outliers of order ``N``; the O(1) b-direction
  condition has no root in these settings) against the measured eigenvalue.

Two panels by default, ``n0, n, d, N = 4000, 2000, 1000, 1000``: tanh student
and teacher, ``ā = ±1``, ``η̃ = 5`` (odd σ: both equivalents coincide; the bulk
shrinks, right edge ≈ 2.1 → ≈ 1.2, and an outlier of order ``N`` appears), and
ReLU student and teacher, constant ``a``, ``η̃ = 3`` (the ``E σ''`` term: the
network equivalent follows the grown tail, right edge ≈ 3.25, where the
surrogate stops at ≈ 2.6). A few seconds on two cores.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from .empirical import EmpiricalSpectrum, compare
from .equivalents import ConjugateKernel
from .simulation import simulate_one_step
from .spiked.features import SpikedFeatures
from .spiked.outliers import b_direction_condition

__all__ = ["run_demo", "format_table", "DEFAULTS", "RELU_PANEL"]

DEFAULTS = dict(n0=4000, n=2000, d=1000, N=1000, activation="tanh", teacher="tanh", eta_tilde=5.0,
                second_layer="pm1", noise=0.0, seed=0)
#: the second panel of the default demo (same sizes and seed)
RELU_PANEL = dict(activation="relu", teacher="relu", eta_tilde=3.0, second_layer="constant")


def _spectrum_of(F):
    return EmpiricalSpectrum.from_features(F, matrix_label="F0^T F0 / n (initialization)")


def _panel(n0, n, d, N, activation, teacher, eta_tilde, second_layer, noise, seed):
    """Simulate one step, build the three equivalents, compare; returns the objects and the numbers."""
    import warnings

    t0 = time.perf_counter()
    res = simulate_one_step(n0, n, d, N, activation=activation, teacher=teacher, noise=noise,
                            second_layer=second_layer, seed=seed, eta_tilde=eta_tilde)
    emp_after = res.feature_spectrum()
    emp_init = _spectrum_of(np.asarray(res.F0, float))
    t_sim = time.perf_counter() - t0
    t0 = time.perf_counter()
    ck = ConjugateKernel(activation, n, d, N)
    net = SpikedFeatures.from_one_step(activation, teacher, eta_tilde, n0, n, d, N, noise=noise,
                                       second_layer=second_layer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the surrogate's own validity warning: shown on purpose
        sur = SpikedFeatures.from_one_step(activation, teacher, eta_tilde, n0, n, d, N, noise=noise,
                                           second_layer=second_layer, model="surrogate")
    cmp_init, cmp_net, cmp_sur = compare(ck, emp_init), compare(net, emp_after), compare(sur, emp_after)
    x_b = net.right_edge * (1 + np.logspace(-6, 3, 60))
    b_min = float(np.min(b_direction_condition(net, x_b)))
    t_theory = time.perf_counter() - t0
    numbers = {
        "parameters": dict(n0=n0, n=n, d=d, N=N, activation=str(activation), teacher=str(teacher),
                           eta_tilde=eta_tilde, eta=float(res.eta), second_layer=str(second_layer), noise=noise,
                           seed=seed),
        "srf": {"r": net.r, "bulk_variance": net.bulk_variance, "gamma": net.gamma,
                "groups": [list(g) for g in net.groups], "kappa_rule": net.kappa_rule},
        "init": {"theory": repr(ck), **cmp_init.as_dict(), "support": [list(ab) for ab in ck.support]},
        "after": {"theory": repr(net), **cmp_net.as_dict(), "support": [list(ab) for ab in net.support],
                  "b_direction_condition_min": b_min,
                  "mean_outliers_leading_order": (net.N * np.linalg.eigvalsh(net.mean_outlier_matrix())).tolist(),
                  "validity": net.validity},
        "after_surrogate": {"theory": repr(sur), **cmp_sur.as_dict(), "support": [list(ab) for ab in sur.support]},
        "timing_s": {"simulation": t_sim, "theory": t_theory},
    }
    objects = dict(emp_init=emp_init, emp_after=emp_after, ck=ck, net=net, sur=sur, cmp_init=cmp_init,
                   cmp_net=cmp_net, cmp_sur=cmp_sur)
    return objects, numbers


def run_demo(n0=4000, n=2000, d=1000, N=1000, activation="tanh", teacher="tanh", eta_tilde=5.0,
             second_layer="pm1", noise=0.0, seed=0, out="out/spectrum_one_step.png", pdf=False, verbose=True, *,
             relu_panel=True):
    """Simulate, compare with the deterministic equivalents, draw the figure, print the table.

    Parameters
    ----------
    n0, n, d, N : int
        Step batch, fresh samples, input dimension, width.
    activation, teacher : activation specs
        The first panel (default tanh/tanh).
    eta_tilde : float
        ``η = η̃√N``.
    second_layer : "pm1", "constant", "gaussian" or list of (value, probability)
        Law of ``ā``.
    noise : float
        Label-noise variance.
    seed : int
    out : str or None
        PNG path; the numbers go next to it as JSON (and a PDF if ``pdf``). ``None``: no files.
    verbose : bool
        Print the table.
    relu_panel : bool
        Add the second panel :data:`RELU_PANEL` (ReLU/ReLU, constant ``a``, ``η̃ = 3``; same
        sizes, noise and seed) beside the first; it is skipped when the first panel already is ReLU.

    Returns
    -------
    dict
        The numbers of the first panel at the top level (parameters, timings, comparisons at
        init, after the step with the network equivalent (``"after"``) and the surrogate
        (``"after_surrogate"``), outliers predicted/measured); the second panel under ``"relu"``.
        Also written to the JSON file.
    """
    t_start = time.perf_counter()
    panels = [_panel(n0, n, d, N, activation, teacher, eta_tilde, second_layer, noise, seed)]
    if relu_panel and str(activation) != RELU_PANEL["activation"]:
        panels.append(_panel(n0, n, d, N, noise=noise, seed=seed, **RELU_PANEL))
    numbers = dict(panels[0][1])
    if len(panels) > 1:
        numbers["relu"] = panels[1][1]
    if out:
        t0 = time.perf_counter()
        fig = _figure(panels)
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=120, bbox_inches="tight")
        if pdf:
            fig.savefig(out.with_suffix(".pdf"), bbox_inches="tight")
        import matplotlib.pyplot as plt

        plt.close(fig)
        numbers["timing_s"]["figure"] = time.perf_counter() - t0
        numbers["files"] = [str(out), str(out.with_suffix(".json"))] + ([str(out.with_suffix(".pdf"))] if pdf else [])
    numbers["timing_s"]["total"] = time.perf_counter() - t_start
    if out:
        with open(Path(out).with_suffix(".json"), "w") as fh:
            json.dump(numbers, fh, indent=2, default=float)
    if verbose:
        print(format_table(numbers))
    return numbers


def _panel_table(numbers) -> list:
    p = numbers["parameters"]
    a, b, c = numbers["init"], numbers["after"], numbers["after_surrogate"]
    lines = [
        f"one step: {p['activation']} student, {p['teacher']} teacher, a = {p['second_layer']}, eta_tilde = "
        f"{p['eta_tilde']:g} (eta = {p['eta']:.4g}), n0, n, d, N = {p['n0']}, {p['n']}, {p['d']}, {p['N']}, "
        f"seed {p['seed']}",
        f"{'':<32}{'at init':>14}{'after: network':>17}{'after: surrogate':>19}",
        f"{'':<32}{'(ConjugateKernel)':>14}{'(default)':>17}{'(isotropic sRF)':>19}",
    ]
    rows = [("KS distance (bulk)", "ks", "{:.4f}"), ("Wasserstein-1 (bulk)", "w1", "{:.4f}"),
            ("Stieltjes rel. error (max)", "stieltjes_error", "{:.4f}"),
            ("right edge: theory", "bulk_edge_theory", "{:.4f}"),
            ("right edge: top bulk eigenvalue", "bulk_edge_measured", "{:.4f}")]
    for label, key, fmt in rows:
        lines.append(f"{label:<32}{fmt.format(a[key]):>14}{fmt.format(b[key]):>17}{fmt.format(c[key]):>19}")
    for name, block in (("init", a), ("after", b)):
        if not block["outliers"]:
            lines.append(f"outliers {name:<6}: none predicted")
        for o in block["outliers"]:
            lines.append(f"outlier {name:<6} ({o['source']}): predicted {o['predicted']:.5g}   measured "
                         f"{o['measured']:.5g}   rel. error {o['rel_error']:.2%}")
    lines.append(f"O(1) b-direction (BBP) condition: min of 1 + g s_eff right of the bulk = "
                 f"{b['b_direction_condition_min']:.3f} (> 0: no O(1) outlier predicted)")
    if not b["validity"]["valid"]:
        lines.append("warning: " + "; ".join(b["validity"]["reasons"]))
    return lines


def format_table(numbers) -> str:
    """The printed table of :func:`run_demo` (one block per panel)."""
    lines = _panel_table(numbers)
    if "relu" in numbers:
        lines += [""] + _panel_table(numbers["relu"])
    t = numbers["timing_s"]
    lines.append("time (first panel): " + ", ".join(f"{k} {v:.2f} s" for k, v in t.items()))
    if "files" in numbers:
        lines.append("saved " + ", ".join(numbers["files"]))
    return "\n".join(lines)


def _figure(panels):
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "cairo", "module://matplotlib_inline.backend_inline"):
        try:
            matplotlib.use("Agg")
        except Exception:  # pragma: no cover
            pass
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(panels), 2, figsize=(12, 4.4 * len(panels)), squeeze=False,
                             gridspec_kw={"width_ratios": [2.2, 1]})
    for (ax, ax2), (obj, numbers) in zip(axes, panels):
        _draw_panel(ax, ax2, obj, numbers)
    fig.tight_layout()
    return fig


def _draw_panel(ax, ax2, obj, numbers):
    colors = ("C0", "C1")
    for emp, color, name in ((obj["emp_init"], colors[0], "at init"), (obj["emp_after"], colors[1], "after one step")):
        ev = emp._nonzero
        theory = obj["ck"] if name == "at init" else obj["net"]
        edge = max(b for _, b in theory.support)
        bulk = ev[ev <= 1.15 * edge + 1e-12]
        bins = int(np.clip(2 * np.sqrt(bulk.size), 20, 120))
        h, e = np.histogram(bulk, bins=bins, density=True)
        ax.stairs(h * bulk.size / emp.size, e, fill=True, alpha=0.3, color=color, baseline=1e-4,
                  label=f"{name}: eigenvalues of the network's FᵀF/n")
    curves = ((obj["ck"], obj["cmp_init"], colors[0], "-", "at init: ConjugateKernel"),
              (obj["net"], obj["cmp_net"], colors[1], "-", "after: network equivalent"),
              (obj["sur"], obj["cmp_sur"], "k", "--", "after: isotropic surrogate"))
    for theory, cmp_, color, ls, label in curves:
        lo, hi = theory.support[0]
        x = np.union1d(np.linspace(0, 1.05 * hi, 800), [lo, hi])
        ax.plot(x, theory.pdf(x), color=color, ls=ls, lw=1.6, label=f"{label} (KS {cmp_.ks:.3f})")
        ax.axvline(hi, color=color, ls=":", lw=1)
    ax.set_xlabel("eigenvalue of Σ̂ = FᵀF/n (bulk)")
    ax.set_ylabel("density (log scale: the tails)")
    ax.set_yscale("log")
    ax.set_ylim(1e-3, None)
    p = numbers["parameters"]
    ax.set_title(f"{p['activation']}/{p['teacher']}, a = {p['second_layer']}, η̃ = {p['eta_tilde']:g}, "
                 f"n0/d = {p['n0'] / p['d']:g}", fontsize=10)
    ax.legend(fontsize=8)
    rows = []
    for name, cmp_, color in (("init", obj["cmp_init"], colors[0]), ("after", obj["cmp_net"], colors[1])):
        for o in cmp_.outliers:
            rows.append((name, o.predicted, o.measured, color))
    y = np.arange(len(rows))
    for i, (name, pred, meas, color) in enumerate(rows):
        ax2.plot(pred, i, "v", color="k", ms=9, label="predicted" if i == 0 else None)
        ax2.plot(meas, i, "o", mfc="none", mec=color, ms=11, mew=2, label=f"measured ({name})")
        ax2.annotate(f"{pred:.4g} vs {meas:.4g}", (meas, i), textcoords="offset points", xytext=(0, 10),
                     ha="center", fontsize=8)
    top_init = np.sort(obj["emp_init"].eigenvalues)[-3:]
    top_after = np.sort(obj["emp_after"].eigenvalues)[-3:]
    ax2.plot(top_init, np.full(3, len(rows)), "|", color=colors[0], ms=12, mew=2, label="top 3 eigenvalues at init")
    ax2.plot(top_after, np.full(3, len(rows) + 1), "|", color=colors[1], ms=12, mew=2,
             label="top 3 eigenvalues after")
    ax2.set_xscale("log")
    ax2.set_yticks(list(y) + [len(rows), len(rows) + 1])
    ax2.set_yticklabels([f"{r[0]} outlier" for r in rows] + ["top, init", "top, after"], fontsize=8)
    ax2.set_ylim(-0.7, len(rows) + 1.7)
    ax2.set_xlabel("eigenvalue (log scale)")
    ax2.set_title("outliers: predicted (network equivalent) vs measured", fontsize=10)
    ax2.legend(fontsize=7, loc="center left")
