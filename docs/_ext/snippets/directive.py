"""sphinx-exec-code's `exec_code`, extended: languages, sandbox, expected outcomes, cache, checks."""

from __future__ import annotations

import re
import shlex
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.directives.code import CodeBlock
from sphinx_exec_code.code_format import VisibilityMarkerError, get_show_exec_code
from sphinx_exec_code.sphinx_exec import ExecCode
from sphinx_exec_code.sphinx_spec import get_specs

from . import expected, render, runners
from .cache import Cache, CorruptEntry
from .execute import Engine, Example, cache_key, execute
from .normalize import NormalizerError, check_names
from .nodes import snippet_result
from .sandbox import SandboxError
from .outcome import Execution, Expectation, ExpectationError, mismatches, observed, parse_expectation
from .warnings import Subtype, warn

if TYPE_CHECKING:
    from sphinx.util.typing import OptionSpec

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
        try:
            return self._run_snippet()
        except OptionProblem as problem:
            warn(f"{problem} [exec_code]", problem.subtype, (self.env.docname, self.lineno))
            return [render.not_run(str(problem))]

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
        self.env.note_dependency(str(path))
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

        try:
            shown, executed = get_show_exec_code(marker_lines(lines, runner.comment))
        except VisibilityMarkerError as err:
            raise OptionProblem(f"hide/skip markers: {err}") from None
        if file is not None:
            if shown != "\n".join(anchor_region(lines, None)).strip("\n") or "anchor" in self.options:
                shown = "\n".join(anchor_region(shown.splitlines(), self.options.get("anchor")))
            executed = "\n".join(lines) + "\n"  # a file always runs whole, exactly as a student has it
        else:
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
            toolchain = engine.toolchain(runner)
        except runners.ToolchainMissing as err:
            warn(f"{err}; the page shows the code without running it", Subtype.TOOLCHAIN,
                 (self.env.docname, self.lineno))
            return [*code_nodes, render.not_run(str(err))]

        try:
            execution, cached = self._execution(example, engine, toolchain)
        except SandboxError as err:
            # The box could not be built, or the build is being interrupted: say so, run nothing.
            warn(f"{err}", Subtype.ISOLATION, (self.env.docname, self.lineno))
            return [*code_nodes, render.not_run(str(err))]
        return [self._result_node(example, execution, cached, declared, names, code_nodes)]

    def _inline_prelude(self, runner: runners.Runner) -> str:
        if runner.name != "c":
            return ""
        source = Path(self.env.doc2path(self.env.docname))
        root = self._engine().settings.examples_dir.parent
        rel = source.relative_to(root) if source.is_relative_to(root) else source.name
        return f'#line {self._code_line()} "{rel}"\n'

    def _code_line(self) -> int:
        return self._get_code_line(self.lineno, self.content) + 1

    def _execution(self, example: Example, engine: Engine, toolchain: str) -> tuple[Execution, bool]:
        key = cache_key(example, engine.settings, toolchain)
        started = engine.prefetched.pop(key, None)
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

    def _result_node(self, example: Example, execution: Execution, cached: bool, declared: Expectation,
                     names: tuple[str, ...], code_nodes: list[nodes.Node]) -> snippet_result:
        settings = self._engine().settings
        location = (self.env.docname, self.lineno)
        any_order = self.options.get("order") == "any"
        normalized = [expected.render(execution, i, names, settings.normalizers)
                      for i in range(max(1, len(execution.runs)))]
        problems = mismatches(declared, execution)
        what = f"{example.file.relative_to(settings.examples_dir.parent)}" if example.file else "inline example"
        for problem in problems:
            subtype = {"timeout": Subtype.TIMEOUT, "compile-error": Subtype.COMPILE}.get(
                observed(execution).kind, Subtype.EXIT_STATUS)
            tail = execution.runs[0].output if execution.runs else (execution.compile.output if execution.compile else "")
            tail = "\n".join(tail.rstrip().splitlines()[-5:])
            warn(f"{what}: {problem}; fix the program or declare what really happens with :expect: "
                 f"{observed(execution).describe()!r}" + (f"\n  last output:\n{textwrap.indent(tail, '    ')}" if tail else ""),
                 subtype, location)

        diff_lines: list[str] = []
        expected_file = expected.path_for(example.file) if example.file else None
        if expected_file is not None and settings.update_outputs:
            # Rewrite only what really changed: an order-insensitive example whose lines merely
            # came out in another order keeps its file, so `git diff` shows real changes only.
            old = expected_file.read_text(encoding="utf-8") if expected_file.exists() else None
            if old is None or expected.diff(old, normalized[0], any_order=any_order, label=""):
                expected_file.write_text(normalized[0], encoding="utf-8")
        elif expected_file is not None and expected_file.exists():
            self.env.note_dependency(str(expected_file))  # editing the .out re-checks the page
            want = expected_file.read_text(encoding="utf-8")
            label = str(expected_file.relative_to(settings.examples_dir.parent))
            for index, text in enumerate(normalized):
                diff_lines = expected.diff(want, text, any_order=any_order, label=label)
                if diff_lines:
                    run_note = f" (run {index + 1} of {len(normalized)})" if len(normalized) > 1 else ""
                    warn(f"output differs from {label}{run_note}; if the change is intended, run `make outputs` "
                         "and review the diff\n" + "\n".join(diff_lines), Subtype.MISMATCH, location)
                    break
        racy = (len(normalized) > 1 and "runs" not in self.options and not any_order
                and len(expected.variants(normalized, any_order=False)) > 1)
        if racy:
            warn(f"{what} gave different output on repeated runs but is not declared racy; add "
                 ":order: any (line order varies) or :runs: N (show the variants)", Subtype.RACE, location)

        node = snippet_result()
        node["classes"] += [f"snippet-lang-{example.runner.name}", f"snippet-outcome-{observed(execution).kind}"]
        node["report"] = {
            "docname": self.env.docname,
            "line": self.lineno,
            "file": str(example.file.relative_to(settings.examples_dir.parent)) if example.file else None,
            "expected_file": str(expected_file.relative_to(settings.examples_dir.parent)) if expected_file else None,
            "has_expected": bool(expected_file and expected_file.exists()),
            "language": example.runner.name,
            "declared": declared.describe(),
            "observed": observed(execution).describe(),
            "problems": problems,
            "diff": diff_lines,
            "cached": cached,
            "race": racy,
            "duration": round(sum(s.duration for s in (execution.compile, *execution.runs) if s), 3),
        }
        node.extend(code_nodes)
        node.extend(render.outcome_nodes(execution, declared, hide_output="hide_output" in self.options,
                                         any_order=any_order, normalized_runs=normalized))
        if execution.trace is not None:
            node.extend(render.trace_nodes(execution.trace, self.env.docname, self.lineno))
        return node

