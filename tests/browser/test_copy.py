"""The copy button puts the program on the clipboard: exactly the file, no prompt, no output."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from .browsing import DESKTOP, ROOT, edited_since_build

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser, Locator, Page

pytestmark = pytest.mark.browser

#: Lines the engine never shows: anchors and sphinx-exec-code's hide/skip markers (`# hide:start`, `// skip:stop`).
PARTIAL = re.compile(r"ANCHOR(_END)?:|\b(hide|skip)\s*:\s*(start|stop|toggle)\b", re.IGNORECASE)


def reveal(snippet: Locator) -> None:
    """Select the language tab a listing sits in, so it can be clicked like a reader would."""
    label = snippet.evaluate_handle("el => el.closest('.sd-tab-content')?.previousElementSibling ?? null").as_element()
    if label is not None:
        label.click()


def copy(page: Page, snippet: Locator) -> str:
    """Click the listing's copy button and return what landed on the clipboard."""
    page.evaluate("navigator.clipboard.writeText('')")
    code = snippet.locator("div.snippet-code div.highlight").first
    code.locator("button.copybtn").click()
    page.wait_for_function("async () => (await navigator.clipboard.readText()) !== ''")
    return page.evaluate("navigator.clipboard.readText()")


def listings(page: Page) -> list[tuple[Locator, str]]:
    """Every listing on the page that shows code from a file, with that file's path in the repo."""
    found = []
    for snippet in page.locator("div.snippet:has(> div.snippet-code):has(p.snippet-download)").all():
        found.append((snippet, snippet.locator("p.snippet-download code").inner_text()))
    return found


@dataclass(frozen=True)
class Copy:
    """One listing's copy button, clicked."""

    page: str
    """The page it is on."""
    file: str
    """The example file, relative to the repository."""
    copied: str
    """What the clipboard held afterwards."""
    shown: str
    """The code as the page shows it."""
    source: str
    """The file's text."""


@pytest.fixture(scope="module")
def copies(browser: Browser, base_url: str, site: Path, pages: list[str]) -> list[Copy]:
    """Click every copy button on the site once, like a reader, and keep what each one copied."""
    context = browser.new_context(viewport=DESKTOP, base_url=base_url)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
    page = context.new_page()
    found = []
    try:
        for path in pages:
            page.goto(path)
            for snippet, file in listings(page):
                if edited_since_build(site, file):
                    continue
                reveal(snippet)
                found.append(Copy(page=path, file=file, copied=copy(page, snippet),
                                  shown=snippet.locator("div.snippet-code pre").first.text_content() or "",
                                  source=(ROOT / file).read_text(encoding="utf-8")))
    finally:
        context.close()
    assert found, "no listing with a copy button found"
    return found


def test_copy_button_copies_exactly_the_program(copies: list[Copy]) -> None:
    problems = []
    for item in copies:
        where = f"{item.page}: {item.file}"
        if item.copied.startswith("$ "):
            problems.append(f"{where}: the copy starts with a shell prompt")
        if PARTIAL.search(item.source):
            # Anchors or hide markers: the page shows part of the file, and the copy is what is shown.
            if item.copied != item.shown.removesuffix("\n"):
                problems.append(f"{where}: the copy differs from the code shown")
        # sphinx-copybutton drops one trailing newline on purpose (a pasted shell line must not run).
        elif item.copied + "\n" != item.source:
            problems.append(f"{where}: the copy is not the file")
    assert any(not PARTIAL.search(item.source) for item in copies), "no listing shows a whole file"
    assert not problems, f"{len(problems)} of {len(copies)} listings:\n" + "\n".join(problems)


def test_a_copied_deliberate_bug_keeps_its_label(copies: list[Copy]) -> None:
    broken = [item for item in copies if "BROKEN ON PURPOSE" in item.source]
    assert broken, "no deliberately broken listing found"
    unlabelled = [f"{item.page}: {item.file}" for item in broken if "BROKEN ON PURPOSE" not in item.copied]
    assert not unlabelled, (
        "a student who copies these deliberate bugs gets no BROKEN ON PURPOSE comment, because the page shows "
        "only an :anchor: region of the file; move the comment inside the ANCHOR/ANCHOR_END lines:\n"
        + "\n".join(unlabelled))
