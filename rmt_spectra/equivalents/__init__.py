"""Deterministic equivalents: population spectra, the Silverstein equation, the conjugate kernel."""
from .conjugate_kernel import ConjugateKernel
from .population import Population
from .sample_covariance import SampleCovariance
from .silverstein import ConvergenceWarning, SolverInfo, picard_solve, solve_silverstein
from .support import SupportInfo, silverstein_choi
from .weighted_covariance import WeightedSampleCovariance

__all__ = [
    "ConjugateKernel",
    "Population",
    "SampleCovariance",
    "WeightedSampleCovariance",
    "SolverInfo",
    "SupportInfo",
    "ConvergenceWarning",
    "solve_silverstein",
    "silverstein_choi",
    "picard_solve",
]
