"""Run the examples of the pages about to be read in a small pool, before and while Sphinx reads them.

The directive stays the only place that turns a result into a page: it takes a result the pool
started (by cache key) instead of running the example itself. When the scan here cannot work
out an example exactly (inline code, a page that is not MyST, an option it cannot parse), the
keys differ and the directive simply runs that example itself, as it would without this module.
"""

from __future__ import annotations

import itertools
import os
import shlex
import sys
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from docutils.parsers.rst.states import MarkupError
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.directives import parse_directive_text
from myst_parser.parsers.mdit import create_md_parser
from sphinx.util import logging
from sphinx.util.parallel import parallel_available

from . import downloads, rewrite, runners
from .cache import Cache, CorruptEntry
from .directive import ExecCodeDirective
from .execute import PROBING, Engine, Example, execute
from .outcome import Execution

if TYPE_CHECKING:
    from collections.abc import Iterator

    from markdown_it import MarkdownIt
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: Most declared hangs (`:expect: timeout`) left waiting at once, beside the per-core workers.
MAX_WAITING = 8
#: The GIL switch interval while examples run (see _hand_over_sooner).
SWITCH_INTERVAL = 0.0005


# A NamedTuple rather than a frozen dataclass: cheaper to define (see sandbox.Limits).
class Job(NamedTuple):
    """One example the scan found, as the directive will ask for it."""

    key: str
    """Its cache key, computed exactly as the directive computes it."""
    example: Example
    """What to run."""
    waits: bool = False
    """Declared `:expect: timeout`: it mostly sleeps until killed, so it needs no core of its own."""


class Prefetched(NamedTuple):
    """What the pool hands the directive for one example."""

    execution: Execution
    """The fresh result."""
    corrupt: str | None = None
    """Why the cache entry it replaced was unreadable (the directive warns with its location)."""
    write_error: str | None = None
    """Why the result could not be stored, if it could not (the directive warns)."""


def _directive_blocks(md: MarkdownIt, text: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """(first line, body) of every `{exec_code}` fence, also inside other directives (tabs)."""
    for token in md.parse(text):
        if token.type not in ("fence", "colon_fence"):
            continue
        info = token.info.strip()
        if not info.startswith("{") or "}" not in info:
            continue
        name, first_line = info[1:].split("}", 1)
        if name.strip() == "exec_code":
            yield first_line.strip(), token.content
        elif depth < 8 and name.strip() not in ("eval-rst", "code-block", "code", "code-cell", "literalinclude"):
            yield from _directive_blocks(md, token.content, depth + 1)


def _example(options: dict[str, Any], engine: Engine) -> Example | None:
    """The Example the directive will build from these options, or None if unsure.

    Mirrors ExecCodeDirective._run_snippet for `:filename:` examples; a difference only costs
    time (the directive then runs the example itself), never a wrong page.
    """
    settings = engine.settings
    filename = options.get("filename")
    if not filename:
        return None
    path = (settings.examples_dir / filename).resolve()
    if not path.is_relative_to(settings.examples_dir) or not path.is_file():
        return None
    try:
        runner = (runners.for_language(options["language"]) if "language" in options
                  else runners.for_file(path.name))
        args = tuple(shlex.split(options.get("args", "")))
        env_pairs = [item.split("=", 1) for item in shlex.split(options.get("env", ""))]
    except (runners.UnknownLanguage, ValueError):
        return None
    if any(len(pair) != 2 or not pair[0] for pair in env_pairs):
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    return Example(
        runner=runner, code="\n".join(lines) + "\n", file=path, args=args,
        env=tuple((k, v) for k, v in env_pairs),
        timeout=options.get("timeout", settings.timeout),
        runs=options.get("runs", settings.check_runs if engine.checking else 1),
        trace="trace" in options,
    )


def scan(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> list[Job]:
    """Every `:filename:` exec_code block of these MyST pages, in reading order."""
    return [job for job in _jobs(env, docnames) if job is not None]


def _jobs(env: BuildEnvironment, docnames: list[str]) -> Iterator[Job | None]:
    """scan(), one job at a time: the pool starts on the first page's examples while later pages
    are scanned. None stands for an exec_code block the scan cannot work out (its directive may
    run it)."""
    engine: Engine = env.snippets_engine  # type: ignore[attr-defined]
    md: MarkdownIt | None = None  # made for the first page to scan: a no-op build reads none
    for docname in docnames:
        source = Path(env.doc2path(docname))
        if source.suffix != ".md":
            continue
        try:
            text = source.read_text(encoding="utf-8")
        except OSError:
            continue
        if md is None:
            md = create_md_parser(getattr(env, "myst_config", None) or MdParserConfig(), RendererHTML)
        for first_line, body in _directive_blocks(md, text):
            try:
                parsed = parse_directive_text(ExecCodeDirective, first_line, body)
                example = _example(parsed.options, engine) if not any(parsed.body) else None
                if example is None:
                    yield None
                    continue
                key = engine.key(example)
            except (MarkupError, OSError, ValueError, runners.ToolchainMissing):
                yield None
                continue
            waits = str(parsed.options.get("expect", "")).split()[:1] == ["timeout"]
            yield Job(key, example, waits)


def _run(example: Example, key: str, engine: Engine, corrupt: str | None) -> Prefetched:
    # engine.isolation waits for the probe that start() began beside the scan.
    execution = execute(example, engine.settings, engine.isolation, on_timeout=engine.on_timeout)
    try:
        Cache(engine.settings.cache_dir).put(key, execution)
    except OSError as err:
        return Prefetched(execution, corrupt, str(err))
    return Prefetched(execution, corrupt)


def workers() -> int:
    """How many computing examples run at once: one per core this build may use, plus two.

    Each example spends part of its time waiting for its own box to start and end (launcher,
    bubblewrap, cgroup: about a quarter of its wall time), and the extra workers run meanwhile.
    On 2 cores one extra took the bench corpus from 5.1 s to 4.4 s (medians of 3, bench/), and
    a second one made cold builds about 5% faster again (bench/compare.py, two runs of 16 and
    20 interleaved pairs: median ratios 0.946 and 0.953, faster in 26 of 36 pairs).
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return cores + 2


def _reads_in_parallel(app: Sphinx) -> bool:
    """Will Sphinx fork readers (`-j N`)? Same test as Builder.read, without its warnings."""
    return (parallel_available and app.parallel > 1
            and all(ext.parallel_read_safe for ext in app.extensions.values()))


def start(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """env-before-read-docs: start every outdated example that has no usable cache entry.

    The pool runs while Sphinx parses, and the directive waits only for its own example. Under
    `-j N` the pages are then read in this process (see _read_in_this_process); when nothing
    needs to run, Sphinx's forked readers work as usual.
    """
    engine: Engine = env.snippets_engine  # type: ignore[attr-defined]
    cache = Cache(engine.settings.cache_dir)
    # One thread per core (plus two) for the examples that compute; the declared hangs sleep
    # until their timeout, so each gets a thread of its own (up to MAX_WAITING) instead of
    # holding a core's. Threads start with the first job submitted.
    computing = ThreadPoolExecutor(max_workers=workers(), thread_name_prefix="snippets")
    waiting = ThreadPoolExecutor(max_workers=MAX_WAITING, thread_name_prefix="snippets-hang")
    started = {False: 0, True: 0}
    unsure = False  # a block the scan could not work out: its directive may run it

    try:
        seen = set(engine.prefetched)
        # First the pages rewritten without reading (their examples are the point of this build);
        # those that must be read after all join `docnames` before the scan.
        rewritten = [Job(*job) for job in rewrite.plan(app, env, docnames)]
        for job in itertools.chain(rewritten, _jobs(env, docnames)):
            if job is None:
                unsure = True
                continue
            if job.key in seen:
                continue
            seen.add(job.key)
            corrupt: str | None = None
            if engine.settings.use_cache:
                try:
                    hit = cache.get(job.key)
                except CorruptEntry as err:
                    corrupt = str(err)
                else:
                    if hit is not None:
                        engine.hits[job.key] = hit
                        continue
            if not any(started.values()):
                # The probe (about 10 ms; on a first build it also waits for the launcher's
                # compiler, about 0.15 s) runs in a thread while the scan goes on, and the
                # examples start as soon as it is done.
                engine.probe_beside(waiting)
                _hand_over_sooner(app)
            pool = waiting if job.waits else computing
            engine.prefetched[job.key] = pool.submit(_run, job.example, job.key, engine, corrupt)
            if job in rewritten:  # no directive takes it: the page is completed when written
                engine.deferred[job.key] = engine.prefetched[job.key]
            started[job.waits] += 1
        if not any(started.values()) and unsure and _reads_in_parallel(app):
            # Nothing to run that the scan knows of, but a directive may run an example itself
            # in a forked reader: probe here, once, so that every reader inherits the answer
            # (and a warning about missing protections is given once).
            _ = engine.isolation
        elif not any(started.values()) and PROBING in engine.background:
            # Probing began at config-inited on a guess (see snippets.start_launcher) and nothing
            # runs after all: let it end before Sphinx forks readers or writers, which would
            # copy the pipes its thread holds. It had a head start; what it found is kept, and
            # raised only if an example needs it.
            wait([engine.background[PROBING]])
        if any(started.values()):
            # Wait for the probe before reading: alongside Sphinx's parsing and the download
            # copies, both holding the GIL most of the time, it took 40-60 ms instead of 10, and
            # the page of an edited example then waited for that example. It also raises here,
            # before any page is read, when protections are missing and
            # snippets_strict_isolation is on.
            _ = engine.isolation
            # The examples' download copies and zip take a thread beside the hangs: mostly
            # file copying, and on an edit off the end of the build (build-finished takes the
            # result).
            downloads.publish_later(app, engine.background, waiting)
    finally:
        for pool in (computing, waiting):
            # Queued jobs still run after shutdown; the threads end once their queue is empty
            # (also when the probe raised: each job then raises the same error, runs nothing).
            pool.shutdown(wait=False)
    if not any(started.values()):
        return
    logger.info("snippets: running %d example(s), %d at a time, and %d declared hang(s) beside them",
                started[False], min(workers(), started[False]), started[True])
    if _reads_in_parallel(app):
        _read_in_this_process(app)


def _hand_over_sooner(app: Sphinx) -> None:
    """While the pool runs, make the main thread give up the GIL sooner when a pool thread asks.

    Between its system calls (starting the box, reading its pipes, waiting for it) a pool thread
    runs a little Python, each time taking the GIL back from the main thread, which parses or
    writes pages and keeps it for up to the switch interval (5 ms by default). An edited C
    example then took about 160 ms to run beside the page writing instead of about 75 ms alone,
    and the page waited for it. Restored when the build ends.
    """
    default = sys.getswitchinterval()
    sys.setswitchinterval(min(default, SWITCH_INTERVAL))

    def restore(app: Sphinx, _exception: Exception | None) -> None:
        sys.setswitchinterval(default)
        app.disconnect(listener)

    listener = app.connect("build-finished", restore)


def still_running(engine: Engine) -> bool:
    """Is anything the pool started still running (an example, taken by a directive or not, or
    the examples' download copies)?"""
    started = [*engine.prefetched.values(), *engine.deferred.values(), *engine.background.values()]
    return any(not future.done() for future in started)


def _read_in_this_process(app: Sphinx) -> None:
    """Make Sphinx read this time in one process (and write in one while examples still run).

    With `-j N` Sphinx would now fork readers. The pool already keeps every core busy, its
    threads do not survive a fork, and forked readers could only start once it had finished;
    reading here instead overlaps Sphinx's parsing with the examples. Sphinx decides on forked
    writers after reading, from app.parallel; `-j N` is given back then, unless examples are
    still running (see after_reading).
    """
    jobs = app.parallel
    app.parallel = 1

    def restore(app: Sphinx, *args: object) -> None:
        app.parallel = jobs
        for listener in listeners:
            app.disconnect(listener)

    def after_reading(app: Sphinx, env: BuildEnvironment) -> None:
        engine: Engine = env.snippets_engine  # type: ignore[attr-defined]
        if not still_running(engine):
            restore(app)
        # Otherwise examples still run in this process's threads, and a writer forked now would
        # get a copy of every pipe a thread holds open at that moment. One of them is the pipe
        # through which subprocess learns that the box's launcher was executed: its reader waits
        # for end of file, which never comes while the forked writer keeps a copy of the write
        # end, and the writer in turn waits for this process to take its pages. A deadlock
        # (it happened while building this site; ch06 tells the story). So the pages are
        # written here, each as soon as its examples are done.

    listeners = [app.connect("env-updated", after_reading), app.connect("build-finished", restore)]
