"""Turn one example into an Execution: fresh workspace, compile, run, tidy the output."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import sandbox
from .cache import make_key, normalise_code
from .outcome import Execution, Step
from .runners import Source

if TYPE_CHECKING:
    from collections.abc import Callable

    from .config import Settings
    from .runners import Runner

#: Part of every cache key: bump when the engine's behaviour changes what a page shows.
ENGINE_VERSION = "1"


@dataclass(frozen=True)
class Example:
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

    @property
    def display_name(self) -> str:
        """The file name a student has."""
        return self.file.name if self.file else self.runner.inline_name


def _siblings(file: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(file.parent.iterdir())
        if p.is_file() and p != file and not p.name.endswith(".out") and p.name != "main"
    }


def cache_key(example: Example, settings: Settings, toolchain: str) -> str:
    """Everything that can change what the example prints, and nothing else."""
    rel = str(example.file.relative_to(settings.examples_dir)) if example.file else None
    return make_key({
        "engine": ENGINE_VERSION,
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
    return Execution(language=example.runner.name, compile=compile_step, runs=tuple(runs))


@dataclass(frozen=True)
class Engine:
    """What every directive needs during one build, made once at builder-inited."""

    settings: Settings
    """Validated configuration."""
    isolation: sandbox.Isolation
    """The protections this machine offers."""
    checking: bool = False
    """True under `make doctest`: every example runs fresh, several times."""
    on_timeout: Callable[[int], tuple[str, ...]] | None = None
    """Called with the box's root pid just before a timed-out example is killed (post-mortem)."""
