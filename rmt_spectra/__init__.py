"""rmt_spectra: random-matrix spectra of the features of two-layer networks after one gradient step.

Architecture (one concept per module):

- :mod:`rmt_spectra.gaussian`    Gaussian machinery: activations, Hermite coefficients, shifted moments
- :mod:`rmt_spectra.spectrum`    the protocol every spectrum shares (stieltjes, pdf, cdf, support, atoms, outliers, moment)
- :mod:`rmt_spectra.laws`        closed-form laws (Marchenko–Pastur, semicircle) and Stieltjes inversion
- :mod:`rmt_spectra.equivalents` deterministic equivalents (Silverstein, conjugate kernel, spiked features)
- :mod:`rmt_spectra.spiked`      the spiked random-features model after one step: parameters, equivalent, outliers, edges
- :mod:`rmt_spectra.simulation`  the network, the gradient step, spike diagnostics, sweeps (numpy / torch)
- :mod:`rmt_spectra.empirical`   empirical spectra of simulated matrices and their comparison with theory
- :mod:`rmt_spectra.stochastic`  matrix-free spectra at scale (SLQ, KPM) with error bars
- :mod:`rmt_spectra.risk`        generalization error of ridge on (learned) features: saddle point, kernel bound, simulation
- :mod:`rmt_spectra.plotting`    figures (matplotlib, imported lazily)
- :mod:`rmt_spectra.explore`     interactive explorer (ipywidgets, imported by ``explore()`` only)
- :mod:`rmt_spectra.cli`         the ``rmt-spectra`` command
"""
from .empirical import Comparison, EmpiricalSpectrum, compare
from .equivalents import ConjugateKernel, Population, SampleCovariance, WeightedSampleCovariance, solve_silverstein
from .gaussian import Activation, GaussianMoments, activation, gaussian_moments, hermite_coefficients
from .laws import MarchenkoPastur, Semicircle, StieltjesLaw, density_from_stieltjes
from .risk import (
    kernel_lower_bound,
    plot_learning_curve,
    random_features_risk,
    ridge_test_error,
    srf_test_error,
    tau_star,
)
from .spiked import (PolynomialSpikes, SpikedFeatures, measure_polynomial_spikes, polynomial_spikes,
                     simulate_spiked_features, spiked_parameters)
from .simulation import (OneStepResult, eta_from_exponent, eta_from_tilde, simulate_one_step, simulate_step_features,
                         sweep)
from .setting import Setting
from .stochastic import GramOperator, StochasticSpectrum, stochastic_spectrum
from .spectrum import Outlier, Spectrum
from .plotting import plot_spectrum  # matplotlib is imported when a figure is drawn
from .explore import Explorer, explore  # ipywidgets is imported by explore() only

__version__ = "0.1.0"


__all__ = [
    "Activation",
    "Comparison",
    "ConjugateKernel",
    "EmpiricalSpectrum",
    "Explorer",
    "GaussianMoments",
    "MarchenkoPastur",
    "OneStepResult",
    "Outlier",
    "Population",
    "PolynomialSpikes",
    "SampleCovariance",
    "Setting",
    "WeightedSampleCovariance",
    "Semicircle",
    "Spectrum",
    "StochasticSpectrum",
    "GramOperator",
    "SpikedFeatures",
    "StieltjesLaw",
    "activation",
    "compare",
    "density_from_stieltjes",
    "eta_from_exponent",
    "eta_from_tilde",
    "explore",
    "gaussian_moments",
    "hermite_coefficients",
    "kernel_lower_bound",
    "measure_polynomial_spikes",
    "plot_learning_curve",
    "polynomial_spikes",
    "random_features_risk",
    "ridge_test_error",
    "srf_test_error",
    "tau_star",
    "plot_spectrum",
    "simulate_one_step",
    "simulate_step_features",
    "simulate_spiked_features",
    "spiked_parameters",
    "solve_silverstein",
    "stochastic_spectrum",
    "sweep",
]
