r"""The fixed quadrature of the spike projection κ ~ N(0, 1): :func:`rmt_spectra.gaussian.quadrature.kappa_rule`
(one rule for every κ-average: the spiked model, the network equivalent and the risk)."""
from ..gaussian.quadrature import KAPPA_NODES, kappa_rule, truncation_for

__all__ = ["KAPPA_NODES", "kappa_rule", "truncation_for"]
