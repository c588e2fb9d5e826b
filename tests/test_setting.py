"""rs.Setting: one specification, the same numbers as the functions it wraps, theory against simulation."""
import math

import numpy as np
import pytest

import rmt_spectra as rs


def test_learning_rate_conventions_agree():
    a = rs.Setting("relu", n0=2000, n=1000, d=500, N=400, eta_tilde=2.0)
    b = rs.Setting("relu", n0=2000, n=1000, d=500, N=400, eta=2.0 * math.sqrt(400))
    c = rs.Setting("relu", n0=2000, n=1000, d=500, N=400, eta_exponent=math.log(2.0 * 20) / math.log(2000))
    assert a.eta_tilde == b.eta_tilde == pytest.approx(c.eta_tilde, rel=1e-12)
    assert a.alpha0 == 4.0 and c.alpha == pytest.approx(math.log(40) / math.log(2000))
    with pytest.raises(ValueError, match="exactly one"):
        rs.Setting("relu", n0=2000, n=1000, d=500, N=400)
    with pytest.raises(ValueError, match="exactly one"):
        rs.Setting("relu", n0=2000, n=1000, d=500, N=400, eta=1.0, eta_tilde=1.0)
    with pytest.raises(ValueError, match="N"):
        rs.Setting("relu", n0=2000, n=1000, d=500, N=0, eta=1.0)
    with pytest.raises(ValueError, match="weights"):
        rs.Setting("relu", n0=2000, n=1000, d=500, N=400, eta=1.0, weights="uniform")


def test_same_numbers_as_the_functions():
    s = rs.Setting("relu", n0=2000, n=1000, d=500, N=500, eta_tilde=2.0, teacher="tanh", second_layer="pm1")
    sim = s.simulate(seed=3)
    ref = rs.simulate_one_step(2000, 1000, 500, 500, activation="relu", teacher="tanh", eta_tilde=2.0,
                               second_layer="pm1", seed=3)
    np.testing.assert_array_equal(sim.feature_spectrum().eigenvalues, ref.feature_spectrum().eigenvalues)
    z = np.array([0.5 + 0.2j, 2.0 + 1j])
    eq = s.equivalent()
    np.testing.assert_allclose(eq.stieltjes(z), rs.SpikedFeatures.from_one_step(
        "relu", "tanh", 2.0, 2000, 1000, 500, 500, second_layer="pm1").stieltjes(z), rtol=1e-12)
    np.testing.assert_allclose(s.conjugate_kernel().stieltjes(z),
                               rs.ConjugateKernel("relu", 1000, 500, 500).stieltjes(z), rtol=1e-12)
    poly = rs.Setting("relu", n0=1000, n=1000, d=500, N=500, eta_exponent=0.3)
    np.testing.assert_allclose([o.location for o in poly.polynomial_spikes().outliers()],
                               [o.location for o in rs.polynomial_spikes("relu", 0.3, 1000, 500, 500, n0=1000).outliers()],
                               rtol=1e-10)
    err = s.test_error([0.5, 2.0], 0.01)
    assert np.all(np.isfinite(err)) and np.all(err > 0)


def test_theory_against_simulation_from_one_specification():
    # the network equivalent vs the simulated network at d = 500 (ReLU/tanh, ±1, η̃ = 2): bulk KS ≈ 0.01
    s = rs.Setting("relu", n0=2000, n=1000, d=500, N=500, eta_tilde=2.0, teacher="tanh", second_layer="pm1")
    cmp = rs.compare(s.equivalent(), s.simulate(seed=0).feature_spectrum())
    assert cmp.ks < 0.03
