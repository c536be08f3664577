"""Hostile examples (issue 4): every one runs in the sandbox and must end in bounded time with its
real outcome, leave no process on the host, write no file outside its box and show no secret.

The programs are in tests/hostile/. The dangerous ones (fork bombs, kill(-1, ...), memory bombs)
refuse to start unless they are inside the sandbox's PID namespace, and the cases that run them
are skipped when that namespace, or the bound they test, is not available here.

Run with `-s` to see the table the issue asks for (case, outcome, seconds, processes left on the
host, files written outside).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from snippets import sandbox
from snippets.sandbox import Command, Limits, Result

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from sphinx.testing.util import SphinxTestApp

HOSTILE = Path(__file__).parent / "hostile"
REPO = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).parent / "roots"
SECRET = f"canary-secret-{uuid.uuid4().hex}"
PYTHON = "/usr/bin/python3"


@dataclass
class Box:
    """The machine's isolation plus the places a hostile example must not reach."""

    isolation: sandbox.Isolation
    source_tree: Path
    """A stand-in for the repository: hidden in the box, holds a secret file."""
    canary: Path
    """A directory on the host's /tmp that nothing may write into."""


@dataclass
class Case:
    """What one hostile run did, seen from inside (the result) and from the host."""

    compiled: Result | None
    result: Result | None
    seconds: float
    left_on_host: list[str]
    written_outside: list[str]

    @property
    def text(self) -> str:
        step = self.result or self.compiled
        return step.output.decode("utf-8", "replace") if step else ""

    def outcome(self) -> str:
        step = self.result or self.compiled
        assert step is not None
        role = "compile: " if self.result is None else ""
        if step.timed_out:
            what = "timed out"
        elif step.signal is not None:
            what = f"killed by {signal.Signals(step.signal).name}"
        else:
            what = f"exit {step.exit_code}"
        extras = []
        if step.left:
            zombies = sum(1 for p in step.left if p.state == "Z")
            extras.append(f"{len(step.left) - zombies} killed" + (f", {zombies} zombies" if zombies else ""))
        if step.truncated:
            extras.append(f"{step.truncated >> 20} MiB dropped")
        if step.limits_hit:
            extras.append("hit " + "+".join(step.limits_hit))
        return role + what + (f" ({'; '.join(extras)})" if extras else "")


@pytest.fixture(scope="module", params=["launcher", "bubblewrap"])
def box(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Box]:
    """Each hostile program meets the box the launcher builds itself (root) and bubblewrap's."""
    base = tmp_path_factory.mktemp("hostile")
    source_tree = base / "src"
    (source_tree / "examples").mkdir(parents=True)
    (source_tree / "secret.txt").write_text(SECRET)
    (source_tree / "secret.txt").chmod(0o600)
    (source_tree / "conf.py").write_text("project = 'stand-in'\n")
    canary = Path(sandbox.tempfile.mkdtemp(prefix="hostile-canary-"))
    (canary / "keep.txt").write_text("untouched\n")
    hidden = (str(REPO), str(source_tree), str(Path.home()), "/root", "/home")
    isolation = sandbox.probe(base / "state", hidden, use_bwrap=request.param == "bubblewrap")
    old = os.environ.get("SNIPPETS_CANARY_SECRET")
    os.environ["SNIPPETS_CANARY_SECRET"] = SECRET
    try:
        yield Box(isolation, source_tree, canary)
    finally:
        if old is None:
            del os.environ["SNIPPETS_CANARY_SECRET"]
        else:
            os.environ["SNIPPETS_CANARY_SECRET"] = old
        shutil.rmtree(canary, ignore_errors=True)


def need_namespaces(iso: sandbox.Isolation) -> None:
    """Dangerous programs only ever run inside a PID namespace (they check that themselves too)."""
    if not iso.namespaces:
        pytest.skip("needs bubblewrap's namespaces: this program must never run on the host")


def need_process_bound(iso: sandbox.Isolation) -> None:
    """Forking programs, inside a namespace, with something that bounds their number."""
    need_namespaces(iso)
    if iso.cgroup_root is None and not iso.dedicated_uids:
        pytest.skip("no process bound on this machine")


# -- what the host sees -----------------------------------------------------------------------


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def host_leftovers(token: str, paths: list[str], *, below_us: bool = True) -> list[str]:
    """Processes on the host that belong to this run: below us, carrying its token, or in its dirs."""
    me = os.getpid()
    below = set(sandbox.descendants(me)) if below_us else set()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        pid = int(entry)
        environ = _read(f"/proc/{pid}/environ")
        cmdline = _read(f"/proc/{pid}/cmdline").replace(b"\0", b" ").decode(errors="replace")
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            cwd = ""
        if (pid in below or token.encode() in environ
                or any(p and (cwd.startswith(p) or p in cmdline) for p in paths)):
            found.append(f"{pid} {cmdline.strip()[:80]}")
    return found


def leftover_cgroups(iso: sandbox.Isolation) -> list[str]:
    found = []
    for root in {iso.cgroup_root, iso.memory_cgroup_root} - {None}:
        assert root is not None
        found += [name for name in os.listdir(root) if name.startswith(f"snippets-{os.getpid()}-")]
    return found


def snapshot(*roots: Path) -> dict[str, tuple[int, int]]:
    state = {}
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            for name in [*files, "."]:
                path = os.path.join(dirpath, name)
                with contextlib.suppress(OSError):
                    st = os.lstat(path)
                    state[path] = (st.st_size, st.st_mtime_ns)
    return state


def marker_files(token: str, box: Box) -> list[str]:
    """Files named after this run anywhere a hostile example aims at (not recursive: cheap)."""
    places = [REPO, REPO / "examples", REPO / "docs", REPO / "tests", HOSTILE, box.source_tree,
              box.source_tree / "examples", box.canary, Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"),
              Path("/root"), Path("/etc"), Path("/usr/local"), Path.home()]
    found = []
    for place in places:
        with contextlib.suppress(OSError):
            found += [str(place / name) for name in os.listdir(place) if token in name]
    return found


def run_case(box: Box, name: str, args: tuple[str, ...] = (), *, timeout: float = 3.0,
             compile_timeout: float = 10.0, isolation: sandbox.Isolation | None = None,
             disk_bytes: int = sandbox.DISK_BYTES, **limits: int) -> Case:
    """Compile (C) and run one hostile program in a fresh workspace, then inspect the host."""
    iso = isolation or box.isolation
    token = uuid.uuid4().hex
    env = (("HOSTILE_TOKEN", token),)
    limit = Limits(timeout=timeout, cpu_seconds=int(timeout) + 5, **limits)
    before = snapshot(box.source_tree, box.canary, HOSTILE)
    compiled = result = None
    started = time.monotonic()
    with sandbox.workspace(iso, disk_bytes=disk_bytes) as ws:
        shutil.copy(HOSTILE / name, ws.path / name)
        for header in HOSTILE.glob("*.h"):  # must_be_boxed.h: the guard the dangerous ones share
            shutil.copy(header, ws.path / header.name)
        paths = [str(ws.host_path), str(ws.path)]
        if name.endswith(".c"):
            compiled = ws.run(Command(("cc", "-O1", "-o", "main", name), env=env, timeout=compile_timeout), limit)
            program: tuple[str, ...] | None = ("./main", *args) if compiled.exit_code == 0 else None
        else:
            program = (PYTHON, name, *args)
        if program is not None:
            result = ws.run(Command(program, env=env), limit)
    seconds = time.monotonic() - started
    written = marker_files(token, box)
    after = snapshot(box.source_tree, box.canary, HOSTILE)
    written += sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    case = Case(compiled, result, seconds, host_leftovers(token, paths) + leftover_cgroups(iso), written)
    print(f"\n| {name} {' '.join(args)} | {case.outcome()} | {seconds:.2f} | {len(case.left_on_host)} "
          f"| {len(case.written_outside)} |")
    # The invariants every hostile case shares.
    assert case.left_on_host == [], case.left_on_host
    assert case.written_outside == [], case.written_outside
    assert SECRET not in case.text
    assert not (ws.host_path.exists() or (ws.path.exists() and ws.path != ws.host_path))
    return case


def ran(case: Case) -> Result:
    assert case.result is not None, case.compiled
    return case.result


# -- the cases --------------------------------------------------------------------------------


def test_fork_bomb(box: Box) -> None:
    need_process_bound(box.isolation)
    case = run_case(box, "fork_bomb.c", timeout=1.5, processes=32)
    result = ran(case)
    assert result.timed_out and case.seconds < 6
    assert "forking forever" in case.text
    if box.isolation.cgroup_root:
        assert "processes" in result.limits_hit


def test_exponential_forks(box: Box) -> None:
    need_process_bound(box.isolation)
    case = run_case(box, "exp_forks.py", timeout=5, processes=16)
    result = ran(case)
    assert result.exit_code == 0 and case.seconds < 8
    assert "first process: some forks failed" in case.text
    assert len(result.left) <= 16


def test_setsid_double_fork_daemon(box: Box) -> None:
    case = run_case(box, "daemon.c")
    result = ran(case)
    assert result.exit_code == 0 and case.seconds < 5
    assert "daemon keeps running" in case.text
    assert [p for p in result.left if p.state != "Z"], result.left


def test_zombie_factory(box: Box) -> None:
    case = run_case(box, "zombies.c")
    result = ran(case)
    assert result.exit_code == 0
    assert sum(1 for p in result.left if p.state == "Z") == 10, result.left


def test_stops_itself_with_sigstop(box: Box) -> None:
    case = run_case(box, "sigstop.c", timeout=1)
    result = ran(case)
    assert result.timed_out and case.seconds < 4
    assert "stopping myself" in case.text and "continued" not in case.text


def test_kill_zero_kills_its_own_group_only(box: Box) -> None:
    need_namespaces(box.isolation)
    case = run_case(box, "kill_group.c")
    assert ran(case).signal == signal.SIGKILL
    assert "killing my process group" in case.text


def test_kill_minus_one_cannot_reach_the_build(box: Box) -> None:
    need_namespaces(box.isolation)
    case = run_case(box, "kill_all.c")
    result = ran(case)
    assert result.exit_code == 0, case.text
    assert "returned 0; still running, parent is now pid=1" in case.text


def test_killing_its_parent(box: Box) -> None:
    need_namespaces(box.isolation)
    case = run_case(box, "kill_parent.c")
    assert ran(case).exit_code == 3
    assert "killed parent pid=2; parent is now pid=1" in case.text


def test_gigabytes_of_output(box: Box) -> None:
    case = run_case(box, "flood.c", ("2048",), timeout=20)
    result = ran(case)
    assert result.exit_code == 0 and case.seconds < 15
    assert len(result.output) == Limits().output_bytes
    assert len(result.output) + result.truncated == 2048 << 20


def test_memory_bomb_one_process(box: Box) -> None:
    need_namespaces(box.isolation)
    case = run_case(box, "memory_bomb.c", ("one",), memory_bytes=256 << 20)
    result = ran(case)
    assert result.exit_code == 0 or result.signal == signal.SIGKILL, case.text
    if result.exit_code == 0:
        mib = int(case.text.split("after ")[1].split(" MiB")[0])
        assert mib <= 256


def test_memory_bomb_many_processes(box: Box) -> None:
    need_namespaces(box.isolation)
    if box.isolation.memory_cgroup_root is None:
        pytest.skip("no memory cgroup: four processes could take 4 x RLIMIT_AS from the host")
    case = run_case(box, "memory_bomb.c", ("many", "128"), memory_bytes=256 << 20)
    result = ran(case)
    assert result.exit_code == 0, case.text
    assert "memory" in result.limits_hit
    assert int(case.text.split(" of 4")[0]) >= 1


def test_file_descriptor_exhaustion(box: Box) -> None:
    case = run_case(box, "fd_exhaust.c")
    result = ran(case)
    assert result.exit_code == 0
    files = int(case.text.split("after ")[1].split(" files")[0])
    assert files <= Limits().open_files
    assert "Too many open files" in case.text


def test_filling_the_disk(box: Box) -> None:
    if not box.isolation.workdir_tmpfs:
        pytest.skip("no size-limited working directory on this machine")
    free_before = shutil.disk_usage("/tmp").free
    case = run_case(box, "fill_disk.c", disk_bytes=32 << 20, timeout=10)
    result = ran(case)
    assert result.exit_code == 0 and case.seconds < 8
    lines = dict(line.split(": ", 1) for line in case.text.splitlines())
    for place in (".", "/tmp", "/var/tmp", "/dev/shm"):
        assert int(lines[place].split(" MiB")[0]) <= 32, lines
        assert lines[place].endswith("No space left on device"), lines
    assert "disk" in result.limits_hit
    assert shutil.disk_usage("/tmp").free > free_before - (64 << 20)


def test_writes_outside_and_into_the_source_tree(box: Box) -> None:
    need_namespaces(box.isolation)
    targets = (str(REPO), str(REPO / "examples"), str(box.source_tree), str(box.canary))
    case = run_case(box, "write_outside.py", ("TOKEN", *targets))
    assert ran(case).exit_code == 0
    lines = dict(line.split(": ", 1) for line in case.text.splitlines())
    for target in (str(REPO), str(box.source_tree), "/etc", "/root", "/usr/local"):
        assert lines[f"write {target}"] == "Read-only file system", lines
    # Inside a hidden tree nothing is left to write into, and the host's /tmp is replaced by the box's.
    for target in (str(REPO / "examples"), str(box.canary)):
        assert lines[f"write {target}"] == "No such file or directory", lines
    for attempt in [f"umount {REPO}", f"umount {box.source_tree}", "remount / read-write", "mount a tmpfs",
                    "chroot /"]:
        assert lines[attempt] == "Operation not permitted", (attempt, lines)
    # bubblewrap's /dev is a writable tmpfs where only the missing capability stops mknod; the
    # launcher's box makes /dev read-only, which the kernel checks first.
    assert lines["mknod /dev/sda"] == ("Read-only file system" if box.isolation.builds_box
                                       else "Operation not permitted"), lines
    # The box's own scratch space is writable, and stays in the box (checked on the host above).
    assert lines["write /tmp"] == "ok" and lines["write /tmp/example"] == "ok"


def test_reading_secrets(box: Box) -> None:
    files = (str(box.source_tree / "secret.txt"), str(REPO / "conf.py"), str(REPO / ".git" / "config"))
    case = run_case(box, "secrets.py", files)
    assert ran(case).exit_code == 0
    assert SECRET not in case.text
    if box.isolation.namespaces:
        assert "snippets_strict_isolation" not in case.text
        for path in files:
            assert f"{path}: No such file or directory" in case.text


def test_network_to_a_listener_on_the_hosts_loopback(box: Box) -> None:
    need_namespaces(box.isolation)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        listener.setblocking(False)
        port = listener.getsockname()[1]
        case = run_case(box, "network.py", (str(port),), timeout=5)
        with pytest.raises(BlockingIOError):
            listener.accept()
    assert ran(case).exit_code == 0
    assert f"127.0.0.1:{port}: Connection refused" in case.text
    assert "10.0.0.1:80: Network is unreachable" in case.text
    assert "connected" not in case.text


def test_binary_and_invalid_utf8_output(box: Box) -> None:
    case = run_case(box, "binary.c")
    result = ran(case)
    assert result.exit_code == 0
    assert bytes(range(256)) in result.output
    assert b"\xff\xfe\xc3\x28" in result.output and result.output.endswith(b"after\n")


def test_html_and_ansi_injection_output_is_kept_verbatim(box: Box) -> None:
    case = run_case(box, "inject.py")
    result = ran(case)
    assert result.exit_code == 0
    assert b"<script>alert('xss')</script>" in result.output and b"\x1b[31m" in result.output


def test_c_file_that_never_finishes_compiling(box: Box) -> None:
    case = run_case(box, "endless_compile.c", compile_timeout=2)
    assert case.result is None and case.compiled is not None
    assert case.compiled.timed_out or case.compiled.exit_code != 0
    assert case.seconds < 6


def test_signal_handler_calling_printf(box: Box) -> None:
    case = run_case(box, "printf_handler.c", timeout=2)
    result = ran(case)
    # Undefined behaviour: it may finish, crash or deadlock; the sandbox bounds all three.
    assert result.exit_code == 0 or result.signal is not None or result.timed_out
    assert case.seconds < 6


def test_example_ignoring_sigterm(box: Box) -> None:
    case = run_case(box, "ignore_term.c", timeout=1)
    result = ran(case)
    assert result.timed_out and case.seconds < 4
    assert len(result.left) == 2


# -- the same programs where protections are missing (only the harmless ones) ----------------

DEGRADED = {
    "no namespaces": ("bwrap",),
    "no cgroups": ("cgroup",),
    "no namespaces, no cgroups": ("bwrap", "cgroup"),
    "nothing but the launcher": ("bwrap", "cgroup", "tmpfs", "uid"),
}
HARMLESS = [("daemon.c", ()), ("zombies.c", ()), ("sigstop.c", ()), ("ignore_term.c", ()), ("binary.c", ()),
            ("flood.c", ("256",)), ("fd_exhaust.c", ()), ("secrets.py", ())]


@pytest.mark.parametrize("mode", DEGRADED)
def test_harmless_cases_without_protections(box: Box, mode: str, tmp_path: Path) -> None:
    iso = sandbox.probe(tmp_path / "state", box.isolation.hidden, without=DEGRADED[mode])
    assert iso.missing
    for name, args in HARMLESS:
        case = run_case(box, name, args, timeout=1, isolation=iso)
        step = ran(case)
        assert step.exec_error is None
        if name in ("sigstop.c", "ignore_term.c"):
            assert step.timed_out
        else:
            assert step.exit_code == 0, (name, case.text)


# -- the build as a whole -----------------------------------------------------------------------


def _prepare_root(dest: Path) -> Path:
    """tests/roots/test-hostile plus the hostile programs it includes, in a fresh directory."""
    shutil.copytree(ROOTS / "test-hostile", dest)
    examples = dest / "examples" / "hostile"
    examples.mkdir(parents=True)
    for name in ("inject.py", "binary.c", "daemon.c", "zombies.c", "sigstop.c"):
        shutil.copy(HOSTILE / name, examples / name)
    return dest


@pytest.fixture
def hostile_root(tmp_path: Path) -> Path:
    return _prepare_root(tmp_path / "test-hostile")


def _html(app: SphinxTestApp) -> str:
    return (Path(app.outdir) / "index.html").read_bytes().decode("utf-8")


def test_build_escapes_html_and_ansi_and_completes(make_app: Callable[..., SphinxTestApp], hostile_root: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SNIPPETS_STRICT", raising=False)
    app = make_app("html", srcdir=hostile_root)
    app.build()
    html = _html(app)
    assert app.statuscode == 0
    assert "<script>alert" not in html and "&lt;script&gt;alert(" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;&amp;amp;" in html
    assert "\x1b" not in html and "\x07" not in html and "\x00" not in html
    assert "\u241b[31mred" in html  # ESC shown as a visible symbol
    assert "before" in html and "after" in html
    assert "left running: killed" in html
    assert "10 never waited for" in html
    assert "timed out after 1 s" in html
    warnings = app.warning.getvalue()
    assert "snippets.exit-status" not in warnings and "snippets.timeout" not in warnings


def _force_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine without bubblewrap and without cgroups, as on a laptop."""
    monkeypatch.setattr(sandbox, "_find_bwrap", lambda: None)
    monkeypatch.setattr(sandbox, "_own_box_works", lambda init, state_dir: "a kernel older than 5.12")
    monkeypatch.setattr(sandbox, "_cgroup_roots", lambda: (None, None))


def test_missing_protections_are_named_once_and_the_build_works(
        make_app: Callable[..., SphinxTestApp], hostile_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SNIPPETS_STRICT", raising=False)
    _force_off(monkeypatch)
    app = make_app("html", srcdir=hostile_root, parallel=2)
    app.build()
    warnings = app.warning.getvalue()
    assert warnings.count("protections off on this machine") == 1, warnings
    assert "bubblewrap is not installed" in warnings and "[snippets.isolation]" in warnings
    assert app.statuscode == 0
    html = _html(app)
    assert "&lt;script&gt;alert" in html and "left running: killed" in html, warnings


def test_strict_isolation_turns_a_missing_protection_into_an_error(
        make_app: Callable[..., SphinxTestApp], hostile_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sphinx.errors import ConfigError

    monkeypatch.setenv("SNIPPETS_STRICT", "1")  # read by the root's conf.py, as by the site's
    _force_off(monkeypatch)
    app = make_app("html", srcdir=hostile_root)
    # Probed when the first example is about to run, before any is started.
    with pytest.raises(ConfigError, match=r"protections off.*bubblewrap.*snippets_strict_isolation is on"):
        app.build()


def test_strict_isolation_passes_where_everything_works(
        make_app: Callable[..., SphinxTestApp], hostile_root: Path, monkeypatch: pytest.MonkeyPatch,
        box: Box) -> None:
    if box.isolation.missing:
        pytest.skip("this machine lacks: " + "; ".join(box.isolation.missing))
    monkeypatch.setenv("SNIPPETS_STRICT", "1")
    app = make_app("html", srcdir=hostile_root)
    assert app.config.snippets_strict_isolation is True


# -- killing the build, and two builds at once -----------------------------------------------


def _build_command(src: Path, out: Path, cache: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-c", str(src), str(src), str(out),
            "-D", f"snippets_cache_dir={cache}", *extra]


def _build_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SNIPPETS_STRICT"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "docs" / "_ext"), env.get("PYTHONPATH", "")])
    return env


def _hanging_root(dest: Path, token: str) -> Path:
    root = _prepare_root(dest)
    (root / "examples" / "hang").mkdir()
    (root / "examples" / "hang" / "main.py").write_text(
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\n"
        "print('hanging', flush=True)\ntime.sleep(60)\n")
    (root / "hang.md").write_text(
        "# Hang\n\n```{exec_code}\n:filename: hang/main.py\n:expect: timeout\n:timeout: 30\n"
        f":env: HOSTILE_TOKEN={token}\n```\n")
    return root


def running(token: str) -> list[str]:
    """Example processes of a build run in a subprocess (found by the token in their environment)."""
    return host_leftovers(token, [], below_us=False)


def _cache_entries_are_whole(cache: Path) -> None:
    import json

    for entry in cache.rglob("*.json"):
        json.loads(entry.read_text(encoding="utf-8"))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_interrupted_build_leaves_nothing_running(tmp_path: Path, sig: signal.Signals) -> None:
    token = uuid.uuid4().hex
    root = _hanging_root(tmp_path / "src", token)
    cache = tmp_path / "cache"
    build = subprocess.Popen(_build_command(root, tmp_path / "out", cache, "-j", "2"), env=_build_env(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not running(token) and time.monotonic() < deadline and build.poll() is None:
            time.sleep(0.05)
        assert running(token), "the hanging example never started"
        # Ctrl-C reaches the whole foreground process group; SIGTERM/SIGKILL come from a supervisor.
        os.killpg(build.pid, sig) if sig == signal.SIGINT else os.kill(build.pid, sig)
        build.wait(timeout=15)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(build.pid, signal.SIGKILL)
        build.wait()
        assert build.stderr is not None
        build.stderr.close()
    for _ in range(100):
        if not running(token):
            break
        time.sleep(0.02)
    assert running(token) == []
    _cache_entries_are_whole(cache)
    # Whatever a killed build could not tidy (an empty cgroup, its working directory) goes at the
    # next probe. A cgroup stays busy until the kernel has reaped the processes it held, which
    # on a loaded machine once took longer than the probe's one second of retries (the removal
    # then waits for the interpreter's exit): a later probe must get it, within ten seconds.
    deadline = time.monotonic() + 10
    while True:
        iso = sandbox.probe(tmp_path / "state", ())
        parents = {parent for parent in (iso.cgroup_root, iso.memory_cgroup_root) if parent is not None}
        left = [os.path.join(parent, n) for parent in parents
                for n in os.listdir(parent) if n.startswith(f"snippets-{build.pid}-")]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert left == []
    assert not list(Path(sandbox.tempfile.gettempdir()).glob(f"snippets-{build.pid}-*"))


def test_two_builds_at_once_in_the_same_tree(tmp_path: Path) -> None:
    root = _prepare_root(tmp_path / "src")
    cache = tmp_path / "cache"
    builds = [subprocess.Popen(_build_command(root, tmp_path / f"out{i}", cache, "-j", "2"), env=_build_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for i in (1, 2)]
    errors = [b.communicate(timeout=120)[1].decode() for b in builds]
    assert [b.returncode for b in builds] == [0, 0], errors
    # The same page from both, but for how long each run took.
    first, second = (re.sub(r">[0-9.]+ s<", "> s<", (tmp_path / f"out{i}" / "index.html").read_text())
                     for i in (1, 2))
    assert first == second
    _cache_entries_are_whole(cache)
