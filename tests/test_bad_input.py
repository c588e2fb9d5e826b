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


# ------------------------------------------------------------------ every public name, every numeric parameter
SIZE_BAD = (0, -3, 2.5, float("nan"), "10")
POS_BAD = (0.0, -1.0, float("nan"), float("inf"), "1")
NONNEG_BAD = (-0.1, float("nan"), float("inf"))
ACT_BAD = ("no-such-activation", object())
_MP = rs.MarchenkoPastur(0.5)


def _one_step():
    return rs.simulate_one_step(60, 50, 40, 30, eta=1.0, seed=0)


#: a valid, cheap call of each public callable, and the parameters to spoil one at a time.
PUBLIC_CALLS = {
    "ConjugateKernel": (("tanh", 200, 100, 100), {}, {"activation": ACT_BAD, "n": SIZE_BAD, "d": SIZE_BAD,
                                                      "N": SIZE_BAD, "weights": ("cauchy",), "n_nodes": SIZE_BAD}),
    "EmpiricalSpectrum": (([1.0, 2.0],), {}, {"eigenvalues": ([1.0, float("nan")], [[1.0, 2.0]], [])}),
    "MarchenkoPastur": ((0.5,), {}, {"ratio": POS_BAD, "variance": POS_BAD}),
    "Population": (([1.0, 2.0],), {}, {"atoms": ([1.0, float("nan")], [], [-1.0]),
                                       "weights": ([0.5], [-1.0, 2.0], [float("nan"), 1.0])}),
    "SampleCovariance": ((rs.Population([1.0]), 0.5), {}, {"ratio": POS_BAD, "population": ([1.0], "x"),
                                                           "method": ("magic",), "on_failure": ("explode",),
                                                           "tol": POS_BAD}),
    "WeightedSampleCovariance": ((rs.Population([1.0, 2.0]), 0.5), {}, {"weights": ([1.0, 2.0], "x"),
                                                                         "ratio": POS_BAD}),
    "Semicircle": ((), {}, {"variance": POS_BAD, "center": (float("nan"), "0")}),
    "SpikedFeatures": (("tanh", 200, 100, 100), {"spike": 1.0},
                       {"activation": ACT_BAD, "n": SIZE_BAD, "d": SIZE_BAD, "N": SIZE_BAD,
                        "spike": (float("nan"), "1"), "bulk_variance": POS_BAD, "kappa_nodes": SIZE_BAD}),
    "StieltjesLaw": ((_MP.stieltjes, _MP.support), {}, {"support": ([(2.0, 1.0)], "x", [(0.0, float("nan"))]),
                                                         "atoms": ([(0.0, 2.0)], [(0.0, -0.5)]),
                                                         "eta": (-1.0, float("nan"))}),
    "Setting": (("tanh",), {"n0": 60, "n": 50, "d": 40, "N": 30, "eta_tilde": 1.0},
                {"n0": SIZE_BAD, "n": SIZE_BAD, "d": SIZE_BAD, "N": SIZE_BAD, "noise": NONNEG_BAD,
                 "eta_tilde": (-1.0, float("nan")), "activation": ACT_BAD}),
    "activation": (("tanh",), {}, {"spec": ACT_BAD + ("hermite:-1", "hermite:x", [])}),
    "compare": ((_MP, rs.EmpiricalSpectrum(_MP.simulate(200, seed=0).eigenvalues)), {},
                {"theory": ("mp",), "empirical": ("x",)}),
    "density_from_stieltjes": ((_MP.stieltjes, np.linspace(0.1, 2.0, 5)), {}, {"eta": (-1.0, float("nan")),
                                                                               "x": ([float("nan")],)}),
    "eta_from_exponent": ((0.5, 100), {}, {"alpha": (float("nan"), "0.5"), "n": SIZE_BAD}),
    "eta_from_tilde": ((1.0, 100), {}, {"eta_tilde": (-1.0, float("nan")), "N": SIZE_BAD}),
    "gaussian_moments": (("tanh",), {}, {"activation": ACT_BAD, "shift": (float("nan"),),
                                         "scale": (-1.0, float("nan")), "method": ("magic",)}),
    "hermite_coefficients": (("tanh", 3), {}, {"activation": ACT_BAD, "kmax": (-1, 2.5, "3"),
                                               "method": ("magic",), "dps": SIZE_BAD}),
    "kernel_lower_bound": (("tanh",), {}, {"teacher": ACT_BAD, "noise": NONNEG_BAD}),
    "polynomial_spikes": (("relu", 0.3, 200, 100, 100), {"n0": 200},
                          {"activation": ACT_BAD, "alpha": (float("nan"), -0.5, "0.3"), "n": SIZE_BAD,
                           "d": SIZE_BAD, "N": SIZE_BAD, "n0": SIZE_BAD, "noise": NONNEG_BAD,
                           "second_layer": ("triangular",)}),
    "random_features_risk": (("tanh", "tanh", 1.0, 0.1), {}, {"alpha": POS_BAD, "ridge": POS_BAD,
                                                             "width_ratio": POS_BAD, "noise": NONNEG_BAD}),
    "srf_test_error": (("tanh", "tanh", 1.0, 2.0, 1.0, 0.1), {},
                       {"activation": ACT_BAD, "teacher": ACT_BAD, "eta_tilde": (-1.0, float("nan")),
                        "alpha0": (-1.0, float("nan"), "2"), "alpha": POS_BAD, "ridge": POS_BAD,
                        "width_ratio": POS_BAD, "noise": NONNEG_BAD, "method": ("magic",),
                        "second_layer": ("triangular",), "model": ("exact",), "n_kappa": SIZE_BAD,
                        "tol": POS_BAD}),
    "tau_star": (("tanh", "tanh"), {}, {"activation": ACT_BAD, "teacher": ACT_BAD}),
    "simulate_step_features": ((60, 50, 40, 30), {}, {"n0": SIZE_BAD, "n": SIZE_BAD, "d": SIZE_BAD, "N": SIZE_BAD,
                                                     "activation": ACT_BAD, "noise": NONNEG_BAD,
                                                     "eta": (float("nan"), "1"), "weights": ("cauchy",),
                                                     "second_layer": ("triangular",), "backend": ("jax",),
                                                     "dtype": ("float16",), "chunk_rows": SIZE_BAD}),
    "simulate_one_step": ((60, 50, 40, 30), {}, {"n0": SIZE_BAD, "n": SIZE_BAD, "d": SIZE_BAD, "N": SIZE_BAD,
                                                "activation": ACT_BAD, "noise": NONNEG_BAD,
                                                "eta": (float("nan"), "1"), "weights": ("cauchy",),
                                                "second_layer": ("triangular",), "backend": ("jax",),
                                                "dtype": ("int8",), "seed": ("abc", 1.5)}),
    "simulate_spiked_features": (("tanh", 50, 40, 30), {"spike": 1.0},
                                 {"activation": ACT_BAD, "n": SIZE_BAD, "d": SIZE_BAD, "N": SIZE_BAD,
                                  "noise": NONNEG_BAD, "gamma": (1.5, float("nan")), "seed": ("abc",)}),
    "spiked_parameters": (("tanh", "tanh", 1.0, 2.0), {}, {"activation": ACT_BAD, "teacher": ACT_BAD,
                                                          "eta_tilde": (-1.0, float("nan")),
                                                          "alpha0": (-1.0, float("nan")), "noise": NONNEG_BAD,
                                                          "second_layer": ("triangular",)}),
    "solve_silverstein": ((rs.Population([1.0]), 0.5, [1.0 + 0.1j]), {},
                          {"ratio": POS_BAD, "z": ([1.0 - 0.1j], [complex("nan")]), "method": ("magic",),
                           "on_failure": ("explode",)}),
    "ridge_test_error": ((rs.simulate_spiked_features("tanh", 50, 40, 30, spike=1.0, teacher="tanh", seed=0), 0.1),
                         {"seed": 0, "teacher": "tanh", "noise": 0.0}, {"ridge": NONNEG_BAD + ("1",), "n_test": SIZE_BAD, "convention": ("mine",)}),
}

#: public names with no numeric input of their own (results, base classes, plotting) — checked elsewhere.
EXEMPT = {"Activation": "built by rs.activation (checked above)", "Comparison": "result of rs.compare",
          "GaussianMoments": "result of rs.gaussian_moments", "OneStepResult": "result of rs.simulate_one_step",
          "Outlier": "result record", "PolynomialSpikes": "result of rs.polynomial_spikes",
          "Spectrum": "abstract base class", "plot_spectrum": "plotting (matplotlib's own checks)",
          "plot_learning_curve": "plotting (matplotlib's own checks)",
          "measure_polynomial_spikes": "takes results (TypeError checked in test_polynomial_spikes)",
          "sweep": "passes its grid to simulate_one_step (checked above)",
          "Explorer": "keyword controls, checked in test_explore.py", "explore": "builds an Explorer (test_explore.py)",
          "stochastic_spectrum": "checked in test_stochastic.py (method, sizes, backend, source)",
          "GramOperator": "checked in test_stochastic.py (shape, NaN)", "StochasticSpectrum": "result of stochastic_spectrum"}


def test_every_public_callable_is_swept():
    public = {n for n in rs.__all__ if callable(getattr(rs, n)) and not n[0].islower() or
              callable(getattr(rs, n))}
    assert public - set(PUBLIC_CALLS) - set(EXEMPT) == set()


def _cases():
    for name, (args, kwargs, spoil) in PUBLIC_CALLS.items():
        for param, values in spoil.items():
            for k, v in enumerate(values):
                yield pytest.param(name, param, v, id=f"{name}-{param}-{k}")


@pytest.mark.parametrize("name, param, value", list(_cases()))
def test_bad_value_is_refused_naming_the_parameter(name, param, value):
    import inspect

    args, kwargs, _ = PUBLIC_CALLS[name]
    func = getattr(rs, name)
    bound = inspect.signature(func).bind_partial(*args, **kwargs)
    bound.arguments[param] = value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises((ValueError, TypeError)) as err:
            out = func(*bound.args, **bound.kwargs)
            # lazily validated objects: the first evaluation must refuse
            for attr in ("support", "outliers"):
                if hasattr(out, attr):
                    getattr(out, attr)() if callable(getattr(out, attr)) else getattr(out, attr)
    msg = str(err.value).lower()
    names = {param.lower(), param.lower().replace("_", " ")}
    assert any(n in msg for n in names), f"{name}({param}={value!r}): message does not name {param!r}: {err.value}"


def test_valid_calls_of_the_sweep_work():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, (args, kwargs, _) in PUBLIC_CALLS.items():
            getattr(rs, name)(*args, **kwargs)


@pytest.mark.parametrize("argv, param", [
    (["hermite", "nope"], "activation"),
    (["hermite", "tanh", "--kmax", "-1"], "kmax"),
    (["hermite", "tanh", "--method", "magic"], "method"),
    (["mp", "--ratio", "-1", "--out", ""], "ratio"),
    (["mp", "--ratio", "nan", "--out", ""], "ratio"),
    (["mp", "--variance", "0", "--out", ""], "variance"),
    (["mp", "--p", "0", "--out", ""], "p"),
    (["mp", "--seed", "-3", "--out", ""], "seed"),
    (["ck", "--activation", "nope", "--out", ""], "activation"),
    (["ck", "--n", "0", "--out", ""], "n"),
    (["ck", "--d", "-5", "--out", ""], "d"),
    (["demo", "--eta-tilde", "-1", "--out", ""], "eta"),
    (["demo", "--eta-tilde", "1e9", "--out", ""], "eta"),
    (["demo", "--n0", "0", "--out", ""], "n0"),
    (["demo", "--noise", "-1", "--out", ""], "noise"),
    (["demo", "--teacher", "nope", "--out", ""], "teacher"),
])
def test_cli_bad_arguments_one_error_line_exit_2(argv, param):
    """Every sub-command refuses bad numbers before any work: exit code 2, one line naming the parameter."""
    proc = subprocess.run([sys.executable, "-m", "rmt_spectra.cli", *argv], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2, (argv, proc.returncode, proc.stderr[-400:])
    err = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    assert "Traceback" not in proc.stderr
    assert param in err[-1].lower(), (argv, err[-1])


def test_ridgeless_fit_is_the_min_norm_limit_not_a_linalg_error():
    rng = np.random.default_rng(0)
    F, y = rng.standard_normal((20, 50)), rng.standard_normal(20)  # N > n: ΦΦᵀ invertible, ΦᵀΦ singular
    w0 = fit_ridge(F, y, 0.0)
    w_small = fit_ridge(F, y, 1e-9)
    np.testing.assert_allclose(w0, w_small, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(F @ w0 / np.sqrt(50), y, atol=1e-10)  # interpolates


def test_zero_direction_and_constructor_built_equivalent():
    from rmt_spectra.spiked import check_validity, hermite_directions

    with pytest.raises(ValueError, match="zeta"):
        hermite_directions(np.ones((5, 3)), np.zeros(3))
    sf = rs.SpikedFeatures("tanh", 200, 100, 100, spike=1.0)
    assert check_validity(sf)["valid"]  # no step parameters: nothing to check, no AttributeError
