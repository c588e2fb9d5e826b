"""Benchmark: density of the spiked-features equivalent on 1000 real points.

Model: tanh, ā = ±1, r = 2, n, d, N = 2000, 1000, 1000 (the note's check), and
ReLU, ā = 1, r = 4 (sinh–Legendre κ rule). Target: the density curve on 1000
points in ≤ 0.2 s. Engine: vectorized Newton with an Im z ladder,
solved at η = 0. Baseline: a plain damped fixed-point (Picard) iteration of
the same equations, (A, B) ← (1 − ω)(A, B) + ω·T(A, B), vectorized over the
grid too, at η = 1e-6·scale (Picard does not converge on the real axis inside
the bulk), damping ω = 0.5, to relative residual 1e-10 (max 20000 sweeps).
The engine is the bulk equation of :mod:`rmt_spectra.spiked.bulk` (unknowns ``(q, C)``,
exact Jacobian) and the continuation solver of :mod:`rmt_spectra.solvers`.
Run with ``python benchmarks/bench_spiked.py`` (single-threaded BLAS forced).
"""
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import time  # noqa: E402

import numpy as np  # noqa: E402

from rmt_spectra.spiked import SpikedFeatures  # noqa: E402


def picard(model, z, omega=0.5, tol=1e-10, maxit=20000):
    """Damped fixed point x ← (1 − ω)x + ωΦ(x) of the same bulk equation, vectorized over the grid."""
    eq = model.equation
    x = eq.initial(z)
    for it in range(1, maxit + 1):
        xn, _ = eq.evaluate(x, z, jacobian=False)
        res = np.sum(np.abs(x - xn), axis=1) / np.sum(np.abs(x), axis=1)
        x = (1 - omega) * x + omega * xn
        if np.max(res) < tol:
            break
    return eq.stieltjes(x), it, float(np.max(res))


def run(label, model):
    t0 = time.perf_counter()
    a, b = model.support[0]
    t_support = time.perf_counter() - t0
    x = np.linspace(a, b, 1002)[1:-1]
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        pdf = model.pdf(x)
        times.append(time.perf_counter() - t0)
    t_newton = min(times)
    eta = 1e-6 * model.equation.scale()
    t0 = time.perf_counter()
    g_p, its, res = picard(model, x + 1j * eta)
    t_picard = time.perf_counter() - t0
    pdf_p = np.maximum(g_p.imag, 0) / np.pi
    g_n = model.stieltjes(x + 1j * eta)
    agree_same_eta = np.max(np.abs(g_p - g_n)) / np.max(np.abs(g_n))
    agree_pdf = np.max(np.abs(pdf_p - pdf)) / pdf.max()
    print(f"{label}: kappa rule {model.kappa_rule}, support [{a:.6g}, {b:.6g}]")
    print(f"  support (fold of the real branch, once): {1e3 * t_support:8.1f} ms")
    print(f"  newton, pdf on {x.size} points (eta = 0):  {1e3 * t_newton:8.1f} ms   target <= 200 ms: "
          f"{'OK' if t_newton <= 0.2 else 'MISSED'}")
    print(f"  picard (omega 0.5, eta {eta:.1e}):        {1e3 * t_picard:8.1f} ms   sweeps {its}, residual {res:.1e}")
    print(f"  speed-up newton/picard: {t_picard / t_newton:6.1f}x")
    print(f"  agreement at the same eta: max|g_P - g_N|/max|g| = {agree_same_eta:.1e}; "
          f"pdf(Picard, eta) vs pdf(Newton, 0): {agree_pdf:.1e} (relative to max pdf)")
    return t_newton, t_picard


def main():
    run("tanh, a = +-1, r = 2, n,d,N = 2000,1000,1000",
        SpikedFeatures("tanh", 2000, 1000, 1000, groups=[(2.0, 0.5), (-2.0, 0.5)]))
    run("relu, a = 1, r = 4, n,d,N = 1600,800,800", SpikedFeatures("relu", 1600, 800, 800, spike=4.0))
    # K = 2 groups that the equation cannot merge (ReLU, ±r): exact Jacobian, closed-form 2×2 inverses
    model = SpikedFeatures("relu", 1600, 800, 800, groups=[(2.0, 0.5), (-2.0, 0.5)])
    t0 = time.perf_counter()
    a, b = model.support[0]
    t_support = time.perf_counter() - t0
    x = np.linspace(a, b, 1002)[1:-1]
    t0 = time.perf_counter()
    model.pdf(x)
    print(f"relu, a = +-1, r = 2 (K = 2 groups): support {1e3 * t_support:.0f} ms, "
          f"pdf on {x.size} points {1e3 * (time.perf_counter() - t0):.0f} ms")


if __name__ == "__main__":
    main()
