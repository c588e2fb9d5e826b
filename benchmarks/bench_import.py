"""Benchmark: the time of ``import rmt_spectra`` (target ≤ 0.3 s) against ``import numpy`` alone.

Each is timed in a fresh interpreter (best of 5), so the module cache of a previous import does
not count. Run with ``python benchmarks/bench_import.py``.
"""
import subprocess
import sys


def fresh(code):
    out = subprocess.run([sys.executable, "-c", f"import time; t = time.perf_counter(); {code}; "
                          "print(time.perf_counter() - t)"], capture_output=True, text=True, check=True)
    return float(out.stdout)


def main():
    numpy = min(fresh("import numpy") for _ in range(5))
    package = min(fresh("import rmt_spectra") for _ in range(5))
    print(f"import numpy: {numpy:.3f} s   import rmt_spectra: {package:.3f} s   ratio {package / numpy:.1f}x   "
          f"target 0.3 s: {'met' if package <= 0.3 else 'NOT met'}")


if __name__ == "__main__":
    main()
