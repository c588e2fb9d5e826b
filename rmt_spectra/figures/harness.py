"""One harness for every paper figure: sizes, progress, output files, the table of theory against simulation.

A figure is a :class:`FigureSpec`: named sizes (``smoke`` for tests, ``default`` ≤ 2 minutes on
2 cores, ``full`` at the paper's size), a ``compute`` step that returns every plotted number as
plain data, a ``draw`` step that only draws those numbers, a caption and a table. The harness
runs it, times it, and writes ``NAME.png``, ``NAME.pdf``, ``NAME.json`` (meta: sizes, seed,
package version, wall time; data; table; caption) and ``NAME.txt`` (the caption), then prints
the table. Numerics never live here; plotting never lives in the numerics.
"""
from __future__ import annotations

import json
import math
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = ["FigureSpec", "Progress", "mean_and_se", "register", "get_figure", "figure_names", "run_figure", "to_jsonable", "SIZES"]

#: the sizes every figure defines: a tiny run for tests, the default (≤ 2 min on 2 cores), the paper's size.
SIZES = ("smoke", "default", "full")
#: image formats written by default.
FORMATS = ("png", "pdf")


class Progress:
    """A progress line on stderr: ``[name] k/total label (elapsed s)``; silent when disabled."""

    def __init__(self, name: str, total: int, enabled: bool = True):
        self.name, self.total, self.enabled = name, max(int(total), 1), enabled
        self.done, self.start = 0, time.time()

    def step(self, label: str = "") -> None:
        """Mark one unit of work done (``label`` says which)."""
        self.done += 1
        if self.enabled:
            width = 20
            filled = int(width * min(self.done, self.total) / self.total)
            bar = "#" * filled + "." * (width - filled)
            print(f"\r[{self.name}] [{bar}] {self.done}/{self.total} {label:<40s} ({time.time() - self.start:.0f} s)",
                  end="" if self.done < self.total else "\n", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class FigureSpec:
    """One figure.

    Parameters
    ----------
    name : str
        The command's name (``rmt-spectra figure NAME``), also the output files' stem.
    title : str
        One line: what the figure shows.
    source : str
        The paper key (``[Ba22]``, ``[Mon23]``, ``[Cui24]``, ``[Dan24]``) or ``"rmt_spectra"``.
    sizes : dict
        ``{"smoke": params, "default": params, "full": params}``, each a dict of the parameters
        ``compute`` takes.
    compute : callable ``(params, seed, progress) -> dict``
        Every plotted number, as lists/floats (numpy arrays are converted).
    draw : callable ``(data, figure) -> None``
        Draws ``data`` on a :class:`matplotlib.figure.Figure`.
    caption : callable ``(data, params) -> str``
    table : callable ``(data) -> list of dict``
        Rows of theory against simulation, printed and stored.
    figsize : tuple of float
        Inches.
    unknown : str
        Which of the paper's parameters are not known and what was chosen instead (added to the caption).
    """

    name: str
    title: str
    source: str
    sizes: dict
    compute: Callable
    draw: Callable
    caption: Callable
    table: Callable
    figsize: tuple = (10.0, 4.0)
    unknown: str = ""
    steps: Callable = field(default=lambda params: 1)


def mean_and_se(values) -> tuple[float, float]:
    """Mean over seeds and its standard error ``sd/√k`` (NaN for one seed).

    Parameters
    ----------
    values : sequence of float

    Returns
    -------
    (float, float)
    """
    v = np.asarray(values, float)
    se = float(np.std(v, ddof=1) / math.sqrt(v.size)) if v.size > 1 else float("nan")
    return float(np.mean(v)), se


REGISTRY: dict[str, FigureSpec] = {}


def register(spec: FigureSpec) -> FigureSpec:
    """Add ``spec`` to the registry (names are unique); returns it."""
    missing = [s for s in SIZES if s not in spec.sizes]
    if missing:
        raise ValueError(f"figure {spec.name!r} lacks the sizes {missing}")
    REGISTRY[spec.name] = spec
    return spec


def _load_all() -> None:
    from . import ba22, cui24, dan24, headline, mon23  # noqa: F401  (each registers its figures)


def figure_names() -> list[str]:
    """The registered figures, in the order of the papers."""
    _load_all()
    return list(REGISTRY)


def get_figure(name: str) -> FigureSpec:
    """The :class:`FigureSpec` called ``name``; ValueError listing the known names otherwise."""
    _load_all()
    if name not in REGISTRY:
        raise ValueError(f"unknown figure {name!r}; known: {', '.join(REGISTRY)}")
    return REGISTRY[name]


def to_jsonable(obj):
    """numpy arrays and scalars to lists and floats; NaN and inf to None (strict JSON)."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer, int)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        x = float(obj)
        return x if math.isfinite(x) else None
    return obj


def _format_row(row: dict) -> str:
    cells = []
    for k, v in row.items():
        if isinstance(v, float):
            cells.append(f"{k}={v:.4g}")
        else:
            cells.append(f"{k}={v}")
    return "  ".join(cells)


def run_figure(name: str, *, size: str = "default", out: str = "figures", seed: int = 0, formats=FORMATS,
               progress: bool = True, overrides: dict | None = None, quiet: bool = False) -> dict:
    """Compute, draw and write one figure.

    Parameters
    ----------
    name : str
        A registered figure (:func:`figure_names`).
    size : {"smoke", "default", "full"}
        Which of the figure's sizes to run.
    out : str
        Output directory (created).
    seed : int >= 0
        Base seed of the simulations (figures derive their seeds from it).
    formats : sequence of str
        Image formats among ``"png"``, ``"pdf"``, ``"svg"``.
    progress : bool
        Show a progress bar on stderr.
    overrides : dict, optional
        Parameters replacing those of ``size``.
    quiet : bool
        Do not print the table.

    Returns
    -------
    dict
        ``files`` (paths written), ``data``, ``meta``, ``table``, ``caption``.
    """
    from matplotlib.figure import Figure

    from .. import __version__
    from .._validation import check_int

    spec = get_figure(name)
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, got {size!r}")
    seed = check_int("seed", seed, minimum=0)
    formats = tuple(formats)
    bad = [f for f in formats if f not in ("png", "pdf", "svg")]
    if bad or not formats:
        raise ValueError(f"format must be a comma-separated list of png, pdf, svg; got {','.join(formats)!r}")
    params = dict(spec.sizes[size])
    params.update(overrides or {})
    os.makedirs(out, exist_ok=True)
    t0 = time.time()
    data = spec.compute(params, seed, Progress(name, spec.steps(params), progress))
    wall = time.time() - t0
    rows = spec.table(data)
    caption = spec.caption(data, params)
    if spec.unknown:
        caption += " " + spec.unknown
    fig = Figure(figsize=spec.figsize, layout="constrained")
    spec.draw(data, fig)
    files = []
    base = os.path.join(out, name)
    for fmt in formats:
        fig.savefig(f"{base}.{fmt}", dpi=110)
        files.append(f"{base}.{fmt}")
    meta = {"figure": name, "title": spec.title, "source": spec.source, "size": size, "params": params,
            "seed": seed, "version": __version__, "wall_time_s": wall,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    record = to_jsonable({"meta": meta, "data": data, "table": rows, "caption": caption})
    with open(base + ".json", "w") as f:
        json.dump(record, f, indent=1, allow_nan=False)
    with open(base + ".txt", "w") as f:
        f.write(caption + "\n")
    files += [base + ".json", base + ".txt"]
    if not quiet:
        print(f"{name}: {spec.title} ({size}, {wall:.1f} s)")
        for row in rows:
            print("  " + _format_row(row))
        print("  wrote " + ", ".join(files))
    return {"files": files, "data": data, "meta": meta, "table": rows, "caption": caption}
