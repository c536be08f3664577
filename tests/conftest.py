"""Shared fixtures: Sphinx's own testing fixtures, with test projects under tests/roots/."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

pytest_plugins = ["sphinx.testing.fixtures"]

ROOTS = Path(__file__).parent / "roots"


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return ROOTS


def need(tool: str) -> None:
    """Skip, with a reason, when a system tool is not installed."""
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")


def build_app(srcdir: Path, **kwargs: object) -> SphinxTestApp:
    """Build the project in srcdir once with the html builder; status and warnings kept in memory."""
    app = SphinxTestApp("html", srcdir=srcdir, status=StringIO(), warning=StringIO(), **kwargs)  # type: ignore[arg-type]
    try:
        app.build()
    finally:
        app.cleanup()
    return app
