"""Theory vs simulation for the ridge test error (docs/theory/generalization.md).

Tolerances: each simulated value is a mean over seeds with error bar
``stderr = std/√seeds`` (the seed-to-seed spread includes the test-set noise,
n_test = 4000).  We require ``|sim − theory| < 3·stderr + finite-size slack``,
the slack (1.5 % of the value) covering the O(1/d) bias at these sizes; with
4–8 seeds the 3σ band is 1–4 % wide, so a wrong α ↔ n/N translation (a factor 2
in α) or a wrong kink treatment (≈10 %) fails.
"""
import math

import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.risk import (
    kernel_lower_bound,
    random_features_risk,
    ridge_test_error,
    simulate_srf_test_error,
    spiked_test_set,
    srf_test_error,
    translate_ridge,
)
from rmt_spectra.spiked import simulate_spiked_features


def _check(theory, sims, slack=0.015):
    for t, s in zip(np.atleast_1d(theory), sims):
        assert abs(s.mean - t) < 3 * s.stderr + slack * t, (t, s.mean, s.stderr)


@pytest.mark.parametrize("act, alphas", [("tanh", [0.5, 1.0, 2.0]), ("relu", [0.5, 2.0])])
def test_srf_theory_vs_simulation_small(act, alphas):
    th = srf_test_error(act, act, 1.0, 0.5, alphas, 0.01)
    sims = simulate_srf_test_error(act, act, alphas, 0.01, d=300, eta_tilde=1.0, alpha0=0.5, seeds=range(6))
    _check(th, sims, slack=0.02)


def test_srf_theory_vs_simulation_wide_and_noisy():
    # N/d = 2 checks the α = n/N translation and the N ≠ d spectral rule
    th = srf_test_error("tanh", "tanh", 1.0, 0.5, [0.5, 2.0], 0.01, width_ratio=2.0, noise=0.05)
    sims = simulate_srf_test_error("tanh", "tanh", [0.5, 2.0], 0.01, d=200, width_ratio=2.0, noise=0.05,
                                   eta_tilde=1.0, alpha0=0.5, seeds=range(6))
    _check(th, sims, slack=0.02)
    wrong = srf_test_error("tanh", "tanh", 1.0, 0.5, [1.0, 4.0], 0.01, width_ratio=1.0, noise=0.05)
    assert any(abs(s.mean - w) > 3 * s.stderr + 0.02 * w for w, s in zip(wrong, sims))


def test_r0_direct_random_features_simulation():
    th = random_features_risk("tanh", "erf", [0.5, 2.0], 0.05, 1.0, noise=0.1)
    sims = simulate_srf_test_error("tanh", "erf", [0.5, 2.0], 0.05, d=300, noise=0.1, spike=0.0, bulk_variance=1.0,
                                   gamma=0.0, seeds=range(6))
    _check(np.asarray(th) + 0.1, sims, slack=0.02)


def test_spiked_test_set_uses_same_weights():
    s = simulate_spiked_features("tanh", 50, 20, 30, spike=1.0, bulk_variance=1.2, gamma=0.5, teacher="tanh", seed=0)
    X, F = spiked_test_set(s, 50, seed=5)
    Xs = s.X
    assert F.shape == (50, 30)
    # features of the training inputs through the helper reproduce s.F exactly
    from rmt_spectra.risk.ridge import _spiked_features
    np.testing.assert_allclose(_spiked_features(s, Xs), s.F)


def test_ridge_conventions_and_errors():
    assert translate_ridge(1e-3, 800, 400, "ba22") == pytest.approx(2e-3)
    assert translate_ridge(1e-3, 800, 400, "mon23") == pytest.approx(0.8)
    with pytest.raises(ValueError, match="convention"):
        translate_ridge(1.0, 10, 10, "other")
    s = simulate_spiked_features("tanh", 40, 20, 30, spike=1.0, teacher=None, seed=0)
    with pytest.raises(ValueError, match="teacher"):
        ridge_test_error(s, 0.1)
    with pytest.raises(TypeError, match="OneStepResult"):
        ridge_test_error(np.zeros((3, 3)), 0.1)
    with pytest.raises(ValueError, match="ridge"):
        ridge_test_error(s, -1.0, teacher="tanh")


def _erf_network_risk(d, eta, seeds, n_test=4000):
    N, n = 2 * d, 8 * d
    vals = []
    for seed in seeds:
        res = rs.simulate_one_step(n, n, d, N, activation="erf", teacher="erf", noise=0.01, eta=eta,
                                   second_layer="gaussian", seed=seed)
        # Ba22's readout (1/n)‖y − Φa‖² + (λ/N)‖a‖², λ = 1e-3, σ_ε = 0.1
        vals.append(ridge_test_error(res, 1e-3, convention="ba22", n_test=n_test, seed=1000 + seed))
    return vals


def test_large_step_beats_kernel_bound_small():
    bound = kernel_lower_bound("erf")  # 0.040146, a bound on the risk (no label noise)
    d = 192
    small = _erf_network_risk(d, 1.0, [0])[0]
    large = _erf_network_risk(d, math.sqrt(2 * d), [0])[0]
    # single-seed measurements; risk_se is the test-set error bar, the seed spread (≈3 %) is in the margins
    assert small.risk > bound + 3 * small.risk_se + 0.02
    assert large.risk < bound - 3 * large.risk_se - 0.003


def test_one_step_network_close_to_srf_theory():
    # the real network is a few % above the sRF theory (note: ≈ 5 %); check it is within 15 %
    d, N = 300, 300
    th = srf_test_error("tanh", "tanh", 1.0, 0.5, 1.0, 0.01)
    vals = []
    for seed in range(3):
        res = rs.simulate_one_step(150, 300, d, N, activation="tanh", teacher="tanh", eta_tilde=1.0,
                                   second_layer="constant", seed=seed)
        # a test-set seed apart from the simulation's (the same one replays W0's stream)
        vals.append(ridge_test_error(res, 0.01, n_test=3000, seed=10_000 + seed).test_error)
    assert abs(np.mean(vals) - th) < 0.15 * th


@pytest.mark.slow
@pytest.mark.parametrize("act, alphas", [("tanh", [0.5, 1.0, 2.0]), ("relu", [0.5, 1.0, 2.0])])
def test_srf_theory_vs_simulation_anchor_size(act, alphas):
    # N = d = 800, the note's anchor size
    th = srf_test_error(act, act, 1.0, 0.5, alphas, 0.01)
    sims = simulate_srf_test_error(act, act, alphas, 0.01, d=800, eta_tilde=1.0, alpha0=0.5, seeds=range(5))
    _check(th, sims, slack=0.01)


@pytest.mark.slow
def test_large_step_beats_kernel_bound_anchor():
    bound = kernel_lower_bound("erf")
    d = 512
    small = _erf_network_risk(d, 1.0, [0, 1])
    large = _erf_network_risk(d, math.sqrt(2 * d), [0, 1])
    ms, ml = np.mean([r.risk for r in small]), np.mean([r.risk for r in large])
    # note: ≈ 0.099 at η = 1 and ≈ 0.030 at η = √N (one seed); 2 seeds, 10 % band
    assert ms == pytest.approx(0.099, rel=0.1)
    assert ml == pytest.approx(0.030, rel=0.1)
    assert ml < bound < ms


def test_limiting_problem_levels():
    from rmt_spectra.risk import growing_step_errors, limiting_problem_error

    d = N = 150
    n = 600
    lim0 = limiting_problem_error("relu", "relu", n, d, N, 1e-4, ell=0, seed=0)
    lim1 = limiting_problem_error("relu", "relu", n, d, N, 1e-4, ell=1, seed=0)
    net0 = growing_step_errors("relu", "relu", n, d, N, [0.0], 1e-4, seed=0)[0]
    # an unpenalized linear column learns the linear part of the target: a large drop
    assert lim1.risk < 0.7 * lim0.risk
    # η = n⁰ = 1 is a small step: the network stays at the ℓ = 0 limit (random features); single seed, 10 %
    assert net0.risk == pytest.approx(lim0.risk, rel=0.1)
    with pytest.raises(ValueError, match="ell"):
        limiting_problem_error("relu", "relu", n, d, N, 1e-4, ell=-1)


def test_plot_learning_curve_returns_axes():
    import matplotlib

    matplotlib.use("Agg")
    from rmt_spectra.risk import SeedAverage, plot_learning_curve

    al = np.linspace(0.5, 2, 5)
    sims = [SeedAverage(mean=0.3, std=0.01, stderr=0.005, values=np.array([0.3]))] * 2
    ax = plot_learning_curve(al, al * 0.1, sim_alpha=[0.5, 1.0], sim_mean=sims, bound=0.04)
    assert ax.get_xlabel() == "n / d"
    assert len(ax.lines) >= 2
    with pytest.raises(ValueError, match="alpha"):
        plot_learning_curve(None, [1.0])
