"""The low-memory step draws the same numbers as simulate_one_step and gives the same features."""
import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.simulation.streaming import simulate_step_features


@pytest.mark.parametrize("second_layer, act", [("gaussian", "tanh"), ("pm1", "relu"), ("constant", "erf")])
def test_same_features_as_the_full_simulation(second_layer, act):
    kw = dict(activation=act, teacher="tanh", noise=0.04, second_layer=second_layer, seed=3, eta_tilde=2.0)
    full = rs.simulate_one_step(300, 200, 60, 80, **kw)
    lean = simulate_step_features(300, 200, 60, 80, dtype="float64", chunk_rows=37, **kw)   # chunks not dividing n
    np.testing.assert_allclose(lean.W1, full.W1, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(lean.zeta, full.zeta, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(lean.F, full.F, rtol=1e-9, atol=1e-11)
    assert lean.params["eta"] == full.params["eta"]


def test_float32_features_and_their_spectrum():
    lean = simulate_step_features(400, 300, 100, 150, activation="relu", teacher="relu", second_layer="constant",
                                  seed=0, eta_tilde=1.0)
    assert lean.raw("F").dtype == np.float32 and lean.F.shape == (300, 150)
    exact = lean.feature_spectrum("exact")
    sp = lean.feature_spectrum(n_probes=6, degree=60, seed=0)
    assert sp.top[0] == pytest.approx(exact.eigenvalues[-1], rel=1e-5)      # float32 products
    with pytest.raises(ValueError, match="name"):
        lean.raw("X")


def test_torch_backend_matches_numpy():
    pytest.importorskip("torch")
    kw = dict(activation="tanh", teacher="tanh", second_layer="pm1", seed=1, eta_tilde=1.5, dtype="float64")
    a = simulate_step_features(120, 90, 40, 50, **kw)
    b = simulate_step_features(120, 90, 40, 50, backend="torch:cpu", **kw)
    np.testing.assert_allclose(b.F, a.F, rtol=1e-10, atol=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match="n0"):
        simulate_step_features(0, 10, 5, 5)
    with pytest.raises(ValueError, match="chunk_rows"):
        simulate_step_features(10, 10, 5, 5, chunk_rows=0)
