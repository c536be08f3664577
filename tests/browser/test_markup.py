"""The HTML our extension writes (listings, badges, downloads, the report) is valid, says html-validate."""

from __future__ import annotations

import json
import subprocess
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.browser

#: Classes on the outermost elements that the snippets extension writes.
OURS = {"snippet", "snippet-not-run", "snippet-report", "snippet-report-summary", "snippet-archive"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
WRAPPER = ('<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{title}</title></head>\n'
           "<body><main>\n")


class OurMarkup(HTMLParser):
    """Finds the source text of every outermost element we generate, with its first line in the page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        self.line_starts = [0]
        for line in text.splitlines(keepends=True):
            self.line_starts.append(self.line_starts[-1] + len(line))
        self.open: list[str] = []
        self.start: tuple[int, int, int] | None = None  # (offset, line, depth)
        self.fragments: list[tuple[int, str]] = []
        self.feed(text)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        self.open.append(tag)
        classes = set((dict(attrs).get("class") or "").split())
        if self.start is None and classes & OURS:
            self.start = (self._offset(), self.getpos()[0], len(self.open))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.open:
            return
        while self.open.pop() != tag:
            pass
        if self.start is not None and len(self.open) < self.start[2]:
            end = self.text.index(">", self._offset()) + 1
            self.fragments.append((self.start[1], self.text[self.start[0]:end]))
            self.start = None


def test_our_markup_is_valid_html(site: Path, pages: list[str], node_tools: Path, tmp_path: Path) -> None:
    documents: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    for path in pages:
        fragments = OurMarkup((site / path).read_text(encoding="utf-8")).fragments
        if not fragments:
            continue
        text = WRAPPER.format(title=f"{path}: markup from the snippets extension")
        where = []  # (first line in the test document, first line in the page)
        for page_line, fragment in fragments:
            where.append((text.count("\n") + 1, page_line))
            text += fragment + "\n"
        text += "</main></body>\n</html>\n"
        name = path.replace("/", "__")
        (tmp_path / name).write_text(text, encoding="utf-8")
        documents[name] = (path, where)
    assert documents, "no markup from the snippets extension found in the site"

    cli = node_tools / "html-validate" / "bin" / "html-validate.mjs"
    config = node_tools.parent / "htmlvalidate.json"
    report = tmp_path / "report.json"
    # To a file: node may exit before a large report has gone through a pipe.
    done = subprocess.run(["node", str(cli), "--config", str(config), "--formatter", f"json={report}",
                           *sorted(documents)], cwd=tmp_path, capture_output=True, text=True, check=False, timeout=300)
    if done.returncode not in (0, 1) or not report.is_file():
        pytest.fail(f"html-validate did not run ({done.returncode}): {done.stderr[-2000:]}")
    problems = []
    for result in json.loads(report.read_text(encoding="utf-8")):
        path, where = documents[result["filePath"].rsplit("/", 1)[-1]]
        for message in result["messages"]:
            if message["severity"] < 2:
                continue
            start, page_line = max((w for w in where if w[0] <= message["line"]), default=(1, 1))
            problems.append(f"{path}:{page_line + message['line'] - start}: {message['ruleId']}: "
                            f"{message['message']} ({message.get('selector') or ''})")
    assert not problems, f"{len(problems)} error(s) in our markup:\n" + "\n".join(problems[:40])
