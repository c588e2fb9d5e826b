r"""One gradient step in ``O(Nd + nN)`` memory: the features of a wide network without the data.

:func:`simulate_one_step` keeps every array (``W₀, G₀, W₁, X₀, X``: ``3Nd + (n₀ + n)d`` numbers)
for its diagnostics. At ``N = 40000`` features, ``d = 20000`` and ``n₀ = n = N`` that is 22 GB in
float32 before the features. :func:`simulate_step_features` draws the **same** random numbers
(same seed, same order: ``θ, W₀, a, X₀, ε, X``), but streams the data in row chunks and keeps
only what the spectrum needs:

1. pass over ``X₀`` (chunks): ``X₀θ`` for the labels (the generator state is saved before);
2. draw ``ε``; the labels ``y``;
3. second pass over the same ``X₀`` (generator state restored): the outputs ``f₀``, the residuals
   and the gradient ``G₀ = (1/(n₀√N)) diag(a) [(σ'(X₀W₀ᵀ) ⊙ r)ᵀ X₀]``, accumulated chunk by chunk
   into one ``N × d`` buffer that then becomes ``W₁ = W₀ + η√N G₀`` in place;
4. the features ``F = σ(XW₁ᵀ)`` on fresh data drawn chunk by chunk.

Peak memory: ``2Nd`` (``W₀`` and the gradient buffer) during the step, ``Nd + nN`` after (``W₁``
and ``F``), plus one chunk. With ``dtype="float64"`` and the same seed the features equal those of
:func:`simulate_one_step` to round-off (the GEMMs are summed in another order), which the tests
check.
"""
from __future__ import annotations

import math

import numpy as np

from .._validation import as_generator, check_size
from .backend import get_backend, resolve_dtype
from .network import draw_first_layer, draw_second_layer
from .one_step import feature_eigenvalues, validated_step_inputs

__all__ = ["simulate_step_features", "StepFeatures"]


class StepFeatures:
    """The features after one step, and little else (built by :func:`simulate_step_features`).

    Parameters
    ----------
    params : dict
        The validated inputs.
    backend : Backend
        Where the arrays live.
    F, W1 : backend arrays
        Features ``σ(XW₁ᵀ)`` (``n × N``) and the first layer after the step (``N × d``).
    a, theta, zeta : ndarray
        Second layer, teacher direction, ``ζ = X₀ᵀy/n₀``.

    Attributes
    ----------
    params : dict
        The validated inputs (``eta`` is the resolved learning rate).
    a, theta, zeta : ndarray
        Second layer, teacher direction, ``ζ = X₀ᵀy/n₀``.
    W1 : ndarray or torch.Tensor
        The first layer after the step (backend-native).
    """

    def __init__(self, params, backend, F, W1, a, theta, zeta):
        self.params, self.backend = params, backend
        self._F, self.W1, self.a, self.theta, self.zeta = F, W1, a, theta, zeta

    def raw(self, name):
        """Backend-native array: ``"F"`` or ``"W1"``."""
        if name == "F":
            return self._F
        if name == "W1":
            return self.W1
        raise ValueError(f"name must be 'F' or 'W1', got {name!r}")

    @property
    def F(self):
        """Features ``σ(XW₁ᵀ)`` (``n × N``), as numpy."""
        return self.backend.to_numpy(self._F)

    def feature_spectrum(self, method="slq", **options):
        """The spectrum of ``Σ̂ = FᵀF/n`` (:meth:`OneStepResult.feature_spectrum`; default SLQ).

        Parameters
        ----------
        method : {"slq", "kpm", "exact"}, default "slq"
        **options
            Of :func:`rmt_spectra.stochastic_spectrum`.

        Returns
        -------
        StochasticSpectrum or EmpiricalSpectrum
        """
        if method == "exact":
            from ..empirical import EmpiricalSpectrum

            return EmpiricalSpectrum(feature_eigenvalues(self.backend, self._F), matrix_label="F^T F / n")
        from ..stochastic import stochastic_spectrum

        return stochastic_spectrum(self, method=method, **options)


def _empty(be, shape, like):
    """An uninitialized backend array of ``like``'s dtype (and device)."""
    if hasattr(be, "torch"):
        return be.torch.empty(shape, dtype=like.dtype, device=like.device)
    return np.empty(shape, dtype=like.dtype)


def _accumulate(be, G, D, X):
    """``G += Dᵀ X`` in place: BLAS gemm with ``β = 1`` (numpy) or ``addmm_`` (torch)."""
    if hasattr(be, "torch"):
        G.addmm_(D.T, X)
        return
    from scipy.linalg import blas

    gemm = blas.sgemm if G.dtype == np.float32 else blas.dgemm
    if G.flags.f_contiguous:
        gemm(1.0, D, X, beta=1.0, c=G, trans_a=True, overwrite_c=True)
    else:                                                           # C-ordered G: accumulate Gᵀ += Xᵀ D
        gemm(1.0, X, D, beta=1.0, c=G.T, trans_a=True, overwrite_c=True)


def simulate_step_features(n0, n, d, N, activation="tanh", teacher="tanh", noise=0.0, eta=1.0, weights="gaussian",
                           second_layer="gaussian", seed=0, backend="numpy", dtype="float32", *, eta_tilde=None,
                           eta_exponent=None, chunk_rows=2048):
    """One step of :func:`simulate_one_step` in low memory, keeping the features only (module docstring).

    Parameters
    ----------
    n0, n, d, N, activation, teacher, noise, eta, weights, second_layer, seed, backend, eta_tilde, eta_exponent
        As in :func:`rmt_spectra.simulate_one_step` (fresh data always).
    dtype : {"float32", "float64"}, default "float32"
        Storage and arithmetic of ``W`` and ``F``.
    chunk_rows : int, default 2048
        Rows of ``X₀`` and ``X`` drawn and multiplied at a time.

    Returns
    -------
    StepFeatures
    """
    n0, n, d, N, act, teach, noise, eta_value, weights = validated_step_inputs(
        n0, n, d, N, activation, teacher, noise, eta, weights, second_layer, eta_tilde, eta_exponent)
    chunk = check_size("chunk_rows", chunk_rows)
    dtype = resolve_dtype(dtype)
    be = get_backend(backend, dtype)
    rng = as_generator(seed)
    sqN = math.sqrt(N)

    g = rng.standard_normal(d)
    theta = g / np.linalg.norm(g)
    W = None                                                        # W₀, later W₁ (the one N × d buffer kept)
    for s in range(0, N, chunk):                                    # same stream as draw_first_layer, by rows
        m = min(chunk, N - s)
        rows = be.asarray(draw_first_layer(m, d, weights, rng))
        if W is None:
            W = _empty(be, (N, d), rows)
        W[s:s + m] = rows
        del rows
    a = draw_second_layer(N, second_layer, rng)
    ta = be.asarray(a)

    state = rng.bit_generator.state                                 # before X₀
    proj = np.empty(n0)
    for s in range(0, n0, chunk):
        m = min(chunk, n0 - s)
        proj[s:s + m] = rng.standard_normal((m, d)) @ theta
    eps = rng.standard_normal(n0)
    y = teach(proj) + math.sqrt(noise) * eps
    after_labels = rng.bit_generator.state                          # before X

    rng.bit_generator.state = state
    G = None
    zeta = np.zeros(d)
    for s in range(0, n0, chunk):
        m = min(chunk, n0 - s)
        Xc = rng.standard_normal((m, d))
        zeta += Xc.T @ y[s:s + m]
        tX = be.asarray(Xc)
        S, D = be.value_and_derivative(act, tX @ W.T)
        r = be.asarray(y[s:s + m]) - S @ ta * (1.0 / sqN)
        D *= r[:, None]
        if G is None:
            G = _empty(be, (N, d), W)
            G[...] = 0
        _accumulate(be, G, D, tX)                                   # G += Dᵀ X₀ in place (no N × d temporary)
        del S, D, tX
    zeta /= n0
    G *= (ta * (eta_value / n0))[:, None]                           # η√N · G₀ with G₀'s 1/(n₀√N)
    W += G
    del G

    rng.bit_generator.state = after_labels
    F = None
    for s in range(0, n, chunk):
        m = min(chunk, n - s)
        tX = be.asarray(rng.standard_normal((m, d)))
        block = be.activation(act, tX @ W.T)
        if F is None:
            F = _empty(be, (n, N), block)
        F[s:s + m] = block
        del block, tX
    params = dict(n0=n0, n=n, d=d, N=N, activation=act, teacher=teach, noise=noise, eta=eta_value, eta_tilde=eta_tilde,
                  eta_exponent=eta_exponent, weights=weights, second_layer=second_layer,
                  seed=seed if not isinstance(seed, np.random.Generator) else "Generator", backend=be.name,
                  device=be.device, dtype=dtype, fresh=True)
    return StepFeatures(params, be, F, W, a, theta, zeta)
