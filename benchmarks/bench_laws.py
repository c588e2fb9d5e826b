"""Laws and the Stieltjes toolbox: vectorized closed forms and the cached cdf
table, against per-point adaptive quadrature (scipy.integrate.quad), in one run.

    python benchmarks/bench_laws.py
"""
import time

import numpy as np
from scipy import integrate

import rmt_spectra as rs
from rmt_spectra.spectrum import Spectrum


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main():
    law = rs.MarchenkoPastur(0.5)
    (a, b), = law.support

    # 1. Stieltjes transform on 2000 complex points: closed form vs quadrature of the density
    z = np.linspace(a - 0.5, b + 0.5, 2000) + 0.05j
    t_fast, m_fast = best_of(lambda: law.stieltjes(z))

    def by_quad():
        out = np.empty(z.size, complex)
        for i, zz in enumerate(z[:50]):  # 50 points, extrapolated to 2000
            re = integrate.quad(lambda t: law.pdf(t) * ((t - zz) / abs(t - zz) ** 2).real, a, b, limit=200)[0]
            im = integrate.quad(lambda t: law.pdf(t) * (1 / (t - zz)).imag, a, b, limit=200)[0]
            out[i] = re + 1j * im
        return out

    t_slow, m_slow = best_of(by_quad, repeat=1)
    t_slow *= 40
    err = np.max(np.abs(m_fast[:50] - m_slow[:50]))
    print(f"MP stieltjes, 2000 z:   closed form {t_fast*1e3:8.3f} ms   quad {t_slow*1e3:9.1f} ms   ratio {t_slow/t_fast:8.0f}x   max diff {err:.1e}")

    # 2. cdf on 2000 points: cached Chebyshev table of the generic protocol vs quad per point
    x = np.linspace(a, b, 2000)
    fresh = rs.MarchenkoPastur(0.5)
    t_table, _ = best_of(lambda: Spectrum.cdf(rs.MarchenkoPastur(0.5), x), repeat=3)
    Spectrum.cdf(fresh, x)
    t_cached, F_fast = best_of(lambda: Spectrum.cdf(fresh, x))

    def cdf_quad():
        return np.array([integrate.quad(law.pdf, a, xx, limit=200)[0] for xx in x[:50]])

    t_q, F_q = best_of(cdf_quad, repeat=1)
    t_q *= 40
    err = np.max(np.abs(F_fast[:50] - F_q))
    print(f"generic cdf, 2000 x:    table+eval {t_table*1e3:6.2f} ms (cached {t_cached*1e3:.2f} ms)   quad {t_q*1e3:9.1f} ms   ratio {t_q/t_table:6.0f}x   max diff {err:.1e}")

    # 3. compare() on a p = 2000 Wishart sample
    emp = law.sample(2000, seed=0)
    t_cmp, res = best_of(lambda: rs.compare(law, emp), repeat=3)
    print(f"compare (p=2000):       {t_cmp*1e3:8.2f} ms   KS {res.ks:.2e}  W1 {res.w1:.2e}")


if __name__ == "__main__":
    main()
