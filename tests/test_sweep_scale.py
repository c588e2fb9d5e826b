"""Sweeps at scale: a LocalCluster gives the serial rows bit for bit; a killed sweep resumes from its store."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from rmt_spectra.simulation import sweep

SIZES = dict(n0=80, n=40, d=40, N=30, progress=False)
GRID = {"eta": [0.5, 2.0, 4.0], "activation": ["tanh", "relu"]}      # 6 points × 4 seeds = 24 tasks
HERE = os.path.dirname(os.path.abspath(__file__))


def _strip(table):
    return [{k: v for k, v in row.items() if k != "seconds"} for row in table]


def _same(a, b):
    assert len(a) == len(b)
    for ra, rb in zip(_strip(a), _strip(b)):
        assert ra.keys() == rb.keys()
        for k in ra:
            va, vb = ra[k], rb[k]
            if isinstance(va, float) and np.isnan(va):
                assert np.isnan(vb)
            else:
                assert va == vb, k


def test_local_cluster_equals_serial_bit_for_bit(tmp_path):
    pytest.importorskip("dask.distributed")
    serial = sweep(GRID, seeds=4, **SIZES)
    assert len(serial) == 24 and serial.computed == 24
    dist = sweep(GRID, seeds=4, client="local", store=tmp_path / "store", **SIZES)
    _same(serial, dist)
    assert dist.computed == 24 and dist.loaded == 0
    assert len([f for f in os.listdir(tmp_path / "store") if f.endswith(".json")]) == 24
    again = sweep(GRID, seeds=4, store=tmp_path / "store", **SIZES)      # everything is in the store
    assert again.loaded == 24 and again.computed == 0
    _same(serial, again)


def test_killed_sweep_resumes_and_computes_only_the_missing_tasks(tmp_path):
    store = tmp_path / "store"
    code = (f"import sys; sys.path.insert(0, {HERE!r}); from sweep_helpers import slow_extra; "
            "from rmt_spectra.simulation import sweep; "
            f"sweep({GRID!r}, seeds=4, extra=slow_extra, store={str(store)!r}, **{SIZES!r})")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    done = 0
    while time.time() < deadline:
        done = len([f for f in os.listdir(store) if f.endswith(".json")]) if store.exists() else 0
        if done >= 6 or proc.poll() is not None:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = len([f for f in os.listdir(store) if f.endswith(".json")])
    assert 6 <= done < 24, f"the run should be killed halfway (files: {done})"
    for f in os.listdir(store):                       # no half-written row survives a kill
        if f.endswith(".json"):
            json.load(open(store / f))
    sys.path.insert(0, HERE)
    from sweep_helpers import slow_extra

    resumed = sweep(GRID, seeds=4, extra=slow_extra, store=store, **SIZES)
    assert resumed.loaded == done and resumed.computed == 24 - done
    full = sweep(GRID, seeds=4, extra=slow_extra, **SIZES)
    _same(full, resumed)


def test_failed_task_is_retried_reported_and_resumable(tmp_path):
    sys.path.insert(0, HERE)
    from sweep_helpers import failing_extra

    with pytest.raises(RuntimeError, match="2 of 8 task.*seed=3"):
        sweep({"eta": [1.0, 2.0]}, seeds=4, extra=failing_extra, store=tmp_path, retries=2, **SIZES)
    # the six finished rows were stored before the error
    assert len([f for f in os.listdir(tmp_path) if f.endswith(".json")]) == 6
    with pytest.warns(RuntimeWarning, match="failed after 0 retries"):
        table = sweep({"eta": [1.0, 2.0]}, seeds=4, extra=failing_extra, store=tmp_path, retries=0,
                      on_failure="warn", **SIZES)
    assert table.loaded == 6 and table.computed == 0 and len(table.failures) == 2
    assert {f["seed"] for f in table.failures} == {3}


def test_bad_arguments():
    with pytest.raises(ValueError, match="on_failure"):
        sweep({"eta": [1.0]}, on_failure="explode", **SIZES)
    with pytest.raises(ValueError, match="retries"):
        sweep({"eta": [1.0]}, retries=-1, **SIZES)
    pytest.importorskip("dask.distributed")
    with pytest.raises(TypeError, match="client"):
        sweep({"eta": [1.0]}, client=42, **SIZES)
    with pytest.raises(ValueError, match="keep_results"):
        sweep({"eta": [1.0]}, client="local", keep_results=True, **SIZES)


def test_a_flaky_task_succeeds_on_retry(tmp_path, monkeypatch):
    sys.path.insert(0, HERE)
    import sweep_helpers

    monkeypatch.setenv("RMT_FLAKY_DIR", str(tmp_path))
    table = sweep({"eta": [1.0]}, seeds=2, extra=sweep_helpers.flaky_extra, retries=1, **SIZES)
    assert len(table) == 2 and table.computed == 2 and not table.failures
    with pytest.raises(RuntimeError, match="failed after 0 retries"):
        sweep({"eta": [1.0]}, seeds=[7], extra=sweep_helpers.flaky_extra, retries=0, **SIZES)
