import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.equivalents import Population


def test_weights_normalized_and_sorted():
    H = Population([4.0, 1.0], [3.0, 1.0])
    assert np.allclose(H.atoms, [1.0, 4.0])
    assert np.allclose(H.weights, [0.25, 0.75])
    assert H.moment(0) == pytest.approx(1.0)
    assert H.mean() == pytest.approx(0.25 + 3.0)


def test_default_equal_weights_and_zero_mass():
    H = Population([0.0, 2.0])
    assert H.mass_at_zero == pytest.approx(0.5)
    t, w = H.distinct()
    assert np.allclose(t, [2.0]) and np.allclose(w, [0.5])


@pytest.mark.parametrize("ratio", [0.3, 1.0, 2.5])
def test_from_law_moments_match_marchenko_pastur(ratio):
    # Gauss–Legendre in the angle variable integrates the sqrt-edge density spectrally:
    # 1000 nodes reproduce the Narayana moments to ~1e-12 (1/sqrt edge at 0 when ratio = 1 included).
    mp = rs.MarchenkoPastur(ratio)
    H = Population.from_law(mp, n_nodes=1000)
    for k in range(1, 6):
        assert H.moment(k) == pytest.approx(mp.moment(k), rel=1e-10)
    if ratio > 1:
        assert H.mass_at_zero == pytest.approx(1 - 1 / ratio, abs=1e-12)  # renormalization by the quadrature mass (error ~1e-13)
    assert H.discretization_error < 1e-9
    assert H.continuous_support == [tuple(mp.support[0])]


def test_affine_gives_law_of_scaled_shifted_variable():
    mp = rs.MarchenkoPastur(1.0)
    mu1, mustar = 0.605706, 0.165576
    H = Population.from_law(mp).affine(mu1**2, mustar**2)
    assert H.mean() == pytest.approx(mu1**2 * 1.0 + mustar**2, rel=1e-10)  # 1/sqrt edge of MP(1): quadrature error ~1e-11
    assert H.var() == pytest.approx(mu1**4 * 1.0, rel=1e-10)  # Var MP(1) = 1
    a, b = H.continuous_support[0]
    assert a == pytest.approx(mustar**2) and b == pytest.approx(4 * mu1**2 + mustar**2)


def test_from_density_normalizes():
    H = Population.from_density(lambda t: 3 * t**2, (0.0, 1.0), n_nodes=200)
    assert H.mean() == pytest.approx(0.75, rel=1e-12)


@pytest.mark.parametrize(
    "args, exc",
    [
        (([-1.0, 1.0],), ValueError),
        (([1.0, np.nan],), ValueError),
        (([1.0, 2.0], [1.0, -1.0]), ValueError),
        (([1.0, 2.0], [1.0]), ValueError),
        (([1.0, 2.0], [0.0, 0.0]), ValueError),
        (([],), ValueError),
        ((["a"],), TypeError),
    ],
)
def test_bad_input(args, exc):
    with pytest.raises(exc):
        Population(*args)


def test_bad_affine_and_density():
    H = Population([1.0])
    with pytest.raises(ValueError, match="scale"):
        H.affine(-1.0)
    with pytest.raises(ValueError, match="negative"):
        H.affine(1.0, -2.0)
    with pytest.raises(ValueError, match="interval"):
        Population.from_density(lambda t: t, (1.0, 0.5))
    with pytest.raises(TypeError):
        Population.from_density(3.0, (0.0, 1.0))
    with pytest.raises(TypeError):
        Population.from_law(3.0)


def test_gauss_rule_matches_moments_and_integrates_analytic_functions():
    rng = np.random.default_rng(3)
    H = Population(rng.uniform(-1.0, 3.0, 400), rng.random(400), signed=True)
    G = H.gauss_rule(10)
    assert len(G) == 10 and G.atoms.min() > H.atoms.min() and G.atoms.max() < H.atoms.max()
    for k in range(20):  # exact to order 2n − 1
        assert abs(G.moment(k) - H.moment(k)) <= 1e-12 * np.sum(H.weights * np.abs(H.atoms) ** k)
    assert abs(G.moment(20) - H.moment(20)) > 1e-10 * H.moment(20)  # and not beyond: the test can fail
    # a function analytic near the hull: geometric convergence in n
    f = lambda t: 1.0 / (t - (4.0 + 1.0j))  # noqa: E731
    exact = np.sum(H.weights * f(H.atoms))
    errors = [abs(np.sum(H.gauss_rule(n).weights * f(H.gauss_rule(n).atoms)) - exact) for n in (4, 8, 16)]
    assert errors[2] < 1e-10 and errors[1] < 1e-3 * errors[0]
    # fewer distinct atoms than nodes: the measure itself
    small = Population([1.0, 2.0, 2.0], [0.2, 0.3, 0.5])
    assert np.allclose(small.gauss_rule(5).moment(3), small.moment(3))
    with pytest.raises(ValueError, match="n_nodes"):
        H.gauss_rule(0)
