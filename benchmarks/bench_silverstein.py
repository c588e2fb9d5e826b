"""Benchmark: density of a 1000-atom population on 2000 real points.

Population: discretized μ₁²·MP(N/d) + μ⋆² (tanh: μ₁ = 0.605706, μ⋆ = 0.165576,
N/d = 1), ratio N/n = 0.5. Compares the vectorized Newton engine (solved at
η = 0) with the baseline of most research code: damped fixed-point (Picard)
iteration on m̲, point after point with warm starts along the grid.
Run with ``python benchmarks/bench_silverstein.py`` (single-threaded BLAS is
forced below to measure one core). Baseline is run on a subsample of the grid
(every ``STRIDE``-th point; STRIDE = 1: the whole grid) and its time scaled up.
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import time  # noqa: E402

import numpy as np  # noqa: E402

import rmt_spectra as rs  # noqa: E402
from rmt_spectra.equivalents import Population, SampleCovariance  # noqa: E402
from rmt_spectra.equivalents.silverstein import _Prep, picard_solve  # noqa: E402

STRIDE = 1


def main():
    H = Population.from_law(rs.MarchenkoPastur(1.0), n_nodes=1000).affine(0.605706**2, 0.165576**2)
    c = 0.5
    law = SampleCovariance(H, c)
    a, b = law.support[0]  # support computed once (cached), timed separately
    t0 = time.perf_counter()
    SampleCovariance(H, c).support
    t_support = time.perf_counter() - t0
    x = np.linspace(a, b, 2002)[1:-1]
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        pdf, info = law.pdf(x, full_output=True)
        times.append(time.perf_counter() - t0)
    t_newton = min(times)
    # reference: the same engine at a much tighter refinement (continuation at every point)
    from rmt_spectra.equivalents.silverstein import _continuation

    P = _Prep(H, c)
    sub = x[::STRIDE]
    uref, _, rref = _continuation(P, sub + 0j, 1e-15, 100)
    ref = uref.imag / (c * np.pi * np.abs(uref) ** 2)
    err_newton = np.max(np.abs(pdf[::STRIDE] - ref)) / ref.max()
    # baseline: damped Picard, sequential with warm starts, at η = 0, to residual 1e-10
    t0 = time.perf_counter()
    up, its, rp = picard_solve(P, sub, damping=0.5, tol=1e-10, maxit=20000)
    t_picard_sub = time.perf_counter() - t0
    t_picard = t_picard_sub * STRIDE
    pdf_p = np.maximum(up.imag, 0) / (c * np.pi * np.abs(up) ** 2)
    err_picard = np.max(np.abs(pdf_p - ref)) / ref.max()
    print(f"population: {len(H)} atoms; ratio {c}; grid: {x.size} real points in {law.support}")
    print(f"support (Silverstein–Choi, once):       {1e3 * t_support:8.1f} ms")
    print(f"newton engine, pdf on {x.size} points:   {1e3 * t_newton:8.1f} ms  "
          f"(max residual {info.max_residual:.1e}, max iterations {info.iterations.max()}, "
          f"rel. density error vs reference {err_newton:.1e})")
    print(f"picard baseline ({sub.size} points, x{STRIDE}): {1e3 * t_picard:8.1f} ms  "
          f"(max residual {rp.max():.1e}, mean iterations {its.mean():.0f}, max {its.max()}, "
          f"rel. density error {err_picard:.1e})")
    print(f"speed-up: {t_picard / t_newton:.0f}x")


if __name__ == "__main__":
    main()
