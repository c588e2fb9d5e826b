"""The spiked random-features model after one large step: parameters, surrogate simulation, deterministic equivalent."""
from .parameters import SpikedParameters, spiked_parameters
from .surrogate import SpikedSample, normalize_groups, simulate_spiked_features

__all__ = ["SpikedParameters", "SpikedSample", "normalize_groups", "simulate_spiked_features", "spiked_parameters"]
from .edges import branch_fold, edge_curve, right_edge
from .features import KAPPA_NODES, SpikedFeatures, kappa_rule
from .outliers import b_direction_condition, find_outliers, mean_outlier_matrix, outlier_condition, polynomial_spike_outliers

__all__ += ["SpikedFeatures", "KAPPA_NODES", "kappa_rule", "right_edge", "edge_curve", "branch_fold",
            "b_direction_condition", "find_outliers", "mean_outlier_matrix", "outlier_condition", "polynomial_spike_outliers"]
