"""One-step network simulator (``docs/theory/one_step.md``).

:func:`simulate_one_step` draws a two-layer network and data, takes one
full-batch gradient step on the first layer, and returns a
:class:`OneStepResult` (gradient, rank-one part, ``ζ``, ``W₁``, fresh
features, ``Σ̂ = FᵀF/n`` spectrum, diagnostics against the predictions).
"""
from .backend import BackendUnavailableError, cuda_available, get_backend, torch_available
from .learning_rate import eta_from_exponent, eta_from_tilde, exponent_from_eta, tilde_from_eta
from .network import (
    SECOND_LAYER_LAWS,
    WEIGHT_LAWS,
    draw_data,
    draw_direction,
    draw_first_layer,
    draw_labels,
    draw_second_layer,
    network_output,
)
from .one_step import OneStepResult, simulate_one_step
from .streaming import StepFeatures, simulate_step_features
from .spikes import (
    RankOnePrediction,
    RawPowerSpikes,
    alignment_prediction,
    bulk_edge_estimate,
    rank_one_outlier,
    raw_power_spikes,
    spike_levels,
    spike_strength,
    zeta_norm_prediction,
)
from .sweep import SweepTable, sweep

__all__ = [
    "BackendUnavailableError",
    "OneStepResult",
    "RankOnePrediction",
    "RawPowerSpikes",
    "SECOND_LAYER_LAWS",
    "SweepTable",
    "WEIGHT_LAWS",
    "alignment_prediction",
    "bulk_edge_estimate",
    "cuda_available",
    "draw_data",
    "draw_direction",
    "draw_first_layer",
    "draw_labels",
    "draw_second_layer",
    "eta_from_exponent",
    "eta_from_tilde",
    "exponent_from_eta",
    "get_backend",
    "network_output",
    "rank_one_outlier",
    "raw_power_spikes",
    "simulate_one_step",
    "simulate_step_features",
    "StepFeatures",
    "spike_levels",
    "spike_strength",
    "sweep",
    "tilde_from_eta",
    "torch_available",
    "zeta_norm_prediction",
]
