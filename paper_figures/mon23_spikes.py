"""mon23_spikes: ``rmt-spectra figure mon23_spikes`` as a script (the figure lives in ``rmt_spectra/figures/mon23.py``).

    python paper_figures/mon23_spikes.py [--full | --smoke] [--out DIR] [--seed S] [--format png,pdf]
"""
import sys

from rmt_spectra.figures import main as figure_main


def main(argv=None):
    return figure_main(["mon23_spikes", *(sys.argv[1:] if argv is None else argv)], prog="paper_figures/mon23_spikes.py")


if __name__ == "__main__":
    sys.exit(main())
