r"""One gradient step on the first layer of a two-layer network (``docs/theory/one_step.md``).

Loss ``L(W) = (1/2n₀) Σ_μ (f(x_μ) − y_μ)²`` on a batch ``(X₀, y)`` of ``n₀``
samples, ``a`` fixed; the negative gradient in the row convention (``N × d``) is

``G₀ = (1/n₀) Σ_μ (y_μ − f(x_μ)) (1/√N) (a ⊙ σ'(W₀x_μ)) x_μᵀ``

(σ' evaluated at ``W₀``: [Ba22] eq. 2.1 has the typo ``σ'(XW₁)``), and the
update is ``W₁ = W₀ + η√N G₀``. Computed as two GEMMs (``Z₀ = X₀W₀ᵀ``,
``G₀ ∝ (σ'(Z₀) ⊙ r)ᵀ X₀``): no ``n × N × d`` tensor is ever formed.

Randomness: one :class:`numpy.random.Generator` (``as_generator(seed)``),
drawn on the host in float64 in a fixed order — ``θ``, ``W₀``, ``a``, ``X₀``,
the label noise ``ε``, then the fresh ``X`` — and only then cast to ``dtype``
and moved to the backend. The same seed therefore gives identical arrays with
numpy and the same draws (to float tolerance after the arithmetic) with torch.
"""
from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from .._validation import as_generator, check_nonnegative, check_size
from ..empirical import EmpiricalSpectrum
from .backend import get_backend, resolve_dtype
from .learning_rate import resolve_eta
from .network import check_weight_law, draw_first_layer, draw_second_layer, second_layer_law, second_layer_moment
from .spikes import (
    alignment_prediction,
    rank_one_outlier,
    teacher_coefficients,
    top_singular,
    zeta_norm_prediction,
)

__all__ = ["simulate_one_step", "OneStepResult"]


def feature_eigenvalues(be, F):
    """The ``N`` eigenvalues of ``FᵀF/n`` (ascending): via the smaller of ``FᵀF`` and ``FFᵀ``, plus exact
    zeros when ``N > n``."""
    n, N = int(F.shape[0]), int(F.shape[1])
    K = F.T @ F if N <= n else F @ F.T
    K *= 1.0 / n
    eig = np.asarray(be.eigvalsh(K), dtype=float)
    del K
    if N > n:
        eig = np.concatenate([np.zeros(N - n), eig])
    return eig


def validated_step_inputs(n0, n, d, N, activation, teacher, noise, eta, weights, second_layer, eta_tilde,
                          eta_exponent):
    """The checks shared by :func:`simulate_one_step` and the low-memory step: sizes, activations, noise,
    the learning rate in its one convention, the laws of both layers (ValueError/TypeError naming the
    parameter)."""
    from ..gaussian.activation import activation_parameter

    n0, n, d, N = (check_size(k, v) for k, v in (("n0", n0), ("n", n), ("d", d), ("N", N)))
    act = activation_parameter("activation", activation)
    teach = activation_parameter("teacher", teacher)
    noise = check_nonnegative("noise", noise)
    eta_value = resolve_eta(eta, eta_tilde, eta_exponent, N=N, n0=n0)
    weights = check_weight_law(weights)
    second_layer_law(second_layer)  # validates
    return n0, n, d, N, act, teach, noise, eta_value, weights


def simulate_one_step(n0, n, d, N, activation="tanh", teacher="tanh", noise=0.0, eta=1.0, weights="gaussian",
                      second_layer="gaussian", seed=0, backend="numpy", dtype="float64", fresh=True, *,
                      eta_tilde=None, eta_exponent=None):
    r"""Simulate one full-batch gradient step on ``W`` and the features on data.

    Parameters
    ----------
    n0 : int
        Batch size of the gradient step (``X₀`` is ``n0 × d``).
    n : int
        Sample size of the features ``F = σ(XW₁ᵀ)`` (``n × N``). With
        ``fresh=False`` the step's batch is reused and ``n`` must equal ``n0``
        (ValueError otherwise).
    d, N : int
        Input dimension and width.
    activation : activation spec (anything :func:`rmt_spectra.activation` accepts)
        Student σ.
    teacher : activation spec
        ``σ*`` of the single-index target ``y = σ*(⟨θ,x⟩) + ε``.
    noise : float >= 0
        Label-noise variance ``σ_ε²``.
    eta : float >= 0
        Learning rate in ``W₁ = W₀ + η√N G₀``.
    weights : {"gaussian", "sphere"}
        Rows of ``W₀``: ``N(0, I/d)`` or uniform on the unit sphere.
    second_layer : {"gaussian", "constant", "pm1"} or list of (value, probability)
        Law of ``a`` (a list means ``a_i = ā_i/√N`` with ``ā_i`` drawn from it).
    seed : int, Generator or None
    backend : {"numpy", "torch", "torch:cpu", "torch:cuda"}
        ``"torch"`` uses CUDA when available, the CPU otherwise (torch is optional).
    dtype : {"float64", "float32"}
        Precision of the computation (draws are float64, then cast).
    fresh : bool
        ``True`` (default): features on a fresh sample of size ``n``;
        ``False``: on the step's batch ``X₀``.
    eta_tilde : float, keyword-only, optional
        Alternative convention ``η = η̃√N``.
    eta_exponent : float, keyword-only, optional
        Alternative convention ``η = n0^α`` ([Mon23]).
        ``eta_tilde`` and ``eta_exponent`` are mutually exclusive with each
        other and with a non-default ``eta`` (ValueError).

    Returns
    -------
    OneStepResult
    """
    n0, n, d, N, act, teach, noise, eta_value, weights = validated_step_inputs(
        n0, n, d, N, activation, teacher, noise, eta, weights, second_layer, eta_tilde, eta_exponent)
    if not isinstance(fresh, (bool, np.bool_)):
        raise TypeError(f"fresh must be a bool, got {fresh!r}")
    if not fresh and n != n0:
        raise ValueError(f"with fresh=False the features use the step's batch, so n must equal n0; got n={n}, n0={n0}")
    dtype = resolve_dtype(dtype)
    be = get_backend(backend, dtype)
    rng = as_generator(seed)

    # --- host draws, fixed order (see module docstring) -------------------
    g = rng.standard_normal(d)
    theta = g / np.linalg.norm(g)
    W0 = draw_first_layer(N, d, weights, rng)
    a = draw_second_layer(N, second_layer, rng)
    X0 = rng.standard_normal((n0, d))
    eps = rng.standard_normal(n0)
    y = teach(X0 @ theta) + math.sqrt(noise) * eps
    X = rng.standard_normal((n, d)) if fresh else None

    params = dict(n0=n0, n=n, d=d, N=N, activation=act, teacher=teach, noise=noise, eta=eta_value,
                  eta_tilde=eta_tilde, eta_exponent=eta_exponent, weights=weights, second_layer=second_layer,
                  seed=seed if not isinstance(seed, np.random.Generator) else "Generator",
                  backend=be.name, device=be.device, dtype=dtype, fresh=bool(fresh))
    return OneStepResult._run(params, be, theta=theta, W0=W0, a=a, X0=X0, y=y, X=X)


class OneStepResult:
    r"""Everything about one simulated step; heavy quantities are computed lazily and cached.

    Array attributes (numpy, float64 views of the backend arrays in ``dtype``):
    ``W0, W1`` (``N × d``), ``a`` (``N``), ``theta`` (``d``), ``X0`` (``n0 × d``),
    ``y`` (``n0``), ``X`` (fresh data ``n × d``, or ``X0`` if ``fresh=False``),
    ``G0`` (``N × d``), ``A`` (rank-one part ``(μ₁/(n₀√N)) a (X₀ᵀy)ᵀ``),
    ``zeta = X₀ᵀy/n₀``, ``u = ζ/‖ζ‖``, ``F = σ(XW₁ᵀ)`` (``n × N``), ``F0 = σ(XW₀ᵀ)``.
    ``raw(name)`` returns the backend-native array (a torch tensor for torch).
    ``params`` holds the inputs (``eta`` is the resolved learning rate).

    Built by :func:`simulate_one_step` (through ``OneStepResult._run``, which takes the step);
    the constructor only stores its arguments.

    Parameters
    ----------
    params : dict
        The validated inputs of :func:`simulate_one_step`: ``n0, n, d, N``, ``activation`` and
        ``teacher`` (:class:`~rmt_spectra.gaussian.Activation` objects), ``noise``, ``eta`` (the resolved
        learning rate), ``eta_tilde``, ``eta_exponent``, ``weights``, ``second_layer``, ``seed``
        (``"Generator"`` when a Generator was passed), ``backend``, ``device``, ``dtype``, ``fresh``.
    backend : Backend
        The array backend the arrays live on (:func:`~rmt_spectra.simulation.backend.get_backend`).
    arrays : dict of str -> backend array
        ``theta, W0, a, X0, y, X, G0, W1, zeta, f0`` in the backend's dtype (``f0``: the outputs
        ``f(x_μ)`` at initialization on the batch; ``X`` is ``X0`` itself when ``fresh=False``).
    """

    def __init__(self, params, backend, arrays):
        self.params = params
        self.backend = backend
        self._raw = arrays

    # ------------------------------------------------------------------ construction
    @classmethod
    def _run(cls, params, be, *, theta, W0, a, X0, y, X):
        n0, N = params["n0"], params["N"]
        act = params["activation"]
        sqN = math.sqrt(N)
        tW0, ta, tX0, ty = be.asarray(W0), be.asarray(a), be.asarray(X0), be.asarray(y)
        tX = tX0 if X is None else be.asarray(X)
        Z0 = tX0 @ tW0.T  # n0 × N
        S, D = be.value_and_derivative(act, Z0)
        del Z0
        f = S @ ta * (1.0 / sqN)
        del S
        r = ty - f
        D *= r[:, None]
        G0 = D.T @ tX0  # N × d
        del D
        G0 *= (ta * (1.0 / (n0 * sqN)))[:, None]
        W1 = tW0 + G0 * (params["eta"] * sqN)
        zeta = (tX0.T @ ty) * (1.0 / n0)
        arrays = dict(theta=be.asarray(theta), W0=tW0, a=ta, X0=tX0, y=ty, X=tX, G0=G0, W1=W1, zeta=zeta, f0=f)
        return cls(params, be, arrays)

    def raw(self, name):
        """Backend-native array (``"F"``, ``"F0"``, ``"W1"``, ...)."""
        if name == "F":
            return self._F
        if name == "F0":
            return self._F0
        return self._raw[name]

    def _np(self, name):
        return self.backend.to_numpy(self.raw(name))

    # ------------------------------------------------------------------ arrays
    W0 = property(lambda self: self._np("W0"))
    W1 = property(lambda self: self._np("W1"))
    a = property(lambda self: self._np("a"))
    theta = property(lambda self: self._np("theta"))
    X0 = property(lambda self: self._np("X0"))
    y = property(lambda self: self._np("y"))
    X = property(lambda self: self._np("X"))
    G0 = property(lambda self: self._np("G0"))
    zeta = property(lambda self: self._np("zeta"))

    @property
    def outputs0(self):
        """Network outputs ``f(x_μ)`` at initialization on the batch."""
        return self._np("f0")

    @property
    def eta(self) -> float:
        return self.params["eta"]

    @property
    def u(self):
        z = np.asarray(self.zeta, float)
        return z / np.linalg.norm(z)

    @cached_property
    def mu(self):
        """Hermite coefficients ``[μ₀, μ₁, μ₂, μ₃]`` of the student."""
        from ..gaussian import hermite_coefficients

        return np.asarray(hermite_coefficients(self.params["activation"], 3), dtype=float)

    @cached_property
    def teacher_coefficients(self):
        return teacher_coefficients(self.params["teacher"])

    @property
    def A(self):
        """Rank-one part ``A = (μ₁/(n₀√N)) a (X₀ᵀy)ᵀ = (μ₁/√N) a ζᵀ`` (float64)."""
        return np.outer(np.asarray(self.a, float) * (self.mu[1] / math.sqrt(self.params["N"])),
                        np.asarray(self.zeta, float))

    @cached_property
    def _F(self):
        be = self.backend
        return be.activation(self.params["activation"], self._raw["X"] @ self._raw["W1"].T)

    @cached_property
    def _F0(self):
        be = self.backend
        return be.activation(self.params["activation"], self._raw["X"] @ self._raw["W0"].T)

    @property
    def F(self):
        """Features ``σ(XW₁ᵀ)`` on the fresh data (``n × N``)."""
        return self.backend.to_numpy(self._F)

    @property
    def F0(self):
        """Features at initialization ``σ(XW₀ᵀ)`` on the same data."""
        return self.backend.to_numpy(self._F0)

    # ------------------------------------------------------------------ spectra
    @cached_property
    def _feature_eigenvalues(self):
        return feature_eigenvalues(self.backend, self._F)

    def feature_spectrum(self, method="exact", **options):
        """The spectrum of ``Σ̂ = FᵀF/n``: exact eigenvalues, or a matrix-free stochastic estimate.

        Parameters
        ----------
        method : {"exact", "slq", "kpm"}, default "exact"
            ``"exact"``: the ``N`` eigenvalues (via ``FFᵀ/n`` plus exact zeros when ``N > n``), an
            :class:`~rmt_spectra.EmpiricalSpectrum`; ``"slq"``/``"kpm"``: never forms ``Σ̂``
            (:func:`rmt_spectra.stochastic_spectrum` on the features, on this result's backend).
        **options
            ``n_probes``, ``degree``, ``seed``, ``n_top``, … of :func:`rmt_spectra.stochastic_spectrum`.

        Returns
        -------
        EmpiricalSpectrum or StochasticSpectrum
        """
        if method not in ("exact", "slq", "kpm"):
            raise ValueError(f"method must be 'exact', 'slq' or 'kpm', got {method!r}")
        if method == "exact":
            if options:
                raise TypeError(f"options {sorted(options)} apply to the stochastic methods only")
            return EmpiricalSpectrum(self._feature_eigenvalues, matrix_label="F^T F / n")
        from ..stochastic import stochastic_spectrum

        return stochastic_spectrum(self, method=method, **options)

    def weight_singular_values(self, which="W1", k=None):
        """Singular values (descending) of ``W1`` (default), ``W0`` or ``G0``; top ``k`` via ARPACK if given."""
        if which not in ("W0", "W1", "G0"):
            raise ValueError(f"which must be 'W0', 'W1' or 'G0', got {which!r}")
        M = np.asarray(getattr(self, which), float)
        if k is None:
            return np.linalg.svd(M, compute_uv=False)
        return top_singular(M, check_size("k", k))

    # ------------------------------------------------------------------ diagnostics
    @cached_property
    def _top_W1(self):
        s, U, Vt = top_singular(np.asarray(self.W1, float), 2, vectors=True)
        return s, U[:, 0], Vt[0]

    @cached_property
    def _grad_norms(self):
        G0 = np.asarray(self.G0, float)
        g = float(top_singular(G0, 1)[0])
        diff = float(top_singular(G0 - self.A, 1)[0])
        return g, diff

    def diagnostics(self) -> dict:
        """Measured quantities next to their predictions (flat dict of floats/bools).

        Keys (``*_pred`` = prediction): ``grad_rank_one_rel_error`` (‖G₀ − A‖/‖G₀‖,
        small, ``O(log²n₀/√n₀)``), ``grad_norm_scaled`` (√N‖G₀‖) vs
        ``grad_norm_scaled_pred`` (|μ₁|‖ζ‖‖a‖, measured ζ, a) and
        ``grad_norm_scaled_theory`` (predicted ‖ζ‖, E‖a‖²); ``zeta_norm`` vs
        ``zeta_norm_pred``; ``alignment`` ⟨u,θ⟩² vs ``alignment_pred``
        (μ₁*²/‖ζ‖²_pred) and ``alignment_pred_given_zeta``; ``spike_strength`` ϑ
        (measured ‖ζ‖‖a‖) and ``spike_strength_pred``; ``c = N/d``,
        ``outlier_threshold = c^{1/4}``, ``bulk_edge = 1+√c``;
        ``outlier_pred`` (rank-one formula with the measured ϑ; NaN if none),
        ``outlier_pred_theory`` (with ``spike_strength_pred``), ``W1_top_sv``,
        ``W1_second_sv``, ``outlier_measured`` (``W1_top_sv`` if above
        ``bulk_edge·(1 + 2 min(N,d)^{-2/3})`` — a few Tracy–Widom widths —
        else NaN), ``has_outlier_pred``/``has_outlier_measured``, and the squared
        overlaps of the top singular vectors of ``W₁`` with ``a/‖a‖`` and ``u``.
        """
        p = self.params
        n0, d, N, eta = p["n0"], p["d"], p["N"], p["eta"]
        mu1 = float(self.mu[1])
        zeta = np.asarray(self.zeta, float)
        a = np.asarray(self.a, float)
        zn, an = float(np.linalg.norm(zeta)), float(np.linalg.norm(a))
        u = zeta / zn
        g, diff = self._grad_norms
        zn_pred = zeta_norm_prediction(p["teacher"], n0, d, p["noise"])
        a_norm_pred = math.sqrt(second_layer_moment(p["second_layer"], 1))
        c = N / d
        th = eta * abs(mu1) * zn * an
        th_pred = eta * abs(mu1) * zn_pred * a_norm_pred
        rk = rank_one_outlier(th, c)
        rk_pred = rank_one_outlier(th_pred, c)
        s, u1, v1 = self._top_W1
        tol = rk.bulk_edge * (1 + 2 * min(N, d) ** (-2 / 3))
        has = bool(s[0] > tol)
        tc = self.teacher_coefficients
        return {
            "n0": n0, "n": p["n"], "d": d, "N": N, "eta": eta, "mu1": mu1,
            "teacher_mu0": tc["mu0"], "teacher_mu1": tc["mu1"], "teacher_mu_star": tc["mu_star"],
            "grad_rank_one_rel_error": diff / g,
            "grad_norm_scaled": math.sqrt(N) * g,
            "grad_norm_scaled_pred": abs(mu1) * zn * an,
            "grad_norm_scaled_theory": abs(mu1) * zn_pred * a_norm_pred,
            "zeta_norm": zn, "zeta_norm_pred": zn_pred,
            "alignment": float(np.dot(u, np.asarray(self.theta, float)) ** 2),
            "alignment_pred": alignment_prediction(p["teacher"], n0, d, p["noise"], zeta_norm=zn_pred),
            "alignment_pred_given_zeta": tc["mu1"] ** 2 / zn**2,
            "a_norm": an, "a_norm_pred": a_norm_pred,
            "spike_strength": th, "spike_strength_pred": th_pred,
            "c": c, "outlier_threshold": rk.threshold, "bulk_edge": rk.bulk_edge,
            "has_outlier_pred": rk.has_outlier, "has_outlier_pred_theory": rk_pred.has_outlier,
            "outlier_pred": rk.location, "outlier_pred_theory": rk_pred.location,
            "W1_top_sv": float(s[0]), "W1_second_sv": float(s[1]) if s.size > 1 else float("nan"),
            "has_outlier_measured": has, "outlier_measured": float(s[0]) if has else float("nan"),
            "overlap_left": float(np.dot(u1, a / an) ** 2), "overlap_left_pred": rk.overlap_left,
            "overlap_right": float(np.dot(v1, u) ** 2), "overlap_right_pred": rk.overlap_right,
        }

    def rank_one_prediction(self):
        """:class:`~rmt_spectra.simulation.spikes.RankOnePrediction` for ``W₁`` with the measured ``ϑ``."""
        dg = self.diagnostics()
        return rank_one_outlier(dg["spike_strength"], dg["c"])

    # ------------------------------------------------------------------ polynomial spikes
    def polynomial_spikes(self, **kwargs) -> dict:
        r"""Predicted and measured outliers of ``Σ̂`` after this step (:func:`rmt_spectra.polynomial_spikes`).

        The prediction is built for this run's activation, teacher, noise, sizes, second layer
        and realized ``η``; keyword arguments go to :func:`rmt_spectra.polynomial_spikes`.
        Returns ``{"prediction": PolynomialSpikes, "measured": dict}`` with the measurement of
        :func:`rmt_spectra.measure_polynomial_spikes` (its ``outliers`` carry ``measured``).
        """
        from ..spiked.polynomial import measure_polynomial_spikes, polynomial_spikes  # theory above the simulator

        p = self.params
        pred = polynomial_spikes(p["activation"], n=p["n"], d=p["d"], N=p["N"], n0=p["n0"], teacher=p["teacher"],
                                 noise=p["noise"], second_layer=p["second_layer"], eta=p["eta"], **kwargs)
        return {"prediction": pred, "measured": measure_polynomial_spikes(self, pred)}

    # ------------------------------------------------------------------ text
    def summary(self) -> str:
        p = self.params
        dg = self.diagnostics()
        head = (f"one step: n0={p['n0']} n={p['n']} d={p['d']} N={p['N']} sigma={p['activation'].name} "
                f"teacher={p['teacher'].name} noise={p['noise']:g} eta={p['eta']:.4g} weights={p['weights']} "
                f"a={p['second_layer']} fresh={p['fresh']} backend={p['backend']}({p['device']}) dtype={p['dtype']}")
        rows = [
            ("|G0 - A| / |G0|", dg["grad_rank_one_rel_error"],
             "O(log^2 n0/sqrt n0)" if abs(float(self.mu[2])) < 1e-12 else
             "O(1): mu2 != 0, the structured term (I + tM)w_i is not rank one"),
            ("sqrt(N) |G0|", dg["grad_norm_scaled"], f"{dg['grad_norm_scaled_pred']:.4g} (|mu1||zeta||a|)"),
            ("|zeta|", dg["zeta_norm"], f"{dg['zeta_norm_pred']:.4g}"),
            ("<u,theta>^2", dg["alignment"], f"{dg['alignment_pred']:.4g}"),
            ("spike strength", dg["spike_strength"], f"{dg['spike_strength_pred']:.4g} (threshold {dg['outlier_threshold']:.4g})"),
            ("W1 top sing. value", dg["W1_top_sv"],
             (f"outlier {dg['outlier_pred']:.4g}" if dg["has_outlier_pred"] else "no outlier")
             + f" (bulk edge {dg['bulk_edge']:.4g})"),
        ]
        lines = [head, f"  {'quantity':<22}{'measured':>12}   predicted"]
        lines += [f"  {name:<22}{val:>12.4g}   {pred}" for name, val, pred in rows]
        return "\n".join(lines)

    def __str__(self):
        return self.summary()

    def __repr__(self):
        p = self.params
        return (f"OneStepResult(n0={p['n0']}, n={p['n']}, d={p['d']}, N={p['N']}, eta={p['eta']:.4g}, "
                f"backend={p['backend']!r}, dtype={p['dtype']!r})")
