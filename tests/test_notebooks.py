"""Every notebook (a jupytext percent script in notebooks/) runs end to end and passes its own checks.

Each script ends with a cell of assertions on its numbers; it is run here as a subprocess at a
reduced size (``RMT_NOTEBOOK_SCALE=0.3``, where each takes well under 30 s on one core), with a
non-interactive matplotlib backend, in a temporary working directory.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.py"))


def test_notebooks_exist():
    assert len(NOTEBOOKS) >= 5, NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg", RMT_NOTEBOOK_SCALE="0.3")
    env.pop("RMT_NOTEBOOK_SEED", None)
    proc = subprocess.run([sys.executable, str(path)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, (f"{path.name} failed (return code {proc.returncode})\n"
                                  f"--- stdout (tail) ---\n{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-6000:]}")
