"""Python examples: run with the system interpreter, unbuffered only if the author says so."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..sandbox import Command
from .base import PlannedStep, Runner, Source, require_version, versions_folder

if TYPE_CHECKING:
    from ..config import Settings


class PythonRunner(Runner):
    """`python3 main.py`."""

    name = "python"
    extensions = (".py",)
    highlight = "python"
    inline_name = "main.py"
    comment = "#"

    def toolchain(self, settings: Settings) -> str:
        return require_version([settings.python, "--version"],
                               f"Python interpreter {settings.python!r} not found; install it "
                               "(apt-get install python3) or set snippets_python in conf.py",
                               versions_folder(settings))

    def plan(self, source: Source, settings: Settings, args: tuple[str, ...]) -> list[PlannedStep]:
        # PYTHONUNBUFFERED is decided here, not inherited: output is block-buffered into the
        # pipe exactly as for a student who runs `python3 main.py | cat` (see [lecture]).
        env = (("PYTHONDONTWRITEBYTECODE", "1"),)
        argv = (settings.python, source.path, *args)
        return [PlannedStep("run", Command(argv, env=env, visible=source.visible),
                            self.shown(["python3", source.name, *args]))]
