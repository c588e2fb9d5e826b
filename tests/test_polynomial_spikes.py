"""Polynomial spikes (η = n₀^α): predicted outliers of Σ̂ = FᵀF/n against the simulated network.

Settings of the issue: teacher tanh, d = N, n = n₀ = 2d, one step η = n₀^α on the first layer.
Finite-size error budget (d = 1000): a learned outlier moves about 5 % from seed to seed
(through ‖ζ‖², the step's batch), so the mean of four seeds carries a standard error of
about 2.5 %; the equivalent's own finite-size error for an O(1) outlier near the bulk is
a few per cent (σ = He₁ + He₂/2 + He₃/6: 6.5 % at d = 1000, 3 % at d = 4000 in the sRF
surrogate at fixed r). Hence 8 % per outlier, and for the bulk edge 3 % below / 8 % above
the largest non-outlier eigenvalue (a finite sample's top bulk eigenvalue sits below the
edge by O(N^{-2/3}) and its tail is thin).
"""
import math
import warnings

import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.spiked.polynomial import OUTLIER_MARGIN, hermite_directions, measure_polynomial_spikes

POLY = [-0.5, 0.5, 0.5, 1 / 6]  # He₁ + He₂/2 + He₃/6
POLY2 = [-1.0, 0.0, 1.0, 1 / 3]  # He₁ + He₂ + He₃/3


def _spikes(act, alpha, d, second_layer="pm1", **kw):
    return rs.polynomial_spikes(act, alpha, 2 * d, d, d, n0=2 * d, teacher="tanh", second_layer=second_layer, **kw)


# ------------------------------------------------------------------ API and validation
def test_exported_and_eta_alternative():
    ps = _spikes("relu", 0.30, 500)
    assert isinstance(ps, rs.PolynomialSpikes)
    same = rs.polynomial_spikes("relu", n=1000, d=500, N=500, n0=1000, eta=1000**0.30)
    assert abs(same.alpha - 0.30) < 1e-12
    np.testing.assert_allclose([o.location for o in same.outliers()], [o.location for o in ps.outliers()], rtol=1e-10)
    z = np.array([0.5 + 0.3j, 2.0 + 1j])
    np.testing.assert_allclose(ps.stieltjes(z), ps.bulk.stieltjes(z))
    assert ps.support == ps.bulk.support and ps.bulk_edge == ps.bulk.right_edge
    assert "PolynomialSpikes" in str(ps)


@pytest.mark.parametrize("kwargs, match", [
    (dict(alpha=0.5), "alpha"), (dict(alpha=-0.1), "alpha"), (dict(alpha=float("nan")), "alpha"),
    (dict(alpha=0.3, eta=2.0), "exactly one"), (dict(eta=-1.0), "eta"), (dict(alpha=0.3, noise=-1.0), "noise"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        rs.polynomial_spikes("relu", n=400, d=200, N=200, **kwargs)


def test_sizes_required():
    with pytest.raises(TypeError, match="sizes"):
        rs.polynomial_spikes("relu", 0.3)
    with pytest.raises(ValueError, match="N"):
        rs.polynomial_spikes("relu", 0.3, 400, 200, 0)


# ------------------------------------------------------------------ labels (mean merging)
def test_labels_and_mean_merging():
    # ReLU, ±1: the mean outlier and a learned degree-1 spike along ā
    src = [o.source for o in _spikes("relu", 0.30, 1000).outliers()]
    assert src == ["mean", "degree-1 spike"]
    # constant second layer: the learned direction ā = 1_N is the mean direction: they merge
    const = _spikes("relu", 0.30, 1000, second_layer="constant").outliers()
    assert [o.source for o in const] == ["mean"]
    # tanh (odd, μ₀ = 0): one learned spike, no mean
    assert [o.source for o in _spikes("tanh", 0.30, 1000).outliers()] == ["degree-1 spike"]
    # He₁ + He₂/2 + He₃/6, ±1: the degree-2 spike's neuron pattern ā² = 1_N is the mean direction
    poly = _spikes(POLY, 0.30, 1000).outliers()
    assert [o.source for o in poly] == ["degree-1 spike", "mean"]
    shares = poly[1].info["hermite_shares"]
    assert shares[2] > 0.3 and shares[0] > 0.2  # the merged outlier carries the He₂(κ) spike
    assert poly[0].info["hermite_shares"][1] > 0.5


def test_breakdown_is_flagged():
    with pytest.warns(UserWarning, match="higher-degree part"):
        ps = _spikes(POLY2, 0.36, 1000)
    assert not ps.valid and "c_rho" in ps.reason
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _spikes(POLY, 0.35, 1000).valid and _spikes("relu", 0.35, 1000).valid
        # the large-step regime of a ReLU student (verified for the network equivalent: η̃ ≤ 4, n₀/d ≥ 4)
        assert rs.polynomial_spikes("relu", n=2000, d=1000, N=1000, n0=4000, eta=3.0 * 1000**0.5).valid
    with pytest.warns(UserWarning, match="small batches"):
        assert not rs.polynomial_spikes("relu", n=2000, d=1000, N=1000, n0=2000, eta=3.0 * 1000**0.5).valid


def test_hermite_basis_is_orthogonal():
    rng = np.random.default_rng(0)
    n, d = 20000, 50
    X, zeta = rng.standard_normal((n, d)), rng.standard_normal(d)
    H = hermite_directions(X, zeta, (0, 1, 2, 3))
    G = H.T @ H
    # the cosines are sums of n products of mean zero: standard error √(Σ_μ H_μj² H_μk²) (≈ 0.007–0.04,
    # the He₂·He₃ products are heavy-tailed); the raw powers have cos(h³, h) → 3/√15 ≈ 0.77
    se = np.sqrt((H**2).T @ (H**2))
    off = ~np.eye(4, dtype=bool)
    assert np.all(np.abs(G[off]) < 4 * se[off]) and se.max() < 0.06
    h = X @ zeta
    assert abs(h**3 @ h / np.linalg.norm(h**3) / np.linalg.norm(h) - 3 / math.sqrt(15)) < 0.05


# ------------------------------------------------------------------ against the simulated network
CASES = [("relu", "pm1", 0.30), ("relu", "constant", 0.30), ("relu", "gaussian", 0.30), ("relu", "pm1", 0.35),
         ("tanh", "pm1", 0.30), (POLY, "pm1", 0.30), (POLY, "pm1", 0.35)]


def _measure(act, second_layer, alpha, d, seeds):
    ps = _spikes(act, alpha, d, second_layer)
    eig, top, above = [], [], []
    for seed in range(seeds):
        res = rs.simulate_one_step(2 * d, 2 * d, d, d, activation=act, teacher="tanh", eta_exponent=alpha,
                                   second_layer=second_layer, seed=seed)
        m = measure_polynomial_spikes(res, ps)
        eig.append(m["eigenvalues"])
        top.append(m["top_bulk"])
        above.append(m["n_above"])
    return ps, np.mean(eig, axis=0), float(np.mean(top)), above


@pytest.mark.slow
@pytest.mark.parametrize("act, second_layer, alpha", CASES, ids=lambda v: str(v)[:12])
def test_outliers_match_the_network(act, second_layer, alpha):
    ps, eig, top, above = _measure(act, second_layer, alpha, 1000, 4)
    pred = ps.outliers()
    edge = ps.bulk_edge
    n_pred = sum(o.location > OUTLIER_MARGIN * edge for o in pred)
    assert all(a == n_pred for a in above), (above, n_pred)
    for j, o in enumerate(pred):
        if o.location > OUTLIER_MARGIN * edge:
            assert abs(o.location - eig[j]) < 0.08 * eig[j], (o.source, o.location, eig[j])
    assert -0.03 * top < edge - top < 0.08 * top, (edge, top)


@pytest.mark.slow
@pytest.mark.parametrize("act", ["relu", POLY], ids=["relu", "poly"])
def test_errors_shrink_with_size(act):
    # same α = 0.30, d = 500 (4 seeds) and d = 2000 (2 seeds): the largest relative error over the
    # predicted outliers above the margin and the bulk edge shrinks
    errs = []
    for d, seeds in ((500, 4), (2000, 2)):
        ps, eig, top, _ = _measure(act, "pm1", 0.30, d, seeds)
        e = [abs(o.location - eig[j]) / eig[j] for j, o in enumerate(ps.outliers())
             if o.location > OUTLIER_MARGIN * ps.bulk_edge]
        errs.append(max(e + [abs(ps.bulk_edge - top) / top]))
    assert errs[1] < errs[0], errs


@pytest.mark.slow
def test_thresholds_are_consistent():
    ps = _spikes("relu", 0.30, 1000)
    thr = ps.thresholds(tol=5e-3)
    assert thr["mean"] is None  # ReLU: present at initialization
    a1 = thr["degree-1 spike"]
    assert 0.0 < a1 < 0.30
    below = _spikes("relu", a1 - 0.01, 1000).outliers()
    above = _spikes("relu", a1 + 0.01, 1000).outliers()
    assert "degree-1 spike" not in [o.source for o in below]
    assert "degree-1 spike" in [o.source for o in above]
    assert ps.outliers()[1].info["threshold_alpha"] == a1


def test_figure_smoke(tmp_path):
    import importlib.util
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "paper_figures" / "mon23_spikes.py"
    spec = importlib.util.spec_from_file_location("mon23_spikes", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--smoke", "--out", str(tmp_path)]) == 0
    for ext in ("png", "pdf", "json", "txt"):
        assert (tmp_path / f"mon23_spikes.{ext}").stat().st_size > 0
    data = json.loads((tmp_path / "mon23_spikes.json").read_text())
    relu = data["data"]["cases"]["relu"][0]
    assert {"alpha", "bulk_edge", "predicted", "measured_top", "alignment", "valid"} <= set(relu)
    # ReLU's mean outlier (N μ₀² ≈ 32 at N = 200) is predicted and measured within 5 %
    assert relu["predicted"][0]["source"] == "mean"
    assert abs(relu["predicted"][0]["location"] - relu["measured_top"][0]) < 0.05 * relu["measured_top"][0]
    assert data["data"]["cases"]["tanh"][0]["alignment"]["1"] > 0.5


def test_row_norm_variance_matches_the_step():
    # ‖w_i'⊥‖² (orthogonal to ζ̂) across the neurons of one group, after regressing out b_i = ⟨w_i, ζ̂⟩:
    # residual variance = row_norm_variance, slope = norm_b_coupling (σ = He₁ + He₂/2 + He₃/6, ±1,
    # η̃ = 0.4, d = N = 1000, n₀ = 2000). A variance over 500 neurons has a relative standard error
    # √(2/500) ≈ 6 %, three seeds 4 %: 15 % bands; the slope's seed-to-seed sd is ≈ 0.1 (0.06 for 3 seeds).
    d = 1000
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model = rs.SpikedFeatures.from_one_step(POLY, "tanh", 0.4, 2 * d, 2 * d, d, d, second_layer="pm1")
    var, slope = [], []
    for seed in range(3):
        res = rs.simulate_one_step(2 * d, 2 * d, d, d, activation=POLY, teacher="tanh", eta_tilde=0.4,
                                   second_layer="pm1", seed=seed)
        W0, W1 = np.asarray(res.W0), np.asarray(res.W1)
        zeta = np.asarray(res.zeta) / np.linalg.norm(res.zeta)
        group = np.asarray(res.a) > 0
        b, along = W0 @ zeta, W1 @ zeta
        vperp = np.sum(W1**2, axis=1) - along**2
        A = np.stack([np.ones(group.sum()), b[group]], axis=1)
        coef = np.linalg.lstsq(A, vperp[group], rcond=None)[0]
        var.append(np.var(vperp[group] - A @ coef))
        slope.append(coef[1])
    k = int(np.argmax(model.step.a_values))
    assert abs(np.mean(var) - model.row_norm_variance[k]) < 0.15 * model.row_norm_variance[k]
    assert abs(np.mean(slope) - model.norm_b_coupling[k]) < 0.2
