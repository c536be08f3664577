"""A page whose only change is in its examples' files is rewritten without being read again.

Sphinx reads a page again when a file it depends on changes, and so it did when an author
edited an example: the whole page was parsed again, every directive on it worked out its
example again, and all of that only to replace one listing and one result. Here, each
`:filename:` example leaves a Recipe on its snippet_result (directive.py): what it needs to
show the example again from its files alone. At env-before-read-docs, plan() finds the pages
not being read whose examples' files changed since they were read, puts the new code into
their saved doctrees, and leaves their results pending, as the directive does for an example
still running (results.py completes them when the page is written). The pool runs the changed
examples meanwhile (prefetch.start). A rewritten page looks and warns as if it had been read
again: its other examples come from the cache, as they would when read. The exception is an
example without a recipe (inline code, `:emphasize-lines:`) whose result was already complete
in the saved page: it is shown as it was, with its label ("ran" or "cached") and no warning.

A change a recipe cannot show (the file gone, an anchor or a marker broken, code that now shows
nothing or something where it showed nothing) makes the page read again instead, and its
directive says what is wrong. So do builds that need every result while reading (`make
doctest`, `make outputs`, the cache off).
"""

from __future__ import annotations

import os
import pickle
from typing import TYPE_CHECKING, NamedTuple

from docutils import nodes
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.util import logging

from . import report, runners
from .directive import ExecCodeDirective, OptionProblem, dependencies, file_listing
from .nodes import snippet_result
from .results import Pending, Recipe, pending_report, recipes_of

if TYPE_CHECKING:
    from collections.abc import Set

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

    from .execute import Engine, Example

logger = logging.getLogger(__name__)


class CannotShow(Exception):
    """The change needs the page read again."""


class Planned(NamedTuple):
    """One example of a rewritten page."""

    recipe: Recipe
    """As its files are now."""
    shown: str | None
    """The lines its listing shows now; None when its files did not change."""


def _changed(recipe: Recipe, read: int) -> bool:
    """Has any of the recipe's files (or its folder) changed since the page was read (in
    microseconds, rounded up, as Sphinx compares a page's dependencies)?"""
    for path in recipe.files:
        try:
            modified = -(os.stat(path).st_mtime_ns // -1000)
        except OSError:  # gone: the rewrite finds out whether that matters
            return True
        if modified > read:
            return True
    return False


def _plan(engine: Engine, recipe: Recipe, changed: bool) -> Planned:
    """The example as its files are now; CannotShow when only reading the page can show it."""
    if not changed:
        return Planned(recipe, None)
    old: Example = recipe.example
    file = old.file
    if file is None:
        raise CannotShow("no file")
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
        shown = file_listing(lines, old.runner, recipe.options)
        if "hide" not in recipe.options and bool(shown) != recipe.has_code:
            raise CannotShow("the code shown appeared or disappeared")
        example = old._replace(code="\n".join(lines) + "\n")
        key = engine.key(example)
        files = (*dependencies(file, engine.settings), str(file.parent))
    except (OSError, UnicodeDecodeError, OptionProblem, runners.ToolchainMissing) as err:
        raise CannotShow(str(err)) from None
    return Planned(recipe._replace(example=example, key=key, files=files), shown)


def _apply(node: snippet_result, planned: Planned, engine: Engine) -> None:
    """Give the node its new code, and leave its result pending (completed when written)."""
    recipe = planned.recipe
    # What reading put before the outcome: the code (CodeBlock's nodes in a container), then the
    # download link (downloads.add_download_links); the outcome after them goes.
    kept = 0
    for child in node.children[:2]:
        if not isinstance(child, (nodes.container, nodes.paragraph)):
            break
        if not {"snippet-code", "snippet-download"} & set(child["classes"]):
            break
        kept += 1
    code = node.children[0] if kept else None
    is_code = isinstance(code, nodes.container) and "snippet-code" in code["classes"]
    if is_code != recipe.has_code:
        raise CannotShow("the code is not where the recipe says")
    if is_code and planned.shown is not None:
        literal = next(code.findall(nodes.literal_block), None)
        if literal is None:
            raise CannotShow("the code is not where the recipe says")
        text = "\n".join(planned.shown.splitlines())  # as CodeBlock joins its content
        literal.rawsource = text
        literal[:] = [nodes.Text(text)]
    del node[kept:]
    node["classes"] = [name for name in node["classes"] if not name.startswith(("snippet-lang-", "snippet-outcome-"))]
    # An unchanged example counts as cached, as it would if the page were read again.
    node["pending"] = Pending(recipe.key, recipe.example, recipe.shown, shared=planned.shown is None)
    node["report"] = pending_report(recipe.example, recipe.shown, engine.settings)
    node["recipe"] = recipe


def _rewrite(app: Sphinx, env: BuildEnvironment, engine: Engine, docname: str, recipes: list[Recipe],
             read: int) -> list[Planned]:
    """Rewrite one page's saved doctree; CannotShow when it must be read instead."""
    planned = {recipe.shown.line: _plan(engine, recipe, _changed(recipe, read)) for recipe in recipes}
    try:
        doctree = env.get_doctree(docname)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as err:
        raise CannotShow(f"no saved doctree ({err})") from None
    found = {node["recipe"].shown.line: node for node in doctree.findall(snippet_result) if "recipe" in node}
    if found.keys() != planned.keys():
        raise CannotShow("the saved doctree does not match its recipes")
    for line, node in found.items():
        _apply(node, planned[line], engine)
    for node in doctree.findall(snippet_result):
        if "recipe" not in node and "pending" in node:  # an inline example, say: from the cache now
            node["pending"] = node["pending"]._replace(shared=True)
            engine.rewritten.add((docname, node["pending"].shown.line))
    # Saved as Sphinx saves a page it read: a later build that writes this page without reading
    # it (a theme change) then shows the new code too. Sphinx keeps the pickled bytes it loaded.
    getattr(env, "_pickled_doctree_cache", {}).pop(docname, None)
    app.builder.write_doctree(docname, doctree)
    env.all_docs[docname] = engine.began  # its files are now as good as read
    recipes_of(env)[docname] = [planned[line].recipe for line in sorted(planned)]
    report.collect(env, docname, doctree)
    return list(planned.values())


def plan(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> list[tuple[str, Example, bool]]:
    """env-before-read-docs (from prefetch.start): rewrite the pages whose examples' files
    changed; return their examples to run, as (cache key, example, declared hang).

    Pages that must be read instead are added to `docnames`, which Sphinx reads next.
    """
    engine: Engine = env.snippets_engine  # type: ignore[attr-defined]
    reading = set(docnames)
    stale = [docname for docname, recipes in recipes_of(env).items()
             if docname not in reading and docname in env.all_docs
             and any(_changed(recipe, env.all_docs[docname]) for recipe in recipes)]
    if not stale:
        return []
    reread: list[str] = []
    jobs: list[tuple[str, Example, bool]] = []
    for docname in stale:
        if not ExecCodeDirective._may_defer(engine):
            reread.append(docname)
            continue
        try:
            planned = _rewrite(app, env, engine, docname, recipes_of(env)[docname], env.all_docs[docname])
        except CannotShow as why:
            logger.debug("snippets: %s is read again: %s", docname, why)
            reread.append(docname)
            continue
        engine.rewritten_pages.add(docname)
        for item in planned:
            engine.rewritten.add((docname, item.recipe.shown.line))
            jobs.append((item.recipe.key, item.recipe.example, item.recipe.shown.declared.kind == "timeout"))
    docnames[:] = sorted({*docnames, *reread})
    if engine.rewritten_pages:
        logger.info("snippets: %d page(s) rewritten with their changed examples, without reading them again: %s",
                    len(engine.rewritten_pages), ", ".join(sorted(engine.rewritten_pages)))
    return jobs


class RecipeCollector(EnvironmentCollector):
    """Keeps every page's recipes on env: cleared per page, merged from parallel readers; and
    has the rewritten pages written."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        recipes_of(env).pop(docname, None)

    def merge_other(self, app: Sphinx, env: BuildEnvironment, docnames: Set[str], other: BuildEnvironment) -> None:
        theirs = recipes_of(other)
        for docname in docnames:
            if docname in theirs:
                recipes_of(env)[docname] = theirs[docname]

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        recipes = [node["recipe"] for node in doctree.findall(snippet_result) if "recipe" in node]
        if recipes:
            recipes_of(app.env)[app.env.docname] = recipes

    def get_updated_docs(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        engine = getattr(env, "snippets_engine", None)
        return sorted(engine.rewritten_pages) if engine is not None else []


def register(app: Sphinx) -> None:
    app.add_env_collector(RecipeCollector)

