# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # One large gradient step: tanh against ReLU, the network against its two equivalents
#
# A two-layer network `f(x) = Σ_i a_i σ(⟨w_i, x⟩)` learns a single-index target
# `y = σ*(⟨θ, x⟩)` by one gradient step on its first layer, taken on a batch of `n₀` samples with a
# large learning rate `η = η̃√N`. The features on `n` fresh samples are `F = σ(XW₁ᵀ)`, and we study
# the spectrum of `Σ̂ = FᵀF/n`.
#
# The gradient is close to rank one ([Ba22]): `W₁ ≈ W₀ + η a uᵀ`-like, with `u` correlated with the
# target direction `θ`. The features then have a bulk, deformed by the step, and outliers carried by
# the learned direction ([Mon23], [Dan24], [Cui24]). Two deterministic equivalents describe them:
#
# * `model="surrogate"`: the isotropic **spiked random-features** model of [Cui24], [Dan24] — the
#   rows of `W₁` are the initial rows plus a spike, isotropic otherwise. Exact for odd activations
#   and for large step batches (`n₀/d → ∞`), and the model the risk formulas of the sRF literature
#   describe.
# * `model="network"` (the default): keeps the structured `E σ''` part of the gradient — each row
#   moves as `(I + tM) w_i` with `M = X₀ᵀ diag(r) X₀/n₀` the step matrix of the batch's residuals
#   `r` — so it follows the updated network for every activation.
#
# Two cases (the README's headline): tanh student and teacher with `ā = ±1`, `η̃ = 5`; ReLU student
# and teacher with a constant second layer, `η̃ = 3`. For tanh (odd) both models coincide; for ReLU
# the surrogate misses the tail that the step grows at the right of the bulk.
#
# Sizes scale with `RMT_NOTEBOOK_SCALE` (1 by default; the test suite uses 0.3).

# %%
import os
import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

import rmt_spectra as rs

SCALE = float(os.environ.get("RMT_NOTEBOOK_SCALE", "1"))
SEED = int(os.environ.get("RMT_NOTEBOOK_SEED", "0"))
d = int(1000 * SCALE)
N, n, n0 = d, 2 * d, 4 * d          # width, fresh samples, step batch (n₀/d = 4)
seeds = 6                           # networks per case for the outliers' fluctuations (the first is the main one)
cases = {
    "tanh": dict(activation="tanh", teacher="tanh", eta_tilde=5.0, second_layer="pm1"),
    "relu": dict(activation="relu", teacher="relu", eta_tilde=3.0, second_layer="constant"),
}
print(f"SCALE={SCALE}: d={d}, N={N}, n={n}, n0={n0}")

# %% [markdown]
# ## The gradient: nearly rank one for tanh, not for ReLU
#
# `step.summary()` compares the measured step with its predictions: the gradient `G₀` against its
# rank-one part, the overlap `⟨u, θ⟩²` of the spike with the target, and the top singular value of
# `W₁`, an outlier far beyond the bulk edge `1 + √(N/d)` (BBP transition at spike strength
# `(N/d)^{1/4}`, [BBP05], [Ba22]).
#
# For tanh (odd, `μ₂ = 0`) the part of `G₀` beyond rank one vanishes like `n₀^{-1/2}`. For ReLU
# (`μ₂ ≠ 0`) it does not: the `E σ''` term of the gradient leaves a structured part of relative size
# ≈ 0.35 at every size — the part the surrogate replaces by isotropic noise and the network model
# keeps. It also shifts `W₁`'s top singular value a few percent below the rank-one prediction.

# %%
steps = {name: [rs.simulate_one_step(n0, n, d, N, seed=SEED + s, **c) for s in range(seeds)]
         for name, c in cases.items()}
diag = {name: st[0].diagnostics() for name, st in steps.items()}
for name in cases:
    print(f"--- {name}")
    print(steps[name][0].summary())

# %% [markdown]
# ## The feature spectrum against both equivalents

# %%
eq = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)   # validity notes (see each equivalent's .validity)
    for name, c in cases.items():
        args = (c["activation"], c["teacher"], c["eta_tilde"])
        kw = dict(n0=n0, n=n, d=d, N=N, second_layer=c["second_layer"])
        eq[name] = {"network": rs.SpikedFeatures.from_one_step(*args, **kw, model="network"),
                    "surrogate": rs.SpikedFeatures.from_one_step(*args, **kw, model="surrogate")}

emp = {name: st[0].feature_spectrum() for name, st in steps.items()}
cmp = {name: {m: rs.compare(e, emp[name]) for m, e in eq[name].items()} for name in cases}
for name in cases:
    for m in ("network", "surrogate"):
        print(f"--- {name}, model={m}")
        print(cmp[name][m])

fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
for ax, name in zip(axes, cases):
    rs.plot_spectrum(emp[name], eq[name]["network"], ax=ax, show_outliers=False, theory_label="network model")
    lo, hi = eq[name]["surrogate"].support[0][0], eq[name]["surrogate"].support[-1][1]
    xs = np.linspace(lo, hi, 600)
    ax.plot(xs, eq[name]["surrogate"].pdf(xs), "C3--", lw=1.2, label="surrogate (sRF)")
    ax.set_title(f"{name}: bulk of FᵀF/n after one step (η̃ = {cases[name]['eta_tilde']:g})")
    ax.legend(fontsize=8)

# %% [markdown]
# ### How far apart are the two models?
#
# The KS distance between the two equivalents' cdfs, `D = sup |F_network − F_surrogate|`, is a
# property of the limit, not of a simulation: it does not shrink with the size. For tanh (odd) the
# models coincide; for ReLU the surrogate's bulk is too narrow.

# %%
D = {}
for name in cases:
    net, sur = eq[name]["network"], eq[name]["surrogate"]
    lo = min(net.support[0][0], sur.support[0][0])
    hi = max(net.support[-1][1], sur.support[-1][1])
    xs = np.linspace(lo, hi, 4001)
    D[name] = float(np.max(np.abs(net.cdf(xs) - sur.cdf(xs))))
    print(f"{name}: D(network, surrogate) = {D[name]:.4f};  KS to the simulation: network "
          f"{cmp[name]['network'].ks:.4f}, surrogate {cmp[name]['surrogate'].ks:.4f}")

# %% [markdown]
# ### Conditioning on the batch
#
# A single network carries the `O(n₀^{-1/2})` fluctuations of its batch (the residuals, `‖ζ‖`).
# `SpikedFeatures.from_result(step)` builds the network equivalent on the realized batch
# quantities instead of their laws, removing that part from the comparison. What remains is the
# fluctuation of the `n` fresh samples (the empirical law of their learned coordinate `⟨u, x⟩`) and
# the equivalent's own error: for tanh conditioning changes little, for ReLU — whose step depends
# more on the batch's residuals — it usually brings the KS distance down.

# %%
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    conditioned = {name: rs.SpikedFeatures.from_result(st[0]) for name, st in steps.items()}
cmp_cond = {name: rs.compare(conditioned[name], emp[name]) for name in cases}
for name in cases:
    print(f"{name}: KS law-level network model {cmp[name]['network'].ks:.4f}, conditioned on the batch "
          f"{cmp_cond[name].ks:.4f}")

# %% [markdown]
# ## The outliers
#
# Predicted (both models) against measured. The outlier of a single network fluctuates from seed to
# seed — through its batch and through the `n` fresh samples, which average a steep function of the
# learned coordinate `⟨u, x⟩` — so we measure it on `seeds` networks and compare the prediction with
# their mean.

# %%
outl = {}
for name in cases:
    pred_net = eq[name]["network"].outliers()
    pred_sur = eq[name]["surrogate"].outliers()
    top = np.array([np.sort(st.feature_spectrum().eigenvalues)[::-1][: len(pred_net)] for st in steps[name]])
    outl[name] = dict(source=[o.source for o in pred_net], network=np.array([o.location for o in pred_net]),
                      surrogate=np.array([o.location for o in pred_sur]), measured=top)
    for j, src in enumerate(outl[name]["source"]):
        m, sd = top[:, j].mean(), top[:, j].std(ddof=1)
        print(f"{name} {src}: predicted network {outl[name]['network'][j]:.2f}, surrogate "
              f"{outl[name]['surrogate'][j]:.2f};  measured {m:.2f} ± {sd / np.sqrt(seeds):.2f} (s.e., "
              f"{seeds} seeds; relative sd of one network {sd / m:.3f})")

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for ax, name in zip(axes, cases):
    ev = np.sort(emp[name].eigenvalues)[::-1][:12]
    ax.semilogy(np.arange(1, ev.size + 1), ev, "o", mfc="none", label=f"measured (seed {SEED})")
    for j, src in enumerate(outl[name]["source"]):
        ax.axhline(outl[name]["network"][j], color="C2", lw=1.2, label=f"{src}: network model")
        ax.axhline(outl[name]["surrogate"][j], color="C3", ls="--", lw=1, label=f"{src}: surrogate")
    ax.axhline(eq[name]["network"].right_edge, color="k", ls=":", label="bulk edge (network model)")
    ax.set_xlabel("rank")
    ax.set_title(f"{name}: top eigenvalues of FᵀF/n")
    ax.legend(fontsize=7)

# %% [markdown]
# ## The right edge: the tail the step grows
#
# For ReLU the network model's bulk extends beyond the surrogate's right edge: the step's structured
# part stretches the rows along the step matrix's top directions. The surrogate predicts no
# eigenvalue there; the network model predicts `N·(1 − F_network(edge_surrogate))` of them.
# For tanh the two edges coincide, and the largest bulk eigenvalue sits at the predicted edge within
# the Tracy–Widom scale `N^{-2/3}`.

# %%
edges = {name: {m: e.right_edge for m, e in eq[name].items()} for name in cases}
tail = {}
for name in cases:
    e_sur = edges[name]["surrogate"]
    expected = N * (1 - float(eq[name]["network"].cdf(e_sur)))
    n_out = len(eq[name]["network"].outliers())
    counted = int(np.sum(emp[name].eigenvalues > e_sur)) - n_out
    tail[name] = (expected, counted)
    print(f"{name}: right edge network {edges[name]['network']:.4f}, surrogate {e_sur:.4f}; largest bulk "
          f"eigenvalue {cmp[name]['network'].bulk_edge_measured:.4f};  eigenvalues beyond the surrogate's edge: "
          f"{counted} measured, {expected:.1f} predicted by the network model, 0 by the surrogate")

# %% [markdown]
# ## Checks
#
# Tolerances from the finite-size error expected at the size run:
#
# * the step: overlaps of the batch's empirical direction fluctuate at `O(n₀^{-1/2})`:
#   `|⟨u, θ⟩² − prediction| ≤ 3/√n₀`; for tanh the gradient beyond rank one
#   `‖G₀ − A‖/‖G₀‖ ≤ 4/√n₀` (observed ≈ 2.2/√n₀) and `W₁`'s top singular value within `3/√n₀` of
#   the rank-one prediction; for ReLU the part beyond rank one stays `> 0.2` (≈ 0.35 at every size);
# * the bulk (one network): rigidity `2 ln N / N` plus the `O(n^{-1/2})` fluctuations of the samples
#   (batch and fresh data, `n ≤ n₀`), `KS ≤ 2 ln N/N + 1/√n` (observed `KS·√n` ≤ 0.8 over 12–14
#   seeds at both scales), for the law-level and the conditioned equivalent alike;
# * tanh: the two models coincide (`D < 10⁻⁶`); ReLU: the surrogate is off by a size-independent
#   `D` (0.030 at every size; we check `D > 0.02`) and is worse than the network model on the
#   simulation;
# * the tail beyond the surrogate's edge (ReLU): the count is a linear statistic of rigid
#   eigenvalues, whose fluctuations are far below Poisson's: `|count − expected| ≤ 3√expected + 1`,
#   and at least one eigenvalue is there (the surrogate predicts none);
# * tanh's largest bulk eigenvalue within its Tracy–Widom window, `|top − edge| ≤ 8·edge·N^{-2/3}`
#   (over 14 seeds `top − edge` is (−1.2 ± 2.2)·N^{-2/3} at both scales, and the edge is 1.2);
# * each outlier: the mean over `seeds` networks within the 99.5 % confidence interval of a mean
#   of `seeds` draws with the spread measured here (`t`-quantile × standard error; 4.8 s.e. for
#   6 seeds) of the network model's prediction; tanh's outlier also within `4/√n₀` for the main
#   network (its relative spread over 14 seeds is (0.7–1.2)/√n₀ at the two scales).

# %%
for name, dg in diag.items():
    assert abs(dg["alignment"] - dg["alignment_pred"]) <= 3 / np.sqrt(n0), (name, dg["alignment"], dg["alignment_pred"])
    assert dg["has_outlier_measured"] and dg["has_outlier_pred"]
dg = diag["tanh"]
assert dg["grad_rank_one_rel_error"] <= 4 / np.sqrt(n0), dg["grad_rank_one_rel_error"]
assert abs(dg["W1_top_sv"] - dg["outlier_pred"]) / dg["outlier_pred"] <= 3 / np.sqrt(n0), (dg["W1_top_sv"], dg["outlier_pred"])
assert diag["relu"]["grad_rank_one_rel_error"] > 0.2, diag["relu"]["grad_rank_one_rel_error"]

ks_tol = 2 * np.log(N) / N + 1 / np.sqrt(n)
for name in cases:
    assert cmp[name]["network"].ks <= ks_tol, (name, cmp[name]["network"].ks, ks_tol)
    assert cmp_cond[name].ks <= ks_tol, (name, cmp_cond[name].ks, ks_tol)

assert D["tanh"] < 1e-6, D["tanh"]
assert abs(cmp["tanh"]["surrogate"].ks - cmp["tanh"]["network"].ks) < 1e-6
assert D["relu"] > 0.02, D["relu"]
assert cmp["relu"]["surrogate"].ks > cmp["relu"]["network"].ks, (cmp["relu"]["surrogate"].ks, cmp["relu"]["network"].ks)

expected, counted = tail["relu"]
assert edges["relu"]["network"] > edges["relu"]["surrogate"]
assert counted >= 1 and abs(counted - expected) <= 3 * np.sqrt(expected) + 1, (counted, expected)
e_tanh = edges["tanh"]["network"]
assert abs(cmp["tanh"]["network"].bulk_edge_measured - e_tanh) <= 8 * e_tanh * N ** (-2 / 3), cmp["tanh"]["network"]

q = stats.t.ppf(0.9975, seeds - 1)      # two-sided 99.5 % quantile of Student's t
for name in cases:
    o = outl[name]
    assert o["source"] == [c.source for c in cmp[name]["network"].outliers], name
    mean, se = o["measured"].mean(axis=0), o["measured"].std(axis=0, ddof=1) / np.sqrt(seeds)
    assert np.all(np.abs(mean - o["network"]) <= q * se), (name, mean, se, o["network"])
main = cmp["tanh"]["network"].outliers[0]
assert abs(main.measured - main.predicted) / main.predicted <= 4 / np.sqrt(n0), main
print("all checks passed")
