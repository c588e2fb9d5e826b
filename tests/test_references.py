"""The project explains itself: every citation key resolves in docs/references.bib, no file points outside."""
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCANNED = ["rmt_spectra", "tests", "notebooks", "docs", "paper_figures", "benchmarks", "README.md"]
SUFFIXES = {".py", ".md", ".txt", ".toml", ".rst", ".bib"}
KEY = re.compile(r"\[([A-Z][A-Za-z]{0,6}[0-9]{2}[a-z]?)\]")
CITE = re.compile(r"\{cite:[pt]?\}`([^`]+)`")


def _files():
    for entry in SCANNED:
        path = ROOT / entry
        paths = [path] if path.is_file() else path.rglob("*")
        for p in paths:
            if p.is_file() and p.suffix in SUFFIXES and "_build" not in p.parts and "generated" not in p.parts:
                yield p


def _bib_keys():
    text = (ROOT / "docs" / "references.bib").read_text()
    return set(re.findall(r"@\w+\{([^,\s]+),", text))


def test_bibliography_parses_and_has_the_four_papers():
    keys = _bib_keys()
    assert {"Ba22", "Mon23", "Cui24", "Dan24", "SB95", "BBP05", "BGN11", "BGN12", "PW17", "FW20", "HLN07"} <= keys


def test_every_citation_key_resolves():
    keys = _bib_keys()
    missing = {}
    for p in _files():
        if p.suffix == ".bib":
            continue
        text = p.read_text(errors="replace")
        found = set(KEY.findall(text))
        for group in CITE.findall(text):
            found |= {k.strip() for k in group.split(",")}
        unknown = found - keys
        if unknown:
            missing[str(p.relative_to(ROOT))] = sorted(unknown)
    assert missing == {}


@pytest.mark.parametrize("pattern", [r"\.\./" + "shared", "shared" + "/theory", r"\b0[1-7]_[a-z_]+\.md\b",
                                     "theory " + "notes"])
def test_nothing_points_outside_the_project(pattern):
    rx = re.compile(pattern)
    hits = [f"{p.relative_to(ROOT)}:{i + 1}" for p in _files()
            for i, line in enumerate(p.read_text(errors="replace").splitlines()) if rx.search(line)]
    assert hits == []
