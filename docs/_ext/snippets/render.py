"""An Execution -> docutils nodes: command lines, output, badges, notes. Never a raw HTML string."""

from __future__ import annotations

import re
import shutil
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.ext.graphviz import graphviz

from .expected import variants
from .nodes import snippet_badge, snippet_terminal
from .outcome import Execution, Expectation, Step, observed, signal_name

if TYPE_CHECKING:
    from collections.abc import Sequence

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def visible_text(text: str) -> str:
    """Show control characters (ANSI escapes, NUL, bell) as symbols instead of passing them on."""
    return _CONTROL.sub(lambda m: chr(0x2400 + ord(m.group())) if m.group() != "\x7f" else "\u2421", text)


def badge(text: str, kind: str) -> snippet_badge:
    """A coloured label; kind is ok, fail, warn or info."""
    node = snippet_badge(text, text)
    node["kind"] = kind
    return node


def step_badges(step: Step, declared: Expectation | None) -> list[snippet_badge]:
    """Outcome label(s) for one command."""
    out = []
    if step.timed_out:
        out.append(badge(f"timed out after {step.timeout:g} s", "warn"))
    elif step.exec_error:
        out.append(badge("could not start", "fail"))
    elif step.signal is not None:
        out.append(badge(f"killed by {signal_name(step.signal)}", "fail"))
    elif step.role == "compile":
        out.append(badge("compiled" if step.exit_code == 0 else "compile error",
                         "ok" if step.exit_code == 0 else "fail"))
    else:
        out.append(badge(f"exit {step.exit_code}", "ok" if step.exit_code == 0 else "fail"))
    if step.truncated:
        out.append(badge(f"output truncated ({step.truncated} bytes dropped)", "warn"))
    if step.left_running and not step.timed_out:
        out.append(badge(f"{step.left_running} left running: killed", "warn"))
    if step.zombies:
        out.append(badge(f"{step.zombies} never waited for", "warn"))
    for limit in step.limits_hit:
        out.append(badge(f"hit the {limit} limit", "warn"))
    if step.role == "run" and step.duration:
        out.append(badge(f"{step.duration:.2f} s", "info"))
    return out


def transcript(rawsource: str, text: str) -> snippet_terminal:
    """A block of terminal text, unhighlighted. `linenos` is what Sphinx's HighlightLanguageTransform
    gives a plain literal block (no `highlight` directive on this site sets a line-number threshold),
    so every builder sees the attributes it saw when transcripts were plain literal blocks."""
    return snippet_terminal(rawsource, text, language="none", linenos=False)


def _terminal(step: Step, *, show_output: bool) -> snippet_terminal:
    text = f"$ {step.display}\n"
    if show_output:
        text += visible_text(step.output)
    if step.exec_error:
        text += f"{step.exec_error}\n"
    block = transcript(text.rstrip("\n"), text.rstrip("\n"))
    block["classes"] += ["snippet-output", f"snippet-{step.role}"]
    return block


def outcome_nodes(execution: Execution, declared: Expectation, *, hide_output: bool,
                  any_order: bool, normalized_runs: Sequence[str]) -> list[nodes.Node]:
    """The terminal-like transcript of a run, with badges and explanations."""
    result: list[nodes.Node] = []
    steps: list[Step] = []
    if execution.compile is not None:
        steps.append(execution.compile)
    if execution.runs:
        steps.append(execution.runs[0])
    for step in steps:
        result.append(_terminal(step, show_output=not hide_output or step.role == "compile"))
        para = nodes.paragraph(classes=["snippet-badges"])
        for b in step_badges(step, declared):
            para += b
            para += nodes.Text(" ")
        result.append(para)
        if step.postmortem:
            note = nodes.container(classes=["snippet-postmortem"])
            note += nodes.paragraph("", "Just before the sandbox stopped it:")
            items = nodes.bullet_list()
            for sentence in step.postmortem:
                items += nodes.list_item("", nodes.paragraph("", sentence))
            note += items
            result.append(note)
    if len(execution.runs) > 1:
        seen = variants(normalized_runs, any_order=any_order)
        outcomes = {observed_run(step).describe() for step in execution.runs}
        summary = (f"Ran {len(execution.runs)} times: {len(seen)} distinct "
                   f"{'orderings' if any_order else 'outputs'} seen"
                   + (f"; outcomes: {', '.join(sorted(outcomes))}" if len(outcomes) > 1 else "") + ".")
        box = nodes.container(classes=["snippet-variants"])
        box += nodes.paragraph("", summary)
        if len(seen) > 1:
            items = nodes.enumerated_list()
            for text, count in seen.most_common():
                item = nodes.list_item()
                item += nodes.paragraph("", f"{count} of {len(execution.runs)} runs:")
                item += transcript(text, visible_text(text))
                items += item
            box += items
        result.append(box)
    return result


def observed_run(step: Step) -> Expectation:
    """The outcome of one run (kept here to avoid a render -> directive import)."""
    return observed(Execution(language="", runs=(step,)))


def not_run(message: str) -> nodes.container:
    """Shown instead of output when the example could not run (missing toolchain, bad option)."""
    box = nodes.container(classes=["snippet-not-run"])
    para = nodes.paragraph()
    para += badge("not run", "fail")
    para += nodes.Text(" " + message)
    box += para
    return box


def trace_nodes(trace: dict[str, Any], docname: str, line: int) -> list[nodes.Node]:
    """The process tree drawn from a real strace of the run (sphinx.ext.graphviz), or why not."""
    box = nodes.container(classes=["snippet-trace"])
    if "error" in trace:
        box += nodes.paragraph("", f"Process tree: {trace['error']}.")
        return [box]
    box += nodes.paragraph("", "What really ran, traced with strace: " + trace["summary"])
    if shutil.which("dot") is None:
        box += nodes.paragraph("", "(graphviz is not installed, so the picture was not drawn: apt-get install graphviz)")
        return [box]
    picture = graphviz()
    picture["code"] = trace["dot"]
    picture["options"] = {"docname": docname}
    picture["alt"] = "Process tree: " + trace["summary"]
    picture["classes"] = ["snippet-process-tree"]
    picture.line = line
    box += picture
    return [box]
