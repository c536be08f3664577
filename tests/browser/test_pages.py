"""Every page loads cleanly in Chromium, fits a desktop screen, in light and dark mode; screenshots for a reviewer."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from .browsing import DESKTOP, Console, shoot

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


def test_every_page_loads_without_console_errors(page: Page, console: Console, pages: list[str]) -> None:
    problems = []
    for path in pages:
        console.errors.clear()
        response = page.goto(path, wait_until="load")
        assert response is not None
        if response.status != 200:
            problems.append(f"{path}: HTTP {response.status}")
        page.wait_for_load_state("networkidle")
        problems.extend(f"{path}: {error}" for error in console.errors)
        wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if wide > 0:
            problems.append(f"{path}: the page scrolls sideways by {wide}px at desktop width")
        shoot(page, f"desktop/{path.removesuffix('.html')}")
    assert not problems, "\n".join(problems)


def test_dark_mode_follows_the_system_and_the_toggle(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport=DESKTOP, base_url=base_url, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto("ch06-how-this-site-works.html")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert _is_dark(background), f"furo should follow prefers-color-scheme: dark, body is {background}"
        shoot(page, "dark/ch06-how-this-site-works")
        page.locator("button.theme-toggle:visible").click()  # furo cycles auto -> light -> dark
        assert page.evaluate("document.body.dataset.theme") == "light"
        assert not _is_dark(page.evaluate("getComputedStyle(document.body).backgroundColor"))
        page.goto("index.html")
        assert page.evaluate("document.body.dataset.theme") == "light", "the light/dark choice should persist"
        shoot(page, "dark/index-toggled-to-light")
    finally:
        context.close()


def _is_dark(css_colour: str) -> bool:
    r, g, b = (float(n) for n in re.findall(r"[\d.]+", css_colour)[:3])
    return (r + g + b) / 3 < 100
