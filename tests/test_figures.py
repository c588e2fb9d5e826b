"""Every paper figure runs at its smoke size through the one harness, writes PNG, PDF, JSON and a caption, and one
number of each JSON is checked against an independent reference."""
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.figures import figure_names, run_figure

TWELVE = {"ba22_fig1", "ba22_fig3a", "ba22_fig3b", "ba22_fig3c", "ba22_spike", "mon23_spikes", "mon23_errors",
          "cui24_learning_curves", "cui24_learned_function", "dan24_spectrum", "dan24_tails", "spectrum_one_step"}


def test_the_twelve_figures_are_registered():
    assert set(figure_names()) == TWELVE


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    """Run each figure once at its smoke size (shared by the checks below)."""
    out = tmp_path_factory.mktemp("figures")
    cache = {}

    def get(name):
        if name not in cache:
            run_figure(name, size="smoke", out=str(out), progress=False, quiet=True)
            cache[name] = json.loads((out / f"{name}.json").read_text())
        return cache[name]

    get.out = out
    return get


@pytest.mark.parametrize("name", sorted(TWELVE))
def test_files_and_meta(smoke, name):
    rec = smoke(name)
    for ext in ("png", "pdf", "json", "txt"):
        assert (smoke.out / f"{name}.{ext}").stat().st_size > 0
    assert set(rec) == {"meta", "data", "table", "caption"}
    meta = rec["meta"]
    assert meta["figure"] == name and meta["size"] == "smoke" and meta["version"] == rs.__version__
    assert meta["wall_time_s"] > 0 and meta["seed"] == 0 and meta["params"]
    assert rec["table"] and len(rec["caption"]) > 80


def test_dan24_tails_relu_edges(smoke):
    """ReLU, ā = 1, N/d = 1, n/N = 2: edges 1.583 (r = 0) and 2.771 (r = 2) of the deterministic equivalent."""
    relu = smoke("dan24_tails")["data"]["activations"]["relu"]
    assert relu["edge_at_r"][0] == pytest.approx(1.583, rel=0.01)
    assert relu["edge_at_r"][1] == pytest.approx(2.771, rel=0.01)
    tanh = smoke("dan24_tails")["data"]["activations"]["tanh"]
    assert tanh["edge_at_r"][1] < tanh["edge_at_r"][0]  # tanh's edge shrinks with r


def test_ba22_spike_threshold(smoke):
    data = smoke("ba22_spike")["data"]
    assert data["threshold"] == pytest.approx((data["N"] / data["d"]) ** 0.25, rel=1e-12)
    # below the threshold the top singular value is at the bulk edge; well above, an outlier (finite-size 10 %)
    low, high = data["points"][0], data["points"][-1]
    assert low["theta"] < data["threshold"] < high["theta"]
    assert high["top_sv"] == pytest.approx(high["top_sv_pred"], rel=0.1)


@pytest.mark.parametrize("name", ["ba22_fig1", "ba22_fig3c"])
def test_ba22_kernel_bound_erf(smoke, name):
    assert smoke(name)["data"]["kernel_bound"] == pytest.approx(0.0401, abs=1e-4)


def test_ba22_theory_is_the_srf_equivalent(smoke):
    """The plotted theory of ba22_fig3c equals a direct call of srf_test_error at the same finite N."""
    rec = smoke("ba22_fig3c")
    data, p = rec["data"], rec["meta"]["params"]
    d, N = p["d"], int(round(p["N_over_d"] * p["d"]))
    curve = data["curves"][-1]  # η = N^{1/2}
    x = data["x"][0]
    n = int(round(x * d))
    lam = rs.risk.translate_ridge(p["ridge"], n, N, "ba22")
    direct = rs.srf_test_error("erf", "erf", 1.0, x, x, lam, N / d, p["noise"], second_layer="gaussian") - p["noise"]
    assert curve["theory"][0] == pytest.approx(direct, rel=1e-9)


def test_cui24_learning_curves_theory_and_simulation(smoke):
    rec = smoke("cui24_learning_curves")
    step = rec["data"]["steps"][0]
    direct = rs.srf_test_error("tanh", "tanh", step["eta_tilde"], step["alpha0"], rec["data"]["alphas"][0], 0.01)
    assert step["theory"][0] == pytest.approx(direct, rel=0.01)
    assert all(np.isfinite(step["network"])) and all(np.isfinite(step["srf"]))


def test_cui24_learned_function_is_linear_without_a_step(smoke):
    curves = smoke("cui24_learned_function")["data"]["curves"]
    flat = np.asarray(curves[0]["theory"])  # α₀ = 0: r = 0, γ = 0
    assert curves[0]["alpha0"] == 0 and np.max(np.abs(np.diff(flat, 2))) < 1e-10
    bent = np.asarray(curves[-1]["theory"])
    assert np.max(np.abs(np.diff(bent, 2))) > 1e-3


def test_mon23_limits_form_a_staircase(smoke):
    quad = smoke("mon23_errors")["data"]["targets"]["linear + quadratic (He1 + He2/2)"]["limits"]
    assert quad["2"] < quad["1"] < quad["0"]


def test_density_figures_fit_the_simulation(smoke):
    """Bulk KS distances at the smoke size (d = 100: about 0.05 expected from n^(-1/2) fluctuations)."""
    for case in smoke("dan24_spectrum")["data"]["cases"]:
        assert case["ks_after"] < 0.15
    for panel in smoke("spectrum_one_step")["data"]["panels"]:
        assert panel["numbers"]["after"]["ks"] < 0.15


def test_cli_figure_list_and_bad_name():
    out = subprocess.run([sys.executable, "-m", "rmt_spectra.cli", "figure", "--list"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and {line.split()[0] for line in out.stdout.splitlines()} == TWELVE
    bad = subprocess.run([sys.executable, "-m", "rmt_spectra.cli", "figure", "nope"], capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 2 and "unknown figure" in bad.stderr and "Traceback" not in bad.stderr


def test_script_runs_the_same_figure(tmp_path):
    script = Path(__file__).resolve().parents[1] / "paper_figures" / "ba22_spike.py"
    out = subprocess.run([sys.executable, str(script), "--smoke", "--out", str(tmp_path), "--quiet",
                          "--format", "png"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-500:]
    assert (tmp_path / "ba22_spike.png").exists() and not (tmp_path / "ba22_spike.pdf").exists()
    rec = json.loads((tmp_path / "ba22_spike.json").read_text())
    assert math.isclose(rec["data"]["threshold"], 2 ** 0.25)
