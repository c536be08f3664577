"""The runner interface and registry: a runner turns source into commands and reads results."""

from __future__ import annotations

import shlex
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from ..sandbox import Command, tool_version

if TYPE_CHECKING:
    from ..config import Settings


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


def require_version(argv: list[str], missing: str) -> str:
    """The first line of `tool --version`; ToolchainMissing(missing) when the tool is absent."""
    version = tool_version(argv)
    if version is None:
        raise ToolchainMissing(missing)
    return version


def run_display(args: tuple[str, ...], program: str) -> str:
    """`./main arg1 arg2` as typed."""
    return shlex.join([program, *args])
