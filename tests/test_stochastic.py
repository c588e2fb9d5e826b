"""Matrix-free spectra (SLQ, KPM) against exact eigenvalues, and their error bars."""
import math

import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.stochastic import GramOperator, block_lanczos, gauss_quadrature, rademacher_probes
from rmt_spectra.stochastic.spectrum import _count_outliers


def _features(n, N, d, activation=np.tanh, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    W = rng.standard_normal((N, d)) / math.sqrt(d)
    return activation(X @ W.T)


def _exact_cdf(eig, x):
    return np.searchsorted(np.sort(eig), x, side="right") / eig.size


# ---------------------------------------------------------------- the operator
def test_gram_operator_is_FtF_over_n_in_any_chunking():
    F = _features(70, 40, 30)
    V = np.random.default_rng(1).standard_normal((40, 3))
    dense = F.T @ F / 70
    for chunk in (1, 7, 70, 1000):
        np.testing.assert_allclose(GramOperator(F, chunk_rows=chunk).matmat(V), dense @ V, rtol=1e-12, atol=1e-13)
    op = GramOperator(F)
    np.testing.assert_allclose(op.matvec(V[:, 0]), dense @ V[:, 0], rtol=1e-12)
    assert op.matvecs == 1
    np.testing.assert_allclose(GramOperator.from_matmat(lambda X: dense @ X, 40).dense(), dense, atol=1e-13)


def test_companion_is_FFt_over_n_without_a_copy():
    rng = np.random.default_rng(5)
    F = rng.standard_normal((150, 400))
    op = GramOperator(F, chunk_rows=37)
    comp = op.companion()
    V = rng.standard_normal((150, 3))
    assert comp.size == 150 and comp.F is F  # shares F: memory stays nN
    np.testing.assert_allclose(comp.matmat(V), F @ (F.T @ V) / 150, rtol=1e-12, atol=1e-12)
    assert comp.matvecs == 3 and op.matvecs == 0
    with pytest.raises(ValueError, match="companion"):
        comp.companion()


def test_gram_operator_torch_matches_numpy():
    torch = pytest.importorskip("torch")
    F = _features(60, 30, 20)
    V = np.random.default_rng(2).standard_normal((30, 2))
    out = GramOperator(torch.as_tensor(F), chunk_rows=16).matmat(V)
    np.testing.assert_allclose(out, F.T @ F @ V / 60, rtol=1e-12)


# ---------------------------------------------------------------- Lanczos / Gauss quadrature
def test_gauss_quadrature_is_exact_for_polynomials_below_degree_2k():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((60, 60))
    A = (A + A.T) / 2
    V = rademacher_probes(60, 2, rng)
    k = 6
    lz = block_lanczos(lambda X: A @ X, V, k)
    assert lz.orthogonality < 1e-12
    nodes, weights = gauss_quadrature(lz)
    for i in range(2):
        v = V[:, i]
        for j in range(2 * k):
            exact = v @ np.linalg.matrix_power(A, j) @ v
            assert np.sum(weights[i] * nodes[i] ** j) == pytest.approx(exact, rel=1e-9, abs=1e-9 * 5.0**j)


def test_full_lanczos_recovers_the_spectral_measure_of_the_probe():
    rng = np.random.default_rng(4)
    A = rng.standard_normal((25, 25))
    A = A @ A.T / 25
    lam, U = np.linalg.eigh(A)
    V = rademacher_probes(25, 1, rng)
    nodes, weights = gauss_quadrature(block_lanczos(lambda X: A @ X, V, 25))
    np.testing.assert_allclose(nodes[0], lam, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(weights[0], (U.T @ V[:, 0]) ** 2, atol=1e-9)


def test_breakdown_on_an_invariant_subspace_is_exact():
    A = np.diag([1.0, 2.0, 3.0, 4.0])
    v = np.array([[1.0], [1.0], [0.0], [0.0]]) / math.sqrt(2)
    lz = block_lanczos(lambda X: A @ X, v, 4)
    assert lz.steps[0] == 2
    nodes, weights = gauss_quadrature(lz)
    np.testing.assert_allclose(nodes[0], [1.0, 2.0], atol=1e-12)
    np.testing.assert_allclose(weights[0], [0.5, 0.5], atol=1e-12)


# ---------------------------------------------------------------- the spectrum against exact eigenvalues
@pytest.fixture(scope="module")
def relu_features():
    F = _features(2400, 1200, 800, activation=lambda x: np.maximum(x, 0.0), seed=5)
    return F, np.linalg.eigvalsh(F.T @ F / F.shape[0])


def test_outliers_are_found_deflated_and_exact(relu_features):
    F, eig = relu_features
    sp = rs.stochastic_spectrum(F, n_probes=4, degree=80, seed=0)
    assert sp.n_outliers == 1                               # the ReLU mean outlier, ~N μ₀² = 191
    assert sp.top[0] == pytest.approx(eig[-1], rel=1e-9)
    assert sp.outliers()[0].location == pytest.approx(eig[-1], rel=1e-9)
    assert np.all(sp.info["top_residuals"] < 1e-6 * eig[-1])
    assert sp.moment(0) == pytest.approx(1.0, abs=1e-12)
    # the outlier carries mass 1/N exactly, the bulk the rest
    assert sp.cdf(eig[-2] * 1.5) == pytest.approx(1 - 1 / 1200, abs=1e-12)


@pytest.mark.parametrize("method", ["slq", "kpm"])
def test_cdf_close_to_the_eigenvalues_with_honest_bands(relu_features, method):
    """KS of the probe average: per probe the cdf error is a bridge of variance ≈ 2F(1−F)/N, so with
    p probes its sup is ≈ 2√(0.5/(pN)) = 0.0091 (N = 1200, p = 12), plus the quadrature's O(1/degree)."""
    F, eig = relu_features
    sp = rs.stochastic_spectrum(F, method=method, n_probes=12, degree=100, seed=1)
    x = np.linspace(0, eig[-2] * 1.05, 1500)
    exact = _exact_cdf(eig, x)
    ks = np.max(np.abs(sp.cdf(x) - exact))
    assert ks < 0.02
    lo, hi = sp.cdf_band(x)
    assert np.mean((exact >= lo) & (exact <= hi)) >= 0.95
    # the density integrates to the bulk mass
    xs = np.linspace(-0.01, eig[-2] * 1.1, 6000)
    assert np.trapezoid(sp.pdf(xs), xs) == pytest.approx(1 - 1 / 1200, abs=0.02)


def test_stieltjes_and_moments_within_their_standard_errors(relu_features):
    F, eig = relu_features
    sp = rs.stochastic_spectrum(F, n_probes=16, degree=60, seed=2)
    z = np.array([0.5 + 0.3j, 1.0 + 0.1j, 2.0 + 0.5j, -1.0 + 0j])
    m, se = sp.stieltjes(z, return_se=True)
    exact = np.mean(1.0 / (eig[:, None] - z[None, :]), axis=0)
    assert np.all(np.abs(m - exact) <= 4 * se + 1e-10)
    assert np.all(np.imag(m[:3]) > 0)
    for k in (1, 2):
        mk, sek = sp.moment(k, return_se=True)
        assert abs(mk - np.mean(eig**k)) <= 4 * sek + 1e-10


def test_null_space_is_an_atom():
    F = _features(300, 600, 200, seed=6)         # N > n: FᵀF/n has N − n zero eigenvalues
    sp = rs.stochastic_spectrum(F, n_probes=8, degree=60, seed=0, n_top=0)
    assert sp.atoms and sp.atoms[0][0] == 0.0
    assert sp.zero_mass == pytest.approx(0.5, abs=3 * math.sqrt(2 * 0.25 / 600 / 8))
    assert sp.cdf(-1e-9) == 0.0 and sp.cdf(0.0) == pytest.approx(sp.zero_mass)


def test_same_seed_same_numbers_and_one_probe_warns():
    F = _features(200, 100, 80, seed=7)
    a = rs.stochastic_spectrum(F, n_probes=3, degree=20, seed=11)
    b = rs.stochastic_spectrum(F, n_probes=3, degree=20, seed=11)
    x = np.linspace(0, 3, 50)
    np.testing.assert_array_equal(a.cdf(x), b.cdf(x))
    with pytest.warns(UserWarning, match="one probe"):
        rs.stochastic_spectrum(F, n_probes=1, degree=20, seed=0)


def test_compare_reports_errors_with_uncertainty():
    ck = rs.ConjugateKernel("relu", n=2400, d=800, N=1200)
    F = _features(2400, 1200, 800, activation=lambda x: np.maximum(x, 0.0), seed=8)
    exact = rs.compare(ck, np.linalg.eigvalsh(F.T @ F / 2400))
    stoch = rs.compare(ck, rs.stochastic_spectrum(F, n_probes=12, degree=100, seed=0))
    assert stoch.method == "slq" and np.isfinite(stoch.ks_se)
    assert abs(stoch.ks - exact.ks) <= 4 * stoch.ks_se + 0.01
    assert stoch.outliers[0].measured == pytest.approx(exact.outliers[0].measured, rel=1e-9)
    assert "±" in str(stoch)


def test_one_step_feature_spectrum_methods():
    res = rs.simulate_one_step(800, 600, 300, 300, activation="tanh", eta_tilde=2.0, second_layer="pm1", seed=0)
    exact = res.feature_spectrum()
    sp = res.feature_spectrum("slq", n_probes=6, degree=60, seed=0)
    assert sp.top[0] == pytest.approx(exact.eigenvalues[-1], rel=1e-8)
    x = np.linspace(0, exact.eigenvalues[-2], 400)
    assert np.max(np.abs(sp.cdf(x) - exact.cdf(x))) < 0.05
    with pytest.raises(ValueError, match="method"):
        res.feature_spectrum("dense")
    with pytest.raises(TypeError, match="stochastic"):
        res.feature_spectrum(n_probes=3)


def test_outlier_gap_rule():
    assert _count_outliers(np.array([500.0, 3.0, 2.99, 2.98, 2.97, 2.96]), 8.0) == 1
    assert _count_outliers(np.array([500.0, 400.0, 3.0, 2.99, 2.98, 2.97, 2.96, 2.95]), 8.0) == 2
    assert _count_outliers(np.array([3.05, 3.0, 2.99, 2.98, 2.97, 2.96]), 8.0) == 0


@pytest.mark.parametrize("kwargs, match", [(dict(method="lanczos"), "method"), (dict(n_probes=0), "n_probes"),
                                           (dict(degree=1), "degree"), (dict(backend="jax"), "backend"),
                                           (dict(confidence=1.0), "confidence"), (dict(outlier_gap=-1), "outlier_gap")])
def test_bad_input(kwargs, match):
    F = _features(50, 30, 20)
    with pytest.raises(ValueError, match=match):
        rs.stochastic_spectrum(F, **kwargs)


def test_bad_source():
    with pytest.raises(TypeError, match="source"):
        rs.stochastic_spectrum("features")
    with pytest.raises(ValueError, match="F must"):
        rs.stochastic_spectrum(np.full((5, 4), np.nan))
