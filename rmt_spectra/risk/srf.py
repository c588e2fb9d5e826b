r"""The public risk of ridge regression on the features after one step: :func:`srf_test_error`
(surrogate or network-faithful model of the step) and :func:`srf_test_error_from_parameters`.

They validate their input once, map the step to a model of the updated first layer, and call the
saddle-point solver of :mod:`rmt_spectra.risk.saddle_point` (one group), or
:mod:`rmt_spectra.risk.profile` (several groups, variance profiles).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validation import as_generator, check_nonnegative, check_positive, check_real, check_size
from ..gaussian.activation import activation_parameter
from ..simulation.network import draw_first_layer
from ..solvers.policy import check_on_failure
from ..spiked.network import LAMBDA_NODES, network_step
from ..spiked.parameters import spiked_parameters
from .points import check_alpha as _check_alpha
from .profile import DIRECTIONS, RowModel, profile_test_error
from .saddle_point import HAT_NAMES, ORDER_NAMES, solve_curve
from .tables import MIN_KAPPA, N_KAPPA, N_SPECTRAL, kappa_table, mp_spectral_table, realized_spectral_table

__all__ = ["SRFResult", "SRF_METHODS", "SRF_MODELS", "srf_test_error", "srf_test_error_from_parameters"]

SRF_METHODS = ("deterministic", "realized")


@dataclass
class SRFResult:
    """Full output of :func:`srf_test_error` (arrays over ``alpha``).

    ``test_error`` includes the label noise; ``risk = test_error − noise`` is
    ``E(f*(x) − f̂(x))²``.  ``order`` maps :data:`ORDER_NAMES` and
    :data:`HAT_NAMES` to arrays; ``alpha_int = alpha / width_ratio = n/N``.

    Parameters
    ----------
    alpha : ndarray
        ``n/d`` as given (shape ``A``, ``()`` for a scalar).
    alpha_int : ndarray (A)
        ``n/N``, where the equations are solved.
    test_error : ndarray (A)
        ``ε_g`` including the label noise (NaN where a point failed).
    risk : ndarray (A)
        ``test_error − noise``.
    order : dict of str to ndarray (A)
        The order parameters ``q1, q2, V1, V2, theta, psi, m`` and the hats
        ``qhat1, qhat2, Vhat1, Vhat2, thetahat, psihat`` (module docstring of
        :mod:`rmt_spectra.risk.saddle_point`).
    residual : ndarray (A)
        Max-norm of the 7-component residual at the solution.
    iterations : ndarray (A)
        Iterations of the (V₁, V₂) solve.
    converged : ndarray (A) of bool
        Convergence flags (:func:`~rmt_spectra.risk.saddle_point.solve_saddle_point`).
    spike, bulk_variance, gamma : float
        ``r``, ``c`` and ``γ`` of the sRF model.
    method : {"deterministic", "realized"}
        The spectral inputs used.
    """

    alpha: np.ndarray
    alpha_int: np.ndarray
    test_error: np.ndarray
    risk: np.ndarray
    order: dict
    residual: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    spike: float
    bulk_variance: float
    gamma: float
    method: str


def _check_method(method):
    if method not in SRF_METHODS:
        raise ValueError(f"method must be one of {SRF_METHODS}, got {method!r}")
    return method


def srf_test_error_from_parameters(activation, teacher, spike, bulk_variance, gamma, alpha, ridge, width_ratio=1.0,
                                   noise=0.0, method="deterministic", *, W0=None, seed=None, d=None,
                                   full_output=False, tol=1e-12, max_iter=100, n_kappa=N_KAPPA,
                                   n_spectral=N_SPECTRAL, on_failure="warn"):
    r"""Asymptotic ridge test error of the sRF model ``σ(√c W₀x + rκ1)`` from ``(r, c, γ)`` directly.

    Same parameters as :func:`srf_test_error`, with ``spike = r``,
    ``bulk_variance = c``, ``gamma = γ`` in place of ``(eta_tilde, alpha0)``.

    Parameters
    ----------
    activation, teacher : activation specs
        Student σ and target σ* (``y = σ*(⟨θ,x⟩) + ε``).
    spike : float
        ``r``, the spike strength along ``κ = ⟨v̂, x⟩`` (any finite real).
    bulk_variance : float > 0
        ``c``, the variance of the bulk pre-activations.
    gamma : float in [-1, 1]
        ``γ = ⟨v̂, θ⟩``.
    alpha : float or 1-d array, > 0
        ``n/d``; the equations are solved at ``n/N = alpha / width_ratio``, with warm
        starts along increasing alpha.
    ridge : float > 0
        λ of ``Σ_μ (y_μ − w·φ(x_μ)/√N)² + λ‖w‖²`` (the authors' convention).
    width_ratio : float > 0, default 1
        ``N/d`` (for ``method="realized"``, replaced by the shape of ``W₀``).
    noise : float >= 0, default 0
        Label-noise variance (in the readout only: the model is given directly).
    method : {"deterministic", "realized"}
        Marchenko–Pastur spectral inputs, or the eigenpairs of ``Ω = cW₀ΠW₀ᵀ`` for a
        realized ``W₀`` (:func:`srf_test_error`).
    W0 : array_like, shape (N, d), optional, keyword-only
        ``method="realized"``: the first layer (finite).
    seed : int, Generator or None, keyword-only
        ``method="realized"``: draws ``W₀`` (with ``d``) and the directions of the realized table.
    d : int >= 1, optional, keyword-only
        ``method="realized"`` without ``W0``: input dimension of the drawn ``W₀``
        (``N = round(width_ratio·d)``).
    full_output : bool, default False, keyword-only
        Return an :class:`SRFResult`.
    tol : float > 0, default 1e-12, keyword-only
        Tolerance of the (V₁, V₂) solve.
    max_iter : int >= 1, default 100, keyword-only
        Iteration cap of the (V₁, V₂) solve.
    n_kappa : int >= 32, default 121, keyword-only
        Nodes of the κ rule.
    n_spectral : int >= 1, default 600, keyword-only
        Nodes of the Marchenko–Pastur quadrature (``method="deterministic"``).
    on_failure : {"warn", "raise", "ignore"}, keyword-only
        Policy for a point that does not converge or has a negative risk
        (:func:`rmt_spectra.risk.points.settle_point`).

    Returns
    -------
    float or ndarray or SRFResult
        ``ε_g = E(y − f̂(x))²`` including the label noise (shape of ``alpha``), or the
        :class:`SRFResult` with ``full_output=True``.
    """

    sigma, target = activation_parameter("activation", activation), activation_parameter("teacher", teacher)
    spike = check_real("spike", spike)
    c = check_positive("bulk_variance", bulk_variance)
    gamma = check_real("gamma", gamma)
    if abs(gamma) > 1:
        raise ValueError(f"gamma must lie in [-1, 1], got {gamma}")
    a = _check_alpha(alpha)
    ridge = check_positive("ridge", ridge)
    beta = check_positive("width_ratio", width_ratio)
    noise = check_nonnegative("noise", noise)
    method = _check_method(method)
    on_failure = check_on_failure(on_failure)
    tol = check_positive("tol", tol)
    max_iter = check_size("max_iter", max_iter)
    n_kappa = check_size("n_kappa", n_kappa)
    if n_kappa < MIN_KAPPA:
        raise ValueError(f"n_kappa must be >= {MIN_KAPPA} (nodes of the κ rule), got {n_kappa}")
    n_spectral = check_size("n_spectral", n_spectral)

    kt = kappa_table(sigma, target, spike, c, gamma, noise, n_kappa)
    if method == "deterministic":
        if W0 is not None or d is not None:
            raise ValueError("W0 and d are only used with method='realized'")
        st = mp_spectral_table(beta, c, n_spectral)
    else:
        if W0 is None:
            if d is None:
                raise ValueError("method='realized' needs W0 (an N x d array) or d (with seed) to draw one")
            d = check_size("d", d)
            N = max(1, int(round(beta * d)))
            rng = as_generator(seed)
            W0 = draw_first_layer(N, d, "gaussian", rng)
        else:
            W0 = np.asarray(W0, dtype=float)
            if W0.ndim != 2 or not np.all(np.isfinite(W0)):
                raise ValueError(f"W0 must be a finite N x d array, got shape {W0.shape}")
            beta = W0.shape[0] / W0.shape[1]
            rng = as_generator(seed)
        st = realized_spectral_table(W0, c, seed=rng)
        beta = W0.shape[0] / W0.shape[1]
    order = np.argsort(a.ravel(), kind="stable")
    a_int = a.ravel() / beta
    sols_sorted = solve_curve(a_int[order], ridge, kt, st, tol=tol, max_iter=max_iter, on_failure=on_failure)
    sols = [None] * a_int.size
    for i, s in zip(order, sols_sorted):
        sols[i] = s
    err = np.array([s.test_error for s in sols]).reshape(a.shape)
    if not full_output:
        return float(err) if err.ndim == 0 else err
    names = ORDER_NAMES + HAT_NAMES
    vals = np.array([np.concatenate([s.x, s.hats]) for s in sols])
    return SRFResult(
        alpha=a, alpha_int=a / beta, test_error=err, risk=err - noise,
        order={k: vals[:, i].reshape(a.shape) for i, k in enumerate(names)},
        residual=np.array([s.residual for s in sols]).reshape(a.shape),
        iterations=np.array([s.iterations for s in sols]).reshape(a.shape),
        converged=np.array([s.converged for s in sols]).reshape(a.shape),
        spike=spike, bulk_variance=c, gamma=gamma, method=method,
    )


#: models of the first layer after the step accepted by :func:`srf_test_error`.
SRF_MODELS = ("surrogate", "network")
#: ``d`` used by ``model="network"`` when none is given (the step matrix's λ rule and the
#: finite-width residual depend on it only through ``O(1/d)`` and a slowly moving tail cut).
NETWORK_DEFAULT_D = 1000


def _is_constant(second_layer):
    return isinstance(second_layer, str) and second_layer.strip().lower() == "constant"


def srf_test_error(activation, teacher, eta_tilde, alpha0, alpha, ridge, width_ratio=1.0, noise=0.0,
                   method="deterministic", *, second_layer="constant", model="surrogate", W0=None, seed=None,
                   d=None, full_output=False, tol=1e-12, max_iter=100, n_kappa=N_KAPPA, n_spectral=N_SPECTRAL,
                   on_failure="warn", gaussian_nodes=None, lambda_nodes=None, directions="structured"):
    r"""Asymptotic test error of ridge regression on the features after one large step.

    The step (``η = η̃√N``, ``n₀ = α₀d`` samples, ``a_i = ā_i/√N``) is mapped to a
    model of the updated first layer, then the ridge saddle-point equations are solved:

    * ``model="surrogate"`` (default): the isotropic spiked random-features (sRF)
      model of [Cui24] (:func:`rmt_spectra.spiked.spiked_parameters`, with the
      mean-residual correction). A constant second layer gives one group and the
      equations of this module (``method="deterministic"`` or ``"realized"``); any
      other second layer gives one group per value of ``ā`` (spike ``r ā_k``,
      variance ``c_k``), solved deterministically by
      :func:`rmt_spectra.risk.profile.profile_test_error` with one λ node.
    * ``model="network"``: the network-faithful model of
      :func:`rmt_spectra.spiked.network_step` — rows ``(I + t_kM)w_i`` + isotropic
      noise + spike, i.e. a variance profile ``τ_k(λ)`` over the spectrum of the step
      matrix ``M`` — with the spike and target directions placed in ``M``'s eigenbasis
      (:func:`rmt_spectra.risk.profile.step_directions`), solved by
      :func:`~rmt_spectra.risk.profile.profile_test_error` [derived; checked against
      ridge on the simulated network].

    Parameters
    ----------
    activation, teacher : activation specs
        Student σ and target σ* (``y = σ*(⟨θ,x⟩) + ε``).
    eta_tilde : float >= 0
        Step size in units of √N.
    alpha0 : float >= 0
        ``n₀/d`` (0: random features at initialization).
    alpha : float or 1-d array, > 0
        ``n/d``, samples of the ridge readout per input dimension. The
        equations are solved at ``n/N = alpha / width_ratio`` (the "α" of the
        authors' code, where ``N = d``); warm starts run along increasing alpha.
    ridge : float > 0
        λ of ``Σ_μ (y_μ − w·σ(W₁x_μ)/√N)² + λ‖w‖²`` (the authors' convention;
        [Ba22]'s ``(1/n)‖y − Φa‖² + (λ_B/N)‖a‖²`` is ``λ = λ_B n/N``).
    width_ratio : float > 0
        ``N/d``.
    noise : float >= 0
        Label-noise variance (enters the step and the readout).
    method : {"deterministic", "realized"}
        ``"deterministic"``: Marchenko–Pastur spectral inputs
        (``λ_j ~ c·MP(N/d)``, ``F_j → (N/d)c``, ``H_j → (N/d)λ_j``);
        ``"realized"``: the eigenpairs of ``Ω = cW₀ΠW₀ᵀ`` for a given ``W0``
        (``N × d``; then ``width_ratio`` is taken from its shape), or for one drawn
        from ``seed`` with ``d`` (and ``N = round(width_ratio·d)``), as in the authors' code.
        ``"realized"`` exists for the surrogate with a constant second layer only.
    second_layer : "constant", "pm1", "gaussian" or list of (value, probability), keyword-only
        Law of ``ā`` (``a_i = ā_i/√N``); a Gaussian second layer is a continuum of
        groups, represented by ``gaussian_nodes`` Gauss–Hermite nodes in ``ā``.
    model : {"surrogate", "network"}, keyword-only
        The model of the first layer after the step (above).
    W0, seed : keyword-only, for ``method="realized"``.
    d : int, keyword-only
        ``method="realized"``: the input dimension of the drawn ``W₀``.
        ``model="network"``: the input dimension of the network (default
        :data:`NETWORK_DEFAULT_D`): ``n₀ = round(α₀d)``, ``N = round(width_ratio·d)``;
        it sets the finite-width part of the residual law and where the step
        matrix's spectrum is cut (the extreme eigenvalues of a ``d × d`` matrix). The
        dependence on ``d`` is weak (ReLU/ReLU, η̃ = 3: 2e-4 between d = 500 and 2000).
    full_output : bool, keyword-only
        Return an :class:`SRFResult` (one group, surrogate) or a
        :class:`~rmt_spectra.risk.profile.ProfileRiskResult` (otherwise): order
        parameters, residuals, iterations, converged flags, ``risk`` = error − noise.
    tol, max_iter, n_kappa, n_spectral : solver settings
        Newton tolerance, iteration cap, Gauss–Hermite nodes in κ, MP nodes
        (``max_iter`` and ``n_spectral``: the one-group surrogate only).
    on_failure : {"warn", "raise", "ignore"}
        A point that does not converge, or whose risk is negative, is returned as NaN with a
        ``ConvergenceWarning`` (``"warn"``), raises ``RuntimeError`` (``"raise"``) or is NaN silently
        (``"ignore"``; :func:`rmt_spectra.risk.points.settle_point`).
    gaussian_nodes : int, optional
        Gauss–Hermite nodes in ``ā`` for ``second_layer="gaussian"``.
    lambda_nodes : int, optional
        ``model="network"``: quadrature nodes of the step matrix's spectrum.
    directions : {"structured", "generic"}
        ``model="network"``: the spike and target directions as they sit in the step
        matrix (default), or delocalized in its eigenbasis (a diagnostic: that is the
        model the feature *spectrum* sees, and it does not reproduce the risk).

    Returns
    -------
    float or ndarray
        ``ε_g = E(y − f̂(x))²`` **including** the label noise (shape of ``alpha``).

    Notes
    -----
    Measured against ridge on the simulated network (ReLU/ReLU and softplus/tanh,
    ``η̃ ∈ {1, 3}``, ``n₀ = 4d``, ``N = d``, ``λ = 0.1``, ``n/d ∈ {0.5, 1, 2}``,
    constant and ±1 second layers, ``d = 500, 1000, 2000``): the surrogate is off by up
    to 0.014 (6 %, up to 15 standard errors) wherever ``E σ'' ≠ 0`` meets a residual
    with ``E[r He₂(g)] ≠ 0`` or ``E r ≠ 0`` (ReLU teacher; softplus with a constant
    second layer), and the gap does not shrink with ``d``; ``model="network"`` is
    within 2.2 standard errors at ``d = 2000`` in all of them.
    """
    if model not in SRF_MODELS:
        raise ValueError(f"model must be one of {SRF_MODELS}, got {model!r}")
    if directions not in DIRECTIONS[:2]:
        raise ValueError(f"directions must be one of {DIRECTIONS[:2]}, got {directions!r}")
    _check_method(method)
    if model == "surrogate" and _is_constant(second_layer) and gaussian_nodes is None:
        if lambda_nodes is not None:
            raise ValueError("lambda_nodes is only used with model='network'")
        p = spiked_parameters(activation, teacher, eta_tilde, alpha0, noise=noise, second_layer="constant")
        return srf_test_error_from_parameters(
            activation, teacher, p.r, p.bulk_variance, p.gamma, alpha, ridge, width_ratio, noise, method, W0=W0,
            seed=seed, d=d, full_output=full_output, tol=tol, max_iter=max_iter, n_kappa=n_kappa,
            n_spectral=n_spectral, on_failure=on_failure)

    if method != "deterministic":
        raise ValueError("method='realized' exists only for model='surrogate' with a constant second layer "
                         "(srf_test_error_groups is the realized several-group solver at large batch)")
    if W0 is not None or seed is not None:
        raise ValueError("W0 and seed are only used with method='realized'")
    beta = check_positive("width_ratio", width_ratio)
    noise = check_nonnegative("noise", noise)
    if model == "surrogate":
        if d is not None or lambda_nodes is not None:
            raise ValueError("d and lambda_nodes are only used with model='network' (or method='realized')")
        p = spiked_parameters(activation, teacher, eta_tilde, alpha0, noise=noise, second_layer=second_layer,
                              gaussian_nodes=gaussian_nodes)
        rows = RowModel.isotropic(p.groups, p.group_variances, p.gamma)
    else:
        alpha0 = check_positive("alpha0", alpha0)
        if math.isinf(alpha0):
            raise ValueError("model='network' needs a finite alpha0 = n0/d (at n0/d = inf use model='surrogate')")
        d = NETWORK_DEFAULT_D if d is None else check_size("d", d)
        n0 = max(1, int(round(alpha0 * d)))
        N = max(1, int(round(beta * d)))
        step = network_step(activation, teacher, eta_tilde, n0, d, noise=noise, second_layer=second_layer, N=N,
                            lambda_nodes=lambda_nodes or LAMBDA_NODES, gaussian_nodes=gaussian_nodes)
        rows = RowModel.from_step(step, directions=directions)
    return profile_test_error(activation, teacher, rows, alpha, ridge, beta, noise, full_output=full_output,
                              tol=tol, n_kappa=n_kappa, on_failure=on_failure)
