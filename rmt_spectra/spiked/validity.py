"""Where the after-step equivalents were verified against the simulated network: :data:`VALIDITY`."""
from __future__ import annotations

from ..gaussian import hermite_coefficients

__all__ = ["VALIDITY", "check_validity"]

# ============================================================ validity region of the network model
#: Region where ``model="network"`` was verified against the simulated network (``n = 2d``, ``N = d``,
#: d = 500–2000; students ReLU, softplus, tanh with ReLU/tanh teachers; constant, ±1 and Gaussian second
#: layers). Measured at d = 1000 (equivalent conditioned on the realized batch, 2 seeds, ``n₀ = 4d``):
#: KS ≤ 0.01 and Stieltjes errors ≤ 1.7 % up to η̃ = 4 (ReLU/ReLU constant: KS 0.013 at η̃ = 4,
#: 0.017 at η̃ = 5, 0.024 at η̃ = 6 — a modelling error that does not shrink with d); odd students
#: (where the model is the surrogate) up to η̃ = 5 (tanh/ReLU ±1: KS 0.011 at η̃ = 5, 0.015 at 6).
#: ``n₀/d = 16``: KS ≤ 0.01; ``n₀/d = 1``: ReLU students KS 0.03–0.04 and right edges 12–14 % low
#: (softplus/tanh still KS 0.007), so below ``n₀/d = 4`` the region is not verified.
VALIDITY = {"eta_tilde_max": 4.0, "eta_tilde_max_odd": 5.0, "n0_over_d_min": 4.0}


def check_validity(model):
    """``{"valid": bool, "reasons": [...]}`` for an equivalent built by :meth:`SpikedFeatures.from_one_step`
    (or :meth:`SpikedFeatures.from_result`): whether its parameters lie in the region of :data:`VALIDITY`.

    A setting is outside when any of these holds:

    * ``η̃ > VALIDITY["eta_tilde_max"]`` (4), or ``> VALIDITY["eta_tilde_max_odd"]`` (5) for an odd
      student (``activation.parity == −1``);
    * ``n₀/d < VALIDITY["n0_over_d_min"]`` (4);
    * ``model == "surrogate"`` for a non-odd student with ``|μ₂| η̃ > 0.1`` (``μ₂ = E[σ He₂] = E σ''``)
      and ``n₀/d < 16``: the isotropic surrogate drops the structured ``E σ''`` term of the step.

    Parameters
    ----------
    model : SpikedFeatures
        Built by :meth:`~SpikedFeatures.from_one_step` or :meth:`~SpikedFeatures.from_result`: the
        attributes ``activation``, ``eta_tilde``, ``n0``, ``d`` and ``model`` are read (an equivalent
        built directly by the constructor has no ``eta_tilde``/``n0``).

    Returns
    -------
    dict
        ``"valid"`` (bool): no reason applies; ``"reasons"`` (list of str): one readable sentence
        per violated condition (empty when valid).
    """
    if getattr(model, "eta_tilde", None) is None or getattr(model, "n0", None) is None:
        return {"valid": True, "reasons": [], "note": "no step parameters (built by the constructor): not checked"}
    reasons = []
    odd = model.activation.parity == -1
    eta_max = VALIDITY["eta_tilde_max_odd"] if odd else VALIDITY["eta_tilde_max"]
    if model.eta_tilde > eta_max:
        reasons.append(f"eta_tilde = {model.eta_tilde:g} > {eta_max:g} (verified up to {eta_max:g} for "
                       f"{'odd' if odd else 'these'} students; higher orders of the step are not modelled)")
    if model.n0 / model.d < VALIDITY["n0_over_d_min"]:
        reasons.append(f"n0/d = {model.n0 / model.d:.3g} < {VALIDITY['n0_over_d_min']:g} (not verified; at n0/d = 1 "
                       "ReLU students are off by KS 0.03-0.04)")
    if model.model == "surrogate" and not odd:
        mu2 = float(hermite_coefficients(model.activation, 2)[2])
        if abs(mu2) * model.eta_tilde > 0.1 and model.n0 / model.d < 16:
            reasons.append("model='surrogate' with E sigma'' != 0 at n0/d < 16: the isotropic surrogate misses the "
                           "structured E sigma'' term of the step (use model='network')")
    return {"valid": not reasons, "reasons": reasons}
