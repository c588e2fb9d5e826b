r"""Empirical ridge readout and its test error, for simulated features.

Readout conventions (``docs/theory/generalization.md``): with ``Φ = F/√N`` (``F`` the
``n × N`` features),

* ``"authors"`` (default, [Cui24]):  ``ŵ = argmin ‖y − Φw‖² + λ‖w‖²``;
* ``"ba22"``: ``argmin (1/n)‖y − Φw‖² + (λ/N)‖w‖²``, i.e. the authors' λ is
  ``λ·n/N`` (translated at the boundary, :func:`translate_ridge`);
* ``"mon23"``: ``argmin (1/n)‖y − Φw‖² + λ‖w‖²``, i.e. the authors' λ is ``λ·n``.

Measured quantities, on a fresh test set of ``n_test`` points with the same
first layer: ``test_error = mean (y − f̂)²`` (label noise included, comparable
with :func:`rmt_spectra.risk.srf_test_error`) and ``risk = mean (f* − f̂)²``
(noise-free target).  Both come with the standard error of the test-set
average (``std/√n_test``); the sample-to-sample fluctuation is estimated by
repeating over seeds (:func:`average_over_seeds`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validation import as_generator, check_nonnegative, check_positive, check_size
from ..gaussian import activation as as_activation
from ..simulation.one_step import OneStepResult
from ..spiked.parameters import spiked_parameters
from ..spiked.surrogate import SpikedSample, simulate_spiked_features

__all__ = [
    "RIDGE_CONVENTIONS",
    "RidgeTestError",
    "SeedAverage",
    "average_over_seeds",
    "fit_ridge",
    "ridge_test_error",
    "simulate_srf_test_error",
    "spiked_test_set",
    "translate_ridge",
]

RIDGE_CONVENTIONS = ("authors", "ba22", "mon23")


def translate_ridge(ridge, n, N, convention="authors") -> float:
    """The authors' λ (``‖y − Φw‖² + λ‖w‖²``) equivalent to ``ridge`` in ``convention``.

    Parameters
    ----------
    ridge : float >= 0
        The penalty in ``convention``.
    n, N : int
        Training samples and width (features ``n × N``); not validated.
    convention : {"authors", "ba22", "mon23"}, default "authors"
        ``"authors"``: unchanged; ``"ba22"``: ``λ = ridge·n/N``; ``"mon23"``: ``λ = ridge·n``
        (module docstring). Anything else raises ``ValueError``.

    Returns
    -------
    float
        The authors' λ.
    """
    ridge = check_nonnegative("ridge", ridge)
    if convention == "authors":
        return ridge
    if convention == "ba22":
        return ridge * n / N
    if convention == "mon23":
        return ridge * n
    raise ValueError(f"convention must be one of {RIDGE_CONVENTIONS}, got {convention!r}")


def fit_ridge(F, y, ridge, convention="authors"):
    """Readout weights ``w`` for the features ``F`` (``n × N``; the predictor is ``F w/√N``).

    Solved in the smaller of the primal (``N × N``) and dual (``n × n``) forms:
    ``w = (ΦᵀΦ + λI)⁻¹Φᵀy = Φᵀ(ΦΦᵀ + λI)⁻¹y``, ``Φ = F/√N``, with ``λ`` the authors'
    penalty (:func:`translate_ridge`); the primal form is used when ``N ≤ n``. At ``λ = 0`` the
    minimum-norm least-squares solution ``Φ⁺y`` (the ``λ → 0⁺`` limit; no singular solve).

    Parameters
    ----------
    F : array_like, shape (n, N)
        Training features, finite.
    y : array_like, shape (n,)
        Training labels, finite.
    ridge : float >= 0
        In ``convention`` (0 needs a non-singular Gram matrix).
    convention : {"authors", "ba22", "mon23"}, default "authors"
        Ridge convention (module docstring).

    Returns
    -------
    ndarray, shape (N,)
        The weights ``w``.
    """
    F = np.asarray(F, dtype=float)
    y = np.asarray(y, dtype=float)
    if F.ndim != 2:
        raise ValueError(f"F must be a 2-d (n x N) feature matrix, got shape {F.shape}")
    n, N = F.shape
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},), got {y.shape}")
    if not np.all(np.isfinite(F)):
        raise ValueError("F must be finite (no NaN or inf): a non-finite feature makes every weight NaN")
    if not np.all(np.isfinite(y)):
        raise ValueError("y must be finite (no NaN or inf)")
    lam = translate_ridge(ridge, n, N, convention)
    Phi = F / math.sqrt(N)
    if lam == 0.0:  # ridgeless: the minimum-norm least-squares readout (the λ → 0⁺ limit)
        return np.linalg.lstsq(Phi, y, rcond=None)[0]
    if N <= n:
        A = Phi.T @ Phi
        A[np.diag_indices_from(A)] += lam
        return np.linalg.solve(A, Phi.T @ y)
    K = Phi @ Phi.T
    K[np.diag_indices_from(K)] += lam
    return Phi.T @ np.linalg.solve(K, y)


@dataclass(frozen=True)
class RidgeTestError:
    """One measurement: ``test_error`` (with label noise), ``risk`` (without), train error, their test-set s.e.

    Parameters
    ----------
    test_error : float
        ``mean (y − f̂)²`` on the test set (label noise included).
    risk : float
        ``mean (f* − f̂)²`` on the test set (noise-free target).
    train_error : float
        ``mean (y − f̂)²`` on the training set.
    test_error_se, risk_se : float
        Standard errors of the two test-set averages, ``std(ddof=1)/√n_test``.
    n, N : int
        Training samples and width.
    ridge : float
        The penalty in the authors' convention (``‖y − Φw‖² + λ‖w‖²``), whatever convention
        the fit was asked in.
    """

    test_error: float
    risk: float
    train_error: float
    test_error_se: float
    risk_se: float
    n: int
    N: int
    ridge: float


def _evaluate(w, N, features_of, X_test, y_test, f_test, F_train, y_train, ridge, chunk=4096):
    preds = []
    for i in range(0, X_test.shape[0], chunk):
        preds.append(features_of(X_test[i:i + chunk]) @ w / math.sqrt(N))
    pred = np.concatenate(preds)
    e_test, e_risk = (y_test - pred) ** 2, (f_test - pred) ** 2
    nt = e_test.size
    train = float(np.mean((y_train - F_train @ w / math.sqrt(N)) ** 2))
    return RidgeTestError(test_error=float(e_test.mean()), risk=float(e_risk.mean()), train_error=train,
                          test_error_se=float(e_test.std(ddof=1) / math.sqrt(nt)),
                          risk_se=float(e_risk.std(ddof=1) / math.sqrt(nt)), n=F_train.shape[0], N=N,
                          ridge=float(ridge))


def spiked_test_set(sample, n_test, seed=None):
    """Fresh inputs ``X`` (``n_test × d``) and sRF features ``σ(√c XW₀ᵀ + κuᵀ)`` with the *same* ``W₀, v̂, u``
    (and the same per-group variances ``c_k`` when the sample has them).

    Here ``κ = Xv̂``; with per-neuron variances ``sample.column_variance`` the column ``i``
    uses ``√c_i`` in place of ``√c``.

    Parameters
    ----------
    sample : SpikedSample
        The training draw (:func:`rmt_spectra.spiked.simulate_spiked_features`).
    n_test : int >= 1
        Number of test points.
    seed : int, Generator or None
        For the test inputs ``X`` (rows ``N(0, I_d)``).

    Returns
    -------
    X : ndarray, shape (n_test, d)
        Test inputs.
    F : ndarray, shape (n_test, N)
        Their sRF features.
    """
    n_test = check_size("n_test", n_test)
    X = as_generator(seed).standard_normal((n_test, sample.W0.shape[1]))
    return X, _spiked_features(sample, X)


def _spiked_features(sample, X):
    # per-neuron variances c_k when the sample has several group variances (as ``sample.F``)
    cv = getattr(sample, "column_variance", None)
    scale = math.sqrt(sample.bulk_variance) if cv is None else np.sqrt(np.asarray(cv, float))
    pre = (X @ sample.W0.T) * scale
    pre += np.outer(X @ sample.vhat, sample.u)
    return sample.activation(pre)


def ridge_test_error(source, ridge, *, n_test=4000, seed=None, convention="authors", teacher=None, noise=None,
                     labels=None) -> RidgeTestError:
    """Fit the ridge readout on simulated features and measure its error on fresh data.

    Parameters
    ----------
    source : OneStepResult or SpikedSample
        ``OneStepResult`` (:func:`rmt_spectra.simulate_one_step`): training
        features ``F = σ(XW₁ᵀ)`` on its fresh data ``X``; labels
        ``σ*(Xθ) + ε`` are drawn from ``seed`` (teacher and noise from its
        ``params``) unless ``labels`` is given; test features ``σ(X̃W₁ᵀ)``.
        ``SpikedSample`` (:func:`rmt_spectra.spiked.simulate_spiked_features`):
        training features ``sample.F`` and labels ``sample.y`` (drawn with
        ``teacher``, which must be passed again here together with ``noise``);
        test features from the same ``W₀, v̂, u``.
    ridge : float >= 0
        In ``convention`` (module docstring).
    n_test : int
        Size of the fresh test set.
    seed : int or Generator
        For the test set (and the training labels of a ``OneStepResult``). Not the
        simulation's own integer seed (a ``UserWarning`` says so): that replays its stream.
    convention : {"authors", "ba22", "mon23"}, keyword-only
        Convention of ``ridge``.
    teacher : activation spec, optional
        Target σ* of the test labels; for a ``OneStepResult`` defaults to ``params["teacher"]``,
        for a ``SpikedSample`` required (it does not record its teacher).
    noise : float >= 0, optional
        Label-noise variance of the test labels (and of the drawn training labels); default
        ``params["noise"]`` for a ``OneStepResult``, 0 for a ``SpikedSample``.
    labels : array_like, shape (n,), optional
        Training labels to use instead of drawing them (``OneStepResult``) or of ``sample.y``.

    Returns
    -------
    RidgeTestError
        Test error ``mean (y − f̂)²`` and risk ``mean (f* − f̂)²`` on ``n_test`` fresh points,
        with their standard errors and the train error; ``ridge`` in the authors' convention.
    """
    ridge = check_nonnegative("ridge", ridge)
    n_test = check_size("n_test", n_test)
    if convention not in RIDGE_CONVENTIONS:
        raise ValueError(f"convention must be one of {RIDGE_CONVENTIONS}, got {convention!r}")
    rng = as_generator(seed)
    if isinstance(source, OneStepResult):
        p = source.params
        sim_seed = p.get("seed")
        if (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and isinstance(sim_seed, (int, np.integer))
                and int(seed) == int(sim_seed)):
            # the same integer seed replays the simulation's stream: the test inputs are then (shifted)
            # copies of √d·W₀'s rows, and the error is biased low (ReLU/ReLU, η̃ = 3, d = 500, n = d:
            # 0.107 instead of 0.123)
            import warnings

            warnings.warn(f"ridge_test_error: seed={seed} is the seed of the simulation: the test set replays its "
                          "random stream (the rows of W0) and the error is biased; use another seed "
                          "(e.g. 10_000 + seed)", UserWarning, stacklevel=2)
        target = as_activation(teacher if teacher is not None else p["teacher"])
        nz = check_nonnegative("noise", noise if noise is not None else p["noise"])
        theta, W1, act = source.theta, np.asarray(source.W1, float), p["activation"]
        X, F = np.asarray(source.X, float), np.asarray(source.F, float)
        if labels is None:
            y = target(X @ theta) + math.sqrt(nz) * rng.standard_normal(X.shape[0])
        else:
            y = np.asarray(labels, float)

        def features_of(Xt):
            return act(Xt @ W1.T)
    elif isinstance(source, SpikedSample):
        if teacher is None:
            raise ValueError("teacher is required for a SpikedSample (it does not record its teacher)")
        target = as_activation(teacher)
        nz = check_nonnegative("noise", 0.0 if noise is None else noise)
        theta, X, F = source.theta, source.X, source.F
        y = source.y if labels is None else np.asarray(labels, float)
        if y is None:
            raise ValueError("the SpikedSample has no labels: simulate it with teacher=..., or pass labels=")

        def features_of(Xt):
            return _spiked_features(source, Xt)
    else:
        raise TypeError(f"source must be a OneStepResult or a SpikedSample, got {type(source).__name__}")
    n, N = F.shape
    w = fit_ridge(F, y, ridge, convention)
    Xt = rng.standard_normal((n_test, X.shape[1]))
    f_test = target(Xt @ theta)
    y_test = f_test + math.sqrt(nz) * rng.standard_normal(n_test)
    return _evaluate(w, N, features_of, Xt, y_test, f_test, F, y, translate_ridge(ridge, n, N, convention))


@dataclass(frozen=True)
class SeedAverage:
    """Mean over seeds with ``std`` (ddof=1) and the error bar ``stderr = std/√seeds``.

    Unpacks as ``mean, stderr = SeedAverage``.

    Parameters
    ----------
    mean : float
        Mean of ``values``.
    std : float
        Sample standard deviation (ddof=1) of ``values``; NaN for a single seed.
    stderr : float
        ``std/√len(values)`` (NaN for a single seed).
    values : ndarray, shape (seeds,)
        The per-seed values.
    """

    mean: float
    std: float
    stderr: float
    values: np.ndarray

    def __iter__(self):  # mean, stderr = SeedAverage
        return iter((self.mean, self.stderr))


def average_over_seeds(func, seeds, attribute="test_error") -> SeedAverage:
    """Call ``func(seed)`` for each seed and average ``attribute`` of the results (or the results if None).

    Parameters
    ----------
    func : callable
        ``seed -> result``; the result (or its ``attribute``) must convert to ``float``.
    seeds : iterable
        Seeds passed to ``func`` in order (at least one).
    attribute : str or None, default "test_error"
        Attribute of each result to average; None averages the results themselves.

    Returns
    -------
    SeedAverage
        Mean, ``std`` (ddof=1; NaN for one seed), ``stderr = std/√len(seeds)`` and the values.
    """
    vals = []
    for s in seeds:
        r = func(s)
        vals.append(float(r if attribute is None else getattr(r, attribute)))
    v = np.array(vals)
    std = float(v.std(ddof=1)) if v.size > 1 else float("nan")
    return SeedAverage(mean=float(v.mean()), std=std, stderr=std / math.sqrt(v.size), values=v)


def simulate_srf_test_error(activation, teacher, alpha, ridge, d, width_ratio=1.0, noise=0.0, *, eta_tilde=None,
                            alpha0=None, spike=None, bulk_variance=None, gamma=None, seeds=(0,), n_test=4000):
    """Direct simulation of ridge on the sRF surrogate, averaged over ``seeds``.

    The model is given either by ``(eta_tilde, alpha0)`` (mapped by
    :func:`rmt_spectra.spiked.spiked_parameters`) or by ``(spike, bulk_variance,
    gamma)``.  Sizes ``n = round(alpha·d)``, ``N = round(width_ratio·d)``; ridge in
    the authors' convention.  Returns a :class:`SeedAverage` of the test error
    (label noise included) for scalar ``alpha``, a list of them for an array.

    Parameters
    ----------
    activation, teacher : activation specs
        Student σ and target σ*.
    alpha : float or array_like, > 0
        ``n/d`` of the readout fit.
    ridge : float >= 0
        Authors' λ (``‖y − Φw‖² + λ‖w‖²``).
    d : int >= 1
        Input dimension.
    width_ratio : float > 0, default 1
        ``N/d``.
    noise : float >= 0, default 0
        Label-noise variance (training and test labels; also passed to
        :func:`~rmt_spectra.spiked.spiked_parameters`).
    eta_tilde, alpha0 : float, optional, keyword-only
        Step ``η̃ = η/√N`` and ``n₀/d``, mapped to ``(r, c, γ)``; exclusive with the next three.
    spike, bulk_variance, gamma : float, optional, keyword-only
        ``r``, ``c``, ``γ`` of the sRF model given directly (all three needed).
    seeds : iterable of int, default (0,)
        Seeds of the draws; the test set of seed ``s`` uses ``10_000 + s``.
    n_test : int >= 1, default 4000
        Test points per draw.

    Returns
    -------
    SeedAverage or list of SeedAverage
        The test error averaged over ``seeds``, one per value of ``alpha``.
    """
    d = check_size("d", d)
    beta = check_positive("width_ratio", width_ratio)
    if eta_tilde is not None or alpha0 is not None:
        if spike is not None or bulk_variance is not None or gamma is not None:
            raise ValueError("give either (eta_tilde, alpha0) or (spike, bulk_variance, gamma), not both")
        p = spiked_parameters(activation, teacher, eta_tilde, alpha0, noise=noise)
        spike, bulk_variance, gamma = p.r, p.bulk_variance, p.gamma
    if spike is None or bulk_variance is None or gamma is None:
        raise ValueError("give (eta_tilde, alpha0) or all of (spike, bulk_variance, gamma)")
    N = max(1, int(round(beta * d)))
    alphas = np.atleast_1d(np.asarray(alpha, dtype=float))
    if np.any(alphas <= 0):
        raise ValueError(f"alpha (= n/d) must be > 0, got {alpha!r}")
    out = []
    for a in alphas:
        n = max(1, int(round(a * d)))

        def one(seed, n=n):
            s = simulate_spiked_features(activation, n, d, N, spike=spike, bulk_variance=bulk_variance, gamma=gamma,
                                         teacher=teacher, noise=noise, seed=seed)
            return ridge_test_error(s, ridge, n_test=n_test, seed=10_000 + int(seed), teacher=teacher, noise=noise)

        out.append(average_over_seeds(one, seeds))
    return out[0] if np.ndim(alpha) == 0 else out
