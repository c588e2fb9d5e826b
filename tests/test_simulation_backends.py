"""numpy / torch backends: same seed -> same draws; backends agree to float tolerance.

torch is optional (the `gpu` extra): torch tests are skipped without it, CUDA
tests without a CUDA device. Tolerances: float64 results differ only by GEMM
summation order (~1e-13 relative on O(1) entries); float32 by ~1e-6 relative,
amplified by the step (eta sqrt(N) G0) to ~1e-5.
"""
import sys

import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.simulation import BackendUnavailableError, get_backend, simulate_one_step
from rmt_spectra.simulation.backend import NumpyBackend, resolve_dtype

SIZES = dict(n0=300, n=250, d=120, N=100)
ARRAYS = ("W0", "W1", "a", "theta", "G0", "zeta", "X0", "X", "y", "F")
ACTS = ["tanh", "relu", "erf", "softplus", "sin", "sigmoid", "hermite:3", [-0.5, 0.5, 0.5, 1 / 6]]


def test_numpy_same_seed_identical():
    r1 = simulate_one_step(**SIZES, eta=3.0, seed=11)
    r2 = simulate_one_step(**SIZES, eta=3.0, seed=11)
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(r1, name), getattr(r2, name))


@pytest.mark.parametrize("spec", ACTS)
@pytest.mark.parametrize("k", [0, 1])
def test_native_activation_matches_activation_object(spec, k):
    act = rs.activation(spec)
    x = np.linspace(-4, 4, 201)
    ref = act(x) if k == 0 else act.derivative(k)(x)
    be = NumpyBackend("float64")
    np.testing.assert_allclose(be.activation(act, x, k), ref, rtol=1e-12, atol=1e-12)


def test_generic_callable_activation_runs():
    act = rs.activation(lambda t: np.tanh(t) + 0.1 * t**2, name="custom", kinks=())
    r = simulate_one_step(**SIZES, activation=act, seed=0)
    np.testing.assert_allclose(r.F, act(r.X @ r.W1.T), rtol=1e-12)


def test_resolve_dtype():
    assert resolve_dtype(np.float32) == "float32"
    assert resolve_dtype("float64") == "float64"
    with pytest.raises(ValueError, match="dtype"):
        resolve_dtype("int8")


def test_torch_missing_gives_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    with pytest.raises(ImportError, match="torch"):
        get_backend("torch")
    with pytest.raises(BackendUnavailableError):
        simulate_one_step(**SIZES, backend="torch")


def _compare(rn, rt, rtol, atol):
    for name in ARRAYS:
        np.testing.assert_allclose(getattr(rt, name), getattr(rn, name), rtol=rtol, atol=atol, err_msg=name)
    np.testing.assert_allclose(rt.feature_spectrum().eigenvalues, rn.feature_spectrum().eigenvalues,
                               rtol=rtol, atol=atol)
    dn, dt = rn.diagnostics(), rt.diagnostics()
    for key in ("grad_rank_one_rel_error", "zeta_norm", "W1_top_sv", "spike_strength"):
        assert dt[key] == pytest.approx(dn[key], rel=max(rtol, 1e-9) * 10, abs=atol)


@pytest.mark.parametrize("activation", ["tanh", "relu", [-0.5, 0.5, 0.5, 1 / 6]])
def test_torch_cpu_agrees_with_numpy(activation):
    pytest.importorskip("torch")
    rn = simulate_one_step(**SIZES, activation=activation, eta=3.0, seed=5)
    rt = simulate_one_step(**SIZES, activation=activation, eta=3.0, seed=5, backend="torch:cpu")
    assert rt.params["backend"] == "torch" and rt.params["device"] == "cpu"
    assert type(rt.raw("F")).__module__.startswith("torch")
    _compare(rn, rt, rtol=1e-10, atol=1e-10)


def test_torch_cpu_float32():
    torch = pytest.importorskip("torch")
    rn = simulate_one_step(**SIZES, eta=3.0, seed=5)
    rt = simulate_one_step(**SIZES, eta=3.0, seed=5, backend="torch:cpu", dtype="float32")
    assert rt.raw("F").dtype == torch.float32
    np.testing.assert_allclose(rt.F, rn.F, atol=1e-4)
    np.testing.assert_allclose(rt.feature_spectrum().eigenvalues, rn.feature_spectrum().eigenvalues, atol=1e-4)


def test_torch_auto_device():
    torch = pytest.importorskip("torch")
    be = get_backend("torch")
    assert be.device == ("cuda" if torch.cuda.is_available() else "cpu")


def test_torch_wide_features_and_fresh_false():
    pytest.importorskip("torch")
    kw = dict(n0=80, n=80, d=40, N=120, fresh=False, seed=2, eta=2.0)
    rn, rt = simulate_one_step(**kw), simulate_one_step(**kw, backend="torch:cpu")
    np.testing.assert_allclose(rt.feature_spectrum().eigenvalues, rn.feature_spectrum().eigenvalues, atol=1e-10)


@pytest.mark.gpu
def test_torch_cuda_agrees_with_numpy():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    rn = simulate_one_step(**SIZES, eta=3.0, seed=5)
    rt = simulate_one_step(**SIZES, eta=3.0, seed=5, backend="torch:cuda")
    assert rt.raw("F").is_cuda
    _compare(rn, rt, rtol=1e-9, atol=1e-9)
    r32 = simulate_one_step(**SIZES, eta=3.0, seed=5, backend="torch:cuda", dtype="float32")
    np.testing.assert_allclose(r32.F, rn.F, atol=1e-4)


def test_cuda_request_without_cuda_raises():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("CUDA present")
    with pytest.raises(BackendUnavailableError, match="cuda"):
        get_backend("torch:cuda")
