"""An edit to an example's files rewrites its page without reading it again (rewrite.py), and
the page comes out as if it had been read; what a recipe cannot show makes the page read again."""

from __future__ import annotations

import re
import shutil
from io import StringIO
from typing import TYPE_CHECKING

import pytest
from sphinx.testing.util import SphinxTestApp

from snippets.nodes import snippet_result

if TYPE_CHECKING:
    from pathlib import Path

#: The lines of the directives in tests/roots/test-rewrite/index.md.
GREET, COUNT, LINES = 7, 12, 16


@pytest.fixture
def srcdir(rootdir: Path, tmp_path: Path) -> Path:
    """A private copy of the root; count's expected output is made by running it (the other
    examples are edited by the tests: they have none)."""
    shutil.copytree(rootdir / "test-rewrite", tmp_path / "src")
    expected_output(tmp_path / "src", "count/main.py")
    assert (tmp_path / "src" / "examples" / "count" / "main.py.out").read_text(encoding="utf-8") == (
        "$ python3 main.py\n0\n1\n2\n[exit status 0]\n")
    return tmp_path / "src"


def expected_output(srcdir: Path, rel: str) -> None:
    """Write examples/<rel>.out as `make outputs` does, by running the example, for this one
    example only: `make outputs` runs in a copy of the project and only that file comes back."""
    scratch = srcdir.parent / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(srcdir, scratch, ignore=shutil.ignore_patterns("_build"))
    app = SphinxTestApp("dummy", srcdir=scratch, status=StringIO(), warning=StringIO(), freshenv=True,  # type: ignore[arg-type]
                        confoverrides={"snippets_update_outputs": True, "snippets_cache": False})
    try:
        app.build(force_all=True)
    finally:
        app.cleanup()
    shutil.copyfile(scratch / "examples" / f"{rel}.out", srcdir / "examples" / f"{rel}.out")


class Built:
    """One build: the app, and the pages Sphinx read (source-read fires once per page read)."""

    def __init__(self, srcdir: Path, **kwargs: object) -> None:
        self.read: list[str] = []
        self.app = SphinxTestApp("html", srcdir=srcdir, status=StringIO(), warning=StringIO(), **kwargs)  # type: ignore[arg-type]
        self.app.connect("source-read", lambda _app, docname, _source: self.read.append(docname))
        try:
            self.app.build()
        finally:
            self.app.cleanup()

    def page(self, name: str = "index") -> str:
        return (self.app.outdir / f"{name}.html").read_text(encoding="utf-8")

    @property
    def warnings(self) -> str:
        return re.sub(r"\x1b\[[0-9;]*m", "", self.app.warning.getvalue())

    @property
    def status(self) -> str:
        return re.sub(r"\x1b\[[0-9;]*m", "", self.app.status.getvalue())

    def reports(self) -> dict[int, dict[str, object]]:
        """line -> report, from the saved doctree as it is written (pending results completed)."""
        tree = self.app.env.get_and_resolve_doctree("index", self.app.builder, tags=self.app.tags)
        return {node["report"]["line"]: node["report"] for node in tree.findall(snippet_result)}


def edit(srcdir: Path, rel: str, text: str) -> None:
    (srcdir / "examples" / rel).write_text(text, encoding="utf-8")


GREET_EDITED = 'import sys\n\n# ANCHOR: body\nprint("hello, edited")\n# ANCHOR_END: body\nsys.exit(0)\n'


def body(html: str) -> str:
    """The page's body, without the sidebar (which lists page titles only)."""
    return html[html.index('role="main"'):html.index('class="sphinxsidebar"')]


@pytest.mark.parametrize("parallel", [1, 2])
def test_an_edited_example_rewrites_its_page_without_reading_it(srcdir: Path, parallel: int) -> None:
    first = Built(srcdir, parallel=parallel)
    assert sorted(first.read) == ["index", "report"]
    assert "hello from greet" in first.page()
    edit(srcdir, "greet/main.py", GREET_EDITED)

    edited = Built(srcdir, parallel=parallel)
    assert edited.read == []
    assert "1 page(s) rewritten with their changed examples, without reading them again: index" in edited.status
    page = body(edited.page())
    assert "hello, edited" in page  # the code shown and what it printed
    assert page.count("hello, edited") == 2
    assert "hello from greet" not in page
    assert "ANCHOR" not in page  # still only the anchor's region
    # The edited example ran; the other one with a recipe came from the cache, as when a page is
    # read again. (LINES has none: it shows what it showed when the page was last read.)
    assert {line: r["cached"] for line, r in edited.reports().items() if line != LINES} == {GREET: False, COUNT: True}
    assert edited.warnings == ""

    again = Built(srcdir, parallel=parallel)  # the rewrite counts as a read: nothing to do
    assert again.read == []
    assert "rewritten" not in again.status
    assert "no targets are out of date" in again.status

    # The page's saved doctree has the new code: a page written again without being read (its
    # HTML gone, a theme changed) shows it too.
    (srcdir / "_build" / "html" / "index.html").unlink()
    rewritten = Built(srcdir, parallel=parallel)
    assert rewritten.read == []
    assert body(rewritten.page()).count("hello, edited") == 2


@pytest.mark.parametrize("from_the_cache", [False, True])
def test_a_rewritten_page_is_the_page_a_read_gives(srcdir: Path, from_the_cache: bool) -> None:
    """Rewritten, then read again from the same files: the same page body, byte for byte (once
    the timings and the cache labels, which differ between any two builds, are taken out).

    from_the_cache: the page was last read with every result in the cache (after `make clean`),
    so its saved results are complete, not pending, and the rewrite must take them apart."""
    first = Built(srcdir)
    if from_the_cache:
        shutil.rmtree(first.app.outdir)
        shutil.rmtree(first.app.doctreedir)
        assert {line: r["cached"] for line, r in Built(srcdir).reports().items()} == {
            GREET: True, COUNT: True, LINES: True}
        tree = first.app.env.get_doctree("index")
        assert not any("pending" in node for node in tree.findall(snippet_result))
    edit(srcdir, "greet/main.py", GREET_EDITED)
    edit(srcdir, "count/main.py", "for n in range(3):\n    print(n * 10)\n")
    rewritten = Built(srcdir)
    assert rewritten.read == []
    after_rewrite = rewritten.page()
    (srcdir / "index.md").touch()
    read = Built(srcdir)
    assert read.read == ["index"]

    def steady(html: str) -> str:
        return re.sub(r"\d+\.\d+ ?s\b|\b(?:cached|ran)\b", "", body(html))

    assert steady(after_rewrite) == steady(read.page())
    assert "\n10\n20\n" in after_rewrite
    assert after_rewrite.count('class="snippet-download"') == 3


def test_a_rewritten_page_warns_as_if_read_again(srcdir: Path) -> None:
    Built(srcdir)
    edit(srcdir, "count/main.py", "for n in range(3):\n    print(n + 1)\n")
    edited = Built(srcdir)
    assert edited.read == []
    found = re.findall(r"^(.*?): WARNING: (.*)$", edited.warnings, flags=re.MULTILINE)
    assert len(found) == 1, edited.warnings
    where, what = found[0]
    assert where.endswith(f"index.md:{COUNT}")
    assert "output differs from examples/count/main.py.out" in what
    assert "snippet-outcome-exit" in edited.page()

    # The change was deliberate: `make outputs` rewrites only the expected output, and the next
    # build checks the page again without running anything.
    expected_output(srcdir, "count/main.py")
    assert (srcdir / "examples" / "count" / "main.py.out").read_text(encoding="utf-8").splitlines()[1:4] == [
        "1", "2", "3"]
    fixed = Built(srcdir)
    assert fixed.read == []
    assert fixed.warnings == ""
    assert {line: r["cached"] for line, r in fixed.reports().items() if line != LINES} == {GREET: True, COUNT: True}


def test_the_report_page_follows_a_rewrite(srcdir: Path) -> None:
    Built(srcdir)
    edit(srcdir, "greet/main.py", GREET_EDITED.replace("sys.exit(0)", "sys.exit(3)"))
    edited = Built(srcdir)
    assert edited.read == []
    assert f"index.md:{GREET}" in edited.warnings and "exit 3" in edited.warnings
    report = edited.page("report")
    assert "1 did not do what their page declares" in report
    assert re.search(r"snippet-report-problem.*?greet/main\.py.*?exit 3", report, flags=re.DOTALL)


@pytest.mark.parametrize(("rel", "text", "says"), [
    # The anchor is gone: only the directive can say so, at its line.
    ("greet/main.py", 'print("no anchors")\n', f"index.md:{GREET}: WARNING: anchor 'body' not found"),
    # :emphasize-lines: depends on the code's lines: such an example has no recipe.
    ("lines/main.py", 'print("more")\nprint("lines")\n', None),
])
def test_what_a_recipe_cannot_show_reads_the_page_again(srcdir: Path, rel: str, text: str, says: str | None) -> None:
    Built(srcdir)
    edit(srcdir, rel, text)
    edited = Built(srcdir)
    assert edited.read == ["index"]
    assert "rewritten" not in edited.status
    if says is None:
        assert edited.warnings == ""
        assert "$ python3 main.py\nmore\nlines\n" in body(edited.page())  # the new program ran
    else:
        assert says in edited.warnings


def test_a_deleted_example_reads_the_page_again(srcdir: Path) -> None:
    Built(srcdir)
    (srcdir / "examples" / "greet" / "main.py").unlink()
    edited = Built(srcdir)
    assert edited.read == ["index"]
    assert f"index.md:{GREET}: WARNING: example file greet/main.py not found" in edited.warnings


def test_without_the_cache_an_edit_reads_the_page_again(srcdir: Path) -> None:
    """A build that needs every result while reading leaves no recipes: Sphinx's own dependency
    tracking reads the page again, as before rewrites existed."""
    Built(srcdir, confoverrides={"snippets_cache": False})
    edit(srcdir, "greet/main.py", GREET_EDITED)
    edited = Built(srcdir, confoverrides={"snippets_cache": False})
    assert edited.read == ["index"]
    assert body(edited.page()).count("hello, edited") == 2
