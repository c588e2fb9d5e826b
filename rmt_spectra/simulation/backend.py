r"""Array backends for the simulator: numpy (default) and torch (optional).

All randomness is drawn on the host with a :class:`numpy.random.Generator`, in
float64, and only then cast to ``dtype`` and moved to the backend's device, so
the same ``seed`` gives the same numbers whatever the backend (backends then
agree to floating-point tolerance, not bitwise: the GEMM order differs).

The torch backend is imported lazily; ``backend="torch"`` runs on CUDA when
``torch.cuda.is_available()`` and on the CPU otherwise (``"torch:cpu"`` and
``"torch:cuda"`` force a device). Without torch installed it raises
:class:`BackendUnavailableError` (an :class:`ImportError`).

Activations are applied natively on the backend for the built-ins (tanh, relu,
erf, softplus, sin, sigmoid) and for polynomials (Horner's rule, also
``"hermite:k"``), derivatives included. Any other activation (a sympy
expression, a bare callable) is evaluated by its numpy callable on the host:
correct but slower on a GPU (a device → host → device round trip).
"""
from __future__ import annotations

import math

import numpy as np

from .._lazy import lazy_import

sc = lazy_import("scipy.special")

__all__ = [
    "BackendUnavailableError",
    "Backend",
    "NumpyBackend",
    "TorchBackend",
    "get_backend",
    "resolve_dtype",
    "torch_available",
    "cuda_available",
]

_DTYPES = {"float64": np.float64, "float32": np.float32}
_NATIVE = ("tanh", "relu", "erf", "softplus", "sin", "sigmoid")


class BackendUnavailableError(ImportError):
    """The requested array backend cannot be used (torch not installed, no CUDA)."""


def resolve_dtype(dtype) -> str:
    """``"float64"`` or ``"float32"`` from a string or numpy/torch dtype; ValueError otherwise."""
    name = None
    if isinstance(dtype, str):
        name = dtype.strip().lower()
    else:
        try:
            name = np.dtype(dtype).name
        except TypeError:
            name = str(dtype).replace("torch.", "")
    if name in ("double",):
        name = "float64"
    if name in ("float", "single"):
        name = "float32"
    if name not in _DTYPES:
        raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
    return name


def torch_available() -> bool:
    """Whether PyTorch can be imported.

    Returns
    -------
    bool
        ``True`` when ``import torch`` succeeds (the optional ``gpu`` extra), ``False`` on ImportError.
    """
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def cuda_available() -> bool:
    """Whether the torch backend can run on CUDA.

    Returns
    -------
    bool
        ``torch.cuda.is_available()``; ``False`` when torch is not installed.
    """
    if not torch_available():
        return False
    import torch

    return bool(torch.cuda.is_available())


def _poly_coeffs(act):
    """Monomial coefficients of a polynomial activation, else None."""
    if getattr(act, "is_polynomial", False):
        return np.asarray(act.polynomial_coefficients, dtype=float)
    return None


class Backend:
    """Interface used by :mod:`rmt_spectra.simulation.one_step`.

    ``asarray(host)`` moves a float64 host array to the backend in ``dtype``;
    ``to_numpy(x)`` brings it back; arrays support ``@``, ``*``, ``+``, ``.T``.
    """

    name = "abstract"
    device = "cpu"

    def __init__(self, dtype="float64"):
        self.dtype_name = resolve_dtype(dtype)

    def __repr__(self):
        return f"{type(self).__name__}(device={self.device!r}, dtype={self.dtype_name!r})"

    # --- activation σ^{(k)}(x), natively when possible ---------------------
    def activation(self, act, x, k: int = 0):
        coeffs = _poly_coeffs(act)
        if coeffs is not None:
            c = np.polynomial.polynomial.polyder(coeffs, k) if k else coeffs
            if c.size == 0:
                c = np.zeros(1)
            return self._horner(c, x)
        if getattr(act, "kind", None) == "builtin" and act.name in _NATIVE:
            out = self._builtin(act.name, x, k)
            if out is not None:
                return out
        # generic: the numpy callable on the host
        f = act if k == 0 else act.derivative(k)
        host = np.asarray(f(self.to_numpy(x)), dtype=float)
        return self.asarray(host)

    def value_and_derivative(self, act, x):
        """``(σ(x), σ'(x))``; for tanh/sigmoid the derivative reuses the value (one transcendental pass)."""
        if getattr(act, "kind", None) == "builtin" and act.name in ("tanh", "sigmoid"):
            v = self.activation(act, x)
            return v, (1 - v * v) if act.name == "tanh" else v * (1 - v)
        return self.activation(act, x), self.activation(act, x, 1)

    def _horner(self, c, x):
        out = self.full_like(x, float(c[-1]))
        for coef in c[-2::-1]:
            out = out * x
            out += float(coef)
        return out


class NumpyBackend(Backend):
    """numpy / LAPACK on the CPU."""

    name = "numpy"
    device = "cpu"

    @property
    def dtype(self):
        return _DTYPES[self.dtype_name]

    def asarray(self, host):
        return np.asarray(host, dtype=self.dtype)

    def to_numpy(self, x):
        return np.asarray(x)

    def full_like(self, x, value):
        return np.full_like(x, value)

    def sum(self, x, axis=None):
        return x.sum(axis=axis)

    def norm(self, x) -> float:
        return float(np.linalg.norm(x))

    def eigvalsh(self, sym):
        import scipy.linalg

        return scipy.linalg.eigvalsh(sym, overwrite_a=True, check_finite=False)

    def synchronize(self):
        pass

    def _builtin(self, name, x, k):
        dt = x.dtype
        if k == 0:
            if name == "tanh":
                return np.tanh(x)
            if name == "relu":
                return np.maximum(x, 0)
            if name == "erf":
                return sc.erf(x).astype(dt, copy=False)
            if name == "softplus":
                return np.logaddexp(dt.type(0), x)
            if name == "sin":
                return np.sin(x)
            if name == "sigmoid":
                return sc.expit(x).astype(dt, copy=False)
        if k == 1:
            if name == "tanh":
                t = np.tanh(x)
                t *= t
                np.subtract(dt.type(1), t, out=t)
                return t
            if name == "relu":
                return (x > 0).astype(dt)
            if name == "erf":
                return (dt.type(2 / math.sqrt(math.pi)) * np.exp(-(x * x))).astype(dt, copy=False)
            if name == "softplus":
                return sc.expit(x).astype(dt, copy=False)
            if name == "sin":
                return np.cos(x)
            if name == "sigmoid":
                s = sc.expit(x).astype(dt, copy=False)
                return s * (1 - s)
        return None


class TorchBackend(Backend):
    """torch on CUDA when available (``device="auto"``), else on the CPU."""

    name = "torch"

    def __init__(self, dtype="float64", device="auto"):
        super().__init__(dtype)
        try:
            import torch
        except ImportError as exc:  # pragma: no cover - exercised only without torch
            raise BackendUnavailableError(
                "backend='torch' needs PyTorch, which is not installed; install the optional extra "
                "`pip install rmt_spectra[gpu]` (or torch itself), or use backend='numpy'"
            ) from exc
        self.torch = torch
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if device not in ("cpu", "cuda") and not str(device).startswith("cuda:"):
            raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:i]', got {device!r}")
        if str(device).startswith("cuda") and not torch.cuda.is_available():
            raise BackendUnavailableError("backend='torch:cuda' requested but torch.cuda.is_available() is False")
        self.device = str(device)
        self.dtype = torch.float64 if self.dtype_name == "float64" else torch.float32

    def asarray(self, host):
        t = self.torch.from_numpy(np.ascontiguousarray(host))
        return t.to(device=self.device, dtype=self.dtype)

    def to_numpy(self, x):
        return x.detach().to("cpu").numpy()

    def full_like(self, x, value):
        return self.torch.full_like(x, value)

    def sum(self, x, axis=None):
        return x.sum() if axis is None else x.sum(dim=axis)

    def norm(self, x) -> float:
        return float(self.torch.linalg.vector_norm(x))

    def eigvalsh(self, sym):
        return self.to_numpy(self.torch.linalg.eigvalsh(sym)).astype(float)

    def synchronize(self):
        if self.device.startswith("cuda"):
            self.torch.cuda.synchronize()

    def _builtin(self, name, x, k):
        torch = self.torch
        if k == 0:
            if name == "tanh":
                return torch.tanh(x)
            if name == "relu":
                return torch.relu(x)
            if name == "erf":
                return torch.erf(x)
            if name == "softplus":
                return torch.nn.functional.softplus(x)
            if name == "sin":
                return torch.sin(x)
            if name == "sigmoid":
                return torch.sigmoid(x)
        if k == 1:
            if name == "tanh":
                t = torch.tanh(x)
                return 1 - t * t
            if name == "relu":
                return (x > 0).to(x.dtype)
            if name == "erf":
                return (2 / math.sqrt(math.pi)) * torch.exp(-(x * x))
            if name == "softplus":
                return torch.sigmoid(x)
            if name == "sin":
                return torch.cos(x)
            if name == "sigmoid":
                s = torch.sigmoid(x)
                return s * (1 - s)
        return None


def get_backend(backend="numpy", dtype="float64") -> Backend:
    """A backend from ``"numpy"``, ``"torch"`` (CUDA if available), ``"torch:cpu"``, ``"torch:cuda"``.

    A :class:`Backend` instance is returned unchanged (its dtype must match).

    Parameters
    ----------
    backend : {"numpy", "torch", "torch:cpu", "torch:cuda", "torch:cuda:i"} or Backend, default "numpy"
        Case-insensitive name: ``"numpy"`` (:class:`NumpyBackend`), ``"torch"`` (:class:`TorchBackend`
        on CUDA when ``torch.cuda.is_available()``, else the CPU), ``"torch:<device>"`` with device
        ``cpu``, ``cuda`` or ``cuda:i`` (forced). Anything else: ValueError (TypeError for a non-string).
    dtype : {"float64", "float32"} or numpy/torch dtype, default "float64"
        Precision of the backend arrays (normalized by :func:`resolve_dtype`). For a :class:`Backend`
        instance it must equal the instance's dtype (ValueError otherwise).

    Returns
    -------
    Backend
        A new :class:`NumpyBackend` or :class:`TorchBackend`, or ``backend`` itself.

    Raises
    ------
    BackendUnavailableError
        For a torch backend without torch installed, or ``"torch:cuda"`` without CUDA.
    """
    if isinstance(backend, Backend):
        if backend.dtype_name != resolve_dtype(dtype):
            raise ValueError(f"dtype {dtype!r} differs from the backend instance's {backend.dtype_name!r}")
        return backend
    if not isinstance(backend, str):
        raise TypeError(f"backend must be 'numpy', 'torch', 'torch:cpu' or 'torch:cuda', got {type(backend).__name__}")
    key = backend.strip().lower()
    if key == "numpy":
        return NumpyBackend(dtype)
    if key == "torch":
        return TorchBackend(dtype, "auto")
    if key.startswith("torch:"):
        return TorchBackend(dtype, key.split(":", 1)[1])
    raise ValueError(f"backend must be 'numpy', 'torch', 'torch:cpu' or 'torch:cuda', got {backend!r}")
