"""The sandbox on its own (no Sphinx): what probe() finds, what a box looks like from inside,
the bounds it applies, and that it still works, and says so, with protections turned off."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import build_app
from snippets import sandbox
from snippets.sandbox import Command, Limits

SH = "/bin/sh"
PYTHON = "/usr/bin/python3"


@pytest.fixture(scope="module")
def hidden_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hidden")
    (path / "secret.txt").write_text("do not show\n")
    return path


@pytest.fixture(scope="module", params=["launcher", "bubblewrap"])
def iso(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, hidden_dir: Path) -> sandbox.Isolation:
    """Every test runs with the box the launcher builds itself (root) and with bubblewrap's."""
    return sandbox.probe(tmp_path_factory.mktemp("state"), (str(hidden_dir),), use_bwrap=request.param == "bubblewrap")


@pytest.fixture(scope="module")
def launcher(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The compiled launcher alone, for tests of its own argument checks."""
    init, why = sandbox._compile_init(tmp_path_factory.mktemp("launcher"))
    if init is None:
        pytest.skip(f"no launcher on this machine: {why}")
    return init


def need(iso: sandbox.Isolation, *what: str) -> None:
    checks = {"namespaces": iso.namespaces, "init": iso.init, "pids": iso.cgroup_root, "memory": iso.memory_cgroup_root,
              "tmpfs": iso.workdir_tmpfs}
    missing = [name for name in what if not checks[name]]
    if missing:
        pytest.skip(f"not available on this machine: {', '.join(missing)}")


def sh(ws: sandbox.Workspace, script: str, timeout: float = 5, **limits: int) -> sandbox.Result:
    return ws.run(Command((SH, "-c", script)), Limits(timeout=timeout, **limits))


# -- probe ------------------------------------------------------------------------------------


def test_probe_finds_every_protection_on_a_ci_machine(iso: sandbox.Isolation) -> None:
    if os.environ.get("SNIPPETS_STRICT") != "1":
        pytest.skip("only CI (SNIPPETS_STRICT=1) promises every protection")
    assert iso.missing == ()
    assert iso.namespaces and iso.init and iso.cgroup_root and iso.memory_cgroup_root and iso.workdir_tmpfs


@pytest.mark.parametrize(("without", "named"), [
    (("bwrap",), "namespaces (turned off)"),
    (("cgroup", "uid"), "a bound on the number of processes"),
    (("memory",), "a bound on the whole box's memory"),
    (("tmpfs",), "a disk-space bound on the working directory"),
])
def test_each_protection_turned_off_is_named(tmp_path: Path, without: tuple[str, ...], named: str) -> None:
    iso = sandbox.probe(tmp_path, (), without=without)
    assert any(m.startswith(named) for m in iso.missing), iso.missing


def test_unknown_protection_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown protections.*known: "):
        sandbox.probe(tmp_path, (), without=("seccomp",))


def test_as_root_the_launcher_builds_the_box_and_bubblewrap_is_not_started(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root builds the box without bubblewrap")
    started: list[list[str]] = []
    popen = subprocess.Popen

    def record(argv: list[str], *args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        started.append(list(argv))
        return popen(argv, *args, **kwargs)  # type: ignore[call-overload]

    iso = sandbox.probe(tmp_path / "state", ())
    assert iso.builds_box and iso.namespaces and iso.bwrap is None
    monkeypatch.setattr(sandbox.subprocess, "Popen", record)
    with sandbox.workspace(iso) as ws:
        assert sh(ws, "echo $$ $(hostname)").output == b"3 example\n"
    assert any(arg.startswith("--box=") for argv in started for arg in argv)
    assert not any("bwrap" in arg for argv in started for arg in argv)


def test_where_the_launcher_cannot_build_the_box_bubblewrap_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An older kernel (no mount_setattr before 5.12), or not root: bubblewrap, and no warning."""
    if sandbox._find_bwrap() is None:
        pytest.skip("bubblewrap is not installed")
    monkeypatch.setattr(sandbox, "_own_box_works", lambda init, state_dir: "a kernel older than 5.12")
    iso = sandbox.probe(tmp_path / "state", ())
    assert not iso.builds_box and iso.bwrap and iso.namespaces
    assert not any("namespaces" in m for m in iso.missing)
    assert iso.box_note == "the launcher cannot build the box here (a kernel older than 5.12), so bubblewrap does"
    with sandbox.workspace(iso) as ws:
        assert sh(ws, "echo $$ $(hostname)").output == b"3 example\n"


def test_the_build_says_why_bubblewrap_builds_the_box(rootdir: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Root whose launcher cannot build the box: one line of status output says why, no warning."""
    if os.geteuid() != 0 or sandbox._find_bwrap() is None:
        pytest.skip("only root builds the box with the launcher, and bubblewrap must be there to take over")
    monkeypatch.setattr(sandbox, "_own_box_works", lambda init, state_dir: "a kernel older than 5.12")
    shutil.copytree(rootdir / "test-cache", tmp_path / "src")
    app = build_app(tmp_path / "src")
    status = app.status.getvalue()
    assert status.count("snippets: the launcher cannot build the box here (a kernel older than 5.12), "
                        "so bubblewrap does") == 1, status
    assert "protections off" not in app.warning.getvalue()

    monkeypatch.undo()  # as this machine is: the launcher builds the box, and nothing is said
    shutil.copytree(rootdir / "test-cache", tmp_path / "as-is")
    assert "cannot build the box" not in build_app(tmp_path / "as-is").status.getvalue()


@pytest.mark.parametrize("args", [
    ["--box=1048576", "--chdir=/tmp/example", "--self-at=/tmp/.snippets/snippets-init"],
    ["--box=1048576", "--work=/tmp", "--chdir=relative", "--self-at=/tmp/.snippets/snippets-init"],
    ["--box=1048576", "--work=/tmp", "--chdir=/tmp/example", "--self-at=/x", "--hide=/"],
], ids=["no --work", "relative --chdir", "hiding /"])
def test_the_launcher_refuses_an_incomplete_box(launcher: str, args: list[str]) -> None:
    """Checked before anything privileged happens: no box is built, so it needs neither root nor `iso`."""
    done = subprocess.run([launcher, *args, "--", "/bin/true"], capture_output=True, check=False)
    assert done.returncode == 125 and done.stderr.startswith(b"snippets-init: --"), done.stderr


def test_two_probes_at_once_share_one_launcher(tmp_path: Path) -> None:
    script = ("import sys; from pathlib import Path; from snippets import sandbox; "
              "print(sandbox.probe(Path(sys.argv[1]), ()).init)")
    env = {**os.environ, "PYTHONPATH": str(Path(sandbox.__file__).parent.parent)}
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, env=env)
             for _ in range(3)]
    paths = {p.communicate(timeout=60)[0].decode().strip() for p in procs}
    assert len(paths) == 1 and all(p.returncode == 0 for p in procs)
    launcher = paths.pop()
    assert subprocess.run([launcher, "--", "/bin/true"], check=False).returncode == 0
    assert [p.name for p in tmp_path.iterdir()] == [Path(launcher).name]


def test_the_launcher_is_built_against_musl_where_musl_gcc_is_installed(tmp_path: Path) -> None:
    """glibc's start-up costs about 0.6 ms of CPU more than musl's in a virtual machine, and the
    launcher starts three times per C example."""
    if sandbox._musl_gcc() is None:
        pytest.skip("musl-gcc is not installed (apt-get install musl-tools)")
    launcher = sandbox.probe(tmp_path, ()).init
    assert launcher is not None and launcher.endswith("-musl")
    assert b"GLIBC_TUNABLES" not in Path(launcher).read_bytes()


@pytest.mark.parametrize("musl_gcc", [None, "/bin/false"], ids=["missing", "failing"])
def test_without_a_working_musl_gcc_the_launcher_is_built_against_glibc(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, musl_gcc: str | None) -> None:
    monkeypatch.setattr(sandbox, "_musl_gcc", lambda: musl_gcc)
    iso = sandbox.probe(tmp_path / "state", ())
    assert iso.init is not None and iso.init.endswith("-libc" if musl_gcc is None else "-musl")
    assert b"GLIBC_TUNABLES" in Path(iso.init).read_bytes()
    with sandbox.Workspace(iso) as ws:
        result = sh(ws, "echo $$; echo hi > file; cat file")
    assert result.exit_code == 0 and result.output.endswith(b"hi\n")
    if iso.namespaces:
        assert result.output == b"3\nhi\n"


def test_probe_removes_what_a_killed_build_left(tmp_path: Path, iso: sandbox.Isolation) -> None:
    need(iso, "pids")
    dead = subprocess.Popen(["/bin/true"])
    dead.wait()
    assert iso.cgroup_root is not None
    stale_cgroup = Path(iso.cgroup_root, f"snippets-{dead.pid}-7")
    stale_cgroup.mkdir()
    stale_dir = Path(sandbox.tempfile.mkdtemp(prefix=f"snippets-{dead.pid}-"))
    (stale_dir / "main").write_text("left over")
    live_dir = Path(sandbox.tempfile.mkdtemp(prefix=f"snippets-{os.getpid()}-"))
    try:
        sandbox.probe(tmp_path, ())
        assert not stale_cgroup.exists() and not stale_dir.exists()
        assert live_dir.exists()
    finally:
        shutil.rmtree(live_dir, ignore_errors=True)


def test_a_cgroup_still_busy_when_its_box_ends_is_removed_at_exit(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """rmdir() of a cgroup fails while the kernel still tears a process down; the build tries
    again when it exits instead of leaving the empty cgroup behind."""
    busy = tmp_path / "snippets-1-1"  # an empty folder stands in for the cgroup
    busy.mkdir()
    real_rmdir = os.rmdir

    def refuse(path: str) -> None:
        raise OSError(16, "Device or resource busy", path)

    registered: list[object] = []
    monkeypatch.setattr(sandbox.atexit, "register", registered.append)
    monkeypatch.setattr(sandbox.os, "rmdir", refuse)
    sandbox._drop_cgroups([str(busy)], attempts=3)
    assert busy.exists() and registered == [sandbox._drop_undropped]
    monkeypatch.setattr(sandbox.os, "rmdir", real_rmdir)
    sandbox._drop_undropped()  # what atexit calls
    assert not busy.exists() and not sandbox._UNDROPPED


# -- one run ------------------------------------------------------------------------------------


def test_output_exit_status_and_order(iso: sandbox.Isolation) -> None:
    with sandbox.workspace(iso) as ws:
        result = sh(ws, "echo out; echo err >&2; echo out2; exit 7")
    assert result.exit_code == 7 and result.signal is None and not result.timed_out
    assert result.output == b"out\nerr\nout2\n"


def test_killed_by_a_signal(iso: sandbox.Isolation) -> None:
    with sandbox.workspace(iso) as ws:
        result = sh(ws, "kill -SEGV $$")
    assert result.signal == 11 and result.exit_code is None


def test_a_missing_program_is_an_exec_error(iso: sandbox.Isolation) -> None:
    with sandbox.workspace(iso) as ws:
        result = ws.run(Command(("./no-such-program",)), Limits())
    assert result.exec_error == "./no-such-program: No such file or directory"
    assert result.exit_code is None


def test_environment_is_scrubbed_and_stdin_is_empty(iso: sandbox.Isolation, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUILD_TOKEN", "do-not-leak")
    with sandbox.workspace(iso) as ws:
        result = ws.run(Command((SH, "-c", "env | sort; cat; echo eof"), env=(("DECLARED", "yes"),)), Limits())
    lines = result.output.decode().splitlines()
    assert lines[-1] == "eof"
    names = {line.split("=", 1)[0] for line in lines[:-1]}
    assert {"PATH", "LANG", "HOME", "TMPDIR", "DECLARED"} <= names
    assert "BUILD_TOKEN" not in names and "do-not-leak" not in result.output.decode()


def test_timeout_keeps_what_was_printed(iso: sandbox.Isolation) -> None:
    with sandbox.workspace(iso) as ws:
        started = time.monotonic()
        result = sh(ws, "echo before; sleep 30 & sleep 30", timeout=0.5)
    assert result.timed_out and result.output == b"before\n"
    assert time.monotonic() - started < 3
    assert {p.name for p in result.left} >= {"sh", "sleep"}


def test_output_cap_counts_what_it_drops(iso: sandbox.Isolation) -> None:
    with sandbox.workspace(iso) as ws:
        result = ws.run(Command((SH, "-c", "head -c 100000 /dev/zero")), Limits(output_bytes=1000))
    assert len(result.output) == 1000 and result.truncated == 99000


def test_leftovers_and_zombies_are_reported_and_gone(iso: sandbox.Isolation) -> None:
    with sandbox.workspace(iso) as ws:
        result = sh(ws, "sleep 60 & (sleep 60 &) ; exec true")
    # A background job that has not reached exec yet is still called "sh": both count.
    assert [p for p in result.left if p.name in ("sleep", "sh")] and all(p.state != "Z" for p in result.left)
    time.sleep(0.05)
    assert not [pid for pid in sandbox.descendants(os.getpid())]


def test_files_persist_from_one_command_to_the_next(iso: sandbox.Isolation) -> None:
    with sandbox.workspace(iso) as ws:
        (ws.path / "input.txt").write_text("from the build\n")
        assert sh(ws, "cp input.txt made.txt && echo made >> made.txt").exit_code == 0
        assert sh(ws, "cat made.txt").output == b"from the build\nmade\n"
        assert (ws.path / "made.txt").read_text() == "from the build\nmade\n"
    assert not ws.host_path.exists()


# -- what the box looks like from inside ------------------------------------------------------


def test_box_layout_pages_describe(iso: sandbox.Isolation) -> None:
    need(iso, "namespaces", "init")
    with sandbox.workspace(iso) as ws:
        result = sh(ws, "ps -o pid=,ppid=,pgid=,sid=,comm= ; hostname; pwd; echo $HOME")
    rows = [line.split() for line in result.output.decode().splitlines()]
    assert rows[0] == ["1", "0", "1", "1", "snippets-init"]
    assert rows[1] == ["2", "1", "1", "1", "snippets-init"]
    assert rows[2] == ["3", "2", "1", "1", "sh"]
    assert rows[-3:] == [["example"], [sandbox.BOX_WORKDIR], [sandbox.BOX_WORKDIR]]


def test_no_capabilities_and_no_new_privileges(iso: sandbox.Isolation) -> None:
    need(iso, "namespaces", "init")
    with sandbox.workspace(iso) as ws:
        status = sh(ws, "cat /proc/self/status").output.decode()
    fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
    assert fields["CapEff"].strip() == fields["CapPrm"].strip() == "0000000000000000"
    assert fields["NoNewPrivs"].strip() == "1"


def test_hidden_tree_is_empty_and_read_only_and_tmp_is_private(iso: sandbox.Isolation, hidden_dir: Path) -> None:
    need(iso, "namespaces", "init")
    marker = Path("/tmp") / f"host-only-{os.getpid()}"
    marker.write_text("host\n")
    try:
        with sandbox.workspace(iso) as ws:
            result = sh(ws, f"ls -A {hidden_dir}; touch {hidden_dir}/x; ls {marker}; touch /tmp/box-only")
    finally:
        marker.unlink()
    text = result.output.decode()
    assert "secret.txt" not in text and "Read-only file system" in text and "No such file" in text
    assert not Path("/tmp/box-only").exists()


def test_visible_paths_are_read_only(iso: sandbox.Isolation, tmp_path: Path) -> None:
    need(iso, "namespaces", "init")
    (tmp_path / "lib.txt").write_text("shared\n")
    with sandbox.workspace(iso) as ws:
        result = ws.run(Command((SH, "-c", f"cat {tmp_path}/lib.txt; echo x > {tmp_path}/lib.txt"),
                                visible=(str(tmp_path),)), Limits())
    assert result.output.startswith(b"shared\n") and b"Read-only file system" in result.output
    assert (tmp_path / "lib.txt").read_text() == "shared\n"


def test_no_network_but_loopback(iso: sandbox.Isolation) -> None:
    need(iso, "namespaces", "init")
    with sandbox.workspace(iso) as ws:
        result = sh(ws, "cat /proc/net/dev")
    interfaces = [line.split(":")[0].strip() for line in result.output.decode().splitlines()[2:]]
    assert interfaces == ["lo"]


def test_cgroups_hold_the_box(iso: sandbox.Isolation) -> None:
    need(iso, "namespaces", "init", "pids", "memory")
    with sandbox.workspace(iso) as ws:
        text = sh(ws, "cat /proc/self/cgroup", processes=10, memory_bytes=300 << 20).output.decode()
    groups = {line.split(":")[1]: line.split(":")[2] for line in text.splitlines()}
    name = groups.get("pids", groups.get("", "")).rsplit("/", 1)[-1]
    assert name.startswith(f"snippets-{os.getpid()}-")
    assert not [n for n in os.listdir(iso.cgroup_root or "") if n.startswith(f"snippets-{os.getpid()}-")]


def test_process_bound(iso: sandbox.Isolation) -> None:
    need(iso, "namespaces", "init")
    if iso.cgroup_root is None and not iso.dedicated_uids:
        pytest.skip("no process bound on this machine")
    program = "import os, time\nok = 0\nfor _ in range(40):\n    try:\n        pid = os.fork()\n" \
              "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(5); os._exit(0)\n" \
              "    ok += 1\nprint(ok)\n"
    with sandbox.workspace(iso) as ws:
        (ws.path / "forks.py").write_text(program)
        result = ws.run(Command((PYTHON, "forks.py")), Limits(processes=10))
    # The example itself is one of the ten.
    assert int(result.output) == 9
    if iso.cgroup_root:
        assert result.limits_hit == ("processes",)


def test_disk_bound(iso: sandbox.Isolation) -> None:
    need(iso, "init", "tmpfs")
    with sandbox.workspace(iso, disk_bytes=8 << 20) as ws:
        result = sh(ws, "head -c 20000000 /dev/zero > big; echo $?; wc -c < big")
    code, size = result.output.decode().split()[-2:]
    assert code != "0" and int(size) <= 8 << 20
    assert result.limits_hit == ("disk",)


# -- the launcher's own guarantees ---------------------------------------------------------------


def test_a_box_dies_with_the_build_process_that_owns_it(iso: sandbox.Isolation) -> None:
    need(iso, "init")
    owner = subprocess.Popen(["sleep", "30"])
    try:
        orphaned = iso._replace(owner=owner.pid)
        with sandbox.workspace(orphaned) as ws:
            started = time.monotonic()
            killer = subprocess.Popen([SH, "-c", f"sleep 0.5; kill {owner.pid}"])
            with pytest.raises(sandbox.SandboxError):
                sh(ws, "sleep 20", timeout=10)
            killer.wait()
        assert time.monotonic() - started < 4
    finally:
        owner.kill()
        owner.wait()


def test_stop_all_ends_runs_in_other_threads() -> None:
    # In a child interpreter: stop_all() stops this process's boxes for good.
    script = textwrap.dedent("""
        import threading, time, tempfile
        from pathlib import Path
        from snippets import sandbox
        iso = sandbox.probe(Path(tempfile.mkdtemp()), ())
        errors = []
        def run():
            with sandbox.workspace(iso) as ws:
                try:
                    ws.run(sandbox.Command(("/bin/sh", "-c", "sleep 30")), sandbox.Limits(timeout=20))
                except sandbox.SandboxError as err:
                    errors.append(str(err))
        t = threading.Thread(target=run)
        t.start()
        time.sleep(0.5)
        started = time.monotonic()
        sandbox.stop_all()
        t.join()
        print(round(time.monotonic() - started, 1), errors)
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(sandbox.__file__).parent.parent)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, timeout=60, check=True)
    seconds, errors = done.stdout.decode().split(" ", 1)
    assert float(seconds) < 2 and "interrupted" in errors


def test_tools() -> None:
    assert sandbox.tool_version(["no-such-tool-anywhere", "--version"]) is None
    assert sandbox.tool_output(["sh", "-c", "echo hi"]) == "hi"
    child = subprocess.Popen(["sleep", "5"])
    try:
        assert child.pid in sandbox.descendants(os.getpid())
    finally:
        child.kill()
        child.wait()


# -- with protections off, the same runs still work ---------------------------------------------

MODES = {
    "no namespaces": ("bwrap",),
    "no cgroups": ("cgroup",),
    "no tmpfs": ("tmpfs",),
    "launcher only": ("bwrap", "cgroup", "tmpfs", "uid"),
}


@pytest.mark.parametrize("mode", MODES)
def test_degraded_modes_still_run_examples(tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUILD_TOKEN", "do-not-leak")
    iso = sandbox.probe(tmp_path, (), without=MODES[mode])
    assert iso.missing
    with sandbox.workspace(iso) as ws:
        (ws.path / "main.c").write_text('#include <stdio.h>\nint main(void){puts("built");return 4;}\n')
        assert ws.run(Command(("cc", "-o", "main", "main.c")), Limits()).exit_code == 0
        ran = ws.run(Command(("./main",)), Limits())
        env = sh(ws, "env; cat")
        slow = sh(ws, "echo start; sleep 20", timeout=0.5)
        daemon = sh(ws, "(setsid sleep 60 &); echo parent")
    assert (ran.exit_code, ran.output) == (4, b"built\n")
    assert b"BUILD_TOKEN" not in env.output and env.exit_code == 0
    assert slow.timed_out and slow.output == b"start\n"
    assert daemon.exit_code == 0 and daemon.left
    time.sleep(0.05)
    assert not sandbox.descendants(os.getpid())
