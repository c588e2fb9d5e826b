"""Benchmark: the stochastic spectrum (SLQ) of Σ̂ = FᵀF/n against forming Σ̂ and calling eigvalsh.

For each N: features F = tanh(X Wᵀ) at initialization (n = 2N, d = N), then

* dense route: ``F.T @ F / n`` and ``numpy.linalg.eigvalsh`` (timed from F);
* stochastic route: ``rs.stochastic_spectrum(F, n_probes, degree)`` (timed from F; includes the
  top eigenvalues by ARPACK);

and prints the time ratio, the KS distance of the stochastic cdf to the exact eigenvalues (with
the fraction of grid points where its 95 % band covers the exact cdf), and the KS distances of both
to the deterministic equivalent (:class:`rmt_spectra.ConjugateKernel`). The dense route is skipped
above ``--max-dense`` (then only the stochastic one runs, with its distance to the equivalent).

Run: ``python benchmarks/bench_stochastic.py [--N 2000 5000 20000] [--probes 4] [--degree 100] [--float32]``
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

import rmt_spectra as rs


def features(N, seed=0, dtype=np.float64, chunk=4096):
    n, d = 2 * N, N
    rng = np.random.default_rng(seed)
    W = (rng.standard_normal((N, d)) / math.sqrt(d)).astype(dtype)
    F = np.empty((n, N), dtype=dtype)
    for s in range(0, n, chunk):
        X = rng.standard_normal((min(chunk, n - s), d)).astype(dtype)
        np.tanh(X @ W.T, out=F[s:s + X.shape[0]])
    return F


def ks_to(theory_cdf, x, F_est):
    return float(np.max(np.abs(theory_cdf(x) - F_est)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--N", type=int, nargs="+", default=[2000, 5000])
    ap.add_argument("--probes", type=int, default=4)
    ap.add_argument("--degree", type=int, default=100)
    ap.add_argument("--n-top", type=int, default=None)
    ap.add_argument("--float32", action="store_true")
    ap.add_argument("--max-dense", type=int, default=20000)
    args = ap.parse_args(argv)
    dtype = np.float32 if args.float32 else np.float64
    print(f"stochastic spectrum benchmark: tanh features, n = 2N, d = N, {np.dtype(dtype).name}, "
          f"{args.probes} probes × degree {args.degree}, top {args.n_top}")
    for N in args.N:
        t0 = time.perf_counter()
        F = features(N, dtype=dtype)
        t_feat = time.perf_counter() - t0
        ck = rs.ConjugateKernel("tanh", n=2 * N, d=N, N=N)
        t0 = time.perf_counter()
        sp = rs.stochastic_spectrum(F, n_probes=args.probes, degree=args.degree, n_top=args.n_top, seed=0)
        t_slq = time.perf_counter() - t0
        hi = max(b for _, b in ck.support) * 1.05
        x = np.linspace(0.0, hi, 4000)
        st = sp.cdf(x)
        line = (f"N = {N:6d}: features {t_feat:7.1f} s | SLQ {t_slq:7.2f} s ({sp.info['matvecs']} products) "
                f"| KS(SLQ, equivalent) {ks_to(ck.cdf, x, st):.4f}")
        if N <= args.max_dense:
            t0 = time.perf_counter()
            S = F.T @ F
            S /= F.shape[0]
            eig = np.linalg.eigvalsh(S)
            t_dense = time.perf_counter() - t0
            del S
            exact = np.searchsorted(eig, x, side="right") / eig.size
            lo, up = sp.cdf_band(x)
            cover = float(np.mean((exact >= lo) & (exact <= up)))
            line += (f" | dense {t_dense:7.2f} s, ratio {t_dense / t_slq:5.1f}x | KS(SLQ, exact) "
                     f"{np.max(np.abs(st - exact)):.4f}, band covers {100 * cover:.1f} % | KS(exact, equivalent) "
                     f"{rs.compare(ck, eig).ks:.4f}")
        print(line, flush=True)
        del F


if __name__ == "__main__":
    main()
