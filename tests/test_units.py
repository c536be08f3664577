"""Pure helpers: expectations, normalisers, anchors and markers, the .out format, the cache key."""

from __future__ import annotations

import json

import pytest
from snippets.directive import OptionProblem, anchor_region, marker_lines
from snippets.expected import diff, render, variants
from snippets.normalize import NormalizerError, check_names, normalize
from snippets.outcome import Execution, Expectation, ExpectationError, Step, mismatches, parse_expectation


@pytest.mark.parametrize(("text", "want"), [
    (None, Expectation("exit", 0)),
    ("exit 3", Expectation("exit", 3)),
    ("signal SIGSEGV", Expectation("signal", 11)),
    ("signal segv", Expectation("signal", 11)),
    ("signal 9", Expectation("signal", 9)),
    ("timeout", Expectation("timeout")),
    ("compile-error", Expectation("compile-error")),
])
def test_parse_expectation(text: str | None, want: Expectation) -> None:
    assert parse_expectation(text) == want


@pytest.mark.parametrize("text", ["exits 3", "exit", "exit 300", "signal", "signal SIGNOPE", "hang", "timeout 3"])
def test_malformed_expectation_says_what_to_write(text: str) -> None:
    with pytest.raises(ExpectationError, match="exit N|SIGSEGV"):
        parse_expectation(text)


def run(output: str = "", **kw: object) -> Step:
    return Step(role="run", display="./main", output=output, **kw)  # type: ignore[arg-type]


def test_mismatch_words() -> None:
    execution = Execution(language="c", runs=(run(exit_code=1),))
    assert mismatches(Expectation("exit", 0), execution) == ["declared `exit 0` but it exited with status 1"]
    assert mismatches(Expectation("exit", 1), execution) == []
    hung = Execution(language="c", runs=(run(timed_out=True, timeout=2.0),))
    assert mismatches(Expectation("exit", 0), hung) == ["declared `exit 0` but it timed out after 2 s"]


def test_an_unexpected_success_is_a_mismatch() -> None:
    fixed = Execution(language="c", runs=(run(exit_code=0),))
    assert mismatches(Expectation("timeout"), fixed) == ["declared `timed out` but it exited with status 0"]
    assert mismatches(Expectation("signal", 11), fixed)


def test_normalisers() -> None:
    text = "pid=123 ppid: 7 at 0x7ffd1234abcd took 12.5 ms in /tmp/snippets-abc123/x"
    assert normalize(text, ("pids", "addresses", "timings")) == \
        "pid=<pid> ppid: <pid> at <addr> took <time> in <tmp>/x"
    assert normalize("pid=123", ()) == "pid=123"
    with pytest.raises(NormalizerError, match="known: addresses, pids, timings, tmp"):
        check_names(("colours",))
    assert normalize("id 42", ("ids",), (("ids", r"id \d+", "id <n>"),)) == "id <n>"


def test_anchor_region_in_any_comment_style() -> None:
    lines = ["a", "/* ANCHOR: body */", "    b", "    c", "/* ANCHOR_END: body */", "// ANCHOR: x", "d",
             "// ANCHOR_END: x"]
    assert anchor_region(lines, "body") == ["b", "c"]
    assert anchor_region(lines, "x") == ["d"]
    assert anchor_region(lines, None) == ["a", "    b", "    c", "d"]
    with pytest.raises(OptionProblem, match="anchors in this file: body, x"):
        anchor_region(lines, "nope")


def test_c_markers_become_sphinx_exec_code_markers() -> None:
    assert marker_lines(["// hide:start", "x", "  // HIDE: STOP", "// not a marker"], "//") == \
        ["#hide:start", "x", "#hide:stop", "// not a marker"]


def test_expected_text_and_diff() -> None:
    compile_step = Step(role="compile", display="cc -o main main.c", output="", exit_code=0)
    execution = Execution(language="c", compile=compile_step, runs=(run("pid=5\nb\n", exit_code=2),))
    text = render(execution, 0, ("pids",))
    assert text == "$ cc -o main main.c\n$ ./main\npid=<pid>\nb\n[exit status 2]\n"
    assert diff(text, text, any_order=False, label="x") == []
    swapped = "$ cc -o main main.c\n$ ./main\nb\npid=<pid>\n[exit status 2]\n"
    assert diff(text, swapped, any_order=True, label="x") == []
    assert diff(text, swapped, any_order=False, label="x")[:2] == ["--- x (expected)", "+++ x (this run)"]
    assert len(variants([text, swapped], any_order=False)) == 2
    assert len(variants([text, swapped], any_order=True)) == 1


def test_missing_newline_and_leftovers_are_visible() -> None:
    execution = Execution(language="c", runs=(run("no newline", exit_code=0, left_running=2, zombies=1),))
    assert render(execution, 0, ()) == ("$ ./main\nno newline\n[no newline at end of output]\n[exit status 0]\n"
                                        "[2 processes still running at exit: killed]\n[1 zombie never waited for]\n")


def test_an_execution_comes_back_from_the_cache_format_unchanged() -> None:
    """to_json() is what the cache stores: plain JSON data that from_json() turns back into
    the same record, compile step, runs, post-mortem and trace included."""
    compile_step = Step(role="compile", display="cc -o main main.c", output="main.c:3: warning\n",
                        exit_code=0, duration=0.05)
    hung = run("waiting\n", timed_out=True, timeout=2.0, left_running=1,
               postmortem=("pid 3 (main) waits in read() on a pipe",), limits_hit=("processes",))
    execution = Execution(language="c", compile=compile_step, runs=(run("ok\n", exit_code=0), hung),
                          trace={"summary": "2 processes", "processes": 2})
    stored = json.loads(json.dumps(execution.to_json()))
    assert sorted(stored) == ["compile", "language", "runs", "trace"]
    assert list(stored["compile"]) == list(Step._fields)  # every field, in declaration order
    assert Execution.from_json(stored) == execution
    # An entry written before `limits_hit` existed still reads, with the field's default.
    del stored["runs"][0]["limits_hit"]
    assert Execution.from_json(stored).runs[0].limits_hit == ()
