"""What a reader sees of a run: the timed-out badge, downloads, the archive and the execution report."""

from __future__ import annotations

import io
import re
import zipfile
from typing import TYPE_CHECKING

import pytest

from .browsing import ROOT, SCREENSHOTS, edited_since_build, shoot

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

REPORT = "ch07-execution-report.html"
SHOWN_FILE = re.compile(r'<p class="snippet-download">.*?<span class="pre">(examples/[^<]+)</span>')


def test_a_timed_out_example_shows_its_badge(page: Page) -> None:
    page.goto("ch06-how-this-site-works.html")
    hang = page.locator("div.snippet.snippet-outcome-timeout").first
    hang.scroll_into_view_if_needed()
    badge = hang.locator(".snippet-badge-warn", has_text="timed out after")
    assert badge.is_visible()
    assert re.fullmatch(r"timed out after \d+(\.\d+)? s", badge.inner_text().strip())
    hang.screenshot(path=str(SCREENSHOTS / "desktop" / "timed-out-example.png"))


def test_every_listing_offers_its_file_for_download(page: Page, site: Path, pages: list[str]) -> None:
    problems, seen = [], 0
    for path in pages:
        page.goto(path)
        for link in page.locator("p.snippet-download a.download").all():
            file = link.inner_text().removeprefix("Download").strip()
            response = page.request.get(link.get_attribute("href") or "")
            seen += 1
            if not response.ok:
                problems.append(f"{path}: {file}: HTTP {response.status}")
            elif response.body() != (ROOT / file).read_bytes() and not edited_since_build(site, file):
                problems.append(f"{path}: {file}: the download is not the file in the repository")
    assert seen, "no download links found"
    assert not problems, "\n".join(problems)


def test_the_archive_holds_every_example(page: Page, site: Path, pages: list[str]) -> None:
    page.goto(REPORT)
    link = page.locator("#examples-archive a.download")
    response = page.request.get(link.get_attribute("href") or "")
    assert response.ok, response.status
    names = set(zipfile.ZipFile(io.BytesIO(response.body())).namelist())
    # Every file a listing on the built site offers (the examples folder may have grown since the build).
    listed = {match for path in pages
              for match in SHOWN_FILE.findall((site / path).read_text(encoding="utf-8"))}
    assert listed, "no listing offers a download"
    assert listed <= names, f"missing from the zip: {sorted(listed - names)[:10]}"
    assert {f"{name}.out" for name in listed} & names, "the zip should carry the expected outputs too"


def test_the_report_lists_every_listing_and_links_to_it(page: Page, pages: list[str]) -> None:
    on_pages = {}
    for path in pages:
        if path == REPORT:
            continue
        page.goto(path)
        on_pages[path] = page.eval_on_selector_all("div.snippet[id]", "nodes => nodes.map(n => n.id)")
    page.goto(REPORT)
    shoot(page, "desktop/execution-report-full", full_page=True)
    rows = page.locator("table.snippet-report tbody tr")
    targets = rows.locator("td:nth-child(2) a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert rows.count() == sum(len(ids) for ids in on_pages.values())
    listed = {tuple(href.split("#", 1)) for href in targets}
    assert listed == {(path, anchor) for path, ids in on_pages.items() for anchor in ids}
    header = rows.locator("xpath=ancestor::table//thead//th").all_inner_texts()
    assert [h.strip() for h in header] == ["Page", "Listing", "Language", "Declared", "Observed", "Time (s)",
                                           "Cache"]
    caches = set(rows.locator("td:last-child").all_inner_texts())
    assert caches <= {"cached", "ran"}, caches
