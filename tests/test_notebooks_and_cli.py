"""The notebooks' code and the command line run end to end (no Jupyter needed)."""
import json
from pathlib import Path

import matplotlib
import pytest

from rmt_spectra.cli import main

matplotlib.use("Agg")
NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def _check_01(ns):
    # MP(2) against one draw at p = 1500: KS within the DKW 95 % band of the non-zero eigenvalues; the KS
    # distance falls with p (the mean of 3 seeds from p = 100 to 800, a factor > 2)
    assert ns["result"].ks < 1.36 / (0.5 * 1500) ** 0.5
    assert ns["ks"][-1] < 0.5 * ns["ks"][0]


def _check_02(ns):
    # the CK equivalent against its simulation (ReLU, n = 1600, d = 800, N = 400): KS within the DKW band,
    # and the density solver's report shows convergence on the physical branch
    import rmt_spectra as rs

    assert rs.compare(ns["ck"], ns["emp"]).ks < 1.36 / 400**0.5
    assert ns["info"].branch_ok.all() and ns["info"].max_residual < 1e-9


CHECKS = {"01_laws_and_empirical_spectra.ipynb": _check_01, "02_conjugate_kernel_and_one_step.ipynb": _check_02}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_code_runs(path):
    import matplotlib.pyplot as plt

    cells = json.loads(path.read_text())["cells"]
    namespace = {}
    for cell in cells:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), f"{path.name}", "exec"), namespace)
    plt.close("all")
    CHECKS[path.name](namespace)  # each notebook's numbers, checked


def test_cli_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "hermite" in capsys.readouterr().out


def test_cli_mp_writes_figure_and_numbers(tmp_path, capsys):
    out = tmp_path / "mp.png"
    assert main(["mp", "--ratio", "2", "--p", "300", "--out", str(out)]) == 0
    assert out.stat().st_size > 1000
    numbers = json.loads(out.with_suffix(".json").read_text())
    assert numbers["size"] == 300 and numbers["ks"] < 0.05
    assert "KS distance" in capsys.readouterr().out


def test_cli_bad_input_is_an_error_not_a_traceback(capsys):
    assert main(["mp", "--ratio", "-1", "--out", ""]) == 2
    assert "ratio" in capsys.readouterr().err


def test_cli_hermite(capsys):
    assert main(["hermite", "relu", "--kmax", "4"]) == 0
    out = capsys.readouterr().out
    assert "0.398942" in out  # mu0 = 1/sqrt(2 pi)


def test_cli_ck_main_job(tmp_path, capsys):
    out = tmp_path / "ck.png"
    assert main(["ck", "--activation", "relu", "--n", "600", "--d", "300", "--N", "200", "--out", str(out)]) == 0
    numbers = json.loads(out.with_suffix(".json").read_text())
    # ReLU is non-centred: the mean outlier is predicted and matched
    assert len(numbers["outliers"]) == 1 and numbers["outliers"][0]["rel_error"] < 0.05
    assert numbers["ks"] < 0.05
