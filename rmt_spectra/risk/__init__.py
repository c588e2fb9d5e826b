"""Generalization error of ridge regression on (learned) random features.

Theory: ``docs/theory/generalization.md``.  Conventions: ``alpha = n/d``,
``width_ratio = N/d``; the readout minimizes ``Σ_μ (y_μ − w·φ(x_μ)/√N)² + λ‖w‖²``
unless a function says otherwise; "test error" includes the label noise,
"risk" is ``E(f* − f̂)²`` without it.
"""
from .groups import srf_test_error_groups
from .kernel import kernel_lower_bound, tau_star
from .limiting import growing_step_errors, limiting_problem_error
from .plotting import plot_learning_curve
from .profile import ProfileRiskResult, RowModel, profile_test_error, step_directions
from .random_features import gaussian_equivalent_ridge_risk, random_features_risk
from .ridge import (
    RidgeTestError,
    SeedAverage,
    average_over_seeds,
    fit_ridge,
    ridge_test_error,
    simulate_srf_test_error,
    spiked_test_set,
    translate_ridge,
)
from .saddle_point import saddle_point_residual, solve_saddle_point
from .srf import SRFResult, srf_test_error, srf_test_error_from_parameters

__all__ = [
    "ProfileRiskResult",
    "RidgeTestError",
    "RowModel",
    "SRFResult",
    "SeedAverage",
    "average_over_seeds",
    "fit_ridge",
    "gaussian_equivalent_ridge_risk",
    "growing_step_errors",
    "limiting_problem_error",
    "plot_learning_curve",
    "profile_test_error",
    "kernel_lower_bound",
    "random_features_risk",
    "ridge_test_error",
    "simulate_srf_test_error",
    "spiked_test_set",
    "tau_star",
    "translate_ridge",
    "saddle_point_residual",
    "solve_saddle_point",
    "srf_test_error",
    "srf_test_error_from_parameters",
    "srf_test_error_groups",
    "step_directions",
]
