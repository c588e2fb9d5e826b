r"""The limiting problem of growing steps ([Mon23]; ``docs/theory/generalization.md``, [derived]).

For ``η = n^α`` with ℓ spikes, ridge on the learned features tends to ridge on
the initial features ``F₀ = σ(X̃W₀ᵀ)`` plus **unpenalized** polynomial features
``(X̃β)^{∘k}``, ``k = 1..ℓ``:

``min_{a,b} (1/n)‖ỹ − F₀a/√N − Σ_{k≤ℓ} b_k (X̃β)^{∘k}‖² + λ‖a‖²``  ([Mon23]'s λ convention).

Solved by projecting out the span ``P`` of the polynomial columns:
``a = (Φᵀ M Φ + nλ I)⁻¹ Φᵀ M y`` with ``M = I − P(PᵀP)⁻¹Pᵀ``, ``Φ = F₀/√N``,
then ``b = (PᵀP)⁻¹Pᵀ(y − Φa)``.
"""
from __future__ import annotations

import math

import numpy as np

from .._validation import as_generator, check_int, check_nonnegative, check_size
from ..gaussian.activation import activation_parameter
from ..simulation import simulate_one_step
from ..simulation.network import draw_data, draw_direction, draw_first_layer
from .ridge import RidgeTestError, ridge_test_error

__all__ = ["limiting_problem_error", "growing_step_errors"]


def limiting_problem_error(activation, teacher, n, d, N, ridge, ell=1, noise=0.0, *, direction=None, W0=None,
                           n_test=4000, seed=0, intercept=False):
    """Simulated test error of the limiting problem; returns a :class:`rmt_spectra.risk.RidgeTestError`.

    ``direction`` is β (default: the teacher direction θ, the large-``n₀``
    limit of the learned spike); ``W0`` (``N × d``) is drawn when not given;
    ``ridge`` in [Mon23]'s convention; ``intercept`` adds the k = 0 column.

    Fits ``min_{a,b} (1/n)‖y − Φa − Pb‖² + λ‖a‖²`` on ``n`` fresh samples, ``Φ = σ(XW₀ᵀ)/√N``,
    ``P = [(Xβ)^{∘k}]_{k}`` (module docstring: ``a = (ΦᵀMΦ + nλI)⁻¹ΦᵀMy``, ``M`` the projector
    orthogonal to the columns of ``P``, then ``b`` by least squares on ``y − Φa``), and measures it
    on ``n_test`` further samples of the same target ``y = σ*(⟨θ, x⟩) + ε``.

    Parameters
    ----------
    activation, teacher : activation specs
        Student σ (of ``F₀``) and target σ*.
    n, d, N : int >= 1
        Training samples, input dimension, width.
    ridge : float >= 0
        λ in [Mon23]'s convention (penalty ``λ‖a‖²`` next to the loss ``(1/n)‖·‖²``).
    ell : int >= 0, default 1
        Highest power ``k`` of the unpenalized polynomial columns ``(Xβ)^{∘k}``, ``k = 1..ell``
        (none for 0).
    noise : float >= 0, default 0
        Label-noise variance ``Var ε`` (training and test labels).
    direction : array_like, shape (d,), optional, keyword-only
        β (normalized here); default θ.
    W0 : array_like, shape (N, d), optional, keyword-only
        Initial first layer; default drawn with rows ``N(0, I/d)``.
    n_test : int >= 1, default 4000
        Test points.
    seed : int, Generator or None, default 0
        One stream for θ, ``W₀``, the training set and the test set.
    intercept : bool, default False
        Add the unpenalized constant column (``k = 0``).

    Returns
    -------
    RidgeTestError
        Test error (label noise included), risk, train error and their standard errors;
        its ``ridge`` is the authors' ``nλ``.
    """
    sigma, target = activation_parameter("activation", activation), activation_parameter("teacher", teacher)
    n, d, N = check_size("n", n), check_size("d", d), check_size("N", N)
    ridge = check_nonnegative("ridge", ridge)
    ell = check_int("ell", ell, minimum=0)
    noise = check_nonnegative("noise", noise)
    n_test = check_size("n_test", n_test)
    rng = as_generator(seed)
    theta = draw_direction(d, rng)
    if W0 is None:
        W0 = draw_first_layer(N, d, "gaussian", rng)
    W0 = np.asarray(W0, float)
    beta = theta if direction is None else np.asarray(direction, float) / np.linalg.norm(direction)
    ks = list(range(0 if intercept else 1, ell + 1))

    def design(X):
        Phi = sigma(X @ W0.T) / math.sqrt(N)
        t = X @ beta
        P = np.stack([t**k for k in ks], axis=1) if ks else np.zeros((X.shape[0], 0))
        return Phi, P

    X = draw_data(n, d, rng)
    y = target(X @ theta) + math.sqrt(noise) * rng.standard_normal(n)
    Phi, P = design(X)
    if P.shape[1]:
        Qp, _ = np.linalg.qr(P)
        MPhi = Phi - Qp @ (Qp.T @ Phi)
        My = y - Qp @ (Qp.T @ y)
    else:
        MPhi, My = Phi, y
    A = MPhi.T @ MPhi
    A[np.diag_indices_from(A)] += n * ridge
    a = np.linalg.solve(A, MPhi.T @ My)
    b = np.linalg.lstsq(P, y - Phi @ a, rcond=None)[0] if P.shape[1] else np.zeros(0)
    train = float(np.mean((y - Phi @ a - P @ b) ** 2))
    Xt = draw_data(n_test, d, rng)
    ft = target(Xt @ theta)
    yt = ft + math.sqrt(noise) * rng.standard_normal(n_test)
    Pt_phi, Pt = design(Xt)
    pred = Pt_phi @ a + Pt @ b
    et, er = (yt - pred) ** 2, (ft - pred) ** 2
    return RidgeTestError(test_error=float(et.mean()), risk=float(er.mean()), train_error=train,
                          test_error_se=float(et.std(ddof=1) / math.sqrt(n_test)),
                          risk_se=float(er.std(ddof=1) / math.sqrt(n_test)), n=n, N=N, ridge=float(n * ridge))


def growing_step_errors(activation, teacher, n, d, N, exponents, ridge, noise=0.0, *, seed=0, n_test=4000,
                        second_layer="gaussian"):
    """Simulated one-step networks with ``η = n^α`` for each α in ``exponents`` (``n₀ = n``), ridge readout on
    fresh data in [Mon23]'s convention; returns a list of :class:`RidgeTestError` (compare with
    :func:`limiting_problem_error` at ``ell = spike_levels(α)``).

    Each network is :func:`rmt_spectra.simulate_one_step` with ``n₀ = n`` and
    ``eta_exponent = α`` (features on a fresh sample of size ``n``); the readout is
    :func:`ridge_test_error` with ``convention="mon23"`` and test seed ``seed + 7``.

    Parameters
    ----------
    activation, teacher : activation specs
        Student σ and target σ*.
    n, d, N : int >= 1
        Step batch and readout samples (both ``n``), input dimension, width.
    exponents : float or array_like
        The α of ``η = n^α`` (one network each, all with the same ``seed``).
    ridge : float >= 0
        λ in [Mon23]'s convention.
    noise : float >= 0, default 0
        Label-noise variance.
    seed : int, default 0, keyword-only
        Seed of every simulation (the same network draw at every exponent, so the curves differ only
        by the step); ``seed + 7`` seeds the labels and test set.
    n_test : int >= 1, default 4000
        Test points.
    second_layer : {"gaussian", "constant", "pm1"} or list of (value, probability), default "gaussian"
        Law of the second layer of the simulated network.

    Returns
    -------
    list of RidgeTestError
        One per exponent, in the order of ``exponents``.
    """
    seed = check_int("seed", seed, minimum=0)
    out = []
    for a in np.atleast_1d(exponents):
        res = simulate_one_step(n, n, d, N, activation=activation, teacher=teacher, noise=noise,
                                second_layer=second_layer, seed=seed, eta_exponent=float(a))
        out.append(ridge_test_error(res, ridge, convention="mon23", n_test=n_test, seed=seed + 7))
    return out
