"""The solver layer's pieces on equations with known solutions."""
import numpy as np
import pytest

from rmt_spectra.solvers import ConvergenceWarning, check_on_failure, report_failure, safeguarded_fixed_point


def test_fixed_point_newton_and_fallback():
    # x = cos(x) componentwise (Dottie number 0.7390851332151607), Newton converges quadratically
    def system(x):
        phi = np.cos(x)
        return phi - x, (lambda: np.diag(-np.sin(x) - 1.0)), phi, phi

    x, extra, it, ok, res = safeguarded_fixed_point(system, np.array([0.0, 1.0]), tol=1e-14, max_iter=50)
    assert ok and res <= 1e-14 and it <= 6
    np.testing.assert_allclose(x, 0.7390851332151607, rtol=1e-14)
    # an infeasible region forces the plain fixed-point steps: still converges, more slowly
    x2, _, it2, ok2, _ = safeguarded_fixed_point(system, np.array([0.0]), tol=1e-12, max_iter=500,
                                                 feasible=lambda x: False)
    assert ok2 and it2 > it
    np.testing.assert_allclose(x2, 0.7390851332151607, rtol=1e-11)
    # a singular Jacobian falls back to the fixed-point step instead of raising
    x3, _, _, ok3, _ = safeguarded_fixed_point(lambda x: (np.cos(x) - x, lambda: np.zeros((1, 1)), np.cos(x), None),
                                               np.array([0.5]), tol=1e-12, max_iter=500)
    assert ok3
    # not converged within max_iter: reported, not hidden
    _, _, it4, ok4, res4 = safeguarded_fixed_point(system, np.array([0.0]), tol=1e-14, max_iter=1)
    assert not ok4 and it4 == 1 and res4 > 1e-14


def test_failure_policy():
    assert check_on_failure("warn") == "warn" and check_on_failure(strict=True) == "raise"
    assert check_on_failure("warn", warn=False) == "ignore"
    with pytest.raises(ValueError, match="on_failure"):
        check_on_failure("sometimes")
    with pytest.warns(ConvergenceWarning, match="residual"):
        report_failure("residual 1e-3", "warn")
    with pytest.raises(RuntimeError, match="residual"):
        report_failure("residual 1e-3", "raise")
    report_failure("residual 1e-3", "ignore")


class _Sqrt:
    """``x² − z = 0``: Newton converges quadratically to the root on the side of the start."""

    size = 1

    def residual(self, x, z, jacobian=True):
        return x * x - z[:, None], (2 * x)[:, :, None] if jacobian else None, None


def test_newton_masked_vectorized_quadratic():
    from rmt_spectra.solvers import newton

    z = np.linspace(0.5, 9.0, 50)
    x, its, res = newton(_Sqrt(), np.ones((50, 1)), z, tol=1e-15, maxit=40)
    assert x.dtype == float  # real start, real parameter: real arithmetic
    np.testing.assert_allclose(x[:, 0], np.sqrt(z), rtol=1e-14)
    assert np.all(res <= 1e-15) and its.max() <= 8 and its[0] < its[-1]  # farther from the start, more steps
    # starting at the root: zero steps, unless min_steps asks for some
    _, its0, _ = newton(_Sqrt(), np.sqrt(z)[:, None], z, tol=1e-14)
    _, its2, _ = newton(_Sqrt(), np.sqrt(z)[:, None], z, tol=1e-14, min_steps=2)
    assert its0.max() == 0 and its2.min() == 2
    # complex z: the root on the start's side (principal branch for a start in the right half-plane)
    zc = np.array([-4.0 + 1e-3j, 2j])
    xc, _, _ = newton(_Sqrt(), np.array([[1.0 + 1.0j], [1.0 + 1.0j]]), zc, tol=1e-15)
    np.testing.assert_allclose(xc[:, 0], np.sqrt(zc), rtol=1e-13)


def test_newton_safeguard_and_report_of_a_failure():
    from rmt_spectra.solvers import newton

    class NoRoot(_Sqrt):  # x² + 1 = 0 has no real root: Newton in real arithmetic cannot converge
        pass

    x, its, res = newton(NoRoot(), np.array([[0.3]]), np.array([-1.0]), tol=1e-12, maxit=25)
    assert res[0] > 1e-3 and its[0] == 25  # reported, not hidden

    class Upper(_Sqrt):  # a branch hook: steps that leave the upper half-plane are shortened
        calls = 0

        def safeguard(self, new, old, z):
            Upper.calls += 1
            return np.where(new.imag <= 0, new.real + 0.5j * old.imag, new)

    z = np.array([1.0 + 0j])
    x, _, _ = newton(Upper(), np.array([[-0.1 + 0.01j]]), z, tol=1e-14, maxit=80)
    assert Upper.calls > 0 and x[0, 0].imag >= 0
    # a zero Jacobian (x = 0) gives a non-finite step: the point stays and stops (stalled), no NaN
    x, its, res = newton(_Sqrt(), np.zeros((1, 1)), np.array([4.0]), tol=1e-14)
    assert np.all(x == 0) and its[0] == 1 and res[0] > 1e300  # relative residual |F|/|x| at x = 0


def test_bracketed_newton_finds_every_root_in_its_bracket():
    from rmt_spectra.solvers import bracketed_newton

    # cos(x) = 0 on brackets around (k + 1/2)π; a bad start (flat region) falls back to bisection
    lo = np.arange(5) * np.pi + 0.1
    hi = lo + np.pi - 0.2
    inc = np.arange(5) % 2 == 1  # cos increases through its root on odd brackets

    def fun(x, idx):
        return np.cos(x), -np.sin(x)

    x, its = bracketed_newton(fun, lo, hi, inc, x0=lo + 1e-9)
    np.testing.assert_allclose(x, (np.arange(5) + 0.5) * np.pi, rtol=1e-14)
    assert its.max() < 60


def test_descend_reaches_the_nevanlinna_branch():
    """Continuation in Im z from far above: the semicircle's ``m² + zm + 1 = 0`` on the real axis inside [−2, 2]."""
    from rmt_spectra.solvers import descend, newton

    class Semicircle:
        size = 1

        def residual(self, m, z, jacobian=True):
            return m * m + z[:, None] * m + 1, (2 * m + z[:, None])[:, :, None] if jacobian else None, None

    x = np.linspace(-1.9, 1.9, 40).astype(complex)
    m0 = -1.0 / (x + 100j)
    m, steps = descend(Semicircle(), m0[:, None], x, 100 * 0.5 ** np.arange(40), steps=2)
    m, _, res = newton(Semicircle(), m, x, tol=1e-14)
    exact = (-x + 1j * np.sqrt(4 - x.real**2)) / 2
    np.testing.assert_allclose(m[:, 0], exact, atol=1e-12)
    assert np.all(m.imag > 0) and steps.min() == 80


def test_full_output_is_the_one_diagnostics_flag():
    """Every spectrum's ``stieltjes``/``pdf`` take ``full_output=`` (``return_info=`` still works, same values)."""
    import rmt_spectra as rs

    law = rs.SampleCovariance(rs.Population([1.0, 3.0]), 0.5)
    x = np.linspace(0.2, 6.0, 30)
    d1, info1 = law.pdf(x, full_output=True)
    d2, info2 = law.pdf(x, return_info=True)
    np.testing.assert_array_equal(d1, d2)
    assert info1.max_residual < 1e-10 and np.all(info1.converged)
    m, info = law.stieltjes(x + 0.1j, full_output=True)
    assert np.all(info.iterations >= 0) and np.all(m.imag > 0)
    assert isinstance(law.pdf(x), np.ndarray)
