r"""Matrix-free access to the feature covariance ``Σ̂ = FᵀF/n``.

:class:`GramOperator` applies ``V ↦ Fᵀ(FV)/n`` to a block of vectors in row chunks of ``F``,
never forming the ``N × N`` matrix: ``k`` products cost about ``4nNk`` flops and ``O(nN)``
memory (``F`` itself) against ``2nN² + N³`` flops and ``N²`` memory for ``eigvalsh``.
``F`` may be a numpy array or a torch tensor (on the GPU when it lives there); the vectors
are numpy arrays in and out, so the solvers above stay numpy code.  Any symmetric operator
given as a function ``V ↦ AV`` is accepted too (:meth:`GramOperator.from_matmat`).
"""
from __future__ import annotations

import numpy as np

from .._validation import check_size

__all__ = ["GramOperator", "as_operator"]

#: bytes of ``F`` per chunk of a numpy product: a chunk that stays in cache is read from memory once
#: for ``block @ V`` and ``block.T @ (…)`` (measured 8000 × 4000 float64, 4 vectors: 28 ms in 1 MiB
#: chunks against 101 ms in one pass)
CHUNK_BYTES = 1 << 20
#: rows per chunk on a torch device (a GPU streams ``F`` at full bandwidth: large chunks)
TORCH_CHUNK_ROWS = 65536


class GramOperator:
    """The symmetric operator ``A = FᵀF/n`` (``N × N``), applied blockwise without forming it.

    Parameters
    ----------
    F : array_like or torch.Tensor, shape ``(n, N)``
        The features. A torch tensor is used where it lives (CPU or CUDA), in its dtype.
    scale : float, optional
        ``A = scale · FᵀF``; default ``1/n``.
    chunk_rows : int, optional
        Rows of ``F`` per partial product (default: :data:`CHUNK_BYTES` of ``F`` for numpy,
        :data:`TORCH_CHUNK_ROWS` for torch).

    Attributes
    ----------
    size : int
        ``N``.
    matvecs : int
        Vectors multiplied so far (a block of ``k`` counts ``k``).
    matrix_label : str
        ``"F^T F / n"``.
    """

    matrix_label = "F^T F / n"

    def __init__(self, F, *, scale=None, chunk_rows=None):
        self._torch = type(F).__module__.startswith("torch")
        if not self._torch:
            F = np.asarray(F)
            if F.dtype.kind not in "fc":
                F = F.astype(float)
        if F.ndim != 2 or F.shape[0] < 1 or F.shape[1] < 1:
            raise ValueError(f"F must be a non-empty matrix (n, N), got shape {tuple(F.shape)}")
        self.F = F
        n, self.size = int(F.shape[0]), int(F.shape[1])
        self._outer = False  # True: the companion F Fᵀ (see companion())
        self.scale = 1.0 / n if scale is None else float(scale)
        if not np.isfinite(self.scale) or self.scale <= 0:
            raise ValueError(f"scale must be > 0, got {scale!r}")
        if chunk_rows is None:
            itemsize = 4 if "float32" in str(F.dtype) else 8
            chunk_rows = TORCH_CHUNK_ROWS if self._torch else max(8, CHUNK_BYTES // (self.size * itemsize))
        self.chunk_rows = check_size("chunk_rows", chunk_rows)
        self.matvecs = 0
        self._matmat = None
        if not self._torch:  # by chunks: no n × N boolean temporary
            for start in range(0, n, self.chunk_rows):
                if not np.all(np.isfinite(F[start:start + self.chunk_rows])):
                    raise ValueError("F must be finite (no NaN or inf)")

    @classmethod
    def from_matmat(cls, matmat, size, *, matrix_label="A"):
        """An operator given by a function ``V (size × k) ↦ AV`` (``A`` symmetric).

        Parameters
        ----------
        matmat : callable
            Applies ``A`` to a numpy block of shape ``(size, k)``.
        size : int
            The dimension ``N``.
        matrix_label : str, default "A"
            What the spectrum belongs to.

        Returns
        -------
        GramOperator
        """
        if not callable(matmat):
            raise TypeError(f"matmat must be callable, got {type(matmat).__name__}")
        op = cls.__new__(cls)
        op.F, op._torch, op.size = None, False, check_size("size", size)
        op.scale, op.chunk_rows, op.matvecs = 1.0, 1, 0
        op._matmat, op._outer = matmat, False
        op.matrix_label = matrix_label
        return op

    @property
    def dtype(self):
        """numpy dtype of the products (float64, or float32 for float32 features)."""
        if self.F is None:
            return np.dtype(float)
        return np.dtype("float32") if "float32" in str(self.F.dtype) else np.dtype(float)

    def matmat(self, V):
        """``A V`` for a block ``V`` of shape ``(N, k)`` (or ``(N,)``); numpy in, numpy out."""
        V = np.asarray(V)
        one = V.ndim == 1
        V2 = V[:, None] if one else V
        if V2.shape[0] != self.size:
            raise ValueError(f"V must have {self.size} rows, got shape {V.shape}")
        self.matvecs += V2.shape[1]
        if self._matmat is not None:
            out = np.asarray(self._matmat(V2), float).reshape(self.size, -1)
        elif self._torch:
            out = self._torch_matmat(V2)
        elif self._outer:  # F (Fᵀ V): two passes over the rows of F, no transposed copy
            F = self.F
            Vc = V2.astype(F.dtype, copy=False)
            dtype = np.result_type(F.dtype, np.float32)
            Y = np.zeros((F.shape[1], V2.shape[1]), dtype=dtype)
            for start in range(0, F.shape[0], self.chunk_rows):
                Y += F[start:start + self.chunk_rows].T @ Vc[start:start + self.chunk_rows]
            out = np.empty((self.size, V2.shape[1]), dtype=dtype)
            for start in range(0, F.shape[0], self.chunk_rows):
                out[start:start + self.chunk_rows] = F[start:start + self.chunk_rows] @ Y
            out *= self.scale
        else:
            F = self.F
            Vc = V2.astype(F.dtype, copy=False)
            out = np.zeros((self.size, V2.shape[1]), dtype=np.result_type(F.dtype, np.float32))
            for start in range(0, F.shape[0], self.chunk_rows):
                block = F[start:start + self.chunk_rows]
                out += block.T @ (block @ Vc)
            out *= self.scale
        return out[:, 0] if one else out

    def _torch_matmat(self, V):
        import torch

        F = self.F
        Vt = torch.as_tensor(np.ascontiguousarray(V), dtype=F.dtype, device=F.device)
        if self._outer:
            Y = torch.zeros((F.shape[1], V.shape[1]), dtype=F.dtype, device=F.device)
            for start in range(0, F.shape[0], self.chunk_rows):
                Y += F[start:start + self.chunk_rows].T @ Vt[start:start + self.chunk_rows]
            out = torch.empty((self.size, V.shape[1]), dtype=F.dtype, device=F.device)
            for start in range(0, F.shape[0], self.chunk_rows):
                out[start:start + self.chunk_rows] = F[start:start + self.chunk_rows] @ Y
            return (out * self.scale).cpu().numpy()
        out = torch.zeros((self.size, V.shape[1]), dtype=F.dtype, device=F.device)
        for start in range(0, F.shape[0], self.chunk_rows):
            block = F[start:start + self.chunk_rows]
            out += block.T @ (block @ Vt)
        out *= self.scale
        return out.cpu().numpy()

    matvec = matmat

    def companion(self):
        """The ``n × n`` operator ``FFᵀ/n`` (same nonzero eigenvalues as ``FᵀF/n``), sharing ``F``.

        Applied as ``F(FᵀV)``: two passes over the row chunks of the same ``F``, no transposed copy
        (memory stays ``nN``; a product reads ``F`` twice instead of once).
        """
        if self.F is None:
            raise ValueError("companion() needs the features F (not a bare matmat)")
        if self._outer:
            raise ValueError("companion() of a companion: use the original operator")
        op = GramOperator.__new__(GramOperator)
        op.__dict__.update(self.__dict__)
        op.size, op.matvecs, op._outer = int(self.F.shape[0]), 0, True
        op.matrix_label = "F F^T / n"
        return op

    def dense(self):
        """The matrix ``A`` itself (for tests and small sizes only)."""
        return self.matmat(np.eye(self.size))


def as_operator(source):
    """A :class:`GramOperator` from features, an operator, or a simulated step.

    Parameters
    ----------
    source : GramOperator, OneStepResult, array_like or torch.Tensor
        An operator is returned as is; a :class:`~rmt_spectra.OneStepResult` gives its features
        ``F = σ(XW₁ᵀ)`` (on its backend); a matrix is taken as ``F`` (``n × N``).

    Returns
    -------
    GramOperator
    """
    if isinstance(source, GramOperator):
        return source
    raw = getattr(source, "raw", None)
    if callable(raw) and hasattr(source, "params"):
        return GramOperator(source.raw("F"))
    if isinstance(source, (str, bytes)) or np.isscalar(source):
        raise TypeError(f"source must be features F (n × N), a GramOperator or a OneStepResult, got {source!r}")
    return GramOperator(source)
