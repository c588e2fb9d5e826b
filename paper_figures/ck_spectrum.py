"""Feature covariance FᵀF/n at initialization against its deterministic equivalent.

    python paper_figures/ck_spectrum.py [--activation relu] [--full]

Default size n, d, N = 4000, 2000, 1000 (seconds); --full uses 16000, 8000, 4000.
Writes out/ck_spectrum_<activation>.png/.pdf/.json and prints the distances.
"""
import argparse
import sys

from rmt_spectra.cli import main as cli_main


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--activation", default="tanh")
    parser.add_argument("--full", action="store_true", help="paper-like size (minutes)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n, d, N = (16000, 8000, 4000) if args.full else (4000, 2000, 1000)
    out = f"out/ck_spectrum_{args.activation}.png"
    status = cli_main(["ck", "--activation", args.activation, "--n", str(n), "--d", str(d), "--N", str(N), "--seed", str(args.seed), "--out", out])
    if status == 0:
        import matplotlib.pyplot as plt

        plt.gcf().savefig(out.replace(".png", ".pdf"), bbox_inches="tight")
    return status


if __name__ == "__main__":
    sys.exit(main())
