"""Closed-form spectral laws and the Stieltjes toolbox."""
from .inversion import StieltjesLaw, density_from_stieltjes
from .marchenko_pastur import MarchenkoPastur
from .semicircle import Semicircle

__all__ = ["MarchenkoPastur", "Semicircle", "StieltjesLaw", "density_from_stieltjes"]
