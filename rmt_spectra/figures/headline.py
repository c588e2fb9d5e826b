"""The toolkit's headline figure ``spectrum_one_step``: ``Σ̂ = FᵀF/n`` at initialization and after one large step.

One network, one step (``η = η̃√N``): the histograms of the simulated ``Σ̂`` before and after, the
deterministic equivalents over them (:class:`rmt_spectra.ConjugateKernel` at initialization, the
network-faithful :meth:`rmt_spectra.SpikedFeatures.from_one_step` and the isotropic surrogate after),
and every predicted outlier against the measured one. Two panels: tanh/tanh with ``ā = ±1`` and
ReLU/ReLU with constant ``a`` (the ``E σ''`` term of the step). The numbers come from
:func:`rmt_spectra.demo` (the ``rmt-spectra demo`` job).
"""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import NullFormatter

from ..demo import RELU_PANEL, _panel
from .harness import FigureSpec, register
from .plotting import histogram

CASES = ({"activation": "tanh", "teacher": "tanh", "eta_tilde": 5.0, "second_layer": "pm1"}, RELU_PANEL)


def _compute(params, seed, progress):
    n0, n, d, N = params["n0"], params["n"], params["d"], params["N"]
    out = {"n0": n0, "n": n, "d": d, "N": N, "seed": seed, "panels": []}
    for case in CASES:
        obj, numbers = _panel(n0, n, d, N, case["activation"], case["teacher"], case["eta_tilde"],
                              case["second_layer"], 0.0, seed)
        edge = max(obj["net"].right_edge, obj["ck"].support[-1][1], obj["sur"].support[-1][1])
        x = np.linspace(1e-4, 1.15 * edge, 600)
        bins = np.linspace(0.0, 1.15 * edge, 81)
        panel = {"case": case, "x": x,
                 "pdf_init": obj["ck"].pdf(x), "pdf_network": obj["net"].pdf(x), "pdf_surrogate": obj["sur"].pdf(x),
                 "hist_init": histogram(obj["emp_init"].eigenvalues, bins),
                 "hist_after": histogram(obj["emp_after"].eigenvalues, bins),
                 "top_init": np.sort(obj["emp_init"].eigenvalues)[-3:], "top_after": np.sort(obj["emp_after"].eigenvalues)[-3:],
                 "numbers": {k: numbers[k] for k in ("init", "after", "after_surrogate", "parameters")}}
        out["panels"].append(panel)
        progress.step(case["activation"])
    return out


def _draw(data, fig):
    axes = fig.subplots(len(data["panels"]), 2, squeeze=False, gridspec_kw={"width_ratios": [2.2, 1]})
    for (ax, ax2), p in zip(axes, data["panels"]):
        for key, color, name in (("hist_init", "C0", "at init"), ("hist_after", "C1", "after one step")):
            h = p[key]
            ax.stairs(np.maximum(h["heights"], 1e-4), h["edges"], fill=True, alpha=0.3, color=color, baseline=1e-4,
                      label=f"{name}: network's FᵀF/n")
        nb = p["numbers"]
        for key, color, ls, label, block in (("pdf_init", "C0", "-", "at init: ConjugateKernel", "init"),
                                             ("pdf_network", "C1", "-", "after: network equivalent", "after"),
                                             ("pdf_surrogate", "k", "--", "after: isotropic surrogate",
                                              "after_surrogate")):
            ax.plot(p["x"], p[key], color=color, ls=ls, lw=1.5, label=f"{label} (KS {nb[block]['ks']:.3f})")
        ax.set_yscale("log")
        ax.set_ylim(1e-3, None)
        ax.set_xlabel("eigenvalue of Σ̂ = FᵀF/n (bulk)")
        ax.set_ylabel("density (log scale)")
        c = p["case"]
        ax.set_title(f"{c['activation']}/{c['teacher']}, a = {c['second_layer']}, η̃ = {c['eta_tilde']:g}", fontsize=10)
        ax.legend(fontsize=7)
        rows = [(name, o) for name in ("init", "after") for o in nb[name]["outliers"]]
        for i, (name, o) in enumerate(rows):
            ax2.plot(o["predicted"], i, "v", color="k", ms=9, label="predicted" if i == 0 else None)
            ax2.plot(o["measured"], i, "o", mfc="none", mec="C0" if name == "init" else "C1", ms=11, mew=2)
            ax2.annotate(f"{o['predicted']:.4g} vs {o['measured']:.4g}", (o["measured"], i),
                         textcoords="offset points", xytext=(0, 9), ha="center", fontsize=7)
        ax2.plot(p["top_init"], np.full(3, len(rows)), "|", color="C0", ms=12, mew=2)
        ax2.plot(p["top_after"], np.full(3, len(rows) + 1), "|", color="C1", ms=12, mew=2)
        ax2.set_xscale("log")
        ax2.xaxis.set_minor_formatter(NullFormatter())
        ax2.set_yticks(list(range(len(rows) + 2)))
        ax2.set_yticklabels([f"{r[0]}: {r[1]['source']}" for r in rows] + ["top 3, init", "top 3, after"], fontsize=7)
        ax2.set_ylim(-0.7, len(rows) + 1.7)
        ax2.set_xlabel("eigenvalue (log scale)")
        ax2.set_title("outliers: predicted vs measured", fontsize=9)


def _table(data):
    rows = []
    for p in data["panels"]:
        nb, c = p["numbers"], p["case"]
        for block in ("init", "after", "after_surrogate"):
            rows.append({"case": f"{c['activation']}/{c['second_layer']}", "model": block, "ks": nb[block]["ks"],
                         "edge_theory": nb[block]["bulk_edge_theory"], "top_bulk": nb[block]["bulk_edge_measured"]})
        for block in ("init", "after"):
            for o in nb[block]["outliers"]:
                rows.append({"case": f"{c['activation']}/{c['second_layer']}", "outlier": f"{block}: {o['source']}",
                             "predicted": o["predicted"], "measured": o["measured"], "rel_err": o["rel_error"]})
    return rows


def _caption(data, params):
    return (f"Σ̂ = FᵀF/n of a two-layer network at initialization and after one gradient step η = η̃√N on n₀ = "
            f"{data['n0']} samples (n = {data['n']}, d = {data['d']}, N = {data['N']}, seed {data['seed']}). "
            "Shaded: the simulated spectra; lines: the conjugate kernel at initialization, the network-faithful "
            "equivalent and the isotropic sRF surrogate after the step (KS distances in the legend). Right: every "
            "predicted outlier (triangle) against the measured eigenvalue (circle).")


register(FigureSpec(
    name="spectrum_one_step", title="FᵀF/n at initialization and after one large step, equivalents and outliers",
    source="rmt_spectra", compute=_compute, draw=_draw, table=_table, caption=_caption,
    sizes={"smoke": dict(n0=400, n=200, d=100, N=100),
           "default": dict(n0=4000, n=2000, d=1000, N=1000),
           "full": dict(n0=16000, n=8000, d=4000, N=4000)},
    steps=lambda p: len(CASES), figsize=(12.0, 8.8)))
