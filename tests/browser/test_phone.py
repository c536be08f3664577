"""At phone width (375 px) the body never scrolls sideways and the navigation is one tap away."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .browsing import PHONE, shoot

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

#: Elements wider than the screen that stick out of every scrollable box, i.e. widen the body.
OVERFLOWING = """() => {
    const width = document.documentElement.clientWidth;
    const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX) && p.clientWidth <= width) return true;
    } return false; };
    return [...document.body.querySelectorAll('*')]
        .filter(el => el.getBoundingClientRect().right > width + 1 && el.getClientRects().length && !scrolls(el))
        .slice(0, 5)
        .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : ''));
}"""


@pytest.fixture
def phone(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, base_url=base_url, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    yield context.new_page()
    context.close()


def test_no_page_scrolls_sideways_at_phone_width(phone: Page, pages: list[str]) -> None:
    problems = []
    for path in pages:
        phone.goto(path)
        wide = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if wide > 0:
            problems.append(f"{path}: the body is {wide}px wider than the screen; culprits: "
                            f"{phone.evaluate(OVERFLOWING)}")
        shoot(phone, f"phone/{path.removesuffix('.html')}")
    assert not problems, "\n".join(problems)


def test_the_navigation_is_reachable_at_phone_width(phone: Page) -> None:
    phone.goto("index.html")
    drawer = phone.locator(".sidebar-drawer")
    chapter = drawer.locator("a.reference.internal").nth(1)
    assert not chapter.is_visible() or chapter.bounding_box()["x"] < 0, "the drawer should start closed"
    phone.locator("label.nav-overlay-icon").click()  # furo's menu button in the header
    chapter.wait_for(state="visible")
    shoot(phone, "phone/navigation-open")
    href = chapter.get_attribute("href")
    chapter.click()
    phone.wait_for_url(f"**/{href}")
    assert phone.locator("article h1").first.is_visible()
