r"""Sweeps of :func:`~rmt_spectra.simulate_one_step` over seeds and parameters.

``sweep(param_grid, seeds, **fixed)`` runs the cartesian product of
``param_grid`` (``{"eta": [1, 2, 4], "weights": ["gaussian", "sphere"]}``)
times ``seeds``, with the other arguments of ``simulate_one_step`` fixed, and
returns a :class:`SweepTable`: a list of flat dicts (one row per run: the
swept parameters, ``seed``, every key of ``OneStepResult.diagnostics()``, and
the columns returned by an optional ``extra(result)``). A tqdm progress bar
is shown when tqdm is importable (it is not a dependency; without it there is
no bar).
"""
from __future__ import annotations

import itertools
import time

import numpy as np

from .one_step import simulate_one_step

__all__ = ["sweep", "SweepTable"]


class SweepTable(list):
    """A list of dict rows with column access and optional pandas/numpy conversion.

    Returned by :func:`sweep` (one row per run); rows may have different keys.

    Parameters
    ----------
    iterable : iterable of dict, optional
        The rows (as for :class:`list`; default: empty).

    Attributes
    ----------
    columns : list of str
        Every key of every row, in order of first appearance.
    results : list of OneStepResult
        Only when :func:`sweep` was called with ``keep_results=True``: the runs, in row order.
    """

    @property
    def columns(self) -> list[str]:
        cols: dict[str, None] = {}
        for row in self:
            cols.update(dict.fromkeys(row))
        return list(cols)

    def column(self, name):
        """The column ``name`` as a numpy array (missing entries → None)."""
        return np.array([row.get(name) for row in self])

    def to_pandas(self):
        """A pandas DataFrame (ImportError if pandas is not installed)."""
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError("SweepTable.to_pandas() needs pandas, which is not installed; "
                              "use the rows (list of dicts) or to_numpy()") from exc
        return pd.DataFrame(list(self), columns=self.columns)

    def to_numpy(self) -> np.ndarray:
        """A numpy structured array (numbers as float64/bool/int, anything else as str)."""
        cols = self.columns
        fields = []
        for c in cols:
            vals = [row.get(c) for row in self]
            if all(isinstance(v, (bool, np.bool_)) for v in vals):
                fields.append((c, bool))
            elif all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in vals):
                fields.append((c, np.int64))
            elif all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in vals):
                fields.append((c, np.float64))
            else:
                fields.append((c, f"U{max(1, max(len(str(v)) for v in vals))}"))
        out = np.empty(len(self), dtype=fields)
        for i, row in enumerate(self):
            for c, kind in fields:
                v = row.get(c)
                out[i][c] = str(v) if isinstance(kind, str) else v
        return out


def _progress(iterable, total, enabled, desc):
    if not enabled:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, total=total, desc=desc)


def _label(v):
    name = getattr(v, "name", None)
    if name is not None and not isinstance(v, (str, int, float)):
        return name
    return v if isinstance(v, (str, int, float, bool, np.integer, np.floating)) or v is None else str(v)


def sweep(param_grid=None, seeds=(0,), *, progress=True, extra=None, keep_results=False, **fixed) -> SweepTable:
    """Run ``simulate_one_step`` over the grid × seeds and tabulate the diagnostics.

    Parameters
    ----------
    param_grid : dict of str -> sequence, optional
        Arguments of ``simulate_one_step`` to vary (cartesian product).
    seeds : int or sequence of int
        Seeds (an int ``k`` means ``range(k)``).
    progress : bool
        tqdm bar if tqdm is importable.
    extra : callable, optional
        ``extra(result) -> dict`` of additional columns (e.g. top eigenvalues).
    keep_results : bool
        Also keep the :class:`OneStepResult` objects in ``table.results`` (memory!).
    **fixed
        Other arguments of ``simulate_one_step`` (``n0, n, d, N`` are required
        either here or in the grid).

    Returns
    -------
    SweepTable
        One row per (grid point, seed), grid-major, seeds innermost: the swept values (activations
        and other objects by their ``name`` or ``str``), ``seed``, every key of
        ``OneStepResult.diagnostics()``, the columns of ``extra(result)`` (they override
        same-named keys) and ``seconds`` (wall time of the run).

    Raises
    ------
    ValueError
        ``"seed"`` in ``param_grid``, a key both swept and fixed, or no seeds.
    TypeError
        A grid entry that is not a sequence of values (a bare string is refused too).
    """
    grid = dict(param_grid or {})
    if not isinstance(grid, dict):
        raise TypeError("param_grid must be a dict {argument: list of values}")
    for key, values in grid.items():
        if key == "seed":
            raise ValueError("param_grid must not contain 'seed': pass seeds=")
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise TypeError(f"param_grid[{key!r}] must be a sequence of values, got {values!r}")
        if key in fixed:
            raise ValueError(f"{key!r} is both swept (param_grid) and fixed")
    if isinstance(seeds, (int, np.integer)):
        seeds = range(int(seeds))
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must not be empty")
    keys = list(grid)
    combos = list(itertools.product(*(list(grid[k]) for k in keys)))
    total = len(combos) * len(seeds)
    table = SweepTable()
    results = []
    runs = ((combo, s) for combo in combos for s in seeds)
    for combo, seed in _progress(runs, total, progress, "one-step sweep"):
        kwargs = {**fixed, **dict(zip(keys, combo)), "seed": seed}
        t0 = time.perf_counter()
        res = simulate_one_step(**kwargs)
        row = {k: _label(v) for k, v in zip(keys, combo)}
        row["seed"] = seed
        row.update(res.diagnostics())
        if extra is not None:
            row.update(extra(res))
        row["seconds"] = time.perf_counter() - t0
        table.append(row)
        if keep_results:
            results.append(res)
    if keep_results:
        table.results = results
    return table
