"""Bad input is refused at the boundary with a message naming the parameter, never a hang, a traceback or a
silent NaN (the cases a new user hit, one by one)."""
import subprocess
import sys
import warnings

import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.risk.ridge import fit_ridge
from rmt_spectra.simulation import spike_levels


# ------------------------------------------------------------------ activations
@pytest.mark.parametrize("func, match", [
    (lambda x: np.where(np.abs(x) < 5, np.tanh(x), np.nan), "NaN or inf at z = -5"),  # used to hang every quadrature
    (lambda x: np.exp(x**2), "grows too fast"),  # used to give 1e21 "coefficients"
    (lambda x: np.exp(0.3 * x**2), "grows too fast"),
])
def test_activation_checked_where_it_is_integrated(func, match):
    with pytest.raises(ValueError, match=match):
        rs.hermite_coefficients(func, 3)
    with pytest.raises(ValueError, match=match):
        rs.ConjugateKernel(func, 400, 200, 200)


def test_fast_but_integrable_activations_pass():
    for func in (np.exp, np.cosh, lambda x: x**10, lambda x: np.exp(0.2 * x**2)):
        assert np.all(np.isfinite(rs.hermite_coefficients(func, 2)))


def test_constant_activation_has_no_bulk():
    with pytest.raises(ValueError, match="constant"):
        rs.ConjugateKernel("hermite:0", 800, 400, 400)


# ------------------------------------------------------------------ spectra
def test_stieltjes_at_a_point_mass_is_i_infinity():
    assert rs.EmpiricalSpectrum([1.0, 2.0]).stieltjes(1.0) == complex(0.0, np.inf)
    assert rs.MarchenkoPastur(2.0).stieltjes(0.0) == complex(0.0, np.inf)
    m = rs.EmpiricalSpectrum([1.0, 2.0]).stieltjes([1.5, 1 + 1j])
    assert np.all(np.isfinite(m))


def test_empirical_spectrum_shapes():
    with pytest.raises(ValueError, match="1-d"):
        rs.EmpiricalSpectrum(np.eye(3))
    with pytest.raises(ValueError, match="symmetric"):
        rs.EmpiricalSpectrum.from_matrix(np.array([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="finite"):
        rs.EmpiricalSpectrum.from_matrix(np.array([[1.0, np.nan], [np.nan, 1.0]]))


def test_stieltjes_law_atoms_have_mass_at_most_one():
    m = rs.MarchenkoPastur(0.5).stieltjes
    with pytest.raises(ValueError, match="mass"):
        rs.StieltjesLaw(m, [(0.08, 2.92)], atoms=[(0.0, 2.0)])
    with pytest.raises(ValueError, match="sum"):
        rs.StieltjesLaw(m, [(0.08, 2.92)], atoms=[(0.0, 0.6), (1.0, 0.6)])


def test_silverstein_ratio_domain():
    with pytest.raises(ValueError, match="ratio must be > 0"):
        rs.solve_silverstein(rs.Population([1.0], [1.0]), -1, 1 + 1j)
    with pytest.raises(TypeError, match="Population"):
        rs.solve_silverstein([1.0], 0.5, 1 + 1j)


# ------------------------------------------------------------------ the step and the risk
def test_alpha0_nan_of_any_float_type():
    for nan in (float("nan"), np.float32("nan"), np.float64("nan")):
        with pytest.raises(ValueError, match="alpha0"):
            rs.srf_test_error("tanh", "tanh", eta_tilde=1.0, alpha0=nan, alpha=[1.0], ridge=0.1)
    with pytest.raises(TypeError, match="alpha0"):
        rs.spiked_parameters("tanh", "tanh", 1.0, "many")


def test_kappa_nodes_minimum():
    with pytest.raises(ValueError, match="n_kappa must be >= 32"):
        rs.srf_test_error("tanh", "tanh", eta_tilde=1.0, alpha0=0.5, alpha=[1.0], ridge=0.1, n_kappa=1)


def test_huge_step_is_refused_not_hung():
    with pytest.raises(ValueError, match=r"eta_tilde must be in \[0, 10000\]"):
        rs.srf_test_error("tanh", "tanh", eta_tilde=1e6, alpha0=0.5, alpha=[1.0], ridge=0.1)
    with pytest.raises(ValueError, match="eta_tilde"):
        rs.SpikedFeatures.from_one_step("tanh", "tanh", 1e6, 800, 400, 200, 200)


def test_risk_failure_policy():
    # a point the solver cannot finish (one Newton step allowed) is NaN with a RuntimeWarning, or raises
    with pytest.warns(RuntimeWarning, match="returned as NaN"):
        err = rs.srf_test_error("tanh", "tanh", eta_tilde=1.0, alpha0=0.5, alpha=[1.0], ridge=0.1, max_iter=1)
    assert np.isnan(err).all()
    with pytest.raises(RuntimeError, match="did not converge"):
        rs.srf_test_error("tanh", "tanh", eta_tilde=1.0, alpha0=0.5, alpha=[1.0], ridge=0.1, max_iter=1,
                          on_failure="raise")
    with warnings.catch_warnings():  # a well-posed call stays quiet and positive
        warnings.simplefilter("error")
        assert rs.srf_test_error("tanh", "tanh", eta_tilde=1.0, alpha0=0.5, alpha=[0.5, 2.0], ridge=0.01).min() > 0


def test_fit_ridge_refuses_non_finite_features():
    with pytest.raises(ValueError, match="F must be finite"):
        fit_ridge(np.array([[1.0, np.nan], [0.0, 1.0]]), np.array([1.0, 2.0]), 0.1)
    with pytest.raises(ValueError, match="y must be finite"):
        fit_ridge(np.eye(2), np.array([1.0, np.inf]), 0.1)


def test_spike_levels_near_one_half_does_not_loop():
    assert spike_levels(0.3) == 2 and spike_levels(0.25) == 1 and spike_levels(1 / 3) == 2
    with pytest.raises(ValueError, match="too close to 1/2"):
        spike_levels(0.5 - 1e-12)


# ------------------------------------------------------------------ the command line
def test_cli_unwritable_out_is_one_error_line(tmp_path):
    target = "/proc/nonexistent/x.png"
    out = subprocess.run([sys.executable, "-m", "rmt_spectra.cli", "mp", "--ratio", "0.5", "--out", target],
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and out.stderr.strip().count("\n") == 0
    assert "--out" in out.stderr


def test_cli_help_is_plain_text():
    for args in ([], ["mp"], ["ck"], ["demo"], ["hermite"]):
        out = subprocess.run([sys.executable, "-m", "rmt_spectra.cli", *args, "--help"], capture_output=True, text=True)
        assert out.returncode == 0 and "`" not in out.stdout, args
