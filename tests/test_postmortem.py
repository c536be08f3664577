"""Tests for snippets.postmortem: /proc snapshot of hanging processes, explained in words."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from snippets.postmortem import SYSCALLS_X86_64, OpenFile, Snapshot, explain, snapshot

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

# -- real hangs, created by the test and cleaned up by it --------------------------------

READ_OWN_PIPE = """
import os
r, w = os.pipe()
os.read(r, 1)  # waits forever: this process still holds the write end w
"""

TWO_READERS = """
import os, signal
r, w = os.pipe()
child = os.fork()
if child == 0:
    os.read(r, 1)
    os._exit(0)

def stop(signum, frame):
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    os._exit(0)

signal.signal(signal.SIGTERM, stop)
os.read(r, 1)
"""

LOCK_TWICE = """
import threading
lock = threading.Lock()
lock.acquire()
lock.acquire()  # nobody else can release it
"""


@contextlib.contextmanager
def hanging(code: str) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``code`` in a new Python process; stop it (and its children) afterwards."""
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        yield proc
    finally:
        proc.terminate()  # TWO_READERS kills and reaps its own child on SIGTERM
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def settled(root: int, ready: Callable[[Snapshot], bool]) -> Snapshot:
    """Snapshot ``root`` once ``ready`` says every process got to where it blocks."""
    deadline = time.monotonic() + 20
    while True:
        snap = snapshot(root)
        if ready(snap) or time.monotonic() > deadline:
            return snap
        time.sleep(0.02)


def blocked_in(call: str, count: int = 1) -> Callable[[Snapshot], bool]:
    def ready(snap: Snapshot) -> bool:
        return len(snap.processes) == count and all(
            p.threads[0].syscall == call and p.state == "S" for p in snap.processes)
    return ready


def test_real_read_on_a_pipe_it_holds_itself() -> None:
    with hanging(READ_OWN_PIPE) as proc:
        snap = settled(proc.pid, blocked_in("read"))
        assert [p.pid for p in snap.processes] == [proc.pid]
        me = snap.processes[0]
        read_fd = int(me.threads[0].args[0])
        pipe = next(f for f in me.files if f.fd == read_fd)
        assert pipe.end == "read"
        write_fd = next(f.fd for f in me.files if f.pipe == pipe.pipe and f.end == "write")
        sentences = explain(snap)
    assert proc.poll() is not None
    assert (f"The parent is blocked in `read` on pipe A (fd {read_fd}); pipe A's write end is "
            f"still open in the parent itself (fd {write_fd}).") in sentences


def test_real_two_processes_hold_the_same_pipe() -> None:
    with hanging(TWO_READERS) as proc:
        snap = settled(proc.pid, blocked_in("read", count=2))
        parent, child = snap.processes
        assert child.ppid == parent.pid
        fd_r = int(parent.threads[0].args[0])
        fd_w = next(f.fd for f in parent.files if f.end == "write")
        sentences = explain(snap)
    assert proc.poll() is not None
    assert not Path(f"/proc/{child.pid}").exists()  # the child was reaped, not left behind
    holders = f"pipe A's write end is still open in the parent itself (fd {fd_w}) and child 1 (fd {fd_w})"
    assert f"The parent is blocked in `read` on pipe A (fd {fd_r}); {holders}." in sentences
    assert any(s.startswith(f"Child 1 is blocked in `read` on pipe A (fd {fd_r})") for s in sentences)
    assert sentences[0] == ("When the time limit was reached, 2 processes of the example were left: "
                            f"the parent ({parent.comm}) and child 1 ({child.comm}).")


def test_real_futex_hang() -> None:
    with hanging(LOCK_TWICE) as proc:
        snap = settled(proc.pid, blocked_in("futex"))
        sentences = explain(snap)
    assert proc.poll() is not None
    assert any(s.startswith("The parent is blocked in `futex`: waiting for a lock or condition "
                            "that nobody will release") for s in sentences)


def test_a_process_that_is_gone_leaves_an_empty_snapshot() -> None:
    snap = snapshot(2**22 + 12345)  # above the kernel's largest pid_max: never a process
    assert snap.processes == ()
    assert explain(snap) == ["No process of the example was left when the time limit was reached."]


@pytest.mark.skipif(not Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h").exists(),
                    reason="no x86_64 kernel headers to compare the syscall table with")
def test_syscall_table_matches_the_kernel_header() -> None:
    header = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h").read_text()
    numbers = {name: int(nr) for name, nr in re.findall(r"#define __NR_(\w+) (\d+)", header)}
    for number, name in SYSCALLS_X86_64.items():
        assert numbers[name] == number, name


# -- a made-up /proc, for situations a test cannot create cheaply ------------------------


def make_process(proc: Path, pid: int, ppid: int, comm: str, *, state: str = "S",
                 syscall: str = "running", ns_pid: int | None = None, started: int = 100,
                 fds: dict[int, tuple[str, int]] | None = None,
                 threads: list[tuple[int, str, str]] | None = None) -> None:
    """One /proc/PID tree; fds maps fd -> (link target, open flags); threads (tid, state, syscall)."""
    base = proc / str(pid)
    base.mkdir(parents=True)
    fields = [state, str(ppid), *["0"] * 17, str(started), "0", "0"]
    (base / "stat").write_text(f"{pid} ({comm}) {' '.join(fields)}\n")
    (base / "status").write_text(f"Name:\t{comm}\nNSpid:\t{pid}\t{ns_pid or pid}\n")
    (base / "cmdline").write_bytes(comm.encode() + b"\0")
    for tid, tstate, tcall in threads or [(pid, state, syscall)]:
        task = base / "task" / str(tid)
        task.mkdir(parents=True)
        (task / "stat").write_text(f"{tid} ({comm}) {' '.join([tstate, *fields[1:]])}\n")
        (task / "syscall").write_text(tcall + "\n")
        (task / "wchan").write_text("0")
    (base / "fd").mkdir()
    (base / "fdinfo").mkdir()
    for fd, (target, flags) in (fds or {}).items():
        os.symlink(target, base / "fd" / str(fd))
        (base / "fdinfo" / str(fd)).write_text(f"pos:\t0\nflags:\t0{flags:o}\nmnt_id:\t15\n")


R, W = 0o0, 0o1  # O_RDONLY, O_WRONLY
OUT = {1: ("pipe:[500]", W), 2: ("pipe:[500]", W)}


def call(number: int, *args: int) -> str:
    return " ".join([str(number), *(hex(a) for a in args), "0x7ffd0000", "0x7f000000"])


def test_pipes_are_lettered_by_first_appearance_and_stdout_is_not(tmp_path: Path) -> None:
    make_process(tmp_path, 10, 1, "bwrap", fds=OUT, syscall=call(61, 2**64 - 1, 0, 0, 0, 0, 0))
    make_process(tmp_path, 11, 10, "main", ns_pid=2, started=200, syscall=call(0, 5, 0, 1, 0, 0, 0),
                 fds={**OUT, 3: ("pipe:[700]", R), 4: ("pipe:[700]", W), 5: ("pipe:[600]", R)})
    make_process(tmp_path, 12, 11, "main", ns_pid=7, started=300, syscall=call(0, 3, 0, 1, 0, 0, 0),
                 fds={**OUT, 3: ("pipe:[700]", R), 4: ("pipe:[700]", W), 6: ("pipe:[600]", W)})
    sentences = explain(snapshot(10, proc=tmp_path))
    assert sentences[:3] == [
        "When the time limit was reached, 2 processes of the example were left: "
        "the parent (main) and child 1 (main).",
        "The parent is blocked in `read` on pipe B (fd 5); pipe B's write end is still open in "
        "child 1 (fd 6).",
        "Child 1 is blocked in `read` on pipe A (fd 3); pipe A's write end is still open in "
        "the parent (fd 4) and child 1 itself (fd 4).",
    ]
    assert not any("bwrap" in s for s in sentences)


def test_wait_for_children_and_a_zombie(tmp_path: Path) -> None:
    make_process(tmp_path, 20, 1, "main", ns_pid=2, syscall=call(61, 2**64 - 1, 0, 0, 0, 0, 0), fds=OUT)
    make_process(tmp_path, 21, 20, "main", ns_pid=7, state="Z", started=200)
    make_process(tmp_path, 22, 20, "main", ns_pid=8, started=300, syscall=call(35, 0, 0, 0, 0, 0, 0))
    sentences = explain(snapshot(20, proc=tmp_path))
    assert sentences[1:] == [
        "The parent is blocked in `wait4`, waiting for any of its children to end (child 2 still alive).",
        "Child 1 is a zombie: it has ended, but the parent has not waited for it yet.",
        "Child 2 is sleeping in `nanosleep`.",
    ]


def test_wait_for_one_child_named_from_a_trace(tmp_path: Path) -> None:
    make_process(tmp_path, 20, 1, "main", ns_pid=2, syscall=call(61, 8, 0, 0, 0, 0, 0), fds=OUT)
    make_process(tmp_path, 22, 20, "main", ns_pid=8, started=300, syscall=call(202, 0, 0, 0, 0, 0, 0))
    snap = snapshot(20, proc=tmp_path)
    assert explain(snap)[1] == "The parent is blocked in `wait4`, waiting for child 1 to end."
    # Names from a trace of the same run (child 1 already ended, so this is child 2).
    named = explain(snap, names={2: "parent", 8: "child 2", 7: "child 1"})
    assert named[1] == "The parent is blocked in `wait4`, waiting for child 2 to end."
    assert named[2].startswith("Child 2 is blocked in `futex`")
    # A mapping that misses a process is not used at all.
    assert explain(snap, names={2: "parent"}) == explain(snap)


def test_write_on_a_full_pipe(tmp_path: Path) -> None:
    make_process(tmp_path, 30, 1, "main", syscall=call(1, 4, 0, 65536, 0, 0, 0),
                 fds={**OUT, 3: ("pipe:[800]", R), 4: ("pipe:[800]", W), 5: ("/dev/null", R)})
    sentences = explain(snapshot(30, proc=tmp_path))
    assert sentences[1] == ("The parent is blocked in `write` on pipe A (fd 4), waiting for room in the "
                            "full pipe; pipe A's read end is open in the parent itself (fd 3).")


def test_threads_running_and_orphans(tmp_path: Path) -> None:
    make_process(tmp_path, 40, 1, "snippets-init", fds=OUT, syscall=call(61, 2**64 - 1, 0, 0, 0, 0, 0))
    make_process(tmp_path, 41, 40, "main", started=200, fds=OUT,
                 threads=[(41, "S", call(202, 0, 0, 0, 0, 0, 0)), (45, "R", "running")])
    make_process(tmp_path, 43, 40, "sleep", started=300, syscall=call(230, 0, 0, 0, 0, 0, 0))
    sentences = explain(snapshot(40, proc=tmp_path))
    assert sentences[1:] == [
        "The parent is blocked in `futex`: waiting for a lock or condition that another thread must "
        "release (or for another thread to finish).",
        "The parent's thread 2 is running (state R): it is computing, not waiting in a system call.",
        "Orphan 1 is sleeping in `clock_nanosleep`.",
        "Orphan 1's parent ended first, so the sandbox adopted it (it is an orphan).",
    ]


def test_open_file_ends() -> None:
    assert OpenFile(3, "pipe:[12]", "r").end == "read"
    assert OpenFile(4, "pipe:[12]", "w").pipe == 12
    assert OpenFile(4, "pipe:[12]", "w").end == "write"
    assert OpenFile(5, "/dev/null", "rw").pipe is None
