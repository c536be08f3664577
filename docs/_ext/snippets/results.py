"""From an Execution to what a page publishes: the result node, its report and its warnings.

The directive calls publish() as soon as an example's result is there. When the pool
(prefetch.py) is still running the example, the directive leaves the snippet_result *pending*
instead (the code is already in it; `pending` holds a Pending) and Sphinx reads on. resolve()
completes the node when its page is written (report.py's ResolvePending, which also keeps the
report entries); by then most examples have finished, so Sphinx writes pages while the last
examples still run (bench/run.py). The report page completes pending reports the same way.

A pending result always ran in this build, never came from the cache: that is what its report
says even when a later build rewrites the page from the cache without reading it again.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from docutils import nodes

from . import expected, render
from .cache import Cache, CorruptEntry
from .execute import Engine, Example, execute
from .nodes import snippet_result
from .outcome import Execution, Expectation, mismatches, observed
from .sandbox import SandboxError
from .warnings import Subtype, warn

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment

    from .config import Settings


# A NamedTuple rather than a frozen dataclass: cheaper to define (see sandbox.Limits).
class Presentation(NamedTuple):
    """How the page asked for one example to be checked and shown (picklable: it waits in doctrees)."""

    docname: str
    line: int
    declared: Expectation
    names: tuple[str, ...] = ()
    any_order: bool = False
    runs_declared: bool = False
    hide_output: bool = False


class Pending(NamedTuple):
    """What a pending snippet_result needs to be completed at write time."""

    key: str
    example: Example
    shown: Presentation
    shared: bool = False
    """Another listing started this run (same cache key): it counts as cached here, as when read."""


class Recipe(NamedTuple):
    """How to show a `:filename:` example again from its files alone, without reading its page
    (rewrite.py); the directive leaves one on each such snippet_result it completes or defers."""

    example: Example
    """As the directive built it; its `code` is the file as it was then."""
    key: str
    """Its cache key then."""
    shown: Presentation
    options: dict[str, Any]
    """The directive's options, which pick the lines shown (hide/skip markers, `:anchor:`)."""
    has_code: bool
    """The node's first child is the code as shown (not hidden, not empty)."""
    files: tuple[str, ...]
    """What its result depends on besides the page: the file, its folder's other files, its
    expected output; and the folder itself, whose time changes when a file appears."""


#: env attribute: docname -> the recipes of that page's file examples, in page order (rewrite.py).
RECIPES = "snippets_recipes"


def recipes_of(env: BuildEnvironment) -> dict[str, list[Recipe]]:
    if not hasattr(env, RECIPES):
        setattr(env, RECIPES, {})
    return getattr(env, RECIPES)


class Assessment(NamedTuple):
    """What one execution means for its page."""

    report: dict[str, Any]
    warnings: list[tuple[str, Subtype]]
    normalized: list[str]


def expected_file_of(example: Example) -> Path | None:
    """The checked-in expected output of a file example (`main.c.out`)."""
    return expected.path_for(example.file) if example.file else None


def assess(example: Example, shown: Presentation, execution: Execution, cached: bool,
           settings: Settings) -> Assessment:
    """Compare the execution with what the page declares and with its expected-output file."""
    root = settings.examples_dir.parent
    what = f"{example.file.relative_to(root)}" if example.file else "inline example"
    normalized = [expected.render(execution, i, shown.names, settings.normalizers)
                  for i in range(max(1, len(execution.runs)))]
    found: list[tuple[str, Subtype]] = []
    problems = mismatches(shown.declared, execution)
    for problem in problems:
        subtype = {"timeout": Subtype.TIMEOUT, "compile-error": Subtype.COMPILE}.get(
            observed(execution).kind, Subtype.EXIT_STATUS)
        tail = execution.runs[0].output if execution.runs else (execution.compile.output if execution.compile else "")
        tail = "\n".join(tail.rstrip().splitlines()[-5:])
        found.append((f"{what}: {problem}; fix the program or declare what really happens with :expect: "
                      f"{observed(execution).describe()!r}"
                      + (f"\n  last output:\n{textwrap.indent(tail, '    ')}" if tail else ""), subtype))

    diff_lines: list[str] = []
    expected_file = expected_file_of(example)
    if expected_file is not None and not settings.update_outputs and expected_file.exists():
        want = expected_file.read_text(encoding="utf-8")
        label = str(expected_file.relative_to(root))
        for index, text in enumerate(normalized):
            diff_lines = expected.diff(want, text, any_order=shown.any_order, label=label)
            if diff_lines:
                run_note = f" (run {index + 1} of {len(normalized)})" if len(normalized) > 1 else ""
                found.append((f"output differs from {label}{run_note}; if the change is intended, run "
                              "`make outputs` and review the diff\n" + "\n".join(diff_lines), Subtype.MISMATCH))
                break
    racy = (len(normalized) > 1 and not shown.runs_declared and not shown.any_order
            and len(expected.variants(normalized, any_order=False)) > 1)
    if racy:
        found.append((f"{what} gave different output on repeated runs but is not declared racy; add "
                      ":order: any (line order varies) or :runs: N (show the variants)", Subtype.RACE))
    report = {
        **_about(example, shown, settings),
        "has_expected": bool(expected_file and expected_file.exists()),
        "observed": observed(execution).describe(),
        "problems": problems,
        "diff": diff_lines,
        "cached": cached,
        "race": racy,
        "duration": round(sum(s.duration for s in (execution.compile, *execution.runs) if s), 3),
    }
    return Assessment(report, found, normalized)


def _about(example: Example, shown: Presentation, settings: Settings) -> dict[str, Any]:
    """The report fields known before the example runs: where it is and what it declares."""
    root = settings.examples_dir.parent
    expected_file = expected_file_of(example)
    return {
        "docname": shown.docname,
        "line": shown.line,
        "file": str(example.file.relative_to(root)) if example.file else None,
        "expected_file": str(expected_file.relative_to(root)) if expected_file else None,
        "language": example.runner.name,
        "declared": shown.declared.describe(),
    }


def pending_report(example: Example, shown: Presentation, settings: Settings) -> dict[str, Any]:
    """What a pending node's report already knows (downloads and anchors need `file` at read time)."""
    return {**_about(example, shown, settings), "pending": True}


def complete(node: snippet_result, example: Example, shown: Presentation, execution: Execution,
             assessment: Assessment) -> None:
    """Give the result node (its code already in it) its outcome, classes and report."""
    node["classes"] += [f"snippet-lang-{example.runner.name}", f"snippet-outcome-{observed(execution).kind}"]
    node["report"] = assessment.report
    node.extend(render.outcome_nodes(execution, shown.declared, hide_output=shown.hide_output,
                                     any_order=shown.any_order, normalized_runs=assessment.normalized))
    if execution.trace is not None:
        node.extend(render.trace_nodes(execution.trace, shown.docname, shown.line))


def publish(node: snippet_result, example: Example, shown: Presentation, execution: Execution, cached: bool,
            settings: Settings) -> Assessment:
    """Assess, warn at the page's line, and complete the node: the one path from result to page."""
    assessment = assess(example, shown, execution, cached, settings)
    for message, subtype in assessment.warnings:
        warn(message, subtype, (shown.docname, shown.line))
    complete(node, example, shown, execution, assessment)
    return assessment


# -- write time --------------------------------------------------------------------------------

def _fetch(engine: Engine, pending: Pending) -> tuple[Execution, bool]:
    """(execution, fresh this build): from the pool, else the cache, else run it now.

    Raises SandboxError when the example could not be run.
    """
    location = (pending.shown.docname, pending.shown.line)
    started = engine.deferred.get(pending.key)
    if started is None and pending.key in engine.hits:  # the pre-pass read it already (a rewritten page)
        return engine.hits[pending.key], False
    if started is not None:
        done = started.result()
        if done.corrupt:
            warn(f"ignoring a damaged cache entry ({done.corrupt}); the example runs again", Subtype.CACHE, location)
        if done.write_error:
            warn(f"cannot write the cache ({done.write_error})", Subtype.CACHE, location)
        return done.execution, True
    cache = Cache(engine.settings.cache_dir)
    try:
        hit = cache.get(pending.key)
    except CorruptEntry as err:
        warn(f"ignoring a damaged cache entry ({err}); the example runs again", Subtype.CACHE, location)
        hit = None
    if hit is not None:
        return hit, False
    # Pickled pending, cache cleared since: run it again, as reading the page would.
    execution = execute(pending.example, engine.settings, engine.isolation, on_timeout=engine.on_timeout)
    try:
        cache.put(pending.key, execution)
    except OSError as err:
        warn(f"cannot write the cache ({err})", Subtype.CACHE, location)
    return execution, True


def _educate_quotes(document: nodes.document, added: list[nodes.Node]) -> None:
    """Typographic quotes in the prose just added, as Sphinx gives every page while reading.

    A pending result is completed after that transform ran; its sentences (a post-mortem's
    "pipe A's write end") would otherwise keep straight quotes on a page that has curly ones.
    """
    from docutils.utils import new_document
    from sphinx.transforms import SphinxSmartQuotes

    straight = [text for node in added for text in node.findall(nodes.Text)
                if ("'" in text or '"' in text) and not isinstance(text.parent, nodes.FixedTextElement)]
    if not straight:  # the usual case: outputs are literal blocks, badges have no quotes
        return
    parent = added[0].parent
    at = parent.index(added[0])
    scratch = new_document(document["source"] if "source" in document else "", document.settings)
    for child in added:
        parent.remove(child)
    scratch.extend(added)
    SphinxSmartQuotes(scratch, startnode=None).apply()
    educated = list(scratch.children)
    for child in educated:
        scratch.remove(child)
    for offset, child in enumerate(educated):
        parent.insert(at + offset, child)


def resolve(env: BuildEnvironment, pending: Pending, node: snippet_result | None,
            document: nodes.document | None = None) -> dict[str, Any]:
    """The completed report of one pending example; completes `node` (part of `document`) too when given.

    Warnings are given once per build, and only for a result this build produced: a page
    rewritten from the cache without being read again repeats nothing, as Sphinx does.
    """
    engine: Engine = env.snippets_engine  # type: ignore[attr-defined]
    shown = pending.shown
    location = (shown.docname, shown.line)
    first = location not in engine.warned
    engine.warned.add(location)
    try:
        execution, fresh = _fetch(engine, pending)
    except SandboxError as err:
        if first:
            warn(f"{err}", Subtype.ISOLATION, location)
        if node is not None:
            node += render.not_run(str(err))
        return {**pending_report(pending.example, shown, engine.settings), "pending": False,
                "observed": "not run", "problems": [str(err)], "diff": [], "cached": False, "race": False,
                "duration": 0.0, "has_expected": False}
    rewritten = location in engine.rewritten  # this build, without reading its page (rewrite.py)
    cached = not fresh if rewritten else pending.shared
    assessment = assess(pending.example, shown, execution, cached, engine.settings)
    if (fresh or rewritten) and first:  # a rewritten page warns as if read again
        for message, subtype in assessment.warnings:
            warn(message, subtype, location)
    target = node if node is not None else snippet_result()
    before = len(target.children)
    complete(target, pending.example, shown, execution, assessment)
    if document is not None:
        _educate_quotes(document, list(target.children[before:]))
    return assessment.report
