"""Compare this project's extension at two revisions on the bench corpus: interleaved pairs.

    .venv/bin/python bench/compare.py be637cf                  # that revision against the working tree
    .venv/bin/python bench/compare.py be637cf --new HEAD --scenario edit --pairs 20

Each pair builds the same corpus once with the old extension and once with the new one, one
right after the other, so the machine's drift (large on a shared VM) hits both alike; the
verdict is the median of the per-pair ratios new / old. A script for notes, not a test.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
from run import Tool, edit  # noqa: E402

SCENARIOS = ("cold", "no-op", "edit", "clean")


def extension_at(revision: str, into: Path) -> Path:
    """docs/_ext as it was at `revision`, unpacked under `into`; returns that docs/_ext."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(corpus.REPO), "archive", revision, "docs/_ext"],  # noqa: S603, S607
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)  # noqa: S603, S607
    return into / "docs" / "_ext"


def project(root: Path, ext: Path, pages: int, per_page: int) -> tuple[Tool, list[corpus.Example]]:
    """The bench corpus for this project, its conf.py pointing at `ext`."""
    exs = corpus.write(root, "ours", pages, per_page)
    conf = root / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8").replace(str(corpus.REPO / "docs" / "_ext"), str(ext)),
                    encoding="utf-8")
    tool = Tool("ours", sys.executable, "ours", "auto")
    tool.root = root
    return tool, exs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="git revision of the baseline")
    parser.add_argument("--new", default=None, help="git revision to compare (default: the working tree)")
    parser.add_argument("--scenario", choices=SCENARIOS, default="cold")
    parser.add_argument("--pairs", type=int, default=15)
    corpus.add_arguments(parser, "snippets-compare", jobs="auto")
    args = parser.parse_args()

    shutil.rmtree(args.workdir, ignore_errors=True)
    old_ext = extension_at(args.old, args.workdir / "old-ext")
    new_ext = (corpus.REPO / "docs" / "_ext" if args.new is None
               else extension_at(args.new, args.workdir / "new-ext"))
    tools = {}
    for label, ext in (("old", old_ext), ("new", new_ext)):
        tools[label], exs = project(args.workdir / label, ext, args.pages, args.examples)
        tools[label].jobs = args.jobs
    edited = next(e for e in exs if e.page == args.pages // 2 and e.language == "c")
    if args.scenario != "cold":
        for tool in tools.values():
            tool.build()  # warm: the cache and the pages exist

    times: dict[str, list[float]] = {"old": [], "new": []}
    for n in range(args.pairs):
        # Each pair in the other order than the last, so that neither side always goes first.
        for label in ("old", "new") if n % 2 == 0 else ("new", "old"):
            tool = tools[label]
            if args.scenario == "cold":
                tool.cold()
            elif args.scenario == "edit":
                edit(tool, edited, n)
            elif args.scenario == "clean":
                tool.clean()
            times[label].append(tool.build()[0])
        print(f"# pair {n + 1}/{args.pairs}: old {times['old'][-1]:.3f} s, new {times['new'][-1]:.3f} s", flush=True)

    ratios = [new / old for old, new in zip(times["old"], times["new"])]
    print(f"\n{args.scenario}, {args.pages} pages x {args.examples} examples, sphinx-build -j {args.jobs}, "
          f"{args.pairs} interleaved pairs; old = {args.old}, new = {args.new or 'working tree'}")
    print(f"  median old {statistics.median(times['old']):.3f} s, new {statistics.median(times['new']):.3f} s")
    print(f"  new / old per pair: median {statistics.median(ratios):.3f} [{min(ratios):.3f}-{max(ratios):.3f}]; "
          f"new faster in {sum(r < 1 for r in ratios)} of {len(ratios)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
