"""Shared fixtures: Sphinx's own testing fixtures, with test projects under tests/roots/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["sphinx.testing.fixtures"]

ROOTS = Path(__file__).parent / "roots"


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return ROOTS


def need(tool: str) -> None:
    """Skip, with a reason, when a system tool is not installed."""
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
