"""The checked-in expectation beside each example (`main.c.out`): write it, read it, diff it."""

from __future__ import annotations

import difflib
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from .normalize import normalize
from .outcome import Execution, Step, observed, signal_name

if TYPE_CHECKING:
    from collections.abc import Sequence


def path_for(example_file: Path) -> Path:
    """`examples/x/main.c` -> `examples/x/main.c.out`."""
    return example_file.with_name(example_file.name + ".out")


def outcome_line(step: Step) -> str:
    """The bracketed last line(s) of a step, as in the Rust Book's listings."""
    notes = []
    if step.timed_out:
        notes.append(f"[timed out after {step.timeout:g} s]")
    elif step.exec_error:
        notes.append(f"[could not run: {step.exec_error}]")
    elif step.signal is not None:
        notes.append(f"[killed by signal {signal_name(step.signal)}]")
    else:
        notes.append(f"[exit status {step.exit_code}]")
    if step.truncated:
        notes.append("[output truncated]")
    if step.left_running and not step.timed_out:
        notes.append(f"[{_count(step.left_running, 'process')} still running at exit: killed]")
    if step.zombies:
        notes.append(f"[{_count(step.zombies, 'zombie')} never waited for]")
    notes.extend(f"[hit the sandbox's {limit} limit]" for limit in step.limits_hit)
    return "\n".join(notes)


def _count(n: int, word: str) -> str:
    plural = {"process": "processes", "zombie": "zombies"}[word]
    return f"1 {word}" if n == 1 else f"{n} {plural}"


def step_text(step: Step, names: tuple[str, ...], extra: tuple[tuple[str, str, str], ...]) -> str:
    """One command, its normalised output and its outcome."""
    body = normalize(step.output, names, extra)
    if body and not body.endswith("\n"):
        body += "\n[no newline at end of output]\n"
    return f"$ {step.display}\n{body}{outcome_line(step)}\n"


def render(execution: Execution, run_index: int, names: tuple[str, ...],
           extra: tuple[tuple[str, str, str], ...] = ()) -> str:
    """The expectation text for one run of an execution."""
    parts = []
    if execution.compile is not None:
        compile_step = execution.compile
        if compile_step.exit_code == 0:
            body = normalize(compile_step.output, names, extra)
            parts.append(f"$ {compile_step.display}\n{body}")
        else:
            parts.append(step_text(compile_step, names, extra) + "[compile error]\n")
    if not execution.compile_failed and execution.runs:
        parts.append(step_text(execution.runs[run_index], names, extra))
    if not parts:
        parts.append(f"[{observed(execution).describe()}]\n")
    return "".join(parts)


def diff(expected: str, actual: str, *, any_order: bool, label: str) -> list[str]:
    """Unified diff lines, empty when they agree (ignoring line order if asked)."""
    if expected == actual:
        return []
    if any_order and Counter(expected.splitlines()) == Counter(actual.splitlines()):
        return []
    return list(difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                     f"{label} (expected)", f"{label} (this run)", lineterm=""))


def variants(texts: Sequence[str], *, any_order: bool) -> Counter[str]:
    """Distinct outputs among several runs (by sorted lines when order does not matter)."""
    if any_order:
        return Counter("\n".join(sorted(t.splitlines())) for t in texts)
    return Counter(texts)
