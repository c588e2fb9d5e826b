"""Row covariances of the neuron groups over the step matrix's spectrum: the variance profile ``τ_k(λ)``."""
from __future__ import annotations

import numpy as np

__all__ = ["VarianceProfile"]


class VarianceProfile:
    """Row covariances ``T_k = diag(τ_k(λ_l))`` of the groups in one basis, ``λ_l`` with weights ``ω_l``.

    Parameters
    ----------
    tau : array_like (K, L)
        ``τ_k(λ_l) > 0``.
    weights : array_like (L,)
        ``ω_l >= 0``, normalized to sum 1.
    nodes : array_like (L,), optional
        The ``λ_l`` themselves (kept for reference).
    """

    def __init__(self, tau, weights, nodes=None):
        tau = np.atleast_2d(np.asarray(tau, float))
        w = np.asarray(weights, float).ravel()
        if tau.shape[1] != w.size:
            raise ValueError(f"profile: tau has {tau.shape[1]} columns but there are {w.size} weights")
        if not (np.all(np.isfinite(tau)) and np.all(tau > 0)):
            raise ValueError("profile: tau must be finite and > 0")
        if not (np.all(np.isfinite(w)) and np.all(w >= 0) and w.sum() > 0):
            raise ValueError("profile: weights must be finite, >= 0, with a positive sum")
        self.tau, self.weights = tau, w / w.sum()
        self.nodes = None if nodes is None else np.asarray(nodes, float)

    @classmethod
    def isotropic(cls, variances):
        """One node: ``τ_k = c_k`` (the sRF model)."""
        return cls(np.asarray(variances, float).reshape(-1, 1), np.ones(1))

    @property
    def variances(self):
        """``s_k² = E_λ τ_k``."""
        return self.tau @ self.weights
