"""Language tabs: one click switches every tab set, and the choice follows the reader around the site."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from .browsing import shoot

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import BrowserContext, Page

    from .browsing import Console

pytestmark = pytest.mark.browser

LANG = '.sd-tab-label[data-sync-group="lang"]'


def pages_with_tabs(site: Path, pages: list[str], language: str) -> list[str]:
    """Pages whose language tabs offer `language` (read from the built HTML)."""
    pattern = re.compile(rf'data-sync-group="lang" data-sync-id="{language}"')
    return [path for path in pages if pattern.search((site / path).read_text(encoding="utf-8"))]


def chosen(page: Page) -> set[str]:
    """The sync ids of the selected tab in every language tab set on the page."""
    return set(page.eval_on_selector_all(
        LANG, "labels => labels.filter(l => document.getElementById(l.htmlFor).checked).map(l => l.dataset.syncId)"))


def not_showing(page: Page, language: str) -> int:
    """How many tab sets offer `language` but show another one."""
    return page.eval_on_selector_all(".sd-tab-set", """(sets, language) => sets.filter(set => {
        const offered = set.querySelector(`label[data-sync-group="lang"][data-sync-id="${language}"]`);
        return offered && !document.getElementById(offered.htmlFor).checked;
    }).length""", language)


def test_one_click_switches_every_tab_set_on_the_page(page: Page, console: Console, site: Path,
                                                      pages: list[str]) -> None:
    target = max(pages_with_tabs(site, pages, "c"), key=lambda p: (site / p).read_text().count('data-sync-id="c"'))
    page.goto(target)
    assert chosen(page) == {"python"}, "a first visit shows Python, the first tab"
    page.locator(f'{LANG}[data-sync-id="c"]').first.click()
    assert not_showing(page, "c") == 0, f"{target}: every tab set with a C tab should now show it"
    content = page.locator(f'{LANG}[data-sync-id="c"] + .sd-tab-content').first
    assert content.is_visible()
    assert content.locator("div.snippet.snippet-lang-c").first.is_visible(), "the C tab should show a C listing"
    assert page.evaluate("localStorage.getItem('sphinx-design-tab-id-lang')") == "c"
    page.locator(f'{LANG}[data-sync-id="c"]').first.evaluate("el => el.scrollIntoView({block: 'start', behavior: 'instant'})")
    shoot(page, "desktop/tabs-c-selected")
    assert not console.errors


def test_the_choice_survives_navigation_and_a_new_visit(page: Page, context: BrowserContext, site: Path,
                                                        pages: list[str]) -> None:
    with_rust = pages_with_tabs(site, pages, "rust")
    assert len(with_rust) >= 2, f"need two pages with Rust tabs to test navigation, found {with_rust}"
    first, second = with_rust[0], with_rust[1]
    page.goto(first)
    page.locator(f'{LANG}[data-sync-id="rust"]').first.click()
    assert not_showing(page, "rust") == 0

    # Follow the sidebar link like a reader would, not page.goto.
    page.locator(f'.sidebar-tree a.reference[href="{second}"]').click()
    page.wait_for_url(f"**/{second}")
    assert not_showing(page, "rust") == 0, f"{second} forgot the choice: it shows {chosen(page)}"

    page.go_back()
    page.wait_for_url(f"**/{first}")
    assert not_showing(page, "rust") == 0

    later = context.new_page()
    later.goto(second)
    assert not_showing(later, "rust") == 0, "a new tab of the same browser should open with the stored choice"

    # Back to Python, in a tab set that was showing Rust (clicking an already selected tab changes nothing).
    later.locator(f'.sd-tab-set:has({LANG}[data-sync-id="rust"]) {LANG}[data-sync-id="python"]').first.click()
    later.reload()
    assert not_showing(later, "python") == 0
