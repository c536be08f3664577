"""axe-core, injected into Chromium, finds no serious or critical accessibility problem on any page."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from .browsing import DESKTOP

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")
#: Run every page with each language tab showing, so code and badges in hidden tabs are checked too.
LANGUAGES = ("python", "c", "rust")


def axe(page: Page, axe_js: Path) -> list[dict[str, Any]]:
    """The violations axe reports on the page as it is now (only what is rendered is checked)."""
    # Let the page's own scripts settle first (snippets-a11y.js repairs markup on the first frames).
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def describe(path: str, mode: str, violation: dict[str, Any]) -> str:
    targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
    summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ")
    return (f"{path} [{mode}] {violation['impact']} {violation['id']}: {violation['help']} "
            f"({len(violation['nodes'])}x, e.g. {json.dumps(targets)}) {summary[:300]}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(browser: Browser, base_url: str, pages: list[str],
                                             node_tools: Path, scheme: str) -> None:
    axe_js = node_tools / "axe-core" / "axe.min.js"
    context = browser.new_context(viewport=DESKTOP, base_url=base_url, color_scheme=scheme)
    problems: list[str] = []
    minor: dict[str, set[str]] = {}
    try:
        page = context.new_page()
        for language in LANGUAGES:
            page.goto("index.html")
            page.evaluate(f"localStorage.setItem('sphinx-design-tab-id-lang', '{language}')")
            for path in pages:
                has_tabs = f'data-sync-id="{language}"' in page.request.get(path).text()
                if language != LANGUAGES[0] and not has_tabs:
                    continue
                page.goto(path)
                for violation in axe(page, axe_js):
                    if violation["impact"] in BLOCKING:
                        problems.append(describe(path, f"{scheme}, {language} tab", violation))
                    else:
                        rule = f"{violation['impact']} {violation['id']}: {violation['help']}"
                        minor.setdefault(rule, set()).add(path)
    finally:
        context.close()
    for rule, where in sorted(minor.items()):
        print(f"axe ({scheme}), not failing: {rule} on {len(where)} page(s)")
    assert not problems, "\n".join(problems)
