"""Profile risk equations for a wide layer (N > d) at n > N (rmt_spectra.risk.profile_point).

There the atom at 0 of Ω = c W₀ΠW₀ᵀ (mass 1 − d/N) makes the bulk q ≈ (1 − d/N)/(c⋆ − z) large at
z = −λ/α, and the Im-z ladder of ``solve_upper`` could end on a spurious real root (q < 0, δ < 0):
the point came back NaN ("non-physical test error"). With an odd σ and ā = ±1 the sign goes into m,
so the ±1 second layer (two groups, profile solver) must give the constant-second-layer error (one
group, the sRF saddle-point solver) — measured to agree to ~1e-9 over this grid.
"""
import warnings

import numpy as np
import pytest

import rmt_spectra as rs

ALPHAS = [2.0, 3.0, 4.0, 8.0]


@pytest.mark.parametrize("width_ratio", [1.2, 1.5, 2.0, 3.0])
def test_pm1_equals_constant_for_odd_activation_wide_layer(width_ratio):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)   # a NaN point warns
        const = rs.srf_test_error("erf", "erf", 0.5, 4.0, ALPHAS, 0.01, width_ratio, 0.01, second_layer="constant")
        pm1 = rs.srf_test_error("erf", "erf", 0.5, 4.0, ALPHAS, 0.01, width_ratio, 0.01, second_layer="pm1",
                                on_failure="raise")
    assert np.all(np.isfinite(pm1))
    np.testing.assert_allclose(pm1, const, rtol=1e-6)


def test_gaussian_second_layer_wide_layer_is_finite_and_converged():
    res = rs.srf_test_error("erf", "erf", 0.1, 4.0, [2.0, 4.0], 0.002, 2.0, 0.01, second_layer="gaussian",
                            full_output=True, on_failure="raise")
    assert np.all(res.converged) and np.all(np.isfinite(res.test_error))
    assert np.all(res.test_error > 0.01)                # above the label noise
    assert np.all(res.residual < 1e-8)
