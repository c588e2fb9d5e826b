"""One suite over every spectrum-like class: the shared protocol holds for each of them.

Checked: the Nevanlinna property (Im m > 0 above the axis, m(z̄) = conj m(z)), m(z) ~ −1/z (total
mass 1), the cdf from 0 to 1 with the mass inside the support, pdf ↔ cdf (∫ pdf between two points
equals the cdf increment), the Stieltjes inversion (Im m(x + iε)/π → pdf), moment(1) against the
density, outliers() without arguments, and reproducible simulation where a class simulates.
Tolerances: the cdf tables are built to 1e-8; the trapezoid check on 4001 interior points is good to 1e-6; the inversion at ε = 1e-4 is within 2 % of the density in the bulk interior.
"""
import warnings

import numpy as np
import pytest

import rmt_spectra as rs
from rmt_spectra.equivalents import Population
from rmt_spectra.spectrum import Outlier


def _objects():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        pop = Population([1.0, 3.0], [0.5, 0.5])
        weights = Population([-1.0, 2.0], [0.3, 0.7], signed=True)
        return {
            "MarchenkoPastur(0.5)": rs.MarchenkoPastur(0.5),
            "MarchenkoPastur(2)": rs.MarchenkoPastur(2.0),
            "Semicircle": rs.Semicircle(2.0, 1.0),
            "SampleCovariance": rs.SampleCovariance(pop, 0.3),
            "WeightedSampleCovariance": rs.WeightedSampleCovariance(weights, 0.5),
            "ConjugateKernel": rs.ConjugateKernel("relu", 800, 400, 400),
            "SpikedFeatures(network)": rs.SpikedFeatures.from_one_step("relu", "relu", 2.0, 1600, 800, 400, 400,
                                                                       second_layer="pm1"),
            "SpikedFeatures(surrogate)": rs.SpikedFeatures.from_one_step("tanh", "tanh", 3.0, 1600, 800, 400, 400,
                                                                         second_layer="pm1", model="surrogate"),
            "EmpiricalSpectrum": rs.MarchenkoPastur(0.5).sample(400, seed=1),
            "PolynomialSpikes": rs.polynomial_spikes("relu", 0.3, 800, 400, 400, n0=800),
        }


OBJECTS = _objects()
CONTINUOUS = [k for k in OBJECTS if k != "EmpiricalSpectrum"]


@pytest.mark.parametrize("name", list(OBJECTS))
def test_nevanlinna_and_mass(name):
    sp = OBJECTS[name]
    x = np.linspace(-2.0, 12.0, 29)
    z = np.concatenate([x + 0.05j, x + 1j, x + 10j])
    m = np.asarray(sp.stieltjes(z))
    assert np.all(np.isfinite(m)) and np.all(m.imag > 0), name
    np.testing.assert_allclose(sp.stieltjes(np.conj(z)), np.conj(m), rtol=1e-10, atol=1e-14)
    big = np.array([1e6j, 1e6 + 1e5j, -1e6 + 1e5j])
    assert np.max(np.abs(-big * sp.stieltjes(big) - 1.0)) < 1e-4, name  # m(z) ~ −1/z: mass 1


@pytest.mark.parametrize("name", list(OBJECTS))
def test_cdf_and_support(name):
    sp = OBJECTS[name]
    lo = min(a for a, _ in sp.support)
    hi = max(b for _, b in sp.support)
    lo = min([lo] + [t for t, _ in sp.atoms])
    hi = max([hi] + [t for t, _ in sp.atoms])
    span = hi - lo + 1.0
    assert abs(float(sp.cdf(lo - 1e-6 * span))) < 1e-8
    assert abs(float(sp.cdf(hi + 1e-6 * span)) - 1.0) < 1e-8
    grid = np.linspace(lo - 0.1 * span, hi + 0.1 * span, 301)
    c = np.asarray(sp.cdf(grid))
    assert np.all(np.diff(c) >= -1e-10)
    outs = sp.outliers()
    assert isinstance(outs, list) and all(isinstance(o, Outlier) for o in outs)


@pytest.mark.parametrize("name", CONTINUOUS)
def test_pdf_cdf_inversion_and_moment(name):
    sp = OBJECTS[name]
    (a, b) = max(sp.support, key=lambda ab: ab[1] - ab[0])
    x = np.linspace(a, b, 4001)
    f = np.asarray(sp.pdf(x))
    assert np.all(f >= 0) and np.all(np.isfinite(f))
    u, v = a + 0.2 * (b - a), a + 0.7 * (b - a)
    xx = np.linspace(u, v, 4001)  # interior: the trapezoid error is O(h²) ≈ 1e-8
    integral = np.trapezoid(np.asarray(sp.pdf(xx)), xx)
    assert abs(integral - (float(sp.cdf(v)) - float(sp.cdf(u)))) < 1e-6, name
    # Stieltjes inversion in the interior
    xs = np.array([a + 0.3 * (b - a), a + 0.6 * (b - a)])
    inv = np.asarray(sp.stieltjes(xs + 1e-4j)).imag / np.pi
    np.testing.assert_allclose(inv, sp.pdf(xs), rtol=0.02)
    # first moment: atoms plus the density over every interval
    mean = sum(t * w for t, w in sp.atoms)
    for lo, hi in sp.support:
        xx = np.linspace(lo, hi, 20001)
        mean += np.trapezoid(xx * np.asarray(sp.pdf(xx)), xx)
    assert abs(sp.moment(1) - mean) < 2e-4 * max(abs(mean), 1.0), (name, sp.moment(1), mean)


@pytest.mark.parametrize("name", ["ConjugateKernel", "SpikedFeatures(surrogate)"])
def test_simulate_reproducible(name):
    sp = OBJECTS[name]
    e1 = sp.simulate(seed=3).eigenvalues
    e2 = sp.simulate(seed=3).eigenvalues
    np.testing.assert_array_equal(e1, e2)
    assert not np.array_equal(e1, sp.simulate(seed=4).eigenvalues)


@pytest.mark.parametrize("name", ["MarchenkoPastur(0.5)", "Semicircle", "SampleCovariance", "WeightedSampleCovariance"])
def test_simulate_with_a_size_reproducible(name):
    # laws without an intrinsic size simulate a p × p draw: simulate(p, seed)
    sp = OBJECTS[name]
    e1, e2 = sp.simulate(200, seed=3).eigenvalues, sp.simulate(200, seed=3).eigenvalues
    np.testing.assert_array_equal(e1, e2)
    assert not np.array_equal(e1, sp.simulate(200, seed=4).eigenvalues)
