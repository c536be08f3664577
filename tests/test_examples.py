"""Every example in examples/ runs on its own, outside Sphinx, from a copy of its folder alone,
with the commands its page shows, and matches its checked-in expected output."""

from __future__ import annotations

import re
import runpy
import shlex
import shutil
from pathlib import Path

import pytest
from snippets import expected, runners
from snippets.config import CONFIG_VALUES, Settings
from snippets.execute import Example, execute
from snippets.outcome import mismatches, parse_expectation
from snippets.sandbox import probe

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^(`{3,}|:{3,})\{exec_code\}[^\n]*\n((?::[\w-]+:[^\n]*\n)*)", re.MULTILINE)


def listings() -> list[tuple[str, int, dict[str, str]]]:
    """(page, line, options) of every exec_code block that names a file."""
    found = []
    for page in sorted((ROOT / "docs").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for m in BLOCK.finditer(text):
            options = dict(re.findall(r"^:([\w-]+):[ \t]*([^\n]*)$", m.group(2), re.MULTILINE))
            if "filename" in options:
                found.append((page.name, text.count("\n", 0, m.start()) + 1, options))
    return found


def settings(examples_dir: Path, cache_dir: Path) -> Settings:
    conf = runpy.run_path(str(ROOT / "conf.py"))
    value = {name: conf.get(name, default) for name, (default, _, _) in CONFIG_VALUES.items()}
    return Settings(
        examples_dir=examples_dir, timeout=float(value["snippets_timeout"]), python=value["snippets_python"],
        c_compiler=value["snippets_c_compiler"], c_flags=tuple(value["snippets_c_flags"]),
        rust_compiler=value["snippets_rust_compiler"], rust_flags=tuple(value["snippets_rust_flags"]),
        env=tuple(sorted(value["snippets_env"].items())), output_limit=value["snippets_output_limit"],
        memory_limit=value["snippets_memory_limit"], process_limit=value["snippets_process_limit"],
        use_cache=False, cache_dir=cache_dir, strict_isolation=False,
        normalizers=tuple((k, v[0], v[1]) for k, v in sorted(value["snippets_normalizers"].items())),
        update_outputs=False, check_runs=1,
    )


LISTINGS = listings()


def test_there_are_listings() -> None:
    assert len(LISTINGS) >= 10


@pytest.mark.parametrize(("page", "line", "options"), LISTINGS,
                         ids=[f"{p}:{ln}:{o['filename']}" for p, ln, o in LISTINGS])
def test_example_runs_alone(page: str, line: int, options: dict[str, str], tmp_path: Path) -> None:
    source = ROOT / "examples" / options["filename"]
    runner = runners.for_language(options["language"]) if "language" in options else runners.for_file(source.name)
    if shutil.which({"c": "cc", "rust": "rustc", "python": "python3"}[runner.name]) is None:
        pytest.skip(f"no toolchain for {runner.name}")
    out_file = expected.path_for(source)
    assert out_file.exists(), f"{page}:{line}: {out_file.relative_to(ROOT)} missing: run `make outputs`"
    # Only the listing's own folder is copied: the program cannot lean on anything else in the repo.
    alone = tmp_path / "examples" / Path(options["filename"]).parent
    shutil.copytree(source.parent, alone)
    config = settings(tmp_path / "examples", tmp_path / "cache")
    example = Example(runner=runner, code=source.read_text(), file=alone / source.name,
                      args=tuple(shlex.split(options.get("args", ""))),
                      timeout=float(options.get("timeout", config.timeout)))
    execution = execute(example, config, probe(tmp_path / "state", hidden=(str(ROOT),)))
    declared = parse_expectation(options.get("expect"))
    assert not mismatches(declared, execution), f"{page}:{line}: {mismatches(declared, execution)}"
    names = tuple(options.get("normalize", "").replace(",", " ").split())
    got = expected.render(execution, 0, names, config.normalizers)
    problems = expected.diff(out_file.read_text(), got, any_order=options.get("order") == "any",
                             label=str(out_file.relative_to(ROOT)))
    assert not problems, f"{page}:{line}:\n" + "\n".join(problems)
