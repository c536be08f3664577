"""Per-example cost of the sandbox: the same program run bare and in the box, medians side by side.

    .venv/bin/python bench/isolation_overhead.py [-n 60] [--without bwrap,cgroup,...]

Programs: a C binary that returns 0, and `python3 -c pass`. Columns:

- bare: subprocess.run with the sandbox's own minimal environment, stdin /dev/null and one
  pipe for stdout+stderr (the floor: fork+exec and a wait);
- run: Workspace.run in an existing workspace (one command of an example);
- example: workspace() + run, i.e. what one example costs when it has one command (the
  workspace is created and removed each time: temp dir, tmpfs holder).

Runs are interleaved (bare, run, example, bare, ...) so that a busy machine slows all columns
alike; medians and minimums of wall-clock time are printed, and the difference to bare in ms.
On a machine shared with other work the medians grow with the number of processes a run
wakes (a box has four), so the last line also gives the CPU time the children used
(user+sys, medians), which does not depend on the load. The budget of the [speed] issue is
about 10 ms per example.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "docs" / "_ext"))

from snippets import sandbox  # noqa: E402


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def _timed(action: object, cpu: list[float]) -> float:
    cpu_before = _cpu()
    started = time.perf_counter()
    action()  # type: ignore[operator]
    wall = (time.perf_counter() - started) * 1000
    cpu.append(_cpu() - cpu_before)
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=60, help="runs per column (default 60)")
    parser.add_argument("--without", default="", help="protections to turn off, e.g. bwrap,cgroup")
    parser.add_argument("--python", default="/usr/bin/python3")
    parser.add_argument("--bwrap", action="store_true",
                        help="box with bubblewrap even as root (the launcher builds it otherwise)")
    args = parser.parse_args()
    without = tuple(w for w in args.without.split(",") if w)

    scratch = Path(tempfile.mkdtemp(prefix="isolation-bench-"))
    try:
        iso = sandbox.probe(scratch / "state", (str(Path.home()),), without=without, use_bwrap=args.bwrap)
        (scratch / "true.c").write_text("int main(void) { return 0; }\n")
        subprocess.run(["cc", "-O2", "-o", str(scratch / "true"), str(scratch / "true.c")], check=True)
        limits = sandbox.Limits()
        print(f"protections off: {'; '.join(iso.missing) or 'none'}; the box is built by "
              f"{'the launcher' if iso.builds_box else 'bubblewrap' if iso.bwrap else 'nobody'}")
        print(f"{'program':<18}{'bare ms':>10}{'run ms':>10}{'example ms':>12}{'run - bare':>12}"
              f"{'example - bare':>16}   (median; min in brackets)")
        for label, box_argv, bare_argv in (
            ("C binary", ("./true",), (str(scratch / "true"),)),
            ("python3 -c pass", (args.python, "-c", "pass"), (args.python, "-c", "pass")),
        ):
            bare: list[float] = []
            run: list[float] = []
            example: list[float] = []
            cpu: tuple[list[float], list[float], list[float]] = ([], [], [])
            with sandbox.workspace(iso) as ws:
                shutil.copy(scratch / "true", ws.path / "true")
                env = ws.env(sandbox.Command(box_argv))
                env["HOME"] = env["TMPDIR"] = str(scratch)
                command = sandbox.Command(box_argv)

                def one_example() -> None:
                    with sandbox.workspace(iso) as fresh:
                        shutil.copy(scratch / "true", fresh.path / "true")
                        fresh.run(command, limits)

                for _ in range(args.n):
                    bare.append(_timed(lambda: subprocess.run(  # noqa: S603
                        bare_argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        env=env, cwd=scratch, check=True), cpu[0]))
                    run.append(_timed(lambda: ws.run(command, limits), cpu[1]))
                    example.append(_timed(one_example, cpu[2]))
            med = [statistics.median(xs) for xs in (bare, run, example)]
            low = [min(xs) for xs in (bare, run, example)]
            print(f"{label:<18}{med[0]:>10.2f}{med[1]:>10.2f}{med[2]:>12.2f}{med[1] - med[0]:>12.2f}"
                  f"{med[2] - med[0]:>16.2f}")
            print(f"{'':<18}{f'[{low[0]:.2f}]':>10}{f'[{low[1]:.2f}]':>10}{f'[{low[2]:.2f}]':>12}"
                  f"{f'[{low[1] - low[0]:.2f}]':>12}{f'[{low[2] - low[0]:.2f}]':>16}")
            c = [statistics.median(xs) for xs in cpu]
            print(f"{'  CPU ms':<18}{c[0]:>10.2f}{c[1]:>10.2f}{c[2]:>12.2f}{c[1] - c[0]:>12.2f}{c[2] - c[0]:>16.2f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
