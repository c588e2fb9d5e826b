"""Figures of [Ba22]: the risk of ridge on the features after one step, small and large, and the spike of W₁.

Risk figures (``ba22_fig1``, ``ba22_fig3a``, ``ba22_fig3b``, ``ba22_fig3c``): markers are the simulated
network (one step on ``n₀ = n`` samples, a Gaussian second layer, then ridge in [Ba22]'s convention
``(1/n)‖y − Φa‖² + (λ/N)‖a‖²`` on fresh data; risk without label noise, mean ± s.e. over seeds);
lines are, for small steps (``η = O(1)``, or ``N^α`` with ``α < 1/2``), the Gaussian-equivalent
ridge risk at the realized ``W₁`` and ``θ`` (:func:`rmt_spectra.risk.gaussian_equivalent_ridge_risk`;
rows move by ``O(η/√N)``, so the features stay Gaussian-equivalent with ``W₁``), and for large steps
(``η = η̃√N``) the sRF equivalent at the same finite ``N`` (:func:`rmt_spectra.srf_test_error`,
``n₀/d = n/d``, the ridge translated to the authors' convention); the dashed line is
the kernel lower bound ``μ⋆*²`` (:func:`rmt_spectra.kernel_lower_bound`), which small steps cannot
beat and large ones do.

``ba22_spike``: singular values of ``W₁ = W₀ + ηG`` against the spike strength ``ϑ`` of the rank-one
gradient: the bulk edge ``1 + √(N/d)``, the outlier leaving it at ``ϑ = (N/d)^{1/4}``
(:func:`rmt_spectra.simulation.rank_one_outlier`), and the alignment of the top right singular
vector with the target direction.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..gaussian import activation, gaussian_moments
from ..risk.kernel import kernel_lower_bound
from ..risk.random_features import gaussian_equivalent_ridge_risk
from ..risk.ridge import ridge_test_error, translate_ridge
from ..risk.srf import srf_test_error
from ..simulation.one_step import simulate_one_step
from ..simulation.spikes import rank_one_outlier
from .harness import FigureSpec, mean_and_se, register


# ---------------------------------------------------------------- risk curves
def _eta_of(step, N):
    kind, value = step
    if kind == "eta":
        return float(value)
    if kind == "eta_tilde":
        return float(value) * math.sqrt(N)
    return float(N) ** float(value)  # "exponent": η = N^α


def _label(step):
    kind, value = step
    return {"eta": f"η = {value:g}", "eta_tilde": f"η = {value:g}√N", "exponent": f"η = N^{value:g}"}[kind]


def _is_small(step):
    """η = O(1) or η = N^α with α < 1/2: the rows move by o(1), the linearized equivalent applies."""
    return step[0] == "eta" or (step[0] == "exponent" and float(step[1]) < 0.5)


def _risk_point(act, teacher, noise, ridge, d, N, n, step, seeds, seed0, n_test):
    """Simulated risk (mean, s.e.) and the theory at one (n, N, η).

    Small steps: the Gaussian-equivalent ridge risk at each seed's realized ``W₁`` and ``θ``
    (:func:`~rmt_spectra.risk.gaussian_equivalent_ridge_risk`), averaged over the seeds; large steps
    (``η = η̃√N``): the sRF equivalent.  The sRF formula's limit ``η̃ → 0⁺`` is not the small-step
    regime: at fixed ``η̃`` the spike ``‖u‖ ∝ η̃√N`` diverges, at ``η = O(1)`` it stays finite.
    """
    eta = _eta_of(step, N)
    lam = translate_ridge(ridge, n, N, "ba22")
    vals, linearized = [], []
    for s in range(seeds):
        res = simulate_one_step(n, n, d, N, activation=act, teacher=teacher, noise=noise, eta=eta,
                                second_layer="gaussian", seed=seed0 + s)
        vals.append(ridge_test_error(res, ridge, convention="ba22", n_test=n_test, seed=10_000 + seed0 + s).risk)
        if _is_small(step):
            linearized.append(gaussian_equivalent_ridge_risk(act, teacher, n / d, lam, noise=noise, W0=res.W1,
                                                             theta=res.theta))
    if _is_small(step):
        theory = float(np.mean(linearized))
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            theory = float(srf_test_error(act, teacher, eta / math.sqrt(N), n / d, n / d, lam, N / d, noise,
                                          second_layer="gaussian", on_failure="ignore")) - noise
    return (*mean_and_se(vals), theory)


def _teacher(params):
    """The target: a named activation, centered (``σ* − E σ*``) when ``params["center_teacher"]``.

    A centered student cannot fit a constant: an uncentered target adds ``μ₀*²`` to the risk and
    acts as label noise of that variance in the fit, which hides the effect of the step.
    """
    name = params["teacher"]
    if not params.get("center_teacher"):
        return name, name
    base = activation(name)
    mean = float(gaussian_moments(base).mu0)
    return activation(lambda z: base(z) - mean, name=f"{name} − E {name}"), f"{name} − E{name}"


def _risk_compute(params, seed, progress):
    act, noise, ridge, d = params["activation"], params["noise"], params["ridge"], params["d"]
    teacher, teacher_label = _teacher(params)
    x_name = params["x"]
    data = {"activation": act, "teacher": teacher_label, "noise": noise, "ridge": ridge, "d": d, "x_name": x_name,
            "x": params["grid"], "seeds": params["seeds"], "kernel_bound": kernel_lower_bound(teacher), "curves": []}
    for step in params["steps"]:
        curve = {"label": _label(step), "step": list(step), "sim": [], "se": [], "theory": []}
        for x in params["grid"]:
            N_over_d = x if x_name == "N/d" else params["N_over_d"]
            n_over_d = x if x_name == "n/d" else params["n_over_d"]
            N, n = int(round(N_over_d * d)), int(round(n_over_d * d))
            m, se, th = _risk_point(act, teacher, noise, ridge, d, N, n, step, params["seeds"], seed,
                                    params["n_test"])
            curve["sim"].append(m)
            curve["se"].append(se)
            curve["theory"].append(th)
            progress.step(f"{curve['label']} {x_name} = {x:g}")
        data["curves"].append(curve)
    return data


def _risk_draw(data, fig, guide=False):
    ax = fig.subplots(1, 1)
    x = np.asarray(data["x"], float)
    cmap = [f"C{i}" for i in range(10)]
    for c, col in zip(data["curves"], cmap):
        ax.plot(x, c["theory"], "-", color=col, lw=1.3)
        ax.errorbar(x, c["sim"], yerr=np.nan_to_num(c["se"]), fmt="o", color=col, ms=4, label=c["label"])
    ax.axhline(data["kernel_bound"], color="k", ls="--", lw=1, label=f"kernel lower bound {data['kernel_bound']:.4f}")
    if guide:
        last = data["curves"][-1]
        ref = last["sim"][-1] * x[-1]
        ax.plot(x, ref / x, ":", color="0.5", label="Θ(d/n) guide")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(data["x_name"])
    ax.set_ylabel("risk E(f* − f̂)²")
    ax.set_title(f"σ = {data['activation']}, σ* = {data['teacher']}, λ = {data['ridge']:g}, σ_ε² = {data['noise']:g}",
                 fontsize=9)
    ax.legend(fontsize=7)


def _risk_table(data):
    rows = []
    for c in data["curves"]:
        for x, m, se, th in zip(data["x"], c["sim"], c["se"], c["theory"]):
            rows.append({"step": c["label"], data["x_name"]: x, "theory": th, "simulation": m, "se": se,
                         "diff_in_se": (m - th) / se if se and np.isfinite(se) and se > 0 else float("nan")})
    rows.append({"kernel_bound": data["kernel_bound"]})
    return rows


def _risk_caption(data, params):
    other = (f"N/d = {params['N_over_d']:g}" if data["x_name"] == "n/d" else f"n/d = {params['n_over_d']:g}")
    return (f"Risk of ridge on the features after one step against {data['x_name']} ({other}, d = {data['d']}, "
            f"σ = {data['activation']}, σ* = {data['teacher']}, λ = {data['ridge']:g} in [Ba22]'s convention, "
            f"label-noise variance {data['noise']:g}). Markers: simulated network (Gaussian second layer, step on "
            f"n₀ = n samples, fresh data for ridge; mean ± s.e. over {data['seeds']} seed(s)). Lines: for η = O(1) "
            "(or N^α, α < 1/2) the Gaussian-equivalent ridge risk at the realized W₁ and θ (the rows move by "
            "O(η/√N)); for η = η̃√N the sRF equivalent at the same N. Dashed: the kernel lower bound μ⋆*², which η = Θ(1) cannot beat and a large step "
            "can [Ba22].")


def _risk_figure(name, title, base, sizes, unknown="", guide=False):
    full_sizes = {k: {**base, **v} for k, v in sizes.items()}
    register(FigureSpec(
        name=name, title=title, source="[Ba22]", compute=_risk_compute,
        draw=(lambda data, fig: _risk_draw(data, fig, guide=guide)), table=_risk_table, caption=_risk_caption,
        sizes=full_sizes, steps=lambda p: len(p["steps"]) * len(p["grid"]), figsize=(6.8, 4.6), unknown=unknown))


_risk_figure(
    "ba22_fig1", "erf: risk vs n/d for η = Θ(1) and η = Θ(√N), kernel bound, Θ(d/n) guide",
    dict(activation="erf", teacher="erf", noise=0.01, ridge=1e-3, x="n/d", N_over_d=2.0,
         steps=[("eta", 1.0), ("eta_tilde", 1.0)], n_test=4000),
    {"smoke": dict(d=48, grid=[1.0, 4.0], seeds=1, n_test=500),
     "default": dict(d=512, grid=[0.5, 1.0, 2.0, 4.0, 8.0], seeds=4),
     "full": dict(d=512, grid=[0.5, 1.0, 2.0, 4.0, 8.0, 16.0], seeds=8)}, guide=True,
    unknown="Step sizes η = 1 and η = √N stand for the paper's Θ(1) and Θ(√N).")

_risk_figure(
    "ba22_fig3a", "η = Θ(1): risk vs n/d (tanh student, softplus teacher)",
    dict(activation="tanh", teacher="softplus", center_teacher=True, noise=0.0625, ridge=1e-4, x="n/d", N_over_d=2.0,
         steps=[("eta", 0.0), ("eta", 1.0), ("eta", 3.0)], n_test=4000),
    {"smoke": dict(d=48, grid=[1.0, 4.0], seeds=1, n_test=500, steps=[("eta", 0.0), ("eta", 3.0)]),
     "default": dict(d=384, grid=[0.5, 1.0, 2.0, 4.0, 8.0], seeds=4),
     "full": dict(d=512, grid=[0.5, 1.0, 2.0, 4.0, 8.0, 16.0], seeds=10)},
    unknown="The paper's η values are unknown: η = 0, 1, 3 are shown. The softplus target is centered "
            "(its mean, which centered tanh features cannot fit, would add μ₀*² ≈ 0.65 to every risk).")

_risk_figure(
    "ba22_fig3b", "η = Θ(1): risk vs N/d (tanh student, ReLU teacher)",
    dict(activation="tanh", teacher="relu", center_teacher=True, noise=0.01, ridge=1e-2, x="N/d", n_over_d=5.0,
         steps=[("eta", 0.0), ("eta", 1.0), ("eta", 3.0)], n_test=4000),
    {"smoke": dict(d=48, grid=[1.0, 2.0], seeds=1, n_test=500, steps=[("eta", 0.0), ("eta", 3.0)]),
     "default": dict(d=384, grid=[0.5, 1.0, 2.0, 4.0], seeds=4),
     "full": dict(d=512, grid=[0.25, 0.5, 1.0, 2.0, 4.0, 8.0], seeds=10)},
    unknown="The paper's η values are unknown: η = 0, 1, 3 are shown. The ReLU target is centered (its mean "
            "1/√(2π) cannot be fitted by centered tanh features).")

_risk_figure(
    "ba22_fig3c", "η = N^α, α ∈ [0, 1/2]: risk vs n/d (erf), large α below the kernel bound",
    dict(activation="erf", teacher="erf", noise=0.01, ridge=1e-3, x="n/d", N_over_d=2.0, n_test=4000,
         steps=[("exponent", a) for a in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)]),
    {"smoke": dict(d=48, grid=[1.0, 4.0], seeds=1, n_test=500, steps=[("exponent", 0.0), ("exponent", 0.5)]),
     "default": dict(d=384, grid=[1.0, 2.0, 4.0, 8.0], seeds=3),
     "full": dict(d=512, grid=[0.5, 1.0, 2.0, 4.0, 8.0, 16.0], seeds=10)},
    unknown="The linearized line of 0 < α < 1/2 is exact as N → ∞ but approaches the network only at the rate "
            "N^(α−1/2): at this size α = 0.3 and 0.4 lie between it and the large-step sRF curve of α = 1/2.")


# ---------------------------------------------------------------- ba22_spike
def _spike_compute(params, seed, progress):
    d, N, n0 = params["d"], int(params["N_over_d"] * params["d"]), int(params["n0_over_d"] * params["d"])
    act, teacher = params["activation"], params["teacher"]
    probe = simulate_one_step(n0, 10, d, N, activation=act, teacher=teacher, eta=1.0, seed=seed)
    per_eta = probe.diagnostics()["spike_strength"]   # ϑ is linear in η at fixed data
    c = N / d
    theta_theory = np.linspace(0.0, max(params["theta"]) * 1.05, 200)
    pred = [rank_one_outlier(t, c) for t in theta_theory]
    data = {"d": d, "N": N, "n0": n0, "c": c, "threshold": c ** 0.25, "bulk_edge": 1 + math.sqrt(c),
            "theta_theory": theta_theory, "location_theory": [p.location if p.has_outlier else 1 + math.sqrt(c)
                                                              for p in pred],
            "overlap_theory": [p.overlap_right for p in pred], "points": []}
    for t in params["theta"]:
        rows = []
        for s in range(params["seeds"]):
            res = simulate_one_step(n0, 10, d, N, activation=act, teacher=teacher, eta=t / per_eta, seed=seed + s)
            dg = res.diagnostics()
            rows.append([dg["spike_strength"], dg["W1_top_sv"], dg["W1_second_sv"], dg["overlap_right"],
                         dg["alignment"], dg["alignment_pred"]])
        r = np.mean(rows, axis=0)
        data["points"].append({"theta": r[0], "top_sv": r[1], "second_sv": r[2], "overlap_u": r[3],
                               "alignment_target": r[4], "alignment_target_pred": r[5],
                               "top_sv_pred": rank_one_outlier(r[0], c).location})
        progress.step(f"ϑ ≈ {t:g}")
    return data


def _spike_draw(data, fig):
    ax, bx = fig.subplots(1, 2)
    pts = data["points"]
    th = [p["theta"] for p in pts]
    ax.plot(data["theta_theory"], data["location_theory"], "k-", lw=1.2, label="top singular value (theory)")
    ax.axhline(data["bulk_edge"], color="0.5", ls=":", label=f"bulk edge 1 + √(N/d) = {data['bulk_edge']:.3f}")
    ax.axvline(data["threshold"], color="tab:red", ls="--", lw=1, label=f"ϑ = (N/d)^(1/4) = {data['threshold']:.3f}")
    ax.plot(th, [p["top_sv"] for p in pts], "o", mfc="none", label="measured top")
    ax.plot(th, [p["second_sv"] for p in pts], "s", ms=3, label="measured second")
    ax.set_xlabel("spike strength ϑ of ηG")
    ax.set_ylabel("singular values of W₁")
    ax.legend(fontsize=7)
    bx.plot(data["theta_theory"], data["overlap_theory"], "k-", lw=1.2, label="⟨v̂₁, u⟩² (theory)")
    bx.plot(th, [p["overlap_u"] for p in pts], "o", mfc="none", label="⟨v̂₁, u⟩² measured")
    bx.plot(th, [p["alignment_target"] for p in pts], "^", label="alignment with the target (measured)")
    bx.plot(th, [p["alignment_target_pred"] for p in pts], "x", label="alignment with the target (predicted)")
    bx.axvline(data["threshold"], color="tab:red", ls="--", lw=1)
    bx.set_ylim(-0.02, 1.02)
    bx.set_xlabel("spike strength ϑ")
    bx.set_ylabel("squared overlap")
    bx.legend(fontsize=7)


def _spike_table(data):
    rows = [{"threshold_theory": data["threshold"], "bulk_edge": data["bulk_edge"]}]
    for p in data["points"]:
        rows.append({"theta": p["theta"], "top_sv": p["top_sv"], "top_sv_pred": p["top_sv_pred"],
                     "second_sv": p["second_sv"], "alignment": p["alignment_target"],
                     "alignment_pred": p["alignment_target_pred"]})
    return rows


def _spike_caption(data, params):
    return (f"Singular values of W₁ = W₀ + ηG after one step (σ = {params['activation']}, σ* = {params['teacher']}, "
            f"d = {data['d']}, N = {data['N']}, n₀ = {data['n0']}), against the strength ϑ of the rank-one gradient "
            f"(η varied). An outlier leaves the bulk edge 1 + √(N/d) at ϑ = (N/d)^(1/4) = {data['threshold']:.3f} "
            "([Ba22] Prop. 2, [BGN12]); right: its right singular vector's overlap with the "
            "spike direction and its alignment with the target.")


register(FigureSpec(
    name="ba22_spike", title="singular values of W₁ vs the spike strength ϑ: outlier at ϑ = (N/d)^(1/4)",
    source="[Ba22]", compute=_spike_compute, draw=_spike_draw, table=_spike_table, caption=_spike_caption,
    sizes={"smoke": dict(d=60, N_over_d=2.0, n0_over_d=4.0, activation="tanh", teacher="tanh", theta=[0.5, 2.0],
                         seeds=1),
           "default": dict(d=1000, N_over_d=2.0, n0_over_d=4.0, activation="tanh", teacher="tanh",
                           theta=[0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0], seeds=2),
           "full": dict(d=2000, N_over_d=2.0, n0_over_d=4.0, activation="tanh", teacher="tanh",
                        theta=[0.25, 0.5, 0.75, 1.0, 1.1, 1.2, 1.3, 1.5, 2.0, 2.5, 3.0], seeds=4)},
    steps=lambda p: len(p["theta"]), figsize=(11.0, 4.2),
    unknown="Not a figure of the paper: its Proposition 2 drawn."))
