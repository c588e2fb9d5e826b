"""The feature covariance after one large step: the step's ingredients, the deterministic equivalents
(network-faithful and sRF surrogate), their outliers and edges, and the surrogate simulator."""
from .bulk import MixtureEquation
from .edge_sweep import edge_curve, right_edge
from .features import MODELS, SpikedFeatures
from .profile import VarianceProfile
from .validity import VALIDITY, check_validity
from .kappa import KAPPA_NODES, kappa_rule
from .network import NetworkStep, network_step
from .outliers import b_direction_condition, coherent_he2, find_outliers, label_outlier, mean_outlier_matrix, outlier_condition
from .polynomial import PolynomialSpikes, hermite_directions, measure_polynomial_spikes, polynomial_spikes
from .parameters import SpikedParameters, spiked_parameters
from .residual import ResidualLaw
from .surrogate import SpikedSample, normalize_groups, simulate_spiked_features

__all__ = ["SpikedParameters", "SpikedSample", "normalize_groups", "simulate_spiked_features", "spiked_parameters",
           "SpikedFeatures", "VarianceProfile", "MODELS", "VALIDITY", "check_validity", "MixtureEquation",
           "KAPPA_NODES", "kappa_rule", "right_edge", "edge_curve", "NetworkStep", "network_step", "ResidualLaw",
           "b_direction_condition", "find_outliers", "mean_outlier_matrix", "outlier_condition",
           "coherent_he2", "label_outlier", "PolynomialSpikes", "polynomial_spikes", "measure_polynomial_spikes", "hermite_directions"]
