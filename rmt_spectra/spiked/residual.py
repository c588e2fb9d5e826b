r"""The law of the residual ``r = y − f₀(x)`` on the step's batch, at initialization.

The gradient of the first layer is a sum over the batch of terms weighted by
the residuals ``r_μ = y_μ − f₀(x_μ)``. With ``y = σ*(⟨θ, x⟩) + ε`` and the
network at initialization ``f₀(x) = (1/N) Σ_i ā_i σ(⟨w_i, x⟩)`` (``a_i = ā_i/√N``),
``f₀(x) = μ₀ E ā + O(N^{-1/2})`` for every ``x`` (an average of ``N`` nearly
independent terms; ``μ₀ = E σ(z)``), so to leading order

.. math:: r = σ^*(g) + ε - μ_0\,E\bar a,\qquad g = ⟨θ, x⟩ \sim N(0, 1),\ ε \sim N(0, σ_ε^2),

the same for every second layer with the same ``E ā`` (Gaussian ``a``: ``E ā = 0``).
At finite width ``f₀`` also fluctuates from one ``x`` to the next, nearly
independently of ``g`` and of the direction of ``x``, with variance
[derived; checked against the simulated network at N = 500, 1000, within 3–8 %]

.. math:: v_f = \frac{E\bar a^2\,\mathrm{Var}\,σ(z)}{N} + \frac{(E\bar a)^2 μ_2^2}{2d}

(the second term is the fluctuation of ``‖x‖²/d``, ``μ₂ = E σ''``). It is added
to the label noise when the sizes are given (:meth:`ResidualLaw.at_initialization`
with ``N`` and ``d``): it vanishes as the sizes grow, but at ``N ≈ 10³`` it turns the
atom of ``r`` at ``−μ₀E ā`` of a ReLU teacher into a bump of width ``≈ 0.02``, which is
what the step matrix of a simulated network shows (see :meth:`ResidualLaw.at_initialization`
for why it is left out of the law by default).
Its moments enter the one-step map: the mean ``E r = μ₀* − μ₀ E ā`` (the
mean-residual term), the second moment ``E r²``, and the linear coefficient
``E[r g] = μ₁*``. Its whole law enters the spectrum of the step matrix
``M = X₀ᵀ diag(r) X₀ / n₀`` (:meth:`ResidualLaw.step_matrix`,
a :class:`~rmt_spectra.equivalents.WeightedSampleCovariance`).

Representation: a fixed quadrature in ``g`` (the split Gauss–Legendre rule of
:func:`rmt_spectra.gaussian.quadrature.split_rule`, split at the kinks of σ*,
so ``E h(r)`` is spectrally accurate for ``h`` smooth in ``r``), times a
Gauss–Hermite rule in ``ε`` when ``σ_ε > 0``. Flat pieces of σ* (ReLU for
``g < 0``) give one exact atom of ``r``; a network simulated at finite width spreads it by
``√v_f`` (``0.02`` at ``N = 1000``), which the law leaves out by default (see
:meth:`ResidualLaw.at_initialization`). Where the atom is at ``r = 0`` (ReLU teacher, ``E ā = 0``)
and ``n₀ = d``, half of the spectrum of ``M`` sits in a cluster of width ``O(N^{-1/2})`` at 0
that the limit law describes as an atom: KS ≈ 0.3 against simulations there.
"""
from __future__ import annotations

import math

import numpy as np

from .._validation import as_generator, check_int, check_nonnegative, check_real, check_size
from ..equivalents.population import Population
from ..equivalents.weighted_covariance import WeightedSampleCovariance
from ..gaussian import activation as as_activation
from ..gaussian import gaussian_moments, hermite_coefficients
from ..gaussian.quadrature import gauss_hermite, split_rule
from ..simulation.network import second_layer_law

__all__ = ["ResidualLaw"]

#: Gauss–Hermite nodes of the label-noise average.
NOISE_NODES = 24
#: range |g| <= TRUNCATION of the teacher's input: the normal mass left out is 2e-13, and a longer
#: range only stretches the support of the step matrix by a tail of that mass
TRUNCATION = 7.3


class ResidualLaw:
    """Law of ``r = σ*(g) + ε − offset``, ``g ~ N(0, 1)``, ``ε ~ N(0, noise)``.

    Parameters
    ----------
    teacher : activation spec
        ``σ*``.
    noise : float >= 0
        Label-noise variance ``σ_ε²``.
    offset : float
        The network output at initialization, ``μ₀ E ā`` (see :meth:`at_initialization`).
    network_variance : float >= 0
        Variance ``v_f`` of the finite-width fluctuation of ``f₀`` (added to the noise).
    noise_nodes : int
        Gauss–Hermite nodes of the ``ε`` average (when ``noise > 0``).

    Attributes
    ----------
    values, probabilities : ndarray
        Quadrature atoms ``r_j`` and weights (summing to 1) representing the law.
    mean, second_moment, variance, linear : float
        ``E r``, ``E r²``, ``Var r`` and ``E[r g] = μ₁*``.

    Examples
    --------
    >>> from rmt_spectra.spiked import ResidualLaw
    >>> law = ResidualLaw.at_initialization("relu", "relu", second_layer="constant")
    >>> round(law.mean, 12), round(law.second_moment, 6)   # relu(g) − E relu: centred
    (0.0, 0.340845)
    """

    def __init__(self, teacher, noise=0.0, offset=0.0, *, network_variance=0.0, noise_nodes=NOISE_NODES):
        self.teacher = as_activation(teacher)
        self.noise = check_nonnegative("noise", noise)
        self.offset = check_real("offset", offset)
        self.network_variance = check_nonnegative("network_variance", network_variance)
        spread = self.noise + self.network_variance
        self.noise_nodes = check_int("noise_nodes", noise_nodes, minimum=2)
        z, w, _ = split_rule(self.teacher.kinks, L=TRUNCATION)
        with np.errstate(all="ignore"):
            s = self.teacher(z)
        if not np.all(np.isfinite(s)):
            raise ValueError(f"teacher {self.teacher.name!r} is not finite on the quadrature nodes")
        s = s - self.offset
        # the image of each kink-free segment of g is an interval of the continuous part of the law
        # (Silverstein–Choi then merges the artefact gaps between its atoms)
        kinks = np.asarray(self.teacher.kinks, float)
        segment = np.searchsorted(kinks, z)
        intervals = []
        for k in np.unique(segment):
            sk = s[segment == k]
            if np.ptp(sk) > 0:
                intervals.append((float(sk.min()), float(sk.max())))
        if spread > 0:  # label noise (and a given network variance): the convolution with N(0, spread)
            e, we = gauss_hermite(self.noise_nodes)
            values = (s[:, None] + math.sqrt(spread) * e[None, :]).ravel()
            probs = (w[:, None] * we[None, :]).ravel()
            intervals = [(float(values.min()), float(values.max()))]
        else:
            values, probs = s, w
        self.values = values
        self.probabilities = probs / probs.sum()
        self.continuous_support = intervals
        gm = gaussian_moments(self.teacher)
        # moments in closed form / by the teacher's own quadrature (not by the atoms above)
        self.mean = float(gm.mu0) - self.offset
        self.second_moment = float(gm.second_moment) - 2.0 * self.offset * float(gm.mu0) + self.offset**2 + spread
        self.variance = self.second_moment - self.mean**2
        self.linear = float(hermite_coefficients(self.teacher, 1)[1])

    @classmethod
    def from_samples(cls, r, g=None, *, bins=256):
        """The empirical law of realized residuals ``r`` (e.g. of one simulated batch).

        The atoms are the means of ``bins`` equal-count bins of the sorted samples
        (the law of ``M`` given ``r`` depends on ``r`` only through such averages up to
        ``O(1/bins²)``); the moments are the exact sample moments, ``linear`` is
        ``mean(r g)`` when the teacher projections ``g = ⟨θ, x_μ⟩`` are given.
        """
        r = np.asarray(r, float).ravel()
        if r.size < 2 or not np.all(np.isfinite(r)):
            raise ValueError("r must be a finite sample of at least 2 residuals")
        bins = check_int("bins", bins, minimum=1)
        srt = np.sort(r)
        edges = np.linspace(0, r.size, min(bins, r.size) + 1).round().astype(int)
        sums = np.add.reduceat(srt, edges[:-1])
        counts = np.diff(edges)
        law = cls.__new__(cls)
        law.teacher, law.noise, law.offset, law.network_variance = None, 0.0, 0.0, 0.0
        law.noise_nodes = 0
        law.values = sums / counts
        law.probabilities = counts / r.size
        law.continuous_support = [(float(srt[0]), float(srt[-1]))]
        law.mean = float(r.mean())
        law.second_moment = float(np.mean(r * r))
        law.variance = law.second_moment - law.mean**2
        law.linear = float(np.mean(r * np.asarray(g, float))) if g is not None else float("nan")
        law.samples = r.size
        return law

    @classmethod
    def at_initialization(cls, activation, teacher, noise=0.0, second_layer="constant", N=None, d=None, *,
                          smear=False, **kwargs):
        """The residual of the network at initialization: ``offset = μ₀ E ā`` (``a_i = ā_i/√N``).

        With the width ``N`` and input dimension ``d`` the variance ``v_f`` of the finite-width
        fluctuation of ``f₀`` (module docstring) is computed and kept in ``finite_width_variance``;
        ``smear=True`` also adds it to the law (a convolution with ``N(0, v_f)``). It is left out
        by default: measured on the step matrix of simulated networks (ReLU teacher, constant
        ``a``, d = 1000, 4 seeds pooled) the law with ``v_f`` is no closer to the simulation
        (KS 0.016 against 0.008 at ``n₀ = d``, 0.003 against 0.003 at ``n₀ = 4d``), and it
        multiplies the number of atoms by the noise nodes.
        """
        name, values, probs = second_layer_law(second_layer)
        mean_a = 0.0 if name == "gaussian" else float(np.sum(values * probs))
        mean_a2 = 1.0 if name == "gaussian" else float(np.sum(values**2 * probs))
        mu = hermite_coefficients(activation, 2)
        v_f = 0.0
        if (N is None) != (d is None):
            raise ValueError("give both N and d (the finite-width fluctuation of f0) or neither")
        if N is not None:
            N, d = check_size("N", N), check_size("d", d)
            var_sigma = float(gaussian_moments(activation).second_moment) - float(mu[0]) ** 2
            v_f = mean_a2 * var_sigma / N + mean_a**2 * float(mu[2]) ** 2 / (2.0 * d)
        law = cls(teacher, noise=noise, offset=float(mu[0]) * mean_a, network_variance=v_f if smear else 0.0,
                  **kwargs)
        law.second_layer = second_layer
        law.finite_width_variance = v_f
        return law

    def __repr__(self):
        if self.teacher is None:
            return f"ResidualLaw(empirical, {self.samples} samples; mean={self.mean:.6g}, second_moment={self.second_moment:.6g})"
        return (f"ResidualLaw(teacher={self.teacher.name!r}, noise={self.noise:g}, offset={self.offset:g}, "
                f"network_variance={self.network_variance:.3g}; "
                f"mean={self.mean:.6g}, second_moment={self.second_moment:.6g})")

    # ------------------------------------------------------------------ integration
    def expect(self, func):
        """``E func(r)`` by the quadrature (``func`` vectorized; extra trailing axes allowed)."""
        vals = np.asarray(func(self.values))
        return np.tensordot(self.probabilities, vals, axes=(0, 0))

    def population(self, scale=1.0):
        """The law of ``scale·r`` as a signed :class:`~rmt_spectra.equivalents.Population`."""
        lo_hi = [(scale * a, scale * b) if scale > 0 else (scale * b, scale * a) for a, b in self.continuous_support]
        return Population(scale * self.values, self.probabilities, signed=True, continuous_support=lo_hi)

    def step_matrix(self, n0, d):
        """Limit spectrum of ``M = X₀ᵀ diag(r) X₀ / n₀`` (``d × d``) at ratio ``d/n₀``.

        The rank-one part of ``M`` along the teacher direction (``E[r He₂(g)] θθᵀ``)
        has vanishing mass and is not part of this law.
        """
        n0, d = check_size("n0", n0), check_size("d", d)
        return WeightedSampleCovariance(self.population(), d / n0)

    def sample(self, size, seed=None):
        """I.i.d. draws of ``r`` (``g`` and ``ε`` Gaussian; from the atoms for an empirical law)."""
        rng = as_generator(seed)
        if self.teacher is None:
            return rng.choice(self.values, size=size, p=self.probabilities)
        g = rng.standard_normal(size)
        eps = rng.standard_normal(size)
        return self.teacher(g) + math.sqrt(self.noise + self.network_variance) * eps - self.offset
