"""Turn one example into an Execution: fresh workspace, compile, run, tidy the output."""

from __future__ import annotations

import functools
import hashlib
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from . import sandbox
from .cache import make_key, normalise_code
from .outcome import Execution, Step
from .runners import Source

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Executor, Future

    from .config import Settings
    from .prefetch import Prefetched
    from .runners import Runner

K = TypeVar("K")
V = TypeVar("V")

#: Part of every cache key: bump when the engine's behaviour changes what a page shows.
ENGINE_VERSION = "1"
#: The probe of the protections among the pool's background work (Engine.background).
PROBING = "probe the protections"
#: The box itself shapes what an example sees (its PID, its parent, its limits), so the
#: sandbox's and the launcher's source are part of every key too.
_BOX_SOURCES = ("sandbox.py", "init.c", "execute.py")


@functools.cache
def _box_version() -> str:
    """Hash of the box's sources, read once per process: every cache key needs it."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in _BOX_SOURCES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


# A NamedTuple rather than a frozen dataclass: cheaper to define (see sandbox.Limits), and
# every build, a no-op one too, imports this module.
class Example(NamedTuple):
    """One example as the page declares it."""

    runner: Runner
    """The language."""
    code: str
    """The full source that runs (the whole file, markers included)."""
    file: Path | None
    """The real file under examples/, or None for inline code."""
    args: tuple[str, ...] = ()
    """Command-line arguments."""
    env: tuple[tuple[str, str], ...] = ()
    """Declared environment variables."""
    timeout: float = 5.0
    """Wall-clock seconds per run."""
    runs: int = 1
    """How many times to run the program."""
    trace: bool = False
    """Also run once under strace and keep the process tree."""

    @property
    def display_name(self) -> str:
        """The file name a student has."""
        return self.file.name if self.file else self.runner.inline_name


def sibling_files(file: Path) -> list[Path]:
    """The other files of an example's folder that its box gets, so that they change its output
    (a worker script, a data file): all but expected outputs and a compiled `main`."""
    return [p for p in sorted(file.parent.iterdir())
            if p.is_file() and p != file and not p.name.endswith(".out") and p.name != "main"]


def _siblings(file: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sibling_files(file)}


def cache_key(example: Example, settings: Settings, toolchain: str) -> str:
    """Everything that can change what the example prints, and nothing else."""
    rel = str(example.file.relative_to(settings.examples_dir)) if example.file else None
    return make_key({
        "engine": ENGINE_VERSION,
        "box": _box_version(),
        "language": example.runner.name,
        "runner": example.runner.version,
        "toolchain": toolchain,
        "code": normalise_code(example.code),
        "file": rel,
        # The whole folder is copied into the box, so a sibling file (a worker script) counts too.
        "siblings": _siblings(example.file) if example.file else {},
        "args": example.args,
        "env": [*settings.env, *example.env],
        "timeout": example.timeout,
        "runs": example.runs,
        "trace": example.trace and settings.strace,
        "limits": [settings.output_limit, settings.memory_limit, settings.process_limit],
    })


def _tidy(text: str, replacements: list[tuple[str, str]]) -> str:
    for old, new in replacements:
        text = text.replace(old, new)
    return text


def _step(planned_display: str, role: str, result: sandbox.Result, timeout: float,
          replacements: list[tuple[str, str]]) -> Step:
    text = result.output.decode("utf-8", "backslashreplace")
    return Step(
        role=role, display=planned_display, output=_tidy(text, replacements),
        exit_code=result.exit_code, signal=result.signal, timed_out=result.timed_out,
        timeout=timeout, duration=round(result.duration, 4), truncated=result.truncated,
        left_running=sum(1 for p in result.left if p.state != "Z"),
        zombies=sum(1 for p in result.left if p.state == "Z"),
        exec_error=result.exec_error,
        postmortem=tuple(_tidy(s, replacements) for s in result.postmortem),
        limits_hit=tuple(result.limits_hit),
    )


def execute(example: Example, settings: Settings, isolation: sandbox.Isolation,
            on_timeout: Callable[[int], tuple[str, ...]] | None = None) -> Execution:
    """Compile (if needed) and run the example in a fresh workspace; nothing survives it."""
    limits = sandbox.Limits(
        timeout=example.timeout, memory_bytes=settings.memory_limit,
        processes=settings.process_limit, output_bytes=settings.output_limit,
        cpu_seconds=int(example.timeout) + 5,
    )
    with sandbox.workspace(isolation, on_timeout) as ws:
        if example.file is not None:
            # A copy of the listing's folder at examples/<listing>/ under the working directory:
            # compiler messages and tracebacks then name `examples/...:line` on every machine,
            # and nothing else of the repository is reachable from the box.
            rel = example.file.relative_to(settings.examples_dir)
            shutil.copytree(example.file.parent, ws.path / "examples" / rel.parent,
                            ignore=shutil.ignore_patterns("*.out", "main"))
            source = Source(path=f"examples/{rel}", name=example.display_name)
        else:
            (ws.path / example.display_name).write_text(example.code, encoding="utf-8")
            source = Source(path=example.display_name, name=example.display_name)
        replacements = [
            (str(settings.examples_dir) + "/", "examples/"),
            (sandbox.BOX_WORKDIR + "/", ""),
            (str(ws.path) + "/", ""),
        ]
        env = (*settings.env, *example.env)
        compile_step: Step | None = None
        runs: list[Step] = []
        traced: dict[str, Any] | None = None
        for planned in example.runner.plan(source, settings, example.args):
            command = planned.command
            command = sandbox.Command(command.argv, env=(*command.env, *env), visible=command.visible,
                                      timeout=command.timeout)
            if planned.role == "compile":
                result = ws.run(command, limits)
                compile_step = _step(planned.display, "compile", result,
                                     command.timeout or limits.timeout, replacements)
                if result.exit_code != 0:
                    break
                continue
            for _ in range(example.runs):
                result = ws.run(command, limits)
                runs.append(_step(planned.display, "run", result, limits.timeout, replacements))
            if example.trace:
                traced = _traced_run(ws, command, limits, settings.strace)
    return Execution(language=example.runner.name, compile=compile_step, runs=tuple(runs),
                     trace=traced)


def _traced_run(ws: sandbox.Workspace, command: sandbox.Command, limits: sandbox.Limits,
                strace: str) -> dict[str, Any]:
    """One more run under strace; the page's output comes from the untraced runs (strace shows in `ps`)."""
    # Imported here, like postmortem below: most builds trace nothing, and these modules'
    # tables cost about 10 ms at import, a sixth of what a no-op build may add to Sphinx's own.
    from .diagram import summary, to_dot
    from .trace import TraceError, parse_trace, strace_argv

    tracer = shutil.which(strace)
    if tracer is None:
        return {"error": f"the tracer {strace!r} is not installed (apt-get install strace), so no picture was made"}
    log = ".snippets-trace"
    traced = sandbox.Command((*strace_argv(f"{ws.box_path}/{log}", tracer), *command.argv), env=command.env,
                             visible=command.visible, timeout=command.timeout)
    result = ws.run(traced, limits)
    try:
        tree = parse_trace((ws.path / log).read_text(encoding="utf-8", errors="replace"))
    except (OSError, TraceError) as err:
        return {"error": f"the trace could not be read ({err}), so no picture was made"}
    return {
        "dot": to_dot(tree),
        "summary": summary(tree),
        "processes": len(tree.processes),
        "timed_out": result.timed_out,
    }


def explain_hang(root_pid: int) -> tuple[str, ...]:
    """Post-mortem of a timed-out example: what each process is blocked in, which pipe ends it holds."""
    from .postmortem import explain, snapshot

    try:
        return tuple(explain(snapshot(root_pid)))
    except OSError as err:  # the processes vanished while we looked
        return (f"No post-mortem: {err}",)


class PerBuild(dict[K, V]):
    """What one build keeps aside (work the pre-pass started, results it already read). Pickles
    as empty: the engine lives on `env`, which is pickled (saved, and sent back by every forked
    reader), and a future cannot travel."""

    def __reduce__(self) -> tuple[type[PerBuild[K, V]], tuple[()]]:
        return (type(self), ())


class Engine:
    """What every directive needs during one build, made once at builder-inited.

    A plain class (no dataclass machinery to run at import); the per-build records start empty.
    """

    def __init__(self, settings: Settings, probe: Callable[[], sandbox.Isolation], checking: bool = False,
                 on_timeout: Callable[[int], tuple[str, ...]] | None = None) -> None:
        self.settings = settings
        """Validated configuration."""
        self.probe = probe
        """Finds out which protections this machine offers (it starts processes); see `isolation`."""
        self.checking = checking
        """True under `make doctest`: every example runs fresh, several times."""
        self.on_timeout = on_timeout
        """Called with the box's root pid just before a timed-out example is killed (post-mortem)."""
        self.prefetched: PerBuild[str, Future[Prefetched]] = PerBuild()
        """Examples the pre-pass already started (prefetch.py), by cache key; the directive takes them."""
        self.deferred: PerBuild[str, Future[Prefetched]] = PerBuild()
        """Examples still running when their page was read, by cache key (results.py completes them)."""
        self.background: PerBuild[str, Future[Any]] = PerBuild()
        """Other work the pool's threads do beside the examples, by name (the examples' download
        copies, the probe)."""
        self.hits: PerBuild[str, Execution] = PerBuild()
        """Cache entries the pre-pass read to decide what to run, by cache key; the directive takes
        them instead of reading them again."""
        self.keys: PerBuild[tuple[Example, str], str] = PerBuild()
        """Cache keys computed this build (see key())."""
        self.warned: set[tuple[str, int]] = set()
        """Locations whose pending result has been assessed, so each warns once per build."""
        self.began = time.time_ns() // 1000
        """When this build began, in microseconds since the epoch, as Sphinx times a page's reading:
        a page rewritten without reading (rewrite.py) counts as read then."""
        self.rewritten_pages: set[str] = set()
        """Pages rewritten this build because their examples' files changed (rewrite.py)."""
        self.rewritten: set[tuple[str, int]] = set()
        """The locations of their examples: they warn as if their page had been read again."""
        self.toolchains: dict[str, str] = {}
        """Toolchain version strings, asked once per build (see toolchain())."""

    @functools.cached_property
    def isolation(self) -> sandbox.Isolation:
        """The protections this machine offers, probed on first need: a build that runs no example
        (a no-op rebuild, every result cached) starts no process at all. When probe_beside()
        started the probe in a thread, this waits for it (and raises what it raised)."""
        probing = self.background.get(PROBING)
        return probing.result() if probing is not None else self.probe()

    def probe_beside(self, pool: Executor) -> None:
        """Start probing in one of the pool's threads, once, so the caller goes on meanwhile."""
        if PROBING not in self.background and "isolation" not in vars(self):
            self.background[PROBING] = pool.submit(self.probe)

    def key(self, example: Example) -> str:
        """cache_key() with this build's settings and toolchain, computed once per build: the
        pre-pass and then the directive ask for the same example's key."""
        toolchain = self.toolchain(example.runner)
        memo = (example, toolchain)
        if memo not in self.keys:
            self.keys[memo] = cache_key(example, self.settings, toolchain)
        return self.keys[memo]

    def toolchain(self, runner: Runner) -> str:
        """runner.toolchain(settings), remembered for the rest of the build."""
        if runner.name not in self.toolchains:
            self.toolchains[runner.name] = runner.toolchain(self.settings)
        return self.toolchains[runner.name]
