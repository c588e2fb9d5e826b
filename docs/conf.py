"""Sphinx configuration of the rmt_spectra documentation.

Build: ``python -m pip install -e ".[docs]"`` then ``python -m sphinx -W -b html docs docs/_build/html``.
"""
import os
import sys

sys.path.insert(0, os.path.abspath("_ext"))

import rmt_spectra  # noqa: E402

project = "rmt_spectra"
author = "the rmt_spectra developers"
copyright = "2026, the rmt_spectra developers"
release = version = rmt_spectra.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinxcontrib.bibtex",
    "keylabels",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "gallery/*.md", "gallery/*.txt", "README.md"]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "keylabels"
bibtex_reference_style = "label"

autosummary_generate = True
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()

html_theme = "alabaster"
html_static_path = []
html_theme_options = {"description": "Spectra of the features two-layer networks learn after one step"}


# ---------------------------------------------------------------- top-level names
# The API pages document each object under its sub-package (``rmt_spectra.risk.srf_test_error``);
# links written with the top-level name users type (``rmt_spectra.srf_test_error``) resolve to it.
def _documented_paths():
    import re

    text = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "api.md")).read()
    paths = {}
    for block in re.finditer(r"currentmodule:: (\S+)\n(.*?)```", text, re.S):
        for name in re.findall(r"^   (\w+)$", block.group(2), re.M):
            paths.setdefault(name, f"{block.group(1)}.{name}")
    return paths


_DOCUMENTED = _documented_paths()


def _resolve_top_level(app, env, node, contnode):
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.startswith("rmt_spectra."):
        return None
    head, _, rest = target[len("rmt_spectra."):].partition(".")
    documented = _DOCUMENTED.get(head)
    if documented is None:
        return None
    new = documented + ("." + rest if rest else "")
    if new == target:
        return None
    return env.get_domain("py").resolve_xref(env, node["refdoc"], app.builder, node["reftype"], new, node, contnode)


def setup(app):
    app.connect("missing-reference", _resolve_top_level)
