"""The spiked random-features model after one large step: parameters, surrogate simulation, deterministic equivalent."""
from .parameters import SpikedParameters, spiked_parameters
from .surrogate import SpikedSample, normalize_groups, simulate_spiked_features

__all__ = ["SpikedParameters", "SpikedSample", "normalize_groups", "simulate_spiked_features", "spiked_parameters"]
