"""The solver layer: vectorized Newton with continuation, convergence reports, edges at folds.

Equations (residual, Jacobian, start, branch check) live with their models; the
numerical method lives here, once.
"""
from .continuation import SolverReport, fold_edge, solve_on_support, solve_upper
from .newton import bracketed_newton, descend, newton, newton_step, relative_residual
from .fixed_point import safeguarded_fixed_point
from .policy import ON_FAILURE, ConvergenceWarning, check_on_failure, report_failure

__all__ = ["ConvergenceWarning", "SolverReport", "fold_edge", "newton", "newton_step", "descend", "bracketed_newton",
           "relative_residual", "solve_on_support", "solve_upper",
           "ON_FAILURE", "check_on_failure", "report_failure", "safeguarded_fixed_point"]
