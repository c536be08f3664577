"""The execution report: a table of every example on the site, like MyST-NB's execution statistics."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx import addnodes
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.util.docutils import SphinxDirective

from . import downloads
from .nodes import snippet_result
from .render import badge

if TYPE_CHECKING:
    from collections.abc import Set

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import OptionSpec

#: env attribute: docname -> that page's example reports, in page order.
REPORTS = "snippets_reports"
#: env attribute: docnames whose page holds an `exec-report` table.
REPORT_PAGES = "snippets_report_pages"
LANGUAGES = {"python": "Python", "c": "C", "rust": "Rust"}
COLUMNS = (("Page", 16), ("Example", 28), ("Language", 8), ("Declared", 12), ("Observed", 16),
           ("Result", 10), ("Time (s)", 6), ("Cache", 6))


class exec_report(nodes.General, nodes.Element):  # noqa: N801 - docutils naming convention
    """Placeholder for the report table; replaced at doctree-resolved, once every page has been read."""


class ExecReportDirective(SphinxDirective):
    """`exec-report`: the table of every example on the site (takes no options)."""

    has_content = False
    option_spec: ClassVar[OptionSpec] = {}

    def run(self) -> list[nodes.Node]:
        node = exec_report()
        self.set_source_info(node)
        return [node]


def _reports(env: BuildEnvironment) -> dict[str, list[dict[str, Any]]]:
    if not hasattr(env, REPORTS):
        setattr(env, REPORTS, {})
    return getattr(env, REPORTS)


def _report_pages(env: BuildEnvironment) -> set[str]:
    if not hasattr(env, REPORT_PAGES):
        setattr(env, REPORT_PAGES, set())
    return getattr(env, REPORT_PAGES)


def _anchor(doctree: nodes.document, node: snippet_result, report: dict[str, Any]) -> str:
    """A stable id for one example on its page (`example-03-nested-forks-c`), so the table links to it."""
    if node["ids"]:
        return node["ids"][0]
    stem = Path(report["file"]).parent.name if report.get("file") else f"line-{report['line']}"
    base = nodes.make_id(f"example-{stem}-{report['language']}")
    anchor, n = base, 1
    while anchor in doctree.ids:
        n += 1
        anchor = f"{base}-{n}"
    node["ids"].append(anchor)
    doctree.ids[anchor] = node
    return anchor


class ReportCollector(EnvironmentCollector):
    """Keeps every page's example reports on env: cleared per page, merged from parallel readers."""

    def __init__(self) -> None:
        self.read_any = False

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        _reports(env).pop(docname, None)
        _report_pages(env).discard(docname)

    def merge_other(self, app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment) -> None:
        theirs, their_pages = _reports(other), _report_pages(other)
        for docname in docnames:
            if docname in theirs:
                _reports(env)[docname] = theirs[docname]
            if docname in their_pages:
                _report_pages(env).add(docname)
        self.read_any = True

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        docname = app.env.docname
        found = []
        for node in doctree.findall(snippet_result):
            report = dict(node["report"])
            report["anchor"] = _anchor(doctree, node, report)
            found.append(report)
        if found:
            _reports(app.env)[docname] = found
        if any(doctree.findall(exec_report)):
            _report_pages(app.env).add(docname)
        self.read_any = True

    def get_outdated_docs(self, app: Sphinx, env: BuildEnvironment, added: Set[str], changed: Set[str],
                          removed: Set[str]) -> list[str]:
        """An environment pickled before this collector existed has no reports: read every page again."""
        if hasattr(env, REPORTS):
            return []
        _reports(env)
        _report_pages(env)
        return sorted(env.found_docs - set(added))

    def get_updated_docs(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        """Rewrite the report page whenever any page was read again, even if the report page itself was not."""
        pages = sorted(_report_pages(env)) if self.read_any else []
        self.read_any = False
        return pages


def reading_order(env: BuildEnvironment) -> list[str]:
    """Docnames in the order of the table of contents, then any page outside it by name."""
    order: list[str] = []

    def walk(docname: str) -> None:
        if docname in order:
            return
        order.append(docname)
        for child in env.toctree_includes.get(docname, ()):
            walk(child)

    walk(env.config.root_doc)
    return order + sorted(set(env.found_docs) - set(order))


def _cell(*children: nodes.Node) -> nodes.entry:
    return nodes.entry("", nodes.paragraph("", "", *children))


def _row(*cells: nodes.entry) -> nodes.row:
    row = nodes.row()
    row.extend(cells)
    return row


def _download_names(env: BuildEnvironment) -> dict[Path, str]:
    """Absolute example path -> its name under _downloads/ (Sphinx picked it when the page was read)."""
    return {(Path(env.srcdir) / rel).resolve(): str(dest) for rel, (_docs, dest) in env.dlfiles.items()}


def _example_cell(app: Sphinx, report: dict[str, Any], downloadable: dict[Path, str]) -> nodes.entry:
    if not report.get("file"):
        return _cell(nodes.Text("inline code"))
    text = nodes.literal(report["file"], report["file"].removeprefix(f"{app.config.snippets_examples_dir}/"))
    dest = downloadable.get((Path(app.confdir) / report["file"]).resolve())
    if dest is None:
        return _cell(text)
    link = addnodes.download_reference("", "", text, reftarget=report["file"], filename=dest)
    return _cell(link)


def _result_cell(report: dict[str, Any]) -> nodes.entry:
    notes = []
    if report["problems"]:
        notes.append(badge("not as declared", "fail"))
    if report.get("diff"):
        notes.append(badge("output changed", "fail"))
    if not notes:
        notes.append(badge("as declared", "ok"))
    para = nodes.paragraph()
    for note in notes:
        para += note
        para += nodes.Text(" ")
    return nodes.entry("", para)


def report_table(app: Sphinx, fromdocname: str) -> list[nodes.Node]:
    """The summary and the table, built from what every page's readers collected."""
    env = app.env
    reports = _reports(env)
    downloadable = _download_names(env)
    rows = []
    totals = {"examples": 0, "cached": 0, "ran": 0.0, "failed": 0}
    for docname in reading_order(env):
        title = env.titles[docname].astext() if docname in env.titles else docname
        uri = app.builder.get_relative_uri(fromdocname, docname)
        for report in reports.get(docname, ()):
            totals["examples"] += 1
            totals["cached"] += bool(report["cached"])
            totals["failed"] += bool(report["problems"] or report.get("diff"))
            if not report["cached"]:
                totals["ran"] += float(report["duration"])
            page = nodes.reference("", title, internal=True, refuri=f"{uri}#{report['anchor']}",
                                   reftitle=f"{title}, line {report['line']}")
            rows.append(_row(
                _cell(page),
                _example_cell(app, report, downloadable),
                _cell(nodes.Text(LANGUAGES.get(report["language"], report["language"]))),
                _cell(nodes.Text(report["declared"])),
                _cell(nodes.Text(report["observed"])),
                _result_cell(report),
                _cell(nodes.Text(f"{float(report['duration']):.2f}")),
                _cell(nodes.Text("from cache" if report["cached"] else "ran")),
            ))

    table = nodes.table(classes=["snippet-report"], ids=["execution-report-table"])
    table += nodes.title("", "Every example, in reading order")
    group = nodes.tgroup(cols=len(COLUMNS))
    table += group
    group.extend(nodes.colspec(colwidth=width) for _name, width in COLUMNS)
    group += nodes.thead("", _row(*(_cell(nodes.Text(name)) for name, _width in COLUMNS)))
    body = nodes.tbody()
    body.extend(rows)
    group += body

    pages = sum(1 for docname in reports if reports[docname])
    summary = (f"{totals['examples']} examples on {pages} pages. "
               f"{totals['examples'] - totals['cached']} ran when their page was last built "
               f"({totals['ran']:.1f} s in all); {totals['cached']} came from the cache. ")
    summary += (f"{totals['failed']} did not do what their page declares, or changed output."
                if totals["failed"] else "Every example did what its page declares.")
    archive = addnodes.download_reference("", "", nodes.Text("all examples as one zip file"),
                                          reftarget=downloads.ARCHIVE,
                                          filename=Path(downloads.ARCHIVE).name)
    get_all = nodes.paragraph("", "", nodes.Text("Download "), archive,
                              nodes.Text(" (the examples folder, with each program's expected output)."),
                              classes=["snippet-archive"], ids=["examples-archive"])
    return [nodes.paragraph("", summary, classes=["snippet-report-summary"]), get_all, table]


def fill_reports(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    """doctree-resolved: put the table where the page asked for it."""
    for node in list(doctree.findall(exec_report)):
        node.replace_self(report_table(app, fromdocname))


def register(app: Sphinx) -> None:
    """The directive, its collector and the handler that fills it in."""
    app.add_node(exec_report)
    app.add_directive("exec-report", ExecReportDirective)
    app.add_env_collector(ReportCollector)
    app.connect("doctree-resolved", fill_reports)
