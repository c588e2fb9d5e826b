"""Rank-one predictions for W1, the raw-power scaling of [Mon23], and OneStepResult.polynomial_spikes.

Fast tests use d = N = 600, n = n0 = 1200 (Gaussian second layer, the simulator's default).
The outlier locations themselves are tested against the network in tests/test_polynomial_spikes.py.
"""
import math

import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.simulation import (
    bulk_edge_estimate,
    rank_one_outlier,
    raw_power_spikes,
    simulate_one_step,
    spike_levels,
    spike_strength,
    zeta_norm_prediction,
)
from rmt_spectra.simulation.spikes import extrapolate_bulk_edge, top_singular

POLY = [-0.5, 0.5, 0.5, 1 / 6]  # He1 + He2/2 + He3/6 in the monomial basis


def test_poly_activation_is_the_hermite_combination():
    np.testing.assert_allclose(rs.hermite_coefficients(POLY, 4), [0, 1, 1, 1, 0], atol=1e-12)


@pytest.mark.parametrize("alpha,ell", [(0.0, 1), (0.1, 1), (0.24, 1), (0.25, 1), (0.26, 2), (0.30, 2),
                                       (0.333, 2), (0.34, 3), (0.36, 3), (0.38, 4), (0.49, 49)])
def test_spike_levels(alpha, ell):
    assert spike_levels(alpha) == ell


def test_spike_levels_rejects_blow_up():
    with pytest.raises(ValueError, match="alpha"):
        spike_levels(0.5)


def test_rank_one_formula():
    c = 0.8
    at = rank_one_outlier(c**0.25 * (1 + 1e-9), c)
    assert at.has_outlier and at.location == pytest.approx(1 + math.sqrt(c), rel=1e-6)
    below = rank_one_outlier(0.9, c)
    assert not below.has_outlier and math.isnan(below.location) and below.outliers() == []
    big = rank_one_outlier(1.828, c)
    assert big.location == pytest.approx(math.sqrt((1 + 1.828**2) * (c + 1.828**2)) / 1.828)
    assert big.outliers()[0].location == big.location
    assert spike_strength(4.0, 0.6057, 0.7543, 1.0) == pytest.approx(1.8275, abs=1e-3)
    with pytest.raises(ValueError, match="c"):
        rank_one_outlier(1.0, 0.0)


def test_zeta_norm_prediction_reference():
    # tanh teacher, n0/d = 2, sigma_eps^2 = 0.01: 0.7543 (earlier estimate ~0.75)
    assert zeta_norm_prediction("tanh", 2000, 1000, 0.01) == pytest.approx(0.7543, abs=2e-4)
    # a non-centred teacher adds mu0*^2 to the numerator
    mu0 = rs.gaussian_moments("relu").mu0
    m = rs.gaussian_moments("relu")
    expected = math.sqrt(m.mu1**2 + (mu0**2 + m.mu1**2 + m.mu_star**2) / 2)
    assert zeta_norm_prediction("relu", 2000, 1000) == pytest.approx(expected, rel=1e-10)


def test_raw_power_sizes_and_levels():
    n = d = N = 1000
    pred = raw_power_spikes(POLY, 0.30, n, d, N, zeta_norm=0.75)
    assert pred.ell == 2 and pred.count == 2
    eta = n**0.30
    for s in pred.spikes:  # the note's formula for Gaussian a
        k = s["k"]
        note = math.sqrt(n) * (eta * 0.75) ** k / math.factorial(k) * math.prod(range(1, 2 * k, 2)) * N ** ((1 - k) / 2)
        assert s["size"] == pytest.approx(note, rel=1e-10)
        assert s["eigenvalue"] == pytest.approx(s["size"] ** 2 / n)
    assert raw_power_spikes("tanh", 0.30, n, d, N).count == 1  # mu2 = 0: no quadratic spike
    assert raw_power_spikes(POLY, 0.20, n, d, N).count == 1
    assert raw_power_spikes(POLY, 0.36, n, d, N).count == 3
    relu = raw_power_spikes("relu", 0.30, n, d, N)
    assert relu.count == 2 and relu.mean_spike and relu.spikes[0]["k"] == 0
    const = raw_power_spikes(POLY, 0.30, n, d, N, zeta_norm=0.75, second_layer="constant")
    assert const.spikes[1]["size"] == pytest.approx(pred.spikes[1]["size"] / math.sqrt(3), rel=1e-10)
    assert "k=2" in str(pred) and all(o.location > 0 for o in pred.outliers())
    with pytest.raises(ValueError, match="exactly one"):
        raw_power_spikes(POLY, 0.3, n, d, N, eta=2.0)


def test_bulk_edge_of_f0():
    """The top singular value of F0 (tanh, no mean spike) against √(n λ₊) of the conjugate kernel.

    The largest eigenvalue of a finite sample sits below the edge λ₊ by the Tracy–Widom scale
    λ₊ O(N^{-2/3}) ≈ 1.4 % at N = 600 (0.7 % in singular value), with fluctuations of the same order:
    measured 0.6–1.4 % below over three seeds, so the band is 3 % below and 0.5 % above. The
    quadrature-sum heuristic ``bulk_edge_estimate`` is only an upper bound (45 % above).
    """
    edge = math.sqrt(1200 * rs.ConjugateKernel("tanh", 1200, 600, 600).support[-1][1])
    est = bulk_edge_estimate("tanh", 1200, 600, 600)
    for seed in range(3):
        measured = top_singular(simulate_one_step(600, 1200, 600, 600, seed=seed).F0, 1)[0]
        assert 0.97 * edge < measured < 1.005 * edge, (seed, measured, edge)
        assert measured < est


def test_extrapolated_edge_on_marchenko_pastur():
    law = rs.MarchenkoPastur(0.5)
    emp = law.sample(800, seed=3)
    assert extrapolate_bulk_edge(emp.eigenvalues) == pytest.approx(law.support[0][1], rel=0.02)


@pytest.fixture(scope="module")
def poly030():
    return simulate_one_step(1200, 1200, 600, 600, activation=POLY, eta_exponent=0.30, seed=1)


def _by_source(out):
    return {o.source: o for o in out["measured"]["outliers"]}


def test_two_spikes_for_quadratic_activation(poly030):
    # Gaussian second layer: the degree-2 pattern ā² is not 1_N, so the He₂ spike stays apart from the mean
    out = poly030.polynomial_spikes()
    pred, meas = out["prediction"], out["measured"]
    rec = _by_source(out)
    assert list(rec) == ["degree-1 spike", "degree-2 spike"]
    # the eigenvectors in the orthogonal Hermite basis He_k(Xζ/‖ζ‖)
    assert meas["best_index"][1] == 0 and rec["degree-1 spike"].info["alignment"] > 0.95
    assert meas["best_index"][2] == 1 and rec["degree-2 spike"].info["alignment"] > 0.4
    for o in rec.values():  # locations: within 10 % at d = 600 (one seed; 8 % at d = 1000 over four)
        assert abs(o.location - o.info["measured"]) < 0.10 * o.info["measured"]
    assert pred.levels == 2


def test_one_spike_for_tanh_between_quarter_and_third():
    r = simulate_one_step(1200, 1200, 600, 600, activation="tanh", eta_exponent=0.30, seed=1)
    out = r.polynomial_spikes()
    (o,) = out["measured"]["outliers"]
    assert o.source == "degree-1 spike" and o.info["alignment"] > 0.95
    assert abs(o.location - o.info["measured"]) < 0.05 * o.info["measured"]
    assert out["measured"]["n_above"] == out["measured"]["n_predicted_above"] == 1


def test_relu_mean_spike_reported():
    r = simulate_one_step(1200, 1200, 600, 600, activation="relu", eta_exponent=0.30, seed=1)
    out = r.polynomial_spikes()
    rec = _by_source(out)
    assert list(rec) == ["mean", "degree-1 spike"]
    assert rec["mean"].info["alignment"] > 0.99 and out["measured"]["best_index"][0] == 0  # along 1_n
    assert rec["degree-1 spike"].info["alignment"] > 0.9
    for o in rec.values():
        assert abs(o.location - o.info["measured"]) < 0.05 * o.info["measured"]


@pytest.mark.slow
def test_reference_size_alignments():
    """d = N = 1500, n = 3000, α = 0.30, σ = He₁ + He₂/2 + He₃/6 (Gaussian second layer): the top
    eigenvector aligns with He₁(κ) (about 0.95) and the second with He₂(κ)."""
    r = simulate_one_step(3000, 3000, 1500, 1500, activation=POLY, eta_exponent=0.30, seed=1)
    out = r.polynomial_spikes()
    meas = out["measured"]
    assert [o.source for o in meas["outliers"]][:2] == ["degree-1 spike", "degree-2 spike"]
    assert meas["alignment"][0, 1] == pytest.approx(0.95, abs=0.04)
    assert meas["best_index"][1] == 0 and meas["best_index"][2] == 1
    assert meas["alignment"][1, 2] > 0.5
