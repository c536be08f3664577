"""Turn an strace log of one example run into a tree of named processes (pure parsing)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

#: strace options that produce the log parse_trace() reads; the sandbox appends the trace
#: file and ``--`` and the program.  Why each one:
#:   -D   strace becomes a detached grandchild, so the example keeps its own PID and its
#:        parent (an orphan is still killed when the example's main process exits, as in
#:        an untraced run; without -D strace keeps the box alive until every orphan ends).
#:   -f   follow fork/vfork/clone/clone3 into children and threads.
#:   -q   hide attach/detach chatter but KEEP "+++ exited with N +++" (-qq would drop it).
#:   -ttt absolute timestamps (kept on each Process; order comes from the log's line order).
#:   -s   long enough for argv strings and whole stdio buffers (Python's is 8 KiB) in write().
#:   -e trace=%process,write,writev   lifecycle calls, plus output for lines_by_process().
#: Signals are deliberately NOT filtered with ``-e signal=none``: strace then also drops
#: the "+++ killed by SIGX +++" lines (checked with strace 6.1).
STRACE_OPTIONS: tuple[str, ...] = (
    "-D", "-f", "-q", "-ttt", "-s", "65536", "-e", "trace=%process,write,writev",
)


def strace_argv(trace_file: str, strace: str = "strace") -> tuple[str, ...]:
    """The strace command line up to and including ``--``; append the program's argv."""
    return (strace, *STRACE_OPTIONS, "-o", trace_file, "--")


@dataclass(frozen=True)
class Exec:
    """One successful execve: the program a process turned into."""

    path: str
    """Path passed to execve (after PATH search)."""
    argv: tuple[str, ...]
    """Arguments as passed, argv[0] first."""


@dataclass(frozen=True)
class Ending:
    """How a process ended."""

    kind: Literal["exit", "signal", "unknown"]
    """``exit`` (normal), ``signal`` (killed), or ``unknown`` (the trace stopped first)."""
    code: int | None = None
    """Exit status for ``exit``."""
    signal: str | None = None
    """Signal name (``SIGSEGV``) for ``signal``."""
    core_dumped: bool = False
    """Whether the kernel reported a core dump."""

    def __str__(self) -> str:
        if self.kind == "exit":
            return f"exit {self.code}"
        if self.kind == "signal":
            return f"killed by {self.signal}" + (" (core dumped)" if self.core_dumped else "")
        return "end not recorded"


@dataclass(frozen=True)
class Process:
    """One process of the run, named by its place in the tree rather than by PID."""

    name: str
    """Symbolic name: ``parent``, ``child 1``, ``child 1.2`` (2nd child of child 1)."""
    parent: str | None
    """Name of the process that created it; None for the traced program itself."""
    children: tuple[str, ...]
    """Names of the processes it created, in creation order."""
    execs: tuple[Exec, ...]
    """Successful execs in order (failed PATH lookups are left out)."""
    ending: Ending
    """How it ended."""
    reaped_by: str | None
    """Name of the traced process whose wait4/waitid collected it, or None."""
    zombie: bool
    """Ended, and its parent never waited for it: a zombie until the parent itself exited."""
    orphaned: bool
    """Its parent ended while it was still running (it was re-parented to init)."""
    threads: int = 0
    """How many extra threads it started (threads are not processes)."""
    pid: int = field(default=0, compare=False)
    """PID as seen inside the traced namespace; varies run to run, never shown."""
    started: float | None = field(default=None, compare=False)
    """Timestamp at which it was created (or exec'd, for the root)."""
    ended: float | None = field(default=None, compare=False)
    """Timestamp of its end, if recorded."""

    @property
    def program(self) -> Exec | None:
        """The program it ended up running, or None if it never exec'd (a plain fork)."""
        return self.execs[-1] if self.execs else None


@dataclass(frozen=True)
class ProcessTree:
    """Every process of one run, in depth-first order from the root (``parent``)."""

    processes: tuple[Process, ...]
    """Depth-first, children in creation order; equal trees compare equal across runs."""
    complete: bool
    """True when the end of every process was recorded."""

    @property
    def root(self) -> Process:
        """The traced program itself."""
        return self.processes[0]

    def __iter__(self) -> Iterator[Process]:
        return iter(self.processes)

    def __len__(self) -> int:
        return len(self.processes)

    def __getitem__(self, name: str) -> Process:
        for proc in self.processes:
            if proc.name == name:
                return proc
        raise KeyError(name)

    def children(self, name: str) -> tuple[Process, ...]:
        """The processes created by ``name``, in creation order."""
        return tuple(self[child] for child in self[name].children)

    def by_pid(self, pid: int) -> Process | None:
        """The process that had this (namespace) PID, if it was traced."""
        for proc in self.processes:
            if proc.pid == pid:
                return proc
        return None

    def names_by_pid(self) -> dict[int, str]:
        """PID -> symbolic name, e.g. to name the processes of a post-mortem."""
        return {proc.pid: proc.name for proc in self.processes}


@dataclass(frozen=True)
class OutputLine:
    """One line of the program's combined output and the process that wrote it."""

    process: str
    """Name of the process that wrote the line's first byte."""
    fd: int
    """File descriptor it was written to (1 stdout, 2 stderr)."""
    text: str
    """The line without its newline."""


class TraceError(ValueError):
    """The text is not an strace -f log with a traced program in it."""


# -- low-level line parsing ------------------------------------------------------------

_LINE = re.compile(r"^(?:(?:\[pid\s+)?(\d+)\]?\s+)?(?:(\d+\.\d+)\s+)?(.*)$")
_UNFINISHED = " <unfinished ...>"
_RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>\s?(.*)$")
_EXITED = re.compile(r"^\+\+\+ exited with (-?\d+) \+\+\+$")
_KILLED = re.compile(r"^\+\+\+ killed by (SIG\w+|\d+)( \(core dumped\))? \+\+\+$")
_CALL = re.compile(r"^(\w+)\((.*)$")
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)")
_SIMPLE_ESCAPES = {"n": 10, "t": 9, "r": 13, "v": 11, "f": 12, "a": 7, "b": 8, "e": 27}
_CREATORS = frozenset({"fork", "vfork", "clone", "clone2", "clone3"})
_EXECS = frozenset({"execve", "execveat"})


@dataclass(frozen=True)
class _Call:
    tid: int
    index: int
    time: float
    name: str
    args: tuple[str, ...]
    result: str

    @property
    def value(self) -> int | None:
        head = self.result.split(" ", 1)[0]
        try:
            return int(head, 0)
        except ValueError:
            return None


@dataclass(frozen=True)
class _End:
    tid: int
    index: int
    time: float
    ending: Ending


def _split_top(text: str) -> tuple[list[str], str]:
    """Split what follows a call's ``(`` into its top-level arguments and the text after ``)``."""
    args: list[str] = []
    depth = 0
    start = 0
    i = 0
    in_string = False
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                last = text[start:i].strip()
                if last or args:
                    args.append(last)
                return args, text[i + 1:]
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(text[start:i].strip())
            start = i + 1
        elif ch == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = len(text) if end < 0 else end + 2
            continue
        i += 1
    return [*args, text[start:].strip()], ""


def _unescape(body: str) -> bytes:
    """Bytes of an strace string literal body (between the quotes)."""
    out = bytearray()
    pos = 0
    for match in _ESCAPE.finditer(body):
        out += body[pos:match.start()].encode("utf-8", "surrogateescape")
        code = match.group(1)
        if code[0] == "x" and len(code) == 3:
            out.append(int(code[1:], 16))
        elif code[0] in "01234567":
            out.append(int(code, 8) & 0xFF)
        else:
            out.append(_SIMPLE_ESCAPES.get(code, ord(code) & 0xFF))
        pos = match.end()
    out += body[pos:].encode("utf-8", "surrogateescape")
    return bytes(out)


def _strings(text: str) -> list[bytes]:
    """Every string literal in ``text`` (e.g. an argv array), decoded to bytes."""
    found: list[bytes] = []
    i = 0
    while True:
        start = text.find('"', i)
        if start < 0:
            return found
        j = start + 1
        while j < len(text) and text[j] != '"':
            j += 2 if text[j] == "\\" else 1
        found.append(_unescape(text[start + 1:j]))
        i = j + 1


def _string(text: str) -> bytes:
    values = _strings(text)
    return values[0] if values else b""


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _events(text: str) -> tuple[list[_Call], list[_End]]:
    """Complete system calls (unfinished halves joined) and process ends, in log order."""
    calls: list[_Call] = []
    ends: list[_End] = []
    pending: dict[int, str] = {}
    for index, raw in enumerate(text.splitlines()):
        match = _LINE.match(raw.rstrip())
        if not match:
            continue
        tid = int(match.group(1)) if match.group(1) else 0
        stamp = float(match.group(2) or 0.0)
        rest = match.group(3)
        if rest.startswith("+++"):
            if m := _EXITED.match(rest):
                ends.append(_End(tid, index, stamp, Ending("exit", code=int(m.group(1)))))
            elif m := _KILLED.match(rest):
                ends.append(_End(tid, index, stamp, Ending("signal", signal=m.group(1),
                                                           core_dumped=bool(m.group(2)))))
            continue
        if rest.startswith("---"):
            continue
        if rest.endswith(_UNFINISHED):
            pending[tid] = rest[: -len(_UNFINISHED)]
            continue
        if m := _RESUMED.match(rest):
            head = pending.pop(tid, None)
            if head is None or not head.startswith(m.group(1) + "("):
                continue
            rest = head + m.group(2)
        call = _CALL.match(rest)
        if not call:
            continue
        args, tail = _split_top(call.group(2))
        result = tail.strip()
        if not result.startswith("="):
            continue
        calls.append(_Call(tid, index, stamp, call.group(1), tuple(args), result[1:].strip()))
    if not calls and not ends:
        raise TraceError("no strace system call or exit lines found")
    return calls, ends


# -- building the tree -----------------------------------------------------------------


@dataclass
class _Proc:
    pid: int
    parent: int | None
    created: int
    started: float
    children: list[int] = field(default_factory=list)
    execs: list[Exec] = field(default_factory=list)
    threads: int = 0
    end: _End | None = None
    exit_call: _Call | None = None
    status_seen: Ending | None = None
    reaper: int | None = None
    reaped_at: int | None = None


def _wait_ending(status: str) -> Ending | None:
    """Ending described by a wait4 status like ``[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]``."""
    if m := re.search(r"WEXITSTATUS\(s\) == (\d+)", status):
        return Ending("exit", code=int(m.group(1)))
    if m := re.search(r"WTERMSIG\(s\) == (SIG\w+|\d+)", status):
        return Ending("signal", signal=m.group(1), core_dumped="WCOREDUMP" in status)
    return None


def _waitid_ending(info: str) -> tuple[int, Ending | None] | None:
    """(pid, ending) from a waitid siginfo, when it reports a death."""
    pid = re.search(r"si_pid=(\d+)", info)
    code = re.search(r"si_code=(CLD_\w+)", info)
    status = re.search(r"si_status=(\w+)", info)
    if not pid or not code or code.group(1) not in {"CLD_EXITED", "CLD_KILLED", "CLD_DUMPED"}:
        return None
    value = status.group(1) if status else "0"
    if code.group(1) == "CLD_EXITED":
        return int(pid.group(1)), Ending("exit", code=int(value, 0) if value.isdigit() else None)
    return int(pid.group(1)), Ending("signal", signal=value, core_dumped=code.group(1) == "CLD_DUMPED")


def _owners(calls: list[_Call]) -> dict[int, int]:
    """Thread id -> id of the process it belongs to, for every thread created by CLONE_THREAD."""
    creator_of: dict[int, int] = {}
    for call in calls:
        if call.name in _CREATORS and "CLONE_THREAD" in " ".join(call.args) and (tid := call.value or 0) > 0:
            creator_of[tid] = call.tid
    owners: dict[int, int] = {}
    for tid in creator_of:
        top, seen = tid, {tid}
        while top in creator_of and creator_of[top] not in seen:
            top = creator_of[top]
            seen.add(top)
        owners[tid] = top
    return owners


def _build(calls: list[_Call], ends: list[_End]) -> tuple[dict[int, _Proc], int, dict[int, int]]:
    """Processes keyed by PID (thread group id), the root's PID, and thread -> process."""
    first = min([c.index for c in calls] + [e.index for e in ends])
    first_call = next((c for c in calls if c.index == first), None)
    root = first_call.tid if first_call else next(e.tid for e in ends if e.index == first)
    owners = _owners(calls)

    def process_of(tid: int) -> int:
        return owners.get(tid, tid)

    procs: dict[int, _Proc] = {root: _Proc(root, None, first, first_call.time if first_call else 0.0)}
    # Creation calls first: a vfork child's own lines come before its parent's return value.
    for call in calls:
        if call.name not in _CREATORS or (call.value or 0) <= 0:
            continue
        creator = process_of(call.tid)
        if creator not in procs:
            continue
        flags = " ".join(call.args)
        if "CLONE_THREAD" in flags:
            procs[creator].threads += 1
            continue
        child = call.value or 0
        parent = creator
        if re.search(r"CLONE_PARENT(?!_SETTID)", flags):
            parent = procs[creator].parent or creator
        procs[child] = _Proc(child, parent, call.index, call.time)
        procs[parent].children.append(child)

    for call in calls:
        pid = process_of(call.tid)
        if pid not in procs:
            continue
        proc = procs[pid]
        if call.name in _EXECS and call.value == 0 and len(call.args) > 1:
            path_arg, argv_arg = call.args[1:3] if call.name == "execveat" else call.args[0:2]
            proc.execs.append(Exec(_decode(_string(path_arg)), tuple(_decode(s) for s in _strings(argv_arg))))
        elif call.name == "exit_group" or (call.name == "exit" and call.tid == pid):
            if proc.exit_call is None:
                proc.exit_call = call
        elif call.name == "wait4" and (call.value or 0) > 0 and len(call.args) > 1:
            status = call.args[1]
            if "WIFSTOPPED" in status or "WIFCONTINUED" in status:
                continue
            if (child := call.value or 0) in procs:
                procs[child].reaper, procs[child].reaped_at = pid, call.index
                procs[child].status_seen = _wait_ending(status)
        elif call.name == "waitid" and call.value == 0 and len(call.args) > 3:
            if "WNOWAIT" in call.args[3]:
                continue
            found = _waitid_ending(call.args[2])
            if found and found[0] in procs:
                procs[found[0]].reaper, procs[found[0]].reaped_at = pid, call.index
                procs[found[0]].status_seen = found[1]

    for end in ends:
        if end.tid in procs and procs[end.tid].end is None:
            procs[end.tid].end = end
    return procs, root, owners


def _names(procs: dict[int, _Proc], root: int) -> dict[int, str]:
    names = {root: "parent"}
    stack = [root]
    while stack:
        pid = stack.pop()
        kids = sorted(procs[pid].children, key=lambda c: procs[c].created)
        prefix = "child " if pid == root else names[pid] + "."
        for number, child in enumerate(kids, 1):
            names[child] = f"{prefix}{number}"
            stack.append(child)
    return names


def _end_index(proc: _Proc) -> int | None:
    if proc.end is not None:
        return proc.end.index
    if proc.exit_call is not None:
        return proc.exit_call.index
    return proc.reaped_at  # killed without a "+++" line: it had ended before it was reaped


def _ending(proc: _Proc) -> Ending:
    if proc.end is not None:
        return proc.end.ending
    if proc.status_seen is not None:
        return proc.status_seen
    if proc.exit_call is not None and proc.exit_call.args:
        try:
            return Ending("exit", code=int(proc.exit_call.args[0], 0))
        except ValueError:
            pass
    return Ending("unknown")


def parse_trace(text: str) -> ProcessTree:
    """Parse the log written by ``strace_argv()`` (any ``strace -f`` log with PIDs and times)."""
    calls, ends = _events(text)
    procs, root, _ = _build(calls, ends)
    names = _names(procs, root)
    order: list[int] = []
    stack = [root]
    while stack:
        pid = stack.pop()
        order.append(pid)
        stack.extend(reversed(sorted(procs[pid].children, key=lambda c: procs[c].created)))
    built: list[Process] = []
    for pid in order:
        proc = procs[pid]
        mine = _end_index(proc)
        parent_end = _end_index(procs[proc.parent]) if proc.parent is not None else None
        orphaned = proc.parent is not None and parent_end is not None and (mine is None or parent_end < mine)
        zombie = (proc.parent is not None and mine is not None and proc.reaper is None
                  and not orphaned)
        end_time = proc.end.time if proc.end else proc.exit_call.time if proc.exit_call else None
        built.append(Process(
            name=names[pid],
            parent=names[proc.parent] if proc.parent is not None else None,
            children=tuple(names[c] for c in sorted(proc.children, key=lambda c: procs[c].created)),
            execs=tuple(proc.execs),
            ending=_ending(proc),
            reaped_by=names.get(proc.reaper) if proc.reaper is not None else None,
            zombie=zombie,
            orphaned=orphaned,
            threads=proc.threads,
            pid=pid,
            started=proc.started,
            ended=end_time,
        ))
    complete = all(p.ending.kind != "unknown" for p in built)
    return ProcessTree(processes=tuple(built), complete=complete)


def read_trace(path: Path) -> ProcessTree:
    """parse_trace() on a file, tolerating bytes that are not UTF-8."""
    return parse_trace(path.read_text(encoding="utf-8", errors="surrogateescape"))


def lines_by_process(text: str) -> tuple[OutputLine, ...]:
    """Which process wrote each line on fds 1 and 2 (needs ``write`` in the traced calls).

    Lines are assembled from write()/writev() calls in the order strace logged them
    returning, and belong to the process that wrote their first byte.
    """
    calls, ends = _events(text)
    procs, root, owners = _build(calls, ends)
    names = _names(procs, root)
    lines: list[OutputLine] = []
    partial: bytearray = bytearray()
    partial_owner: tuple[str, int] | None = None
    for call in calls:
        if call.name not in {"write", "writev"} or not call.args or call.args[0] not in {"1", "2"}:
            continue
        written = call.value or 0
        if written <= 0:
            continue
        data = b"".join(_strings(call.args[1])) if call.name == "writev" else _string(call.args[1])
        data = data[:written]
        name = names.get(owners.get(call.tid, call.tid), "?")
        for piece in data.splitlines(keepends=True):
            if partial_owner is None:
                partial_owner = (name, int(call.args[0]))
            partial += piece
            if piece.endswith(b"\n"):
                lines.append(OutputLine(partial_owner[0], partial_owner[1], _decode(bytes(partial[:-1]))))
                partial.clear()
                partial_owner = None
    if partial_owner is not None:
        lines.append(OutputLine(partial_owner[0], partial_owner[1], _decode(bytes(partial))))
    return tuple(lines)
