r"""From one large gradient step to the spiked random-features (sRF) model.

Source: ``../shared/theory/05_spiked_features.md`` ([Cui24]'s code, formulas
re-derived). In the large-step regime ``η = η̃√N`` with ``n₀ = α₀ d`` samples
for the step, the features on fresh data are those of

.. math:: \varphi(x) = \sigma(\sqrt{c}\,W_0 x + r\,\kappa\,u),\qquad
          \kappa = \langle \hat v, x\rangle,\ \langle\hat v,\theta\rangle = \gamma,

with :math:`\mu_1 = E\sigma'`, :math:`\mu_1^* = E[z\sigma^*(z)]`,
:math:`m_2^* = E\sigma^*(z)^2 + \sigma_\varepsilon^2` (second moment of the labels),
:math:`v_{\sigma'} = \operatorname{Var}\sigma'(z)`:

* :math:`r = \tilde\eta\,\mu_1\sqrt{\mu_1^{*2} + m_2^*/\alpha_0}`,
* :math:`c = 1 + \tilde\eta^2 m_2^* v_{\sigma'}/\alpha_0`,
* :math:`\gamma = \mu_1^*/\sqrt{\mu_1^{*2} + m_2^*/\alpha_0}`.

``α₀ = 0`` is plain random features (``r = 0, c = 1, γ = 0``); ``α₀ = ∞`` the
large-batch limit (``c = 1, γ = 1, r = η̃μ₁μ₁*``). A second layer ``a_i = ā_i/√N``
with a finite law gives one group per value, ``r_k = r ā_k`` with proportion
``π_k`` (``u_i = ā_i``); Gaussian ``a`` has no finite group structure and is refused.

The label noise enters through :math:`m_2^*` (the step sees ``y = σ*(⟨θ,x⟩) + ε``);
this is **[derived]**: the note writes ``m₂* = E σ*²`` for noiseless labels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validation import check_nonnegative, check_real

__all__ = ["SpikedParameters", "spiked_parameters"]


@dataclass(frozen=True)
class SpikedParameters:
    """Parameters of the sRF model ``σ(√c W₀x + r κ u)``.

    Attributes
    ----------
    r : float
        Spike strength for ``ā = 1`` (group strengths are ``r·ā_k``).
    bulk_variance : float
        ``c``, the variance inflation of the bulk pre-activations.
    gamma : float
        ``γ = ⟨v̂, θ⟩``, the alignment of the spike with the target.
    groups : tuple of (r_k, π_k)
        Spike strength and proportion of each second-layer group.
    """

    r: float
    bulk_variance: float
    gamma: float
    groups: tuple = ((0.0, 1.0),)

    @property
    def c(self) -> float:
        return self.bulk_variance


def _second_layer_groups(second_layer):
    from ..simulation.network import second_layer_law

    name, values, probs = second_layer_law(second_layer)
    if name == "gaussian":
        raise ValueError("second_layer must be finitely supported for the sRF model ('constant', 'pm1' or a list of "
                         "(value, probability)); Gaussian a has no finite group structure")
    return values, probs


def spiked_parameters(activation, teacher, eta_tilde, alpha0, noise=0.0, second_layer="constant") -> SpikedParameters:
    """The map ``(σ, σ*, η̃, α₀, σ_ε²) → (r, c, γ)`` of the module docstring.

    Parameters
    ----------
    activation, teacher : activation specs
        Student σ and target σ*.
    eta_tilde : float >= 0
        Learning rate in units of √N (``η = η̃√N``).
    alpha0 : float >= 0 or ``numpy.inf``
        Step batch ratio ``n₀/d``.
    noise : float >= 0
        Label-noise variance.
    second_layer : "constant", "pm1" or list of (value, probability)
        Finite law of ``ā`` (``a_i = ā_i/√N``).
    """
    from ..gaussian import activation as as_activation
    from ..gaussian import gaussian_expectation, gaussian_moments, hermite_coefficients

    sigma = as_activation(activation)
    target = as_activation(teacher)
    eta_tilde = check_nonnegative("eta_tilde", eta_tilde)
    if alpha0 is None or (isinstance(alpha0, float) and math.isnan(alpha0)):
        raise ValueError("alpha0 must be >= 0 (or numpy.inf), got NaN")
    alpha0 = float(alpha0)
    if alpha0 < 0:
        raise ValueError(f"alpha0 must be >= 0 (or numpy.inf), got {alpha0}")
    noise = check_nonnegative("noise", noise)
    values, probs = _second_layer_groups(second_layer)

    if alpha0 == 0.0 or eta_tilde == 0.0:
        r, c, gamma = 0.0, 1.0, 0.0
    else:
        mu1 = float(gaussian_moments(sigma).mu1)
        mu1_star = float(hermite_coefficients(target, 1)[1])
        m2_star = float(gaussian_moments(target).second_moment) + noise
        derivative = sigma.derivative(1)
        var_dsigma = float(gaussian_expectation(lambda x: derivative(x) ** 2, kinks=sigma.kinks)) - mu1**2
        inv = 0.0 if math.isinf(alpha0) else 1.0 / alpha0
        norm = math.sqrt(mu1_star**2 + m2_star * inv)
        r = eta_tilde * mu1 * norm
        c = 1.0 + eta_tilde**2 * m2_star * max(var_dsigma, 0.0) * inv
        gamma = mu1_star / norm if norm > 0 else 0.0
    groups = tuple((float(r * v), float(p)) for v, p in zip(values, probs))
    return SpikedParameters(r=float(r), bulk_variance=float(c), gamma=float(gamma), groups=groups)
