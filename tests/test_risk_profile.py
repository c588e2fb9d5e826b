"""Deterministic risk with several groups and a variance profile (rmt_spectra.risk.profile).

What is checked, and the tolerances:

* exact reductions (same equations, different code): one isotropic group is the
  sRF saddle point of ``srf_test_error`` (rtol 1e-9; measured 2e-14); splitting a
  group, a list second layer with one value and an odd student (``E σ'' = 0``: the
  network model *is* the surrogate) are exact invariances (rtol 1e-8);
* several groups at large batch against the realized solver ``srf_test_error_groups``
  (4 draws at d = 250): relative 5e-3 (measured ≤ 1.9e-3 with a standard error of 3e-4,
  the O(1/N) bias of a realized W₀; 1.4e-3 at d = 400);
* several groups at a finite batch (γ < 1, two group variances: the ψ channel) against
  direct simulations of the sRF surrogate with ±1 groups: ``3·stderr + 1.5 %`` as in
  ``test_risk_simulation.py`` (the slack is the O(1/d) bias at d = 400);
* the spectral measures of the spike and target directions in the step matrix against
  the realized matrix (8 draws at d = 800): ``3·stderr + 3 %`` (measured ≤ 1.5 stderr);
  the generic (delocalized) value is rejected by the same test;
* against ridge on the simulated network (slow): ``3·stderr + 1.5 %`` at d = 500 and
  1000, while the isotropic surrogate is rejected where its gap is 5 % (softplus/tanh).
"""
import math
import warnings

import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.risk import (average_over_seeds, fit_ridge, ridge_test_error, srf_test_error,
                              srf_test_error_groups)
from rmt_spectra.risk.profile import ProfileRiskResult, RowModel, profile_test_error, step_directions
from rmt_spectra.risk.srf import srf_test_error_from_parameters
from rmt_spectra.spiked import network_step, simulate_spiked_features
from rmt_spectra.spiked.parameters import spiked_parameters

ALPHAS = np.array([0.5, 1.0, 2.0])


# ---------------------------------------------------------------------- exact reductions
@pytest.mark.parametrize("act, teacher, r, c, gamma, beta, noise", [
    ("relu", "relu", 0.868, 1.19, 0.864, 1.0, 0.0),
    ("tanh", "tanh", 0.651, 1.077, 0.5635, 1.0, 0.05),
    ("tanh", "tanh", 0.651, 1.077, 0.5635, 2.0, 0.05),
    ("relu", "tanh", 1.3, 1.0, 1.0, 0.5, 0.1),
])
def test_one_isotropic_group_is_the_srf_saddle_point(act, teacher, r, c, gamma, beta, noise):
    ref = srf_test_error_from_parameters(act, teacher, r, c, gamma, ALPHAS, 0.1, beta, noise, full_output=True)
    mine = profile_test_error(act, teacher, RowModel.isotropic([(r, 1.0)], [c], gamma), ALPHAS, 0.1, beta, noise,
                              full_output=True)
    np.testing.assert_allclose(mine.test_error, ref.test_error, rtol=1e-9)
    np.testing.assert_allclose(mine.theta[:, 0], ref.order["theta"], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(mine.psi[:, 0], ref.order["psi"], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(mine.m[:, 0], ref.order["m"], rtol=1e-8, atol=1e-12)
    assert np.all(mine.converged) and np.all(mine.residual < 1e-10) and np.all(mine.iterations > 0)


def test_second_layer_invariances():
    base = srf_test_error("relu", "relu", 3.0, 4.0, ALPHAS, 0.1)
    one_value = srf_test_error("relu", "relu", 3.0, 4.0, ALPHAS, 0.1, second_layer=[(1.0, 1.0)])
    np.testing.assert_allclose(one_value, base, rtol=1e-9)
    p = spiked_parameters("relu", "relu", 3.0, 4.0)
    split = profile_test_error("relu", "relu", RowModel.isotropic([(p.r, 0.3), (p.r, 0.7)], [p.c, p.c], p.gamma),
                               ALPHAS, 0.1)
    np.testing.assert_allclose(split, base, rtol=1e-8)
    for sl in ("constant", "pm1"):  # odd student: no E σ'' term, the network model is the surrogate
        net = srf_test_error("tanh", "tanh", 2.0, 4.0, ALPHAS, 0.1, noise=0.1, second_layer=sl, model="network")
        sur = srf_test_error("tanh", "tanh", 2.0, 4.0, ALPHAS, 0.1, noise=0.1, second_layer=sl)
        np.testing.assert_allclose(net, sur, rtol=1e-8)


def test_several_groups_large_batch_match_the_realized_solver():
    for act, groups in [("tanh", [(2.0, 0.5), (-2.0, 0.5)]), ("relu", [(1.0, 0.3), (0.5, 0.3), (-1.0, 0.4)])]:
        det = profile_test_error(act, "tanh", RowModel.isotropic(groups, [1.0] * len(groups), 1.0), ALPHAS, 0.1,
                                 noise=0.05)
        real = np.mean([srf_test_error_groups(act, "tanh", groups, ALPHAS, 0.1, noise=0.05, seed=s, d=250)
                        for s in range(4)], axis=0)
        np.testing.assert_allclose(det, real, rtol=5e-3)


def test_pm1_surrogate_against_srf_simulation():
    # ReLU, ±1 second layer, n0/d = 4: two spikes ±r and two bulk variances c_k (0.55 and 2.46)
    p = spiked_parameters("relu", "relu", 3.0, 4.0, second_layer="pm1")
    assert abs(p.group_variances[0] - p.group_variances[1]) > 1.0 and p.gamma < 0.9
    alphas = [0.5, 2.0]
    theory = srf_test_error("relu", "relu", 3.0, 4.0, alphas, 0.1, second_layer="pm1")
    d = N = 400
    for a, th in zip(alphas, theory):
        n = int(a * d)

        def one(seed, n=n):
            s = simulate_spiked_features("relu", n, d, N, groups=p.groups, group_variances=p.group_variances,
                                         gamma=p.gamma, teacher="relu", seed=seed)
            return ridge_test_error(s, 0.1, n_test=4000, seed=10_000 + seed, teacher="relu")

        sim = average_over_seeds(one, range(6))
        assert abs(sim.mean - th) < 3 * sim.stderr + 0.015 * th, (a, sim.mean, sim.stderr, th)


# ---------------------------------------------------------------------- directions in the step matrix
@pytest.mark.parametrize("act, teacher, sl", [("relu", "relu", "pm1"), ("softplus", "tanh", "constant")])
def test_step_directions_against_realized_step_matrix(act, teacher, sl):
    d, n0, seeds = 800, 3200, 8
    step = network_step(act, teacher, 3.0, n0, d, second_layer=sl, N=d)
    sd = step_directions(step)
    dw, lam = sd["direction_weights"], sd["nodes"]
    np.testing.assert_allclose(dw.sum(axis=1), [1.0, 1.0, 0.0], atol=1e-10)   # exact totals
    tau = (1 + step.t[:, None] * lam[None, :]) ** 2 + step.c_rho[:, None]
    det = np.einsum("kj,uj->ku", tau, dw)            # u^T τ_k(M) u' for (ζ̂ζ̂, θ⊥θ⊥, ζ̂θ⊥)
    rng = np.random.default_rng(0)
    teach = rs.activation(teacher)
    emp = []
    for _ in range(seeds):
        theta = rng.standard_normal(d)
        theta /= np.linalg.norm(theta)
        X0 = rng.standard_normal((n0, d))
        r = teach(X0 @ theta) - step.residual.offset
        M = (X0.T * r) @ X0 / n0
        zeta = X0.T @ r / n0
        zh = zeta / np.linalg.norm(zeta)
        tp = theta - (zh @ theta) * zh
        tp /= np.linalg.norm(tp)
        Mz, Mt = M @ zh, M @ tp
        emp.append([[(zh + t * Mz) @ (zh + t * Mz) + c, (tp + t * Mt) @ (tp + t * Mt) + c, (zh + t * Mz) @ (tp + t * Mt)]
                    for t, c in zip(step.t, step.c_rho)])
    emp = np.array(emp)
    mean, se = emp.mean(axis=0), emp.std(axis=0, ddof=1) / math.sqrt(seeds)
    assert np.all(np.abs(det - mean) < 3 * se + 0.03 * np.abs(mean)), (det, mean, se)
    generic = step.variances  # the delocalized value s_k² along ζ̂ is rejected
    assert np.any(np.abs(generic - mean[:, 0]) > 3 * se[:, 0] + 0.03 * np.abs(mean[:, 0]))


def test_step_directions_generic_and_given():
    step = network_step("softplus", "tanh", 3.0, 4000, 1000, second_layer="constant", N=1000)
    generic = RowModel.from_step(step, directions="generic")
    np.testing.assert_allclose(generic.direction_weights[0], generic.lambda_weights)
    given = RowModel.from_step(step, directions="given", direction_weights=generic.direction_weights)
    e1 = profile_test_error("softplus", "tanh", generic, [1.0], 0.1)
    e2 = profile_test_error("softplus", "tanh", given, [1.0], 0.1)
    assert e1 == pytest.approx(e2, rel=1e-12)
    e3 = srf_test_error("softplus", "tanh", 3.0, 4.0, [1.0], 0.1, model="network", directions="generic", d=1000)
    assert e3 == pytest.approx(e1, rel=1e-12)
    structured = srf_test_error("softplus", "tanh", 3.0, 4.0, [1.0], 0.1, model="network", d=1000)
    # the placement of the directions is what moves the risk here: 0.2623 (network: 0.2617 ± 0.0015 at
    # d = 1000) against 0.2876 generic and 0.2755 for the isotropic surrogate
    assert structured < e1 - 0.02
    relu = step_directions(network_step("relu", "relu", 3.0, 4000, 1000, second_layer="constant", N=1000))
    assert relu["rayleigh"][0] == pytest.approx(0.3989, abs=0.01)   # θᵀMθ → E[r g²] = E[relu·He₂] = φ(0)


# ---------------------------------------------------------------------- API, validation, reporting
def test_full_output_and_gaussian_second_layer():
    res = srf_test_error("relu", "relu", 3.0, 4.0, ALPHAS, 0.1, second_layer="pm1", model="network",
                         full_output=True)
    assert isinstance(res, ProfileRiskResult)
    assert res.theta.shape == (3, 2) and res.psi.shape == (3, 2) and res.m.shape == (3, 2)
    assert np.all(res.converged) and np.all(res.residual < 1e-8)
    np.testing.assert_allclose(res.risk, res.test_error)
    x = srf_test_error("relu", "relu", 3.0, 4.0, 1.0, 0.1, second_layer="pm1", model="network")
    assert isinstance(x, float) and x == pytest.approx(res.test_error[1], rel=1e-10)
    # Gaussian second layer: Gauss–Hermite groups; 8 → 16 nodes moves the error by < 0.5 %
    g8 = srf_test_error("relu", "relu", 3.0, 4.0, ALPHAS, 0.1, second_layer="gaussian")
    g16 = srf_test_error("relu", "relu", 3.0, 4.0, ALPHAS, 0.1, second_layer="gaussian", gaussian_nodes=16)
    np.testing.assert_allclose(g8, g16, rtol=5e-3)


def test_validation():
    with pytest.raises(ValueError, match="model"):
        srf_test_error("relu", "relu", 3.0, 4.0, 1.0, 0.1, model="exact")
    with pytest.raises(ValueError, match="directions"):
        srf_test_error("relu", "relu", 3.0, 4.0, 1.0, 0.1, model="network", directions="random")
    with pytest.raises(ValueError, match="method"):
        srf_test_error("relu", "relu", 3.0, 4.0, 1.0, 0.1, second_layer="pm1", method="realized", d=50)
    with pytest.raises(ValueError, match="alpha0"):
        srf_test_error("relu", "relu", 3.0, np.inf, 1.0, 0.1, model="network")
    with pytest.raises(ValueError, match="second"):
        srf_test_error("relu", "relu", 3.0, 4.0, 1.0, 0.1, second_layer="uniform")
    with pytest.raises(ValueError, match="d and lambda_nodes"):
        srf_test_error("relu", "relu", 3.0, 4.0, 1.0, 0.1, second_layer="pm1", d=100)
    with pytest.raises(ValueError, match="ridge"):
        srf_test_error("relu", "relu", 3.0, 4.0, 1.0, -0.1, model="network")
    with pytest.raises(ValueError, match="alpha"):
        srf_test_error("relu", "relu", 3.0, 4.0, 0.0, 0.1, second_layer="pm1")
    with pytest.raises(ValueError, match="proportions"):
        RowModel(spikes=[1.0, 1.0], proportions=[0.5, 0.6], tau=np.ones((2, 1)), lambda_weights=[1.0], gamma=0.5,
                 direction_weights=np.array([[1.0], [1.0], [0.0]]))
    with pytest.raises(ValueError, match="tau"):
        RowModel.isotropic([(1.0, 1.0)], [-1.0], 0.5)
    with pytest.raises(ValueError, match="gamma"):
        RowModel.isotropic([(1.0, 1.0)], [1.0], 1.5)
    with pytest.raises(TypeError, match="RowModel"):
        profile_test_error("relu", "relu", {"spikes": [1.0]}, 1.0, 0.1)
    with pytest.raises(ValueError, match="on_failure"):
        profile_test_error("relu", "relu", RowModel.isotropic([(1.0, 1.0)], [1.0], 0.5), 1.0, 0.1, on_failure="x")


def test_non_convergence_is_reported(monkeypatch):
    import rmt_spectra.risk.profile as prof

    real = prof._solve_point

    def failing(*args, **kwargs):
        out = real(*args, **kwargs)
        out["converged"], out["resid"] = False, 1e-3
        return out

    monkeypatch.setattr(prof, "_solve_point", failing)
    rows = RowModel.isotropic([(1.0, 1.0)], [1.0], 0.5)
    with pytest.warns(RuntimeWarning, match="did not converge.*residual 1.00e-03"):
        profile_test_error("relu", "relu", rows, 1.0, 0.1)
    with pytest.raises(RuntimeError, match="did not converge"):
        profile_test_error("relu", "relu", rows, 1.0, 0.1, on_failure="raise")


# ---------------------------------------------------------------------- against the simulated network (slow)
def _network_ridge(act, teacher, eta, second_layer, d, seeds, alphas, ridge=0.1, n_test=10_000):
    """Ridge test error on one simulated network per seed (all ``n`` are nested subsets of its fresh data)."""
    out = np.zeros((len(seeds), len(alphas)))
    nmax = int(round(max(alphas) * d))
    for i, s in enumerate(seeds):
        res = rs.simulate_one_step(4 * d, nmax, d, d, activation=act, teacher=teacher, eta_tilde=eta,
                                   second_layer=second_layer, seed=s)
        sig, tch, W1, theta = res.params["activation"], res.params["teacher"], res.W1, res.theta
        F, y = sig(res.X @ W1.T), tch(res.X @ theta)
        Xt = np.random.default_rng(10_000 + s).standard_normal((n_test, d))
        Ft, yt = sig(Xt @ W1.T), tch(Xt @ theta)
        for j, a in enumerate(alphas):
            n = int(round(a * d))
            w = fit_ridge(F[:n], y[:n], ridge)
            out[i, j] = np.mean((yt - Ft @ w / math.sqrt(d)) ** 2)
    return out.mean(axis=0), out.std(axis=0, ddof=1) / math.sqrt(len(seeds))


@pytest.mark.slow
@pytest.mark.parametrize("act, teacher, sl, srf_rejected", [
    ("softplus", "tanh", "constant", True),   # surrogate 4–5 % off (0.013 at n = d/2)
    ("relu", "relu", "pm1", False),           # ±1: surrogate 5 % low, network 0.197/0.196/0.164 in the issue
])
def test_network_model_against_simulated_network(act, teacher, sl, srf_rejected):
    """``model="network"`` vs ridge on the simulated network at d = 500 (10 seeds) and 1000 (6 seeds).

    Tolerance ``3·stderr + 1.5 %`` (stderr 0.001–0.004); measured with 12–24 seeds at d = 500, 1000,
    2000: within 2.2 stderr at d = 2000 (the surrogate is off by 2–15 stderr).
    """
    alphas = [0.5, 1.0, 2.0]
    srf = srf_test_error(act, teacher, 3.0, 4.0, alphas, 0.1, second_layer=sl)
    rejected = []
    for d, seeds in ((500, range(10)), (1000, range(6))):
        net = srf_test_error(act, teacher, 3.0, 4.0, alphas, 0.1, second_layer=sl, model="network", d=d)
        mean, se = _network_ridge(act, teacher, 3.0, sl, d, seeds, alphas)
        assert np.all(np.abs(mean - net) < 3 * se + 0.015 * net), (d, mean, se, net)
        rejected.append(np.any(np.abs(mean - srf) > 3 * se + 0.015 * srf))
    if srf_rejected:
        assert all(rejected), "the isotropic surrogate should be off by more than the tolerance"


def test_ridge_test_error_warns_on_the_simulation_seed():
    """The same integer seed for the network and the test set replays W₀'s stream (error biased low)."""
    res = rs.simulate_one_step(200, 100, 50, 50, activation="relu", teacher="relu", eta_tilde=1.0,
                               second_layer="constant", seed=3)
    with pytest.warns(UserWarning, match="seed of the simulation"):
        ridge_test_error(res, 0.1, n_test=200, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ridge_test_error(res, 0.1, n_test=200, seed=10_003)


def test_unresolved_direction_measure_warns():
    """At n0 = d the density of the step matrix is singular at 0: 6 % of the direction mass is unresolved."""
    step = network_step("relu", "tanh", 2.0, 1000, 1000, second_layer="pm1", N=1000)
    with pytest.warns(RuntimeWarning, match="resolved only"):
        RowModel.from_step(step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RowModel.from_step(network_step("relu", "tanh", 2.0, 4000, 1000, second_layer="pm1", N=1000))
