"""Benchmark: the full one-step pipeline against the bare numpy operations it needs.

Pipeline = ``simulate_one_step(...)`` (draws, step) + ``feature_spectrum()``
(fresh features, ``Σ̂ = FᵀF/n``, its eigenvalues). Bare = the same draws with
the same Generator, the four GEMMs (``X₀W₀ᵀ``, ``(σ'⊙r)ᵀX₀``, ``XW₁ᵀ``,
``FᵀF``), the elementwise σ/σ', and one ``numpy.linalg.eigvalsh``. Target:
pipeline/bare <= 1.3. Also printed: the ratio against the GEMMs + eigvalsh
alone (no random draws), and torch-CPU (and CUDA) timings when torch is installed.

Run: ``python benchmarks/bench_one_step.py [--n0 3000 --n 3000 --d 1500 --N 1200 --repeat 3]``
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

from rmt_spectra.simulation import simulate_one_step
from rmt_spectra.simulation.backend import cuda_available, torch_available


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bare(n0, n, d, N, eta, seed, with_draws=True, draws=None):
    if with_draws:
        rng = np.random.default_rng(seed)
        g = rng.standard_normal(d)
        theta = g / np.linalg.norm(g)
        W0 = rng.standard_normal((N, d)) / math.sqrt(d)
        a = rng.standard_normal(N) / math.sqrt(N)
        X0 = rng.standard_normal((n0, d))
        eps = rng.standard_normal(n0)
        y = np.tanh(X0 @ theta) + 0.1 * eps
        X = rng.standard_normal((n, d))
    else:
        theta, W0, a, X0, y, X = draws
    Z0 = X0 @ W0.T
    S = np.tanh(Z0)
    r = y - S @ a / math.sqrt(N)
    D = 1 - S * S
    D *= r[:, None]
    G0 = (D.T @ X0) * (a / (n0 * math.sqrt(N)))[:, None]
    W1 = W0 + eta * math.sqrt(N) * G0
    F = np.tanh(X @ W1.T)
    return np.linalg.eigvalsh(F.T @ F / n)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n0", type=int, default=3000)
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--d", type=int, default=1500)
    ap.add_argument("--N", type=int, default=1200)
    ap.add_argument("--eta", type=float, default=4.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    n0, n, d, N, eta = args.n0, args.n, args.d, args.N, args.eta
    print(f"one-step benchmark: n0={n0} n={n} d={d} N={N} eta={eta} tanh/tanh, best of {args.repeat}")

    def pipeline(backend="numpy", dtype="float64"):
        r = simulate_one_step(n0, n, d, N, noise=0.01, eta=eta, seed=0, backend=backend, dtype=dtype)
        return r.feature_spectrum()

    # correctness of the comparison: same eigenvalues
    e_pipe = pipeline().eigenvalues
    e_bare = bare(n0, n, d, N, eta, 0)
    assert np.allclose(np.sort(e_bare), e_pipe, atol=1e-8), "bare and pipeline disagree"

    rng = np.random.default_rng(0)
    draws = (rng.standard_normal(d), rng.standard_normal((N, d)) / math.sqrt(d), rng.standard_normal(N) / math.sqrt(N),
             rng.standard_normal((n0, d)), rng.standard_normal(n0), rng.standard_normal((n, d)))
    rows = []
    t_bare = best_of(lambda: bare(n0, n, d, N, eta, 0), args.repeat)
    t_ops = best_of(lambda: bare(n0, n, d, N, eta, 0, with_draws=False, draws=draws), args.repeat)
    t_pipe = best_of(pipeline, args.repeat)
    t_pipe32 = best_of(lambda: pipeline(dtype="float32"), args.repeat)
    rows.append(("bare numpy (draws + GEMMs + eigvalsh)", t_bare))
    rows.append(("bare numpy (GEMMs + eigvalsh only)", t_ops))
    rows.append(("pipeline numpy float64", t_pipe))
    rows.append(("pipeline numpy float32", t_pipe32))
    if torch_available():
        rows.append(("pipeline torch-CPU float64", best_of(lambda: pipeline("torch:cpu"), args.repeat)))
        rows.append(("pipeline torch-CPU float32", best_of(lambda: pipeline("torch:cpu", "float32"), args.repeat)))
        if cuda_available():
            rows.append(("pipeline torch-CUDA float64", best_of(lambda: pipeline("torch:cuda"), args.repeat)))
            rows.append(("pipeline torch-CUDA float32", best_of(lambda: pipeline("torch:cuda", "float32"), args.repeat)))
    else:
        print("(torch not installed: no torch timings)")
    for name, t in rows:
        print(f"  {name:<42} {t:8.3f} s")
    ratio = t_pipe / t_bare
    print(f"overhead pipeline/bare (same draws)        : {ratio:.3f}x  (target <= 1.3x: {'OK' if ratio <= 1.3 else 'OVER'})")
    print(f"pipeline/(GEMMs + eigvalsh, no draws)      : {t_pipe / t_ops:.3f}x  (draws are {t_bare - t_ops:.3f} s)")
    return ratio


if __name__ == "__main__":
    main()
