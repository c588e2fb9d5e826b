"""Benchmark: predicting the polynomial spikes against simulating them.

``rs.polynomial_spikes`` (the equivalent at η̃ = n₀^α/√N, its outliers and labels) against one
simulation of the network at the same setting plus the measurement (the step, the fresh
features, the top eigenpairs and the Hermite alignments), ā = ±1, teacher tanh, n = n₀ = 2d,
N = d, α = 0.30; and, for the cost of a whole curve, :meth:`PolynomialSpikes.thresholds`
(bisection in α). The prediction's cost does not grow with d; the simulation's does (O(n N d)).
Run with ``python benchmarks/bench_polynomial_spikes.py`` (single-threaded BLAS forced).
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import time  # noqa: E402

import rmt_spectra as rs  # noqa: E402

POLY = [-0.5, 0.5, 0.5, 1 / 6]


def timed(f):
    t0 = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t0


def main():
    print(f"{'student':>8s} {'d':>5s} {'predict (s)':>12s} {'simulate+measure (s)':>21s} {'ratio':>7s}")
    for name, act in (("relu", "relu"), ("poly", POLY), ("tanh", "tanh")):
        for d in (1000, 2000):
            ps = rs.polynomial_spikes(act, 0.30, 2 * d, d, d, n0=2 * d)
            t_pred = timed(lambda: rs.polynomial_spikes(act, 0.30, 2 * d, d, d, n0=2 * d).outliers())[1]

            def simulate():
                res = rs.simulate_one_step(2 * d, 2 * d, d, d, activation=act, teacher="tanh", eta_exponent=0.30,
                                           second_layer="pm1", seed=0)
                return rs.measure_polynomial_spikes(res, ps)

            _, t_sim = timed(simulate)
            print(f"{name:>8s} {d:5d} {t_pred:12.2f} {t_sim:21.2f} {t_sim / t_pred:7.1f}x")
    ps = rs.polynomial_spikes("relu", 0.30, 2000, 1000, 1000, n0=2000)
    thr, t_thr = timed(lambda: ps.thresholds(tol=2e-3))
    print(f"thresholds (ReLU, d = 1000, tol 2e-3): {thr} in {t_thr:.1f} s")


if __name__ == "__main__":
    main()
