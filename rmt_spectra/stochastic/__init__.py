"""Matrix-free spectra at scale: stochastic Lanczos quadrature and the kernel polynomial method.

- :func:`stochastic_spectrum` — the spectrum of ``Σ̂ = FᵀF/n`` from a few probes, with error bars
  (:class:`StochasticSpectrum`, the common protocol);
- :class:`GramOperator` — ``V ↦ Fᵀ(FV)/n`` in row chunks (numpy or torch);
- :func:`block_lanczos`, :func:`gauss_quadrature` — the Lanczos layer.
"""
from .lanczos import LanczosResult, block_lanczos, gauss_quadrature, rademacher_probes
from .operator import GramOperator, as_operator
from .spectrum import METHODS, StochasticSpectrum, stochastic_spectrum, top_eigenvalues

__all__ = ["GramOperator", "LanczosResult", "METHODS", "StochasticSpectrum", "as_operator", "block_lanczos",
           "gauss_quadrature", "rademacher_probes", "stochastic_spectrum", "top_eigenvalues"]
