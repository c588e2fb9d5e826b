"""dan24_tails: ``rmt-spectra figure dan24_tails`` as a script (the figure lives in ``rmt_spectra/figures/dan24.py``).

    python paper_figures/dan24_tails.py [--full | --smoke] [--out DIR] [--seed S] [--format png,pdf]
"""
import sys

from rmt_spectra.figures import main as figure_main


def main(argv=None):
    return figure_main(["dan24_tails", *(sys.argv[1:] if argv is None else argv)], prog="paper_figures/dan24_tails.py")


if __name__ == "__main__":
    sys.exit(main())
