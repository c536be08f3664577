"""Language runners, registered by name: adding a language is one module and one entry here."""

from __future__ import annotations

from .base import PlannedStep, Runner, Source, ToolchainMissing
from .c import CRunner
from .python import PythonRunner
from .rust import RustRunner

RUNNERS: dict[str, Runner] = {r.name: r for r in (PythonRunner(), CRunner(), RustRunner())}
#: Accepted spellings of `:language:` (sphinx-exec-code's option doubles as the runner choice).
ALIASES = {"py": "python", "python3": "python", "rs": "rust"}


class UnknownLanguage(ValueError):
    """No runner for a language or file extension; the message lists the known ones."""


def for_language(name: str) -> Runner:
    """The runner for `:language:`."""
    key = ALIASES.get(name.lower(), name.lower())
    if key not in RUNNERS:
        raise UnknownLanguage(f"unknown language {name!r}; known: {', '.join(sorted(RUNNERS))}")
    return RUNNERS[key]


def for_file(filename: str) -> Runner:
    """The runner for a file, by its extension."""
    for runner in RUNNERS.values():
        if filename.endswith(runner.extensions):
            return runner
    known = ", ".join(ext for r in RUNNERS.values() for ext in r.extensions)
    raise UnknownLanguage(f"no runner for {filename!r}; known extensions: {known} (or set :language:)")


__all__ = ["RUNNERS", "PlannedStep", "Runner", "Source", "ToolchainMissing", "UnknownLanguage",
           "for_file", "for_language"]
