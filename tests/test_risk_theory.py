"""Theory side of the generalization error: sRF saddle point, r = 0, kernel bound, τ*."""
import math
import warnings

import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.risk import (
    gaussian_equivalent_ridge_risk,
    kernel_lower_bound,
    random_features_risk,
    saddle_point_residual,
    srf_test_error,
    srf_test_error_from_parameters,
    tau_star,
)
from rmt_spectra.risk.saddle_point import kappa_table, mp_spectral_table, solve_saddle_point


def test_anchor_theory_converges_tightly():
    res = srf_test_error("tanh", "tanh", 1.0, 0.5, [0.5, 1.0, 2.0], 0.01, full_output=True)
    assert res.converged.all()
    assert np.all(res.residual < 1e-10)
    # (r, c, γ) of docs/theory/spiked_features.md
    assert res.spike == pytest.approx(0.6511, abs=1e-4)
    assert res.bulk_variance == pytest.approx(1.0769, abs=1e-4)
    assert res.gamma == pytest.approx(0.5635, abs=1e-4)
    # our deterministic values (the simulation tests check them against the sRF model);
    # the note's 0.295, 0.288, 0.176 agree within its stated precision at α = 1, 2 and within 1.5 % at α = 0.5
    np.testing.assert_allclose(res.test_error, [0.29943, 0.28716, 0.17466], atol=2e-5)
    np.testing.assert_allclose(res.test_error, [0.295, 0.288, 0.176], rtol=0.02)


@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_quadrature_converged(act):
    alphas = [0.3, 1.0, 3.0]
    a = srf_test_error(act, act, 1.0, 0.5, alphas, 0.01)
    b = srf_test_error(act, act, 1.0, 0.5, alphas, 0.01, n_kappa=241, n_spectral=2400)
    np.testing.assert_allclose(a, b, rtol=1e-8)


def test_residual_vanishes_and_warm_start_order_independent():
    alphas = np.array([2.0, 0.4, 1.0, 5.0])
    res = srf_test_error("erf", "tanh", 2.0, 1.0, alphas, 0.05, width_ratio=1.5, noise=0.1, full_output=True)
    singles = [srf_test_error("erf", "tanh", 2.0, 1.0, a, 0.05, width_ratio=1.5, noise=0.1) for a in alphas]
    np.testing.assert_allclose(res.test_error, singles, rtol=1e-9)
    np.testing.assert_allclose(res.risk, res.test_error - 0.1)
    # the residual function itself vanishes at the solution
    kt = kappa_table("tanh", "tanh", 0.6511, 1.0769, 0.5635)
    st = mp_spectral_table(1.0, 1.0769)
    sol = solve_saddle_point(0.7, 0.01, kt, st)
    assert np.max(np.abs(saddle_point_residual(sol.x, 0.7, 0.01, kt, st))) < 1e-10
    # and does not vanish elsewhere
    assert np.max(np.abs(saddle_point_residual(sol.x * 1.01, 0.7, 0.01, kt, st))) > 1e-4


@pytest.mark.parametrize("width_ratio", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("acts", [("tanh", "erf"), ("erf", "tanh")])
def test_r0_equals_classical_random_features_risk(width_ratio, acts):
    # independent route: the classical (Dobriban–Wager / Hastie et al.) ridge deterministic equivalent
    # applied to the Gaussian-equivalent features; both are exact functions of the MP law, so they
    # must agree to round-off, not just to a statistical tolerance.
    for alpha in (0.3, 1.0, 4.0):
        for ridge in (1e-3, 0.1):
            sRF = random_features_risk(acts[0], acts[1], alpha, ridge, width_ratio, noise=0.05)
            classical = gaussian_equivalent_ridge_risk(acts[0], acts[1], alpha, ridge, width_ratio, noise=0.05)
            assert sRF == pytest.approx(classical, rel=1e-9, abs=1e-12)


def test_r0_random_features_risk_is_srf_at_r0():
    a = random_features_risk("relu", "tanh", [0.5, 2.0], 0.01, 1.0, noise=0.0)
    b = srf_test_error("relu", "tanh", 0.0, 0.0, [0.5, 2.0], 0.01)
    np.testing.assert_allclose(a, b, rtol=1e-12)
    c = srf_test_error_from_parameters("relu", "tanh", 0.0, 1.0, 0.0, [0.5, 2.0], 0.01)
    np.testing.assert_allclose(a, c, rtol=1e-12)
    # risk at init never goes below the kernel bound (Ba22 Prop. 1)
    assert np.all(a > kernel_lower_bound("tanh"))


def test_kernel_lower_bound_values():
    # note: erf 0.04015; tanh 0.027415 (an earlier table printed 0.027418, wrong in the 6th digit)
    assert kernel_lower_bound("erf") == pytest.approx((2 / math.pi) * math.asin(2 / 3) - 4 / (3 * math.pi), abs=1e-13)
    assert round(kernel_lower_bound("erf"), 5) == 0.04015
    assert kernel_lower_bound("tanh") == pytest.approx(0.0274153, abs=5e-8)
    assert kernel_lower_bound("tanh") == pytest.approx(kernel_lower_bound("tanh", method="mpmath"), abs=1e-12)
    assert kernel_lower_bound("tanh", noise=0.01) == pytest.approx(kernel_lower_bound("tanh") + 0.01)


def test_tau_star_values():
    tau, kappa = tau_star("erf", "erf")
    assert tau < 1e-14
    assert kappa == pytest.approx(math.sqrt(3), abs=1e-7)
    tau, kappa = tau_star("tanh", "tanh")
    assert tau == pytest.approx(9.45e-5, rel=2e-3)
    assert kappa == pytest.approx(1.588, abs=1e-3)
    assert tau < kernel_lower_bound("tanh")


def test_realized_method_close_to_deterministic():
    det = srf_test_error("tanh", "tanh", 1.0, 0.5, [1.0, 2.0], 0.01)
    W0 = np.random.default_rng(0).standard_normal((400, 400)) / math.sqrt(400)
    real = srf_test_error("tanh", "tanh", 1.0, 0.5, [1.0, 2.0], 0.01, method="realized", W0=W0, seed=1)
    # quadratic forms in the random directions v̂, ζ fluctuate by O(1/√N) ≈ 5 % at N = 400
    np.testing.assert_allclose(real, det, rtol=0.1)
    again = srf_test_error("tanh", "tanh", 1.0, 0.5, [1.0, 2.0], 0.01, method="realized", d=400, seed=0)
    assert np.all(np.isfinite(again))


def test_not_converged_warns_and_raises():
    with pytest.warns(RuntimeWarning, match="did not converge"):
        srf_test_error("tanh", "tanh", 1.0, 0.5, 1.0, 0.01, max_iter=1)
    with pytest.raises(RuntimeError, match="did not converge"):
        srf_test_error("tanh", "tanh", 1.0, 0.5, 1.0, 0.01, max_iter=1, on_failure="raise")


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(alpha=-1.0), ValueError, "alpha"),
    (dict(alpha=[[1.0]]), ValueError, "alpha"),
    (dict(ridge=0.0), ValueError, "ridge"),
    (dict(ridge="x"), TypeError, "ridge"),
    (dict(width_ratio=0.0), ValueError, "width_ratio"),
    (dict(noise=-0.1), ValueError, "noise"),
    (dict(method="exact"), ValueError, "method"),
    (dict(eta_tilde=-1.0), ValueError, "eta_tilde"),
    (dict(alpha0=-1.0), ValueError, "alpha0"),
    (dict(method="realized"), ValueError, "W0"),
    (dict(on_failure="sometimes"), ValueError, "on_failure"),
])
def test_bad_input(kwargs, exc, match):
    args = dict(activation="tanh", teacher="tanh", eta_tilde=1.0, alpha0=0.5, alpha=1.0, ridge=0.01)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        srf_test_error(**args)


def test_bad_input_other_functions():
    with pytest.raises(ValueError, match="gamma"):
        srf_test_error_from_parameters("tanh", "tanh", 1.0, 1.0, 1.5, 1.0, 0.1)
    with pytest.raises(ValueError, match="noise"):
        kernel_lower_bound("tanh", noise=-1)
    with pytest.raises(ValueError, match="mu0"):
        gaussian_equivalent_ridge_risk("relu", "tanh", 1.0, 0.1)
    with pytest.raises(ValueError, match="kappa_max"):
        tau_star("erf", "erf", kappa_max=0)


@pytest.mark.parametrize("act, teacher, eta_tilde, alpha0", [("relu", "relu", 2.0, float("inf")),
                                                             ("tanh", "tanh", 1.0, 0.5), ("relu", "tanh", 3.0, 2.0)])
def test_risk_is_stable_under_node_doubling(act, teacher, eta_tilde, alpha0):
    # one κ rule (the spiked model's, panel form for a kinked teacher at γ = 1): 121, 242 and 401 nodes
    # agree to 1e-8; plain Gauss–Hermite drifted by 3 % (ReLU, α₀ = ∞) and gave NaN at 401 nodes
    vals = [rs.srf_test_error(act, teacher, eta_tilde=eta_tilde, alpha0=alpha0, alpha=[0.5, 2.0], ridge=0.01,
                              n_kappa=nk) for nk in (121, 242, 401)]
    assert np.all(np.isfinite(vals))
    np.testing.assert_allclose(vals[1], vals[0], rtol=1e-8)
    np.testing.assert_allclose(vals[2], vals[0], rtol=1e-8)


def test_tau_star_searches_both_signs_of_kappa():
    # σ odd: μ₀(−κz) = −μ₀(κz), so the teacher −σ* has the mirror minimum at −κ* (it used to stop at κ = 0)
    tau, kappa = tau_star("tanh", "tanh")
    tau_m, kappa_m = tau_star("tanh", lambda z: -np.tanh(z))
    assert tau_m == pytest.approx(tau, rel=1e-9, abs=1e-14)
    assert kappa_m == pytest.approx(-kappa, rel=1e-9)
    assert tau_m < 1e-3 < tau_star("tanh", lambda z: -np.tanh(z), kappa_max=1e-3)[0]
