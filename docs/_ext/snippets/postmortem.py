"""Snapshot a hanging example's processes from /proc and explain in words what each waits for."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

#: Process names (comm) of the sandbox's own processes: recorded, never explained.
MACHINERY: frozenset[str] = frozenset({"bwrap", "snippets-init", "strace", "timeout"})

#: x86_64 numbers of the system calls a hanging example is likely to sit in
#: (from asm/unistd_64.h; a test checks them against the header when it is installed).
SYSCALLS_X86_64: dict[int, str] = {
    0: "read", 1: "write", 2: "open", 3: "close", 7: "poll", 8: "lseek", 9: "mmap",
    14: "rt_sigprocmask", 15: "rt_sigreturn", 16: "ioctl", 17: "pread64", 18: "pwrite64",
    19: "readv", 20: "writev", 22: "pipe", 23: "select", 24: "sched_yield", 33: "dup2",
    34: "pause", 35: "nanosleep", 40: "sendfile", 42: "connect", 43: "accept", 44: "sendto",
    45: "recvfrom", 46: "sendmsg", 47: "recvmsg", 48: "shutdown", 56: "clone", 57: "fork",
    58: "vfork", 59: "execve", 60: "exit", 61: "wait4", 62: "kill", 65: "semop", 69: "msgsnd",
    70: "msgrcv", 72: "fcntl", 73: "flock", 74: "fsync", 75: "fdatasync",
    128: "rt_sigtimedwait", 130: "rt_sigsuspend", 200: "tkill", 202: "futex",
    219: "restart_syscall", 220: "semtimedop", 230: "clock_nanosleep", 231: "exit_group",
    232: "epoll_wait", 234: "tgkill", 242: "mq_timedsend", 243: "mq_timedreceive", 247: "waitid",
    257: "openat", 270: "pselect6", 271: "ppoll", 275: "splice", 276: "tee", 278: "vmsplice",
    281: "epoll_pwait", 288: "accept4", 293: "pipe2", 295: "preadv", 296: "pwritev",
    299: "recvmmsg", 307: "sendmmsg", 318: "getrandom", 326: "copy_file_range", 327: "preadv2",
    328: "pwritev2", 426: "io_uring_enter", 434: "pidfd_open", 435: "clone3",
    441: "epoll_pwait2", 449: "futex_waitv",
}

_STATES = {
    "R": "running", "S": "sleeping", "D": "in uninterruptible sleep", "Z": "a zombie",
    "T": "stopped", "t": "stopped by its tracer", "X": "dead", "I": "idle",
}
_READS = frozenset({"read", "readv", "pread64", "preadv", "preadv2", "recvfrom", "recvmsg", "recvmmsg"})
_WRITES = frozenset({"write", "writev", "pwrite64", "pwritev", "pwritev2", "sendto", "sendmsg",
                     "sendmmsg", "splice", "vmsplice", "tee"})
_POLLS = frozenset({"poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait", "epoll_pwait2"})
_SLEEPS = frozenset({"nanosleep", "clock_nanosleep"})
_SIGNAL_WAITS = frozenset({"pause", "rt_sigsuspend", "rt_sigtimedwait"})


def syscall_name(number: int) -> str:
    """Name of a system call number on this machine, or ``syscall N`` if not in the table."""
    if platform.machine() in {"x86_64", "amd64"} and number in SYSCALLS_X86_64:
        return SYSCALLS_X86_64[number]
    return f"syscall {number}"


@dataclass(frozen=True)
class OpenFile:
    """One open file descriptor of a process."""

    fd: int
    """The descriptor number."""
    target: str
    """What it refers to, as /proc/PID/fd shows it: ``pipe:[1234]``, ``/dev/null``, ``socket:[9]``."""
    access: Literal["r", "w", "rw"]
    """Opened for reading, writing or both (O_ACCMODE of /proc/PID/fdinfo flags)."""

    @property
    def pipe(self) -> int | None:
        """Inode number identifying the pipe, when this is a pipe."""
        if self.target.startswith("pipe:[") and self.target.endswith("]"):
            return int(self.target[6:-1])
        return None

    @property
    def end(self) -> Literal["read", "write"] | None:
        """Which end of a pipe this is (a pipe end is opened read-only or write-only)."""
        if self.pipe is None:
            return None
        return "write" if self.access == "w" else "read" if self.access == "r" else None


@dataclass(frozen=True)
class ThreadState:
    """One thread of a process at the moment of the snapshot."""

    tid: int
    """Thread id (host namespace)."""
    state: str
    """Kernel state letter: R, S, D, Z, T, t."""
    syscall: str | None
    """System call it is blocked in (``read``), or None when running or not in one."""
    args: tuple[int, ...]
    """Raw arguments of that system call, as unsigned numbers."""
    wchan: str
    """Kernel function it sleeps in (/proc/PID/wchan), or ``""``."""


@dataclass(frozen=True)
class ProcessState:
    """One process at the moment of the snapshot."""

    pid: int
    """PID in the host namespace (the one /proc shows the engine)."""
    ns_pid: int
    """PID as the example sees it (innermost namespace), matching strace's PIDs."""
    ppid: int
    """Parent's host PID."""
    comm: str
    """Command name (at most 15 characters)."""
    argv: tuple[str, ...]
    """Command line."""
    state: str
    """Kernel state letter of the main thread."""
    started: int
    """Start time in clock ticks after boot; orders siblings by creation."""
    threads: tuple[ThreadState, ...]
    """Its threads, the main thread first."""
    files: tuple[OpenFile, ...]
    """Open file descriptors in ascending order."""


@dataclass(frozen=True)
class Snapshot:
    """Every process below a root at one moment."""

    root: int
    """Host PID the snapshot started from (normally the sandbox's outermost process)."""
    processes: tuple[ProcessState, ...]
    """The root's descendants (the root itself first if still alive), parents before children."""


# -- reading /proc ----------------------------------------------------------------------


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return None


def _stat(proc: Path, pid: str) -> tuple[int, str, str, int] | None:
    """(ppid, state, comm, starttime) from /proc/PID/stat."""
    raw = _read(proc / pid / "stat")
    if raw is None or ")" not in raw:
        return None
    comm = raw[raw.find("(") + 1: raw.rfind(")")]
    fields = raw[raw.rfind(")") + 2:].split()
    if len(fields) < 20:
        return None
    return int(fields[1]), fields[0], comm, int(fields[19])


def _syscall(path: Path) -> tuple[str | None, tuple[int, ...]]:
    raw = _read(path / "syscall")
    if not raw:
        return None, ()
    words = raw.split()
    if words[0] in {"running", "-1"} or not words[0].lstrip("-").isdigit():
        return None, ()
    return syscall_name(int(words[0])), tuple(int(word, 16) for word in words[1:7])


def _thread(path: Path, tid: int) -> ThreadState:
    status = _read(path / "stat") or ""
    state = status[status.rfind(")") + 2:].split(" ", 1)[0] if ")" in status else "?"
    name, args = _syscall(path) if state != "Z" else (None, ())
    wchan = (_read(path / "wchan") or "").strip()
    return ThreadState(tid=tid, state=state, syscall=name, args=args, wchan="" if wchan == "0" else wchan)


def _files(path: Path) -> tuple[OpenFile, ...]:
    try:
        fds = sorted(int(entry) for entry in os.listdir(path / "fd") if entry.isdigit())
    except OSError:
        return ()
    files: list[OpenFile] = []
    for fd in fds:
        try:
            target = os.readlink(path / "fd" / str(fd))
        except OSError:
            continue
        info = _read(path / "fdinfo" / str(fd)) or ""
        flags = next((line.split()[1] for line in info.splitlines() if line.startswith("flags:")), "0")
        mode = int(flags, 8) & 0o3
        access: Literal["r", "w", "rw"] = "w" if mode == 1 else "rw" if mode == 2 else "r"
        files.append(OpenFile(fd=fd, target=target, access=access))
    return tuple(files)


def _process(proc: Path, pid: int, ppid: int, state: str, comm: str, started: int) -> ProcessState:
    path = proc / str(pid)
    status = _read(path / "status") or ""
    nspid = next((line.split()[1:] for line in status.splitlines() if line.startswith("NSpid:")), [])
    cmdline = (_read(path / "cmdline") or "").split("\0")
    try:
        tids = sorted(int(t) for t in os.listdir(path / "task") if t.isdigit())
    except OSError:
        tids = [pid]
    tids.sort(key=lambda t: t != pid)
    threads = tuple(_thread(path / "task" / str(t), t) for t in tids)
    return ProcessState(
        pid=pid, ns_pid=int(nspid[-1]) if nspid else pid, ppid=ppid, comm=comm,
        argv=tuple(arg for arg in cmdline if arg) if cmdline else (), state=state, started=started,
        threads=threads or (ThreadState(pid, state, None, (), ""),), files=_files(path),
    )


def snapshot(root: int, proc: Path | str = "/proc") -> Snapshot:
    """Record every live process below ``root`` (and root itself): state, syscall, fds.

    Reads only /proc and never signals anything; a process that ends while it is being
    read keeps whatever could still be read.
    """
    base = Path(proc)
    table: dict[int, tuple[int, str, str, int]] = {}
    for entry in os.listdir(base):
        if entry.isdigit() and (found := _stat(base, entry)) is not None:
            table[int(entry)] = found
    children: dict[int, list[int]] = {}
    for pid, (ppid, *_rest) in table.items():
        children.setdefault(ppid, []).append(pid)
    ordered: list[int] = []

    def visit(pid: int) -> None:
        ordered.append(pid)
        for kid in sorted(children.get(pid, []), key=lambda p: (table[p][3], p)):
            visit(kid)

    if root in table:
        visit(root)
    processes = []
    for pid in ordered:
        ppid, state, comm, started = table[pid]
        processes.append(_process(base, pid, ppid, state, comm, started))
    return Snapshot(root=root, processes=tuple(processes))


# -- explaining --------------------------------------------------------------------------


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _cap(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _letter(index: int) -> str:
    """A, B, ..., Z, then A2, B2, ..."""
    return chr(ord("A") + index % 26) + (str(index // 26 + 1) if index >= 26 else "")


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


class _Explainer:
    def __init__(self, snap: Snapshot, names: Mapping[int, str] | None, machinery: Collection[str]) -> None:
        self.example = [p for p in snap.processes if p.comm not in machinery]
        self.machinery = [p for p in snap.processes if p.comm in machinery]
        self.names = self._name(names)
        self.letters: dict[int, str] = {}
        self.output_pipes = self._output_pipes()
        for proc in self.example:
            for f in proc.files:
                if f.pipe is not None and f.pipe not in self.output_pipes and f.pipe not in self.letters:
                    self.letters[f.pipe] = _letter(len(self.letters))

    def _name(self, given: Mapping[int, str] | None) -> dict[int, str]:
        """Host pid -> display name: 'the parent', 'child 1', 'child 1.2', 'orphan 1'."""
        members = {p.pid for p in self.example}
        tops = sorted((p for p in self.example if p.ppid not in members), key=lambda p: (p.started, p.pid))
        self.adopted = {p.pid for p in tops[1:]}
        if given and all(p.ns_pid in given for p in self.example):
            return {p.pid: "the parent" if given[p.ns_pid] == "parent" else given[p.ns_pid] for p in self.example}
        names: dict[int, str] = {}

        def label(proc: ProcessState, name: str) -> None:
            names[proc.pid] = name
            kids = [p for p in self.example if p.ppid == proc.pid]
            prefix = "child " if name == "the parent" else name + "."
            for number, kid in enumerate(sorted(kids, key=lambda p: (p.started, p.pid)), 1):
                label(kid, f"{prefix}{number}")

        for index, top in enumerate(tops):
            label(top, "the parent" if index == 0 else f"orphan {index}")
        return names

    def _output_pipes(self) -> set[int]:
        """Pipes the sandbox gave as stdout/stderr: named 'the output pipe', not lettered."""
        holders = self.machinery or self.example[:1]
        return {f.pipe for p in holders for f in p.files if f.fd in (1, 2) and f.pipe is not None}

    def pipe_name(self, inode: int) -> str:
        return "the output pipe" if inode in self.output_pipes else f"pipe {self.letters[inode]}"

    def holders(self, inode: int, end: str, me: ProcessState) -> list[str]:
        found = []
        for proc in self.example:
            fds = [f.fd for f in proc.files if f.pipe == inode and f.end == end]
            if fds:
                who = f"{self.names[proc.pid]} itself" if proc is me else self.names[proc.pid]
                label = ", ".join(f"fd {fd}" for fd in fds)
                found.append(f"{who} ({label})")
        return found

    def describe_fd(self, proc: ProcessState, fd: int) -> str:
        opened = next((f for f in proc.files if f.fd == fd), None)
        if opened is None:
            return f"fd {fd}"
        if opened.pipe is not None:
            return f"{self.pipe_name(opened.pipe)} (fd {fd})"
        if opened.target.startswith("socket:"):
            return f"a socket (fd {fd})"
        return f"fd {fd} ({opened.target})"

    def blocked(self, proc: ProcessState, thread: ThreadState, who: str) -> list[str]:
        """Sentences for one thread that sleeps in a system call."""
        call = thread.syscall
        assert call is not None
        fd = int(thread.args[0]) if thread.args else -1
        opened = next((f for f in proc.files if f.fd == fd), None)
        if call in _READS and opened is not None and opened.pipe is not None:
            pipe = self.pipe_name(opened.pipe)
            writers = self.holders(opened.pipe, "write", proc)
            held = (f"{pipe}'s write end is still open in {_join(writers)}" if writers
                    else f"no process of the example holds {pipe}'s write end")
            return [f"{who} is blocked in `{call}` on {pipe} (fd {fd}); {held}."]
        if call in _WRITES and opened is not None and opened.pipe is not None:
            pipe = self.pipe_name(opened.pipe)
            readers = self.holders(opened.pipe, "read", proc)
            held = (f"{pipe}'s read end is open in {_join(readers)}" if readers
                    else f"no process of the example holds {pipe}'s read end")
            return [f"{who} is blocked in `{call}` on {pipe} (fd {fd}), waiting for room in the "
                    f"full pipe; {held}."]
        if call in _READS:
            return [f"{who} is blocked in `{call}` on {self.describe_fd(proc, fd)}."]
        if call in _WRITES:
            return [f"{who} is blocked in `{call}` on {self.describe_fd(proc, fd)}."]
        if call in {"wait4", "waitid"}:
            return [f"{who} is blocked in `{call}`, {self.waiting_for(proc, thread)}."]
        if call in {"futex", "futex_waitv"}:
            if len(proc.threads) == 1:
                return [f"{who} is blocked in `{call}`: waiting for a lock or condition that nobody "
                        f"will release (it is the only thread in its process, so no thread of its "
                        f"own can release it)."]
            return [f"{who} is blocked in `{call}`: waiting for a lock or condition that another "
                    f"thread must release (or for another thread to finish)."]
        if call in _POLLS:
            return [f"{who} is blocked in `{call}`, waiting for one of its file descriptors to become ready."]
        if call in _SLEEPS:
            return [f"{who} is sleeping in `{call}`."]
        if call in _SIGNAL_WAITS:
            return [f"{who} is blocked in `{call}`, waiting for a signal."]
        if call in {"accept", "accept4"}:
            return [f"{who} is blocked in `{call}`, waiting for a connection on {self.describe_fd(proc, fd)}."]
        if call == "restart_syscall":
            return [f"{who} is resuming an interrupted sleep or wait (`restart_syscall`)."]
        return [f"{who} is blocked in `{call}`."]

    def waiting_for(self, proc: ProcessState, thread: ThreadState) -> str:
        call, args = thread.syscall, thread.args
        target: int | None = None
        if call == "wait4" and args:
            target = _signed(args[0])
        elif call == "waitid" and len(args) > 1 and args[0] == 1:  # P_PID
            target = int(args[1])
        kids = [p for p in self.example if p.ppid == proc.pid]
        if target is not None and target > 0:
            kid = next((p for p in kids if p.ns_pid == target or p.pid == target), None)
            return f"waiting for {self.names[kid.pid]} to end" if kid else f"waiting for process {target} to end"
        alive = [self.names[p.pid] for p in kids if p.state != "Z"]
        if alive:
            return f"waiting for any of its children to end ({_join(alive)} still alive)"
        return "waiting for any of its children to end"

    def explain_process(self, proc: ProcessState) -> list[str]:
        who = self.names[proc.pid]
        main = proc.threads[0]
        if proc.state == "Z":
            parent = self.names.get(proc.ppid, "its parent")
            return [f"{who} is a zombie: it has ended, but {parent} has not waited for it yet."]
        sentences = self.explain_thread(proc, main, who)
        if proc.pid in self.adopted:
            sentences.append(f"{who}'s parent ended first, so the sandbox adopted it (it is an orphan).")
        for number, thread in enumerate(proc.threads[1:], 2):
            sentences += self.explain_thread(proc, thread, f"{who}'s thread {number}")
        return sentences

    def explain_thread(self, proc: ProcessState, thread: ThreadState, who: str) -> list[str]:
        if thread.state == "R":
            return [f"{who} is running (state R): it is computing, not waiting in a system call."]
        if thread.state in {"T"}:
            return [f"{who} is stopped (state T), e.g. by SIGSTOP."]
        if thread.syscall is not None:
            return self.blocked(proc, thread, who)
        where = f" in the kernel ({thread.wchan})" if thread.wchan else ""
        return [f"{who} is {_STATES.get(thread.state, 'in state ' + thread.state)}{where}."]

    def explain(self) -> list[str]:
        if not self.example:
            return ["No process of the example was left when the time limit was reached."]
        count = len(self.example)
        listed = _join([f"{self.names[p.pid]} ({p.comm})" for p in self.example])
        sentences = [f"When the time limit was reached, {count} process{'es' if count > 1 else ''} "
                     f"of the example {'were' if count > 1 else 'was'} left: {listed}."]
        for proc in self.example:
            sentences += self.explain_process(proc)
        if any(t.syscall in _READS and any(f.fd == int(t.args[0]) and f.pipe for f in p.files)
               for p in self.example for t in p.threads if t.args):
            sentences.append("A `read` on a pipe returns end-of-file only once every copy of the "
                             "pipe's write end, in every process, is closed.")
        return [_cap(s) for s in sentences]


def explain(snap: Snapshot, names: Mapping[int, str] | None = None,
            machinery: Collection[str] = MACHINERY) -> list[str]:
    """Sentences saying what every process of the example is blocked in, and why.

    ``names`` maps PIDs as the example sees them (e.g. ``ProcessTree.names_by_pid()``
    from a trace of the same run) to symbolic names; it is used only if it names every
    process, otherwise names come from the snapshot (creation order among siblings).
    Processes whose command name is in ``machinery`` are the sandbox's and are not explained.
    """
    return _Explainer(snap, names, machinery).explain()
