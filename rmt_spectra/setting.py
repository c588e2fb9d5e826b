r"""One specification of the network and its step, giving both the theory and the simulation.

A :class:`Setting` holds what a one-step experiment is made of — student σ, teacher σ*, label
noise, sizes ``n₀, n, d, N``, the learning rate in any of its conventions, the second layer and the
law of the first-layer rows — validated once. Every quantity of the toolkit is then one method
away, with the same parameters on both sides (the neural-tangents pattern):

* :meth:`Setting.simulate` — the network and its step (:func:`rmt_spectra.simulate_one_step`);
* :meth:`Setting.equivalent` — the deterministic equivalent after the step
  (:meth:`rmt_spectra.SpikedFeatures.from_one_step`);
* :meth:`Setting.conjugate_kernel` — the equivalent at initialization (:class:`rmt_spectra.ConjugateKernel`);
* :meth:`Setting.polynomial_spikes` — the outliers for ``η = n₀^α`` (:func:`rmt_spectra.polynomial_spikes`);
* :meth:`Setting.test_error` — ridge on the learned features (:func:`rmt_spectra.srf_test_error`).

The functions themselves stay the public API; the setting only removes the bookkeeping.

Learning rate: exactly one of ``eta`` (the step itself), ``eta_tilde`` (``η = η̃√N``) and
``eta_exponent`` (``η = n₀^α``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ._validation import check_nonnegative, check_real, check_size

__all__ = ["Setting"]


@dataclass(frozen=True)
class Setting:
    """A one-step experiment: network, data, step (module docstring).

    Parameters
    ----------
    activation, teacher : activation specs
    n0, n, d, N : int
        Step batch, fresh samples, input dimension, width.
    eta, eta_tilde, eta_exponent : float
        The learning rate in one of its conventions (exactly one).
    noise : float >= 0
        Label-noise variance.
    second_layer : "pm1", "constant", "gaussian" or list of (value, probability)
    weights : {"gaussian", "sphere"}
        Law of the rows of ``W₀``.

    Examples
    --------
    >>> import rmt_spectra as rs
    >>> s = rs.Setting("relu", n0=4000, n=2000, d=1000, N=1000, eta_tilde=3.0)
    >>> s.eta_tilde, s.alpha0
    (3.0, 4.0)
    """

    activation: object
    n0: int
    n: int
    d: int
    N: int
    teacher: object = "tanh"
    eta: float | None = None
    eta_tilde: float | None = None
    eta_exponent: float | None = None
    noise: float = 0.0
    second_layer: object = "pm1"
    weights: str = "gaussian"

    def __post_init__(self):
        from .gaussian import activation as as_activation

        for name in ("n0", "n", "d", "N"):
            object.__setattr__(self, name, check_size(name, getattr(self, name)))
        given = [k for k in ("eta", "eta_tilde", "eta_exponent") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of eta, eta_tilde, eta_exponent (got {given or 'none'})")
        if self.eta is not None:
            eta = check_nonnegative("eta", self.eta)
        elif self.eta_tilde is not None:
            eta = check_nonnegative("eta_tilde", self.eta_tilde) * math.sqrt(self.N)
        else:
            alpha = check_real("eta_exponent", self.eta_exponent)
            if not 0.0 <= alpha < 0.5:
                raise ValueError(f"eta_exponent must be in [0, 1/2), got {alpha}")
            eta = float(self.n0) ** alpha
        object.__setattr__(self, "eta", eta)
        object.__setattr__(self, "eta_tilde", eta / math.sqrt(self.N))
        object.__setattr__(self, "noise", check_nonnegative("noise", self.noise))
        if self.weights not in ("gaussian", "sphere"):
            raise ValueError(f"weights must be 'gaussian' or 'sphere', got {self.weights!r}")
        as_activation(self.activation)
        as_activation(self.teacher)

    # ------------------------------------------------------------------ derived quantities
    @property
    def alpha0(self) -> float:
        """``n₀/d``."""
        return self.n0 / self.d

    @property
    def alpha(self) -> float:
        """The step exponent ``log η/log n₀`` (whatever convention the rate was given in)."""
        return math.log(self.eta) / math.log(self.n0) if self.eta > 0 and self.n0 > 1 else float("-inf")

    # ------------------------------------------------------------------ both sides
    def simulate(self, seed=None, **kwargs):
        """The network, its step and the features on fresh data (:func:`rmt_spectra.simulate_one_step`)."""
        from .simulation import simulate_one_step

        return simulate_one_step(self.n0, self.n, self.d, self.N, activation=self.activation, teacher=self.teacher,
                                 noise=self.noise, eta=self.eta, weights=self.weights,
                                 second_layer=self.second_layer, seed=seed, **kwargs)

    def equivalent(self, model="network", **kwargs):
        """The deterministic equivalent of ``FᵀF/n`` after the step (:meth:`SpikedFeatures.from_one_step`)."""
        from .spiked import SpikedFeatures

        return SpikedFeatures.from_one_step(self.activation, self.teacher, self.eta_tilde, self.n0, self.n, self.d,
                                            self.N, noise=self.noise, second_layer=self.second_layer, model=model,
                                            **kwargs)

    def conjugate_kernel(self, **kwargs):
        """The equivalent of ``FᵀF/n`` at initialization (:class:`ConjugateKernel`)."""
        from .equivalents import ConjugateKernel

        return ConjugateKernel(self.activation, self.n, self.d, self.N, weights=self.weights, **kwargs)

    def polynomial_spikes(self, **kwargs):
        """The outliers after the step, labelled (:func:`rmt_spectra.polynomial_spikes`, at this ``η``)."""
        from .spiked import polynomial_spikes

        return polynomial_spikes(self.activation, n=self.n, d=self.d, N=self.N, n0=self.n0, teacher=self.teacher,
                                 noise=self.noise, second_layer=self.second_layer, eta=self.eta, **kwargs)

    def test_error(self, alpha, ridge, **kwargs):
        """Ridge test error on the learned features at sample ratios ``alpha = n/d`` (:func:`srf_test_error`).

        The model of the first layer defaults to the network-faithful one (``model="network"``).
        """
        from .risk import srf_test_error

        kwargs.setdefault("model", "network")
        return srf_test_error(self.activation, self.teacher, self.eta_tilde, self.alpha0, alpha, ridge,
                              width_ratio=self.N / self.d, noise=self.noise, second_layer=self.second_layer, **kwargs)
