"""Run one command of an example in isolation: the only module that starts processes."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

#: Where the example's working directory appears inside the box.
BOX_WORKDIR = "/tmp/example"
#: Where the launcher binary appears inside the box.
BOX_INIT = "/tmp/.snippets/snippets-init"
INIT_SOURCE = Path(__file__).with_name("init.c")
_INFRASTRUCTURE_NAMES = frozenset({"bwrap", "snippets-init"})


class SandboxError(Exception):
    """The sandbox itself failed (not the example): bad isolation setup, missing tool."""


@dataclass(frozen=True)
class Limits:
    """Bounds applied to one run."""

    timeout: float = 5.0
    """Wall-clock seconds before the whole box is killed."""
    cpu_seconds: int = 20
    """RLIMIT_CPU for the command and everything it starts."""
    memory_bytes: int = 2 << 30
    """RLIMIT_AS (virtual memory) per process."""
    file_size_bytes: int = 64 << 20
    """RLIMIT_FSIZE: the largest file the example may write."""
    processes: int = 64
    """Most processes alive at once (cgroup pids.max; RLIMIT_NPROC as a fallback)."""
    open_files: int = 256
    """RLIMIT_NOFILE."""
    output_bytes: int = 64 << 10
    """Output kept for the page; the rest is counted and dropped."""


@dataclass(frozen=True)
class Command:
    """One program to run inside the box."""

    argv: tuple[str, ...]
    """Program and arguments; relative paths resolve in the box's working directory."""
    env: tuple[tuple[str, str], ...] = ()
    """Extra environment on top of the minimal one the sandbox always sets."""
    visible: tuple[str, ...] = ()
    """Host paths made readable inside the box, at the same path."""
    timeout: float | None = None
    """Override of Limits.timeout for this command (e.g. a compiler)."""


@dataclass(frozen=True)
class LeftProcess:
    """A process still present when the command's main program ended."""

    pid: int
    """PID as seen inside the box."""
    state: str
    """Kernel state letter: Z for a zombie nobody waited for, S/R/D/T otherwise."""
    name: str
    """The process's command name (comm)."""


@dataclass(frozen=True)
class Result:
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


@dataclass(frozen=True)
class Isolation:
    """What this machine offers; decided once per build by probe()."""

    bwrap: str | None = None
    """Path to bubblewrap when it works here (namespaces, read-only root)."""
    init: str | None = None
    """Path to the compiled launcher (snippets-init)."""
    cgroup_root: str | None = None
    """A writable cgroup pids hierarchy, for a process-count bound that root cannot escape."""
    hidden: tuple[str, ...] = ()
    """Host directories hidden inside the box (the source tree, home directories)."""
    missing: tuple[str, ...] = ()
    """Human-readable protections that are off on this machine."""


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


def _cgroup_root() -> str | None:
    for candidate in ("/sys/fs/cgroup/pids", "/sys/fs/cgroup"):
        if not os.path.isfile(os.path.join(candidate, "cgroup.procs")):
            continue
        probe = os.path.join(candidate, f"snippets-probe-{os.getpid()}")
        try:
            os.mkdir(probe)
        except OSError:
            continue
        has_pids = os.path.exists(os.path.join(probe, "pids.max"))
        os.rmdir(probe)
        if has_pids:
            return candidate
    return None


def probe(state_dir: Path, hidden: tuple[str, ...]) -> Isolation:
    """Find out which protections work here; compile the launcher into state_dir."""
    missing: list[str] = []
    init: str | None = None
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        missing.append("the launcher (no C compiler to build it): no leftover-process report")
    else:
        state_dir.mkdir(parents=True, exist_ok=True)
        target = state_dir / f"snippets-init-{_sha(INIT_SOURCE)}"
        if not target.exists():
            tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            done = _bare([compiler, "-O2", "-Wall", "-o", str(tmp), str(INIT_SOURCE)])
            if done.returncode == 0:
                os.replace(tmp, target)
            else:
                missing.append("the launcher (it failed to compile): no leftover-process report")
        if target.exists():
            init = str(target)

    bwrap = shutil.which("bwrap")
    if bwrap is not None:
        done = _bare([bwrap, "--ro-bind", "/", "/", "--unshare-pid", "--unshare-net",
                      "--proc", "/proc", "--dev", "/dev", "--", "/bin/true"], timeout=30)
        if done.returncode != 0:
            missing.append("namespaces (bubblewrap is installed but cannot create them here: "
                           + done.stderr.decode("utf-8", "replace").strip() + ")")
            bwrap = None
    else:
        missing.append("namespaces (bubblewrap is not installed: apt-get install bubblewrap)")
    if bwrap is None:
        missing.append("network isolation and a read-only view of the source tree")

    cgroup = _cgroup_root()
    if cgroup is None:
        missing.append("a process-count bound that root cannot escape (no writable cgroup pids controller)")
    if init is None and cgroup is not None:
        cgroup = None  # only the launcher can join it before the example starts
    return Isolation(bwrap=bwrap, init=init, cgroup_root=cgroup, hidden=hidden,
                     missing=tuple(missing))


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


def _kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the command's process group and every descendant, until none is left."""
    for _ in range(100):
        pids = descendants(proc.pid)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        if not pids:
            break
        time.sleep(0.002)


class Workspace:
    """A fresh temporary directory in which an example's commands run, removed afterwards."""

    def __init__(self, isolation: Isolation, on_timeout: Callable[[int], tuple[str, ...]] | None = None) -> None:
        self.isolation = isolation
        self.on_timeout = on_timeout
        self.path = Path(tempfile.mkdtemp(prefix="snippets-"))
        self.left_at_timeout: tuple[LeftProcess, ...] = ()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    @property
    def box_path(self) -> str:
        """The working directory as the example sees it."""
        return BOX_WORKDIR if self.isolation.bwrap else str(self.path)

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

    def _argv(self, command: Command, limits: Limits, report_fd: int | None, cgroup: str | None) -> list[str]:
        iso = self.isolation
        inner = list(command.argv)
        if iso.init is None:
            return inner
        limit_args = [
            f"cpu={limits.cpu_seconds}", f"as={limits.memory_bytes}",
            f"fsize={limits.file_size_bytes}", f"nofile={limits.open_files}", "core=0",
        ]
        if cgroup is None:
            limit_args.append(f"nproc={limits.processes}")
        outer = [iso.init, *( [f"--cgroup={cgroup}"] if cgroup else [] ), *limit_args]
        if iso.bwrap is None:
            return [*outer[:1], f"--report={report_fd}", *outer[1:], "--", *inner]
        box = [
            iso.bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            "--tmpfs", "/tmp", "--tmpfs", "/var/tmp", "--tmpfs", "/run",
        ]
        for hidden in iso.hidden:
            if os.path.isdir(hidden):
                box += ["--tmpfs", hidden]
        for path in command.visible:
            if os.path.exists(path):
                box += ["--ro-bind", path, path]
        box += [
            "--bind", str(self.path), BOX_WORKDIR, "--ro-bind", iso.init, BOX_INIT,
            "--chdir", BOX_WORKDIR, "--unshare-pid", "--unshare-net", "--unshare-ipc",
            "--unshare-uts", "--hostname", "example", "--die-with-parent", "--new-session",
            "--", BOX_INIT, f"--report={report_fd}", "--ns", "--", *inner,
        ]
        return [*outer, "--", *box]

    def _make_cgroup(self, limits: Limits) -> str | None:
        root = self.isolation.cgroup_root
        if root is None:
            return None
        path = os.path.join(root, f"snippets-{os.getpid()}-{next(_COUNTER)}")
        try:
            os.mkdir(path)
            with open(os.path.join(path, "pids.max"), "w") as f:
                f.write(f"{limits.processes + 3}\n")  # + bwrap, its pid 1 and our init
        except OSError as err:
            raise SandboxError(f"cannot set up cgroup {path}: {err}") from err
        return path

    @staticmethod
    def _drop_cgroup(path: str | None) -> None:
        if path is None:
            return
        for _ in range(200):
            try:
                os.rmdir(path)
                return
            except FileNotFoundError:
                return
            except OSError:
                with contextlib.suppress(OSError), open(os.path.join(path, "cgroup.procs")) as f:
                    for pid in f.read().split():
                        with contextlib.suppress(OSError):
                            os.kill(int(pid), signal.SIGKILL)
                time.sleep(0.005)

    def run(self, command: Command, limits: Limits) -> Result:
        """Run one command to completion or timeout; everything it started is gone afterwards."""
        timeout = command.timeout if command.timeout is not None else limits.timeout
        report_r, report_w = os.pipe()
        cgroup = self._make_cgroup(limits)
        argv = self._argv(command, limits, report_w, cgroup)
        started = time.monotonic()
        try:
            proc = subprocess.Popen(  # noqa: S603 - never a shell; argv built above
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                cwd=self.path, env=self.env(command), pass_fds=(report_w,), start_new_session=True,
            )
        except OSError as err:
            os.close(report_r)
            os.close(report_w)
            self._drop_cgroup(cgroup)
            return Result(argv=command.argv, exit_code=None, signal=None, output=b"",
                          exec_error=f"{command.argv[0]}: {err.strerror}")
        os.close(report_w)
        try:
            output, dropped, report, timed_out, postmortem = self._collect(proc, report_r, started + timeout, limits)
        finally:
            _kill_tree(proc)
            proc.wait()
            os.close(report_r)
            self._drop_cgroup(cgroup)
        duration = time.monotonic() - started
        return self._result(command, proc, output, dropped, report, timed_out, duration, postmortem)

    def _collect(self, proc: subprocess.Popen[bytes], report_r: int, deadline: float,
                 limits: Limits) -> tuple[bytes, int, bytes, bool, tuple[str, ...]]:
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
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    timed_out = True
                    if self.on_timeout is not None:
                        postmortem = self.on_timeout(proc.pid)
                    self.left_at_timeout = _still_running(proc.pid)
                    _kill_tree(proc)
                    # Drain what is already in the pipe, without waiting for more.
                    deadline = time.monotonic() + 1.0
                    self.on_timeout = None
                    if remaining < -1.0:
                        break
                    continue
                for key, _ in sel.select(timeout=min(remaining, 0.5)):
                    data = os.read(key.fd, 65536)
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
                if timed_out and time.monotonic() > deadline:
                    break
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
def workspace(isolation: Isolation, on_timeout: Callable[[int], tuple[str, ...]] | None = None) -> Iterator[Workspace]:
    """A fresh working directory for one example, removed when the block ends."""
    with Workspace(isolation, on_timeout) as ws:
        yield ws

