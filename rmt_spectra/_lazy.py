"""Modules imported on first use: ``import rmt_spectra`` stays fast (sympy, scipy.special, scipy.optimize)."""
from __future__ import annotations

import importlib.util
import sys

__all__ = ["lazy_import"]


def lazy_import(name: str):
    """The module ``name``, executed at its first attribute access (:class:`importlib.util.LazyLoader`)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None:  # pragma: no cover - a core dependency is missing
        raise ModuleNotFoundError(f"No module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
