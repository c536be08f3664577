"""`:trace:` process trees and the post-mortem of timed-out examples, through a real Sphinx build."""

from __future__ import annotations

import os
import re
import shutil
from html import unescape
from io import StringIO
from typing import TYPE_CHECKING

import pytest
from conftest import need
from snippets.sandbox import descendants
from sphinx.testing.util import SphinxTestApp

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def page_text(app: SphinxTestApp) -> str:
    html = (app.outdir / "index.html").read_text(encoding="utf-8")
    return unescape(re.sub(r"<[^>]+>", "", html))


@pytest.fixture(scope="module")
def pictures(rootdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SphinxTestApp]:
    need("cc")
    need("strace")
    need("dot")
    srcdir = tmp_path_factory.mktemp("pictures")
    shutil.copytree(rootdir / "test-pictures", srcdir, dirs_exist_ok=True)
    app = SphinxTestApp("html", srcdir=srcdir, status=StringIO(), warning=StringIO())
    app.build()
    yield app
    app.cleanup()


def test_nested_fork_tree_has_one_node_per_process_that_printed(pictures: SphinxTestApp) -> None:
    text = page_text(pictures)
    printed = set(re.findall(r"process pid=(\d+)", text))
    found = re.search(r"What really ran, traced with strace: (\d+) processes", text)
    assert found, text
    assert int(found.group(1)) == len(printed) == 8
    svgs = list((pictures.outdir / "_images").glob("graphviz-*.svg"))
    assert svgs, "the tree must be drawn"
    nodes = max(svg.read_text().count('class="node"') for svg in svgs)
    assert nodes == len(printed)


def test_zombie_is_marked(pictures: SphinxTestApp) -> None:
    text = page_text(pictures)
    assert "child 1 was never reaped (a zombie until the parent exited)" in text
    assert any("ZOMBIE" in svg.read_text() for svg in (pictures.outdir / "_images").glob("graphviz-*.svg"))


def test_hang_explains_itself(pictures: SphinxTestApp) -> None:
    text = page_text(pictures)
    assert "The parent is blocked in `read` on pipe A (fd 3); pipe A’s write end is still open in the parent " \
           "itself (fd 4)." in text


def test_nothing_left_running_after_traced_builds(pictures: SphinxTestApp) -> None:
    # Only this test process's own descendants: other builds on the machine are not ours to judge.
    assert descendants(os.getpid()) == []


@pytest.mark.sphinx("html", testroot="pictures", confoverrides={"snippets_strace": "no-such-strace"})
def test_missing_tracer_says_so_and_build_goes_on(app: SphinxTestApp) -> None:
    need("cc")
    app.build()
    text = page_text(app)
    assert "the tracer ‘no-such-strace’ is not installed (apt-get install strace), so no picture was made" in text
    assert "parent exits without waiting" in text
    assert app.statuscode == 0
