"""The node that carries one example's result from reading to writing, and its HTML visitors."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from docutils import nodes
from sphinx.writers.html5 import HTML5Translator

if TYPE_CHECKING:
    from sphinx.highlighting import PygmentsBridge


class snippet_result(nodes.General, nodes.Element):  # noqa: N801 - docutils naming convention
    """One executed example: its children are the rendered code and outcome.

    Attribute `report` (a plain dict) holds what the checker and the execution report need:
    docname, line, file, language, declared, observed, problems, diff, cached, duration.
    """


class snippet_badge(nodes.Inline, nodes.TextElement):  # noqa: N801
    """A short outcome label (`exit 1`, `timed out after 2 s`); `kind` picks its colour."""


class snippet_terminal(nodes.literal_block):  # noqa: N801
    """A terminal transcript (`$ ./main` and what it printed): a literal block in language "none"
    that the HTML builder writes without Pygments, in the same bytes.

    Sphinx's HTML writer sends every literal block through Pygments (highlight_block, with a new
    HtmlFormatter each time) only to escape the text and wrap it: a median 0.16 ms a block in a
    build of this site (170 transcripts: 28 ms), so about 2.4 ms for a page of 10 examples (about
    15 transcripts). visit_terminal_html() writes the same bytes in 13 us (2.6 ms for the site);
    tests/test_terminal.py compares the two, string by string and page by page.

    Every other builder gets Sphinx's own visit_literal_block: Sphinx's translators look a
    visitor up along the node's class hierarchy. `tagname` keeps the XML builders' element name;
    render.transcript() sets the `linenos` Sphinx's HighlightLanguageTransform would have set
    (its visitor dispatches on the exact class name, so it passes this subclass by).
    """

    tagname = "literal_block"


def visit_result_html(self: HTML5Translator, node: snippet_result) -> None:
    classes = " ".join(["snippet", *node.get("classes", [])])
    self.body.append(self.starttag(node, "div", CLASS=classes))


def depart_result_html(self: HTML5Translator, node: snippet_result) -> None:
    self.body.append("</div>\n")


def visit_badge_html(self: HTML5Translator, node: snippet_badge) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS=f"snippet-badge snippet-badge-{node['kind']}"))


def depart_badge_html(self: HTML5Translator, node: snippet_badge) -> None:
    self.body.append("</span>")


#: What Pygments treats specially in a "none" block, or might: a byte-order mark, CR LF and a
#: lone CR (made LF), & < > and quotes, a tab, a form feed, an escape, no final newline.
_PROBE = "\ufeff$ ./main\r\n<b a=\"1\">&amp;</b> 'q'\t\x0c\x1b[31m\rend"

#: Per highlighter (one per builder): does it write a "none" block as _plain() does?
_AGREES: WeakKeyDictionary[PygmentsBridge, bool] = WeakKeyDictionary()


def _plain(text: str) -> str:
    """What Sphinx's highlighter makes of `text` in language "none": Pygments' TextLexer (as Sphinx
    configures it: stripnl off) drops a leading BOM, turns CR LF and CR into LF and ends the text
    with a newline; HtmlFormatter escapes & < > and nothing else (Pygments 2.21 calls
    html.escape(quote=False); older releases also wrote &quot; and &#39;) and wraps it."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    return '<div class="highlight"><pre><span></span>' + escape(text, quote=False) + "</pre></div>\n"


def _pygments_agrees(self: HTML5Translator) -> bool:
    """Ask the highlighter once, with _PROBE, whether _plain() still writes what it writes: another
    Pygments, a highlight_options entry for "none" or a replaced highlighter then costs the
    speed-up, never a changed page."""
    agrees = _AGREES.get(self.highlighter)
    if agrees is None:
        opts = self.config.highlight_options.get("none", {})
        made = self.highlighter.highlight_block(_PROBE, "none", opts=opts, linenos=False, force=False)
        agrees = _AGREES[self.highlighter] = made == _plain(_PROBE)
    return agrees


def visit_terminal_html(self: HTML5Translator, node: snippet_terminal) -> None:
    """HTML5Translator.visit_literal_block for language "none", without Pygments. Anything else goes
    to it: a block Sphinx would not highlight either (rawsource != astext(): the variants of output
    with control characters, or a NUL, which astext() drops), line numbers, a translator that writes
    literal blocks its own way, a highlighter that disagrees."""
    if (node.rawsource != node.astext() or node.get("language") != "none" or node.get("linenos")
            or node.get("highlight_args")
            or getattr(self.visit_literal_block, "__func__", None) is not HTML5Translator.visit_literal_block
            or not _pygments_agrees(self)):
        self.visit_literal_block(node)
        return
    starttag = self.starttag(node, "div", suffix="", CLASS="highlight-none notranslate")
    self.body.append(starttag + _plain(node.rawsource) + "</div>\n")
    raise nodes.SkipNode


def depart_terminal_html(self: HTML5Translator, node: snippet_terminal) -> None:
    self.depart_literal_block(node)


def visit_passthrough(self: object, node: nodes.Element) -> None:
    """Other builders (text, LaTeX, man) just render the children."""


def depart_passthrough(self: object, node: nodes.Element) -> None:
    pass
