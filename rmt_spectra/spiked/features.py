r"""Deterministic equivalent of the feature covariance ``Σ̂ = FᵀF/n`` after one large step.

Two models of the updated first layer, one equation (:mod:`rmt_spectra.spiked.bulk`),
one solver (:mod:`rmt_spectra.solvers`):

``model="network"`` (default of :meth:`SpikedFeatures.from_one_step`)
    the network-faithful model of :mod:`rmt_spectra.spiked.network`: rows
    ``(I + t_k M) w_i`` plus isotropic noise plus the spike, i.e. a variance profile
    ``τ_k(λ)`` over the spectrum of the step matrix ``M``. Derived here; verified
    against the simulated network.
``model="surrogate"``
    the isotropic spiked random-features (sRF) model ``σ(√c_k W₀x + r_k κ)`` of
    [Cui24]/[Dan24] (:func:`~rmt_spectra.spiked.spiked_parameters`): exact when the
    step's batch is large (``n₀/d → ∞``) or σ is odd, and what the surrogate
    simulator :func:`~rmt_spectra.spiked.simulate_spiked_features` draws.

Conditionally on κ a feature of group ``k`` is ``μ_{0,k}(κ) + μ_{1,k}(κ) ⟨v_i, x_⊥⟩ +
μ_{⋆,k}(κ) ξ_i`` with the shifted Gaussian coefficients at shift ``r_kκ`` and
variance ``s_k²`` (the row norm²); the bulk equation, its unknowns and its
derivation are in :mod:`rmt_spectra.spiked.bulk`. The κ-average is the fixed rule
:func:`~rmt_spectra.spiked.kappa.kappa_rule`, built once in the constructor, on the range
``|κ| ≤ L`` that ``n`` samples populate (``n·P(|κ| > L) = 0.1``).

Edges: the folds of the real solution branch (:func:`rmt_spectra.solvers.fold_edge`),
walking the Stieltjes transform from ``x = ±∞`` towards the bulk (for the left
edge when ``N ≥ n``, the transform of the ``n × n`` Gram matrix, which has no pole
at 0); the physical branch keeps ``1 + δ(κ) > 0`` at every node.

Outliers: :mod:`rmt_spectra.spiked.outliers` (the O(N) mean outliers, and the
O(1) b-direction condition, which has no root in the settings studied).
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .._validation import (
    as_complex_array,
    as_real_array,
    check_eta_tilde,
    check_int,
    check_nonnegative,
    check_positive,
    check_size,
)
from ..gaussian import activation as as_activation
from ..gaussian import gaussian_moments
from ..simulation import simulate_one_step
from ..solvers import solve_on_support, solve_upper
from ..solvers.policy import full_output_flag
from ..spectrum import Spectrum
from .bulk import MixtureEquation
from .edges import SMALL_X, bulk_intervals, fold_left_edge, fold_right_edge
from .kappa import KAPPA_NODES, kappa_rule
from .network import LAMBDA_NODES, network_step
from .outliers import find_outliers, mean_outlier_matrix, outlier_condition
from .parameters import spiked_parameters
from .profile import VarianceProfile
from .residual import ResidualLaw
from .surrogate import normalize_groups, simulate_spiked_features
from .validity import VALIDITY, check_validity

__all__ = ["SpikedFeatures", "VarianceProfile", "MODELS", "VALIDITY", "check_validity",
           "gaussian_sample_norm_variance"]

#: the models of :meth:`SpikedFeatures.from_one_step`.
MODELS = ("network", "surrogate")
#: Newton tolerance on the relative residual.
TOL = 1e-12


def gaussian_sample_norm_variance(d):
    """``Var(‖x‖²/d) = 2/d`` for ``x ~ N(0, I_d)`` (capped at 0.2 for tiny ``d``)."""
    return min(2.0 / d, 0.2)


class SpikedFeatures(Spectrum):
    r"""Deterministic equivalent of ``Σ̂ = FᵀF/n`` (``N × N``) for features after one step.

    Parameters
    ----------
    activation : activation spec (see :func:`rmt_spectra.activation`)
    n, d, N : int
        Samples, input dimension, width.
    spike : float, optional
        ``r`` for one group.
    groups : list of (r_k, π_k), optional
        e.g. ``[(2, 0.5), (-2, 0.5)]`` for ``ā = ±1`` at ``r = 2``. Exactly one of
        ``spike`` and ``groups``.
    bulk_variance : float > 0
        ``c``, the variance of the bulk pre-activations (isotropic rows ``√c W₀``).
    group_variances : array_like (K,), optional
        One ``c_k`` per group instead of ``bulk_variance``.
    profile : VarianceProfile, optional
        Anisotropic rows (the network-faithful model); then the group variances are
        ``E_λ τ_k`` and ``bulk_variance``/``group_variances`` must be left out.
    kappa_nodes : int
        Nodes of the κ-average (default :data:`~rmt_spectra.spiked.kappa.KAPPA_NODES`).
    sample_norm_variance : float in [0, 0.2]
        Variance of ``‖x_μ‖²/d`` across samples (``2/d`` for Gaussian data, 0 on the sphere):
        each sample's pre-activations are scaled by ``√(1 + ε_μ)``, a sample-side variance
        profile (3 Gauss–Hermite nodes in ε per κ node). A finite-``d`` term [derived;
        measured: for σ = He₁ + He₂/2 + He₃/6, α = 0.35, d = 1000 normalizing the samples moves
        the top bulk eigenvalue by −1.3 % and the mean outlier by −3.6 %]. :meth:`from_one_step`
        and :meth:`from_result` use ``2/d`` (the simulator's data are Gaussian).

    Notes
    -----
    ``stieltjes`` is the transform of the bulk; the outliers (mass ``O(1/N)``) are
    reported by :meth:`outliers`. Build it from a step with :meth:`from_one_step`.
    """

    matrix_label = "F^T F / n  (N x N, features after one step)"

    def __init__(self, activation, n, d, N, spike=None, groups=None, bulk_variance=1.0, *, group_variances=None,
                 profile=None, kappa_nodes=KAPPA_NODES, sample_norm_variance=0.0):
        self.activation = as_activation(activation)
        self.n, self.d, self.N = check_size("n", n), check_size("d", d), check_size("N", N)
        self.groups = normalize_groups(spike, groups)
        K = len(self.groups)
        self.bulk_variance = check_positive("bulk_variance", bulk_variance)
        self.kappa_nodes = check_int("kappa_nodes", kappa_nodes, minimum=8)
        if profile is not None:
            if not isinstance(profile, VarianceProfile):
                raise TypeError(f"profile must be a VarianceProfile, got {type(profile).__name__}")
            if group_variances is not None or bulk_variance != 1.0:
                raise ValueError("give either profile or bulk_variance/group_variances, not both")
            if profile.tau.shape[0] != K:
                raise ValueError(f"profile has {profile.tau.shape[0]} groups, groups has {K}")
        elif group_variances is not None:
            cv = np.asarray(group_variances, float).ravel()
            if cv.size != K or not np.all(np.isfinite(cv)) or np.any(cv <= 0):
                raise ValueError(f"group_variances must be {K} finite values > 0, got {group_variances!r}")
            profile = VarianceProfile.isotropic(cv)
        else:
            profile = VarianceProfile.isotropic(np.full(K, self.bulk_variance))
        self.profile = profile
        self.group_variances = profile.variances
        self.pi = np.array([g[1] for g in self.groups])
        self.bulk_variance = float(self.pi @ self.group_variances)
        rk = np.array([g[0] for g in self.groups])
        self.r = float(spike) if spike is not None else float(np.max(np.abs(rk)))
        self.gamma = None
        self.model = "sRF"
        self.beta, self.phi = self.N / self.d, self.N / self.n
        width = math.sqrt(float(self.group_variances.min())) / max(float(np.max(np.abs(rk))), 1e-300)
        self.kappa, self.weights, self.kappa_rule = kappa_rule(width, self.kappa_nodes, samples=self.n)
        self.sample_norm_variance = check_nonnegative("sample_norm_variance", sample_norm_variance)
        if self.sample_norm_variance > 0.2:
            raise ValueError(f"sample_norm_variance must be in [0, 0.2] (a fluctuation of ‖x‖²/d), got {sample_norm_variance}")
        # samples: κ nodes × (if the squared norms ‖x⊥‖²/d = 1 + ε fluctuate) 3 Gauss–Hermite nodes in ε
        if self.sample_norm_variance > 0:
            eps = math.sqrt(3.0 * self.sample_norm_variance) * np.array([-1.0, 0.0, 1.0])
            self.kappa = np.repeat(self.kappa, 3)
            self.weights = np.outer(self.weights, [1 / 6, 2 / 3, 1 / 6]).ravel()
            self.sample_scale = np.tile(np.sqrt(1.0 + eps), self.kappa.size // 3)
        else:
            self.sample_scale = np.ones_like(self.kappa)
        scale = np.sqrt(self.group_variances)[:, None] * self.sample_scale[None, :]
        shift = rk[:, None] * self.kappa[None, :]
        gm = gaussian_moments(self.activation, shift=shift, scale=scale)
        self.mu0_k = np.atleast_2d(np.asarray(gm.mu0, float))  # (K, nodes)
        self.mu1_k = np.atleast_2d(np.asarray(gm.mu1, float))
        self.mustar2_k = np.atleast_2d(np.asarray(gm.mu_star_sq, float))
        self.moment_method = gm.method
        # ∂μ_{0,k}/∂s² = E σ''/2 at each κ node (central difference in the variance): the weight of the
        # He₂ fluctuations that the outlier equation adds (row norms, coherent He₂ part; see outliers.py)
        hv = 1e-4 * self.group_variances[:, None]
        up = gaussian_moments(self.activation, shift=shift, scale=np.sqrt(scale**2 + hv * self.sample_scale**2))
        dn = gaussian_moments(self.activation, shift=shift, scale=np.sqrt(scale**2 - hv * self.sample_scale**2))
        self.mu0_dv_k = np.atleast_2d((np.asarray(up.mu0, float) - np.asarray(dn.mu0, float)) / (2.0 * hv))
        tau, omega = profile.tau, profile.weights
        #: ``E_λ τ_k τ_l``: ``d·E(w_i⊥·w_j⊥)²`` for rows of groups k, l
        self.profile_products = np.einsum("kl,ml,l->km", tau, tau, omega)
        #: variance of a row's squared norm in each group (Gaussian rows of covariance ``τ_k/d``: ``2E τ_k²/d``);
        #: the network model replaces it by that of the real step (:func:`~rmt_spectra.spiked.network.network_step`)
        self.row_norm_variance = 2.0 * np.diag(self.profile_products) / self.d
        #: ``‖w_i'⊥‖²`` moves by ``norm_b_coupling[k]·b_i`` (0 for isotropic rows)
        self.norm_b_coupling = np.zeros(K)
        tiny = 1e-12 * math.sqrt(max(float(np.max(gm.second_moment)), 1e-300))
        if not np.any(np.abs(self.mu1_k) > tiny) and not np.any(self.mustar2_k > tiny**2):
            raise ValueError("activation is constant under the pre-activation law (mu1 = mu_star = 0): no bulk")
        # the linear part acts on x⊥ = √(1 + ε) x̂⊥: its coefficient on a standard x̂⊥ carries √(1 + ε)
        self.equation = MixtureEquation(self.mu1_k * self.sample_scale[None, :], self.mustar2_k, self.weights, self.pi,
                                        profile.tau,
                                        profile.weights, self.n, self.d, self.N)
        self.validity = {"valid": True, "reasons": []}
        self._cache = {}

    # ------------------------------------------------------------ constructors
    @classmethod
    def from_one_step(cls, activation, teacher, eta_tilde, n0, n, d, N, noise=0.0, second_layer="constant", *,
                      model="network", lambda_nodes=None, gaussian_nodes=None, **kwargs):
        r"""The equivalent of the features after one step ``η = η̃√N`` on ``n0`` samples.

        Parameters
        ----------
        activation, teacher : activation specs
            Student σ and target σ*.
        eta_tilde : float >= 0
            ``η = η̃√N``.
        n0, n, d, N : int
            Step batch, fresh samples, input dimension, width.
        noise : float >= 0
            Label-noise variance.
        second_layer : "constant", "pm1", "gaussian" or list of (value, probability)
            Law of ``ā`` (``a_i = ā_i/√N``); Gaussian ``a`` is a continuum of groups
            (``gaussian_nodes`` Gauss–Hermite nodes in ``ā``).
        model : {"network", "surrogate"}
            ``"network"``: the network-faithful model (:mod:`rmt_spectra.spiked.network`),
            whose ``simulate`` runs the real one-step network. ``"surrogate"``: the
            isotropic sRF model of [Cui24]/[Dan24] with the mean-residual correction
            (:func:`~rmt_spectra.spiked.spiked_parameters`), whose ``simulate`` draws the sRF model.
        lambda_nodes : int, optional
            Quadrature nodes of the step matrix's spectrum (``model="network"``).

        Notes
        -----
        Measured against the simulated network (``n₀ = 4d, n = 2d, N = d``, 3 seeds
        pooled; KS of the bulk / max relative Stieltjes error at 4 points off the axis):

        ===========================  =====================  =====================  =================
        setting                      network, d = 1000      network, d = 2000      surrogate, d = 1000
        ===========================  =====================  =====================  =================
        ReLU/ReLU, a const, η̃ = 3    0.011 / 1.3 %          0.005 / 0.8 %          0.041 / 6.9 %
        ReLU/ReLU, ā = ±1, η̃ = 3     0.013 / 1.0 %          0.006 / 0.9 %          0.011 / 3.4 %
        softplus/tanh, const, η̃ = 3  0.005 / 0.4 %          0.002 / 0.2 %          0.091 / 3.6 %
        ReLU/tanh, ā = ±1, η̃ = 3     0.004 / 0.4 %          0.002 / 0.2 %          0.025 / 3.6 %
        ReLU/ReLU, const, η̃ = 6      0.029 / 3.9 %          0.021 / 3.1 %          0.095 / 15.9 %
        ===========================  =====================  =====================  =================

        At d = 1000 a single seed carries the batch's ``O(n₀^{-1/2})`` fluctuations
        (KS up to 0.017 for ReLU at η̃ = 3); :meth:`from_result` removes them. See
        :data:`VALIDITY` for the region where the network model was verified; outside
        it ``validity["valid"]`` is False and a ``UserWarning`` says why. For a Gaussian
        second layer the right edge is that of the quadrature's largest ``|ā|`` node; the
        ``ā``-rule is the Gaussian truncated where ``N`` neurons leave an expected 0.1 beyond
        (:func:`~rmt_spectra.simulation.network.second_layer_groups`), so its largest node is
        one a network of this width has (3.49 for N = 1000 instead of 4.14). Measured
        (σ = He₁ + He₂/2 + He₃/6, α = 0.30, d = N = 600, seed 1, where the row variance grows
        with ``|ā|``): edge 14.58 → 10.82 against a top bulk eigenvalue of 10.66.

        Two finite-size terms make the ``O(1)`` outliers and the edge match at the sizes users
        run: the fluctuation of the samples' norms ``‖x‖²/d`` (``sample_norm_variance = 2/d``)
        and the ``He₂`` fluctuations of :mod:`rmt_spectra.spiked.outliers`.
        """
        if model not in MODELS:
            raise ValueError(f"model must be one of {MODELS}, got {model!r}")
        eta_tilde = check_eta_tilde(eta_tilde)
        noise = check_nonnegative("noise", noise)
        n0, n, d, N = (check_size(k, v) for k, v in (("n0", n0), ("n", n), ("d", d), ("N", N)))
        kwargs.setdefault("sample_norm_variance", gaussian_sample_norm_variance(d))
        if model == "network":
            step = network_step(activation, teacher, eta_tilde, n0, d, noise=noise, second_layer=second_layer,
                                N=N, lambda_nodes=lambda_nodes or LAMBDA_NODES,
                                gaussian_nodes=gaussian_nodes)
            self = cls._from_step(activation, n, d, N, step, **kwargs)
        else:
            params = spiked_parameters(activation, teacher, eta_tilde, n0 / d, noise=noise, second_layer=second_layer,
                                       gaussian_nodes=gaussian_nodes)
            groups = [g for g in params.groups if g[1] > 0]
            cv = [c for g, c in zip(params.groups, params.group_variances) if g[1] > 0]
            self = cls(activation, n, d, N, groups=groups, group_variances=cv, **kwargs)
            self.r = params.r
            self.gamma = params.gamma
            self.parameters = params
            self.model = "surrogate"
        self.teacher, self.noise, self.eta_tilde, self.n0 = teacher, noise, eta_tilde, n0
        self.second_layer = second_layer
        self.validity = check_validity(self)
        if not self.validity["valid"]:
            warnings.warn("SpikedFeatures.from_one_step: outside the verified region: "
                          + "; ".join(self.validity["reasons"]), UserWarning, stacklevel=2)
        return self

    @classmethod
    def from_result(cls, result, *, bins=256, **kwargs):
        """The network-faithful equivalent conditioned on one simulated step (a :class:`~rmt_spectra.OneStepResult`).

        Same sizes, activation, teacher, noise and ``η̃`` as the simulation, and, instead
        of their laws, the realized batch quantities: the second-layer proportions
        (finite laws), the residuals ``r = y − f₀`` (their empirical law,
        :meth:`ResidualLaw.from_samples`) and ``‖ζ‖``. This removes the
        ``O(n₀^{-1/2})`` fluctuations of the batch from the comparison, which then
        measures the ``O(1/d)`` error of the equivalent itself.
        """
        p = result.params
        n0, n, d, N = p["n0"], p["n"], p["d"], p["N"]
        kwargs.setdefault("sample_norm_variance", gaussian_sample_norm_variance(d))
        eta_tilde = p["eta"] / math.sqrt(N)
        second_layer = p["second_layer"]
        if not (isinstance(second_layer, str) and second_layer.strip().lower() == "gaussian"):
            abar = np.round(np.asarray(result.a, float) * math.sqrt(N), 12)
            values, counts = np.unique(abar, return_counts=True)
            second_layer = [(float(v), float(c) / N) for v, c in zip(values, counts)]
        r = np.asarray(result.y, float) - np.asarray(result.outputs0, float)
        X0 = np.asarray(result.X0, float)
        g = X0 @ np.asarray(result.theta, float)
        residual = ResidualLaw.from_samples(r, g, bins=bins)
        zeta_norm = float(np.linalg.norm(X0.T @ r) / n0)
        step = network_step(p["activation"], p["teacher"], eta_tilde, n0, d, noise=p["noise"],
                            second_layer=second_layer, N=N, residual=residual, zeta_norm=zeta_norm,
                            lambda_nodes=kwargs.pop("lambda_nodes", None) or LAMBDA_NODES,
                            gaussian_nodes=kwargs.pop("gaussian_nodes", None))
        self = cls._from_step(p["activation"], n, d, N, step, **kwargs)
        self.teacher, self.noise, self.eta_tilde, self.n0 = p["teacher"], p["noise"], eta_tilde, n0
        self.second_layer = p["second_layer"]
        self.validity = check_validity(self)
        return self

    @classmethod
    def _from_step(cls, activation, n, d, N, step, **kwargs):
        profile = step.spectrum_profile()
        self = cls(activation, n, d, N, groups=step.groups, profile=profile, **kwargs)
        self.step = step
        self.row_norm_variance = np.asarray(step.row_norm_variance, float)
        self.norm_b_coupling = np.asarray(step.norm_b_coupling, float)
        self.gamma = step.gamma
        self.r = float(abs(step.info["mu1"]) * step.zeta_norm * step.info["eta_tilde"])
        self.model = "network"
        return self

    def __repr__(self):
        g = ", ".join(f"({r:.4g}, {p:.4g})" for r, p in self.groups)
        return (f"SpikedFeatures({self.activation!r}, n={self.n}, d={self.d}, N={self.N}, groups=[{g}], "
                f"model={self.model!r}, variances={np.round(self.group_variances, 4).tolist()})")

    # ------------------------------------------------------------ solving
    def solve(self, z, *, on_failure="warn"):
        """Unknowns ``x = (q, C)`` at points ``z`` of the closed upper half-plane, and the :class:`SolverReport`."""
        z = np.asarray(z, complex).ravel()
        return solve_upper(self.equation, z, tol=TOL, on_failure=on_failure, label="SpikedFeatures")

    def stieltjes(self, z, full_output=False, *, return_info=None):
        """``g(z) = (1/N) tr E(Σ̂ − z)^{-1}`` (bulk), vectorized; real ``z``: the boundary value ``g(x + i0)``.

        ``full_output=True`` (legacy: ``return_info=True``) also returns the :class:`~rmt_spectra.solvers.SolverReport`
        (relative residual, iterations, convergence and branch flags per point).
        """
        z = as_complex_array("z", z)
        lower = z.imag < 0
        zz = np.where(lower, np.conj(z), z)
        zz = np.where(zz.imag == 0, zz.real + 0j, zz)
        x, report = self.solve(zz.ravel())
        g = self.equation.stieltjes(x).reshape(z.shape)
        real = z.imag == 0
        if np.any(real):
            outside = real & ~self._in_support(z.real)
            g = np.where(outside, g.real + 0j, g)
        g = np.where(lower, np.conj(g), g)
        g = g[()] if g.ndim == 0 else g
        if full_output_flag(full_output, return_info):
            return g, report.reshape(z.shape)
        return g

    def pdf(self, x, full_output=False, *, return_info=None):
        """Density ``Im g(x + i0)/π`` of the bulk, solved on the real axis (interpolated Newton, 0 off the support)."""

        x = as_real_array("x", x)
        out = np.zeros(x.shape)
        inside = self._in_support(x)
        report = None
        if np.any(inside):
            sol, report = solve_on_support(self.equation, x[inside], self.support, tol=TOL, label="SpikedFeatures.pdf")
            out[inside] = np.maximum(self.equation.stieltjes(sol).imag, 0.0) / np.pi
        return (out, report) if full_output_flag(full_output, return_info) else out

    def companion_stieltjes(self, z):
        """Transform of the Gram matrix ``FFᵀ/n`` (``n × n``): ``φ g(z) − (1 − φ)/z``."""
        z = as_complex_array("z", z)
        return self.phi * self.stieltjes(z) - (1.0 - self.phi) / z

    def delta(self, z):
        """``δ(κ_j; z)`` at the κ nodes (shape ``z.shape + (nodes,)``), from the solution at ``z``."""
        z = np.asarray(z, complex)
        x, _ = self.solve(z.ravel(), on_failure="ignore")
        return self.equation.delta(x).reshape(z.shape + (-1,))

    @property
    def atoms(self):
        if self.phi > 1.0:
            return [(0.0, 1.0 - 1.0 / self.phi)]
        return []

    # ------------------------------------------------------------ edges (folds of the real branch, edges.py)
    @property
    def right_edge(self) -> float:
        """Right edge of the bulk: the fold of the real branch walked from ``x = +∞``."""
        if "right" not in self._cache:
            self._cache["right"], self._cache["right_info"] = fold_right_edge(self.equation, self.phi)
        return self._cache["right"]

    @property
    def left_edge(self) -> float:
        """Left edge of the bulk: the fold of the real branch walked from ``x = −∞`` when ``N < n``; 0 when
        ``N >= n`` (for ``N > n`` the unknowns have a pole at 0: see :mod:`~rmt_spectra.spiked.edges`)."""
        if "left" not in self._cache:
            self._cache["left"] = fold_left_edge(self.equation, self.phi)
        return self._cache["left"]

    @property
    def support(self):
        """Support intervals of the bulk: the outer edges, split at the gaps that one scan finds
        (:func:`~rmt_spectra.spiked.edges.bulk_intervals`; for ``N > n`` none below ``SMALL_X`` of the right edge)."""
        if "support" not in self._cache:
            right = self.right_edge
            reliable = SMALL_X * right if self.phi > 1.0 else None
            self._cache["support"] = bulk_intervals(self.equation, self.left_edge, right, phi=self.phi,
                                                    reliable_from=reliable)
        return list(self._cache["support"])

    # ------------------------------------------------------------ outliers (see outliers.py)
    def mean_outlier_matrix(self):
        """``[√(π_kπ_l) E_κ μ_{0,k}μ_{0,l}]``: the O(N) outliers are N times its eigenvalues."""
        return mean_outlier_matrix(self)

    def outlier_condition(self, z):
        """Eigenvalues of the symmetrized ``I + g(z)S(z)`` at real z (a zero: an outlier), see :mod:`.outliers`."""
        return outlier_condition(self, z)

    def outliers(self):
        """Outliers above the bulk: roots of ``det(I + Q(z)S(z)) = 0``, labelled ``"mean"`` or ``"degree-k spike"``
        (:func:`~rmt_spectra.spiked.outliers.label_outlier`)."""
        if "outliers" not in self._cache:
            self._cache["outliers"] = find_outliers(self)
        return list(self._cache["outliers"])

    # ------------------------------------------------------------ simulation
    def simulate(self, seed=None):
        """Eigenvalues of ``FᵀF/n`` for one draw of what the model describes.

        ``model="network"``: the real one-step network (:func:`rmt_spectra.simulate_one_step`
        with the same activation, teacher, noise, ``η̃``, sizes and second layer).
        Otherwise: the sRF surrogate ``σ(√c_k W₀x + r_k κ)``.
        """
        if self.model == "network":
            res = simulate_one_step(self.n0, self.n, self.d, self.N, activation=self.activation, teacher=self.teacher,
                                    noise=self.noise, eta_tilde=self.eta_tilde, second_layer=self.second_layer,
                                    seed=seed)
            return res.feature_spectrum()
        sample = simulate_spiked_features(self.activation, self.n, self.d, self.N, groups=list(self.groups),
                                          group_variances=self.group_variances, gamma=self.gamma or 0.0, seed=seed)
        return sample.feature_spectrum()
