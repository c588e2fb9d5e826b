"""The solver layer: vectorized Newton with continuation, convergence reports, edges at folds.

Equations (residual, Jacobian, start, branch check) live with their models; the
numerical method lives here, once.
"""
from .continuation import ConvergenceWarning, SolverReport, fold_edge, newton, solve_on_support, solve_upper

__all__ = ["ConvergenceWarning", "SolverReport", "fold_edge", "newton", "solve_on_support", "solve_upper"]
