"""Figures of [Cui24]: learning curves of ridge on the features after one step, and the learned function.

``cui24_learning_curves``: the test error ``ε_g`` against ``α = n/d`` for two steps ``(η̃, α₀)``:
the saddle point of the sRF equations (:func:`rmt_spectra.srf_test_error`, deterministic; lines),
the one-step network simulated and fitted by ridge (circles) and the sRF model simulated
(:func:`rmt_spectra.risk.simulate_srf_test_error`, squares), mean ± s.e. over seeds; and, as a
check of the equivalent, the saddle point on the simulation's realized first layer.

``cui24_learned_function``: the learned predictor along the target direction, ``E[f̂(x) | ⟨θ, x⟩ = t]``,
for growing batches α₀ of the step. Theory from the saddle point's order parameters: with
``κ = γt + ρs`` and ``⟨θ_⊥, x⟩ = ρt − γs`` (``s`` standard normal), the predictor's mean given
``κ`` is ``c(κ) = μ₀(κ)m + μ₁(κ)κθ`` plus ``μ₁(κ)ψ`` along ``θ_⊥`` (the terms of the test error
``E(κ)``), so ``E[f̂ | t] = E_s[c(γt + ρs) + μ₁(γt + ρs)ψ(ρt − γs)]`` [derived here; checked
against the simulated network in the figure]. Simulation: ridge on the network's features,
evaluated at ``x = tθ + (I − θθᵀ)g``, averaged over ``g``.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..gaussian.activation import activation as make_activation
from ..gaussian.moments import gaussian_moments
from ..gaussian.quadrature import gauss_hermite
from ..risk.ridge import fit_ridge, ridge_test_error, simulate_srf_test_error
from ..risk.srf import srf_test_error
from ..simulation.one_step import simulate_one_step
from .harness import FigureSpec, mean_and_se, register


# ---------------------------------------------------------------- cui24_learning_curves
def _curves(params, seed, progress):
    act, teacher, ridge, d = params["activation"], params["teacher"], params["ridge"], params["d"]
    alphas = np.asarray(params["alphas"], float)
    data = {"activation": act, "teacher": teacher, "ridge": ridge, "d": d, "N": d, "alphas": alphas,
            "seeds": params["seeds"], "srf_seeds": params.get("srf_seeds", params["seeds"]), "steps": []}
    for eta_tilde, alpha0 in params["steps"]:
        theory = np.atleast_1d(srf_test_error(act, teacher, eta_tilde, alpha0, alphas, ridge))
        progress.step(f"(η̃, α₀) = ({eta_tilde:g}, {alpha0:g}) theory")
        n0 = max(1, int(round(alpha0 * d)))
        net, net_se, realized = [], [], []
        for a in alphas:
            n = int(round(a * d))
            vals = []
            for s in range(params["seeds"]):
                res = simulate_one_step(n0, n, d, d, activation=act, teacher=teacher, eta_tilde=eta_tilde,
                                        second_layer="constant", seed=seed + s)
                vals.append(ridge_test_error(res, ridge, n_test=params["n_test"], seed=10_000 + seed + s).test_error)
            m, se = mean_and_se(vals)
            net.append(m)
            net_se.append(se)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                realized.append(float(srf_test_error(act, teacher, eta_tilde, alpha0, a, ridge, method="realized",
                                                     seed=seed, d=d, on_failure="ignore")))
            progress.step(f"(η̃, α₀) = ({eta_tilde:g}, {alpha0:g}) network α = {a:g}")
        srf = simulate_srf_test_error(act, teacher, alphas, ridge, d, eta_tilde=eta_tilde, alpha0=alpha0,
                                      seeds=range(seed, seed + params.get("srf_seeds", params["seeds"])),
                                      n_test=params["n_test"])
        srf = srf if isinstance(srf, list) else [srf]
        progress.step(f"(η̃, α₀) = ({eta_tilde:g}, {alpha0:g}) sRF simulation")
        data["steps"].append({"eta_tilde": eta_tilde, "alpha0": alpha0, "theory": theory, "theory_realized": realized,
                              "network": net, "network_se": net_se, "srf": [s.mean for s in srf],
                              "srf_se": [s.stderr for s in srf]})
    return data


def _curves_draw(data, fig):
    ax = fig.subplots(1, 1)
    a = np.asarray(data["alphas"], float)
    for i, st in enumerate(data["steps"]):
        col = f"C{i}"
        lab = f"(η̃, α₀) = ({st['eta_tilde']:g}, {st['alpha0']:g})"
        ax.plot(a, st["theory"], "-", color=col, label=f"{lab}: saddle point")
        ax.errorbar(a, st["network"], yerr=np.nan_to_num(st["network_se"]), fmt="o", color=col, mfc="none", ms=5,
                    label=f"{lab}: network")
        ax.errorbar(a * 1.02, st["srf"], yerr=np.nan_to_num(st["srf_se"]), fmt="s", color=col, ms=3,
                    label=f"{lab}: sRF simulation")
    ax.set_xscale("log")
    ax.set_xlabel("α = n/d")
    ax.set_ylabel("test error ε_g")
    ax.set_title(f"σ = {data['activation']}, σ* = {data['teacher']}, λ = {data['ridge']:g}, N = d = {data['d']}",
                 fontsize=9)
    ax.legend(fontsize=7)


#: finite-size bias of the simulated sRF test error over the saddle point, relative, times d: measured
#: 13/d (tanh/tanh, λ = 0.01, (η̃, α₀) = (3, 20), α = 0.25 and 2; d = 200 … 3200, 42–400 seeds each,
#: exponent 1.07 ± 0.09 and 1.11 ± 0.15, no offset); the table allows it on top of 3 s.e.
SRF_BIAS = 13.0


def _curves_table(data):
    rows = []
    for st in data["steps"]:
        for a, th, re, nm, ns, sm, ss in zip(data["alphas"], st["theory"], st["theory_realized"], st["network"],
                                             st["network_se"], st["srf"], st["srf_se"]):
            allowance = SRF_BIAS * th / data["d"]
            rows.append({"eta_tilde": st["eta_tilde"], "alpha0": st["alpha0"], "alpha": float(a), "theory": float(th),
                         "theory_realized_rel": (re - th) / th, "network": nm, "network_se": ns, "srf_sim": sm,
                         "srf_se": ss, "srf_diff_in_se": (sm - th) / ss if ss > 0 else float("nan"),
                         "srf_bias_allowance": allowance,
                         "srf_within_3se_plus_bias": bool(abs(sm - th) <= 3 * ss + allowance)})
    return rows


def _curves_caption(data, params):
    gaps = "; ".join(
        f"{np.mean((np.asarray(st['network']) - np.asarray(st['theory'])) / np.asarray(st['theory'])):+.1%} at "
        f"(η̃, α₀) = ({st['eta_tilde']:g}, {st['alpha0']:g})" for st in data["steps"])
    return (f"Learning curves after one step: test error of ridge (λ = {data['ridge']:g}, authors' convention) on the "
            f"features against α = n/d (σ = {data['activation']}, σ* = {data['teacher']}, constant second layer, "
            f"N = d = {data['d']}, {data['seeds']} seed(s), mean ± s.e.). Lines: the saddle point of the sRF equations "
            f"(deterministic); circles: the one-step network; squares: the sRF model simulated ({data['srf_seeds']} "
            "seeds; it sits above the saddle point by a finite-size bias ≈ 13/d, relative, measured between d = 200 "
            "and 3200). Mean relative gap of "
            f"the network to the saddle point: {gaps}. The sRF simulation converges to the saddle point; the network "
            "keeps a gap of a few percent that does not shrink between d = 300 and 1000 (tanh/tanh, α₀ = 20: "
            "−7.7 %, −5.0 %, −5.4 % at d = 300, 600, 1000, n/d = 1): the sRF model describes the spectrum of the "
            "features after the step, not every detail that ridge exploits [Cui24].")


register(FigureSpec(
    name="cui24_learning_curves", title="test error vs n/d for two steps: saddle point, network, sRF simulation",
    source="[Cui24]", compute=_curves, draw=_curves_draw, table=_curves_table, caption=_curves_caption,
    sizes={"smoke": dict(activation="tanh", teacher="tanh", ridge=0.01, d=60, alphas=[0.5, 2.0], seeds=2,
                         steps=[(1.0, 0.5)], n_test=500),
           "default": dict(activation="tanh", teacher="tanh", ridge=0.01, d=600, alphas=[0.25, 0.5, 1.0, 2.0, 4.0],
                           seeds=4, srf_seeds=32, steps=[(3.0, 20.0), (1.0, 0.5)], n_test=3000),
           "full": dict(activation="tanh", teacher="tanh", ridge=0.01, d=800,
                        alphas=[0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0], seeds=8, steps=[(3.0, 20.0), (1.0, 0.5)],
                        n_test=4000)},
    steps=lambda p: len(p["steps"]) * (len(p["alphas"]) + 2), figsize=(7.0, 4.8),
    unknown="σ* = tanh and λ = 0.01 are chosen among the authors' defaults."))


# ---------------------------------------------------------------- cui24_learned_function
def _learned_theory(act, res_full, t):
    """``E[f̂ | ⟨θ, x⟩ = t]`` from the saddle point's order parameters (module docstring)."""
    r, c, gamma = res_full.spike, res_full.bulk_variance, res_full.gamma
    rho = math.sqrt(max(1.0 - gamma * gamma, 0.0))
    theta, psi, m = (float(np.ravel(res_full.order[k])[0]) for k in ("theta", "psi", "m"))
    s, w = gauss_hermite(40)
    s, w = np.asarray(s), np.asarray(w) / np.sum(w)
    kappa = gamma * np.asarray(t)[:, None] + rho * s[None, :]
    gm = gaussian_moments(act, shift=r * kappa.ravel(), scale=math.sqrt(c))
    mu0, mu1 = np.asarray(gm.mu0).reshape(kappa.shape), np.asarray(gm.mu1).reshape(kappa.shape)
    mean = mu0 * m + mu1 * kappa * theta + mu1 * psi * (rho * np.asarray(t)[:, None] - gamma * s[None, :])
    return mean @ w


def _learned(params, seed, progress):
    act, teacher, ridge, d = params["activation"], params["teacher"], params["ridge"], params["d"]
    eta_tilde, alpha = params["eta_tilde"], params["alpha"]
    t = np.linspace(-5.0, 5.0, 81)
    t_sim = np.linspace(-4.5, 4.5, 19)
    sigma, target = make_activation(act), make_activation(teacher)
    data = {"activation": act, "teacher": teacher, "ridge": ridge, "d": d, "eta_tilde": eta_tilde, "alpha": alpha,
            "t": t, "t_sim": t_sim, "target": target(t), "curves": []}
    rng = np.random.default_rng(seed + 77)
    for alpha0 in params["alpha0"]:
        full = srf_test_error(act, teacher, eta_tilde, alpha0, alpha, ridge, full_output=True)
        theory = _learned_theory(act, full, t)
        sims = []
        if alpha0 > 0:
            n0, n = max(1, int(round(alpha0 * d))), int(round(alpha * d))
            for s in range(params["seeds"]):
                res = simulate_one_step(n0, n, d, d, activation=act, teacher=teacher, eta_tilde=eta_tilde,
                                        second_layer="constant", seed=seed + s)
                W1, th_dir = np.asarray(res.W1, float), np.asarray(res.theta, float)
                th_dir = th_dir / np.linalg.norm(th_dir)
                X = np.asarray(res.X, float)   # the fresh data of the readout (noise-free labels)
                w = fit_ridge(np.asarray(res.F, float), target(X @ np.asarray(res.theta, float)), ridge)
                g = rng.standard_normal((params["n_avg"], d))
                g -= np.outer(g @ th_dir, th_dir)
                vals = [float(np.mean(sigma((tt * th_dir + g) @ W1.T) @ w) / math.sqrt(d)) for tt in t_sim]
                sims.append(vals)
        data["curves"].append({"alpha0": alpha0, "theory": theory, "spike": full.spike, "gamma": full.gamma,
                               "sim": np.mean(sims, axis=0) if sims else None,
                               "sim_sd": np.std(sims, axis=0) if len(sims) > 1 else None})
        progress.step(f"α₀ = {alpha0:g}")
    return data


def _learned_draw(data, fig):
    ax = fig.subplots(1, 1)
    ax.plot(data["t"], data["target"], "k--", lw=1.2, label=f"target σ* = {data['teacher']}")
    for i, c in enumerate(data["curves"]):
        col = f"C{i}"
        ax.plot(data["t"], c["theory"], "-", color=col, label=f"α₀ = {c['alpha0']:g} (γ = {c['gamma']:.2f})")
        if c["sim"] is not None:
            ax.plot(data["t_sim"], c["sim"], "o", color=col, mfc="none", ms=4)
    ax.set_xlabel("t = ⟨θ, x⟩")
    ax.set_ylabel("E[f̂(x) | ⟨θ, x⟩ = t]")
    ax.set_title(f"σ = {data['activation']}, η̃ = {data['eta_tilde']:g}, n/d = {data['alpha']:g}, "
                 f"λ = {data['ridge']:g}; circles: network (d = {data['d']})", fontsize=9)
    ax.legend(fontsize=7)


def _learned_table(data):
    rows = []
    for c in data["curves"]:
        row = {"alpha0": c["alpha0"], "spike_r": c["spike"], "gamma": c["gamma"]}
        if c["sim"] is not None:
            th = np.interp(data["t_sim"], data["t"], c["theory"])
            row["max_abs_diff_theory_sim"] = float(np.max(np.abs(np.asarray(c["sim"]) - th)))
        rows.append(row)
    return rows


def _learned_caption(data, params):
    return (f"The function learned by ridge (λ = {data['ridge']:g}) on the features after one step η = η̃√N "
            f"(η̃ = {data['eta_tilde']:g}, σ = {data['activation']}, σ* = {data['teacher']}, n/d = {data['alpha']:g}), "
            "along the target direction, for growing batches α₀ = n₀/d of the step. Lines: the saddle point's order "
            "parameters (E over the orthogonal coordinate); circles: the simulated network, averaged over inputs with "
            "⟨θ, x⟩ = t. At α₀ = 0 the step carries no information: the predictor is linear; it bends toward the "
            "target as α₀ grows [Cui24].")


register(FigureSpec(
    name="cui24_learned_function", title="the learned predictor along the target direction, for growing α₀",
    source="[Cui24]", compute=_learned, draw=_learned_draw, table=_learned_table, caption=_learned_caption,
    sizes={"smoke": dict(activation="tanh", teacher="sin", ridge=0.01, d=60, eta_tilde=3.0, alpha=2.0,
                         alpha0=[0.0, 2.5], seeds=1, n_avg=50),
           "default": dict(activation="tanh", teacher="sin", ridge=0.01, d=800, eta_tilde=3.0, alpha=2.0,
                           alpha0=[0.0, 0.1, 0.2, 0.5, 2.5], seeds=4, n_avg=400),
           "full": dict(activation="tanh", teacher="sin", ridge=0.01, d=1000, eta_tilde=3.0, alpha=2.0,
                        alpha0=[0.0, 0.1, 0.2, 0.5, 2.5], seeds=4, n_avg=1000)},
    steps=lambda p: len(p["alpha0"]), figsize=(7.0, 4.8),
    unknown="η̃, n/d, λ and σ* are not given for this figure: η̃ = 3, n/d = 2, λ = 0.01, σ* = sin are chosen."))
