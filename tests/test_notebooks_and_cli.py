"""The command line runs end to end (the notebooks are run by tests/test_notebooks.py)."""
import json

import matplotlib
import pytest

from rmt_spectra.cli import main

matplotlib.use("Agg")


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
