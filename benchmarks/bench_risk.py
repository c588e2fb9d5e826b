"""Benchmark: sRF saddle-point solver vs the authors'-style baseline, in one run.

Baseline (as in [Cui24]'s code): damped (0.5) Jacobi iteration of the same
equations, every κ-integral by ``scipy.integrate.quad`` with per-κ scalar
evaluations of the shifted coefficients (here through
``rmt_spectra.gaussian_moments`` on a scalar, so both sides integrate the same
functions), the same Marchenko–Pastur nodes for the spectral means, the
authors' stopping rule (max change of q₁, q₂, m, θ, ψ below ``tol``).

Ours: :func:`rmt_spectra.risk.srf_test_error` (block Newton with fixed
Gauss–Hermite κ-nodes, warm starts along the curve), tolerance 1e-12 on V and
full residual reported.

Usage: ``python benchmarks/bench_risk.py [--points 3] [--baseline-tol 1e-4]``
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.integrate import quad

from rmt_spectra.gaussian import gaussian_moments
from rmt_spectra.risk import srf_test_error
from rmt_spectra.risk.saddle_point import (
    error_from_overlaps,
    kappa_table,
    mp_spectral_table,
    overlaps_from_hats,
)
from rmt_spectra.spiked import spiked_parameters

ACT, TEACHER, ETA, ALPHA0, RIDGE = "tanh", "tanh", 1.0, 0.5, 0.01


def _gauss(k):
    return np.exp(-0.5 * k * k) / np.sqrt(2 * np.pi)


def baseline_point(alpha, r, c, gamma, st, tol=1e-4, max_iter=10_000, init=(.1, .2, 3, 3, .5, .5, 1.5)):
    rho = np.sqrt(1 - gamma**2)

    def coef(k):
        s = gaussian_moments(ACT, shift=r * k, scale=np.sqrt(c))
        t = gaussian_moments(TEACHER, shift=gamma * k, scale=rho)
        return float(s.mu0), float(s.mu1), float(s.mu_star_sq), float(t.mu0), rho * float(t.mu1), float(t.second_moment)

    def E(f):
        return quad(lambda k: _gauss(k) * f(k, *coef(k)), -np.inf, np.inf)[0]

    q1, q2, V1, V2, th, ps, m = init
    for it in range(max_iter):
        def Vk(mu1, ms2):
            return mu1**2 * V1 + ms2 * V2

        def Ek(k, mu0, mu1, ms2, h, h1, h2):
            cc = mu0 * m + mu1 * k * th
            return h2 - 2 * cc * h + cc * cc - 2 * mu1 * ps * h1 + mu1**2 * q1 + ms2 * q2

        qh1 = alpha * E(lambda k, a, b, s, h, h1, h2: b**2 * Ek(k, a, b, s, h, h1, h2) / (1 + Vk(b, s)) ** 2)
        qh2 = alpha * E(lambda k, a, b, s, h, h1, h2: s * Ek(k, a, b, s, h, h1, h2) / (1 + Vk(b, s)) ** 2)
        Vh1 = alpha * E(lambda k, a, b, s, h, h1, h2: b**2 / (1 + Vk(b, s)))
        Vh2 = alpha * E(lambda k, a, b, s, h, h1, h2: s / (1 + Vk(b, s)))
        thh = alpha * E(lambda k, a, b, s, h, h1, h2: k * b * (h - a * m - b * k * th) / (1 + Vk(b, s)))
        psh = alpha * E(lambda k, a, b, s, h, h1, h2: b * h1 / (1 + Vk(b, s)))
        new = overlaps_from_hats(np.array([qh1, qh2, Vh1, Vh2, thh, psh]), RIDGE, st)
        num = E(lambda k, a, b, s, h, h1, h2: a * (h - b * k * th) / (1 + Vk(b, s)))
        den = E(lambda k, a, b, s, h, h1, h2: a * a / (1 + Vk(b, s)))
        m_new = num / den if den > 1e-14 else 0.0
        old = np.array([q1, q2, V1, V2, th, ps, m])
        cand = np.array([*new, m_new])
        if max(abs(cand[i] - old[i]) for i in (0, 1, 4, 5, 6)) < tol:
            return old, it
        q1, q2, V1, V2, th, ps, m = 0.5 * cand + 0.5 * old
    return np.array([q1, q2, V1, V2, th, ps, m]), max_iter


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=2)
    ap.add_argument("--baseline-tol", type=float, default=1e-4)
    ap.add_argument("--curve", type=int, default=100)
    args = ap.parse_args()

    p = spiked_parameters(ACT, TEACHER, ETA, ALPHA0)
    st = mp_spectral_table(1.0, p.bulk_variance)
    kt = kappa_table(ACT, TEACHER, p.r, p.bulk_variance, p.gamma)
    alphas = np.linspace(0.2, 4.0, args.curve)

    srf_test_error(ACT, TEACHER, ETA, ALPHA0, 1.0, RIDGE)  # warm-up (imports, caches)
    t0 = time.perf_counter()
    res = srf_test_error(ACT, TEACHER, ETA, ALPHA0, alphas, RIDGE, full_output=True)
    t_ours_curve = (time.perf_counter() - t0) / alphas.size
    t0 = time.perf_counter()
    reps = 20
    for _ in range(reps):
        srf_test_error(ACT, TEACHER, ETA, ALPHA0, 1.0, RIDGE)
    t_ours_cold = (time.perf_counter() - t0) / reps
    print(f"ours: {1e3 * t_ours_curve:.2f} ms/point along a {alphas.size}-point curve (warm starts), "
          f"{1e3 * t_ours_cold:.2f} ms for a single cold point (incl. tables); max residual "
          f"{res.residual.max():.1e}, all converged: {bool(res.converged.all())}")

    pts = np.linspace(0.5, 2.0, args.points)
    ours_pts = srf_test_error(ACT, TEACHER, ETA, ALPHA0, pts, RIDGE)
    times = []
    for a, e_ours in zip(pts, ours_pts):
        t0 = time.perf_counter()
        x, iters = baseline_point(a, p.r, p.bulk_variance, p.gamma, st, tol=args.baseline_tol)
        dt = time.perf_counter() - t0
        times.append(dt)
        e_base = error_from_overlaps(x, kt)
        print(f"alpha={a:.3f}: baseline {dt:.2f} s, {iters} Jacobi sweeps (tol {args.baseline_tol:g}) -> "
              f"eps_g {e_base:.6f}; ours {e_ours:.6f}; |diff| {abs(e_base - e_ours):.1e}")
    t_base = float(np.mean(times))
    print(f"baseline mean {t_base:.2f} s/point at tol {args.baseline_tol:g}; ours {1e3 * t_ours_curve:.2f} ms/point at "
          f"tol 1e-12 -> speed-up x{t_base / t_ours_curve:.0f} (cold single point: x{t_base / t_ours_cold:.0f})")


if __name__ == "__main__":
    main()
