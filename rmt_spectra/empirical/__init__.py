"""Empirical spectra of simulated matrices, and their comparison with theory."""
from .compare import Comparison, OutlierMatch, compare, ks_distance, wasserstein1
from .spectrum import EmpiricalSpectrum

__all__ = ["Comparison", "EmpiricalSpectrum", "OutlierMatch", "compare", "ks_distance", "wasserstein1"]
