"""ba22_spike: ``rmt-spectra figure ba22_spike`` as a script (the figure lives in ``rmt_spectra/figures/ba22.py``).

    python paper_figures/ba22_spike.py [--full | --smoke] [--out DIR] [--seed S] [--format png,pdf]
"""
import sys

from rmt_spectra.figures import main as figure_main


def main(argv=None):
    return figure_main(["ba22_spike", *(sys.argv[1:] if argv is None else argv)], prog="paper_figures/ba22_spike.py")


if __name__ == "__main__":
    sys.exit(main())
