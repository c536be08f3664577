"""Transcripts are snippet_terminal nodes, which the HTML builder writes without Pygments: every
page must stay byte for byte what it was when they were plain literal blocks, in every builder.

Each comparison builds the test-terminal root twice with the same builder: once as the extension
does now, once with render.transcript() making the plain literal block it used to make. The
root's cases page gets one transcript per tricky string (added by a doctree-read handler), its
index page real examples (specials, variants with and without control characters, a compile
error); the examples run once, the second build reads them from the cache.
"""

from __future__ import annotations

import re
import shutil
from io import StringIO
from typing import TYPE_CHECKING, Any

import pytest
from conftest import need
from docutils import nodes
from snippets import render
from snippets.nodes import _PROBE, snippet_terminal
from sphinx.testing.util import SphinxTestApp
from sphinx.writers.html5 import HTML5Translator

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from sphinx.application import Sphinx

#: What a transcript can hold: name -> text.
TRICKY: dict[str, str] = {
    "command-and-output": "$ ./main\nhello\nworld",
    "html-specials": "<>&\"'",
    "entities-stay-literal": "&amp; &lt; &#39; &quot;",
    "end-of-pre": "before</pre>after</div><script>alert('x')</script>",
    "unicode": "héllo wörld ✓ 日本語 🙂 e\u0301",
    "empty": "",
    "one-newline": "\n",
    "only-newlines": "\n\n\n",
    "leading-newline": "\n$ ./main",
    "trailing-newline": "$ ./main\nout\n",
    "trailing-spaces": "$ ./main   \nout  \n  ",
    "tabs": "a\tb\t\tc\n\tindented",
    "carriage-return": "progress 10%\rprogress 100%",
    "crlf": "one\r\ntwo\r\n",
    "trailing-cr": "ends with cr\r",
    "form-feed": "page one\x0cpage two",
    "vertical-tab-and-unicode-newlines": "a\x0bb\x1cc\x85d\u2028e\u2029f",
    "ansi-escape": "\x1b[31mred\x1b[0m",
    "nul-bell-del": "a\x00b\x07c\x7f",
    "byte-order-mark": "\ufeffstarts with a BOM",
    "byte-order-mark-inside": "a\ufeffb",
    "visible-controls": "\u241b[31mred\u241b[0m \u2407",
    "long-line": "$ ./main\n" + "x" * 20000,
    "many-lines": "\n".join(f"line {i} <{i}>" for i in range(2000)),
}
#: (name, rawsource, text). Sphinx highlights a block only when rawsource == astext(): not a block
#: of variants whose output had control characters (render.outcome_nodes: rawsource is the output,
#: the text shows the controls as symbols), nor text with a NUL (docutils' astext() drops NULs:
#: they are its escape marker).
CASES: list[tuple[str, str, str]] = [
    *((name, text, text) for name, text in TRICKY.items()),
    ("variant-with-controls", "\x1b[1m<b>&\n", render.visible_text("\x1b[1m<b>&\n")),
]


def highlighted_by_sphinx(rawsource: str, text: str) -> bool:
    return nodes.literal_block(rawsource, text).astext() == rawsource


BUILDERS = ["text", "xml", "pseudoxml", "latex", "man", "texinfo", "singlehtml"]
SUFFIXES = {".html", ".txt", ".xml", ".pseudoxml", ".tex", ".1", ".texi"}


def old_transcript(rawsource: str, text: str) -> nodes.literal_block:
    """What render.py made before snippet_terminal existed."""
    block = nodes.literal_block(rawsource, text)
    block["language"] = "none"
    return block


def add_cases(app: Sphinx, doctree: nodes.document) -> None:
    """doctree-read: on the cases page, each case between two HTML comments that find it again."""
    if app.env.docname != "cases":
        return
    section = doctree.next_node(nodes.section)
    for i, (_name, rawsource, text) in enumerate(CASES):
        block = render.transcript(rawsource, text)  # looked up now: old_transcript in the "old" build
        block["classes"] += ["snippet-output", "snippet-run"]
        section += [nodes.raw("", f"<!--case {i}-->", format="html"), block,
                    nodes.raw("", f"<!--/case {i}-->", format="html")]


class Build:
    """One build's output files, and the sources its highlighter was asked to colour."""

    def __init__(self, app: SphinxTestApp, highlighted: list[str]) -> None:
        self.files = {str(p.relative_to(app.outdir)): p.read_bytes() for p in sorted(app.outdir.rglob("*"))
                      if p.suffix in SUFFIXES and not p.relative_to(app.outdir).parts[0].startswith("_")}
        self.highlighted = highlighted
        self.warnings = app.warning.getvalue()

    def case(self, i: int) -> str:
        html = self.files["cases.html"].decode()
        found = re.search(f"<!--case {i}-->(.*)<!--/case {i}-->", html, re.DOTALL)
        assert found, f"case {i} not in cases.html"
        return found.group(1)


@pytest.fixture(scope="module")
def build(rootdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Build]:
    """build(builder, old=False, translator=None, **confoverrides), each once per module, all in one
    source folder (so one execution cache: the examples run in the first build only)."""
    need("cc")
    srcdir = tmp_path_factory.mktemp("terminal")
    shutil.copytree(rootdir / "test-terminal", srcdir, dirs_exist_ok=True)
    done: dict[tuple[str, bool, str], Build] = {}

    def build_once(builder: str, *, old: bool = False, translator: type[nodes.NodeVisitor] | None = None,
                   **overrides: Any) -> Build:
        key = (builder, old, repr((translator, sorted(overrides.items()))))
        if key not in done:
            with pytest.MonkeyPatch.context() as patch:
                if old:
                    patch.setattr(render, "transcript", old_transcript)
                app = SphinxTestApp(builder, srcdir=srcdir, status=StringIO(), warning=StringIO(),
                                    confoverrides=overrides, freshenv=True)
                highlighted: list[str] = []
                highlighter = getattr(app.builder, "highlighter", None)
                if highlighter is not None:
                    real = highlighter.highlight_block

                    def spy(source: str, *args: Any, **kwargs: Any) -> str:
                        highlighted.append(source)
                        return real(source, *args, **kwargs)

                    highlighter.highlight_block = spy
                app.connect("doctree-read", add_cases)
                if translator is not None:
                    app.set_translator(builder, translator, override=True)
                try:
                    app.build()
                    done[key] = Build(app, highlighted)
                finally:
                    app.cleanup()
        return done[key]

    return build_once


@pytest.mark.parametrize(("i", "case"), list(enumerate(CASES)), ids=[name for name, *_ in CASES])
def test_html_block_is_what_pygments_wrote(build: Callable[..., Build], i: int,
                                           case: tuple[str, str, str]) -> None:
    old, new = build("html", old=True).case(i), build("html").case(i)
    assert new == old
    _name, rawsource, text = case
    if highlighted_by_sphinx(rawsource, text):
        assert '<div class="highlight"><pre><span></span>' in new  # Sphinx's Pygments markup, not docutils'


def test_html_transcripts_skip_pygments(build: Callable[..., Build]) -> None:
    old, new = build("html", old=True), build("html")
    unhighlighted = [rawsource for _name, rawsource, text in CASES if highlighted_by_sphinx(rawsource, text)]
    assert all(rawsource in old.highlighted for rawsource in unhighlighted)  # the spy sees them
    assert new.highlighted.count(_PROBE) == 1  # asked once whether it still agrees
    assert not [s for s in new.highlighted if s in unhighlighted or s.startswith("$ ")]
    assert [s for s in new.highlighted if "print(" in s]  # the example listings still are coloured


@pytest.mark.parametrize("theme", ["alabaster", "furo"])  # furo: the site's theme
def test_html_pages_are_unchanged(build: Callable[..., Build], theme: str) -> None:
    overrides = {"html_theme": theme} if theme != "alabaster" else {}  # alabaster: Sphinx's default
    old, new = build("html", old=True, **overrides), build("html", **overrides)
    assert set(new.files) == set(old.files) and "index.html" in new.files
    for name in new.files:
        assert new.files[name] == old.files[name], name
    page = new.files["index.html"].decode()
    assert "snippet-output snippet-compile highlight-none" in page
    assert '<pre class="literal-block">' in page  # variants with control characters: not highlighted
    assert page.count("1 of 3 runs:") == 6 and "&lt;b&gt;&amp;" in page
    assert new.warnings == old.warnings


@pytest.mark.parametrize("builder", BUILDERS)
def test_other_builders_write_what_they_wrote(build: Callable[..., Build], builder: str) -> None:
    old, new = build(builder, old=True), build(builder)
    assert new.files and set(new.files) == set(old.files)
    for name in new.files:
        assert new.files[name] == old.files[name], name
    assert new.warnings == old.warnings
    if builder == "singlehtml":  # an HTML builder by format, not by name: it takes the fast path too
        assert not [s for s in new.highlighted if s.startswith("$ ")]


def test_text_builder_still_shows_the_transcript(build: Callable[..., Build]) -> None:
    page = build("text").files["index.txt"].decode()
    assert "$ python3 specials.py\n" in page
    assert "<pre>&amp; \"quoted\" 'single'</pre> </div>" in page
    assert "\u241b[31mred\u241b[0m" in page


def test_pygments_that_writes_otherwise_is_asked(build: Callable[..., Build]) -> None:
    """highlight_options can make Pygments expand tabs in "none" blocks: the probe then disagrees
    and every transcript goes through Pygments again, so the pages still match."""
    tabs = {"highlight_options": {"none": {"tabsize": 4}}}
    old, new = build("html", old=True, **tabs), build("html", **tabs)
    assert new.files == old.files
    assert "a   b       c" in new.case(next(i for i, (name, *_) in enumerate(CASES) if name == "tabs"))
    assert [s for s in new.highlighted if s.startswith("$ ")]


class MarkingTranslator(HTML5Translator):
    """A theme's or extension's own way of writing literal blocks."""

    def visit_literal_block(self, node: nodes.literal_block) -> None:
        self.body.append("<!--own-->")
        super().visit_literal_block(node)


def test_a_translator_that_writes_literal_blocks_its_own_way_gets_them(build: Callable[..., Build]) -> None:
    old, new = build("html", old=True, translator=MarkingTranslator), build("html", translator=MarkingTranslator)
    assert new.files == old.files
    assert new.case(0).startswith("<!--own-->")


def test_transcript_is_a_literal_block() -> None:
    """Transforms that look for literal blocks (findall, isinstance) still find transcripts."""
    block = render.transcript("$ ./main", "$ ./main")
    assert isinstance(block, snippet_terminal) and isinstance(block, nodes.literal_block)
    assert block.tagname == "literal_block"
    assert block.attributes["language"] == "none" and block.attributes["linenos"] is False
    assert block.deepcopy().__class__ is snippet_terminal
