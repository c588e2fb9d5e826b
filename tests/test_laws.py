"""Closed-form laws against independent routes: mpmath integrals of the density,
the Narayana/Catalan moments, the large-z expansion, and simulation."""
import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rmt_spectra as rs
from rmt_spectra.spectrum import Spectrum

RATIOS = [0.25, 1.0, 2.5]


def stieltjes_by_quadrature(law, z, dps=25):
    """∫ ρ(t)/(t − z) dt at `dps` digits (angle substitution), plus the atoms."""
    mp.mp.dps = dps
    out = []
    for zz in np.atleast_1d(z):
        zc = mp.mpc(complex(zz))
        total = mp.mpc(0)
        for a, b in law.support:
            a, b = mp.mpf(a), mp.mpf(b)

            def f(th):
                t = a + (b - a) * mp.sin(th / 2) ** 2
                return _mp_pdf(law, t) * (b - a) / 2 * mp.sin(th) / (t - zc)

            # break the angle range at the near-pole t = Re z (and at ± a few Im z)
            pts = {mp.mpf(0), mp.pi / 2, mp.pi}
            for shift in (0, -4, -1, 1, 4):
                x = zc.real + shift * abs(zc.imag)
                if a < x < b:
                    pts.add(2 * mp.asin(mp.sqrt((x - a) / (b - a))))
            total += mp.quad(f, sorted(pts))
        for loc, mass in law.atoms:
            total += mass / (loc - zc)
        out.append(complex(total))
    return np.array(out)


def _mp_pdf(law, t):
    """The density in mpmath arithmetic (so the reference is not limited by float64)."""
    if isinstance(law, rs.MarchenkoPastur):
        c, v = mp.mpf(law.ratio), mp.mpf(law.variance)
        a, b = v * (1 - mp.sqrt(c)) ** 2, v * (1 + mp.sqrt(c)) ** 2
        return mp.sqrt((b - t) * (t - a)) / (2 * mp.pi * v * c * t)
    v, x0 = mp.mpf(law.variance), mp.mpf(law.center)
    return mp.sqrt(4 * v - (t - x0) ** 2) / (2 * mp.pi * v)


def probe_points(law):
    (a, b), = law.support
    w = b - a
    pts = [
        a + 0.3 * w + 0.5j,  # upper half-plane
        b - 0.1 * w + 1e-3j,  # close to the axis
        a + 1e-4 + 1e-4j,  # near the left edge
        b + 1e-3j,  # at the right edge
        -3.0 + 2.0j,
        10.0 + 0.1j,
        b + 0.01 * w,  # real, right of the support
        b + 5.0,
        a - 0.5,  # real, left of the support (negative for MP)
    ]
    if a > 1e-8:
        pts.append(0.5 * a)  # real, in the gap between 0 and the left edge
    return np.array(pts, complex)


@pytest.mark.parametrize("ratio", RATIOS)
@pytest.mark.parametrize("variance", [1.0, 0.7])
def test_mp_stieltjes_matches_density_integral(ratio, variance):
    law = rs.MarchenkoPastur(ratio, variance)
    z = probe_points(law)
    ref = stieltjes_by_quadrature(law, z)
    got = law.stieltjes(z)
    # mpmath at 25 digits vs the closed form: only float64 round-off remains.
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ratio", RATIOS)
def test_mp_stieltjes_on_the_support_is_the_limit_from_above(ratio):
    law = rs.MarchenkoPastur(ratio)
    (a, b), = law.support
    x = np.linspace(a, b, 41)[1:-1]
    m0 = law.stieltjes(x)
    m_eps = law.stieltjes(x + 1e-11j)
    # |m(x+iε) − m(x+i0)| = O(ε·|m'|); m' is bounded away from the edges.
    np.testing.assert_allclose(m0, m_eps, atol=1e-8)
    assert np.all(m0.imag > 0)
    np.testing.assert_allclose(m0.imag / np.pi, law.pdf(x), rtol=1e-12)


@pytest.mark.parametrize("ratio", RATIOS)
def test_mp_root_of_quadratic(ratio):
    law = rs.MarchenkoPastur(ratio)
    rng = np.random.default_rng(1)
    z = rng.normal(size=200) * 3 + 1j * rng.exponential(size=200)
    m = law.stieltjes(z)
    residual = ratio * z * m**2 + (z + ratio - 1) * m + 1
    assert np.max(np.abs(residual)) < 1e-12 * np.max(np.abs(z) + 1) ** 2


@pytest.mark.parametrize("ratio", RATIOS)
def test_mp_moments_narayana_vs_quadrature_and_expansion(ratio):
    law = rs.MarchenkoPastur(ratio, 1.3)
    exact = np.array([law.moment(k) for k in range(8)])
    assert exact[0] == 1.0
    assert exact[1] == pytest.approx(1.3)
    assert exact[2] == pytest.approx(1.3**2 * (1 + ratio))
    # independent route 1: generic quadrature of the density (+ atom)
    quad = np.array([Spectrum.moment(law, k) for k in range(8)])
    np.testing.assert_allclose(quad, exact, rtol=1e-12)
    # independent route 2: m(z) = −Σ_k M_k / z^{k+1} at large |z|
    z = 60.0 + 0j
    series = -sum(law.moment(k) / z ** (k + 1) for k in range(40))
    assert abs(law.stieltjes(z) - series) < 1e-14


@pytest.mark.parametrize("ratio", RATIOS)
def test_mp_cdf_total_mass_and_values(ratio):
    law = rs.MarchenkoPastur(ratio)
    assert law.cdf(np.inf) == pytest.approx(1.0, abs=1e-13)
    assert law.cdf(-np.inf) == 0.0
    assert law.total_mass == pytest.approx(1.0, abs=1e-13)
    (a, b), = law.support
    mp.mp.dps = 20
    for x in [a + 0.1 * (b - a), 0.5 * (a + b), b - 0.01]:
        ref = mp.quad(lambda t: _mp_pdf(law, t), [a, x]) + sum(m for _, m in law.atoms)
        assert law.cdf(x) == pytest.approx(float(ref), abs=1e-12)
    # atom at 0 for ratio > 1: jump of 1 − 1/c
    if ratio > 1:
        assert law.cdf(0.0) - law.cdf(-1e-300) == pytest.approx(1 - 1 / ratio)


@pytest.mark.parametrize("ratio", RATIOS)
def test_mp_ppf_inverts_cdf(ratio):
    law = rs.MarchenkoPastur(ratio)
    q = np.linspace(0.01, 0.99, 50)
    x = law.ppf(q)
    jump = law.atoms[0][1] if law.atoms else 0.0
    cont = q > jump + 1e-12
    np.testing.assert_allclose(law.cdf(x[cont]), q[cont], atol=1e-10)
    assert np.all(x[~cont] == 0.0)


def test_mp_singular_points():
    assert rs.MarchenkoPastur(2.0).stieltjes(0.0) == complex(0, np.inf)
    assert rs.MarchenkoPastur(1.0).stieltjes(0.0) == complex(0, np.inf)
    assert rs.MarchenkoPastur(0.5).stieltjes(0.0) == pytest.approx(1 / (1 - 0.5))


@pytest.mark.parametrize("variance,center", [(1.0, 0.0), (0.3, 1.5)])
def test_semicircle(variance, center):
    law = rs.Semicircle(variance, center)
    z = probe_points(law)
    np.testing.assert_allclose(law.stieltjes(z), stieltjes_by_quadrature(law, z), rtol=1e-10, atol=1e-12)
    x = np.linspace(center - 3, center + 3, 101)
    np.testing.assert_allclose(law.cdf(x), Spectrum.cdf(law, x), atol=1e-13)
    np.testing.assert_allclose([law.moment(k) for k in range(7)], [Spectrum.moment(law, k) for k in range(7)], rtol=1e-12, atol=1e-14)
    assert law.moment(2) - law.moment(1) ** 2 == pytest.approx(variance)


def test_stieltjes_law_from_a_function_recovers_density():
    mplaw = rs.MarchenkoPastur(0.5)
    wrapped = rs.StieltjesLaw(mplaw.stieltjes, mplaw.support)
    x = np.linspace(0.1, 2.9, 30)
    np.testing.assert_allclose(wrapped.pdf(x), mplaw.pdf(x), rtol=1e-12, atol=1e-14)
    # off the axis: O(η) bias, Richardson O(η²) in the smooth interior
    xi = np.linspace(0.5, 2.0, 20)
    smeared = rs.density_from_stieltjes(mplaw.stieltjes, xi, eta=1e-3)
    extrap = rs.density_from_stieltjes(mplaw.stieltjes, xi, eta=1e-3, extrapolate=True)
    err1 = np.max(np.abs(smeared - mplaw.pdf(xi)))
    err2 = np.max(np.abs(extrap - mplaw.pdf(xi)))
    assert err1 < 5e-3 and err2 < err1 / 20


# ------------------------------------------------------------------ property tests
@settings(max_examples=200, deadline=None)
@given(
    ratio=st.floats(0.01, 20.0),
    variance=st.floats(0.05, 20.0),
    x=st.floats(-50, 50),
    y=st.floats(1e-9, 50),
)
def test_mp_stieltjes_maps_upper_half_plane_to_itself(ratio, variance, x, y):
    m = rs.MarchenkoPastur(ratio, variance).stieltjes(x + 1j * y)
    assert np.isfinite(m)
    assert m.imag > 0


@settings(max_examples=100, deadline=None)
@given(ratio=st.floats(0.01, 20.0), variance=st.floats(0.05, 5.0), angle=st.floats(0.0, np.pi))
def test_mp_stieltjes_decays_like_minus_one_over_z(ratio, variance, angle):
    law = rs.MarchenkoPastur(ratio, variance)
    R = 1e4 * (1 + variance * (1 + ratio))
    z = R * np.exp(1j * angle)
    # z m(z) + 1 = −M₁/z − M₂/z² − …, M₁ = variance, M₂ = variance²(1 + ratio): the second-order
    # remainder after the M₁ term is ≤ 2M₂/R² for R far beyond the support (a wrong branch gives O(1))
    M1, M2 = variance, variance**2 * (1 + ratio)
    assert abs(z * law.stieltjes(z) + 1 + M1 / z) <= 2 * M2 / R**2


@settings(max_examples=100, deadline=None)
@given(variance=st.floats(0.05, 20.0), center=st.floats(-10, 10), x=st.floats(-50, 50), y=st.floats(1e-9, 50))
def test_semicircle_branch(variance, center, x, y):
    m = rs.Semicircle(variance, center).stieltjes(x + 1j * y)
    assert m.imag > 0


# ------------------------------------------------------------------ simulation
def test_wishart_sample_against_mp():
    """p = 2000: rigidity puts sup|F_p − F| at O(log p / p) (Erdős–Yau–Yin); we
    require ≤ 2 log(p)/p ≈ 0.0076, 4× below the i.i.d. DKW bound (0.030)."""
    p = 2000
    for ratio in (0.5, 2.0):
        law = rs.MarchenkoPastur(ratio)
        result = rs.compare(law, law.sample(p, seed=3))
        assert result.ks < 2 * np.log(p) / p
        assert result.stieltjes_error < 10 / p  # fluctuation of m_p(z) at fixed z is O(1/p)


def test_wishart_ks_shrinks_with_size():
    law = rs.MarchenkoPastur(0.5)
    small = np.mean([rs.compare(law, law.sample(100, seed=s)).ks for s in range(4)])
    large = np.mean([rs.compare(law, law.sample(800, seed=s)).ks for s in range(4)])
    # expected ratio ≈ 8 (1/p rate, up to logs); demand at least 3
    assert small / large > 3


def test_wigner_sample_against_semicircle():
    law = rs.Semicircle(2.0, 1.0)
    result = rs.compare(law, law.sample(1000, seed=0))
    assert result.ks < 2 * np.log(1000) / 1000


def test_sampling_is_reproducible():
    law = rs.MarchenkoPastur(0.7)
    np.testing.assert_array_equal(law.sample(50, seed=5).eigenvalues, law.sample(50, seed=5).eigenvalues)
    np.testing.assert_array_equal(law.rvs(10, seed=np.random.default_rng(2)), law.rvs(10, seed=np.random.default_rng(2)))
    assert not np.array_equal(law.sample(50, seed=5).eigenvalues, law.sample(50, seed=6).eigenvalues)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("ratio", [0, -1.0, np.nan, np.inf])
def test_mp_bad_ratio(ratio):
    with pytest.raises(ValueError, match="ratio"):
        rs.MarchenkoPastur(ratio)


def test_bad_inputs():
    with pytest.raises(TypeError, match="ratio"):
        rs.MarchenkoPastur("big")
    with pytest.raises(ValueError, match="variance"):
        rs.MarchenkoPastur(0.5, variance=-1)
    with pytest.raises(ValueError, match="variance"):
        rs.Semicircle(0.0)
    with pytest.raises(ValueError, match="z"):
        rs.MarchenkoPastur(0.5).stieltjes(np.nan)
    with pytest.raises(ValueError, match="x"):
        rs.MarchenkoPastur(0.5).cdf([0.1, np.nan])
    with pytest.raises(ValueError, match="k"):
        rs.MarchenkoPastur(0.5).moment(-1)
    with pytest.raises(ValueError, match="p"):
        rs.MarchenkoPastur(0.5).sample(0)
    with pytest.raises(ValueError, match="q"):
        rs.MarchenkoPastur(0.5).ppf(1.5)
