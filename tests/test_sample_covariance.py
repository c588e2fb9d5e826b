import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.equivalents import Population, SampleCovariance

H2 = Population([1.0, 3.0])
C2 = 0.5


def test_far_apart_atoms_give_two_intervals_and_masses():
    law = SampleCovariance(Population([1.0, 10.0], [0.5, 0.5]), 0.1)
    assert len(law.support) == 2
    (a1, b1), (a2, b2) = law.support
    assert b1 < a2
    assert law.cdf(np.inf) == pytest.approx(1.0, abs=1e-12)
    assert law.cdf(0.5 * (b1 + a2)) == pytest.approx(0.5, abs=1e-10)


def test_discretized_population_support_is_one_interval():
    # 1000 quadrature nodes of a continuous law: gaps between nodes of the same
    # interval are discretization artefacts and are merged (exact rule, see support.py)
    H = Population.from_law(rs.MarchenkoPastur(1.0)).affine(0.605706**2, 0.165576**2)
    law = SampleCovariance(H, 0.5)
    assert len(law.support) == 1
    assert law.support_info.merged_gaps == len(H) - 1
    assert law.cdf(np.inf) == pytest.approx(1.0, abs=1e-9)
    # exact second moment of S: ∫t²dH + c (∫t dH)²
    assert law.moment(2) == pytest.approx(H.moment(2) + 0.5 * H.mean() ** 2, rel=1e-12)
    assert SampleCovariance.__mro__[1].moment(law, 2) == pytest.approx(law.moment(2), rel=1e-7)


@pytest.mark.parametrize("h0, c", [(0.3, 0.5), (0.3, 2.0), (0.0, 2.0), (0.6, 2.0)])
def test_atom_at_zero(h0, c):
    H = Population([0.0, 1.0, 2.0], [h0, (1 - h0) / 2, (1 - h0) / 2])
    law = SampleCovariance(H, c)
    expected = max(h0, 1 - 1 / c)
    assert law.atoms == [(0.0, pytest.approx(expected))]
    # -z m(z) → mass at 0 as z → 0 from above
    z = 1e-9j
    assert float(np.real(-z * law.stieltjes(z))) == pytest.approx(expected, rel=1e-6)
    assert law.cdf(np.inf) == pytest.approx(1.0, abs=1e-10)
    # simulation: rank of S is min(p(1-h0), n)
    emp = law.simulate(300, seed=0)
    assert np.mean(np.abs(emp.eigenvalues) < 1e-8) == pytest.approx(expected, abs=2 / 300)


def test_bbp_delta_population_closed_form():
    c = 0.5
    law = SampleCovariance(Population([1.0]), c)
    ell = np.array([2.0, 3.0, 5.0])
    outs = law.outliers(ell)
    for o, l in zip(outs, ell):
        assert o.location == pytest.approx(l + c * l / (l - 1))
        assert o.overlap == pytest.approx((1 - c / (l - 1) ** 2) / (1 + c / (l - 1)))
        assert o.info["spike"] == l
    assert law.outliers([1.5]) == [] and law.subcritical == [1.5]  # threshold 1 + sqrt(c) = 1.707
    assert law.outliers() == []


def _simulated_outliers(p, seeds, spikes):
    law = SampleCovariance(H2, C2)
    locs, ovs = [], []
    for s in seeds:
        emp, V = law.simulate(p, seed=s, spikes=spikes, return_vectors=True)
        locs.append(emp.eigenvalues[::-1][: len(spikes)])
        ovs.append([V[j, j] ** 2 for j in range(len(spikes))])
    return np.mean(locs, 0), np.mean(ovs, 0)


def test_bbp_general_population_simulation_small():
    # H = (δ1 + δ3)/2, c = 0.5: right critical point u_R = 4.515; spikes 12, 7 supercritical, 4 not.
    law = SampleCovariance(H2, C2)
    spikes = [12.0, 7.0, 4.0]
    outs = law.outliers(spikes)
    assert len(outs) == 2 and law.subcritical == [4.0]
    loc, ov = _simulated_outliers(500, range(3), spikes)
    pred_loc = np.array([o.location for o in outs])
    pred_ov = np.array([o.overlap for o in outs])
    # fluctuations of an outlier ~ 1/sqrt(p) (relative), overlaps ~ 1/sqrt(p): 5 % at p = 500
    assert np.all(np.abs(loc[:2] - pred_loc) / pred_loc < 0.05)
    assert np.all(np.abs(ov[:2] - pred_ov) < 0.05)
    # subcritical spike: top remaining eigenvalue sticks to the bulk edge, overlap → 0
    assert abs(loc[2] - law.support[-1][1]) < 0.2 and ov[2] < 0.05


@pytest.mark.slow
def test_bbp_general_population_error_shrinks_with_p():
    law = SampleCovariance(H2, C2)
    outs = law.outliers([12.0, 7.0])
    pred = np.array([[o.location for o in outs], [o.overlap for o in outs]])
    errs = []
    for p in (500, 2000):
        loc, ov = _simulated_outliers(p, range(4), [12.0, 7.0])
        errs.append(np.abs(np.array([loc, ov]) - pred).sum())
    # errors ~ p^{-1/2}: a factor 2 expected from 500 to 2000; require a clear decrease
    assert errs[1] < 0.8 * errs[0]
    assert errs[1] < 0.1


def test_density_against_simulation_ks():
    law = SampleCovariance(H2, C2)
    emp = law.simulate(800, seed=3)
    cmp = rs.compare(law, emp)
    # eigenvalue rigidity: KS ~ log(p)/p ≈ 0.01 at p = 800 (DKW i.i.d. bound 0.048)
    assert cmp.ks < 0.02
    assert cmp.stieltjes_error < 0.02


def test_bad_spikes():
    law = SampleCovariance(H2, C2)
    with pytest.raises(ValueError, match="spikes"):
        law.outliers([-1.0])
    with pytest.raises(ValueError):
        law.outliers([np.inf])
    with pytest.raises(ValueError, match="method"):
        SampleCovariance(H2, C2, method="x")
