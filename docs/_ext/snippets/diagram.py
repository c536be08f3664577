"""Draw a traced ProcessTree as graphviz DOT source and summarise it in one sentence."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .trace import Exec, Process, ProcessTree

#: Longest program text shown in a node before it is cut with an ellipsis.
MAX_PROGRAM = 36

# Colour is never the only signal: every highlighted node also has its own shape, a
# dashed or bold border and a text line saying what is wrong.
_NORMAL = 'shape=box, style="rounded,filled", fillcolor="#eef4fb", color="#4a6f96"'
_ZOMBIE = 'shape=octagon, style="filled,bold", fillcolor="#f9d6d5", color="#a4161a"'
_ORPHAN = 'shape=hexagon, style="filled,dashed", fillcolor="#fff1c2", color="#8a6100"'
_UNKNOWN = 'shape=box, style="rounded,filled,dotted", fillcolor="#eeeeee", color="#555555"'


def _quote(*lines: str) -> str:
    """A DOT double-quoted string, the lines joined by centred line breaks."""
    escaped = (line.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") for line in lines)
    return '"' + "\\n".join(escaped) + '"'


def _short_arg(arg: str) -> str:
    return posixpath.basename(arg) if arg.startswith("/") and len(arg) > 1 else arg


def program_text(program: Exec) -> str:
    """``main``, ``python3 main.py``, ``ps -o pid``: absolute paths are cut to their last
    part so that the picture does not depend on where the examples live."""
    words = [_short_arg(program.argv[0] if program.argv else program.path)]
    words += [_short_arg(arg) for arg in program.argv[1:]]
    text = " ".join(words)
    if len(text) > MAX_PROGRAM:
        text = text[: MAX_PROGRAM - 1] + "…"
    return text


def _runs(tree: ProcessTree, proc: Process) -> str:
    """The program line of a node: what it exec'd, or the program it inherited by fork."""
    if proc.program is not None:
        return program_text(proc.program)
    ancestor: Process | None = proc
    while ancestor is not None and ancestor.program is None:
        ancestor = tree[ancestor.parent] if ancestor.parent is not None else None
    if ancestor is None or ancestor.program is None:
        return "(no exec)"
    inherited = program_text(ancestor.program)
    if len(inherited) > MAX_PROGRAM - 10:
        inherited = inherited[: MAX_PROGRAM - 11] + "…"
    return f"{inherited} (no exec)"


def _marker(proc: Process) -> str | None:
    if proc.zombie:
        return "ZOMBIE: never reaped"
    if proc.orphaned:
        return "ORPHAN: parent ended first"
    return None


def node_label(tree: ProcessTree, proc: Process) -> tuple[str, ...]:
    """The node's text lines: name, program, ending, then any warning marker."""
    lines = [proc.name, _runs(tree, proc), str(proc.ending)]
    if proc.reaped_by is not None and proc.reaped_by != proc.parent:
        lines.append(f"reaped by {proc.reaped_by}")
    if proc.threads:
        lines.append(f"+{proc.threads} thread{'s' if proc.threads > 1 else ''}")
    marker = _marker(proc)
    if marker:
        lines.append(marker)
    return tuple(lines)


def _style(proc: Process) -> str:
    if proc.zombie:
        return _ZOMBIE
    if proc.orphaned:
        return _ORPHAN
    if proc.ending.kind == "unknown":
        return _UNKNOWN
    return _NORMAL


def to_dot(tree: ProcessTree, graph_name: str = "processes") -> str:
    """DOT source of a top-down tree, one node per process; same tree, same text."""
    out = [
        f"digraph {_quote(graph_name)} {{",
        "  rankdir=TB;",
        '  node [fontname="sans-serif", fontsize=11];',
        '  edge [color="#4a6f96", fontname="sans-serif", fontsize=9];',
    ]
    for proc in tree:
        out.append(f"  {_quote(proc.name)} [label={_quote(*node_label(tree, proc))}, {_style(proc)}];")
    for proc in tree:
        for child_name in proc.children:
            child = tree[child_name]
            style = ' [style=dashed, label=" orphaned"]' if child.orphaned else ""
            out.append(f"  {_quote(proc.name)} -> {_quote(child_name)}{style};")
    out.append("}")
    return "\n".join(out) + "\n"


def _the(name: str | None) -> str:
    return "the parent" if name == "parent" else str(name)


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def summary(tree: ProcessTree) -> str:
    """One line, e.g. ``4 processes: parent, child 1, child 1.1, child 2; child 2 was never
    reaped (a zombie until the parent exited).``"""
    names = [proc.name for proc in tree]
    count = len(names)
    text = f"{count} process{'es' if count != 1 else ''}: {', '.join(names)}"
    notes: list[str] = []
    zombies = [proc for proc in tree if proc.zombie]
    if zombies:
        for parent in dict.fromkeys(proc.parent for proc in zombies):
            mine = [proc.name for proc in zombies if proc.parent == parent]
            verb = "was" if len(mine) == 1 else "were"
            notes.append(f"{_join(mine)} {verb} never reaped (a zombie until {_the(parent)} exited)")
    orphans = [proc.name for proc in tree if proc.orphaned]
    if len(orphans) == 1:
        notes.append(f"{orphans[0]} was orphaned (its parent ended first)")
    elif orphans:
        notes.append(f"{_join(orphans)} were orphaned (their parents ended first)")
    for proc in tree:
        if proc.ending.kind == "signal":
            notes.append(f"{proc.name} was {proc.ending}")
    unknown = [proc.name for proc in tree if proc.ending.kind == "unknown"]
    if unknown:
        verb = "was" if len(unknown) == 1 else "were"
        notes.append(f"{_join(unknown)} {verb} still running when the trace stopped")
    return text + ("; " + "; ".join(notes) if notes else "") + "."
