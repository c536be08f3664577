"""What the browser tests share besides fixtures: where things are, Chromium's flags, small helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
#: Flags for a quiet, reproducible headless Chromium that never phones home.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
#: Screenshots for a reviewer, outside git (the repo ignores _build/).
SCREENSHOTS = ROOT / "_build" / "screenshots"


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the site, as URL paths relative to its root."""
    skip = {"_static", "_sources", "_downloads", "_images"}
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not skip & set(p.relative_to(site).parts))


def edited_since_build(site: Path, file: str) -> bool:
    """Whether a repository file changed after the site was built (others edit examples meanwhile)."""
    return (ROOT / file).stat().st_mtime > (site / "index.html").stat().st_mtime


@dataclass
class Console:
    """What went wrong while pages loaded: console errors, uncaught exceptions, failed requests."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"console: {msg.text}"))
        page.on("pageerror", lambda exc: self.errors.append(f"exception: {exc}"))
        page.on("requestfailed", lambda req: self.errors.append(f"request failed: {req.url} {req.failure}"))
        page.on("response", lambda res: res.status >= 400 and self.errors.append(f"HTTP {res.status}: {res.url}"))


def shoot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """Save a screenshot for a reviewer under _build/screenshots/ (outside git)."""
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path


