"""The rmt-spectra command.

Sub-commands::

    hermite  Hermite coefficients and Gaussian moments of an activation.
    mp       Sample a Wishart matrix, compare its spectrum with Marchenko–Pastur
             (KS, W1, Stieltjes errors), save the figure and the numbers.
    ck       Simulate the feature covariance FᵀF/n at initialization and compare
             it with its deterministic equivalent (Gaussian equivalence).
    demo     One large gradient step: FᵀF/n before and after, both deterministic
             equivalents, predicted vs measured outliers (the headline figure).
    figure   A figure of the four papers (``figure --list``, ``figure NAME``,
             ``figure --all``): PNG, PDF, JSON with every number, caption, table.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

__all__ = ["main", "build_parser"]


def _cmd_hermite(args) -> int:
    from .gaussian import activation, gaussian_moments, hermite_coefficients

    act = activation(args.activation)
    mu = hermite_coefficients(act, args.kmax, method=args.method)
    moments = gaussian_moments(act)
    print(f"activation: {act.name}")
    print(f"{'k':>3}  {'mu_k = E[s(z) He_k(z)]':>24}  {'mu_k/sqrt(k!)':>16}")
    fact = 1.0
    for k, value in enumerate(mu):
        fact = fact * k if k > 0 else 1.0
        print(f"{k:>3}  {value:>24.15g}  {value / np.sqrt(fact):>16.10g}")
    print(f"mu0 = {float(moments.mu0):.15g}   mu1 = {float(moments.mu1):.15g}   mu_star = {float(moments.mu_star):.15g}")
    print("(mu_star is [Ba22]'s mu_2: the norm of the nonlinear part, sum_{k>=2} mu_k^2/k!)")
    return 0


def _save(fig, out, numbers) -> None:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=130, bbox_inches="tight")
    with open(out.with_suffix(".json"), "w") as fh:
        json.dump(numbers, fh, indent=2)
    print(f"saved {out} and {out.with_suffix('.json')}")


def _cmd_mp(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from .empirical import compare
    from .laws import MarchenkoPastur
    from .plotting import plot_spectrum

    law = MarchenkoPastur(args.ratio, args.variance)
    empirical = law.sample(args.p, seed=args.seed)
    result = compare(law, empirical)
    print(law)
    print(result)
    ax = plot_spectrum(empirical, law)
    numbers = {"law": repr(law), "p": args.p, "seed": args.seed, **result.as_dict()}
    if args.out:
        _save(ax.figure, args.out, numbers)
    return 0


def _cmd_ck(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from .empirical import compare
    from .equivalents import ConjugateKernel
    from .plotting import plot_spectrum

    theory = ConjugateKernel(args.activation, args.n, args.d, args.N, weights=args.weights)
    empirical = theory.simulate(seed=args.seed)
    result = compare(theory, empirical)
    print(f"{theory!r}: spectrum of F^T F / n")
    print(result)
    ax = plot_spectrum(empirical, theory)
    numbers = {"theory": repr(theory), "seed": args.seed, **result.as_dict()}
    if args.out:
        _save(ax.figure, args.out, numbers)
    return 0


def _cmd_demo(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from .demo import run_demo

    second_layer = args.second_layer
    run_demo(n0=args.n0, n=args.n, d=args.d, N=args.N, activation=args.activation, teacher=args.teacher,
             eta_tilde=args.eta_tilde, second_layer=second_layer, noise=args.noise, seed=args.seed,
             out=args.out or None, pdf=args.pdf, relu_panel=not args.no_relu)
    return 0


def _plain(text: str) -> str:
    """reST to plain text for ``--help``: inline literals lose their backticks, section rules go."""
    import re

    text = text.replace("::\n", ":\n")
    text = re.sub(r"``([^`]+)``", r"\1", text)
    text = re.sub(r":\w+:`~?([^`]+)`", r"\1", text)
    return re.sub(r"\n-{3,}\n", "\n", text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rmt-spectra", description=_plain(__doc__),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("hermite", help="Hermite coefficients of an activation")
    p.add_argument("activation", help='e.g. tanh, relu, erf, softplus, sin, sigmoid, "hermite:3"')
    p.add_argument("--kmax", type=int, default=6, help="highest order (default 6)")
    p.add_argument("--method", default="auto", help="auto, exact, closed, quadrature or mpmath")
    p.set_defaults(func=_cmd_hermite)

    p = sub.add_parser("mp", help="Wishart sample vs Marchenko-Pastur: distances and figure")
    p.add_argument("--ratio", type=float, default=0.5, help="p/n (default 0.5)")
    p.add_argument("--variance", type=float, default=1.0, help="entry variance (default 1)")
    p.add_argument("--p", type=int, default=2000, help="matrix size p (default 2000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="out/mp.png", help="PNG path; the numbers go next to it as JSON ('' to skip)")
    p.set_defaults(func=_cmd_mp)

    p = sub.add_parser("ck", help="feature covariance at initialization vs its deterministic equivalent")
    p.add_argument("--activation", default="tanh")
    p.add_argument("--n", type=int, default=4000, help="samples (default 4000)")
    p.add_argument("--d", type=int, default=2000, help="input dimension (default 2000)")
    p.add_argument("--N", type=int, default=1000, help="width (default 1000)")
    p.add_argument("--weights", default="gaussian", choices=["gaussian", "sphere"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="out/ck.png", help="PNG path; the numbers go next to it as JSON ('' to skip)")
    p.set_defaults(func=_cmd_ck)

    p = sub.add_parser("demo", help="one large gradient step: feature spectrum before/after, outliers (headline figure)")
    p.add_argument("--activation", default="tanh", help="student activation (default tanh)")
    p.add_argument("--teacher", default="tanh", help="target activation (default tanh)")
    p.add_argument("--n0", type=int, default=4000, help="samples of the gradient step (default 4000)")
    p.add_argument("--n", type=int, default=2000, help="fresh samples for the features (default 2000)")
    p.add_argument("--d", type=int, default=1000, help="input dimension (default 1000)")
    p.add_argument("--N", type=int, default=1000, help="width (default 1000)")
    p.add_argument("--eta-tilde", dest="eta_tilde", type=float, default=5.0, help="eta = eta_tilde*sqrt(N) (default 5)")
    p.add_argument("--second-layer", dest="second_layer", default="pm1", choices=["pm1", "constant", "gaussian"],
                   help="law of a-bar (default pm1)")
    p.add_argument("--no-relu", dest="no_relu", action="store_true",
                   help="only the first panel (default: a ReLU/ReLU panel, constant a, eta_tilde 3, beside it)")
    p.add_argument("--noise", type=float, default=0.0, help="label-noise variance (default 0)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--pdf", action="store_true", help="also save a PDF next to the PNG")
    p.add_argument("--out", default="out/spectrum_one_step.png", help="PNG path; the numbers go next to it as JSON ('' to skip)")
    p.set_defaults(func=_cmd_demo)
    sub.add_parser("figure", help="reproduce a figure of the papers: rmt-spectra figure --list | NAME | --all",
                   add_help=False)
    return parser


def _version() -> str:
    from . import __version__

    return f"rmt-spectra {__version__}"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["figure"]:
        from .figures import main as figure_main

        return figure_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        if getattr(args, "out", None):
            _check_writable(args.out)
        return int(args.func(args) or 0)
    except (ValueError, TypeError) as err:
        print(f"rmt-spectra {args.command}: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"rmt-spectra {args.command}: error: cannot write the output: {err}", file=sys.stderr)
        return 2


def _check_writable(out) -> None:
    """Fail before computing when ``--out`` cannot be written (its folder is created if missing)."""
    folder = Path(out).expanduser().resolve().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ValueError(f"--out: cannot create the folder {str(folder)!r} ({err.strerror})") from None
    if not os.access(folder, os.W_OK):
        raise ValueError(f"--out: the folder {str(folder)!r} is not writable")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
