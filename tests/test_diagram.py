"""Tests for snippets.diagram: ProcessTree -> DOT source and a one-line summary."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from snippets.diagram import node_label, program_text, summary, to_dot
from snippets.trace import Ending, Exec, Process, ProcessTree, read_trace

FIXTURES = Path(__file__).parent / "fixtures" / "strace"


def load(name: str) -> ProcessTree:
    return read_trace(FIXTURES / f"{name}.trace")


def node_lines(dot: str) -> dict[str, str]:
    """Node name -> its whole DOT statement."""
    return {m.group(1): m.group(0) for m in re.finditer(r'^  "([^"]+)" \[label=.*$', dot, re.M)}


def edges(dot: str) -> list[tuple[str, str]]:
    return re.findall(r'^  "([^"]+)" -> "([^"]+)"', dot, re.M)


def test_one_node_per_process_and_one_edge_per_child() -> None:
    tree = load("fork_loop")
    dot = to_dot(tree)
    assert list(node_lines(dot)) == [proc.name for proc in tree]
    assert sorted(edges(dot)) == sorted((p.parent, p.name) for p in tree if p.parent is not None)
    assert "rankdir=TB" in dot


def test_same_tree_same_text_whatever_the_pids() -> None:
    tree = load("fork_loop")
    shifted = ProcessTree(
        processes=tuple(dataclasses.replace(p, pid=p.pid + 1000, started=None) for p in tree),
        complete=tree.complete,
    )
    assert shifted == tree
    assert to_dot(shifted) == to_dot(tree) == to_dot(load("fork_loop"))


def test_labels_name_program_and_ending() -> None:
    tree = load("fork_exec_ps")
    assert node_label(tree, tree.root) == ("parent", "./fork_exec_ps", "exit 0")
    assert node_label(tree, tree["child 1"]) == ("child 1", "ps -o pid,ppid,comm", "exit 0")
    loop = load("fork_loop")
    assert node_label(loop, loop["child 1.1"])[1] == "./fork_loop (no exec)"


def test_python_root_shows_script_not_its_directory() -> None:
    tree = load("subprocess_run")
    assert program_text(Exec("/usr/bin/python3", ("python3", "/abs/where/ever/main.py"))) == "python3 main.py"
    assert node_label(tree, tree.root)[1] == "python3 subprocess_run.py"


def test_zombie_has_its_own_shape_and_a_text_marker() -> None:
    tree = load("zombie")
    nodes = node_lines(to_dot(tree))
    assert "ZOMBIE" in nodes["child 1"] and "shape=octagon" in nodes["child 1"]
    assert "ZOMBIE" not in nodes["parent"] and "shape=box" in nodes["parent"]
    assert "exit 3" in nodes["child 1"]


def test_orphan_has_its_own_shape_a_marker_and_a_dashed_edge() -> None:
    tree = load("orphan")
    dot = to_dot(tree)
    nodes = node_lines(dot)
    assert "ORPHAN" in nodes["child 1"] and "shape=hexagon" in nodes["child 1"]
    assert "end not recorded" in nodes["child 1"]
    assert re.search(r'"parent" -> "child 1" \[style=dashed', dot)


def test_signal_and_threads_in_labels() -> None:
    tree = load("signals")
    assert node_label(tree, tree["child 2"])[2] == "killed by SIGSEGV"
    rust = FIXTURES / "spawn_rust.trace"
    if rust.exists():
        spawned = read_trace(rust)
        assert "+1 thread" in node_label(spawned, spawned.root)


def test_quotes_and_backslashes_are_escaped() -> None:
    proc = Process(name="parent", parent=None, children=(), execs=(Exec("/bin/sh", ("sh", "-c", 'echo "a\\b"')),),
                   ending=Ending("exit", code=0), reaped_by=None, zombie=False, orphaned=False)
    dot = to_dot(ProcessTree(processes=(proc,), complete=True))
    assert '\\"a\\\\b\\"' in dot


def test_long_programs_are_cut() -> None:
    text = program_text(Exec("/bin/echo", ("echo", "x" * 100)))
    assert len(text) <= 36 and text.endswith("…")


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz (dot) is not installed")
@pytest.mark.parametrize("name", ["fork_loop", "zombie", "orphan", "signals", "lock_hang", "subprocess_run"])
def test_graphviz_accepts_the_source(name: str) -> None:
    done = subprocess.run(["dot", "-Tsvg"], input=to_dot(load(name)).encode(), capture_output=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert b"<svg" in done.stdout


def test_summary_lists_names_and_problems() -> None:
    assert summary(load("fork_loop")) == (
        "8 processes: parent, child 1, child 1.1, child 1.1.1, child 1.2, child 2, child 2.1, child 3."
    )
    assert summary(load("zombie")) == (
        "2 processes: parent, child 1; child 1 was never reaped (a zombie until the parent exited)."
    )
    orphan = summary(load("orphan.no-detach"))
    assert orphan == "2 processes: parent, child 1; child 1 was orphaned (its parent ended first)."
    assert "child 2 was killed by SIGSEGV" in summary(load("signals"))
    assert summary(load("lock_hang")).endswith("parent and child 1 were still running when the trace stopped.")
