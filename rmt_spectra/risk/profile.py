r"""Deterministic ridge test error for several neuron groups with a variance profile.

This is the deterministic version of :mod:`rmt_spectra.risk.groups`, extended to
a finite step batch (alignment ``γ < 1``, a ``θ_⊥`` channel), per-group bulk
variances and anisotropic rows. It serves both models of the first layer after
one step:

* the isotropic spiked random-features surrogate with any second layer
  (one ``λ`` node, ``τ_k = c_k``: :meth:`RowModel.isotropic`);
* the network-faithful model of :mod:`rmt_spectra.spiked.network`
  (``τ_k(λ) = (1 + t_kλ)² + c_{ρ,k}`` over the spectrum of the step matrix:
  :meth:`RowModel.from_step`).

Model
-----
Neuron ``i`` of group ``k`` (proportion ``π_k``) has pre-activation
``⟨v_i, x⟩ + r_k κ`` with ``κ = ⟨ζ̂, x⟩`` and rows ``v_i`` Gaussian with
covariance ``T_k/d``; all ``T_k`` are diagonal in one basis ``{e_j}`` with
eigenvalues ``τ_k(λ_j)`` (nodes ``λ_j``, weights ``ω_j``). Target
``y = σ*(γκ + ρ⟨θ_⊥, x⟩) + ε``, ``ρ = √(1 − γ²)``, ``θ_⊥ ⊥ ζ̂``. The directions
enter through their spectral measures in the basis ``{e_j}``:
``w^{ζζ}_j = ⟨ζ̂, e_j⟩²``, ``w^{θθ}_j = ⟨θ_⊥, e_j⟩²``,
``w^{ζθ}_j = ⟨ζ̂, e_j⟩⟨e_j, θ_⊥⟩`` (aggregated at the nodes); "generic"
directions have ``w^{ζζ} = w^{θθ} = ω`` and ``w^{ζθ} = 0``.
Readout ``ŵ = argmin Σ_μ (y_μ − w·φ(x_μ)/√N)² + λ‖w‖²``; the equations run at
``α = n/N`` with ``β = N/d``.

Realized equations [derived; K = 1 is [Cui24]'s Result 3.3 as in :mod:`.saddle_point`]
--------------------------------------------------------------------------------------
Conditionally on κ a feature of group ``k`` is
``μ_{0,k}(κ) + μ_{1,k}(κ)(κ b_i + ⟨v_i, Πx⟩) + μ_{⋆,k}(κ)ξ_i`` (shifted
coefficients at shift ``r_kκ`` and variance ``s_k² = E_ω τ_k``), with
``Ω = VΠVᵀ``, ``b = Vζ̂``, ``ν = Vθ_⊥``, ``Σ_c(κ) = D₁ΩD₁ + D⋆²``. Then

* ``S = λI + α E_κ[Σ_c/(1+V)]``, ``V(κ) = (1/N) tr Σ_c S⁻¹``;
* ``ψ̂_k = α E[μ_{1,k} h₁/(1+V)]``, ``θ̂_k = α E[κ μ_{1,k}(h − c)/(1+V)]``,
  ``ū = S⁻¹ Σ_l (θ̂_l P_l b + ψ̂_l P_l ν)``, ``θ_k = (P_kb)ᵀū``, ``ψ_k = (P_kν)ᵀū``;
* ``c(κ) = Σ_k μ_{0,k} m_k + κ Σ_k μ_{1,k} θ_k`` with
  ``Σ_l E[μ_{0,k}μ_{0,l}/(1+V)] m_l = E[μ_{0,k}(h − κΣ_l μ_{1,l}θ_l)/(1+V)]``;
* ``E(κ) = h₂ − 2ch + c² − 2h₁ Σ_k μ_{1,k}ψ_k + Q(κ)``,
  ``Q = ūᵀΣ_cū + (1/N) tr(Σ_c S⁻¹𝒩S⁻¹)``, ``𝒩 = α E[Σ_c E/(1+V)²]``;
* ``ε_g = E_κ E(κ)`` (label noise included in ``h₂``).

With one group this is the system of :mod:`.saddle_point` (``θ = θ̂⟨F/S⟩``,
``ψ = ψ̂⟨H/S⟩``, ``q`` through ``N_j``), with ``γ = 1`` that of
:mod:`.groups`; ``ψ`` and the ``b``–``ν`` cross terms are the extension.

Deterministic equivalent [derived; checked: K = 1 against :func:`srf_test_error`
to 1e-9, several groups against the realized solver and against direct
simulations in ``tests/test_risk_profile.py``]
------------------------------------------------------------------------------
Write ``Q̄ = αS⁻¹ = (Σ_{kl} C_{kl} P_kΩP_l + diag(c⋆) − z)⁻¹`` with ``z = −λ/α``,
``C = E_κ[μ₁μ₁ᵀ/(1+V)]``, ``c⋆_k = E_κ[μ_{⋆,k}²/(1+V)]``. Then ``V = δ`` and
``(q, C)`` solve the bulk system of :class:`rmt_spectra.spiked.bulk.MixtureEquation`
at ``z = −λ/α`` with ``n = αN`` (the "V(κ) = δ(κ)" of the risk). Per node ``j``,
``D_j = diag(β π_k q_k τ_k(λ_j))`` and ``P_j = D_j(I + C D_j)⁻¹`` (the
deterministic equivalent of ``VᵀP_kQ̄P_lV`` on ``e_j``; symmetric). Hence, for the
full ``VVᵀ``, ``(P_kVu)ᵀQ̄(P_lVu') ≈ G^{uu'}_{kl} = Σ_j w^{uu'}_j (P_j)_{kl}``, and
the projection ``Π`` (``VVᵀ = Ω + bbᵀ``, a rank-K change ``Q̄_Π⁻¹ = Q̄⁻¹ − BCBᵀ``,
``B = [P_k b]``) is exact by Woodbury, without ``C⁻¹``:

.. math::
   H_{BB} = G_{BB}(I - C G_{BB})^{-1},\quad H_{NB} = G_{NB}(I - C G_{BB})^{-1},\quad
   H_{NN} = G_{NN} + G_{NB}(I - C G_{BB})^{-1} C G_{BN},

and ``(P_kb)ᵀS⁻¹(P_lb) = H_BB/α`` etc. Traces ``t_a = (1/N) tr(B_a Q̄)`` on the
basis ``B_a ∈ {P_kΩP_l + P_lΩP_k (k ≤ l), P_k}`` are ``(2 − δ_kl) E_ω[P]_{kl}/β`` and
``π_k q_k``. The second-order quantities of ``Q`` are derivatives of first-order
ones along the coefficients ``p_b`` of ``Q̄⁻¹`` (``∂Q̄ = −Q̄ B_b Q̄``), taken with
``q`` responding through its own equation ``q_k = 1/(c⋆_k − z + E_ω[τ_k Γ_kk])``,
``Γ_j = (I + C D_j)⁻¹ C``:

.. math::
   \tfrac1N \operatorname{tr}(B_a S^{-1} B_b S^{-1}) = -\frac{1}{α^2}\frac{∂t_a}{∂p_b},\qquad
   ūᵀ B_b ū = -\frac{1}{α^2}\frac{∂U}{∂p_b},\quad
   U = [θ̂; ψ̂]^\top \begin{pmatrix} H_{BB} & H_{BN}\\ H_{NB} & H_{NN}\end{pmatrix} [θ̂; ψ̂],

computed by complex-step differentiation (exact to round-off: one complex
Newton solve of the ``K`` equations for ``q`` per coefficient).

Solver: the bulk system by the continuation Newton of :mod:`rmt_spectra.solvers`
(residual and iterations reported); a real root that is not the resolvent's (``q_k ∉ (0, 1/|z|]``,
``δ < 0``: the Im-z ladder can end there when ``N > d`` and ``n ≳ 1.3N``) is redone by continuation
along the negative real axis from the far field; then linear systems; the inner ``q`` system
by Newton with its analytic Jacobian. Every solve reports its residual; a point
whose residual exceeds ``max(1e3·tol, 1e-8)`` warns (or raises, ``on_failure="raise"``).
Cost grows fast with the number of groups ``K`` (``K(K+3)/2`` complex-step solves and a
bulk Newton on ``K(K+3)/2`` unknowns): 0.1–1 s for ``K ≤ 8``, 6 s for ``K = 16``.

Against the network [derived model; measured]
---------------------------------------------
With the rows of :meth:`RowModel.from_step` (variance profile of the step matrix and the
spike/target directions placed in it by :func:`step_directions`), ridge on the simulated
network (ReLU/ReLU and softplus/tanh, ``η̃ ∈ {1, 3}``, ``n₀ = 4d``, ``N = d``, ``λ = 0.1``,
``n/d ∈ {0.5, 1, 2}``, constant and ±1 second layers, 12–24 seeds, ``n_test = 10⁴``) is
matched within 2.2 standard errors at ``d = 2000`` (23 of the 24 cases within 1.5); the
isotropic surrogate is off by up to 15 standard errors there, and its gap does not shrink
with ``d``. Known limits: the He≥2 part of the step (``c_ρ``) is kept isotropic, while its
true covariance ``∝ X₀ᵀdiag(r²)X₀`` is larger along ``θ`` (a realized check puts this at
≈ 0.0015 on the error, ReLU/ReLU, Gaussian ``a``, d = 1000); and with many groups of
different ``|ā|`` (Gaussian ``a``, ReLU) the network at ``d = 1000`` is still 0.004–0.008
above the model (2.4–5 standard errors), at ``d = 2000`` within 0.006 (≤ 2.7).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from ..gaussian.activation import activation_parameter
from .directions import step_directions
from .points import check_readout as _check_readout
from .points import settle_point, stack_points
from .profile_point import _Inner, _solve_point, _tables

__all__ = ["RowModel", "ProfileRiskResult", "profile_test_error", "step_directions", "DIRECTIONS"]

#: how the spike and target directions sit in the basis of the profile.
DIRECTIONS = ("structured", "generic", "given")
#: :meth:`RowModel.from_step` warns when this fraction of a direction measure is not resolved.
MASS_WARN = 0.05


@dataclass(frozen=True)
class RowModel:
    """Rows of the first layer after the step, as the risk equations see them (module docstring).

    Build it with :meth:`isotropic` or :meth:`from_step`; the constructor checks the shapes
    and ranges below (``ValueError``) and stores the arrays as floats.

    Parameters
    ----------
    spikes : ndarray (K,)
        ``r_k``.
    proportions : ndarray (K,)
        ``π_k`` (sum 1).
    tau : ndarray (K, L)
        ``τ_k(λ_j) > 0``.
    lambda_weights : ndarray (L,)
        ``ω_j`` (sum 1).
    gamma : float
        ``⟨ζ̂, θ⟩``.
    direction_weights : ndarray (3, L)
        Spectral weights ``w^{ζζ}, w^{θθ}, w^{ζθ}`` of the spike and target directions.
    lambda_nodes : ndarray (L,) or None
        The ``λ_j`` (for reference).
    info : dict
        Diagnostics (from :meth:`from_step`: ``directions`` and the outputs of
        :func:`step_directions`); not compared.

    Attributes
    ----------
    K : int
        Number of groups.
    variances : ndarray (K,)
        ``s_k² = E_ω τ_k``.
    """

    spikes: np.ndarray
    proportions: np.ndarray
    tau: np.ndarray
    lambda_weights: np.ndarray
    gamma: float
    direction_weights: np.ndarray
    lambda_nodes: np.ndarray | None = None
    info: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        r = np.atleast_1d(np.asarray(self.spikes, float))
        p = np.atleast_1d(np.asarray(self.proportions, float))
        tau = np.atleast_2d(np.asarray(self.tau, float))
        w = np.atleast_1d(np.asarray(self.lambda_weights, float))
        dw = np.asarray(self.direction_weights, float)
        K, L = tau.shape
        if r.shape != (K,) or p.shape != (K,):
            raise ValueError(f"spikes and proportions must have {K} entries (one per row of tau)")
        if not (np.all(np.isfinite(r)) and np.all(np.isfinite(p)) and np.all(p >= 0) and abs(p.sum() - 1) < 1e-9):
            raise ValueError("proportions must be finite, >= 0 and sum to 1; spikes finite")
        if not (np.all(np.isfinite(tau)) and np.all(tau > 0)):
            raise ValueError("tau must be finite and > 0")
        if w.shape != (L,) or not (np.all(np.isfinite(w)) and np.all(w >= 0) and abs(w.sum() - 1) < 1e-9):
            raise ValueError(f"lambda_weights must be {L} finite weights >= 0 summing to 1")
        if dw.shape != (3, L) or not np.all(np.isfinite(dw)):
            raise ValueError(f"direction_weights must be a finite (3, {L}) array")
        if not (-1.0 <= float(self.gamma) <= 1.0):
            raise ValueError(f"gamma must lie in [-1, 1], got {self.gamma}")
        for name, val in (("spikes", r), ("proportions", p), ("tau", tau), ("lambda_weights", w),
                          ("direction_weights", dw)):
            object.__setattr__(self, name, val)
        object.__setattr__(self, "gamma", float(self.gamma))

    @property
    def K(self):
        return self.tau.shape[0]

    @property
    def variances(self):
        """``s_k² = E_ω τ_k``."""
        return self.tau @ self.lambda_weights

    @classmethod
    def isotropic(cls, groups, variances, gamma):
        """The sRF surrogate: one node, ``τ_k = c_k``; ``groups`` = [(r_k, π_k)]."""
        r = np.array([g[0] for g in groups], float)
        p = np.array([g[1] for g in groups], float)
        c = np.broadcast_to(np.asarray(variances, float), r.shape).reshape(-1, 1)
        return cls(spikes=r, proportions=p, tau=c, lambda_weights=np.ones(1), gamma=gamma,
                   direction_weights=np.array([[1.0], [1.0], [0.0]]))

    @classmethod
    def from_step(cls, step, directions="structured", direction_weights=None):
        """The network-faithful rows of a :class:`~rmt_spectra.spiked.NetworkStep`.

        ``directions="structured"`` (default): the spike and target directions as they
        sit in the step matrix ``M`` (:func:`step_directions`: ``ζ̂`` and ``θ`` are *not*
        delocalized in ``M``'s eigenbasis; outliers of ``M`` along ``θ`` become extra
        nodes of zero bulk weight). ``"generic"``: both delocalized (what the
        spectrum of the features sees). ``"given"``: ``direction_weights`` (3, L).
        """
        if directions not in DIRECTIONS:
            raise ValueError(f"directions must be one of {DIRECTIONS}, got {directions!r}")
        if (direction_weights is not None) != (directions == "given"):
            raise ValueError("direction_weights is used with directions='given' (and needed there)")
        lam = np.asarray(step.lambda_nodes, float)
        w = np.asarray(step.lambda_weights, float)
        w = w / w.sum()
        tau = np.asarray(step.tau, float)
        info = {"directions": directions}
        if directions == "generic":
            dw = np.stack([w, w, np.zeros_like(w)])
        elif directions == "given":
            dw = np.asarray(direction_weights, float)
        else:
            sd = step_directions(step)
            lam, w, dw = sd["nodes"], sd["lambda_weights"], sd["direction_weights"]
            if sd["mass_error"] > MASS_WARN or sd["fallback_mass"] > MASS_WARN:
                warnings.warn(f"RowModel.from_step: the direction measures in the step matrix are resolved only to "
                              f"{max(sd['mass_error'], sd['fallback_mass']):.1%} of their mass (the density of M is "
                              "singular, e.g. at n0 = d): the risk is less accurate there", RuntimeWarning,
                              stacklevel=2)
            tau = (1.0 + step.t[:, None] * lam[None, :]) ** 2 + step.c_rho[:, None]
            info.update({k: v for k, v in sd.items() if k not in ("nodes", "lambda_weights", "direction_weights")})
        return cls(spikes=np.asarray(step.spikes, float), proportions=np.asarray(step.proportions, float),
                   tau=tau, lambda_weights=w, gamma=float(step.gamma), direction_weights=dw, lambda_nodes=lam,
                   info=info)


@dataclass
class ProfileRiskResult:
    """Output of :func:`profile_test_error` (arrays over ``alpha``; group quantities on a trailing axis).

    ``residual`` is the largest of: the bulk system's relative residual, the inner
    ``q`` system's (also in the complex-step solves), the relative mismatch of ``V(κ)``
    recomputed from the traces, and the relative imaginary part of the bulk solution at
    the real ``z = −λ/α``; ``iterations`` the Newton steps of the bulk solve.

    Parameters
    ----------
    alpha : ndarray
        ``n/d`` as given (shape ``A``, ``()`` for a scalar).
    alpha_int : ndarray (A)
        ``n/N = alpha / width_ratio``, where the equations are solved.
    test_error : ndarray (A)
        ``ε_g`` including the label noise (NaN where a point failed).
    risk : ndarray (A)
        ``test_error − noise``.
    theta, psi : ndarray (A + (K,))
        ``θ_k = (P_kb)ᵀū`` and ``ψ_k = (P_kν)ᵀū`` (module docstring).
    m : ndarray (A + (K,))
        The mean coefficients ``m_k`` of ``c(κ) = Σ_k μ_{0,k} m_k + κ Σ_k μ_{1,k} θ_k``.
    thetahat, psihat : ndarray (A + (K,))
        ``θ̂_k = α E[κ μ_{1,k}(h − c)/(1+V)]``, ``ψ̂_k = α E[μ_{1,k} h₁/(1+V)]`` (``α = alpha_int``).
    residual : ndarray (A)
        Largest relative residual (above).
    iterations : ndarray (A)
        Newton steps of the bulk solve.
    converged : ndarray (A) of bool
        The bulk solve converged, the error is finite and ``residual ≤ max(1e3·tol, 1e-8)``.
    model : str, default "profile"
        Which solver produced it.
    """

    alpha: np.ndarray
    alpha_int: np.ndarray
    test_error: np.ndarray
    risk: np.ndarray
    theta: np.ndarray
    psi: np.ndarray
    m: np.ndarray
    thetahat: np.ndarray
    psihat: np.ndarray
    residual: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    model: str = "profile"


# ====================================================================== public solver
def profile_test_error(activation, teacher, rows: RowModel, alpha, ridge, width_ratio=1.0, noise=0.0, *,
                       full_output=False, tol=1e-12, n_kappa=None, on_failure="warn"):
    r"""Deterministic ridge test error for the rows ``rows`` (module docstring).

    Parameters
    ----------
    activation, teacher : activation specs
        Student σ and target σ*.
    rows : RowModel
        Groups, variance profile, spikes, alignment and directions.
    alpha : float or 1-d array, > 0
        ``n/d``; the equations are solved at ``n/N = alpha/width_ratio``.
    ridge : float > 0
        λ of ``Σ_μ (y_μ − w·φ(x_μ)/√N)² + λ‖w‖²``.
    width_ratio : float > 0
        ``N/d``.
    noise : float >= 0
        Label-noise variance (in the readout; the step's noise is in ``rows``).
    full_output : bool
        Return a :class:`ProfileRiskResult`.
    tol : float
        Newton tolerance of the bulk system.
    n_kappa : int, optional
        Gauss–Hermite nodes in κ (default that of :func:`srf_test_error`).
    on_failure : {"warn", "raise", "ignore"}
        A point that does not converge or has a negative risk is NaN, with a warning, an error or
        silently (:func:`~rmt_spectra.risk.points.settle_point`).

    Returns
    -------
    float or ndarray
        ``ε_g`` including the label noise.
    """
    sigma, target = activation_parameter("activation", activation), activation_parameter("teacher", teacher)
    if not isinstance(rows, RowModel):
        raise TypeError(f"rows must be a RowModel, got {type(rows).__name__}")
    a, ridge, beta, noise, tol, n_kappa = _check_readout(alpha, ridge, width_ratio, noise, tol, n_kappa, on_failure)
    tb = _tables(sigma, target, rows, noise, n_kappa)
    inner = _Inner(rows, beta)
    flat = a.ravel()
    sols = []
    for ai in flat:
        s = _solve_point(float(ai) / beta, ridge, tb, rows, beta, inner, tol)
        s["err"] = settle_point(s["err"], s["converged"], label="profile risk equations", alpha=float(ai),
                                residual=s["resid"], iterations=s["it"], noise=noise, on_failure=on_failure)
        sols.append(s)
    err = np.array([s["err"] for s in sols]).reshape(a.shape)
    if not full_output:
        return float(err) if err.ndim == 0 else err

    def stack(key):
        return stack_points(sols, key, a.shape)

    return ProfileRiskResult(alpha=a, alpha_int=a / beta, test_error=err, risk=err - noise, theta=stack("theta"),
                             psi=stack("psi"), m=stack("m"), thetahat=stack("thetahat"), psihat=stack("psihat"),
                             residual=stack("resid"), iterations=stack("it"), converged=stack("converged"))
