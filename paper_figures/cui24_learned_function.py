"""cui24_learned_function: ``rmt-spectra figure cui24_learned_function`` as a script (the figure lives in ``rmt_spectra/figures/cui24.py``).

    python paper_figures/cui24_learned_function.py [--full | --smoke] [--out DIR] [--seed S] [--format png,pdf]
"""
import sys

from rmt_spectra.figures import main as figure_main


def main(argv=None):
    return figure_main(["cui24_learned_function", *(sys.argv[1:] if argv is None else argv)], prog="paper_figures/cui24_learned_function.py")


if __name__ == "__main__":
    sys.exit(main())
