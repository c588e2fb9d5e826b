"""cui24_learning_curves: ``rmt-spectra figure cui24_learning_curves`` as a script (the figure lives in ``rmt_spectra/figures/cui24.py``).

    python paper_figures/cui24_learning_curves.py [--full | --smoke] [--out DIR] [--seed S] [--format png,pdf]
"""
import sys

from rmt_spectra.figures import main as figure_main


def main(argv=None):
    return figure_main(["cui24_learning_curves", *(sys.argv[1:] if argv is None else argv)], prog="paper_figures/cui24_learning_curves.py")


if __name__ == "__main__":
    sys.exit(main())
