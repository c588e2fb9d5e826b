r"""Sweeps of :func:`~rmt_spectra.simulate_one_step` over seeds and parameters, serial or on Dask.

``sweep(param_grid, seeds, **fixed)`` runs the cartesian product of
``param_grid`` (``{"eta": [1, 2, 4], "weights": ["gaussian", "sphere"]}``)
times ``seeds``, with the other arguments of ``simulate_one_step`` fixed, and
returns a :class:`SweepTable`: a list of flat dicts (one row per run: the
swept parameters, ``seed``, every key of ``OneStepResult.diagnostics()``, and
the columns returned by an optional ``extra(result)``). A tqdm progress bar
is shown when tqdm is importable (it is not a dependency; without it there is
no bar).

**At scale.** ``client="local"`` runs the tasks on a ``dask.distributed`` ``LocalCluster``
(the ``[dask]`` extra), a scheduler address (``"tcp://host:8786"``) or a ``Client`` on an
existing cluster. Each task depends on its parameters and seed only, so the rows equal the
serial run's bit for bit (all columns but the wall time ``seconds``), in the same order.
``store=DIR`` makes a sweep **resumable**: every task's row is written to ``DIR/<key>.json``
as soon as it finishes (``key`` = a hash of the task's parameters and seed; written to a
temporary file and renamed, so a killed run leaves no half file), and a rerun loads the rows
present and computes only the missing ones (``table.loaded`` / ``table.computed`` say which).
A failing task is retried ``retries`` times and then reported (``on_failure``: raise, after
the finished rows are stored; or warn and leave it out, listed in ``table.failures``).
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import time
import warnings

import numpy as np

from .._validation import check_int
from ..solvers.policy import check_on_failure
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
    loaded, computed : int
        Rows read from the ``store`` and rows computed by this call.
    failures : list of dict
        Tasks that failed after their retries (parameters, seed, error), with ``on_failure="warn"``.
    """

    loaded = 0
    computed = 0
    failures: list = []

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


def _task_key(row_params, seed, extra):
    """A stable file name for one task: hash of its (labelled) parameters, seed and extra's name."""
    payload = json.dumps({"params": row_params, "seed": seed,
                          "extra": getattr(extra, "__qualname__", None) if extra is not None else None},
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _jsonable(v):
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.ndarray):
        return v.tolist()
    return v


def _run_task(kwargs, extra):
    """One task: simulate, diagnostics, extra columns, wall time (runs on a worker)."""
    t0 = time.perf_counter()
    res = simulate_one_step(**kwargs)
    row = dict(res.diagnostics())
    if extra is not None:
        row.update(extra(res))
    row["seconds"] = time.perf_counter() - t0
    return {k: _jsonable(v) for k, v in row.items()}, res


def _run_task_row(kwargs, extra):
    return _run_task(kwargs, extra)[0]


def _write_row(store, key, row):
    tmp = os.path.join(store, f".{key}.{os.getpid()}.tmp")
    with open(tmp, "w") as fh:
        json.dump(row, fh)
    os.replace(tmp, os.path.join(store, f"{key}.json"))


def _read_row(store, key):
    path = os.path.join(store, f"{key}.json")
    if not os.path.exists(path):
        return None
    with open(path) as fh:
        return json.load(fh)


def _client(client):
    """``(Client, close)`` from ``"local"``, an address or a Client."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise ImportError("sweep(client=...) needs dask.distributed: python -m pip install -e '.[dask]'") from exc
    if isinstance(client, str) and client == "local":
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        c = Client(cluster)

        def close():
            c.close()
            cluster.close()
        return c, close
    if isinstance(client, str):
        c = Client(client)
        return c, c.close
    if hasattr(client, "submit"):
        return client, (lambda: None)
    raise TypeError(f"client must be None, 'local', a scheduler address or a dask Client, got {client!r}")


def sweep(param_grid=None, seeds=(0,), *, progress=True, extra=None, keep_results=False, client=None, store=None,
          retries=1, on_failure="raise", **fixed) -> SweepTable:
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
        ``extra(result) -> dict`` of additional columns (e.g. top eigenvalues); with ``client`` it
        must be picklable (a module-level function).
    keep_results : bool
        Also keep the :class:`OneStepResult` objects in ``table.results`` (memory!; serial only).
    client : None, "local", str or dask.distributed.Client, keyword-only
        Where the tasks run: here (None), on a new ``LocalCluster`` with 2 single-threaded worker
        processes (``"local"``, closed at the end), on the scheduler at an address, or on a Client.
    store : str or path, optional, keyword-only
        Directory of finished rows (one JSON file per task); a rerun computes only what is missing.
    retries : int >= 0, default 1, keyword-only
        Extra attempts of a failing task.
    on_failure : {"raise", "warn", "ignore"}, default "raise", keyword-only
        After the retries: raise ``RuntimeError`` naming the failed tasks (the finished rows are
        stored first), or warn (or not) and list them in ``table.failures``.
    **fixed
        Other arguments of ``simulate_one_step`` (``n0, n, d, N`` are required
        either here or in the grid).

    Returns
    -------
    SweepTable
        One row per (grid point, seed), grid-major, seeds innermost: the swept values (activations
        and other objects by their ``name`` or ``str``), ``seed``, every key of
        ``OneStepResult.diagnostics()``, the columns of ``extra(result)`` (they override
        same-named keys) and ``seconds`` (wall time of the run). Whatever ran where, the rows
        equal the serial run's except ``seconds``.

    Raises
    ------
    ValueError
        ``"seed"`` in ``param_grid``, a key both swept and fixed, or no seeds.
    TypeError
        A grid entry that is not a sequence of values (a bare string is refused too).
    RuntimeError
        Tasks still failing after their retries, with ``on_failure="raise"``.
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
    retries = check_int("retries", retries, minimum=0)
    on_failure = check_on_failure(on_failure)
    if keep_results and client is not None:
        raise ValueError("keep_results=True needs the serial run (client=None): results stay on the workers")
    if store is not None:
        store = os.fspath(store)
        os.makedirs(store, exist_ok=True)
    keys = list(grid)
    combos = list(itertools.product(*(list(grid[k]) for k in keys)))
    tasks = []
    for combo in combos:
        labels = {k: _label(v) for k, v in zip(keys, combo)}
        fixed_labels = {k: _label(v) for k, v in fixed.items()}
        for s in seeds:
            kwargs = {**fixed, **dict(zip(keys, combo)), "seed": s}
            tasks.append((labels, s, kwargs, _task_key({**fixed_labels, **labels}, _jsonable(s), extra)))

    rows = [None] * len(tasks)
    results = [None] * len(tasks)
    loaded = 0
    if store is not None and not keep_results:
        for i, (_, _, _, key) in enumerate(tasks):
            rows[i] = _read_row(store, key)
            loaded += rows[i] is not None
    todo = [i for i, r in enumerate(rows) if r is None]
    failures = []

    def finish(i, row):
        rows[i] = row
        if store is not None:
            _write_row(store, tasks[i][3], row)

    bar = _progress(range(len(todo)), len(todo), progress and bool(todo), "one-step sweep")
    ticks = iter(bar) if bar is not None else None

    def tick():
        if ticks is not None:
            next(ticks, None)

    if client is None:
        for i in todo:
            for attempt in range(retries + 1):
                try:
                    row, res = _run_task(tasks[i][2], extra)
                    break
                except Exception as exc:  # noqa: BLE001 - reported below, never dropped silently
                    err = exc
            else:
                failures.append({"params": tasks[i][0], "seed": tasks[i][1], "error": repr(err)})
                tick()
                continue
            finish(i, row)
            if keep_results:
                results[i] = res
            tick()
    else:
        from dask.distributed import as_completed

        c, close = _client(client)
        try:
            futures = {c.submit(_run_task_row, tasks[i][2], extra, retries=retries, pure=False): i for i in todo}
            for fut in as_completed(futures):
                i = futures[fut]
                if fut.status == "finished":
                    finish(i, fut.result())
                else:
                    failures.append({"params": tasks[i][0], "seed": tasks[i][1], "error": repr(fut.exception())})
                tick()
        finally:
            close()
    if hasattr(bar, "close"):
        bar.close()

    table = SweepTable()
    for i, (labels, s, _, _) in enumerate(tasks):
        if rows[i] is None:
            continue
        table.append({**labels, "seed": s, **rows[i]})
    table.loaded, table.computed, table.failures = loaded, len(todo) - len(failures), failures
    if keep_results:
        table.results = [r for r in results if r is not None]
    if failures:
        msg = (f"sweep: {len(failures)} of {len(tasks)} task(s) failed after {retries} retr"
               f"{'y' if retries == 1 else 'ies'}: " + "; ".join(f"{f['params']} seed={f['seed']}: {f['error']}"
                                                              for f in failures[:5]))
        if on_failure == "raise":
            raise RuntimeError(msg + ("" if store is None else f" (finished rows are in {store}; rerun to resume)"))
        if on_failure == "warn":
            warnings.warn(msg, RuntimeWarning, stacklevel=2)
    return table
