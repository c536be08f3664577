"""Benchmark: build one generated corpus with this project, plain Sphinx and peers, side by side.

    .venv/bin/python bench/run.py                      # default: 12 pages x 10 examples, 3 repeats
    .venv/bin/python bench/run.py --repeats 5 --pages 24
    .venv/bin/python bench/run.py --tools ours,plain --no-scaling

Every scenario runs every tool once per repeat, tools interleaved, and the table shows medians
(wall seconds). Peers are installed into a throwaway virtual environment (--peers-venv).
This is a script whose output is quoted in notes, never a timed test.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

REPO = corpus.REPO
PEERS = {
    "programoutput": "sphinxcontrib-programoutput==0.20",
    "exec-code": "sphinx-exec-code==0.18",
    "myst-nb": "myst-nb==1.4.0",
}
PEER_BASE = ["sphinx==9.0.4", "myst-parser==5.2.0", "ipykernel==7.4.0"]
ALL_TOOLS = ("ours", "ours-j1", "plain", "plain-j1", "programoutput", "exec-code", "myst-nb")
SCENARIOS = ("cold", "no-op", "edit", "clean")
#: Tools that notice an edited example by themselves (a note_dependency); the others also get
#: their page touched, or they would not rebuild at all.
TRACKS_FILES = {"ours", "ours-j1", "plain", "plain-j1"}


@dataclass
class Tool:
    """One column of the table."""

    name: str
    python: str
    corpus: str
    jobs: str
    root: Path = field(default=Path())

    def build(self, timeout: float = 900) -> tuple[float, float]:
        """One sphinx-build: (wall seconds, CPU seconds of it and everything it waited for)."""
        argv = [self.python, "-m", "sphinx", "-q", "-j", self.jobs, "-c", str(self.root),
                str(self.root / "docs"), str(self.root / "_build" / "html")]
        cpu = _children_cpu()
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False,  # noqa: S603
                              env=_env())
        took = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"{self.name}: sphinx-build failed ({done.returncode}):\n{done.stderr[-2000:]}")
        return took, _children_cpu() - cpu

    def cold(self) -> None:
        """Forget everything, cache included."""
        shutil.rmtree(self.root / "_build", ignore_errors=True)

    def clean(self) -> None:
        """`make clean`: built pages go, the example cache stays."""
        shutil.rmtree(self.root / "_build" / "html", ignore_errors=True)


def _children_cpu() -> float:
    """User + system seconds of every finished child so far (builds run one at a time)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SPHINX"))}
    env["LANG"] = "C.UTF-8"
    return env


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


# -- setup ------------------------------------------------------------------------------------

def peers_python(venv: Path, wanted: list[str], install: bool) -> str | None:
    """The throwaway venv's interpreter, creating it on first use; None when it cannot be made."""
    python = venv / "bin" / "python"
    if not python.exists():
        if not install:
            return None
        print(f"# installing peers into {venv} (once)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)  # noqa: S603
    have = subprocess.run([str(python), "-m", "pip", "freeze"], capture_output=True, text=True,  # noqa: S603
                          check=False).stdout.lower()
    need = [spec for spec in [*PEER_BASE, *(PEERS[t] for t in wanted)] if spec.lower() not in have]
    if need:
        if not install:
            return None
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", *need],  # noqa: S603
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"# peers not installed: {done.stderr.strip()[-400:]}", flush=True)
            return None
    return str(python)


def make_tools(names: list[str], base: Path, pages: int, per_page: int, peers: str | None,
               jobs: str) -> tuple[list[Tool], list[corpus.Example]]:
    """Write one corpus copy per tool; a peer without its venv is left out (and said so)."""
    tools = []
    exs: list[corpus.Example] = []
    for name in names:
        kind = name.removesuffix("-j1")
        if kind in PEERS and peers is None:
            print(f"# {name}: left out (no peers venv)", flush=True)
            continue
        python = sys.executable if kind in ("ours", "plain") else peers
        tool = Tool(name, python or sys.executable, kind, "1" if name.endswith("-j1") else jobs)
        tool.root = base / name
        exs = corpus.write(tool.root, kind, pages, per_page)
        tools.append(tool)
    return tools, exs


# -- the bare floor ---------------------------------------------------------------------------

def bare_one(example: corpus.Example, root: Path) -> float:
    """Run one example the way a student types it, no isolation; wall seconds."""
    with tempfile.TemporaryDirectory(prefix="bench-bare-") as tmp:
        started = time.perf_counter()
        for argv in corpus.bare_commands(example, root, Path(tmp)):
            subprocess.run(argv, cwd=tmp, stdin=subprocess.DEVNULL, capture_output=True,  # noqa: S603
                           check=False, env={"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"})
        return time.perf_counter() - started


def bare_all(exs: list[corpus.Example], root: Path, workers: int) -> tuple[float, float]:
    """(wall, CPU) seconds to run every example bare, `workers` at a time."""
    cpu = _children_cpu()
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda e: bare_one(e, root), exs))
    return time.perf_counter() - started, _children_cpu() - cpu


# -- isolation overhead -----------------------------------------------------------------------

def isolation_overhead(root: Path, exs: list[corpus.Example], repeats: int) -> list[tuple[str, float, float, int]]:
    """(example, bare ms, engine ms, commands) for one Python and one C example, medians."""
    sys.path.insert(0, str(REPO / "docs" / "_ext"))
    from sphinx.application import Sphinx

    from snippets import runners
    from snippets.execute import Example, execute

    with tempfile.TemporaryDirectory(prefix="bench-iso-") as tmp:
        app = Sphinx(str(root / "docs"), str(root), f"{tmp}/html", f"{tmp}/doctrees", "html",
                     status=None, warning=None)
        engine = getattr(app.env, "snippets_engine", None) or app.snippets_engine  # type: ignore[attr-defined]
        rows = []
        for language in ("python", "c"):
            ex = next(e for e in exs if e.language == language)
            path = root / "examples" / ex.rel
            example = Example(runner=runners.for_file(path.name), code=path.read_text(encoding="utf-8"), file=path)
            bare, boxed = [], []
            for _ in range(repeats):
                bare.append(bare_one(ex, root))
                started = time.perf_counter()
                execute(example, engine.settings, engine.isolation)
                boxed.append(time.perf_counter() - started)
            rows.append((ex.rel, median(bare) * 1000, median(boxed) * 1000, 1 if language == "python" else 2))
    return rows


# -- scenarios --------------------------------------------------------------------------------

def edit(tool: Tool, example: corpus.Example, counter: int) -> None:
    """Change one example (a comment, so its output stays the same but its cache key does not)."""
    path = tool.root / "examples" / example.rel
    mark = "#" if example.language == "python" else "//"
    path.write_text(example.source() + f"{mark} edit {counter}\n", encoding="utf-8")
    if tool.name not in TRACKS_FILES:
        page = tool.root / "docs" / f"p{example.page:03d}.md"
        page.write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
        os.utime(page)


Times = dict[str, dict[str, list[tuple[float, float]]]]


def run_scenarios(tools: list[Tool], repeats: int, edited: corpus.Example, clean_peers: bool,
                  floor: Callable[[], None]) -> Times:
    """scenario -> tool -> [(wall, cpu)] per repeat; floor() measures the bare floor at the start of each repeat.

    Within a repeat the tools take turns at each scenario (every tool's cold build, then every
    tool's no-op, ...), in reverse order every other repeat: the builds compared in a ratio run
    seconds apart, and neither column always goes first while the machine's speed drifts.
    """
    times: Times = {s: {t.name: [] for t in tools} for s in SCENARIOS}
    counter = 0
    for r in range(repeats):
        print(f"# repeat {r + 1}/{repeats}: bare floor", flush=True)
        floor()
        turn = tools if r % 2 == 0 else tools[::-1]
        print(f"# repeat {r + 1}/{repeats}: cold, no-op, edit, clean; " + ", ".join(t.name for t in turn), flush=True)
        for tool in turn:
            tool.cold()
            times["cold"][tool.name].append(tool.build())
        for tool in turn:
            times["no-op"][tool.name].append(tool.build())
        counter += 1
        for tool in turn:
            edit(tool, edited, counter)
            times["edit"][tool.name].append(tool.build())
        for tool in turn:
            if tool.corpus in ("ours", "plain") or clean_peers:
                tool.clean()
                times["clean"][tool.name].append(tool.build())
    return times


def scaling(names: list[str], base: Path, pages: int, per_page: int, factors: list[int], repeats: int,
            jobs: str) -> dict[int, dict[str, float]]:
    """Cold builds at several corpus sizes (pages grow with the examples)."""
    out: dict[int, dict[str, list[float]]] = {f: {n: [] for n in names} for f in factors}
    trees = {}
    for f in factors:
        trees[f], _ = make_tools(names, base / f"x{f}", pages * f, per_page, None, jobs)
    for r in range(repeats):
        for f in factors:
            for tool in trees[f]:
                print(f"# scaling repeat {r + 1}/{repeats}: {f}x {tool.name}", flush=True)
                tool.cold()
                out[f][tool.name].append(tool.build()[0])
    return {f: {n: median(v) for n, v in d.items()} for f, d in out.items()}


# -- report -----------------------------------------------------------------------------------

def paired_ratios(times: Times, bare_serial: list[float], bare_edit: list[float]) -> list[tuple[str, list[float]]]:
    """(target, [time / bound for each repeat]), every bound taken from the same repeat.

    The machine's speed drifts between repeats; a ratio within one repeat is steadier than a
    ratio of medians taken over all of them.
    """
    plain_names = [n for n in ("plain", "plain-j1") if times["cold"].get(n)]
    if not plain_names:
        return []
    out = []
    for name in ("ours", "ours-j1"):
        if not times["cold"].get(name):
            continue
        repeats = range(len(times["cold"][name]))

        def plain(scenario: str, r: int) -> float:
            return min(times[scenario][n][r][0] for n in plain_names)

        out.append((f"cold {name}", [times["cold"][name][r][0] / (0.8 * (plain("cold", r) + bare_serial[r]))
                                     for r in repeats]))
        out.append((f"no-op {name}", [times["no-op"][name][r][0] / (1.1 * plain("no-op", r)) for r in repeats]))
        out.append((f"edit {name}", [times["edit"][name][r][0] / (plain("edit", r) + 1.2 * bare_edit[r])
                                     for r in repeats]))
    return out


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    corpus.add_arguments(parser, "snippets-bench", jobs="auto")  # -j for every tool, the -j1 columns excepted
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tools", default=",".join(ALL_TOOLS))
    parser.add_argument("--scale", default="1,4,16", help="scaling factors for the examples count")
    parser.add_argument("--scale-pages", type=int, default=2, help="pages at 1x in the scaling runs")
    parser.add_argument("--scale-repeats", type=int, default=2)
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--clean-peers", action="store_true",
                        help="also time the peers after a clean (they keep nothing, so it is a cold build)")
    parser.add_argument("--peers-venv", type=Path, default=Path(tempfile.gettempdir()) / "snippets-bench-venv")
    parser.add_argument("--no-install", action="store_true", help="never create or fill the peers venv")
    args = parser.parse_args()

    names = [n for n in args.tools.split(",") if n]
    unknown = set(names) - set(ALL_TOOLS)
    if unknown:
        parser.error(f"unknown tools {sorted(unknown)}; known: {', '.join(ALL_TOOLS)}")
    cores = len(os.sched_getaffinity(0))
    wanted_peers = [n for n in names if n in PEERS]
    peers = peers_python(args.peers_venv, wanted_peers, not args.no_install) if wanted_peers else None
    started = time.perf_counter()
    base = args.workdir
    shutil.rmtree(base, ignore_errors=True)
    tools, exs = make_tools(names, base / "main", args.pages, args.examples, peers, args.jobs)
    floor_root = tools[0].root
    edited = next(e for e in exs if e.page == args.pages // 2 and e.language == "c")

    print(f"# corpus: {args.pages} pages x {args.examples} examples = {len(exs)} "
          f"({sum(e.language == 'python' for e in exs)} Python, {sum(e.language == 'c' for e in exs)} C); "
          f"{cores} cores; -j {args.jobs}; {args.repeats} repeats", flush=True)

    bare_serial: list[float] = []
    bare_parallel: list[float] = []
    bare_edit: list[float] = []
    bare_cpu: list[float] = []

    def floor() -> None:
        wall, used = bare_all(exs, floor_root, 1)
        bare_serial.append(wall)
        bare_cpu.append(used)
        bare_parallel.append(bare_all(exs, floor_root, cores)[0])
        bare_edit.append(bare_one(edited, floor_root))

    overhead = isolation_overhead(floor_root, exs, max(10, args.repeats * 5)) if "ours" in names else []
    times = run_scenarios(tools, args.repeats, edited, args.clean_peers, floor)
    med = {s: {t: median([w for w, _ in v]) for t, v in d.items() if v} for s, d in times.items()}
    cpu = {s: {t: median([c for _, c in v]) for t, v in d.items() if v} for s, d in times.items()}
    scale = ({} if args.no_scaling else
             scaling([n for n in ("ours", "plain") if n in names], base, args.scale_pages, args.examples,
                     [int(f) for f in args.scale.split(",")], args.scale_repeats, args.jobs))

    # -- print --------------------------------------------------------------------------------
    print()
    print(f"corpus: {args.pages} pages x {args.examples} examples = {len(exs)} (half Python, half C); "
          f"{cores} cores; sphinx-build -j {args.jobs} (-j1 columns: serial); medians of {args.repeats}; seconds")
    cols = [t.name for t in tools]
    for title, values in (("wall", med), ("CPU (user+sys, all processes)", cpu)):
        rows = [[title, *cols]]
        for s in SCENARIOS:
            rows.append([s, *(f"{values[s][c]:.2f}" if c in values[s] else "= cold" for c in cols)])
        print(table(rows))
    print(f"bare subprocesses, no Sphinx: serial {median(bare_serial):.2f} s ({median(bare_cpu):.2f} s CPU), "
          f"{cores} at a time {median(bare_parallel):.2f} s; the edited example alone "
          f"{median(bare_edit) * 1000:.0f} ms")
    for rel, bare, boxed, commands in overhead:
        print(f"isolation overhead {rel}: bare {bare:.1f} ms, engine {boxed:.1f} ms "
              f"(+{(boxed - bare) / commands:.1f} ms per command, {commands} command(s))")

    def best(scenario: str, *candidates: str) -> tuple[str, float] | None:
        have = [(c, med[scenario][c]) for c in candidates if c in med[scenario]]
        return min(have, key=lambda x: x[1]) if have else None

    print()
    print("targets (same corpus, same run; 'plain' is the faster of plain -j and plain -j1):")
    ours = best("cold", "ours") or best("cold", "ours-j1")
    plain = best("cold", "plain", "plain-j1")
    if ours and plain:
        bound = 0.8 * (plain[1] + median(bare_serial))
        print(f"  cold {ours[0]} {ours[1]:.2f} <= 0.8 x (plain {plain[1]:.2f} + bare serial "
              f"{median(bare_serial):.2f}) = {bound:.2f}: {verdict(ours[1] <= bound)}")
        if "programoutput" in med["cold"]:
            po = med["cold"]["programoutput"]
            print(f"  cold {ours[0]} {ours[1]:.2f} <= programoutput {po:.2f} / 2 = {po / 2:.2f}: "
                  f"{verdict(ours[1] <= po / 2)}")
            if po / 2 < median(bare_parallel):
                print(f"    (below the floor: the same examples run bare, {cores} at a time and without "
                      f"Sphinx, take {median(bare_parallel):.2f} s)")
    for name in ("ours", "ours-j1"):
        if name not in med["no-op"] or not plain:
            continue
        p_noop = best("no-op", "plain", "plain-j1")
        p_edit = best("edit", "plain", "plain-j1")
        if p_noop:
            print(f"  no-op {name} {med['no-op'][name]:.2f} <= 1.1 x plain {p_noop[1]:.2f} = "
                  f"{1.1 * p_noop[1]:.2f}: {verdict(med['no-op'][name] <= 1.1 * p_noop[1])}")
        if p_edit:
            bound = p_edit[1] + 1.2 * median(bare_edit)
            print(f"  edit {name} {med['edit'][name]:.2f} <= plain {p_edit[1]:.2f} + 1.2 x "
                  f"{median(bare_edit):.3f} = {bound:.2f}: {verdict(med['edit'][name] <= bound)}")
    for rel, bare, boxed, commands in overhead:
        per = (boxed - bare) / commands
        print(f"  isolation overhead {rel}: +{per:.1f} ms per command <= ~10 ms: {verdict(per <= 10.5)}")
    paired = paired_ratios(times, bare_serial, bare_edit)
    if paired:
        print()
        print("the same targets per repeat (each bound from the floor and plain builds of that repeat; plain's")
        print("build of a scenario ran seconds from ours): time / bound, median [min-max] over the repeats;")
        print("<= 1.00 meets the target")
        for label, ratios in paired:
            print(f"  {label:<14} {median(ratios):.2f} [{min(ratios):.2f}-{max(ratios):.2f}]")
    if scale:
        factors = sorted(scale)
        print()
        print(f"scaling: cold builds, {args.scale_pages} pages x {args.examples} examples at 1x; "
              f"medians of {args.scale_repeats}; seconds")
        rows = [["examples", "ours", "plain", "ours - plain", "vs 1x", "plain vs 1x"]]
        first = factors[0]
        d0 = scale[first].get("ours", float("nan")) - scale[first].get("plain", float("nan"))
        for f in factors:
            o, p = scale[f].get("ours", float("nan")), scale[f].get("plain", float("nan"))
            rows.append([f"{f}x = {args.scale_pages * args.examples * f}", f"{o:.2f}", f"{p:.2f}", f"{o - p:.2f}",
                         f"{(o - p) / d0:.1f}x", f"{p / scale[first].get('plain', float('nan')):.1f}x"])
        print(table(rows))
        last = factors[-1]
        dl = scale[last].get("ours", float("nan")) - scale[last].get("plain", float("nan"))
        print(f"  engine cost at {last}x is {dl / d0:.1f} x its cost at {first}x <= {last + 1}: "
              f"{verdict(dl / d0 <= last + 1)}")
    print(f"\n# bench took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
