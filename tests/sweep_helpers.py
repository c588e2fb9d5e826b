"""Module-level helpers for tests/test_sweep_scale.py (picklable for dask, importable by a subprocess)."""
import time


def slow_extra(result):
    time.sleep(0.15)
    return {"top_W1": float(result.diagnostics()["W1_top_sv"])}


def failing_extra(result):
    if result.params["seed"] == 3:
        raise ValueError("seed 3 fails on purpose")
    return {}


def flaky_extra(result):
    """Fails the first time it sees a seed (a marker file per seed in $RMT_FLAKY_DIR), then succeeds."""
    import os

    marker = os.path.join(os.environ["RMT_FLAKY_DIR"], f"seen-{result.params['seed']}")
    if not os.path.exists(marker):
        open(marker, "w").close()
        raise OSError("transient failure")
    return {}
