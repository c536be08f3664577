"""Every teaching point of the lecture (shared/COVERAGE.md) has a section on the site; run points run code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
COVERAGE = ROOT.parent / "shared" / "COVERAGE.md"

#: The point numbers of COVERAGE.md and whether each is marked **run** (kept here so the test
#: also works where shared/ is absent; test_matches_shared_coverage checks they agree).
POINTS: dict[str, bool] = {
    **{p: False for p in ("0.1", "0.2", "1.1", "1.2", "1.11", "1.14", "1.16", "1.17", "3.1", "4.1", "4.2",
                          "5.1", "5.2", "5.3", "5.4")},
    **{p: True for p in ("1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9", "1.10", "1.12", "1.13", "1.15",
                         "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8",
                         "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9", "4.3", "4.4", "4.5")},
}
TARGET = re.compile(r"^\(cov-(\d+)-(\d+)\)=\s*$", re.MULTILINE)


def sections() -> dict[str, tuple[str, str]]:
    """point -> (page, text from its target to the next target)."""
    found: dict[str, tuple[str, str]] = {}
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        matches = list(TARGET.finditer(text))
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            found[f"{m.group(1)}.{m.group(2)}"] = (page.name, text[m.end():end])
    return found


@pytest.mark.parametrize("point", sorted(POINTS, key=lambda p: tuple(map(int, p.split(".")))))
def test_point_has_a_section(point: str) -> None:
    found = sections()
    assert point in found, f"COVERAGE point {point} has no `(cov-{point.replace('.', '-')})=` target in docs/"
    page, body = found[point]
    if POINTS[point]:
        assert "{exec_code}" in body, f"point {point} is marked run, but its section in {page} runs no example"


def test_matches_shared_coverage() -> None:
    if not COVERAGE.exists():
        pytest.skip("shared/COVERAGE.md is not beside this checkout")
    listed: dict[str, bool] = {}
    for line in COVERAGE.read_text(encoding="utf-8").splitlines():
        m = re.match(r"- (\d\.\d+)(?:–(\d\.\d+))? ", line)
        if m:
            for p in filter(None, m.groups()):
                listed[p] = "**run" in line
    assert listed == POINTS
