"""dan24_spectrum: ``rmt-spectra figure dan24_spectrum`` as a script (the figure lives in ``rmt_spectra/figures/dan24.py``).

    python paper_figures/dan24_spectrum.py [--full | --smoke] [--out DIR] [--seed S] [--format png,pdf]
"""
import sys

from rmt_spectra.figures import main as figure_main


def main(argv=None):
    return figure_main(["dan24_spectrum", *(sys.argv[1:] if argv is None else argv)], prog="paper_figures/dan24_spectrum.py")


if __name__ == "__main__":
    sys.exit(main())
