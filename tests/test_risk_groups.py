"""Several-group sRF test error (docs/theory/generalization.md, "Several groups, large batch").

:func:`srf_test_error_groups` is the *realized* version (a drawn ``W₀``).
Checks: (i) one group reproduces the K = 1 solver exactly for the same draw
(``method="realized"``, same seed and d; 1e-9) and the deterministic K = 1
solver within the finite-N fluctuation (1 %; measured 4e-4–7e-4 relative at
d = 400); (ii) exact invariances of the K-group machinery (splitting a group,
±r groups for an odd activation); (iii) direct simulation of the sRF model at
d = N = 400 with ``|sim − theory| < 3·stderr + 1.5 %`` (the slack, as in
``test_risk_simulation.py``, covers the O(1/d) bias that the K = 1 theory
already shows at this size: 1–4 %).
"""
import numpy as np
import pytest

from rmt_spectra.risk import ridge_test_error, average_over_seeds, srf_test_error, srf_test_error_groups
from rmt_spectra.risk.groups import GroupsResult
from rmt_spectra.spiked import simulate_spiked_features
from rmt_spectra.spiked.parameters import spiked_parameters

ALPHAS = np.array([0.5, 1.0, 2.0])
RIDGE, NOISE = 0.1, 0.05


def _eta_for(r, act="tanh", teacher="tanh"):
    """η̃ with ``r = η̃ μ₁ μ₁*`` (large batch: c = 1, γ = 1)."""
    unit = spiked_parameters(act, teacher, 1.0, np.inf, second_layer="constant")
    assert unit.bulk_variance == pytest.approx(1.0) and unit.gamma == pytest.approx(1.0)
    return r / unit.r


def test_one_group_matches_k1_realized_exactly():
    eta = _eta_for(2.0)
    mine = srf_test_error_groups("tanh", "tanh", [(2.0, 1.0)], ALPHAS, RIDGE, noise=NOISE, seed=3, d=200)
    ref = srf_test_error("tanh", "tanh", eta, np.inf, ALPHAS, RIDGE, noise=NOISE, method="realized", seed=3,
                         d=200)
    np.testing.assert_allclose(mine, ref, rtol=1e-9)


def test_one_group_matches_k1_deterministic():
    eta = _eta_for(2.0)
    mine = srf_test_error_groups("tanh", "tanh", [(2.0, 1.0)], ALPHAS, RIDGE, noise=NOISE, seed=1, d=400)
    ref = srf_test_error("tanh", "tanh", eta, np.inf, ALPHAS, RIDGE, noise=NOISE)
    np.testing.assert_allclose(mine, ref, rtol=1e-2)


def test_width_ratio_one_group_matches_k1_realized():
    eta = _eta_for(1.0)
    mine = srf_test_error_groups("tanh", "tanh", [(1.0, 1.0)], [0.7, 3.0], 0.05, width_ratio=1.5, seed=5, d=120)
    ref = srf_test_error("tanh", "tanh", eta, np.inf, [0.7, 3.0], 0.05, width_ratio=1.5, method="realized",
                         seed=5, d=120)
    np.testing.assert_allclose(mine, ref, rtol=1e-9)


def test_group_invariances():
    one = srf_test_error_groups("tanh", "tanh", [(2.0, 1.0)], ALPHAS, RIDGE, noise=NOISE, seed=4, d=150)
    split = srf_test_error_groups("tanh", "tanh", [(2.0, 0.3), (2.0, 0.7)], ALPHAS, RIDGE, noise=NOISE, seed=4,
                                  d=150)
    mirrored = srf_test_error_groups("tanh", "tanh", [(2.0, 0.5), (-2.0, 0.5)], ALPHAS, RIDGE, noise=NOISE,
                                     seed=4, d=150)
    np.testing.assert_allclose(split, one, rtol=1e-9)
    np.testing.assert_allclose(mirrored, one, rtol=1e-9)  # σ odd: μ₁, μ⋆ even in r, the sign goes into m


@pytest.mark.parametrize("act, groups", [
    ("tanh", [(2.0, 0.5), (-2.0, 0.5)]),  # ā = ±1 after a large step (η̃ = 2/(μ₁μ₁*))
    ("relu", [(1.5, 0.5), (-1.5, 0.5)]),  # μ₁, μ⋆ differ between the groups at every κ
])
def test_groups_vs_simulation(act, groups):
    d = N = 400
    theory = srf_test_error_groups(act, "tanh", groups, ALPHAS, RIDGE, noise=NOISE, seed=0, d=d)
    for alpha, th in zip(ALPHAS, theory):
        n = int(alpha * d)

        def one(seed, n=n):
            s = simulate_spiked_features(act, n, d, N, groups=groups, gamma=1.0, teacher="tanh", noise=NOISE,
                                         seed=seed)
            return ridge_test_error(s, RIDGE, n_test=4000, seed=10_000 + seed, teacher="tanh", noise=NOISE)

        sim = average_over_seeds(one, range(6))
        # 3 standard errors of the seed average plus the O(1/N) bias of the N → ∞ equations: at finite N the
        # readout fits each group's mean direction 1_k with weights ~ m_k/(√N π_k) that also pick up the
        # x-dependent part of every feature, adding ≈ (1/N) Σ_k m_k² E_κ[μ₁,ₖ² + μ⋆,ₖ²]/π_k to the test error
        # [derived; measured d·Δ = 0.12–0.17 against 0.15 predicted for tanh ±2 (d = 100–800, paired seeds), 0.28
        # predicted for ReLU ±1.5, at most 0.48 over r = 1..3]. So the allowance is 0.5/d, not a fraction of ε_g.
        assert abs(sim.mean - th) < 3 * sim.stderr + 0.5 / d, (alpha, sim.mean, sim.stderr, th)


def test_full_output_and_shapes():
    res = srf_test_error_groups("relu", "tanh", [(1.0, 0.4), (-0.5, 0.6)], [1.0, 2.0], 0.1, seed=0, d=80,
                                full_output=True)
    assert isinstance(res, GroupsResult)
    assert res.test_error.shape == (2,) and res.theta.shape == (2, 2) and res.t.shape == (2, 6)
    assert np.all(res.converged) and np.all(res.residual < 1e-8)
    np.testing.assert_allclose(res.risk, res.test_error)  # noise = 0
    assert (res.N, res.d) == (80, 80)
    x = srf_test_error_groups("relu", "tanh", [(1.0, 0.4), (-0.5, 0.6)], 1.0, 0.1, seed=0, d=80)
    assert isinstance(x, float) and x == pytest.approx(res.test_error[0], rel=1e-9)
    W0 = np.random.default_rng(0).standard_normal((60, 50)) / np.sqrt(50)
    y = srf_test_error_groups("relu", "tanh", [(1.0, 1.0)], 1.0, 0.1, W0=W0, seed=1)
    assert np.isfinite(y) and y > 0


def test_validation():
    with pytest.raises(ValueError):
        srf_test_error_groups("tanh", "tanh", [(1.0, 0.5), (2.0, 0.6)], 1.0, 0.1, d=20)
    with pytest.raises(ValueError):
        srf_test_error_groups("tanh", "tanh", [], 1.0, 0.1, d=20)
    with pytest.raises(ValueError):
        srf_test_error_groups("tanh", "tanh", [(1.0, 1.0)], 0.0, 0.1, d=20)
    with pytest.raises(ValueError):
        srf_test_error_groups("tanh", "tanh", [(1.0, 1.0)], 1.0, -0.1, d=20)
    with pytest.raises(ValueError):
        srf_test_error_groups("tanh", "tanh", [(1.0, 1.0)], 1.0, 0.1, W0=np.ones((5, 5)), d=5)
    with pytest.raises(ValueError):
        srf_test_error_groups("tanh", "tanh", [(1.0, 1.0)], 1.0, 0.1, d=20, on_failure="sometimes")


# ---------------------------------------------------------------------- several groups at small spikes
# erf/erf, n₀/d = n/d = 4, N/d = 2, λ = 0.002, σ_ε² = 0.01 (the Ba22-type setting of the figures)
ERF_SETTING = {"alpha0": 4.0, "alpha": 4.0, "ridge": 0.002, "width_ratio": 2.0, "noise": 0.01}


def _erf_risk(eta, **kw):
    s = ERF_SETTING
    return float(srf_test_error("erf", "erf", eta, s["alpha0"], s["alpha"], s["ridge"], s["width_ratio"], s["noise"],
                                on_failure="raise", **kw)) - s["noise"]


def test_mean_channel_of_several_groups_has_no_roundoff_jump():
    # Groups with different |ā| have means μ₀(r ā_k κ) whose differences carry κ³, κ⁵, … with relative size
    # (rā)², (rā)⁴, …; in the N → ∞ equations the readout fits them freely (weights m_k), for every η̃ > 0.
    # The (θ, m) solve used to cut them by a least-squares rcond on the normal matrix, so the error jumped at a
    # step set by round-off (Gaussian ā, 8 nodes: 0.0998 → 0.0712 at η̃ ≈ 0.0135; 4 nodes: at η̃ ≈ 0.03).
    const = _erf_risk(0.01, second_layer="constant")
    # 4 nodes: two values of |ā|, the mean channel spans κ and κ³ -> the same error for every small step
    four = np.array([_erf_risk(eta, second_layer="gaussian", gaussian_nodes=4) for eta in (1e-3, 0.01, 0.02, 0.05)])
    assert np.ptp(four) < 2e-4, four                  # measured 5e-5 (the spikes' own O(η̃²) drift)
    assert np.all(four < const - 0.02), (four, const)  # κ³ of E[y|κ] is learned: 0.0712 against 0.0998
    # 8 nodes: κ⁷ is resolved in float64 only from η̃ ≈ 0.0135 on (a 6e-4 step, its share of the error)
    eight = np.array([_erf_risk(eta, second_layer="gaussian") for eta in (0.005, 0.01, 0.012, 0.015, 0.03)])
    assert np.ptp(eight) < 1e-3, eight
    # the realized solver (large batch) has the same (θ, m) system
    unit = spiked_parameters("erf", "erf", 1.0, np.inf, second_layer="gaussian", gaussian_nodes=4)
    realized = [srf_test_error_groups("erf", "erf", [(r * eta, p) for r, p in unit.groups], 4.0, 0.002, 2.0, 0.01,
                                      seed=0, d=100, on_failure="raise") for eta in (1e-3, 0.01, 0.1)]
    assert np.ptp(realized) < 5e-4, realized           # was 0.0956 at η̃ ≤ 0.01 and 0.0354 at η̃ = 0.1


def test_gaussian_layer_higher_harmonics_vs_simulation():
    # The κ³, κ⁵ part of the mean channel is real: at η̃ = 1 ridge on the 8-group sRF model (d = 400, 800, 1600:
    # 0.0708 ± 0.0013, 0.0647 ± 0.0007, 0.0635 ± 0.0007) goes to the formula, 0.0625, and away from the value
    # with the mean channel cut to its top direction (κ only), 0.0723. Its finite-N bias is positive (the
    # weights m_k ~ (rā)^-3 are learned only partly) and decays with d: measured 3.3/d, 1.8/d, 1.6/d; allowance 2.5/d.
    d, eta = 800, 1.0
    s = ERF_SETTING
    theory = _erf_risk(eta, second_layer="gaussian")
    p = spiked_parameters("erf", "erf", eta, s["alpha0"], noise=s["noise"], second_layer="gaussian")
    N, n = int(s["width_ratio"] * d), int(s["alpha"] * d)

    def one(seed):
        smp = simulate_spiked_features("erf", n, d, N, groups=p.groups, group_variances=p.group_variances,
                                       gamma=p.gamma, teacher="erf", noise=s["noise"], seed=seed)
        return ridge_test_error(smp, s["ridge"], n_test=4000, seed=10_000 + seed, teacher="erf", noise=s["noise"])

    sim = average_over_seeds(one, range(8))
    gap = sim.mean - s["noise"] - theory
    assert -3 * sim.stderr < gap < 3 * sim.stderr + 2.5 / d, (sim.mean, sim.stderr, theory)
