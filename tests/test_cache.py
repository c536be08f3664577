"""The result cache: one file per key, atomic, version-stamped; and what a rebuild runs again."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import subprocess
import threading
from io import StringIO
from typing import TYPE_CHECKING

import pytest
from conftest import build_app, need
from sphinx.testing.util import SphinxTestApp

from snippets import execute, runners
from snippets.cache import FORMAT, Cache, CorruptEntry, make_key, normalise_code
from snippets.execute import Example, cache_key
from snippets.nodes import snippet_result
from snippets.outcome import Execution, Step
from snippets.runners.base import require_version, versions_folder

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from snippets.config import Settings


def execution(text: str = "hello\n") -> Execution:
    return Execution(language="python", runs=(Step(role="run", display="python3 main.py", output=text,
                                                   exit_code=0, duration=0.01),))


# -- the store, without Sphinx ---------------------------------------------------------------------

def test_put_then_get_round_trips(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("ab" * 32, execution())
    assert cache.get("ab" * 32) == execution()
    assert cache.path("ab" * 32).parent.name == "ab"


def test_missing_entry_is_a_miss(tmp_path: Path) -> None:
    assert Cache(tmp_path).get("cd" * 32) is None


def test_other_format_version_is_a_miss_not_an_error(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("ef" * 32, execution())
    data = json.loads(cache.path("ef" * 32).read_text(encoding="utf-8"))
    data["format"] = FORMAT + 1
    cache.path("ef" * 32).write_text(json.dumps(data), encoding="utf-8")
    assert cache.get("ef" * 32) is None


@pytest.mark.parametrize("damage", [
    lambda text: text[: len(text) // 2],                     # cut short
    lambda text: "not json at all",
    lambda text: json.dumps({"format": FORMAT, "key": "ef" * 32, "execution": {"runs": 3}}),
    lambda text: text.replace("ab" * 32, "00" * 32),          # an entry for another key
], ids=["truncated", "garbage", "wrong-shape", "wrong-key"])
def test_damaged_entry_raises_corrupt_entry(tmp_path: Path, damage: Callable[[str], str]) -> None:
    cache = Cache(tmp_path)
    cache.put("ab" * 32, execution())
    path = cache.path("ab" * 32)
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(CorruptEntry, match=str(path)):
        cache.get("ab" * 32)


def _hammer(root: str, key: str, text: str, rounds: int) -> None:
    from pathlib import Path

    cache = Cache(Path(root))
    for _ in range(rounds):
        cache.put(key, execution(text))


def _read_while_written(cache: Cache, key: str, stop: threading.Event, seen: set[str]) -> None:
    while not stop.is_set():
        try:
            got = cache.get(key)
        except CorruptEntry as err:  # a half-written file would land here
            seen.add(f"corrupt: {err}")
        else:
            seen.add("miss" if got is None else got.runs[0].output[:1] + str(len(got.runs[0].output)))


def test_two_writers_at_once_never_leave_half_a_file(tmp_path: Path) -> None:
    key = "12" * 32
    cache = Cache(tmp_path)
    texts = ("A" * 50_000 + "\n", "B" * 50_000 + "\n")
    stop = threading.Event()
    seen: set[str] = set()
    reader = threading.Thread(target=_read_while_written, args=(cache, key, stop, seen))
    reader.start()
    ctx = multiprocessing.get_context("fork")
    writers = [ctx.Process(target=_hammer, args=(str(tmp_path), key, text, 200)) for text in texts]
    threads = [threading.Thread(target=_hammer, args=(str(tmp_path), key, text, 200)) for text in texts]
    for w in (*writers, *threads):
        w.start()
    for w in (*writers, *threads):
        w.join()
    stop.set()
    reader.join()
    assert all(w.exitcode == 0 for w in writers)
    assert seen <= {"miss", "A50001", "B50001"}
    assert cache.get(key) in (execution(texts[0]), execution(texts[1]))
    assert [p.name for p in cache.path(key).parent.iterdir()] == [cache.path(key).name]  # no temp files left


def test_code_is_normalised_before_hashing() -> None:
    assert normalise_code("print(1)  \r\nprint(2)\n\n\n") == normalise_code("\nprint(1)\nprint(2)")
    assert make_key({"code": normalise_code("a \n")}) == make_key({"code": normalise_code("a")})
    assert make_key({"a": 1, "b": 2}) == make_key({"b": 2, "a": 1})


# -- the key: one miss per component ---------------------------------------------------------------

@pytest.fixture(scope="module")
def settings(rootdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The settings a real build of the cache root has (nothing is built)."""
    srcdir = tmp_path_factory.mktemp("settings")
    shutil.copytree(rootdir / "test-cache", srcdir, dirs_exist_ok=True)
    app = SphinxTestApp("html", srcdir=srcdir, status=StringIO(), warning=StringIO())
    yield engine_of(app).settings
    app.cleanup()


def engine_of(app: SphinxTestApp) -> execute.Engine:
    return getattr(app.env, "snippets_engine", None) or app.snippets_engine  # type: ignore[attr-defined]


def _base(settings: Settings) -> Example:
    file = settings.examples_dir / "count" / "main.py"
    return Example(runner=runners.for_language("python"), code=file.read_text(encoding="utf-8"), file=file,
                   args=("three",), env=(), timeout=5.0, runs=1)


CHANGES: dict[str, Callable[[Example, Settings, str], tuple[Example, Settings, str]]] = {
    "code": lambda e, s, t: (e._replace(code=e.code + "print('more')\n"), s, t),
    "toolchain version": lambda e, s, t: (e, s, t.replace("3.", "4.", 1) + " (another build)"),
    "args": lambda e, s, t: (e._replace(args=("four",)), s, t),
    "declared env": lambda e, s, t: (e._replace(env=(("GREETING", "hi"),)), s, t),
    "site env": lambda e, s, t: (e, s._replace(env=(("LC_ALL", "C"),)), t),
    "timeout": lambda e, s, t: (e._replace(timeout=2.0), s, t),
    "runs": lambda e, s, t: (e._replace(runs=3), s, t),
    "output limit": lambda e, s, t: (e, s._replace(output_limit=s.output_limit + 1), t),
    "memory limit": lambda e, s, t: (e, s._replace(memory_limit=s.memory_limit // 2), t),
    "process limit": lambda e, s, t: (e, s._replace(process_limit=s.process_limit + 1), t),
    "language": lambda e, s, t: (e._replace(runner=runners.for_language("c")), s, t),
}


@pytest.mark.parametrize("component", sorted(CHANGES))
def test_each_key_component_makes_a_miss(settings: Settings, component: str) -> None:
    example, toolchain = _base(settings), "Python 3.11.2"
    before = cache_key(example, settings, toolchain)
    assert cache_key(example, settings, toolchain) == before  # stable
    assert cache_key(*CHANGES[component](example, settings, toolchain)) != before


def test_engine_version_makes_a_miss(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache_key(_base(settings), settings, "Python 3.11.2")
    monkeypatch.setattr(execute, "ENGINE_VERSION", execute.ENGINE_VERSION + ".1")
    assert cache_key(_base(settings), settings, "Python 3.11.2") != before


def test_runner_version_makes_a_miss(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache_key(_base(settings), settings, "Python 3.11.2")
    monkeypatch.setattr(type(runners.for_language("python")), "version", 99)
    assert cache_key(_base(settings), settings, "Python 3.11.2") != before


def test_compiler_flags_make_a_miss(settings: Settings) -> None:
    need("cc")
    c = runners.for_language("c")
    flags = c.toolchain(settings)
    assert c.toolchain(settings._replace(c_flags=(*settings.c_flags, "-O2"))) != flags
    example = _base(settings)._replace(runner=c)
    assert cache_key(example, settings, flags) != cache_key(
        example, settings, c.toolchain(settings._replace(c_flags=("-O2",))))


# -- the toolchain's version, remembered between builds ----------------------------------------

#: A compiler stand-in whose `--version` says how often it has been asked (in $FAKECC_CALLS).
FAKE_COMPILER = r"""
#include <stdio.h>
#include <stdlib.h>
int main(void) {
    FILE *calls = fopen(getenv("FAKECC_CALLS"), "a");
    fputc('x', calls);
    long n = ftell(calls);
    fclose(calls);
    printf("fakecc %ld\n", n);
    return 0;
}
"""


@pytest.fixture
def fake_compiler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    need("cc")
    (tmp_path / "fakecc.c").write_text(FAKE_COMPILER, encoding="utf-8")
    binary = tmp_path / "bin" / "fakecc"
    binary.parent.mkdir()
    subprocess.run(["cc", "-o", str(binary), str(tmp_path / "fakecc.c")], check=True)  # noqa: S603, S607
    monkeypatch.setenv("FAKECC_CALLS", str(tmp_path / "calls"))
    return binary


def test_a_toolchain_version_is_asked_again_only_when_the_binary_changes(fake_compiler: Path, tmp_path: Path) -> None:
    memo = tmp_path / "toolchains"
    argv = [str(fake_compiler), "--version"]
    assert require_version(argv, "missing", memo) == "fakecc 1"
    assert require_version(argv, "missing", memo) == "fakecc 1"  # remembered: no process started
    assert require_version([str(fake_compiler), "-v"], "missing", memo) == "fakecc 2"  # other arguments
    stat = fake_compiler.stat()
    os.utime(fake_compiler, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # upgraded in place
    assert require_version(argv, "missing", memo) == "fakecc 3"
    replacement = fake_compiler.with_name("fakecc.new")
    shutil.copy(fake_compiler, replacement)
    os.replace(replacement, fake_compiler)  # as a package manager installs: a new inode
    assert require_version(argv, "missing", memo) == "fakecc 4"
    assert require_version(argv, "missing", memo) == "fakecc 4"
    assert require_version(argv, "missing") == "fakecc 5"  # nowhere to remember: always asked
    for remembered in memo.glob("*.txt"):
        remembered.write_text("", encoding="utf-8")  # damaged: asked again, not believed
    assert require_version(argv, "missing", memo) == "fakecc 6"


def test_a_script_that_picks_the_program_is_asked_every_build(tmp_path: Path) -> None:
    shim = tmp_path / "python3"  # as a pyenv shim: the program it runs depends on the moment
    shim.write_text('#!/bin/sh\necho "shim $$"\n', encoding="utf-8")
    shim.chmod(0o755)
    memo = tmp_path / "toolchains"
    assert require_version([str(shim)], "missing", memo) != require_version([str(shim)], "missing", memo)
    assert not memo.exists()


def test_a_compiler_wrapper_is_asked_every_build(fake_compiler: Path, tmp_path: Path) -> None:
    wrapper = fake_compiler.with_name("ccache")  # ccache's own binary, reached through a `gcc` link
    fake_compiler.rename(wrapper)
    (tmp_path / "bin" / "gcc").symlink_to(wrapper)
    memo = tmp_path / "toolchains"
    argv = [str(tmp_path / "bin" / "gcc"), "--version"]
    assert [require_version(argv, "missing", memo) for _ in range(2)] == ["fakecc 1", "fakecc 2"]
    assert not memo.exists()


def test_no_toolchain_version_is_remembered_with_the_cache_off(settings: Settings, tmp_path: Path) -> None:
    need("cc")
    c = runners.for_language("c")
    off = settings._replace(use_cache=False, cache_dir=tmp_path / "off")
    on = settings._replace(cache_dir=tmp_path / "on")
    assert versions_folder(off) is None  # what `make doctest` and `make outputs` build with
    assert c.toolchain(off) == c.toolchain(on) == c.toolchain(on)
    assert not (tmp_path / "off").exists()
    assert len(list((tmp_path / "on" / "toolchains").glob("*.txt"))) == 1


def test_what_does_not_change_the_output_keeps_the_key(settings: Settings, tmp_path: Path) -> None:
    example = _base(settings)
    key = cache_key(example, settings, "Python 3.11.2")
    assert cache_key(example._replace(code=example.code.replace("\n", "  \r\n")), settings, "Python 3.11.2") == key
    # Another clone of the repository (another absolute path) shares the entries.
    moved = tmp_path / "elsewhere" / "examples"
    shutil.copytree(settings.examples_dir, moved)
    there = settings._replace(examples_dir=moved, cache_dir=tmp_path / "cache")
    assert cache_key(example._replace(file=moved / "count" / "main.py"), there, "Python 3.11.2") == key


# -- builds ----------------------------------------------------------------------------------------

@pytest.fixture
def srcdir(rootdir: Path, tmp_path: Path) -> Path:
    """A private copy of the cache root: each test has its own build dir and cache."""
    shutil.copytree(rootdir / "test-cache", tmp_path / "src")
    return tmp_path / "src"


def clean(app: SphinxTestApp) -> None:
    """`make clean`: pages and doctrees go, the cache stays."""
    shutil.rmtree(app.outdir)
    shutil.rmtree(app.doctreedir)


build = build_app


def reports(app: SphinxTestApp, docname: str = "index") -> dict[str, dict[str, object]]:
    """file -> the report of its snippet_result, from the pickled doctree."""
    tree = app.env.get_and_resolve_doctree(docname, app.builder, tags=app.tags)  # as written: pending results completed
    return {str(node["report"]["file"]): node["report"] for node in tree.findall(snippet_result)}


def warnings_of(app: SphinxTestApp) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())


def entries(app: SphinxTestApp) -> dict[Path, int]:
    root = engine_of(app).settings.cache_dir
    return {p: p.stat().st_mtime_ns for p in root.glob("*/*.json")}


def test_cache_lives_in_the_build_directory(srcdir: Path) -> None:
    app = build(srcdir)
    root = engine_of(app).settings.cache_dir
    assert root.is_relative_to(srcdir / "_build")
    assert len(list(root.glob("*/*.json"))) == 2


def test_second_build_after_clean_runs_nothing(srcdir: Path) -> None:
    first = build(srcdir)
    assert [r["cached"] for r in reports(first).values()] == [False, False]
    written = entries(first)
    clean(first)
    second = build(srcdir)
    assert [r["cached"] for r in reports(second).values()] == [True, True]
    assert entries(second) == written  # nothing was rewritten either
    assert "hello from the cache root" in (second.outdir / "index.html").read_text(encoding="utf-8")
    assert "snippets" not in warnings_of(second)


def test_no_op_rebuild_reads_nothing(srcdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from snippets import prefetch

    first = build(srcdir)
    written = entries(first)
    parsers: list[tuple[object, ...]] = []
    monkeypatch.setattr(prefetch, "create_md_parser", lambda *args: parsers.append(args))
    second = build(srcdir)
    assert "0 added, 0 changed, 0 removed" in second.status.getvalue()
    assert entries(second) == written
    assert parsers == []  # no page to scan, so no Markdown parser made for the scan
    # Nothing to run, so the protections were never probed: the build started no process.
    assert "isolation" in vars(engine_of(first))
    assert "isolation" not in vars(engine_of(second))


def test_editing_one_example_reruns_exactly_that_one(srcdir: Path) -> None:
    build(srcdir)
    (srcdir / "examples" / "count" / "main.py").write_text("print('edited')\n", encoding="utf-8")
    again = build(srcdir)
    assert {f: r["cached"] for f, r in reports(again).items()} == {
        "examples/hello/main.py": True, "examples/count/main.py": False}
    assert "edited" in (again.outdir / "index.html").read_text(encoding="utf-8")


def test_a_file_beside_the_example_belongs_to_its_page(srcdir: Path) -> None:
    """The whole folder goes into the box and into the cache key, so a data file or a worker
    script beside the example counts like the example itself: editing one, or adding one, runs
    the example again and rewrites its page (a page left as it was would show output that the
    code no longer prints); a build after that reads nothing."""
    folder = srcdir / "examples" / "hello"
    (folder / "main.py").write_text(
        "from pathlib import Path\n"
        "for data in sorted(Path(__file__).parent.glob('*.txt')):\n"
        "    print(data.name, data.read_text().strip())\n", encoding="utf-8")
    (folder / "data.txt").write_text("first\n", encoding="utf-8")

    def page(app: SphinxTestApp) -> str:
        return (app.outdir / "index.html").read_text(encoding="utf-8")

    assert "data.txt first" in page(build(srcdir))
    (folder / "data.txt").write_text("second\n", encoding="utf-8")
    edited = build(srcdir)
    assert "data.txt second" in page(edited)
    assert {f: r["cached"] for f, r in reports(edited).items()} == {
        "examples/hello/main.py": False, "examples/count/main.py": True}
    (folder / "more.txt").write_text("third\n", encoding="utf-8")
    added = build(srcdir)
    assert "more.txt third" in page(added)
    written = entries(added)
    again = build(srcdir)
    assert "0 added, 0 changed, 0 removed" in again.status.getvalue()
    assert "no targets are out of date" in again.status.getvalue()
    assert entries(again) == written


def test_config_that_changes_the_output_is_a_miss(srcdir: Path) -> None:
    build(srcdir)
    again = build(srcdir, confoverrides={"snippets_timeout": 7})
    assert [r["cached"] for r in reports(again).values()] == [False, False]


def test_corrupt_entry_is_a_miss_and_one_warning_with_file_and_line(srcdir: Path) -> None:
    first = build(srcdir)
    damaged = next(p for p in entries(first) if "count" in p.read_text(encoding="utf-8")
                   or "three" in p.read_text(encoding="utf-8"))
    damaged.write_text('{"format": 1, "key": "trunc', encoding="utf-8")
    clean(first)
    second = build(srcdir)
    found = re.findall(r"^(.*?): WARNING: (.*)$", warnings_of(second), flags=re.MULTILINE)
    cache_warnings = [(where, what) for where, what in found if "[snippets.cache]" in what]
    assert len(cache_warnings) == 1, warnings_of(second)
    where, what = cache_warnings[0]
    assert where.endswith("index.md:7")  # the second directive
    assert str(damaged) in what
    assert {f: r["cached"] for f, r in reports(second).items()} == {
        "examples/hello/main.py": True, "examples/count/main.py": False}
    json.loads(damaged.read_text(encoding="utf-8"))  # repaired by the re-run


def test_old_format_entries_are_misses_without_warnings(srcdir: Path) -> None:
    first = build(srcdir)
    for path in entries(first):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["format"] = FORMAT - 1
        path.write_text(json.dumps(data), encoding="utf-8")
    clean(first)
    second = build(srcdir)
    assert [r["cached"] for r in reports(second).values()] == [False, False]
    assert "snippets" not in warnings_of(second)


def test_cache_off_runs_everything_fresh(srcdir: Path) -> None:
    build(srcdir)
    again = build(srcdir, freshenv=True, confoverrides={"snippets_cache": False})
    assert [r["cached"] for r in reports(again).values()] == [False, False]


def test_checking_builder_runs_everything_fresh(srcdir: Path) -> None:
    build(srcdir)
    app = SphinxTestApp("snippets-check", srcdir=srcdir, status=StringIO(), warning=StringIO(), freshenv=True)
    try:
        app.build()
        assert [r["cached"] for r in reports(app).values()] == [False, False]
    finally:
        app.cleanup()
    os.sync()
