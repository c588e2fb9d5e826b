"""ba22_fig3a: ``rmt-spectra figure ba22_fig3a`` as a script (the figure lives in ``rmt_spectra/figures/ba22.py``).

    python paper_figures/ba22_fig3a.py [--full | --smoke] [--out DIR] [--seed S] [--format png,pdf]
"""
import sys

from rmt_spectra.figures import main as figure_main


def main(argv=None):
    return figure_main(["ba22_fig3a", *(sys.argv[1:] if argv is None else argv)], prog="paper_figures/ba22_fig3a.py")


if __name__ == "__main__":
    sys.exit(main())
