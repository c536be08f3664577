"""The runner interface and registry: a runner turns source into commands and reads results."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from ..cache import make_key, write_atomically
from ..sandbox import Command, tool_version

if TYPE_CHECKING:
    from pathlib import Path

    from ..config import Settings

#: Programs that pass the call on to another program (compiler caches, version managers):
#: their own size and dates say nothing about the version of what they run.
_WRAPPERS = frozenset({"ccache", "sccache", "distcc", "icecc", "rustup", "mise", "asdf"})


# A NamedTuple rather than a frozen dataclass: cheaper to define (see sandbox.Limits).
class Source(NamedTuple):
    """The program to run, as the box sees it."""

    path: str
    """Path inside the box: the real absolute path of an example file, or a file in the workdir."""
    name: str
    """File name a student has (`main.c`), used in the commands shown on the page."""
    visible: tuple[str, ...] = ()
    """Host paths the box must expose read-only (the example's folder)."""


class PlannedStep(NamedTuple):
    """A command to run, and how to show it."""

    role: str
    """`compile` or `run`."""
    command: Command
    """What the sandbox runs."""
    display: str
    """What a student types."""


class ToolchainMissing(Exception):
    """The compiler or interpreter is not installed; the message says how to install it."""


class Runner(ABC):
    """One language. Subclasses are registered in RUNNERS; adding a language is one file."""

    name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]
    highlight: ClassVar[str]
    inline_name: ClassVar[str]
    comment: ClassVar[str]
    #: Bump when the commands a runner produces change, to invalidate cached results.
    version: ClassVar[int] = 1

    @abstractmethod
    def toolchain(self, settings: Settings) -> str:
        """A version string of the compiler/interpreter (part of the cache key).

        Raises ToolchainMissing when it is not installed.
        """

    @abstractmethod
    def plan(self, source: Source, settings: Settings, args: tuple[str, ...]) -> list[PlannedStep]:
        """The commands to build and run source, in order."""

    def visible(self, settings: Settings) -> tuple[str, ...]:
        """Host paths the toolchain needs inside the box (e.g. a toolchain under $HOME)."""
        return ()

    @staticmethod
    def shown(argv: list[str] | tuple[str, ...]) -> str:
        """Quote a command for display."""
        return shlex.join(argv)


def versions_folder(settings: Settings) -> Path | None:
    """Where require_version() remembers answers: in the cache, unless the cache is off
    (`make doctest` asks every tool afresh, as it runs every example afresh)."""
    return settings.cache_dir / "toolchains" if settings.use_cache else None


def require_version(argv: list[str], missing: str, remember_in: Path | None = None) -> str:
    """The first line of `tool --version`; ToolchainMissing(missing) when the tool is absent.

    Asking starts a process (gcc: about 3 ms) on every build that reads a page of examples, so
    with remember_in the answer is kept there, keyed by argv and by the binary's identity
    (_binary_identity); a binary that is replaced or upgraded is asked again.
    """
    memo = None
    if remember_in is not None and (identity := _binary_identity(argv[0])) is not None:
        memo = remember_in / f"{make_key({'argv': argv, 'binary': identity})}.txt"
        with contextlib.suppress(OSError, UnicodeDecodeError):
            remembered = memo.read_text(encoding="utf-8")
            if remembered:
                return remembered
    version = tool_version(argv)
    if version is None:
        raise ToolchainMissing(missing)
    if memo is not None:
        with contextlib.suppress(OSError):  # a read-only cache: ask again next build
            write_atomically(memo, version)
    return version


def _binary_identity(program: str) -> list[object] | None:
    """Path, device, inode, size, modification and change times of the binary `program` runs.

    ccache identifies a compiler the same way by default (its size and modification time). None
    for what runs another program: a script (a pyenv shim picks an interpreter on each call)
    or a compiler wrapper (_WRAPPERS); those are asked every build.
    """
    found = shutil.which(program)
    if found is None:
        return None
    real = os.path.realpath(found)
    if os.path.basename(real) in _WRAPPERS:
        return None
    try:
        with open(real, "rb") as binary:
            if binary.read(4) != b"\x7fELF":
                return None
            st = os.fstat(binary.fileno())
    except OSError:
        return None
    return [found, real, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def run_display(args: tuple[str, ...], program: str) -> str:
    """`./main arg1 arg2` as typed."""
    return shlex.join([program, *args])
