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
# # Quickstart: spectra, samples, activations, one gradient step
#
# `rmt_spectra` describes the eigenvalue distribution of random matrices — closed-form laws,
# deterministic equivalents of neural-network features — and compares it with simulations, in
# numbers. This notebook walks through the four building blocks:
#
# 1. the **spectrum protocol**, on the Marchenko–Pastur law: Stieltjes transform, density,
#    cdf, support, atoms, moments;
# 2. **one simulated matrix against its law** with `rs.compare` (KS and Wasserstein distances,
#    Stieltjes errors, outliers, edges), and how the distance shrinks with the size;
# 3. the **Gaussian machinery** of activations: Hermite coefficients `μ_k = E[σ(z) He_k(z)]` and the
#    shifted moments `μ₀, μ₁, μ⋆` that enter every equivalent;
# 4. a **first one-step simulation**: a two-layer network takes one large gradient step, and the
#    spectrum of its features `Σ̂ = FᵀF/n` is compared with its deterministic equivalent
#    `rs.SpikedFeatures`.
#
# Conventions: `X` is `n × d`, `W` is `N × d`, `F = σ(XWᵀ)` is `n × N`, `Σ̂ = FᵀF/n`; the Stieltjes
# transform is `m(z) = ∫ dμ(λ)/(λ − z)`; `He_k` are the probabilists' Hermite polynomials.
#
# The sizes below scale with the environment variable `RMT_NOTEBOOK_SCALE` (1 by default; the
# test suite runs every notebook at 0.3). The last cell checks the numbers.

# %%
import os
import warnings

import matplotlib.pyplot as plt
import numpy as np
from numpy.polynomial.hermite_e import hermeval, hermegauss

import rmt_spectra as rs

SCALE = float(os.environ.get("RMT_NOTEBOOK_SCALE", "1"))
SEED = int(os.environ.get("RMT_NOTEBOOK_SEED", "0"))

ratio = 2.0                                    # p/n of the Wishart matrix: an atom of mass 1 − 1/ratio at 0
p = int(1500 * SCALE)                          # size of the Wishart matrix
sizes = [int(k * SCALE) for k in (100, 200, 400, 800)]   # sizes of the KS-versus-size study
d = int(1000 * SCALE)                          # input dimension of the network
N, n, n0 = d, 2 * d, 4 * d                     # width, fresh samples, batch of the gradient step
eta_tilde = 5.0                                # the step η = η̃√N
print(f"SCALE={SCALE}: p={p}, sizes={sizes}, d={d}, N={N}, n={n}, n0={n0}")

# %% [markdown]
# ## 1. The spectrum protocol: Marchenko–Pastur
#
# `W = ZᵀZ/n` with `Z` an `n × p` standard Gaussian matrix has, for `p/n → ratio`, the
# Marchenko–Pastur law. For `ratio > 1` the matrix has rank `n < p`: an atom of mass `1 − 1/ratio`
# sits at 0. Every spectrum of the package — closed-form law, deterministic equivalent, empirical
# spectrum — answers the same questions:
#
# | member | meaning |
# | --- | --- |
# | `stieltjes(z)` | `m(z) = ∫ dμ(λ)/(λ − z)`; for real `z` the boundary value `m(x + i0)` |
# | `pdf`, `cdf` | density of the continuous part; cdf with the atoms |
# | `support`, `atoms` | bulk intervals; `(location, mass)` pairs |
# | `moment(k)` | `∫ λᵏ dμ` |
#
# The Stieltjes transform carries everything: the density is `Im m(x + i0)/π` on the support, and
# `m` is real outside it — in the gap `(0, a)` too, where the atom and the bulk pull in opposite
# directions.

# %%
mp = rs.MarchenkoPastur(ratio)
(a, b), = mp.support
print(mp, " support", mp.support, " atoms", mp.atoms, " total mass", mp.total_mass)
print("m in the gap:   ", mp.stieltjes(a / 2))
print("m on the bulk:  ", mp.stieltjes((a + b) / 2))
print("m off the axis: ", mp.stieltjes(1 + 0.1j))
x_bulk = np.linspace(a, b, 9)[1:-1]
inversion_error = np.max(np.abs(mp.pdf(x_bulk) - mp.stieltjes(x_bulk).imag / np.pi))
print("max |pdf − Im m/π| on the bulk:", inversion_error)
moments = [mp.moment(k) for k in range(5)]
print("moments k = 0..4:", moments)
print("cdf just below 0, at 0, at the right edge:", mp.cdf(-1e-12), mp.cdf(0.0), mp.cdf(b))

# %% [markdown]
# The moments of Marchenko–Pastur are the Narayana polynomials in the ratio `γ`:
# `1, 1, 1 + γ, 1 + 3γ + γ², 1 + 6γ + 6γ² + γ³` — an independent check of the law.

# %%
g = ratio
narayana = [1.0, 1.0, 1 + g, 1 + 3 * g + g**2, 1 + 6 * g + 6 * g**2 + g**3]
moment_error = max(abs(m - e) for m, e in zip(moments, narayana))
print("max |moment − Narayana|:", moment_error)

# %% [markdown]
# ## 2. One Wishart matrix against the law
#
# `mp.sample(p, seed)` draws one matrix and returns its `EmpiricalSpectrum`; `rs.compare` gives the
# Kolmogorov–Smirnov distance `sup |F_p − F|`, the Wasserstein-1 distance, the relative errors of the
# Stieltjes transform at six points off the axis, the matched outliers and the right edges.

# %%
emp = mp.sample(p, seed=SEED)
result = rs.compare(mp, emp)
print(result)
ax = rs.plot_spectrum(emp, mp)
ax.set_title(f"Wishart, p = {p}, p/n = {ratio:g}, against Marchenko–Pastur");

# %% [markdown]
# **How far should the sample be?** Eigenvalues of random matrices are *rigid*: each sits within
# `O(log p / p)` (in the quantile scale) of its classical location, so the KS distance is
# `O(log p / p)` — much smaller than the `√(ln(2/0.05)/(2p))` DKW band of `p` independent draws
# (printed by `compare` for reference). Likewise the local law bounds the Stieltjes error at distance
# `Im z` from the axis by `O(log p/(p Im z))`.

# %%
local_law = np.abs(result.stieltjes_empirical - result.stieltjes_theory) / (np.log(p) / (p * result.z.imag))
print("KS·p/ln p =", result.ks * p / np.log(p), "  DKW band", result.ks_iid_bound)
print("|m_p − m| / (ln p/(p Im z)) at the six points:", np.round(local_law, 3))

# %% [markdown]
# ### How the KS distance shrinks with the size
# The mean of five seeds against `p`: for `KS ∝ ln p / p` the local slope on the log–log plot is
# `1/ln p − 1 ≈ −0.8` at these sizes (rigid eigenvalues), against −1/2 for independent draws.

# %%
ks_sizes = np.array([np.mean([rs.compare(mp, mp.sample(s, seed=SEED + k)).ks for k in range(5)])
                     for s in sizes])
slope = np.polyfit(np.log(sizes), np.log(ks_sizes), 1)[0]
print("mean KS:", np.round(ks_sizes, 4), "  log–log slope", round(slope, 3))
fig, ax = plt.subplots()
ax.loglog(sizes, ks_sizes, "o-", label="KS (mean of 5 seeds)")
ax.loglog(sizes, [ks_sizes[0] * sizes[0] / s for s in sizes], "k--", label="∝ 1/p")
ax.loglog(sizes, [ks_sizes[0] * (sizes[0] / s) ** 0.5 for s in sizes], "k:", label="∝ 1/√p")
ax.set_xlabel("p")
ax.set_ylabel("KS distance")
ax.legend();

# %% [markdown]
# ## 3. Activations: Hermite coefficients and Gaussian moments
#
# For `z ~ N(0, 1)`, `μ_k = E[σ(z) He_k(z)]`. The feature matrix `σ(XWᵀ)` behaves, for spectral
# purposes, like `μ₀ 𝟙 + μ₁ XWᵀ + μ⋆ Z` with `Z` independent noise: `μ₀` makes a mean outlier,
# `μ₁` the linear part, and `μ⋆² = E σ² − μ₀² − μ₁²` — [Ba22]'s μ₂ — the strength of the nonlinear
# part. ReLU has closed forms: by Stein's lemma `μ_k = E[1{z>0} He_{k−1}(z)] = φ(0) He_{k−2}(0)` for
# `k ≥ 2`.

# %%
for name in ["tanh", "relu", "erf", "softplus"]:
    gm = rs.gaussian_moments(name)
    print(f"{name:9s} mu0={float(gm.mu0):+.6f} mu1={float(gm.mu1):.6f} mu_star={float(gm.mu_star):.6f}",
          rs.hermite_coefficients(name, 4).round(6))

phi0 = 1 / np.sqrt(2 * np.pi)
relu_closed = np.array([phi0, 0.5] + [phi0 * hermeval(0.0, np.eye(k - 1)[k - 2]) for k in range(2, 9)])
relu_error = np.max(np.abs(rs.hermite_coefficients("relu", 8) - relu_closed))
print("ReLU: max |μ_k − closed form|, k ≤ 8:", relu_error)

# %% [markdown]
# For smooth activations the coefficients come from quadrature; `method="mpmath"` is a 30-digit
# reference. As an independent check we also compute them with a 200-node Gauss–Hermite rule of our
# own. `gaussian_moments` takes a shift and a scale — `σ(s + √c z)` — vectorized over `s`; its `μ₁` is
# `E σ'(s + √c z) = E[σ(s + √c z) z]/√c`.

# %%
z, w = hermegauss(200)
w = w / w.sum()
tanh_ref = np.array([np.sum(w * np.tanh(z) * hermeval(z, np.eye(7)[k])) for k in range(7)])
tanh_error = max(np.max(np.abs(rs.hermite_coefficients("tanh", 6) - tanh_ref)),
                 np.max(np.abs(rs.hermite_coefficients("tanh", 6, method="mpmath", dps=30) - tanh_ref)))
print("tanh μ_0..6:", rs.hermite_coefficients("tanh", 6).round(8), "  max deviation from our quadrature", tanh_error)

shift, scale = np.array([0.0, 0.5, 1.0, 2.0]), 1.3
gm = rs.gaussian_moments("tanh", shift=shift, scale=scale)
vals = np.tanh(shift[:, None] + scale * z[None, :])
mu0_ref = vals @ w
mu1_ref = (vals * z) @ w / scale
mustar_ref = np.sqrt((vals**2) @ w - mu0_ref**2 - (scale * mu1_ref) ** 2)
shifted_error = max(np.max(np.abs(gm.mu0 - mu0_ref)), np.max(np.abs(gm.mu1 - mu1_ref)),
                    np.max(np.abs(gm.mu_star - mustar_ref)))
print("μ₀(s):", np.round(gm.mu0, 6), " μ₁(s):", np.round(gm.mu1, 6), " μ⋆(s):", np.round(gm.mu_star, 6))
print("max deviation from our quadrature:", shifted_error)

# %% [markdown]
# ## 4. A first one-step simulation
#
# A two-layer network `f(x) = Σ_i a_i σ(⟨w_i, x⟩)` with `σ = tanh`, second layer `a_i = ±1/√N`,
# learns a target `y = tanh(⟨θ, x⟩)` by **one** gradient step on the first layer, on a batch of
# `n₀` samples, with a large learning rate `η = η̃√N`. The gradient is close to rank one
# ([Ba22]), so the step adds a spike to `W`; the features `F = σ(XW₁ᵀ)` on `n` fresh samples then
# have a bulk plus an outlier carried by the learned direction ([Mon23], [Dan24]).
# `rs.SpikedFeatures.from_one_step` is the deterministic equivalent of `Σ̂ = FᵀF/n` after the step.

# %%
step = rs.simulate_one_step(n0, n, d, N, activation="tanh", teacher="tanh", eta_tilde=eta_tilde,
                            second_layer="pm1", seed=SEED)
print(step.summary())
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)   # validity notes of the equivalent (its .validity)
    after = rs.SpikedFeatures.from_one_step("tanh", "tanh", eta_tilde, n0=n0, n=n, d=d, N=N, second_layer="pm1")
emp_step = step.feature_spectrum()
cmp_step = rs.compare(after, emp_step)
print(cmp_step)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
rs.plot_spectrum(emp_step, after, ax=ax1, show_outliers=False)
ax1.set_title("bulk of FᵀF/n after one step")
ev = emp_step.eigenvalues
ax2.semilogy(np.sort(ev)[::-1][:10], "o", mfc="none", label="measured")
for o in after.outliers():
    ax2.axhline(o.location, color="C3", lw=1, label=f"predicted {o.source}")
ax2.axhline(after.support[-1][1], color="k", ls=":", label="predicted bulk edge")
ax2.set_xlabel("rank")
ax2.set_title("top eigenvalues")
ax2.legend(fontsize=8);

# %% [markdown]
# ## Checks
#
# The numbers above, with tolerances set by the finite-size error expected at the size actually
# run:
#
# * exact identities (Stieltjes inversion, Narayana moments, ReLU closed forms, our independent
#   quadrature) to round-off;
# * rigid eigenvalues: KS `≤ 2 ln p / p`, the local law `|m_p − m| ≤ ln p/(p Im z)` at every point,
#   and a log–log slope of the KS distance below −0.65 (`1/ln p − 1 ≈ −0.8` expected for
#   `ln p / p`, −1/2 for independent draws; over 20 seed sets the five-seed slope is
#   −0.82 ± 0.06 at scale 0.3 and −0.83 ± 0.03 at scale 1, so −0.65 is ≥ 3 standard deviations
#   from the expected value and halfway to the i.i.d. one);
# * after the step: one network carries the `O(n^{-1/2})` fluctuations of its samples — the batch
#   of the step (`n₀`) and the empirical law of the learned coordinate `⟨u, x⟩` over the `n ≤ n₀`
#   fresh samples — on top of the rigidity scale of the `N` eigenvalues: KS `≤ 2 ln N/N + 1/√n`
#   (observed `KS·√n` ≤ 0.8 over 14 seeds at both scales); the outlier, a smooth
#   function of the batch's empirical overlaps, has a relative error `≤ 4/√n₀` (its spread over
#   14 seeds is (0.7–1.2)/√n₀ at the two scales: at least 3 standard deviations).

# %%
# exact identities: round-off only
assert inversion_error < 1e-10, inversion_error
assert moment_error < 1e-8, moment_error
assert abs(mp.cdf(0.0) - (1 - 1 / ratio)) < 1e-12 and mp.cdf(-1e-12) == 0.0 and abs(mp.cdf(b) - 1) < 1e-10
assert abs(mp.stieltjes(a / 2).imag) < 1e-12 and abs(mp.stieltjes(2 * b).imag) < 1e-12   # real off the support
assert relu_error < 1e-12, relu_error
assert tanh_error < 1e-10 and shifted_error < 1e-10, (tanh_error, shifted_error)

# one Wishart matrix: rigid eigenvalues, KS = O(ln p / p) (observed constant ≈ 0.5, we allow 2);
# the local law at each of compare's six points off the axis (observed ratio ≤ 0.2, we allow 1)
assert result.ks <= 2 * np.log(p) / p, (result.ks, 2 * np.log(p) / p)
assert np.all(local_law <= 1.0), local_law
# the KS distance falls like ln p / p (slope 1/ln p − 1 ≈ −0.8), clearly faster than 1/√p (−0.5)
assert slope < -0.65, slope

# one step: the network-faithful equivalent against one simulated network
ks_tol = 2 * np.log(N) / N + 1 / np.sqrt(n)
assert cmp_step.ks <= ks_tol, (cmp_step.ks, ks_tol)
assert len(cmp_step.outliers) == 1 and cmp_step.outliers[0].source == "degree-1 spike"
out = cmp_step.outliers[0]
assert abs(out.measured - out.predicted) / out.predicted <= 4 / np.sqrt(n0), (out, 4 / np.sqrt(n0))
print("all checks passed")
