"""One-step simulator: Ba22 Prop. 2 checks, the rank-one outlier of W1, conventions, validation.

Reference numbers measured for the one-step simulator (tanh student and teacher,
d = 1000, N = 800, n0 = 2000, sigma_eps = 0.1, i.e. noise variance 0.01).
Tolerances: ||zeta||^2 is an average of n0 = 2000 terms, so its relative
fluctuation is ~ sqrt(2 d)/n0 ~ 2 %; singular values of N x d Gaussian
matrices fluctuate by ~ d^{-2/3} ~ 1 % at the edge (Tracy-Widom), less for an
outlier (~ d^{-1/2} ~ 3 %, here times the derivative of the outlier map < 1).
"""
import math

import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.simulation import (
    OneStepResult,
    eta_from_exponent,
    eta_from_tilde,
    exponent_from_eta,
    simulate_one_step,
    sweep,
    tilde_from_eta,
)

REF = dict(n0=2000, n=2000, d=1000, N=800, noise=0.01)


@pytest.fixture(scope="module")
def ref4():
    return simulate_one_step(**REF, eta=4.0, seed=0)


def test_prop2_reference_numbers(ref4):
    dg = ref4.diagnostics()
    # ||G0 - A||/||G0|| ~ 0.05 (note); measured 0.045 at seed 0
    assert 0.02 < dg["grad_rank_one_rel_error"] < 0.08
    # sqrt(N)||G0|| ~ 0.455 and equals |mu1| ||zeta|| ||a|| up to the rank-one error (5 %)
    assert dg["grad_norm_scaled"] == pytest.approx(0.455, abs=0.02)
    assert dg["grad_norm_scaled"] == pytest.approx(dg["grad_norm_scaled_pred"], rel=0.03)
    # ||zeta|| ~ 0.75 and its formula (2 % fluctuation, see module docstring)
    assert dg["zeta_norm"] == pytest.approx(0.75, abs=0.02)
    assert dg["zeta_norm"] == pytest.approx(dg["zeta_norm_pred"], rel=0.03)
    assert dg["zeta_norm_pred"] == pytest.approx(0.7543, abs=1e-3)
    # <u,theta>^2 -> mu1*^2/||zeta||^2: O(sqrt(d)/n0 + 1/sqrt(n0)) ~ 3 % absolute
    assert dg["alignment"] == pytest.approx(dg["alignment_pred"], abs=0.04)


def test_prop2_error_shrinks_with_n():
    """Proportional scaling x8 in n0: the bound log^2 n0/sqrt n0 drops by ~0.64; we see ~0.45."""
    small = [simulate_one_step(400, 10, 200, 160, noise=0.01, seed=s).diagnostics()["grad_rank_one_rel_error"]
             for s in range(3)]
    big = simulate_one_step(3200, 10, 1600, 1280, noise=0.01, seed=0).diagnostics()["grad_rank_one_rel_error"]
    assert big < 0.75 * min(small)


def test_w1_outlier_above_threshold_matches_formula(ref4):
    dg = ref4.diagnostics()
    assert dg["spike_strength"] > dg["outlier_threshold"]
    assert dg["has_outlier_pred"] and dg["has_outlier_measured"]
    assert dg["outlier_pred"] == pytest.approx(2.3, abs=0.05)
    assert dg["W1_top_sv"] == pytest.approx(dg["outlier_pred"], rel=0.03)
    # second singular value back at the bulk edge 1 + sqrt(0.8) = 1.894 (TW ~ 1 %)
    assert dg["bulk_edge"] == pytest.approx(1.894, abs=1e-3)
    assert dg["W1_second_sv"] == pytest.approx(dg["bulk_edge"], rel=0.02)
    # overlaps of the top singular vectors (rank-one formula; ~ 5 % at this size)
    assert dg["overlap_left"] == pytest.approx(dg["overlap_left_pred"], abs=0.07)
    assert dg["overlap_right"] == pytest.approx(dg["overlap_right_pred"], abs=0.07)
    top = ref4.weight_singular_values(k=3)
    assert top[0] == pytest.approx(dg["W1_top_sv"], rel=1e-8)


@pytest.mark.parametrize("eta", [1.0, 2.0])
def test_w1_no_outlier_below_threshold(eta):
    dg = simulate_one_step(**REF, eta=eta, seed=0).diagnostics()
    assert not dg["has_outlier_pred"]
    assert not dg["has_outlier_measured"]
    assert dg["W1_top_sv"] == pytest.approx(1.894, rel=0.02)


def test_gradient_matches_finite_differences():
    """G0 = -dL/dW with L = (1/2n0) sum (f - y)^2: central differences on a tiny problem."""
    r = simulate_one_step(7, 3, 4, 5, activation="tanh", teacher="relu", noise=0.1, eta=0.0, seed=3)
    X0, y, W0, a = r.X0, r.y, r.W0, r.a
    act = rs.activation("tanh")

    def loss(W):
        f = act(X0 @ W.T) @ a / math.sqrt(W.shape[0])
        return 0.5 * np.mean((f - y) ** 2)

    h = 1e-6
    grad = np.zeros_like(W0)
    for i in range(W0.shape[0]):
        for j in range(W0.shape[1]):
            E = np.zeros_like(W0)
            E[i, j] = h
            grad[i, j] = (loss(W0 + E) - loss(W0 - E)) / (2 * h)
    np.testing.assert_allclose(r.G0, -grad, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(r.W1, W0)  # eta = 0
    np.testing.assert_allclose(r.zeta, X0.T @ y / 7)
    np.testing.assert_allclose(r.u, r.zeta / np.linalg.norm(r.zeta))
    np.testing.assert_allclose(r.outputs0, rs.simulation.network_output(X0, W0, a, "tanh"))


def test_update_and_features_definitions():
    r = simulate_one_step(30, 20, 12, 10, eta=2.5, seed=1, activation="relu")
    np.testing.assert_allclose(r.W1, r.W0 + 2.5 * math.sqrt(10) * r.G0, rtol=1e-12)
    np.testing.assert_allclose(r.F, np.maximum(r.X @ r.W1.T, 0), rtol=1e-12)
    np.testing.assert_allclose(r.F0, np.maximum(r.X @ r.W0.T, 0), rtol=1e-12)
    mu1 = rs.hermite_coefficients("relu", 1)[1]
    np.testing.assert_allclose(r.A, mu1 / (30 * math.sqrt(10)) * np.outer(r.a, r.X0.T @ r.y), rtol=1e-12)
    assert r.F.shape == (20, 10)


@pytest.mark.parametrize("n,N", [(40, 25), (25, 40)])
def test_feature_spectrum_both_routes(n, N):
    r = simulate_one_step(30, n, 15, N, seed=2)
    spec = r.feature_spectrum()
    assert isinstance(spec, rs.EmpiricalSpectrum)
    assert spec.matrix_label == "F^T F / n"
    assert spec.size == N
    direct = np.linalg.eigvalsh(r.F.T @ r.F / n)
    np.testing.assert_allclose(spec.eigenvalues, np.sort(direct), atol=1e-10)
    if N > n:
        assert np.count_nonzero(spec.eigenvalues == 0.0) == N - n


def test_fresh_false_reuses_batch():
    r = simulate_one_step(50, 50, 20, 30, fresh=False, seed=4)
    np.testing.assert_array_equal(r.X, r.X0)
    with pytest.raises(ValueError, match="n must equal n0"):
        simulate_one_step(50, 40, 20, 30, fresh=False)


def test_same_seed_identical_and_draw_order():
    r1 = simulate_one_step(60, 40, 20, 30, seed=7, eta=3.0)
    r2 = simulate_one_step(60, 40, 20, 30, seed=7, eta=3.0)
    for name in ("W0", "W1", "a", "theta", "G0", "zeta", "X0", "X", "y", "F"):
        np.testing.assert_array_equal(getattr(r1, name), getattr(r2, name))
    np.testing.assert_array_equal(r1.feature_spectrum().eigenvalues, r2.feature_spectrum().eigenvalues)
    r3 = simulate_one_step(60, 40, 20, 30, seed=8, eta=3.0)
    assert not np.array_equal(r1.W0, r3.W0)
    # the draws do not depend on eta or the noise level (fixed order, noise always drawn)
    r4 = simulate_one_step(60, 40, 20, 30, seed=7, eta=1.0, noise=0.5)
    np.testing.assert_array_equal(r1.W0, r4.W0)
    np.testing.assert_array_equal(r1.X, r4.X)
    # a Generator works as seed
    r5 = simulate_one_step(60, 40, 20, 30, seed=np.random.default_rng(7), eta=3.0)
    np.testing.assert_array_equal(r1.W1, r5.W1)


def test_float32_close_to_float64():
    r64 = simulate_one_step(200, 150, 100, 80, eta=3.0, seed=5)
    r32 = simulate_one_step(200, 150, 100, 80, eta=3.0, seed=5, dtype="float32")
    assert r32.raw("F").dtype == np.float32
    np.testing.assert_allclose(r32.F, r64.F, atol=1e-4)
    np.testing.assert_allclose(r32.feature_spectrum().eigenvalues, r64.feature_spectrum().eigenvalues, atol=1e-4)


@pytest.mark.parametrize("weights", ["gaussian", "sphere"])
@pytest.mark.parametrize("second_layer", ["gaussian", "constant", "pm1", [(1.0, 0.25), (-2.0, 0.5), (3.0, 0.25)]])
def test_laws(weights, second_layer):
    r = simulate_one_step(300, 50, 100, 120, weights=weights, second_layer=second_layer, seed=0)
    a = r.a * math.sqrt(120)
    if weights == "sphere":
        np.testing.assert_allclose(np.linalg.norm(r.W0, axis=1), 1.0, rtol=1e-12)
    if second_layer == "constant":
        np.testing.assert_allclose(a, 1.0)
    elif second_layer == "pm1":
        assert set(np.round(np.unique(a), 12)) <= {-1.0, 1.0} and 30 < np.sum(a > 0) < 90
    elif isinstance(second_layer, list):
        assert set(np.round(np.unique(a), 12)) <= {1.0, -2.0, 3.0}
    dg = r.diagnostics()
    assert dg["a_norm_pred"] == pytest.approx({"gaussian": 1.0, "constant": 1.0, "pm1": 1.0}.get(
        second_layer if isinstance(second_layer, str) else "", math.sqrt(0.25 + 2 + 2.25)))
    assert np.isfinite(dg["grad_rank_one_rel_error"])


def test_sphere_weights_same_outlier_law():
    """Sphere rows are N(0,I/d) rows normalized: the rank-one prediction holds too (3 %)."""
    dg = simulate_one_step(**REF, eta=4.0, weights="sphere", seed=1).diagnostics()
    assert dg["W1_top_sv"] == pytest.approx(dg["outlier_pred"], rel=0.03)


def test_learning_rate_conventions():
    assert eta_from_tilde(3.0, 400) == pytest.approx(60.0)
    assert tilde_from_eta(60.0, 400) == pytest.approx(3.0)
    assert eta_from_exponent(0.5, 400) == pytest.approx(20.0)
    assert exponent_from_eta(20.0, 400) == pytest.approx(0.5)
    r1 = simulate_one_step(40, 10, 20, 16, eta=eta_from_tilde(0.5, 16), seed=0)
    r2 = simulate_one_step(40, 10, 20, 16, eta_tilde=0.5, seed=0)
    r3 = simulate_one_step(40, 10, 20, 16, eta_exponent=math.log(2.0) / math.log(40), seed=0)
    assert r1.eta == r2.eta == pytest.approx(2.0)
    assert r3.eta == pytest.approx(2.0)
    np.testing.assert_allclose(r1.W1, r2.W1)
    np.testing.assert_allclose(r1.W1, r3.W1)
    with pytest.raises(ValueError, match="mutually exclusive"):
        simulate_one_step(40, 10, 20, 16, eta=2.0, eta_tilde=0.5)
    with pytest.raises(ValueError, match="at most one"):
        simulate_one_step(40, 10, 20, 16, eta_tilde=0.5, eta_exponent=0.2)


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(n0=0), ValueError, "n0"),
    (dict(n0=-3), ValueError, "n0"),
    (dict(n0=2.5), TypeError, "n0"),
    (dict(d=0), ValueError, "d"),
    (dict(N=True), TypeError, "N"),
    (dict(eta=-1.0), ValueError, "eta"),
    (dict(eta=float("nan")), ValueError, "eta"),
    (dict(noise=-0.1), ValueError, "noise"),
    (dict(weights="uniform"), ValueError, "weights"),
    (dict(second_layer="rademacher"), ValueError, "second_layer"),
    (dict(second_layer=[(1.0, 0.5), (-1.0, 0.4)]), ValueError, "sum to 1"),
    (dict(second_layer=[(1.0, 1.5), (-1.0, -0.5)]), ValueError, "probability"),
    (dict(second_layer=[]), ValueError, "empty"),
    (dict(second_layer=[(1.0,)]), TypeError, "pair"),
    (dict(second_layer=3), TypeError, "second_layer"),
    (dict(activation="swish"), ValueError, "activation"),
    (dict(teacher=object()), TypeError, "activation"),
    (dict(dtype="float16"), ValueError, "dtype"),
    (dict(backend="jax"), ValueError, "backend"),
    (dict(seed=-1), ValueError, "seed"),
    (dict(fresh="yes"), TypeError, "fresh"),
    (dict(eta_exponent="big"), TypeError, "alpha"),
])
def test_bad_input(kwargs, exc, match):
    base = dict(n0=20, n=10, d=8, N=6)
    base.update(kwargs)
    with pytest.raises(exc, match=match):
        simulate_one_step(**base)


def test_summary_and_repr(ref4):
    text = str(ref4)
    assert "|G0 - A| / |G0|" in text and "W1 top sing. value" in text and "outlier" in text
    assert "OneStepResult" in repr(ref4)
    assert isinstance(ref4, OneStepResult)


def test_sweep_table():
    table = sweep({"eta": [0.5, 4.0], "weights": ["gaussian", "sphere"]}, seeds=2, n0=200, n=50, d=100, N=80,
                  progress=False, extra=lambda r: {"top_eig": r.feature_spectrum().largest(1)[0]})
    assert len(table) == 8
    assert {"eta", "weights", "seed", "grad_rank_one_rel_error", "outlier_pred", "top_eig", "seconds"} <= set(table.columns)
    np.testing.assert_array_equal(table.column("eta"), [0.5] * 4 + [4.0] * 4)
    arr = table.to_numpy()
    assert arr.shape == (8,) and arr["eta"].dtype == np.float64 and arr["weights"][2] == "sphere"
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pandas"):
            table.to_pandas()
    else:
        assert table.to_pandas().shape[0] == 8
    with pytest.raises(ValueError, match="seed"):
        sweep({"seed": [1]}, n0=10, n=10, d=5, N=5, progress=False)
    with pytest.raises(ValueError, match="both"):
        sweep({"eta": [1.0]}, eta=2.0, n0=10, n=10, d=5, N=5, progress=False)


@pytest.mark.parametrize("N, d", [(500, 2000), (2000, 500)])
def test_rank_one_overlaps_on_the_right_sides(N, d):
    """Benaych-Georges–Nadakuditi overlaps of ``W₀ + ϑ a uᵀ``: the N-side (a) and d-side (u) formulas differ by
    0.14 (c = 1/4) and 0.23 (c = 4) at ϑ = 2, so swapping them fails; the simulation's spread over 3 seeds is
    ≤ 0.03 at these sizes (fluctuations O(1/√min(N, d)) ≈ 0.045 for one seed, averaged over 3)."""
    from rmt_spectra.simulation.spikes import rank_one_outlier

    th, c = 2.0, N / d
    left, right = [], []
    for seed in range(3):
        rng = np.random.default_rng(seed)
        W = rng.standard_normal((N, d)) / np.sqrt(d)
        a, u = rng.standard_normal(N), rng.standard_normal(d)
        a, u = a / np.linalg.norm(a), u / np.linalg.norm(u)
        U, s, Vt = np.linalg.svd(W + th * np.outer(a, u), full_matrices=False)
        left.append(np.dot(U[:, 0], a) ** 2)
        right.append(np.dot(Vt[0], u) ** 2)
    pred = rank_one_outlier(th, c)
    assert abs(pred.overlap_left - pred.overlap_right) > 0.1  # the test can tell the sides apart
    assert np.mean(left) == pytest.approx(pred.overlap_left, abs=0.04)
    assert np.mean(right) == pytest.approx(pred.overlap_right, abs=0.04)
