import warnings

import mpmath
import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.equivalents import Population, SampleCovariance, solve_silverstein


def _grid(law_support, ratio):
    a, b = law_support
    x = np.concatenate([np.linspace(a - 1.0, b + 1.0, 81), np.linspace(a, b, 41)[1:-1]])
    x = x[np.abs(x) > 1e-6]
    return np.concatenate([x + 0j, x + 0.3j, x + 1e-3j, x - 0.05j, [5j, -3 + 2j, 100 + 0.1j]])


@pytest.mark.parametrize("ratio", [0.2, 0.7, 1.0, 1.6, 4.0])
@pytest.mark.parametrize("method", ["polynomial", "newton"])
def test_delta_population_reproduces_marchenko_pastur(ratio, method):
    mp = rs.MarchenkoPastur(ratio)
    law = SampleCovariance(Population([1.0]), ratio, method=method)
    z = _grid(mp.support[0], ratio)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m, info = law.stieltjes(z, full_output=True)
    m0 = mp.stieltjes(z)
    assert np.max(np.abs(m - m0) / np.abs(m0)) < 1e-12
    assert info.converged.all() and info.branch_ok.all()
    real_out = (z.imag == 0) & ~law._in_support(z.real)
    assert np.all(m[real_out].imag == 0)
    assert np.allclose(law.support, mp.support, rtol=1e-13, atol=1e-14)
    assert len(law.atoms) == len(mp.atoms)
    np.testing.assert_allclose(np.reshape(law.atoms, (-1, 2)), np.reshape(mp.atoms, (-1, 2)), rtol=1e-12, atol=1e-14)
    x = np.linspace(*mp.support[0], 203)[1:-1]
    assert np.max(np.abs(law.pdf(x) - mp.pdf(x))) < 1e-11 * max(1.0, mp.pdf(x).max())


T, W, C = (1.0, 4.0), (0.4, 0.6), 0.3


def _mp_root(z, prec=30):
    """u = -1/m̲ for H = 0.4 δ1 + 0.6 δ4, c = 0.3, by mpmath.polyroots at 30 digits."""
    mpmath.mp.dps = prec
    t1, t2 = map(mpmath.mpf, T)
    a1, a2 = (C * w * t * t for w, t in zip(W, T))
    b = C * (W[0] * T[0] + W[1] * T[1])
    z = mpmath.mpc(z)
    # (u − z + b)(u − t1)(u − t2) + a1 (u − t2) + a2 (u − t1)
    p = [1, b - z - t1 - t2, (b - z) * (-t1 - t2) + t1 * t2 + a1 + a2, (b - z) * t1 * t2 - a1 * t2 - a2 * t1]
    roots = mpmath.polyroots(p, maxsteps=200, extraprec=60)
    if z.imag > 0:
        return max(roots, key=lambda r: r.imag)
    good = [r for r in roots if abs(r.imag) > 1e-20]
    if good:  # inside the support: the root in the upper half-plane
        return max(good, key=lambda r: r.imag)
    # outside: the real root where x'(u) = 1 − g(u) > 0
    real = [r.real for r in roots if 1 - (a1 / (r.real - t1) ** 2 + a2 / (r.real - t2) ** 2) > 0]
    assert len(real) == 1
    return real[0]


def test_two_atoms_against_mpmath():
    H = Population(T, W)
    law = SampleCovariance(H, C)
    sup = law.support
    x = np.concatenate([np.linspace(-1.1, 22, 47), np.linspace(*sup[0], 9)[1:-1], np.linspace(*sup[1], 9)[1:-1]])
    z = np.concatenate([x + 0j, x + 0.5j, x + 1e-4j])
    for method in ["polynomial", "newton"]:
        m, info = solve_silverstein(H, C, z, method=method)
        ref = np.array([complex(-1 / _mp_root(zz)) for zz in z])
        err = np.abs(m - ref) / np.abs(ref)
        assert err.max() < 1e-11, (method, err.max(), z[np.argmax(err)])
        assert info.method == method and info.residual.shape == z.shape


def test_two_atoms_support_against_mpmath():
    H = Population(T, W)
    law = SampleCovariance(H, C)
    mpmath.mp.dps = 30
    t1, t2 = map(mpmath.mpf, T)
    a1, a2 = (C * w * t * t for w, t in zip(W, T))
    b = C * (W[0] * T[0] + W[1] * T[1])
    # g(u) = 1  ⟺  (u−t1)²(u−t2)² − a1(u−t2)² − a2(u−t1)² = 0 (degree 4)
    P = mpmath.matrix([1])
    poly = np.polynomial.Polynomial
    q = poly([-T[0], 1]) ** 2 * poly([-T[1], 1]) ** 2 - float(a1) * poly([-T[1], 1]) ** 2 - float(a2) * poly([-T[0], 1]) ** 2
    roots = sorted(r.real for r in mpmath.polyroots(list(q.coef[::-1]), maxsteps=200, extraprec=60) if abs(r.imag) < 1e-20)
    edges = sorted(float(u + b + a1 / (u - t1) + a2 / (u - t2)) for u in roots)
    assert len(law.support) == 2
    assert np.allclose(np.ravel(law.support), edges, rtol=1e-13)
    # mass of each interval: 0.4 and 0.6 (clusters well separated), total 1 through the inherited cdf
    assert law.cdf(np.inf) == pytest.approx(1.0, abs=1e-12)
    mid = 0.5 * (law.support[0][1] + law.support[1][0])
    assert law.cdf(mid) == pytest.approx(0.4, abs=1e-10)


def test_picard_baseline_agrees_off_axis():
    H = Population(T, W)
    z = np.linspace(0.5, 8, 7) + 0.2j
    m1, _ = solve_silverstein(H, C, z, method="polynomial")
    m2, info = solve_silverstein(H, C, z, method="picard", tol=1e-12)
    assert np.max(np.abs(m1 - m2) / np.abs(m1)) < 1e-9


def test_large_population_newton_matches_continuation_and_polynomial_small():
    # 12 atoms: Newton route vs polynomial route (forced) on the real axis and off it
    rng = np.random.default_rng(1)
    H = Population(np.sort(rng.uniform(0.5, 3.0, 12)), rng.uniform(0.2, 1, 12))
    law = SampleCovariance(H, 0.4)
    x = np.linspace(law.support[0][0] - 0.5, law.support[-1][1] + 0.5, 300)
    z = np.concatenate([x + 0j, x + 0.05j])
    m1, i1 = solve_silverstein(H, 0.4, z, method="newton")
    m2, i2 = solve_silverstein(H, 0.4, z, method="polynomial")
    assert np.max(np.abs(m1 - m2) / np.abs(m2)) < 1e-10
    assert i1.max_residual < 1e-12


def test_bad_input():
    H = Population([1.0])
    with pytest.raises(ValueError, match="method"):
        solve_silverstein(H, 0.5, [1j], method="bogus")
    with pytest.raises(ValueError, match="upper half-plane"):
        solve_silverstein(H, 0.5, [1 - 1j])
    with pytest.raises(ValueError, match="ratio"):
        SampleCovariance(H, -1.0)
    with pytest.raises(TypeError, match="population"):
        SampleCovariance([1.0], 0.5)
    with pytest.raises(ValueError, match="positive atom"):
        SampleCovariance(Population([0.0]), 0.5)
    with pytest.raises(ValueError, match="z"):
        SampleCovariance(H, 0.5).stieltjes(np.nan)


def test_support_pruning_keeps_every_gap_and_is_fast_path():
    """Pairs of atoms whose lower bound (a_k^{1/3} + a_{k+1}^{1/3})³/d² of g is ≥ 1 are skipped: the bound must
    be a true lower bound of g, and a population of two dense clusters keeps its one gap."""
    from rmt_spectra.equivalents.support import _moments, silverstein_choi

    rng = np.random.default_rng(0)
    atoms = np.concatenate([rng.uniform(1.0, 1.1, 500), rng.uniform(5.0, 5.5, 500)])
    pop = rs.Population(atoms)
    info = silverstein_choi(pop, 0.1)
    assert len(info.intervals) == 2
    # the gap is where the density vanishes (independent check on a grid)
    sc = rs.SampleCovariance(pop, 0.1)
    (a1, b1), (a2, b2) = info.intervals
    x = np.linspace(b1 + 1e-3, a2 - 1e-3, 50)
    assert np.all(sc.pdf(x) == 0)
    assert sc.pdf(np.array([b1 - 1e-3, a2 + 1e-3])).min() > 0
    # the bound is below g on a fine grid between consecutive atoms
    t, om = pop.distinct()
    a = 0.1 * om * t**2
    for k in rng.integers(0, t.size - 1, 20):
        u = np.linspace(t[k], t[k + 1], 202)[1:-1]
        g = _moments(u, t, a, 2)[1]
        bound = (np.cbrt(a[k]) + np.cbrt(a[k + 1])) ** 3 / (t[k + 1] - t[k]) ** 2
        assert g.min() >= bound * (1 - 1e-9)
