"""rs.explore(): the interactive explorer, headless (no display needed)."""
import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.explore import Explorer

SMALL = dict(d=80, activation="tanh", teacher="tanh", second_layer="pm1")


def _direct(params, sizes, model):
    n0, n, d, N = sizes
    step = rs.simulate_one_step(n0, n, d, N, activation=params["activation"], teacher=params["teacher"],
                                eta_tilde=params["eta_tilde"], second_layer=params["second_layer"], seed=params["seed"])
    theory = rs.SpikedFeatures.from_one_step(params["activation"], params["teacher"], params["eta_tilde"], n0, n, d,
                                             N, second_layer=params["second_layer"], model=model)
    return rs.compare(theory, step.feature_spectrum()).as_dict()


def test_explore_widgets_redraw_and_match_a_direct_call():
    pytest.importorskip("ipywidgets")
    import matplotlib

    matplotlib.use("Agg")
    ex = rs.explore(**SMALL)
    assert set(ex.controls) >= {"activation", "teacher", "eta_tilde", "eta_exponent", "n0_over_d", "N_over_d",
                                "n_over_N", "second_layer", "model", "d"}
    before = {k: np.copy(v) for k, v in ex.data["pdf"].items()}
    eig_before = ex.data["eigenvalues"].copy()
    ks_before = ex.data["comparison"]["network"]["ks"]
    ex.controls["eta_tilde"].value = 1.5          # as a user moving the slider
    assert ex.params["eta_tilde"] == 1.5
    assert not np.allclose(ex.data["pdf"]["network"], before["network"])
    assert not np.allclose(ex.data["eigenvalues"], eig_before)
    direct = _direct(ex.params, ex.sizes(), "network")
    assert ex.data["comparison"]["network"]["ks"] == pytest.approx(direct["ks"], rel=1e-12)
    assert ex.data["comparison"]["network"]["ks"] != ks_before
    assert [o["predicted"] for o in ex.data["comparison"]["network"]["outliers"]] == \
        pytest.approx([o["predicted"] for o in direct["outliers"]], rel=1e-12)
    assert "KS" in ex.numbers.value and "outliers" in ex.numbers.value
    # the drawn figure holds the histogram and one curve per equivalent
    assert len(ex.figure.axes) == 2 and len(ex.figure.axes[0].lines) == 1
    ex.controls["model"].value = "both"
    assert set(ex.data["pdf"]) == {"network", "surrogate"} and len(ex.figure.axes[0].lines) == 2


def test_explorer_caches_the_simulation_for_theory_only_changes():
    ex = Explorer(**SMALL)
    ex.compute()
    ex.update(model="surrogate")
    ex.update(model="both")
    assert len(ex._simulations) == 1
    ex.update(seed=1)
    assert len(ex._simulations) == 2


def test_explorer_exponent_step_uses_eta_n0_to_the_alpha():
    ex = Explorer(d=60, step="exponent", eta_exponent=0.25, n0_over_d=4.0, N_over_d=1.0)
    n0, _, _, N = ex.sizes()
    assert ex.eta_tilde() == pytest.approx(n0**0.25 / np.sqrt(N))
    data = ex.compute()
    assert ex.simulation().params["eta"] == pytest.approx(n0**0.25)
    assert np.isfinite(data["comparison"]["network"]["ks"])


@pytest.mark.parametrize("bad, err", [(dict(d=0), ValueError), (dict(d=-5), ValueError), (dict(step="big"), ValueError),
                                      (dict(model="both!"), ValueError), (dict(eta_tilde=float("nan")), ValueError),
                                      (dict(N_over_d=0.0), ValueError), (dict(second_layer=3), TypeError),
                                      (dict(width=3), TypeError)])
def test_explorer_refuses_bad_controls(bad, err):
    with pytest.raises(err, match=next(iter(bad))):
        Explorer(**bad)
