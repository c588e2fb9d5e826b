"""The papers' figures, one command each: ``rmt-spectra figure NAME [--full|--smoke] [--out DIR] [--seed S]``.

``rmt-spectra figure --list`` lists them; ``--all`` runs every one. Each figure writes PNG and PDF, a
JSON with every plotted number (theory curves, histograms, measured points with error bars, sizes,
seeds, package version, wall time) and a caption file, and prints a table of theory against
simulation (:mod:`rmt_spectra.figures.harness`). ``paper_figures/NAME.py`` runs the same figure as a
script.
"""
from __future__ import annotations

import argparse
import sys

from .harness import SIZES, FigureSpec, figure_names, get_figure, run_figure

__all__ = ["FigureSpec", "figure_names", "get_figure", "run_figure", "main", "SIZES"]


def build_parser(prog="rmt-spectra figure"):
    """The argument parser of the ``figure`` command (also used by ``rmt-spectra figure``).

    Parameters
    ----------
    prog : str
        Program name shown in the usage line.

    Returns
    -------
    argparse.ArgumentParser
    """
    p = argparse.ArgumentParser(prog=prog, description="Reproduce a figure of the four papers (or all of them).")
    p.add_argument("name", nargs="?", help="figure name (see --list)")
    p.add_argument("--list", action="store_true", help="list the figures and exit")
    p.add_argument("--all", action="store_true", help="run every figure")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true", help="the paper's size (minutes to hours)")
    size.add_argument("--smoke", action="store_true", help="a tiny run (seconds; for tests)")
    p.add_argument("--out", default="figures", help="output directory (default ./figures)")
    p.add_argument("--seed", type=int, default=0, help="base seed of the simulations (default 0)")
    p.add_argument("--format", default="png,pdf", help="image formats, comma-separated (default png,pdf)")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    return p


def main(argv=None, prog="rmt-spectra figure") -> int:
    """Run the ``figure`` command; returns the exit status (2 for bad arguments, one error line).

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).
    prog : str
        Program name for messages.

    Returns
    -------
    int
    """
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    if args.list:
        for name in figure_names():
            spec = get_figure(name)
            print(f"{name:24s} {spec.source:9s} {spec.title}")
        return 0
    names = figure_names() if args.all else [args.name]
    if names == [None]:
        parser.error("give a figure NAME, --list or --all")
    size = "full" if args.full else "smoke" if args.smoke else "default"
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    try:
        for name in names:
            run_figure(name, size=size, out=args.out, seed=args.seed, formats=formats, progress=not args.quiet,
                       quiet=args.quiet)
    except (ValueError, TypeError, OSError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    return 0
