"""The builder behind `make doctest`: every example ran fresh while reading; report and fail."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.builders import Builder
from sphinx.locale import __
from sphinx.util import logging

from .nodes import snippet_result

if TYPE_CHECKING:
    from collections.abc import Iterator

    from docutils import nodes

logger = logging.getLogger(__name__)


class SnippetsCheckBuilder(Builder):
    """Like sphinx.ext.doctest's builder: one summary file, non-zero exit on any failure."""

    name = "snippets-check"
    epilog = __("Results of checking the examples are in %(outdir)s/output.txt.")

    def init(self) -> None:
        self.reports: list[dict[str, object]] = []

    def get_outdated_docs(self) -> Iterator[str]:
        yield from self.env.found_docs

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return ""

    def prepare_writing(self, docnames: set[str]) -> None:
        pass

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        for node in doctree.findall(snippet_result):
            self.reports.append(dict(node["report"]))

    def finish(self) -> None:
        lines: list[str] = []
        failed = 0
        for report in sorted(self.reports, key=lambda r: (str(r["docname"]), int(r["line"]))):
            where = f"{self.env.doc2path(str(report['docname']))}:{report['line']}"
            problems = list(report["problems"])  # type: ignore[call-overload]
            if report["file"] and not report["has_expected"]:
                problems.append(f"no expected output {report['expected_file']}: run `make outputs` and commit it")
            if report["diff"]:
                problems.append(f"output differs from {report['expected_file']}")
            if report["race"]:
                problems.append("output changed between runs but the example is not declared racy")
            status = "FAIL" if problems else "ok"
            failed += bool(problems)
            lines.append(f"{status:4} {where} {report['file'] or 'inline'} [{report['observed']}]")
            lines.extend(f"     {p}" for p in problems)
            lines.extend(f"     {d}" for d in report["diff"])  # type: ignore[attr-defined]
        total = len(self.reports)
        lines.append("")
        lines.append(f"{total - failed} passed, {failed} failed")
        Path(self.outdir).mkdir(parents=True, exist_ok=True)
        (Path(self.outdir) / "output.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for line in lines:
            if line.startswith("FAIL") or line.startswith("     "):
                logger.info(line)
        logger.info(lines[-1])
        if failed or total == 0:
            if total == 0:
                logger.warning("no examples were found to check", type="snippets", subtype="mismatch")
            self._app.statuscode = 1  # as sphinx.ext.doctest does; Builder.app is deprecated in Sphinx 9
