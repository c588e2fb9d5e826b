"""The inputs of the risk equations: the κ table (σ, σ* at the κ-rule's nodes) and the spectral
tables of the bulk (Marchenko–Pastur quadrature, or the eigenpairs of a realized ``W₀``)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validation import as_generator
from ..gaussian import gaussian_moments
from ..gaussian.activation import activation_parameter
from ..gaussian.quadrature import kappa_rule

__all__ = ["KappaTable", "SpectralTable", "kappa_table", "mp_spectral_table", "realized_spectral_table",
           "N_KAPPA", "MIN_KAPPA", "N_SPECTRAL"]

#: default number of nodes of the κ rule (:func:`rmt_spectra.gaussian.quadrature.kappa_rule`).
N_KAPPA = 121
#: fewest nodes of the κ rule accepted (one 16-point panel pair each side of 0).
MIN_KAPPA = 32
#: default number of angle nodes for the Marchenko–Pastur means.
N_SPECTRAL = 600


@dataclass(frozen=True)
class KappaTable:
    """Values at the κ-quadrature nodes (weights sum to 1).

    ``mu_star_sq`` is μ⋆(κ)²; ``h2`` includes the label-noise variance.
    """

    kappa: np.ndarray
    weight: np.ndarray
    mu0: np.ndarray
    mu1: np.ndarray
    mu_star_sq: np.ndarray
    h: np.ndarray
    h1: np.ndarray
    h2: np.ndarray
    noise: float = 0.0

    def mean(self, values):
        return values @ self.weight


def kappa_table(activation, teacher, spike, bulk_variance, gamma, noise=0.0, n_kappa=N_KAPPA, *,
                width=None) -> KappaTable:
    """Tabulate ``μ₀, μ₁, μ⋆²`` (σ at shift ``rκ``, scale ``√c``) and ``h, h₁, h₂`` (σ* at ``γκ``, scale ``ρ``).

    The κ rule is the one of the spiked model (:func:`~rmt_spectra.gaussian.quadrature.kappa_rule`) at
    the finest scale of the two integrands, ``min(√c/|r|, ρ/|γ|)``; a kinked teacher seen at ``ρ < 1``
    uses its panel form (edge at κ = 0). Doubling ``n_kappa`` changes the test error by < 1e-8.
    """

    rho = math.sqrt(max(0.0, 1.0 - gamma * gamma))
    if width is None:
        width = kappa_width(spike, bulk_variance, gamma)
    kinked = bool(activation_parameter("teacher", teacher).kinks) and rho < 1.0
    kappa, weight, _ = kappa_rule(width, int(n_kappa), kinked=kinked)
    kappa, weight = np.array(kappa), np.array(weight)
    st = gaussian_moments(activation, shift=spike * kappa, scale=math.sqrt(bulk_variance))
    # ρ = 0 (γ = ±1): the teacher is a function of κ alone; a tiny scale keeps the closed forms valid
    rho_eff = max(rho, 1e-10)
    tt = gaussian_moments(teacher, shift=gamma * kappa, scale=rho_eff)
    return KappaTable(
        kappa=kappa, weight=weight, mu0=np.asarray(st.mu0, float), mu1=np.asarray(st.mu1, float),
        mu_star_sq=np.asarray(st.mu_star_sq, float), h=np.asarray(tt.mu0, float),
        h1=rho * np.asarray(tt.mu1, float),  # E[z σ*(γκ + ρz)] = ρ E σ*'(…) (Stein)
        h2=np.asarray(tt.second_moment, float) + noise, noise=float(noise),
    )


def kappa_width(spike, bulk_variance, gamma) -> float:
    """The finest scale in κ of the integrands of :func:`kappa_table`: ``min(√c/|r|, ρ/|γ|)`` (at least 1e-3).

    Parameters
    ----------
    spike, bulk_variance, gamma : float
        ``r``, ``c`` and ``γ`` of the sRF model.

    Returns
    -------
    float
    """
    rho = math.sqrt(max(0.0, 1.0 - gamma * gamma))
    scales = [math.sqrt(bulk_variance) / abs(spike) if spike else math.inf, rho / abs(gamma) if gamma else math.inf]
    return max(min(scales), 1e-3)


@dataclass(frozen=True)
class SpectralTable:
    """Nodes of the spectral mean ``⟨g⟩ = Σ_j weight_j g(λ_j, F_j, H_j)`` (weights sum to 1)."""

    lam: np.ndarray
    weight: np.ndarray
    F: np.ndarray
    H: np.ndarray
    kind: str = "deterministic"


def mp_spectral_table(width_ratio, bulk_variance, n_nodes=N_SPECTRAL) -> SpectralTable:
    r"""Quadrature of ``c·MP(β)``, ``β = N/d``, with ``F = βc``, ``H = βλ``.

    With ``λ = m + h cos t`` on the support ``[a, b]`` the MP density becomes
    ``h² sin²t /(2π c β λ) dt``, a smooth even periodic function of t (also at
    β = 1, where ``sin²t/λ = (1 − cos t)/h``), so the midpoint rule in t converges
    geometrically.  The atom ``1 − 1/β`` at 0 (β > 1) is one more node.
    """
    beta, c = float(width_ratio), float(bulk_variance)
    a, b = c * (1 - math.sqrt(beta)) ** 2, c * (1 + math.sqrt(beta)) ** 2
    mid, half = 0.5 * (a + b), 0.5 * (b - a)
    t = (np.arange(n_nodes) + 0.5) * math.pi / n_nodes
    cos_t = np.cos(t)
    lam = mid + half * cos_t
    if abs(beta - 1.0) < 1e-14:
        lam = half * (1 + cos_t)
        dens = half * (1 - cos_t)
    else:
        dens = half * half * np.sin(t) ** 2 / lam
    w = dens / (2 * math.pi * c * beta) * (math.pi / n_nodes)
    mass = min(1.0, 1.0 / beta)
    w *= mass / w.sum()  # exact mass; the rule's error on it is ~1e-16 anyway
    if beta > 1.0:
        lam = np.concatenate([[0.0], lam])
        w = np.concatenate([[1.0 - 1.0 / beta], w])
    return SpectralTable(lam=lam, weight=w, F=np.full(lam.shape, beta * c), H=beta * lam, kind="deterministic")


def realized_spectral_table(W0, bulk_variance, vhat=None, zeta=None, seed=None) -> SpectralTable:
    """Eigenpairs of ``Ω = c W₀ΠW₀ᵀ`` for a realized ``W₀`` (``N × d``, rows ~ N(0, I/d)).

    ``v̂`` (unit) and ``ζ̂`` (unit, ⊥ v̂) are drawn from ``seed`` when not given;
    ``F_j, H_j`` use ``‖v‖ = ‖ζ‖ = √N`` (see the module docstring).
    """

    W0 = np.asarray(W0, dtype=float)
    N, d = W0.shape
    rng = as_generator(seed)
    if vhat is None:
        vhat = rng.standard_normal(d)
    vhat = np.asarray(vhat, float) / np.linalg.norm(vhat)
    if zeta is None:
        zeta = rng.standard_normal(d)
    zeta = np.asarray(zeta, float)
    zeta = zeta - (zeta @ vhat) * vhat
    zeta /= np.linalg.norm(zeta)
    W = math.sqrt(bulk_variance) * W0
    Wp = W - np.outer(W @ vhat, vhat)  # W Π
    lam, U = np.linalg.eigh(Wp @ Wp.T)  # Ω = WΠWᵀ = (WΠ)(WΠ)ᵀ
    lam = np.maximum(lam, 0.0)
    F = N * (U.T @ (W @ vhat)) ** 2
    H = N * (U.T @ (W @ zeta)) ** 2
    return SpectralTable(lam=lam, weight=np.full(N, 1.0 / N), F=F, H=H, kind="realized")
