"""sphinx-exec-code's `exec_code`, extended: languages, sandbox, expected outcomes, cache, checks."""

from __future__ import annotations

import re
import shlex
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.directives.code import CodeBlock
from sphinx_exec_code.code_format import VisibilityMarkerError, get_show_exec_code
from sphinx_exec_code.sphinx_exec import ExecCode
from sphinx_exec_code.sphinx_spec import get_specs

from . import expected, render, results, runners
from .cache import Cache, CorruptEntry
from .execute import Engine, Example, execute, sibling_files
from .normalize import NormalizerError, check_names
from .nodes import snippet_result
from .outcome import Execution, ExpectationError, parse_expectation
from .results import Presentation, Recipe
from .sandbox import SandboxError
from .warnings import Subtype, warn

if TYPE_CHECKING:
    from concurrent.futures import Future

    from sphinx.util.typing import OptionSpec

    from .config import Settings
    from .prefetch import Prefetched

_MARKERS = {f"{kind}:{edge}" for kind in ("hide", "skip") for edge in ("start", "stop", "toggle")}


class OptionProblem(Exception):
    """A bad option value; the message says what to write instead."""

    def __init__(self, message: str, subtype: Subtype = Subtype.OPTION) -> None:
        super().__init__(message)
        self.subtype = subtype


def _positive_float(value: str | None) -> float:
    try:
        number = float(value or "")
    except ValueError:
        raise ValueError(f"expected a number of seconds, not {value!r}") from None
    if number <= 0:
        raise ValueError(f"expected a positive number of seconds, not {value!r}")
    return number


def _positive_int(value: str | None) -> int:
    return directives.positive_int(value)


def marker_lines(lines: list[str], comment: str) -> list[str]:
    """Accept sphinx-exec-code's markers behind the language's comment (`// hide:start` in C)."""
    out = []
    for line in lines:
        stripped = line.strip()
        if comment != "#" and stripped.startswith(comment):
            word = stripped[len(comment):].replace(" ", "").replace("-", "").lower()
            if word in _MARKERS:
                out.append("#" + word)
                continue
        out.append(line)
    return out


_ANCHOR = re.compile(r"\bANCHOR(_END)?:\s*([\w.-]+)")


def anchor_region(lines: list[str], name: str | None) -> list[str]:
    """The lines between `ANCHOR: name` and `ANCHOR_END: name`; anchor lines are never shown.

    The marker may sit in any comment style (`// ANCHOR: x`, `/* ANCHOR: x */`, `# ANCHOR: x`).
    """
    marks = [_ANCHOR.search(line) for line in lines]
    if name is None:
        return [line for line, mark in zip(lines, marks) if mark is None]
    start = end = None
    for i, mark in enumerate(marks):
        if mark is None or mark.group(2) != name:
            continue
        if mark.group(1) is None and start is None:
            start = i
        elif mark.group(1) is not None and start is not None:
            end = i
            break
    if start is None or end is None:
        found = sorted({m.group(2) for m in marks if m is not None and m.group(1) is None})
        raise OptionProblem(f"anchor {name!r} not found (needs `ANCHOR: {name}` and `ANCHOR_END: {name}` "
                            f"comments); anchors in this file: {', '.join(found) or 'none'}")
    region = [line for line, mark in zip(lines[start + 1:end], marks[start + 1:end]) if mark is None]
    return textwrap.dedent("\n".join(region)).splitlines()


def file_listing(lines: list[str], runner: runners.Runner, options: dict[str, Any]) -> str:
    """The lines a page shows of an example file: hide/skip markers applied, only the `:anchor:`
    region if one is asked for, anchor comments never. The whole file always runs."""
    try:
        shown, _executed = get_show_exec_code(marker_lines(lines, runner.comment))
    except VisibilityMarkerError as err:
        raise OptionProblem(f"hide/skip markers: {err}") from None
    if shown != "\n".join(anchor_region(lines, None)).strip("\n") or "anchor" in options:
        shown = "\n".join(anchor_region(shown.splitlines(), options.get("anchor")))
    return shown


def dependencies(file: Path, settings: Settings) -> list[str]:
    """The files besides its page that a file example's result depends on: the file, the other
    files of its folder (they go into the box and into the cache key), and its expected output
    (unless the build rewrites it)."""
    found = [str(file), *(str(sibling) for sibling in sibling_files(file))]
    expected_file = expected.path_for(file)
    if not settings.update_outputs and expected_file.exists():
        found.append(str(expected_file))
    return found


#: CodeBlock options whose effect depends on the code's lines: a node using one cannot be
#: given new code without reading its page (rewrite.py).
_LINE_OPTIONS = ("emphasize-lines", "dedent")


class ExecCodeDirective(ExecCode):
    """`exec_code` as sphinx-exec-code defines it, plus the options below."""

    own_options: ClassVar[OptionSpec] = {
        "expect": directives.unchanged,
        "timeout": _positive_float,
        "args": directives.unchanged,
        "env": directives.unchanged,
        "order": lambda v: directives.choice(v, ("any", "exact")),
        "runs": _positive_int,
        "normalize": directives.unchanged,
        "anchor": directives.unchanged_required,
        "trace": directives.flag,
    }
    option_spec: ClassVar[OptionSpec] = {**ExecCode.option_spec, **own_options}

    def run(self) -> list[nodes.Node]:
        self._depends_on: list[str] = []
        try:
            result = self._run_snippet()
        except OptionProblem as problem:
            warn(f"{problem} [exec_code]", problem.subtype, (self.env.docname, self.lineno))
            result = [render.not_run(str(problem))]
        if not any(isinstance(node, snippet_result) and "recipe" in node for node in result):
            # Without a recipe, Sphinx reads the page again when one of these files changes;
            # with one, rewrite.py shows the change without reading the page.
            for path in self._depends_on:
                self.env.note_dependency(path)
        return result

    # -- options -----------------------------------------------------------------------------

    def _engine(self) -> Engine:
        return self.env.snippets_engine  # type: ignore[attr-defined]

    def _runner(self, filename: str | None) -> runners.Runner:
        try:
            if "language" in self.options:
                return runners.for_language(self.options["language"])
            if filename:
                return runners.for_file(filename)
            return runners.for_language("python")
        except runners.UnknownLanguage as err:
            raise OptionProblem(str(err)) from None

    def _source(self, engine: Engine) -> tuple[Path | None, list[str]]:
        filename = self.options.get("filename")
        if not filename:
            if not self.content:
                raise OptionProblem("no code: give the code as the directive's content or "
                                    ":filename: pointing into the examples folder")
            return None, list(self.content)
        root = engine.settings.examples_dir
        path = (root / filename).resolve()
        if not path.is_relative_to(root):
            raise OptionProblem(f":filename: {filename} leaves the examples folder {root}")
        if not path.is_file():
            raise OptionProblem(f"example file {filename} not found in {root}; create it, or fix :filename: "
                                "(paths are relative to the examples folder)", Subtype.MISSING_FILE)
        if self.content:
            raise OptionProblem("give either :filename: or inline code, not both")
        self._depends_on = dependencies(path, engine.settings)
        return path, path.read_text(encoding="utf-8").splitlines()

    def _split_options(self) -> dict[str, object]:
        base = {k: v for k, v in self.options.items() if k not in self.own_options}
        if "language" in base and base["language"] in (*runners.ALIASES, *runners.RUNNERS):
            base["language"] = self._runner(None).highlight
        return base

    # -- the work ----------------------------------------------------------------------------

    def _run_snippet(self) -> list[nodes.Node]:
        engine = self._engine()
        settings = engine.settings
        file, lines = self._source(engine)
        runner = self._runner(file.name if file else None)
        try:
            declared = parse_expectation(self.options.get("expect"))
        except ExpectationError as err:
            raise OptionProblem(str(err)) from None
        names = tuple(self.options.get("normalize", "").replace(",", " ").split())
        try:
            check_names(names, settings.normalizers)
        except NormalizerError as err:
            raise OptionProblem(str(err)) from None
        try:
            args = tuple(shlex.split(self.options.get("args", "")))
            env_pairs = [item.split("=", 1) for item in shlex.split(self.options.get("env", ""))]
        except ValueError as err:
            raise OptionProblem(f"cannot split :args:/:env: ({err}); check the quotes") from None
        if any(len(pair) != 2 or not pair[0] for pair in env_pairs):
            raise OptionProblem(":env: takes NAME=value pairs separated by spaces")

        if file is not None:
            shown = file_listing(lines, runner, self.options)
            executed = "\n".join(lines) + "\n"  # a file always runs whole, exactly as a student has it
        else:
            try:
                shown, executed = get_show_exec_code(marker_lines(lines, runner.comment))
            except VisibilityMarkerError as err:
                raise OptionProblem(f"hide/skip markers: {err}") from None
            executed = self._inline_prelude(runner) + executed + "\n"

        example = Example(
            runner=runner, code=executed, file=file, args=args,
            env=tuple((k, v) for k, v in env_pairs),
            timeout=self.options.get("timeout", settings.timeout),
            runs=self.options.get("runs", engine.settings.check_runs if engine.checking else 1),
            trace="trace" in self.options,
        )
        code_nodes = self._code_nodes(shown, runner)
        try:
            key = engine.key(example)  # asks for the toolchain's version
        except runners.ToolchainMissing as err:
            warn(f"{err}; the page shows the code without running it", Subtype.TOOLCHAIN,
                 (self.env.docname, self.lineno))
            return [*code_nodes, render.not_run(str(err))]

        presentation = Presentation(
            docname=self.env.docname, line=self.lineno, declared=declared, names=names,
            any_order=self.options.get("order") == "any", runs_declared="runs" in self.options,
            hide_output="hide_output" in self.options,
        )
        expected_file = results.expected_file_of(example)
        node = snippet_result()
        if file is not None and self._may_defer(engine) and not any(o in self.options for o in _LINE_OPTIONS):
            node["recipe"] = Recipe(example, key, presentation, dict(self.options), has_code=bool(code_nodes),
                                    files=(*self._depends_on, str(file.parent)))
        running = engine.prefetched.pop(key, None)
        shared = engine.deferred.get(key) if running is None else None  # the same example, shown before
        waiting_for = running or shared
        if waiting_for is not None and not waiting_for.done() and self._may_defer(engine):
            # Read on; the page is completed when it is written (results.py).
            engine.deferred[key] = waiting_for
            node.extend(code_nodes)
            node["pending"] = results.Pending(key, example, presentation, shared=shared is not None)
            node["report"] = results.pending_report(example, presentation, settings)
            return [node]
        try:
            execution, cached = self._execution(example, engine, key, running)
        except SandboxError as err:
            # The box could not be built, or the build is being interrupted: say so, run nothing.
            warn(f"{err}", Subtype.ISOLATION, (self.env.docname, self.lineno))
            return [*code_nodes, render.not_run(str(err))]
        node.extend(code_nodes)
        assessment = results.publish(node, example, presentation, execution, cached, settings)
        if expected_file is not None and settings.update_outputs:
            # Rewrite only what really changed: an order-insensitive example whose lines merely
            # came out in another order keeps its file, so `git diff` shows real changes only.
            old = expected_file.read_text(encoding="utf-8") if expected_file.exists() else None
            if old is None or expected.diff(old, assessment.normalized[0], any_order=presentation.any_order,
                                            label=""):
                expected_file.write_text(assessment.normalized[0], encoding="utf-8")
        return [node]

    @staticmethod
    def _may_defer(engine: Engine) -> bool:
        """Leave the result for write time? Not when checking or writing expected outputs (they
        need every result while reading), nor without the cache (a page rewritten later, without
        being read, finds its result there)."""
        settings = engine.settings
        return settings.use_cache and not settings.update_outputs and not engine.checking

    def _inline_prelude(self, runner: runners.Runner) -> str:
        if runner.name != "c":
            return ""
        source = Path(self.env.doc2path(self.env.docname))
        root = self._engine().settings.examples_dir.parent
        rel = source.relative_to(root) if source.is_relative_to(root) else source.name
        return f'#line {self._code_line()} "{rel}"\n'

    def _code_line(self) -> int:
        return self._get_code_line(self.lineno, self.content) + 1

    def _execution(self, example: Example, engine: Engine, key: str,
                   started: Future[Prefetched] | None) -> tuple[Execution, bool]:
        if started is not None:  # the pre-pass ran it while Sphinx was reading (prefetch.py)
            done = started.result()
            if done.corrupt:
                warn(f"ignoring a damaged cache entry ({done.corrupt}); the example runs again", Subtype.CACHE,
                     (self.env.docname, self.lineno))
            if done.write_error:
                warn(f"cannot write the cache ({done.write_error})", Subtype.CACHE, (self.env.docname, self.lineno))
            return done.execution, False
        cache = Cache(engine.settings.cache_dir)
        if engine.settings.use_cache:
            if key in engine.hits:  # the pre-pass read it already
                return engine.hits.pop(key), True
            try:
                hit = cache.get(key)
            except CorruptEntry as err:
                warn(f"ignoring a damaged cache entry ({err}); the example runs again", Subtype.CACHE,
                     (self.env.docname, self.lineno))
                hit = None
            if hit is not None:
                return hit, True
        execution = execute(example, engine.settings, engine.isolation, on_timeout=engine.on_timeout)
        try:
            cache.put(key, execution)
        except OSError as err:
            warn(f"cannot write the cache ({err})", Subtype.CACHE, (self.env.docname, self.lineno))
        return execution, False

    def _code_nodes(self, shown: str, runner: runners.Runner) -> list[nodes.Node]:
        try:
            code_spec, _output_spec = get_specs(self._split_options())
        except ValueError as err:
            raise OptionProblem(str(err)) from None
        if code_spec.hide or not shown:
            return []
        language = code_spec.language if "language" in self.options else runner.highlight
        block = CodeBlock("code-block", [language], code_spec.spec, StringList(shown.splitlines()),
                          self.lineno, self.content_offset, "", self.state, self.state_machine)
        box = nodes.container(classes=["snippet-code"])
        box.extend(block.run())
        return [box]
