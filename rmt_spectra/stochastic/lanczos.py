r"""Lanczos on a block of independent probe vectors, and Gauss quadrature from it.

One Lanczos recursion per probe ``v`` (``‖v‖ = 1``), all probes advanced together so that every
step is one block product ``A V`` (a GEMM):

.. math::  \beta_{j} q_{j+1} = A q_j - \alpha_j q_j - \beta_{j-1} q_{j-1},

with full re-orthogonalization against the stored basis (the recursion alone loses
orthogonality once Ritz values converge, which duplicates outliers). The ``k × k`` Jacobi
matrix ``T`` gives the Gauss quadrature of the spectral measure seen from ``v``:
nodes = eigenvalues ``θ_j`` of ``T``, weights = squared first components ``τ_j²`` of its
eigenvectors, so that ``vᵀ f(A) v ≈ Σ_j τ_j² f(θ_j)`` exactly for polynomials of degree
``< 2k`` ([UCS17]; the basis of stochastic Lanczos quadrature, [LSY16]).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._lazy import lazy_import

linalg = lazy_import("scipy.linalg")

__all__ = ["LanczosResult", "block_lanczos", "gauss_quadrature", "rademacher_probes"]


@dataclass(frozen=True)
class LanczosResult:
    """Jacobi matrices of one Lanczos run per probe.

    Parameters
    ----------
    alpha : ndarray, shape ``(p, k)``
        Diagonals.
    beta : ndarray, shape ``(p, k)``
        Off-diagonals (``beta[:, j]`` couples steps ``j`` and ``j+1``; the last one is the residual norm).
    steps : ndarray of int, shape ``(p,)``
        Steps actually taken per probe (fewer than ``k`` after an exact breakdown: the probe's Krylov
        space is invariant and its quadrature is exact).
    orthogonality : float
        ``max |QᵀQ − I|`` of the stored basis (a report of the re-orthogonalization).
    """

    alpha: np.ndarray
    beta: np.ndarray
    steps: np.ndarray
    orthogonality: float


def rademacher_probes(size, n_probes, rng, dtype=float):
    """``n_probes`` independent Rademacher vectors of unit norm, as the columns of a ``size × n_probes`` block."""
    V = rng.integers(0, 2, size=(size, n_probes)).astype(dtype) * 2 - 1
    return V / np.sqrt(size)


def block_lanczos(matmat, V0, degree, *, breakdown_tol=1e-10):
    """Run ``degree`` Lanczos steps from each column of ``V0`` (unit columns), all columns at once.

    Parameters
    ----------
    matmat : callable
        ``V ↦ AV`` on ``(N, p)`` blocks, ``A`` symmetric.
    V0 : ndarray, shape ``(N, p)``
        Starting vectors of unit norm.
    degree : int >= 1
        Steps per probe (products with ``A``).
    breakdown_tol : float
        A probe stops when ``β_j < breakdown_tol · max|α|``.

    Returns
    -------
    LanczosResult
    """
    N, p = V0.shape
    k = int(degree)
    Q = np.zeros((k, N, p), dtype=V0.dtype)
    alpha = np.zeros((p, k))
    beta = np.zeros((p, k))
    steps = np.full(p, k)
    active = np.ones(p, bool)
    q = V0.copy()
    q_prev = np.zeros_like(q)
    b_prev = np.zeros(p)
    scale = 0.0
    for j in range(k):
        Q[j] = q
        w = np.asarray(matmat(q), dtype=V0.dtype)
        a = np.einsum("np,np->p", q, w)
        w -= a * q + b_prev * q_prev
        for _ in range(2):  # classical Gram–Schmidt, twice ("twice is enough")
            c = np.einsum("jnp,np->jp", Q[: j + 1], w)
            w -= np.einsum("jnp,jp->np", Q[: j + 1], c)
        b = np.linalg.norm(w, axis=0)
        alpha[active, j] = a[active]
        beta[active, j] = b[active]
        scale = max(scale, float(np.max(np.abs(a[active]))) if active.any() else scale)
        stop = active & (b <= breakdown_tol * max(scale, 1e-300))
        steps[stop] = j + 1
        active &= ~stop
        if not active.any():
            break
        q_prev = q
        q = np.where(active, w / np.where(b > 0, b, 1.0), 0.0)
        b_prev = np.where(active, b, 0.0)
    used = int(steps.max())
    G = np.einsum("inp,jnp->pij", Q[:used], Q[:used])
    orth = 0.0
    for i in range(p):
        s = int(steps[i])
        orth = max(orth, float(np.max(np.abs(G[i, :s, :s] - np.eye(s)))))
    return LanczosResult(alpha=alpha, beta=beta, steps=steps, orthogonality=orth)


def gauss_quadrature(result: LanczosResult, *, residuals=False):
    """Nodes and weights of each probe's Gauss quadrature (eigen-decomposition of its Jacobi matrix).

    Parameters
    ----------
    result : LanczosResult
    residuals : bool, default False
        Also return each Ritz value's residual bound ``‖Ay − θy‖ = β_k |s_{kj}|`` (``s_{kj}`` the
        last component of the Jacobi eigenvector): a converged Ritz value is an eigenvalue to that
        accuracy.

    Returns
    -------
    (list of ndarray, list of ndarray[, list of ndarray])
        Per probe: nodes ``θ_j`` (ascending), weights ``τ_j²`` (summing to 1)[, residual bounds].
    """
    nodes, weights, res = [], [], []
    for i, s in enumerate(result.steps):
        s = int(s)
        d, e = result.alpha[i, :s], result.beta[i, : s - 1]
        theta, vecs = linalg.eigh_tridiagonal(d, e)
        w = vecs[0] ** 2
        nodes.append(theta)
        weights.append(w / w.sum())
        res.append(abs(result.beta[i, s - 1]) * np.abs(vecs[-1]))
    return (nodes, weights, res) if residuals else (nodes, weights)
