"""spectrum_one_step: ``rmt-spectra figure spectrum_one_step`` as a script (the figure lives in ``rmt_spectra/figures/headline.py``).

    python paper_figures/spectrum_one_step.py [--full | --smoke] [--out DIR] [--seed S] [--format png,pdf]
"""
import sys

from rmt_spectra.figures import main as figure_main


def main(argv=None):
    return figure_main(["spectrum_one_step", *(sys.argv[1:] if argv is None else argv)], prog="paper_figures/spectrum_one_step.py")


if __name__ == "__main__":
    sys.exit(main())
