"""Timing of rmt_spectra.gaussian_moments: vectorized fast paths vs a per-shift scipy.integrate.quad loop.

Run:  python benchmarks/bench_gaussian.py [--full]

For each activation, 10^4 shifts in [-4, 4] (scale 1) go through the fast path
in one call. The reference loop calls scipy.integrate.quad three times per shift
(E σ, E σ z, E σ², split at the kinks); it runs on every 20th shift (500 shifts)
and its time is extrapolated to 10^4, unless --full is given. Printed: fast
time, loop time, ratio, and the max abs difference on the common shifts.
"""
import sys
import time
import warnings

import numpy as np
from scipy import integrate

import rmt_spectra as rs


def quad_moments(act, s, a):
    phi = lambda z: np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)  # noqa: E731
    pts = sorted({(k - s) / a for k in act.kinks} | {0.0})
    edges = [-np.inf] + pts + [np.inf]
    f = lambda z: float(act(np.array([s + a * z]))[0])  # noqa: E731
    out = []
    for g in (lambda z: f(z), lambda z: f(z) * z / a, lambda z: f(z) ** 2):
        out.append(sum(integrate.quad(lambda z: g(z) * phi(z), lo, hi, epsabs=1e-13, epsrel=1e-13, limit=200)[0]
                       for lo, hi in zip(edges[:-1], edges[1:])))
    m0, m1, m2 = out
    return m0, m1, max(m2 - m0 * m0 - a * a * m1 * m1, 0.0) ** 0.5


def main(full=False):
    warnings.simplefilter("ignore", integrate.IntegrationWarning)  # quad's round-off notes on flat tails
    shifts = np.linspace(-4, 4, 10_000)
    step = 1 if full else 20
    acts = [
        ("tanh", rs.activation("tanh")),
        ("relu (closed)", rs.activation("relu")),
        ("erf (closed)", rs.activation("erf")),
        ("softplus", rs.activation("softplus")),
        ("hard-tanh, kinks given", rs.activation(lambda x: np.clip(x, -1, 1), kinks=(-1, 1), name="hardtanh")),
        ("hard-tanh, smoothness unknown", rs.activation(lambda x: np.clip(x, -1, 1), name="hardtanh?")),
    ]
    print(f"{'activation':32s} {'method':15s} {'fast [s]':>9s} {'quad loop [s]':>14s} {'ratio':>8s} {'max |diff|':>10s}")
    for label, act in acts:
        for scale in (1.0, 3.0):
            rs.gaussian_moments(act, shifts[:10], scale)  # warm caches
            t0 = time.perf_counter()
            g = rs.gaussian_moments(act, shifts, scale)
            t_fast = time.perf_counter() - t0
            sub = shifts[::step]
            t0 = time.perf_counter()
            ref = np.array([quad_moments(act, s, scale) for s in sub])
            t_loop = (time.perf_counter() - t0) * (shifts.size / sub.size)
            diff = max(np.abs(g.mu0[::step] - ref[:, 0]).max(), np.abs(g.mu1[::step] - ref[:, 1]).max(),
                       np.abs(g.mu_star[::step] - ref[:, 2]).max())
            print(f"{label + f' c={scale**2:g}':32s} {g.method:15s} {t_fast:9.3f} {t_loop:14.2f} "
                  f"{t_loop / t_fast:8.0f} {diff:10.1e}")
    print("(quad loop timed on", "all" if full else "every 20th", "shift, extrapolated to 10^4;",
          "max |diff| includes quad's own error and the sqrt amplification of mu_star near 0)")
    t0 = time.perf_counter()
    rs.hermite_coefficients("tanh", 30, method="quadrature")
    t1 = time.perf_counter()
    rs.hermite_coefficients("tanh", 8, method="mpmath")
    t2 = time.perf_counter()
    print(f"hermite_coefficients(tanh, 30, quadrature): {t1 - t0:.4f} s;  (tanh, 8, mpmath dps=30): {t2 - t1:.2f} s")


if __name__ == "__main__":
    main(full="--full" in sys.argv)
