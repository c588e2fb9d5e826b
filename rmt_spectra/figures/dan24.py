"""Figures of [Dan24]: the bulk of the feature covariance after one step, its density and its right tail.

``dan24_tails``: the right edge of the bulk of ``Σ̂ = FᵀF/n`` against the spike strength ``r`` of
the sRF model ``σ(W₀x + rκ1_N)`` (large-batch limit, ``ā = 1``): the deterministic edge
(:attr:`rmt_spectra.SpikedFeatures.right_edge`, a fold of the real branch) as a line, the largest
simulated eigenvalue that is not a predicted outlier as markers. ReLU's edge grows with ``r``
(the heavier right tail), tanh's shrinks.

``dan24_spectrum``: the density at initialization (:class:`rmt_spectra.ConjugateKernel`, dashed)
and after one step of the network (:meth:`rmt_spectra.SpikedFeatures.from_one_step`, line) over
the simulated network's histogram, predicted outliers marked, for ReLU and tanh students.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..empirical.compare import compare
from ..empirical.spectrum import EmpiricalSpectrum
from ..equivalents.conjugate_kernel import ConjugateKernel
from ..simulation.one_step import simulate_one_step
from ..spiked.features import SpikedFeatures
from ..spiked.surrogate import simulate_spiked_features
from .harness import FigureSpec, register
from .plotting import density_panel, histogram

TAIL_ACTIVATIONS = ("relu", "tanh")


# ---------------------------------------------------------------- dan24_tails
def _tails(params, seed, progress):
    d = params["d"]
    N = int(round(params["N_over_d"] * d))
    n = int(round(params["n_over_N"] * N))
    r_theory = np.linspace(0.0, max(params["r"]), params["n_theory"])
    out = {"d": d, "N": N, "n": n, "seeds": params["seeds"], "r": list(params["r"]), "activations": {}}
    for act in TAIL_ACTIVATIONS:
        edge_curve = [SpikedFeatures(act, n, d, N, spike=float(r)).right_edge for r in r_theory]
        edges, top, top_sd, n_out = [], [], [], []
        for r in params["r"]:
            sf = SpikedFeatures(act, n, d, N, spike=float(r))
            k = len(sf.outliers())
            vals = []
            for s in range(params["seeds"]):
                sample = simulate_spiked_features(act, n, d, N, spike=float(r), seed=seed + s)
                eig = np.sort(sample.feature_spectrum().eigenvalues)[::-1]
                vals.append(float(eig[k]))
                progress.step(f"{act} r={r:g} seed {seed + s}")
            edges.append(sf.right_edge)
            top.append(float(np.mean(vals)))
            top_sd.append(float(np.std(vals)))
            n_out.append(k)
        out["activations"][act] = {"r_theory": r_theory, "edge_theory": edge_curve, "edge_at_r": edges,
                                   "top_bulk": top, "top_bulk_sd": top_sd, "outliers_excluded": n_out}
    return out


def _tails_draw(data, fig):
    ax = fig.subplots(1, 1)
    for act, col in zip(TAIL_ACTIVATIONS, ("tab:red", "tab:blue")):
        a = data["activations"][act]
        ax.plot(a["r_theory"], a["edge_theory"], "-", color=col, label=f"{act}: edge of the equivalent")
        ax.errorbar(data["r"], a["top_bulk"], yerr=a["top_bulk_sd"], fmt="o", color=col, mfc="none",
                    label=f"{act}: largest non-outlier eigenvalue")
    ax.set_xlabel("spike strength r")
    ax.set_ylabel("right edge of the bulk of FᵀF/n")
    ax.legend(fontsize=8)


def _tails_table(data):
    rows = []
    for act in TAIL_ACTIVATIONS:
        a = data["activations"][act]
        for r, e, t, sd in zip(data["r"], a["edge_at_r"], a["top_bulk"], a["top_bulk_sd"]):
            rows.append({"activation": act, "r": r, "edge_theory": e, "top_bulk_measured": t, "sd": sd,
                         "rel_diff": (t - e) / e})
    return rows


def _tails_caption(data, params):
    return (f"Right edge of the bulk of FᵀF/n in the sRF model σ(W₀x + rκ1) (ā = 1, N/d = {params['N_over_d']:g}, "
            f"n/N = {params['n_over_N']:g}): deterministic edge (fold of the real branch of the equivalent; it depends "
            f"on the ratios only) against the largest simulated eigenvalue that is not a predicted outlier "
            f"(d = {data['d']}, {data['seeds']} seed(s), mean ± sd). At finite N the top bulk eigenvalue sits below "
            "the edge by the O(N^(-2/3)) Tracy–Widom scale and converges upward. ReLU's tail grows with r, tanh's "
            "edge shrinks [Dan24].")


register(FigureSpec(
    name="dan24_tails", title="right edge of the bulk vs spike strength r (ReLU grows, tanh shrinks)",
    source="[Dan24]", compute=_tails, draw=_tails_draw, table=_tails_table, caption=_tails_caption,
    sizes={"smoke": dict(d=100, N_over_d=1.0, n_over_N=2.0, r=[0.0, 2.0], seeds=1, n_theory=3),
           "default": dict(d=1200, N_over_d=1.0, n_over_N=2.0, r=[0.0, 1.0, 2.0, 3.0, 4.0], seeds=3, n_theory=33),
           "full": dict(d=3200, N_over_d=1.0, n_over_N=2.0, r=[0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0], seeds=3, n_theory=81)},
    steps=lambda p: len(TAIL_ACTIVATIONS) * len(p["r"]) * p["seeds"], figsize=(6.5, 4.2),
    unknown="The paper's sizes are not given; N/d = 1, n/N = 2 are chosen to show the same phenomenon."))


# ---------------------------------------------------------------- dan24_spectrum
SPECTRUM_CASES = (("relu", "relu", "constant", 3.0), ("tanh", "tanh", "pm1", 3.0))


def _spectrum(params, seed, progress):
    n0, n, d, N = params["n0"], params["n"], params["d"], params["N"]
    out = {"n0": n0, "n": n, "d": d, "N": N, "cases": []}
    for act, teacher, second, eta_tilde in SPECTRUM_CASES:
        res = simulate_one_step(n0, n, d, N, activation=act, teacher=teacher, second_layer=second,
                                eta_tilde=eta_tilde, seed=seed)
        emp_after = res.feature_spectrum()
        emp_init = EmpiricalSpectrum.from_features(np.asarray(res.F0, float))
        ck = ConjugateKernel(act, n, d, N)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            net = SpikedFeatures.from_one_step(act, teacher, eta_tilde, n0, n, d, N, second_layer=second)
        c_init, c_after = compare(ck, emp_init), compare(net, emp_after)
        hi = 1.15 * max(net.right_edge, ck.support[-1][1])
        x = np.linspace(1e-4, hi, 500)
        bins = np.linspace(0.0, hi, 61)
        out["cases"].append({
            "activation": act, "teacher": teacher, "second_layer": second, "eta_tilde": eta_tilde,
            "x": x, "pdf_init": ck.pdf(x), "pdf_after": net.pdf(x),
            "hist_after": histogram(emp_after.eigenvalues, bins), "hist_init": histogram(emp_init.eigenvalues, bins),
            "edge_init": ck.support[-1][1], "edge_after": net.right_edge,
            "outliers_predicted": [o.location for o in net.outliers()],
            "outliers_measured": [m.measured for m in c_after.outliers],
            "ks_init": c_init.ks, "ks_after": c_after.ks,
            "top_bulk_after": c_after.bulk_edge_measured})
        progress.step(f"{act}")
    return out


def _spectrum_draw(data, fig):
    axes = fig.subplots(1, len(data["cases"]))
    for ax, c in zip(np.atleast_1d(axes), data["cases"]):
        density_panel(ax, c["x"], c["hist_after"], [(c["pdf_init"], "--", "initialization (CK)"),
                                                      (c["pdf_after"], "-", "after the step (equivalent)")],
                      outliers_predicted=c["outliers_predicted"], outliers_measured=c["outliers_measured"])
        ax.set_title(f"{c['activation']} student, {c['teacher']} teacher, a = {c['second_layer']}, "
                     f"η̃ = {c['eta_tilde']:g}", fontsize=9)


def _spectrum_table(data):
    rows = []
    for c in data["cases"]:
        rows.append({"activation": c["activation"], "ks_init": c["ks_init"], "ks_after": c["ks_after"],
                     "edge_init": c["edge_init"], "edge_after": c["edge_after"],
                     "top_bulk_after": c["top_bulk_after"]})
        for p, m in zip(c["outliers_predicted"], c["outliers_measured"]):
            rows.append({"activation": c["activation"], "outlier_predicted": p, "outlier_measured": m,
                         "rel_err": (m - p) / p if m is not None and np.isfinite(m) else float("nan")})
    return rows


def _spectrum_caption(data, params):
    return (f"Eigenvalue density of FᵀF/n at initialization (conjugate kernel, dashed) and after one step "
            f"η = η̃√N on n₀ = {data['n0']} samples (network-faithful equivalent, line) over the simulated network "
            f"(histogram after the step; n = {data['n']}, d = {data['d']}, N = {data['N']}). Triangles: predicted "
            "outliers; ticks: measured ones. ReLU's right tail extends, tanh's bulk shrinks [Dan24].")


register(FigureSpec(
    name="dan24_spectrum", title="feature density at initialization and after the step, with outliers",
    source="[Dan24]", compute=_spectrum, draw=_spectrum_draw, table=_spectrum_table, caption=_spectrum_caption,
    sizes={"smoke": dict(n0=400, n=200, d=100, N=100),
           "default": dict(n0=8000, n=4000, d=2000, N=2000),
           "full": dict(n0=16000, n=8000, d=4000, N=4000)},
    steps=lambda p: len(SPECTRUM_CASES), figsize=(11.0, 4.2),
    unknown="η̃ and the sizes of [Dan24]'s figure are not given; η̃ = 3, n₀ = 4d are chosen to show the same tails."))
