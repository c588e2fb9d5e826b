r"""From one large gradient step to the network-faithful feature model (the structured ``E σ''`` term).

Source: derived for this project; checked against simulations of the updated
network in ``tests/test_network_equivalent.py`` (numbers in the docstring of
:meth:`rmt_spectra.SpikedFeatures.from_one_step`).

The step
--------
With ``a_i = ā_i/√N``, ``η = η̃√N`` and residuals ``r_μ = y_μ − f₀(x_μ)`` on the
batch ``X₀`` (``n₀ × d``), row ``i`` of the first layer moves by
``η̃ ā_i (1/n₀) Σ_μ r_μ σ'(⟨w_i, x_μ⟩) x_μ``. Expanding
``σ'(u) = μ₁ + μ₂ u + h(u)`` (``μ_k = E[σ He_k]``, ``h`` the ``He_{≥2}`` part of ``σ'``,
``v_h = Var σ' − μ₂²``),

.. math:: w_i' = (I + t_i M)\,w_i + η̃ ā_i μ_1 ζ + η̃ ā_i ρ_i,\qquad
          M = \frac{X_0^\top \mathrm{diag}(r) X_0}{n_0},\quad ζ = \frac{X_0^\top r}{n_0},\quad t_i = η̃ μ_2 ā_i,

where ``ρ_i = (1/n₀) Σ_μ r_μ h(⟨w_i, x_μ⟩) x_μ`` is, to leading order, isotropic
noise of variance ``(d/n₀) E[r²] v_h / d`` per coordinate, independent across
neurons. The surrogate sRF model spreads ``μ₂ M w_i`` isotropically too; the
mean-residual correction replaces ``M`` by ``E r · I``. Here ``M`` is kept:

* ``law(M)`` is a weighted sample covariance (:class:`~rmt_spectra.equivalents.WeightedSampleCovariance`)
  of the residual law (:class:`~rmt_spectra.spiked.ResidualLaw`) at ratio ``d/n₀``;
* all ``A_k = I + t_k M`` commute, so in ``M``'s eigenbasis the rows of group ``k``
  (``ā = ā_k``) are Gaussian with diagonal covariance ``τ_k(λ)/d``,

  .. math:: τ_k(λ) = (1 + t_k λ)^2 + c_{ρ,k},\qquad c_{ρ,k} = η̃^2 ā_k^2\,\frac{d}{n_0}\,E[r^2]\,v_h ,

  a variance profile over ``(group, λ)`` that :mod:`rmt_spectra.spiked.bulk` solves;
* the spike ``η̃ ā_k μ₁ ζ`` has strength ``r_k = η̃ ā_k μ₁ ‖ζ‖`` along
  ``ζ̂``, ``‖ζ‖² = μ₁*² + (d/n₀) E r²``, with alignment ``γ = μ₁*/‖ζ‖`` to the target;
* finite size [derived; checked against the simulated step matrix]: the formal support of
  ``law(M)`` ends in a very thin tail (the Gaussian tail of ``r``), far beyond the top
  eigenvalue of any simulated ``M``; since the top of ``τ_k`` sets the right edge of the
  features, the λ-quadrature covers ``[ppf(ε), ppf(1 − ε)]`` with ``ε = 0.1/d`` (an expected
  0.1 eigenvalue of ``M`` beyond each end). Measured (ReLU/ReLU, ``n₀ = 4d``, 3 seeds): top
  eigenvalue of ``M`` 1.64 / 1.68 / 1.62 at d = 1000 (±1 second layer) against
  ``ppf(1 − 10⁻⁴) = 1.643``; constant: 1.05 / 1.01 / 1.21 against 1.065. The cut vanishes as
  ``d → ∞``.
* the pre-activation variance of group ``k`` is ``s_k² = E_λ τ_k(λ)``
  ``= (1 + t_k E r)² + η̃² ā_k² (d/n₀) E r² Var σ'``: the surrogate's ``c_k``
  (the surrogate keeps the variance and loses the shape).

For an odd σ (``μ₂ = 0``) the profile is flat and the model is the surrogate.
A Gaussian second layer is a continuum of groups: Gauss–Hermite nodes in ``ā``
(:func:`~rmt_spectra.simulation.network.second_layer_groups`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .._validation import check_eta_tilde, check_int, check_nonnegative, check_size
from ..equivalents.population import Population
from ..gaussian import activation as as_activation
from ..gaussian import gaussian_expectation, hermite_coefficients
from ..simulation.network import GAUSSIAN_GROUP_NODES, second_layer_groups
from .residual import ResidualLaw

__all__ = ["NetworkStep", "network_step", "row_norm_variance", "LAMBDA_NODES", "SPECTRUM_LAMBDA_NODES"]

#: quadrature nodes of law(M) in the variance profile (checked against twice the nodes in the tests).
LAMBDA_NODES = 96
#: Gauss nodes of the λ rule in the bulk equation of the spectrum (:meth:`NetworkStep.spectrum_profile`):
#: the Gauss rule of the ``LAMBDA_NODES``-node rule, whose interior density it reproduces to ~1e-11
SPECTRUM_LAMBDA_NODES = 24
#: each tail of law(M) beyond the quantile where ``d`` eigenvalues leave an expected count of
#: ``TAIL_COUNT`` is left out of its quadrature (see :func:`network_step`)
TAIL_COUNT = 0.1


@dataclass(frozen=True)
class NetworkStep:
    """The ingredients of the network-faithful model of one step (module docstring).

    Built by :func:`network_step`; every constructor argument is stored as the attribute of the same name.

    Parameters
    ----------
    residual : ResidualLaw
        Law of ``r = y − f₀(x)``.
    step_matrix : WeightedSampleCovariance
        ``law(M)``, ``M = X₀ᵀ diag(r) X₀/n₀``.
    lambda_nodes, lambda_weights : ndarray (L,)
        Quadrature of ``law(M)``.
    a_values, proportions : ndarray (K,)
        Second-layer groups ``ā_k`` and ``π_k``.
    t : ndarray (K,)
        ``t_k = η̃ μ₂ ā_k``.
    c_rho : ndarray (K,)
        Isotropic part ``c_{ρ,k}`` of the row covariance.
    tau : ndarray (K, L)
        ``τ_k(λ_l)``.
    variances : ndarray (K,)
        ``s_k² = E_λ τ_k``.
    spikes : ndarray (K,)
        ``r_k = η̃ ā_k μ₁ ‖ζ‖``.
    zeta_norm, gamma : float
        ``‖ζ‖`` and the alignment ``γ = μ₁*/‖ζ‖``.
    row_norm_variance : ndarray (K,)
        Variance of ``‖w_i'‖²`` across the neurons of group ``k``, apart from its part along
        ``b_i = ⟨w_i, ζ̂⟩`` (:func:`row_norm_variance`).
    norm_b_coupling : ndarray (K,)
        ``‖w_i'⊥‖²`` moves by ``2η̃ā_k μ₃ ‖ζ‖ b_i`` with ``b_i`` (``μ₃ = E σ'''``).
    info : dict, optional
        Diagnostics (not compared): ``eta_tilde``, ``mu1``, ``mu2``, ``var_dsigma`` (``Var σ'``), ``v_h``,
        ``gamma0`` (``d/n₀``), ``mean_residual``, ``residual_second_moment``, ``lambda_mass_error``
        (``|Σ ω_l − 1|``), ``finite_width_variance``.

    Attributes
    ----------
    groups : list of (r_k, π_k)
        The spiked groups as :class:`~rmt_spectra.SpikedFeatures` takes them.
    """

    residual: object
    step_matrix: object
    lambda_nodes: np.ndarray
    lambda_weights: np.ndarray
    a_values: np.ndarray
    proportions: np.ndarray
    t: np.ndarray
    c_rho: np.ndarray
    tau: np.ndarray
    variances: np.ndarray
    spikes: np.ndarray
    zeta_norm: float
    gamma: float
    row_norm_variance: np.ndarray
    norm_b_coupling: np.ndarray
    info: dict = field(default_factory=dict, compare=False)

    @property
    def groups(self):
        """``[(r_k, π_k)]`` as :class:`~rmt_spectra.SpikedFeatures` takes them."""
        return [(float(r), float(p)) for r, p in zip(self.spikes, self.proportions)]

    def row_covariance(self, lam):
        """``τ_k(λ) = (1 + t_k λ)² + c_{ρ,k}`` at the points ``lam``, shape ``(K, len(lam))``."""
        lam = np.asarray(lam, float)
        return (1.0 + self.t[:, None] * lam[None, :]) ** 2 + self.c_rho[:, None]

    def spectrum_profile(self, n_nodes=SPECTRUM_LAMBDA_NODES):
        """The variance profile of the bulk equation: ``τ_k`` on the ``n_nodes``-point Gauss rule of the λ rule.

        The Gauss rule (:meth:`~rmt_spectra.equivalents.Population.gauss_rule`) has the moments of the
        ``LAMBDA_NODES`` rule up to order ``2·n_nodes − 1``; the bulk equation's λ-averages are
        analytic in λ, so 24 nodes reproduce the density of the 96-node rule to ~1e-11 inside the
        support at a quarter of the cost. The support edges differ by a few 1e-4 (relative): the
        λ rule ends where the tails of ``law(M)`` are cut, and the edges feel that cut; the θ rule and
        the Gauss rule resolve it differently, both well inside the finite-size uncertainty of the cut.
        The risk keeps the full rule (its direction weights are densities at the nodes).

        Returns
        -------
        VarianceProfile
        """
        from .profile import VarianceProfile

        rule = Population(self.lambda_nodes, self.lambda_weights, signed=True).gauss_rule(n_nodes)
        return VarianceProfile(self.row_covariance(rule.atoms), rule.weights, rule.atoms)


def network_step(activation, teacher, eta_tilde, n0, d, noise=0.0, second_layer="constant", *, N=None,
                 lambda_nodes=LAMBDA_NODES, gaussian_nodes=None, residual=None, zeta_norm=None) -> NetworkStep:
    """The network-faithful model of one step ``η = η̃√N`` on ``n0`` samples (module docstring).

    Parameters
    ----------
    activation, teacher : activation specs
        Student σ and target σ* (the teacher, like ``noise``, only enters the residual law at
        initialization: unused when ``residual`` is given).
    eta_tilde : float in [0, MAX_ETA_TILDE]
        The step ``η̃ = η/√N``.
    n0, d : int >= 1
        Step batch and input dimension.
    noise : float >= 0
        Label-noise variance.
    second_layer : "constant", "pm1", "gaussian" or list of (value, probability)
        Law of ``ā`` (``a_i = ā_i/√N``): one group per atom of positive probability; Gaussian:
        ``gaussian_nodes`` Gauss–Hermite nodes in ``ā``, truncated to the ``|ā|`` range of ``N`` neurons
        when ``N`` is given (:func:`~rmt_spectra.simulation.network.second_layer_groups`).
    N : int, optional
        Width: the finite-width variance of ``f₀`` is computed and reported in ``info``
        (:meth:`ResidualLaw.at_initialization`).
    lambda_nodes : int >= 8
        Quadrature nodes of ``law(M)`` (default :data:`LAMBDA_NODES`); each tail beyond the quantile
        where ``d`` eigenvalues leave an expected ``TAIL_COUNT = 0.1`` is left out. Unused (one node at
        ``E r``) when ``μ₂ = 0``.
    gaussian_nodes : int >= 2, optional
        Gauss–Hermite nodes in ``ā`` for a Gaussian second layer (default ``GAUSSIAN_GROUP_NODES`` = 8).
    residual : ResidualLaw, optional
        A given law of the residual (e.g. :meth:`ResidualLaw.from_samples` of one simulated
        batch) instead of the one at initialization.
    zeta_norm : float >= 0, optional
        A given ``‖ζ‖`` (e.g. the realized one) instead of ``√(μ₁*² + (d/n₀) E r²)``.

    Returns
    -------
    NetworkStep
        With ``t_k = η̃ μ₂ ā_k``, ``c_{ρ,k} = η̃² ā_k² (d/n₀) E[r²] v_h``,
        ``τ_k(λ) = (1 + t_k λ)² + c_{ρ,k}`` at the λ nodes, ``s_k² = Σ_l ω_l τ_k(λ_l)``,
        ``r_k = η̃ ā_k μ₁ ‖ζ‖``, ``γ = μ₁*/‖ζ‖`` (0 when ``‖ζ‖ = 0``), the row-norm terms of
        :func:`row_norm_variance` and ``norm_b_coupling = 2η̃ā_k μ₃ ‖ζ‖``. [derived here; checked against
        the simulated network in ``tests/test_network_equivalent.py``]
    """
    sigma = as_activation(activation)
    eta_tilde = check_eta_tilde(eta_tilde)
    n0, d = check_size("n0", n0), check_size("d", d)
    lambda_nodes = check_int("lambda_nodes", lambda_nodes, minimum=8)
    a_values, proportions = second_layer_groups(second_layer, gaussian_nodes or GAUSSIAN_GROUP_NODES, width=N)
    if residual is None:
        residual = ResidualLaw.at_initialization(sigma, teacher, noise=noise, second_layer=second_layer,
                                                 N=N, d=None if N is None else d)
    mu = hermite_coefficients(sigma, 2)
    mu1, mu2 = float(mu[1]), float(mu[2])
    derivative = sigma.derivative(1)
    var_dsigma = max(float(gaussian_expectation(lambda x: derivative(x) ** 2, kinks=sigma.kinks)) - mu1**2, 0.0)
    v_h = max(var_dsigma - mu2**2, 0.0)
    gamma0 = d / n0
    m2 = residual.second_moment
    t = eta_tilde * mu2 * a_values
    c_rho = eta_tilde**2 * a_values**2 * gamma0 * m2 * v_h
    if np.any(t != 0.0):
        law_M = residual.step_matrix(n0, d)
        pop = Population.from_law(law_M, n_nodes=lambda_nodes, signed=True, tail_mass=TAIL_COUNT / d)
        lam, omega = pop.atoms, pop.weights
    else:  # no E σ'' term: M does not enter (one node at its mean keeps the code path uniform)
        law_M = residual.step_matrix(n0, d)
        lam, omega = np.array([residual.mean]), np.ones(1)
    tau = (1.0 + t[:, None] * lam[None, :]) ** 2 + c_rho[:, None]  # NetworkStep.row_covariance
    variances = tau @ omega
    if zeta_norm is None:
        zeta_norm = math.sqrt(residual.linear**2 + gamma0 * m2)
    zeta_norm = check_nonnegative("zeta_norm", zeta_norm)
    spikes = eta_tilde * a_values * mu1 * zeta_norm
    gamma = residual.linear / zeta_norm if zeta_norm > 0 else 0.0
    info = {"eta_tilde": eta_tilde, "mu1": mu1, "mu2": mu2, "var_dsigma": var_dsigma, "v_h": v_h, "gamma0": gamma0,
            "mean_residual": residual.mean, "residual_second_moment": m2,
            "lambda_mass_error": abs(float(omega.sum()) - 1.0),
            "finite_width_variance": getattr(residual, "finite_width_variance", 0.0)}
    norm_variance, mu3 = row_norm_variance(sigma, residual, eta_tilde, a_values, n0, d)
    coupling = 2.0 * eta_tilde * a_values * mu3 * zeta_norm
    return NetworkStep(residual=residual, step_matrix=law_M, row_norm_variance=norm_variance,
                       norm_b_coupling=coupling, lambda_nodes=lam, lambda_weights=omega,
                       a_values=a_values, proportions=proportions, t=t, c_rho=c_rho, tau=tau, variances=variances,
                       spikes=spikes, zeta_norm=zeta_norm, gamma=gamma, info=info)


def row_norm_variance(activation, residual, eta_tilde, a_values, n0, d):
    r"""Variance of the squared row norm ``‖w_i'‖²`` across the neurons of each group after the step.

    [derived; checked against the simulated step in the tests: σ = He₁ + He₂/2 + He₃/6, ā = ±1,
    η̃ = 0.4, d = N = 1000, n₀ = 2000, 3 seeds: residual variance of ``‖w_i'⊥‖²`` after regressing
    on ``b_i`` 0.00245–0.00280 against 0.00245, slope 0.54–0.72 against 0.60]. With ``g_μ = ⟨w_i, x_μ⟩``,
    ``φ(g) = σ'(g) g`` and ``‖w_i‖² = 1 + ε_i`` (``Var ε = 2/d``),

    .. math:: ‖w_i'‖^2 = ‖w_i‖^2 + 2η̃ā_k\,\frac1{n_0}\sum_μ r_μ φ(g_μ) + η̃^2ā_k^2‖G_i‖^2,

    The ``He₁`` part of ``φ`` gives ``E[φg] ⟨w_i, ζ⟩``: along ``ζ̂`` it is the cross term
    ``2r_k b_i`` of ``⟨w_i', ζ̂⟩²``, and the rest, ``2η̃ā_k μ₃‖ζ‖ b_i`` (``μ₃ = E[φg] − μ₁ = Eσ'''``),
    moves the orthogonal norm with ``b_i`` (returned as ``μ₃``). The remaining fluctuation is

    .. math:: \frac2d\big(1 + η̃ā_k E r\,E[φ He_2]\big)^2
              + \frac{4η̃^2ā_k^2 E r^2}{n_0}\big(\operatorname{Var}φ - (Eφg)^2\big)
              + \frac2d\Big(η̃^2ā_k^2\frac d{n_0}E r^2 \operatorname{Var}σ'\Big)^2 .

    The isotropic model of the same rows (covariance ``τ_k/d``) gives ``2E τ_k²/d``, close to
    it in the cases measured (0.00245 above); the formula keeps the sampled part explicit.

    Parameters
    ----------
    activation : Activation
        Student σ, already an :class:`~rmt_spectra.gaussian.Activation` (its ``derivative`` and ``kinks``
        are used; specs are not converted here).
    residual : ResidualLaw
        Law of ``r = y − f₀(x)`` (its ``mean`` and ``second_moment``).
    eta_tilde : float >= 0
        The step ``η̃``.
    a_values : array_like (K,)
        Second-layer values ``ā_k`` of the groups.
    n0, d : int >= 1
        Step batch and input dimension.

    Returns
    -------
    variance : ndarray (K,)
        The remaining fluctuation above, per group.
    mu3 : float
        ``μ₃ = E[φg] − μ₁ = E σ'''`` (the coupling of the orthogonal norm to ``b_i``).
    """
    sigma = activation
    d1 = sigma.derivative(1)
    kinks = sigma.kinks

    def phi(x):
        return d1(x) * x

    e_phi = float(gaussian_expectation(phi, kinks=kinks))
    e_phi2 = float(gaussian_expectation(lambda x: phi(x) ** 2, kinks=kinks))
    e_phig = float(gaussian_expectation(lambda x: phi(x) * x, kinks=kinks))
    e_phihe2 = float(gaussian_expectation(lambda x: phi(x) * (x * x - 1.0), kinks=kinks))
    mu1 = float(gaussian_expectation(d1, kinks=kinks))
    var_d1 = max(float(gaussian_expectation(lambda x: d1(x) ** 2, kinks=kinks)) - mu1**2, 0.0)
    m1, m2 = residual.mean, residual.second_moment
    a2 = np.asarray(a_values, float) ** 2
    scale = (1.0 + eta_tilde * np.asarray(a_values, float) * m1 * e_phihe2) ** 2
    sampled = 4.0 * eta_tilde**2 * a2 * m2 * max(e_phi2 - e_phi**2 - e_phig**2, 0.0) / n0
    isotropic = (eta_tilde**2 * a2 * (d / n0) * m2 * var_d1) ** 2
    return 2.0 * (scale + isotropic) / d + sampled, e_phig - mu1
