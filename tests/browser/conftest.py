"""Browser fixtures: build the site once, serve it on 127.0.0.1, drive Debian's Chromium with Playwright."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .browsing import CHROMIUM, CHROMIUM_ARGS, DESKTOP, ROOT, Console, site_pages

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, BrowserContext, Page

HERE = Path(__file__).resolve().parent
#: Set to an already built _build/html (or any output folder) to skip the build while iterating.
SITE_ENV = "SNIPPETS_BROWSER_SITE"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built HTML site: built once per session into a temp folder, reusing the example cache."""
    if os.environ.get(SITE_ENV):
        path = Path(os.environ[SITE_ENV]).resolve()
        if not (path / "index.html").is_file():
            pytest.fail(f"{SITE_ENV}={path} has no index.html; run `make html` or unset it")
        return path
    out = tmp_path_factory.mktemp("site") / "html"
    # A fresh folder instead of _build/html: other people's `make html` may rewrite that one
    # while the tests read it. The example cache is shared; its writes are atomic.
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", "auto", "-c", str(ROOT),
               "-D", f"snippets_cache_dir={ROOT / '_build' / '.snippets-cache'}", str(ROOT / "docs"), str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=1800)
    if done.returncode != 0:
        pytest.fail(f"building the site failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return out


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    """http://127.0.0.1:<port>/ serving the site (a real origin: localStorage and the clipboard need one)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (apt package `chromium`), never a browser Playwright downloads."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed: pip install -e '.[test]'")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    """A fresh profile (empty localStorage) at desktop size, allowed to use the clipboard."""
    ctx = browser.new_context(viewport=DESKTOP, base_url=base_url)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
    yield ctx
    ctx.close()


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(context: BrowserContext, console: Console) -> Page:
    """A page in the fresh profile; its problems land in `console`."""
    new = context.new_page()
    console.watch(new)
    return new


@pytest.fixture(scope="session")
def pages(site: Path) -> list[str]:
    """Every HTML page of the site (genindex and search included)."""
    return site_pages(site)


@pytest.fixture(scope="session")
def node_tools() -> Path:
    """tests/browser/node_modules with axe-core and html-validate, installed from package-lock.json on first use."""
    modules = HERE / "node_modules"
    if not shutil.which("node"):
        pytest.skip("node is missing: apt-get install npm (axe-core and html-validate run on Node.js)")
    if not (modules / "axe-core" / "axe.min.js").is_file() or not (modules / "html-validate").is_dir():
        if not shutil.which("npm"):
            pytest.skip("npm is missing: apt-get install npm")
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(HERE)],
                              capture_output=True, text=True, check=False, timeout=600)
        if done.returncode != 0:
            pytest.fail(f"npm ci in {HERE} failed:\n{done.stderr[-3000:]}")
    return modules
