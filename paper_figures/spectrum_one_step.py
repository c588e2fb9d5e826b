"""The headline figure `spectrum_one_step`: FᵀF/n at init and after one large step, with outliers.

    python paper_figures/spectrum_one_step.py [--activation tanh] [--teacher tanh] [--second-layer pm1] [--full]

Default size n0, n, d, N = 4000, 2000, 1000, 1000 (seconds); --full uses
16000, 8000, 4000, 4000 (a few minutes). η = η̃√N with η̃ = 5 (tanh: r ≈ 2.07);
a second panel shows ReLU/ReLU with constant a at η̃ = 3 (--no-relu drops it).
Writes out/spectrum_one_step.png/.pdf/.json and prints the table (KS distance,
edges, each outlier predicted/measured, for the network equivalent and the
isotropic surrogate); see rmt_spectra/demo.py.
"""
import argparse
import sys

import matplotlib

matplotlib.use("Agg")

from rmt_spectra.demo import run_demo  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--activation", default="tanh")
    parser.add_argument("--teacher", default="tanh")
    parser.add_argument("--second-layer", dest="second_layer", default="pm1", choices=["pm1", "constant", "gaussian"])
    parser.add_argument("--no-relu", dest="no_relu", action="store_true", help="only the first panel")
    parser.add_argument("--eta-tilde", dest="eta_tilde", type=float, default=5.0)
    parser.add_argument("--full", action="store_true", help="paper-like size (minutes)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="out/spectrum_one_step.png")
    args = parser.parse_args(argv)
    n0, n, d, N = (16000, 8000, 4000, 4000) if args.full else (4000, 2000, 1000, 1000)
    run_demo(n0=n0, n=n, d=d, N=N, activation=args.activation, teacher=args.teacher, eta_tilde=args.eta_tilde,
             second_layer=args.second_layer, seed=args.seed, out=args.out, pdf=True, relu_panel=not args.no_relu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
