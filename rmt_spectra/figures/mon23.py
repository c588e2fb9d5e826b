"""Figures of [Mon23]: steps that grow like ``η = n₀^α``.

``mon23_spikes``: outliers of ``Σ̂ = FᵀF/n`` against α, predicted by :func:`rmt_spectra.polynomial_spikes`
(crosses, colour = label) and measured on the simulated network (dots, mean ± sd), with the predicted
bulk edge and the measured top bulk eigenvalue; below, the alignment of the measured top eigenvectors
with the orthogonal Hermite basis ``He_k(Xζ/‖ζ‖)``.

``mon23_errors``: training and test error of ridge on the learned features against α, for a linear
target and a linear-plus-quadratic target, with the limiting problems (ridge on the initial features
plus ℓ unpenalized polynomial columns) as horizontal levels: the staircase at α = 1/4, 1/3.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..risk.limiting import growing_step_errors, limiting_problem_error
from ..simulation.one_step import simulate_one_step
from ..spiked.polynomial import measure_polynomial_spikes, polynomial_spikes
from .harness import FigureSpec, register

SPIKE_ACTIVATIONS = {"relu": "relu", "He1+He2/2+He3/6": [-0.5, 0.5, 0.5, 1 / 6], "tanh": "tanh"}
COLOURS = {"mean": "tab:red", "degree-1 spike": "tab:blue", "degree-2 spike": "tab:green",
           "degree-3 spike": "tab:purple"}
DEGREES = (0, 1, 2, 3)
THRESHOLDS = (0.25, 1 / 3)


# ---------------------------------------------------------------- mon23_spikes
def _spike_case(act, alpha, d, seeds, seed0):
    n, n0, N = 2 * d, 2 * d, d
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        pred = polynomial_spikes(act, alpha, n, d, N, n0=n0, teacher="tanh", second_layer="pm1")
    outs = pred.outliers()
    eig, top, align = [], [], []
    for s in range(seeds):
        res = simulate_one_step(n0, n, d, N, activation=act, teacher="tanh", eta_exponent=alpha,
                                second_layer="pm1", seed=seed0 + s)
        m = measure_polynomial_spikes(res, pred, degrees=DEGREES)
        eig.append(m["eigenvalues"])
        top.append(m["top_bulk"])
        align.append(m["alignment"].max(axis=0))
    eig = np.array(eig)
    return {"alpha": alpha, "eta": pred.eta, "valid": pred.valid, "reason": pred.reason, "bulk_edge": pred.bulk_edge,
            "predicted": [{"source": o.source, "location": o.location, "degree": o.info["degree"]} for o in outs],
            "measured_top": eig.mean(axis=0), "measured_top_sd": eig.std(axis=0),
            "measured_top_bulk": float(np.mean(top)), "measured_top_bulk_sd": float(np.std(top)),
            "alignment": dict(zip(map(str, DEGREES), np.mean(align, axis=0)))}


def _spikes(params, seed, progress):
    d, seeds = params["d"], params["seeds"]
    data = {"d": d, "N": d, "n": 2 * d, "n0": 2 * d, "seeds": seeds, "alphas": params["alphas"], "cases": {}}
    for name, act in SPIKE_ACTIVATIONS.items():
        data["cases"][name] = []
        for alpha in params["alphas"]:
            data["cases"][name].append(_spike_case(act, alpha, d, seeds, seed))
            progress.step(f"{name} α={alpha:.2f}")
    return data


def _spikes_draw(data, fig):
    axes = fig.subplots(2, len(data["cases"]), sharex=True)
    for col, (name, rows) in enumerate(data["cases"].items()):
        ax, bx = axes[0, col], axes[1, col]
        a = np.array([r["alpha"] for r in rows])
        ax.plot(a, [r["bulk_edge"] for r in rows], "k-", lw=1, label="bulk edge (theory)")
        ax.plot(a, [r["measured_top_bulk"] for r in rows], "ks", ms=3, label="top bulk eigenvalue")
        seen = set()
        for r in rows:
            k = max(len(r["predicted"]), 1)
            mt, sd = np.asarray(r["measured_top"][:k]), np.asarray(r["measured_top_sd"][:k])
            for o, y, e in zip(r["predicted"], mt, sd):
                c = COLOURS.get(o["source"], "tab:gray")
                ax.plot(r["alpha"], o["location"], "x" if r["valid"] else "1", color=c, ms=8,
                        label=o["source"] if o["source"] not in seen else None)
                seen.add(o["source"])
                ax.errorbar(r["alpha"], y, yerr=e, fmt="o", color=c, ms=4, mfc="none")
        ax.set_yscale("log")
        ax.set_title(name)
        ax.set_ylabel("eigenvalues of FᵀF/n")
        ax.legend(fontsize=6, loc="center left")
        for k in DEGREES:
            bx.plot(a, [r["alignment"][str(k)] for r in rows], "o-", ms=3, label="1_n (mean)" if k == 0 else f"He{k}(κ)")
        for t in THRESHOLDS:
            ax.axvline(t, color="0.8", lw=0.8, zorder=0)
            bx.axvline(t, color="0.8", lw=0.8, zorder=0)
        bx.set_ylim(0, 1.02)
        bx.set_xlabel("α  (η = n₀^α)")
        bx.set_ylabel("best alignment")
        bx.legend(fontsize=6)


def _spikes_table(data):
    rows = []
    for name, cases in data["cases"].items():
        for r in cases:
            for o, y in zip(r["predicted"], r["measured_top"]):
                rows.append({"activation": name, "alpha": r["alpha"], "source": o["source"],
                             "predicted": o["location"], "measured": float(y),
                             "rel_err": (float(y) - o["location"]) / o["location"], "valid": r["valid"]})
    return rows


def _spikes_caption(data, params):
    return (f"Outliers of FᵀF/n after one step η = n₀^α (teacher tanh, ā = ±1, d = N = {data['d']}, "
            f"n = n₀ = {data['n0']}, {data['seeds']} seed(s)). Crosses: rmt_spectra.polynomial_spikes "
            "(network-faithful equivalent at η̃ = n₀^α/√N; open where flagged outside the verified region); dots: "
            "simulated network (mean ± sd); line: predicted bulk edge; squares: measured top bulk eigenvalue. Bottom: "
            "alignment of the measured top eigenvectors with He_k(Xζ/‖ζ‖). Grey lines: α = 1/4 and 1/3, where the "
            "degree-2 and degree-3 terms outgrow the bulk asymptotically [Mon23]; at these sizes the equation "
            "decides. With a ±1 second layer the even degrees (neuron pattern ā² = 1) join the mean outlier.")


register(FigureSpec(
    name="mon23_spikes", title="outliers of FᵀF/n vs the step exponent α (η = n₀^α), predicted and measured",
    source="[Mon23]", compute=_spikes, draw=_spikes_draw, table=_spikes_table, caption=_spikes_caption,
    sizes={"smoke": dict(d=200, seeds=1, alphas=[0.2, 0.3]),
           "default": dict(d=1200, seeds=2, alphas=[0.10, 0.15, 0.20, 0.25, 0.30, 0.35]),
           "full": dict(d=2000, seeds=4, alphas=[0.10, 0.15, 0.20, 0.25, 0.30, 0.35])},
    steps=lambda p: len(SPIKE_ACTIVATIONS) * len(p["alphas"]), figsize=(12.5, 7.0),
    unknown="[Mon23]'s sizes and activations are unknown to us: chosen to show the same phenomenon."))


# ---------------------------------------------------------------- mon23_errors
#: targets in the monomial basis: He₁ and He₁ + He₂/2 (= x + (x² − 1)/2).
ERROR_TARGETS = {"linear (He1)": [0.0, 1.0], "linear + quadratic (He1 + He2/2)": [-0.5, 1.0, 0.5]}
ERROR_STUDENT = [-0.5, 0.5, 0.5, 1 / 6]   # He₁ + He₂/2 + He₃/6: μ₂ ≠ 0, so the quadratic spike exists


def _errors(params, seed, progress):
    d, ridge, noise = params["d"], params["ridge"], params["noise"]
    n = N = None
    n = int(params["n_over_d"] * d)
    N = int(params["N_over_d"] * d)
    data = {"d": d, "n": n, "N": N, "ridge": ridge, "noise": noise, "alphas": params["alphas"], "seeds": params["seeds"],
            "targets": {}}
    for label, target in ERROR_TARGETS.items():
        test, train, test_se = [], [], []
        for alpha in params["alphas"]:
            runs = [growing_step_errors(ERROR_STUDENT, target, n, d, N, [alpha], ridge, noise, seed=seed + s,
                                        second_layer="pm1")[0] for s in range(params["seeds"])]
            test.append(float(np.mean([r.test_error for r in runs])))
            train.append(float(np.mean([r.train_error for r in runs])))
            test_se.append(float(np.sqrt(np.mean([r.test_error_se ** 2 for r in runs]) / len(runs)
                                         + np.var([r.test_error for r in runs]) / max(len(runs) - 1, 1))))
            progress.step(f"{label[:12]} α={alpha:.2f}")
        levels = {}
        for ell in (0, 1, 2):
            lim = limiting_problem_error(ERROR_STUDENT, target, n, d, N, ridge, ell=ell, noise=noise, seed=seed)
            levels[str(ell)] = lim.test_error
            progress.step(f"{label[:12]} limit ℓ={ell}")
        data["targets"][label] = {"test": test, "test_se": test_se, "train": train, "limits": levels}
    return data


def _errors_draw(data, fig):
    axes = fig.subplots(1, len(data["targets"]), sharey=True)
    a = np.array(data["alphas"])
    for ax, (label, t) in zip(np.atleast_1d(axes), data["targets"].items()):
        ax.errorbar(a, t["test"], yerr=t["test_se"], fmt="o-", ms=4, label="test error (network)")
        ax.plot(a, t["train"], "s--", ms=3, label="training error")
        for ell, v in t["limits"].items():
            ax.axhline(v, color="0.5", lw=0.8, ls=":")
            ax.text(a[0], v, f" ℓ = {ell} limit", fontsize=7, va="bottom", color="0.4")
        for th in THRESHOLDS:
            ax.axvline(th, color="0.8", lw=0.8, zorder=0)
        ax.set_title(f"target {label}", fontsize=9)
        ax.set_xlabel("α  (η = n^α)")
        ax.set_ylabel("error")
        ax.legend(fontsize=7)


def _errors_table(data):
    rows = []
    for label, t in data["targets"].items():
        for alpha, te, se, tr in zip(data["alphas"], t["test"], t["test_se"], t["train"]):
            rows.append({"target": label, "alpha": alpha, "test": te, "se": se, "train": tr})
        rows.append({"target": label, **{f"limit_ell{k}": v for k, v in t["limits"].items()}})
    return rows


def _errors_caption(data, params):
    return (f"Training and test error of ridge (λ = {data['ridge']:g}, [Mon23]'s convention) on the features after one "
            f"step η = n^α (student He₁ + He₂/2 + He₃/6, ā = ±1, n = {data['n']}, d = {data['d']}, N = {data['N']}, "
            f"noise {data['noise']:g}, {data['seeds']} seed(s), ± s.e.). Dotted: the limiting problems, ridge on the "
            "initial features plus ℓ unpenalized columns (Xβ)^k. A linear target is learned once the first spike "
            "separates; the quadratic part needs the degree-2 spike (α > 1/4 asymptotically; grey lines at 1/4, 1/3). "
            "The simulated errors approach the limits slowly.")


register(FigureSpec(
    name="mon23_errors", title="training and test error vs α for a linear and a linear+quadratic target",
    source="[Mon23]", compute=_errors, draw=_errors_draw, table=_errors_table, caption=_errors_caption,
    sizes={"smoke": dict(d=60, n_over_d=4.0, N_over_d=1.0, ridge=1e-3, noise=0.0, alphas=[0.1, 0.3], seeds=1),
           "default": dict(d=500, n_over_d=4.0, N_over_d=1.0, ridge=1e-3, noise=0.0,
                           alphas=[0.0, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4], seeds=4),
           "full": dict(d=1000, n_over_d=4.0, N_over_d=1.0, ridge=1e-3, noise=0.0,
                        alphas=[0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45], seeds=4)},
    steps=lambda p: len(ERROR_TARGETS) * (len(p["alphas"]) + 3), figsize=(11.0, 4.2),
    unknown="[Mon23]'s sizes, ridge and student are unknown to us: chosen to show the staircase."))
