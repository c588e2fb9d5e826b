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
