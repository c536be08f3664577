"""Where a build's time goes: Sphinx's events, timed, for this project and plain Sphinx, interleaved.

    .venv/bin/python bench/timeline.py                       # one-example edit, 12 runs each, -j 1
    .venv/bin/python bench/timeline.py --scenario no-op --runs 20 --jobs auto
    .venv/bin/python bench/timeline.py --scenario prose     # the edited example's page touched: read again, nothing runs

Each run is a fresh `python -m sphinx` whose first act is to wrap Sphinx's event manager and
extension loader with a clock (`_PROBE`, below, is what the child runs). The table lists, per
phase, the median milliseconds for `ours` and `plain` and the difference: that difference is
what the extension costs in that phase. A script for notes, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
from run import Tool, _children_cpu, _env, edit  # noqa: E402

#: Run in the child before Sphinx: for each extension's load and the first and last firing of
#: each event, [wall ms since this script started, CPU ms of the main thread so far], printed
#: as JSON at exit. The main thread's CPU leaves out waiting (for a process, or for the GIL
#: that a pool thread holds), so it shows the work itself, with less of the machine's noise.
_PROBE = r"""
import atexit, json, sys, time
start, cpu = time.perf_counter(), time.thread_time()
marks = {}
def now():
    return [round((time.perf_counter() - start) * 1000, 2), round((time.thread_time() - cpu) * 1000, 2)]
import sphinx.events, sphinx.registry
emit = sphinx.events.EventManager.emit
def timed_emit(self, name, *args, **kwargs):
    marks.setdefault("first " + name, now())
    try:
        return emit(self, name, *args, **kwargs)
    finally:
        marks["last " + name + " done"] = now()
sphinx.events.EventManager.emit = timed_emit
load = sphinx.registry.SphinxComponentRegistry.load_extension
def timed_load(self, app, name):
    before = now()
    try:
        return load(self, app, name)
    finally:
        marks["load " + name] = [round(a - b, 2) for a, b in zip(now(), before)]
sphinx.registry.SphinxComponentRegistry.load_extension = timed_load
atexit.register(lambda: print("TIMELINE " + json.dumps(marks), file=sys.stderr))
marks["sphinx imported"] = now()
from sphinx.cmd.build import main
code = main(sys.argv[1:])
marks["main returned"] = now()
sys.exit(code)
"""

PHASES = (
    # (label, from mark, to mark)
    ("import Sphinx", None, "sphinx imported"),
    ("  load myst_parser", None, "load myst_parser"),
    ("  load snippets", None, "load snippets"),
    ("start to config-inited", None, "first config-inited"),
    ("config-inited to builder-inited", "first config-inited", "first builder-inited"),
    ("builder-inited to reading", "first builder-inited", "first env-before-read-docs"),
    ("reading (env-before-read-docs to env-updated)", "first env-before-read-docs", "first env-updated"),
    ("env-updated to writing", "first env-updated", "first html-page-context"),
    ("writing (to build-finished)", "first html-page-context", "first build-finished"),
    ("build-finished", "first build-finished", "last build-finished done"),
    ("until main() returns", "last build-finished done", "main returned"),
    ("total (to main() returning)", None, "main returned"),
    ("the whole process, as bench/run.py times it (CPU: every thread and child)", None, "process"),
)


def run_once(tool: Tool) -> dict[str, list[float]]:
    argv = [tool.python, "-c", _PROBE, "-q", "-j", tool.jobs, "-c", str(tool.root),
            str(tool.root / "docs"), str(tool.root / "_build" / "html")]
    started, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(argv, capture_output=True, text=True, check=False, env=_env())  # noqa: S603
    process = [(time.perf_counter() - started) * 1000, (_children_cpu() - cpu) * 1000]
    line = next((x for x in done.stderr.splitlines() if x.startswith("TIMELINE ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"{tool.name}: build failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return {**json.loads(line.removeprefix("TIMELINE ")), "process": process}


def span(marks: dict[str, list[float]], begin: str | None, end: str, column: int) -> float | None:
    """Milliseconds from `begin` (the start, if None) to `end`; column 0 is wall time, 1 CPU."""
    if end not in marks or (begin is not None and begin not in marks):
        return None
    if end.startswith("load ") or end == "process":
        return marks[end][column]
    return marks[end][column] - (marks[begin][column] if begin else 0.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=("edit", "prose", "no-op"), default="edit")
    parser.add_argument("--runs", type=int, default=12)
    corpus.add_arguments(parser, "snippets-timeline", jobs="1")
    args = parser.parse_args()

    shutil.rmtree(args.workdir, ignore_errors=True)
    tools = {}
    for name in ("ours", "plain"):
        tool = Tool(name, sys.executable, name, args.jobs)
        tool.root = args.workdir / name
        exs = corpus.write(tool.root, name, args.pages, args.examples)
        tool.build()  # warm: the pages (and, for ours, the cache) exist
        tools[name] = tool
    edited = next(e for e in exs if e.page == args.pages // 2 and e.language == "c")

    runs: dict[str, list[dict[str, list[float]]]] = {name: [] for name in tools}
    for n in range(args.runs):
        for name in ("ours", "plain") if n % 2 == 0 else ("plain", "ours"):  # neither always first
            tool = tools[name]
            if args.scenario == "edit":
                edit(tool, edited, n)
            elif args.scenario == "prose":  # what an edit costs besides running the example
                os.utime(tool.root / "docs" / f"p{edited.page:03d}.md")
            runs[name].append(run_once(tool))

    print(f"{args.scenario}, {args.pages} pages x {args.examples} examples, -j {args.jobs}, "
          f"medians of {args.runs} runs each, ours and plain interleaved; milliseconds")
    width = max(len(label) for label, _, _ in PHASES)
    for column, title in enumerate(("wall time", "CPU time of the main thread")):
        print(f"\n{title + ':':<{width}}  {'ours':>7}  {'plain':>7}  {'ours-plain':>10}  (median of the differences per pair)")
        for label, begin, end in PHASES:
            spans = {name: [span(m, begin, end, column) for m in runs[name]] for name in tools}
            cells = []
            for name in tools:
                values = [v for v in spans[name] if v is not None]
                cells.append(f"{statistics.median(values):7.1f}" if values else f"{'-':>7}")
            pairs = [a - b for a, b in zip(spans["ours"], spans["plain"]) if a is not None and b is not None]
            diff = f"{statistics.median(pairs):+10.1f}" if pairs else f"{'':>10}"
            print(f"{label:<{width}}  {cells[0]}  {cells[1]}  {diff}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
