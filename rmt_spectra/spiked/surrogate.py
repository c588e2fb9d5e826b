r"""Direct simulation of the spiked random-features (sRF) surrogate.

Features ``F = σ(√c X W₀ᵀ + κ uᵀ)`` (``n × N``) with ``κ = X v̂`` and
``u_i = r_k`` for neuron ``i`` of group ``k`` (``docs/theory/spiked_features.md``); the
target direction ``θ`` has ``⟨v̂, θ⟩ = γ``. This is the model the spiked
deterministic equivalent and the sRF risk describe exactly, as opposed to the
full one-step network (:func:`rmt_spectra.simulate_one_step`) which it
approximates.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .._validation import as_generator, check_nonnegative, check_positive, check_real, check_size
from ..empirical import EmpiricalSpectrum
from ..gaussian import activation as as_activation
from ..simulation.network import draw_data, draw_direction, draw_first_layer

__all__ = ["SpikedSample", "simulate_spiked_features", "normalize_groups"]


def normalize_groups(spike=None, groups=None):
    """``(r_k, π_k)`` pairs from exactly one of ``spike`` (one group, ``u = 1``) and ``groups``.

    Parameters
    ----------
    spike : float, optional
        One group of strength ``r`` and proportion 1.
    groups : iterable of (r_k, π_k), optional
        Non-empty; each ``r_k`` a finite real, each ``π_k >= 0``, the ``π_k`` summing to 1 (to 1e-9).
        Zero proportions are kept.

    Returns
    -------
    tuple of (float, float)
        The validated ``(r_k, π_k)`` pairs, in the order given (``((r, 1.0),)`` for ``spike``).
        ``ValueError``/``TypeError`` when both or neither are given or a pair is invalid.
    """
    if (spike is None) == (groups is None):
        raise ValueError("give exactly one of spike (a spike strength r) and groups (a list of (r_k, pi_k))")
    if spike is not None:
        return ((check_real("spike", spike), 1.0),)
    try:
        pairs = [tuple(g) for g in groups]
    except TypeError:
        raise TypeError("groups must be a list of (r_k, pi_k) pairs") from None
    if not pairs or any(len(p) != 2 for p in pairs):
        raise ValueError("groups must be a non-empty list of (r_k, pi_k) pairs")
    out = tuple((check_real("groups r_k", r), check_nonnegative("groups pi_k", p)) for r, p in pairs)
    total = sum(p for _, p in out)
    if abs(total - 1.0) > 1e-9:
        raise ValueError(f"groups: the proportions pi_k must sum to 1, got {total!r}")
    return out


def group_sizes(N, groups):
    """Neurons per group: ``round(N π_k)``, the remainder given to the largest groups."""
    probs = np.array([p for _, p in groups])
    sizes = np.floor(N * probs).astype(int)
    order = np.argsort(-(N * probs - sizes))
    sizes[order[: N - sizes.sum()]] += 1
    return sizes


@dataclass
class SpikedSample:
    """One draw of the sRF model; arrays are numpy float64.

    Built by :func:`simulate_spiked_features`; every constructor argument is stored as the attribute
    of the same name.

    Parameters
    ----------
    X : ndarray (n, d)
        Data, i.i.d. ``N(0, 1)`` entries.
    W0 : ndarray (N, d)
        First layer, rows ``N(0, I/d)``.
    vhat : ndarray (d,)
        Unit spike direction ``v̂``.
    theta : ndarray (d,)
        Unit target direction, ``⟨v̂, θ⟩ = γ``.
    u : ndarray (N,)
        Spike strength of each neuron (``r_k`` of its group).
    bulk_variance : float
        ``c``: the pre-activations' bulk scale is ``√c`` when ``column_variance`` is ``None``.
    activation : Activation
        Student σ.
    y : ndarray (n,), optional
        Labels ``σ*(Xθ) + ε`` when a teacher was given.
    column_variance : ndarray (N,), optional
        ``c_k`` of each neuron's group (``None``: ``bulk_variance`` for all).

    Attributes
    ----------
    kappa : ndarray (n,)
        ``κ = X v̂``.
    F : ndarray (n, N)
        Features ``σ(√c X W₀ᵀ + κ uᵀ)`` (computed once, cached).
    """

    X: np.ndarray
    W0: np.ndarray
    vhat: np.ndarray
    theta: np.ndarray
    u: np.ndarray
    bulk_variance: float
    activation: object
    y: np.ndarray | None = None
    column_variance: np.ndarray | None = None  # c_k of each neuron's group (None: bulk_variance for all)

    @property
    def kappa(self):
        return self.X @ self.vhat

    @cached_property
    def F(self):
        """Features ``σ(√c X W₀ᵀ + κ uᵀ)`` (``n × N``)."""
        scale = math.sqrt(self.bulk_variance) if self.column_variance is None else np.sqrt(self.column_variance)
        pre = (self.X @ self.W0.T) * scale
        pre += np.outer(self.kappa, self.u)
        return self.activation(pre)

    def feature_spectrum(self) -> EmpiricalSpectrum:
        """Eigenvalues of ``Σ̂ = FᵀF/n`` (via the smaller Gram matrix, exact zeros padded)."""
        return EmpiricalSpectrum.from_features(self.F, matrix_label="F^T F / n (spiked random features)")


def simulate_spiked_features(activation, n, d, N, spike=None, groups=None, bulk_variance=1.0, gamma=0.0,
                             teacher=None, noise=0.0, seed=0, *, group_variances=None) -> SpikedSample:
    """Draw the sRF model ``σ(√c W₀x + r_k κ)`` on ``n`` samples.

    Parameters
    ----------
    activation : activation spec
        Student σ.
    n, d, N : int >= 1
        Samples, input dimension, width. ``W₀`` rows are ``N(0, I/d)``.
    spike, groups
        Exactly one: ``spike = r`` (one group) or ``groups = [(r_k, π_k), ...]``
        (group ``k`` gets ``round(N π_k)`` consecutive neurons).
    bulk_variance : float
        ``c > 0``.
    group_variances : array_like, optional
        One ``c_k`` per group instead of ``bulk_variance`` (keyword only).
        Each finite and ``> 0``; the sample's ``bulk_variance`` is then their mean over the neurons.
    gamma : float in [-1, 1]
        Overlap ``⟨v̂, θ⟩`` of the spike direction with the target direction.
    teacher : activation spec, optional
        If given, labels ``y = σ*(Xθ) + ε`` with noise variance ``noise``.
    noise : float >= 0
        Label-noise variance ``σ_ε²`` (``ε`` is drawn even without a teacher, so the random stream
        does not depend on it).
    seed : int >= 0, Generator or None

    Returns
    -------
    SpikedSample
        ``X`` (``n × d``, i.i.d. ``N(0, 1)``), ``W₀`` (rows ``N(0, I/d)``), uniform unit ``v̂``,
        ``θ = γ v̂ + √(1 − γ²) h`` (``h`` a unit vector ⟂ ``v̂``), ``u`` and the labels; the features
        ``F = σ(√c_k X W₀ᵀ + κ uᵀ)`` (``κ = X v̂``) are computed on first access.
    """
    sigma = as_activation(activation)
    n, d, N = check_size("n", n), check_size("d", d), check_size("N", N)
    pairs = normalize_groups(spike, groups)
    c = check_positive("bulk_variance", bulk_variance)
    gamma = check_real("gamma", gamma)
    if abs(gamma) > 1:
        raise ValueError(f"gamma must lie in [-1, 1], got {gamma}")
    noise = check_nonnegative("noise", noise)

    rng = as_generator(seed)
    W0 = draw_first_layer(N, d, "gaussian", rng)
    vhat = draw_direction(d, rng)
    h = rng.standard_normal(d)
    h -= (h @ vhat) * vhat
    h /= np.linalg.norm(h)
    theta = gamma * vhat + math.sqrt(max(0.0, 1.0 - gamma**2)) * h
    X = draw_data(n, d, rng)
    sizes = group_sizes(N, pairs)
    u = np.repeat([r for r, _ in pairs], sizes).astype(float)
    column_variance = None
    if group_variances is not None:
        cv = np.asarray(group_variances, float).ravel()
        if cv.size != len(pairs) or not np.all(np.isfinite(cv)) or np.any(cv <= 0):
            raise ValueError(f"group_variances must be {len(pairs)} finite values > 0, got {group_variances!r}")
        column_variance = np.repeat(cv, sizes)
        c = float(np.mean(column_variance))
    eps = rng.standard_normal(n)
    y = None
    if teacher is not None:
        y = as_activation(teacher)(X @ theta) + math.sqrt(noise) * eps
    return SpikedSample(X=X, W0=W0, vhat=vhat, theta=theta, u=u, bulk_variance=c, activation=sigma, y=y,
                        column_variance=column_variance)
