"""C examples: compile with the system compiler (warnings on), then run the binary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..sandbox import Command
from .base import PlannedStep, Runner, Source, require_version, run_display, versions_folder

if TYPE_CHECKING:
    from ..config import Settings


class CRunner(Runner):
    """`cc -Wall -Wextra -pthread -o main main.c && ./main`."""

    name = "c"
    extensions = (".c",)
    highlight = "c"
    inline_name = "main.c"
    comment = "//"

    def toolchain(self, settings: Settings) -> str:
        version = require_version([settings.c_compiler, "--version"],
                                  f"C compiler {settings.c_compiler!r} not found; install one "
                                  "(apt-get install gcc) or set snippets_c_compiler in conf.py",
                                  versions_folder(settings))
        return version + " " + " ".join(settings.c_flags)

    def plan(self, source: Source, settings: Settings, args: tuple[str, ...]) -> list[PlannedStep]:
        flags = list(settings.c_flags)
        compile_argv = (settings.c_compiler, *flags, "-o", "main", source.path)
        return [
            PlannedStep("compile", Command(compile_argv, visible=source.visible, timeout=max(settings.timeout, 20.0)),
                        self.shown(["cc", *flags, "-o", "main", source.name])),
            PlannedStep("run", Command(("./main", *args)), run_display(args, "./main")),
        ]
