"""Rust examples: compile one file with rustc (std only, no cargo), then run the binary."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING

from ..sandbox import Command, tool_output
from .base import PlannedStep, Runner, Source, ToolchainMissing, require_version, run_display

if TYPE_CHECKING:
    from ..config import Settings


@lru_cache(maxsize=4)
def _real_rustc(rustc: str) -> tuple[str, str] | None:
    """(sysroot, real rustc binary): rustup's proxy needs $HOME, which the box hides."""
    sysroot = tool_output([rustc, "--print", "sysroot"])
    if not sysroot:
        return None
    binary = os.path.join(sysroot, "bin", "rustc")
    return (sysroot, binary) if os.path.exists(binary) else None


class RustRunner(Runner):
    """`rustc --edition 2021 -o main main.rs && ./main`."""

    name = "rust"
    extensions = (".rs",)
    highlight = "rust"
    inline_name = "main.rs"
    comment = "//"

    def toolchain(self, settings: Settings) -> str:
        missing = (f"Rust compiler {settings.rust_compiler!r} not found; install it "
                   "(apt-get install rustc, or rustup) or set snippets_rust_compiler in conf.py")
        # Asked every build, never remembered: `rustc` is usually rustup's proxy, the same binary
        # whichever toolchain it runs (see require_version).
        version = require_version([settings.rust_compiler, "--version"], missing)
        if _real_rustc(settings.rust_compiler) is None:
            raise ToolchainMissing(missing)
        return version + " " + " ".join(settings.rust_flags)

    def visible(self, settings: Settings) -> tuple[str, ...]:
        real = _real_rustc(settings.rust_compiler)
        return (real[0],) if real else ()

    def plan(self, source: Source, settings: Settings, args: tuple[str, ...]) -> list[PlannedStep]:
        real = _real_rustc(settings.rust_compiler)
        rustc = real[1] if real else settings.rust_compiler
        flags = list(settings.rust_flags)
        compile_argv = (rustc, *flags, "-o", "main", source.path)
        return [
            PlannedStep("compile",
                        Command(compile_argv, visible=(*source.visible, *self.visible(settings)),
                                timeout=max(settings.timeout, 60.0)),
                        self.shown(["rustc", *flags, "-o", "main", source.name])),
            PlannedStep("run", Command(("./main", *args)), run_display(args, "./main")),
        ]
