r"""The headline demo: the feature spectrum before and after one large gradient step.

``rmt-spectra demo`` (and ``paper_figures/spectrum_one_step.py``) run
:func:`run_demo`: one two-layer network, one full-batch gradient step with
``η = η̃√N`` on ``n0`` samples, features on fresh data, and

* the spectrum of ``Σ̂₀ = F₀ᵀF₀/n`` at initialization against
  :class:`~rmt_spectra.ConjugateKernel` (Gaussian equivalence, ``03``);
* the spectrum of ``Σ̂ = FᵀF/n`` after the step against
  :class:`~rmt_spectra.spiked.SpikedFeatures` built by
  :meth:`~rmt_spectra.spiked.SpikedFeatures.from_one_step` (the sRF model of
  ``05`` with ``(r, c, γ)`` from ``spiked_parameters``);
* every predicted outlier (the mean outliers of order ``N``, and the O(1)
  b-direction condition, which has no root in this setting) against the
  measured eigenvalue.

Defaults (tanh student and teacher, ``ā = ±1``, ``η̃ = 5``, ``n0, n, d, N =
4000, 2000, 1000, 1000``, so ``r ≈ 2.07``, ``c ≈ 1.24``) run in a few seconds
on two cores: the bulk visibly shrinks (right edge ≈ 2.1 → ≈ 1.2) and an
outlier of order ``N`` appears (≈ 475).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

__all__ = ["run_demo", "format_table", "DEFAULTS"]

DEFAULTS = dict(n0=4000, n=2000, d=1000, N=1000, activation="tanh", teacher="tanh", eta_tilde=5.0,
                second_layer="pm1", noise=0.0, seed=0)


def _spectrum_of(F):
    from .empirical import EmpiricalSpectrum

    return EmpiricalSpectrum.from_features(F, matrix_label="F0^T F0 / n (initialization)")


def run_demo(n0=4000, n=2000, d=1000, N=1000, activation="tanh", teacher="tanh", eta_tilde=5.0,
             second_layer="pm1", noise=0.0, seed=0, out="out/spectrum_one_step.png", pdf=False, verbose=True):
    """Simulate, compare with both deterministic equivalents, draw the figure, print the table.

    Parameters
    ----------
    n0, n, d, N : int
        Step batch, fresh samples, input dimension, width.
    activation, teacher : activation specs
    eta_tilde : float
        ``η = η̃√N``.
    second_layer : "pm1", "constant" or list of (value, probability)
        Finite law of ``ā`` (required by the sRF model).
    noise : float
        Label-noise variance.
    seed : int
    out : str or None
        PNG path; the numbers go next to it as JSON (and a PDF if ``pdf``). ``None``: no files.
    verbose : bool
        Print the table.

    Returns
    -------
    dict
        The numbers (also written to the JSON file): parameters, timings, both
        comparisons (KS, W1, Stieltjes error, edges, outliers predicted/measured).
    """
    from .empirical import compare
    from .equivalents import ConjugateKernel
    from .simulation import simulate_one_step
    from .spiked.features import SpikedFeatures
    from .spiked.outliers import b_direction_condition

    t_start = time.perf_counter()
    res = simulate_one_step(n0, n, d, N, activation=activation, teacher=teacher, noise=noise,
                            second_layer=second_layer, seed=seed, eta_tilde=eta_tilde)
    emp_after = res.feature_spectrum()
    emp_init = _spectrum_of(np.asarray(res.F0, float))
    t_sim = time.perf_counter() - t_start

    t0 = time.perf_counter()
    ck = ConjugateKernel(activation, n, d, N)
    sf = SpikedFeatures.from_one_step(activation, teacher, eta_tilde, n0, n, d, N, noise=noise,
                                      second_layer=second_layer)
    cmp_init = compare(ck, emp_init)
    cmp_after = compare(sf, emp_after)
    x_b = sf.right_edge * (1 + np.logspace(-6, 3, 60))
    b_min = float(np.min(b_direction_condition(sf, x_b)))
    t_theory = time.perf_counter() - t0

    numbers = {
        "parameters": dict(n0=n0, n=n, d=d, N=N, activation=str(activation), teacher=str(teacher),
                           eta_tilde=eta_tilde, eta=float(res.eta), second_layer=str(second_layer), noise=noise,
                           seed=seed),
        "srf": {"r": sf.r, "bulk_variance": sf.bulk_variance, "gamma": sf.gamma,
                "groups": [list(g) for g in sf.groups], "kappa_rule": sf.kappa_rule},
        "init": {"theory": repr(ck), **cmp_init.as_dict(),
                 "support": [list(ab) for ab in ck.support]},
        "after": {"theory": repr(sf), **cmp_after.as_dict(), "support": [list(ab) for ab in sf.support],
                  "b_direction_condition_min": b_min,
                  "mean_outliers_leading_order": (sf.N * np.linalg.eigvalsh(sf.mean_outlier_matrix())).tolist()},
        "timing_s": {"simulation": t_sim, "theory": t_theory},
    }

    if out:
        t0 = time.perf_counter()
        fig = _figure(emp_init, ck, emp_after, sf, cmp_init, cmp_after, numbers)
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=130, bbox_inches="tight")
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


def format_table(numbers) -> str:
    """The printed table of :func:`run_demo`."""
    p, s = numbers["parameters"], numbers["srf"]
    lines = [
        f"one step: {p['activation']} student, {p['teacher']} teacher, a = {p['second_layer']}, eta_tilde = {p['eta_tilde']:g} "
        f"(eta = {p['eta']:.4g}), n0, n, d, N = {p['n0']}, {p['n']}, {p['d']}, {p['N']}, seed {p['seed']}",
        f"sRF model: r = {s['r']:.4f}, c = {s['bulk_variance']:.4f}, gamma = {s['gamma']:.4f}",
        f"{'':<30}{'at init (ConjugateKernel)':>28}{'after step (SpikedFeatures)':>30}",
    ]
    a, b = numbers["init"], numbers["after"]
    rows = [("KS distance (bulk)", "ks", "{:.4f}"), ("Wasserstein-1 (bulk)", "w1", "{:.4f}"),
            ("Stieltjes rel. error (max)", "stieltjes_error", "{:.4f}"),
            ("right edge: theory", "bulk_edge_theory", "{:.4f}"),
            ("right edge: top bulk eigenvalue", "bulk_edge_measured", "{:.4f}")]
    for label, key, fmt in rows:
        lines.append(f"{label:<30}{fmt.format(a[key]):>28}{fmt.format(b[key]):>30}")
    for name, block in (("init", a), ("after", b)):
        if not block["outliers"]:
            lines.append(f"outliers {name:<6}: none predicted")
        for o in block["outliers"]:
            lines.append(f"outlier {name:<6} ({o['source']}): predicted {o['predicted']:.5g}   measured "
                         f"{o['measured']:.5g}   rel. error {o['rel_error']:.2%}")
    lines.append(f"O(1) b-direction (BBP) condition: min of 1 + g s_eff right of the bulk = "
                 f"{b['b_direction_condition_min']:.3f} (> 0: no O(1) outlier predicted)")
    t = numbers["timing_s"]
    lines.append("time: " + ", ".join(f"{k} {v:.2f} s" for k, v in t.items()))
    if "files" in numbers:
        lines.append("saved " + ", ".join(numbers["files"]))
    return "\n".join(lines)


def _figure(emp_init, ck, emp_after, sf, cmp_init, cmp_after, numbers):
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "cairo", "module://matplotlib_inline.backend_inline"):
        try:
            matplotlib.use("Agg")
        except Exception:  # pragma: no cover
            pass
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.4), gridspec_kw={"width_ratios": [2.2, 1]})
    colors = ("C0", "C1")
    for emp, theory, cmp_, color, name in ((emp_init, ck, cmp_init, colors[0], "at init"),
                                           (emp_after, sf, cmp_after, colors[1], "after one step")):
        edge = max(b for _, b in theory.support)
        ev = emp._nonzero
        bulk = ev[ev <= 1.1 * edge + 1e-12]
        bins = int(np.clip(2 * np.sqrt(bulk.size), 20, 120))
        h, e = np.histogram(bulk, bins=bins, density=True)
        ax.stairs(h * bulk.size / emp.size, e, fill=True, alpha=0.3, color=color, baseline=1e-4,
                  label=f"{name}: eigenvalues of FᵀF/n")
        lo, hi = theory.support[0]
        x = np.union1d(np.linspace(0, 1.05 * hi, 1200), [lo, hi])
        ax.plot(x, theory.pdf(x), color=color, lw=1.8,
                label=f"{name}: {type(theory).__name__} (KS {cmp_.ks:.3f})")
        ax.axvline(edge, color=color, ls=":", lw=1)
    ax.set_xlabel("eigenvalue of Σ̂ = FᵀF/n (bulk)")
    ax.set_ylabel("density (log scale: the tails)")
    ax.set_yscale("log")
    ax.set_ylim(1e-3, None)
    p, s = numbers["parameters"], numbers["srf"]
    ax.set_title(f"{p['activation']}/{p['teacher']}, a = {p['second_layer']}, η̃ = {p['eta_tilde']:g}: "
                 f"r = {s['r']:.2f}, c = {s['bulk_variance']:.2f}", fontsize=10)
    ax.legend(fontsize=8)
    # outliers: predicted vs measured, both before and after
    rows = []
    for name, cmp_, emp, color in (("init", cmp_init, emp_init, colors[0]), ("after", cmp_after, emp_after, colors[1])):
        for o in cmp_.outliers:
            rows.append((name, o.predicted, o.measured, color))
    y = np.arange(len(rows))
    for i, (name, pred, meas, color) in enumerate(rows):
        ax2.plot(pred, i, "v", color="k", ms=9, label="predicted" if i == 0 else None)
        ax2.plot(meas, i, "o", mfc="none", mec=color, ms=11, mew=2, label=f"measured ({name})")
        ax2.annotate(f"{pred:.4g} vs {meas:.4g}", (meas, i), textcoords="offset points", xytext=(0, 10),
                     ha="center", fontsize=8)
    top_init = np.sort(emp_init.eigenvalues)[-3:]
    top_after = np.sort(emp_after.eigenvalues)[-3:]
    ax2.plot(top_init, np.full(3, len(rows)), "|", color=colors[0], ms=12, mew=2, label="top 3 eigenvalues at init")
    ax2.plot(top_after, np.full(3, len(rows) + 1), "|", color=colors[1], ms=12, mew=2,
             label="top 3 eigenvalues after")
    ax2.set_xscale("log")
    ax2.set_yticks(list(y) + [len(rows), len(rows) + 1])
    ax2.set_yticklabels([f"{r[0]} outlier" for r in rows] + ["top, init", "top, after"], fontsize=8)
    ax2.set_ylim(-0.7, len(rows) + 1.7)
    ax2.set_xlabel("eigenvalue (log scale)")
    ax2.set_title("outliers: predicted vs measured", fontsize=10)
    ax2.legend(fontsize=7, loc="center left")
    fig.tight_layout()
    return fig
