"""The node that carries one example's result from reading to writing, and its HTML visitors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes

if TYPE_CHECKING:
    from sphinx.writers.html5 import HTML5Translator


class snippet_result(nodes.General, nodes.Element):  # noqa: N801 - docutils naming convention
    """One executed example: its children are the rendered code and outcome.

    Attribute `report` (a plain dict) holds what the checker and the execution report need:
    docname, line, file, language, declared, observed, problems, diff, cached, duration.
    """


class snippet_badge(nodes.Inline, nodes.TextElement):  # noqa: N801
    """A short outcome label (`exit 1`, `timed out after 2 s`); `kind` picks its colour."""


def visit_result_html(self: HTML5Translator, node: snippet_result) -> None:
    classes = " ".join(["snippet", *node.get("classes", [])])
    self.body.append(self.starttag(node, "div", CLASS=classes))


def depart_result_html(self: HTML5Translator, node: snippet_result) -> None:
    self.body.append("</div>\n")


def visit_badge_html(self: HTML5Translator, node: snippet_badge) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS=f"snippet-badge snippet-badge-{node['kind']}"))


def depart_badge_html(self: HTML5Translator, node: snippet_badge) -> None:
    self.body.append("</span>")


def visit_passthrough(self: object, node: nodes.Element) -> None:
    """Other builders (text, LaTeX, man) just render the children."""


def depart_passthrough(self: object, node: nodes.Element) -> None:
    pass
