"""The one-step → sRF map against the note's reference values, and the surrogate's draws."""
import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.spiked import simulate_spiked_features, spiked_parameters


@pytest.mark.parametrize(
    "teacher,eta_tilde,alpha0,expected",
    [
        ("tanh", 1.0, 0.5, (0.6511, 1.0769, 0.5635)),
        ("tanh", 3.0, 20.0, (1.1298, 1.0173, 0.9742)),
        ("sin", 3.0, 20.0, (1.1341, 1.0190, 0.9719)),
    ],
)
def test_reference_values_of_the_note(teacher, eta_tilde, alpha0, expected):
    p = spiked_parameters("tanh", teacher, eta_tilde, alpha0)
    # the note gives 4 decimals
    np.testing.assert_allclose([p.r, p.bulk_variance, p.gamma], expected, atol=6e-5)


def test_limits():
    p0 = spiked_parameters("tanh", "tanh", 2.0, 0.0)
    assert (p0.r, p0.c, p0.gamma) == (0.0, 1.0, 0.0)
    pinf = spiked_parameters("tanh", "tanh", 2.0, np.inf)
    mu1 = rs.hermite_coefficients("tanh", 1)[1]
    assert pinf.c == 1.0 and pinf.gamma == pytest.approx(1.0)
    assert pinf.r == pytest.approx(2.0 * mu1 * mu1)
    # large but finite alpha0 approaches the limit at rate 1/alpha0
    p = spiked_parameters("tanh", "tanh", 2.0, 1e6)
    assert abs(p.r - pinf.r) < 1e-5 and abs(p.c - 1) < 1e-5


def test_groups_and_noise():
    p = spiked_parameters("tanh", "tanh", 1.0, 1.0, second_layer="pm1")
    assert p.groups == ((-p.r, 0.5), (p.r, 0.5))
    noisy = spiked_parameters("tanh", "tanh", 1.0, 1.0, noise=0.1)
    assert noisy.c > p.c and noisy.gamma < p.gamma
    with pytest.raises(ValueError, match="second_layer"):
        spiked_parameters("tanh", "tanh", 1.0, 1.0, second_layer="gaussian")
    with pytest.raises(ValueError, match="alpha0"):
        spiked_parameters("tanh", "tanh", 1.0, -1.0)
    with pytest.raises(ValueError, match="eta_tilde"):
        spiked_parameters("tanh", "tanh", -1.0, 1.0)


def test_surrogate_draws():
    s = simulate_spiked_features("tanh", 300, 200, 101, groups=[(2.0, 0.5), (-2.0, 0.5)], gamma=0.3, teacher="tanh", seed=4)
    assert s.F.shape == (300, 101)
    assert s.theta @ s.vhat == pytest.approx(0.3)
    assert sorted(np.unique(s.u)) == [-2.0, 2.0] and abs(np.sum(s.u > 0) - 50.5) <= 0.5
    again = simulate_spiked_features("tanh", 300, 200, 101, groups=[(2.0, 0.5), (-2.0, 0.5)], gamma=0.3, teacher="tanh", seed=4)
    np.testing.assert_array_equal(s.F, again.F)
    assert s.feature_spectrum().size == 101
    with pytest.raises(ValueError, match="exactly one"):
        simulate_spiked_features("tanh", 10, 10, 10)
    with pytest.raises(ValueError, match="gamma"):
        simulate_spiked_features("tanh", 10, 10, 10, spike=1.0, gamma=2.0)
