"""`import rmt_spectra` loads neither sympy, scipy.special, scipy.optimize, matplotlib nor the extras.

They are loaded where used (`rmt_spectra._lazy.lazy_import`); the import time itself is measured in
benchmarks/bench_import.py (0.2 s here, of which numpy is about half).
"""
import subprocess
import sys

HEAVY = ["sympy.core", "scipy.special._ufuncs", "scipy.optimize._minimize", "matplotlib.pyplot", "torch", "dask",
         "mpmath.ctx_mp"]


def _loaded_after(code):
    probe = f"import sys; {code}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_import_is_light():
    assert _loaded_after("import rmt_spectra") == []


def test_lazy_modules_load_on_use():
    loaded = _loaded_after("import rmt_spectra as rs; rs.hermite_coefficients([0, 1, 0, 1], 3, method='exact'); "
                           "rs.activation('erf')(0.3)")
    assert "sympy.core" in loaded and "scipy.special._ufuncs" in loaded
