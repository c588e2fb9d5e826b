"""Shifted Gaussian moments: closed forms and fast quadrature vs mpmath, vectorization, validation."""
import math

import mpmath
import numpy as np
import pytest
import sympy

import rmt_spectra as rs

SHIFTS = np.array([-2.0, -0.7, 0.0, 0.4, 1.5])
REF_SHIFTS = np.array([-1.3, 0.6])  # mpmath costs ~0.3 s per shift; shift 0 is covered via hermite_coefficients
BUILTINS = ["tanh", "relu", "erf", "softplus", "sin", "sigmoid"]


def assert_moments_close(g, ref, atol):
    for field in ("mu0", "mu1", "second_moment", "mu_star_sq", "mu_star"):
        np.testing.assert_allclose(getattr(g, field), getattr(ref, field), rtol=0, atol=atol, err_msg=field)


@pytest.mark.parametrize("name", BUILTINS)
@pytest.mark.parametrize("scale", [0.5, 3.0])
def test_all_paths_match_mpmath(name, scale):
    # scale 0.5 -> Gauss-Hermite, 3.0 -> panels of width 1/scale (Gauss-Hermite alone is off by
    # 3e-3 for tanh at scale 4). Measured max error <= 1e-13 over scales 0.3..4 (mu_star is not
    # near 0 here, so its square root does not amplify round-off); 1e-11 leaves margin
    ref = rs.gaussian_moments(name, REF_SHIFTS, scale, method="mpmath")
    for method in ("auto", "quadrature", "adaptive"):
        g = rs.gaussian_moments(name, REF_SHIFTS, scale, method=method)
        assert_moments_close(g, ref, 1e-11)


@pytest.mark.parametrize("name", BUILTINS)
def test_shift_zero_equals_hermite_coefficients(name):
    mu = rs.hermite_coefficients(name, 12)
    g = rs.gaussian_moments(name, 0.0, 1.0)
    assert abs(g.mu0 - mu[0]) < 1e-13 and abs(g.mu1 - mu[1]) < 1e-13
    # mu_star^2 = sum_{k>=2} mu_k^2/k!: the truncated series is only a lower bound; the full
    # value is checked against the independent adaptive path (and vs mpmath in the table test)
    ref = rs.gaussian_moments(name, 0.0, 1.0, method="adaptive")
    assert abs(g.mu_star - ref.mu_star) < 1e-12
    partial = sum(mu[k] ** 2 / math.factorial(k) for k in range(2, 13))
    assert partial <= g.mu_star_sq + 1e-14


def _relu_mpmath(s, a):
    """Independent reference: integrate over x with the kink of relu at x = 0 exactly."""
    with mpmath.workdps(30):
        s, a = mpmath.mpf(s), mpmath.mpf(a)
        dens = lambda x: mpmath.npdf(x, s, a)  # noqa: E731
        m0 = mpmath.quad(lambda x: x * dens(x), [0, mpmath.inf])
        m1 = mpmath.quad(dens, [0, mpmath.inf])
        m2 = mpmath.quad(lambda x: x * x * dens(x), [0, mpmath.inf])
        return float(m0), float(m1), float(m2), float(m2 - m0**2 - a * a * m1**2)


@pytest.mark.parametrize("s,a", [(0.0, 1.0), (1.3, 1.0), (-2.0, 0.5), (0.7, 2.5), (-6.0, 1.0), (6.0, 1.0)])
def test_relu_closed_forms(s, a):
    m0, m1, m2, star_sq = _relu_mpmath(s, a)
    g = rs.gaussian_moments("relu", s, a)
    assert g.method == "closed"
    assert abs(g.mu0 - m0) < 1e-14 * (1 + abs(m0))
    assert abs(g.mu1 - m1) < 1e-15
    assert abs(g.second_moment - m2) < 1e-14 * (1 + m2)
    # mu_star^2 is evaluated at -|t| (it is even in t), so it keeps relative accuracy even
    # deep in the linear regime |s| = 6 where it is ~1e-9 and naive subtraction loses it
    assert abs(g.mu_star_sq - star_sq) <= 1e-9 * star_sq + 1e-30


def test_vectorization_shape_and_broadcasting():
    shift = np.linspace(-3, 3, 12).reshape(3, 4)
    g = rs.gaussian_moments("tanh", shift, 1.0)
    for f in ("mu0", "mu1", "mu_star", "mu_star_sq", "second_moment", "shift", "scale"):
        assert getattr(g, f).shape == (3, 4)
    g2 = rs.gaussian_moments("softplus", np.zeros((2, 1)), np.array([0.5, 1.0, 2.0]))
    assert g2.mu0.shape == (2, 3)
    one = rs.gaussian_moments("softplus", 0.0, 2.0)
    assert np.ndim(one.mu0) == 0 and abs(g2.mu0[1, 2] - one.mu0) < 1e-15
    big = rs.gaussian_moments("tanh", np.linspace(-4, 4, 10_000), 1.0)  # timing: benchmarks/bench_gaussian.py
    assert big.mu0.shape == (10_000,) and np.all(np.isfinite(big.mu_star))


def test_frozen():
    g = rs.gaussian_moments("tanh", 0.0)
    with pytest.raises(Exception):
        g.mu0 = 1.0


def test_mu_star_never_nan_in_linear_regime():
    # softplus(s + z) ~ s + z for s >> 1: mu_star^2 cancels to round-off, must be clipped, not NaN
    g = rs.gaussian_moments("softplus", np.array([30.0, 40.0, -40.0]), 1.0)
    assert np.all(np.isfinite(g.mu_star)) and np.all(g.mu_star_sq >= 0)
    assert np.all(g.mu_star < 1e-6)


def test_kinked_callable_split_at_moving_kink():
    # hard tanh: kinks at +-1 that move to z = (+-1 - s)/scale
    fn = lambda x: np.clip(x, -1.0, 1.0)  # noqa: E731
    known = rs.activation(fn, kinks=(-1.0, 1.0))
    unknown = rs.activation(fn)
    x = sympy.Symbol("x")
    ref = rs.gaussian_moments(sympy.Min(1, sympy.Max(-1, x)), SHIFTS[::2], 1.7, method="mpmath")
    g = rs.gaussian_moments(known, SHIFTS, 1.7)
    assert g.method == "split-legendre" and g.error is None
    assert_moments_close(rs.gaussian_moments(known, SHIFTS[::2], 1.7), ref, 1e-12)
    ga = rs.gaussian_moments(unknown, SHIFTS[::2], 1.7)
    assert ga.method == "adaptive" and ga.error.max() < 1e-9
    assert_moments_close(ga, ref, 1e-10)
    # mu1 = E sigma'(x) = P(|x| < 1) exactly
    p = (rs.gaussian_moments("relu", SHIFTS + 1, 1.7).mu1 - rs.gaussian_moments("relu", SHIFTS - 1, 1.7).mu1)
    np.testing.assert_allclose(g.mu1, p, atol=1e-13)


def test_gaussian_expectation_helper():
    from rmt_spectra.gaussian import gaussian_expectation

    s = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(gaussian_expectation("relu", s, 2.0), rs.gaussian_moments("relu", s, 2.0).mu0,
                               atol=1e-14)
    np.testing.assert_allclose(gaussian_expectation(np.cos, s, 1.0, kinks=()), np.cos(s) * np.exp(-0.5), atol=1e-14)
    np.testing.assert_allclose(gaussian_expectation(lambda x: np.abs(x), 0.0, 1.0), math.sqrt(2 / math.pi),
                               atol=1e-12)


def test_polynomial_exact_by_gauss_hermite():
    # E He_3(s + z) = s^3 (the Gaussian mean of He_k(s + z) is s^k)
    s = np.array([-1.5, 0.0, 2.0])
    g = rs.gaussian_moments("hermite:3", s, 1.0)
    np.testing.assert_allclose(g.mu0, s**3, atol=1e-12)
    np.testing.assert_allclose(g.mu1, 3 * s**2, atol=1e-12)


@pytest.mark.parametrize("kwargs,match", [
    (dict(shift=np.nan), "shift"),
    (dict(shift=[0.0, np.inf]), "shift"),
    (dict(scale=0.0), "scale"),
    (dict(scale=-1.0), "scale"),
    (dict(scale=np.nan), "scale"),
    (dict(method="simpson"), "method"),
    (dict(method="closed"), "closed"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        rs.gaussian_moments("tanh", **kwargs)


def test_truncated_gauss_hermite():
    from scipy.stats import truncnorm

    from rmt_spectra.gaussian.quadrature import gauss_hermite, truncated_gauss_hermite

    x, w = truncated_gauss_hermite(8, 3.89)
    law = truncnorm(-3.89, 3.89)
    # an 8-point Gauss rule is exact up to degree 15: the moments of the truncated normal
    for k in (2, 4, 6, 10, 14):
        assert abs(w @ x**k - law.moment(k)) < 1e-10 * law.moment(k)
    assert np.all(np.abs(x) < 3.89) and abs(w.sum() - 1) < 1e-14
    x0, w0 = gauss_hermite(8)
    xl, wl = truncated_gauss_hermite(8, 40.0)  # no truncation left: the Gauss–Hermite rule
    np.testing.assert_allclose(xl, x0, atol=1e-12)
    np.testing.assert_allclose(wl, w0, atol=1e-14)
