r"""The limiting problem of growing steps ([Mon23]; ``06_generalization.md``, [derived]).

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
from ..simulation.network import draw_data, draw_direction, draw_first_layer

__all__ = ["limiting_problem_error", "growing_step_errors"]


def limiting_problem_error(activation, teacher, n, d, N, ridge, ell=1, noise=0.0, *, direction=None, W0=None,
                           n_test=4000, seed=0, intercept=False):
    """Simulated test error of the limiting problem; returns a :class:`rmt_spectra.risk.RidgeTestError`.

    ``direction`` is β (default: the teacher direction θ, the large-``n₀``
    limit of the learned spike); ``W0`` (``N × d``) is drawn when not given;
    ``ridge`` in [Mon23]'s convention; ``intercept`` adds the k = 0 column.
    """
    from ..gaussian import activation as as_activation
    from .ridge import RidgeTestError

    sigma, target = as_activation(activation), as_activation(teacher)
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
    :func:`limiting_problem_error` at ``ell = spike_levels(α)``)."""
    from ..simulation import simulate_one_step
    from .ridge import ridge_test_error

    out = []
    for a in np.atleast_1d(exponents):
        res = simulate_one_step(n, n, d, N, activation=activation, teacher=teacher, noise=noise,
                                second_layer=second_layer, seed=seed, eta_exponent=float(a))
        out.append(ridge_test_error(res, ridge, convention="mon23", n_test=n_test, seed=seed + 7))
    return out
