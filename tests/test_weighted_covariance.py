"""The step matrix M = X₀ᵀ diag(r) X₀/n₀: weighted sample covariances with signed weights, and the residual law.

Tolerances:

* closed forms and the independent mpmath solution of the fixed point: solver precision (1e-12);
* a simulated M with *stratified* weights (exact proportions): the deterministic
  equivalent is exact up to ``O(1/p)``, so the Stieltjes error at a fixed ``z`` must
  shrink about 4× from p = 500 to p = 2000 (tested: at least 2×);
* M of a simulated network: its residuals are an i.i.d. sample of size ``n₀``, whose
  empirical mean fluctuates by ``sd(r)/√n₀`` (≈ 0.009 at n₀ = 4000) and moves the whole
  spectrum; one seed's KS is therefore ``O(n₀^{-1/2})``. Pooled over seeds the fluctuation
  averages out and the pooled KS must be below 0.01 at d = 1000 and below its value at
  d = 500 (measured: 0.0077 → 0.0027 at n₀ = 4d, 0.0171 → 0.0079 at n₀ = d, 4 seeds).
"""
import math

import mpmath
import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.equivalents import Population, WeightedSampleCovariance
from rmt_spectra.spiked import ResidualLaw


@pytest.mark.parametrize("ratio", [0.25, 1.0, 2.0])
def test_unit_weights_are_marchenko_pastur(ratio):
    law = WeightedSampleCovariance(Population([1.0], signed=True), ratio)
    mp = rs.MarchenkoPastur(ratio)
    z = np.array([0.5 + 0.1j, 2.0 + 1e-3j, -1.0, 7.0, 1.0, 0.3 - 0.2j])
    np.testing.assert_allclose(law.stieltjes(z), mp.stieltjes(z), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(law.support, mp.support, rtol=1e-12)
    np.testing.assert_allclose(np.array(law.atoms).reshape(-1, 2), np.array(mp.atoms).reshape(-1, 2), atol=1e-14)
    assert abs(law.total_mass - 1) < 1e-9


def test_signed_two_atoms_against_mpmath():
    w, p, g = np.array([-1.0, 2.0]), np.array([0.4, 0.6]), 0.25
    law = WeightedSampleCovariance(Population(w, p, signed=True), g)
    for z in [0.3 + 0.3j, -0.6 + 0.05j, 1.7 + 1e-3j, 0.5, -0.2, 4.0]:
        m = complex(law.stieltjes(z))
        with mpmath.workdps(30):
            zz = mpmath.mpc(z.real, z.imag) if isinstance(z, complex) else mpmath.mpf(z) + mpmath.mpc(0, 1e-25)

            def F(mm):
                return mm * (-zz + sum(pk * wk / (1 + g * wk * mm) for wk, pk in zip(w, p))) - 1

            ref = complex(mpmath.findroot(F, mpmath.mpc(m.real, m.imag)))
        assert abs(m - ref) < 1e-11 * abs(ref), (z, m, ref)
        if np.imag(z) > 0 or (z == 0.5):
            assert m.imag >= 0
    # exact moments: E w and (E w)² + γ E w²; total mass 1
    assert abs(law.moment(1) - 0.8) < 1e-14 and abs(law.moment(2) - (0.64 + g * 2.8)) < 1e-14
    assert abs(law.total_mass - 1) < 1e-9
    # the density integrates to the closed moment (the generic quadrature of the base class)
    assert abs(rs.Spectrum.moment(law, 2) - law.moment(2)) < 1e-8


def test_branch_and_infinity():
    law = WeightedSampleCovariance(Population([-0.5, 0.2, 1.5], [0.3, 0.3, 0.4], signed=True), 0.7)
    rng = np.random.default_rng(0)
    z = rng.uniform(-3, 4, 200) + 1j * 10 ** rng.uniform(-6, 1, 200)
    m = law.stieltjes(z)
    assert np.all(m.imag > 0)
    assert abs(law.stieltjes(1e6j) * 1e6j + 1) < 1e-5


def test_stratified_simulation_error_shrinks():
    w, p, g = np.array([-1.0, 2.0]), np.array([0.5, 0.5]), 0.25
    law = WeightedSampleCovariance(Population(w, p, signed=True), g)
    z = np.array([0.3 + 0.3j, 1 + 0.2j, -0.5 + 0.2j])
    th = law.stieltjes(z)
    errs = []
    for dim in (500, 2000):
        n = int(dim / g)
        e = []
        for seed in range(2):
            rng = np.random.default_rng(seed)
            weights = np.where(np.arange(n) < n // 2, w[0], w[1])
            X = rng.standard_normal((n, dim))
            ev = np.linalg.eigvalsh((X * weights[:, None]).T @ X / n)
            e.append(np.max(np.abs(np.mean(1 / (ev[None, :] - z[:, None]), axis=1) - th) / np.abs(th)))
        errs.append(np.mean(e))
    assert errs[1] < 0.5 * errs[0] and errs[1] < 3e-3, errs


def test_bad_input():
    with pytest.raises(ValueError, match="negative atom"):
        Population([-1.0, 1.0])
    with pytest.raises(TypeError, match="weights"):
        WeightedSampleCovariance([1.0, 2.0], 0.5)
    with pytest.raises(ValueError, match="ratio"):
        WeightedSampleCovariance(Population([1.0]), -1.0)
    with pytest.raises(ValueError, match="nonzero"):
        WeightedSampleCovariance(Population([0.0]), 0.5)
    with pytest.raises(ValueError, match="method"):
        WeightedSampleCovariance(Population([1.0]), 0.5, method="bogus")


# ------------------------------------------------------------------ the residual law
def test_residual_law_moments():
    law = ResidualLaw.at_initialization("relu", "relu", second_layer="constant")
    # r = relu(g) − E relu: mean 0, E r² = Var relu = 1/2 − 1/(2π); E[r g] = 1/2
    assert abs(law.mean) < 1e-15 and abs(law.second_moment - (0.5 - 1 / (2 * math.pi))) < 1e-14
    assert abs(law.linear - 0.5) < 1e-14
    # the quadrature atoms reproduce the moments (spectral accuracy of the split rule)
    assert abs(law.expect(lambda r: r)) < 2e-12  # the rule truncates |g| <= 7.3: tail mass 2e-13
    assert abs(law.expect(lambda r: r * r) - law.second_moment) < 1e-10  # tail of r² beyond |g| = 7.3
    noisy = ResidualLaw.at_initialization("tanh", "relu", noise=0.1, second_layer="pm1")
    assert abs(noisy.mean - 1 / math.sqrt(2 * math.pi)) < 1e-14  # E ā = 0: no offset
    assert abs(noisy.expect(lambda r: r * r) - noisy.second_moment) < 1e-10
    # Monte Carlo: 10⁶ draws within 5 standard errors
    r = noisy.sample(10**6, seed=0)
    assert abs(r.mean() - noisy.mean) < 5 * r.std() / 1e3
    assert abs(np.mean(r**2) - noisy.second_moment) < 5 * np.std(r**2) / 1e3


def test_residual_law_finite_width_fluctuation_matches_network():
    # v_f = E ā² Var σ/N + (E ā)² μ₂²/(2d): the variance of f0(x) over x in a simulated network
    for second_layer, N, d in [("constant", 500, 1000), ("pm1", 400, 400)]:
        law = ResidualLaw.at_initialization("relu", "relu", second_layer=second_layer, N=N, d=d)
        var = []
        for seed in range(3):
            res = rs.simulate_one_step(4000, 10, d, N, activation="relu", teacher="relu", eta=0.0,
                                       second_layer=second_layer, seed=seed)
            var.append(np.var(res.outputs0))
        # the sample variance of 4000 nearly Gaussian values has relative sd √(2/4000) ≈ 2.2 %; the formula
        # drops O(1/(Nd)) terms: 15 % allowed
        v_f = law.finite_width_variance
        assert abs(np.mean(var) - v_f) < 0.15 * v_f, (second_layer, var)
        assert law.network_variance == 0.0  # reported, not smeared into the law (see at_initialization)


def test_empirical_residual_law():
    rng = np.random.default_rng(1)
    g = rng.standard_normal(5000)
    r = np.maximum(g, 0) - 0.4 + 0.1 * rng.standard_normal(5000)
    law = ResidualLaw.from_samples(r, g, bins=64)
    assert abs(law.mean - r.mean()) < 1e-15 and abs(law.second_moment - np.mean(r**2)) < 1e-15
    assert abs(law.expect(lambda v: v) - r.mean()) < 1e-14
    assert abs(law.linear - np.mean(r * g)) < 1e-15
    with pytest.raises(ValueError, match="r must"):
        ResidualLaw.from_samples([1.0, np.nan])


# ------------------------------------------------------------------ M of the simulated network (slow)
@pytest.mark.slow
@pytest.mark.parametrize("ratio", [4, 1])
def test_step_matrix_of_the_network(ratio):
    """law(M) vs eigvalsh of the network's M (ReLU/ReLU, constant a), pooled over 4 seeds, d = 500 and 1000."""
    pooled = {}
    for d in (500, 1000):
        n0 = ratio * d
        law = ResidualLaw.at_initialization("relu", "relu", second_layer="constant", N=d, d=d).step_matrix(n0, d)
        evs = []
        for seed in range(4):
            res = rs.simulate_one_step(n0, 10, d, d, activation="relu", teacher="relu", eta=0.0,
                                       second_layer="constant", seed=seed)
            r = res.y - res.outputs0
            evs.append(np.linalg.eigvalsh((res.X0 * r[:, None]).T @ res.X0 / n0))
        pooled[d] = rs.compare(law, rs.EmpiricalSpectrum(np.concatenate(evs))).ks
    assert pooled[1000] < 0.01 and pooled[1000] < pooled[500], pooled
