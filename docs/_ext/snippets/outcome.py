"""What an example did, what its author declared, and whether the two agree (no Sphinx, no processes)."""

from __future__ import annotations

import signal as _signal
from typing import Any, NamedTuple

EXPECT_FORMS = "`exit N`, `signal NAME` (e.g. `signal SIGSEGV`), `timeout` or `compile-error`"


# NamedTuples, not frozen dataclasses: cheaper to define on every build (see sandbox.Limits).
class Step(NamedTuple):
    """One command of an example as it ran (compile or run), ready to show and to cache."""

    role: str
    """`compile` or `run`."""
    display: str
    """The command as a student would type it."""
    output: str
    """stdout and stderr interleaved, decoded (invalid UTF-8 shown as \\x escapes)."""
    exit_code: int | None = None
    """Exit status if it exited."""
    signal: int | None = None
    """Signal number if a signal killed it."""
    timed_out: bool = False
    """Stopped by the wall-clock timeout."""
    timeout: float = 0.0
    """The timeout that applied, in seconds."""
    duration: float = 0.0
    """Wall-clock seconds."""
    truncated: int = 0
    """Bytes of output dropped beyond the cap."""
    left_running: int = 0
    """Processes still running when it ended (killed by the sandbox)."""
    zombies: int = 0
    """Children nobody waited for (reaped by the sandbox)."""
    exec_error: str | None = None
    """Why the program could not be started, if it could not."""
    postmortem: tuple[str, ...] = ()
    """On a timeout: what each process was blocked in."""
    limits_hit: tuple[str, ...] = ()
    """Sandbox bounds the run ran into: `processes`, `memory`, `disk`."""


class Execution(NamedTuple):
    """Everything one example produced: an optional compile step and one or more runs."""

    language: str
    """Runner name."""
    compile: Step | None = None
    """The compiler's step, if the language compiles."""
    runs: tuple[Step, ...] = ()
    """The program's runs (more than one with `:runs:`)."""
    trace: dict[str, Any] | None = None
    """Process tree data from a traced run, if requested."""

    @property
    def compile_failed(self) -> bool:
        """True when compilation did not succeed (so nothing ran)."""
        return self.compile is not None and self.compile.exit_code != 0

    def to_json(self) -> dict[str, Any]:
        """Plain data for the cache."""
        return {
            "language": self.language,
            "compile": None if self.compile is None else self.compile._asdict(),
            "runs": [run._asdict() for run in self.runs],
            "trace": self.trace,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Execution:
        """Inverse of to_json; raises KeyError/TypeError on malformed data."""
        def step(d: dict[str, Any] | None) -> Step | None:
            if d is None:
                return None
            d = dict(d)
            d["postmortem"] = tuple(d.get("postmortem", ()))
            d["limits_hit"] = tuple(d.get("limits_hit", ()))
            return Step(**d)
        runs = tuple(s for s in (step(r) for r in data["runs"]) if s is not None)
        return cls(language=data["language"], compile=step(data["compile"]), runs=runs,
                   trace=data.get("trace"))


class Expectation(NamedTuple):
    """An outcome: declared by the author, or observed."""

    kind: str
    """`exit`, `signal`, `timeout`, `compile-error` or `not-run`."""
    value: int | None = None
    """Exit status or signal number."""

    def describe(self) -> str:
        """Words for a badge or a message."""
        if self.kind == "exit":
            return f"exit {self.value}"
        if self.kind == "signal":
            return f"killed by {signal_name(self.value or 0)}"
        if self.kind == "timeout":
            return "timed out"
        if self.kind == "compile-error":
            return "compile error"
        return "could not run"


class ExpectationError(ValueError):
    """A malformed `:expect:` value; the message says what is accepted."""


def signal_name(number: int) -> str:
    """SIGSEGV for 11; `signal 99` when unknown."""
    try:
        return _signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def parse_expectation(text: str | None) -> Expectation:
    """Parse `:expect:`; the default is a clean `exit 0`."""
    if text is None or not text.strip():
        return Expectation("exit", 0)
    words = text.split()
    kind = words[0].lower()
    if kind == "exit" and len(words) == 2 and words[1].isdigit() and int(words[1]) < 256:
        return Expectation("exit", int(words[1]))
    if kind == "signal" and len(words) == 2:
        name = words[1].upper()
        if name.isdigit():
            return Expectation("signal", int(name))
        if not name.startswith("SIG"):
            name = "SIG" + name
        try:
            return Expectation("signal", int(_signal.Signals[name]))
        except KeyError:
            raise ExpectationError(f"unknown signal {words[1]!r} in `:expect: {text}`; "
                                   f"use a name such as SIGSEGV, SIGKILL or SIGABRT") from None
    if kind in {"timeout", "compile-error"} and len(words) == 1:
        return Expectation(kind)
    raise ExpectationError(f"cannot read `:expect: {text}`; write one of {EXPECT_FORMS}")


def observed(execution: Execution) -> Expectation:
    """What really happened, in the same terms an author declares."""
    if execution.compile_failed:
        assert execution.compile is not None
        if execution.compile.timed_out:
            return Expectation("timeout")
        return Expectation("compile-error")
    if not execution.runs:
        return Expectation("not-run")
    return step_outcome(execution.runs[0])


def step_outcome(step: Step) -> Expectation:
    """The outcome of one run."""
    if step.timed_out:
        return Expectation("timeout")
    if step.exec_error is not None:
        return Expectation("not-run")
    if step.signal is not None:
        return Expectation("signal", step.signal)
    return Expectation("exit", step.exit_code)


def mismatches(declared: Expectation, execution: Execution) -> list[str]:
    """Every run whose outcome differs from the declared one, in words (empty when all agree)."""
    problems = []
    runs = execution.runs if not execution.compile_failed and execution.runs else (None,)
    for index, run in enumerate(runs, 1):
        actual = observed(execution) if run is None else step_outcome(run)
        if actual != declared:
            where = f" (run {index} of {len(runs)})" if len(runs) > 1 else ""
            problems.append(f"declared `{_declared_words(declared)}` but it {_actual_words(actual, run)}{where}")
    return problems


def _declared_words(e: Expectation) -> str:
    if e.kind == "signal":
        return f"signal {signal_name(e.value or 0)}"
    return e.describe()


def _actual_words(e: Expectation, run: Step | None) -> str:
    if e.kind == "exit":
        return f"exited with status {e.value}"
    if e.kind == "signal":
        return f"was killed by {signal_name(e.value or 0)}"
    if e.kind == "timeout":
        return f"timed out after {run.timeout:g} s" if run else "timed out"
    if e.kind == "compile-error":
        return "failed to compile"
    return f"could not be started ({run.exec_error})" if run and run.exec_error else "did not run"
