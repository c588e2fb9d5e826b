"""Every public class and function (the ``__all__`` of the package and of each subpackage) has a numpydoc
docstring: a ``Parameters`` section when it takes parameters and a ``Returns`` section when it is a function."""
import importlib
import inspect

import pytest

PACKAGES = ["rmt_spectra", "rmt_spectra.gaussian", "rmt_spectra.laws", "rmt_spectra.equivalents",
            "rmt_spectra.spiked", "rmt_spectra.simulation", "rmt_spectra.empirical", "rmt_spectra.risk",
            "rmt_spectra.solvers"]


def _public():
    seen = {}
    for pkg in PACKAGES:
        mod = importlib.import_module(pkg)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and id(obj) not in seen:
                seen[id(obj)] = (f"{pkg}.{name}", obj)
    return sorted(seen.values(), key=lambda t: t[0])


PUBLIC = _public()


def test_the_public_api_is_large_enough_to_mean_something():
    assert len(PUBLIC) > 100


@pytest.mark.parametrize("qualname, obj", PUBLIC, ids=[q for q, _ in PUBLIC])
def test_numpydoc_sections(qualname, obj):
    doc = inspect.getdoc(obj) or ""
    assert doc, f"{qualname} has no docstring"
    try:
        params = [p for p in inspect.signature(obj).parameters if p not in ("self", "cls")]
    except (TypeError, ValueError):
        params = []
    if params:
        assert "Parameters\n----------" in doc, f"{qualname}: no Parameters section"
    if inspect.isfunction(obj):
        assert "Returns\n-------" in doc or "Yields\n------" in doc, f"{qualname}: no Returns section"
    assert "theory note" not in doc.lower() and ".." + "/shared" not in doc  # docs are self-contained
