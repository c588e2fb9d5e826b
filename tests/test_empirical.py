"""EmpiricalSpectrum and compare() against independent routes (scipy.stats, direct sums)."""
import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

import rmt_spectra as rs


@pytest.fixture(scope="module")
def wishart():
    law = rs.MarchenkoPastur(0.5)
    return law, law.sample(400, seed=11)


def test_stieltjes_is_the_mean_resolvent_trace(wishart):
    _, emp = wishart
    rng = np.random.default_rng(0)
    z = rng.normal(size=7) + 1j * rng.uniform(0.01, 1, size=7)
    direct = np.array([np.mean(1 / (emp.eigenvalues - zz)) for zz in z])
    np.testing.assert_allclose(emp.stieltjes(z), direct, rtol=1e-13)
    assert emp.stieltjes(z.reshape(7, 1)).shape == (7, 1)


def test_blocked_stieltjes_matches_unblocked(monkeypatch):
    import rmt_spectra.empirical.spectrum as mod

    emp = rs.EmpiricalSpectrum(np.random.default_rng(1).normal(size=300))
    z = np.linspace(-2, 2, 50) + 0.1j
    full = emp.stieltjes(z)
    monkeypatch.setattr(mod, "_BLOCK", 600)  # two z per block
    np.testing.assert_allclose(emp.stieltjes(z), full, rtol=1e-14)


def test_cdf_moments_largest(wishart):
    _, emp = wishart
    lam = emp.eigenvalues
    assert emp.cdf(lam[9]) == pytest.approx(10 / lam.size)
    assert emp.cdf(np.inf) == 1.0 and emp.cdf(-np.inf) == 0.0
    assert emp.moment(2) == pytest.approx(np.mean(lam**2))
    np.testing.assert_array_equal(emp.largest(3), lam[::-1][:3])
    assert emp.ppf(0.5) == np.sort(lam)[lam.size // 2 - 1]


def test_atoms_of_rank_deficient_matrix():
    law = rs.MarchenkoPastur(2.0)
    p = 300
    rng = np.random.default_rng(3)
    Z = rng.standard_normal((p, p // 2))
    emp = rs.EmpiricalSpectrum.from_matrix(Z @ Z.T / (p // 2))
    (loc, mass), = emp.atoms
    assert loc == 0.0 and mass == pytest.approx(0.5)
    # histogram of the continuous part integrates to the non-zero fraction
    heights, edges = emp.histogram(bins=30)
    assert np.sum(heights * np.diff(edges)) == pytest.approx(0.5)
    # round-off zeros are snapped onto the theoretical atom: KS stays small
    assert rs.compare(law, emp).ks < 0.03


def test_smoothed_pdf_approximates_density():
    law = rs.MarchenkoPastur(0.25)
    emp = law.sample(2000, seed=2)
    x = np.linspace(0.6, 1.8, 13)
    eta = 0.02
    # The Cauchy kernel's bias is removed by smoothing the law the same way:
    # Im m(x + iη)/π. What remains is the fluctuation of m_p(x + iη), O(1/(p η)) = 0.025.
    smoothed_law = np.imag(law.stieltjes(x + 1j * eta)) / np.pi
    assert np.max(np.abs(emp.pdf(x, eta=eta) - smoothed_law)) < 0.025
    # while against the unsmoothed density the O(η) bias of the heavy-tailed kernel shows
    assert np.max(np.abs(emp.pdf(x, eta=0.2) - law.pdf(x))) > 0.05


def test_outliers_beyond_edge():
    eig = np.concatenate([np.linspace(0, 1, 100), [3.0, 5.0]])
    emp = rs.EmpiricalSpectrum(eig)
    out = emp.outliers(edge=1.0)
    assert [o.location for o in out] == [5.0, 3.0]
    assert emp.outliers(theory=rs.Semicircle(0.25, 0.5)) == out
    assert emp.outliers() == []


def test_ks_matches_scipy_for_continuous_law():
    law = rs.Semicircle()
    emp = law.sample(500, seed=4)
    ref = scipy.stats.kstest(emp.eigenvalues, law.cdf).statistic
    assert rs.compare(law, emp).ks == pytest.approx(ref, rel=1e-12)


def test_w1_matches_scipy_quantile_route():
    law = rs.MarchenkoPastur(0.5)
    emp = law.sample(300, seed=5)
    M = 200_000
    quantiles = law.ppf((np.arange(M) + 0.5) / M)
    ref = scipy.stats.wasserstein_distance(emp.eigenvalues, quantiles)
    # midpoint quantile discretization: error O(1/M) ≈ 1e-5 of the support width
    assert rs.compare(law, emp).w1 == pytest.approx(ref, abs=3e-5)


def test_w1_and_ks_with_an_atom_against_quantile_route():
    law = rs.MarchenkoPastur(2.0)
    emp = law.sample(200, seed=6)
    res = rs.compare(law, emp)
    M = 200_000
    quantiles = law.ppf((np.arange(M) + 0.5) / M)
    ref = scipy.stats.wasserstein_distance(np.where(np.abs(emp.eigenvalues) < 1e-9, 0, emp.eigenvalues), quantiles)
    assert res.w1 == pytest.approx(ref, abs=5e-5)


def test_compare_reports_outliers_and_edge():
    law = rs.Semicircle()

    class Spiked(rs.Semicircle):
        def outliers(self):
            return [rs.Outlier(3.0, source="spike")]

    eig = np.concatenate([law.sample(400, seed=1).eigenvalues[:-1], [3.05]])
    res = rs.compare(Spiked(), eig)
    (match,) = res.outliers
    assert match.predicted == 3.0 and match.measured == 3.05
    assert match.rel_error == pytest.approx(0.05 / 3)
    assert res.bulk_edge_measured < 2.2
    assert "outlier" in str(res)
    # the matched outlier is left out of the bulk distances (and counts with exclude_outliers=False)
    kept = rs.compare(Spiked(), eig, exclude_outliers=False)
    assert res.size == 399 and kept.size == 400
    assert res.w1 == pytest.approx(rs.empirical.wasserstein1(law, np.sort(eig)[:-1]), rel=1e-12)
    assert kept.w1 == pytest.approx(rs.empirical.wasserstein1(law, eig), rel=1e-12)
    assert kept.w1 > res.w1
    assert set(res.as_dict()) >= {"ks", "w1", "stieltjes_error", "outliers"}


def test_compare_detects_a_wrong_law():
    """The distances must be able to fail: MP(0.5) vs a sample of MP(0.8)."""
    emp = rs.MarchenkoPastur(0.8).sample(1000, seed=0)
    right = rs.compare(rs.MarchenkoPastur(0.8), emp)
    wrong = rs.compare(rs.MarchenkoPastur(0.5), emp)
    assert wrong.ks > 10 * right.ks
    assert wrong.w1 > 10 * right.w1
    assert wrong.stieltjes_error > 10 * right.stieltjes_error


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-100, 100), min_size=1, max_size=50), st.floats(-100, 100), st.floats(1e-6, 100))
def test_empirical_stieltjes_properties(eigs, x, y):
    m = rs.EmpiricalSpectrum(eigs).stieltjes(x + 1j * y)
    assert m.imag > 0
    z = 1e7 * (1 + 1j)
    assert abs(z * rs.EmpiricalSpectrum(eigs).stieltjes(z) + 1) < 1e-4


def test_bad_input():
    with pytest.raises(ValueError, match="eigenvalues"):
        rs.EmpiricalSpectrum([])
    with pytest.raises(ValueError, match="eigenvalues"):
        rs.EmpiricalSpectrum([1.0, np.nan])
    with pytest.raises(ValueError, match="eigenvalues"):
        rs.EmpiricalSpectrum([1.0 + 1j])
    with pytest.raises(TypeError, match="theory"):
        rs.compare([1, 2], [1, 2])
    with pytest.raises(ValueError, match="matrix"):
        rs.EmpiricalSpectrum.from_matrix(np.ones((2, 3)))


def test_plot_spectrum_returns_axes(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    law = rs.MarchenkoPastur(2.0)
    ax = rs.plot_spectrum(law.sample(200, seed=0), law)
    assert ax.get_xlabel() == "eigenvalue"
    ax.figure.savefig(tmp_path / "mp.png")
    assert (tmp_path / "mp.png").stat().st_size > 1000


@pytest.mark.parametrize("shape", [(30, 10), (10, 30)])
def test_from_features_uses_the_smaller_gram_matrix(shape):
    F = np.random.default_rng(0).normal(size=shape)
    n, N = shape
    emp = rs.EmpiricalSpectrum.from_features(F)
    assert emp.size == N
    np.testing.assert_allclose(emp.eigenvalues, np.linalg.eigvalsh(F.T @ F / n), atol=1e-12)
