"""The execution report: a table of every example on the site, like MyST-NB's execution statistics."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from weakref import WeakKeyDictionary

from docutils import nodes
from sphinx import addnodes
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

from . import downloads
from .nodes import snippet_result
from .render import badge
from .results import Pending, recipes_of, resolve

if TYPE_CHECKING:
    from collections.abc import Set

    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import OptionSpec

#: env attribute: docname -> that page's example reports, in page order.
REPORTS = "snippets_reports"
#: env attribute: docnames whose page holds an `exec-report` table.
REPORT_PAGES = "snippets_report_pages"
LANGUAGES = {"python": "Python", "c": "C", "rust": "Rust"}
COLUMNS = (("Page", 18), ("Listing", 30), ("Language", 8), ("Declared", 14), ("Observed", 18),
           ("Time (s)", 6), ("Cache", 6))


class exec_report(nodes.General, nodes.Element):  # noqa: N801 - docutils naming convention
    """Placeholder for the report table; replaced by FillReports once every page has been read."""


class ExecReportDirective(SphinxDirective):
    """`exec-report`: the table of every example on the site (takes no options)."""

    has_content = False
    option_spec: ClassVar[OptionSpec] = {}

    def run(self) -> list[nodes.Node]:
        node = exec_report()
        self.set_source_info(node)
        return [node]


def reports_of(env: BuildEnvironment) -> dict[str, list[dict[str, Any]]]:
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
        reports_of(env).pop(docname, None)
        _report_pages(env).discard(docname)

    def merge_other(self, app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment) -> None:
        theirs, their_pages = reports_of(other), _report_pages(other)
        for docname in docnames:
            if docname in theirs:
                reports_of(env)[docname] = theirs[docname]
            if docname in their_pages:
                _report_pages(env).add(docname)
        self.read_any = True

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        collect(app.env, app.env.docname, doctree)
        if any(doctree.findall(exec_report)):
            _report_pages(app.env).add(app.env.docname)
        self.read_any = True

    def get_outdated_docs(self, app: Sphinx, env: BuildEnvironment, added: Set[str], changed: Set[str],
                          removed: Set[str]) -> list[str]:
        """An environment pickled before this collector existed has no reports: read every page again."""
        if hasattr(env, REPORTS):
            return []
        reports_of(env)
        _report_pages(env)
        return sorted(env.found_docs - set(added))

    def get_updated_docs(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        """Rewrite the report page whenever any page was read again (or rewritten, see rewrite.py),
        even if the report page itself was not."""
        engine = getattr(env, "snippets_engine", None)
        rewritten = engine is not None and engine.rewritten_pages
        pages = sorted(_report_pages(env)) if self.read_any or rewritten else []
        self.read_any = False
        return pages


def collect(env: BuildEnvironment, docname: str, doctree: nodes.document) -> None:
    """The page's example reports, from its doctree: when it is read, and when rewrite.py
    rewrites it."""
    found = []
    for node in doctree.findall(snippet_result):
        report = dict(node["report"])
        report["anchor"] = _anchor(doctree, node, report)
        if "pending" in node:  # still running: completed when a page needs it (ResolvePending)
            report["pending_example"] = node["pending"]
        found.append(report)
    if found:
        reports_of(env)[docname] = found
    else:
        reports_of(env).pop(docname, None)


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


def _listing_cell(report: dict[str, Any], uri: str) -> nodes.entry:
    """A link to the listing on its page, named after its folder and file (`03-nested-forks/main.c`)."""
    name = "/".join(Path(report["file"]).parts[-2:]) if report.get("file") else f"inline, line {report['line']}"
    link = nodes.reference("", "", nodes.literal(name, name), internal=True, refuri=f"{uri}#{report['anchor']}")
    return nodes.entry("", nodes.paragraph("", "", link), classes=["snippet-report-listing"])


def _observed_cell(report: dict[str, Any]) -> nodes.entry:
    """What happened, green when it is what the page declares, red when not."""
    para = nodes.paragraph()
    para += badge(report["observed"], "fail" if report["problems"] else "ok")
    if report.get("diff"):
        para += nodes.Text(" ")
        para += badge(f"output differs from {Path(report['expected_file']).name}", "fail")
    return nodes.entry("", para)


def report_table(env: BuildEnvironment, builder: Builder, fromdocname: str) -> list[nodes.Node]:
    """The summary and the table, built from what every page's readers collected."""
    reports = reports_of(env)
    rows = []
    totals = {"examples": 0, "cached": 0, "ran": 0.0, "failed": 0}
    for docname in reading_order(env):
        title = env.titles[docname].astext() if docname in env.titles else docname
        uri = builder.get_relative_uri(fromdocname, docname)
        for report in reports.get(docname, ()):
            totals["examples"] += 1
            totals["cached"] += bool(report["cached"])
            totals["failed"] += bool(report["problems"] or report.get("diff"))
            if not report["cached"]:
                totals["ran"] += float(report["duration"])
            rows.append(_row(
                _cell(nodes.reference("", title, internal=True, refuri=uri)),
                _listing_cell(report, uri),
                _cell(nodes.Text(LANGUAGES.get(report["language"], report["language"]))),
                _cell(nodes.Text(report["declared"])),
                _observed_cell(report),
                _cell(nodes.Text(f"{float(report['duration']):.2f}")),
                _cell(nodes.Text("cached" if report["cached"] else "ran")),
            ))
            if report["problems"] or report.get("diff"):
                rows[-1]["classes"].append("snippet-report-problem")

    # No title: a titled table needs an id for its permalink, and furo copies a table's ids onto the
    # scrolling box it wraps the table in, so the page would hold that id twice.
    table = nodes.table(classes=["snippet-report"])
    group = nodes.tgroup(cols=len(COLUMNS))
    table += group
    group.extend(nodes.colspec(colwidth=width) for _name, width in COLUMNS)
    group += nodes.thead("", _row(*(_cell(nodes.Text(name)) for name, _width in COLUMNS)))
    body = nodes.tbody()
    body.extend(rows)
    group += body

    pages = sum(1 for docname in reports if reports[docname])
    ran = totals["examples"] - totals["cached"]
    summary = (f"{totals['examples']} examples on {pages} pages: {ran} ran when their page was last built"
               + (f" ({totals['ran']:.1f} s in all)" if ran else "") + f", {totals['cached']} came from the cache. ")
    summary += (f"{totals['failed']} did not do what their page declares, or printed something other than "
                "their expected-output file." if totals["failed"] else "Every example did what its page declares.")
    archive = addnodes.download_reference("", "", nodes.Text("all examples as one zip file"),
                                          reftarget=downloads.ARCHIVE,
                                          filename=Path(downloads.ARCHIVE).name)
    get_all = nodes.paragraph("", "", nodes.Text("Download "), archive,
                              nodes.Text(" (the examples folder, with each program's expected output)."),
                              classes=["snippet-archive"], ids=["examples-archive"])
    return [nodes.paragraph("", summary, classes=["snippet-report-summary"]), get_all, table]


#: The builder of each environment, for FillReports' links. A post-transform has no public way to
#: it: Sphinx 9 deprecates SphinxTransform.app (removed in Sphinx 11), and Sphinx's own
#: post-transforms use the private env._app.
_BUILDERS: WeakKeyDictionary[BuildEnvironment, Builder] = WeakKeyDictionary()


def remember_builder(app: Sphinx) -> None:
    """builder-inited: note the builder FillReports links with."""
    _BUILDERS[app.env] = app.builder


class FillReports(SphinxPostTransform):
    """Put the table where the page asked for it, once every page has been read.

    A post-transform rather than a doctree-resolved handler: it runs before the theme's own
    post-transforms (furo wraps tables in a scrolling box at priority 500), so the table gets them too.
    """

    default_priority = 400

    def run(self, **kwargs: Any) -> None:
        tables = list(self.document.findall(exec_report))
        if tables:
            complete_reports(self.env)
        for node in tables:
            node.replace_self(report_table(self.env, _BUILDERS[self.env], self.env.docname))


def store(env: BuildEnvironment, report: dict[str, Any]) -> None:
    """Put a completed report in place of its pending entry (same page, same line)."""
    for entry in reports_of(env).get(report["docname"], ()):
        if entry.get("pending") and entry["line"] == report["line"]:
            anchor = entry.get("anchor")
            entry.clear()
            entry.update(report)
            if anchor is not None:
                entry["anchor"] = anchor


def complete_reports(env: BuildEnvironment) -> None:
    """Every report still pending, completed from the pool or the cache, before a table is drawn."""
    for entries in reports_of(env).values():
        for entry in entries:
            pending = entry.get("pending_example")
            if isinstance(pending, Pending):
                store(env, resolve(env, pending, None))


class ResolvePending(SphinxPostTransform):
    """Complete the pending results of the page being written (waiting for the pool if need be),
    and their entries in the report."""

    default_priority = 100  # before the report table (400) and the theme's own post-transforms

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(snippet_result)):
            pending = node.get("pending")
            if pending is None:
                continue
            del node["pending"]
            store(self.env, resolve(self.env, pending, node, self.document))


def pages_whose_example_folders_changed(app: Sphinx, env: BuildEnvironment, added: Set[str],
                                         changed: Set[str], removed: Set[str]) -> list[str]:
    """env-get-outdated: pages to read again because a file appeared in one of their examples'
    folders since they were read.

    Every file of the folder goes into the box and into the cache key (execute.sibling_files);
    the directive makes each one a dependency of the page, so editing or deleting one re-reads
    it, but Sphinx cannot notice a file that did not exist yet. A folder's modification time
    changes when a file is added, so it is compared with the time the page was read (in
    microseconds, as Sphinx compares its dependencies): one stat per folder. A file that is not
    part of the key appearing there (a `main` compiled in place, a new `.out`) makes the page
    read once more, its results from the cache.
    """
    engine = getattr(env, "snippets_engine", None)
    if engine is None:
        return []
    root = os.fspath(engine.settings.examples_dir.parent)
    stale = []
    for docname, entries in reports_of(env).items():
        read = env.all_docs.get(docname)
        if read is None or docname in changed or docname in removed:
            continue
        # An example with a recipe has its folder watched by rewrite.plan(), which may rewrite
        # the page without reading it.
        covered = {recipe.shown.line for recipe in recipes_of(env).get(docname, ())}
        # Plain strings: this runs on every build, a no-op included (120 folders: about 0.3 ms).
        for folder in {os.path.dirname(entry["file"]) for entry in entries
                       if entry.get("file") and entry["line"] not in covered}:
            try:
                modified = -(os.stat(os.path.join(root, folder)).st_mtime_ns // -1000)
            except OSError:  # the folder went: its files are dependencies that went missing
                continue
            if modified > read:
                stale.append(docname)
                break
    return stale


def register(app: Sphinx) -> None:
    """The directive, its collector, the handler that fills it in, and the check for new files
    in example folders."""
    app.add_node(exec_report)
    app.add_directive("exec-report", ExecReportDirective)
    app.add_env_collector(ReportCollector)
    app.add_post_transform(ResolvePending)
    app.add_post_transform(FillReports)
    app.connect("builder-inited", remember_builder)
    app.connect("env-get-outdated", pages_whose_example_folders_changed)
