"""Examples run concurrently (prefetch.py), and the site comes out exactly as a serial build makes it."""

from __future__ import annotations

import os
import pickle
import re
import shutil
import sys
import threading
import time
from collections import Counter
from concurrent.futures import Future
from typing import TYPE_CHECKING

import pytest
from conftest import build_app, need
from sphinx.builders import Builder
from sphinx.testing.util import SphinxTestApp

import snippets
from snippets import downloads, execute, prefetch
from snippets.cache import Cache
from snippets.execute import Engine
from snippets.nodes import snippet_result
from snippets.report import reports_of

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

PAGES = ("one", "two", "three", "four")


def engine_of(app: SphinxTestApp) -> Engine:
    return getattr(app.env, "snippets_engine", None) or app.snippets_engine  # type: ignore[attr-defined]


def written(app: SphinxTestApp, docname: str) -> nodes.document:
    """The page as it was written: results still running while it was read are completed."""
    return app.env.get_and_resolve_doctree(docname, app.builder, tags=app.tags)


@pytest.fixture
def make_build(rootdir: Path, tmp_path: Path) -> Callable[..., SphinxTestApp]:
    """Build a private copy of the parallel root (own build dir, own cache) and return the app."""
    need("cc")

    def make(name: str, **kwargs: object) -> SphinxTestApp:
        srcdir = tmp_path / name
        shutil.copytree(rootdir / "test-parallel", srcdir)
        return build_app(srcdir, **kwargs)

    return make


def article(app: SphinxTestApp, page: str) -> str:
    """The page body, with the run-time badges (the only thing allowed to differ) taken out."""
    html = (app.outdir / f"{page}.html").read_text(encoding="utf-8")
    body = html[html.index('<div class="body"'):html.index('<div class="sphinxsidebar"')]
    return re.sub(r'<span class="snippet-badge snippet-badge-info">[0-9.]+ s</span>', "", body)


def warnings_of(app: SphinxTestApp) -> list[str]:
    text = re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue()).replace(str(app.srcdir), "SRC")
    return sorted(line for line in text.splitlines() if line.strip())  # readers finish in any order


def test_parallel_build_equals_serial_build(make_build: Callable[..., SphinxTestApp]) -> None:
    serial = make_build("serial")
    parallel = make_build("parallel", parallel=2)
    assert "snippets: running" in serial.status.getvalue()
    for page in PAGES:
        assert article(parallel, page) == article(serial, page), page
    assert warnings_of(parallel) == warnings_of(serial)
    assert "SRC/three.md:9: WARNING: examples/undeclared/main.py: declared `exit 0`" in "\n".join(warnings_of(serial))
    assert "[snippets.exit-status]" in "\n".join(warnings_of(serial))


def test_pool_result_equals_running_in_the_directive(make_build: Callable[..., SphinxTestApp],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    pooled = make_build("pooled")
    with monkeypatch.context() as m:
        m.setattr(prefetch, "_jobs", lambda env, docnames: iter(()))
        alone = make_build("alone")
    assert "snippets: running" not in alone.status.getvalue()
    for page in PAGES:
        assert article(pooled, page) == article(alone, page), page
    assert warnings_of(pooled) == warnings_of(alone)


def test_scan_finds_the_keys_the_directive_computes(make_build: Callable[..., SphinxTestApp],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as m:
        m.setattr(prefetch, "_jobs", lambda env, docnames: iter(()))
        app = make_build("keys")
    engine = engine_of(app)
    stored = {p.stem for p in engine.settings.cache_dir.glob("*/*.json")}
    found = [job.key for job in prefetch.scan(app, app.env, sorted(app.env.found_docs))]
    assert len(found) == 10  # every :filename: block, the nested one and the repeated one included
    assert set(found) <= stored
    assert len(stored - set(found)) == 1  # the inline example: the directive runs it itself


def test_every_started_example_is_taken(make_build: Callable[..., SphinxTestApp]) -> None:
    app = make_build("taken")
    assert not engine_of(app).prefetched
    reports = [node["report"] for page in PAGES for node in written(app, page).findall(snippet_result)]
    assert len(reports) == 8
    repeated = [r for r in reports if r["file"] == "examples/greet/main.py" and r["docname"] in ("one", "four")]
    assert sorted(r["cached"] for r in repeated) == [False, True]  # one run served both pages, as serially


def test_examples_run_at_the_same_time(make_build: Callable[..., SphinxTestApp]) -> None:
    app = make_build("timing")
    outputs = [node.astext() for node in written(app, "timing").findall(snippet_result)]
    spans = [[float(x) for x in re.findall(r"(?:start|end)=([0-9.]+)", text)] for text in outputs]
    (start1, end1), (start2, end2), (hang_start,) = spans
    if prefetch.workers() >= 2:
        assert start1 < end2 and start2 < end1, spans
    assert hang_start < min(end1, end2), spans  # the declared hang did not wait for a core


def test_scan_marks_declared_hangs(make_build: Callable[..., SphinxTestApp]) -> None:
    app = make_build("hangs")
    jobs = prefetch.scan(app, app.env, ["timing"])
    assert [job.waits for job in jobs] == [False, False, True]


def test_engine_pickles_without_its_running_examples(make_build: Callable[..., SphinxTestApp]) -> None:
    engine = engine_of(make_build("pickle"))
    engine.prefetched["k" * 64] = Future()
    again = pickle.loads(pickle.dumps(engine))
    assert again.settings == engine.settings
    assert not again.prefetched


SLOW_PAGE = """\
---
orphan: true
---
# Slow

```{exec_code}
:filename: sleepy/main.py
```
"""
SLOW_PROGRAM = """\
import sys
import time

time.sleep(1)
print("woke up after a second")
sys.exit(3)
"""


def slow_project(rootdir: Path, srcdir: Path) -> Callable[..., SphinxTestApp]:
    """The parallel root plus an orphan page whose example sleeps a second; returns a builder."""
    need("cc")
    shutil.copytree(rootdir / "test-parallel", srcdir)
    (srcdir / "slow.md").write_text(SLOW_PAGE, encoding="utf-8")
    (srcdir / "examples" / "sleepy").mkdir()
    (srcdir / "examples" / "sleepy" / "main.py").write_text(SLOW_PROGRAM, encoding="utf-8")

    return lambda **kwargs: build_app(srcdir, **kwargs)


def test_a_result_still_running_while_its_page_is_read_is_completed_when_it_is_written(
        rootdir: Path, tmp_path: Path) -> None:
    build = slow_project(rootdir, tmp_path / "deferred")

    first = build()
    # Read while the example slept: the pickled page holds it pending, the written page has it all.
    (read,) = first.env.get_doctree("slow").findall(snippet_result)
    assert "pending" in read
    html = (first.outdir / "slow.html").read_text(encoding="utf-8")
    assert "woke up after a second" in html and "exit 3" in html
    message = "SRC/slow.md:6: WARNING: examples/sleepy/main.py: declared `exit 0`"
    assert [line for line in warnings_of(first) if message in line] != []
    assert sum(message in line for line in warnings_of(first)) == 1  # once, with the page's line
    (entry,) = reports_of(first.env)["slow"]
    assert entry["observed"] == "exit 3" and entry["cached"] is False and "pending" not in entry

    # A later build that writes the page again without reading it completes it from the cache:
    # same output, no warning repeated, and the report still says the example ran when read.
    second = build()
    (again,) = written(second, "slow").findall(snippet_result)
    assert "woke up after a second" in again.astext()
    assert again["report"]["cached"] is False
    assert not any(message in line for line in warnings_of(second))

    # Its cache entry damaged since: a warning at the page's line, and the example runs again.
    entry_file = engine_of(second).settings.cache_dir / read["pending"].key[:2] / f"{read['pending'].key}.json"
    entry_file.write_text("{not json", encoding="utf-8")
    (rerun,) = written(second, "slow").findall(snippet_result)
    assert "woke up after a second" in rerun.astext()
    damaged = [line for line in warnings_of(second) if "damaged cache entry" in line]
    assert len(damaged) == 1 and damaged[0].startswith("SRC/slow.md:6: WARNING"), damaged


def test_no_reader_or_writer_is_forked_while_examples_run(rootdir: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A process forked while the pool's threads start boxes would hold copies of their pipes:
    subprocess waits for end of file on one of them, which then never comes (a deadlock)."""
    forked: list[str] = []
    for method in ("_read_parallel", "_write_parallel"):
        original = getattr(Builder, method)

        def spy(self: Builder, *args: object, _original: Callable[..., None] = original,
                _name: str = method, **kwargs: object) -> None:
            forked.append(_name)
            _original(self, *args, **kwargs)

        monkeypatch.setattr(Builder, method, spy)
    build = slow_project(rootdir, tmp_path / "forks")

    first = build(parallel=2)
    assert forked == []  # read and written in this process: the example slept through both
    assert "woke up after a second" in (first.outdir / "slow.html").read_text(encoding="utf-8")

    second = build(parallel=2, freshenv=True)  # every result cached: nothing runs, -j 2 as usual
    assert forked == ["_read_parallel", "_write_parallel"]
    assert "woke up after a second" in (second.outdir / "slow.html").read_text(encoding="utf-8")


def test_the_scan_does_not_wait_for_the_probe(make_build: Callable[..., SphinxTestApp],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The protections are probed in a thread of their own, begun at config-inited when an example
    probably runs (nothing built yet, or an example file newer than the last build; on a first
    build that includes waiting for the launcher's compiler): the main thread scans every page
    meanwhile, and the examples start once the probe is done (the reading, too). A build that
    reads pages but has nothing to run probes nothing."""
    normal = make_build("normal")
    scanned = threading.Event()
    probes: list[tuple[str, bool]] = []
    original_jobs, original_probe = prefetch._jobs, snippets.probe

    def jobs(env: object, docnames: list[str]) -> Iterator[prefetch.Job | None]:
        yield from original_jobs(env, docnames)  # type: ignore[arg-type]
        scanned.set()

    def probe(*args: object) -> object:
        # Held until the main thread has scanned every page: had it waited for this probe, the
        # wait would run out (and the test fail) instead of the scan finishing first.
        probes.append((threading.current_thread().name, scanned.wait(timeout=20)))
        return original_probe(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(prefetch, "_jobs", jobs)
    monkeypatch.setattr(snippets, "probe", probe)
    beside = make_build("beside")
    assert len(probes) == 1, probes
    thread, scan_finished_first = probes[0]
    assert thread.startswith("snippets-probe") and scan_finished_first, probes
    for page in PAGES:
        assert article(beside, page) == article(normal, page), page

    probes.clear()
    source = beside.srcdir / "one.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    again = build_app(beside.srcdir)
    assert "One more sentence." in (again.outdir / "one.html").read_text(encoding="utf-8")
    assert probes == []  # the page was read again, its examples came from the cache

    example = beside.srcdir / "examples" / "greet" / "main.py"
    example.write_text(example.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    build_app(beside.srcdir)
    assert len(probes) == 1 and probes[0][0].startswith("snippets-probe"), probes  # begun before the scan


def test_a_probe_begun_on_a_guess_ends_before_sphinx_may_fork(make_build: Callable[..., SphinxTestApp],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """An example file touched without a change: the probe begins at config-inited (the guess),
    but nothing runs. The scan's handler must not return while the probe's thread still holds
    pipes that forked readers or writers would copy."""
    app = make_build("touched")
    example = app.srcdir / "examples" / "exit3" / "main.py"  # on a page without inline code
    later = time.time_ns() + 10**9
    os.utime(example, ns=(later, later))  # newer than the saved environment, the same bytes
    seen: list[tuple[bool, bool, int]] = []
    original_start, original_probe = prefetch.start, snippets.probe

    def slow_probe(*args: object) -> object:
        time.sleep(0.3)  # longer than Sphinx's setup: still probing when the scan ends
        return original_probe(*args)  # type: ignore[arg-type]

    def start(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
        original_start(app, env, docnames)
        engine = env.snippets_engine  # type: ignore[attr-defined]
        probing = engine.background.get(execute.PROBING)
        seen.append((probing is not None, probing is not None and probing.done(), len(engine.prefetched)))

    monkeypatch.setattr(prefetch, "start", start)  # connected when the next app sets up
    monkeypatch.setattr(snippets, "probe", slow_probe)
    build_app(app.srcdir, parallel=2)
    assert seen == [(True, True, 0)], seen  # begun on the guess, ended before reading; nothing ran


def test_a_page_read_again_reads_each_cached_result_and_computes_each_key_once(
        make_build: Callable[..., SphinxTestApp], monkeypatch: pytest.MonkeyPatch) -> None:
    """The pre-pass reads the cache entries to decide what to run; the directive takes what it
    read instead of reading the entry and hashing the example again."""
    first = make_build("once")
    reads: Counter[str] = Counter()
    keys: Counter[str] = Counter()
    original_get, original_key = Cache.get, execute.cache_key

    def get(self: Cache, key: str) -> object:
        reads[key] += 1
        return original_get(self, key)

    def cache_key(*args: object) -> str:
        key = original_key(*args)  # type: ignore[arg-type]
        keys[key] += 1
        return key

    monkeypatch.setattr(Cache, "get", get)
    monkeypatch.setattr(execute, "cache_key", cache_key)
    source = first.srcdir / "one.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    again = build_app(first.srcdir)
    assert "One more sentence." in (again.outdir / "one.html").read_text(encoding="utf-8")
    assert reads and set(reads.values()) == {1}, reads
    assert keys == Counter({key: 1 for key in reads}), keys


def test_the_gil_is_handed_over_sooner_only_while_examples_run(make_build: Callable[..., SphinxTestApp],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[float] = []
    original = prefetch._run

    def run(*args: object) -> prefetch.Prefetched:
        seen.append(sys.getswitchinterval())
        return original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(prefetch, "_run", run)
    before = sys.getswitchinterval()
    make_build("gil")
    assert len(seen) == 9 and set(seen) == {min(before, prefetch.SWITCH_INTERVAL)}
    assert sys.getswitchinterval() == before


def test_downloads_are_published_beside_the_examples(make_build: Callable[..., SphinxTestApp],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """While examples run, the pool copies the downloads too; build-finished takes the result."""
    threads: list[str] = []
    original = downloads.publish

    def publish(*args: Path) -> tuple[int, int, bool]:
        threads.append(threading.current_thread().name)
        return original(*args)

    monkeypatch.setattr(downloads, "publish", publish)
    app = make_build("publish")
    assert len(threads) == 1 and threads[0].startswith("snippets-hang")
    assert downloads.PUBLISHING not in engine_of(app).background  # taken by build-finished
    assert (app.outdir / downloads.ARCHIVE).is_file()
    assert "examples published in _downloads/examples (" in app.status.getvalue()

    threads.clear()
    again = build_app(app.srcdir)  # nothing runs: published here, in the main thread
    assert threads == ["MainThread"]
    assert (again.outdir / downloads.ARCHIVE).is_file()
