"""Run one command of an example in isolation: the only module that starts processes."""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import itertools
import os
import re
import select
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterator

#: Where the example's working directory appears inside the box.
BOX_WORKDIR = "/tmp/example"
#: Where the launcher binary appears inside the box.
BOX_INIT = "/tmp/.snippets/snippets-init"
INIT_SOURCE = Path(__file__).with_name("init.c")
#: Size of each writable filesystem of a box: its working directory, /tmp, /var/tmp, /dev/shm, /run.
DISK_BYTES = 256 << 20
#: Names accepted by probe(without=...): protections to leave off even where they work.
#: "bwrap" turns the box off altogether, whichever of bubblewrap or the launcher would build it.
PROTECTIONS = frozenset({"bwrap", "cgroup", "memory", "tmpfs", "uid"})
_INFRASTRUCTURE_NAMES = frozenset({"bwrap", "snippets-init"})
#: Examples run as uid _UID_BASE + n when only a uid can bound their processes (see _box_uid).
_UID_BASE = 0x5A000000
_READ_SIZE = 1 << 20
#: Names this module gives cgroups, tmpfs mounts and workdirs; the number is the owning build's pid.
_STALE_CGROUP = re.compile(r"snippets-(?:probe-)?(\d+)(?:-\d+)?")
_STALE_DIR = re.compile(r"snippets-(\d+)-.+")


class SandboxError(Exception):
    """The sandbox itself failed (not the example): bad isolation setup, missing tool."""


# Records are NamedTuples where no dataclass feature is needed: Python 3.11 defines one about ten
# times faster than a frozen dataclass (0.14 against 1.3 ms on the bench machine), and the
# extension is imported on every build, a no-op included (bench/timeline.py shows the import).
class Limits(NamedTuple):
    """Bounds applied to one run."""

    timeout: float = 5.0
    """Wall-clock seconds before the whole box is killed."""
    cpu_seconds: int = 20
    """RLIMIT_CPU for the command and everything it starts."""
    memory_bytes: int = 2 << 30
    """RLIMIT_AS per process, and the whole box's memory where a memory cgroup is writable."""
    file_size_bytes: int = 64 << 20
    """RLIMIT_FSIZE: the largest file the example may write."""
    processes: int = 64
    """Most processes alive at once (cgroup pids.max; else RLIMIT_NPROC for a dedicated uid)."""
    open_files: int = 256
    """RLIMIT_NOFILE."""
    output_bytes: int = 64 << 10
    """Output kept for the page; the rest is counted and dropped."""


class Command(NamedTuple):
    """One program to run inside the box."""

    argv: tuple[str, ...]
    """Program and arguments; relative paths resolve in the box's working directory."""
    env: tuple[tuple[str, str], ...] = ()
    """Extra environment on top of the minimal one the sandbox always sets."""
    visible: tuple[str, ...] = ()
    """Host paths made readable inside the box, at the same path."""
    timeout: float | None = None
    """Override of Limits.timeout for this command (e.g. a compiler)."""


class LeftProcess(NamedTuple):
    """A process still present when the command's main program ended."""

    pid: int
    """PID as seen inside the box."""
    state: str
    """Kernel state letter: Z for a zombie nobody waited for, S/R/D/T otherwise."""
    name: str
    """The process's command name (comm)."""


class Result(NamedTuple):
    """What happened when one command ran; deciding if it is a failure is elsewhere."""

    argv: tuple[str, ...]
    """The command as the example sees it."""
    exit_code: int | None
    """Exit status if the program exited, else None."""
    signal: int | None
    """Number of the signal that killed it, else None."""
    output: bytes
    """stdout and stderr interleaved, as written (capped)."""
    truncated: int = 0
    """Bytes of output dropped beyond the cap."""
    timed_out: bool = False
    """True when the wall-clock timeout stopped it."""
    duration: float = 0.0
    """Wall-clock seconds."""
    left: tuple[LeftProcess, ...] = ()
    """Processes still alive or unreaped when it ended (all killed and reaped)."""
    exec_error: str | None = None
    """Why the program could not be started at all, if it could not."""
    postmortem: tuple[str, ...] = ()
    """On a timeout: sentences explaining what each process was blocked in."""
    limits_hit: tuple[str, ...] = ()
    """Bounds the run ran into, as far as the kernel tells: `processes`, `memory`, `disk`."""


class Isolation(NamedTuple):
    """What this machine offers; decided once per build by probe()."""

    bwrap: str | None = None
    """Path to bubblewrap when it works here (namespaces, read-only root, no capabilities)."""
    init: str | None = None
    """Path to the compiled launcher (snippets-init)."""
    cgroup_root: str | None = None
    """A writable cgroup pids directory, for a process-count bound that root cannot escape."""
    hidden: tuple[str, ...] = ()
    """Host directories hidden inside the box (the source tree, home directories)."""
    missing: tuple[str, ...] = ()
    """Human-readable protections that are off on this machine."""
    memory_cgroup_root: str | None = None
    """A writable cgroup memory directory, for a bound on the whole box's memory."""
    workdir_tmpfs: bool = False
    """Each working directory is a size-limited tmpfs in a private mount namespace (needs root)."""
    dedicated_uids: bool = False
    """Root without a pids cgroup or without bwrap: each example runs as a uid of its own."""
    owner: int = 0
    """PID of the build process that probed (Sphinx's main process): every box dies with it."""
    builds_box: bool = False
    """Root: the launcher builds the box itself (`--box`, see init.c) instead of bubblewrap: the
    same namespaces, mounts and dropped capabilities, about 2 ms less CPU per command."""
    box_note: str = ""
    """Root, yet bubblewrap builds the box: why the launcher could not (a kernel older than 5.12,
    say). Not a missing protection; the build says it once, in its status output."""

    @property
    def namespaces(self) -> bool:
        """Does each command run in a box of its own (PID, network, mount namespaces)?"""
        return self.init is not None and (self.bwrap is not None or self.builds_box)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _bare(argv: list[str], timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    """Run one of the build's own tools (a compiler probe, bwrap's self-test)."""
    return subprocess.run(  # noqa: S603 - argv is ours, never a shell
        argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False,
    )


def tool_version(argv: list[str]) -> str | None:
    """First line of `tool --version` style output, or None when the tool is missing."""
    if shutil.which(argv[0]) is None:
        return None
    try:
        done = _bare(argv, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (done.stdout or done.stderr).decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else None


def tool_output(argv: list[str]) -> str | None:
    """Whole stdout of a build tool query (e.g. `rustc --print sysroot`), or None."""
    if shutil.which(argv[0]) is None:
        return None
    try:
        done = _bare(argv, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode("utf-8", "replace").strip() if done.returncode == 0 else None


# -- what the machine offers ------------------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _own_cgroup_dirs() -> dict[str, str]:
    """controller (`pids`, `memory`) -> the directory of this process's own cgroup for it."""
    mounts: dict[str, tuple[str, str]] = {}
    with contextlib.suppress(OSError), open("/proc/self/mountinfo", encoding="utf-8") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fields, tail = left.split(), right.split()
            if len(fields) < 5 or len(tail) < 3:
                continue
            root, mountpoint = fields[3], fields[4]
            if tail[0] == "cgroup2":
                mounts.setdefault("", (mountpoint, root))
            elif tail[0] == "cgroup":
                for option in tail[2].split(","):
                    if option in ("pids", "memory"):
                        mounts.setdefault(option, (mountpoint, root))
    found: dict[str, str] = {}
    with contextlib.suppress(OSError), open("/proc/self/cgroup", encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split(":", 2)
            if len(parts) != 3:
                continue
            _, controllers, path = parts
            names = controllers.split(",") if controllers else [""]
            for name in names:
                if name not in mounts:
                    continue
                mountpoint, root = mounts[name]
                rel = os.path.relpath(path, root) if path.startswith(root) else path.lstrip("/")
                directory = os.path.normpath(os.path.join(mountpoint, rel))
                if name:
                    found.setdefault(name, directory)
                else:  # cgroup v2: one directory for every controller it delegates to children
                    try:
                        with open(os.path.join(directory, "cgroup.controllers"), encoding="utf-8") as c:
                            available = c.read().split()
                    except OSError:
                        continue
                    for controller in ("pids", "memory"):
                        if controller in available:
                            found.setdefault(controller, directory)
    return found


_LIMIT_FILES = {"pids": ("pids.max",), "memory": ("memory.limit_in_bytes", "memory.max")}


def _writable_cgroup(parent: str, controller: str) -> bool:
    """Can we make a child of parent with this controller's limit file in it?"""
    if not os.access(parent, os.W_OK):
        return False
    if os.path.exists(os.path.join(parent, "cgroup.subtree_control")):
        # cgroup v2: a child gets a controller only if the parent delegates it. Enabling it
        # fails while the parent holds processes (the "no internal processes" rule).
        with contextlib.suppress(OSError), open(os.path.join(parent, "cgroup.subtree_control"), "w") as f:
            f.write(f"+{controller}\n")
    probe_dir = os.path.join(parent, f"snippets-probe-{os.getpid()}")
    try:
        os.mkdir(probe_dir)
    except FileExistsError:
        pass
    except OSError:
        return False
    try:
        return any(os.path.exists(os.path.join(probe_dir, name)) for name in _LIMIT_FILES[controller])
    finally:
        with contextlib.suppress(OSError):
            os.rmdir(probe_dir)


def _cgroup_roots() -> tuple[str | None, str | None]:
    """(pids, memory) directories under which this build may create per-example cgroups."""
    own = _own_cgroup_dirs()
    pids = own.get("pids")
    memory = own.get("memory")
    return (pids if pids and _writable_cgroup(pids, "pids") else None,
            memory if memory and _writable_cgroup(memory, "memory") else None)


def _find_bwrap() -> str | None:
    return shutil.which("bwrap")


class _Holder:
    """A launcher holding a private mount namespace with a size-limited tmpfs on one directory.

    The tmpfs is never mounted in the host's namespace: other builds' bubblewraps copy the
    host's mount table while they start, and a workspace mount appearing or vanishing there
    would make them fail (bwrap 0.8: "Unable to apply mount flags: remount ...").
    """

    def __init__(self, init: str, directory: Path, size: int, uid: int | None) -> None:
        argv = [init, f"--hold={directory}", f"size={size}", *([f"uid={uid}"] if uid is not None else [])]
        self.proc = subprocess.Popen(  # noqa: S603 - never a shell
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        assert self.proc.stdout is not None
        self.ready = self.proc.stdout.readline() == b"ready\n"
        if not self.ready:
            self.close()

    @property
    def mount_namespace(self) -> str:
        """What a launcher passes to setns()."""
        return f"/proc/{self.proc.pid}/ns/mnt"

    def view(self, directory: Path) -> Path:
        """The directory as the namespace sees it, reachable from the host through /proc."""
        return Path(f"/proc/{self.proc.pid}/root{directory}")

    def close(self) -> None:
        """Let the holder exit: its namespace, and the tmpfs with everything in it, go with it."""
        with contextlib.suppress(OSError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        if not _wait_exit(self.proc, 5):
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _can_hold_tmpfs(init: str) -> bool:
    probe_dir = Path(tempfile.mkdtemp(prefix=f"snippets-{os.getpid()}-probe-"))
    try:
        holder = _Holder(init, probe_dir, 1 << 20, None)
        holder.close()
        return holder.ready
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            probe_dir.rmdir()


def _clean_stale(cgroup_parents: Collection[str]) -> None:
    """Remove what builds that were killed outright (SIGKILL) left: empty cgroups and workdirs."""
    for parent in cgroup_parents:
        with contextlib.suppress(OSError):
            for name in os.listdir(parent):
                match = _STALE_CGROUP.fullmatch(name)
                if match and not _alive(int(match.group(1))):
                    _drop_cgroups([os.path.join(parent, name)])
    tmp = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for entry in tmp.iterdir():
            match = _STALE_DIR.fullmatch(entry.name)
            if match and entry.is_dir() and not entry.is_symlink() and not _alive(int(match.group(1))):
                shutil.rmtree(entry, ignore_errors=True)


def _launcher(state_dir: Path) -> Path:
    # The suffix names the C library and the compile flags below: either changes, a new binary.
    libc = "musl" if _musl_gcc() else "libc"
    return state_dir / f"snippets-init-{_sha(INIT_SOURCE)}-5-{libc}"


@functools.cache
def _musl_gcc() -> str | None:
    return shutil.which("musl-gcc")


_COMPILING: dict[Path, threading.Thread] = {}
_COMPILED: dict[Path, tuple[str | None, str | None]] = {}


def prepare_launcher(state_dir: Path) -> None:
    """Start compiling the launcher in a thread, if it is not compiled yet (a first, cold build).

    probe() needs it only when the first example is about to run; compiling it meanwhile, while
    Sphinx loads its environment and sets up the builder, takes part of it off a cold build's
    critical path. The thread is not a daemon: the interpreter waits for it, and so for the
    compiler it started, even when the build needed no launcher after all.
    """
    if state_dir in _COMPILING or _launcher(state_dir).exists():
        return

    def compile_now() -> None:
        _COMPILED[state_dir] = _compile_init_now(state_dir)

    thread = threading.Thread(target=compile_now, name="snippets-launcher")
    _COMPILING[state_dir] = thread
    thread.start()


def _compile_init(state_dir: Path) -> tuple[str | None, str | None]:
    """(path to the launcher, or None with the reason it is missing), from prepare_launcher()'s
    thread when one was started."""
    thread = _COMPILING.pop(state_dir, None)
    if thread is not None:
        thread.join()
        if state_dir in _COMPILED:
            return _COMPILED.pop(state_dir)
    return _compile_init_now(state_dir)


def _compile_init_now(state_dir: Path) -> tuple[str | None, str | None]:
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        return None, "the launcher (no C compiler to build it): no leftover-process report"
    state_dir.mkdir(parents=True, exist_ok=True)
    target = _launcher(state_dir)
    if not target.exists():
        # Two builds at once compile to different names and rename: both see a whole binary.
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        # It is executed twice per command (launcher, PID 1) and once per example (the tmpfs
        # holder), so its start-up counts. Against musl where musl-gcc is installed: glibc's
        # start-up asks the CPU for its cache sizes with dozens of CPUID instructions, each a
        # trap to the hypervisor in a virtual machine (0.7 ms of CPU per start here; musl's
        # start-up, 0.1 ms). Else statically against glibc where libc.a is installed, which skips
        # the dynamic loader (0.1 ms); else dynamically. Not optimised: it only makes system
        # calls, and a cold build cannot run its first example before it is compiled (glibc
        # -O0 140 ms, -O1 240 ms; musl -O0 70 ms).
        attempts = [[compiler, "-O0", "-Wall", "-static"], [compiler, "-O0", "-Wall"]]
        if target.name.endswith("-musl"):
            attempts.insert(0, [_musl_gcc(), "-O0", "-Wall", "-static"])
        for flags in attempts:
            done = _bare([*flags, "-o", str(tmp), str(INIT_SOURCE)])
            if done.returncode == 0:
                break
        if done.returncode != 0:
            tmp.unlink(missing_ok=True)
            return None, "the launcher (it failed to compile): no leftover-process report"
        os.replace(tmp, target)
    return str(target), None


def _bwrap_works(bwrap: str, init: str | None) -> str | None:
    """None if bubblewrap can build our box here, else why not."""
    argv = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
            "--new-session", "--as-pid-1", "--cap-drop", "ALL", "--ro-bind", "/", "/", "--dev", "/dev",
            "--proc", "/proc", "--perms", "1777", "--size", str(1 << 20), "--tmpfs", "/tmp",
            "--tmpfs", "/run", "--remount-ro", "/run"]
    if init is not None:
        argv += ["--ro-bind", init, BOX_INIT, "--", BOX_INIT, "--report=1", "--ns", "--", "/bin/true"]
    else:
        argv += ["--", "/bin/true"]
    try:
        done = _bare(argv, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        return str(err)
    if done.returncode != 0 or (init is not None and b"status 0" not in done.stdout):
        return done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
    return None


def _own_box_works(init: str, state_dir: Path) -> str | None:
    """None if the launcher can build the box itself here (root, Linux 5.12 or later), else why not."""
    argv = [init, f"--box={1 << 20}", f"--work={state_dir}", f"--chdir={BOX_WORKDIR}", f"--self-at={BOX_INIT}",
            "--hide=/root", "--", BOX_INIT, "--report=1", "--ns", "--", "/bin/true"]
    try:
        done = _bare(argv, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        return str(err)
    if done.returncode != 0 or b"status 0" not in done.stdout:
        return done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
    return None


def probe(state_dir: Path, hidden: tuple[str, ...], *, without: Collection[str] = (),
          use_bwrap: bool = False) -> Isolation:
    """Find out which protections work here; compile the launcher into state_dir.

    `without` names protections (see PROTECTIONS) to leave off even where they work: tests use
    it to check that the build still runs, and says so, on a machine that lacks them.
    `use_bwrap`: build boxes with bubblewrap even as root (tests compare the two).
    """
    unknown = set(without) - PROTECTIONS
    if unknown:
        raise ValueError(f"unknown protections {sorted(unknown)}; known: {sorted(PROTECTIONS)}")
    missing: list[str] = []
    init, why = _compile_init(state_dir)
    if why:
        missing.append(why)

    root = os.geteuid() == 0
    # As root the launcher builds the box itself; bubblewrap is the way for everybody else, and
    # where that fails (a kernel older than 5.12).
    own_box = root and init is not None and "bwrap" not in without and not use_bwrap
    why_not_own = _own_box_works(init, state_dir) if own_box and init is not None else None
    builds_box = own_box and why_not_own is None
    bwrap = None if "bwrap" in without or builds_box else _find_bwrap()
    if bwrap is not None:
        problem = _bwrap_works(bwrap, init)
        if problem is not None:
            missing.append(f"namespaces (bubblewrap is installed but cannot build the box here: {problem})")
            bwrap = None
    elif "bwrap" in without:
        missing.append("namespaces (turned off)")
    elif not builds_box:
        missing.append("namespaces (bubblewrap is not installed: apt-get install bubblewrap)")
    pids, memory = (None, None) if "cgroup" in without or init is None else _cgroup_roots()
    if "memory" in without:
        memory = None
    _clean_stale([p for p in (pids, memory) if p])
    namespaces = builds_box or bwrap is not None
    # As root, a uid of its own is what keeps an example from reaching the build's processes
    # (kill(-1, ...)) when there is no PID namespace, and what RLIMIT_NPROC counts when there
    # is no pids cgroup.
    dedicated_uids = (pids is None or not namespaces) and root and init is not None and "uid" not in without
    if not namespaces:
        missing.append("network isolation, a private /tmp, a hidden source tree and home"
                       + ("" if dedicated_uids else ", and a box that kill(-1, ...) cannot escape"))
    if pids is None and not dedicated_uids and not (bwrap and not root):
        missing.append("a bound on the number of processes (no writable cgroup pids controller, "
                       "and RLIMIT_NPROC does not hold for root)")
    if memory is None:
        missing.append("a bound on the whole box's memory (no writable cgroup memory controller; "
                       "each process is still held by RLIMIT_AS)")
    tmpfs = "tmpfs" not in without and init is not None and _can_hold_tmpfs(init)
    if not tmpfs:
        missing.append("a disk-space bound on the working directory (mounting a size-limited tmpfs "
                       "needs root; each file is still held by RLIMIT_FSIZE)")
    return Isolation(bwrap=bwrap, init=init, cgroup_root=pids, hidden=hidden, missing=tuple(missing),
                     memory_cgroup_root=memory, workdir_tmpfs=tmpfs, dedicated_uids=dedicated_uids,
                     owner=os.getpid(), builds_box=builds_box,
                     box_note=(f"the launcher cannot build the box here ({why_not_own})"
                               + (", so bubblewrap does" if bwrap is not None else "")) if why_not_own else "")


# -- processes ----------------------------------------------------------------------------------


_COUNTER = itertools.count()


def _proc_table() -> dict[int, tuple[int, str, str]]:
    """pid -> (ppid, state, comm) for every process we can see."""
    table: dict[int, tuple[int, str, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                raw = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        open_paren, close_paren = raw.find("("), raw.rfind(")")
        fields = raw[close_paren + 2:].split()
        if len(fields) < 2:
            continue
        table[int(entry)] = (int(fields[1]), fields[0], raw[open_paren + 1:close_paren])
    return table


def descendants(root: int) -> list[int]:
    """Every process below root, found by walking parent links in /proc."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _state, _comm) in table.items():
        children.setdefault(ppid, []).append(pid)
    found: list[int] = []
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _still_running(root: int) -> tuple[LeftProcess, ...]:
    """The example's own processes below root (the sandbox's are left out)."""
    table = _proc_table()
    return tuple(
        LeftProcess(pid=pid, state=table[pid][1], name=table[pid][2])
        for pid in sorted(descendants(root))
        if pid in table and table[pid][2] not in _INFRASTRUCTURE_NAMES
    )


def _cgroup_pids(directory: str) -> list[int]:
    try:
        with open(os.path.join(directory, "cgroup.procs"), encoding="ascii") as f:
            return [int(pid) for pid in f.read().split()]
    except OSError:
        return []


def _wait_exit(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """Block until proc has exited (or timeout seconds pass), waking the moment it does.

    Popen.wait(timeout=...) polls with sleeps that start at 0.5 ms and double, so a process
    that ends just after a poll costs up to the next sleep; a pidfd wakes us exactly.
    Returns True when proc has exited (it is reaped then).
    """
    if proc.returncode is not None:
        return True
    fd = -1
    with contextlib.suppress(OSError, AttributeError):
        fd = os.pidfd_open(proc.pid)
    if fd < 0:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        if not poller.poll(max(0, int(timeout * 1000))):
            return proc.poll() is not None
    finally:
        os.close(fd)
    proc.wait()
    return True


def _box_pids(proc: subprocess.Popen[bytes], cgroups: list[str]) -> set[int]:
    pids = set(descendants(proc.pid)) if proc.poll() is None else set()
    for directory in cgroups:
        pids.update(_cgroup_pids(directory))
    return pids


def _kill_box(proc: subprocess.Popen[bytes], cgroups: list[str], namespaced: bool, *, ended: bool = False) -> None:
    """SIGKILL the command's process group and every process of its box, until none is left.

    ended: the box closed its output and report pipes, so bwrap is on its way out; give it a
    moment to be reaped rather than scan /proc for a box that is already empty.
    """
    if ended and namespaced:
        _wait_exit(proc, 1.0)
    if proc.poll() is not None and namespaced and not any(_cgroup_pids(d) for d in cgroups):
        # bwrap exits only after the box's PID 1 has, and the kernel empties a PID namespace
        # before its PID 1 is gone: nothing of the box can be left.
        return
    # Stop everything first, then kill. Killed one by one, a process could run on for a moment
    # after another died: a Rust writer whose `cat` was killed first got EPIPE and printed
    # "Broken pipe" into a timed-out example's output, and its supervisor reported the dead
    # `cat` as a zombie (make doctest saw that output differ between two runs). Stopping has no
    # such side effect on anybody else.
    for pid in _box_pids(proc, cgroups):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGSTOP)
    for _ in range(500):
        pids = _box_pids(proc, cgroups)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        if not pids:
            break
        time.sleep(0.002)


def _drop_cgroups(paths: Collection[str], *, attempts: int = 500, defer: bool = True) -> None:
    for path in paths:
        for _ in range(attempts):
            try:
                os.rmdir(path)
                break
            except FileNotFoundError:
                break
            except OSError:
                for pid in _cgroup_pids(path):
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                time.sleep(0.002)
        else:
            if not defer:
                continue
            # Still busy after a second (a process the kernel had not finished tearing down):
            # try again when the interpreter exits, rather than leave an empty cgroup behind.
            with _RUNNING_LOCK:
                if not _UNDROPPED:
                    atexit.register(_drop_undropped)
                _UNDROPPED.add(path)


def _drop_undropped() -> None:
    with _RUNNING_LOCK:
        paths = sorted(_UNDROPPED)
        _UNDROPPED.clear()
    _drop_cgroups(paths, attempts=50, defer=False)


def _read_counter(path: str, key: str) -> int:
    """The value after `key` in a cgroup `key value` file, 0 if absent."""
    try:
        with open(path, encoding="ascii") as f:
            for line in f:
                name, _, value = line.partition(" ")
                if name == key:
                    return int(value)
    except (OSError, ValueError):
        pass
    return 0


# Boxes this process is running right now, so that stop_all() can reach the ones other threads
# wait on. Process-local bookkeeping of child processes, never Sphinx state.
_RUNNING: set[tuple[subprocess.Popen[bytes], tuple[str, ...], bool]] = set()
_RUNNING_LOCK = threading.Lock()
_STOPPING = threading.Event()
#: Cgroups that were still busy when their box ended; removed at interpreter exit.
_UNDROPPED: set[str] = set()
_HOOKED = threading.Event()


def stop_all() -> None:
    """Kill every box this process is running now; their run() calls raise SandboxError.

    For Ctrl-C: threads of a pool wait on their examples, and the interpreter waits for
    those threads before it exits. Nothing is cached from a stopped run.
    """
    _STOPPING.set()
    with _RUNNING_LOCK:
        boxes = list(_RUNNING)
    for proc, cgroups, namespaced in boxes:
        _kill_box(proc, list(cgroups), namespaced)


def _stop_at_interpreter_exit() -> None:
    """Call stop_all() when the interpreter starts to shut down (after Ctrl-C in the main thread).

    CPython joins a ThreadPoolExecutor's threads from a threading exit hook that runs before
    atexit and before the main thread counts as stopped, so neither atexit nor
    main_thread().is_alive() can see the shutdown in time. threading._register_atexit is that
    same hook (registered later, run earlier); without it Ctrl-C waits for the example's timeout.
    """
    if _HOOKED.is_set():
        return
    _HOOKED.set()
    register = getattr(threading, "_register_atexit", None)
    if register is not None:
        with contextlib.suppress(RuntimeError):
            register(stop_all)


def _owner_pidfd(owner: int) -> int | None:
    """A pidfd of the build's main process, when this is one of its workers (Sphinx -j)."""
    if not owner or owner == os.getpid() or not hasattr(os, "pidfd_open"):
        return None
    try:
        return os.pidfd_open(owner)
    except OSError:
        return None


@functools.lru_cache(maxsize=16)
def _outermost(paths: tuple[str, ...]) -> tuple[str, ...]:
    """Drop every path inside another one: hiding /work/site hides /work/site/docs too, and each
    extra tmpfs (plus its read-only remount) is two more mounts for every box. Remembered: the
    same few folders are asked about for every box, and realpath() costs about 0.1 ms each."""
    real = [os.path.realpath(p) for p in paths]
    return tuple(p for p, r in zip(paths, real)
                 if not any(r != other and r.startswith(other.rstrip("/") + "/") for other in real))


def _box_uid() -> int:
    """A uid no one else uses, so RLIMIT_NPROC counts this example's processes only."""
    return _UID_BASE + ((os.getpid() << 10) + next(_COUNTER)) % (1 << 24)


class Workspace:
    """A fresh temporary directory in which an example's commands run, removed afterwards.

    With root, it is a size-limited tmpfs (disk_bytes): an example that fills its disk fills
    only that, and what the compile step writes survives to the run step.
    """

    def __init__(self, isolation: Isolation, on_timeout: Callable[[int], tuple[str, ...]] | None = None,
                 *, disk_bytes: int = DISK_BYTES) -> None:
        self.isolation = isolation
        self.on_timeout = on_timeout
        self.disk_bytes = disk_bytes
        self.uid = _box_uid() if isolation.dedicated_uids else None
        self.host_path = Path(tempfile.mkdtemp(prefix=f"snippets-{os.getpid()}-"))
        self._holder: _Holder | None = None
        if isolation.workdir_tmpfs and isolation.init is not None:
            self._holder = _Holder(isolation.init, self.host_path, disk_bytes, self.uid)
            if not self._holder.ready:
                self._holder = None
        #: Where the build reads and writes the working directory's files.
        self.path = self._holder.view(self.host_path) if self._holder else self.host_path
        if self.uid is not None and self._holder is None:
            os.chown(self.path, self.uid, self.uid)
            os.chmod(self.path, 0o755)
        self.left_at_timeout: tuple[LeftProcess, ...] = ()

    def __enter__(self) -> Workspace:
        return self

    @property
    def mounted(self) -> bool:
        """True when the working directory is a size-limited tmpfs."""
        return self._holder is not None

    def __exit__(self, *exc: object) -> None:
        if self._holder is not None:
            self._holder.close()
        shutil.rmtree(self.host_path, ignore_errors=True)

    @property
    def box_path(self) -> str:
        """The working directory as the example sees it."""
        return BOX_WORKDIR if self.isolation.namespaces else str(self.host_path)

    def env(self, command: Command) -> dict[str, str]:
        """The minimal, explicit environment: nothing leaks from the build's own."""
        base = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": self.box_path,
            "TMPDIR": self.box_path,
        }
        base.update(dict(command.env))
        return base

    def _argv(self, command: Command, limits: Limits, report_fd: int | None, cgroups: list[str],
              watch_fd: int | None = None) -> list[str]:
        iso = self.isolation
        inner = list(command.argv)
        if iso.init is None:
            return inner
        supervisor = [f"--report={report_fd}", *([f"--watch-fd={watch_fd}"] if watch_fd is not None else [])]
        limit_args = [
            f"cpu={limits.cpu_seconds}", f"as={limits.memory_bytes}",
            f"fsize={limits.file_size_bytes}", f"nofile={limits.open_files}", "core=0",
        ]
        example_args: list[str] = []
        if self.uid is not None:
            example_args.append(f"uid={self.uid}")
            if iso.cgroup_root is None:
                example_args.append(f"nproc={limits.processes}")
        elif iso.cgroup_root is None and iso.bwrap is not None and os.geteuid() != 0:
            # Unprivileged bwrap puts the box in its own user namespace, where RLIMIT_NPROC
            # counts only the box's processes: the example's and PID 1 and 2.
            example_args.append(f"nproc={limits.processes + 2}")
        joins = [f"--cgroup={d}" for d in cgroups]
        if self._holder is not None:
            joins.append(f"--mountns={self._holder.mount_namespace}")
        if not iso.namespaces:
            return [iso.init, *supervisor, *joins, *limit_args, *example_args, "--", *inner]
        size = str(self.disk_bytes)
        hidden = _outermost(tuple(h for h in iso.hidden if os.path.isdir(h) and h != "/"))
        visible = [path for path in command.visible if os.path.exists(path)]
        in_box = [BOX_INIT, *supervisor, "--ns", *example_args, "--", *inner]
        if iso.builds_box:
            # The same box as bubblewrap's below, built by the launcher itself (init.c, build_box).
            box = [f"--box={size}", f"--work={self.host_path}", f"--chdir={BOX_WORKDIR}", f"--self-at={BOX_INIT}",
                   *(f"--hide={path}" for path in hidden), *(f"--show={path}" for path in visible)]
            if self.uid is not None:
                box.append("--keep-setuid")
            return [iso.init, *joins, *limit_args, *box, "--", *in_box]
        assert iso.bwrap is not None
        box = [
            iso.bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--hostname", "example", "--die-with-parent", "--new-session", "--as-pid-1",
            # bwrap run by root keeps every capability unless told otherwise; with them an
            # example could unmount the tmpfs that hides the source tree, remount / read-write
            # and write into the host's files (issue 4).
            "--cap-drop", "ALL",
        ]
        if self.uid is not None:
            box += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_KILL"]
        box += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        for scratch in ("/tmp", "/var/tmp", "/dev/shm"):
            box += ["--perms", "1777", "--size", size, "--tmpfs", scratch]
        box += ["--size", size, "--tmpfs", "/run"]
        for path in hidden:
            box += ["--tmpfs", path]
        for path in visible:
            box += ["--ro-bind", path, path]
        box += ["--bind", str(self.host_path), BOX_WORKDIR, "--ro-bind", iso.init, BOX_INIT]
        for path in hidden:
            box += ["--remount-ro", path]
        box += ["--chdir", BOX_WORKDIR, "--", *in_box]
        return [iso.init, *joins, *limit_args, "--", *box]

    def _make_cgroups(self, limits: Limits) -> list[str]:
        """One cgroup per controller hierarchy for this run (the same directory on cgroup v2)."""
        iso = self.isolation
        name = f"snippets-{os.getpid()}-{next(_COUNTER)}"
        made: list[str] = []
        try:
            for root, settings in ((iso.cgroup_root, "pids"), (iso.memory_cgroup_root, "memory")):
                if root is None:
                    continue
                path = os.path.join(root, name)
                if path not in made:
                    os.mkdir(path)
                    made.append(path)
                if settings == "pids":
                    # + the box's own three: its monitor outside the namespace (bwrap, or the
                    # launcher with --box), PID 1 and PID 2.
                    self._write(path, ("pids.max",), f"{limits.processes + 3}")
                else:
                    self._write(path, ("memory.limit_in_bytes", "memory.max"), f"{limits.memory_bytes}")
                    # No swapping past the bound either, where swap is accounted (v1: memory+swap
                    # total; v2: swap alone).
                    with contextlib.suppress(OSError):
                        self._write(path, ("memory.memsw.limit_in_bytes",), f"{limits.memory_bytes}")
                    with contextlib.suppress(OSError):
                        self._write(path, ("memory.swap.max",), "0")
        except OSError as err:
            _drop_cgroups(made)
            raise SandboxError(f"cannot set up cgroup {name}: {err}") from err
        return made

    @staticmethod
    def _write(directory: str, names: tuple[str, ...], value: str) -> None:
        for name in names:
            path = os.path.join(directory, name)
            if os.path.exists(path):
                with open(path, "w", encoding="ascii") as f:
                    f.write(value + "\n")
                return
        raise OSError(f"none of {', '.join(names)} in {directory}")

    def _limits_hit(self, cgroups: list[str]) -> tuple[str, ...]:
        hit: list[str] = []
        for directory in cgroups:
            if _read_counter(os.path.join(directory, "pids.events"), "max") and "processes" not in hit:
                hit.append("processes")
            oom = (_read_counter(os.path.join(directory, "memory.oom_control"), "oom_kill")
                   + _read_counter(os.path.join(directory, "memory.events"), "oom_kill"))
            if oom and "memory" not in hit:
                hit.append("memory")
        if self.mounted:
            with contextlib.suppress(OSError):
                stat = os.statvfs(self.path)
                if stat.f_bavail * stat.f_frsize < (64 << 10):
                    hit.append("disk")
        return tuple(hit)

    def run(self, command: Command, limits: Limits) -> Result:
        """Run one command to completion or timeout; everything it started is gone afterwards.

        Raises SandboxError when the box cannot be built, or when stop_all() stopped it.
        """
        if _STOPPING.is_set():
            raise SandboxError("the build is stopping (interrupted): the example was not started")
        if threading.current_thread() is not threading.main_thread():
            _stop_at_interpreter_exit()
        timeout = command.timeout if command.timeout is not None else limits.timeout
        cgroups = self._make_cgroups(limits)
        report_r, report_w = os.pipe()
        watch_fd = _owner_pidfd(self.isolation.owner)
        argv = self._argv(command, limits, report_w, cgroups, watch_fd)
        passed = (report_w,) if watch_fd is None else (report_w, watch_fd)
        namespaced = self.isolation.namespaces
        started = time.monotonic()
        try:
            proc = subprocess.Popen(  # noqa: S603 - never a shell; argv built above
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                cwd=self.host_path, env=self.env(command), pass_fds=passed, start_new_session=True,
            )
        except OSError as err:
            os.close(report_r)
            for fd in passed:
                os.close(fd)
            _drop_cgroups(cgroups)
            return Result(argv=command.argv, exit_code=None, signal=None, output=b"",
                          exec_error=f"{command.argv[0]}: {err.strerror}")
        for fd in passed:
            os.close(fd)
        box = (proc, tuple(cgroups), namespaced)
        with _RUNNING_LOCK:
            _RUNNING.add(box)
        ended = False
        try:
            output, dropped, report, timed_out, postmortem = self._collect(
                proc, report_r, started + timeout, limits, cgroups, namespaced)
            ended = not timed_out
        finally:
            with _RUNNING_LOCK:
                _RUNNING.discard(box)
            _kill_box(proc, cgroups, namespaced, ended=ended)
            proc.wait()
            os.close(report_r)
            hit = self._limits_hit(cgroups)
            _drop_cgroups(cgroups)
        duration = time.monotonic() - started
        result = self._result(command, proc, output, dropped, report, timed_out, duration, postmortem)
        return result._replace(limits_hit=hit) if hit else result

    def _collect(self, proc: subprocess.Popen[bytes], report_r: int, deadline: float, limits: Limits,
                 cgroups: list[str], namespaced: bool) -> tuple[bytes, int, bytes, bool, tuple[str, ...]]:
        assert proc.stdout is not None
        out_fd = proc.stdout.fileno()
        chunks: list[bytes] = []
        kept = dropped = 0
        report = bytearray()
        timed_out = False
        postmortem: tuple[str, ...] = ()
        with selectors.DefaultSelector() as sel:
            sel.register(out_fd, selectors.EVENT_READ, "out")
            sel.register(report_r, selectors.EVENT_READ, "report")
            open_streams = 2
            while open_streams:
                if _STOPPING.is_set():
                    _kill_box(proc, cgroups, namespaced)
                    raise SandboxError("the build is stopping (interrupted): the example was killed")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    if timed_out:
                        break
                    timed_out = True
                    if self.on_timeout is not None:
                        postmortem = self.on_timeout(proc.pid)
                    self.left_at_timeout = _still_running(proc.pid)
                    _kill_box(proc, cgroups, namespaced)
                    # Drain what is already in the pipe, without waiting for more.
                    deadline = time.monotonic() + 1.0
                    continue
                for key, _ in sel.select(timeout=min(remaining, 0.5)):
                    data = os.read(key.fd, _READ_SIZE)
                    if not data:
                        sel.unregister(key.fd)
                        open_streams -= 1
                    elif key.data == "report":
                        report += data
                    else:
                        room = max(0, limits.output_bytes - kept)
                        chunks.append(data[:room])
                        kept += min(room, len(data))
                        dropped += len(data) - min(room, len(data))
        return b"".join(chunks), dropped, bytes(report), timed_out, postmortem

    def _result(self, command: Command, proc: subprocess.Popen[bytes], output: bytes, dropped: int,
                report: bytes, timed_out: bool, duration: float, postmortem: tuple[str, ...]) -> Result:
        status: int | None = None
        left: list[LeftProcess] = list(self.left_at_timeout) if timed_out else []
        exec_error: str | None = None
        for line in report.decode("utf-8", "replace").splitlines():
            parts = line.split(" ", 3)
            if parts[0] == "status" and len(parts) == 2:
                status = int(parts[1])
            elif parts[0] == "left" and len(parts) == 4:
                left.append(LeftProcess(pid=int(parts[1]), state=parts[2], name=parts[3]))
            elif parts[0] == "exec-failed" and len(parts) == 2:
                exec_error = f"{command.argv[0]}: {os.strerror(int(parts[1]))}"
        exit_code: int | None = None
        sig: int | None = None
        if timed_out:
            pass
        elif status is not None:
            if os.WIFEXITED(status):
                exit_code = os.WEXITSTATUS(status)
            elif os.WIFSIGNALED(status):
                sig = os.WTERMSIG(status)
        elif self.isolation.init is not None:
            if _STOPPING.is_set():
                raise SandboxError("the build is stopping (interrupted): the example was killed")
            if self.isolation.owner and not _alive(self.isolation.owner):
                raise SandboxError("the build process that owned this box has ended: the example was killed")
            # The launcher never reported: the sandbox itself failed, not the example.
            text = output.decode("utf-8", "replace").strip()
            raise SandboxError(f"the sandbox failed to start {command.argv[0]!r} "
                               f"(exit {proc.returncode}): {text[-500:]}")
        elif proc.returncode is not None and proc.returncode < 0:
            sig = -proc.returncode
        else:
            exit_code = proc.returncode
        if exec_error is not None:
            exit_code = None
        return Result(
            argv=command.argv, exit_code=exit_code, signal=sig, output=output, truncated=dropped,
            timed_out=timed_out, duration=duration, left=tuple(left), exec_error=exec_error,
            postmortem=postmortem,
        )


@contextlib.contextmanager
def workspace(isolation: Isolation, on_timeout: Callable[[int], tuple[str, ...]] | None = None,
              *, disk_bytes: int = DISK_BYTES) -> Iterator[Workspace]:
    """A fresh working directory for one example, removed when the block ends."""
    with Workspace(isolation, on_timeout, disk_bytes=disk_bytes) as ws:
        yield ws
