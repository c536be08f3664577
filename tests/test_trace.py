"""Tests for snippets.trace: strace logs of real runs -> a tree of named processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from snippets.trace import (
    STRACE_OPTIONS,
    Ending,
    OutputLine,
    ProcessTree,
    TraceError,
    lines_by_process,
    parse_trace,
    read_trace,
    strace_argv,
)

FIXTURES = Path(__file__).parent / "fixtures" / "strace"


def load(name: str) -> ProcessTree:
    return read_trace(FIXTURES / f"{name}.trace")


def output(name: str) -> tuple[OutputLine, ...]:
    return lines_by_process((FIXTURES / f"{name}.trace").read_text())


def shape(tree: ProcessTree) -> dict[str, tuple[str, ...]]:
    return {proc.name: proc.children for proc in tree}


# -- fixtures captured from real runs (see tests/fixtures/strace/README.md) -------------


def test_fork_loop_names_every_process_by_creation_order() -> None:
    tree = load("fork_loop")
    assert shape(tree) == {
        "parent": ("child 1", "child 2", "child 3"),
        "child 1": ("child 1.1", "child 1.2"),
        "child 1.1": ("child 1.1.1",),
        "child 1.1.1": (),
        "child 1.2": (),
        "child 2": ("child 2.1",),
        "child 2.1": (),
        "child 3": (),
    }
    assert tree.complete
    assert tree.root.name == "parent" and tree.root.parent is None
    for proc in tree:
        assert proc.ending == Ending("exit", code=0)
        assert not proc.zombie and not proc.orphaned
        assert proc.execs == () or proc is tree.root
        if proc.parent is not None:
            assert proc.reaped_by == proc.parent


def test_fork_loop_order_is_depth_first() -> None:
    names = [proc.name for proc in load("fork_loop")]
    assert names == ["parent", "child 1", "child 1.1", "child 1.1.1", "child 1.2",
                     "child 2", "child 2.1", "child 3"]


def test_fork_loop_every_child_that_printed_is_in_the_tree() -> None:
    tree = load("fork_loop")
    printers = {line.process for line in output("fork_loop")}
    # The parent prints nothing itself; every child inherits and flushes output.
    assert printers == {proc.name for proc in tree} - {"parent"}


def test_zombie_is_marked_and_not_reaped() -> None:
    tree = load("zombie")
    child = tree["child 1"]
    assert child.ending == Ending("exit", code=3)
    assert child.zombie
    assert child.reaped_by is None
    assert not child.orphaned
    assert not tree.root.zombie


def test_orphan_killed_with_the_box_has_no_recorded_end() -> None:
    tree = load("orphan")
    child = tree["child 1"]
    assert child.orphaned
    assert not child.zombie
    assert child.ending.kind == "unknown"
    assert not tree.complete


def test_orphan_without_detach_outlives_its_parent() -> None:
    tree = load("orphan.no-detach")
    child = tree["child 1"]
    assert child.orphaned
    assert child.ending == Ending("exit", code=0)
    assert child.reaped_by is None
    assert not child.zombie
    lines = lines_by_process((FIXTURES / "orphan.no-detach.trace").read_text())
    assert [line.process for line in lines] == ["parent", "child 1"]
    assert lines[1].text.startswith("orphan: ppid=")


def test_fork_exec_keeps_only_the_successful_exec() -> None:
    tree = load("fork_exec_ps")
    child = tree["child 1"]
    assert len(child.execs) == 1
    assert child.program is not None
    assert child.program.argv == ("ps", "-o", "pid,ppid,comm")
    assert child.program.path.endswith("/ps")
    assert child.reaped_by == "parent"
    assert tree.root.program is not None and tree.root.program.argv == ("./fork_exec_ps",)


def test_fork_exec_output_lines_belong_to_their_writer() -> None:
    lines = output("fork_exec_ps")
    assert lines[0].process == "child 1" and "PID" in lines[0].text
    assert lines[-1] == OutputLine("parent", 1, "ps exited with 0")
    assert {line.process for line in lines[:-1]} == {"child 1"}


@pytest.mark.parametrize("name", ["signals", "signals.signal-none"])
def test_signals_and_both_wait_calls(name: str) -> None:
    tree = load(name)
    assert tree["child 1"].ending == Ending("signal", signal="SIGTERM")
    assert tree["child 2"].ending == Ending("signal", signal="SIGSEGV")
    assert tree["child 1"].reaped_by == "parent"  # by waitid
    assert tree["child 2"].reaped_by == "parent"  # by wait4
    assert not any(proc.orphaned or proc.zombie for proc in tree)


def test_signal_none_really_drops_killed_lines() -> None:
    """Why STRACE_OPTIONS keeps signals: with signal=none strace hides the kill itself."""
    assert "+++ killed by" not in (FIXTURES / "signals.signal-none.trace").read_text()
    assert "+++ killed by" in (FIXTURES / "signals.trace").read_text()


def test_hang_cut_short_mid_line() -> None:
    text = (FIXTURES / "lock_hang.trace").read_text()
    assert not text.endswith("\n")  # strace was killed while writing a line
    tree = parse_trace(text)
    assert not tree.complete
    assert [proc.name for proc in tree] == ["parent", "child 1"]
    assert tree.root.threads == 1
    assert all(proc.ending.kind == "unknown" for proc in tree)
    assert not any(proc.zombie or proc.orphaned for proc in tree)


def test_python_subprocess_run_vfork_and_exec() -> None:
    tree = load("subprocess_run")
    assert shape(tree) == {"parent": ("child 1",), "child 1": ()}
    assert tree.root.program is not None and tree.root.program.argv[0] == "python3"
    child = tree["child 1"]
    assert child.program is not None and child.program.argv == ("echo", "hello from echo")
    assert child.reaped_by == "parent"
    assert output("subprocess_run") == (
        OutputLine("child 1", 1, "hello from echo"),
        OutputLine("parent", 2, "to stderr"),
        OutputLine("parent", 1, "returncode 0"),
    )


def test_rust_spawn_thread_is_not_a_process() -> None:
    path = FIXTURES / "spawn_rust.trace"
    if not path.exists():
        pytest.skip("rustc was not available when the fixtures were captured")
    tree = read_trace(path)
    assert [proc.name for proc in tree] == ["parent", "child 1"]
    assert tree.root.threads == 1
    assert tree["child 1"].program is not None
    assert tree["child 1"].program.argv == ("echo", "hi")


def test_pids_do_not_count_in_equality() -> None:
    tree = load("fork_loop")
    again = load("fork_loop")
    assert tree == again
    assert tree.by_pid(tree.root.pid) is tree.root
    assert tree.names_by_pid()[tree.root.pid] == "parent"


# -- parsing details ---------------------------------------------------------------------


def test_string_escapes_and_bracketed_pids() -> None:
    text = (
        '[pid  7] 1.0 execve("/bin/x", ["x", "a, \\"b)\\" = 1", "\\303\\251"], 0x1 /* 2 vars */) = 0\n'
        '[pid  7] 1.1 write(1, "caf\\303\\251\\tok\\n", 8) = 8\n'
        "[pid  7] 1.2 exit_group(0) = ?\n"
        "[pid  7] 1.3 +++ exited with 0 +++\n"
    )
    tree = parse_trace(text)
    assert tree.root.program is not None
    assert tree.root.program.argv == ("x", 'a, "b)" = 1', "é")
    assert lines_by_process(text) == (OutputLine("parent", 1, "café\tok"),)


def test_not_a_trace() -> None:
    with pytest.raises(TraceError):
        parse_trace("")
    with pytest.raises(TraceError):
        parse_trace("hello\nworld\n")


def test_strace_argv_is_what_the_fixtures_used() -> None:
    argv = strace_argv("/tmp/trace.txt")
    assert argv[0] == "strace" and argv[-1] == "--"
    assert argv[-3:-1] == ("-o", "/tmp/trace.txt")
    assert "-q" in argv and "-qq" not in argv  # -qq hides "+++ exited with N +++"
    assert not any("signal=" in arg for arg in argv)
    capture = (FIXTURES / "capture.sh").read_text()
    assert f'OPTIONS="{" ".join(STRACE_OPTIONS)}"' in capture


# -- real runs ---------------------------------------------------------------------------

REAPED_LATE = """
import os, time
first = os.fork()
if first == 0:
    os._exit(3)
second = os.fork()
if second == 0:
    os.execvp("true", ["true"])
os.waitpid(second, 0)
time.sleep(0.2)
os.waitpid(first, 0)
print("parent done", flush=True)
"""

LEFT_BEHIND = """
import os, time
if os.fork() == 0:
    os._exit(3)
if os.fork() == 0:
    time.sleep(30)
    os._exit(0)
child = os.fork()
if child == 0:
    os.execvp("true", ["true"])
os.waitpid(child, 0)
time.sleep(0.3)
print("parent done", flush=True)
"""


def _strace_works() -> str | None:
    """None if strace can trace here, else why not."""
    if shutil.which("strace") is None:
        return "strace is not installed"
    probe = subprocess.run(["strace", "-f", "-q", "-o", "/dev/null", "--", "true"],
                           capture_output=True, timeout=30, check=False)
    if probe.returncode != 0:
        return f"strace cannot trace here: {probe.stderr.decode(errors='replace').strip()}"
    return None


@pytest.fixture(scope="module")
def strace_ok() -> None:
    reason = _strace_works()
    if reason:
        pytest.skip(reason)


def test_real_strace_run(tmp_path: Path, strace_ok: None) -> None:
    # Without -D here: a detached tracer outside a PID namespace would outlive the test.
    trace = tmp_path / "trace.txt"
    argv = [arg for arg in strace_argv(str(trace)) if arg != "-D"]
    done = subprocess.run([*argv, sys.executable, "-c", REAPED_LATE], cwd=tmp_path,
                          capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    tree = read_trace(trace)
    assert tree.complete
    assert shape(tree) == {"parent": ("child 1", "child 2"), "child 1": (), "child 2": ()}
    assert tree["child 1"].ending == Ending("exit", code=3)
    assert tree["child 1"].reaped_by == "parent" and not tree["child 1"].zombie
    assert tree["child 2"].program is not None and tree["child 2"].program.argv == ("true",)
    assert lines_by_process(trace.read_text())[-1] == OutputLine("parent", 1, "parent done")


def _bwrap_works() -> str | None:
    if shutil.which("bwrap") is None:
        return "bwrap is not installed"
    probe = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-pid", "--", "true"],
                           capture_output=True, timeout=30, check=False)
    if probe.returncode != 0:
        return f"bwrap cannot make a PID namespace here: {probe.stderr.decode(errors='replace').strip()}"
    return None


def test_real_strace_inside_bwrap(tmp_path: Path, strace_ok: None) -> None:
    reason = _bwrap_works()
    if reason:
        pytest.skip(reason)
    (tmp_path / "main.py").write_text(LEFT_BEHIND)
    box = [
        "bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
        "--bind", str(tmp_path), "/tmp/box", "--unshare-pid", "--unshare-net",
        "--die-with-parent", "--chdir", "/tmp/box", "--",
    ]
    # The system interpreter: a venv under /tmp (CI's clone may live there) is hidden by the box's tmpfs.
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    done = subprocess.run([*box, *strace_argv("/tmp/box/trace.txt"), python, "main.py"],
                          capture_output=True, timeout=60, check=False,
                          env={"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"})
    assert done.returncode == 0, done.stderr
    assert b"parent done" in done.stdout
    tree = read_trace(tmp_path / "trace.txt")
    # The namespace's init is bwrap (1); with -D the traced program keeps PID 2.
    assert tree.root.pid == 2
    assert shape(tree) == {"parent": ("child 1", "child 2", "child 3"),
                           "child 1": (), "child 2": (), "child 3": ()}
    assert tree["child 1"].zombie and tree["child 1"].ending == Ending("exit", code=3)
    # The box ends with its main process, which kills the orphan before it can exit.
    assert tree["child 2"].orphaned and tree["child 2"].ending.kind == "unknown"
    assert tree["child 3"].reaped_by == "parent"
    assert tree["child 3"].program is not None and tree["child 3"].program.argv == ("true",)


def test_real_runs_give_equal_trees(tmp_path: Path, strace_ok: None) -> None:
    trees = []
    argv = [arg for arg in strace_argv("") if arg != "-D"]
    for run in range(2):
        trace = tmp_path / f"trace{run}.txt"
        argv[argv.index("-o") + 1] = str(trace)
        subprocess.run([*argv, sys.executable, "-c", REAPED_LATE], cwd=tmp_path,
                       capture_output=True, timeout=60, check=True)
        trees.append(read_trace(trace))
        time.sleep(0.01)
    assert trees[0] == trees[1]
    assert trees[0].root.pid != trees[1].root.pid
