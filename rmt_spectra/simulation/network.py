r"""Random draws of the two-layer network and its data (conventions of ``theory/README.md``).

* data ``X`` is ``n × d`` with rows ``N(0, I_d)``;
* first layer ``W`` is ``N × d``, one row per neuron: ``"gaussian"`` rows
  ``N(0, I_d/d)`` or ``"sphere"`` rows uniform on ``S^{d−1}``;
* second layer ``a ∈ R^N``: ``"gaussian"`` ``a_i ~ N(0, 1/N)``, ``"constant"``
  ``a_i = 1/√N``, ``"pm1"`` ``a_i = ±1/√N`` equiprobable, or a finite law given
  as a list of ``(value, probability)`` pairs meaning ``a_i = ā_i/√N``;
* target: ``y = σ*(⟨θ, x⟩) + ε`` with a uniformly random unit ``θ`` and
  ``ε ~ N(0, noise)`` (``noise`` is the variance ``σ_ε²``);
* network ``f(x) = (1/√N) Σ_i a_i σ(⟨w_i, x⟩)``.

Every draw is float64 from a :class:`numpy.random.Generator` (``as_generator(seed)``).
"""
from __future__ import annotations

import math

import numpy as np

from .._validation import as_generator, check_int, check_nonnegative, check_real, check_size
from ..gaussian.activation import activation_parameter
from ..gaussian.quadrature import gauss_hermite, truncated_gauss_hermite, truncation_for

__all__ = [
    "WEIGHT_LAWS",
    "SECOND_LAYER_LAWS",
    "draw_data",
    "draw_first_layer",
    "draw_second_layer",
    "draw_direction",
    "draw_labels",
    "network_output",
    "second_layer_law",
    "second_layer_groups",
]

WEIGHT_LAWS = ("gaussian", "sphere")
SECOND_LAYER_LAWS = ("gaussian", "constant", "pm1")


def draw_data(n, d, seed=None) -> np.ndarray:
    """``X`` of shape ``(n, d)`` with i.i.d. ``N(0, 1)`` entries.

    Parameters
    ----------
    n : int >= 1
        Number of samples (rows).
    d : int >= 1
        Input dimension (columns).
    seed : int >= 0, numpy.random.Generator or None, default None
        Source of randomness (``as_generator(seed)``; a Generator is used, and advanced, in place).

    Returns
    -------
    ndarray of float64, shape ``(n, d)``
        The data, rows ``x_μ ~ N(0, I_d)``.
    """
    n, d = check_size("n", n), check_size("d", d)
    return as_generator(seed).standard_normal((n, d))


def check_weight_law(weights) -> str:
    if not isinstance(weights, str) or weights.strip().lower() not in WEIGHT_LAWS:
        raise ValueError(f"weights must be one of {WEIGHT_LAWS}, got {weights!r}")
    return weights.strip().lower()


def draw_first_layer(N, d, weights="gaussian", seed=None) -> np.ndarray:
    """``W₀`` of shape ``(N, d)``: rows ``N(0, I/d)`` (``"gaussian"``) or uniform on the unit sphere (``"sphere"``).

    Parameters
    ----------
    N : int >= 1
        Width (number of neurons, rows).
    d : int >= 1
        Input dimension (columns).
    weights : {"gaussian", "sphere"}, default "gaussian"
        Law of the rows (case-insensitive; anything else is a ValueError). ``"sphere"`` normalizes
        i.i.d. Gaussian rows to unit norm, so ``‖w_i‖ = 1`` exactly instead of ``≈ 1``.
    seed : int >= 0, numpy.random.Generator or None, default None
        Source of randomness (``as_generator(seed)``; a Generator is used, and advanced, in place).

    Returns
    -------
    ndarray of float64, shape ``(N, d)``
        The first-layer weights, one row ``w_i`` per neuron.
    """
    N, d = check_size("N", N), check_size("d", d)
    law = check_weight_law(weights)
    W = as_generator(seed).standard_normal((N, d))
    if law == "gaussian":
        W *= 1.0 / math.sqrt(d)
    else:
        W /= np.linalg.norm(W, axis=1, keepdims=True)
    return W


def second_layer_law(second_layer):
    """Normalize a second-layer spec to ``(name, values, probabilities)``.

    ``values`` are the ``ā`` (``a_i = ā_i/√N``); for ``"gaussian"`` they are None.
    Raises ValueError/TypeError naming ``second_layer`` for a bad spec: an
    unknown name, an empty list, non-finite values, negative probabilities or
    probabilities that do not sum to 1 (tolerance 1e-9).
    """
    if isinstance(second_layer, str):
        key = second_layer.strip().lower()
        if key == "gaussian":
            return "gaussian", None, None
        if key == "constant":
            return "constant", np.array([1.0]), np.array([1.0])
        if key == "pm1":
            return "pm1", np.array([-1.0, 1.0]), np.array([0.5, 0.5])
        raise ValueError(f"second_layer must be one of {SECOND_LAYER_LAWS} or a list of (value, probability) "
                         f"pairs, got {second_layer!r}")
    try:
        pairs = list(second_layer)
    except TypeError:
        raise TypeError(f"second_layer must be one of {SECOND_LAYER_LAWS} or a list of (value, probability) pairs, "
                        f"got {type(second_layer).__name__}") from None
    if not pairs:
        raise ValueError("second_layer: the list of (value, probability) pairs must not be empty")
    values, probs = [], []
    for pair in pairs:
        try:
            v, p = pair
        except (TypeError, ValueError):
            raise TypeError(f"second_layer: each entry must be a (value, probability) pair, got {pair!r}") from None
        values.append(check_real("second_layer value", v))
        probs.append(check_nonnegative("second_layer probability", p))
    probs = np.array(probs)
    if abs(probs.sum() - 1.0) > 1e-9:
        raise ValueError(f"second_layer probabilities must sum to 1, got sum {probs.sum()!r}")
    return "finite", np.array(values), probs


#: Gauss–Hermite nodes of ā for a Gaussian second layer seen as a continuum of groups.
GAUSSIAN_GROUP_NODES = 8


def second_layer_groups(second_layer, gaussian_nodes: int = GAUSSIAN_GROUP_NODES, *, width=None):
    """Groups ``(ā_k, π_k)`` of a second layer: its atoms for a finite law; for ``"gaussian"``
    (a continuum of groups) the ``gaussian_nodes``-point Gauss rule of ``ā ~ N(0, 1)``.

    ``width``: the number ``N`` of neurons; the Gaussian law is then truncated to
    ``|ā| ≤ L`` with ``N·P(|ā| > L) = 0.1`` (no neuron expected beyond; ``L = 3.89`` for
    ``N = 1000``), as the κ-rule is for the samples. Without it the largest Gauss–Hermite
    node (4.14 for 8 nodes) stands for neurons a finite network does not have, and sets
    the right edge of the bulk when the row variance grows with ``|ā|``.
    """
    name, values, probs = second_layer_law(second_layer)
    if name == "gaussian":
        nodes = check_int("gaussian_nodes", gaussian_nodes, minimum=2)
        if width is None:
            v, w = gauss_hermite(nodes)
        else:
            v, w = truncated_gauss_hermite(nodes, round(truncation_for(check_size("width", width)), 12))
        return np.array(v), np.array(w) / np.sum(w)
    keep = probs > 0
    return values[keep], probs[keep] / probs[keep].sum()


def second_layer_moment(second_layer, k: int) -> float:
    """``E[ā^{2k}]`` of the second-layer law, ``a_i = ā_i/√N`` (Gaussian: ``(2k−1)!!``)."""
    name, values, probs = second_layer_law(second_layer)
    if name == "gaussian":
        return float(math.prod(range(1, 2 * k, 2)))
    return float(np.sum(probs * values ** (2 * k)))


def draw_second_layer(N, second_layer="gaussian", seed=None) -> np.ndarray:
    """``a`` of shape ``(N,)`` from the second-layer law (see the module docstring).

    Parameters
    ----------
    N : int >= 1
        Width.
    second_layer : {"gaussian", "constant", "pm1"} or sequence of (value, probability), default "gaussian"
        ``"gaussian"``: ``a_i ~ N(0, 1/N)``; ``"constant"``: ``a_i = 1/√N`` (no randomness drawn);
        ``"pm1"``: ``a_i = ±1/√N`` equiprobable; a list of ``(ā, p)`` pairs: ``a_i = ā_i/√N`` with
        ``ā_i`` drawn i.i.d. from that finite law (validated by :func:`second_layer_law`).
    seed : int >= 0, numpy.random.Generator or None, default None
        Source of randomness (``as_generator(seed)``; a Generator is used, and advanced, in place).

    Returns
    -------
    ndarray of float64, shape ``(N,)``
        The second-layer weights ``a``.
    """
    N = check_size("N", N)
    name, values, probs = second_layer_law(second_layer)
    rng = as_generator(seed)
    if name == "gaussian":
        return rng.standard_normal(N) / math.sqrt(N)
    if name == "constant":
        return np.full(N, 1.0 / math.sqrt(N))
    if name == "pm1":
        return np.where(rng.random(N) < 0.5, -1.0, 1.0) / math.sqrt(N)
    return rng.choice(values, size=N, p=probs / probs.sum()) / math.sqrt(N)


def draw_direction(d, seed=None) -> np.ndarray:
    """A uniformly random unit vector ``θ ∈ S^{d−1}``.

    Parameters
    ----------
    d : int >= 1
        Dimension.
    seed : int >= 0, numpy.random.Generator or None, default None
        Source of randomness (``as_generator(seed)``; a Generator is used, and advanced, in place).

    Returns
    -------
    ndarray of float64, shape ``(d,)``
        ``θ = g/‖g‖`` with ``g ~ N(0, I_d)``.
    """
    d = check_size("d", d)
    g = as_generator(seed).standard_normal(d)
    return g / np.linalg.norm(g)


def draw_labels(X, theta, teacher="tanh", noise=0.0, seed=None) -> np.ndarray:
    """``y = σ*(X θ) + ε`` with ``ε ~ N(0, noise)`` (``noise`` = variance ``σ_ε²``).

    The noise is always drawn (even for ``noise = 0``) so that the random
    stream does not depend on the noise level.

    Parameters
    ----------
    X : array_like, shape ``(n, d)``
        Inputs, one sample per row.
    theta : array_like, shape ``(d,)``
        Direction of the single-index target (not normalized here).
    teacher : activation spec, default "tanh"
        ``σ*`` (anything :func:`rmt_spectra.activation` accepts).
    noise : float >= 0, default 0.0
        Variance ``σ_ε²`` of the label noise.
    seed : int >= 0, numpy.random.Generator or None, default None
        Source of randomness (``as_generator(seed)``; a Generator is used, and advanced, in place).

    Returns
    -------
    ndarray of float64, shape ``(n,)``
        The labels ``y_μ = σ*(⟨θ, x_μ⟩) + ε_μ``.
    """
    teach = activation_parameter("teacher", teacher)
    noise = check_nonnegative("noise", noise)
    X = np.asarray(X, dtype=float)
    eps = as_generator(seed).standard_normal(X.shape[0])
    return teach(X @ np.asarray(theta, dtype=float)) + math.sqrt(noise) * eps


def network_output(X, W, a, activation="tanh") -> np.ndarray:
    """``f(x_μ) = (1/√N) Σ_i a_i σ(⟨w_i, x_μ⟩)`` for every row of ``X`` (numpy).

    Parameters
    ----------
    X : array_like, shape ``(n, d)``
        Inputs, one sample per row.
    W : array_like, shape ``(N, d)``
        First layer, one row ``w_i`` per neuron.
    a : array_like, shape ``(N,)``
        Second layer (ValueError unless ``W`` is 2-d and ``a`` has shape ``(N,)``).
    activation : activation spec, default "tanh"
        The student ``σ`` (anything :func:`rmt_spectra.activation` accepts).

    Returns
    -------
    ndarray of float64, shape ``(n,)``
        ``σ(X Wᵀ) a / √N``.
    """
    act = activation_parameter("activation", activation)
    W = np.asarray(W, dtype=float)
    a = np.asarray(a, dtype=float)
    if W.ndim != 2 or a.shape != (W.shape[0],):
        raise ValueError(f"W must be (N, d) and a of shape (N,), got {W.shape} and {a.shape}")
    return act(np.asarray(X, dtype=float) @ W.T) @ a / math.sqrt(W.shape[0])
