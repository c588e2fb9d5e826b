"""Benchmark: the whole pipeline at N = 10⁵ features — one step, the features, their stochastic
spectrum, the deterministic equivalent and the comparison — with its time and peak memory.

Stages (each timed):

1. :func:`rmt_spectra.simulate_step_features`: the step on ``n₀`` samples and the fresh features
   ``F = σ(X W₁ᵀ)`` (``n × N``), streamed in row chunks (memory ``2Nd`` during the step, ``Nd + nN``
   after; ``Σ̂ = FᵀF/n`` is never formed);
2. ``feature_spectrum("slq")``: stochastic Lanczos quadrature, ``--probes`` × ``--degree`` block
   products (on the ``n × n`` companion ``FFᵀ/n`` when ``N > n``; the null space is an exact atom),
   with the outliers from the converged Ritz values;
3. :meth:`rmt_spectra.SpikedFeatures.from_one_step` (``model="network"``) and its support;
4. :func:`rmt_spectra.compare`: KS ± its standard error and Gauss bracket, Stieltjes errors, the
   outliers against the prediction.

Peak memory is the process's maximum resident set (``ru_maxrss``), and on CUDA also
``torch.cuda.max_memory_allocated``. Before starting, the script estimates the memory of the step
(``4(2Nd + nN)`` bytes in float32) and refuses to run above ``--max-gb``.

Presets:

* ``--preset cpu`` (default; 2 cores, 23 GB): ``N = 10⁵, n = N/4, d = N/20, n₀ = 4d`` (10 GB of
  features);
* ``--preset gpu``: ``N = 10⁵, n = 2N, d = N, n₀ = d`` (80 GB of features, 40 GB of weights in
  float32: a 141 GB H200), ``--backend torch --device cuda``.

Run: ``python benchmarks/bench_pipeline.py [--preset cpu|gpu] [--N ...] [--n ...] [--d ...] [--n0 ...]``
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import warnings

import numpy as np

import rmt_spectra as rs

PRESETS = {
    "cpu": lambda N: dict(N=N, n=N // 4, d=N // 20, n0=N // 5, backend="numpy", device=None),
    "gpu": lambda N: dict(N=N, n=2 * N, d=N, n0=N, backend="torch", device="cuda"),
}


def _values(outliers):
    """Locations of a list of outliers (:class:`~rmt_spectra.Outlier` objects or plain values), rounded."""
    return [round(float(getattr(o, "location", o)), 3) for o in outliers]


def peak_rss_gb():
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e9


def available_gb():
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1e6
    except OSError:
        pass
    return float("inf")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", choices=sorted(PRESETS), default="cpu")
    ap.add_argument("--N", type=int, default=100_000)
    ap.add_argument("--n", type=int)
    ap.add_argument("--d", type=int)
    ap.add_argument("--n0", type=int)
    ap.add_argument("--activation", default="tanh")
    ap.add_argument("--teacher", default="tanh")
    ap.add_argument("--second-layer", default="pm1")
    ap.add_argument("--eta-tilde", type=float, default=3.0)
    ap.add_argument("--probes", type=int, default=2)
    ap.add_argument("--degree", type=int, default=80)
    ap.add_argument("--chunk-rows", type=int, default=2048)
    ap.add_argument("--backend", choices=["numpy", "torch"])
    ap.add_argument("--device")
    ap.add_argument("--max-gb", type=float, default=None, help="refuse above this estimate (default: available)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    cfg = PRESETS[args.preset](args.N)
    for key in ("n", "d", "n0", "backend", "device"):
        if getattr(args, key) is not None:
            cfg[key] = getattr(args, key)
    N, n, d, n0 = cfg["N"], cfg["n"], cfg["d"], cfg["n0"]
    backend = cfg["backend"]
    if backend == "torch" and cfg["device"]:
        backend = ("torch", cfg["device"])
    need = 4 * (2 * N * d + n * N) / 1e9
    limit = args.max_gb if args.max_gb is not None else available_gb()
    print(f"pipeline: {args.activation}/{args.teacher}, second layer {args.second_layer}, eta~ = {args.eta_tilde}, "
          f"N = {N}, n = {n}, d = {d}, n0 = {n0}, float32, backend {backend}, chunks of {args.chunk_rows} rows; "
          f"estimated memory {need:.1f} GB (limit {limit:.1f} GB); BLAS threads "
          f"{os.environ.get('OMP_NUM_THREADS', 'default')}", flush=True)
    if need > limit:
        print(f"needs about {need:.1f} GB > {limit:.1f} GB: not run (lower --N or the ratios, or raise --max-gb)")
        return 2

    t0 = time.perf_counter()
    step = rs.simulate_step_features(n0, n, d, N, activation=args.activation, teacher=args.teacher,
                                     eta_tilde=args.eta_tilde, second_layer=args.second_layer, seed=args.seed,
                                     backend=backend, dtype="float32", chunk_rows=args.chunk_rows)
    t1 = time.perf_counter()
    print(f"[1] step + features:       {t1 - t0:8.1f} s   peak RSS {peak_rss_gb():6.2f} GB", flush=True)
    spec = step.feature_spectrum("slq", n_probes=args.probes, degree=args.degree, seed=args.seed)
    t2 = time.perf_counter()
    print(f"[2] SLQ ({args.probes} x {args.degree}, {spec.info['matvecs']} products): {t2 - t1:8.1f} s   "
          f"outliers {_values(spec.outliers())}", flush=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        theory = rs.SpikedFeatures.from_one_step(args.activation, args.teacher, args.eta_tilde, n0, n, d, N,
                                                 second_layer=args.second_layer)
        support = theory.support
        t3 = time.perf_counter()
        print(f"[3] equivalent + support:  {t3 - t2:8.1f} s   support {[(round(a, 4), round(b, 4)) for a, b in support]}"
              f", predicted outliers {_values(theory.outliers())}", flush=True)
        c = rs.compare(theory, spec)
    t4 = time.perf_counter()
    print(f"[4] compare:               {t4 - t3:8.1f} s", flush=True)
    print(c)
    print(f"total {t4 - t0:.1f} s, peak RSS {peak_rss_gb():.2f} GB", end="")
    if backend != "numpy" and cfg["device"] == "cuda":
        import torch

        print(f", peak GPU memory {torch.cuda.max_memory_allocated() / 1e9:.2f} GB", end="")
    print()
    for w in caught:
        print("warning:", str(w.message)[:240])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
